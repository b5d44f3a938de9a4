/*
 * fetch.c - the crawler's HTTP engine on libcurl's multi interface, one
 * thread.  See the "fetch" section of crawler.h for the contract.
 *
 * Each URL is a job.  Jobs wait in the queue of their host
 * ("scheme://host:port"); a host starts a job only when its robots.txt is
 * known, its clock allows (one start per interval) and it has fewer than
 * max_per_host transfers running.  Retries and redirects put the job back
 * at the front of a queue with a not-before time, so the host's clock and
 * concurrency apply to them too.  The loop in crawler_fetch_run() pumps the
 * hosts, lets libcurl work, collects finished transfers and sleeps in
 * curl_multi_poll() until the next host may start or 100 ms pass.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include "crawler_int.h"

#define ROBOTS_MAX_BYTES   ((size_t)512 * 1024) /* RFC 9309 2.5: parse at least 500 KiB */
#define POLL_MAX_MS        100
#define DEFAULT_USER_AGENT "nipscope/" NSC_CRAWLER_VERSION " (+" CRAWLER_DEFAULT_URL ")"

enum robots_state { ROBOTS_NONE, ROBOTS_FETCHING, ROBOTS_READY, ROBOTS_STOPPED };

struct host;

struct job {
    struct job *next;          /* in its host's queue */
    struct job *aprev, *anext; /* in the engine's list of running jobs */
    struct crawler_fetch *f;
    struct host *host;          /* host of the current URL */
    char *orig_url;             /* as queued */
    char *url;                  /* current, after redirects */
    char *path;                 /* path and query of 'url', for robots.txt */
    char *etag, *last_modified; /* the caller's validators */
    void *user;
    size_t max_body;         /* this URL's response cap (the engine's when not given) */
    int http_version;        /* of the last response (CURL_HTTP_VERSION_*), 0 when none */
    int is_robots;           /* fetches host->robots; never reported */
    struct host *robots_for; /* the host whose robots.txt this is */
    unsigned tries;          /* attempts at the current URL */
    unsigned requests;       /* all requests, redirects included */
    unsigned redirects;
    uint64_t not_before;       /* no request before this time (ms) */
    uint64_t first_ms, req_ms; /* first request, this request */
    uint64_t sent_ms;          /* when this request left */
    CURL *easy;
    struct curl_slist *hdrs;
    struct buf body;
    char *r_etag, *r_last_modified, *r_content_type, *r_retry_after;
    char *r_location; /* absolute redirect target */
    long status;
    int too_big, blocked_private;
    enum { WHY_NONE, WHY_ROBOTS, WHY_HOST_STOPPED, WHY_STOPPED } why;
    char errbuf[CURL_ERROR_SIZE];
};

struct host {
    char *key;  /* scheme://host:port */
    char *name; /* host name, lower case */
    int local;  /* the host is itself local, so private addresses are fine */
    enum robots_state rstate;
    struct crawler_robots *robots;
    struct job *rjob; /* robots.txt job waiting to (re)start */
    uint64_t robots_until;
    char *stop_reason;
    int stop_err;           /* the code its URLs fail with */
    unsigned failed_in_row; /* URLs given up after all their attempts, since a success */
    long interval_ms;
    uint64_t next_ms;
    unsigned active;
    struct job *head, *tail;
    size_t pending;
    struct crawler_fetch_host_stats st;
};

struct crawler_fetch {
    struct crawler_fetch_config cfg;
    char *user_agent, *token, *ca_file;
    char **allowed;             /* NULL-terminated copy, or NULL */
    struct curl_slist *resolve; /* cfg.resolve as libcurl wants it */
    CURLM *multi;
    struct host **hosts;
    size_t nhosts, caphosts;
    struct job *running; /* list of jobs with an easy handle in 'multi' */
    unsigned active;
    size_t pending; /* jobs waiting in host queues */
    crawler_fetch_done_fn done;
    void *payload;
    crawler_fetch_progress_fn progress;
    void *progress_payload;
    volatile sig_atomic_t stop;
    int stopping;
    uint64_t stop_deadline;
    struct crawler_fetch_stats st;
    uint64_t run_start, last_progress;
    uint64_t rng;
};

static int curl_users;

void crawler_fetch_config_init(struct crawler_fetch_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->rate = 1.0;
    cfg->max_per_host = 2;
    cfg->max_total = 8;
    cfg->connect_timeout_ms = 10000;
    cfg->timeout_ms = 120000;
    cfg->low_speed_bytes = 10;
    cfg->low_speed_time_s = 30;
    cfg->max_body = CRAWLER_MAX_PAGE;
    cfg->max_attempts = 3;
    cfg->max_redirects = 5;
    cfg->backoff_base_ms = 1000;
    cfg->backoff_max_ms = 60000;
    cfg->retry_after_max_s = 3600;
    cfg->stop_grace_ms = 5000;
    cfg->progress_interval_ms = 1000;
    cfg->obey_robots = 1;
    cfg->robots_ttl_s = 86400;
}

/* ---- small helpers ------------------------------------------------------ */

