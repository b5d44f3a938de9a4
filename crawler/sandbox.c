/*
 * sandbox.c - run the HTML parsers (gumbo, then libxml2's XPath) in a worker
 * process, so that a crash or an endless loop in gumbo 0.10 costs one page,
 * not the crawl (issue 6).
 *
 * The crawler and its worker talk over a Unix stream socket in frames: a
 * 4-byte length, then the payload.  A payload is a kind byte and fields:
 * numbers as 4 or 8 native bytes (both ends are the same binary on the same
 * machine), strings as a 4-byte length and the bytes, NULL as the length
 * 0xffffffff.  Requests: 'P' the profile (name, YAML text, host bases), 'I'
 * a year index (url, year, body), 'A' an abstract page (url, the paper so
 * far, body).  Every reply: the return code, the error message, and on
 * success the result.  The worker is untrusted: its replies are decoded
 * strictly, and anything short, long or out of range is a malformed reply.
 */
#define _GNU_SOURCE /* sigabbrev_np */
#include "crawler.h"
#include "crawler_int.h"

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define NULL_LEN         0xffffffffu
#define FRAME_MAX        ((size_t)1 << 30) /* a request larger than this is malformed */
#define REPLY_MIN        ((size_t)1 << 20) /* a reply may be 4 x its request + this */
#define WORKER_FD        3
#define INIT_TIMEOUT_MS  10000L
#define DEFAULT_BASE_MS  10000L
#define DEFAULT_PER_MB   1000L /* added to the time limit per MiB of page */
#define DEFAULT_RESTARTS 20u

/* The aff_source constants a paper may point at, by their wire index. */
static const char *const aff_sources[] = { NULL, CRAWLER_AFF_METADATA, CRAWLER_AFF_VIRTUAL,
                                           CRAWLER_AFF_PDF };

struct crawler_sandbox {
    char *exe;         /* NULL: fork only */
    struct buf init;   /* the whole 'P' frame, sent to every worker started */
    pid_t pid;         /* 0: no worker running */
    int fd;            /* -1 with pid */
    long base_ms;      /* time limit per page: base ... */
    long per_mb_ms;    /* ... plus this per MiB of body */
    unsigned failures; /* workers lost in this run */
    unsigned max_restarts;
    int broken; /* failures > max_restarts: every call fails */
};

/* ---- encoding ----------------------------------------------------------- */

static void put_u32(struct buf *b, uint32_t v)
{
    buf_append(b, &v, sizeof(v));
}

static void put_i64(struct buf *b, int64_t v)
{
    buf_append(b, &v, sizeof(v));
}

static void put_str(struct buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;

    put_u32(b, s ? (uint32_t)n : NULL_LEN);
    if (s)
        buf_append(b, s, n);
}

/* The wire index of an aff_source pointer: which constant it spells. */
static uint32_t aff_index(const char *src)
{
    for (uint32_t i = 1; src && i < NSC_ARRAY_SIZE(aff_sources); i++) {
        if (!strcmp(src, aff_sources[i]))
            return i;
    }
    return 0;
}

static void put_paper(struct buf *b, const struct crawler_paper *p)
{
    put_str(b, p->id);
    put_i64(b, p->year);
    put_str(b, p->track);
    put_str(b, p->title);
    put_str(b, p->abstract);
    put_str(b, p->abstract_url);
    put_str(b, p->pdf_url);
    put_str(b, p->metadata_url);
    put_str(b, p->doi);
    put_u32(b, (uint32_t)p->nauthors);
    for (size_t i = 0; i < p->nauthors; i++) {
        put_str(b, p->authors[i].name);
        put_str(b, p->authors[i].affiliation);
        put_u32(b, aff_index(p->authors[i].aff_source));
    }
    put_u32(b, (uint32_t)p->nsources);
    for (size_t i = 0; i < p->nsources; i++) {
        put_str(b, p->sources[i].field);
        put_str(b, p->sources[i].url);
    }
}

