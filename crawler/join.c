/*
 * join.c - put the virtual feed's institutions onto the proceedings papers.
 *
 * A record joins a paper by the path of its paper_url (the real feed says
 * https://proceedings.neurips.cc, a mock site http://127.0.0.1:P, so scheme
 * and host are ignored), else by normalised title plus the normalised
 * author list, and only when that key is unique.  Inside a paper, authors
 * match by position when every name agrees, else by a unique name.  An
 * affiliation is only ever copied within one joined pair, never across.
 */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "crawler_int.h"

static int keep_category(utf8proc_int32_t cp)
{
    utf8proc_category_t c = utf8proc_category(cp);

    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

/*
 * The key of 's' folded byte by byte: ASCII letters lowered, ASCII digits
 * kept, every other byte a separator.  For an all-ASCII 's' this is what
 * utf8proc's folding gives (NFKC and case folding map ASCII letters to
 * lower case and change nothing else in ASCII; its letters and digits are
 * the only ASCII characters of categories L and N), at a fraction of the
 * cost; for invalid UTF-8 it is the fallback.
 */
static char *byte_key(const char *s)
{
    /* Each byte gives at most one byte (a space only replaces a skipped one). */
    char *out = xmalloc(strlen(s) + 1), *w = out;
    int space = 0;

    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            if (space && w > out)
                *w++ = ' ';
            space = 0;
            *w++ = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        } else {
            space = 1;
        }
    }
    *w = '\0';
    return out;
}

char *crawler__normalise_key_utf8proc(const char *s)
{
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t len;
    struct buf b = BUF_INIT;
    int space = 0;

    if (!s)
        return xstrdup("");
    len = utf8proc_map((const utf8proc_uint8_t *)s, 0, &m,
                       UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                           UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
    if (len < 0) /* invalid UTF-8: ASCII folding only */
        return byte_key(s);
    buf_puts(&b, "");
    for (utf8proc_ssize_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(m + i, len - i, &cp);

        if (n <= 0)
            break;
        if (keep_category(cp)) {
            if (space && b.len > 0)
                buf_putc(&b, ' ');
            space = 0;
            buf_append(&b, m + i, (size_t)n);
        } else {
            space = 1;
        }
        i += n;
    }
    free(m);
    return buf_detach(&b, NULL);
}

/* Titles and names are mostly ASCII: those skip utf8proc (byte_key()). */
char *crawler_normalise_key(const char *s)
{
    if (!s)
        return xstrdup("");
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p >= 0x80)
            return crawler__normalise_key_utf8proc(s);
    return byte_key(s);
}

/* Title key plus author keys, separated by control characters; NULL when
 * the title has no letter or digit (such a key would match too much). */
static char *paper_key(const char *title, const char *const *names, size_t n)
{
    struct buf b = BUF_INIT;
    char *k = crawler_normalise_key(title);

    if (!*k) {
        free(k);
        return NULL;
    }
    buf_puts(&b, k);
    free(k);
    for (size_t i = 0; i < n; i++) {
        k = crawler_normalise_key(names[i]);
        buf_putc(&b, '\x1f');
        buf_puts(&b, k);
        free(k);
    }
    return buf_detach(&b, NULL);
}

struct entry {
    char *key;
    size_t idx;
};

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

/* The range [*lo, *hi) of entries whose key is 'key'. */
static void find_range(const struct entry *e, size_t n, const char *key, size_t *lo, size_t *hi)
{
    size_t l = 0, h = n;

    while (l < h) {
        size_t mid = l + (h - l) / 2;

        if (strcmp(e[mid].key, key) < 0)
            l = mid + 1;
        else
            h = mid;
    }
    *lo = l;
    while (l < n && strcmp(e[l].key, key) == 0)
        l++;
    *hi = l;
}

/* 1 when the two name lists are equal byte for byte (then so are their
 * keys, and nothing need be normalised). */
static int same_names(const struct crawler_paper *p, const struct crawler_feed_record *r)
{
    if (p->nauthors != r->nauthors)
        return 0;
    for (size_t i = 0; i < p->nauthors; i++)
        if (!p->authors[i].name || !r->authors[i].fullname ||
            strcmp(p->authors[i].name, r->authors[i].fullname) != 0)
            return 0;
    return 1;
}

/* Copy the record's institutions onto the paper's authors. */
static size_t assign(struct crawler_paper *p, const struct crawler_feed_record *r,
                     const char *feed_url)
{
    char **pk = xcalloc(p->nauthors + 1, sizeof(char *));
    char **rk = xcalloc(r->nauthors + 1, sizeof(char *));
    int positional = same_names(p, r);
    size_t left = 0, given = 0;

    if (!positional) {
        for (size_t i = 0; i < p->nauthors; i++)
            pk[i] = crawler_normalise_key(p->authors[i].name);
        for (size_t i = 0; i < r->nauthors; i++)
            rk[i] = crawler_normalise_key(r->authors[i].fullname);
        positional = p->nauthors == r->nauthors;
        for (size_t i = 0; positional && i < p->nauthors; i++)
            positional = strcmp(pk[i], rk[i]) == 0;
    }
    for (size_t i = 0; i < p->nauthors; i++) {
        struct crawler_author *a = &p->authors[i];
        long idx = positional ? (long)i : -1;

        if (a->affiliation)
            continue;
        for (size_t j = 0; !positional && pk[i] && *pk[i] && j < r->nauthors; j++) {
            if (strcmp(pk[i], rk[j]) != 0)
                continue;
            if (idx >= 0) { /* two authors of that name: take neither */
                idx = -1;
                break;
            }
            idx = (long)j;
        }
        if (idx >= 0 && r->authors[idx].institution) {
            a->affiliation = xstrdup(r->authors[idx].institution);
            a->aff_source = CRAWLER_AFF_VIRTUAL;
            given++;
        } else {
            left++;
        }
    }
    if (given > 0)
        crawler_paper_set_source(p, "affiliations", feed_url);
    for (size_t i = 0; i < p->nauthors; i++)
        free(pk[i]);
    for (size_t i = 0; i < r->nauthors; i++)
        free(rk[i]);
    free(pk);
    free(rk);
    return left;
}

