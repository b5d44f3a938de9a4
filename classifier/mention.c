/*
 * mention.c - the model-mention scanner: rules/models.yaml patterns found as
 * whole words with one Aho-Corasick pass over a folded copy of the text.
 *
 * Folding: ASCII letters become lower case and every run of ' ', '-', '_'
 * becomes one ' ', in patterns and text alike, so "Llama-2" and "llama 2"
 * meet in one automaton state.  A candidate found in the folded text is then
 * checked against the original: word boundaries on both sides and, for a
 * case-sensitive model, the exact case of the pattern.
 */
#include "classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_MODELS_FILE (4u << 20)

struct model {
    char *id;
    char *name;
    char *family; /* as written; resolved into family_idx */
    size_t family_idx;
    int sensitive;
};

/* A pattern or an exclude phrase of one model. */
struct pat {
    char *text; /* as written (trimmed) */
    size_t model;
    int exclude;
    size_t flen;      /* length of the folded form */
    size_t next_same; /* next pattern ending in the same state, or NONE */
};

#define NONE ((size_t)-1)

struct node {
    uint32_t next[256];
    uint32_t fail;
    uint32_t dict; /* nearest suffix state with an output, or 0 */
    size_t out;    /* first pattern ending here, or NONE */
};

struct mention_models {
    struct model *models;
    size_t n_models, models_cap;
    struct pat *pats;
    size_t n_pats, pats_cap;
    struct node *nodes;
    size_t n_nodes, nodes_cap;
};

static int is_sep(unsigned char c)
{
    return c == ' ' || c == '-' || c == '_';
}