static void put_index(struct buf *b, const struct crawler_year_index *ix)
{
    put_u32(b, (uint32_t)ix->npapers);
    for (size_t i = 0; i < ix->npapers; i++)
        put_paper(b, &ix->papers[i]);
    put_u32(b, (uint32_t)ix->nsee_also);
    for (size_t i = 0; i < ix->nsee_also; i++)
        put_str(b, ix->see_also[i]);
    put_str(b, ix->era);
    put_i64(b, (int64_t)ix->duplicates);
}

/* Start a frame: room for its length, filled in by frame_end(). */
static void frame_begin(struct buf *b, char kind)
{
    buf_reset(b);
    put_u32(b, 0);
    buf_putc(b, kind);
}

/* Fill in the length of a frame whose last 'extra' bytes are sent apart. */
static void frame_end(struct buf *b, size_t extra)
{
    uint32_t n = (uint32_t)(b->len - sizeof(uint32_t) + extra);

    memcpy(b->ptr, &n, sizeof(n));
}

/* ---- decoding ----------------------------------------------------------- */

struct rd {
    const char *p;
    size_t len, off;
    int bad;
};

static int rd_need(struct rd *r, size_t n)
{
    if (r->bad || r->len - r->off < n)
        r->bad = 1;
    return !r->bad;
}

static uint32_t get_u32(struct rd *r)
{
    uint32_t v = 0;

    if (rd_need(r, sizeof(v))) {
        memcpy(&v, r->p + r->off, sizeof(v));
        r->off += sizeof(v);
    }
    return v;
}

static int64_t get_i64(struct rd *r)
{
    int64_t v = 0;

    if (rd_need(r, sizeof(v))) {
        memcpy(&v, r->p + r->off, sizeof(v));
        r->off += sizeof(v);
    }
    return v;
}

/* Bytes in place (a page body): *n of them, NULL when bad. */
static const char *get_mem(struct rd *r, size_t *n)
{
    uint32_t len = get_u32(r);
    const char *s;

    *n = 0;
    if (len == NULL_LEN || !rd_need(r, len)) {
        r->bad = 1;
        return NULL;
    }
    s = r->p + r->off;
    r->off += len;
    *n = len;
    return s;
}

/* A new string or NULL; a string holding a NUL byte is malformed. */
static char *get_str(struct rd *r)
{
    uint32_t len = get_u32(r);
    char *s;

    if (r->bad || len == NULL_LEN)
        return NULL;
    if (!rd_need(r, len) || memchr(r->p + r->off, '\0', len)) {
        r->bad = 1;
        return NULL;
    }
    s = xstrndup(r->p + r->off, len);
    r->off += len;
    return s;
}

/* A count of items at least 'each' bytes long: no more than the rest holds. */
static size_t get_count(struct rd *r, size_t each)
{
    uint32_t n = get_u32(r);

    if (r->bad || n > (r->len - r->off) / each) {
        r->bad = 1;
        return 0;
    }
    return n;
}

/* Decode a paper into zeroed 'p'; on a bad frame 'p' holds what was read
 * (the caller releases it). */
static void get_paper(struct rd *r, struct crawler_paper *p)
{
    int64_t year;

    p->id = get_str(r);
    year = get_i64(r);
    if (year < -100000 || year > 100000)
        r->bad = 1;
    p->year = (int)year;
    p->track = get_str(r);
    p->title = get_str(r);
    p->abstract = get_str(r);
    p->abstract_url = get_str(r);
    p->pdf_url = get_str(r);
    p->metadata_url = get_str(r);
    p->doi = get_str(r);
    p->nauthors = get_count(r, 3 * sizeof(uint32_t));
    if (p->nauthors)
        p->authors = xcalloc(p->nauthors, sizeof(*p->authors));
    for (size_t i = 0; i < p->nauthors && !r->bad; i++) {
        uint32_t src;

        p->authors[i].name = get_str(r);
        p->authors[i].affiliation = get_str(r);
        src = get_u32(r);
        if (src >= NSC_ARRAY_SIZE(aff_sources))
            r->bad = 1;
        else
            p->authors[i].aff_source = aff_sources[src];
    }
    if (r->bad)
        return;
    p->nsources = get_count(r, 2 * sizeof(uint32_t));
    if (p->nsources)
        p->sources = xcalloc(p->nsources, sizeof(*p->sources));
    for (size_t i = 0; i < p->nsources && !r->bad; i++) {
        p->sources[i].field = get_str(r);
        p->sources[i].url = get_str(r);
        if (!p->sources[i].field || !p->sources[i].url)
            r->bad = 1;
    }
}

