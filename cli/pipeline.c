/*
 * pipeline.c - the crawl pipeline: fetch, parse, join, classify, store.
 * See pipeline.h for the order of things and the affiliation precedence.
 *
 * Everything runs on one thread inside crawler_fetch_run(): the engine calls
 * on_done() for each URL, and on_done() parses, queues the next URLs and
 * commits every record whose sources are all in.
 */
#include "pipeline.h"
#include "config.h"
#include "report.h"

#include "classify.h"
#include "common.h"
#include "crawler.h"
#include "store.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_PROCEEDINGS "https://proceedings.neurips.cc"
#define DEFAULT_VIRTUAL     "https://neurips.cc"
#define DEFAULT_DATASETS    "https://datasets-benchmarks-proceedings.neurips.cc"
#define MAX_COUNTRIES       64 /* distinct countries in one paper */
#define MAX_MODES           2  /* classify_multinational values */
#define MAX_OPEN            8  /* open affiliations of one paper counted for "undecided" */
#define RECORD_SCHEMA       1
#define QUEUE_AHEAD         64 /* item URLs in the engine at once (at least; 4 per connection) */

enum job_kind { JOB_INDEX, JOB_FEED, JOB_ABSTRACT, JOB_METADATA, JOB_PDF };

/* One queued URL; the engine hands back its position in pl->jobs. */
struct job {
    enum job_kind kind;
    size_t item;
};

enum item_flags {
    I_SKIP = 1 << 0,      /* finished by an earlier run: not fetched */
    I_ABSTRACT = 1 << 1,  /* abstract page parsed */
    I_META = 1 << 2,      /* Metadata.json applied */
    I_FAILED = 1 << 3,    /* a page failed: not written, retried next run */
    I_WRITTEN = 1 << 4,   /* committed to the store in this run (or found unchanged) */
    I_RECHECK = 1 << 5,   /* finished before, fetched again (cfg->recheck) */
    I_FEED = 1 << 6,      /* the feed's affiliations were taken */
    I_PDF_ASKED = 1 << 7, /* --fulltext: the PDF is queued */
    I_PDF = 1 << 8,       /* --fulltext: the PDF step is done (read, or failed for good) */
    I_TALLIED = 1 << 9    /* written in this run and counted in pl->tally */
};

/* What --fulltext found in a paper's PDF, until its record is written. */
struct fulltext {
    struct mention_list ml; /* fields "fulltext" (body) and "references" */
    char **domain;          /* per author: the email domain of an author the PDF placed */
    size_t pages;
    char *error; /* why the PDF gave nothing (the paper's record says so) */
    char *kept;  /* --keep-pdf: the file, relative to the output directory */
};

struct item {
    struct crawler_paper paper; /* index, then abstract page, then metadata */
    unsigned flags;
    int fail_err;        /* with I_FAILED: the NSC_E* kind of the failure */
    struct fulltext *ft; /* --fulltext only */
};

enum feed_state { FEED_NONE, FEED_PENDING, FEED_PARSED, FEED_FAILED };

/* A set of alpha-2 codes, kept sorted. */
struct ccset {
    size_t n;
    char cc[MAX_COUNTRIES][3];
};

/*
 * The countries of one paper's authors under one multinational mode, and its
 * open affiliations: those the rules left unknown between named candidates
 * (a shared name such as "Northeastern University", a place such as
 * "Cambridge"), each with its candidates.  Only the first MAX_OPEN count.
 */
struct placement {
    struct ccset placed;
    size_t n_open;
    struct classify_open open[MAX_OPEN];
};

/*
 * The summary's counts.  The records of earlier runs are read back from the
 * store and placed again under every multinational mode, so all its numbers
 * come from one rule set: the one named in its "rules".  A record written in
 * this run was placed with that rule set a moment before, so it is counted
 * as it is written (tally_add()) and not read back.
 */
struct tally {
    struct pipeline *pl;
    size_t papers, complete, partial, missing;
    json_t *by_country, *matrix, *us_cn;
    json_t *mentions;          /* model id -> {papers, by_bloc} */
    json_t *refs;              /* model id -> papers citing it in their references */
    size_t ft_read, ft_failed; /* records whose PDF was read / could not be */
    json_t *updates;           /* records whose placement changed with the rules */
};

struct pipeline {
    const struct pipeline_config *cfg;
    struct classify_rules *rules;
    const struct classify_policy *policy; /* the chosen one */
    const struct classify_policy *policies;
    size_t npolicies;
    const struct classify_bloc *blocs;
    size_t nblocs;
    const struct classify_policy *mode_policy[MAX_MODES]; /* one policy per multinational mode */
    struct crawler_profile *prof;
    struct crawler_sandbox *sandbox; /* the parser worker for HTML pages */
    struct store *st;
    struct crawler_fetch *fetch;
    unsigned sources;
    char *index_url;
    char *feed_url;
    char *datasets_index_url; /* the year's second index (2021 D&B), or NULL */

    struct job *jobs;
    size_t njobs, jobs_cap;
    char **index_urls; /* index pages queued, to follow each "See also" once */
    size_t nindex_urls, index_urls_cap;
    size_t index_pending;

    /* The year index as parsed: the skeletons the feed is joined to. */
    struct crawler_paper *skel;
    size_t nskel, skel_cap;
    struct item *items; /* parallel to skel once listed */
    size_t nitems;
    int listed;
    size_t next_item;   /* the next item whose abstract page queue_more() queues */
    size_t outstanding; /* item URLs (abstract, metadata, PDF) queued and not yet done */

    enum feed_state feed_state;
    int joined;
    struct crawler_join_stats jstats;

    size_t done, failed, written, skipped;
    size_t unchanged, kept; /* recheck: records found the same; kept after a failed fetch */
    size_t pdfs_read;       /* --fulltext: PDFs whose text was read in this run */
    int err;                /* a fatal error: the run is stopped */
    struct progress pg;
    struct classify_result cres;
    struct buf scratch;
    struct mention_models *models; /* NULL when the rules have no models.yaml */
    int reclassify;                /* pipeline_reclassify(): nothing was crawled */
    struct tally tally;            /* the summary's counts so far */
};

static volatile sig_atomic_t stop_requested;
static struct crawler_fetch *volatile active_fetch;

void pipeline_config_init(struct pipeline_config *cfg)
{
    struct crawler_fetch_config fc;

    crawler_fetch_config_init(&fc);
    memset(cfg, 0, sizeof(*cfg));
    cfg->connect_timeout_ms = fc.connect_timeout_ms;
    cfg->timeout_ms = fc.timeout_ms;
    cfg->low_speed_bytes = fc.low_speed_bytes;
    cfg->low_speed_time_s = fc.low_speed_time_s;
    cfg->max_body = fc.max_body;
    cfg->datasets_url = DEFAULT_DATASETS;
    cfg->out_dir = ".";
    cfg->proceedings_url = DEFAULT_PROCEEDINGS;
    cfg->virtual_url = DEFAULT_VIRTUAL;
    cfg->rate = 1.0;
    cfg->concurrency = 2;
    cfg->progress = -1;
}

void pipeline_stop(void)
{
    struct crawler_fetch *f = active_fetch;

    stop_requested = 1;
    if (f)
        crawler_fetch_stop(f);
}

/* A fatal error: remember the first one and stop the engine. */
static void fail(struct pipeline *pl, int err)
{
    if (!pl->err)
        pl->err = err;
    if (pl->fetch)
        crawler_fetch_stop(pl->fetch);
}

/* Make the papers finished so far durable (the store's group commit); a
 * failure stops the run as any store failure does. */
static void commit(struct pipeline *pl)
{
    int err;

    if (!pl->st)
        return;
    err = store_commit(pl->st);
    if (err < 0)
        fail(pl, err);
}

/* Tell the caller's tick (pipeline_config.tick) where the run is. */
static void tick(struct pipeline *pl)
{
    struct pipeline_tick t = { pl->cfg->year, pl->nitems,  pl->done,
                               pl->failed,    pl->written, pl->unchanged };

    pl->cfg->tick(&t, pl->cfg->tick_payload);
}

/* ---- paper copies ------------------------------------------------------ */

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/*
 * Deep-copy 'src' into the zeroed 'dst'; with 'unjoined', leave out what the
 * feed join adds to a skeleton (the authors' affiliations and their
 * "affiliations" source), so a copy made after the join is the entry as the
 * year index listed it (the index gives no affiliations).
 */
static void paper_copy(struct crawler_paper *dst, const struct crawler_paper *src, int unjoined)
{
    dst->id = dup_or_null(src->id);
    dst->year = src->year;
    dst->track = dup_or_null(src->track);
    dst->title = dup_or_null(src->title);
    dst->abstract = dup_or_null(src->abstract);
    dst->abstract_url = dup_or_null(src->abstract_url);
    dst->pdf_url = dup_or_null(src->pdf_url);
    dst->metadata_url = dup_or_null(src->metadata_url);
    dst->doi = dup_or_null(src->doi);
    if (src->nauthors) {
        dst->authors = xcalloc(src->nauthors, sizeof(*dst->authors));
        for (size_t i = 0; i < src->nauthors; i++) {
            dst->authors[i].name = dup_or_null(src->authors[i].name);
            if (unjoined)
                continue;
            dst->authors[i].affiliation = dup_or_null(src->authors[i].affiliation);
            dst->authors[i].aff_source = src->authors[i].aff_source;
        }
        dst->nauthors = src->nauthors;
    }
    for (size_t i = 0; i < src->nsources; i++) {
        if (unjoined && !strcmp(src->sources[i].field, "affiliations"))
            continue;
        crawler_paper_set_source(dst, src->sources[i].field, src->sources[i].url);
    }
}

static int cmp_paper_id(const void *a, const void *b)
{
    const struct crawler_paper *x = a, *y = b;
    int c = strcmp(x->id ? x->id : "", y->id ? y->id : "");

    if (c)
        return c;
    return strcmp(x->abstract_url ? x->abstract_url : "", y->abstract_url ? y->abstract_url : "");
}

/* ---- fetching ---------------------------------------------------------- */

/* Queue 'url' as a 'kind' job, conditional when the state DB has a copy;
 * 'max_body' 0 is the engine's cap. */
