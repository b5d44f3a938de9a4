/* fuzz_classify.c - libFuzzer: classify arbitrary bytes with the test rule set. */
#include "classify.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct classify_rules *rules;
static struct classify_result res = CLASSIFY_RESULT_INIT;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dom = NULL;
    char dbuf[64];
    size_t n = size;

    if (!rules && classify_rules_load(&rules, NSC_SOURCE_DIR "/tests/fixtures/rules/good", NULL)) {
        fprintf(stderr, "fuzz_classify: %s\n", nsc_error_last());
        abort();
    }
    /* Bytes after a NUL, if any, are the email domain. */
    const uint8_t *z = memchr(data, 0, size);
    if (z) {
        size_t dl = size - (size_t)(z + 1 - data);
        if (dl >= sizeof(dbuf))
            dl = sizeof(dbuf) - 1;
        memcpy(dbuf, z + 1, dl);
        dbuf[dl] = '\0';
        dom = dbuf;
        n = (size_t)(z - data);
    }
    if (classify_run(rules, NULL, (const char *)data, n, dom, &res) == 0) {
        for (size_t i = 0; i < res.n; i++) {
            if (!res.affils[i].text || (!res.affils[i].country[0] && !res.affils[i].reason))
                abort();
        }
    }
    return 0;
}
