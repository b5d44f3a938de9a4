/*
 * crawler.h - the crawler component: fetch NeurIPS pages over HTTP and parse
 * them into paper records.  The crawler knows no countries and no store: it
 * fetches URLs, hands the bodies to its callers and parses what they give it.
 *
 * This header has two sections with two owners:
 *   - "fetch": the HTTP engine (crawler/fetch.c, robots.c, http_*.c);
 *   - "parse": the page parsers (crawler/parse_*.c, profile.c, join.c).
 * Edit only your own section.
 *
 * Errors follow common.h: int returns, 0 or a negative NSC_E* code, the
 * message via nsc_error_last().
 */
#ifndef NSC_CRAWLER_H
#define NSC_CRAWLER_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"

/* ==== fetch: the HTTP engine ============================================= */
/*
 * One thread, libcurl's multi interface.  The caller queues URLs with
 * crawler_fetch_add(), then calls crawler_fetch_run(), which returns when
 * every queued URL has been reported once through the 'done' callback (or
 * soon after crawler_fetch_stop()).  Callbacks may queue more URLs.  A
 * connection an answer frees starts its host's next queued URL (within the
 * limits below) before that answer is handed to the callback, so the server
 * works on the next request while the caller parses this one.
 *
 * Politeness, applied per host ("scheme://host:port"):
 *   - robots.txt (RFC 9309) is fetched before any other request to a host and
 *     kept for at most 24 h; a path it disallows is never requested.  A 4xx
 *     answer allows everything; a 5xx answer or an unreachable host stops the
 *     host: every URL on it fails with a message saying why.  Crawl-delay
 *     raises the host's interval between requests;
 *   - at most 'rate' request starts per second and 'max_per_host' transfers
 *     at once;
 *   - Retry-After on 429/503 is honoured (the host waits too), otherwise
 *     retries back off exponentially with jitter, 'max_attempts' in all;
 *   - after 10 URLs in a row (no success between) have failed all their
 *     attempts, the host is taken for down and stopped like one whose
 *     robots.txt answers 5xx.
 *
 * Safety: only http and https; TLS is always verified (there is no switch);
 * redirects are followed by the engine, at most 'max_redirects', only to
 * origins (scheme, host and port) on the allow-list, and never from https
 * to http; connections to loopback or private addresses are
 * refused unless the URL's host is itself local ("localhost" or a loopback or
 * private IP literal, as a test or mock site is).  Proxies named in the
 * environment (http_proxy, ...) are not used.
 *
 * Callbacks may call crawler_fetch_add() and crawler_fetch_stop(), never
 * crawler_fetch_free().  A stop lasts: a later crawler_fetch_run() on the
 * same engine reports every URL as stopped.
 */

struct crawler_fetch;

#define CRAWLER_MAX_PAGE    ((size_t)32 << 20) /* default response size cap */
#define CRAWLER_DEFAULT_URL "https://github.com/nipscope/nipscope"

struct crawler_fetch_config {
    /* "product/version (+contact URL)"; NULL means
     * "nipscope/<version> (+https://github.com/nipscope/nipscope)". */
    const char *user_agent;
    /* Product token matched against robots.txt User-agent lines; NULL means
     * the user agent up to its first '/' or space. */
    const char *robots_token;
    double rate;               /* request starts per second per host; 0 = no limit */
    unsigned max_per_host;     /* transfers at once per host (>= 1) */
    unsigned max_total;        /* transfers at once overall (>= 1) */
    long connect_timeout_ms;   /* per connection attempt */
    long timeout_ms;           /* per transfer, whole */
    long low_speed_bytes;      /* abort a transfer slower than this many bytes/s ... */
    long low_speed_time_s;     /* ... for this many seconds */
    size_t max_body;           /* response size cap in bytes */
    unsigned max_attempts;     /* attempts per URL, first one included (>= 1) */
    unsigned max_redirects;    /* redirects followed per URL */
    long backoff_base_ms;      /* first retry delay before jitter; doubles */
    long backoff_max_ms;       /* cap on one backoff delay */
    long retry_after_max_s;    /* a longer Retry-After fails the URL (NSC_ELIMIT) */
    long stop_grace_ms;        /* after a stop, in-flight transfers get this long */
    long progress_interval_ms; /* minimum gap between progress callbacks */
    int obey_robots;           /* 1 (default): fetch and obey robots.txt */
    long robots_ttl_s;         /* keep a host's robots.txt this long (1..86400) */
    /* NULL-terminated allow-list of origins, each given as an http(s) URL of
     * which only the scheme, host (without case) and port count (the port
     * defaults to the scheme's): "https://proceedings.neurips.cc".  URLs and
     * redirect targets on other origins are refused, with one exception: an
     * allowed http origin on port 80 also allows https on port 443 of the
     * same host (the upgrade real sites redirect to).  NULL allows any
     * origin for queued URLs, and redirects only to the same origin or its
     * https upgrade.  A malformed entry fails crawler_fetch_new(). */
    const char *const *allowed_origins;
    /* NULL-terminated "HOST:PORT:ADDRESS" entries that pin a host name to an
     * address, as curl's --resolve does (for a mirror, or a test).  The
     * private-address rule still applies: a pinned name that is not itself
     * local may not point at a loopback or private address.  NULL: none. */
    const char *const *resolve;
    uint64_t seed; /* jitter seed; 0 = from the clock */
    /* PEM file of extra certificate authorities to trust for https, on top of
     * the system's (a private mirror, or a test's throwaway CA); NULL: none.
     * Verification of peer and host name stays on: there is no switch. */
    const char *ca_file;
};

