/*
 * report_load.c - read a store's records files for `nipscope report`, keeping
 * per paper only what the counts need.  Read-only: no lock is taken, so a
 * report can run beside a crawl (it then sees the lines written so far).
 */
#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

static int cmp_cc(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_inst(const void *a, const void *b)
{
    const struct report_inst *x = a, *y = b;
    int c = strcmp(x->country, y->country);

    return c ? c : strcmp(x->name, y->name);
}

/* Sort by id, then by line, so the last line of an id comes last. */
static int cmp_paper(const void *a, const void *b)
{
    const struct report_paper *x = a, *y = b;
    int c = strcmp(x->id, y->id);

    if (c)
        return c;
    return (x->line > y->line) - (x->line < y->line);
}

/* The years with a records file in 'dir', ascending. */
static int list_years(int **out, size_t *n, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t cap = 0;

    *out = NULL;
    *n = 0;
    if (!d)
        return nsc_error_set(errno == ENOENT ? NSC_ENOTFOUND : NSC_EIO, "cannot open '%s': %s", dir,
                             strerror(errno));
    while ((e = readdir(d)) != NULL) {
        int year, end = 0;

        if (sscanf(e->d_name, "neurips-%4d.jsonl%n", &year, &end) == 1 &&
            end == (int)strlen(e->d_name) && year >= 1987 && year <= 9999) {
            NSC_GROW(*out, cap, *n + 1);
            (*out)[(*n)++] = year;
        }
    }
    closedir(d);
    if (*n == 0)
        return nsc_error_set(NSC_ENOTFOUND, "no records (neurips-YYYY.jsonl) in '%s'", dir);
    qsort(*out, *n, sizeof(**out), cmp_int);
    return 0;
}

static void add_cc(struct report_paper *p, int mode, const char *cc)
{
    for (size_t i = 0; i < p->n_cc[mode]; i++) {
        if (!strcmp(p->cc[mode][i], cc))
            return;
    }
    p->cc[mode] = xreallocarray(p->cc[mode], p->n_cc[mode] + 1, sizeof(*p->cc[mode]));
    memcpy(p->cc[mode][p->n_cc[mode]++], cc, 3);
}

static void add_inst(struct report_paper *p, int mode, const char *cc, const char *name)
{
    struct report_inst *in;

    for (size_t i = 0; i < p->n_inst[mode]; i++) {
        if (!strcmp(p->inst[mode][i].country, cc) && !strcmp(p->inst[mode][i].name, name))
            return;
    }
    p->inst[mode] = xreallocarray(p->inst[mode], p->n_inst[mode] + 1, sizeof(*p->inst[mode]));
    in = &p->inst[mode][p->n_inst[mode]++];
    memcpy(in->country, cc, 3);
    in->name = xstrdup(name);
}

static void paper_release(struct report_paper *p)
{
    free(p->id);
    free(p->title);
    for (int m = 0; m < REPORT_MODES; m++) {
        free(p->cc[m]);
        for (size_t i = 0; i < p->n_inst[m]; i++)
            free(p->inst[m][i].name);
        free(p->inst[m]);
    }
    for (size_t i = 0; i < p->n_models; i++)
        free(p->models[i]);
    free(p->models);
    memset(p, 0, sizeof(*p));
}

/* A two-letter upper-case code, or NULL for null; *bad set for anything else. */
static const char *country_of(json_t *v, int *bad)
{
    const char *s;

    if (!v || json_is_null(v))
        return NULL;
    s = json_string_value(v);
    if (!s || strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z') {
        *bad = 1;
        return NULL;
    }
    return s;
}

/*
 * The affiliation's country under each multinational mode.  A multinational
 * with no place in the affiliation shows as evidence of kind "multinational"
 * that either decided (headquarters policy: rule equal, country set) or left
 * the country unknown (unknown policy).
 */
static int aff_countries(const char *out[REPORT_MODES], json_t *aff)
{
    json_t *ev = json_object_get(aff, "evidence"), *e;
    const char *rule = json_string_value(json_object_get(aff, "rule"));
    int bad = 0;
    const char *cc = country_of(json_object_get(aff, "country"), &bad);
    size_t i;

    out[CLASSIFY_MN_HEADQUARTERS] = out[CLASSIFY_MN_UNKNOWN] = cc;
    if (ev && !json_is_array(ev))
        return -1;
    json_array_foreach(ev, i, e)
    {
        const char *kind = json_string_value(json_object_get(e, "kind"));
        const char *erule = json_string_value(json_object_get(e, "rule"));
        const char *ecc;

        if (!json_is_object(e))
            return -1;
        if (!kind || strcmp(kind, "multinational"))
            continue;
        ecc = country_of(json_object_get(e, "country"), &bad);
        if (!ecc)
            continue;
        if (!cc || (rule && erule && !strcmp(rule, erule))) {
            out[CLASSIFY_MN_HEADQUARTERS] = ecc;
            out[CLASSIFY_MN_UNKNOWN] = NULL;
        }
        break;
    }
    return bad ? -1 : 0;
}

/* Keep an affiliation left unknown as open when its evidence (already
 * checked by aff_countries()) names candidates. */
static void add_open(struct report_paper *p, json_t *aff)
{
    struct classify_open o = { 0 };
    json_t *e;
    size_t i;

    json_array_foreach(json_object_get(aff, "evidence"), i, e)
    {
        classify_open_add(&o, json_string_value(json_object_get(e, "kind")),
                          json_string_value(json_object_get(e, "country")));
    }
    if (o.n && p->n_open < REPORT_MAX_OPEN)
        p->open[p->n_open++] = o;
}

/* Fill 'p' from one record; on a malformed record set a message and fail. */
static int read_paper(struct report_paper *p, json_t *rec)
{
    json_t *authors = json_object_get(rec, "authors"), *a, *mentions;
    const char *title = json_string_value(json_object_get(rec, "title"));
    size_t i;

    p->id = xstrdup(json_string_value(json_object_get(rec, "id")));
    p->title = xstrdup(title ? title : "");
    if (authors && !json_is_array(authors))
        return nsc_error_set(NSC_EPARSE, "\"authors\" is not an array");
    json_array_foreach(authors, i, a)
    {
        json_t *affs = json_object_get(a, "affiliations"), *af;
        int placed[REPORT_MODES] = { 0, 0 };
        size_t k;

        if (!json_is_object(a) || (affs && !json_is_array(affs)))
            return nsc_error_set(NSC_EPARSE,
                                 "author %zu is not an object with an "
                                 "\"affiliations\" array",
                                 i + 1);
        p->n_authors++;
        json_array_foreach(affs, k, af)
        {
            const char *cc[REPORT_MODES];
            const char *inst = json_string_value(json_object_get(af, "institution"));

            if (!json_is_object(af) || aff_countries(cc, af) < 0)
                return nsc_error_set(NSC_EPARSE,
                                     "author %zu, affiliation %zu: bad country or "
                                     "evidence",
                                     i + 1, k + 1);
            if (!cc[CLASSIFY_MN_HEADQUARTERS] && !cc[CLASSIFY_MN_UNKNOWN])
                add_open(p, af);
            for (int m = 0; m < REPORT_MODES; m++) {
                if (!cc[m])
                    continue;
                placed[m] = 1;
                add_cc(p, m, cc[m]);
                if (inst && *inst)
                    add_inst(p, m, cc[m], inst);
            }
        }
        for (int m = 0; m < REPORT_MODES; m++)
            p->authors_placed[m] += (size_t)placed[m];
    }
    for (int m = 0; m < REPORT_MODES; m++) {
        if (p->n_cc[m])
            qsort(p->cc[m], p->n_cc[m], sizeof(*p->cc[m]), cmp_cc);
        if (p->n_inst[m])
            qsort(p->inst[m], p->n_inst[m], sizeof(*p->inst[m]), cmp_inst);
    }
    p->fulltext = json_is_integer(json_object_get(json_object_get(rec, "fulltext"), "pages"));
    mentions = json_object_get(rec, "mentions");
    if (mentions && !json_is_object(mentions) && !json_is_null(mentions))
        return nsc_error_set(NSC_EPARSE, "\"mentions\" is not an object");
    if (json_is_object(mentions)) {
        const char *key;
        json_t *v;

        p->models = xcalloc(json_object_size(mentions) + 1, sizeof(*p->models));
        json_object_foreach(mentions, key, v)
        {
            p->models[p->n_models++] = xstrdup(key);
        }
        if (p->n_models)
            qsort(p->models, p->n_models, sizeof(*p->models), cmp_str);
    }
    return 0;
}

/* The summary's paper count and its "incomplete" marker, when there is a
 * summary: the report counts the records, but must say what they lack. */
static int read_summary(struct report_year *y, const char *dir)
{
    char *path = xasprintf("%s/neurips-%d.summary.json", dir, y->year);
    json_error_t jerr;
    json_t *s, *inc;
    int err = 0;

    y->summary_papers = y->summary_listed = y->summary_missing = -1;
    if (access(path, F_OK) != 0)
        goto out;
    s = json_load_file(path, 0, &jerr);
    if (!s) {
        err = nsc_error_set(NSC_EPARSE, "%s:%d: %s", path, jerr.line, jerr.text);
        goto out;
    }
    if (json_is_integer(json_object_get(s, "papers")))
        y->summary_papers = (long long)json_integer_value(json_object_get(s, "papers"));
    inc = json_object_get(s, "incomplete");
    if (inc) {
        json_t *listed = json_object_get(inc, "papers_listed");
        json_t *missing = json_object_get(inc, "papers_missing");

        if (!json_is_integer(listed) || !json_is_integer(missing) ||
            json_integer_value(missing) < 0 ||
            json_integer_value(missing) > json_integer_value(listed)) {
            err = nsc_error_set(NSC_EPARSE,
                                "%s: \"incomplete\" is not {\"papers_listed\": N, "
                                "\"papers_missing\": M} with 0 <= M <= N",
                                path);
            json_decref(s);
            goto out;
        }
        y->summary_listed = (long long)json_integer_value(listed);
        y->summary_missing = (long long)json_integer_value(missing);
    }
    json_decref(s);
out:
    free(path);
    return err;
}

static int read_year(struct report_year *y, const char *dir)
{
    FILE *f;
    char *line = NULL;
    size_t cap = 0, lineno = 0, pcap = 0, w = 0;
    ssize_t n;
    int err = 0;

    y->path = xasprintf("%s/neurips-%d.jsonl", dir, y->year);
    f = fopen(y->path, "r");
    if (!f)
        return nsc_error_set(errno == ENOENT ? NSC_ENOTFOUND : NSC_EIO, "cannot open '%s': %s",
                             y->path, strerror(errno));
    while ((n = getline(&line, &cap, f)) >= 0) {
        json_error_t jerr;
        json_t *rec;
        struct report_paper *p;

        lineno++;
        if (n > 0 && line[n - 1] == '\n')
            line[--n] = '\0';
        rec = json_loadb(line, (size_t)n, 0, &jerr);
        if (!rec || !json_is_object(rec) || !json_string_value(json_object_get(rec, "id")) ||
            !*json_string_value(json_object_get(rec, "id"))) {
            err = nsc_error_set(NSC_EPARSE, "%s:%zu: malformed record: %s", y->path, lineno,
                                rec ? "not a JSON object with a string \"id\"" : jerr.text);
            json_decref(rec);
            goto out;
        }
        NSC_GROW(y->papers, pcap, y->n_papers + 1);
        p = &y->papers[y->n_papers++];
        memset(p, 0, sizeof(*p));
        p->year = y->year;
        p->line = lineno;
        err = read_paper(p, rec);
        json_decref(rec);
        if (err < 0) {
            nsc_error_prefix(err, "%s:%zu: malformed record", y->path, lineno);
            goto out;
        }
    }
    if (ferror(f)) {
        err = nsc_error_set(NSC_EIO, "cannot read '%s': %s", y->path, strerror(errno));
        goto out;
    }
    /* One paper per id: the last line wins, as in the store. */
    if (y->n_papers)
        qsort(y->papers, y->n_papers, sizeof(*y->papers), cmp_paper);
    for (size_t i = 0; i < y->n_papers; i++) {
        if (i + 1 < y->n_papers && !strcmp(y->papers[i].id, y->papers[i + 1].id)) {
            paper_release(&y->papers[i]);
            continue;
        }
        y->papers[w++] = y->papers[i];
    }
    y->n_papers = w;
    err = read_summary(y, dir);
out:
    free(line);
    fclose(f);
    return err;
}

int report_load(struct report_data *out, const char *dir, const int *years, size_t n)
{
    int *list = NULL;
    size_t count = n;
    int err = 0;

    memset(out, 0, sizeof(*out));
    if (n == 0) {
        err = list_years(&list, &count, dir);
        if (err < 0)
            goto out;
    } else {
        list = xcalloc(n, sizeof(*list));
        memcpy(list, years, n * sizeof(*list));
        qsort(list, n, sizeof(*list), cmp_int);
    }
    out->years = xcalloc(count, sizeof(*out->years));
    for (size_t i = 0; i < count; i++) {
        if (i > 0 && list[i] == list[i - 1])
            continue;
        out->years[out->n_years].year = list[i];
        err = read_year(&out->years[out->n_years++], dir);
        if (err < 0)
            goto out;
    }
out:
    free(list);
    if (err < 0)
        report_data_release(out);
    return err;
}

void report_data_release(struct report_data *d)
{
    for (size_t i = 0; i < d->n_years; i++) {
        for (size_t k = 0; k < d->years[i].n_papers; k++)
            paper_release(&d->years[i].papers[k]);
        free(d->years[i].papers);
        free(d->years[i].path);
    }
    free(d->years);
    memset(d, 0, sizeof(*d));
}
