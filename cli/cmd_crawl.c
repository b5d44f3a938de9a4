/*
 * cmd_crawl.c - `nipscope crawl`: crawl one NeurIPS year into a store
 * directory, resumably, and print the US-CN headline.  The work is in
 * pipeline.c; this file reads the command line and handles signals.
 */
#include "cmd.h"
#include "pipeline.h"

#include "common.h"
#include "store.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: nipscope crawl --year Y [--out DIR] [--rules DIR] [--policy NAME]\n"
               "                      [--proceedings-url URL] [--virtual-url URL] [--rate R]\n"
               "                      [--concurrency N] [--user-agent UA] [--max-papers N]\n"
               "                      [--progress | --no-progress]\n"
               "\n"
               "Crawl NeurIPS year Y into DIR (default .): DIR/neurips-Y.jsonl holds one record\n"
               "per paper, DIR/neurips-Y.summary.json the counts.  Interrupted or failed crawls\n"
               "resume when the same command is run again; finished papers are not refetched.\n"
               "\n"
               "  --rate R          request starts per second per host (default 1; 0 = no limit)\n"
               "  --concurrency N   transfers at once per host (default 2)\n"
               "  --max-papers N    only the first N papers by id\n"
               "  --no-fsync        skip fsync (tests and benchmarks only)\n");
}

static void on_signal(int sig)
{
    (void)sig;
    pipeline_stop();
}

/* Parse a non-negative number that must fit 'max'; 0 or NSC_EPARSE. */
static int parse_size(size_t *out, const char *s, const char *opt, unsigned long max)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || v > max)
        return nsc_error_set(NSC_EPARSE, "%s: '%s' is not a number from 0 to %lu", opt, s, max);
    *out = (size_t)v;
    return 0;
}

enum {
    OPT_YEAR = 256,
    OPT_OUT,
    OPT_RULES,
    OPT_POLICY,
    OPT_PROC,
    OPT_VIRT,
    OPT_RATE,
    OPT_CONC,
    OPT_UA,
    OPT_MAX,
    OPT_NOSYNC,
    OPT_PROGRESS,
    OPT_NOPROGRESS,
    OPT_PROFILE
};

static const struct option options[] = {
    { "year", required_argument, NULL, OPT_YEAR },
    { "out", required_argument, NULL, OPT_OUT },
    { "rules", required_argument, NULL, OPT_RULES },
    { "policy", required_argument, NULL, OPT_POLICY },
    { "proceedings-url", required_argument, NULL, OPT_PROC },
    { "virtual-url", required_argument, NULL, OPT_VIRT },
    { "rate", required_argument, NULL, OPT_RATE },
    { "concurrency", required_argument, NULL, OPT_CONC },
    { "user-agent", required_argument, NULL, OPT_UA },
    { "max-papers", required_argument, NULL, OPT_MAX },
    { "no-fsync", no_argument, NULL, OPT_NOSYNC },
    { "progress", no_argument, NULL, OPT_PROGRESS },
    { "no-progress", no_argument, NULL, OPT_NOPROGRESS },
    { "profile", required_argument, NULL, OPT_PROFILE },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

int cmd_crawl(int argc, char **argv)
{
    struct pipeline_config cfg;
    struct sigaction sa, old_int, old_term;
    size_t n;
    char *end;
    int c, err = 0;

    pipeline_config_init(&cfg);
    cfg.rules_dir = cmd_default_rules_dir();
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case OPT_YEAR:
            err = parse_size(&n, optarg, "--year", 9999);
            cfg.year = (int)n;
            break;
        case OPT_OUT:
            cfg.out_dir = optarg;
            break;
        case OPT_RULES:
            cfg.rules_dir = optarg;
            break;
        case OPT_POLICY:
            cfg.policy = optarg;
            break;
        case OPT_PROC:
            cfg.proceedings_url = optarg;
            break;
        case OPT_VIRT:
            cfg.virtual_url = optarg;
            break;
        case OPT_RATE:
            errno = 0;
            cfg.rate = strtod(optarg, &end);
            if (errno || end == optarg || *end || !(cfg.rate >= 0) || cfg.rate > 1000)
                err =
                    nsc_error_set(NSC_EPARSE, "--rate: '%s' is not a rate from 0 to 1000", optarg);
            break;
        case OPT_CONC:
            err = parse_size(&n, optarg, "--concurrency", 64);
            if (err == 0 && n == 0)
                err = nsc_error_set(NSC_EPARSE, "--concurrency: must be at least 1");
            cfg.concurrency = (unsigned)n;
            break;
        case OPT_UA:
            cfg.user_agent = optarg;
            break;
        case OPT_MAX:
            err = parse_size(&cfg.max_papers, optarg, "--max-papers", 10000000);
            break;
        case OPT_NOSYNC:
            cfg.store_flags |= STORE_F_NOSYNC;
            break;
        case OPT_PROGRESS:
            cfg.progress = 1;
            break;
        case OPT_NOPROGRESS:
            cfg.progress = 0;
            break;
        case OPT_PROFILE:
            cfg.profile_path = optarg;
            break;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        default:
            fprintf(stderr, "nipscope crawl: bad option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return EXIT_USAGE;
        }
        if (err < 0) {
            fprintf(stderr, "nipscope crawl: %s\n", nsc_error_last());
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "nipscope crawl: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return EXIT_USAGE;
    }
    if (cfg.year < 1987) {
        fprintf(stderr, "nipscope crawl: --year Y is required (e.g. --year 2024)\n");
        usage(stderr);
        return EXIT_USAGE;
    }

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    err = pipeline_run(&cfg, stdout);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (fflush(stdout) != 0 && err == 0)
        err = nsc_error_set(NSC_EIO, "cannot write the report: %s", strerror(errno));
    return err < 0 ? cmd_fail(err) : EXIT_OK;
}
