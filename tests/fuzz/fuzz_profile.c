/*
 * fuzz_profile.c - libFuzzer target: any bytes as a site profile
 * (the YAML of rules/sites/: hosts, URL templates, XPath per template era).  It
 * loads or fails with "FILE:LINE:COL: ...", never crashes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawler.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct crawler_profile *prof = NULL;

    if (crawler_profile_parse(&prof, "fuzz.yaml", (const char *)data, size) < 0) {
        if (prof || strncmp(nsc_error_last(), "fuzz.yaml:", 10) != 0)
            abort();
        return 0;
    }
    crawler_profile_free(prof);
    return 0;
}
