/*
 * fuzz_metadata.c - libFuzzer target: any bytes as a -Metadata.json; when
 * it parses, apply it to a small paper.
 */
#include <stddef.h>
#include <stdint.h>

#include "crawler.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct crawler_paper p = { 0 };
    struct crawler_metadata md;
    size_t left;

    if (crawler_parse_metadata(&md, "fuzz://md", (const char *)data, size) < 0)
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