/* Fill 'cfg' with the defaults: 1 request/s, 2 per host, 8 overall, 10 s
 * connect, 120 s total, 30 s below 10 B/s, CRAWLER_MAX_PAGE, 3 attempts,
 * 5 redirects, backoff 1 s doubling to 60 s, Retry-After up to 1 h, 5 s stop
 * grace, progress every 1 s, robots.txt obeyed and kept 24 h, no allow-list. */
void crawler_fetch_config_init(struct crawler_fetch_config *cfg);

/* One URL to fetch.  Strings are copied by crawler_fetch_add(). */
struct crawler_fetch_request {
    const char *url;
    const char *etag;          /* sent as If-None-Match, or NULL */
    const char *last_modified; /* sent as If-Modified-Since, or NULL */
    void *user;                /* handed back in the result */
    size_t max_body;           /* response size cap for this URL; 0 = the engine's */
    /* Queue ahead of the host's waiting URLs: the next step of work under
     * way (a paper's second page), so that work finishes first. */
    int first;
};

/*
 * The outcome for one queued URL.  Every string and the body are owned by
 * the engine and live until the callback returns; the callback may take the
 * body with buf_detach(&res->body).
 *
 * err is 0 for a 2xx answer and for a 304 (not_modified = 1: keep the stored
 * copy).  Otherwise err is negative and errmsg names the URL:
 *   NSC_ENOTFOUND  404 or 410;
 *   NSC_ENET       another HTTP error status (429, 500, 502, 503 and 504
 *                  once the attempts are used up; others at once), a network
 *                  failure or timeout after the last attempt, or the host was
 *                  stopped because its robots.txt answered 5xx or was
 *                  unreachable (host_stopped);
 *   NSC_ELIMIT     the response exceeded its cap (the request's max_body, else
 *                  the engine's), too many redirects, or a
 *                  Retry-After longer than retry_after_max_s;
 *   NSC_EINVAL     robots.txt disallows the URL (robots_denied), a redirect
 *                  to a non-http(s) scheme, from https to http, or to an
 *                  origin off the allow-list, or a
 *                  connection to a loopback or private address (for the URL
 *                  or for its host's robots.txt: then host_stopped too);
 *   NSC_ERR        the run was stopped before the URL was fetched (stopped).
 */
struct crawler_fetch_result {
    const char *url;       /* as queued */
    const char *final_url; /* after redirects (== url when none) */
    long status;           /* the last HTTP status, 0 when none was received */
    int err;
    const char *errmsg; /* "" when err == 0 */
    int not_modified;
    int robots_denied;
    int host_stopped;
    int stopped;
    const char *etag; /* response validators, NULL when absent */
    const char *last_modified;
    const char *content_type;
    struct buf body;
    unsigned attempts;   /* requests made for this URL, redirects included */
    uint64_t elapsed_ms; /* from the first request to the outcome */
    void *user;
    int http_version; /* of the last response: 10, 11, 20, 30; 0 when none */
};

