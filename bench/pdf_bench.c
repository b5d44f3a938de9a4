/*
 * pdf_bench.c - extract the text of PDFs with poppler-glib or MuPDF, for the
 * library choice in bench/pdf-extract.md (run by bench/pdf_extract.sh).
 *
 *   pdf_bench poppler|mupdf|mupdf-dehyphenate|crawler [--dump DIR] FILE...
 *
 * Reads every FILE into memory once, then times the extraction of all pages
 * of each (from the bytes in memory, as the crawler would), and prints one
 * line: library, files, pages, bytes of text, total ms, and text-quality
 * counters over all output: ligature code points left (U+FB00..U+FB06), lines
 * ending in a hyphen before a lower-case letter (undone hyphenation), and
 * U+FFFD; and, through the crawler's own author-block parser
 * (crawler_pdf_parse_front), the authors found and those given an
 * affiliation line: the reading order of the superscripted author block.
 * "mupdf" uses the crawler's flags (crawler/pdf.c), "mupdf-dehyphenate" adds
 * MuPDF's own FZ_STEXT_DEHYPHENATE, "crawler" is crawler_pdf_text() itself
 * (a capped MuPDF context per PDF, hyphens joined on the text).  With --dump, writes each text to
 * DIR/<n>.txt.
 */
#include "crawler.h"

#include <mupdf/fitz.h>
#include <poppler.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int dehyphenate;

struct doc {
    char *data;
    size_t len;
};

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int read_file(struct doc *d, const char *path)
{
    FILE *f = fopen(path, "rb");
    long n;

    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    d->data = malloc((size_t)n + 1);
    d->len = fread(d->data, 1, (size_t)n, f);
    fclose(f);
    return 0;
}

/* Text of every page, '\f' between pages, appended to *out (malloc'ed). */
static int extract_poppler(const struct doc *d, char **out, size_t *out_len, int *pages)
{
    GBytes *bytes = g_bytes_new_static(d->data, d->len);
    GError *gerr = NULL;
    PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &gerr);
    GString *s = g_string_new(NULL);
    int n;

    if (!doc) {
        g_clear_error(&gerr);
        g_bytes_unref(bytes);
        g_string_free(s, TRUE);
        return -1;
    }
    n = poppler_document_get_n_pages(doc);
    for (int i = 0; i < n; i++) {
        PopplerPage *pg = poppler_document_get_page(doc, i);
        char *t = poppler_page_get_text(pg);

        if (i)
            g_string_append_c(s, '\f');
        g_string_append(s, t ? t : "");
        g_free(t);
        g_object_unref(pg);
    }
    *pages = n;
    *out_len = s->len;
    *out = strdup(s->str);
    g_string_free(s, TRUE);
    g_object_unref(doc);
    g_bytes_unref(bytes);
    return 0;
}

static int extract_mupdf(fz_context *ctx, const struct doc *d, char **out, size_t *out_len,
                         int *pages)
{
    fz_stream *stm = NULL;
    fz_document *doc = NULL;
    fz_buffer *buf = NULL;
    fz_output *o = NULL;
    fz_stext_page *sp = NULL;
    fz_stext_options opts = { 0 };
    int rc = 0;

    opts.flags =
        dehyphenate ? FZ_STEXT_DEHYPHENATE | FZ_STEXT_MEDIABOX_CLIP : FZ_STEXT_MEDIABOX_CLIP;
    fz_var(stm);
    fz_var(doc);
    fz_var(buf);
    fz_var(o);
    fz_var(sp);
    fz_try(ctx)
    {
        int n;

        stm = fz_open_memory(ctx, (const unsigned char *)d->data, d->len);
        doc = fz_open_document_with_stream(ctx, "application/pdf", stm);
        buf = fz_new_buffer(ctx, 16384);
        o = fz_new_output_with_buffer(ctx, buf);
        n = fz_count_pages(ctx, doc);
        for (volatile int i = 0; i < n; i++) {
            fz_page *pg = fz_load_page(ctx, doc, i);

            fz_try(ctx)
            {
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
            }
            fz_catch(ctx)
            {
                fz_rethrow(ctx);
            }
        }
        fz_close_output(ctx, o);
        *pages = n;
        *out_len = buf->len;
        *out = malloc(buf->len + 1);
        memcpy(*out, buf->data, buf->len);
        (*out)[buf->len] = '\0';
    }
    fz_always(ctx)
    {
        fz_drop_output(ctx, o);
        fz_drop_buffer(ctx, buf);
        fz_drop_document(ctx, doc);
        fz_drop_stream(ctx, stm);
    }
    fz_catch(ctx)
    {
        rc = -1;
    }
    return rc;
}

