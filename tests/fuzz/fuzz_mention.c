/* fuzz_mention.c - libFuzzer target: scan any bytes with the shipped models. */
#include "classify.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mention_models *models;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mention_list l = MENTION_LIST_INIT;
    struct mention_tally t = MENTION_TALLY_INIT;

    if (!models && mention_models_load(&models, NSC_SOURCE_DIR "/rules/models.yaml", NULL) < 0) {
        fprintf(stderr, "%s\n", nsc_error_last());
        abort();
    }
    mention_scan(models, (const char *)data, size, "abstract", &l);
    for (size_t i = 0; i < l.n; i++) {
        /* Every match lies inside the input and does not overlap the next. */
        if (l.items[i].offset + l.items[i].len > size ||
            (i + 1 < l.n && l.items[i].offset + l.items[i].len > l.items[i + 1].offset))
            abort();
    }
    mention_tally_add(&t, &l);
    mention_tally_release(&t);
    mention_list_release(&l);
    return 0;
}