typedef void (*crawler_fetch_done_fn)(struct crawler_fetch *f, struct crawler_fetch_result *res,
                                      void *payload);

/* Totals for the caller's progress display and its log. */
struct crawler_fetch_stats {
    uint64_t queued;       /* URLs accepted by crawler_fetch_add() */
    uint64_t done;         /* URLs reported through the callback */
    uint64_t failed;       /* ... of which with err < 0 */
    uint64_t requests;     /* HTTP requests started, robots.txt and retries included */
    uint64_t retries;      /* requests that repeated an earlier attempt */
    uint64_t not_modified; /* 304 answers */
    uint64_t bytes;        /* body bytes received */
    unsigned in_flight;    /* transfers running now */
    uint64_t elapsed_ms;   /* since crawler_fetch_run() began */
    uint64_t request_ms;   /* total time spent in finished requests */
    uint64_t http2;        /* responses received over HTTP/2 (robots.txt included) */
};

/* Per-host counters; 'host' is "scheme://host:port". */
struct crawler_fetch_host_stats {
    const char *host;
    uint64_t requests;
    uint64_t retries;
    uint64_t not_modified;
    uint64_t bytes;
    uint64_t failures; /* URLs on this host reported with err < 0 */
};

typedef void (*crawler_fetch_progress_fn)(const struct crawler_fetch_stats *st, void *payload);

/*
 * Create an engine.  'cfg' is copied (with its strings); NULL means the
 * defaults.  'done' is called once per queued URL with 'payload'.
 * Returns 0, or NSC_EINVAL for a bad configuration, NSC_ENOTFOUND when
 * ca_file cannot be read, NSC_ENET if libcurl cannot be set up.  *out is the caller's; free with
 * crawler_fetch_free().
 */
int crawler_fetch_new(struct crawler_fetch **out, const struct crawler_fetch_config *cfg,
                      crawler_fetch_done_fn done, void *payload);

/* Called from crawler_fetch_run() at most every progress_interval_ms, and
 * once when the run ends. */
void crawler_fetch_set_progress(struct crawler_fetch *f, crawler_fetch_progress_fn fn,
                                void *payload);

/*
 * Queue one URL.  May be called from the callbacks.  Returns 0 (the URL will
 * be reported once through 'done'), or NSC_EINVAL without queueing when the
 * URL does not parse, is not http/https, or its origin is off the allow-list;
 * the message names the URL.
 */
int crawler_fetch_add(struct crawler_fetch *f, const struct crawler_fetch_request *req);

/*
 * Run until every queued URL has been reported, or until a stop: then
 * transfers in flight get stop_grace_ms to finish, and URLs not started are
 * reported with stopped = 1.  Returns 0, or NSC_ENET if libcurl's multi
 * interface fails.
 */
int crawler_fetch_run(struct crawler_fetch *f);

/* Ask crawler_fetch_run() to stop.  Async-signal-safe (it sets a flag that
 * the run checks at least every 100 ms), so a SIGTERM handler may call it. */
void crawler_fetch_stop(struct crawler_fetch *f);

/* Copy the totals into *out. */
void crawler_fetch_stats(const struct crawler_fetch *f, struct crawler_fetch_stats *out);

/* The number of hosts seen, and the counters of host 'i' (borrowed: valid
 * until the next crawler_fetch_add() or crawler_fetch_run()). */
size_t crawler_fetch_host_count(const struct crawler_fetch *f);
const struct crawler_fetch_host_stats *crawler_fetch_host_stats(const struct crawler_fetch *f,
                                                                size_t i);

/* Free the engine; URLs still queued are dropped without a callback.
 * NULL is a no-op. */
void crawler_fetch_free(struct crawler_fetch *f);

/* ==== end of fetch ========================================================= */