static void quality(const char *t, size_t len, long *lig, long *hyph, long *repl)
{
    for (size_t i = 0; i + 2 < len; i++) {
        const unsigned char *u = (const unsigned char *)t + i;

        if (u[0] == 0xEF && u[1] == 0xAC && u[2] <= 0x86)
            (*lig)++;
        if (u[0] == 0xEF && u[1] == 0xBF && u[2] == 0xBD)
            (*repl)++;
        if (u[0] == '-' && u[1] == '\n' && u[2] >= 'a' && u[2] <= 'z' && i > 0 && u[-1] >= 'a' &&
            u[-1] <= 'z')
            (*hyph)++;
    }
}

int main(int argc, char **argv)
{
    const char *lib, *dump = NULL;
    struct doc *docs;
    int ndocs = 0, first = 2, pages_all = 0, failed = 0;
    long lig = 0, hyph = 0, repl = 0, authors = 0, with_aff = 0;
    size_t text_all = 0;
    fz_context *ctx = NULL;
    double t0, ms;

    if (argc < 3) {
        fprintf(stderr, "usage: pdf_bench poppler|mupdf [--dump DIR] FILE...\n");
        return 2;
    }
    lib = argv[1];
    if (!strcmp(argv[2], "--dump") && argc > 4) {
        dump = argv[3];
        first = 4;
    }
    docs = calloc((size_t)argc, sizeof(*docs));
    for (int i = first; i < argc; i++) {
        if (read_file(&docs[ndocs], argv[i]) == 0)
            ndocs++;
    }
    dehyphenate = !strcmp(lib, "mupdf-dehyphenate");
    if (!strncmp(lib, "mupdf", 5)) {
        ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
        fz_register_document_handlers(ctx);
        fz_set_warning_callback(ctx, NULL, NULL);
    }
    t0 = now_ms();
    for (int i = 0; i < ndocs; i++) {
        char *text = NULL;
        size_t len = 0;
        int pages = 0, rc;

        if (!strcmp(lib, "crawler")) {
            struct buf b = BUF_INIT;
            size_t np = 0;

            rc = crawler_pdf_text(&b, &np, argv[first + i], docs[i].data, docs[i].len);
            pages = (int)np;
            text = buf_detach(&b, &len);
        } else {
            rc = ctx ? extract_mupdf(ctx, &docs[i], &text, &len, &pages)
                     : extract_poppler(&docs[i], &text, &len, &pages);
        }
        if (rc < 0) {
            free(text);
            failed++;
            continue;
        }
        pages_all += pages;
        text_all += len;
        quality(text, len, &lig, &hyph, &repl);
        {
            struct crawler_pdf_front f;

            if (crawler_pdf_parse_front(&f, text, len) == 0) {
                authors += (long)f.nauthors;
                for (size_t k = 0; k < f.nauthors; k++)
                    with_aff += f.authors[k].affiliation != NULL;
                crawler_pdf_front_release(&f);
            }
        }
        if (dump) {
            char path[4096];
            FILE *f;

            snprintf(path, sizeof(path), "%s/%d.txt", dump, i);
            f = fopen(path, "wb");
            if (f) {
                fwrite(text, 1, len, f);
                fclose(f);
            }
        }
        free(text);
    }
    ms = now_ms() - t0;
    printf("%s files=%d failed=%d pages=%d text_bytes=%zu ms=%.1f ms_per_file=%.3f "
           "ligatures_left=%ld hyphen_breaks_left=%ld replacement_chars=%ld authors=%ld "
           "authors_with_affiliation=%ld\n",
           lib, ndocs, failed, pages_all, text_all, ms, ndocs ? ms / ndocs : 0.0, lig, hyph, repl,
           authors, with_aff);
    if (ctx)
        fz_drop_context(ctx);
    for (int i = 0; i < ndocs; i++)
        free(docs[i].data);
    free(docs);
    return 0;
}