static uint64_t rng_next(struct crawler_fetch *f)
{
    /* splitmix64 */
    uint64_t z = (f->rng += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Exponential backoff, pure so that its bounds can be tested (contract in
 * crawler_int.h).  The doubling stops at the cap before it can overflow. */
long crawler__backoff_ms(long base, long cap, unsigned tries, uint64_t r)
{
    long d = base < cap ? base : cap;
    unsigned i;

    for (i = 1; i < tries && d < cap; i++)
        d = d > cap / 2 ? cap : d * 2;
    if (d <= 1)
        return d;
    return d / 2 + (long)(r % (uint64_t)(d / 2 + 1));
}

/* The engine's backoff for attempt 'tries', drawing the jitter from its
 * seeded generator. */
static long backoff_ms(struct crawler_fetch *f, unsigned tries)
{
    return crawler__backoff_ms(f->cfg.backoff_base_ms, f->cfg.backoff_max_ms, tries, rng_next(f));
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

/* 1 for loopback, private, link-local, CGNAT, unspecified and multicast. */
static int ipv4_private(const unsigned char *a)
{
    return a[0] == 0 || a[0] == 10 || a[0] == 127 || (a[0] == 100 && (a[1] & 0xC0) == 64) ||
           (a[0] == 169 && a[1] == 254) || (a[0] == 172 && (a[1] & 0xF0) == 16) ||
           (a[0] == 192 && a[1] == 168) || a[0] >= 224;
}

/* 1 for loopback, unspecified, unique-local, link-local, site-local
 * (fec0::/10, deprecated but still routed inside some networks) and
 * multicast, and for the forms that carry an IPv4 address: IPv4-mapped
 * ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96, NAT64 64:ff9b::/96 and
 * 6to4 2002::/16 are judged by the
 * IPv4 address they embed (a NAT64 or 6to4 gateway would forward to it);
 * IPv4-compatible ::/96 (deprecated, never routed) and the local-use NAT64
 * prefix 64:ff9b:1::/48 (RFC 8215: inside one network) are refused whole. */
static int ipv6_private(const unsigned char *a)
{
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF };
    static const unsigned char translated[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0 };
    static const unsigned char nat64[12] = { 0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0 };
    static const unsigned char nat64_local[6] = { 0, 0x64, 0xFF, 0x9B, 0, 1 };
    static const unsigned char zero[12] = { 0 };

    if (memcmp(a, mapped, 12) == 0 || memcmp(a, translated, 12) == 0 || memcmp(a, nat64, 12) == 0)
        return ipv4_private(a + 12);
    if (a[0] == 0x20 && a[1] == 0x02)
        return ipv4_private(a + 2);
    if (memcmp(a, zero, 12) == 0 || memcmp(a, nat64_local, 6) == 0)
        return 1;
    return (a[0] & 0xFE) == 0xFC || (a[0] == 0xFE && (a[1] & 0x80) == 0x80) || a[0] == 0xFF;
}

/* The refusal rule for one address, for the unit tests. */
int crawler__addr_private(int family, const void *addr)
{
    if (family == AF_INET)
        return ipv4_private(addr);
    if (family == AF_INET6)
        return ipv6_private(addr);
    return 1;
}

static int sockaddr_private(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return ipv4_private((const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr);
    if (sa->sa_family == AF_INET6)
        return ipv6_private((const unsigned char *)&((const struct sockaddr_in6 *)sa)->sin6_addr);
    return 1;
}

/* 1 if the URL host is itself local: "localhost" or a private IP literal. */
static int host_is_local(const char *name)
{
    unsigned char a[16];
    char tmp[64];
    size_t n = strlen(name);

    if (strcmp(name, "localhost") == 0 || (n > 10 && strcmp(name + n - 10, ".localhost") == 0))
        return 1;
    if (inet_pton(AF_INET, name, a) == 1)
        return ipv4_private(a);
    if (name[0] == '[' && n >= 2 && n - 2 < sizeof(tmp)) {
        memcpy(tmp, name + 1, n - 2);
        tmp[n - 2] = '\0';
        if (strchr(tmp, '%'))
            *strchr(tmp, '%') = '\0';
        if (inet_pton(AF_INET6, tmp, a) == 1)
            return ipv6_private(a);
    }
    return 0;
}

struct url_parts {
    char *url; /* normalised by libcurl */
    char *scheme, *host, *path;
    long port;
};

static void url_parts_release(struct url_parts *p)
{
    free(p->url);
    free(p->scheme);
    free(p->host);
    free(p->path);
    memset(p, 0, sizeof(*p));
}

/* Split an absolute http(s) URL.  NSC_EINVAL, naming the URL, otherwise. */
static int url_split(struct url_parts *out, const char *url)
{
    CURLU *u = curl_url();
    char *s = NULL, *h = NULL, *port = NULL, *path = NULL, *query = NULL, *full = NULL;
    CURLUcode uc;
    int err = 0;

    memset(out, 0, sizeof(*out));
    if (!u)
        return nsc_error_set(NSC_ENET, "cannot allocate a libcurl URL handle");
    uc = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
    if (uc != CURLUE_OK) {
        err = nsc_error_set(NSC_EINVAL, "'%s': not a valid URL (%s)", url, curl_url_strerror(uc));
        goto out;
    }
    if (curl_url_get(u, CURLUPART_SCHEME, &s, 0) != CURLUE_OK ||
        (nsc_strcasecmp(s, "http") != 0 && nsc_strcasecmp(s, "https") != 0)) {
        err = nsc_error_set(NSC_EINVAL, "'%s': scheme '%s' is not allowed (only http and https)",
                            url, s ? s : "");
        goto out;
    }
    if (curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK || !h || !*h ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &full, 0) != CURLUE_OK) {
        err = nsc_error_set(NSC_EINVAL, "'%s': URL without a host", url);
        goto out;
    }
    if (curl_url_get(u, CURLUPART_QUERY, &query, 0) != CURLUE_OK)
        query = NULL;
    out->url = xstrdup(full);
    out->scheme = xstrdup(s);
    lower(out->scheme);
    out->host = xstrdup(h);
    lower(out->host);
    out->port = strtol(port, NULL, 10);
    out->path = query ? xasprintf("%s?%s", path, query) : xstrdup(path);
out:
    curl_free(s);
    curl_free(h);
    curl_free(port);
    curl_free(path);
    curl_free(query);
    curl_free(full);
    curl_url_cleanup(u);
    return err;
}

/* The origin key "scheme://host:port" of split URL 'p', the form the
 * allow-list is kept in and hosts are keyed by. */
static char *origin_key(const struct url_parts *p)
{
    return xasprintf("%s://%s:%ld", p->scheme, p->host, p->port);
}

/* 1 if 'to' is the https upgrade of 'from': the same host, http on its
 * default port to https on its default port. */
static int is_upgrade(const char *from_scheme, const char *from_host, long from_port,
                      const struct url_parts *to)
{
    return strcmp(from_scheme, "http") == 0 && from_port == 80 &&
           strcmp(to->scheme, "https") == 0 && to->port == 443 && strcmp(from_host, to->host) == 0;
}

/* 1 if 'p' is on an allowed origin (NULL allows all), or is the https
 * upgrade of one. */
static int origin_allowed(const char *const *allowed, const struct url_parts *p)
{
    char *key;
    size_t i;
    int ok = 0;

    if (!allowed)
        return 1;
    key = origin_key(p);
    for (i = 0; allowed[i] && !ok; i++)
        ok = strcmp(allowed[i], key) == 0;
    free(key);
    if (!ok && strcmp(p->scheme, "https") == 0 && p->port == 443) {
        key = xasprintf("http://%s:80", p->host);
        for (i = 0; allowed[i] && !ok; i++)
            ok = strcmp(allowed[i], key) == 0;
        free(key);
    }
    return ok;
}

/* Whether a redirect from 'from' to 'to' may be followed (the rule is in
 * crawler_int.h): 0, or NSC_EINVAL naming both URLs and the reason. */
static int redirect_check(const char *const *allowed, const char *from, const struct url_parts *to)
{
    struct url_parts fp;
    int err = url_split(&fp, from);

    if (err < 0)
        return err;
    if (strcmp(fp.scheme, "https") == 0 && strcmp(to->scheme, "http") == 0)
        err = nsc_error_set(NSC_EINVAL,
                            "'%s': redirect to '%s' refused: it would downgrade https to http",
                            from, to->url);
    else if (allowed ? !origin_allowed(allowed, to)
                     : !((strcmp(fp.scheme, to->scheme) == 0 && strcmp(fp.host, to->host) == 0 &&
                          fp.port == to->port) ||
                         is_upgrade(fp.scheme, fp.host, fp.port, to)))
        err = nsc_error_set(NSC_EINVAL,
                            "'%s': redirect to '%s' refused: origin %s://%s:%ld is not an allowed "
                            "site",
                            from, to->url, to->scheme, to->host, to->port);
    url_parts_release(&fp);
    return err;
}

/* The redirect rule on two URL strings, for the unit tests. */
int crawler__redirect_check(const char *const *allowed, const char *from, const char *to)
{
    struct url_parts tp;
    char *why;
    int err = url_split(&tp, to);

    if (err < 0) {
        why = xstrdup(nsc_error_last());
        err = nsc_error_set(NSC_EINVAL, "'%s': redirect to '%s' refused: %s", from, to, why);
        free(why);
        return err;
    }
    err = redirect_check(allowed, from, &tp);
    url_parts_release(&tp);
    return err;
}

static struct host *host_get(struct crawler_fetch *f, const struct url_parts *p)
{
    char *key = origin_key(p);
    struct host *h;
    size_t i;

    for (i = 0; i < f->nhosts; i++) {
        if (strcmp(f->hosts[i]->key, key) == 0) {
            free(key);
            return f->hosts[i];
        }
    }
    h = xcalloc(1, sizeof(*h));
    h->key = key;
    h->name = xstrdup(p->host);
    h->local = host_is_local(h->name);
    h->interval_ms = f->cfg.rate > 0 ? (long)(1000.0 / f->cfg.rate + 0.999) : 0;
    if (!f->cfg.obey_robots) {
        h->rstate = ROBOTS_READY;
        h->robots_until = UINT64_MAX;
    }
    h->st.host = h->key;
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): array of pointers, as meant */
    NSC_GROW(f->hosts, f->caphosts, f->nhosts + 1);
    f->hosts[f->nhosts++] = h;
    return h;
}

static void job_clear_response(struct job *j)
{
    free(j->r_etag);
    free(j->r_last_modified);
    free(j->r_content_type);
    free(j->r_retry_after);
    free(j->r_location);
    j->r_etag = j->r_last_modified = j->r_content_type = j->r_retry_after = NULL;
    j->r_location = NULL;
    buf_reset(&j->body);
    j->status = 0;
    j->too_big = j->blocked_private = 0;
    j->why = WHY_NONE;
    j->errbuf[0] = '\0';
}

static void job_free(struct job *j)
{
    if (!j)
        return;
    job_clear_response(j);
    buf_release(&j->body);
    curl_slist_free_all(j->hdrs);
    free(j->orig_url);
    free(j->url);
    free(j->path);
    free(j->etag);
    free(j->last_modified);
    free(j);
}

static void queue_push(struct crawler_fetch *f, struct host *h, struct job *j, int front)
{
    j->host = h;
    j->next = NULL;
    if (front) {
        j->next = h->head;
        h->head = j;
        if (!h->tail)
            h->tail = j;
    } else {
        if (h->tail)
            h->tail->next = j;
        else
            h->head = j;
        h->tail = j;
    }
    h->pending++;
    f->pending++;
}

/* Unlink and return the first job whose not-before time has come. */
static struct job *queue_take_ready(struct crawler_fetch *f, struct host *h, uint64_t now)
{
    struct job *j, *prev = NULL;

    for (j = h->head; j; prev = j, j = j->next) {
        if (j->not_before > now)
            continue;
        if (prev)
            prev->next = j->next;
        else
            h->head = j->next;
        if (h->tail == j)
            h->tail = prev;
        j->next = NULL;
        h->pending--;
        f->pending--;
        return j;
    }
    return NULL;
}

/* libcurl's CURL_HTTP_VERSION_* as 10, 11, 20 or 30 (0: none or unknown). */
static int http_version_number(int v)
{
    switch (v) {
    case CURL_HTTP_VERSION_1_0:
        return 10;
    case CURL_HTTP_VERSION_1_1:
        return 11;
    case CURL_HTTP_VERSION_2_0:
        return 20;
#ifdef CURL_HTTP_VERSION_3
    case CURL_HTTP_VERSION_3:
        return 30;
#endif
    default:
        return 0;
    }
}

/* Report a job to the caller and free it.  'fmt' NULL means success. */
static void finish(struct crawler_fetch *f, struct job *j, int err, const char *fmt, ...)
    NSC_PRINTF(4, 5);

static void finish(struct crawler_fetch *f, struct job *j, int err, const char *fmt, ...)
{
    struct crawler_fetch_result res;
    struct buf msg = BUF_INIT;
    uint64_t now = nsc_now_ms();

    if (fmt) {
        va_list ap;

        va_start(ap, fmt);
        buf_vappendf(&msg, fmt, ap);
        va_end(ap);
        log_info("fetch: %s", buf_cstr(&msg));
    }
    memset(&res, 0, sizeof(res));
    res.url = j->orig_url;
    res.final_url = j->url;
    res.status = j->status;
    res.err = err;
    res.errmsg = buf_cstr(&msg);
    res.not_modified = err == 0 && j->status == 304;
    res.etag = j->r_etag;
    res.last_modified = j->r_last_modified;
    res.content_type = j->r_content_type;
    res.body = j->body;
    buf_init(&j->body);
    res.attempts = j->requests;
    res.elapsed_ms = j->first_ms ? now - j->first_ms : 0;
    res.user = j->user;
    res.http_version = http_version_number(j->http_version);
    res.robots_denied = j->why == WHY_ROBOTS;
    res.host_stopped = j->why == WHY_HOST_STOPPED;
    res.stopped = j->why == WHY_STOPPED;
    f->st.done++;
    if (err < 0) {
        f->st.failed++;
        j->host->st.failures++;
    } else {
        j->host->failed_in_row = 0;
    }
    if (f->done)
        f->done(f, &res, f->payload);
    buf_release(&res.body);
    buf_release(&msg);
    job_free(j);
}

/* ---- libcurl callbacks -------------------------------------------------- */

/* Keep the body, up to the cap: past it, stop the transfer. */
static size_t on_write(char *data, size_t size, size_t nmemb, void *userp)
{
    struct job *j = userp;
    size_t n = size * nmemb;
    size_t cap = j->is_robots ? ROBOTS_MAX_BYTES : j->max_body;

    if (n > cap || j->body.len > cap - n) {
        j->too_big = 1;
        return 0; /* CURLE_WRITE_ERROR */
    }
    buf_append(&j->body, data, n);
    j->f->st.bytes += n;
    j->host->st.bytes += n;
    return n;
}

static char *header_value(const char *line, size_t n, const char *name)
{
    size_t k = strlen(name), e;

    if (n <= k || line[k] != ':' || nsc_strncasecmp(line, name, k) != 0)
        return NULL;
    line += k + 1;
    n -= k + 1;
    while (n > 0 && (*line == ' ' || *line == '\t'))
        line++, n--;
    for (e = n; e > 0 && (line[e - 1] == '\r' || line[e - 1] == '\n' || line[e - 1] == ' ' ||
                          line[e - 1] == '\t');
         e--)
        ;
    return xstrndup(line, e);
}

/* Keep the headers of interest from the last response. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *userp)
{
    struct job *j = userp;
    size_t n = size * nmemb;
    char *v;

    if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        free(j->r_etag);
        free(j->r_last_modified);
        free(j->r_content_type);
        free(j->r_retry_after);
        j->r_etag = j->r_last_modified = j->r_content_type = j->r_retry_after = NULL;
        return n;
    }
    if ((v = header_value(data, n, "etag"))) {
        free(j->r_etag);
        j->r_etag = v;
    } else if ((v = header_value(data, n, "last-modified"))) {
        free(j->r_last_modified);
        j->r_last_modified = v;
    } else if ((v = header_value(data, n, "content-type"))) {
        free(j->r_content_type);
        j->r_content_type = v;
    } else if ((v = header_value(data, n, "retry-after"))) {
        free(j->r_retry_after);
        j->r_retry_after = v;
    }
    return n;
}

/* Refuse loopback and private addresses unless the URL's host is local. */
static curl_socket_t on_open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
    struct job *j = clientp;

    if (!j->host->local && sockaddr_private(&addr->addr)) {
        j->blocked_private = 1;
        return CURL_SOCKET_BAD;
    }
    return socket(addr->family, addr->socktype, addr->protocol);
}