/* ==== parse: page parsers ================================================== */
/*
 * The parsers turn page bodies into paper records.  They never fetch: the
 * caller fetches with the engine above and hands in each body with the URL
 * it came from (used to resolve relative links and named in every error).
 * They know no countries: an affiliation is the raw string a source gave.
 *
 * What markup means what lives in a site profile (rules/sites/neurips.yaml):
 * XPath selectors per template era, the marker XPath that recognises an era,
 * the "See also" links to follow, URL templates, the sources each year has,
 * and the field names of the virtual feed and of Metadata.json.  When the
 * site changes its markup or renames a JSON field, edit the profile, not C.
 *
 * Strings in records are UTF-8, entity-decoded and whitespace-collapsed, and
 * are owned by the record.  An absent value is NULL, never "".
 *
 * Caps: HTML pages over CRAWLER_MAX_HTML (a year index: CRAWLER_MAX_INDEX,
 * one page listing the whole year, 31.8 MB for 50,000 papers), nesting deeper than
 * CRAWLER_MAX_DEPTH, a tag with more than 512 attributes, a paper with more
 * than CRAWLER_MAX_AUTHORS authors, Metadata.json over CRAWLER_MAX_JSON and
 * feeds over the caller's cap fail with NSC_ELIMIT, for that document only.
 * HTML is handed to gumbo only after those checks, with NUL bytes and
 * invalid UTF-8 replaced by U+FFFD.
 */

#define CRAWLER_MAX_HTML    ((size_t)16 << 20)  /* bytes of one HTML page */
#define CRAWLER_MAX_INDEX   ((size_t)64 << 20)  /* bytes of one year index page */
#define CRAWLER_MAX_DEPTH   1024                /* element nesting in one page */
#define CRAWLER_MAX_JSON    ((size_t)4 << 20)   /* bytes of one Metadata.json */
#define CRAWLER_MAX_FEED    ((size_t)256 << 20) /* default cap on a virtual feed */
#define CRAWLER_MAX_AUTHORS 5000                /* authors of one paper on a page */

/* Where an author's affiliation came from (static strings). */
#define CRAWLER_AFF_METADATA "metadata"
#define CRAWLER_AFF_VIRTUAL  "virtual"

struct crawler_author {
    char *name;
    char *affiliation;      /* NULL when no source gave one */
    const char *aff_source; /* CRAWLER_AFF_*; NULL when affiliation is NULL */
};

/* Which document (URL) gave which field of a paper. */
struct crawler_source {
    char *field; /* "title", "authors", "abstract", "affiliations", ... */
    char *url;
};

struct crawler_paper {
    char *id; /* the hash in the abstract URL */
    int year;
    char *track; /* the index's data-track slug ("none", "conference", ...) */
    char *title;
    char *abstract;
    char *abstract_url; /* absolute */
    char *pdf_url;      /* absolute */
    char *metadata_url; /* absolute; Metadata.json link (<= 2021) */
    char *doi;
    struct crawler_author *authors;
    size_t nauthors;
    struct crawler_source *sources;
    size_t nsources;
};

/* Free what 'p' holds and zero it (the struct itself is the caller's). */
void crawler_paper_release(struct crawler_paper *p);

/* Release and free a heap paper.  NULL is a no-op. */
void crawler_paper_free(struct crawler_paper *p);

/* Record that 'url' gave 'field', replacing an earlier URL for that field. */
void crawler_paper_set_source(struct crawler_paper *p, const char *field, const char *url);

/* The URL that gave 'field' (borrowed), or NULL. */
const char *crawler_paper_source(const struct crawler_paper *p, const char *field);

/* ---- site profiles ---- */

struct crawler_profile;

/* Sources a year has, as the profile's "years" map says. */
enum crawler_year_sources {
    CRAWLER_SRC_PROCEEDINGS = 1 << 0, /* year index and abstract pages */
    CRAWLER_SRC_METADATA = 1 << 1,    /* -Metadata.json per paper */
    CRAWLER_SRC_VIRTUAL = 1 << 2,     /* the virtual-site orals-posters feed */
    CRAWLER_SRC_DATASETS = 1 << 3     /* a second index, URL template "datasets_index" (2021 D&B) */
};

/*
 * Load a site profile from the YAML file 'path'.  *out is the caller's; free
 * with crawler_profile_free().  Every XPath is compiled at load time.
 * Returns 0, NSC_ENOTFOUND / NSC_EIO (unreadable file), or NSC_EPARSE (bad
 * YAML, a missing or unknown key, a bad XPath or pattern; no "feed" field
 * names while a year lists the source "virtual", no "metadata" ones while a
 * year lists "metadata") with a message "<file>:<line>:<col>: ...".
 */
int crawler_profile_load(struct crawler_profile **out, const char *path);

/* As crawler_profile_load() on 'len' bytes of 'text'; 'name' is the file
 * name used in messages. */
int crawler_profile_parse(struct crawler_profile **out, const char *name, const char *text,
                          size_t len);

