/*
 * test_fetch.c - the HTTP engine (crawler/fetch.c) against
 * tests/unit/fetch_server.py on 127.0.0.1: one test per politeness rule,
 * each checked from the server's own request log.
 *
 * Timing checks compare the server's receipt times.  A request reaches the
 * server some time after the engine starts it, and that time varies (a new
 * connection costs more than a reused one; under valgrind on a busy machine,
 * by tens of ms), so a gap the engine keeps at >= the interval is checked
 * at >= 75% of it one by one and at >= 95% over the whole run.  Retry-After is checked
 * exactly: the delay it imposes starts only once the answer is in.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "crawler_int.h"

/* ---- the server --------------------------------------------------------- */

struct server {
    pid_t pid;
    int port;
    char dir[64];
    char port_file[96];
    char log_file[96];
};

/* The path of a script under the source tree. */
static const char *source_path(const char *rel)
{
    static char path[1024];
    const char *src = getenv("NSC_SOURCE_DIR");

    snprintf(path, sizeof(path), "%s/%s", src ? src : NSC_SOURCE_DIR, rel);
    return path;
}

/*
 * One throw-away request before the test's own, so that the server's
 * first-request costs (a thread, lazy imports, opening the log) do not
 * land inside a timed gap.  read_log() skips it.
 */
static void server_warm_up(const struct server *s)
{
    static const char req[] = "GET /__warmup HTTP/1.0\r\n\r\n";
    struct sockaddr_in a;
    char tmp[512];
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)s->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(write(fd, req, sizeof(req) - 1), (ssize_t)(sizeof(req) - 1));
    while (read(fd, tmp, sizeof(tmp)) > 0)
        ;
    close(fd);
}

/* Start 'script' with extra arguments (NULL-terminated) and wait (at most
 * 10 s) for its port. */
static void server_start_script(struct server *s, const char *script, const char *const *extra)
{
    const char *argv[16];
    size_t n = 0, i;
    int tries;
    FILE *fp;

    memset(s, 0, sizeof(*s));
    snprintf(s->dir, sizeof(s->dir), "/tmp/nsc_fetch_XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->port_file, sizeof(s->port_file), "%s/port", s->dir);
    snprintf(s->log_file, sizeof(s->log_file), "%s/log", s->dir);
    argv[n++] = "python3";
    argv[n++] = script;
    argv[n++] = "--port-file";
    argv[n++] = s->port_file;
    argv[n++] = "--log";
    argv[n++] = s->log_file;
    for (i = 0; extra && extra[i] && n < NSC_ARRAY_SIZE(argv) - 1; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        /* never outlive the test, even when an assertion ends it */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        execvp("python3", (char *const *)argv);
        _exit(127);
    }
    for (tries = 0; tries < 500; tries++) {
        fp = fopen(s->port_file, "r");
        if (fp) {
            int ok = fscanf(fp, "%d", &s->port) == 1;

            fclose(fp);
            if (ok) {
                server_warm_up(s);
                return;
            }
        }
        usleep(20000);
    }
    fail_msg("'%s' did not start", script);
}

static void server_start(struct server *s, const char *const *extra)
{
    server_start_script(s, source_path("tests/unit/fetch_server.py"), extra);
}

static void server_stop(struct server *s)
{
    if (s->dir[0] == '\0')
        return;
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
    unlink(s->port_file);
    unlink(s->log_file);
    rmdir(s->dir);
    s->dir[0] = '\0';
}

/* Every test uses this one server; the teardown stops it even when an
 * assertion failed half-way. */
static struct server srv;

static int teardown(void **state)
{
    (void)state;
    server_stop(&srv);
    return 0;
}

static char *url(const struct server *s, const char *path)
{
    return xasprintf("http://127.0.0.1:%d%s", s->port, path);
}

/* ---- the server's log --------------------------------------------------- */

struct logline {
    double t;
    char path[256];
    int status;
    char inm[128]; /* If-None-Match, "" when absent */
    char ims[128]; /* If-Modified-Since */
    char ua[256];
};

/* Copy the JSON string field 'key' into 'out', undoing \" and \\. */
static void json_str(const char *line, const char *key, char *out, size_t n)
{
    char pat[64];
    const char *p;
    size_t k = 0;

    out[0] = '\0';
    snprintf(pat, sizeof(pat), "\"%s\": \"", key);
    p = strstr(line, pat);
    if (!p)
        return;
    for (p += strlen(pat); *p && *p != '"' && k + 1 < n; p++) {
        if (*p == '\\' && p[1])
            p++;
        out[k++] = *p;
    }
    out[k] = '\0';
}

static double json_num(const char *line, const char *key)
{
    char pat[64];
    const char *p;

    snprintf(pat, sizeof(pat), "\"%s\": ", key);
    p = strstr(line, pat);
    return p ? strtod(p + strlen(pat), NULL) : -1;
}

static size_t read_log(const struct server *s, struct logline *out, size_t max)
{
    char line[2048];
    size_t n = 0;
    FILE *fp = fopen(s->log_file, "r");

    if (!fp)
        return 0;
    while (n < max && fgets(line, sizeof(line), fp)) {
        if (strstr(line, "\"path\": \"/__warmup"))
            continue;
        out[n].t = json_num(line, "t");
        out[n].status = (int)json_num(line, "status");
        json_str(line, "path", out[n].path, sizeof(out[n].path));
        json_str(line, "if_none_match", out[n].inm, sizeof(out[n].inm));
        json_str(line, "if_modified_since", out[n].ims, sizeof(out[n].ims));
        json_str(line, "user_agent", out[n].ua, sizeof(out[n].ua));
        n++;
    }
    fclose(fp);
    return n;
}

static size_t count_path(const struct logline *l, size_t n, const char *prefix)
{
    size_t i, c = 0;

    for (i = 0; i < n; i++)
        c += strncmp(l[i].path, prefix, strlen(prefix)) == 0;
    return c;
}

/* Fail unless lo <= (requests whose path starts with 'prefix') <= hi,
 * printing the whole log first so a failure can be understood. */
static void expect_count(const struct logline *l, size_t n, const char *prefix, size_t lo,
                         size_t hi)
{
    size_t i, c = count_path(l, n, prefix);

    if (c >= lo && c <= hi)
        return;
    for (i = 0; i < n; i++)
        fprintf(stderr, "log %zu: t=%.4f %s -> %d\n", i, l[i].t, l[i].path, l[i].status);
    fail_msg("%zu requests for '%s', expected %zu..%zu", c, prefix, lo, hi);
}

/* The first log line for exactly 'path'. */
static const struct logline *log_find(const struct logline *l, size_t n, const char *path)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(l[i].path, path) == 0)
            return &l[i];
    fail_msg("no request for '%s' in the server log", path);
    return NULL;
}

/* ---- results -------------------------------------------------------------- */

struct got {
    char *url, *final_url, *errmsg, *etag, *body;
    long status;
    int err, not_modified, robots_denied, host_stopped, stopped, http_version;
    unsigned attempts;
};

struct results {
    struct got v[32];
    size_t n;
    int stop_after; /* call crawler_fetch_stop() after this many (0: never) */
};

static void on_done(struct crawler_fetch *f, struct crawler_fetch_result *res, void *payload)
{
    struct results *r = payload;
    struct got *g;

    assert_true(r->n < NSC_ARRAY_SIZE(r->v));
    g = &r->v[r->n++];
    g->url = xstrdup(res->url);
    g->final_url = xstrdup(res->final_url);
    g->errmsg = xstrdup(res->errmsg);
    g->etag = res->etag ? xstrdup(res->etag) : NULL;
    g->body = buf_detach(&res->body, NULL);
    g->status = res->status;
    g->err = res->err;
    g->not_modified = res->not_modified;
    g->robots_denied = res->robots_denied;
    g->host_stopped = res->host_stopped;
    g->stopped = res->stopped;
    g->attempts = res->attempts;
    g->http_version = res->http_version;
    if (r->stop_after && r->n == (size_t)r->stop_after)
        crawler_fetch_stop(f);
}

static void results_release(struct results *r)
{
    size_t i;

    for (i = 0; i < r->n; i++) {
        free(r->v[i].url);
        free(r->v[i].final_url);
        free(r->v[i].errmsg);
        free(r->v[i].etag);
        free(r->v[i].body);
    }
    r->n = 0;
}

/* The result for the URL ending in 'suffix'. */
static const struct got *find(const struct results *r, const char *suffix)
{
    size_t i, n = strlen(suffix);

    for (i = 0; i < r->n; i++) {
        size_t m = strlen(r->v[i].url);

        if (m >= n && strcmp(r->v[i].url + m - n, suffix) == 0)
            return &r->v[i];
    }
    fail_msg("no result for '%s'", suffix);
    return NULL;
}

