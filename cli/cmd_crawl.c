/*
 * cmd_crawl.c - `nipscope crawl`: crawl one NeurIPS year into a store
 * directory, resumably, and print the US-CN headline.  The work is in
 * pipeline.c; this file reads the command line and handles signals.
 */
#include "cmd.h"
#include "config.h"
#include "pipeline.h"

#include "classify.h"
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
    fprintf(
        f,
        "usage: nipscope crawl --year Y [--out DIR] [--rules DIR] [--policy NAME]\n"
        "                      [--proceedings-url URL] [--virtual-url URL] [--datasets-url URL]\n"
        "                      [--rate R] [--concurrency N] [--user-agent UA] [--max-papers N]\n"
        "                      [--connect-timeout T] [--timeout T] [--low-speed-limit B]\n"
        "                      [--low-speed-time T] [--max-body BYTES] [--ca-file FILE]\n"
        "                      [--progress | --no-progress] [--config FILE [--check]]\n"
        "                      [--fulltext [--keep-pdf]]\n"
        "\n"
        "Crawl NeurIPS year Y into DIR (default .): DIR/neurips-Y.jsonl holds one record\n"
        "per paper, DIR/neurips-Y.summary.json the counts.  Interrupted or failed crawls\n"
        "resume when the same command is run again; finished papers are not refetched.\n"
        "\n"
        "  --rate R          request starts per second per host (default 1; 0 = no limit)\n"
        "  --concurrency N   transfers at once per host (default 2)\n"
        "  --max-papers N    only the first N papers by id\n"
        "  --connect-timeout T, --timeout T\n"
        "                    give up a connection attempt / a whole transfer after T\n"
        "                    (an interval: 10s, 2m; defaults 10s and 2m)\n"
        "  --low-speed-limit B, --low-speed-time T\n"
        "                    abort a transfer slower than B bytes/s for T (default 10\n"
        "                    bytes/s for 30s; B 0 = never)\n"
        "  --max-body BYTES  fail a response larger than BYTES (default 33554432; the\n"
        "                    virtual feed may be up to 268435456)\n"
        "  --ca-file FILE    also trust the CA certificates in FILE (PEM) for https;\n"
        "                    verification always stays on\n"
        "  --datasets-url URL  base URL of the 2021 Datasets and Benchmarks host\n"
        "  --fulltext        also fetch every paper's PDF: count model mentions in its\n"
        "                    text (references apart) and take, from its first page, the\n"
        "                    affiliations no other source gave\n"
        "  --keep-pdf        with --fulltext, keep the PDFs in DIR/pdf/Y/ (default: read\n"
        "                    in memory and dropped)\n"
        "  --config FILE     read sites, politeness, user agent, out and rules from FILE\n"
        "                    (docs/config.md); options on the command line win\n"
        "  --check           validate --config FILE (and its policies against the rules),\n"
        "                    print the effective settings, exit\n"
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
    /* s is an optarg: getopt_long sets it for every option declared required_argument */
    v = strtoul(s, &end, 10); /* NOLINT(clang-analyzer-core.NonNullParamChecker) */
    if (errno || end == s || *end || *s == '-' || v > max)
        return nsc_error_set(NSC_EPARSE, "%s: '%s' is not a number from 0 to %lu", opt, s, max);
    *out = (size_t)v;
    return 0;
}

/* A site URL from the command line must be http:// or https://, checked
 * before anything is opened or fetched (the config file's are checked by
 * its loader). */
static int parse_site_url(const char **out, const char *s, const char *opt)
{
    if (nsc_strncasecmp(s, "http://", 7) != 0 && nsc_strncasecmp(s, "https://", 8) != 0)
        return nsc_error_set(NSC_EPARSE, "%s: '%s' is not an http:// or https:// URL", opt, s);
    *out = s;
    return 0;
}