/* ---- starting and finishing transfers ------------------------------------ */

static void running_link(struct crawler_fetch *f, struct job *j)
{
    j->aprev = NULL;
    j->anext = f->running;
    if (f->running)
        f->running->aprev = j;
    f->running = j;
}

static void running_unlink(struct crawler_fetch *f, struct job *j)
{
    if (j->aprev)
        j->aprev->anext = j->anext;
    else
        f->running = j->anext;
    if (j->anext)
        j->anext->aprev = j->aprev;
    j->aprev = j->anext = NULL;
}

#define SETOPT(h, o, v)                                                                            \
    do {                                                                                           \
        if (curl_easy_setopt((h), (o), (v)) != CURLE_OK)                                           \
            bad = #o;                                                                              \
    } while (0)

/* Start one request for 'j' on its host.  NSC_ENET if libcurl refuses. */
static int start_job(struct crawler_fetch *f, struct job *j, uint64_t now)
{
    struct host *h = j->host;
    const char *bad = NULL;
    CURL *e = curl_easy_init();

    if (!e)
        return nsc_error_set(NSC_ENET, "'%s': cannot create a libcurl handle", j->url);
    job_clear_response(j);
    curl_slist_free_all(j->hdrs);
    j->hdrs = NULL;
    if (!j->is_robots && j->etag) {
        char *hd = xasprintf("If-None-Match: %s", j->etag);

        j->hdrs = curl_slist_append(j->hdrs, hd);
        free(hd);
    }
    if (!j->is_robots && j->last_modified) {
        char *hd = xasprintf("If-Modified-Since: %s", j->last_modified);

        j->hdrs = curl_slist_append(j->hdrs, hd);
        free(hd);
    }
    SETOPT(e, CURLOPT_URL, j->url);
    SETOPT(e, CURLOPT_PROTOCOLS_STR, "http,https");
    SETOPT(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SETOPT(e, CURLOPT_FOLLOWLOCATION, 0L);
    SETOPT(e, CURLOPT_USERAGENT, f->user_agent);
    SETOPT(e, CURLOPT_ACCEPT_ENCODING, "");
    SETOPT(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    SETOPT(e, CURLOPT_PIPEWAIT, 1L);
    SETOPT(e, CURLOPT_SSL_VERIFYPEER, 1L);
    SETOPT(e, CURLOPT_SSL_VERIFYHOST, 2L);
    SETOPT(e, CURLOPT_PROXY, ""); /* no proxy from the environment */
    SETOPT(e, CURLOPT_NOSIGNAL, 1L);
    SETOPT(e, CURLOPT_CONNECTTIMEOUT_MS, f->cfg.connect_timeout_ms);
    SETOPT(e, CURLOPT_TIMEOUT_MS, f->cfg.timeout_ms);
    SETOPT(e, CURLOPT_LOW_SPEED_LIMIT, f->cfg.low_speed_bytes);
    SETOPT(e, CURLOPT_LOW_SPEED_TIME, f->cfg.low_speed_time_s);
    if (!j->is_robots)
        SETOPT(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)j->max_body);
    /* Added to the system's trust (CURLOPT_CAPATH keeps its default); peer
     * and host verification stay on. */
    if (f->ca_file)
        SETOPT(e, CURLOPT_CAINFO, f->ca_file);
    SETOPT(e, CURLOPT_WRITEFUNCTION, on_write);
    SETOPT(e, CURLOPT_WRITEDATA, j);
    SETOPT(e, CURLOPT_HEADERFUNCTION, on_header);
    SETOPT(e, CURLOPT_HEADERDATA, j);
    SETOPT(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    SETOPT(e, CURLOPT_OPENSOCKETDATA, j);
    SETOPT(e, CURLOPT_ERRORBUFFER, j->errbuf);
    SETOPT(e, CURLOPT_PRIVATE, j);
    if (f->resolve)
        SETOPT(e, CURLOPT_RESOLVE, f->resolve);
    if (j->hdrs)
        SETOPT(e, CURLOPT_HTTPHEADER, j->hdrs);
    /* After a failure, do not trust pooled connections: a retry on a dead
     * reused one would make libcurl repeat the request behind our back. */
    if (j->tries > 0)
        SETOPT(e, CURLOPT_FRESH_CONNECT, 1L);
    if (bad) {
        curl_easy_cleanup(e);
        return nsc_error_set(NSC_ENET, "'%s': libcurl refused option %s", j->url, bad);
    }
    if (curl_multi_add_handle(f->multi, e) != CURLM_OK) {
        curl_easy_cleanup(e);
        return nsc_error_set(NSC_ENET, "'%s': cannot add the transfer to libcurl", j->url);
    }
    j->easy = e;
    if (j->tries > 0) {
        f->st.retries++;
        h->st.retries++;
    }
    j->tries++;
    j->requests++;
    j->req_ms = now;
    if (!j->first_ms)
        j->first_ms = now;
    f->st.requests++;
    h->st.requests++;
    h->active++;
    f->active++;
    h->next_ms = now + (uint64_t)h->interval_ms;
    running_link(f, j);
    log_debug("fetch: GET %s (attempt %u)", j->url, j->tries);
    return 0;
}

static int retryable_curl(CURLcode rc)
{
    switch (rc) {
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
        return 1;
    default:
        return 0;
    }
}

static int retryable_status(long status)
{
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

/* Describe a failed transfer: libcurl's detail when it has one. */
static const char *curl_reason(const struct job *j, CURLcode rc)
{
    return j->errbuf[0] ? j->errbuf : curl_easy_strerror(rc);
}

/*
 * Decide when to retry 'j' after a retryable failure: Retry-After on
 * 429/503, otherwise backoff.  Returns the delay in ms, or -1 when the
 * server asks for longer than retry_after_max_s.
 */
static long retry_delay(struct crawler_fetch *f, struct job *j)
{
    if ((j->status == 429 || j->status == 503) && j->r_retry_after) {
        long s = crawler__retry_after_s(j->r_retry_after, nsc_wall_s());

        if (s > f->cfg.retry_after_max_s)
            return -1;
        if (s >= 0) {
            /* The whole host is busy: its clock waits too. */
            uint64_t until = nsc_now_ms() + (uint64_t)s * 1000;

            if (j->host->next_ms < until)
                j->host->next_ms = until;
            return s * 1000;
        }
    }
    return backoff_ms(f, j->tries);
}

static void robots_ready(struct crawler_fetch *f, struct host *h, const char *txt, size_t len)
{
    long delay, base = f->cfg.rate > 0 ? (long)(1000.0 / f->cfg.rate + 0.999) : 0;

    crawler__robots_free(h->robots);
    crawler__robots_parse(&h->robots, txt, len, f->token);
    delay = crawler__robots_crawl_delay_ms(h->robots);
    h->interval_ms = delay > base ? delay : base;
    h->rstate = ROBOTS_READY;
    h->robots_until = nsc_now_ms() + (uint64_t)f->cfg.robots_ttl_s * 1000;
    if (delay > 0)
        log_info("fetch: %s: Crawl-delay %ld ms", h->key, delay);
}

static void host_stop(struct crawler_fetch *f, struct host *h, int err, char *reason)
{
    h->stop_err = err;
    log_warn("fetch: stopping host %s: %s", h->key, reason);
    free(h->stop_reason);
    h->stop_reason = reason;
    h->rstate = ROBOTS_STOPPED;
    h->robots_until = nsc_now_ms() + (uint64_t)f->cfg.robots_ttl_s * 1000;
}

/* A robots.txt transfer ended: decide the host's state (RFC 9309 2.3.1). */
static void robots_done(struct crawler_fetch *f, struct job *j, CURLcode rc)
{
    struct host *h = j->robots_for;
    long st = j->status;

    if ((rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && j->too_big)) && st >= 200 && st < 300) {
        /* Past 512 KiB the rest is ignored, as RFC 9309 2.5 allows. */
        robots_ready(f, h, j->body.ptr ? j->body.ptr : "", j->body.len);
        /* Crawl-delay counts from the robots.txt request itself */
        if (h->next_ms < j->sent_ms + (uint64_t)h->interval_ms)
            h->next_ms = j->sent_ms + (uint64_t)h->interval_ms;
        goto done;
    }
    if (rc == CURLE_OK && st >= 300 && st < 400 && j->redirects < f->cfg.max_redirects) {
        struct url_parts p;

        if (j->r_location && url_split(&p, j->r_location) == 0) {
            if (redirect_check((const char *const *)f->allowed, j->url, &p) == 0) {
                free(j->url);
                j->url = xstrdup(p.url);
                j->host = host_get(f, &p);
                j->redirects++;
                j->tries = 0;
                j->not_before = 0;
                url_parts_release(&p);
                h->rjob = j;
                return;
            }
            url_parts_release(&p);
        }
    }
    if (rc == CURLE_OK && st >= 400 && st < 500 && st != 429) {
        /* unavailable: everything is allowed */
        robots_ready(f, h, "", 0);
        goto done;
    }
    if ((rc != CURLE_OK ? retryable_curl(rc) && !j->blocked_private : retryable_status(st)) &&
        j->tries < f->cfg.max_attempts) {
        long d = retry_delay(f, j);

        if (d >= 0) {
            j->not_before = nsc_now_ms() + (uint64_t)d;
            h->rjob = j;
            return;
        }
    }
    if (j->blocked_private)
        host_stop(f, h, NSC_EINVAL,
                  xasprintf("robots.txt '%s': refusing to connect to a loopback or private address",
                            j->url));
    else if (rc != CURLE_OK)
        host_stop(f, h, NSC_ENET,
                  xasprintf("robots.txt '%s' unreachable after %u attempts: %s", j->url, j->tries,
                            curl_reason(j, rc)));
    else
        host_stop(
            f, h, NSC_ENET,
            xasprintf("robots.txt '%s' answered HTTP %ld after %u attempts", j->url, st, j->tries));
done:
    job_free(j);
}

/* Handle a 3xx answer: queue the job again at the target, or fail it. */
static void follow_redirect(struct crawler_fetch *f, struct job *j)
{
    const char *loc = j->r_location;
    struct url_parts p;
    int err;

    if (!loc) {
        finish(f, j, NSC_ENET, "'%s': HTTP %ld without a Location", j->url, j->status);
        return;
    }
    if (j->redirects >= f->cfg.max_redirects) {
        finish(f, j, NSC_ELIMIT, "'%s': more than %u redirects (the last to '%s')", j->orig_url,
               f->cfg.max_redirects, loc);
        return;
    }
    err = url_split(&p, loc);
    if (err < 0) {
        finish(f, j, NSC_EINVAL, "'%s': redirect to '%s' refused: %s", j->url, loc,
               nsc_error_last());
        return;
    }
    if (redirect_check((const char *const *)f->allowed, j->url, &p) < 0) {
        finish(f, j, NSC_EINVAL, "%s", nsc_error_last());
        url_parts_release(&p);
        return;
    }
    log_debug("fetch: %s redirects to %s", j->url, p.url);
    free(j->url);
    free(j->path);
    j->url = p.url;
    j->path = p.path;
    p.url = p.path = NULL;
    j->redirects++;
    j->tries = 0;
    j->not_before = 0;
    queue_push(f, host_get(f, &p), j, 1);
    url_parts_release(&p);
}

/*
 * A URL of 'h' failed all its attempts.  After HOST_GIVE_UP of them in a row
 * (no success between) the host is taken for down: it is stopped, and what
 * is queued for it fails at once with the reason, instead of each URL
 * trying it again max_attempts times (a year's worth of requests to a
 * host that went down in the middle of a crawl).
 */
#define HOST_GIVE_UP 10

static void host_failed(struct crawler_fetch *f, struct host *h, const char *url, const char *why)
{
    if (++h->failed_in_row < HOST_GIVE_UP || h->rstate != ROBOTS_READY)
        return;
    host_stop(f, h, NSC_ENET,
              xasprintf("%u URLs in a row failed after %u attempts each, the last '%s': %s",
                        h->failed_in_row, f->cfg.max_attempts, url, why));
}

/* Put 'j' back at the front of its host's queue for another attempt, or
 * fail it when the attempts are used up. */
static void retry_or_fail(struct crawler_fetch *f, struct job *j, const char *why)
{
    long d;

    if (j->tries >= f->cfg.max_attempts) {
        struct host *h = j->host;
        char *url = xstrdup(j->url);

        finish(f, j, NSC_ENET, "'%s': %s (gave up after %u attempts)", j->url, why, j->tries);
        host_failed(f, h, url, why);
        free(url);
        return;
    }
    d = retry_delay(f, j);
    if (d < 0) {
        finish(f, j, NSC_ELIMIT, "'%s': %s with Retry-After '%s', longer than %ld s", j->url, why,
               j->r_retry_after, f->cfg.retry_after_max_s);
        return;
    }
    log_info("fetch: %s: %s; retry %u in %ld ms", j->url, why, j->tries, d);
    j->not_before = nsc_now_ms() + (uint64_t)d;
    queue_push(f, j->host, j, 1);
}

/* A transfer ended: take what libcurl knows of it and give its connection
 * slot back, so the host can start its next URL at once. */
static void transfer_release(struct crawler_fetch *f, struct job *j)
{
    uint64_t now = nsc_now_ms();
    char *loc = NULL;
    curl_off_t pre = 0;
    long ver = 0;

    curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &j->status);
    if (j->status && curl_easy_getinfo(j->easy, CURLINFO_HTTP_VERSION, &ver) == CURLE_OK) {
        j->http_version = (int)ver;
        if (ver == CURL_HTTP_VERSION_2_0)
            f->st.http2++;
        log_debug("fetch: %s: HTTP %ld over HTTP/%s", j->url, j->status,
                  ver == CURL_HTTP_VERSION_2_0   ? "2"
                  : ver == CURL_HTTP_VERSION_1_0 ? "1.0"
                                                 : "1.1");
    }
    if (curl_easy_getinfo(j->easy, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
        j->r_location = xstrdup(loc);
    /* The host's clock counts from when the request really left (a slow
     * connect delays it), so the server sees starts an interval apart. */
    if (curl_easy_getinfo(j->easy, CURLINFO_PRETRANSFER_TIME_T, &pre) == CURLE_OK && pre > 0)
        j->sent_ms = j->req_ms + (uint64_t)pre / 1000;
    else
        j->sent_ms = j->req_ms;
    if (j->host->next_ms < j->sent_ms + (uint64_t)j->host->interval_ms)
        j->host->next_ms = j->sent_ms + (uint64_t)j->host->interval_ms;
    running_unlink(f, j);
    curl_multi_remove_handle(f->multi, j->easy);
    curl_easy_cleanup(j->easy);
    j->easy = NULL;
    j->host->active--;
    f->active--;
    f->st.request_ms += now - j->req_ms;
}

/* A released transfer (transfer_release()): sort out what it means. */
static void transfer_done(struct crawler_fetch *f, struct job *j, CURLcode rc)
{
    char why[CURL_ERROR_SIZE + 64];

    if (j->is_robots) {
        robots_done(f, j, rc);
        return;
    }
    if (rc != CURLE_OK) {
        if (j->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
            finish(f, j, NSC_ELIMIT, "'%s': response larger than %zu bytes", j->url, j->max_body);
        } else if (j->blocked_private) {
            finish(f, j, NSC_EINVAL, "'%s': refusing to connect to a loopback or private address",
                   j->url);
        } else if (retryable_curl(rc)) {
            snprintf(why, sizeof(why), "%s", curl_reason(j, rc));
            retry_or_fail(f, j, why);
        } else {
            finish(f, j, NSC_ENET, "'%s': %s", j->url, curl_reason(j, rc));
        }
        return;
    }
    if (j->status == 304) {
        f->st.not_modified++;
        j->host->st.not_modified++;
        finish(f, j, 0, NULL);
    } else if (j->status >= 200 && j->status < 300) {
        finish(f, j, 0, NULL);
    } else if (j->status >= 300 && j->status < 400) {
        follow_redirect(f, j);
    } else if (retryable_status(j->status)) {
        snprintf(why, sizeof(why), "HTTP %ld", j->status);
        retry_or_fail(f, j, why);
    } else if (j->status == 404 || j->status == 410) {
        finish(f, j, NSC_ENOTFOUND, "'%s': HTTP %ld", j->url, j->status);
    } else {
        finish(f, j, NSC_ENET, "'%s': HTTP %ld", j->url, j->status);
    }
}

/* ---- scheduling ----------------------------------------------------------- */

static int host_can_start(const struct crawler_fetch *f, const struct host *h, uint64_t now)
{
    return h->active < f->cfg.max_per_host && f->active < f->cfg.max_total && now >= h->next_ms;
}

/* Start or resume the fetch of h's robots.txt if its clock allows. */
static void robots_pump(struct crawler_fetch *f, struct host *h, uint64_t now)
{
    struct job *j = h->rjob;

    if (!j) {
        j = xcalloc(1, sizeof(*j));
        j->f = f;
        j->is_robots = 1;
        j->robots_for = h;
        j->host = h;
        j->url = xasprintf("%s/robots.txt", h->key);
        j->orig_url = xstrdup(j->url);
        h->rjob = j;
        h->rstate = ROBOTS_FETCHING;
    }
    if (j->not_before > now || !host_can_start(f, j->host, now))
        return;
    h->rjob = NULL;
    if (start_job(f, j, now) < 0) {
        host_stop(f, h, NSC_ENET, xstrdup(nsc_error_last()));
        job_free(j);
    }
}

/* Start what host 'h' may start now. */
static void host_pump(struct crawler_fetch *f, struct host *h, uint64_t now)
{
    struct job *j;

    if (h->rstate != ROBOTS_FETCHING && now >= h->robots_until && (h->pending || h->rjob))
        h->rstate = ROBOTS_NONE; /* 24 h are up: ask again */
    if (h->rstate == ROBOTS_NONE || (h->rstate == ROBOTS_FETCHING && h->rjob)) {
        if (h->pending || h->rjob)
            robots_pump(f, h, now);
        return;
    }
    if (h->rstate == ROBOTS_FETCHING)
        return;
    while (h->rstate == ROBOTS_STOPPED && (j = queue_take_ready(f, h, UINT64_MAX))) {
        j->why = WHY_HOST_STOPPED;
        finish(f, j, h->stop_err, "'%s': host stopped: %s", j->url, h->stop_reason);
    }
    while (h->rstate == ROBOTS_READY && host_can_start(f, h, now) &&
           (j = queue_take_ready(f, h, now))) {
        if (h->robots && !crawler__robots_allowed(h->robots, j->path)) {
            j->why = WHY_ROBOTS;
            finish(f, j, NSC_EINVAL, "'%s': disallowed by %s/robots.txt", j->url, h->key);
            continue;
        }
        if (start_job(f, j, now) < 0)
            finish(f, j, NSC_ENET, "%s", nsc_error_last());
    }
}

/* The earliest time any host could start something, capped at now + max.
 * Hosts that wait for a running transfer to end are left to the poll. */
static uint64_t next_wake(const struct crawler_fetch *f, uint64_t now, uint64_t max)
{
    uint64_t wake = now + max;
    size_t i;

    if (f->active >= f->cfg.max_total)
        return wake;
    for (i = 0; i < f->nhosts; i++) {
        const struct host *h = f->hosts[i];
        const struct job *j;
        uint64_t t = UINT64_MAX;

        if (h->rjob) {
            if (h->rjob->host->active >= f->cfg.max_per_host)
                continue;
            t = h->rjob->not_before;
            if (t < h->rjob->host->next_ms)
                t = h->rjob->host->next_ms;
        } else if (h->pending && h->active < f->cfg.max_per_host &&
                   (h->rstate == ROBOTS_READY || h->rstate == ROBOTS_NONE)) {
            for (j = h->head; j; j = j->next)
                if (j->not_before < t)
                    t = j->not_before;
            if (t < h->next_ms)
                t = h->next_ms;
        } else {
            continue;
        }
        if (t < wake)
            wake = t;
    }
    return wake < now ? now : wake;
}

static void report_progress(struct crawler_fetch *f, uint64_t now, int force)
{
    if (!f->progress)
        return;
    if (!force && now - f->last_progress < (uint64_t)f->cfg.progress_interval_ms)
        return;
    f->last_progress = now;
    f->st.in_flight = f->active;
    f->st.elapsed_ms = now - f->run_start;
    f->progress(&f->st, f->progress_payload);
}

/* After a stop: report every waiting job, drop waiting robots.txt jobs. */
static void drain_queues(struct crawler_fetch *f)
{
    size_t i;
    struct job *j;

    for (i = 0; i < f->nhosts; i++) {
        struct host *h = f->hosts[i];

        job_free(h->rjob);
        h->rjob = NULL;
        if (h->rstate == ROBOTS_FETCHING && h->active == 0)
            h->rstate = ROBOTS_NONE;
        while ((j = queue_take_ready(f, h, UINT64_MAX))) {
            j->why = WHY_STOPPED;
            finish(f, j, NSC_ERR, "'%s': not fetched: the run was stopped", j->url);
        }
    }
}

/* The stop grace is over: abort what is still running. */
static void abort_running(struct crawler_fetch *f)
{
    struct job *j;

    /* As in crawler_fetch_free(): running_unlink moves f->running to the next
     * job, an invariant the analyzer loses, so it reports the freed head as
     * used again. */
    while ((j = f->running)) {
        running_unlink(f, j); /* NOLINT(clang-analyzer-unix.Malloc) */
        curl_multi_remove_handle(f->multi, j->easy);
        curl_easy_cleanup(j->easy);
        j->easy = NULL;
        j->host->active--;
        f->active--;
        if (j->is_robots) {
            if (j->robots_for->rstate == ROBOTS_FETCHING)
                j->robots_for->rstate = ROBOTS_NONE;
            job_free(j);
            continue;
        }
        j->why = WHY_STOPPED;
        finish(f, j, NSC_ERR, "'%s': transfer aborted: the run was stopped", j->url);
    }
}

/* A finished transfer waiting for transfer_done(). */
struct ended {
    struct job *j;
    CURLcode rc;
};

int crawler_fetch_run(struct crawler_fetch *f)
{
    struct ended *ended = NULL;
    size_t nended, ended_cap = 0;
    int err = 0;

    f->run_start = nsc_now_ms();
    f->last_progress = f->run_start;
    f->stopping = 0;
    for (;;) {
        uint64_t now = nsc_now_ms(), wake;
        int still, msgs, progressed = 0;
        CURLMsg *m;
        CURLMcode mc;
        size_t i;

        if (f->stop && !f->stopping) {
            f->stopping = 1;
            f->stop_deadline = now + (uint64_t)f->cfg.stop_grace_ms;
            log_notice("fetch: stopping: %u transfers in flight, %zu URLs not started", f->active,
                       f->pending);
        }
        if (f->stopping) {
            drain_queues(f);
            if (now >= f->stop_deadline)
                abort_running(f);
        } else {
            for (i = 0; i < f->nhosts; i++)
                host_pump(f, f->hosts[i], now);
        }
        report_progress(f, now, 0);
        if (f->active == 0 && f->pending == 0)
            break;
        mc = curl_multi_perform(f->multi, &still);
        if (mc != CURLM_OK) {
            err = nsc_error_set(NSC_ENET, "libcurl multi: %s", curl_multi_strerror(mc));
            break;
        }
        nended = 0;
        while ((m = curl_multi_info_read(f->multi, &msgs))) {
            struct job *j = NULL;

            if (m->msg != CURLMSG_DONE)
                continue;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
            NSC_GROW(ended, ended_cap, nended + 1);
            ended[nended].j = j;
            ended[nended].rc = m->data.result;
            nended++;
        }
        if (nended) {
            for (i = 0; i < nended; i++)
                transfer_release(f, ended[i].j);
            /* The freed connections send their next requests before the
             * answers are handed to the caller, so the server's latency runs
             * while the caller parses instead of after it (limits and clocks
             * as always: host_pump()). */
            if (!f->stopping) {
                now = nsc_now_ms();
                for (i = 0; i < f->nhosts; i++)
                    host_pump(f, f->hosts[i], now);
                mc = curl_multi_perform(f->multi, &still);
                if (mc != CURLM_OK)
                    log_info("fetch: libcurl multi: %s", curl_multi_strerror(mc));
            }
            for (i = 0; i < nended; i++)
                transfer_done(f, ended[i].j, ended[i].rc);
            progressed = 1;
        }
        if (progressed)
            continue;
        wake = next_wake(f, now, POLL_MAX_MS);
        if (f->stopping && f->stop_deadline < wake)
            wake = f->stop_deadline;
        mc = curl_multi_poll(f->multi, NULL, 0, (int)(wake - now), NULL);
        if (mc != CURLM_OK && !f->stop) { /* a signal may have cut the poll short */
            err = nsc_error_set(NSC_ENET, "libcurl multi: %s", curl_multi_strerror(mc));
            break;
        }
    }
    if (err < 0) {
        abort_running(f);
        drain_queues(f);
    }
    free(ended);
    report_progress(f, nsc_now_ms(), 1);
    return err;
}

/* ---- public API ------------------------------------------------------------ */

int crawler_fetch_new(struct crawler_fetch **out, const struct crawler_fetch_config *cfg,
                      crawler_fetch_done_fn done, void *payload)
{
    struct crawler_fetch *f = NULL;
    struct crawler_fetch_config def;
    const char *ua;
    size_t i, n;
    int err = 0;

    *out = NULL;
    if (!cfg) {
        crawler_fetch_config_init(&def);
        cfg = &def;
    }
    ua = cfg->user_agent ? cfg->user_agent : DEFAULT_USER_AGENT;
    if (!(cfg->rate >= 0) || cfg->rate > 1e6 || cfg->max_per_host < 1 || cfg->max_total < 1 ||
        cfg->max_attempts < 1 || cfg->max_body < 1 || cfg->connect_timeout_ms < 0 ||
        cfg->timeout_ms < 0 || cfg->backoff_base_ms < 0 || cfg->backoff_max_ms < 0 ||
        cfg->stop_grace_ms < 0 || cfg->retry_after_max_s < 0 || cfg->robots_ttl_s < 1 ||
        cfg->robots_ttl_s > 86400)
        return nsc_error_set(NSC_EINVAL, "fetch configuration: a limit is out of range");
    if (!*ua || strpbrk(ua, "\r\n"))
        return nsc_error_set(NSC_EINVAL, "fetch configuration: bad user agent '%s'", ua);
    if (curl_users++ == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        curl_users--;
        return nsc_error_set(NSC_ENET, "cannot initialise libcurl");
    }
    f = xcalloc(1, sizeof(*f));
    f->cfg = *cfg;
    f->user_agent = xstrdup(ua);
    f->cfg.user_agent = f->user_agent;
    if (cfg->robots_token) {
        f->token = xstrdup(cfg->robots_token);
    } else {
        n = strcspn(ua, "/ \t");
        f->token = xstrndup(ua, n);
    }
    f->cfg.robots_token = f->token;
    if (cfg->ca_file && access(cfg->ca_file, R_OK) != 0) {
        err = nsc_error_set(NSC_ENOTFOUND, "fetch configuration: CA file '%s': %s", cfg->ca_file,
                            strerror(errno));
        goto out;
    }
    f->ca_file = cfg->ca_file ? xstrdup(cfg->ca_file) : NULL;
    f->cfg.ca_file = f->ca_file;
    if (cfg->allowed_origins) {
        for (n = 0; cfg->allowed_origins[n]; n++)
            ;
        f->allowed = xcalloc(n + 1, sizeof(*f->allowed));
        for (i = 0; i < n; i++) {
            struct url_parts p;

            err = url_split(&p, cfg->allowed_origins[i]);
            if (err < 0) {
                char *why = xstrdup(nsc_error_last());

                err = nsc_error_set(NSC_EINVAL, "fetch configuration: allowed origin: %s", why);
                free(why);
                goto out;
            }
            f->allowed[i] = origin_key(&p);
            url_parts_release(&p);
        }
    }
    f->cfg.allowed_origins = (const char *const *)f->allowed;
    for (i = 0; cfg->resolve && cfg->resolve[i]; i++)
        f->resolve = curl_slist_append(f->resolve, cfg->resolve[i]);
    f->cfg.resolve = NULL; /* only f->resolve is used after this */
    f->done = done;
    f->payload = payload;
    f->rng = cfg->seed ? cfg->seed : nsc_now_ms() ^ ((uint64_t)(uintptr_t)f << 16);
    f->multi = curl_multi_init();
    if (!f->multi) {
        err = nsc_error_set(NSC_ENET, "cannot create a libcurl multi handle");
        goto out;
    }
    curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)cfg->max_per_host);
    curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)cfg->max_total);
    *out = f;
    f = NULL;