static void get_index(struct rd *r, struct crawler_year_index *ix)
{
    int64_t dup;

    ix->npapers = get_count(r, 13 * sizeof(uint32_t));
    if (ix->npapers)
        ix->papers = xcalloc(ix->npapers, sizeof(*ix->papers));
    for (size_t i = 0; i < ix->npapers && !r->bad; i++)
        get_paper(r, &ix->papers[i]);
    if (r->bad)
        return;
    ix->nsee_also = get_count(r, sizeof(uint32_t));
    if (ix->nsee_also)
        ix->see_also = xcalloc(ix->nsee_also, sizeof(*ix->see_also));
    for (size_t i = 0; i < ix->nsee_also && !r->bad; i++) {
        ix->see_also[i] = get_str(r);
        if (!ix->see_also[i])
            r->bad = 1;
    }
    ix->era = get_str(r);
    dup = get_i64(r);
    if (dup < 0)
        r->bad = 1;
    ix->duplicates = (size_t)dup;
}

/*
 * The head of every reply: the worker's return code (one the parsers may
 * return) and its message, which becomes this thread's error message.
 */
static int get_head(struct rd *r, int *rc)
{
    uint32_t v = get_u32(r);
    char *msg;

    memcpy(rc, &v, sizeof(*rc));
    if (*rc > 0 || *rc < NSC_ETEMPLATE)
        r->bad = 1;
    msg = get_str(r);
    if (!msg)
        r->bad = 1;
    if (!r->bad && *rc < 0)
        nsc_error_set(*rc, "%s", msg);
    free(msg);
    return r->bad ? -1 : 0;
}

/* A reply that does not decode: the worker cannot be trusted any more. */
static int malformed(void)
{
    return nsc_error_set(NSC_ECRASH, "parser worker sent a malformed reply");
}

/*
 * Start reading a reply: 1 when a result follows the head, else what the
 * call returns as it is: the worker's own error, or a malformed reply.
 */
static int reply_open(struct rd *r, const void *data, size_t len)
{
    int rc = 0;

    *r = (struct rd){ data, len, 0, 0 };
    if (get_head(r, &rc) < 0 || (rc < 0 && r->off != r->len))
        return malformed();
    return rc < 0 ? rc : 1;
}

int crawler__sandbox_decode_index(struct crawler_year_index *out, const void *data, size_t len)
{
    struct rd r;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = reply_open(&r, data, len);
    if (rc <= 0)
        return rc;
    get_index(&r, out);
    if (r.bad || r.off != r.len) {
        crawler_year_index_release(out);
        return malformed();
    }
    return 0;
}

int crawler__sandbox_decode_paper(struct crawler_paper *out, const void *data, size_t len)
{
    struct rd r;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = reply_open(&r, data, len);
    if (rc <= 0)
        return rc;
    get_paper(&r, out);
    if (r.bad || r.off != r.len) {
        crawler_paper_release(out);
        return malformed();
    }
    return 0;
}

/* ---- the worker --------------------------------------------------------- */

/* What NSC_TEST_PARSER_FAULT asks of the worker (tests only). */
struct fault {
    enum { FAULT_NONE, FAULT_CRASH, FAULT_HANG, FAULT_GARBAGE } kind;
    const char *marker;
};