static unsigned char fold(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static int is_ascii_word(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The code point starting at s[i] (len bytes total); -1 if invalid. */
static long decode_at(const unsigned char *s, size_t len, size_t i)
{
    size_t n;

    return nsc_utf8_decode((const char *)s + i, len - i, &n);
}

/* 1 if the code point is a letter or digit for word boundaries. */
static int cp_is_word(long cp)
{
    if (cp < 0)
        return 0;
    if (cp < 0x80)
        return is_ascii_word((unsigned char)cp);
    /* Latin-1 letters and Latin Extended-A/B, minus the two operators. */
    return cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7;
}

/* 1 if the character ending just before byte 'i' is a word character. */
static int word_before(const unsigned char *s, size_t len, size_t i)
{
    size_t j, clen;
    long cp;

    if (i == 0)
        return 0;
    j = i - 1;
    while (j > 0 && (s[j] & 0xC0) == 0x80 && i - j < 4)
        j--;
    cp = decode_at(s, len, j);
    clen = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (cp < 0 || j + clen != i)
        return 0; /* a stray byte: not a letter */
    return cp_is_word(cp);
}

/* ---- loading ----------------------------------------------------------- */

struct loader {
    const char *path;
    struct buf *diag;
    struct buf first;
    size_t n_errors;
};

static void problem(struct loader *L, const yaml_mark_t *mk, const char *fmt, ...) NSC_PRINTF(3, 4);

static void problem(struct loader *L, const yaml_mark_t *mk, const char *fmt, ...)
{
    struct buf line = BUF_INIT;
    va_list ap;

    buf_appendf(&line, "%s:%zu:%zu: ", L->path, mk->line + 1, mk->column + 1);
    va_start(ap, fmt);
    buf_vappendf(&line, fmt, ap);
    va_end(ap);
    if (L->diag)
        buf_appendf(L->diag, "%s\n", buf_cstr(&line));
    if (L->n_errors++ == 0)
        buf_puts(&L->first, buf_cstr(&line));
    buf_release(&line);
}

static const char *scalar(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* Trim leading and trailing separators and white space. */
static char *trimmed(const char *s)
{
    size_t a = 0, b = strlen(s);

    while (a < b && (is_sep((unsigned char)s[a]) || s[a] == '\t'))
        a++;
    while (b > a && (is_sep((unsigned char)s[b - 1]) || s[b - 1] == '\t'))
        b--;
    return xstrndup(s + a, b - a);
}

static void add_pattern(struct mention_models *m, struct loader *L, yaml_node_t *n, size_t model,
                        int exclude)
{
    const char *s = scalar(n);
    struct pat *p;

    if (!s) {
        problem(L, &n->start_mark, "a pattern must be a string");
        return;
    }
    if (!*s || is_sep((unsigned char)s[0]) || is_sep((unsigned char)s[strlen(s) - 1])) {
        problem(L, &n->start_mark, "pattern '%s' is empty or starts or ends with a separator", s);
        return;
    }
    if (!nsc_utf8_valid(s, strlen(s))) {
        problem(L, &n->start_mark, "pattern is not valid UTF-8");
        return;
    }
    NSC_GROW(m->pats, m->pats_cap, m->n_pats + 1);
    p = &m->pats[m->n_pats++];
    memset(p, 0, sizeof(*p));
    p->text = trimmed(s);
    p->model = model;
    p->exclude = exclude;
    p->next_same = NONE;
}

static void patterns(struct mention_models *m, struct loader *L, yaml_document_t *doc,
                     yaml_node_t *v, size_t model, int exclude)
{
    yaml_node_item_t *it;

    if (v->type != YAML_SEQUENCE_NODE) {
        problem(L, &v->start_mark, "'%s' must be a list of strings",
                exclude ? "exclude" : "patterns");
        return;
    }
    if (!exclude && v->data.sequence.items.start == v->data.sequence.items.top)
        problem(L, &v->start_mark, "'patterns' is empty");
    for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
        add_pattern(m, L, yaml_document_get_node(doc, *it), model, exclude);
}

static void load_model(struct mention_models *m, struct loader *L, yaml_document_t *doc,
                       yaml_node_t *n)
{
    struct model *md;
    size_t idx = m->n_models;
    int have_case = 0, have_patterns = 0;

    if (n->type != YAML_MAPPING_NODE) {
        problem(L, &n->start_mark, "a model must be a mapping");
        return;
    }
    NSC_GROW(m->models, m->models_cap, m->n_models + 1);
    md = &m->models[m->n_models++];
    memset(md, 0, sizeof(*md));
    md->family_idx = NONE;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key);
        yaml_node_t *v = yaml_document_get_node(doc, p->value);
        const char *key = scalar(k), *val = scalar(v);

        if (!key) {
            problem(L, &k->start_mark, "a key must be a string");
        } else if (!strcmp(key, "id") || !strcmp(key, "name") || !strcmp(key, "family")) {
            char **dst = key[0] == 'i' ? &md->id : key[0] == 'n' ? &md->name : &md->family;

            if (!val || !*val)
                problem(L, &v->start_mark, "'%s' must be a non-empty string", key);
            else if (*dst)
                problem(L, &k->start_mark, "'%s' given twice", key);
            else
                *dst = xstrdup(val);
        } else if (!strcmp(key, "case")) {
            have_case = 1;
            if (val && !strcmp(val, "sensitive"))
                md->sensitive = 1;
            else if (!val || strcmp(val, "insensitive"))
                problem(L, &v->start_mark, "'case' must be 'sensitive' or 'insensitive'");
        } else if (!strcmp(key, "patterns")) {
            have_patterns = 1;
            patterns(m, L, doc, v, idx, 0);
        } else if (!strcmp(key, "exclude")) {
            patterns(m, L, doc, v, idx, 1);
        } else {
            problem(L, &k->start_mark, "unknown key '%s'", key);
        }
    }
    if (!md->id)
        problem(L, &n->start_mark, "model has no 'id'");
    if (!have_case)
        problem(L, &n->start_mark, "model '%s' has no 'case'", md->id ? md->id : "?");
    if (!have_patterns)
        problem(L, &n->start_mark, "model '%s' has no 'patterns'", md->id ? md->id : "?");
    if (md->id) {
        for (size_t i = 0; i < idx; i++) {
            if (m->models[i].id && !strcmp(m->models[i].id, md->id))
                problem(L, &n->start_mark, "duplicate model id '%s'", md->id);
        }
    }
}

/* Resolve each member's family; a family must be a model that has none itself. */
static void resolve_families(struct mention_models *m, struct loader *L, yaml_node_t **nodes)
{
    for (size_t i = 0; i < m->n_models; i++) {
        struct model *md = &m->models[i];

        if (!md->family)
            continue;
        for (size_t j = 0; j < m->n_models; j++) {
            if (m->models[j].id && !strcmp(m->models[j].id, md->family))
                md->family_idx = j;
        }
        if (md->family_idx == NONE)
            problem(L, &nodes[i]->start_mark, "family '%s' of '%s' is not a model", md->family,
                    md->id ? md->id : "?");
        else if (m->models[md->family_idx].family || md->family_idx == i)
            problem(L, &nodes[i]->start_mark, "family '%s' of '%s' is itself a member", md->family,
                    md->id ? md->id : "?");
    }
}

static size_t new_node(struct mention_models *m)
{
    NSC_GROW(m->nodes, m->nodes_cap, m->n_nodes + 1);
    memset(&m->nodes[m->n_nodes], 0, sizeof(m->nodes[0]));
    m->nodes[m->n_nodes].out = NONE;
    return m->n_nodes++;
}

/* Build the trie of folded patterns, then the failure and dictionary links. */
static void build_automaton(struct mention_models *m)
{
    uint32_t *queue;
    size_t head = 0, tail = 0;

    new_node(m);
    for (size_t i = 0; i < m->n_pats; i++) {
        const unsigned char *s = (const unsigned char *)m->pats[i].text;
        size_t state = 0, flen = 0;

        for (size_t k = 0; s[k]; k++) {
            unsigned char c = fold(s[k]);

            if (is_sep(c)) {
                if (k > 0 && is_sep(s[k - 1]))
                    continue;
                c = ' ';
            }
            if (!m->nodes[state].next[c]) {
                size_t nn = new_node(m);
                m->nodes[state].next[c] = (uint32_t)nn;
            }
            state = m->nodes[state].next[c];
            flen++;
        }
        m->pats[i].flen = flen;
        m->pats[i].next_same = m->nodes[state].out;
        m->nodes[state].out = i;
    }
    queue = xcalloc(m->n_nodes, sizeof(*queue));
    for (int c = 0; c < 256; c++) {
        uint32_t child = m->nodes[0].next[c];
        if (child)
            queue[tail++] = child;
    }
    while (head < tail) {
        uint32_t u = queue[head++];

        for (int c = 0; c < 256; c++) {
            uint32_t v = m->nodes[u].next[c];
            uint32_t f = m->nodes[m->nodes[u].fail].next[c];

            if (!v) {
                m->nodes[u].next[c] = f; /* goto function completed */
                continue;
            }
            m->nodes[v].fail = f;
            m->nodes[v].dict = m->nodes[f].out != NONE ? f : m->nodes[f].dict;
            queue[tail++] = v;
        }
    }
    free(queue);
}

#define MAX_YAML_DEPTH 64

/*
 * A first pass over the events: one document only (libyaml's loader reads
 * the first and ignores the rest, which would half-load the file) and no
 * nesting past MAX_YAML_DEPTH (the loader's time grows with its square).
 * Returns 1, or 0 after reporting the problem.
 */
static int stream_ok(struct loader *L, const struct buf *text)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    int ok = 1, docs = 0, depth = 0;

    if (!yaml_parser_initialize(&parser))
        NSC_BUG("yaml_parser_initialize");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text->ptr, text->len);
    for (;;) {
        if (!yaml_parser_parse(&parser, &ev)) {
            yaml_mark_t mk = parser.problem_mark;

            /* the reader (a NUL byte, bad UTF-8) gives an offset, not a mark */
            if (parser.error == YAML_READER_ERROR) {
                nsc_text_position(text->ptr, text->len, parser.problem_offset, &mk.line,
                                  &mk.column);
                mk.line--;
                mk.column--;
            }
            problem(L, &mk, "%s", parser.problem ? parser.problem : "bad YAML");
            ok = 0;
            break;
        }
        if (ev.type == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
            problem(L, &ev.start_mark, "only one YAML document is allowed");
            ok = 0;
        } else if ((ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) &&
                   ++depth > MAX_YAML_DEPTH) {
            problem(L, &ev.start_mark, "nested deeper than %d levels", MAX_YAML_DEPTH);
            ok = 0;
        } else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
            depth--;
        }
        if (!ok || ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return ok;
}

