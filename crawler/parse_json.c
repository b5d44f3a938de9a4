/*
 * parse_json.c - the two JSON sources of affiliations: a paper's
 * -Metadata.json on the proceedings (<= 2021) and the virtual site's
 * orals-posters feed (2020+).  jansson parses; every wrong type or missing
 * field is an error that names the record, never a crash.
 *
 * Which field holds what is the site profile's "feed" and "metadata" maps
 * (rules/sites/neurips.yaml): a renamed field is an edit of the profile.
 *
 * A feed can be large (the real 2025 one is tens of MB), so the file form
 * is read through json_load_callback() with a byte cap: past the cap the
 * read stops and the parse fails, so a 1 GB file is never read whole.
 * jansson itself still builds the tree of what it read; the cap bounds it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "crawler_int.h"

/* A cleaned copy of 's' (entity-decoded if 'decode'); NULL when empty. */
static char *clean(const char *s, int decode)
{
    return s ? crawler__text_clean(s, decode) : NULL;
}

/*
 * Fetch an optional string member: absent or null gives NULL, a string its
 * cleaned value; any other type is an error naming 'where'.
 */
static int opt_string(char **out, const json_t *obj, const char *key, int decode, const char *url,
                      const char *where, size_t idx)
{
    const json_t *v = json_object_get(obj, key);

    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return nsc_error_set(NSC_EPARSE, "'%s': %s[%zu]: '%s' is not a string", url, where, idx,
                             key);
    *out = clean(json_string_value(v), decode);
    return 0;
}

static int req_string(char **out, const json_t *obj, const char *key, int decode, const char *url,
                      const char *where, size_t idx)
{
    if (!json_object_get(obj, key))
        return nsc_error_set(NSC_EPARSE, "'%s': %s[%zu]: missing '%s'", url, where, idx, key);
    if (!json_is_string(json_object_get(obj, key)))
        return nsc_error_set(NSC_EPARSE, "'%s': %s[%zu]: '%s' is not a string", url, where, idx,
                             key);
    return opt_string(out, obj, key, decode, url, where, idx);
}

static int json_error(const char *url, const json_error_t *je)
{
    return nsc_error_set(NSC_EPARSE, "'%s':%d:%d: invalid JSON: %s", url, je->line, je->column,
                         je->text);
}

/* NSC_EINVAL when the profile states no field names for 'what'. */
static int need_fields(const struct crawler_profile *prof, int have, const char *what,
                       const char *url)
{
    if (!have)
        return nsc_error_set(NSC_EINVAL, "'%s': the site profile %s has no '%s' field names", url,
                             prof->file, what);
    return 0;
}

/* ---- Metadata.json ---- */

void crawler_metadata_release(struct crawler_metadata *md)
{
    if (!md)
        return;
    for (size_t i = 0; i < md->nauthors; i++) {
        free(md->authors[i].given_name);
        free(md->authors[i].family_name);
        free(md->authors[i].institution);
    }
    free(md->authors);
    free(md->title);
    memset(md, 0, sizeof(*md));
}

