/*
 * report.c - the counts of `nipscope report` and their four renderings.
 *
 * Everything is computed from the loaded records (report_load.c) with
 * integers only; shares are printed as rounded per-mille integers, so the
 * same records always give the same bytes in every format.
 */
#include "report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define TOP_PAIRS     10
#define TOP_COUNTRIES 10
#define TOP_INSTS     5
#define TOP_FAMILIES  12
#define CC_SLOTS      676 /* 26 * 26: two-letter country codes */

/* Paper counts for one pair of blocs; 'undecided': not in both, but would be
 * were each open affiliation placed in one of its candidate countries. */
struct pair_count {
    size_t first, second, both, undecided;
};

struct pol_row {
    const struct classify_policy *pol;
    const struct classify_bloc *b[2]; /* NULL when the policy names no pair */
    struct pair_count c;
};

struct cc_pair {
    char a[3], b[3];
    size_t papers;
};

struct inst_count {
    char country[3];
    const char *name;
    size_t papers;
};

struct country_row {
    char cc[3];
    size_t papers;
    size_t n_inst;
    struct inst_count inst[TOP_INSTS];
};

struct fam_row {
    const char *family;
    const char *name;
    size_t papers, first, second, both, other, unknown;
};

struct year_row {
    int year;
    size_t papers;
    struct pair_count c;
    long long summary_papers;
    long long listed, missing; /* the summary's "incomplete", or -1 */
};

struct report {
    const struct report_data *d;
    const struct classify_policy *pol;
    const struct classify_bloc *b[2];
    int mode;
    size_t papers;
    size_t complete, partial, missing;
    size_t n_pol;
    struct pol_row *pols;
    struct pair_count head;
    size_t n_pairs;
    struct cc_pair *pairs;
    size_t n_countries;
    struct country_row *countries;
    size_t n_fams;
    struct fam_row *fams;
    size_t mention_papers;  /* papers whose record carries a non-empty "mentions" */
    size_t fulltext_papers; /* papers whose mentions include their PDF's body */
    size_t n_years;
    struct year_row *years;
};

static const char *mode_name(int mode)
{
    return mode == CLASSIFY_MN_UNKNOWN ? "unknown" : "headquarters";
}

static const struct classify_bloc *bloc_find(const struct classify_rules *rules, const char *name)
{
    const struct classify_bloc *b;
    size_t n = classify_rules_blocs(rules, &b);

    for (size_t i = 0; name && i < n; i++) {
        if (!strcmp(b[i].name, name))
            return &b[i];
    }
    return NULL;
}

/* 1 if the paper has an author in a member country of 'b' under 'mode'. */
static int in_bloc(const struct report_paper *p, int mode, const struct classify_bloc *b)
{
    for (size_t i = 0; i < p->n_cc[mode]; i++) {
        if (classify_bloc_has(b, p->cc[mode][i]))
            return 1;
    }
    return 0;
}

static void count_pair(struct pair_count *c, const struct report_paper *p, int mode,
                       const struct classify_bloc *const b[2])
{
    int f = in_bloc(p, mode, b[0]), s = in_bloc(p, mode, b[1]);

    c->first += (size_t)f;
    c->second += (size_t)s;
    c->both += (size_t)(f && s);
    c->undecided += (size_t)classify_blocs_undecided(b[0], b[1], !f, !s, p->open, p->n_open);
}

static int cc_slot(const char *cc)
{
    return (cc[0] - 'A') * 26 + (cc[1] - 'A');
}

static int cmp_pairs(const void *a, const void *b)
{
    const struct cc_pair *x = a, *y = b;
    int c;

    if (x->papers != y->papers)
        return x->papers > y->papers ? -1 : 1;
    c = strcmp(x->a, y->a);
    return c ? c : strcmp(x->b, y->b);
}

static int cmp_inst_name(const void *a, const void *b)
{
    const struct inst_count *x = a, *y = b;
    int c = strcmp(x->country, y->country);

    return c ? c : strcmp(x->name, y->name);
}

