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
 * soon after crawler_fetch_stop()).  Callbacks may queue more URLs.
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
 *     retries back off exponentially with jitter, 'max_attempts' in all.
 *
 * Safety: only http and https; TLS is always verified (there is no switch);
 * redirects are followed by the engine, at most 'max_redirects', and only to
 * hosts on the allow-list; connections to loopback or private addresses are
 * refused unless the URL's host is itself local ("localhost" or a loopback or
 * private IP literal, as a test or mock site is).
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
    /* NULL-terminated allow-list of host names (no port), compared without
     * case.  URLs and redirect targets on other hosts are refused.  NULL
     * allows any host for queued URLs, and redirects only to the same host. */
    const char *const *allowed_hosts;
    uint64_t seed; /* jitter seed; 0 = from the clock */
};

/* Fill 'cfg' with the defaults: 1 request/s, 2 per host, 8 overall, 10 s
 * connect, 120 s total, 30 s below 10 B/s, CRAWLER_MAX_PAGE, 3 attempts,
 * 5 redirects, backoff 1 s doubling to 60 s, Retry-After up to 1 h, 5 s stop
 * grace, progress every 1 s, robots.txt obeyed, no allow-list. */
void crawler_fetch_config_init(struct crawler_fetch_config *cfg);

/* One URL to fetch.  Strings are copied by crawler_fetch_add(). */
struct crawler_fetch_request {
    const char *url;
    const char *etag;          /* sent as If-None-Match, or NULL */
    const char *last_modified; /* sent as If-Modified-Since, or NULL */
    void *user;                /* handed back in the result */
};

/*
 * The outcome for one queued URL.  Every string and the body are owned by
 * the engine and live until the callback returns; the callback may take the
 * body with buf_detach(&res->body).
 *
 * err is 0 for a 2xx answer and for a 304 (not_modified = 1: keep the stored
 * copy).  Otherwise err is negative and errmsg names the URL:
 *   NSC_ENOTFOUND  404 or 410;
 *   NSC_ENET       another HTTP error status after the last attempt, a
 *                  network failure after the last attempt, or the host was
 *                  stopped because its robots.txt was unreachable (host_stopped);
 *   NSC_ELIMIT     the response exceeded max_body, too many redirects, or a
 *                  Retry-After longer than retry_after_max_s;
 *   NSC_EINVAL     robots.txt disallows the URL (robots_denied), a redirect
 *                  to another scheme or to a host off the allow-list, or a
 *                  connection to a private address;
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
 * Returns 0, or NSC_EINVAL for a bad configuration, NSC_ENET if libcurl
 * cannot be set up.  *out is the caller's; free with crawler_fetch_free().
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
 * URL does not parse, is not http/https, or its host is off the allow-list;
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

/* ==== end of parse ========================================================= */

#endif
