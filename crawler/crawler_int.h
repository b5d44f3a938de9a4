/*
 * crawler_int.h - declarations shared between the crawler's own files.
 * Other components include only crawler.h.
 *
 * Two sections with two owners, as in crawler.h: "fetch" and "parse".
 */
#ifndef NSC_CRAWLER_INT_H
#define NSC_CRAWLER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "crawler.h"

/* ==== fetch ================================================================ */

/*
 * robots.c: a pure RFC 9309 parser and matcher (no I/O), so it can be unit
 * tested and fuzzed.
 *
 * crawler__robots_parse() keeps the groups that apply to 'token' (the
 * crawler's product token, compared without case), or the '*' groups when
 * none names it.  Parsing is lenient: unknown or malformed lines are
 * skipped, so it cannot fail; an empty text allows everything.  *out is the
 * caller's; free with crawler__robots_free().
 */
struct crawler_robots;

void crawler__robots_parse(struct crawler_robots **out, const char *txt, size_t len,
                           const char *token);

/* 1 if 'path' (the URL's path and query, percent-encoded, starting with
 * '/') may be fetched, 0 if not.  /robots.txt is always allowed. */
int crawler__robots_allowed(const struct crawler_robots *r, const char *path);

/* The Crawl-delay of the matched groups in milliseconds (the largest one
 * when several say), 0 when none. */
long crawler__robots_crawl_delay_ms(const struct crawler_robots *r);

/* NULL is a no-op. */
void crawler__robots_free(struct crawler_robots *r);

/*
 * Parse an HTTP Retry-After value, either delta seconds or an HTTP-date
 * (IMF-fixdate, RFC 850 or asctime), relative to 'now' (Unix seconds).
 * Returns the wait in seconds (>= 0), or -1 when the value is malformed.
 */
long crawler__retry_after_s(const char *value, int64_t now);

/*
 * fetch.c: 1 if the engine refuses to connect to 'addr' (a struct in_addr
 * for AF_INET, a struct in6_addr for AF_INET6, network order) when the
 * URL's host is not itself local: loopback, private, link-local, CGNAT,
 * unspecified, multicast, IPv6 site-local, and the IPv6 forms that embed
 * such an IPv4 address (mapped, translated, NAT64, 6to4).  Any other family
 * is refused too.
 */
int crawler__addr_private(int family, const void *addr);

/*
 * fetch.c: the wait before retry number 'tries' (1 = the first retry):
 * d = min(base * 2^(tries-1), cap), then a jitter drawn from 'r' (a uniform
 * 64-bit random value) picks a wait uniformly in [floor(d/2), 2*floor(d/2)],
 * so within [d/2, d]: half of d at least, all of it at most.  d <= 1 is
 * returned as is.  base and cap are >= 0 (crawler_fetch_new checks).
 */
long crawler__backoff_ms(long base, long cap, unsigned tries, uint64_t r);

/*
 * fetch.c: 0 if the engine follows a redirect from URL 'from' to URL 'to',
 * else NSC_EINVAL with a message naming both: 'to' is not http(s), or goes
 * from https to http, or its origin ("scheme://host:port", the port always
 * written) is neither in 'allowed' (NULL-terminated, in that form) nor the
 * https upgrade (port 80 to 443, same host) of an http origin in it.  With
 * 'allowed' NULL, only the origin of 'from' and its https upgrade are.
 */
int crawler__redirect_check(const char *const *allowed, const char *from, const char *to);

/* ==== end of fetch ========================================================= */

/* ==== parse ================================================================ */

/*
 * html.c: gumbo-parser parses the HTML; the tree is copied into a libxml2
 * document (elements, attributes, text; comments skipped) with an explicit
 * stack, so XPath from the profile can run on it.  libxml2 types are only
 * forward-declared here so that this header needs no libxml2 include path.
 */
struct _xmlDoc;
struct _xmlNode;

/* A compiled XPath from a profile, with where it was written. */
struct crawler__xpath {
    char *src;
    void *comp;       /* xmlXPathCompExprPtr; NULL when the key was absent */
    const char *file; /* the profile's file name (the profile owns it), for messages */
    int line, col;
};

/*
 * Parse 'len' bytes of HTML fetched from 'url' into a libxml2 document.
 * Input over 'max' bytes (CRAWLER_MAX_HTML, or CRAWLER_MAX_INDEX for a year
 * index) or nested deeper than CRAWLER_MAX_DEPTH fails
 * with NSC_ELIMIT before gumbo sees it; NUL bytes and invalid UTF-8 become
 * U+FFFD.  NSC_EPARSE if gumbo gives no tree.  Free with crawler__html_free().
 */
int crawler__html_parse(struct _xmlDoc **out, const char *url, const char *html, size_t len,
                        size_t max);
void crawler__html_free(struct _xmlDoc *doc);

/* Evaluate 'xp' at 'node' (NULL: the document root): 1 if it selects at
 * least one node or yields true / a non-empty string / a non-zero number,
 * else 0; NSC_EPARSE (FILE:L:C of the selector, libxml2's reason) when it
 * cannot be evaluated, e.g. it calls a function this binary lacks. */
int crawler__xp_match(const struct crawler__xpath *xp, struct _xmlDoc *doc, struct _xmlNode *node);

/* The nodes 'xp' selects at 'node'; *out (the caller's, free() only the
 * array) may be NULL when *n is 0.  Returns 0 or NSC_EPARSE. */
int crawler__xp_nodes(struct _xmlNode ***out, size_t *n, const struct crawler__xpath *xp,
                      struct _xmlDoc *doc, struct _xmlNode *node);

/*
 * The cleaned string values of what 'xp' yields at 'node': one per selected
 * node, or one for a string/number result.  Empty values are dropped.
 * 'twice' decodes entities once more (sites that double-escape).
 * *out is a NULL-terminated array the caller frees with crawler__strv_free().
 */