static int queue_capped(struct pipeline *pl, enum job_kind kind, size_t item, const char *url,
                        size_t max_body)
{
    struct crawler_fetch_request req = { 0 };
    struct store_fetch sf = { 0 };
    int err;

    NSC_GROW(pl->jobs, pl->jobs_cap, pl->njobs + 1);
    pl->jobs[pl->njobs].kind = kind;
    pl->jobs[pl->njobs].item = item;
    req.url = url;
    req.user = (void *)(uintptr_t)(pl->njobs + 1);
    req.max_body = max_body;
    /* A paper's Metadata.json or PDF comes before the next papers' abstract
     * pages: papers are finished (written, durable) one after the other
     * rather than all at the end of the year. */
    req.first = kind == JOB_METADATA || kind == JOB_PDF;
    /* A 304 is only useful when we kept the body it refers to (never a PDF's);
     * the body itself is read only if the 304 comes (take_body()). */
    if (kind != JOB_PDF && store_fetch_validators(&sf, pl->st, url) == 0) {
        req.etag = sf.etag;
        req.last_modified = sf.last_modified;
    }
    err = crawler_fetch_add(pl->fetch, &req);
    store_fetch_release(&sf);
    if (err < 0)
        return err;
    pl->njobs++;
    if (kind == JOB_ABSTRACT || kind == JOB_METADATA || kind == JOB_PDF)
        pl->outstanding++;
    return 0;
}

static int queue(struct pipeline *pl, enum job_kind kind, size_t item, const char *url)
{
    return queue_capped(pl, kind, item, url, 0);
}

/* Queue a year index page.  Its fetch keeps the page cap (--max-body, 32 MB
 * by default: a 50,000-paper index is 31.8 MB), which the user may lower;
 * the parse allows CRAWLER_MAX_INDEX. */
static int queue_index(struct pipeline *pl, const char *url)
{
    return queue(pl, JOB_INDEX, 0, url);
}

/* Whether URLs 'a' and 'b' have the same "scheme://host:port" part. */
static int same_origin(const char *a, const char *b)
{
    const char *ea = strstr(a, "://"), *eb = strstr(b, "://");
    size_t na, nb;

    if (!ea || !eb)
        return 0;
    na = (size_t)(ea - a) + 3 + strcspn(ea + 3, "/?#");
    nb = (size_t)(eb - b) + 3 + strcspn(eb + 3, "/?#");
    return na == nb && strncasecmp(a, b, na) == 0;
}

/*
 * The body of a successful answer in 'out': the new body, or the kept one
 * for a 304, taken over rather than copied (the feed is megabytes).
 * Records validators and body in the state DB.  Returns 0, the fetch error
 * (recorded as a failure), or a store error.
 */
static int take_body(struct pipeline *pl, struct crawler_fetch_result *res, struct buf *out)
{
    struct store_fetch sf = { 0 };
    int err;

    if (res->err < 0) {
        store_failed_add(pl->st, res->url, res->errmsg);
        return nsc_error_set(res->err, "%s", res->errmsg);
    }
    if (res->not_modified) {
        err = store_fetch_get(&sf, pl->st, res->url);
        if (err == 0 && !sf.body)
            err = nsc_error_set(NSC_ENOTFOUND, "'%s': 304 but no kept copy", res->url);
        if (err == 0) {
            buf_attach(out, sf.body, sf.body_len, sf.body_len + 1);
            sf.body = NULL;
        }
        store_fetch_release(&sf);
        return err;
    }
    sf.url = (char *)res->url;
    sf.status = (int)res->status;
    sf.fetched_at = nsc_wall_s();
    sf.etag = (char *)res->etag;
    sf.last_modified = (char *)res->last_modified;
    sf.body = (char *)buf_cstr(&res->body);
    sf.body_len = res->body.len;
    err = store_fetch_put(pl->st, &sf); /* clears a failure of the URL too */
    if (err < 0)
        return err;
    buf_release(out);
    *out = res->body; /* the engine frees the emptied res->body */
    buf_init(&res->body);
    return 0;
}

/* ---- classification and records ---------------------------------------- */

static void ccset_add(struct ccset *s, const char *cc)
{
    size_t i = 0;

    if (!cc[0])
        return;
    while (i < s->n && strcmp(s->cc[i], cc) < 0)
        i++;
    if ((i < s->n && !strcmp(s->cc[i], cc)) || s->n == MAX_COUNTRIES)
        return;
    memmove(s->cc[i + 1], s->cc[i], (s->n - i) * sizeof(s->cc[0]));
    memcpy(s->cc[i], cc, 3);
    s->n++;
}

static const struct classify_bloc *bloc_find(const struct pipeline *pl, const char *name)
{
    for (size_t i = 0; name && i < pl->nblocs; i++) {
        if (!strcmp(pl->blocs[i].name, name))
            return &pl->blocs[i];
    }
    return NULL;
}

static int bloc_meets(const struct classify_bloc *b, const struct ccset *s)
{
    for (size_t j = 0; j < s->n; j++) {
        if (classify_bloc_has(b, s->cc[j]))
            return 1;
    }
    return 0;
}

/* Note an affiliation left unknown: open when its evidence names candidates. */
static void placement_open(struct placement *p, const struct classify_affiliation *a)
{
    struct classify_open o = { 0 };

    for (size_t i = 0; i < a->n_evidence; i++)
        classify_open_add(&o, a->evidence[i].kind, a->evidence[i].country);
    if (o.n && p->n_open < MAX_OPEN)
        p->open[p->n_open++] = o;
}

/* Not in both blocs as placed, but would be for some placing of its open
 * affiliations (classify_blocs_undecided()). */