struct crawler_join {
    struct crawler_paper *papers;
    size_t npapers;
    char *feed_url;
    struct entry *bypath, *bytitle;
    size_t npath, ntitle;
    int titled;   /* bytitle is built (the first record that needs it builds it) */
    long *joined; /* per paper: the number of the record joined to it, -1 when none */
    long nrecords;
    struct crawler_join_stats st;
};

struct crawler_join *crawler_join_begin(struct crawler_paper *papers, size_t npapers,
                                        const char *feed_url)
{
    struct crawler_join *j = xcalloc(1, sizeof(*j));

    j->papers = papers;
    j->npapers = npapers;
    j->feed_url = xstrdup(feed_url ? feed_url : "");
    j->bypath = xcalloc(npapers + 1, sizeof(*j->bypath));
    j->bytitle = xcalloc(npapers + 1, sizeof(*j->bytitle));
    j->joined = xcalloc(npapers + 1, sizeof(*j->joined));
    for (size_t i = 0; i < npapers; i++) {
        if (papers[i].abstract_url) {
            j->bypath[j->npath].key = crawler__url_path(papers[i].abstract_url);
            j->bypath[j->npath++].idx = i;
        }
        j->joined[i] = -1;
    }
    qsort(j->bypath, j->npath, sizeof(*j->bypath), entry_cmp);
    return j;
}

/* The papers' title keys, built when a record first needs one: they cost
 * a normalisation of every title and name, and a feed whose paper_urls all
 * join by path never needs them.  Joins only ever add affiliations, never
 * change titles or names, so building them late gives the same keys. */
static void build_titles(struct crawler_join *j)
{
    for (size_t i = 0; i < j->npapers; i++) {
        const struct crawler_paper *p = &j->papers[i];
        const char **names = xcalloc(p->nauthors + 1, sizeof(char *));

        for (size_t k = 0; k < p->nauthors; k++)
            names[k] = p->authors[k].name;
        j->bytitle[j->ntitle].key = paper_key(p->title, names, p->nauthors);
        j->bytitle[j->ntitle].idx = i;
        j->ntitle += j->bytitle[j->ntitle].key != NULL;
        free(names);
    }
    qsort(j->bytitle, j->ntitle, sizeof(*j->bytitle), entry_cmp);
    j->titled = 1;
}

void crawler_join_record(struct crawler_join *j, const struct crawler_feed_record *rec)
{
    long target = -1, r = j->nrecords++;
    int how = 0;
    size_t lo, hi;

    if (rec->paper_url) {
        char *path = crawler__url_path(rec->paper_url);

        find_range(j->bypath, j->npath, path, &lo, &hi);
        if (hi - lo == 1) {
            target = (long)j->bypath[lo].idx;
            how = 1;
        }
        free(path);
    }
    if (target < 0) {
        const char **names = xcalloc(rec->nauthors + 1, sizeof(char *));
        char *key;

        for (size_t k = 0; k < rec->nauthors; k++)
            names[k] = rec->authors[k].fullname;
        key = paper_key(rec->name, names, rec->nauthors);
        free(names);
        lo = hi = 0;
        if (key && !j->titled)
            build_titles(j);
        if (key)
            find_range(j->bytitle, j->ntitle, key, &lo, &hi);
        free(key);
        if (hi - lo == 1) {
            target = (long)j->bytitle[lo].idx;
            how = 2;
        } else if (hi - lo > 1) {
            j->st.ambiguous++;
        }
    }
    if (target < 0 || j->joined[target] >= 0) {
        j->st.records_unjoined++;
        return;
    }
    j->joined[target] = r;
    if (how == 1)
        j->st.by_url++;
    else
        j->st.by_title++;
    j->st.authors_unmatched += assign(&j->papers[target], rec, j->feed_url);
}

void crawler_join_end(struct crawler_join *j, struct crawler_join_stats *stats)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->npapers; i++)
        j->st.papers_unjoined += j->joined[i] < 0;
    if (stats)
        *stats = j->st;
    for (size_t i = 0; i < j->ntitle; i++)
        free(j->bytitle[i].key);
    for (size_t i = 0; i < j->npath; i++)
        free(j->bypath[i].key);
    free(j->bypath);
    free(j->bytitle);
    free(j->joined);
    free(j->feed_url);
    free(j);
}

void crawler_join_feed(struct crawler_join_stats *stats, struct crawler_paper *papers,
                       size_t npapers, const struct crawler_feed *feed)
{
    struct crawler_join *j = crawler_join_begin(papers, npapers, feed->url);

    for (size_t r = 0; r < feed->nrecords; r++)
        crawler_join_record(j, &feed->records[r]);
    crawler_join_end(j, stats);
}
