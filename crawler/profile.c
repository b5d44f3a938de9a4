/*
 * profile.c - site profiles: the YAML file (rules/sites/<site>.yaml) that
 * says which markup holds what, per template era, so a change of markup on
 * the site is an edit of data, not of C.
 *
 * libyaml's event stream is first built into a small tree that keeps every
 * node's line and column, then the tree is checked against the schema (see
 * rules/sites/README.md); every error names file:line:col.
 */
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlerror.h>
#include <libxml/xpath.h>
#include <yaml.h>

#include "crawler_int.h"

#define MAX_PROFILE   ((size_t)1 << 20)
#define MAX_YAML_DEEP 32

enum ytype { Y_SCALAR, Y_MAP, Y_SEQ };

/* A YAML node; a map holds keys and values alternately in kids. */
struct ynode {
    enum ytype type;
    char *s;
    struct ynode *kids;
    size_t n, cap;
    int line, col;
};

static void ynode_release(struct ynode *y)
{
    for (size_t i = 0; i < y->n; i++)
        ynode_release(&y->kids[i]);
    free(y->kids);
    free(y->s);
}

static int perr(const char *file, int line, int col, const char *fmt, ...) NSC_PRINTF(4, 5);

/* Set a "file:line:col: message" parse error. */
static int perr(const char *file, int line, int col, const char *fmt, ...)
{
    struct buf b = BUF_INIT;
    va_list ap;
    int r;

    va_start(ap, fmt);
    buf_vappendf(&b, fmt, ap);
    va_end(ap);
    r = nsc_error_set(NSC_EPARSE, "%s:%d:%d: %s", file, line, col, buf_cstr(&b));
    buf_release(&b);
    return r;
}

/* Parse YAML text into a node tree (one document). */
static int yaml_tree(struct ynode *root, const char *file, const char *text, size_t len)
{
    yaml_parser_t p;
    yaml_event_t ev;
    struct ynode *stack[MAX_YAML_DEEP + 1];
    size_t depth = 0;
    int have_root = 0, done = 0, err = 0;

    memset(root, 0, sizeof(*root));
    if (!yaml_parser_initialize(&p))
        NSC_BUG("yaml_parser_initialize failed");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    while (!done) {
        struct ynode *node = NULL;
        int line, col;

        if (!yaml_parser_parse(&p, &ev)) {
            size_t eline = p.problem_mark.line + 1, ecol = p.problem_mark.column + 1;

            /* the reader (a NUL byte, bad UTF-8) gives an offset, not a mark */
            if (p.error == YAML_READER_ERROR)
                nsc_text_position(text, len, p.problem_offset, &eline, &ecol);
            err = perr(file, (int)eline, (int)ecol, "%s", p.problem ? p.problem : "invalid YAML");
            goto out;
        }
        line = (int)ev.start_mark.line + 1;
        col = (int)ev.start_mark.column + 1;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (have_root) {
                err = perr(file, line, col, "only one YAML document is allowed");
                goto out_ev;
            }
            break;
        case YAML_ALIAS_EVENT:
            err = perr(file, line, col, "YAML aliases are not supported");
            goto out_ev;
        case YAML_SCALAR_EVENT:
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            if (depth == 0) {
                node = root;
                have_root = 1;
            } else {
                struct ynode *parent = stack[depth - 1];

                NSC_GROW(parent->kids, parent->cap, parent->n + 1);
                node = &parent->kids[parent->n++];
                memset(node, 0, sizeof(*node));
            }
            node->line = line;
            node->col = col;
            if (ev.type == YAML_SCALAR_EVENT) {
                node->type = Y_SCALAR;
                node->s = xstrndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
                break;
            }
            node->type = ev.type == YAML_MAPPING_START_EVENT ? Y_MAP : Y_SEQ;
            if (depth >= MAX_YAML_DEEP) {
                err = perr(file, line, col, "nested deeper than %d levels", MAX_YAML_DEEP);
                goto out_ev;
            }
            stack[depth++] = node;
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            if (depth) /* libyaml pairs the events; never let a stray end underflow the stack */
                depth--;
            break;
        default:
            break;
        }
    out_ev:
        yaml_event_delete(&ev);
        if (err < 0)
            goto out;
    }
    if (!have_root)
        err = perr(file, 1, 1, "empty profile");