static void fault_read(struct fault *f)
{
    const char *v = getenv("NSC_TEST_PARSER_FAULT");
    const char *colon = v ? strchr(v, ':') : NULL;

    f->kind = FAULT_NONE;
    f->marker = NULL;
    if (!colon || !colon[1])
        return;
    if (!strncmp(v, "crash:", 6))
        f->kind = FAULT_CRASH;
    else if (!strncmp(v, "hang:", 5))
        f->kind = FAULT_HANG;
    else if (!strncmp(v, "garbage:", 8))
        f->kind = FAULT_GARBAGE;
    f->marker = colon + 1;
}

/* 1 when the fault applies to this body; crash and hang happen here. */
static int fault_hit(const struct fault *f, const char *body, size_t len)
{
    if (f->kind == FAULT_NONE || !memmem(body, len, f->marker, strlen(f->marker)))
        return 0;
    if (f->kind == FAULT_CRASH) {
        /* The default action, even where a sanitizer catches SIGSEGV. */
        signal(SIGSEGV, SIG_DFL);
        raise(SIGSEGV);
    }
    while (f->kind == FAULT_HANG)
        pause();
    return 1;
}

static int io_read_all(int fd, void *p, size_t n)
{
    char *c = p;

    while (n > 0) {
        ssize_t k = read(fd, c, n);

        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

static int io_write_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n > 0) {
        ssize_t k = send(fd, c, n, MSG_NOSIGNAL);

        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        c += k;
        n -= (size_t)k;
    }
    return 0;
}

/* The reply head: the code and this thread's message. */
static void reply_head(struct buf *b, int rc)
{
    buf_reset(b);
    put_u32(b, 0);
    put_u32(b, (uint32_t)rc);
    put_str(b, rc < 0 ? nsc_error_last() : "");
}

/* A reply cut short, for NSC_TEST_PARSER_FAULT=garbage: a code, then a
 * message length with too few bytes after it. */
static void reply_garbage(struct buf *b)
{
    buf_reset(b);
    put_u32(b, 0);
    put_u32(b, 0);
    put_u32(b, 100);
    buf_puts(b, "cut");
}

/* Answer one request into 'out' (a whole frame). */
static void serve_one(struct buf *out, struct crawler_profile **prof, const struct fault *f,
                      const char *req, size_t len)
{
    struct rd r = { req + 1, len - 1, 0, 0 };
    const char *body;
    size_t blen;
    char *url;
    int rc;

    if (req[0] == 'P') {
        char *name = get_str(&r);
        const char *text = get_mem(&r, &blen);
        size_t nhosts = get_count(&r, 2 * sizeof(uint32_t));

        crawler_profile_free(*prof);
        *prof = NULL;
        rc = r.bad ? nsc_error_set(NSC_EPARSE, "parser worker: a malformed profile request")
                   : crawler_profile_parse(prof, name ? name : "profile", text, blen);
        for (size_t i = 0; i < nhosts && rc == 0; i++) {
            char *k = get_str(&r), *v = get_str(&r);

            rc = k && v ? crawler_profile_set_host(*prof, k, v)
                        : nsc_error_set(NSC_EPARSE, "parser worker: a malformed host");
            free(k);
            free(v);
        }
        free(name);
        reply_head(out, rc);
    } else if (req[0] == 'I') {
        struct crawler_year_index ix = { 0 };
        int64_t year;

        url = get_str(&r);
        year = get_i64(&r);
        body = get_mem(&r, &blen);
        if (r.bad || !url || !*prof || year < INT32_MIN || year > INT32_MAX) {
            reply_head(out, nsc_error_set(NSC_EPARSE, "parser worker: a malformed index request"));
        } else if (fault_hit(f, body, blen)) {
            reply_garbage(out);
        } else {
            rc = crawler_parse_year_index(&ix, *prof, url, (int)year, body, blen);
            reply_head(out, rc);
            if (rc == 0)
                put_index(out, &ix);
        }
        crawler_year_index_release(&ix);
        free(url);
    } else if (req[0] == 'A') {
        struct crawler_paper p = { 0 };

        url = get_str(&r);
        get_paper(&r, &p);
        body = get_mem(&r, &blen);
        if (r.bad || !url || !*prof) {
            reply_head(out,
                       nsc_error_set(NSC_EPARSE, "parser worker: a malformed abstract request"));
        } else if (fault_hit(f, body, blen)) {
            reply_garbage(out);
        } else {
            rc = crawler_parse_abstract(&p, *prof, url, body, blen);
            reply_head(out, rc);
            if (rc == 0)
                put_paper(out, &p);
        }
        crawler_paper_release(&p);
        free(url);
    } else {
        reply_head(out, nsc_error_set(NSC_EPARSE, "parser worker: unknown request '%c'", req[0]));
    }
    frame_end(out, 0);
}