/* A configuration that keeps tests fast. */
static void fast_config(struct crawler_fetch_config *cfg)
{
    crawler_fetch_config_init(cfg);
    cfg->rate = 50;
    cfg->backoff_base_ms = 20;
    cfg->backoff_max_ms = 100;
    cfg->connect_timeout_ms = 5000;
    cfg->timeout_ms = 10000;
    cfg->seed = 42;
}

static void add(struct crawler_fetch *f, const struct server *s, const char *path)
{
    struct crawler_fetch_request rq = { 0 };
    char *u = url(s, path);

    rq.url = u;
    assert_int_equal(crawler_fetch_add(f, &rq), 0);
    free(u);
}

/* Run 'paths' (NULL-terminated) through an engine with 'cfg'. */
static void run(const struct crawler_fetch_config *cfg, const struct server *s,
                const char *const *paths, struct results *r, struct crawler_fetch_stats *st)
{
    struct crawler_fetch *f;
    size_t i;

    assert_int_equal(crawler_fetch_new(&f, cfg, on_done, r), 0);
    for (i = 0; paths[i]; i++)
        add(f, s, paths[i]);
    assert_int_equal(crawler_fetch_run(f), 0);
    if (st)
        crawler_fetch_stats(f, st);
    crawler_fetch_free(f);
}

/* ---- tests ---------------------------------------------------------------- */

/* Requests to one host start at most 'rate' per second. */
static void rate_spaces_requests(void **state)
{
    static const char *const paths[] = {
        "/page/1", "/page/2", "/page/3", "/page/4", "/page/5", NULL
    };
    struct crawler_fetch_config cfg;
    struct results r = { 0 };
    struct crawler_fetch_stats st;
    struct logline l[32];
    size_t n, i;

    (void)state;
    server_start(&srv, NULL);
    fast_config(&cfg);
    cfg.rate = 4; /* 250 ms apart */
    run(&cfg, &srv, paths, &r, &st);
    n = read_log(&srv, l, NSC_ARRAY_SIZE(l));
    assert_int_equal(n, 6);
    assert_string_equal(l[0].path, "/robots.txt");
    for (i = 1; i < n; i++) {
        if (getenv("NSC_TEST_VERBOSE") || l[i].t - l[i - 1].t < 0.25 * 0.75)
            fprintf(stderr, "gap %zu: %.4f s\n", i, l[i].t - l[i - 1].t);
        assert_true(l[i].t - l[i - 1].t >= 0.25 * 0.75);
    }
    assert_true(l[n - 1].t - l[1].t >= 4 * 0.25 * 0.95);
    assert_int_equal(r.n, 5);
    for (i = 0; i < r.n; i++) {
        assert_int_equal(r.v[i].err, 0);
        assert_int_equal(r.v[i].status, 200);
    }
    assert_string_equal(find(&r, "/page/3")->body, "page 3\n");
    assert_string_equal(find(&r, "/page/3")->etag, "\"3-1\"");
    /* the User-Agent is the honest default, contact URL included */
    assert_non_null(strstr(l[1].ua, "nipscope/"));
    assert_non_null(strstr(l[1].ua, "(+https://github.com/nipscope/nipscope)"));
    assert_int_equal(st.requests, 6);
    assert_int_equal(st.done, 5);
    assert_int_equal(st.failed, 0);
    assert_int_equal(st.bytes, strlen("User-agent: *\nDisallow: /private\n") + (size_t)5 * 7);
    results_release(&r);
    server_stop(&srv);
}

/* A disallowed path is never requested; Crawl-delay spaces the rest. */
static void robots_disallow_and_crawl_delay(void **state)
{
    static const char *const args[] = { "--robots-body",
                                        "User-agent: *\\nDisallow: /\\n\\n"
                                        "User-agent: nipscope\\nDisallow: /private\\n"
                                        "Crawl-delay: 0.3\\n",
                                        NULL };
    static const char *const paths[] = { "/private/a", "/page/1", "/private", "/page/2", NULL };
    struct crawler_fetch_config cfg;
    struct results r = { 0 };
    struct logline l[32];
    size_t n, i;

    (void)state;
    server_start(&srv, args);
    fast_config(&cfg);
    cfg.rate = 0; /* no rate limit: only Crawl-delay spaces requests */
    run(&cfg, &srv, paths, &r, NULL);
    n = read_log(&srv, l, NSC_ARRAY_SIZE(l));
    assert_int_equal(n, 3);
    assert_string_equal(l[0].path, "/robots.txt");
    assert_int_equal(count_path(l, n, "/private"), 0);
    for (i = 1; i < n; i++)
        assert_true(l[i].t - l[i - 1].t >= 0.3 * 0.75);
    assert_true(l[n - 1].t - l[0].t >= 2 * 0.3 * 0.95);
    assert_int_equal(r.n, 4);
    assert_int_equal(find(&r, "/private/a")->err, NSC_EINVAL);
    assert_int_equal(find(&r, "/private/a")->robots_denied, 1);
    assert_non_null(strstr(find(&r, "/private/a")->errmsg, "/private/a"));
    assert_int_equal(find(&r, "/private")->robots_denied, 1);
    assert_int_equal(find(&r, "/page/2")->err, 0);
    results_release(&r);
    server_stop(&srv);
}

/* 503 and 429 with Retry-After, in seconds or as an HTTP-date: the retry
 * comes no earlier than it says. */
static void retry_after_is_honoured(void **state)
{
    static const char *const paths[] = { "/flaky/a?fail=1&code=503&retry_after=1",
                                         "/flaky/b?fail=1&code=429&retry_after=1",
                                         "/flaky/c?fail=1&code=503&retry_after_date=2" };
    static const char *const ids[] = { "/flaky/a", "/flaky/b", "/flaky/c" };
    struct crawler_fetch_config cfg;
    struct results r = { 0 };
    struct crawler_fetch_stats st;
    struct logline l[32];
    size_t n, i, k;

    (void)state;
    server_start(&srv, NULL);
    fast_config(&cfg);
    for (k = 0; k < NSC_ARRAY_SIZE(ids); k++) {
        /* one run each, so one answer's wait cannot hide another's */
        const char *one[] = { paths[k], NULL };
        const struct logline *first = NULL, *second = NULL;

        run(&cfg, &srv, one, &r, &st);
        assert_int_equal(st.retries, 1);
        n = read_log(&srv, l, NSC_ARRAY_SIZE(l));

        for (i = 0; i < n; i++) {
            if (strncmp(l[i].path, ids[k], strlen(ids[k])) != 0)
                continue;
            if (!first)
                first = &l[i];
            else
                second = &l[i];
        }
        assert_non_null(first);
        assert_non_null(second);
        assert_true(first->status == 503 || first->status == 429);
        assert_int_equal(second->status, 200);
        /* "1", or a date at least 2 s ahead truncated to the second */
        assert_true(second->t - first->t >= 1.0);
        assert_int_equal(find(&r, paths[k])->err, 0);
        assert_int_equal(find(&r, paths[k])->attempts, 2);
        assert_string_equal(find(&r, paths[k])->body, "recovered\n");
        results_release(&r);
    }
}