/* NULL is a no-op. */
void crawler_profile_free(struct crawler_profile *prof);

/* The CRAWLER_SRC_* bits the profile lists for 'year', 0 for an unknown year. */
unsigned crawler_profile_year_sources(const struct crawler_profile *prof, int year);

/*
 * Replace the base URL of host 'name' ("proceedings", "virtual", "datasets"), e.g. with
 * a mock site's "http://127.0.0.1:8080".  Returns 0 or NSC_ENOTFOUND.
 */
int crawler_profile_set_host(struct crawler_profile *prof, const char *name, const char *base);

/*
 * Expand the URL template 'name' ("year_index", "feed", "metadata"):
 * {proceedings} and the other hosts, {year}, and {id} (may be NULL when the
 * template has no {id}).  *out is the caller's to free.
 * Returns 0, NSC_ENOTFOUND (no such template) or NSC_EINVAL (an unknown
 * placeholder, or {id} without an id).
 */
int crawler_profile_url(char **out, const struct crawler_profile *prof, const char *name, int year,
                        const char *id);

/* ---- proceedings pages ---- */

struct crawler_year_index {
    struct crawler_paper *papers; /* id, year, track, title, authors, abstract_url */
    size_t npapers;
    char **see_also; /* absolute URLs of companion indexes to parse too */
    size_t nsee_also;
    char *era;         /* the profile era that recognised the page */
    size_t duplicates; /* items dropped: a paper id listed again on this page */
};

/*
 * Parse a year index page fetched from 'url' for 'year'.  The first era
 * whose marker matches is used.  Returns 0 with at least one paper;
 * NSC_ETEMPLATE "no papers found in <url>: template not recognised" when no
 * era matches or the matched era finds no paper (an empty year is never a
 * success); NSC_EPARSE for an item without a usable link; NSC_ELIMIT over
 * the caps.  On failure *out is empty.  Release with
 * crawler_year_index_release().
 */
int crawler_parse_year_index(struct crawler_year_index *out, const struct crawler_profile *prof,
                             const char *url, int year, const char *html, size_t len);

void crawler_year_index_release(struct crawler_year_index *ix);

/*
 * Parse an abstract page fetched from 'url' into 'p', which may already hold
 * what the year index gave: fields the page has replace the index's (their
 * source becomes 'url'), except the track (the index's slug is kept; the
 * page's badge text, mapped by the profile, only fills a missing one);
 * authors are replaced only while none has an affiliation.  Sets abstract_url (if NULL), id (from
 * the URL), title, authors in order, track, abstract, pdf_url, metadata_url, doi. Returns 0,
 * NSC_ETEMPLATE (no era recognises the page, or it has no title), NSC_EINVAL ('p' already has an
 * id and the URL names another paper), NSC_ELIMIT; 'p' is unchanged on failure.
 */
int crawler_parse_abstract(struct crawler_paper *p, const struct crawler_profile *prof,
                           const char *url, const char *html, size_t len);

/* ---- the parser worker (issue 6: a gumbo crash costs one page) ---- */
/*
 * gumbo 0.10 is unmaintained; the two HTML parsers above can be run in a
 * long-lived worker process instead, so that a crash or an endless loop in
 * it fails the one page being parsed, never the crawl.  The worker gets the
 * profile as its YAML text (and the host bases set on it) and parses each
 * page it is sent; the crawler decodes its replies strictly.
 */

struct crawler_sandbox;

/*
 * Start the worker for 'prof'.  'exe' NULL: fork() and serve in the child
 * (tests; not for a process with threads); otherwise fork and execv(exe,
 * {exe, "parse-worker"}) with the socket on fd 3, whose parse-worker command
 * must call crawler_sandbox_serve(3).  Returns 0; NSC_EIO (socketpair, fork);
 * NSC_ECRASH when the worker dies or hangs before it is ready; the profile's
 * own error from the worker.  Free with crawler_sandbox_stop().
 */
int crawler_sandbox_start(struct crawler_sandbox **out, const struct crawler_profile *prof,
                          const char *exe);

/*
 * The time limit per page is base_ms (default 10 s; <= 0 keeps it) plus
 * per_mb_ms (default 1 s; < 0 keeps it) per MiB of body; after max_restarts
 * workers lost (default 20) the sandbox is broken.
 */