static int cmp_inst_papers(const void *a, const void *b)
{
    const struct inst_count *x = a, *y = b;

    if (x->papers != y->papers)
        return x->papers > y->papers ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int cmp_country_rows(const void *a, const void *b)
{
    const struct country_row *x = a, *y = b;

    if (x->papers != y->papers)
        return x->papers > y->papers ? -1 : 1;
    return strcmp(x->cc, y->cc);
}

static int cmp_fams(const void *a, const void *b)
{
    const struct fam_row *x = a, *y = b;

    if (x->papers != y->papers)
        return x->papers > y->papers ? -1 : 1;
    return strcmp(x->family, y->family);
}

static void pairs_and_institutions(struct report *r)
{
    uint32_t *matrix = xcalloc((size_t)CC_SLOTS * CC_SLOTS, sizeof(*matrix));
    size_t *by_cc = xcalloc(CC_SLOTS, sizeof(*by_cc));
    struct inst_count *all = NULL;
    size_t n_all = 0, cap = 0, n_uniq = 0;
    int m = r->mode;

    for (size_t y = 0; y < r->d->n_years; y++) {
        for (size_t i = 0; i < r->d->years[y].n_papers; i++) {
            const struct report_paper *p = &r->d->years[y].papers[i];

            for (size_t a = 0; a < p->n_cc[m]; a++) {
                by_cc[cc_slot(p->cc[m][a])]++;
                for (size_t b = a + 1; b < p->n_cc[m]; b++)
                    matrix[cc_slot(p->cc[m][a]) * CC_SLOTS + cc_slot(p->cc[m][b])]++;
            }
            for (size_t k = 0; k < p->n_inst[m]; k++) {
                NSC_GROW(all, cap, n_all + 1);
                memcpy(all[n_all].country, p->inst[m][k].country, 3);
                all[n_all].name = p->inst[m][k].name;
                all[n_all++].papers = 1;
            }
        }
    }
    for (int a = 0; a < CC_SLOTS; a++) {
        for (int b = 0; b < CC_SLOTS; b++) {
            struct cc_pair *cp;

            if (!matrix[a * CC_SLOTS + b])
                continue;
            r->pairs = xreallocarray(r->pairs, r->n_pairs + 1, sizeof(*r->pairs));
            cp = &r->pairs[r->n_pairs++];
            snprintf(cp->a, 3, "%c%c", 'A' + a / 26, 'A' + a % 26);
            snprintf(cp->b, 3, "%c%c", 'A' + b / 26, 'A' + b % 26);
            cp->papers = matrix[a * CC_SLOTS + b];
        }
    }
    if (r->n_pairs)
        qsort(r->pairs, r->n_pairs, sizeof(*r->pairs), cmp_pairs);
    if (r->n_pairs > TOP_PAIRS)
        r->n_pairs = TOP_PAIRS;

    /* Institutions: count distinct papers per (country, name). */
    if (n_all)
        qsort(all, n_all, sizeof(*all), cmp_inst_name);
    for (size_t i = 0; i < n_all; i++) {
        if (n_uniq && !cmp_inst_name(&all[n_uniq - 1], &all[i]))
            all[n_uniq - 1].papers++;
        else
            all[n_uniq++] = all[i];
    }
    for (int s = 0; s < CC_SLOTS; s++) {
        struct country_row *cr;

        if (!by_cc[s])
            continue;
        r->countries = xreallocarray(r->countries, r->n_countries + 1, sizeof(*r->countries));
        cr = &r->countries[r->n_countries++];
        memset(cr, 0, sizeof(*cr));
        snprintf(cr->cc, 3, "%c%c", 'A' + s / 26, 'A' + s % 26);
        cr->papers = by_cc[s];
    }
    if (r->n_countries)
        qsort(r->countries, r->n_countries, sizeof(*r->countries), cmp_country_rows);
    if (r->n_countries > TOP_COUNTRIES)
        r->n_countries = TOP_COUNTRIES;
    for (size_t c = 0; c < r->n_countries; c++) {
        struct country_row *cr = &r->countries[c];
        struct inst_count *mine = NULL;
        size_t n_mine = 0;

        for (size_t i = 0; i < n_uniq; i++) {
            if (!strcmp(all[i].country, cr->cc)) {
                mine = xreallocarray(mine, n_mine + 1, sizeof(*mine));
                mine[n_mine++] = all[i];
            }
        }
        if (n_mine)
            qsort(mine, n_mine, sizeof(*mine), cmp_inst_papers);
        for (size_t i = 0; i < n_mine && i < TOP_INSTS; i++)
            cr->inst[cr->n_inst++] = mine[i];
        free(mine);
    }
    free(all);
    free(by_cc);
    free(matrix);
}

static struct fam_row *fam_get(struct report *r, const char *family, const char *name)
{
    for (size_t i = 0; i < r->n_fams; i++) {
        if (!strcmp(r->fams[i].family, family))
            return &r->fams[i];
    }
    r->fams = xreallocarray(r->fams, r->n_fams + 1, sizeof(*r->fams));
    memset(&r->fams[r->n_fams], 0, sizeof(r->fams[0]));
    r->fams[r->n_fams].family = family;
    r->fams[r->n_fams].name = name ? name : family;
    return &r->fams[r->n_fams++];
}

/* Papers mentioning each family, split by the headline policy's blocs. */
static void mentions(struct report *r, const struct mention_models *models)
{
    int m = r->mode;

    for (size_t y = 0; y < r->d->n_years; y++) {
        for (size_t i = 0; i < r->d->years[y].n_papers; i++) {
            const struct report_paper *p = &r->d->years[y].papers[i];
            const char *seen[64];
            size_t n_seen = 0;
            int f = in_bloc(p, m, r->b[0]), s = in_bloc(p, m, r->b[1]), other = 0;

            if (p->n_models)
                r->mention_papers++;
            r->fulltext_papers += p->fulltext != 0;
            for (size_t k = 0; k < p->n_cc[m]; k++) {
                int in0 = 0, in1 = 0;

                for (size_t j = 0; j < r->b[0]->n_members; j++)
                    in0 |= !strcmp(p->cc[m][k], r->b[0]->members[j]);
                for (size_t j = 0; j < r->b[1]->n_members; j++)
                    in1 |= !strcmp(p->cc[m][k], r->b[1]->members[j]);
                other |= !in0 && !in1;
            }
            for (size_t k = 0; k < p->n_models; k++) {
                const char *fam = models ? mention_model_family(models, p->models[k]) : NULL;
                const char *name = fam ? mention_model_name(models, fam) : NULL;
                struct fam_row *fr;
                int dup = 0;

                if (!fam)
                    fam = p->models[k];
                for (size_t j = 0; j < n_seen; j++)
                    dup |= !strcmp(seen[j], fam);
                if (dup)
                    continue;
                if (n_seen < NSC_ARRAY_SIZE(seen))
                    seen[n_seen++] = fam;
                fr = fam_get(r, fam, name);
                fr->papers++;
                fr->first += (size_t)f;
                fr->second += (size_t)s;
                fr->both += (size_t)(f && s);
                fr->other += (size_t)other;
                fr->unknown += (size_t)(p->n_cc[m] == 0);
            }
        }
    }
    if (r->n_fams)
        qsort(r->fams, r->n_fams, sizeof(*r->fams), cmp_fams);
}

static void report_release(struct report *r)
{
    free(r->pols);
    free(r->pairs);
    free(r->countries);
    free(r->fams);
    free(r->years);
}

static int compute(struct report *r, const struct report_data *d, const struct report_ctx *ctx)
{
    const struct classify_policy *pols;

    memset(r, 0, sizeof(*r));
    r->d = d;
    r->pol = ctx->policy;
    r->mode = (int)ctx->policy->multinational;
    r->b[0] = bloc_find(ctx->rules, r->pol->pair[0]);
    r->b[1] = bloc_find(ctx->rules, r->pol->pair[1]);
    if (!r->b[0] || !r->b[1])
        return nsc_error_set(NSC_EINVAL, "policy '%s' does not name a pair of known blocs",
                             r->pol->name);
    r->n_pol = classify_rules_policies(ctx->rules, &pols);
    r->pols = xcalloc(r->n_pol + 1, sizeof(*r->pols));
    for (size_t i = 0; i < r->n_pol; i++) {
        r->pols[i].pol = &pols[i];
        r->pols[i].b[0] = bloc_find(ctx->rules, pols[i].pair[0]);
        r->pols[i].b[1] = bloc_find(ctx->rules, pols[i].pair[1]);
    }
    r->n_years = d->n_years;
    r->years = xcalloc(d->n_years + 1, sizeof(*r->years));
    for (size_t y = 0; y < d->n_years; y++) {
        struct year_row *yr = &r->years[y];

        yr->year = d->years[y].year;
        yr->papers = d->years[y].n_papers;
        yr->summary_papers = d->years[y].summary_papers;
        yr->listed = d->years[y].summary_listed;
        yr->missing = d->years[y].summary_missing;
        for (size_t i = 0; i < d->years[y].n_papers; i++) {
            const struct report_paper *p = &d->years[y].papers[i];

            r->papers++;
            count_pair(&yr->c, p, r->mode, r->b);
            count_pair(&r->head, p, r->mode, r->b);
            if (p->n_authors > 0 && p->authors_placed[r->mode] == p->n_authors)
                r->complete++;
            else if (p->authors_placed[r->mode] > 0)
                r->partial++;
            else
                r->missing++;
            for (size_t k = 0; k < r->n_pol; k++) {
                if (r->pols[k].b[0] && r->pols[k].b[1])
                    count_pair(&r->pols[k].c, p, (int)r->pols[k].pol->multinational, r->pols[k].b);
            }
        }
    }
    pairs_and_institutions(r);
    mentions(r, ctx->models);
    return 0;
}

/* "12.3%": a rounded per-mille share; "n/a" for an empty denominator. */
static void share(struct buf *b, size_t num, size_t den)
{
    size_t pm;

    if (!den) {
        buf_puts(b, "n/a");
        return;
    }
    pm = (num * 1000 + den / 2) / den;
    buf_appendf(b, "%zu.%zu%%", pm / 10, pm % 10);
}

static size_t permille(size_t num, size_t den)
{
    return den ? (num * 1000 + den / 2) / den : 0;
}

static void members(struct buf *b, const struct classify_bloc *bl, const char *sep)
{
    for (size_t i = 0; i < bl->n_members; i++)
        buf_appendf(b, "%s%s", i ? sep : "", bl->members[i]);
}

static void years_label(struct buf *b, const struct report *r)
{
    for (size_t y = 0; y < r->n_years; y++)
        buf_appendf(b, "%s%d", y ? ", " : "", r->years[y].year);
}

void report_incomplete_note(struct buf *b, int year, long long listed, long long missing)
{
    buf_appendf(b,
                "INCOMPLETE: NeurIPS %d: %lld of the %lld papers listed are missing; the counts "
                "below leave them out\n",
                year, missing, listed);
}

/* The warning line of every year whose summary says it is incomplete. */
static void incomplete_notes(struct buf *b, const struct report *r)
{
    for (size_t y = 0; y < r->n_years; y++) {
        if (r->years[y].missing >= 0)
            report_incomplete_note(b, r->years[y].year, r->years[y].listed, r->years[y].missing);
    }
}

/* ---- text -------------------------------------------------------------- */

static void definition(struct buf *b, const struct report *r)
{
    buf_appendf(b,
                "Definition: a paper counts for %s if at least one author has an affiliation in ",
                r->b[0]->name);
    members(b, r->b[0], ", ");
    buf_appendf(b, ", for %s if one has an affiliation in ", r->b[1]->name);
    members(b, r->b[1], ", ");
    buf_appendf(b, ".  A multinational named with no place (\"Google\") counts %s.\n",
                r->mode == CLASSIFY_MN_UNKNOWN ? "nowhere (country unknown)"
                                               : "at its headquarters");
}

/* The headline's undecided papers, in words; 'brk' goes where a text line
 * breaks.  Plain ASCII, so HTML needs no escaping. */
static void undecided_sentence(struct buf *b, const struct report *r, const char *brk)
{
    buf_appendf(b,
                "Undecided: %zu more papers would count were an affiliation the rules leave "
                "between%scandidate countries (a shared name, an ambiguous place) in one of them.",
                r->head.undecided, brk);
}

static void render_text(struct buf *b, const struct report *r)
{
    buf_puts(b, "NeurIPS papers ");
    years_label(b, r);
    buf_appendf(b, ": %zu papers, policy %s\n\n", r->papers, r->pol->name);
    incomplete_notes(b, r);
    buf_appendf(b, "Headline: %zu of %zu papers (", r->head.both, r->papers);
    share(b, r->head.both, r->papers);
    buf_appendf(b, ") have authors in both %s and %s.\n", r->b[0]->name, r->b[1]->name);
    buf_appendf(b, "  %s: %zu papers; %s: %zu papers\n", r->b[0]->name, r->head.first,
                r->b[1]->name, r->head.second);
    if (r->head.undecided) {
        buf_puts(b, "  ");
        undecided_sentence(b, r, "\n  ");
        buf_puts(b, "\n");
    }
    definition(b, r);
    buf_appendf(b,
                "Affiliations: %zu papers complete, %zu partial (some authors without a "
                "country), %zu missing (no author with a country).\n",
                r->complete, r->partial, r->missing);
    for (size_t y = 0; y < r->n_years; y++) {
        if (r->years[y].summary_papers >= 0 &&
            (size_t)r->years[y].summary_papers != r->years[y].papers)
            buf_appendf(b,
                        "Note: the %d summary counts %lld papers; the records have %zu (this "
                        "report uses the records).\n",
                        r->years[y].year, r->years[y].summary_papers, r->years[y].papers);
    }

    buf_puts(b, "\nPolicy sensitivity\n");
    buf_appendf(b, "  %-18s %-28s %-13s %7s %7s %7s %7s %9s\n", "policy", "pair", "multinational",
                "first", "second", "both", "share", "undecided");
    for (size_t i = 0; i < r->n_pol; i++) {
        const struct pol_row *p = &r->pols[i];
        struct buf pair = BUF_INIT, sh = BUF_INIT;

        if (!p->b[0] || !p->b[1]) {
            buf_appendf(b, "  %-18s (names no pair of blocs)\n", p->pol->name);
            continue;
        }
        buf_appendf(&pair, "%s=", p->b[1]->name);
        members(&pair, p->b[1], "+");
        share(&sh, p->c.both, r->papers);
        buf_appendf(b, "  %-18s %-28s %-13s %7zu %7zu %7zu %7s %9zu\n", p->pol->name,
                    buf_cstr(&pair), mode_name((int)p->pol->multinational), p->c.first, p->c.second,
                    p->c.both, buf_cstr(&sh), p->c.undecided);
        buf_release(&pair);
        buf_release(&sh);
    }

    buf_puts(b, "\nTop country pairs (papers with authors in both)\n");
    if (!r->n_pairs)
        buf_puts(b, "  (none)\n");
    for (size_t i = 0; i < r->n_pairs; i++)
        buf_appendf(b, "  %s-%s %7zu\n", r->pairs[i].a, r->pairs[i].b, r->pairs[i].papers);

    buf_puts(b, "\nTop institutions per country (papers)\n");
    if (!r->n_countries)
        buf_puts(b, "  (none)\n");
    for (size_t c = 0; c < r->n_countries; c++) {
        buf_appendf(b, "  %s (%zu papers)\n", r->countries[c].cc, r->countries[c].papers);
        for (size_t i = 0; i < r->countries[c].n_inst; i++)
            buf_appendf(b, "    %7zu  %s\n", r->countries[c].inst[i].papers,
                        r->countries[c].inst[i].name);
    }

    buf_appendf(b, "\nModel mentions by bloc (papers; %zu papers carry mentions)\n",
                r->mention_papers);
    if (r->fulltext_papers)
        buf_appendf(
            b,
            "  found in titles, abstracts and the full text of %zu papers (their references "
            "left out)\n",
            r->fulltext_papers);
    else
        buf_puts(b, "  found in titles and abstracts (no full text: crawl --fulltext)\n");
    if (!r->n_fams) {
        buf_puts(b, "  (no record carries mentions)\n");
    } else {
        buf_appendf(b, "  %-24s %7s %7s %7s %7s %7s %7s\n", "family", "papers", r->b[0]->name,
                    r->b[1]->name, "both", "other", "unknown");
        for (size_t i = 0; i < r->n_fams; i++) {
            const struct fam_row *f = &r->fams[i];
            buf_appendf(b, "  %-24s %7zu %7zu %7zu %7zu %7zu %7zu\n", f->family, f->papers,
                        f->first, f->second, f->both, f->other, f->unknown);
        }
        buf_appendf(b, "  (a paper counts in every column its authors reach; other: an author in "
                       "neither bloc; unknown: no author with a country)\n");
    }

    if (r->n_years > 1) {
        buf_puts(b, "\nTrend\n");
        buf_appendf(b, "  %-6s %7s %7s %7s %7s %7s\n", "year", "papers", r->b[0]->name,
                    r->b[1]->name, "both", "share");
        for (size_t y = 0; y < r->n_years; y++) {
            struct buf sh = BUF_INIT;

            share(&sh, r->years[y].c.both, r->years[y].papers);
            buf_appendf(b, "  %-6d %7zu %7zu %7zu %7zu %7s\n", r->years[y].year, r->years[y].papers,
                        r->years[y].c.first, r->years[y].c.second, r->years[y].c.both,
                        buf_cstr(&sh));
            buf_release(&sh);
        }
    }
}

/* ---- json -------------------------------------------------------------- */

static json_t *jsize(size_t n)
{
    return json_integer((json_int_t)n);
}

static json_t *bloc_json(const struct classify_bloc *bl)
{
    json_t *o = json_object(), *m = json_array();

    for (size_t i = 0; i < bl->n_members; i++)
        json_array_append_new(m, json_string(bl->members[i]));
    json_object_set_new(o, "name", json_string(bl->name));
    json_object_set_new(o, "members", m);
    return o;
}

static void render_json(struct buf *b, const struct report *r)
{
    json_t *root = json_object(), *a, *o;
    char *s;

    json_object_set_new(root, "schema", json_integer(1));
    a = json_array();
    for (size_t y = 0; y < r->n_years; y++)
        json_array_append_new(a, json_integer(r->years[y].year));
    json_object_set_new(root, "years", a);
    json_object_set_new(root, "policy", json_string(r->pol->name));
    json_object_set_new(root, "papers", jsize(r->papers));
    /* The years the crawl left incomplete: [] when every year is whole. */
    a = json_array();
    for (size_t y = 0; y < r->n_years; y++) {
        if (r->years[y].missing < 0)
            continue;
        json_array_append_new(a, json_pack("{s:i, s:I, s:I}", "year", r->years[y].year,
                                           "papers_listed", (json_int_t)r->years[y].listed,
                                           "papers_missing", (json_int_t)r->years[y].missing));
    }
    json_object_set_new(root, "incomplete", a);

    o = json_object();
    a = json_array();
    json_array_append_new(a, bloc_json(r->b[0]));
    json_array_append_new(a, bloc_json(r->b[1]));
    json_object_set_new(o, "blocs", a);
    json_object_set_new(o, "multinational", json_string(mode_name(r->mode)));
    json_object_set_new(o, "first", jsize(r->head.first));
    json_object_set_new(o, "second", jsize(r->head.second));
    json_object_set_new(o, "both", jsize(r->head.both));
    json_object_set_new(o, "both_permille", jsize(permille(r->head.both, r->papers)));
    json_object_set_new(o, "undecided", jsize(r->head.undecided));
    {
        json_t *af = json_object();

        json_object_set_new(af, "complete", jsize(r->complete));
        json_object_set_new(af, "partial", jsize(r->partial));
        json_object_set_new(af, "missing", jsize(r->missing));
        json_object_set_new(o, "affiliations", af);
    }
    json_object_set_new(root, "headline", o);

    a = json_array();
    for (size_t i = 0; i < r->n_pol; i++) {
        const struct pol_row *p = &r->pols[i];
        json_t *po = json_object(), *pair = json_array();

        json_object_set_new(po, "name", json_string(p->pol->name));
        if (p->b[0] && p->b[1]) {
            json_array_append_new(pair, bloc_json(p->b[0]));
            json_array_append_new(pair, bloc_json(p->b[1]));
        }
        json_object_set_new(po, "pair", pair);
        json_object_set_new(po, "multinational",
                            json_string(mode_name((int)p->pol->multinational)));
        if (p->b[0] && p->b[1]) {
            json_object_set_new(po, "first", jsize(p->c.first));
            json_object_set_new(po, "second", jsize(p->c.second));
            json_object_set_new(po, "both", jsize(p->c.both));
            json_object_set_new(po, "undecided", jsize(p->c.undecided));
        } else {
            json_object_set_new(po, "first", json_null());
            json_object_set_new(po, "second", json_null());
            json_object_set_new(po, "both", json_null());
            json_object_set_new(po, "undecided", json_null());
        }
        json_array_append_new(a, po);
    }
    json_object_set_new(root, "policies", a);

    a = json_array();
    for (size_t i = 0; i < r->n_pairs; i++) {
        json_t *po = json_object();
        json_object_set_new(po, "a", json_string(r->pairs[i].a));
        json_object_set_new(po, "b", json_string(r->pairs[i].b));
        json_object_set_new(po, "papers", jsize(r->pairs[i].papers));
        json_array_append_new(a, po);
    }
    json_object_set_new(root, "country_pairs", a);

    a = json_array();
    for (size_t c = 0; c < r->n_countries; c++) {
        json_t *co = json_object(), *top = json_array();

        json_object_set_new(co, "country", json_string(r->countries[c].cc));
        json_object_set_new(co, "papers", jsize(r->countries[c].papers));
        for (size_t i = 0; i < r->countries[c].n_inst; i++) {
            json_t *io = json_object();
            json_object_set_new(io, "institution", json_string(r->countries[c].inst[i].name));
            json_object_set_new(io, "papers", jsize(r->countries[c].inst[i].papers));
            json_array_append_new(top, io);
        }
        json_object_set_new(co, "institutions", top);
        json_array_append_new(a, co);
    }
    json_object_set_new(root, "countries", a);

    a = json_array();
    for (size_t i = 0; i < r->n_fams; i++) {
        const struct fam_row *f = &r->fams[i];
        json_t *fo = json_object(), *bb = json_object();

        json_object_set_new(fo, "family", json_string(f->family));
        json_object_set_new(fo, "name", json_string(f->name));
        json_object_set_new(fo, "papers", jsize(f->papers));
        json_object_set_new(bb, r->b[0]->name, jsize(f->first));
        json_object_set_new(bb, r->b[1]->name, jsize(f->second));
        json_object_set_new(bb, "both", jsize(f->both));
        json_object_set_new(bb, "other", jsize(f->other));
        json_object_set_new(bb, "unknown", jsize(f->unknown));
        json_object_set_new(fo, "by_bloc", bb);
        json_array_append_new(a, fo);
    }
    json_object_set_new(root, "mentions", a);

    a = json_array();
    for (size_t y = 0; y < r->n_years; y++) {
        json_t *yo = json_object();

        json_object_set_new(yo, "year", json_integer(r->years[y].year));
        json_object_set_new(yo, "papers", jsize(r->years[y].papers));
        json_object_set_new(yo, "first", jsize(r->years[y].c.first));
        json_object_set_new(yo, "second", jsize(r->years[y].c.second));
        json_object_set_new(yo, "both", jsize(r->years[y].c.both));
        json_object_set_new(yo, "both_permille",
                            jsize(permille(r->years[y].c.both, r->years[y].papers)));
        json_object_set_new(yo, "summary_papers",
                            r->years[y].summary_papers >= 0
                                ? json_integer(r->years[y].summary_papers)
                                : json_null());
        json_array_append_new(a, yo);
    }
    json_object_set_new(root, "trend", a);

    s = json_dumps(root, JSON_PRESERVE_ORDER | JSON_INDENT(2));
    buf_puts(b, s);
    buf_putc(b, '\n');
    free(s);
    json_decref(root);
}

/* ---- csv --------------------------------------------------------------- */

void report_csv_field(struct buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        buf_puts(b, s);
        return;
    }
    buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            buf_putc(b, '"');
        buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

static void csv_row(struct buf *b, const char *table, const char *year, const char *policy,
                    const char *key, const char *subkey, size_t value)
{
    report_csv_field(b, table);
    buf_putc(b, ',');
    report_csv_field(b, year);
    buf_putc(b, ',');
    report_csv_field(b, policy);
    buf_putc(b, ',');
    report_csv_field(b, key);
    buf_putc(b, ',');
    report_csv_field(b, subkey);
    buf_appendf(b, ",%zu\n", value);
}

static void render_csv(struct buf *b, const struct report *r)
{
    const char *pn = r->pol->name;

    buf_puts(b, "table,year,policy,key,subkey,value\n");
    csv_row(b, "papers", "all", "", "papers", "", r->papers);
    for (size_t y = 0; y < r->n_years; y++) {
        char year[16];

        if (r->years[y].missing < 0)
            continue;
        snprintf(year, sizeof(year), "%d", r->years[y].year);
        csv_row(b, "incomplete", year, "", "papers_listed", "", (size_t)r->years[y].listed);
        csv_row(b, "incomplete", year, "", "papers_missing", "", (size_t)r->years[y].missing);
    }
    csv_row(b, "headline", "all", pn, r->b[0]->name, "", r->head.first);
    csv_row(b, "headline", "all", pn, r->b[1]->name, "", r->head.second);
    csv_row(b, "headline", "all", pn, "both", "", r->head.both);
    csv_row(b, "affiliations", "all", pn, "complete", "", r->complete);
    csv_row(b, "affiliations", "all", pn, "partial", "", r->partial);
    csv_row(b, "affiliations", "all", pn, "missing", "", r->missing);
    for (size_t i = 0; i < r->n_pol; i++) {
        const struct pol_row *p = &r->pols[i];

        if (!p->b[0] || !p->b[1])
            continue;
        csv_row(b, "policy", "all", p->pol->name, p->b[0]->name, "", p->c.first);
        csv_row(b, "policy", "all", p->pol->name, p->b[1]->name, "", p->c.second);
        csv_row(b, "policy", "all", p->pol->name, "both", "", p->c.both);
        csv_row(b, "policy", "all", p->pol->name, "undecided", "", p->c.undecided);
    }
    for (size_t i = 0; i < r->n_pairs; i++)
        csv_row(b, "country_pair", "all", pn, r->pairs[i].a, r->pairs[i].b, r->pairs[i].papers);
    for (size_t c = 0; c < r->n_countries; c++) {
        csv_row(b, "country", "all", pn, r->countries[c].cc, "", r->countries[c].papers);
        for (size_t i = 0; i < r->countries[c].n_inst; i++)
            csv_row(b, "institution", "all", pn, r->countries[c].cc, r->countries[c].inst[i].name,
                    r->countries[c].inst[i].papers);
    }
    for (size_t i = 0; i < r->n_fams; i++) {
        const struct fam_row *f = &r->fams[i];

        csv_row(b, "mention", "all", pn, f->family, "papers", f->papers);
        csv_row(b, "mention", "all", pn, f->family, r->b[0]->name, f->first);
        csv_row(b, "mention", "all", pn, f->family, r->b[1]->name, f->second);
        csv_row(b, "mention", "all", pn, f->family, "both", f->both);
        csv_row(b, "mention", "all", pn, f->family, "other", f->other);
        csv_row(b, "mention", "all", pn, f->family, "unknown", f->unknown);
    }
    for (size_t y = 0; y < r->n_years; y++) {
        char year[16];

        snprintf(year, sizeof(year), "%d", r->years[y].year);
        csv_row(b, "trend", year, pn, "papers", "", r->years[y].papers);
        csv_row(b, "trend", year, pn, r->b[0]->name, "", r->years[y].c.first);
        csv_row(b, "trend", year, pn, r->b[1]->name, "", r->years[y].c.second);
        csv_row(b, "trend", year, pn, "both", "", r->years[y].c.both);
    }
}

/* ---- html -------------------------------------------------------------- */

static void esc(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '"':
            buf_puts(b, "&quot;");
            break;
        case '\'':
            buf_puts(b, "&#39;");
            break;
        default:
            buf_putc(b, *s);
        }
    }
}