out:
    yaml_parser_delete(&p);
    if (err < 0) {
        ynode_release(root);
        memset(root, 0, sizeof(*root));
    }
    return err;
}

/* The value of 'key' in map 'm', or NULL. */
static const struct ynode *ymap_get(const struct ynode *m, const char *key)
{
    for (size_t i = 0; i + 1 < m->n; i += 2)
        if (strcmp(m->kids[i].s ? m->kids[i].s : "", key) == 0)
            return &m->kids[i + 1];
    return NULL;
}

static const char *type_name(enum ytype t)
{
    return t == Y_MAP ? "a mapping" : t == Y_SEQ ? "a list" : "a scalar";
}

static int want(const char *file, const struct ynode *y, enum ytype t, const char *what)
{
    if (y->type != t)
        return perr(file, y->line, y->col, "'%s' must be %s, not %s", what, type_name(t),
                    type_name(y->type));
    return 0;
}

/* Every key of map 'm' must be in 'allowed'; keys must be scalars. */
static int check_keys(const char *file, const struct ynode *m, const char *const *allowed,
                      const char *what)
{
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const struct ynode *k = &m->kids[i];
        const char *const *a;

        if (k->type != Y_SCALAR)
            return perr(file, k->line, k->col, "keys of '%s' must be scalars", what);
        if (!allowed)
            continue;
        for (a = allowed; *a; a++)
            if (strcmp(*a, k->s) == 0)
                break;
        if (!*a)
            return perr(file, k->line, k->col, "unknown key '%s' in '%s'", k->s, what);
        for (size_t j = 0; j < i; j += 2)
            if (strcmp(m->kids[j].s, k->s) == 0)
                return perr(file, k->line, k->col, "duplicate key '%s' in '%s'", k->s, what);
    }
    return 0;
}

/* A required (or optional) scalar value of map 'm'. */
static int get_scalar(const char **out, const char *file, const struct ynode *m, const char *key,
                      int required, const char *what)
{
    const struct ynode *v = ymap_get(m, key);

    *out = NULL;
    if (!v) {
        if (required)
            return perr(file, m->line, m->col, "'%s' lacks the key '%s'", what, key);
        return 0;
    }
    if (want(file, v, Y_SCALAR, key) < 0)
        return NSC_EPARSE;
    *out = v->s;
    return 0;
}

static void xpath_release(struct crawler__xpath *xp)
{
    if (xp->comp)
        xmlXPathFreeCompExpr((xmlXPathCompExprPtr)xp->comp);
    free(xp->src);
    memset(xp, 0, sizeof(*xp));
}

static void capture_error(void *ctx, const xmlError *e)
{
    struct buf *b = ctx;

    if (b->len == 0 && e && e->message)
        buf_puts(b, e->message);
}

/* Compile the XPath under 'key' of map 'm' into *xp. */
static int get_xpath(struct crawler__xpath *xp, const char *file, const struct ynode *m,
                     const char *key, int required, const char *what)
{
    const struct ynode *v = ymap_get(m, key);
    struct buf msg = BUF_INIT;
    int err = 0;

    memset(xp, 0, sizeof(*xp));
    if (!v) {
        if (required)
            return perr(file, m->line, m->col, "'%s' lacks the key '%s'", what, key);
        return 0;
    }
    if (want(file, v, Y_SCALAR, key) < 0)
        return NSC_EPARSE;
    xmlInitParser();
    xmlSetStructuredErrorFunc(&msg, (xmlStructuredErrorFunc)capture_error);
    xp->comp = xmlXPathCompile(BAD_CAST v->s);
    xmlSetStructuredErrorFunc(NULL, NULL);
    if (!xp->comp) {
        char *m2 = crawler__text_clean(buf_cstr(&msg), 0);

        err = perr(file, v->line, v->col, "invalid XPath for '%s': '%s'%s%s", key, v->s,
                   m2 ? ": " : "", m2 ? m2 : "");
        free(m2);
        goto out;
    }
    xp->src = xstrdup(v->s);
    xp->file = file;
    xp->line = v->line;
    xp->col = v->col;
out:
    buf_release(&msg);
    return err;
}