out:
    crawler_fetch_free(f);
    return err;
}

void crawler_fetch_set_progress(struct crawler_fetch *f, crawler_fetch_progress_fn fn,
                                void *payload)
{
    f->progress = fn;
    f->progress_payload = payload;
}

int crawler_fetch_add(struct crawler_fetch *f, const struct crawler_fetch_request *req)
{
    struct url_parts p;
    struct job *j;
    int err;

    err = url_split(&p, req->url);
    if (err < 0)
        return err;
    if (!origin_allowed((const char *const *)f->allowed, &p)) {
        err = nsc_error_set(NSC_EINVAL, "'%s': origin %s://%s:%ld is not an allowed site", req->url,
                            p.scheme, p.host, p.port);
        url_parts_release(&p);
        return err;
    }
    j = xcalloc(1, sizeof(*j));
    j->f = f;
    j->orig_url = xstrdup(req->url);
    j->url = p.url;
    j->path = p.path;
    p.url = p.path = NULL;
    j->etag = req->etag ? xstrdup(req->etag) : NULL;
    j->last_modified = req->last_modified ? xstrdup(req->last_modified) : NULL;
    j->user = req->user;
    j->max_body = req->max_body ? req->max_body : f->cfg.max_body;
    queue_push(f, host_get(f, &p), j, req->first);
    url_parts_release(&p);
    f->st.queued++;
    return 0;
}