/*
 * Bars of the both-blocs share per year, in integer coordinates, on an axis
 * from 0 to the next whole tick above the largest share, ticked every 10%
 * (every 20% above 50%).
 */
static void svg_share(struct buf *b, const struct report *r)
{
    const int W = 640, H = 240, top = 20, base = 200, left = 48;
    size_t maxpm = 0, ceil_pm, step;
    int slot = (W - left) / (int)(r->n_years ? r->n_years : 1);
    int bw = slot * 3 / 5;

    for (size_t y = 0; y < r->n_years; y++) {
        size_t pm = permille(r->years[y].c.both, r->years[y].papers);
        if (pm > maxpm)
            maxpm = pm;
    }
    ceil_pm = maxpm ? (maxpm + 99) / 100 * 100 : 100;
    step = ceil_pm > 500 ? 200 : 100;
    ceil_pm = (ceil_pm + step - 1) / step * step;
    buf_appendf(b,
                "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
                "aria-label=\"share of papers with authors in both blocs, by year\">\n",
                W, H, W, H);
    for (size_t t = 0; t <= ceil_pm; t += step) {
        int ty = base - (int)(t * (size_t)(base - top) / ceil_pm);

        buf_appendf(b,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\"/>"
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%zu%%</text>\n",
                    left, ty, W, ty, t ? "#ddd" : "#555", left - 6, ty + 4, t / 10);
    }
    for (size_t y = 0; y < r->n_years; y++) {
        size_t pm = permille(r->years[y].c.both, r->years[y].papers);
        int h = (int)(pm * (size_t)(base - top) / ceil_pm);
        int x = left + (int)y * slot + (slot - bw) / 2;

        buf_appendf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#3b6ea5\"/>\n", x,
                    base - h, bw, h);
        buf_appendf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%zu.%zu%%</text>\n",
                    x + bw / 2, base - h - 4, pm / 10, pm % 10);
        buf_appendf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", x + bw / 2,
                    base + 18, r->years[y].year);
    }
    buf_puts(b, "</svg>\n");
}