int mention_models_load(struct mention_models **out, const char *path, struct buf *diag)
{
    struct mention_models *m = xcalloc(1, sizeof(*m));
    struct loader L = { path, diag, BUF_INIT, 0 };
    struct buf text = BUF_INIT;
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_node_t *root, **mnodes = NULL;
    int have_parser = 0, have_doc = 0;
    int err;

    *out = NULL;
    err = nsc_file_read(&text, path, MAX_MODELS_FILE);
    if (err < 0)
        goto cleanup;
    if (!stream_ok(&L, &text))
        goto done;
    if (!yaml_parser_initialize(&parser))
        NSC_BUG("yaml_parser_initialize");
    have_parser = 1;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text.ptr, text.len);
    if (!yaml_parser_load(&parser, &doc)) {
        yaml_mark_t mk = parser.problem_mark;
        problem(&L, &mk, "%s", parser.problem ? parser.problem : "bad YAML");
        goto done;
    }
    have_doc = 1;
    root = yaml_document_get_root_node(&doc);
    if (!root) {
        yaml_mark_t mk = { 0, 0, 0 };
        problem(&L, &mk, "empty file: expected a mapping with 'models'");
        goto done;
    }
    if (root->type != YAML_MAPPING_NODE) {
        problem(&L, &root->start_mark, "expected a mapping with 'models'");
        goto done;
    }
    {
        yaml_node_t *list = NULL;

        for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = yaml_document_get_node(&doc, p->key);
            const char *key = scalar(k);

            if (key && !strcmp(key, "models"))
                list = yaml_document_get_node(&doc, p->value);
            else if (!key || strcmp(key, "version"))
                problem(&L, &k->start_mark, "unknown top-level key '%s'", key ? key : "?");
        }
        if (!list) {
            problem(&L, &root->start_mark, "no 'models' list");
            goto done;
        }
        if (list->type != YAML_SEQUENCE_NODE) {
            problem(&L, &list->start_mark, "'models' must be a list");
            goto done;
        }
        mnodes =
            xcalloc((size_t)(list->data.sequence.items.top - list->data.sequence.items.start) + 1,
                    /* NOLINTNEXTLINE(bugprone-sizeof-expression): array of pointers, as meant */
                    sizeof(*mnodes));
        for (yaml_node_item_t *it = list->data.sequence.items.start;
             it < list->data.sequence.items.top; it++) {
            yaml_node_t *n = yaml_document_get_node(&doc, *it);
            size_t before = m->n_models;

            load_model(m, &L, &doc, n);
            if (m->n_models > before)
                mnodes[before] = n;
        }
        resolve_families(m, &L, mnodes);
    }
