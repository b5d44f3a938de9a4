/*
 * fuzz_abstract.c - libFuzzer target: any bytes as an abstract page, parsed
 * into a paper record with the real profile.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "crawler.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct crawler_profile *prof;
    struct crawler_paper p = { 0 };

    if (!prof && crawler_profile_load(&prof, NSC_SOURCE_DIR "/rules/sites/neurips.yaml") < 0)
        abort();
    crawler_parse_abstract(&p, prof,
                           "http://127.0.0.1:1/paper_files/paper/2024/hash/"
                           "c9f0f895fb98ab9159f51fd0297e236d-Abstract-Conference.html",
                           (const char *)data, size);
    crawler_paper_release(&p);
    return 0;
}