void crawler_sandbox_set_limits(struct crawler_sandbox *sb, long base_ms, long per_mb_ms,
                                unsigned max_restarts);

/*
 * crawler_parse_year_index() and crawler_parse_abstract() in the worker,
 * with the same results and errors, plus NSC_ECRASH when the worker was
 * killed by a signal, exited, passed the time limit or sent a malformed
 * reply: "<url>: parser worker killed by signal 11 (SIGSEGV); page skipped",
 * "<url>: parser timed out after 10.0 s; page skipped".  The worker is then
 * gone and the next call starts another.  Once the sandbox is broken
 * (crawler_sandbox_broken()) every call fails with NSC_ECRASH "... giving
 * up".  On any failure *out is empty and 'p' unchanged.
 */
int crawler_sandbox_parse_index(struct crawler_sandbox *sb, struct crawler_year_index *out,
                                const char *url, int year, const char *html, size_t len);
int crawler_sandbox_parse_abstract(struct crawler_sandbox *sb, struct crawler_paper *p,
                                   const char *url, const char *html, size_t len);

/* 1 once more workers were lost than the bound allows: stop the run. */
int crawler_sandbox_broken(const struct crawler_sandbox *sb);

/* End the worker (closing its socket; killed if busy after 1 s) and reap
 * it; free the sandbox.  NULL is a no-op. */
void crawler_sandbox_stop(struct crawler_sandbox *sb);

/*
 * The worker's loop: answer requests on 'fd' until it is closed, then close
 * it.  Returns 0, or NSC_EPARSE for a malformed request.  The environment
 * variable NSC_TEST_PARSER_FAULT ("crash:<marker>", "hang:<marker>",
 * "garbage:<marker>"; tests only) makes it raise SIGSEGV, hang, or send a
 * malformed reply for a page whose body contains <marker>.
 */
int crawler_sandbox_serve(int fd);

/* ---- Metadata.json (<= 2021) ---- */

struct crawler_meta_author {
    char *given_name; /* NULL when empty */
    char *family_name;
    char *institution; /* NULL when null, absent or empty */
};

struct crawler_metadata {
    char *title;
    struct crawler_meta_author *authors;
    size_t nauthors;
};

/*
 * Parse a -Metadata.json body fetched from 'url', its fields named by the
 * profile's "metadata" map.  Returns 0, NSC_EPARSE (bad JSON with line:col,
 * or a wrong type naming the author index), NSC_ELIMIT over
 * CRAWLER_MAX_JSON, NSC_EINVAL when the profile has no "metadata" map.
 * Release with crawler_metadata_release().
 */
int crawler_parse_metadata(struct crawler_metadata *out, const struct crawler_profile *prof,
                           const char *url, const char *json, size_t len);

void crawler_metadata_release(struct crawler_metadata *md);

/*
 * Give p's authors the institutions of 'md' (source "metadata", document
 * 'url'): by position when both lists have the same length and every
 * non-blank name agrees, otherwise by a unique normalised name.  An author
 * already holding an affiliation keeps it.  *unmatched (may be NULL) gets
 * the number of p's authors left without one by this call.
 */
void crawler_apply_metadata(struct crawler_paper *p, const struct crawler_metadata *md,
                            const char *url, size_t *unmatched);

/* ---- virtual-site feed (neurips-<year>-orals-posters.json) ---- */

struct crawler_feed_author {
    char *fullname;
    char *institution; /* entity-decoded; NULL when null, absent or empty */
};

struct crawler_feed_record {
    char *uid;
    long long id;
    char *name; /* the title, entity-decoded */
    char *paper_url;
    char *decision;
    char *eventtype;
    struct crawler_feed_author *authors;
    size_t nauthors;
};

struct crawler_feed {
    char *url;
    struct crawler_feed_record *records; /* one per uid, first seen kept */
    size_t nrecords;
    long long count;   /* "count" as the feed states it, -1 when absent */
    char *next;        /* "next" when not null: the dump is truncated */
    size_t duplicates; /* records dropped because their uid was seen */
};

/*
 * Called once per record kept (first of its uid), in feed order.  The record
 * is released after the call; the callback may take its strings (leaving
 * NULL behind).  A negative return stops the parse with that error.
 */
typedef int (*crawler_feed_record_fn)(struct crawler_feed_record *rec, void *payload);