done:
    if (L.n_errors) {
        if (L.n_errors > 1)
            err = nsc_error_set(NSC_EPARSE, "%s (and %zu more errors)", buf_cstr(&L.first),
                                L.n_errors - 1);
        else
            err = nsc_error_set(NSC_EPARSE, "%s", buf_cstr(&L.first));
        goto cleanup;
    }
    build_automaton(m);
    *out = m;
    m = NULL;
cleanup:
    free(mnodes);
    if (have_doc)
        yaml_document_delete(&doc);
    if (have_parser)
        yaml_parser_delete(&parser);
    mention_models_free(m);
    buf_release(&L.first);
    buf_release(&text);
    return err;
}

void mention_models_free(struct mention_models *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_models; i++) {
        free(m->models[i].id);
        free(m->models[i].name);
        free(m->models[i].family);
    }
    for (size_t i = 0; i < m->n_pats; i++)
        free(m->pats[i].text);
    free(m->models);
    free(m->pats);
    free(m->nodes);
    free(m);
}

size_t mention_models_count(const struct mention_models *m)
{
    return m->n_models;
}

static const struct model *find_model(const struct mention_models *m, const char *id)
{
    for (size_t i = 0; i < m->n_models; i++) {
        if (!strcmp(m->models[i].id, id))
            return &m->models[i];
    }
    return NULL;
}