/* Give the year index's memory back to the system once it is answered.  The
 * index is the one big page of a crawl: its gumbo tree, libxml2 copy and
 * frames leave tens of MB of free heap behind, which glibc keeps mapped while
 * smaller chunks above them are live, so the idle worker would go on holding
 * its index peak while the crawler decodes the feed (issue 7).  Dropping the
 * two frame buffers and malloc_trim() (free pages inside the heap too) costs
 * a few ms once a year. */
static void serve_shrink(struct buf *req, struct buf *out)
{
    buf_release(req);
    buf_release(out);
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

int crawler_sandbox_serve(int fd)
{
    struct crawler_profile *prof = NULL;
    struct buf req = BUF_INIT, out = BUF_INIT;
    struct fault f;
    uint32_t n;
    int err = 0;

    fault_read(&f);
    /* Ctrl-C and a service stop are the crawler's to handle: it ends its
     * run and closes the socket, which ends this loop. */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    for (;;) {
        if (io_read_all(fd, &n, sizeof(n)) < 0)
            break; /* the crawler closed: done */
        if (n == 0 || n > FRAME_MAX) {
            err = nsc_error_set(NSC_EPARSE, "parser worker: a request of %u bytes", n);
            break;
        }
        buf_reset(&req);
        buf_grow(&req, n);
        if (io_read_all(fd, req.ptr, n) < 0)
            break;
        req.len = n;
        req.ptr[n] = '\0';
        buf_reset(&out);
        serve_one(&out, &prof, &f, req.ptr, req.len);
        if (io_write_all(fd, out.ptr, out.len) < 0)
            break;
        if (req.ptr[0] == 'I')
            serve_shrink(&req, &out);
    }
    crawler_profile_free(prof);
    buf_release(&req);
    buf_release(&out);
    close(fd);
    return err;
}

/* ---- the crawler's side ------------------------------------------------- */

/* Why the worker is gone, as "killed by signal 11 (SIGSEGV)". */
static void describe_status(char *out, size_t n, int status)
{
    if (WIFSIGNALED(status)) {
        const char *abbrev = sigabbrev_np(WTERMSIG(status));

        snprintf(out, n, "killed by signal %d (SIG%s)", WTERMSIG(status), abbrev ? abbrev : "?");
    } else if (WIFEXITED(status)) {
        snprintf(out, n, "exited with status %d", WEXITSTATUS(status));
    } else {
        snprintf(out, n, "stopped");
    }
}

/* Kill (when 'kill_it') and reap the worker; the status it ended with. */
static int reap(struct crawler_sandbox *sb, int kill_it)
{
    int status = 0;

    if (sb->fd >= 0)
        close(sb->fd);
    sb->fd = -1;
    if (sb->pid > 0) {
        if (kill_it)
            kill(sb->pid, SIGKILL);
        while (waitpid(sb->pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    sb->pid = 0;
    return status;
}

/* Start a worker process; the socket is left to the caller's handshake. */
static int spawn(struct crawler_sandbox *sb)
{
    int sv[2];
    pid_t parent = getpid();
    pid_t pid;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return nsc_error_set(NSC_EIO, "parser worker: socketpair: %s", strerror(errno));
    pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return nsc_error_set(NSC_EIO, "parser worker: fork: %s", strerror(errno));
    }
    if (pid == 0) {
        /* An orphan worker (the crawler SIGKILLed mid-parse) goes too. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        close(sv[0]);
        if (sb->exe) {
            char *argv[] = { sb->exe, (char *)"parse-worker", NULL };

            if (sv[1] != WORKER_FD && dup2(sv[1], WORKER_FD) < 0)
                _exit(126);
            if (fcntl(WORKER_FD, F_SETFD, 0) < 0)
                _exit(126);
            /* Nothing else of the crawler's (its store, its sockets). */
            close_range(WORKER_FD + 1, ~0U, 0);
            execv(sb->exe, argv);
            _exit(127);
        }
        _exit(crawler_sandbox_serve(sv[1]) < 0 ? 1 : 0);
    }
    close(sv[1]);
    if (fcntl(sv[0], F_SETFL, O_NONBLOCK) < 0) {
        int err = nsc_error_set(NSC_EIO, "parser worker: fcntl: %s", strerror(errno));

        sb->fd = sv[0];
        sb->pid = pid;
        reap(sb, 1);
        return err;
    }
    sb->pid = pid;
    sb->fd = sv[0];
    return 0;
}

enum io_result { IO_OK, IO_CLOSED, IO_TIMEOUT, IO_BIG, IO_MALFORMED };

/* Wait until the socket is ready for 'events' or the deadline passes. */
static enum io_result io_wait(int fd, short events, uint64_t deadline)
{
    struct pollfd pfd = { fd, events, 0 };

    for (;;) {
        uint64_t now = nsc_now_ms();
        int k;

        if (now >= deadline)
            return IO_TIMEOUT;
        k = poll(&pfd, 1, (int)(deadline - now > 60000 ? 60000 : deadline - now));
        if (k < 0 && errno != EINTR)
            return IO_CLOSED;
        if (k > 0)
            return IO_OK;
    }
}

static enum io_result io_send(int fd, const char *p, size_t n, uint64_t deadline)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

        if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
            enum io_result w = io_wait(fd, POLLOUT, deadline);

            if (w != IO_OK)
                return w;
            continue;
        }
        if (k <= 0)
            return IO_CLOSED;
        p += k;
        n -= (size_t)k;
    }
    return IO_OK;
}

