/*
 * pdf.c - the text of a PDF held in memory, through MuPDF's structured-text
 * device.  One MuPDF context per document, with an allocator that stops at
 * CRAWLER_MAX_PDF_MEM, warnings silenced and errors turned into NSC_EPARSE
 * naming the URL, so a hostile file costs at most that much and fails alone.
 */
#include "crawler.h"

#include <mupdf/fitz.h>
#include <mupdf/pdf.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The capped allocator: a size header in front of every block. */
struct heap {
    size_t used, cap;
    int over; /* an allocation was refused for the cap */
};

union hdr {
    size_t size;
    max_align_t align;
};

static void *cap_malloc(void *user, size_t size)
{
    struct heap *h = user;
    union hdr *p;

    if (size > h->cap - h->used || size > SIZE_MAX - sizeof(*p)) {
        h->over = 1;
        return NULL;
    }
    p = malloc(sizeof(*p) + size);
    if (!p)
        return NULL;
    p->size = size;
    h->used += size;
    return p + 1;
}

static void cap_free(void *user, void *ptr)
{
    struct heap *h = user;
    union hdr *p;

    if (!ptr)
        return;
    p = (union hdr *)ptr - 1;
    h->used -= p->size;
    free(p);
}

static void *cap_realloc(void *user, void *ptr, size_t size)
{
    struct heap *h = user;
    union hdr *p, *q;

    if (!ptr)
        return cap_malloc(user, size);
    if (size == 0) {
        cap_free(user, ptr);
        return NULL;
    }
    p = (union hdr *)ptr - 1;
    if (size > p->size && (size - p->size > h->cap - h->used || size > SIZE_MAX - sizeof(*p))) {
        h->over = 1;
        return NULL;
    }
    q = realloc(p, sizeof(*q) + size);
    if (!q)
        return NULL;
    h->used = h->used - q->size + size;
    q->size = size;
    return q + 1;
}

static void quiet(void *user, const char *message)
{
    (void)user;
    (void)message;
}

/* Extract every page of 'doc' into 'o'; throws on a MuPDF error. */
static void extract_pages(fz_context *ctx, fz_document *doc, fz_output *o, fz_buffer *buf, int n,
                          int *too_long)
{
    fz_stext_options opts;
    fz_stext_page *sp = NULL;
    fz_page *pg = NULL;

    memset(&opts, 0, sizeof(opts));
    /* Ligatures are expanded unless PRESERVE_LIGATURES is set.  Not
     * FZ_STEXT_DEHYPHENATE: in MuPDF 1.21 it leaks a font reference for
     * every hyphen it removes (LeakSanitizer and valgrind both show it, about
     * 46 KB a paper), so dehyphenate() does that job on the text. */
    opts.flags = FZ_STEXT_MEDIABOX_CLIP;
    fz_var(sp);
    fz_var(pg);
    for (int i = 0; i < n && !*too_long; i++) {
        fz_try(ctx)
        {
            pg = fz_load_page(ctx, doc, i);
            sp = fz_new_stext_page_from_page(ctx, pg, &opts);
            if (i)
                fz_write_byte(ctx, o, '\f');
            fz_print_stext_page_as_text(ctx, o, sp);
        }
        fz_always(ctx)
        {
            fz_drop_stext_page(ctx, sp);
            sp = NULL;
            fz_drop_page(ctx, pg);
            pg = NULL;
        }
        fz_catch(ctx)
        {
            fz_rethrow(ctx);
        }
        if (buf->len > CRAWLER_MAX_PDF_TEXT)
            *too_long = 1;
    }
}

/* Join words hyphenated at a line end: "regular-\nisation" -> "regularisation"
 * when a letter precedes the hyphen and a lower-case letter starts the next
 * line (as MuPDF's own option would). */