/* Parse an interval (config_parse_interval: "10s", "2m") into milliseconds. */
static int parse_seconds(long *out_ms, const char *s, const char *opt)
{
    unsigned sec = 0;
    char why[256];

    if (config_parse_interval(&sec, s) < 0) {
        snprintf(why, sizeof(why), "%s", nsc_error_last()); /* the next call reuses its buffer */
        return nsc_error_set(NSC_EPARSE, "%s: %s", opt, why);
    }
    *out_ms = (long)sec * 1000;
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
    OPT_PROFILE,
    OPT_CONFIG,
    OPT_CHECK,
    OPT_DATASETS,
    OPT_CONNECT_TIMEOUT,
    OPT_TIMEOUT,
    OPT_LOW_SPEED_LIMIT,
    OPT_LOW_SPEED_TIME,
    OPT_MAX_BODY,
    OPT_CA_FILE,
    OPT_FULLTEXT,
    OPT_KEEP_PDF
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
    { "config", required_argument, NULL, OPT_CONFIG },
    { "check", no_argument, NULL, OPT_CHECK },
    { "datasets-url", required_argument, NULL, OPT_DATASETS },
    { "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "low-speed-limit", required_argument, NULL, OPT_LOW_SPEED_LIMIT },
    { "low-speed-time", required_argument, NULL, OPT_LOW_SPEED_TIME },
    { "max-body", required_argument, NULL, OPT_MAX_BODY },
    { "ca-file", required_argument, NULL, OPT_CA_FILE },
    { "fulltext", no_argument, NULL, OPT_FULLTEXT },
    { "keep-pdf", no_argument, NULL, OPT_KEEP_PDF },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* The file's settings, under whatever the command line gives later. */
void cmd_crawl_apply_config(struct pipeline_config *cfg, const struct config *file, char **ua)
{
    if (file->out_dir)
        cfg->out_dir = file->out_dir;
    if (file->rules_dir)
        cfg->rules_dir = file->rules_dir;
    if (file->proceedings_url)
        cfg->proceedings_url = file->proceedings_url;
    if (file->virtual_url)
        cfg->virtual_url = file->virtual_url;
    if (file->datasets_url)
        cfg->datasets_url = file->datasets_url;
    if (file->ca_file)
        cfg->ca_file = file->ca_file;
    /* config_init() holds the engine's defaults, so these apply set or not. */
    cfg->connect_timeout_ms = (long)file->connect_timeout_s * 1000;
    cfg->timeout_ms = (long)file->timeout_s * 1000;
    cfg->low_speed_bytes = (long)file->low_speed_limit;
    cfg->low_speed_time_s = (long)file->low_speed_time_s;
    cfg->max_body = file->max_body;
    cfg->parser_timeout_ms = (long)file->parser_timeout_s * 1000;
    cfg->fulltext = file->fulltext;
    cfg->keep_pdf = file->keep_pdf;
    if (file->set & CONFIG_SET_RATE)
        cfg->rate = file->rate;
    if (file->set & CONFIG_SET_CONCURRENCY)
        cfg->concurrency = file->concurrency;
    /* The contact URL goes where crawlers put it: "product (+URL)". */
    if (file->contact)
        *ua = xasprintf("%s (+%s)", file->user_agent ? file->user_agent : "nipscope/" NSC_VERSION,
                        file->contact);
    else if (file->user_agent)
        *ua = xstrdup(file->user_agent);
    cfg->user_agent = *ua;
}

/* What --check prints: the crawl's settings after the file and the options. */
static void print_effective(const struct pipeline_config *cfg, const struct config *file)
{
    printf("# effective settings of nipscope crawl\n");
    if (cfg->year)
        printf("year: %d\n", cfg->year);
    printf("out: \"%s\"\nrules: \"%s\"\n", cfg->out_dir, cfg->rules_dir);
    printf("sites:\n  proceedings: \"%s\"\n  virtual: \"%s\"\n  datasets: \"%s\"\n",
           cfg->proceedings_url, cfg->virtual_url, cfg->datasets_url);
    printf("politeness:\n  rate: %g\n  concurrency: %u\n", cfg->rate, cfg->concurrency);
    printf("  connect_timeout: %lds\n  timeout: %lds\n  max_body: %zu\n",
           cfg->connect_timeout_ms / 1000, cfg->timeout_ms / 1000, cfg->max_body);
    printf("  low_speed_limit: %ld\n  low_speed_time: %lds\n", cfg->low_speed_bytes,
           cfg->low_speed_time_s);
    if (cfg->ca_file)
        printf("ca_file: \"%s\"\n", cfg->ca_file);
    printf("fulltext: %s\nkeep_pdf: %s\n", cfg->fulltext ? "true" : "false",
           cfg->keep_pdf ? "true" : "false");
    if (cfg->user_agent)
        printf("user_agent: \"%s\"\n", cfg->user_agent);
    else
        printf("# user_agent: the built-in default\n");
    printf("# the whole file, defaults filled in:\n");
    config_print(file, stdout);
}

int cmd_crawl(int argc, char **argv)
{
    struct pipeline_config cfg;
    struct config file;
    struct sigaction sa, old_int, old_term;
    const char *config_path = NULL;
    char *ua = NULL, *rules_origin = NULL, *out_origin = NULL;
    size_t n = 0; /* parse_size leaves it unset on error, and it is copied before the check */
    char *end;
    int c, check = 0, err = 0, ret;

    pipeline_config_init(&cfg);
    config_init(&file);
    cfg.rules_dir = cmd_default_rules_dir();
    /* First pass: only --config and --check, so that every other option,
     * wherever it stands, overrides the file. */
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (c == OPT_CONFIG)
            config_path = optarg;
        else if (c == OPT_CHECK)
            check = 1;
    }
    if (check && !config_path) {
        fprintf(stderr, "nipscope crawl: --check needs --config FILE\n");
        return EXIT_USAGE;
    }
    if (config_path) {
        err = config_load(&file, config_path);
        if (err < 0) {
            ret = cmd_fail(err);
            goto out;
        }
        cmd_crawl_apply_config(&cfg, &file, &ua);
    }
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case OPT_CONFIG:
        case OPT_CHECK:
            break;
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
            err = parse_site_url(&cfg.proceedings_url, optarg, "--proceedings-url");
            break;
        case OPT_VIRT:
            err = parse_site_url(&cfg.virtual_url, optarg, "--virtual-url");
            break;
        case OPT_RATE:
            errno = 0;
            /* optarg is set: --rate is declared required_argument */
            cfg.rate = strtod(optarg, &end); /* NOLINT(clang-analyzer-core.NonNullParamChecker) */
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
        case OPT_DATASETS:
            err = parse_site_url(&cfg.datasets_url, optarg, "--datasets-url");
            break;
        case OPT_CA_FILE:
            cfg.ca_file = optarg;
            break;
        case OPT_FULLTEXT:
            cfg.fulltext = 1;
            break;
        case OPT_KEEP_PDF:
            cfg.keep_pdf = 1;
            break;
        case OPT_CONNECT_TIMEOUT:
            err = parse_seconds(&cfg.connect_timeout_ms, optarg, "--connect-timeout");
            break;
        case OPT_TIMEOUT:
            err = parse_seconds(&cfg.timeout_ms, optarg, "--timeout");
            break;
        case OPT_LOW_SPEED_TIME:
            err = parse_seconds(&cfg.low_speed_time_s, optarg, "--low-speed-time");
            cfg.low_speed_time_s /= 1000;
            break;
        case OPT_LOW_SPEED_LIMIT:
            err = parse_size(&n, optarg, "--low-speed-limit", 1000000000UL);
            cfg.low_speed_bytes = (long)n;
            break;
        case OPT_MAX_BODY:
            err = parse_size(&n, optarg, "--max-body", 1UL << 30);
            if (err == 0 && n < 1024)
                err = nsc_error_set(NSC_EPARSE, "--max-body: '%s' is below 1024 bytes", optarg);
            cfg.max_body = n;
            break;
        case 'h':
            usage(stdout);
            ret = EXIT_OK;
            goto out;
        default:
            fprintf(stderr, "nipscope crawl: bad option '%s'\n", argv[optind - 1]);
            usage(stderr);
            ret = EXIT_USAGE;
            goto out;
        }
        if (err < 0) {
            fprintf(stderr, "nipscope crawl: %s\n", nsc_error_last());
            ret = EXIT_USAGE;
            goto out;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "nipscope crawl: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        ret = EXIT_USAGE;
        goto out;
    }
    if (check) {
        /* The file's policy names, against the rules the crawl would use. */
        struct classify_rules *rules = NULL;

        if (file.n_policies) {
            err = classify_rules_load(&rules, cfg.rules_dir, NULL);
            if (err < 0 && cfg.rules_dir == file.rules_dir) {
                char *origin = config_origin(&file, "rules");

                err = config_blame(err, origin);
                free(origin);
            }
            if (err == 0)
                err = config_check_policies(&file, rules);
            classify_rules_free(rules);
        }
        if (err < 0) {
            ret = cmd_fail(err);
            goto out;
        }
        print_effective(&cfg, &file);
        ret = fflush(stdout) == 0 ? EXIT_OK : EXIT_IOERR;
        goto out;
    }
    if (cfg.keep_pdf && !cfg.fulltext) {
        fprintf(stderr, "nipscope crawl: --keep-pdf needs --fulltext\n");
        ret = EXIT_USAGE;
        goto out;
    }
    if (cfg.year < 1987) {
        fprintf(stderr, "nipscope crawl: --year Y is required (e.g. --year 2024)\n");
        usage(stderr);
        ret = EXIT_USAGE;
        goto out;
    }

    /* A value of the file that no option overrode: its failure names the file's line. */
    if (config_path && cfg.rules_dir == file.rules_dir)
        cfg.rules_origin = rules_origin = config_origin(&file, "rules");
    if (config_path && cfg.out_dir == file.out_dir)
        cfg.out_origin = out_origin = config_origin(&file, "out");
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
    ret = err < 0 ? cmd_fail(err) : EXIT_OK;
out:
    free(ua);
    free(rules_origin);
    free(out_origin);
    config_release(&file);
    return ret;
}
