/*
 * cmd_report.c - `nipscope report DIR`: the US-CN headline with its
 * definition, policy sensitivity, country pairs, institutions, mentions by
 * bloc and the trend across years, computed from the records in DIR, as
 * text, JSON, CSV or one self-contained HTML page.
 */
#include "cmd.h"

#include "classify.h"
#include "common.h"
#include "report.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_YEARS 64

static void usage(FILE *f)
{
    fprintf(f, "usage: nipscope report DIR [--year Y ...] [--format text|json|csv|html]\n"
               "                       [--policy NAME] [--explain PAPER_ID] [--rules DIR]\n");
}

static int parse_format(enum report_format *out, const char *s)
{
    static const char *const names[] = { "text", "json", "csv", "html" };

    for (size_t i = 0; i < NSC_ARRAY_SIZE(names); i++) {
        if (!strcmp(s, names[i])) {
            *out = (enum report_format)i;
            return 0;
        }
    }
    return -1;
}

static int write_all(const struct buf *b)
{
    if (fwrite(b->ptr ? b->ptr : "", 1, b->len, stdout) != b->len || fflush(stdout) != 0)
        return nsc_error_set(NSC_EIO, "cannot write the report to standard output");
    return 0;
}

int cmd_report(int argc, char **argv)
{
    static const struct option options[] = { { "year", required_argument, NULL, 'y' },
                                             { "format", required_argument, NULL, 'f' },
                                             { "policy", required_argument, NULL, 'p' },
                                             { "explain", required_argument, NULL, 'e' },
                                             { "rules", required_argument, NULL, 'r' },
                                             { "help", no_argument, NULL, 'h' },
                                             { NULL, 0, NULL, 0 } };
    int years[MAX_YEARS];
    size_t n_years = 0;
    enum report_format fmt = REPORT_TEXT;
    const char *policy = NULL, *explain = NULL, *rules_dir = NULL, *dir;
    struct classify_rules *rules = NULL;
    struct mention_models *models = NULL;
    struct report_data data = { 0, NULL };
    struct report_ctx ctx;
    struct buf out = BUF_INIT;
    char *models_path = NULL;
    int c, err = 0;

    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case 'y': {
            char *end;
            long y = strtol(optarg, &end, 10);

            if (*end || end == optarg || y < 1987 || y > 9999) {
                fprintf(stderr, "nipscope report: bad year '%s'\n", optarg);
                return EXIT_USAGE;
            }
            if (n_years == MAX_YEARS) {
                fprintf(stderr, "nipscope report: at most %d years\n", MAX_YEARS);
                return EXIT_USAGE;
            }
            years[n_years++] = (int)y;
            break;
        }
        case 'f':
            if (parse_format(&fmt, optarg) < 0) {
                fprintf(stderr, "nipscope report: unknown format '%s' (text, json, csv, html)\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case 'p':
            policy = optarg;
            break;
        case 'e':
            explain = optarg;
            break;
        case 'r':
            rules_dir = optarg;
            break;
        case 'h':
            usage(stdout);
            return EXIT_OK;
        default:
            fprintf(stderr, "nipscope report: bad option '%s'\n", argv[optind - 1]);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return EXIT_USAGE;
    }
    dir = argv[optind];
    if (!rules_dir)
        rules_dir = cmd_default_rules_dir();

    err = classify_rules_load(&rules, rules_dir, NULL);
    if (err < 0)
        goto out;
    ctx.rules = rules;
    ctx.policy = classify_policy_find(rules, policy);
    if (!ctx.policy) {
        fprintf(stderr, "nipscope report: no policy '%s' in '%s/policies.yaml'\n", policy,
                rules_dir);
        classify_rules_free(rules);
        return EXIT_USAGE;
    }
    /* Family roll-up when the rule directory has a model file. */
    models_path = xasprintf("%s/models.yaml", rules_dir);
    if (access(models_path, F_OK) == 0) {
        err = mention_models_load(&models, models_path, NULL);
        if (err < 0)
            goto out;
    }
    ctx.models = models;

    err = report_load(&data, dir, years, n_years);
    if (err < 0)
        goto out;
    if (explain)
        err = report_explain(&out, &data, &ctx, explain, fmt);
    else
        err = report_render(&out, &data, &ctx, fmt);
    if (err < 0)
        goto out;
    err = write_all(&out);
out:
    buf_release(&out);
    report_data_release(&data);
    mention_models_free(models);
    free(models_path);
    classify_rules_free(rules);
    return err < 0 ? cmd_fail(err) : EXIT_OK;
}