static int placement_undecided(const struct placement *p, const struct classify_bloc *b0,
                               const struct classify_bloc *b1)
{
    return classify_blocs_undecided(b0, b1, !bloc_meets(b0, &p->placed),
                                    !bloc_meets(b1, &p->placed), p->open, p->n_open);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* The source names of docs/schema.md for the crawler's CRAWLER_AFF_* values. */
static const char *source_name(const char *aff_source)
{
    if (!aff_source)
        return NULL;
    if (!strcmp(aff_source, CRAWLER_AFF_METADATA))
        return "metadata_json";
    if (!strcmp(aff_source, CRAWLER_AFF_VIRTUAL))
        return "virtual_json";
    return aff_source;
}

static json_t *affiliation_json(const struct classify_affiliation *a)
{
    json_t *o = json_object(), *ev = json_array();

    json_object_set_new(o, "institution", str_or_null(a->institution));
    json_object_set_new(o, "country", a->country[0] ? json_string(a->country) : json_null());
    json_object_set_new(o, "rule", str_or_null(a->rule));
    for (size_t i = 0; i < a->n_evidence; i++) {
        const struct classify_evidence *e = &a->evidence[i];
        json_t *eo = json_object();

        json_object_set_new(eo, "rule", str_or_null(e->rule));
        json_object_set_new(eo, "kind", str_or_null(e->kind));
        json_object_set_new(eo, "country", e->country[0] ? json_string(e->country) : json_null());
        json_object_set_new(eo, "text", str_or_null(e->text));
        json_array_append_new(ev, eo);
    }
    json_object_set_new(o, "evidence", ev);
    return o;
}

static int classify_mode(struct pipeline *pl, int mode, const char *aff, const char *domain)
{
    return classify_run(pl->rules, pl->mode_policy[mode], aff, strlen(aff), domain, &pl->cres);
}

/*
 * Place the authors of 'rec' (a record with "authors"[].affiliation set) in
 * countries with the current rules: set every author's "affiliations", the
 * record's "countries" (the chosen policy) and "pairs" (for every policy
 * with a pair of blocs, whether the paper joins it).  The countries and open
 * affiliations per multinational mode go to 'pm'.  The one place where records meet the
 * classifier, so a new record and a re-placed old one agree.
 */
static int place_record(struct pipeline *pl, json_t *rec, struct placement pm[MAX_MODES])
{
    json_t *authors = json_object_get(rec, "authors");
    json_t *pairs = json_object(), *countries = json_array();
    int chosen = (int)pl->policy->multinational;
    int err = 0;

    memset(pm, 0, MAX_MODES * sizeof(*pm));
    for (size_t i = 0; i < json_array_size(authors); i++) {
        json_t *ao = json_array_get(authors, i), *affs = json_array();
        const char *aff = json_string_value(json_object_get(ao, "affiliation"));
        const char *dom = json_string_value(json_object_get(ao, "email_domain"));

        /* An author the PDF placed by email alone: the domain is the text. */
        if (!aff)
            aff = dom;
        for (int m = 0; aff && m < MAX_MODES; m++) {
            if (!pl->mode_policy[m])
                continue;
            err = classify_mode(pl, m, aff, dom);
            if (err < 0) {
                /* Invalid UTF-8 cannot come from the parsers; say where. */
                nsc_error_prefix(err, "paper %s, author %zu",
                                 json_string_value(json_object_get(rec, "id")), i + 1);
                json_decref(affs);
                goto out;
            }
            for (size_t k = 0; k < pl->cres.n; k++) {
                if (pl->cres.affils[k].country[0])
                    ccset_add(&pm[m].placed, pl->cres.affils[k].country);
                else
                    placement_open(&pm[m], &pl->cres.affils[k]);
                if (m == chosen)
                    json_array_append_new(affs, affiliation_json(&pl->cres.affils[k]));
            }
        }
        json_object_set_new(ao, "affiliations", affs);
    }
    for (size_t i = 0; i < pm[chosen].placed.n; i++)
        json_array_append_new(countries, json_string(pm[chosen].placed.cc[i]));
    for (size_t i = 0; i < pl->npolicies; i++) {
        const struct classify_policy *pol = &pl->policies[i];
        const struct classify_bloc *b0 = bloc_find(pl, pol->pair[0]);
        const struct classify_bloc *b1 = bloc_find(pl, pol->pair[1]);
        const struct ccset *set = &pm[pol->multinational].placed;
        json_t *list = json_array();

        if (b0 && b1 && bloc_meets(b0, set) && bloc_meets(b1, set))
            json_array_append_new(list, json_sprintf("%s_%s", b0->name, b1->name));
        json_object_set_new(pairs, pol->name, list);
    }
    json_object_set(rec, "countries", countries);
    json_object_set(rec, "pairs", pairs);
out:
    json_decref(countries);
    json_decref(pairs);
    return err;
}

/* The models named in the title and abstract of 'p': model id -> {count,
 * where}.  Without a models.yaml the object is empty (nothing was scanned). */
static json_t *record_mentions(struct pipeline *pl, const struct crawler_paper *p,
                               const struct fulltext *ft, json_t **refs_out)
{
    struct mention_list ml = MENTION_LIST_INIT;
    struct mention_tally mt = MENTION_TALLY_INIT;
    json_t *out = json_object(), *refs = json_object(), *by = json_object();

    *refs_out = NULL;
    if (!pl->models) {
        json_decref(refs);
        json_decref(by);
        return out;
    }
    if (p->title)
        mention_scan(pl->models, p->title, strlen(p->title), "title", &ml);
    if (p->abstract)
        mention_scan(pl->models, p->abstract, strlen(p->abstract), "abstract", &ml);
    /* The full text's mentions: the body's count with the others, the
     * references' apart (citing a model is not using it). */
    for (size_t i = 0; ft && i < ft->ml.n; i++) {
        const struct mention *m = &ft->ml.items[i];
        if (!strcmp(m->field, "references")) {
            json_t *e = json_object_get(refs, m->model);

            json_object_set_new(
                refs, m->model,
                json_pack(
                    "{s:I}", "count",
                    (json_int_t)(e ? json_integer_value(json_object_get(e, "count")) + 1 : 1)));
            continue;
        }
        NSC_GROW(ml.items, ml.cap, ml.n + 1);
        ml.items[ml.n++] = *m;
    }
    mention_tally_add(&mt, &ml);
    /* With full text, how many mentions each field gave. */
    for (size_t i = 0; ft && i < ml.n; i++) {
        json_t *per = json_object_get(by, ml.items[i].model), *v;

        if (!per) {
            per = json_object();
            json_object_set_new(by, ml.items[i].model, per);
        }
        v = json_object_get(per, ml.items[i].field);
        json_object_set_new(per, ml.items[i].field,
                            json_integer(v ? json_integer_value(v) + 1 : 1));
    }
    for (size_t i = 0; i < mt.n; i++) {
        json_t *where = json_array(), *e;

        for (size_t w = 0; w < mt.items[i].n_where; w++)
            json_array_append_new(where, json_string(mt.items[i].where[w]));
        e = json_pack("{s:I, s:o}", "count", (json_int_t)mt.items[i].count, "where", where);
        if (ft)
            json_object_set(e, "by_field", json_object_get(by, mt.items[i].model));
        json_object_set_new(out, mt.items[i].model, e);
    }
    if (ft)
        *refs_out = json_incref(refs);
    json_decref(refs);
    json_decref(by);
    mention_tally_release(&mt);
    mention_list_release(&ml);
    return out;
}

/* Build the record of 'p' (schema: docs/schema.md) in *out, its placement
 * under each multinational mode in 'pm'. */
static int build_record(json_t **out, struct placement pm[MAX_MODES], struct pipeline *pl,
                        const struct crawler_paper *p, const struct fulltext *ft)
{
    json_t *rec = json_object(), *authors = json_array(), *sources = json_object(), *refs;
    int err;

    for (size_t i = 0; i < p->nauthors; i++) {
        const struct crawler_author *a = &p->authors[i];
        const char *dom = ft && ft->domain ? ft->domain[i] : NULL;
        json_t *ao = json_object();

        json_object_set_new(ao, "name", str_or_null(a->name));
        json_object_set_new(ao, "affiliation", str_or_null(a->affiliation));
        json_object_set_new(ao, "source",
                            str_or_null(a->affiliation ? source_name(a->aff_source)
                                        : dom          ? CRAWLER_AFF_PDF
                                                       : NULL));
        if (dom)
            json_object_set_new(ao, "email_domain", json_string(dom));
        json_array_append_new(authors, ao);
    }
    for (size_t i = 0; i < p->nsources; i++)
        json_object_set_new(sources, p->sources[i].field, json_string(p->sources[i].url));

    json_object_set_new(rec, "schema", json_integer(RECORD_SCHEMA));
    json_object_set_new(rec, "id", json_string(p->id));
    json_object_set_new(rec, "year", json_integer(p->year));
    json_object_set_new(rec, "track", str_or_null(p->track));
    json_object_set_new(rec, "title", str_or_null(p->title));
    json_object_set_new(rec, "abstract_url", str_or_null(p->abstract_url));
    json_object_set_new(rec, "pdf_url", str_or_null(p->pdf_url));
    json_object_set_new(rec, "authors", authors);
    json_object_set_new(rec, "mentions", record_mentions(pl, p, ft, &refs));
    if (refs)
        json_object_set_new(rec, "references_mentions", refs);
    if (ft) {
        json_t *fo = json_object();

        json_object_set_new(fo, "url", str_or_null(p->pdf_url));
        if (ft->error)
            json_object_set_new(fo, "error", json_string(ft->error));
        else
            json_object_set_new(fo, "pages", json_integer((json_int_t)ft->pages));
        if (ft->kept)
            json_object_set_new(fo, "kept", json_string(ft->kept));
        json_object_set_new(rec, "fulltext", fo);
    }
    json_object_set_new(rec, "sources", sources);
    err = place_record(pl, rec, pm);
    if (err < 0) {
        json_decref(rec);
        return err;
    }
    *out = rec;
    return 0;
}

/*
 * Give the authors of 'p' that still have no affiliation the ones the feed
 * gave the skeleton 'sk': by position when every name agrees, otherwise by
 * a unique normalised name.
 */
static void take_feed_affiliations(struct crawler_paper *p, const struct crawler_paper *sk,
                                   const char *feed_url)
{
    char **pk = NULL, **sks = NULL;
    int by_pos = p->nauthors == sk->nauthors, used = 0, same = by_pos;

    if (!p->nauthors || !sk->nauthors)
        return;
    /* The page's names are mostly the index's, byte for byte: then they
     * match by position and need no normalising. */
    for (size_t i = 0; same && i < p->nauthors; i++)
        same = !strcmp(p->authors[i].name ? p->authors[i].name : "",
                       sk->authors[i].name ? sk->authors[i].name : "");
    if (!same) {
        pk = xcalloc(p->nauthors, sizeof(*pk));
        sks = xcalloc(sk->nauthors, sizeof(*sks));
        for (size_t i = 0; i < p->nauthors; i++)
            pk[i] = crawler_normalise_key(p->authors[i].name ? p->authors[i].name : "");
        for (size_t j = 0; j < sk->nauthors; j++)
            sks[j] = crawler_normalise_key(sk->authors[j].name ? sk->authors[j].name : "");
    }
    for (size_t i = 0; !same && by_pos && i < p->nauthors; i++) {
        if (pk[i][0] && sks[i][0] && strcmp(pk[i], sks[i]))
            by_pos = 0;
    }
    for (size_t i = 0; i < p->nauthors; i++) {
        const struct crawler_author *src = NULL;

        if (p->authors[i].affiliation)
            continue;
        if (by_pos) {
            src = &sk->authors[i];
        } else {
            for (size_t j = 0; j < sk->nauthors; j++) {
                if (!pk[i][0] || strcmp(pk[i], sks[j]))
                    continue;
                if (src) { /* not unique: leave it unknown */
                    src = NULL;
                    break;
                }
                src = &sk->authors[j];
            }
        }
        if (src && src->affiliation) {
            p->authors[i].affiliation = xstrdup(src->affiliation);
            p->authors[i].aff_source = src->aff_source ? src->aff_source : CRAWLER_AFF_VIRTUAL;
            used = 1;
        }
    }
    if (used && !crawler_paper_source(p, "affiliations")) {
        const char *u = crawler_paper_source(sk, "affiliations");
        crawler_paper_set_source(p, "affiliations", u ? u : feed_url);
    }
    for (size_t i = 0; pk && i < p->nauthors; i++)
        free(pk[i]);
    for (size_t j = 0; sks && j < sk->nauthors; j++)
        free(sks[j]);
    free(pk);
    free(sks);
}

/* 1 when the store holds exactly 'rec' for its id (a recheck found nothing new). */
static int record_unchanged(struct pipeline *pl, const json_t *rec)
{
    json_t *old = NULL;
    int same = 0;

    if (store_get(&old, pl->st, json_string_value(json_object_get(rec, "id"))) == 0)
        same = json_equal(old, rec);
    else
        nsc_error_clear();
    json_decref(old);
    return same;
}

static void try_finish(struct pipeline *pl, size_t i);
static void tally_add(struct tally *t, const json_t *rec, const struct placement pm[MAX_MODES]);

/* ---- full text (--fulltext) -------------------------------------------- */

static void item_failed(struct pipeline *pl, size_t i, const char *what, int err);

static void fulltext_free(struct fulltext *ft, size_t nauthors)
{
    if (!ft)
        return;
    mention_list_release(&ft->ml);
    for (size_t i = 0; ft->domain && i < nauthors; i++)
        free(ft->domain[i]);
    free(ft->domain);
    free(ft->error);
    free(ft->kept);
    free(ft);
}

/*
 * The PDF's author for record author 'i' of 'p': by position when both
 * lists are as long and the names agree there, else by a unique
 * normalised name; NULL when none fits.
 */
static const struct crawler_pdf_author *pdf_author(const struct crawler_paper *p, size_t i,
                                                   const struct crawler_pdf_front *f)
{
    const struct crawler_pdf_author *hit = NULL;
    char *want = crawler_normalise_key(p->authors[i].name ? p->authors[i].name : "");

    if (f->nauthors == p->nauthors) {
        char *k = crawler_normalise_key(f->authors[i].name);

        if (want[0] && !strcmp(k, want))
            hit = &f->authors[i];
        free(k);
    }
    for (size_t j = 0; !hit && want[0] && j < f->nauthors; j++) {
        char *k = crawler_normalise_key(f->authors[j].name);
        int same = !strcmp(k, want);

        free(k);
        if (!same)
            continue;
        for (size_t l = j + 1; l < f->nauthors; l++) {
            char *k2 = crawler_normalise_key(f->authors[l].name);

            same = !strcmp(k2, want);
            free(k2);
            if (same)
                break;
        }
        hit = same ? NULL : &f->authors[j]; /* a second one: ambiguous */
        break;
    }
    free(want);
    return hit;
}

/* Authors still without an affiliation take the PDF's line (source "pdf"),
 * or, when it prints only their email, its domain.  Returns how many. */
static size_t take_pdf_affiliations(struct item *it, const struct crawler_pdf_front *f,
                                    const char *url)
{
    struct crawler_paper *p = &it->paper;
    size_t n = 0;

    for (size_t i = 0; i < p->nauthors; i++) {
        const struct crawler_pdf_author *a;

        if (p->authors[i].affiliation || !(a = pdf_author(p, i, f)))
            continue;
        if (!a->affiliation && !a->email_domain)
            continue;
        if (!it->ft->domain)
            it->ft->domain = xcalloc(p->nauthors, sizeof(*it->ft->domain));
        it->ft->domain[i] = a->email_domain ? xstrdup(a->email_domain) : NULL;
        if (a->affiliation) {
            p->authors[i].affiliation = xstrdup(a->affiliation);
            p->authors[i].aff_source = CRAWLER_AFF_PDF;
        } else if (!a->email_domain) {
            continue;
        }
        n++;
    }
    if (n)
        crawler_paper_set_source(p, "affiliations_pdf", url);
    return n;
}

/* Scan [from, to) of 'text' as 'field', as running text (page numbers out). */
static void scan_part(struct pipeline *pl, struct fulltext *ft, const char *text, size_t from,
                      size_t to, const char *field)
{
    if (to <= from || !pl->models)
        return;
    buf_reset(&pl->scratch);
    crawler_pdf_running_text(&pl->scratch, text, from, to);
    mention_scan(pl->models, pl->scratch.ptr, pl->scratch.len, field, &ft->ml);
}

/* --keep-pdf: DIR/pdf/<year>/<safe id>.pdf, replaced atomically. */
static int keep_pdf(struct pipeline *pl, struct item *it, const struct buf *body)
{
    char *name = nsc_file_name(it->paper.id), *rel = NULL, *dir = NULL, *path = NULL;
    int err = 0;

    rel = xasprintf("pdf/%d/%s.pdf", pl->cfg->year, name);
    dir = xasprintf("%s/pdf", store_dir(pl->st));
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        err = nsc_error_set(NSC_EIO, "cannot create '%s': %s", dir, strerror(errno));
    free(dir);
    dir = xasprintf("%s/pdf/%d", store_dir(pl->st), pl->cfg->year);
    if (err == 0 && mkdir(dir, 0755) < 0 && errno != EEXIST)
        err = nsc_error_set(NSC_EIO, "cannot create '%s': %s", dir, strerror(errno));
    path = xasprintf("%s/%s", store_dir(pl->st), rel);
    if (err == 0)
        err = nsc_file_replace(path, body->ptr ? body->ptr : "", body->len);
    if (err == 0) {
        it->ft->kept = rel;
        rel = NULL;
    }
    free(name);
    free(rel);
    free(dir);
    free(path);
    return err;
}

/* The PDF of item 'i' is in 'res': read it, then commit the record. */
static void on_pdf(struct pipeline *pl, size_t i, struct crawler_fetch_result *res)
{
    struct item *it = &pl->items[i];
    struct buf text = BUF_INIT;
    struct crawler_pdf_front front = { 0 };
    struct crawler_pdf_parts parts;
    int err = res->err;

    if (err < 0) {
        store_failed_add(pl->st, res->url, res->errmsg);
        /* Gone or over a cap: the record says so.  Anything else (the
         * network, a 5xx) is retried by the next run. */
        if (err != NSC_ENOTFOUND && err != NSC_ELIMIT) {
            nsc_error_set(err, "%s", res->errmsg);
            item_failed(pl, i, "PDF", err);
            return;
        }
        it->ft->error = xstrdup(res->errmsg);
        log_warn("crawl: PDF: %s", res->errmsg);
        goto done;
    }
    store_failed_clear(pl->st, res->url);
    if (pl->cfg->keep_pdf) {
        err = keep_pdf(pl, it, &res->body);
        if (err < 0) {
            fail(pl, err); /* the output directory failed: stop, as the store would */
            return;
        }
    }
    err = crawler_pdf_text(&text, &it->ft->pages, res->url, res->body.ptr ? res->body.ptr : "",
                           res->body.len);
    if (err < 0) {
        it->ft->error = xstrdup(nsc_error_last());
        log_warn("crawl: PDF: %s", nsc_error_last());
        goto done;
    }
    err = crawler_pdf_parse_front(&front, buf_cstr(&text), text.len);
    if (err == 0)
        take_pdf_affiliations(it, &front, res->url);
    else
        log_warn("crawl: %s: %s", res->url, nsc_error_last());
    crawler_pdf_front_release(&front);
    crawler_pdf_split(&parts, buf_cstr(&text), text.len);
    scan_part(pl, it->ft, text.ptr, parts.body, parts.refs, "fulltext");
    scan_part(pl, it->ft, text.ptr, parts.refs, parts.appendix, "references");
    scan_part(pl, it->ft, text.ptr, parts.appendix, parts.len, "fulltext");
    pl->pdfs_read++;
done:
    buf_release(&text);
    it->flags |= I_PDF;
    try_finish(pl, i);
}

/* Commit item 'i' if all its sources are in. */
static void try_finish(struct pipeline *pl, size_t i)
{
    struct item *it = &pl->items[i];
    struct placement pm[MAX_MODES];
    json_t *rec = NULL;
    int err;

    if (it->flags & (I_SKIP | I_FAILED | I_WRITTEN) || !(it->flags & I_ABSTRACT))
        return;
    if ((pl->sources & CRAWLER_SRC_METADATA) && !(it->flags & I_META))
        return;
    if (pl->feed_state != FEED_NONE && !pl->joined)
        return;
    if (pl->joined && !(it->flags & I_FEED))
        take_feed_affiliations(&it->paper, &pl->skel[i], pl->feed_url);
    it->flags |= I_FEED;
    if (pl->cfg->fulltext && !(it->flags & I_PDF)) {
        /* The PDF comes last: it fills only what the other sources left. */
        if (!it->ft)
            it->ft = xcalloc(1, sizeof(*it->ft));
        if (!it->paper.pdf_url) {
            it->ft->error = xstrdup("the abstract page links no PDF");
            it->flags |= I_PDF;
        } else if (!(it->flags & I_PDF_ASKED)) {
            it->flags |= I_PDF_ASKED;
            err = queue_capped(pl, JOB_PDF, i, it->paper.pdf_url, CRAWLER_MAX_PDF);
            if (err < 0)
                item_failed(pl, i, "PDF", err);
            return;
        } else {
            return;
        }
    }
    err = build_record(&rec, pm, pl, &it->paper, it->ft);
    if (err == 0 && (it->flags & I_RECHECK) && record_unchanged(pl, rec)) {
        json_decref(rec);
        it->flags |= I_WRITTEN;
        pl->unchanged++;
        pl->done++;
        fulltext_free(it->ft, it->paper.nauthors);
        it->ft = NULL;
        crawler_paper_release(&it->paper);
        return;
    }
    if (err == 0)
        err = store_put_finished(pl->st, rec);
    if (err == 0) {
        tally_add(&pl->tally, rec, pm);
        it->flags |= I_TALLIED;
    }
    json_decref(rec);
    if (err < 0) {
        fail(pl, err);
        return;
    }
    it->flags |= I_WRITTEN;
    pl->written++;
    pl->done++;
    fulltext_free(it->ft, it->paper.nauthors);
    it->ft = NULL;
    crawler_paper_release(&it->paper); /* the record is on disk now */
}

/* The feed was joined to the skeletons (on_feed()): commit what waits. */
static void try_join(struct pipeline *pl)
{
    if (!pl->listed || pl->feed_state != FEED_PARSED || pl->joined)
        return;
    pl->joined = 1;
    log_info("crawl: feed joined: %zu by URL, %zu by title, %zu papers unjoined, %zu records "
             "unjoined, %zu ambiguous",
             pl->jstats.by_url, pl->jstats.by_title, pl->jstats.papers_unjoined,
             pl->jstats.records_unjoined, pl->jstats.ambiguous);
    for (size_t i = 0; i < pl->nitems && !pl->err; i++) {
        try_finish(pl, i);
        /* Every paper of a big year can finish here at once: seconds. */
        if (pl->cfg->tick && i % 256 == 255)
            tick(pl);
    }
}

/*
 * Queue the abstract pages of the next papers while fewer than QUEUE_AHEAD
 * (or 4 per connection) item URLs are in the engine, copying each paper's
 * index entry only then: queueing a whole year at once would hold a job and
 * a copy per paper, memory that grows with the year.  While the feed is on
 * its way only the first 'ahead' papers start: a paper cannot be written
 * before the join, so more would only wait in memory.
 */
static void queue_more(struct pipeline *pl)
{
    size_t ahead = pl->cfg->concurrency * 4 > QUEUE_AHEAD ? pl->cfg->concurrency * 4 : QUEUE_AHEAD;

    while (!pl->err && !stop_requested && pl->listed && pl->next_item < pl->nitems &&
           pl->outstanding < ahead && (pl->feed_state != FEED_PENDING || pl->next_item < ahead)) {
        size_t i = pl->next_item++;
        struct item *it = &pl->items[i];
        int err;

        if (it->flags & I_SKIP)
            continue;
        /* As listed: the abstract page's authors replace the index's only
         * while no affiliation is set (crawler_parse_abstract()), and the
         * join may have run already. */
        paper_copy(&it->paper, &pl->skel[i], 1);
        if (!it->paper.abstract_url) {
            it->flags |= I_FAILED;
            it->fail_err = NSC_ENOTFOUND;
            pl->failed++;
            log_warn("crawl: paper %s has no abstract URL", it->paper.id);
            continue;
        }
        err = queue(pl, JOB_ABSTRACT, i, it->paper.abstract_url);
        if (err < 0) {
            it->flags |= I_FAILED;
            it->fail_err = err;
            pl->failed++;
            log_warn("crawl: %s", nsc_error_last());
        }
    }
}

/* All index pages are in: fix the paper list, mark what earlier runs
 * finished and start queueing the abstract pages. */
static void list_papers(struct pipeline *pl)
{
    size_t n = 0;
    int err;

    if (pl->nskel == 0) {
        fail(pl, nsc_error_set(NSC_ETEMPLATE, "no papers found in %s: template not recognised",
                               pl->index_url));
        return;
    }
    /* Sorted by id and capped, so --max-papers picks the same papers every run. */
    qsort(pl->skel, pl->nskel, sizeof(*pl->skel), cmp_paper_id);
    for (size_t i = 0; i < pl->nskel; i++) {
        if (n > 0 && !strcmp(pl->skel[n - 1].id, pl->skel[i].id)) {
            crawler_paper_release(&pl->skel[i]);
            continue;
        }
        if (n != i)
            pl->skel[n] = pl->skel[i];
        n++;
    }
    if (pl->cfg->max_papers && n > pl->cfg->max_papers) {
        for (size_t i = pl->cfg->max_papers; i < n; i++)
            crawler_paper_release(&pl->skel[i]);
        n = pl->cfg->max_papers;
    }
    pl->nskel = n;
    pl->items = xcalloc(n, sizeof(*pl->items));
    pl->nitems = n;
    pl->listed = 1;
    for (size_t i = 0; i < n && !pl->err; i++) {
        struct item *it = &pl->items[i];

        err = store_paper_finished(pl->st, pl->skel[i].id);
        if (err < 0) {
            fail(pl, err);
            return;
        }
        if (err == 1 && !pl->cfg->recheck) {
            it->flags |= I_SKIP;
            pl->skipped++;
            pl->done++;
            continue;
        }
        if (err == 1) {
            it->flags |= I_RECHECK;
            pl->skipped++;
        }
        if (pl->cfg->tick && i % 256 == 255)
            tick(pl);
    }
    progress_end(&pl->pg);
    log_notice("crawl: %zu papers in the %d index, %zu finished before", n, pl->cfg->year,
               pl->skipped);
    /* The feed only now, so its body never waits in memory while the
     * index's parse tree (the largest transient) is built, and its records
     * are joined as they are decoded.  Only it gets the large cap. */
    if (pl->feed_state == FEED_PENDING) {
        err = queue_capped(pl, JOB_FEED, 0, pl->feed_url,
                           pl->cfg->max_body > CRAWLER_MAX_FEED ? pl->cfg->max_body
                                                                : CRAWLER_MAX_FEED);
        if (err < 0) {
            fail(pl, err);
            return;
        }
    }
    queue_more(pl);
}

static void on_index(struct pipeline *pl, struct crawler_fetch_result *res, const struct buf *body)
{
    struct crawler_year_index ix = { 0 };
    int err;

    err = crawler_sandbox_parse_index(pl->sandbox, &ix, res->url, pl->cfg->year, buf_cstr(body),
                                      body->len);
    if (err < 0) {
        fail(pl, err);
        return;
    }
    log_info("crawl: %s: %zu papers (%s)", res->url, ix.npapers, ix.era ? ix.era : "?");
    /* The papers are taken over, not copied: a year index lists thousands. */
    NSC_GROW(pl->skel, pl->skel_cap, pl->nskel + ix.npapers);
    for (size_t i = 0; i < ix.npapers; i++) {
        if (!ix.papers[i].id)
            continue;
        pl->skel[pl->nskel++] = ix.papers[i];
        memset(&ix.papers[i], 0, sizeof(ix.papers[i]));
    }
    for (size_t i = 0; i < ix.nsee_also; i++) {
        int seen = 0;

        for (size_t k = 0; k < pl->nindex_urls; k++)
            seen |= !strcmp(pl->index_urls[k], ix.see_also[i]);
        if (seen)
            continue;
        NSC_GROW(pl->index_urls, pl->index_urls_cap, pl->nindex_urls + 1);
        pl->index_urls[pl->nindex_urls++] = xstrdup(ix.see_also[i]);
        err = queue_index(pl, ix.see_also[i]);
        if (err < 0) {
            crawler_year_index_release(&ix);
            fail(pl, err);
            return;
        }
        pl->index_pending++;
    }
    crawler_year_index_release(&ix);
}

/* crawler_parse_feed_each() sink: join each record as it is decoded. */
static int join_record(struct crawler_feed_record *rec, void *payload)
{
    crawler_join_record(payload, rec);
    return 0;
}

/*
 * Decode the feed one record at a time and join each to the skeletons at
 * once (the index is in: the feed is queued after it), so neither the
 * feed's JSON tree nor its records are ever held whole.  A feed that fails
 * part way leaves the year unjoined, as one that fails at once: no paper is
 * written without it.
 */
static void on_feed(struct pipeline *pl, struct crawler_fetch_result *res, const struct buf *body)
{
    struct crawler_join *j = crawler_join_begin(pl->skel, pl->nskel, res->url);
    struct crawler_feed feed;
    int err;

    err = crawler_parse_feed_each(&feed, pl->prof, res->url, buf_cstr(body), body->len,
                                  CRAWLER_MAX_FEED, join_record, j);
    crawler_join_end(j, err < 0 ? NULL : &pl->jstats);
    if (err < 0) {
        pl->feed_state = FEED_FAILED;
        progress_end(&pl->pg);
        log_err("crawl: %s", nsc_error_last());
        return;
    }
    if (feed.next)
        log_warn("crawl: the feed %s is truncated (next: %s); papers beyond it stay unjoined",
                 res->url, feed.next);
    log_info("crawl: feed %s: %zu records", res->url, feed.nrecords);
    crawler_feed_release(&feed);
    pl->feed_state = FEED_PARSED;
    try_join(pl);
}

/* Mark item 'i' failed with 'err' (its kind, for the closing message). */
static void item_failed(struct pipeline *pl, size_t i, const char *what, int err)
{
    pl->items[i].flags |= I_FAILED;
    pl->items[i].fail_err = err;
    if (pl->items[i].flags & I_RECHECK) {
        /* The stored record stays: the year is no less complete than before. */
        pl->kept++;
        pl->done++;
        progress_end(&pl->pg);
        log_warn("crawl: %s (the stored record is kept): %s", what, nsc_error_last());
        return;
    }
    pl->failed++;
    progress_end(&pl->pg); /* the log line goes below the bar, not into it */
    log_warn("crawl: %s: %s", what, nsc_error_last());
}

static void on_abstract(struct pipeline *pl, size_t i, struct crawler_fetch_result *res,
                        const struct buf *body)
{
    struct item *it = &pl->items[i];
    char *murl = NULL;
    int err;

    err = crawler_sandbox_parse_abstract(pl->sandbox, &it->paper, res->url, buf_cstr(body),
                                         body->len);
    if (err < 0) {
        item_failed(pl, i, "abstract page", err);
        /* A parser that keeps crashing would fail every page: stop. */
        if (crawler_sandbox_broken(pl->sandbox))
            fail(pl, err);
        return;
    }
    it->flags |= I_ABSTRACT;
    if (pl->sources & CRAWLER_SRC_METADATA) {
        if (it->paper.metadata_url)
            murl = xstrdup(it->paper.metadata_url);
        else
            err = crawler_profile_url(&murl, pl->prof, "metadata", pl->cfg->year, it->paper.id);
        /* The template names the proceedings host: a paper listed on another
         * host (the 2021 D&B one) has a Metadata.json only if its page links one. */
        if (err == 0 && !it->paper.metadata_url && !same_origin(murl, res->url)) {
            free(murl);
            it->flags |= I_META; /* the metadata step is done: there is none */
            try_finish(pl, i);
            return;
        }
        if (err == 0)
            err = queue(pl, JOB_METADATA, i, murl);
        free(murl);
        if (err < 0)
            item_failed(pl, i, "metadata", err);
        return;
    }
    try_finish(pl, i);
}

/*
 * Decode the few HTML entities a -Metadata.json name can carry in place
 * ("O&#x27;Brien", "&quot;xdd44&quot; Dai": SOURCES.md 1.2), so the names
 * match the abstract page's.  A stop-gap until crawler_parse_metadata()
 * decodes names itself (docs/pipeline-needs.md).
 */
static void decode_name_entities(char *s)
{
    static const struct {
        const char *ent;
        char c;
    } ents[] = { { "&quot;", '"' },  { "&amp;", '&' }, { "&#x27;", '\'' }, { "&#39;", '\'' },
                 { "&apos;", '\'' }, { "&lt;", '<' },  { "&gt;", '>' } };
    char *w = s;

    if (!s || !strchr(s, '&'))
        return;
    /* Twice over, for a name escaped twice ("&amp;quot;"). */
    for (int pass = 0; pass < 2; pass++) {
        const char *r = s;

        w = s;
        while (*r) {
            size_t k;

            for (k = 0; k < NSC_ARRAY_SIZE(ents); k++) {
                if (!strncmp(r, ents[k].ent, strlen(ents[k].ent)))
                    break;
            }
            if (k < NSC_ARRAY_SIZE(ents)) {
                *w++ = ents[k].c;
                r += strlen(ents[k].ent);
            } else {
                *w++ = *r++;
            }
        }
        *w = '\0';
    }
}

static void on_metadata(struct pipeline *pl, size_t i, struct crawler_fetch_result *res,
                        const struct buf *body)
{
    struct crawler_metadata md = { 0 };
    size_t unmatched = 0;
    int err;

    err = crawler_parse_metadata(&md, pl->prof, res->url, buf_cstr(body), body->len);
    if (err < 0) {
        item_failed(pl, i, "metadata", err);
        return;
    }
    for (size_t k = 0; k < md.nauthors; k++) {
        decode_name_entities(md.authors[k].given_name);
        decode_name_entities(md.authors[k].family_name);
    }
    crawler_apply_metadata(&pl->items[i].paper, &md, res->url, &unmatched);
    crawler_metadata_release(&md);
    if (unmatched)
        log_debug("crawl: %s: %zu authors without an institution", res->url, unmatched);
    pl->items[i].flags |= I_META;
    try_finish(pl, i);
}

static void on_done(struct crawler_fetch *f, struct crawler_fetch_result *res, void *payload)
{
    struct pipeline *pl = payload;
    struct job job = pl->jobs[(uintptr_t)res->user - 1];
    struct buf body = BUF_INIT;
    int err;

    if (job.kind == JOB_ABSTRACT || job.kind == JOB_METADATA || job.kind == JOB_PDF)
        pl->outstanding--;
    /* A stop is not a failure: the URL is fetched by the next run. */
    if (pl->err || (res->err < 0 && res->stopped))
        return;
    /* A PDF is read and dropped: never kept in the state DB. */
    if (job.kind == JOB_PDF) {
        on_pdf(pl, job.item, res);
        queue_more(pl);
        return;
    }
    err = take_body(pl, res, &body);
    if (err < 0 && err != res->err) {
        fail(pl, err); /* the store failed */
        goto out;
    }
    switch (job.kind) {
    case JOB_INDEX:
        if (err < 0)
            fail(pl, err);
        else
            on_index(pl, res, &body);
        if (--pl->index_pending == 0 && !pl->err)
            list_papers(pl);
        break;
    case JOB_FEED:
        if (err < 0) {
            pl->feed_state = FEED_FAILED;
            progress_end(&pl->pg);
            log_err("crawl: feed: %s", res->errmsg);
        } else {
            on_feed(pl, res, &body);
        }
        break;
    case JOB_ABSTRACT:
        if (err < 0)
            item_failed(pl, job.item, "abstract page", err);
        else
            on_abstract(pl, job.item, res, &body);
        break;
    case JOB_METADATA:
        if (err < 0)
            item_failed(pl, job.item, "metadata", err);
        else
            on_metadata(pl, job.item, res, &body);
        break;
    case JOB_PDF:
        break; /* handled above */
    }
out:
    buf_release(&body);
    queue_more(pl);
}

static void on_progress(const struct crawler_fetch_stats *st, void *payload)
{
    struct pipeline *pl = payload;

    /* Every progress interval (250 ms) the papers finished since the last
     * become durable: one fdatasync and one transaction for all of them. */
    commit(pl);
    progress_update(&pl->pg, pl->nitems, pl->done, pl->failed, 0);
    if (pl->cfg->tick)
        tick(pl);
}

/* ---- summary and report ------------------------------------------------ */

static void count_up(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);

    json_object_set_new(obj, key, json_integer(v ? json_integer_value(v) + 1 : 1));
}

