/*
 * cmd_daemon.c - `nipscope daemon --config FILE`: keep the configured years
 * crawled, re-crawling each every 'interval' through the crawl pipeline
 * (pipeline.c, with recheck on: conditional requests, only changed records
 * written), and speak systemd's notify protocol.
 *
 * Signals never run code here: SIGTERM, SIGINT and SIGHUP are blocked and
 * read from a signalfd, between crawls by poll() and during a crawl by the
 * pipeline's tick (at least every 250 ms from the fetch loop), which asks the
 * pipeline to stop on SIGTERM.  A SIGHUP loads and checks the new file and
 * rules first; only a valid set replaces the one in force (during a crawl,
 * from the next crawl on).  The loading runs on a thread of its own (a
 * rule set takes a while to read, longer on a loaded machine), so watchdog
 * pings, STATUS and signals go on meanwhile; the main thread takes the result
 * when the thread's eventfd says it is done.
 *
 * What the daemon is doing is published in the state DB of the store
 * directory (store_service_put(), row "daemon"), where `nipscope status`
 * reads it; docs/nipscope.1 and README describe both.
 */
#include "cmd.h"
#include "config.h"
#include "pipeline.h"

#include "classify.h"
#include "common.h"
#include "crawler.h"
#include "store.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#ifdef NSC_WITH_SYSTEMD
#include <systemd/sd-daemon.h>
#else
/* Without libsystemd the daemon runs the same and tells no service manager. */
static int sd_notify(int unset_environment, const char *state)
{
    (void)unset_environment;
    (void)state;
    return 0;
}

static int sd_watchdog_enabled(int unset_environment, uint64_t *usec)
{
    (void)unset_environment;
    *usec = 0;
    return 0;
}
#endif

#define SERVICE_NAME "daemon"
#define STATUS_MS    1000 /* STATUS= and the state row, at most this often */
#define RETRY_FAILED 600  /* a failed crawl is tried again after at most 10 min */
#define MAX_WAIT_MS  1000 /* poll() wakes at least this often between crawls */
#define STATUS_LEN   512

/* The configuration in force (or waiting to be), with what it resolves to. */
struct dconf {
    struct config file;
    struct pipeline_config pc;
    char *ua;
    char *rules_dir;
    char *rules_origin; /* "FILE:LINE:COL: rules" or NULL (config_origin()) */
    char *out_origin;
    struct classify_rules *rules; /* loaded and checked once, used by every crawl */
    int years[CONFIG_MAX_YEARS];  /* resolved, ascending */
    size_t n_years;
    int loaded;
};

/* A reload in progress: dconf_load() on its own thread. */
struct reloader {
    pthread_t thread;
    int active;       /* the thread was started and not joined yet */
    int again;        /* another SIGHUP came while it was loading */
    int efd;          /* eventfd: the thread writes 1 when it is done */
    const char *path; /* borrowed from struct daemon */
    unsigned store_flags;
    struct dconf conf; /* the thread's result ... */
    int err;           /* ... or its error, with the message copied here */
    char msg[1024];
};

struct daemon {
    const char *config_path;
    unsigned store_flags;
    struct dconf cur;
    struct dconf next; /* a reload that came during a crawl */
    struct reloader rl;
    int64_t due[CONFIG_MAX_YEARS];
    int sfd;
    uint64_t wd_interval_ms; /* 0: no watchdog */
    uint64_t wd_last_ms;
    uint64_t status_last_ms;
    int stopping;
    int running;  /* inside pipeline_run() */
    int run_year; /* the year being crawled */
    int64_t run_next;
    struct store_state *ss;
    char *ss_dir;
    int64_t started;
    char status[STATUS_LEN];
    char state[16];
};

static void dconf_release(struct dconf *c)
{
    if (c->loaded)
        config_release(&c->file);
    free(c->ua);
    free(c->rules_dir);
    free(c->rules_origin);
    free(c->out_origin);
    classify_rules_free(c->rules);
    memset(c, 0, sizeof(*c));
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;

    return (x > y) - (x < y);
}