/* A map of scalars to scalars into a kv array. */
static int get_kv(struct crawler__kv **out, size_t *n, const char *file, const struct ynode *m,
                  const char *key, int required)
{
    const struct ynode *v = ymap_get(m, key);

    *out = NULL;
    *n = 0;
    if (!v)
        return required ? perr(file, m->line, m->col, "the profile lacks the key '%s'", key) : 0;
    if (want(file, v, Y_MAP, key) < 0 || check_keys(file, v, NULL, key) < 0)
        return NSC_EPARSE;
    *out = xcalloc(v->n / 2 + 1, sizeof(**out));
    for (size_t i = 0; i + 1 < v->n; i += 2) {
        const struct ynode *val = &v->kids[i + 1];

        if (want(file, val, Y_SCALAR, v->kids[i].s) < 0)
            return NSC_EPARSE;
        (*out)[*n].key = xstrdup(v->kids[i].s);
        (*out)[*n].value = xstrdup(val->s);
        (*n)++;
    }
    return 0;
}

static const char *kv_get(const struct crawler__kv *kv, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0)
            return kv[i].value;
    return NULL;
}

static const char *const index_keys[] = { "marker", "item",     "link",
                                          "title",  "authors",  "authors_separator",
                                          "track",  "see_also", NULL };
static const char *const page_keys[] = { "marker", "title",    "authors", "track", "abstract",
                                         "pdf",    "metadata", "doi",     NULL };
static const char *const era_keys[] = { "name", "unescape_twice", "index", "abstract", NULL };
static const char *const top_keys[] = { "site",  "hosts", "urls", "id_pattern", "tracks",
                                        "years", "eras",  "feed", "metadata",   NULL };
/* The keys of "feed" and "metadata", in the order of enum crawler__feed_field
 * and enum crawler__meta_field. */
static const char *const feed_keys[] = { "results",   "count",       "next",
                                         "uid",       "id",          "title",
                                         "paper_url", "decision",    "eventtype",
                                         "authors",   "author_name", "author_institution",
                                         NULL };
static const char *const meta_keys[] = { "title",       "authors",     "given_name",
                                         "family_name", "institution", NULL };
_Static_assert(NSC_ARRAY_SIZE(feed_keys) == CRAWLER__FEED_N + 1, "feed_keys and the enum differ");
_Static_assert(NSC_ARRAY_SIZE(meta_keys) == CRAWLER__META_N + 1, "meta_keys and the enum differ");

static int load_index(struct crawler__index_sel *ix, const char *file, const struct ynode *m)
{
    const char *sep;

    if (want(file, m, Y_MAP, "index") < 0 || check_keys(file, m, index_keys, "index") < 0)
        return NSC_EPARSE;
    if (get_xpath(&ix->marker, file, m, "marker", 1, "index") < 0 ||
        get_xpath(&ix->item, file, m, "item", 1, "index") < 0 ||
        get_xpath(&ix->link, file, m, "link", 1, "index") < 0 ||
        get_xpath(&ix->title, file, m, "title", 1, "index") < 0 ||
        get_xpath(&ix->authors, file, m, "authors", 0, "index") < 0 ||
        get_xpath(&ix->track, file, m, "track", 0, "index") < 0 ||
        get_xpath(&ix->see_also, file, m, "see_also", 0, "index") < 0 ||
        get_scalar(&sep, file, m, "authors_separator", 0, "index") < 0)
        return NSC_EPARSE;
    if (sep && !*sep)
        return perr(file, ymap_get(m, "authors_separator")->line,
                    ymap_get(m, "authors_separator")->col, "'authors_separator' is empty");
    ix->authors_sep = sep ? xstrdup(sep) : NULL;
    return 0;
}