const char *mention_model_family(const struct mention_models *m, const char *id)
{
    const struct model *md = find_model(m, id);

    if (!md)
        return NULL;
    return md->family_idx != NONE ? m->models[md->family_idx].id : md->id;
}

const char *mention_model_name(const struct mention_models *m, const char *id)
{
    const struct model *md = find_model(m, id);

    return md ? (md->name ? md->name : md->id) : NULL;
}

/* ---- scanning ---------------------------------------------------------- */

/* A candidate: pattern 'pat' at original bytes [start, end). */
struct cand {
    size_t start, end, pat;
};

/* 1 if text[start, end) equals the pattern exactly, separator runs aside. */
static int same_case(const char *pattern, const unsigned char *t, size_t start, size_t end)
{
    const unsigned char *p = (const unsigned char *)pattern;
    size_t i = start;

    while (*p && i < end) {
        if (is_sep(*p)) {
            if (!is_sep(t[i]))
                return 0;
            while (is_sep(*p))
                p++;
            while (i < end && is_sep(t[i]))
                i++;
            continue;
        }
        if (*p != t[i])
            return 0;
        p++;
        i++;
    }
    return !*p && i == end;
}

/* 1 if a word ends at 'end': no word character follows, and no ".<digit>" after a digit. */
static int word_ends(const unsigned char *t, size_t len, size_t end)
{
    long cp;

    if (end >= len)
        return 1;
    if (t[end] == '.' && end + 1 < len && t[end + 1] >= '0' && t[end + 1] <= '9' && end > 0 &&
        t[end - 1] >= '0' && t[end - 1] <= '9')
        return 0;
    cp = decode_at(t, len, end);
    return !cp_is_word(cp);
}

static int word_starts(const unsigned char *t, size_t len, size_t start)
{
    if (start > 1 && t[start - 1] == '.' && t[start - 2] >= '0' && t[start - 2] <= '9' &&
        t[start] >= '0' && t[start] <= '9')
        return 0;
    return !word_before(t, len, start);
}

static int cand_cmp(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;

    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1; /* longer first */
    return x->pat < y->pat ? -1 : x->pat > y->pat;
}

void mention_scan(const struct mention_models *m, const char *text, size_t len, const char *field,
                  struct mention_list *out)
{
    const unsigned char *t = (const unsigned char *)text;
    size_t *orig = xcalloc(len + 1, sizeof(*orig));
    struct cand *cands = NULL, *excl = NULL;
    size_t n_cands = 0, cands_cap = 0, n_excl = 0, excl_cap = 0;
    size_t state = 0, fl = 0, last_end = 0;
    int picked = 0;

    /* Fold on the fly: 'fl' counts folded bytes, orig[] maps them back. */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = fold(t[i]);

