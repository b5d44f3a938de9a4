/*
 * fuzz_pdf_text.c - libFuzzer target: any bytes as a PDF through
 * crawler_pdf_text() (MuPDF, capped), then the first page's author block.
 */
#include "crawler.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf t = BUF_INIT;
    struct crawler_pdf_front f;
    int err = crawler_pdf_text(&t, NULL, "fuzz.pdf", data, size);

    if (err != 0 && err != NSC_EPARSE && err != NSC_ELIMIT)
        abort();
    if (err == 0 && crawler_pdf_parse_front(&f, buf_cstr(&t), t.len) == 0)
        crawler_pdf_front_release(&f);
    buf_release(&t);
    return 0;
}