static enum io_result io_recv(int fd, char *p, size_t n, uint64_t deadline)
{
    while (n > 0) {
        ssize_t k = recv(fd, p, n, 0);

        if (k < 0 && (errno == EAGAIN || errno == EINTR)) {
            enum io_result w = io_wait(fd, POLLIN, deadline);

            if (w != IO_OK)
                return w;
            continue;
        }
        if (k <= 0)
            return IO_CLOSED;
        p += k;
        n -= (size_t)k;
    }
    return IO_OK;
}

/*
 * Read one reply frame into 'out'.  The worker's length is not trusted: over
 * 'max' it is refused, and memory grows with the bytes that really arrive.
 */
static enum io_result recv_frame(int fd, struct buf *out, size_t max, uint64_t deadline)
{
    uint32_t n;
    enum io_result r = io_recv(fd, (char *)&n, sizeof(n), deadline);

    if (r != IO_OK)
        return r;
    if (n > max)
        return IO_BIG;
    buf_reset(out);
    while (out->len < n) {
        size_t chunk = n - out->len < ((size_t)1 << 20) ? n - out->len : (size_t)1 << 20;

        buf_grow(out, chunk);
        r = io_recv(fd, out->ptr + out->len, chunk, deadline);
        if (r != IO_OK)
            return r;
        out->len += chunk;
        out->ptr[out->len] = '\0';
    }
    return IO_OK;
}

/*
 * The worker failed 'url' (NULL: its start): end it, count it and say why.
 * Past the bound on restarts the sandbox is broken and the message says the
 * run must stop.
 */