/* Validators are sent; a 304 is reported as not modified. */
static void conditional_get_not_modified(void **state)
{
    struct crawler_fetch_config cfg;
    struct crawler_fetch_request rq = { 0 };
    struct results r = { 0 };
    struct crawler_fetch_stats st;
    struct crawler_fetch *f;
    struct logline l[32];
    char *u1, *u2, *u3;
    size_t n;

    (void)state;
    server_start(&srv, NULL);
    fast_config(&cfg);
    u1 = url(&srv, "/page/a");
    u2 = url(&srv, "/page/b");
    u3 = url(&srv, "/page/c");
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done, &r), 0);
    rq.url = u1;
    rq.etag = "\"a-1\"";
    assert_int_equal(crawler_fetch_add(f, &rq), 0);
    rq.url = u2;
    rq.etag = NULL;
    rq.last_modified = "Sun, 06 Nov 1994 08:49:37 GMT";
    assert_int_equal(crawler_fetch_add(f, &rq), 0);
    rq.url = u3;
    rq.etag = "\"c-0\""; /* stale */
    rq.last_modified = NULL;
    assert_int_equal(crawler_fetch_add(f, &rq), 0);
    assert_int_equal(crawler_fetch_run(f), 0);
    crawler_fetch_stats(f, &st);
    crawler_fetch_free(f);

    n = read_log(&srv, l, NSC_ARRAY_SIZE(l));
    assert_int_equal(n, 4);
    assert_string_equal(log_find(l, n, "/page/a")->inm, "\"a-1\"");
    assert_string_equal(log_find(l, n, "/page/a")->ims, "");
    assert_string_equal(log_find(l, n, "/page/b")->ims, "Sun, 06 Nov 1994 08:49:37 GMT");
    assert_string_equal(log_find(l, n, "/page/b")->inm, "");
    assert_string_equal(log_find(l, n, "/page/c")->inm, "\"c-0\"");
    assert_int_equal(find(&r, "/page/a")->status, 304);
    assert_int_equal(find(&r, "/page/a")->not_modified, 1);
    assert_int_equal(find(&r, "/page/a")->err, 0);
    assert_string_equal(find(&r, "/page/a")->body, "");
    assert_int_equal(find(&r, "/page/b")->not_modified, 1);
    assert_int_equal(find(&r, "/page/c")->not_modified, 0);
    assert_int_equal(find(&r, "/page/c")->status, 200);
    assert_string_equal(find(&r, "/page/c")->etag, "\"c-1\"");
    assert_int_equal(st.not_modified, 2);
    free(u1);
    free(u2);
    free(u3);
    results_release(&r);
    server_stop(&srv);
}

/* Redirects: followed on an allowed origin, refused to a foreign host, to
 * the same host on another port, or to another scheme, and at most 5. */
static void redirects_checked(void **state)
{
    const char *allowed[] = { NULL, NULL };
    const char *paths[] = { "/redirect?to=/page/r",
                            "/redirect?to=http://example.com/x",
                            "/redirect?to=ftp://127.0.0.1/x",
                            "/loop/0",
                            NULL,
                            NULL };
    struct crawler_fetch_config cfg;
    struct results r = { 0 };
    struct logline l[32];
    const struct got *g;
    char *origin, *other, *other_path, *from;
    size_t n;

    (void)state;
    server_start(&srv, NULL);
    origin = url(&srv, "");
    allowed[0] = origin;
    /* never contacted: the redirect to it is refused */
    other = xasprintf("http://127.0.0.1:%d/page/r", srv.port == 65535 ? 1 : srv.port + 1);
    other_path = xasprintf("/redirect?to=%s", other);
    paths[4] = other_path;
    fast_config(&cfg);
    cfg.allowed_origins = allowed;
    run(&cfg, &srv, paths, &r, NULL);
    n = read_log(&srv, l, NSC_ARRAY_SIZE(l));

    g = find(&r, "/redirect?to=/page/r");
    assert_int_equal(g->err, 0);
    assert_string_equal(g->body, "page r\n");
    assert_non_null(strstr(g->final_url, "/page/r"));
    assert_int_equal(g->attempts, 2);

    g = find(&r, "/redirect?to=http://example.com/x");
    assert_int_equal(g->err, NSC_EINVAL);
    assert_non_null(strstr(g->errmsg, "/redirect?to=http://example.com/x"));
    assert_non_null(strstr(g->errmsg, "'http://example.com/x'"));

    g = find(&r, "/redirect?to=ftp://127.0.0.1/x");
    assert_int_equal(g->err, NSC_EINVAL);
    assert_non_null(strstr(g->errmsg, "ftp://127.0.0.1/x"));

    /* the same host on another port is another origin */
    g = find(&r, other_path);
    from = url(&srv, other_path);
    assert_int_equal(g->err, NSC_EINVAL);
    if (!strstr(g->errmsg, from) || !strstr(g->errmsg, other) ||
        !strstr(g->errmsg, "not an allowed site"))
        fail_msg("message '%s' should name '%s' and '%s'", g->errmsg, from, other);

    g = find(&r, "/loop/0");
    assert_int_equal(g->err, NSC_ELIMIT);
    assert_non_null(strstr(g->errmsg, "/loop/0"));
    /* the first request and 5 redirects, no more */
    assert_int_equal(count_path(l, n, "/loop/"), 6);
    assert_int_equal(count_path(l, n, "/page/r"), 1);
    free(from);
    free(other_path);
    free(other);
    free(origin);
    results_release(&r);
    server_stop(&srv);
}

/* The redirect rule itself (crawler__redirect_check), for what the test
 * server cannot show without TLS: https never goes down to http, even to an
 * allowed origin; http on port 80 may go up to https on 443 of the same
 * host; any other change of scheme, host or port is refused. */
static void redirect_rule(void **state)
{
    static const char *const allowed[] = { "http://127.0.0.1:8080", "https://a.example:443",
                                           "http://a.example:80", "http://b.example:80", NULL };
    static const struct {
        const char *from, *to;
        int listed; /* 1: 'allowed', 0: no allow-list */
        int ok;
    } cases[] = {
        { "http://127.0.0.1:8080/a", "http://127.0.0.1:8080/b", 1, 1 },
        { "http://127.0.0.1:8080/a", "http://127.0.0.1:8081/b", 1, 0 },
        { "http://127.0.0.1:8080/a", "https://127.0.0.1:8080/b", 1, 0 },
        { "http://127.0.0.1:8080/a", "https://127.0.0.1/b", 1, 0 },
        { "https://a.example/x", "http://a.example/y", 1, 0 }, /* downgrade, though listed */
        { "https://a.example/x", "https://a.example:8443/y", 1, 0 },
        { "https://a.example/x", "https://A.Example/y", 1, 1 },
        { "http://b.example/x", "https://b.example/y", 1, 1 }, /* upgrade */
        { "http://b.example/x", "https://b.example:8443/y", 1, 0 },
        { "http://b.example/x", "http://b.example:8080/y", 1, 0 },
        { "http://b.example/x", "ftp://b.example/y", 1, 0 },
        { "http://b.example/x", "http://c.example/y", 1, 0 },
        { "http://b.example/x", "https://a.example/y", 1, 1 },
        { "http://h.example/a", "http://h.example/b", 0, 1 },
        { "http://h.example/a", "http://h.example:81/b", 0, 0 },
        { "http://h.example/a", "https://h.example/b", 0, 1 },
        { "https://h.example/a", "http://h.example/b", 0, 0 },
        { "https://h.example/a", "https://h.example:8443/b", 0, 0 },
        { "http://h.example:8080/a", "https://h.example:8080/b", 0, 0 },
        { "http://h.example/a", "http://g.example/b", 0, 0 },
    };
    size_t i;

    (void)state;
    for (i = 0; i < NSC_ARRAY_SIZE(cases); i++) {
        int err =
            crawler__redirect_check(cases[i].listed ? allowed : NULL, cases[i].from, cases[i].to);

        if (err != (cases[i].ok ? 0 : NSC_EINVAL))
            fail_msg("%s -> %s: %d, expected %s", cases[i].from, cases[i].to, err,
                     cases[i].ok ? "followed" : "refused");
        if (!cases[i].ok &&
            (!strstr(nsc_error_last(), cases[i].from) || !strstr(nsc_error_last(), "redirect to")))
            fail_msg("%s -> %s: message '%s'", cases[i].from, cases[i].to, nsc_error_last());
    }
    assert_int_equal(crawler__redirect_check(allowed, "https://a.example/x", "http://a.example/y"),
                     NSC_EINVAL);
    assert_non_null(strstr(nsc_error_last(), "downgrade https to http"));
    assert_non_null(strstr(nsc_error_last(), "'http://a.example/y'"));
}

/* Responses over the cap fail with NSC_ELIMIT, with or without a length. */
static void size_cap(void **state)
{
    static const char *const paths[] = { "/huge?n=5000", "/huge-nolength?n=50000", "/huge?n=1000",
                                         NULL };
    struct crawler_fetch_config cfg;
    struct results r = { 0 };
    const struct got *g;

    (void)state;
    server_start(&srv, NULL);
    fast_config(&cfg);
    cfg.max_body = 1000;
    run(&cfg, &srv, paths, &r, NULL);
    g = find(&r, "/huge?n=5000");
    assert_int_equal(g->err, NSC_ELIMIT);
    assert_non_null(strstr(g->errmsg, "/huge?n=5000"));
    assert_int_equal(g->attempts, 1);
    g = find(&r, "/huge-nolength?n=50000");
    assert_int_equal(g->err, NSC_ELIMIT);
    assert_non_null(strstr(g->errmsg, "/huge-nolength?n=50000"));
    g = find(&r, "/huge?n=1000");
    assert_int_equal(g->err, 0);
    assert_int_equal(strlen(g->body), 1000);
    results_release(&r);
    server_stop(&srv);
}