/* Horizontal bars per model family: papers per bloc column. */
static void svg_mentions(struct buf *b, const struct report *r)
{
    static const char *const colour[4] = { "#3b6ea5", "#c0504d", "#9bbb59", "#999999" };
    const char *label[4] = { r->b[0]->name, r->b[1]->name, "other", "unknown" };
    size_t n = r->n_fams < TOP_FAMILIES ? r->n_fams : TOP_FAMILIES, maxv = 1;
    const int left = 180, W = 640, row = 52, bar = 9;
    int H = 30 + (int)n * row;

    for (size_t i = 0; i < n; i++) {
        const size_t v[4] = { r->fams[i].first, r->fams[i].second, r->fams[i].other,
                              r->fams[i].unknown };
        for (int k = 0; k < 4; k++)
            maxv = v[k] > maxv ? v[k] : maxv;
    }
    buf_appendf(b,
                "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
                "aria-label=\"papers mentioning each model family, by bloc\">\n",
                W, H, W, H);
    for (int k = 0; k < 4; k++) {
        buf_appendf(b, "<rect x=\"%d\" y=\"4\" width=\"10\" height=\"10\" fill=\"%s\"/>\n",
                    left + k * 110, colour[k]);
        buf_appendf(b, "<text x=\"%d\" y=\"13\">", left + k * 110 + 14);
        esc(b, label[k]);
        buf_puts(b, "</text>\n");
    }
    for (size_t i = 0; i < n; i++) {
        const size_t v[4] = { r->fams[i].first, r->fams[i].second, r->fams[i].other,
                              r->fams[i].unknown };
        int y0 = 24 + (int)i * row;

        buf_appendf(b, "<text x=\"4\" y=\"%d\">", y0 + 22);
        esc(b, r->fams[i].name);
        buf_puts(b, "</text>\n");
        for (int k = 0; k < 4; k++) {
            int w = (int)(v[k] * (size_t)(W - left - 60) / maxv);

            buf_appendf(b,
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>"
                        "<text x=\"%d\" y=\"%d\" font-size=\"9\">%zu</text>\n",
                        left, y0 + k * (bar + 1), w, bar, colour[k], left + w + 4,
                        y0 + k * (bar + 1) + bar - 1, v[k]);
        }
    }
    buf_puts(b, "</svg>\n");
}