int cmd_daemon_years(int *years, size_t *n_years, const struct config *file, const char *rules_dir,
                     const char *rules_origin)
{
    struct crawler_profile *prof = NULL;
    char *path = xasprintf("%s/sites/neurips.yaml", rules_dir);
    time_t now = time(NULL);
    struct tm tm;
    size_t n = 0;
    int err;

    err = crawler_profile_load(&prof, path);
    if (err < 0) {
        err = config_blame(err, rules_origin);
        goto out;
    }
    gmtime_r(&now, &tm);
    if (file->last_n) {
        for (int y = tm.tm_year + 1900; y >= CONFIG_YEAR_MIN && n < file->last_n; y--) {
            if (crawler_profile_year_sources(prof, y) & CRAWLER_SRC_PROCEEDINGS)
                years[n++] = y;
        }
    } else {
        for (size_t i = 0; i < file->n_years; i++) {
            int y = file->years[i];

            if (!(crawler_profile_year_sources(prof, y) & CRAWLER_SRC_PROCEEDINGS)) {
                err = nsc_error_set(NSC_EINVAL,
                                    "%s:%zu:%zu: years: the site profile %s has no year %d",
                                    file->path, file->year_line[i], file->year_col[i], path, y);
                goto out;
            }
            years[n++] = y;
        }
    }
    if (n == 0) {
        err = nsc_error_set(NSC_EINVAL,
                            "%s: no years to keep crawled: give 'years: [2024]' or "
                            "'years: {last: 2}'",
                            file->path);
        goto out;
    }
    qsort(years, n, sizeof(years[0]), cmp_int);
    *n_years = n;
out:
    crawler_profile_free(prof);
    free(path);
    return err;
}

/*
 * Load and check 'path' into the zeroed *c: the file, its policies against
 * the rules it names, its years against the site profile.  All or nothing:
 * on failure *c is released and the message says where ("FILE:LINE:COL").
 */
static int dconf_load(struct dconf *c, const char *path, unsigned store_flags)
{
    int err;

    config_init(&c->file);
    c->loaded = 1;
    err = config_load(&c->file, path);
    if (err < 0)
        goto out;
    c->rules_dir = xstrdup(c->file.rules_dir ? c->file.rules_dir : cmd_default_rules_dir());
    c->rules_origin = config_origin(&c->file, "rules");
    c->out_origin = config_origin(&c->file, "out");
    err = classify_rules_load(&c->rules, c->rules_dir, NULL);
    err = config_blame(err, c->rules_origin);
    if (err == 0)
        err = config_check_policies(&c->file, c->rules);
    if (err < 0)
        goto out;
    err = cmd_daemon_years(c->years, &c->n_years, &c->file, c->rules_dir, c->rules_origin);
    if (err < 0)
        goto out;
    pipeline_config_init(&c->pc);
    c->pc.rules_dir = c->rules_dir;
    c->pc.rules = c->rules;
    c->pc.rules_origin = c->rules_origin;
    c->pc.out_origin = c->out_origin;
    cmd_crawl_apply_config(&c->pc, &c->file, &c->ua);
    c->pc.policy = c->file.n_policies ? c->file.policies[0] : NULL;
    c->pc.recheck = 1;
    c->pc.progress = 0;
    c->pc.store_flags = store_flags;
out:
    if (err < 0)
        dconf_release(c);
    return err;
}

/* ---- notify protocol and the state row ---------------------------------- */

static void notify(const char *fmt, ...) NSC_PRINTF(1, 2);

static void notify(const char *fmt, ...)
{
    char msg[STATUS_LEN + 64];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sd_notify(0, msg);
}

static void watchdog(struct daemon *d, int force)
{
    uint64_t now = nsc_now_ms();

    if (!d->wd_interval_ms || (!force && now - d->wd_last_ms < d->wd_interval_ms))
        return;
    d->wd_last_ms = now;
    sd_notify(0, "WATCHDOG=1");
}