/* Count one paper under 'model' in the summary's "mentions": in each bloc of
 * the run's policy pair it has an author in, in "other" when its authors are
 * placed but in neither bloc, in "unknown" when no author is placed. */
static void tally_mention(struct tally *t, const char *model, const struct ccset *s)
{
    struct pipeline *pl = t->pl;
    json_t *e = json_object_get(t->mentions, model), *by;
    int any = 0;

    if (!e) {
        by = json_object();
        for (int k = 0; k < 2; k++) {
            if (bloc_find(pl, pl->policy->pair[k]))
                json_object_set_new(by, pl->policy->pair[k], json_integer(0));
        }
        json_object_set_new(by, "other", json_integer(0));
        json_object_set_new(by, "unknown", json_integer(0));
        e = json_pack("{s:i, s:o}", "papers", 0, "by_bloc", by);
        json_object_set_new(t->mentions, model, e);
    }
    count_up(e, "papers");
    by = json_object_get(e, "by_bloc");
    for (int k = 0; k < 2; k++) {
        const struct classify_bloc *b = bloc_find(pl, pl->policy->pair[k]);

        if (b && bloc_meets(b, s)) {
            count_up(by, b->name);
            any = 1;
        }
    }
    if (!any)
        count_up(by, s->n ? "other" : "unknown");
}

