/*
 * cmd_reclassify.c - `nipscope reclassify DIR [--rules DIR] [--year Y]`:
 * place the stored records of DIR again with a rule set, fetching nothing,
 * and rewrite the records and the summary (pipeline_reclassify()).
 */
#include "cmd.h"
#include "common.h"
#include "pipeline.h"
#include "store.h"
#include <getopt.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: nipscope reclassify DIR [--rules DIR] [--year Y] [--policy NAME]\n"
               "\n"
               "Place every stored record of DIR again with the rules (default: the shipped\n"
               "ones) and rewrite DIR/neurips-Y.jsonl and DIR/neurips-Y.summary.json, without\n"
               "fetching anything.  Without --year, every year stored in DIR.  Refused while a\n"
               "crawler holds DIR.  Model mentions are kept as crawled.\n");
}

enum { OPT_YEAR = 256, OPT_RULES, OPT_POLICY, OPT_NOSYNC };

static const struct option options[] = {
    { "year", required_argument, NULL, OPT_YEAR },
    { "rules", required_argument, NULL, OPT_RULES },
    { "policy", required_argument, NULL, OPT_POLICY },
    { "no-fsync", no_argument, NULL, OPT_NOSYNC },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* The years stored in cfg->out_dir, ascending, into 'years'; their number. */
static size_t stored_years(const char *dir, int *years, size_t cap)
{
    char *pat = xasprintf("%s/neurips-*.jsonl", dir);
    glob_t g;
    size_t n = 0;

    if (glob(pat, 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc && n < cap; i++) {
            const char *base = strrchr(g.gl_pathv[i], '/');
            int y;
            char tail;

            base = base ? base + 1 : g.gl_pathv[i];
            if (sscanf(base, "neurips-%4d.jsonl%c", &y, &tail) == 1 && y >= 1987 && y <= 2100)
                years[n++] = y;
        }
        globfree(&g);
    }
    free(pat);
    return n; /* glob sorts, so the years ascend */
}

int cmd_reclassify(int argc, char **argv)
{
    struct pipeline_config cfg;
    int years[64];
    size_t nyears = 0;
    char *end;
    int c, err = 0;

    pipeline_config_init(&cfg);
    cfg.rules_dir = cmd_default_rules_dir();
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case OPT_YEAR: {
            long y = strtol(optarg, &end, 10);

            if (end == optarg || *end || y < 1987 || y > 2100) {
                fprintf(stderr, "nipscope reclassify: --year: '%s' is not a year\n", optarg);
                return EXIT_USAGE;
            }
            years[0] = (int)y;
            nyears = 1;
            break;
        }
        case OPT_RULES:
            cfg.rules_dir = optarg;
            break;
        case OPT_POLICY:
            cfg.policy = optarg;
            break;
        case OPT_NOSYNC:
            cfg.store_flags |= STORE_F_NOSYNC;
            break;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        default:
            fprintf(stderr, "nipscope reclassify: unknown option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return EXIT_USAGE;
    }
    cfg.out_dir = argv[optind];
    if (nyears == 0) {
        nyears = stored_years(cfg.out_dir, years, sizeof(years) / sizeof(years[0]));
        if (nyears == 0) {
            err = nsc_error_set(NSC_ENOTFOUND, "no neurips-YEAR.jsonl in '%s'", cfg.out_dir);
            return cmd_fail(err);
        }
    }
    for (size_t i = 0; i < nyears && err == 0; i++) {
        cfg.year = years[i];
        err = pipeline_reclassify(&cfg, stdout);
    }
    return err < 0 ? cmd_fail(err) : EXIT_OK;
}