        if (is_sep(c)) {
            if (i > 0 && is_sep(t[i - 1]))
                continue;
            c = ' ';
        }
        orig[fl++] = i;
        state = m->nodes[state].next[c];
        for (size_t s = m->nodes[state].out != NONE ? state : m->nodes[state].dict; s;
             s = m->nodes[s].dict) {
            for (size_t pi = m->nodes[s].out; pi != NONE; pi = m->pats[pi].next_same) {
                const struct pat *p = &m->pats[pi];
                size_t start = orig[fl - p->flen], end = i + 1;
                struct cand cd;

                if (!word_starts(t, len, start) || !word_ends(t, len, end))
                    continue;
                if (m->models[p->model].sensitive && !same_case(p->text, t, start, end))
                    continue;
                cd.start = start;
                cd.end = end;
                cd.pat = pi;
                if (p->exclude) {
                    NSC_GROW(excl, excl_cap, n_excl + 1);
                    excl[n_excl++] = cd;
                } else {
                    NSC_GROW(cands, cands_cap, n_cands + 1);
                    cands[n_cands++] = cd;
                }
            }
        }
    }
    if (n_cands)
        qsort(cands, n_cands, sizeof(*cands), cand_cmp);
    for (size_t i = 0; i < n_cands; i++) {
        const struct cand *cd = &cands[i];
        const struct pat *p = &m->pats[cd->pat];
        const struct model *md = &m->models[p->model];
        int cancelled = 0;
        struct mention *mt;

        /* An exclude of the same model covering the match cancels it. */
        for (size_t k = 0; k < n_excl && !cancelled; k++) {
            cancelled = m->pats[excl[k].pat].model == p->model && excl[k].start <= cd->start &&
                        excl[k].end >= cd->end;
        }
        if (cancelled || (picked && cd->start < last_end))
            continue;
        /* Same span from a family and a member: the member is more specific. */
        for (size_t k = i + 1;
             k < n_cands && cands[k].start == cd->start && cands[k].end == cd->end; k++) {
            const struct model *o = &m->models[m->pats[cands[k].pat].model];
            if (o->family_idx != NONE && md->family_idx == NONE)
                md = o;
        }
        NSC_GROW(out->items, out->cap, out->n + 1);
        mt = &out->items[out->n++];
        mt->model = md->id;
        mt->family = md->family_idx != NONE ? m->models[md->family_idx].id : md->id;
        mt->field = field;
        mt->offset = cd->start;
        mt->len = cd->end - cd->start;
        mt->text = text + cd->start;
        last_end = cd->end;
        picked = 1;
    }
    free(cands);
    free(excl);
    free(orig);
}

void mention_list_release(struct mention_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

/* ---- tallies ----------------------------------------------------------- */

void mention_tally_add(struct mention_tally *t, const struct mention_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct mention *mt = &l->items[i];
        struct mention_tally_item *it = NULL;
        size_t lo = 0, hi = t->n, w;

        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            int c = strcmp(t->items[mid].model, mt->model);

            if (c == 0) {
                it = &t->items[mid];
                break;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (!it) {
            NSC_GROW(t->items, t->cap, t->n + 1);
            memmove(&t->items[lo + 1], &t->items[lo], (t->n - lo) * sizeof(*t->items));
            t->n++;
            it = &t->items[lo];
            memset(it, 0, sizeof(*it));
            it->model = mt->model;
        }
        it->count++;
        /* Insert the field in sorted position unless present. */
        for (w = 0; w < it->n_where && strcmp(it->where[w], mt->field) < 0; w++)
            ;
        if (w < it->n_where && !strcmp(it->where[w], mt->field))
            continue;
        if (it->n_where == NSC_ARRAY_SIZE(it->where))
            continue;
        memmove(&it->where[w + 1], &it->where[w], (it->n_where - w) * sizeof(it->where[0]));
        it->where[w] = mt->field;
        it->n_where++;
    }
}

void mention_tally_release(struct mention_tally *t)
{
    free(t->items);
    t->items = NULL;
    t->n = t->cap = 0;
}