/* Every model id the record mentions and the family each rolls up to
 * (model.llama.2 counts under model.llama too), each once. */
static void tally_mentions(struct tally *t, const json_t *rec, const struct ccset *s)
{
    json_t *seen = json_object(), *v;
    const char *id;

    json_object_foreach(json_object_get(rec, "mentions"), id, v)
    {
        const char *fam = t->pl->models ? mention_model_family(t->pl->models, id) : NULL;

        json_object_set_new(seen, id, json_true());
        if (fam)
            json_object_set_new(seen, fam, json_true());
    }
    json_object_foreach(seen, id, v)
    {
        tally_mention(t, id, s);
    }
    json_decref(seen);
}

/* Count the record 'rec', placed as 'pm' says, in the summary. */
static void tally_add(struct tally *t, const json_t *rec, const struct placement pm[MAX_MODES])
{
    struct pipeline *pl = t->pl;
    const struct ccset *cs = &pm[pl->policy->multinational].placed;
    const json_t *authors, *ft = json_object_get(rec, "fulltext"), *v;
    const char *mid;
    size_t na, placed = 0;

    tally_mentions(t, rec, cs);
    if (json_is_object(ft)) {
        if (json_object_get(ft, "error"))
            t->ft_failed++;
        else
            t->ft_read++;
    }
    json_object_foreach((json_t *)json_object_get(rec, "references_mentions"), mid, v)
    {
        count_up(t->refs, mid);
    }
    authors = json_object_get(rec, "authors");
    na = json_array_size(authors);
    for (size_t i = 0; i < na; i++) {
        json_t *affs = json_object_get(json_array_get(authors, i), "affiliations");
        int has = 0;

        for (size_t k = 0; k < json_array_size(affs); k++)
            has |= json_is_string(json_object_get(json_array_get(affs, k), "country"));
        placed += has;
    }
    t->papers++;
    if (na && placed == na)
        t->complete++;
    else if (placed)
        t->partial++;
    else
        t->missing++;
    for (size_t i = 0; i < cs->n; i++) {
        const char *a = cs->cc[i];

        count_up(t->by_country, a);
        for (size_t j = 0; j < cs->n; j++) {
            json_t *row;

            if (i == j)
                continue;
            row = json_object_get(t->matrix, a);
            if (!row) {
                row = json_object();
                json_object_set_new(t->matrix, a, row);
            }
            count_up(row, cs->cc[j]);
        }
    }
    for (size_t i = 0; i < pl->npolicies; i++) {
        const struct classify_policy *pol = &pl->policies[i];
        const struct classify_bloc *b0 = bloc_find(pl, pol->pair[0]);
        const struct classify_bloc *b1 = bloc_find(pl, pol->pair[1]);
        json_t *e = json_object_get(t->us_cn, pol->name);
        const struct placement *p = &pm[pol->multinational];
        int in0, in1;

        if (!e || !b0 || !b1)
            continue;
        in0 = bloc_meets(b0, &p->placed);
        in1 = bloc_meets(b1, &p->placed);
        if (in0)
            count_up(e, "first");
        if (in1)
            count_up(e, "second");
        if (in0 && in1)
            count_up(e, "both");
        else if (placement_undecided(p, b0, b1))
            count_up(e, "undecided");
    }
}