static int load_page(struct crawler__page_sel *pg, const char *file, const struct ynode *m)
{
    if (want(file, m, Y_MAP, "abstract") < 0 || check_keys(file, m, page_keys, "abstract") < 0)
        return NSC_EPARSE;
    if (get_xpath(&pg->marker, file, m, "marker", 1, "abstract") < 0 ||
        get_xpath(&pg->title, file, m, "title", 1, "abstract") < 0 ||
        get_xpath(&pg->authors, file, m, "authors", 0, "abstract") < 0 ||
        get_xpath(&pg->track, file, m, "track", 0, "abstract") < 0 ||
        get_xpath(&pg->abstract, file, m, "abstract", 0, "abstract") < 0 ||
        get_xpath(&pg->pdf, file, m, "pdf", 0, "abstract") < 0 ||
        get_xpath(&pg->metadata, file, m, "metadata", 0, "abstract") < 0 ||
        get_xpath(&pg->doi, file, m, "doi", 0, "abstract") < 0)
        return NSC_EPARSE;
    return 0;
}

static int load_era(struct crawler__era *era, const char *file, const struct ynode *m)
{
    const char *name, *twice;
    const struct ynode *v;

    if (want(file, m, Y_MAP, "eras[]") < 0 || check_keys(file, m, era_keys, "eras[]") < 0 ||
        get_scalar(&name, file, m, "name", 1, "eras[]") < 0 ||
        get_scalar(&twice, file, m, "unescape_twice", 0, "eras[]") < 0)
        return NSC_EPARSE;
    era->name = xstrdup(name);
    if (twice) {
        if (strcmp(twice, "true") != 0 && strcmp(twice, "false") != 0) {
            v = ymap_get(m, "unescape_twice");
            return perr(file, v->line, v->col, "'unescape_twice' must be true or false");
        }
        era->unescape_twice = strcmp(twice, "true") == 0;
    }
    if ((v = ymap_get(m, "index"))) {
        era->has_index = 1;
        if (load_index(&era->index, file, v) < 0)
            return NSC_EPARSE;
    }
    if ((v = ymap_get(m, "abstract"))) {
        era->has_abstract = 1;
        if (load_page(&era->page, file, v) < 0)
            return NSC_EPARSE;
    }
    if (!era->has_index && !era->has_abstract)
        return perr(file, m->line, m->col, "era '%s' has neither 'index' nor 'abstract'", name);
    return 0;
}

static int load_years(struct crawler_profile *prof, const char *file, const struct ynode *m)
{
    static const char *const names[] = { "proceedings", "metadata", "virtual", "datasets" };

    if (want(file, m, Y_MAP, "years") < 0 || check_keys(file, m, NULL, "years") < 0)
        return NSC_EPARSE;
    prof->years = xcalloc(m->n / 2 + 1, sizeof(*prof->years));
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        const struct ynode *k = &m->kids[i], *v = &m->kids[i + 1];
        struct crawler__year *y = &prof->years[prof->nyears];
        char *end;
        long year;

        errno = 0;
        year = strtol(k->s, &end, 10);
        if (errno || *end || end == k->s || year < 1987 || year > 2100)
            return perr(file, k->line, k->col, "'%s' is not a year", k->s);
        if (want(file, v, Y_SEQ, k->s) < 0)
            return NSC_EPARSE;
        y->year = (int)year;
        for (size_t j = 0; j < v->n; j++) {
            const struct ynode *s = &v->kids[j];
            size_t t;

            if (want(file, s, Y_SCALAR, "source") < 0)
                return NSC_EPARSE;
            for (t = 0; t < NSC_ARRAY_SIZE(names); t++)
                if (strcmp(s->s, names[t]) == 0)
                    break;
            if (t == NSC_ARRAY_SIZE(names))
                return perr(file, s->line, s->col,
                            "unknown source '%s' (proceedings, metadata, virtual, datasets)", s->s);
            y->sources |= 1u << t;
        }
        prof->nyears++;
    }
    return 0;
}

