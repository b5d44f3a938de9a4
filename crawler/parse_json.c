/*
 * parse_json.c - the two JSON sources of affiliations: a paper's
 * -Metadata.json on the proceedings (<= 2021) and the virtual site's
 * orals-posters feed (2020+).  jansson parses; every wrong type or missing
 * field is an error that names the record, never a crash.
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

int crawler_parse_metadata(struct crawler_metadata *out, const char *url, const char *json,
                           size_t len)
{
    json_error_t je;
    json_t *root = NULL, *authors;
    int err = 0;

    memset(out, 0, sizeof(*out));
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
    err = opt_string(&out->title, root, "title", 0, url, "metadata", 0);
    if (err < 0)
        goto out;
    authors = json_object_get(root, "authors");
    if (!json_is_array(authors)) {
        err = nsc_error_set(NSC_EPARSE, "'%s': 'authors' is %s", url,
                            authors ? "not an array" : "missing");
        goto out;
    }
    out->authors = xcalloc(json_array_size(authors) + 1, sizeof(*out->authors));
    for (size_t i = 0; i < json_array_size(authors); i++) {
        const json_t *a = json_array_get(authors, i);
        struct crawler_meta_author *m = &out->authors[i];

        if (!json_is_object(a)) {
            err = nsc_error_set(NSC_EPARSE, "'%s': authors[%zu] is not an object", url, i);
            goto out;
        }
        out->nauthors++;
        /* names may carry HTML entities (an escaped name escaped again); decode them */
        if ((err = opt_string(&m->given_name, a, "given_name", 1, url, "authors", i)) < 0 ||
            (err = opt_string(&m->family_name, a, "family_name", 1, url, "authors", i)) < 0 ||
            (err = opt_string(&m->institution, a, "institution", 0, url, "authors", i)) < 0)
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
    for (size_t i = 0; i < f->nrecords; i++)
        record_release(&f->records[i]);
    free(f->records);
    free(f->url);
    free(f->next);
    memset(f, 0, sizeof(*f));
}

static int parse_record(struct crawler_feed_record *r, const json_t *o, const char *url, size_t i)
{
    const json_t *id, *authors, *inst;
    int err;

    if (!json_is_object(o))
        return nsc_error_set(NSC_EPARSE, "'%s': record results[%zu] is not an object", url, i);
    if ((err = req_string(&r->uid, o, "uid", 0, url, "record results", i)) < 0 ||
        (err = req_string(&r->name, o, "name", 1, url, "record results", i)) < 0 ||
        (err = opt_string(&r->paper_url, o, "paper_url", 0, url, "record results", i)) < 0 ||
        (err = opt_string(&r->decision, o, "decision", 0, url, "record results", i)) < 0 ||
        (err = opt_string(&r->eventtype, o, "eventtype", 0, url, "record results", i)) < 0)
        return err;
    if (!r->uid)
        return nsc_error_set(NSC_EPARSE, "'%s': record results[%zu]: 'uid' is empty", url, i);
    id = json_object_get(o, "id");
    if (!id)
        return nsc_error_set(NSC_EPARSE, "'%s': record results[%zu]: missing 'id'", url, i);
    if (!json_is_integer(id))
        return nsc_error_set(NSC_EPARSE, "'%s': record results[%zu]: 'id' is not an integer", url,
                             i);
    r->id = (long long)json_integer_value(id);
    authors = json_object_get(o, "authors");
    if (!authors)
        return nsc_error_set(NSC_EPARSE, "'%s': record results[%zu]: missing 'authors'", url, i);
    if (!json_is_array(authors))
        return nsc_error_set(NSC_EPARSE, "'%s': record results[%zu]: 'authors' is not an array",
                             url, i);
    r->authors = xcalloc(json_array_size(authors) + 1, sizeof(*r->authors));
    for (size_t j = 0; j < json_array_size(authors); j++) {
        const json_t *a = json_array_get(authors, j);
        struct crawler_feed_author *fa = &r->authors[j];

        if (!json_is_object(a))
            return nsc_error_set(
                NSC_EPARSE, "'%s': record results[%zu]: authors[%zu] is not an object", url, i, j);
        r->nauthors++;
        if (!json_is_string(json_object_get(a, "fullname")))
            return nsc_error_set(NSC_EPARSE,
                                 "'%s': record results[%zu]: authors[%zu]: 'fullname' is %s", url,
                                 i, j, json_object_get(a, "fullname") ? "not a string" : "missing");
        fa->fullname = clean(json_string_value(json_object_get(a, "fullname")), 1);
        inst = json_object_get(a, "institution");
        if (inst && !json_is_null(inst) && !json_is_string(inst))
            return nsc_error_set(NSC_EPARSE,
                                 "'%s': record results[%zu]: authors[%zu]: 'institution' is not "
                                 "a string",
                                 url, i, j);
        fa->institution = clean(json_string_value(inst), 1);
    }
    return 0;
}

/* Open-addressing set of uids, to drop the second record of an oral. */
struct uidset {
    const char **slot;
    size_t cap;
};