/* store_foreach_selected() callback: a stored record not counted yet, placed
 * again with the current rules and counted; one an older rule set placed
 * differently is queued for an update (write_outputs()). */
static int tally_record(const char *id, json_t *rec, void *payload)
{
    struct tally *t = payload;
    struct pipeline *pl = t->pl;
    json_t *copy = json_deep_copy(rec);
    struct placement pm[MAX_MODES];
    int err;

    err = place_record(pl, copy, pm);
    if (err < 0) {
        json_decref(copy);
        return err;
    }
    if (!json_equal(copy, rec))
        json_array_append(t->updates, copy);
    tally_add(t, copy, pm);
    json_decref(copy);
    /* A big year takes seconds here: the watcher's tick (watchdog) goes on. */
    if (pl->cfg->tick && t->papers % 256 == 0)
        tick(pl);
    return 0;
}

/* store_foreach_selected() callback: 0 for a record this run wrote, which
 * tally_add() counted when it was written. */
static int tally_select(const char *id, void *payload)
{
    const struct tally *t = payload;
    const struct pipeline *pl = t->pl;
    size_t lo = 0, hi = pl->nitems;

    /* pl->skel is sorted by id, without duplicates (list_papers()). */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(pl->skel[mid].id, id);

        if (c == 0)
            return !(pl->items[mid].flags & I_TALLIED);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 1;
}

/* The counts of no record yet, for the rules of 'pl'. */
static void tally_init(struct tally *t, struct pipeline *pl)
{
    memset(t, 0, sizeof(*t));
    t->pl = pl;
    t->by_country = json_object();
    t->matrix = json_object();
    t->us_cn = json_object();
    t->mentions = json_object();
    t->refs = json_object();
    t->updates = json_array();
    for (size_t i = 0; i < pl->npolicies; i++) {
        const struct classify_policy *pol = &pl->policies[i];

        if (!pol->pair[0] || !pol->pair[1])
            continue;
        json_object_set_new(t->us_cn, pol->name,
                            json_pack("{s:[s,s], s:I, s:I, s:I, s:I}", "pair", pol->pair[0],
                                      pol->pair[1], "first", (json_int_t)0, "second", (json_int_t)0,
                                      "both", (json_int_t)0, "undecided", (json_int_t)0));
    }
}

static void tally_release(struct tally *t)
{
    json_decref(t->by_country);
    json_decref(t->matrix);
    json_decref(t->us_cn);
    json_decref(t->mentions);
    json_decref(t->refs);
    json_decref(t->updates);
    memset(t, 0, sizeof(*t));
}

static const char *mn_name(enum classify_multinational m)
{
    return m == CLASSIFY_MN_HEADQUARTERS ? "at its headquarters" : "nowhere (country unknown)";
}

/* "us (US) and at least one in cn (CN)" for a policy's pair. */
static void describe_pair(struct buf *b, const struct pipeline *pl,
                          const struct classify_policy *pol)
{
    for (int k = 0; k < 2; k++) {
        const struct classify_bloc *bl = bloc_find(pl, pol->pair[k]);

        if (k)
            buf_puts(b, " and at least one in ");
        if (!bl) {
            buf_puts(b, "?");
            continue;
        }
        buf_appendf(b, "%s (", bl->name);
        for (size_t i = 0; i < bl->n_members; i++)
            buf_appendf(b, "%s%s", i ? ", " : "", bl->members[i]);
        buf_puts(b, ")");
    }
}

static json_t *iso_time(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char s[32];

    gmtime_r(&tt, &tm);
    strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(s);
}

static json_t *build_summary(struct pipeline *pl, struct tally *t, int64_t started)
{
    json_t *s = json_object(), *join;

    json_object_set_new(s, "schema", json_integer(RECORD_SCHEMA));
    json_object_set_new(s, "year", json_integer(pl->cfg->year));
    json_object_set_new(s, "papers", json_integer((json_int_t)t->papers));
    json_object_set_new(s, "affiliations",
                        json_pack("{s:I, s:I, s:I}", "complete", (json_int_t)t->complete, "partial",
                                  (json_int_t)t->partial, "missing", (json_int_t)t->missing));
    json_object_set_new(s, "countries", json_incref(t->by_country));
    json_object_set_new(s, "country_pairs", json_incref(t->matrix));
    json_object_set_new(s, "us_cn", json_incref(t->us_cn));
    json_object_set_new(s, "mentions", json_incref(t->mentions));
    /* Whether the mention counts include full text: absent when no record
     * was crawled with --fulltext, so such summaries stay as they were. */
    if (t->ft_read || t->ft_failed)
        json_object_set_new(s, "fulltext",
                            json_pack("{s:I, s:I, s:I, s:O}", "papers_read", (json_int_t)t->ft_read,
                                      "papers_failed", (json_int_t)t->ft_failed, "papers_without",
                                      (json_int_t)(t->papers - t->ft_read - t->ft_failed),
                                      "references_mentions", t->refs));
    json_object_set_new(s, "rules",
                        json_pack("{s:s, s:s}", "version", classify_rules_version(pl->rules),
                                  "hash", classify_rules_hash(pl->rules)));
    if (pl->feed_state == FEED_NONE) {
        join = json_null();
    } else {
        join = json_pack("{s:s?, s:I, s:I, s:I, s:I, s:I, s:I}", "feed", pl->feed_url, "by_url",
                         (json_int_t)pl->jstats.by_url, "by_title", (json_int_t)pl->jstats.by_title,
                         "papers_unjoined", (json_int_t)pl->jstats.papers_unjoined,
                         "records_unjoined", (json_int_t)pl->jstats.records_unjoined, "ambiguous",
                         (json_int_t)pl->jstats.ambiguous, "authors_unmatched",
                         (json_int_t)pl->jstats.authors_unmatched);
    }
    json_object_set_new(s, "join", join);
    /* Only an incomplete year says so: a complete one has no such key. */
    if (pl->done < pl->nitems)
        json_object_set_new(s, "incomplete",
                            json_pack("{s:I, s:I}", "papers_listed", (json_int_t)pl->nitems,
                                      "papers_missing", (json_int_t)(pl->nitems - pl->done)));
    json_object_set_new(
        s, "crawl",
        json_pack("{s:o, s:o}", "started", iso_time(started), "finished", iso_time(nsc_wall_s())));
    return s;
}

/*
 * Keep the previous summary's "crawl" times when nothing else changed, so a
 * rerun that found nothing new leaves the summary byte-identical.
 */
static void keep_crawl_time(json_t *summary, const char *path)
{
    struct buf text = BUF_INIT;
    json_t *old = NULL, *now;

    if (nsc_file_read(&text, path, (size_t)64 << 20) < 0)
        goto out;
    old = json_loads(buf_cstr(&text), 0, NULL);
    if (!json_is_object(old) || !json_object_get(old, "crawl"))
        goto out;
    now = json_deep_copy(summary);
    json_object_set(now, "crawl", json_object_get(old, "crawl"));
    if (json_equal(now, old))
        json_object_set(summary, "crawl", json_object_get(old, "crawl"));
    json_decref(now);
out:
    nsc_error_clear();
    json_decref(old);
    buf_release(&text);
}