/* A request's own max_body overrides the engine's cap, up or down; 0 keeps
 * the engine's.  The message names the URL and the cap that applied. */
static void per_request_size_cap(void **state)
{
    static const struct {
        const char *path;
        size_t cap;
        int err;
    } cases[] = {
        { "/huge?n=5000", 6000, 0 },          /* raised above the engine's 1000 */
        { "/huge-nolength?n=5000", 6000, 0 }, /* raised, no Content-Length */
        { "/huge?n=800", 500, NSC_ELIMIT },   /* lowered below the engine's */
        { "/huge-nolength?n=800", 500, NSC_ELIMIT },
        { "/huge?n=2000", 0, NSC_ELIMIT }, /* the engine's cap */
        { "/huge?n=900", 0, 0 },
    };
    struct crawler_fetch_config cfg;
    struct crawler_fetch_stats st;
    struct crawler_fetch *f;
    struct results r = { 0 };
    size_t i;

    (void)state;
    server_start(&srv, NULL);
    fast_config(&cfg);
    cfg.max_body = 1000;
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done, &r), 0);
    for (i = 0; i < NSC_ARRAY_SIZE(cases); i++) {
        struct crawler_fetch_request rq = { 0 };
        char *u = url(&srv, cases[i].path);

        rq.url = u;
        rq.max_body = cases[i].cap;
        assert_int_equal(crawler_fetch_add(f, &rq), 0);
        free(u);
    }
    assert_int_equal(crawler_fetch_run(f), 0);
    crawler_fetch_stats(f, &st);
    crawler_fetch_free(f);
    assert_int_equal(r.n, NSC_ARRAY_SIZE(cases));
    for (i = 0; i < NSC_ARRAY_SIZE(cases); i++) {
        const struct got *g = find(&r, cases[i].path);
        size_t want = (size_t)atoi(strchr(cases[i].path, '=') + 1);
        char cap[64];

        assert_int_equal(g->err, cases[i].err);
        if (cases[i].err == 0) {
            assert_int_equal(strlen(g->body), want);
            assert_int_equal(g->http_version, 11); /* the test server speaks HTTP/1.1 */
            continue;
        }
        snprintf(cap, sizeof(cap), "larger than %zu bytes", cases[i].cap ? cases[i].cap : 1000);
        assert_non_null(strstr(g->errmsg, cases[i].path));
        assert_non_null(strstr(g->errmsg, cap));
    }
    assert_int_equal(st.http2, 0);
    results_release(&r);
    server_stop(&srv);
}

/* robots.txt answering 5xx stops the host; 4xx allows everything. */
static void robots_status(void **state)
{
    static const char *const stop_args[] = { "--robots-status", "503", NULL };
    static const char *const open_args[] = { "--robots-status", "404", NULL };
    static const char *const paths[] = { "/page/1", "/private/2", NULL };
    struct crawler_fetch_config cfg;
    struct results r = { 0 };
    struct logline l[32];
    size_t n;

    (void)state;
    server_start(&srv, stop_args);
    fast_config(&cfg);
    run(&cfg, &srv, paths, &r, NULL);
    n = read_log(&srv, l, NSC_ARRAY_SIZE(l));
    assert_int_equal(n, 3); /* robots.txt, 3 attempts, nothing else */
    assert_int_equal(count_path(l, n, "/robots.txt"), 3);
    assert_int_equal(r.n, 2);
    assert_int_equal(find(&r, "/page/1")->err, NSC_ENET);
    assert_int_equal(find(&r, "/page/1")->host_stopped, 1);
    assert_non_null(strstr(find(&r, "/page/1")->errmsg, "/page/1"));
    assert_non_null(strstr(find(&r, "/page/1")->errmsg, "HTTP 503"));
    assert_int_equal(find(&r, "/private/2")->host_stopped, 1);
    results_release(&r);
    server_stop(&srv);

    server_start(&srv, open_args);
    run(&cfg, &srv, paths, &r, NULL);
    n = read_log(&srv, l, NSC_ARRAY_SIZE(l));
    assert_int_equal(n, 3);
    assert_int_equal(find(&r, "/page/1")->err, 0);
    assert_int_equal(find(&r, "/private/2")->err, NSC_ENOTFOUND); /* fetched: the server has none */
    results_release(&r);
    server_stop(&srv);
}

/* 3 attempts in all, then failure; resets are retried too. */
static void three_attempts_then_failure(void **state)
{
    static const char *const paths[] = { "/status/500", "/reset", "/status/404", NULL };
    struct crawler_fetch_config cfg;
    struct results r = { 0 };
    struct crawler_fetch_stats st;
    struct logline l[32];
    size_t n;

    (void)state;
    server_start(&srv, NULL);
    fast_config(&cfg);
    run(&cfg, &srv, paths, &r, &st);
    n = read_log(&srv, l, NSC_ARRAY_SIZE(l));
    expect_count(l, n, "/status/500", 3, 3);
    /* libcurl itself repeats a request once when a reused connection dies
     * without an answer; the engine's retries use fresh connections, so
     * only the first attempt can be doubled: 3 attempts, 3 or 4 requests. */
    assert_int_equal(find(&r, "/reset")->attempts, 3);
    expect_count(l, n, "/reset", 3, 4);
    expect_count(l, n, "/status/404", 1, 1); /* not retried */
    assert_int_equal(find(&r, "/status/500")->err, NSC_ENET);
    assert_int_equal(find(&r, "/status/500")->attempts, 3);
    assert_non_null(strstr(find(&r, "/status/500")->errmsg, "/status/500"));
    assert_int_equal(find(&r, "/reset")->err, NSC_ENET);
    assert_int_equal(find(&r, "/status/404")->err, NSC_ENOTFOUND);
    assert_int_equal(st.retries, 4);
    assert_int_equal(st.failed, 3);
    results_release(&r);
    server_stop(&srv);
}

/* The waits between attempts grow exponentially: the k-th retry waits at
 * least half of base * 2^(k-1) (the jitter takes up to half of it away), so
 * a backoff that did not grow would make the 3rd wait short of 570 ms. */
static void backoff_grows_exponentially(void **state)
{
    static const char *const paths[] = { "/status/500", NULL };
    struct crawler_fetch_config cfg;
    struct results r = { 0 };
    struct logline l[16];
    size_t n, i;

    (void)state;
    server_start(&srv, NULL);
    fast_config(&cfg);
    cfg.max_attempts = 4;
    cfg.backoff_base_ms = 300;
    cfg.backoff_max_ms = 10000;
    run(&cfg, &srv, paths, &r, NULL);
    n = read_log(&srv, l, NSC_ARRAY_SIZE(l));
    expect_count(l, n, "/status/500", 4, 4);
    assert_int_equal(find(&r, "/status/500")->attempts, 4);
    for (i = 2; i < n; i++) {
        double floor_s = 0.3 * (double)(1u << (i - 2)) / 2;

        if (l[i].t - l[i - 1].t < floor_s * 0.95)
            fail_msg("wait %zu: %.3f s, want at least %.3f s", i - 1, l[i].t - l[i - 1].t, floor_s);
    }
    results_release(&r);
    server_stop(&srv);
}

/* A splitmix64 step: the test's own random values for the jitter. */
static uint64_t test_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* The jitter: for each attempt, 2,000 draws stay within [d/2, d] of the
 * attempt's d = min(base * 2^(k-1), cap), are not all equal, and cover
 * both ends of that range (the lowest tenth and the highest tenth); the
 * extremes of the random value give exactly the bounds; a cap near
 * LONG_MAX does not overflow the doubling. */