static size_t str_hash(const char *s)
{
    size_t h = 1469598103934665603u;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* 1 if 'uid' was already in the set; it is added otherwise. */
static int uidset_seen(struct uidset *u, const char *uid)
{
    size_t i = str_hash(uid) & (u->cap - 1);

    while (u->slot[i]) {
        if (strcmp(u->slot[i], uid) == 0)
            return 1;
        i = (i + 1) & (u->cap - 1);
    }
    u->slot[i] = uid;
    return 0;
}

static int feed_from_json(struct crawler_feed *out, const char *url, const json_t *root)
{
    const json_t *count, *next, *results;
    struct uidset seen = { NULL, 16 };
    size_t n;
    int err = 0;

    if (!json_is_object(root))
        return nsc_error_set(NSC_EPARSE, "'%s': the feed is not a JSON object", url);
    count = json_object_get(root, "count");
    if (count && !json_is_integer(count))
        return nsc_error_set(NSC_EPARSE, "'%s': 'count' is not an integer", url);
    out->count = count ? (long long)json_integer_value(count) : -1;
    next = json_object_get(root, "next");
    if (next && !json_is_null(next) && !json_is_string(next))
        return nsc_error_set(NSC_EPARSE, "'%s': 'next' is neither null nor a string", url);
    if (json_is_string(next) && json_string_length(next) > 0)
        out->next = xstrdup(json_string_value(next));
    results = json_object_get(root, "results");
    if (!json_is_array(results))
        return nsc_error_set(NSC_EPARSE, "'%s': 'results' is %s", url,
                             results ? "not an array" : "missing");
    n = json_array_size(results);
    while (seen.cap < 2 * n + 2)
        seen.cap *= 2;
    seen.slot = xcalloc(seen.cap, sizeof(*seen.slot));
    out->records = xcalloc(n + 1, sizeof(*out->records));
    for (size_t i = 0; i < n; i++) {
        struct crawler_feed_record *r = &out->records[out->nrecords];

        err = parse_record(r, json_array_get(results, i), url, i);
        if (err < 0) {
            record_release(r);
            goto out;
        }
        if (uidset_seen(&seen, r->uid)) {
            out->duplicates++;
            record_release(r);
            continue;
        }
        out->nrecords++;
    }
out:
    free(seen.slot);
    return err;
}

/* Fill 'out' from the parsed feed 'root', which this takes over; on error
 * 'out' is released.  Shared by the in-memory and the file entry points. */
static int feed_take_root(struct crawler_feed *out, const char *url, json_t *root)
{
    int err;

    out->url = xstrdup(url);
    err = feed_from_json(out, url, root);
    json_decref(root);
    if (err < 0)
        crawler_feed_release(out);
    return err;
}

int crawler_parse_feed(struct crawler_feed *out, const char *url, const char *json, size_t len,
                       size_t max)
{
    json_error_t je;
    json_t *root;

    memset(out, 0, sizeof(*out));
    if (len > max)
        return nsc_error_set(NSC_ELIMIT, "'%s': feed of %zu bytes is over the %zu byte cap", url,
                             len, max);
    root = json_loadb(json, len, 0, &je);
    if (!root)
        return json_error(url, &je);
    return feed_take_root(out, url, root);
}

struct capped_reader {
    FILE *fp;
    size_t max, total;
    int over, ioerr;
};

/* json_load_callback() source: at most 'max' bytes, then an error. */
static size_t capped_read(void *dst, size_t size, void *data)
{
    struct capped_reader *r = data;
    size_t want = size, n;

    if (r->total >= r->max) {
        char c;

        if (fread(&c, 1, 1, r->fp) == 1) {
            r->over = 1;
            return (size_t)-1;
        }
        return 0;
    }
    if (want > r->max - r->total)
        want = r->max - r->total;
    n = fread(dst, 1, want, r->fp);
    if (n == 0 && ferror(r->fp)) {
        r->ioerr = errno ? errno : EIO;
        return (size_t)-1;
    }
    r->total += n;
    return n;
}

int crawler_parse_feed_file(struct crawler_feed *out, const char *url, const char *path, size_t max)
{
    struct capped_reader r = { NULL, max, 0, 0, 0 };
    json_error_t je;
    json_t *root;
    int err;

    memset(out, 0, sizeof(*out));
    r.fp = fopen(path, "rb");
    if (!r.fp)
        return nsc_error_set(errno == ENOENT ? NSC_ENOTFOUND : NSC_EIO, "cannot open '%s': %s",
                             path, strerror(errno));
    root = json_load_callback(capped_read, &r, 0, &je);
    fclose(r.fp);
    if (r.over)
        err =
            nsc_error_set(NSC_ELIMIT, "'%s' ('%s'): feed is over the %zu byte cap", url, path, max);
    else if (r.ioerr)
        err = nsc_error_set(NSC_EIO, "cannot read '%s': %s", path, strerror(r.ioerr));
    else if (!root)
        err = json_error(url, &je);
    else
        err = 0;
    if (err < 0) {
        json_decref(root);
        return err;
    }
    return feed_take_root(out, url, root);
}