/*
 * reclassify crawls nothing: what the summary says about the crawl ("join",
 * "incomplete", "crawl") stays as the last crawl wrote it.
 */
static void keep_crawl_facts(json_t *summary, const char *path)
{
    static const char *const keys[] = { "join", "incomplete", "crawl" };
    struct buf text = BUF_INIT;
    json_t *old = NULL;

    if (nsc_file_read(&text, path, (size_t)64 << 20) < 0)
        goto out;
    old = json_loads(buf_cstr(&text), 0, NULL);
    if (!json_is_object(old))
        goto out;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        json_t *v = json_object_get(old, keys[i]);

        if (v)
            json_object_set(summary, keys[i], v);
        else
            json_object_del(summary, keys[i]);
    }
out:
    nsc_error_clear();
    json_decref(old);
    buf_release(&text);
}

static json_int_t geti(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static void print_report(struct pipeline *pl, const json_t *s, FILE *f)
{
    const json_t *aff = json_object_get(s, "affiliations");
    const json_t *us_cn = json_object_get(s, "us_cn");
    const json_t *join = json_object_get(s, "join");
    const json_t *inc = json_object_get(s, "incomplete");
    const json_t *hl = json_object_get(us_cn, pl->policy->name);
    struct buf def = BUF_INIT;
    json_int_t papers = geti(s, "papers");

    fprintf(f, "NeurIPS %d: %" JSON_INTEGER_FORMAT " papers in %s\n", pl->cfg->year, papers,
            store_records_path(pl->st));
    /* From the summary, not this run's counts: reclassify keeps the last
     * crawl's marker and lists no paper itself. */
    if (json_is_object(inc)) {
        struct buf note = BUF_INIT;

        report_incomplete_note(&note, pl->cfg->year, (long long)geti(inc, "papers_listed"),
                               (long long)geti(inc, "papers_missing"));
        fputs(buf_cstr(&note), f);
        buf_release(&note);
    }
    fprintf(f,
            "authors placed in a country: all of them in %" JSON_INTEGER_FORMAT
            " papers, some in %" JSON_INTEGER_FORMAT ", none in %" JSON_INTEGER_FORMAT "\n",
            geti(aff, "complete"), geti(aff, "partial"), geti(aff, "missing"));
    if (json_is_object(join))
        fprintf(f, "feed: %" JSON_INTEGER_FORMAT " papers not joined to the virtual-site feed\n",
                geti(join, "papers_unjoined"));
    {
        const json_t *ft = json_object_get(s, "fulltext");

        if (json_is_object(ft))
            fprintf(f,
                    "model mentions: titles and abstracts, and the full text (references apart) "
                    "of %" JSON_INTEGER_FORMAT " papers (%" JSON_INTEGER_FORMAT
                    " PDFs unreadable, %" JSON_INTEGER_FORMAT " papers without)\n",
                    geti(ft, "papers_read"), geti(ft, "papers_failed"), geti(ft, "papers_without"));
    }
    if (hl) {
        describe_pair(&def, pl, pl->policy);
        fprintf(f,
                "\nUS-CN: %" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT
                " papers (policy %s)\n  = papers with at least one author in %s;\n"
                "  a multinational named without a place counts %s\n",
                geti(hl, "both"), papers, pl->policy->name, buf_cstr(&def),
                mn_name(pl->policy->multinational));
        if (geti(hl, "undecided"))
            fprintf(f,
                    "  undecided: %" JSON_INTEGER_FORMAT
                    " more papers would count were an affiliation the rules leave between\n"
                    "  candidate countries (a shared name, an ambiguous place) in one of them\n",
                    geti(hl, "undecided"));
    }
    fprintf(f, "\n%-18s %-26s %-13s %7s %7s %7s %9s\n", "policy", "pair", "multinational", "first",
            "second", "both", "undecided");
    for (size_t i = 0; i < pl->npolicies; i++) {
        const struct classify_policy *pol = &pl->policies[i];
        const json_t *e = json_object_get(us_cn, pol->name);
        char pair[64];

        if (!e)
            continue;
        snprintf(pair, sizeof(pair), "%s + %s", pol->pair[0], pol->pair[1]);
        fprintf(f,
                "%-18s %-26s %-13s %7" JSON_INTEGER_FORMAT " %7" JSON_INTEGER_FORMAT
                " %7" JSON_INTEGER_FORMAT " %9" JSON_INTEGER_FORMAT "\n",
                pol->name, pair,
                pol->multinational == CLASSIFY_MN_HEADQUARTERS ? "headquarters" : "unknown",
                geti(e, "first"), geti(e, "second"), geti(e, "both"), geti(e, "undecided"));
    }
    buf_release(&def);
}

/* Records, summary and report once the run is over: the records this run
 * wrote are counted in pl->tally already, the others are read back. */
static int write_outputs(struct pipeline *pl, int64_t started, FILE *report)
{
    struct tally *t = &pl->tally;
    json_t *summary = NULL;
    char *path = NULL;
    int err;

    err = store_finish(pl->st);
    if (err < 0)
        return err;
    err = store_foreach_selected(pl->st, tally_select, tally_record, t);
    if (err < 0)
        goto out;
    /* Records of earlier runs placed with other rules: bring them up to date. */
    for (size_t i = 0; i < json_array_size(t->updates) && err == 0; i++)
        err = store_put_finished(pl->st, json_array_get(t->updates, i));
    if (err == 0 && json_array_size(t->updates) > 0) {
        log_notice("crawl: %zu records placed again with the current rules",
                   json_array_size(t->updates));
        err = store_finish(pl->st);
    }
    if (err < 0)
        goto out;
    summary = build_summary(pl, t, started);
    path = xasprintf("%s/neurips-%d.summary.json", store_dir(pl->st), store_year(pl->st));
    if (pl->reclassify)
        keep_crawl_facts(summary, path);
    else
        keep_crawl_time(summary, path);
    err = store_write_summary(pl->st, summary);
    if (err < 0)
        goto out;
    print_report(pl, summary, report);
out:
    free(path);
    json_decref(summary);
    return err;
}

/* ---- set-up ------------------------------------------------------------ */

/* The rules, the model patterns and the policies, as 'cfg' names them. */
static int load_rules(struct pipeline *pl)
{
    const struct pipeline_config *cfg = pl->cfg;
    char *profile = NULL;
    int err = 0;

    if (cfg->rules)
        pl->rules = (struct classify_rules *)cfg->rules; /* borrowed: not freed here */
    else
        err = classify_rules_load(&pl->rules, cfg->rules_dir, NULL);
    if (err < 0)
        return config_blame(err, cfg->rules_origin);
    profile = xasprintf("%s/models.yaml", cfg->rules_dir);
    err = mention_models_load(&pl->models, profile, NULL);
    free(profile);
    profile = NULL;
    if (err == NSC_ENOTFOUND) {
        log_notice("no models.yaml in '%s': model mentions are not scanned", cfg->rules_dir);
        err = 0;
    }
    if (err < 0)
        return config_blame(err, cfg->rules_origin);
    pl->policy = classify_policy_find(pl->rules, cfg->policy);
    if (!pl->policy)
        return nsc_error_set(NSC_EINVAL, "no policy '%s' in the rules in '%s'", cfg->policy,
                             cfg->rules_dir);
    pl->npolicies = classify_rules_policies(pl->rules, &pl->policies);
    pl->nblocs = classify_rules_blocs(pl->rules, &pl->blocs);
    if ((unsigned)pl->policy->multinational >= MAX_MODES)
        return nsc_error_set(NSC_EINVAL, "policy '%s': unknown multinational setting",
                             pl->policy->name);
    pl->mode_policy[pl->policy->multinational] = pl->policy;
    for (size_t i = 0; i < pl->npolicies; i++) {
        unsigned m = (unsigned)pl->policies[i].multinational;

        if (m < MAX_MODES && !pl->mode_policy[m])
            pl->mode_policy[m] = &pl->policies[i];
    }
    return 0;
}

/*
 * The binary to start the parser worker from: this one, by the path
 * /proc/self/exe names, so that a tool running nipscope (valgrind, which
 * answers that readlink with its client's path) runs the worker too; the
 * link itself when the file was replaced or removed since (an upgrade), so
 * the worker is always this very version.
 */
static const char *self_exe(char *path, size_t size)
{
    static const char deleted[] = " (deleted)";
    ssize_t n = readlink("/proc/self/exe", path, size - 1);

    if (n <= 0 || (size_t)n >= size - 1)
        return "/proc/self/exe";
    path[n] = '\0';
    /* A running binary cannot be written to, only replaced or removed. */
    if ((size_t)n >= sizeof(deleted) - 1 && !strcmp(path + n - (sizeof(deleted) - 1), deleted))
        return "/proc/self/exe";
    return path;
}

static int setup(struct pipeline *pl)
{
    const struct pipeline_config *cfg = pl->cfg;
    char exe[4096];
    char *profile;
    int err;

    err = load_rules(pl);
    if (err < 0)
        return err;
    tally_init(&pl->tally, pl);
    profile = cfg->profile_path ? xstrdup(cfg->profile_path)
                                : xasprintf("%s/sites/neurips.yaml", cfg->rules_dir);
    err = crawler_profile_load(&pl->prof, profile);
    if (err < 0) {
        free(profile);
        return config_blame(err, cfg->profile_path ? NULL : cfg->rules_origin);
    }
    /* the year, not the rules path, is at fault here: no blame */
    pl->sources = crawler_profile_year_sources(pl->prof, cfg->year);
    if (!(pl->sources & CRAWLER_SRC_PROCEEDINGS))
        err = nsc_error_set(NSC_EINVAL, "the site profile %s has no proceedings for %d", profile,
                            cfg->year);
    free(profile);
    if (err < 0)
        return err;
    err = crawler_profile_set_host(pl->prof, "proceedings", cfg->proceedings_url);
    if (err == 0)
        err = crawler_profile_set_host(pl->prof, "virtual", cfg->virtual_url);
    /* A profile without the D&B host is fine while no year asks for it. */
    if (err == 0 && cfg->datasets_url &&
        crawler_profile_set_host(pl->prof, "datasets", cfg->datasets_url) == NSC_ENOTFOUND)
        log_debug("crawl: the site profile has no 'datasets' host");
    if (err < 0)
        return err;
    /* HTML is parsed in a worker process (issue 6), started from this very
     * binary so that a daemon with threads never forks into a parser. */
    err = crawler_sandbox_start(&pl->sandbox, pl->prof, self_exe(exe, sizeof(exe)));
    if (err < 0)
        return err;
    crawler_sandbox_set_limits(pl->sandbox, cfg->parser_timeout_ms, -1, 20);
    err = crawler_profile_url(&pl->index_url, pl->prof, "year_index", cfg->year, NULL);
    if (err < 0)
        return err;
    if (pl->sources & CRAWLER_SRC_VIRTUAL) {
        err = crawler_profile_url(&pl->feed_url, pl->prof, "feed", cfg->year, NULL);
        if (err < 0)
            return err;
        pl->feed_state = FEED_PENDING;
    }
    if (pl->sources & CRAWLER_SRC_DATASETS) {
        err = crawler_profile_url(&pl->datasets_index_url, pl->prof, "datasets_index", cfg->year,
                                  NULL);
        if (err < 0)
            return err;
    }
    err = store_open(&pl->st, cfg->out_dir, cfg->year, cfg->store_flags | STORE_F_GROUP);
    return config_blame(err, cfg->out_origin);
}

/*
 * " (40: template not recognised)", or " (30: network error, 10: parse
 * error)": the papers not finished grouped by the kind (NSC_E* code) of
 * their failure, most first, so a cause they all share shows at once.
 * Papers unfinished without a failure of their own count as "not finished".
 */
static void describe_failures(struct buf *b, const struct pipeline *pl)
{
    enum { KINDS = -NSC_ECRASH + 1 };
    size_t n[KINDS] = { 0 }, sum = 0, left = pl->nitems - pl->done;
    const char *sep = " (";

    for (size_t i = 0; i < pl->nitems; i++) {
        const struct item *it = &pl->items[i];
        int k = -it->fail_err;

        if (!(it->flags & I_FAILED) || (it->flags & I_RECHECK))
            continue;
        n[k > 0 && k < KINDS ? k : -NSC_ERR]++;
        sum++;
    }
    for (;;) {
        int best = 0;

        for (int k = 1; k < KINDS; k++) {
            if (n[k] > n[best])
                best = k;
        }
        if (!n[best])
            break;
        buf_appendf(b, "%s%zu: %s", sep, n[best], nsc_strerror(-best));
        n[best] = 0;
        sep = ", ";
    }
    if (left > sum)
        buf_appendf(b, "%s%zu: not finished", sep, left - sum);
    if (left)
        buf_puts(b, ")");
}

/* A records file we created and never wrote to would look like an empty year. */
static void drop_empty_records(struct pipeline *pl)
{
    struct stat sb;
    const char *path = store_records_path(pl->st);

    if (store_count(pl->st) == 0 && stat(path, &sb) == 0 && sb.st_size == 0)
        unlink(path);
}

/*
 * Peak memory of this process and of its largest reaped child (the parser
 * worker), for the bench: /usr/bin/time reports the larger of the two, and
 * their sum is what the crawl needs at most.
 */
static void log_peak_rss(void)
{
    struct rusage self, kids;

    if (getrusage(RUSAGE_SELF, &self) == 0 && getrusage(RUSAGE_CHILDREN, &kids) == 0)
        log_info("crawl: peak RSS %ld KiB crawler + %ld KiB parser worker", self.ru_maxrss,
                 kids.ru_maxrss);
}

int pipeline_run(const struct pipeline_config *cfg, FILE *report)
{
    struct pipeline pl_, *pl = &pl_;
    struct crawler_fetch_config fc;
    struct crawler_fetch_stats fst;
    const char *origins[4] = { NULL, NULL, NULL, NULL };
    int64_t run_id = 0;
    int64_t started = nsc_wall_s();
    int err, run_started = 0;

    memset(pl, 0, sizeof(*pl));
    pl->cfg = cfg;
    classify_result_init(&pl->cres);

    err = setup(pl);
    if (err < 0)
        goto out;
    err = store_run_begin(&run_id, pl->st);
    if (err < 0)
        goto out;
    run_started = 1;

    /* The engine follows links and redirects only to these origins (scheme,
     * host and port; the https upgrade of an http one on port 80 too). */
    origins[0] = cfg->proceedings_url;
    origins[1] = cfg->virtual_url;
    origins[2] = pl->datasets_index_url;
    crawler_fetch_config_init(&fc);
    fc.user_agent = cfg->user_agent;
    fc.rate = cfg->rate;
    fc.max_per_host = cfg->concurrency;
    fc.max_total = cfg->concurrency * 2;
    fc.allowed_origins = origins;
    fc.progress_interval_ms = 250;
    fc.connect_timeout_ms = cfg->connect_timeout_ms;
    fc.timeout_ms = cfg->timeout_ms;
    fc.low_speed_bytes = cfg->low_speed_bytes;
    fc.low_speed_time_s = cfg->low_speed_time_s;
    fc.max_body = cfg->max_body;
    fc.ca_file = cfg->ca_file;
    err = crawler_fetch_new(&pl->fetch, &fc, on_done, pl);
    if (err < 0)
        goto out;
    crawler_fetch_set_progress(pl->fetch, on_progress, pl);
    progress_init(&pl->pg, cfg->progress);

    NSC_GROW(pl->index_urls, pl->index_urls_cap, 1);
    pl->index_urls[pl->nindex_urls++] = xstrdup(pl->index_url);
    pl->index_pending = 1;
    err = queue_index(pl, pl->index_url);
    if (err == 0 && pl->datasets_index_url) {
        NSC_GROW(pl->index_urls, pl->index_urls_cap, pl->nindex_urls + 1);
        pl->index_urls[pl->nindex_urls++] = xstrdup(pl->datasets_index_url);
        pl->index_pending++;
        err = queue_index(pl, pl->datasets_index_url);
    }
    if (err < 0)
        goto out;

    active_fetch = pl->fetch;
    if (stop_requested)
        crawler_fetch_stop(pl->fetch);
    err = crawler_fetch_run(pl->fetch);
    active_fetch = NULL;
    crawler_fetch_stats(pl->fetch, &fst);
    log_info("crawl: %llu requests, %llu answered over HTTP/2, %llu bytes",
             (unsigned long long)fst.requests, (unsigned long long)fst.http2,
             (unsigned long long)fst.bytes);
    if (cfg->recheck)
        log_notice("crawl: %d: %zu records written, %zu rechecked and unchanged, %zu kept after a "
                   "failed fetch",
                   cfg->year, pl->written, pl->unchanged, pl->kept);
    progress_update(&pl->pg, pl->nitems, pl->done, pl->failed, 1);
    progress_end(&pl->pg);
    if (err < 0)
        goto out;
    if (pl->err) {
        err = pl->err;
        /* Whatever failed (a changed template, a crashed parser, a selector
         * the profile got wrong), an empty file would claim an empty year. */
        drop_empty_records(pl);
        goto out;
    }
    if (stop_requested) {
        err = nsc_error_set(NSC_ERR,
                            "crawl of %d interrupted with %zu of %zu papers finished: the crawl is "
                            "incomplete; run the same command again to resume",
                            cfg->year, pl->done, pl->nitems);
        goto out;
    }
    if (!pl->listed) {
        err = nsc_error_set(NSC_ETEMPLATE, "no papers found in %s: template not recognised",
                            pl->index_url);
        drop_empty_records(pl);
        goto out;
    }
    err = write_outputs(pl, started, report);
    if (err < 0)
        goto out;
    if (pl->feed_state == FEED_FAILED) {
        err = nsc_error_set(NSC_ENET,
                            "the feed %s could not be read, so %zu papers were not written: the "
                            "crawl is incomplete; run the same command again to resume",
                            pl->feed_url, pl->nitems - pl->done);
    } else if (pl->done < pl->nitems) {
        struct buf why = BUF_INIT;

        describe_failures(&why, pl);
        err = nsc_error_set(NSC_ENET,
                            "%zu of %zu papers failed: the crawl is incomplete%s; run the same "
                            "command again to retry them",
                            pl->nitems - pl->done, pl->nitems, buf_cstr(&why));
        buf_release(&why);
    }
out:
    active_fetch = NULL;
    if (run_started) {
        const char *state = err == 0 ? "done" : stop_requested ? "interrupted" : "failed";
        int e2 = store_run_end(pl->st, run_id, state, (int64_t)pl->written, (int64_t)pl->failed);

        if (err == 0)
            err = e2;
    }
    crawler_fetch_free(pl->fetch);
    if (pl->sandbox) {
        crawler_sandbox_stop(pl->sandbox);
        log_peak_rss();
    }
    for (size_t i = 0; i < pl->nitems; i++) {
        fulltext_free(pl->items[i].ft, pl->items[i].paper.nauthors);
        crawler_paper_release(&pl->items[i].paper);
    }
    free(pl->items);
    for (size_t i = 0; i < pl->nskel; i++)
        crawler_paper_release(&pl->skel[i]);
    free(pl->skel);
    for (size_t i = 0; i < pl->nindex_urls; i++)
        free(pl->index_urls[i]);
    free(pl->index_urls);
    free(pl->jobs);
    store_free(pl->st);
    tally_release(&pl->tally);
    crawler_profile_free(pl->prof);
    classify_result_release(&pl->cres);
    if (pl->rules != cfg->rules)
        classify_rules_free(pl->rules);
    mention_models_free(pl->models);
    buf_release(&pl->scratch);
    free(pl->index_url);
    free(pl->feed_url);
    free(pl->datasets_index_url);
    return err;
}

int pipeline_reclassify(const struct pipeline_config *cfg, FILE *report)
{
    struct pipeline pl_, *pl = &pl_;
    struct stat sb;
    char *path = NULL;
    int err;

    memset(pl, 0, sizeof(*pl));
    pl->cfg = cfg;
    pl->reclassify = 1;
    classify_result_init(&pl->cres);

    /* The rules first: a bad rule set leaves the store untouched. */
    err = load_rules(pl);
    if (err < 0)
        goto out;
    tally_init(&pl->tally, pl);
    path = xasprintf("%s/neurips-%d.jsonl", cfg->out_dir, cfg->year);
    if (stat(path, &sb) < 0) {
        err = nsc_error_set(NSC_ENOTFOUND, "no records of %d in '%s' (%s): crawl the year first",
                            cfg->year, cfg->out_dir, path);
        goto out;
    }
    err = store_open(&pl->st, cfg->out_dir, cfg->year, cfg->store_flags | STORE_F_GROUP);
    if (err < 0) {
        err = config_blame(err, cfg->out_origin);
        goto out;
    }
    err = write_outputs(pl, nsc_wall_s(), report);
out:
    free(path);
    store_free(pl->st);
    tally_release(&pl->tally);
    classify_result_release(&pl->cres);
    if (pl->rules != cfg->rules)
        classify_rules_free(pl->rules);
    mention_models_free(pl->models);
    buf_release(&pl->scratch);
    return err;
}
