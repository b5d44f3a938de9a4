/*
 * fuzz_metadata.c - libFuzzer target: any bytes as a -Metadata.json, its
 * fields named by the real profile; when it parses, apply it to a small paper.
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
    struct crawler_metadata md;
    size_t left;

    if (!prof && crawler_profile_load(&prof, NSC_SOURCE_DIR "/rules/sites/neurips.yaml") < 0)
        abort();
    if (crawler_parse_metadata(&md, prof, "fuzz://md", (const char *)data, size) < 0)
        return 0;
    p.authors = xcalloc(2, sizeof(*p.authors));
    p.authors[0].name = xstrdup("Ada Lovelace");
    p.authors[1].name = xstrdup("");
    p.nauthors = 2;
    crawler_apply_metadata(&p, &md, "fuzz://md", &left);
    crawler_paper_release(&p);
    crawler_metadata_release(&md);
    return 0;
}