static void backoff_jitter_within_bounds(void **state)
{
    static const long want_d[] = { 300, 600, 1200, 2400, 4800, 9600, 10000, 10000 };
    uint64_t rs = 7;
    unsigned k;
    int i;

    (void)state;
    for (k = 1; k <= NSC_ARRAY_SIZE(want_d); k++) {
        long d = want_d[k - 1], lo = LONG_MAX, hi = -1, first = -1;
        int differ = 0;

        for (i = 0; i < 2000; i++) {
            long w = crawler__backoff_ms(300, 10000, k, test_rand(&rs));

            if (w < d / 2 || w > d)
                fail_msg("retry %u: wait %ld outside [%ld, %ld]", k, w, d / 2, d);
            if (first < 0)
                first = w;
            differ |= w != first;
            lo = w < lo ? w : lo;
            hi = w > hi ? w : hi;
        }
        if (!differ || lo > d / 2 + d / 10 || hi < d - d / 10)
            fail_msg("retry %u: waits %ld..%ld over 2000 draws, want spread over [%ld, %ld]", k, lo,
                     hi, d / 2, d);
        assert_int_equal(crawler__backoff_ms(300, 10000, k, 0), d / 2);
        assert_int_equal(crawler__backoff_ms(300, 10000, k, (uint64_t)(d / 2)), d / 2 * 2);
    }
    /* a base above the cap is capped; tiny delays stay as they are */
    assert_int_equal(crawler__backoff_ms(5000, 1000, 1, 0), 500);
    assert_int_equal(crawler__backoff_ms(1, 100, 1, 12345), 1);
    assert_int_equal(crawler__backoff_ms(0, 100, 3, 12345), 0);
    /* 2^70 times the base would overflow a long: the cap holds */
    for (i = 0; i < 100; i++) {
        long w = crawler__backoff_ms(LONG_MAX / 3, LONG_MAX, 70, test_rand(&rs));

        assert_true(w >= LONG_MAX / 2 && w <= LONG_MAX);
    }
}

/*
 * A host whose URLs keep failing all their attempts is given up: after 10
 * in a row, what is queued for it fails at once, naming the reason.  A
 * success in between starts the count again.  Queued: 9 failing URLs, a
 * good page, 15 failing URLs.  The results come in completion order (a URL
 * waiting to retry lets the next one start): after the good page exactly 10
 * URLs give up, then every other one is reported "host stopped".
 */
static void failing_host_given_up(void **state)
{
    struct crawler_fetch_config cfg;
    struct crawler_fetch *f;
    struct results r = { 0 };
    struct logline l[96];
    char path[64];
    size_t n, i, ok_at = 0, after_ok = 0, stopped = 0, gave_up = 0, tried = 0;

    (void)state;
    server_start(&srv, NULL);
    fast_config(&cfg);
    cfg.max_per_host = 1;
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done, &r), 0);
    for (i = 1; i <= 25; i++) {
        snprintf(path, sizeof(path), i == 10 ? "/page/ok%02zu" : "/status/503?n=%02zu", i);
        add(f, &srv, path);
    }
    assert_int_equal(crawler_fetch_run(f), 0);
    crawler_fetch_free(f);
    n = read_log(&srv, l, NSC_ARRAY_SIZE(l));
    assert_int_equal(r.n, 25);
    for (i = 0; i < r.n; i++) {
        const struct got *g = &r.v[i];

        if (strstr(g->url, "/page/ok10")) {
            assert_int_equal(g->err, 0);
            assert_int_equal(stopped, 0);
            ok_at = i + 1;
            continue;
        }
        assert_int_equal(g->err, NSC_ENET);
        tried += g->attempts;
        if (!g->host_stopped) {
            /* tried 3 times and given up, all before the host stopped */
            assert_int_equal(stopped, 0);
            assert_int_equal(g->attempts, 3);
            assert_non_null(strstr(g->errmsg, "gave up after 3 attempts"));
            gave_up++;
            after_ok += ok_at > 0;
            continue;
        }
        stopped++;
        /* a URL waiting out its backoff when the host stopped made 1 or 2 */
        assert_true(g->attempts <= 2);
        if (!strstr(g->errmsg, "host stopped: 10 URLs in a row failed after 3 attempts each, "
                               "the last '"))
            fail_msg("%s", g->errmsg);
    }
    assert_true(ok_at > 0);
    assert_int_equal(after_ok, 10); /* the count started again after the success */
    assert_int_equal(gave_up + stopped, 24);
    assert_true(stopped >= 5);
    /* Every request the engine counts reached the server, and no other:
     * what was given up cost 3 each, what was stopped at most 2 (how many
     * were mid-backoff when the host stopped depends on timing). */
    expect_count(l, n, "/status/503", tried, tried);
    assert_true(tried >= gave_up * 3 && tried <= gave_up * 3 + stopped * 2);
    expect_count(l, n, "/page/ok10", 1, 1);
    results_release(&r);
    server_stop(&srv);
}

/* Only http and https URLs are queued; origins off the allow-list neither,
 * the same host on another port or scheme included; an allow-list entry
 * that is not an http(s) URL fails the configuration. */
static void non_http_scheme_refused(void **state)
{
    static const char *const allowed[] = { "http://127.0.0.1:8080/any/path", NULL };
    static const char *const bad[] = { "127.0.0.1", NULL };
    struct crawler_fetch_config cfg;
    struct crawler_fetch_request rq = { 0 };
    struct crawler_fetch *f;
    struct results r = { 0 };

    (void)state;
    fast_config(&cfg);
    cfg.allowed_origins = allowed;
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done, &r), 0);
    rq.url = "ftp://127.0.0.1/file";
    assert_int_equal(crawler_fetch_add(f, &rq), NSC_EINVAL);
    assert_non_null(strstr(nsc_error_last(), "ftp://127.0.0.1/file"));
    rq.url = "file:///etc/passwd";
    assert_int_equal(crawler_fetch_add(f, &rq), NSC_EINVAL);
    assert_non_null(strstr(nsc_error_last(), "file:///etc/passwd"));
    rq.url = "http://example.com/";
    assert_int_equal(crawler_fetch_add(f, &rq), NSC_EINVAL);
    assert_non_null(strstr(nsc_error_last(), "example.com"));
    rq.url = "not a url";
    assert_int_equal(crawler_fetch_add(f, &rq), NSC_EINVAL);
    rq.url = "http://127.0.0.1:8081/x";
    assert_int_equal(crawler_fetch_add(f, &rq), NSC_EINVAL);
    assert_non_null(strstr(nsc_error_last(), "http://127.0.0.1:8081 is not an allowed site"));
    rq.url = "https://127.0.0.1:8080/x";
    assert_int_equal(crawler_fetch_add(f, &rq), NSC_EINVAL);
    assert_non_null(strstr(nsc_error_last(), "https://127.0.0.1:8080 is not"));
    /* nothing was queued, so the run ends at once with no callback */
    assert_int_equal(crawler_fetch_run(f), 0);
    assert_int_equal(r.n, 0);
    crawler_fetch_free(f);
    cfg.allowed_origins = bad;
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done, &r), NSC_EINVAL);
    assert_non_null(strstr(nsc_error_last(), "allowed origin"));
    assert_non_null(strstr(nsc_error_last(), "127.0.0.1"));
}

/* A stop reports the URLs not started and returns promptly. */
static void stop_reports_the_rest(void **state)
{
    static const char *const paths[] = { "/page/1", "/page/2", "/page/3", "/page/4", NULL };
    struct crawler_fetch_config cfg;
    struct results r = { 0 };
    struct logline l[32];
    uint64_t t0;
    size_t n;

    (void)state;
    server_start(&srv, NULL);
    fast_config(&cfg);
    cfg.rate = 2; /* 500 ms apart: the stop comes before page 2 starts */
    r.stop_after = 1;
    t0 = nsc_now_ms();
    run(&cfg, &srv, paths, &r, NULL);
    assert_true(nsc_now_ms() - t0 < 2000);
    n = read_log(&srv, l, NSC_ARRAY_SIZE(l));
    assert_int_equal(n, 2); /* robots.txt and page 1 */
    assert_int_equal(r.n, 4);
    assert_int_equal(find(&r, "/page/1")->err, 0);
    assert_int_equal(find(&r, "/page/4")->err, NSC_ERR);
    assert_int_equal(find(&r, "/page/4")->stopped, 1);
    results_release(&r);
    server_stop(&srv);
}

/* A host name (not itself local) that resolves to a loopback or private
 * address is never connected to: "mirror.test" is pinned to 127.0.0.1 with
 * the resolve list, as a hostile DNS answer would do. */
static void private_address_refused(void **state)
{
    static const char *const paths[] = { "/page/1", NULL };
    struct crawler_fetch_config cfg;
    struct crawler_fetch_request rq = { 0 };
    struct crawler_fetch *f;
    struct results r = { 0 };
    struct logline l[8];
    const char *resolve[2] = { NULL, NULL };
    char *pin, *u;

    (void)state;
    server_start(&srv, NULL);
    fast_config(&cfg);
    pin = xasprintf("mirror.test:%d:127.0.0.1", srv.port);
    resolve[0] = pin;
    cfg.resolve = resolve;
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done, &r), 0);
    free(pin); /* the engine keeps its own copy */
    u = xasprintf("http://mirror.test:%d/page/1", srv.port);
    rq.url = u;
    assert_int_equal(crawler_fetch_add(f, &rq), 0);
    /* the same server through its IP literal is local, so allowed */
    add(f, &srv, paths[0]);
    assert_int_equal(crawler_fetch_run(f), 0);
    crawler_fetch_free(f);
    assert_int_equal(r.n, 2);
    assert_int_equal(find(&r, u + strlen("http://"))->err, NSC_EINVAL);
    assert_non_null(strstr(find(&r, u + strlen("http://"))->errmsg, "private address"));
    assert_non_null(strstr(find(&r, u + strlen("http://"))->errmsg, "mirror.test"));
    /* only the literal-host requests reached the server */
    assert_int_equal(read_log(&srv, l, NSC_ARRAY_SIZE(l)), 2);
    free(u);
    results_release(&r);
}

