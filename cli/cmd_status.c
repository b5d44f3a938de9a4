/*
 * cmd_status.c - `nipscope status [--config FILE] [--out DIR]`: what the
 * daemon says it is doing (the "daemon" row the daemon keeps in the state
 * DB) and, for every year, when it was last crawled.  Reads the state DB
 * only, without the store's lock, so it works while a crawl runs.
 */
#include "cmd.h"
#include "config.h"

#include "common.h"
#include "store.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: nipscope status [--config FILE] [--out DIR]\n"
               "\n"
               "Show what `nipscope daemon` is doing and when each year was last crawled,\n"
               "from the state DB of the store directory: FILE's 'out', else DIR, else '.'.\n");
}

static void iso(char *out, size_t size, int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (t <= 0) {
        snprintf(out, size, "never");
        return;
    }
    gmtime_r(&tt, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Whether process 'pid' exists (EPERM: it does, under another user). */
static int alive(int64_t pid)
{
    return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

static void print_daemon(struct store_state *ss)
{
    struct store_service sv;
    char started[32], updated[32], next[32];
    int err = store_service_get(&sv, ss, "daemon");

    if (err < 0) {
        printf("daemon: no daemon has run on this store\n");
        nsc_error_clear();
        return;
    }
    iso(started, sizeof(started), sv.started);
    iso(updated, sizeof(updated), sv.updated);
    iso(next, sizeof(next), sv.next_run);
    if (!strcmp(sv.state, "stopped"))
        printf("daemon: stopped (pid %lld, started %s, stopped %s)\n", (long long)sv.pid, started,
               updated);
    else if (!alive(sv.pid))
        printf("daemon: not running: pid %lld is gone (it said '%s' at %s); the next start "
               "resumes\n",
               (long long)sv.pid, sv.state, updated);
    else
        printf("daemon: %s (pid %lld, started %s)\n", sv.state, (long long)sv.pid, started);
    printf("  status: %s\n  updated: %s (%lld s ago)\n", sv.status, updated,
           (long long)(nsc_wall_s() - sv.updated));
    if (sv.next_run > 0 && strcmp(sv.state, "stopped"))
        printf("  next run: %s\n", next);
    store_service_release(&sv);
}

/* Every year crawled, then the configured years ('want', n_want) never crawled. */
static void print_years(const struct store_year_runs *v, size_t n, const int *want, size_t n_want)
{
    char done[32], started[32];

    printf("\n%-6s %-22s %-12s %-22s %10s %8s\n", "year", "last crawled", "last run", "run started",
           "papers", "written");
    for (size_t i = 0; i < n; i++) {
        iso(done, sizeof(done), v[i].last_done);
        iso(started, sizeof(started), v[i].last.started);
        printf("%-6d %-22s %-12s %-22s %10lld %8lld\n", v[i].year, done, v[i].last.state, started,
               (long long)v[i].finished, (long long)v[i].last.papers);
    }
    for (size_t k = 0; k < n_want; k++) {
        int seen = 0;

        for (size_t i = 0; i < n; i++)
            seen |= v[i].year == want[k];
        if (!seen)
            printf("%-6d %-22s %-12s %-22s %10d %8d\n", want[k], "never", "-", "-", 0, 0);
    }
}

int cmd_status(int argc, char **argv)
{
    static const struct option options[] = {
        { "config", required_argument, NULL, 'c' },
        { "out", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct config file;
    struct store_state *ss = NULL;
    struct store_year_runs *years = NULL;
    const char *config_path = NULL, *dir = NULL;
    int want[CONFIG_MAX_YEARS];
    size_t n = 0, n_want = 0;
    int c, err, ret = EXIT_OK;

    config_init(&file);
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (c == 'c') {
            config_path = optarg;
        } else if (c == 'o') {
            dir = optarg;
        } else if (c == 'h') {
            usage(stdout);
            goto out;
        } else {
            fprintf(stderr, "nipscope status: bad option '%s'\n", argv[optind - 1]);
            usage(stderr);
            ret = EXIT_USAGE;
            goto out;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "nipscope status: unexpected argument '%s'\n", argv[optind]);
        ret = EXIT_USAGE;
        goto out;
    }
    if (config_path) {
        err = config_load(&file, config_path);
        if (err < 0) {
            ret = cmd_fail(err);
            goto out;
        }
        /* The years as the daemon resolves them ("last: N" through the site
         * profile).  Status still shows the store when the profile cannot be
         * read: it says why and lists the explicit years only. */
        err = cmd_daemon_years(want, &n_want, &file,
                               file.rules_dir ? file.rules_dir : cmd_default_rules_dir(), NULL);
        if (err < 0) {
            fprintf(stderr, "nipscope status: the configured years: %s\n", nsc_error_last());
            nsc_error_clear();
            n_want = file.n_years;
            memcpy(want, file.years, n_want * sizeof(want[0]));
        }
        if (!dir)
            dir = file.out_dir;
    }
    if (!dir)
        dir = ".";
    err = store_state_open(&ss, dir, STORE_STATE_F_READONLY);
    if (err == 0)
        err = store_state_years(&years, &n, ss);
    if (err < 0) {
        ret = cmd_fail(err);
        goto out;
    }
    printf("store: %s\n", dir);
    print_daemon(ss);
    print_years(years, n, want, n_want);
    if (fflush(stdout) != 0)
        ret = EXIT_IOERR;
out:
    free(years);
    store_state_free(ss);
    config_release(&file);
    return ret;
}