int crawler_parse_metadata(struct crawler_metadata *out, const struct crawler_profile *prof,
                           const char *url, const char *json, size_t len)
{
    char *const *k = prof->meta;
    json_error_t je;
    json_t *root = NULL, *authors;
    int err = 0;

    memset(out, 0, sizeof(*out));
    if ((err = need_fields(prof, prof->has_meta, "metadata", url)) < 0)
        return err;
    if (len > CRAWLER_MAX_JSON)
        return nsc_error_set(NSC_ELIMIT, "'%s': %zu bytes is over the %zu byte cap", url, len,
                             CRAWLER_MAX_JSON);
    root = json_loadb(json, len, 0, &je);
    if (!root)
        return json_error(url, &je);
    if (!json_is_object(root)) {
        err = nsc_error_set(NSC_EPARSE, "'%s': not a JSON object", url);
        goto out;
    }
    err = opt_string(&out->title, root, k[CRAWLER__META_TITLE], 0, url, "metadata", 0);
    if (err < 0)
        goto out;
    authors = json_object_get(root, k[CRAWLER__META_AUTHORS]);
    if (!json_is_array(authors)) {
        err = nsc_error_set(NSC_EPARSE, "'%s': '%s' is %s", url, k[CRAWLER__META_AUTHORS],
                            authors ? "not an array" : "missing");
        goto out;
    }
    out->authors = xcalloc(json_array_size(authors) + 1, sizeof(*out->authors));
    for (size_t i = 0; i < json_array_size(authors); i++) {
        const json_t *a = json_array_get(authors, i);
        struct crawler_meta_author *m = &out->authors[i];

        if (!json_is_object(a)) {
            err = nsc_error_set(NSC_EPARSE, "'%s': %s[%zu] is not an object", url,
                                k[CRAWLER__META_AUTHORS], i);
            goto out;
        }
        out->nauthors++;
        /* names may carry HTML entities (an escaped name escaped again); decode them */
        if ((err = opt_string(&m->given_name, a, k[CRAWLER__META_GIVEN_NAME], 1, url,
                              k[CRAWLER__META_AUTHORS], i)) < 0 ||
            (err = opt_string(&m->family_name, a, k[CRAWLER__META_FAMILY_NAME], 1, url,
                              k[CRAWLER__META_AUTHORS], i)) < 0 ||
            (err = opt_string(&m->institution, a, k[CRAWLER__META_INST], 0, url,
                              k[CRAWLER__META_AUTHORS], i)) < 0)
            goto out;
    }
out:
    json_decref(root);
    if (err < 0)
        crawler_metadata_release(out);
    return err;
}

/* "given family", cleaned; NULL when both are empty. */
static char *meta_name(const struct crawler_meta_author *m)
{
    char *s = xasprintf("%s %s", m->given_name ? m->given_name : "",
                        m->family_name ? m->family_name : "");
    char *r = crawler__text_clean(s, 0);

    free(s);
    return r;
}

void crawler_apply_metadata(struct crawler_paper *p, const struct crawler_metadata *md,
                            const char *url, size_t *unmatched)
{
    char **mkeys = xcalloc(md->nauthors + 1, sizeof(char *));
    char **pkeys = xcalloc(p->nauthors + 1, sizeof(char *));
    int positional = p->nauthors == md->nauthors;
    size_t left = 0, given = 0;

    for (size_t i = 0; i < md->nauthors; i++) {
        char *n = meta_name(&md->authors[i]);

        mkeys[i] = n ? crawler_normalise_key(n) : NULL;
        free(n);
    }
    for (size_t i = 0; i < p->nauthors; i++)
        pkeys[i] = crawler_normalise_key(p->authors[i].name);
    for (size_t i = 0; positional && i < md->nauthors; i++)
        if (mkeys[i] && *mkeys[i] && strcmp(mkeys[i], pkeys[i]) != 0)
            positional = 0;
    for (size_t i = 0; i < p->nauthors; i++) {
        struct crawler_author *a = &p->authors[i];
        const struct crawler_meta_author *m = NULL;

        if (a->affiliation)
            continue;
        if (positional) {
            m = &md->authors[i];
        } else if (*pkeys[i]) {
            for (size_t j = 0; j < md->nauthors; j++) {
                if (mkeys[j] && strcmp(mkeys[j], pkeys[i]) == 0) {
                    if (m) { /* two metadata authors of that name: take neither */
                        m = NULL;
                        break;
                    }
                    m = &md->authors[j];
                }
            }
        }
        if (m && m->institution) {
            a->affiliation = xstrdup(m->institution);
            a->aff_source = CRAWLER_AFF_METADATA;
            given++;
        } else {
            left++;
        }
    }
    if (given > 0)
        crawler_paper_set_source(p, "affiliations", url);
    for (size_t i = 0; i < md->nauthors; i++)
        free(mkeys[i]);
    for (size_t i = 0; i < p->nauthors; i++)
        free(pkeys[i]);
    free(mkeys);
    free(pkeys);
    if (unmatched)
        *unmatched = left;
}

/* ---- the virtual-site feed ---- */

/*
 * The feed is decoded one record at a time: this file steps over the
 * top-level object's punctuation itself and hands each member value and
 * each element of "results" to jansson (JSON_DISABLE_EOF_CHECK, whose
 * error.position says how many bytes it took), extracts the fields the join
 * needs and frees the element at once.  So a feed costs one element's tree,
 * not the whole document's (~4x its size in jansson nodes).
 */

