/*
 * cmd_rules.c - `nipscope rules check [DIR]`: validate a rules directory: the
 * classifier's rule set, and beside it the files the crawl also reads from
 * it (models.yaml, sites/neurips.yaml), each with the loader the crawl uses.
 */
#include "cmd.h"

#include "classify.h"
#include "common.h"
#include "crawler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: nipscope rules check [DIR]\n");
}

/* Add the last error's message as one line of 'diag', unless the loader
 * already put its errors there (it did when 'diag' grew past 'before'). */
static void diag_add_last(struct buf *diag, size_t before, int err)
{
    const char *msg = nsc_error_last();

    if (diag->len > before)
        return;
    buf_appendf(diag, "%s\n", *msg ? msg : nsc_strerror(err));
}

/*
 * Load DIR/models.yaml when there is one (the crawl scans for mentions only
 * then): its errors go to 'diag'.  *n is its model count, or -1 without it.
 */
static void check_models(long *n, const char *dir, struct buf *diag)
{
    char *path = xasprintf("%s/models.yaml", dir);
    struct mention_models *models = NULL;
    size_t before = diag->len;
    int err = mention_models_load(&models, path, diag);

    *n = -1;
    if (err == NSC_ENOTFOUND)
        nsc_error_clear();
    else if (err < 0)
        diag_add_last(diag, before, err);
    else
        *n = (long)mention_models_count(models);
    mention_models_free(models);
    free(path);
}

/*
 * Load DIR/sites/neurips.yaml, the profile `crawl` and `daemon` read, when
 * there is one (a classifier-only rule set has none).  Returns 1 when it
 * loaded, 0 when absent; a load error goes to 'diag'.
 */
static int check_profile(const char *dir, struct buf *diag)
{
    char *path = xasprintf("%s/sites/neurips.yaml", dir);
    struct crawler_profile *prof = NULL;
    int err = crawler_profile_load(&prof, path);

    if (err == NSC_ENOTFOUND)
        nsc_error_clear();
    else if (err < 0)
        diag_add_last(diag, diag->len, err);
    crawler_profile_free(prof);
    free(path);
    return err == 0;
}

/* Load the rules in 'dir', print every error, or a one-line summary. */
static int rules_check(const char *dir)
{
    struct classify_rules *rules = NULL;
    struct classify_counts c;
    struct buf diag = BUF_INIT;
    long n_models;
    int err, profile;

    err = classify_rules_load(&rules, dir, &diag);
    /* No rule set to check at all (no countries.yaml, unreadable). */
    if (err < 0 && !diag.len) {
        buf_release(&diag);
        return cmd_fail(err);
    }
    check_models(&n_models, dir, &diag);
    profile = check_profile(dir, &diag);
    if (diag.len) {
        size_t n = 0;

        fputs(buf_cstr(&diag), stderr);
        for (size_t i = 0; i < diag.len; i++)
            n += diag.ptr[i] == '\n';
        fprintf(stderr, "nipscope: rules check: %zu error%s in %s\n", n, n == 1 ? "" : "s", dir);
        classify_rules_free(rules);
        buf_release(&diag);
        return EXIT_DATAERR;
    }
    classify_rules_counts(rules, &c);
    printf("%s: ok: %zu countries, %zu places, %zu institutions, %zu branches, %zu domains, "
           "%zu blocs, %zu policies, %zu abbreviations, %zu patterns; hash %s; version %s",
           dir, c.countries, c.places, c.institutions, c.branches, c.domains, c.blocs, c.policies,
           c.abbreviations, c.patterns, classify_rules_hash(rules), classify_rules_version(rules));
    if (n_models >= 0)
        printf("; models.yaml: %ld models", n_models);
    else
        printf("; no models.yaml");
    printf("; %s\n", profile ? "site profile sites/neurips.yaml" : "no sites/neurips.yaml");
    classify_rules_free(rules);
    buf_release(&diag);
    return EXIT_OK;
}

int cmd_rules(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return EXIT_OK;
    }
    if (argc < 2 || strcmp(argv[1], "check") || argc > 3) {
        usage(stderr);
        return EXIT_USAGE;
    }
    return rules_check(argc == 3 ? argv[2] : cmd_default_rules_dir());
}