/*
 * Parse a feed held in memory, its fields named by the profile's "feed" map
 * (the names below are the shipped profile's), one element of "results" at
 * a time: each is decoded, checked, handed to 'fn' and freed before the
 * next, so the parse holds one element's JSON tree, never the document's.
 * Fills the header of *out (url, count, next, nrecords, duplicates; records
 * stays NULL).  Returns 0; NSC_EPARSE for bad JSON ("'<url>':line:col:
 * invalid JSON: ... (byte N)"), a wrong type or a missing field, naming the
 * record index ("record results[12]: 'authors' is not an array"), or a
 * second "results" key; NSC_ELIMIT when len > 'max'; NSC_EINVAL when the
 * profile has no "feed" map; or the callback's error.  Records handed over
 * before an error stay handed over.  Release *out with
 * crawler_feed_release().
 */
int crawler_parse_feed_each(struct crawler_feed *out, const struct crawler_profile *prof,
                            const char *url, const char *json, size_t len, size_t max,
                            crawler_feed_record_fn fn, void *payload);

/*
 * As crawler_parse_feed_each(), keeping every record in out->records.
 * Release with crawler_feed_release().
 */
int crawler_parse_feed(struct crawler_feed *out, const struct crawler_profile *prof,
                       const char *url, const char *json, size_t len, size_t max);

/*
 * As crawler_parse_feed() on the file 'path', read through a window of
 * 64 KiB (plus the element being decoded): at most 'max' bytes are ever read
 * (NSC_ELIMIT beyond), so a huge feed is never loaded whole.  NSC_ENOTFOUND /
 * NSC_EIO for the file.
 */
int crawler_parse_feed_file(struct crawler_feed *out, const struct crawler_profile *prof,
                            const char *url, const char *path, size_t max);

void crawler_feed_release(struct crawler_feed *f);

/* ---- joining the feed to the proceedings ---- */

struct crawler_join_stats {
    size_t by_url;            /* papers joined by the path of paper_url */
    size_t by_title;          /* papers joined by title and author names */
    size_t papers_unjoined;   /* papers no record joined */
    size_t records_unjoined;  /* records that joined no paper */
    size_t ambiguous;         /* records whose title key fits several papers */
    size_t authors_unmatched; /* authors of joined papers left without an affiliation */
};

/*
 * Join 'feed' to 'papers' and give their authors the records' institutions
 * (source "virtual").  A record joins a paper when the path of its
 * paper_url equals the path of the paper's abstract_url (scheme and host
 * ignored), otherwise when the normalised title (case-folded, punctuation
 * and spaces collapsed) and the normalised author-name list are equal and
 * unique.  Within a joined paper, authors match by position when the names
 * agree, else by unique name; an author left unmatched keeps NULL.  No
 * affiliation ever moves between papers.  Fills *stats (may be NULL).
 */
void crawler_join_feed(struct crawler_join_stats *stats, struct crawler_paper *papers,
                       size_t npapers, const struct crawler_feed *feed);

/*
 * The same join, one record at a time, so the feed's records need not be
 * held: crawler_join_begin() indexes 'papers' (borrowed until
 * crawler_join_end()), crawler_join_record() joins each record in feed order
 * (duplicates already dropped, as crawler_parse_feed_each() hands them),
 * crawler_join_end() fills *stats (may be NULL) and frees the join.  'feed_url'
 * is the "affiliations" source given to the papers.
 */
struct crawler_join;

struct crawler_join *crawler_join_begin(struct crawler_paper *papers, size_t npapers,
                                        const char *feed_url);
void crawler_join_record(struct crawler_join *j, const struct crawler_feed_record *rec);
void crawler_join_end(struct crawler_join *j, struct crawler_join_stats *stats);

/*
 * Normalise 's' for matching: NFKC case-folded, marks stripped, every run of
 * characters that are not letters or digits turned into one space, trimmed.
 * Returns a new string (the caller's).
 */
char *crawler_normalise_key(const char *s);

/* ==== end of parse ========================================================= */