static void record_release(struct crawler_feed_record *r)
{
    for (size_t i = 0; i < r->nauthors; i++) {
        free(r->authors[i].fullname);
        free(r->authors[i].institution);
    }
    free(r->authors);
    free(r->uid);
    free(r->name);
    free(r->paper_url);
    free(r->decision);
    free(r->eventtype);
    memset(r, 0, sizeof(*r));
}

void crawler_feed_release(struct crawler_feed *f)
{
    if (!f)
        return;
    for (size_t i = 0; f->records && i < f->nrecords; i++)
        record_release(&f->records[i]);
    free(f->records);
    free(f->url);
    free(f->next);
    memset(f, 0, sizeof(*f));
}

/*
 * One element of the results array into 'r'; 'k' names the fields (the
 * profile's "feed"), 'where' is "record <results>" for messages.
 */
static int parse_record(struct crawler_feed_record *r, const json_t *o, char *const *k,
                        const char *where, const char *url, size_t i)
{
    const json_t *id, *authors, *inst;
    const char *kauth = k[CRAWLER__FEED_AUTHORS], *kname = k[CRAWLER__FEED_AUTHOR_NAME];
    const char *kinst = k[CRAWLER__FEED_AUTHOR_INST];
    int err;

    if (!json_is_object(o))
        return nsc_error_set(NSC_EPARSE, "'%s': %s[%zu] is not an object", url, where, i);
    if ((err = req_string(&r->uid, o, k[CRAWLER__FEED_UID], 0, url, where, i)) < 0 ||
        (err = req_string(&r->name, o, k[CRAWLER__FEED_TITLE], 1, url, where, i)) < 0 ||
        (err = opt_string(&r->paper_url, o, k[CRAWLER__FEED_PAPER_URL], 0, url, where, i)) < 0 ||
        (err = opt_string(&r->decision, o, k[CRAWLER__FEED_DECISION], 0, url, where, i)) < 0 ||
        (err = opt_string(&r->eventtype, o, k[CRAWLER__FEED_EVENTTYPE], 0, url, where, i)) < 0)
        return err;
    if (!r->uid)
        return nsc_error_set(NSC_EPARSE, "'%s': %s[%zu]: '%s' is empty", url, where, i,
                             k[CRAWLER__FEED_UID]);
    id = json_object_get(o, k[CRAWLER__FEED_ID]);
    if (!id)
        return nsc_error_set(NSC_EPARSE, "'%s': %s[%zu]: missing '%s'", url, where, i,
                             k[CRAWLER__FEED_ID]);
    if (!json_is_integer(id))
        return nsc_error_set(NSC_EPARSE, "'%s': %s[%zu]: '%s' is not an integer", url, where, i,
                             k[CRAWLER__FEED_ID]);
    r->id = (long long)json_integer_value(id);
    authors = json_object_get(o, kauth);
    if (!authors)
        return nsc_error_set(NSC_EPARSE, "'%s': %s[%zu]: missing '%s'", url, where, i, kauth);
    if (!json_is_array(authors))
        return nsc_error_set(NSC_EPARSE, "'%s': %s[%zu]: '%s' is not an array", url, where, i,
                             kauth);
    r->authors = xcalloc(json_array_size(authors) + 1, sizeof(*r->authors));
    for (size_t j = 0; j < json_array_size(authors); j++) {
        const json_t *a = json_array_get(authors, j);
        struct crawler_feed_author *fa = &r->authors[j];

        if (!json_is_object(a))
            return nsc_error_set(NSC_EPARSE, "'%s': %s[%zu]: %s[%zu] is not an object", url, where,
                                 i, kauth, j);
        r->nauthors++;
        if (!json_is_string(json_object_get(a, kname)))
            return nsc_error_set(NSC_EPARSE, "'%s': %s[%zu]: %s[%zu]: '%s' is %s", url, where, i,
                                 kauth, j, kname,
                                 json_object_get(a, kname) ? "not a string" : "missing");
        fa->fullname = clean(json_string_value(json_object_get(a, kname)), 1);
        inst = json_object_get(a, kinst);
        if (inst && !json_is_null(inst) && !json_is_string(inst))
            return nsc_error_set(NSC_EPARSE, "'%s': %s[%zu]: %s[%zu]: '%s' is not a string", url,
                                 where, i, kauth, j, kinst);
        fa->institution = clean(json_string_value(inst), 1);
    }
    return 0;
}