/* Every private, loopback, link-local, CGNAT, unspecified and multicast
 * range, IPv4 and IPv6 (IPv4-mapped, IPv4-translated, NAT64, 6to4 and
 * site-local too), that a public-looking name may
 * resolve to: never connected to (the refusal comes before connect(), so
 * no network is needed). */
static void private_ranges_refused(void **state)
{
    static const char *const addrs[] = {
        "10.1.2.3",
        "172.16.0.1",
        "172.31.255.254",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "127.8.9.10",
        "[::1]",
        "[::]",
        "[fd00::1]",
        "[fe80::1]",
        "[ff02::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:10.0.0.1]",
        "[64:ff9b::a00:1]",     /* NAT64 of 10.0.0.1 */
        "[64:ff9b::7f00:1]",    /* NAT64 of 127.0.0.1 */
        "[2002:a00:1::1]",      /* 6to4 of 10.0.0.1 */
        "[2002:c0a8:101::1]",   /* 6to4 of 192.168.1.1 */
        "[fec0::1]",            /* site-local */
        "[::ffff:0:a9fe:a9fe]", /* IPv4-translated 169.254.169.254 */
    };
    const char *resolve[NSC_ARRAY_SIZE(addrs) + 1] = { NULL };
    char *pins[NSC_ARRAY_SIZE(addrs)];
    struct crawler_fetch_config cfg;
    struct crawler_fetch *f;
    struct results r = { 0 };
    size_t i;

    (void)state;
    fast_config(&cfg);
    for (i = 0; i < NSC_ARRAY_SIZE(addrs); i++) {
        pins[i] = xasprintf("h%zu.example.org:80:%s", i, addrs[i]);
        resolve[i] = pins[i];
    }
    cfg.resolve = resolve;
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done, &r), 0);
    for (i = 0; i < NSC_ARRAY_SIZE(addrs); i++) {
        struct crawler_fetch_request rq = { 0 };
        char *u = xasprintf("http://h%zu.example.org/paper", i);

        rq.url = u;
        assert_int_equal(crawler_fetch_add(f, &rq), 0);
        free(u);
        free(pins[i]);
    }
    assert_int_equal(crawler_fetch_run(f), 0);
    crawler_fetch_free(f);
    assert_int_equal(r.n, NSC_ARRAY_SIZE(addrs));
    for (i = 0; i < NSC_ARRAY_SIZE(addrs); i++) {
        char host[64];
        const struct got *g;

        snprintf(host, sizeof(host), "h%zu.example.org/paper", i);
        g = find(&r, host);
        if (g->err != NSC_EINVAL || !strstr(g->errmsg, "loopback or private address"))
            fail_msg("%s (%s): %d '%s'", host, addrs[i], g->err, g->errmsg);
    }
    results_release(&r);
}

/* The address rule itself, both ways: every IPv6 form that embeds an IPv4
 * address is judged by that address, so the same forms around a public
 * address are not refused. */
static void private_address_rule(void **state)
{
    static const struct {
        const char *a;
        int priv;
    } cases[] = {
        { "10.1.2.3", 1 },
        { "8.8.8.8", 0 },
        { "::1", 1 },
        { "::", 1 },
        { "::10.0.0.1", 1 },       /* IPv4-compatible, deprecated */
        { "::8.8.8.8", 1 },        /* ... refused whatever it embeds */
        { "::ffff:127.0.0.1", 1 }, /* IPv4-mapped */
        { "::ffff:8.8.8.8", 0 },
        { "::ffff:0:10.0.0.1", 1 }, /* IPv4-translated */
        { "::ffff:0:8.8.8.8", 0 },
        { "64:ff9b::10.0.0.1", 1 }, /* NAT64 */
        { "64:ff9b::127.0.0.1", 1 },
        { "64:ff9b::169.254.169.254", 1 },
        { "64:ff9b::8.8.8.8", 0 },
        { "64:ff9b:1::8.8.8.8", 1 }, /* local-use NAT64 prefix */
        { "2002:a00:1::1", 1 },      /* 6to4 of 10.0.0.1 */
        { "2002:7f00:1::", 1 },      /* 6to4 of 127.0.0.1 */
        { "2002:c0a8:101:5::1", 1 }, /* 6to4 of 192.168.1.1 */
        { "2002:808:808::1", 0 },    /* 6to4 of 8.8.8.8 */
        { "fec0::1", 1 },            /* site-local */
        { "feff:ffff::1", 1 },
        { "fe80::1", 1 },
        { "fc00::1", 1 },
        { "ff02::1", 1 },
        { "2001:db8::1", 0 },
        { "2606:4700::1111", 0 },
        { "fe7f::1", 0 }, /* just below fe80::/10 */
    };
    unsigned char a[16];
    size_t i;

    (void)state;
    for (i = 0; i < NSC_ARRAY_SIZE(cases); i++) {
        int fam = strchr(cases[i].a, ':') ? AF_INET6 : AF_INET;

        assert_int_equal(inet_pton(fam, cases[i].a, a), 1);
        if (crawler__addr_private(fam, a) != cases[i].priv)
            fail_msg("%s: %d, expected %d", cases[i].a, !cases[i].priv, cases[i].priv);
    }
    assert_int_equal(crawler__addr_private(AF_UNIX, a), 1);
}

static int progress_calls;

static void on_progress(const struct crawler_fetch_stats *st, void *payload)
{
    (void)payload;
    assert_true(st->done <= st->queued);
    progress_calls++;
}

/* The progress hook runs, and its last call sees the finished totals. */
static void progress_and_host_stats(void **state)
{
    struct crawler_fetch_config cfg;
    struct crawler_fetch *f;
    struct results r = { 0 };
    struct crawler_fetch_stats st;
    const struct crawler_fetch_host_stats *hs;

    (void)state;
    server_start(&srv, NULL);
    fast_config(&cfg);
    cfg.progress_interval_ms = 10;
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done, &r), 0);
    crawler_fetch_set_progress(f, on_progress, NULL);
    progress_calls = 0;
    add(f, &srv, "/page/1");
    add(f, &srv, "/status/404");
    add(f, &srv, "/page/2");
    assert_int_equal(crawler_fetch_run(f), 0);
    crawler_fetch_stats(f, &st);
    assert_true(progress_calls >= 1);
    assert_int_equal(st.queued, 3);
    assert_int_equal(st.done, 3);
    assert_int_equal(st.failed, 1);
    assert_int_equal(st.requests, 4);
    assert_int_equal(crawler_fetch_host_count(f), 1);
    hs = crawler_fetch_host_stats(f, 0);
    assert_non_null(strstr(hs->host, "http://127.0.0.1:"));
    assert_int_equal(hs->requests, 4);
    assert_int_equal(hs->failures, 1);
    assert_null(crawler_fetch_host_stats(f, 1));
    crawler_fetch_free(f);
    results_release(&r);
}

/* The project's mock site (tests/mock/mocksite.py): its fault paths and
 * its validators behave as the engine expects. */