/*
 * A map of JSON field names ("feed", "metadata") into 'names': every key of
 * 'keys' is required and its value a non-empty scalar, so the site's field
 * names are all in the profile and none is a default in C.
 */
static int load_fields(char **names, const char *file, const struct ynode *m,
                       const char *const *keys, const char *what)
{
    if (want(file, m, Y_MAP, what) < 0 || check_keys(file, m, keys, what) < 0)
        return NSC_EPARSE;
    for (size_t i = 0; keys[i]; i++) {
        const char *v;

        if (get_scalar(&v, file, m, keys[i], 1, what) < 0)
            return NSC_EPARSE;
        if (!*v) {
            const struct ynode *y = ymap_get(m, keys[i]);

            return perr(file, y->line, y->col, "'%s' in '%s' is empty", keys[i], what);
        }
        names[i] = xstrdup(v);
    }
    return 0;
}

/* The "feed" and "metadata" maps; each is required when a year lists its source. */
static int load_json_fields(struct crawler_profile *prof, const char *file,
                            const struct ynode *root)
{
    unsigned any = 0;
    const struct ynode *v;

    for (size_t i = 0; i < prof->nyears; i++)
        any |= prof->years[i].sources;
    if ((v = ymap_get(root, "feed"))) {
        if (load_fields(prof->feed, file, v, feed_keys, "feed") < 0)
            return NSC_EPARSE;
        prof->has_feed = 1;
    } else if (any & CRAWLER_SRC_VIRTUAL) {
        return perr(file, root->line, root->col,
                    "the profile lacks the key 'feed' (a year lists the source 'virtual')");
    }
    if ((v = ymap_get(root, "metadata"))) {
        if (load_fields(prof->meta, file, v, meta_keys, "metadata") < 0)
            return NSC_EPARSE;
        prof->has_meta = 1;
    } else if (any & CRAWLER_SRC_METADATA) {
        return perr(file, root->line, root->col,
                    "the profile lacks the key 'metadata' (a year lists the source 'metadata')");
    }
    return 0;
}

/* Check that every {placeholder} of a URL template is known. */
static int check_template(const struct crawler_profile *prof, const char *file,
                          const struct ynode *v)
{
    const char *s = v->s;

    while ((s = strchr(s, '{'))) {
        const char *e = strchr(s, '}');
        char *name;
        int ok;

        if (!e)
            return perr(file, v->line, v->col, "unclosed '{' in '%s'", v->s);
        name = xstrndup(s + 1, (size_t)(e - s - 1));
        ok = strcmp(name, "year") == 0 || strcmp(name, "id") == 0 ||
             kv_get(prof->hosts, prof->nhosts, name);
        if (!ok) {
            int r = perr(file, v->line, v->col, "unknown placeholder '{%s}' in '%s'", name, v->s);

            free(name);
            return r;
        }
        free(name);
        s = e + 1;
    }
    return 0;
}

/*
 * 1 if a regex quantifier follows another ("s++", "a*{2}"): undefined in
 * POSIX EREs, and glibc's regcomp() takes exponential memory on long runs.
 */
static int stacked_quantifiers(const char *re)
{
    int prev_quant = 0;

    for (const char *p = re; *p; p++) {
        int quant = *p == '*' || *p == '+' || *p == '?' || *p == '{';

        if (*p == '\\' && p[1]) {
            p++;
            prev_quant = 0;
            continue;
        }
        if (*p == '[') { /* a bracket expression: its characters are literal */
            p += p[1] == ']' ? 2 : 1;
            while (*p && *p != ']')
                p++;
            if (!*p)
                return 0;
            prev_quant = 0;
            continue;
        }
        if (quant && prev_quant)
            return 1;
        if (*p == '{') {
            while (*p && *p != '}')
                p++;
            if (!*p)
                return 0;
        }
        prev_quant = quant;
    }
    return 0;
}