static void render_html(struct buf *b, const struct report *r)
{
    struct buf t = BUF_INIT;

    buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    buf_puts(b, "<title>NeurIPS papers ");
    years_label(&t, r);
    esc(b, buf_cstr(&t));
    buf_puts(b, "</title>\n<style>\n"
                "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;"
                "color:#222}\n"
                "table{border-collapse:collapse;margin:0.5em 0 1.5em}\n"
                "th,td{border:1px solid #ccc;padding:0.2em 0.6em}\n"
                "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
                "svg text{font-family:sans-serif;font-size:11px}\n"
                "</style>\n</head>\n<body>\n");
    buf_puts(b, "<h1>NeurIPS papers ");
    esc(b, buf_cstr(&t));
    buf_puts(b, "</h1>\n");
    buf_reset(&t);

    incomplete_notes(&t, r);
    if (t.len) {
        /* One paragraph per line of the notes (plain ASCII: no escaping). */
        buf_puts(b, "<p style=\"border:2px solid #c0504d;padding:0.4em\"><strong>");
        for (size_t i = 0; i < t.len; i++) {
            if (t.ptr[i] == '\n')
                buf_puts(b, i + 1 < t.len ? "<br/>\n" : "");
            else
                buf_putc(b, t.ptr[i]);
        }
        buf_puts(b, "</strong></p>\n");
        buf_reset(&t);
    }
    buf_appendf(b, "<p><strong>%zu of %zu papers (", r->head.both, r->papers);
    share(b, r->head.both, r->papers);
    buf_puts(b, ") have authors in both ");
    esc(b, r->b[0]->name);
    buf_puts(b, " and ");
    esc(b, r->b[1]->name);
    buf_puts(b, "</strong> (policy ");
    esc(b, r->pol->name);
    buf_puts(b, ").</p>\n<p>");
    definition(&t, r);
    esc(b, buf_cstr(&t));
    buf_reset(&t);
    buf_appendf(b,
                "</p>\n<p>Affiliations: %zu papers complete, %zu partial (some authors without "
                "a country), %zu missing (no author with a country).</p>\n",
                r->complete, r->partial, r->missing);

    buf_puts(b, "<h2>Share of papers with authors in both, by year</h2>\n");
    svg_share(b, r);

    buf_puts(b, "<h2>Policy sensitivity</h2>\n<table>\n<tr><th>policy</th><th>second bloc</th>"
                "<th>multinational</th><th>first</th><th>second</th><th>both</th><th>share</th>"
                "<th>undecided</th></tr>\n");
    for (size_t i = 0; i < r->n_pol; i++) {
        const struct pol_row *p = &r->pols[i];

        if (!p->b[0] || !p->b[1])
            continue;
        buf_puts(b, "<tr><td>");
        esc(b, p->pol->name);
        buf_puts(b, "</td><td>");
        esc(b, p->b[1]->name);
        buf_puts(b, " (");
        members(&t, p->b[1], "+");
        esc(b, buf_cstr(&t));
        buf_reset(&t);
        buf_appendf(b,
                    ")</td><td>%s</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
                    "<td class=\"n\">%zu</td><td class=\"n\">",
                    mode_name((int)p->pol->multinational), p->c.first, p->c.second, p->c.both);
        share(b, p->c.both, r->papers);
        buf_appendf(b, "</td><td class=\"n\">%zu</td></tr>\n", p->c.undecided);
    }
    buf_puts(b, "</table>\n");
    if (r->head.undecided) {
        buf_puts(b, "<p>");
        undecided_sentence(b, r, " ");
        buf_puts(b, "</p>\n");
    }

    buf_puts(b, "<h2>Top country pairs</h2>\n<table>\n<tr><th>pair</th><th>papers</th></tr>\n");
    for (size_t i = 0; i < r->n_pairs; i++)
        buf_appendf(b, "<tr><td>%s&#8211;%s</td><td class=\"n\">%zu</td></tr>\n", r->pairs[i].a,
                    r->pairs[i].b, r->pairs[i].papers);
    buf_puts(b, "</table>\n");

    buf_puts(b, "<h2>Top institutions per country</h2>\n<table>\n<tr><th>country</th>"
                "<th>institution</th><th>papers</th></tr>\n");
    for (size_t c = 0; c < r->n_countries; c++) {
        for (size_t i = 0; i < r->countries[c].n_inst; i++) {
            buf_appendf(b, "<tr><td>%s</td><td>", r->countries[c].cc);
            esc(b, r->countries[c].inst[i].name);
            buf_appendf(b, "</td><td class=\"n\">%zu</td></tr>\n", r->countries[c].inst[i].papers);
        }
    }
    buf_puts(b, "</table>\n");

    buf_puts(b, "<h2>Model mentions by bloc</h2>\n");
    if (!r->n_fams) {
        buf_puts(b, "<p>No record carries mentions.</p>\n");
    } else {
        svg_mentions(b, r);
        buf_puts(b, "<table>\n<tr><th>family</th><th>papers</th><th>");
        esc(b, r->b[0]->name);
        buf_puts(b, "</th><th>");
        esc(b, r->b[1]->name);
        buf_puts(b, "</th><th>both</th><th>other</th><th>unknown</th></tr>\n");
        for (size_t i = 0; i < r->n_fams; i++) {
            const struct fam_row *f = &r->fams[i];

            buf_puts(b, "<tr><td>");
            esc(b, f->name);
            buf_appendf(b,
                        "</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td><td "
                        "class=\"n\">%zu</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
                        "<td class=\"n\">%zu</td></tr>\n",
                        f->papers, f->first, f->second, f->both, f->other, f->unknown);
        }
        buf_puts(b, "</table>\n");
    }

    buf_puts(b, "<h2>By year</h2>\n<table>\n<tr><th>year</th><th>papers</th><th>both</th>"
                "<th>share</th></tr>\n");
    for (size_t y = 0; y < r->n_years; y++) {
        buf_appendf(b,
                    "<tr><td>%d</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
                    "<td class=\"n\">",
                    r->years[y].year, r->years[y].papers, r->years[y].c.both);
        share(b, r->years[y].c.both, r->years[y].papers);
        buf_puts(b, "</td></tr>\n");
    }
    buf_puts(b, "</table>\n</body>\n</html>\n");
    buf_release(&t);
}

int report_render(struct buf *out, const struct report_data *d, const struct report_ctx *ctx,
                  enum report_format fmt)
{
    struct report r;
    int err = compute(&r, d, ctx);

    if (err < 0)
        goto out;
    switch (fmt) {
    case REPORT_TEXT:
        render_text(out, &r);
        break;
    case REPORT_JSON:
        render_json(out, &r);
        break;
    case REPORT_CSV:
        render_csv(out, &r);
        break;
    case REPORT_HTML:
        render_html(out, &r);
        break;
    }
out:
    report_release(&r);
    return err;
}