/* "4,493": thousands separated, as the STATUS line shows counts. */
static void fmt_count(char *out, size_t size, size_t n)
{
    char digits[32];
    size_t len, o = 0;

    snprintf(digits, sizeof(digits), "%zu", n);
    len = strlen(digits);
    for (size_t i = 0; i < len && o + 2 < size; i++) {
        if (i && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

/* "14:05" today, else "2026-12-03 14:05" (local time). */
static void fmt_when(char *out, size_t size, int64_t t)
{
    time_t tt = (time_t)t, now = time(NULL);
    struct tm tm, today;

    localtime_r(&tt, &tm);
    localtime_r(&now, &today);
    if (tm.tm_year == today.tm_year && tm.tm_yday == today.tm_yday)
        strftime(out, size, "%H:%M", &tm);
    else
        strftime(out, size, "%Y-%m-%d %H:%M", &tm);
}

static size_t next_year(const struct daemon *d)
{
    size_t best = 0;

    for (size_t i = 1; i < d->cur.n_years; i++) {
        if (d->due[i] < d->due[best])
            best = i;
    }
    return best;
}

/* Send STATUS= and write the "daemon" row of the state DB. */
static void publish(struct daemon *d, const char *state)
{
    struct store_service sv = { .pid = (int64_t)getpid(), .status = d->status };
    size_t k = next_year(d);

    snprintf(d->state, sizeof(d->state), "%s", state);
    snprintf(sv.name, sizeof(sv.name), "%s", SERVICE_NAME);
    snprintf(sv.state, sizeof(sv.state), "%s", state);
    sv.started = d->started;
    sv.next_run = d->running ? d->run_next : d->cur.n_years ? d->due[k] : 0;
    notify("STATUS=%s", d->status);
    d->status_last_ms = nsc_now_ms();
    if (d->ss && store_service_put(d->ss, &sv) < 0)
        log_warn("daemon: cannot publish the state: %s", nsc_error_last());
}

static void publish_idle(struct daemon *d)
{
    size_t k = next_year(d);
    char when[32];

    fmt_when(when, sizeof(when), d->due[k]);
    snprintf(d->status, sizeof(d->status), "idle, next run %s (%d)", when, d->cur.years[k]);
    publish(d, "idle");
}

/* (Re)open the state DB of the store directory in force. */
static int open_state(struct daemon *d)
{
    const char *dir = d->cur.pc.out_dir;
    struct store_state *ss = NULL;
    int err;

    if (d->ss && d->ss_dir && !strcmp(d->ss_dir, dir))
        return 0;
    err = store_state_open(&ss, dir, d->store_flags);
    if (err < 0)
        return config_blame(err, d->cur.out_origin);
    store_state_free(d->ss);
    free(d->ss_dir);
    d->ss = ss;
    d->ss_dir = xstrdup(dir);
    return 0;
}

/* Make 'c' the configuration in force: years kept keep their schedule, new
 * years are due now. */
static void swap_in(struct daemon *d, struct dconf *c)
{
    int64_t due[CONFIG_MAX_YEARS] = { 0 }, now = nsc_wall_s();

    for (size_t i = 0; i < c->n_years; i++) {
        due[i] = now;
        for (size_t j = 0; j < d->cur.n_years; j++) {
            if (d->cur.years[j] == c->years[i])
                due[i] = d->due[j];
        }
    }
    dconf_release(&d->cur);
    d->cur = *c;
    memset(c, 0, sizeof(*c));
    memcpy(d->due, due, sizeof(due));
    if (open_state(d) < 0)
        log_err("daemon: %s", nsc_error_last());
}

static void years_text(char *out, size_t size, const struct dconf *c)
{
    size_t o = 0;

    out[0] = '\0';
    for (size_t i = 0; i < c->n_years && o + 8 < size; i++)
        o += (size_t)snprintf(out + o, size - o, "%s%d", i ? ", " : "", c->years[i]);
}

/* The reload thread: load and check the file and its rules, then say so.
 * The error message is thread-local, so it is copied for the main thread. */
static void *reload_thread(void *arg)
{
    struct reloader *r = arg;
    uint64_t one = 1;

    r->err = dconf_load(&r->conf, r->path, r->store_flags);
    if (r->err == 0) {
        /* The out: directory is tried now, so a bad one is refused like
         * any bad value instead of failing the next crawl. */
        struct store_state *ss = NULL;

        r->err = config_blame(store_state_open(&ss, r->conf.pc.out_dir, r->store_flags),
                              r->conf.out_origin);
        store_state_free(ss);
        if (r->err < 0)
            dconf_release(&r->conf);
    }
    if (r->err < 0)
        snprintf(r->msg, sizeof(r->msg), "%s", nsc_error_last());
    while (write(r->efd, &one, sizeof(one)) < 0 && errno == EINTR)
        ;
    return NULL;
}

/* SIGHUP: tell systemd, and start loading the file on the reload thread (or,
 * when one is loading already, load once more after it). */
static void reload_start(struct daemon *d)
{
    struct reloader *r = &d->rl;
    struct timespec ts;
    int err;

    if (r->active) {
        r->again = 1;
        return;
    }
    clock_gettime(CLOCK_MONOTONIC, &ts);
    notify("RELOADING=1\nMONOTONIC_USEC=%llu",
           (unsigned long long)ts.tv_sec * 1000000ULL + (unsigned long long)ts.tv_nsec / 1000);
    memset(&r->conf, 0, sizeof(r->conf));
    r->path = d->config_path;
    r->store_flags = d->store_flags;
    r->err = 0;
    r->msg[0] = '\0';
    err = pthread_create(&r->thread, NULL, reload_thread, r);
    if (err) {
        log_err("daemon: reload: cannot start a thread: %s; the configuration in force stays",
                strerror(err));
        sd_notify(0, "READY=1");
        return;
    }
    r->active = 1;
}

/* The loaded file validated: swap it in (or keep it for after this crawl);
 * else log why and keep the one in force. */
static void reload_finish(struct daemon *d)
{
    struct reloader *r = &d->rl;
    char years[256];

    pthread_join(r->thread, NULL);
    r->active = 0;
    if (r->err < 0) {
        log_err("daemon: reload: %s; the configuration in force stays", r->msg);
        /* STATUS= is one short line: the message is cut to fit */
        snprintf(d->status, sizeof(d->status), "reload failed, old configuration in force: %.400s",
                 r->msg);
        notify("READY=1\nSTATUS=%s", d->status);
    } else {
        years_text(years, sizeof(years), &r->conf);
        if (d->running) {
            dconf_release(&d->next);
            d->next = r->conf;
            log_notice("daemon: reloaded '%s' (years %s); in force after the crawl of %d",
                       d->config_path, years, d->run_year);
        } else {
            swap_in(d, &r->conf);
            log_notice("daemon: reloaded '%s': years %s", d->config_path, years);
        }
        memset(&r->conf, 0, sizeof(r->conf));
        sd_notify(0, "READY=1");
        if (!d->running)
            publish_idle(d);
    }
    if (r->again && !d->stopping) {
        r->again = 0;
        reload_start(d);
    }
}

/* Take the reload thread's result if it is done (never blocks). */
static void reload_poll(struct daemon *d)
{
    uint64_t n;

    if (d->rl.active && read(d->rl.efd, &n, sizeof(n)) == (ssize_t)sizeof(n))
        reload_finish(d);
}

/* Read every pending signal from the signalfd. */
static void handle_signals(struct daemon *d)
{
    struct signalfd_siginfo si;

    while (read(d->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
        if (si.ssi_signo == SIGHUP) {
            if (!d->stopping)
                reload_start(d);
            continue;
        }
        if (d->stopping)
            continue;
        d->stopping = 1;
        log_notice("daemon: %s: stopping", strsignal((int)si.ssi_signo));
        sd_notify(0, "STOPPING=1");
        if (d->running)
            pipeline_stop();
    }
}

/* The pipeline's tick: watchdog, signals, live STATUS. */
static void on_tick(const struct pipeline_tick *t, void *payload)
{
    struct daemon *d = payload;
    char done[32], found[32], when[32];

    watchdog(d, 0);
    handle_signals(d);
    reload_poll(d);
    if (d->stopping || nsc_now_ms() - d->status_last_ms < STATUS_MS)
        return;
    fmt_count(done, sizeof(done), t->done);
    fmt_count(found, sizeof(found), t->found);
    fmt_when(when, sizeof(when), d->run_next);
    if (t->found)
        snprintf(d->status, sizeof(d->status), "%d: %s/%s papers, next run %s", t->year, done,
                 found, when);
    else
        snprintf(d->status, sizeof(d->status), "%d: reading the index, next run %s", t->year, when);
    publish(d, "crawling");
}

/* Crawl year index k of the configuration in force. */
static void crawl_year(struct daemon *d, size_t k)
{
    int year = d->cur.years[k];
    int64_t start = nsc_wall_s();
    char *text = NULL;
    size_t len = 0;
    FILE *report = open_memstream(&text, &len);
    int err;

    d->running = 1;
    d->run_year = year;
    d->run_next = start + (int64_t)d->cur.file.interval_s;
    d->cur.pc.year = year;
    d->cur.pc.tick = on_tick;
    d->cur.pc.tick_payload = d;
    snprintf(d->status, sizeof(d->status), "%d: starting", year);
    publish(d, "crawling");
    log_notice("daemon: crawling %d", year);
    err = report ? pipeline_run(&d->cur.pc, report) : nsc_error_set(NSC_ERR, "open_memstream");
    if (report)
        fclose(report);
    d->running = 0;
    watchdog(d, 1);
    if (err == 0) {
        const char *hl = text ? strstr(text, "US-CN:") : NULL;

        log_notice("daemon: %d is up to date%s%.*s", year, hl ? "; " : "",
                   hl ? (int)strcspn(hl, "\n") : 0, hl ? hl : "");
        d->due[k] = d->run_next;
    } else if (d->stopping) {
        log_notice("daemon: crawl of %d stopped; the next start resumes it", year);
    } else {
        log_err("daemon: crawl of %d: %s", year, nsc_error_last());
        d->due[k] = start + (d->cur.file.interval_s < RETRY_FAILED ? (int64_t)d->cur.file.interval_s
                                                                   : RETRY_FAILED);
    }
    free(text);
    if (d->next.loaded)
        swap_in(d, &d->next);
}

/* Wait for the next due crawl, a signal or a watchdog ping. */
static void wait_idle(struct daemon *d, int64_t due)
{
    struct pollfd pfd[2] = { { .fd = d->sfd, .events = POLLIN },
                             { .fd = d->rl.efd, .events = POLLIN } };
    int64_t now_s = nsc_wall_s();
    uint64_t wait_ms = due > now_s ? (uint64_t)(due - now_s) * 1000 : 0;
    uint64_t now = nsc_now_ms();

    if (wait_ms > MAX_WAIT_MS)
        wait_ms = MAX_WAIT_MS;
    if (d->wd_interval_ms) {
        uint64_t next_ping = d->wd_last_ms + d->wd_interval_ms;

        wait_ms = next_ping <= now ? 0 : next_ping - now < wait_ms ? next_ping - now : wait_ms;
    }
    if (poll(pfd, 2, (int)wait_ms) > 0) {
        handle_signals(d);
        reload_poll(d);
    }
    watchdog(d, 0);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: nipscope daemon --config FILE [--no-fsync]\n"
               "\n"
               "Keep the years of FILE (docs/config.md) crawled into its 'out' directory,\n"
               "re-crawling each every 'interval' with conditional requests; only records\n"
               "that changed are rewritten.  Speaks systemd's notify protocol (READY, STATUS,\n"
               "WATCHDOG, RELOADING, STOPPING).  SIGHUP reloads FILE and the rules (an\n"
               "invalid file is logged and the old one stays); SIGTERM stops within seconds,\n"
               "and the next start resumes.  `nipscope status` shows what it is doing.\n"
               "\n"
               "  --no-fsync   skip fsync (tests only)\n");
}

int cmd_daemon(int argc, char **argv)
{
    static const struct option options[] = {
        { "config", required_argument, NULL, 'c' },
        { "no-fsync", no_argument, NULL, 'n' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct daemon d_, *d = &d_;
    sigset_t mask;
    uint64_t usec = 0;
    char years[256];
    int c, err, ret = EXIT_OK;

    memset(d, 0, sizeof(*d));
    d->sfd = -1;
    d->rl.efd = -1;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (c == 'c') {
            d->config_path = optarg;
        } else if (c == 'n') {
            d->store_flags |= STORE_F_NOSYNC;
        } else if (c == 'h') {
            usage(stdout);
            return EXIT_OK;
        } else {
            fprintf(stderr, "nipscope daemon: bad option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (!d->config_path || optind < argc) {
        fprintf(stderr, "nipscope daemon: --config FILE is required, and nothing else\n");
        usage(stderr);
        return EXIT_USAGE;
    }
    /* Before any thread exists, so that every thread has them blocked. */
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGHUP);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    d->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    d->rl.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (d->sfd < 0 || d->rl.efd < 0) {
        log_err("daemon: %s: %s", d->sfd < 0 ? "signalfd" : "eventfd", strerror(errno));
        ret = EXIT_SOFTWARE;
        goto out;
    }
    d->started = nsc_wall_s();
    if (sd_watchdog_enabled(0, &usec) > 0 && usec >= 2000)
        d->wd_interval_ms = usec / 2000;
    d->wd_last_ms = nsc_now_ms();

    err = dconf_load(&d->cur, d->config_path, d->store_flags);
    if (err == 0)
        err = open_state(d);
    if (err < 0) {
        log_err("daemon: %s", nsc_error_last());
        notify("STATUS=failed: %s", nsc_error_last());
        ret = cmd_exit_status(err);
        goto out;
    }
    for (size_t i = 0; i < d->cur.n_years; i++)
        d->due[i] = d->started;
    years_text(years, sizeof(years), &d->cur);
    log_notice("daemon: '%s': years %s, every %us, store '%s', rules '%s'%s", d->config_path, years,
               d->cur.file.interval_s, d->cur.pc.out_dir, d->cur.rules_dir,
               d->wd_interval_ms ? ", watchdog on" : "");
    snprintf(d->status, sizeof(d->status), "ready: years %s", years);
    sd_notify(0, "READY=1");
    publish(d, "starting");
    watchdog(d, 1);

    while (!d->stopping) {
        size_t k = next_year(d);

        if (d->due[k] <= nsc_wall_s()) {
            crawl_year(d, k);
            if (!d->stopping)
                publish_idle(d);
            continue;
        }
        wait_idle(d, d->due[k]);
    }
    snprintf(d->status, sizeof(d->status), "stopped");
    publish(d, "stopped");
    log_notice("daemon: stopped");
out:
    if (d->rl.active) {
        /* A reload still loading: wait for it (it reads files, it does not
         * block) and drop what it loaded. */
        pthread_join(d->rl.thread, NULL);
        dconf_release(&d->rl.conf);
    }
    dconf_release(&d->cur);
    dconf_release(&d->next);
    store_state_free(d->ss);
    free(d->ss_dir);
    if (d->sfd >= 0)
        close(d->sfd);
    if (d->rl.efd >= 0)
        close(d->rl.efd);
    return ret;
}