static void dehyphenate(struct buf *b, const char *s, size_t n)
{
    size_t i = 0;

    buf_grow(b, n);
    while (i < n) {
        if (s[i] == '-' && i + 2 < n && s[i + 1] == '\n' && s[i + 2] >= 'a' && s[i + 2] <= 'z' &&
            i > 0 && (isalpha((unsigned char)s[i - 1]) || (unsigned char)s[i - 1] >= 0x80)) {
            i += 2;
            continue;
        }
        buf_putc(b, s[i++]);
    }
}

int crawler_pdf_text(struct buf *out, size_t *pages, const char *url, const void *pdf, size_t len)
{
    struct heap heap = { 0, CRAWLER_MAX_PDF_MEM, 0 };
    fz_alloc_context alloc = { &heap, cap_malloc, cap_realloc, cap_free };
    fz_context *ctx;
    fz_stream *stm = NULL;
    fz_document *doc = NULL;
    fz_buffer *buf = NULL;
    fz_output *o = NULL;
    volatile int n = 0, err = 0, too_long = 0, nopages = 0;
    int tl = 0;

    if (pages)
        *pages = 0;
    if (len > CRAWLER_MAX_PDF)
        return nsc_error_set(NSC_ELIMIT, "'%s': the PDF is %zu bytes, more than the cap of %zu",
                             url, len, CRAWLER_MAX_PDF);
    if (len < 5 || memcmp(pdf, "%PDF-", 5) != 0)
        return nsc_error_set(NSC_EPARSE, "'%s': not a PDF (no %%PDF- header)", url);
    ctx = fz_new_context(&alloc, NULL, FZ_STORE_DEFAULT);
    if (!ctx)
        return nsc_error_set(NSC_ELIMIT, "'%s': cannot set up MuPDF", url);
    fz_set_warning_callback(ctx, quiet, NULL);
    fz_set_error_callback(ctx, quiet, NULL);
    fz_var(stm);
    fz_var(doc);
    fz_var(buf);
    fz_var(o);
    fz_try(ctx)
    {
        stm = fz_open_memory(ctx, (const unsigned char *)pdf, len);
        /* The PDF reader only: no EPUB, XPS or HTML reader to attack. */
        doc = &pdf_open_document_with_stream(ctx, stm)->super;
        n = fz_count_pages(ctx, doc);
        if (n <= 0) {
            nopages = 1;
        } else if (n > CRAWLER_MAX_PDF_PAGES) {
            err = NSC_ELIMIT;
        } else {
            buf = fz_new_buffer(ctx, 16384);
            o = fz_new_output_with_buffer(ctx, buf);
            extract_pages(ctx, doc, o, buf, n, &tl);
            too_long = tl;
            fz_close_output(ctx, o);
        }
    }
    fz_always(ctx)
    {
        fz_drop_output(ctx, o);
        fz_drop_document(ctx, doc);
        fz_drop_stream(ctx, stm);
    }
    fz_catch(ctx)
    {
        if (heap.over)
            err = nsc_error_set(NSC_ELIMIT, "'%s': reading the PDF needs more than %zu MB", url,
                                CRAWLER_MAX_PDF_MEM >> 20);
        else
            err = nsc_error_set(NSC_EPARSE, "'%s': not a readable PDF: %s", url,
                                fz_caught_message(ctx));
    }
    if (nopages)
        err = nsc_error_set(NSC_EPARSE, "'%s': not a readable PDF: no pages", url);
    else if (err == 0 && too_long)
        err = nsc_error_set(NSC_ELIMIT, "'%s': the PDF's text passes the cap of %zu bytes", url,
                            CRAWLER_MAX_PDF_TEXT);
    else if (err == NSC_ELIMIT && !heap.over && n > CRAWLER_MAX_PDF_PAGES)
        err = nsc_error_set(NSC_ELIMIT, "'%s': the PDF has %d pages, more than the cap of %d", url,
                            (int)n, CRAWLER_MAX_PDF_PAGES);
    if (err == 0) {
        dehyphenate(out, (const char *)buf->data, buf->len);
        if (pages)
            *pages = (size_t)n;
    }
    if (buf)
        fz_drop_buffer(ctx, buf);
    fz_drop_context(ctx);
    return err;
}