/* ==== pdf: paper PDFs (crawler/pdf.c, pdf_front.c) ======================== */
/*
 * Text extraction from a PDF held in memory (MuPDF: bench/pdf-extract.md says
 * why), and the parsers that read that text: the first page's author block
 * (names with superscript affiliation numbers, numbered affiliation lines,
 * emails grouped as {a,b}@x.edu) and the split into front matter, body and
 * references.  Nothing here knows a country: an affiliation is the line the
 * PDF prints, a domain is the text after '@'.
 *
 * Caps: a PDF over CRAWLER_MAX_PDF bytes, with more than CRAWLER_MAX_PDF_PAGES
 * pages, or whose text passes CRAWLER_MAX_PDF_TEXT fails with NSC_ELIMIT;
 * MuPDF's own allocations are capped at CRAWLER_MAX_PDF_MEM.  A file MuPDF
 * cannot open or read is NSC_EPARSE.  Every message names the URL.
 */

#define CRAWLER_MAX_PDF       ((size_t)64 << 20)  /* bytes of one PDF */
#define CRAWLER_MAX_PDF_PAGES 300                 /* pages of one PDF */
#define CRAWLER_MAX_PDF_TEXT  ((size_t)16 << 20)  /* bytes of its text */
#define CRAWLER_MAX_PDF_MEM   ((size_t)512 << 20) /* MuPDF heap while reading it */
#define CRAWLER_AFF_PDF       "pdf"

/*
 * Append the text of the 'len' bytes of PDF 'pdf' (fetched from 'url', used
 * in messages) to 'out', UTF-8: pages in order separated by '\f', text blocks
 * by an empty line, lines by '\n'; ligatures expanded and words hyphenated at
 * a line end joined again.  *pages (may be NULL) gets the page count.  On
 * failure 'out' is as it was.  Returns 0, NSC_ELIMIT or NSC_EPARSE.
 */
int crawler_pdf_text(struct buf *out, size_t *pages, const char *url, const void *pdf, size_t len);

/* Where the parts of a paper's text lie: [0, body) front matter (title,
 * authors, abstract), [body, refs) the body, [refs, appendix) the
 * references, [appendix, len) what follows them (appendix, checklist), also
 * body text.  refs == appendix == len when no references heading is found. */
struct crawler_pdf_parts {
    size_t body, refs, appendix, len;
};

/*
 * Split 'text' (as crawler_pdf_text() gives it) into parts: the body starts
 * at the first line after an "Abstract" line that reads like a first section
 * heading ("1 Introduction", "1. Introduction", "Introduction"), else at the
 * second page, else at 0; the references at the last line that is only
 * "References" or "Bibliography" (any case), and the appendix at the first
 * line after it that reads like an appendix heading ("A Proofs",
 * "Appendix", "NeurIPS Paper Checklist").
 */
void crawler_pdf_split(struct crawler_pdf_parts *out, const char *text, size_t len);

/*
 * Append the text of [from, to) of 'text' to 'out' as running text for the
 * mention scanner: lines joined with one space, and the lines a page break
 * puts inside a sentence left out (page breaks, and lines that are only a
 * page number), so "diffusion\n\n2\n\fmodels" reads "diffusion models".
 */
void crawler_pdf_running_text(struct buf *out, const char *text, size_t from, size_t to);

struct crawler_pdf_author {
    char *name;
    char *affiliation;  /* its numbered affiliation lines joined by "; ", or NULL */
    char *email;        /* "local@domain", or NULL */
    char *email_domain; /* the part after '@', lower case, or NULL */
};

struct crawler_pdf_front {
    struct crawler_pdf_author *authors;
    size_t nauthors;
};

/*
 * Parse the author block of a first page (the text before the first '\f'
 * of 'text'): the block after the title up to the first numbered
 * affiliation line gives the names and their numbers ("Ann Lee1,2, Bo Li2
 * and Cy Wu"); lines "1Tsinghua University" (or "1 Tsinghua ...") give the
 * affiliations, a line that continues none of them is appended to the one
 * before; lines with '@' give the emails ("{ann.lee,bo.li}@x.edu,
 * cy@y.cn"), each matched to the author whose name its local part spells,
 * else by position when there are as many emails as authors.  Stops at the
 * "Abstract" line.  Returns 0 (possibly with no authors) or NSC_ELIMIT for
 * more than CRAWLER_MAX_AUTHORS names.  Release with
 * crawler_pdf_front_release().
 */
int crawler_pdf_parse_front(struct crawler_pdf_front *out, const char *text, size_t len);

void crawler_pdf_front_release(struct crawler_pdf_front *f);

/* ==== end of pdf =========================================================== */

#endif
