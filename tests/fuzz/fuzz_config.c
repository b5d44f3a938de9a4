/*
 * fuzz_config.c - libFuzzer target: any bytes as the configuration file
 * (cli/config.c).  A failed load names the file and leaves the settings as
 * they were; a good one prints settings (config_print) that load back to
 * the same values.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 if both strings are NULL or equal. */
static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct config cfg, back;
    char *printed = NULL;
    size_t plen = 0;
    FILE *f;

    config_init(&cfg);
    if (config_load_text(&cfg, "fuzz.yaml", (const char *)data, size) < 0) {
        if (strncmp(nsc_error_last(), "fuzz.yaml:", 10) != 0)
            abort(); /* every message says where */
        if (cfg.out_dir || cfg.path || cfg.n_years || cfg.rate != 1.0)
            abort(); /* nothing of a bad file is applied */
        config_release(&cfg);
        return 0;
    }
    f = open_memstream(&printed, &plen);
    if (!f)
        abort();
    config_print(&cfg, f);
    fclose(f);
    config_init(&back);
    if (config_load_text(&back, "printed.yaml", printed, plen) < 0) {
        fprintf(stderr, "config_print gave a file that does not load: %s\n%s", nsc_error_last(),
                printed);
        abort();
    }
    if (!same(cfg.out_dir, back.out_dir) || !same(cfg.rules_dir, back.rules_dir) ||
        !same(cfg.user_agent, back.user_agent) || !same(cfg.contact, back.contact) ||
        !same(cfg.proceedings_url, back.proceedings_url) ||
        !same(cfg.virtual_url, back.virtual_url) || !same(cfg.datasets_url, back.datasets_url) ||
        !same(cfg.ca_file, back.ca_file) || cfg.n_years != back.n_years ||
        cfg.last_n != back.last_n || cfg.n_policies != back.n_policies ||
        cfg.interval_s != back.interval_s || cfg.concurrency != back.concurrency ||
        cfg.max_body != back.max_body || cfg.fulltext != back.fulltext) {
        fprintf(stderr, "config_print does not load back to the same settings:\n%s", printed);
        abort();
    }
    for (size_t i = 0; i < cfg.n_policies; i++)
        if (!same(cfg.policies[i], back.policies[i]))
            abort();
    config_release(&back);
    config_release(&cfg);
    free(printed);
    return 0;
}