static int worker_lost(struct crawler_sandbox *sb, const char *url, enum io_result why,
                       long limit_ms)
{
    char how[96];
    /* Killed even after EOF: a worker that closed its socket may live on.
     * One already dying keeps the status it dies with. */
    int status = reap(sb, 1);

    if (why == IO_TIMEOUT)
        snprintf(how, sizeof(how), "parser timed out after %.1f s", (double)limit_ms / 1000.0);
    else if (why == IO_BIG)
        snprintf(how, sizeof(how), "parser worker sent a malformed reply (too long)");
    else if (why == IO_MALFORMED)
        snprintf(how, sizeof(how), "parser worker sent a malformed reply");
    else {
        char st[64];

        describe_status(st, sizeof(st), status);
        snprintf(how, sizeof(how), "parser worker %s", st);
    }
    sb->failures++;
    if (!url)
        return nsc_error_set(NSC_ECRASH, "cannot start the parser worker: %s", how);
    if (sb->failures > sb->max_restarts) {
        sb->broken = 1;
        return nsc_error_set(NSC_ECRASH,
                             "%s: %s; the parser worker failed %u times in this run: giving up",
                             url, how, sb->failures);
    }
    return nsc_error_set(NSC_ECRASH, "%s: %s; page skipped", url, how);
}

/*
 * Start a worker and hand it the profile.  0; NSC_ECRASH when it dies, hangs
 * or answers nonsense (then it counts as lost, for 'url'); or the worker's
 * own error (the profile does not load there).
 */
static int worker_start(struct crawler_sandbox *sb, const char *url)
{
    struct buf reply = BUF_INIT;
    uint64_t deadline;
    enum io_result r;
    struct rd rd;
    int err, rc = 0;

    err = spawn(sb);
    if (err < 0)
        return err;
    deadline = nsc_now_ms() + INIT_TIMEOUT_MS;
    r = io_send(sb->fd, sb->init.ptr, sb->init.len, deadline);
    if (r == IO_OK)
        r = recv_frame(sb->fd, &reply, REPLY_MIN, deadline);
    if (r != IO_OK) {
        buf_release(&reply);
        return worker_lost(sb, url, r, INIT_TIMEOUT_MS);
    }
    rd = (struct rd){ reply.ptr, reply.len, 0, 0 };
    err = get_head(&rd, &rc) < 0 || rd.off != rd.len ? IO_MALFORMED : 0;
    buf_release(&reply);
    if (err)
        return worker_lost(sb, url, IO_MALFORMED, 0);
    if (rc < 0) {
        reap(sb, 1);
        return nsc_error_prefix(rc, "parser worker");
    }
    return 0;
}

/*
 * Send a request (the frame in 'head', then 'tail' bytes) and read the reply
 * into 'reply', starting a worker first when none runs.  0, or NSC_ECRASH
 * (the worker is gone: the message names 'url' and why), or a start error.
 */
static int exchange(struct crawler_sandbox *sb, const char *url, const struct buf *head,
                    const char *tail, size_t tail_len, struct buf *reply)
{
    long limit = sb->base_ms + (long)(tail_len >> 20) * sb->per_mb_ms;
    uint64_t deadline;
    enum io_result r;

    if (sb->broken)
        return nsc_error_set(NSC_ECRASH,
                             "%s: the parser worker failed %u times in this run: giving up", url,
                             sb->failures);
    if (sb->pid == 0) {
        int err = worker_start(sb, url);

        if (err < 0)
            return err;
    }
    deadline = nsc_now_ms() + (uint64_t)limit;
    r = io_send(sb->fd, head->ptr, head->len, deadline);
    if (r == IO_OK && tail_len)
        r = io_send(sb->fd, tail, tail_len, deadline);
    if (r == IO_OK)
        r = recv_frame(sb->fd, reply, REPLY_MIN + 4 * (head->len + tail_len), deadline);
    if (r != IO_OK)
        return worker_lost(sb, url, r, limit);
    return 0;
}

void crawler_sandbox_set_limits(struct crawler_sandbox *sb, long base_ms, long per_mb_ms,
                                unsigned max_restarts)
{
    sb->base_ms = base_ms > 0 ? base_ms : DEFAULT_BASE_MS;
    sb->per_mb_ms = per_mb_ms >= 0 ? per_mb_ms : DEFAULT_PER_MB;
    sb->max_restarts = max_restarts;
}