void crawler_fetch_stop(struct crawler_fetch *f)
{
    f->stop = 1;
}

void crawler_fetch_stats(const struct crawler_fetch *f, struct crawler_fetch_stats *out)
{
    *out = f->st;
    out->in_flight = f->active;
    out->elapsed_ms = f->run_start ? nsc_now_ms() - f->run_start : 0;
}

size_t crawler_fetch_host_count(const struct crawler_fetch *f)
{
    return f->nhosts;
}

const struct crawler_fetch_host_stats *crawler_fetch_host_stats(const struct crawler_fetch *f,
                                                                size_t i)
{
    return i < f->nhosts ? &f->hosts[i]->st : NULL;
}

void crawler_fetch_free(struct crawler_fetch *f)
{
    size_t i;
    struct job *j;

    if (!f)
        return;
    /* running_unlink moves f->running to the next job (the head has no aprev); the analyzer
     * loses that invariant and reports the freed head as used again. */
    while ((j = f->running)) {
        running_unlink(f, j); /* NOLINT(clang-analyzer-unix.Malloc) */
        curl_multi_remove_handle(f->multi, j->easy);
        curl_easy_cleanup(j->easy);
        job_free(j);
    }
    for (i = 0; i < f->nhosts; i++) {
        struct host *h = f->hosts[i];

        while ((j = queue_take_ready(f, h, UINT64_MAX)))
            job_free(j);
        job_free(h->rjob);
        crawler__robots_free(h->robots);
        free(h->stop_reason);
        free(h->key);
        free(h->name);
        free(h);
    }
    free(f->hosts);
    if (f->multi)
        curl_multi_cleanup(f->multi);
    if (f->allowed) {
        for (i = 0; f->allowed[i]; i++)
            free(f->allowed[i]);
        free(f->allowed);
    }
    curl_slist_free_all(f->resolve);
    free(f->user_agent);
    free(f->token);
    free(f->ca_file);
    free(f);
    if (--curl_users == 0)
        curl_global_cleanup();
}