static int load_tree(struct crawler_profile *prof, const char *file, const struct ynode *root)
{
    const struct ynode *v;
    const char *site, *pat;
    int rc;

    if (want(file, root, Y_MAP, "profile") < 0 || check_keys(file, root, top_keys, "profile") < 0)
        return NSC_EPARSE;
    if (get_scalar(&site, file, root, "site", 1, "profile") < 0 ||
        get_kv(&prof->hosts, &prof->nhosts, file, root, "hosts", 1) < 0 ||
        get_kv(&prof->urls, &prof->nurls, file, root, "urls", 1) < 0 ||
        get_kv(&prof->tracks, &prof->ntracks, file, root, "tracks", 0) < 0 ||
        get_scalar(&pat, file, root, "id_pattern", 1, "profile") < 0)
        return NSC_EPARSE;
    prof->site = xstrdup(site);
    v = ymap_get(root, "urls");
    for (size_t i = 0; i + 1 < v->n; i += 2)
        if (check_template(prof, file, &v->kids[i + 1]) < 0)
            return NSC_EPARSE;
    v = ymap_get(root, "id_pattern");
    /* get_scalar(required) set pat or failed above; the analyzer loses that in perr's va_list */
    if (strlen(pat) > 256 || stacked_quantifiers(pat)) /* NOLINT(clang-analyzer-core.NonNull*) */
        return perr(file, v->line, v->col,
                    "'id_pattern' is over 256 characters or stacks quantifiers ('+*', '++')");
    prof->id_re = xcalloc(1, sizeof(regex_t));
    rc = regcomp(prof->id_re, pat, REG_EXTENDED);
    if (rc != 0) {
        free(prof->id_re);
        prof->id_re = NULL;
        return perr(file, v->line, v->col, "invalid regular expression '%s'", pat);
    }
    if (((regex_t *)prof->id_re)->re_nsub < 1)
        return perr(file, v->line, v->col, "'id_pattern' needs one (group) for the id");
    if (!(v = ymap_get(root, "years")))
        return perr(file, root->line, root->col, "the profile lacks the key 'years'");
    if (load_years(prof, file, v) < 0 || load_json_fields(prof, file, root) < 0)
        return NSC_EPARSE;
    if (!(v = ymap_get(root, "eras")))
        return perr(file, root->line, root->col, "the profile lacks the key 'eras'");
    if (want(file, v, Y_SEQ, "eras") < 0)
        return NSC_EPARSE;
    if (v->n == 0)
        return perr(file, v->line, v->col, "'eras' is empty");
    prof->eras = xcalloc(v->n, sizeof(*prof->eras));
    for (size_t i = 0; i < v->n; i++) {
        prof->neras++;
        if (load_era(&prof->eras[i], file, &v->kids[i]) < 0)
            return NSC_EPARSE;
    }
    return 0;
}

int crawler_profile_parse(struct crawler_profile **out, const char *name, const char *text,
                          size_t len)
{
    struct crawler_profile *prof = xcalloc(1, sizeof(*prof));
    struct ynode root;
    int err;

    *out = NULL;
    prof->file = xstrdup(name);
    prof->text = xmalloc(len + 1);
    memcpy(prof->text, text, len);
    prof->text[len] = '\0';
    prof->text_len = len;
    err = yaml_tree(&root, name, text, len);
    if (err < 0)
        goto out;
    err = load_tree(prof, prof->file, &root); /* the selectors keep prof->file */
    ynode_release(&root);
    if (err < 0)
        goto out;
    *out = prof;
    prof = NULL;
out:
    crawler_profile_free(prof);
    return err;
}

int crawler_profile_load(struct crawler_profile **out, const char *path)
{
    struct buf b = BUF_INIT;
    int err;

    *out = NULL;
    err = nsc_file_read(&b, path, MAX_PROFILE);
    if (err == 0)
        err = crawler_profile_parse(out, path, buf_cstr(&b), b.len);
    buf_release(&b);
    return err;
}

static void kv_free(struct crawler__kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].value);
    }
    free(kv);
}