/*
 * The set of uids seen, to drop the second record of an oral.  The records
 * themselves are gone by then, so the set keeps its own copies, packed in
 * one buffer; a slot holds an offset into it plus one (0: empty).
 */
struct uidset {
    size_t *slot;
    size_t cap, n;
    struct buf text;
};

static size_t str_hash(const char *s)
{
    size_t h = 1469598103934665603u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static void uidset_insert(struct uidset *u, size_t off)
{
    size_t i = str_hash(u->text.ptr + off) & (u->cap - 1);

    while (u->slot[i])
        i = (i + 1) & (u->cap - 1);
    u->slot[i] = off + 1;
}

/* 1 if 'uid' was already in the set; it is added otherwise. */
static int uidset_seen(struct uidset *u, const char *uid)
{
    size_t i, off;

    if (2 * (u->n + 1) > u->cap) { /* keep the load under 1/2 */
        size_t *old = u->slot, oldcap = u->cap;

        u->cap = oldcap ? 2 * oldcap : 64;
        u->slot = xcalloc(u->cap, sizeof(*u->slot));
        for (size_t k = 0; k < oldcap; k++)
            if (old[k])
                uidset_insert(u, old[k] - 1);
        free(old);
    }
    for (i = str_hash(uid) & (u->cap - 1); u->slot[i]; i = (i + 1) & (u->cap - 1))
        if (strcmp(u->text.ptr + u->slot[i] - 1, uid) == 0)
            return 1;
    off = u->text.len;
    buf_append(&u->text, uid, strlen(uid) + 1);
    u->slot[i] = off + 1;
    u->n++;
    return 0;
}

static void uidset_release(struct uidset *u)
{
    free(u->slot);
    buf_release(&u->text);
}

/*
 * Where the feed's bytes come from: memory (the whole body), or a file read
 * through a window that holds the bytes from the cursor on, at most 'max'
 * bytes in all.  Offsets are from the start of the input.  The line and
 * column (in characters, as jansson counts them) of the cursor are kept for
 * messages.
 */
struct feed_src {
    const char *url;
    const char *mem; /* memory form: the input; NULL for a file */
    size_t len;      /* memory form: its length */
    FILE *fp;
    const char *path;
    size_t max, nread; /* file form: the cap, bytes read so far */
    int over, ioerr, eof;
    struct buf win; /* file form: input bytes [off, off + win.len) */
    size_t off;
    size_t pos;    /* the cursor */
    size_t served; /* json_load_callback() has been handed [pos, served) */
    size_t line;   /* of the cursor, from 1 */
    size_t col;    /* characters before the cursor on its line */
};

#define FEED_CHUNK ((size_t)64 << 10) /* bytes read from a file at a time */

/* File form: read more of the file into the window, dropping what lies
 * before the cursor.  0 at the end of the input, -1 on an error. */
static int src_fill(struct feed_src *s)
{
    char c;
    size_t want, n;

    if (s->eof || s->over || s->ioerr)
        return s->eof ? 0 : -1;
    if (s->pos > s->off) {
        size_t drop = s->pos - s->off;

        memmove(s->win.ptr, s->win.ptr + drop, s->win.len - drop);
        s->win.len -= drop;
        s->off = s->pos;
    }
    if (s->nread >= s->max) {
        if (fread(&c, 1, 1, s->fp) == 1) {
            s->over = 1;
            return -1;
        }
        s->eof = 1;
        return 0;
    }
    want = s->max - s->nread < FEED_CHUNK ? s->max - s->nread : FEED_CHUNK;
    buf_grow(&s->win, want);
    n = fread(s->win.ptr + s->win.len, 1, want, s->fp);
    if (n == 0) {
        if (ferror(s->fp)) {
            s->ioerr = errno ? errno : EIO;
            return -1;
        }
        s->eof = 1;
        return 0;
    }
    s->win.len += n;
    s->nread += n;
    return 1;
}

/* The byte at offset 'at' (>= the cursor), -1 past the end (or on a read
 * error, which src_fail() reports). */
static int src_byte(struct feed_src *s, size_t at)
{
    if (s->mem)
        return at < s->len ? (unsigned char)s->mem[at] : -1;
    while (at >= s->off + s->win.len)
        if (src_fill(s) <= 0)
            return -1;
    return (unsigned char)s->win.ptr[at - s->off];
}

/* Count the lines and characters of the 'n' bytes at 'p' into the
 * cursor's line and column. */
static void src_count(struct feed_src *s, const char *p, size_t n)
{
    size_t from = 0;

    for (const char *nl = memchr(p, '\n', n); nl;
         nl = memchr(nl + 1, '\n', n - (size_t)(nl + 1 - p))) {
        s->line++;
        s->col = 0;
        from = (size_t)(nl + 1 - p);
    }
    for (size_t i = from; i < n; i++)
        s->col += ((unsigned char)p[i] & 0xC0) != 0x80;
}

/* Move the cursor to 'to'.  A file's window forgets what it passed, so its
 * lines and characters are counted on the way; the memory form counts them
 * only for a message (src_locate()), not over every byte of a good feed. */
static void src_advance(struct feed_src *s, size_t to)
{
    if (!s->mem)
        src_count(s, s->win.ptr + (s->pos - s->off), to - s->pos);
    s->pos = to;
}

/* Set the cursor's line and column (memory form: counted from the start). */
static void src_locate(struct feed_src *s)
{
    if (!s->mem)
        return;
    s->line = 1;
    s->col = 0;
    src_count(s, s->mem, s->pos);
}

/* Step over JSON white space; the byte after it, -1 at the end. */
static int src_skip_ws(struct feed_src *s)
{
    size_t at = s->pos;
    int c;

    while ((c = src_byte(s, at)) == ' ' || c == '\t' || c == '\n' || c == '\r')
        at++;
    src_advance(s, at);
    return c;
}

/* Set the error for the input at the cursor: the read error, else 'what'
 * as a syntax error at its line:column and byte offset. */
static int src_fail(struct feed_src *s, const char *what)
{
    int c;

    if (s->over)
        return nsc_error_set(NSC_ELIMIT, "'%s' ('%s'): feed is over the %zu byte cap", s->url,
                             s->path, s->max);
    if (s->ioerr)
        return nsc_error_set(NSC_EIO, "cannot read '%s': %s", s->path, strerror(s->ioerr));
    src_locate(s);
    c = src_byte(s, s->pos);
    if (c < 0)
        return nsc_error_set(NSC_EPARSE,
                             "'%s':%zu:%zu: invalid JSON: %s near end of file (byte %zu)", s->url,
                             s->line, s->col, what, s->pos);
    return nsc_error_set(NSC_EPARSE, "'%s':%zu:%zu: invalid JSON: %s near '%c' (byte %zu)", s->url,
                         s->line, s->col + 1, what, c >= 0x20 && c < 0x7f ? c : '?', s->pos);
}

/* json_load_callback() source: the window from the cursor on. */
static size_t src_read(void *dst, size_t size, void *data)
{
    struct feed_src *s = data;
    size_t n;

    if (s->served >= s->off + s->win.len && src_fill(s) <= 0)
        return s->eof && !s->over ? 0 : (size_t)-1;
    n = s->off + s->win.len - s->served;
    if (n > size)
        n = size;
    memcpy(dst, s->win.ptr + (s->served - s->off), n);
    s->served += n;
    return n;
}

/* Decode the one JSON value at the cursor into *out and move past it;
 * NSC_EPARSE (its place made absolute) when it is not valid JSON. */
static int src_decode(struct feed_src *s, size_t flags, json_t **out)
{
    json_error_t je;

    flags |= JSON_DISABLE_EOF_CHECK;
    if (s->mem) {
        *out = json_loadb(s->mem + s->pos, s->len - s->pos, flags, &je);
    } else {
        s->served = s->pos;
        *out = json_load_callback(src_read, s, flags, &je);
    }
    if (!*out) {
        size_t line, col;

        src_locate(s);
        line = s->line + (size_t)(je.line > 0 ? je.line - 1 : 0);
        col = (je.line <= 1 ? s->col : 0) + (size_t)(je.column > 0 ? je.column : 0);

        if (s->over || s->ioerr)
            return src_fail(s, "");
        /* jansson's position counts the bytes it read, the bad one included */
        return nsc_error_set(NSC_EPARSE, "'%s':%zu:%zu: invalid JSON: %s (byte %zu)", s->url, line,
                             col, je.text,
                             s->pos + (size_t)(je.position > 1 ? je.position - 1 : 0));
    }
    src_advance(s, s->pos + (size_t)je.position);
    return 0;
}

/* What one parse is doing: the feed's header, the uids seen, the sink,
 * the field names. */
struct feed_walk {
    struct crawler_feed *out;
    char *const *k; /* the profile's "feed" names */
    char *where;    /* "record <results>", for messages */
    struct uidset seen;
    crawler_feed_record_fn fn;
    void *payload;
    size_t index; /* of the next element of "results" */
};

/* Decode the elements of "results", the cursor just past its '['. */
static int walk_results(struct feed_src *s, struct feed_walk *w)
{
    int c = src_skip_ws(s);

    if (c == ']') {
        src_advance(s, s->pos + 1);
        return 0;
    }
    for (;;) {
        struct crawler_feed_record r = { 0 };
        json_t *el;
        int err;

        if (c < 0)
            return src_fail(s, "a value expected");
        if ((err = src_decode(s, JSON_DECODE_ANY, &el)) < 0)
            return err;
        err = parse_record(&r, el, w->k, w->where, s->url, w->index++);
        json_decref(el);
        if (err == 0 && uidset_seen(&w->seen, r.uid)) {
            w->out->duplicates++;
        } else if (err == 0) {
            w->out->nrecords++;
            err = w->fn(&r, w->payload);
        }
        record_release(&r);
        if (err < 0)
            return err;
        c = src_skip_ws(s);
        if (c == ']') {
            src_advance(s, s->pos + 1);
            return 0;
        }
        if (c != ',')
            return src_fail(s, "',' or ']' expected");
        src_advance(s, s->pos + 1);
        c = src_skip_ws(s);
    }
}

/* One member of the top-level object, the cursor on its key. */
static int walk_member(struct feed_src *s, struct feed_walk *w, int *have_results)
{
    struct crawler_feed *out = w->out;
    const char *kres = w->k[CRAWLER__FEED_RESULTS], *kcount = w->k[CRAWLER__FEED_COUNT];
    const char *knext = w->k[CRAWLER__FEED_NEXT];
    json_t *key, *v;
    char *name;
    int err = 0;

    if (src_byte(s, s->pos) != '"')
        return src_fail(s, "string or '}' expected");
    if ((err = src_decode(s, JSON_DECODE_ANY, &key)) < 0)
        return err;
    name = xstrdup(json_string_value(key));
    json_decref(key);
    if (src_skip_ws(s) != ':') {
        err = src_fail(s, "':' expected");
        goto out;
    }
    src_advance(s, s->pos + 1);
    if (src_skip_ws(s) == '[' && strcmp(name, kres) == 0) {
        if ((*have_results)++) {
            err = nsc_error_set(NSC_EPARSE, "'%s': '%s' appears twice (byte %zu)", s->url, kres,
                                s->pos);
            goto out;
        }
        src_advance(s, s->pos + 1);
        err = walk_results(s, w);
        goto out;
    }
    if ((err = src_decode(s, JSON_DECODE_ANY, &v)) < 0)
        goto out;
    if (strcmp(name, kres) == 0) {
        err = nsc_error_set(NSC_EPARSE, "'%s': '%s' is not an array", s->url, kres);
    } else if (strcmp(name, kcount) == 0) {
        if (!json_is_integer(v))
            err = nsc_error_set(NSC_EPARSE, "'%s': '%s' is not an integer", s->url, kcount);
        else
            out->count = (long long)json_integer_value(v);
    } else if (strcmp(name, knext) == 0) {
        free(out->next);
        out->next = NULL;
        if (!json_is_null(v) && !json_is_string(v))
            err =
                nsc_error_set(NSC_EPARSE, "'%s': '%s' is neither null nor a string", s->url, knext);
        else if (json_is_string(v) && json_string_length(v) > 0)
            out->next = xstrdup(json_string_value(v));
    }
    json_decref(v);
out:
    free(name);
    return err;
}

/* Walk the whole feed of 's' into w->out and w->fn. */
static int walk_feed(struct feed_src *s, struct feed_walk *w)
{
    int c, have_results = 0, err;

    c = src_skip_ws(s);
    if (c != '{') {
        /* not an object: jansson says whether it is JSON at all */
        json_t *v = NULL;

        if (c < 0)
            return src_fail(s, "'[' or '{' expected");
        if ((err = src_decode(s, 0, &v)) < 0)
            return err;
        json_decref(v);
        return nsc_error_set(NSC_EPARSE, "'%s': the feed is not a JSON object", s->url);
    }
    src_advance(s, s->pos + 1);
    c = src_skip_ws(s);
    while (c != '}') {
        if ((err = walk_member(s, w, &have_results)) < 0)
            return err;
        c = src_skip_ws(s);
        if (c == ',') {
            src_advance(s, s->pos + 1);
            c = src_skip_ws(s);
            if (c == '}')
                return src_fail(s, "string expected");
        } else if (c != '}') {
            return src_fail(s, "',' or '}' expected");
        }
    }
    src_advance(s, s->pos + 1);
    if (src_skip_ws(s) >= 0 || s->over || s->ioerr)
        return src_fail(s, "end of file expected");
    if (!have_results)
        return nsc_error_set(NSC_EPARSE, "'%s': '%s' is missing", s->url,
                             w->k[CRAWLER__FEED_RESULTS]);
    return 0;
}

/* Run a walk over 's' into 'out', records to 'fn', fields named by 'prof';
 * on error 'out' is released. */
static int feed_walk_run(struct crawler_feed *out, const struct crawler_profile *prof,
                         struct feed_src *s, crawler_feed_record_fn fn, void *payload)
{
    struct feed_walk w = { out, prof->feed, NULL, { NULL, 0, 0, BUF_INIT }, fn, payload, 0 };
    int err;

    w.where = xasprintf("record %s", prof->feed[CRAWLER__FEED_RESULTS]);
    s->line = 1;
    out->url = xstrdup(s->url);
    out->count = -1;
    err = walk_feed(s, &w);
    uidset_release(&w.seen);
    free(w.where);
    if (err < 0)
        crawler_feed_release(out);
    return err;
}

int crawler_parse_feed_each(struct crawler_feed *out, const struct crawler_profile *prof,
                            const char *url, const char *json, size_t len, size_t max,
                            crawler_feed_record_fn fn, void *payload)
{
    struct feed_src s = { 0 };
    int err;

    memset(out, 0, sizeof(*out));
    if ((err = need_fields(prof, prof->has_feed, "feed", url)) < 0)
        return err;
    if (len > max)
        return nsc_error_set(NSC_ELIMIT, "'%s': feed of %zu bytes is over the %zu byte cap", url,
                             len, max);
    s.url = url;
    s.mem = json ? json : "";
    s.len = json ? len : 0;
    return feed_walk_run(out, prof, &s, fn, payload);
}

/* crawler_parse_feed(): keep every record in the feed itself. */
static int collect_record(struct crawler_feed_record *r, void *payload)
{
    struct crawler_feed *f = payload;
    size_t n = f->nrecords - 1; /* already counted */

    if ((n & (n - 1)) == 0) /* 0, 1, 2, 4, ...: double */
        f->records = xreallocarray(f->records, n ? 2 * n : 1, sizeof(*f->records));
    f->records[n] = *r;
    memset(r, 0, sizeof(*r));
    return 0;
}

int crawler_parse_feed(struct crawler_feed *out, const struct crawler_profile *prof,
                       const char *url, const char *json, size_t len, size_t max)
{
    return crawler_parse_feed_each(out, prof, url, json, len, max, collect_record, out);
}

int crawler_parse_feed_file(struct crawler_feed *out, const struct crawler_profile *prof,
                            const char *url, const char *path, size_t max)
{
    struct feed_src s = { 0 };
    int err;

    memset(out, 0, sizeof(*out));
    if ((err = need_fields(prof, prof->has_feed, "feed", url)) < 0)
        return err;
    s.url = url;
    s.path = path;
    s.max = max;
    s.fp = fopen(path, "rb");
    if (!s.fp)
        return nsc_error_set(errno == ENOENT ? NSC_ENOTFOUND : NSC_EIO, "cannot open '%s': %s",
                             path, strerror(errno));
    err = feed_walk_run(out, prof, &s, collect_record, out);
    fclose(s.fp);
    buf_release(&s.win);
    return err;
}
