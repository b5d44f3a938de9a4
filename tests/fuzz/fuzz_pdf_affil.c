/*
 * fuzz_pdf_affil.c - libFuzzer target "PDF text to affiliation": any bytes
 * as the text of a paper (as crawler_pdf_text() gives it) through the
 * author-block parser and the body/references split.
 */
#include "crawler.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct crawler_pdf_front f;
    struct crawler_pdf_parts parts;
    const char *text = (const char *)data;

    if (crawler_pdf_parse_front(&f, text, size) == 0) {
        for (size_t i = 0; i < f.nauthors; i++) {
            const struct crawler_pdf_author *a = &f.authors[i];

            /* An email is "local@domain" and its domain is that domain. */
            if (!a->name || (a->email && !a->email_domain) || (!a->email && a->email_domain))
                abort();
            if (a->email && strcmp(strrchr(a->email, '@') + 1, a->email_domain) != 0)
                abort();
        }
        crawler_pdf_front_release(&f);
    }
    crawler_pdf_split(&parts, text, size);
    if (parts.body > parts.refs || parts.refs > parts.appendix || parts.appendix > parts.len ||
        parts.len != size)
        abort();
    return 0;
}