int crawler_sandbox_start(struct crawler_sandbox **out, const struct crawler_profile *prof,
                          const char *exe)
{
    struct crawler_sandbox *sb = xcalloc(1, sizeof(*sb));
    int err;

    *out = NULL;
    sb->exe = exe ? xstrdup(exe) : NULL;
    sb->fd = -1;
    sb->base_ms = DEFAULT_BASE_MS;
    sb->per_mb_ms = DEFAULT_PER_MB;
    sb->max_restarts = DEFAULT_RESTARTS;
    frame_begin(&sb->init, 'P');
    put_str(&sb->init, prof->file);
    put_u32(&sb->init, (uint32_t)prof->text_len);
    buf_append(&sb->init, prof->text, prof->text_len);
    put_u32(&sb->init, (uint32_t)prof->nhosts);
    for (size_t i = 0; i < prof->nhosts; i++) {
        put_str(&sb->init, prof->hosts[i].key);
        put_str(&sb->init, prof->hosts[i].value);
    }
    frame_end(&sb->init, 0);
    /* The first worker starts now: one that cannot start (or load the
     * profile) fails the run before any page is fetched. */
    err = worker_start(sb, NULL);
    if (err < 0) {
        crawler_sandbox_stop(sb);
        return err;
    }
    sb->failures = 0;
    *out = sb;
    return 0;
}

void crawler_sandbox_stop(struct crawler_sandbox *sb)
{
    if (!sb)
        return;
    /* Closing the socket ends an idle worker; a busy one is killed. */
    if (sb->fd >= 0) {
        close(sb->fd);
        sb->fd = -1;
    }
    if (sb->pid > 0) {
        uint64_t until = nsc_now_ms() + 1000;
        int status;

        while (waitpid(sb->pid, &status, WNOHANG) == 0) {
            if (nsc_now_ms() >= until) {
                kill(sb->pid, SIGKILL);
                while (waitpid(sb->pid, &status, 0) < 0 && errno == EINTR)
                    ;
                break;
            }
            usleep(1000);
        }
    }
    sb->pid = 0;
    free(sb->exe);
    buf_release(&sb->init);
    free(sb);
}

int crawler_sandbox_broken(const struct crawler_sandbox *sb)
{
    return sb->broken;
}

int crawler_sandbox_parse_index(struct crawler_sandbox *sb, struct crawler_year_index *out,
                                const char *url, int year, const char *html, size_t len)
{
    struct buf head = BUF_INIT, reply = BUF_INIT;
    int err;

    memset(out, 0, sizeof(*out));
    frame_begin(&head, 'I');
    put_str(&head, url);
    put_i64(&head, year);
    put_u32(&head, (uint32_t)len);
    frame_end(&head, len);
    err = exchange(sb, url, &head, html, len, &reply);
    if (err == 0) {
        err = crawler__sandbox_decode_index(out, reply.ptr, reply.len);
        if (err == NSC_ECRASH)
            err = worker_lost(sb, url, IO_MALFORMED, 0);
    }
    buf_release(&head);
    buf_release(&reply);
    return err;
}

int crawler_sandbox_parse_abstract(struct crawler_sandbox *sb, struct crawler_paper *p,
                                   const char *url, const char *html, size_t len)
{
    struct buf head = BUF_INIT, reply = BUF_INIT;
    struct crawler_paper got;
    int err;

    frame_begin(&head, 'A');
    put_str(&head, url);
    put_paper(&head, p);
    put_u32(&head, (uint32_t)len);
    frame_end(&head, len);
    err = exchange(sb, url, &head, html, len, &reply);
    if (err == 0) {
        err = crawler__sandbox_decode_paper(&got, reply.ptr, reply.len);
        if (err == NSC_ECRASH)
            err = worker_lost(sb, url, IO_MALFORMED, 0);
    }
    if (err == 0) {
        crawler_paper_release(p);
        *p = got;
    }
    buf_release(&head);
    buf_release(&reply);
    return err;
}
