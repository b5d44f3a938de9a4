/*
 * fuzz_year_index.c - libFuzzer target: any bytes as a year index page,
 * parsed with the real profile.  Must never crash, leak or hang.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "crawler.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct crawler_profile *prof;
    struct crawler_year_index ix;

    if (!prof && crawler_profile_load(&prof, NSC_SOURCE_DIR "/rules/sites/neurips.yaml") < 0)
        abort();
    if (crawler_parse_year_index(&ix, prof, "http://127.0.0.1:1/paper_files/paper/2024", 2024,
                                 (const char *)data, size) == 0)
        crawler_year_index_release(&ix);
    return 0;
}