static void mock_site_contract(void **state)
{
    static const char *const args[] = { "--port", "0",         "--years", "2024", "--papers",
                                        "5",      "--huge-mb", "1",       NULL };
    const char *allowed[] = { NULL, NULL };
    static const char *const paths[] = { "/paper_files/paper/2024", "/__fault/redirect-foreign",
                                         "/__fault/redirect-loop", "/__fault/huge", NULL };
    struct crawler_fetch_config cfg;
    struct crawler_fetch_request rq = { 0 };
    struct crawler_fetch *f;
    struct results r = { 0 };
    const struct got *g;
    char *etag, *u, *origin;

    (void)state;
    server_start_script(&srv, source_path("tests/mock/mocksite.py"), args);
    allowed[0] = origin = url(&srv, "/");
    fast_config(&cfg);
    cfg.allowed_origins = allowed;
    cfg.max_body = (size_t)256 * 1024;
    run(&cfg, &srv, paths, &r, NULL);
    g = find(&r, "/paper_files/paper/2024");
    assert_int_equal(g->err, 0);
    assert_non_null(g->etag);
    /* gzip, if the mock used it, is decoded */
    assert_non_null(strstr(g->body, "</html>"));
    etag = xstrdup(g->etag);
    g = find(&r, "/__fault/redirect-foreign");
    assert_int_equal(g->err, NSC_EINVAL);
    assert_non_null(strstr(g->errmsg, "/__fault/redirect-foreign"));
    assert_non_null(strstr(g->errmsg, "http://example.com/x"));
    assert_int_equal(find(&r, "/__fault/redirect-loop")->err, NSC_ELIMIT);
    assert_int_equal(find(&r, "/__fault/huge")->err, NSC_ELIMIT);
    results_release(&r);

    /* again with the validator: not modified */
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done, &r), 0);
    u = url(&srv, "/paper_files/paper/2024");
    rq.url = u;
    rq.etag = etag;
    assert_int_equal(crawler_fetch_add(f, &rq), 0);
    assert_int_equal(crawler_fetch_run(f), 0);
    crawler_fetch_free(f);
    assert_int_equal(r.v[0].err, 0);
    assert_int_equal(r.v[0].not_modified, 1);
    free(u);
    free(etag);
    free(origin);
    results_release(&r);
}

/* Truncated bodies (the mock's 'truncate' fault on every page) are
 * retried, 3 attempts in all, then reported. */
static void mock_truncated_bodies_retried(void **state)
{
    static const char *const args[] = { "--port", "0",       "--years",    "2024", "--papers",
                                        "5",      "--fault", "truncate=1", NULL };
    static const char *const paths[] = { "/paper_files/paper/2024", NULL };
    struct crawler_fetch_config cfg;
    struct results r = { 0 };
    struct logline l[16];
    size_t n;

    (void)state;
    server_start_script(&srv, source_path("tests/mock/mocksite.py"), args);
    fast_config(&cfg);
    run(&cfg, &srv, paths, &r, NULL);
    n = read_log(&srv, l, NSC_ARRAY_SIZE(l));
    assert_int_equal(count_path(l, n, "/paper_files/paper/2024"), 3);
    assert_int_equal(r.v[0].err, NSC_ENET);
    assert_int_equal(r.v[0].attempts, 3);
    assert_non_null(strstr(r.v[0].errmsg, "/paper_files/paper/2024"));
    results_release(&r);
}

/* robots.txt is fetched once per host and kept; after its time to live it
 * is fetched again before the next request. */
static void robots_cached_then_refetched(void **state)
{
    struct crawler_fetch_config cfg;
    struct crawler_fetch *f;
    struct results r = { 0 };
    struct logline l[16];
    size_t n;

    (void)state;
    server_start(&srv, NULL);
    fast_config(&cfg);
    cfg.robots_ttl_s = 3; /* room for slow runs under valgrind before /page/3 */
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done, &r), 0);
    add(f, &srv, "/page/1");
    add(f, &srv, "/page/2");
    assert_int_equal(crawler_fetch_run(f), 0);
    add(f, &srv, "/page/3"); /* within the 3 s: kept */
    assert_int_equal(crawler_fetch_run(f), 0);
    usleep(3100 * 1000);
    add(f, &srv, "/page/4"); /* expired: fetched again first */
    assert_int_equal(crawler_fetch_run(f), 0);
    crawler_fetch_free(f);
    n = read_log(&srv, l, NSC_ARRAY_SIZE(l));
    assert_int_equal(n, 6);
    assert_string_equal(l[0].path, "/robots.txt");
    assert_int_equal(count_path(l, 4, "/robots.txt"), 1);
    assert_string_equal(l[3].path, "/page/3");
    assert_string_equal(l[4].path, "/robots.txt");
    assert_string_equal(l[5].path, "/page/4");
    assert_int_equal(r.n, 4);
    results_release(&r);
}

static struct crawler_fetch *signal_engine;

static void on_alarm(int sig)
{
    (void)sig;
    crawler_fetch_stop(signal_engine);
}

/* A stop from a signal handler: the transfer in flight gets the grace
 * period, then is aborted; the run returns promptly. */
static void stop_from_signal_aborts_after_grace(void **state)
{
    struct crawler_fetch_config cfg;
    struct results r = { 0 };
    struct sigaction sa;
    struct itimerval it;
    uint64_t t0, took;

    (void)state;
    server_start(&srv, NULL);
    fast_config(&cfg);
    cfg.stop_grace_ms = 200;
    assert_int_equal(crawler_fetch_new(&signal_engine, &cfg, on_done, &r), 0);
    add(signal_engine, &srv, "/slow?ms=5000");
    add(signal_engine, &srv, "/page/1");
    add(signal_engine, &srv, "/page/2");
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    memset(&it, 0, sizeof(it));
    it.it_value.tv_usec = 500L * 1000;
    t0 = nsc_now_ms();
    setitimer(ITIMER_REAL, &it, NULL);
    assert_int_equal(crawler_fetch_run(signal_engine), 0);
    took = nsc_now_ms() - t0;
    signal(SIGALRM, SIG_DFL);
    crawler_fetch_free(signal_engine);
    signal_engine = NULL;
    /* 500 ms to the signal, 200 ms of grace, not the 5 s of /slow */
    assert_true(took >= 600);
    assert_true(took < 2500);
    assert_int_equal(r.n, 3);
    assert_int_equal(find(&r, "/slow?ms=5000")->stopped, 1);
    assert_int_equal(find(&r, "/slow?ms=5000")->err, NSC_ERR);
    assert_non_null(strstr(find(&r, "/slow?ms=5000")->errmsg, "aborted"));
    assert_int_equal(find(&r, "/page/1")->err, 0); /* it finished in the meantime */
    results_release(&r);
}

/* Rate 0 means no clock; max_per_host still caps transfers at once. */
static void concurrency_cap_without_rate(void **state)
{
    static const char *const paths[] = { "/slow?ms=400&n=1", "/slow?ms=400&n=2", "/slow?ms=400&n=3",
                                         "/slow?ms=400&n=4", NULL };
    struct crawler_fetch_config cfg;
    struct results r = { 0 };
    struct logline l[16];
    size_t n, i;

    (void)state;
    server_start(&srv, NULL);
    fast_config(&cfg);
    cfg.rate = 0;
    cfg.max_per_host = 2;
    run(&cfg, &srv, paths, &r, NULL);
    n = read_log(&srv, l, NSC_ARRAY_SIZE(l));
    assert_int_equal(n, 5);
    /* the first two start together (no clock: the second before the first
     * could end) ... */
    assert_true(l[2].t - l[1].t < 0.35);
    /* ... and the third waits for one of them to end */
    assert_true(l[3].t - l[1].t >= 0.4 * 0.9);
    assert_true(l[4].t - l[2].t >= 0.4 * 0.9);
    for (i = 0; i < r.n; i++)
        assert_int_equal(r.v[i].err, 0);
    results_release(&r);
}

/* The total timeout ends a transfer; timeouts are retried, then reported. */
static void timeout_retried_then_reported(void **state)
{
    static const char *const paths[] = { "/slow?ms=2000", NULL };
    struct crawler_fetch_config cfg;
    struct results r = { 0 };
    struct logline l[16];
    size_t n;

    (void)state;
    server_start(&srv, NULL);
    fast_config(&cfg);
    cfg.timeout_ms = 200;
    run(&cfg, &srv, paths, &r, NULL);
    n = read_log(&srv, l, NSC_ARRAY_SIZE(l));
    assert_int_equal(count_path(l, n, "/slow"), 3);
    assert_int_equal(r.v[0].err, NSC_ENET);
    assert_int_equal(r.v[0].attempts, 3);
    assert_non_null(strstr(r.v[0].errmsg, "/slow?ms=2000"));
    assert_non_null(strstr(r.v[0].errmsg, "timed out"));
    results_release(&r);
}

struct chain {
    const struct server *s;
    int done;
};

static void on_done_chain(struct crawler_fetch *f, struct crawler_fetch_result *res, void *payload)
{
    struct chain *c = payload;

    assert_int_equal(res->err, 0);
    c->done++;
    /* each page queues the next one, up to 3 */
    if (c->done < 3) {
        char *path = xasprintf("/page/next%d", c->done);

        add(f, c->s, path);
        free(path);
    }
}

