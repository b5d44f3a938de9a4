/* cmd_rules.c - `nipscope rules check [DIR]`: validate a rule set. */
#include "cmd.h"

#include "classify.h"
#include "common.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: nipscope rules check [DIR]\n");
}

/* Load the rules in 'dir', print every error, or a one-line summary. */
static int rules_check(const char *dir)
{
    struct classify_rules *rules = NULL;
    struct classify_counts c;
    struct buf diag = BUF_INIT;
    int err;

    err = classify_rules_load(&rules, dir, &diag);
    if (err < 0) {
        if (diag.len) {
            size_t n = 0;
            fputs(buf_cstr(&diag), stderr);
            for (size_t i = 0; i < diag.len; i++)
                n += diag.ptr[i] == '\n';
            fprintf(stderr, "nipscope: rules check: %zu error%s in %s\n", n, n == 1 ? "" : "s",
                    dir);
            buf_release(&diag);
            return EXIT_DATAERR;
        }
        buf_release(&diag);
        return cmd_fail(err);
    }
    classify_rules_counts(rules, &c);
    printf("%s: ok: %zu countries, %zu places, %zu institutions, %zu branches, %zu domains, "
           "%zu blocs, %zu policies, %zu abbreviations, %zu patterns; hash %s; version %s\n",
           dir, c.countries, c.places, c.institutions, c.branches, c.domains, c.blocs, c.policies,
           c.abbreviations, c.patterns, classify_rules_hash(rules), classify_rules_version(rules));
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