int crawler__xp_strings(char ***out, size_t *n, const struct crawler__xpath *xp,
                        struct _xmlDoc *doc, struct _xmlNode *node, int twice);

/* The first of crawler__xp_strings(), or NULL (not an error) when none. */
int crawler__xp_string(char **out, const struct crawler__xpath *xp, struct _xmlDoc *doc,
                       struct _xmlNode *node, int twice);

void crawler__strv_free(char **v);

/* Collapse whitespace runs (incl. U+00A0) to one space and trim; with
 * 'twice', decode HTML entities first.  NULL when the result is empty. */
char *crawler__text_clean(const char *s, int twice);

/* Decode HTML character references once (libxml2's entity table, numeric
 * references); unknown ones are left as they are.  A new string. */
char *crawler__entities_decode(const char *s);

/* Resolve 'ref' against 'base' (RFC 3986).  A new string, or NULL. */
char *crawler__url_resolve(const char *base, const char *ref);

/* The path of 'url' without scheme, host, query or fragment ("/" when
 * empty).  A new string. */
char *crawler__url_path(const char *url);

/* join.c: crawler_normalise_key() always through utf8proc, never its
 * ASCII fast path (for the test that the two agree). */
char *crawler__normalise_key_utf8proc(const char *s);

/* profile.c: the loaded form of a site profile. */
struct crawler__index_sel {
    struct crawler__xpath marker, item, link, title, authors, track, see_also;
    char *authors_sep; /* splits one authors string; NULL: one author per value */
};

struct crawler__page_sel {
    struct crawler__xpath marker, title, authors, track, abstract, pdf, metadata, doi;
};

struct crawler__era {
    char *name;
    int has_index, has_abstract;
    int unescape_twice; /* decode entities once more in text fields */
    struct crawler__index_sel index;
    struct crawler__page_sel page;
};

struct crawler__kv {
    char *key;
    char *value;
};

struct crawler__year {
    int year;
    unsigned sources; /* CRAWLER_SRC_* */
};

/*
 * The JSON field names of the virtual feed and of a Metadata.json, from the
 * profile's "feed" and "metadata" maps (one slot per key, in the order of
 * feed_keys[] / meta_keys[] in profile.c).  There are no
 * defaults in C: a profile that lists a "virtual" ("metadata") year states
 * every name; one that lists none may leave the map out (has_* is then 0).
 */
enum crawler__feed_field {
    CRAWLER__FEED_RESULTS,     /* the array of records */
    CRAWLER__FEED_COUNT,       /* the number of records the dump states */
    CRAWLER__FEED_NEXT,        /* the next page's URL: the dump is truncated */
    CRAWLER__FEED_UID,         /* a record: the key duplicates share */
    CRAWLER__FEED_ID,          /* a record: its integer id */
    CRAWLER__FEED_TITLE,       /* a record: the title */
    CRAWLER__FEED_PAPER_URL,   /* a record: the proceedings (or forum) URL */
    CRAWLER__FEED_DECISION,    /* a record: e.g. "Accept (poster)" */
    CRAWLER__FEED_EVENTTYPE,   /* a record: e.g. "Poster" */
    CRAWLER__FEED_AUTHORS,     /* a record: the array of authors */
    CRAWLER__FEED_AUTHOR_NAME, /* an author: the full name */
    CRAWLER__FEED_AUTHOR_INST, /* an author: the institution */
    CRAWLER__FEED_N
};

enum crawler__meta_field {
    CRAWLER__META_TITLE,       /* the title */
    CRAWLER__META_AUTHORS,     /* the array of authors */
    CRAWLER__META_GIVEN_NAME,  /* an author: the given name */
    CRAWLER__META_FAMILY_NAME, /* an author: the family name */
    CRAWLER__META_INST,        /* an author: the institution */
    CRAWLER__META_N
};

struct crawler_profile {
    char *file;
    char *text; /* the YAML as loaded, for a parser worker (sandbox.c) */
    size_t text_len;
    char *site;
    struct crawler__kv *hosts, *urls, *tracks;
    size_t nhosts, nurls, ntracks;
    void *id_re; /* regex_t *: group 1 of it on an abstract URL is the paper id */
    struct crawler__year *years;
    size_t nyears;
    struct crawler__era *eras;
    size_t neras;
    int has_feed, has_meta;
    char *feed[CRAWLER__FEED_N]; /* JSON field names, enum crawler__feed_field */
    char *meta[CRAWLER__META_N]; /* enum crawler__meta_field */
};

/* The canonical track for a raw value (slug or badge text) via the
 * profile's "tracks" map; the raw value itself when unmapped.  Borrowed. */
const char *crawler__profile_track(const struct crawler_profile *prof, const char *raw);

/* The paper id in 'url' by the profile's id pattern; a new string or NULL. */
char *crawler__profile_id(const struct crawler_profile *prof, const char *url);

/* parse_paper.c: append an author (strings copied; aff may be NULL). */
void crawler__paper_add_author(struct crawler_paper *p, const char *name, const char *aff,
                               const char *aff_source);
void crawler__paper_clear_authors(struct crawler_paper *p);
/* Replace *slot with a copy of 'v' (NULL allowed). */
void crawler__set_str(char **slot, const char *v);

/* sandbox.c: decode a worker's reply (the frame's payload).  0 with the
 * result; the worker's own error code and message; or NSC_ECRASH for a frame
 * that is short, long or out of range (*out is then empty). */
int crawler__sandbox_decode_index(struct crawler_year_index *out, const void *data, size_t len);
int crawler__sandbox_decode_paper(struct crawler_paper *out, const void *data, size_t len);

/* ==== end of parse ========================================================= */

#endif