/* Callbacks may queue more URLs; the run ends when none is left. */
static void callback_queues_more(void **state)
{
    struct crawler_fetch_config cfg;
    struct crawler_fetch *f;
    struct chain c = { &srv, 0 };
    struct logline l[16];
    size_t n;

    (void)state;
    server_start(&srv, NULL);
    fast_config(&cfg);
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done_chain, &c), 0);
    add(f, &srv, "/page/first");
    assert_int_equal(crawler_fetch_run(f), 0);
    crawler_fetch_free(f);
    assert_int_equal(c.done, 3);
    n = read_log(&srv, l, NSC_ARRAY_SIZE(l));
    assert_int_equal(n, 4);
    assert_string_equal(l[3].path, "/page/next2");
}

struct overlap {
    const struct server *s;
    int b_seen_in_a; /* /page/b had reached the server when a's answer was handed over */
    int calls;
};

/* While the answer for /page/a is handed over, wait (at most 2 s) for the
 * server to log /page/b. */
static void on_done_overlap(struct crawler_fetch *f, struct crawler_fetch_result *res,
                            void *payload)
{
    struct overlap *o = payload;
    struct logline l[16];
    size_t n, i;
    int k;

    (void)f;
    assert_int_equal(res->err, 0);
    o->calls++;
    if (!strstr(res->url, "/page/a"))
        return;
    for (k = 0; k < 200 && !o->b_seen_in_a; k++) {
        n = read_log(o->s, l, NSC_ARRAY_SIZE(l));
        for (i = 0; i < n; i++)
            o->b_seen_in_a |= strcmp(l[i].path, "/page/b") == 0;
        if (!o->b_seen_in_a)
            usleep(10000);
    }
}

/* A connection freed by an answer takes the host's next URL before the
 * answer goes to the callback, so the server works while the caller parses
 * (one connection: b can only have been sent after a ended). */
static void next_request_leaves_before_the_answer_is_handed_over(void **state)
{
    struct crawler_fetch_config cfg;
    struct crawler_fetch *f;
    struct overlap o = { &srv, 0, 0 };

    (void)state;
    server_start(&srv, NULL);
    fast_config(&cfg);
    cfg.rate = 0;
    cfg.max_per_host = 1;
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done_overlap, &o), 0);
    add(f, &srv, "/page/a");
    add(f, &srv, "/page/b");
    assert_int_equal(crawler_fetch_run(f), 0);
    crawler_fetch_free(f);
    assert_int_equal(o.calls, 2);
    assert_true(o.b_seen_in_a);
}

static void on_done_first(struct crawler_fetch *f, struct crawler_fetch_result *res, void *payload)
{
    const struct server *s = payload;

    assert_int_equal(res->err, 0);
    if (strstr(res->url, "/page/a")) {
        struct crawler_fetch_request rq = { 0 };
        char *u = url(s, "/page/x");

        rq.url = u;
        rq.first = 1;
        assert_int_equal(crawler_fetch_add(f, &rq), 0);
        free(u);
    }
}

/* A URL queued with 'first' goes ahead of the host's waiting URLs (b had
 * left already when a's answer was handed over, c had not). */
static void first_goes_ahead_of_the_queue(void **state)
{
    struct crawler_fetch_config cfg;
    struct crawler_fetch *f;
    struct logline l[16];
    size_t n;

    (void)state;
    server_start(&srv, NULL);
    fast_config(&cfg);
    cfg.rate = 0;
    cfg.max_per_host = 1;
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done_first, &srv), 0);
    add(f, &srv, "/page/a");
    add(f, &srv, "/page/b");
    add(f, &srv, "/page/c");
    assert_int_equal(crawler_fetch_run(f), 0);
    crawler_fetch_free(f);
    n = read_log(&srv, l, NSC_ARRAY_SIZE(l));
    assert_int_equal(n, 5);
    assert_string_equal(l[1].path, "/page/a");
    assert_string_equal(l[2].path, "/page/b");
    assert_string_equal(l[3].path, "/page/x");
    assert_string_equal(l[4].path, "/page/c");
}

/* A host whose robots.txt cannot be reached at all is stopped. */
static void unreachable_host_stopped(void **state)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    struct crawler_fetch_config cfg;
    struct crawler_fetch *f;
    struct crawler_fetch_request rq = { 0 };
    struct results r = { 0 };
    char *u;
    int fd;

    (void)state;
    /* a port nobody listens on: bind one, note it, close it */
    fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    close(fd);
    u = xasprintf("http://127.0.0.1:%d/page/1", ntohs(a.sin_port));
    fast_config(&cfg);
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done, &r), 0);
    rq.url = u;
    assert_int_equal(crawler_fetch_add(f, &rq), 0);
    assert_int_equal(crawler_fetch_run(f), 0);
    crawler_fetch_free(f);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.v[0].err, NSC_ENET);
    assert_int_equal(r.v[0].host_stopped, 1);
    assert_non_null(strstr(r.v[0].errmsg, u));
    assert_non_null(strstr(r.v[0].errmsg, "unreachable after 3 attempts"));
    free(u);
    results_release(&r);
}

/* Out-of-range limits and a user agent that would split a header line are
 * refused when the engine is made. */
static void bad_config_refused(void **state)
{
    struct crawler_fetch_config cfg;
    struct crawler_fetch *f = (struct crawler_fetch *)&cfg;

    (void)state;
    fast_config(&cfg);
    cfg.rate = -1;
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done, NULL), NSC_EINVAL);
    assert_null(f);
    fast_config(&cfg);
    cfg.max_per_host = 0;
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done, NULL), NSC_EINVAL);
    fast_config(&cfg);
    cfg.max_attempts = 0;
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done, NULL), NSC_EINVAL);
    fast_config(&cfg);
    cfg.robots_ttl_s = 86401; /* RFC 9309: at most 24 h */
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done, NULL), NSC_EINVAL);
    fast_config(&cfg);
    cfg.user_agent = "nipscope/1\r\nX-Evil: 1";
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done, NULL), NSC_EINVAL);
    assert_non_null(strstr(nsc_error_last(), "user agent"));
    fast_config(&cfg);
    cfg.ca_file = "/nonexistent/ca.pem";
    assert_int_equal(crawler_fetch_new(&f, &cfg, on_done, NULL), NSC_ENOTFOUND);
    assert_null(f);
    assert_non_null(strstr(nsc_error_last(), "/nonexistent/ca.pem"));
    /* NULL means the defaults, which are valid */
    assert_int_equal(crawler_fetch_new(&f, NULL, on_done, NULL), 0);
    assert_non_null(f);
    crawler_fetch_free(f);
    crawler_fetch_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(rate_spaces_requests, teardown),
        cmocka_unit_test_teardown(robots_disallow_and_crawl_delay, teardown),
        cmocka_unit_test_teardown(retry_after_is_honoured, teardown),
        cmocka_unit_test_teardown(conditional_get_not_modified, teardown),
        cmocka_unit_test_teardown(redirects_checked, teardown),
        cmocka_unit_test(redirect_rule),
        cmocka_unit_test_teardown(size_cap, teardown),
        cmocka_unit_test_teardown(per_request_size_cap, teardown),
        cmocka_unit_test_teardown(robots_status, teardown),
        cmocka_unit_test_teardown(three_attempts_then_failure, teardown),
        cmocka_unit_test_teardown(backoff_grows_exponentially, teardown),
        cmocka_unit_test(backoff_jitter_within_bounds),
        cmocka_unit_test_teardown(failing_host_given_up, teardown),
        cmocka_unit_test_teardown(non_http_scheme_refused, teardown),
        cmocka_unit_test_teardown(bad_config_refused, teardown),
        cmocka_unit_test_teardown(stop_reports_the_rest, teardown),
        cmocka_unit_test_teardown(concurrency_cap_without_rate, teardown),
        cmocka_unit_test_teardown(timeout_retried_then_reported, teardown),
        cmocka_unit_test_teardown(stop_from_signal_aborts_after_grace, teardown),
        cmocka_unit_test_teardown(private_address_refused, teardown),
        cmocka_unit_test_teardown(private_ranges_refused, teardown),
        cmocka_unit_test(private_address_rule),
        cmocka_unit_test_teardown(progress_and_host_stats, teardown),
        cmocka_unit_test_teardown(robots_cached_then_refetched, teardown),
        cmocka_unit_test_teardown(callback_queues_more, teardown),
        cmocka_unit_test_teardown(next_request_leaves_before_the_answer_is_handed_over, teardown),
        cmocka_unit_test_teardown(first_goes_ahead_of_the_queue, teardown),
        cmocka_unit_test_teardown(unreachable_host_stopped, teardown),
        cmocka_unit_test_teardown(mock_site_contract, teardown),
        cmocka_unit_test_teardown(mock_truncated_bodies_retried, teardown),
    };

    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