void crawler_profile_free(struct crawler_profile *prof)
{
    if (!prof)
        return;
    free(prof->text);
    for (size_t i = 0; i < prof->neras; i++) {
        struct crawler__era *e = &prof->eras[i];
        struct crawler__xpath *ix[] = { &e->index.marker,   &e->index.item,    &e->index.link,
                                        &e->index.title,    &e->index.authors, &e->index.track,
                                        &e->index.see_also, &e->page.marker,   &e->page.title,
                                        &e->page.authors,   &e->page.track,    &e->page.abstract,
                                        &e->page.pdf,       &e->page.metadata, &e->page.doi };

        for (size_t j = 0; j < NSC_ARRAY_SIZE(ix); j++)
            xpath_release(ix[j]);
        free(e->index.authors_sep);
        free(e->name);
    }
    free(prof->eras);
    kv_free(prof->hosts, prof->nhosts);
    kv_free(prof->urls, prof->nurls);
    kv_free(prof->tracks, prof->ntracks);
    if (prof->id_re) {
        regfree(prof->id_re);
        free(prof->id_re);
    }
    for (size_t i = 0; i < CRAWLER__FEED_N; i++)
        free(prof->feed[i]);
    for (size_t i = 0; i < CRAWLER__META_N; i++)
        free(prof->meta[i]);
    free(prof->years);
    free(prof->site);
    free(prof->file);
    free(prof);
}

unsigned crawler_profile_year_sources(const struct crawler_profile *prof, int year)
{
    for (size_t i = 0; i < prof->nyears; i++)
        if (prof->years[i].year == year)
            return prof->years[i].sources;
    return 0;
}

int crawler_profile_set_host(struct crawler_profile *prof, const char *name, const char *base)
{
    for (size_t i = 0; i < prof->nhosts; i++) {
        if (strcmp(prof->hosts[i].key, name) == 0) {
            size_t n = strlen(base);

            while (n > 0 && base[n - 1] == '/')
                n--;
            free(prof->hosts[i].value);
            prof->hosts[i].value = xstrndup(base, n);
            return 0;
        }
    }
    return nsc_error_set(NSC_ENOTFOUND, "%s: no host '%s' in the profile", prof->file, name);
}

int crawler_profile_url(char **out, const struct crawler_profile *prof, const char *name, int year,
                        const char *id)
{
    const char *t = kv_get(prof->urls, prof->nurls, name);
    struct buf b = BUF_INIT;

    *out = NULL;
    if (!t)
        return nsc_error_set(NSC_ENOTFOUND, "%s: no URL template '%s'", prof->file, name);
    while (*t) {
        const char *e;
        const char *host;
        char *ph;

        if (*t != '{' || !(e = strchr(t, '}'))) {
            buf_putc(&b, *t++);
            continue;
        }
        ph = xstrndup(t + 1, (size_t)(e - t - 1));
        if (strcmp(ph, "year") == 0) {
            buf_appendf(&b, "%d", year);
        } else if (strcmp(ph, "id") == 0 && id) {
            buf_puts(&b, id);
        } else if ((host = kv_get(prof->hosts, prof->nhosts, ph))) {
            buf_puts(&b, host);
        } else {
            int r = nsc_error_set(NSC_EINVAL, "%s: URL template '%s' needs '{%s}'", prof->file,
                                  name, ph);

            free(ph);
            buf_release(&b);
            return r;
        }
        free(ph);
        t = e + 1;
    }
    *out = buf_detach(&b, NULL);
    return 0;
}

const char *crawler__profile_track(const struct crawler_profile *prof, const char *raw)
{
    const char *v;

    if (!raw)
        return NULL;
    v = kv_get(prof->tracks, prof->ntracks, raw);
    return v ? v : raw;
}

char *crawler__profile_id(const struct crawler_profile *prof, const char *url)
{
    regmatch_t m[2];

    if (!url || !prof->id_re || regexec(prof->id_re, url, 2, m, 0) != 0 || m[1].rm_so < 0)
        return NULL;
    return xstrndup(url + m[1].rm_so, (size_t)(m[1].rm_eo - m[1].rm_so));
}
