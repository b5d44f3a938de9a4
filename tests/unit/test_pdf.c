/*
 * test_pdf.c - crawler/pdf.c and pdf_front.c: text extraction from PDFs the
 * mock's own writer makes (tests/mock/mockpdf.py: its SAMPLE_PLAN says what
 * the sample shows), corrupt, truncated and oversized PDFs, the split into
 * body and references, and the author-block parser on hand-written first
 * pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crawler.h"

static char dir[] = "/tmp/nsc_pdf_XXXXXX";
static struct buf sample = BUF_INIT;

static int setup(void **state)
{
    char *cmd, *path;
    int rc;

    (void)state;
    if (!mkdtemp(dir))
        return -1;
    cmd = xasprintf("python3 '%s/tests/mock/mockpdf.py' --out '%s' --pages %d", NSC_SOURCE_DIR, dir,
                    CRAWLER_MAX_PDF_PAGES + 1);
    rc = system(cmd);
    free(cmd);
    if (rc != 0)
        return -1;
    path = xasprintf("%s/sample.pdf", dir);
    rc = nsc_file_read(&sample, path, CRAWLER_MAX_PDF);
    free(path);
    return rc;
}

static int teardown(void **state)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    int rc = system(cmd);

    (void)state;
    free(cmd);
    buf_release(&sample);
    return rc == 0 ? 0 : -1;
}

static void extracts_sample(void **state)
{
    struct buf t = BUF_INIT;
    size_t pages = 0;
    const char *s;

    (void)state;
    assert_int_equal(crawler_pdf_text(&t, &pages, "http://x/sample.pdf", sample.ptr, sample.len),
                     0);
    s = buf_cstr(&t);
    assert_true(pages >= 2);
    assert_non_null(strchr(s, '\f')); /* page break */
    /* The title, the ligature glyphs expanded ("fi" is one glyph in the PDF). */
    assert_non_null(strstr(s, "A Sample Paper on Efficient"));
    assert_non_null(strstr(s, "We fine-tune Llama 2 on the training split"));
    assert_non_null(strstr(s, "The first step defines a specific objective for the field"));
    assert_null(strstr(s, "\xef\xac\x81")); /* U+FB01 */
    /* A word hyphenated at a line end is joined again. */
    assert_non_null(strstr(s, "regularisation"));
    assert_null(strstr(s, "regular-\n"));
    /* Non-ASCII through WinAnsiEncoding. */
    assert_non_null(strstr(s, "Dan M\xc3\xbcller"));
    assert_non_null(strstr(s, "{ann.lee,bo.li}@tsinghua.edu.cn"));
    buf_release(&t);
}

static void splits_sample(void **state)
{
    struct buf t = BUF_INIT;
    struct crawler_pdf_parts parts;
    const char *s, *refs, *gpt;

    (void)state;
    assert_int_equal(crawler_pdf_text(&t, NULL, "u", sample.ptr, sample.len), 0);
    s = buf_cstr(&t);
    crawler_pdf_split(&parts, s, t.len);
    /* Front: up to "1 Introduction", so the abstract's GPT-4 is in front. */
    assert_true(parts.body > 0);
    assert_memory_equal(s + parts.body, "1 Introduction", 14);
    assert_true(strstr(s, "as a judge") < s + parts.body);
    refs = strstr(s, "References\n");
    assert_non_null(refs);
    assert_int_equal(parts.refs, (size_t)(refs - s));
    assert_true(strstr(s, "Touvron") > s + parts.refs);
    assert_memory_equal(s + parts.appendix, "A Additional Results", 20);
    gpt = strstr(s + parts.appendix, "GPT-4");
    assert_non_null(gpt);
    assert_int_equal(parts.len, t.len);
    buf_release(&t);
}

static void split_without_headings(void **state)
{
    static const char text[] = "Title\n\nsome text with no headings\fpage two\n";
    struct crawler_pdf_parts parts;

    (void)state;
    crawler_pdf_split(&parts, text, sizeof(text) - 1);
    /* No "Abstract": the body starts on page two; no references. */
    assert_int_equal(parts.body, (size_t)(strchr(text, '\f') - text) + 1);
    assert_int_equal(parts.refs, sizeof(text) - 1);
    assert_int_equal(parts.appendix, sizeof(text) - 1);
}

static void running_text(void **state)
{
    static const char text[] =
        "Unlike diffusion\n\n2\n\fmodels, ours is 2x faster.\nIn 2024 we\n12345\n";
    struct buf b = BUF_INIT;

    (void)state;
    crawler_pdf_running_text(&b, text, 0, sizeof(text) - 1);
    /* The page number and the page break are gone; a longer number stays. */
    assert_string_equal(buf_cstr(&b),
                        "Unlike diffusion models, ours is 2x faster. In 2024 we 12345");
    buf_reset(&b);
    crawler_pdf_running_text(&b, text, 7, 16);
    assert_string_equal(buf_cstr(&b), "diffusion");
    buf_release(&b);
}

static void rejects_corrupt(void **state)
{
    struct buf t = BUF_INIT;
    char junk[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage garbage\n";
    int err;

    (void)state;
    buf_puts(&t, "kept");
    err = crawler_pdf_text(&t, NULL, "http://x/a.pdf", "<html>not a pdf</html>", 22);
    assert_int_equal(err, NSC_EPARSE);
    assert_non_null(strstr(nsc_error_last(), "http://x/a.pdf"));
    err = crawler_pdf_text(&t, NULL, "http://x/b.pdf", junk, sizeof(junk) - 1);
    assert_int_equal(err, NSC_EPARSE);
    assert_non_null(strstr(nsc_error_last(), "http://x/b.pdf"));
    assert_string_equal(buf_cstr(&t), "kept"); /* untouched on failure */
    buf_release(&t);
}

/* The sample cut at every 97th byte: an error or some text, never a crash,
 * and the cut just after the header is an error naming the URL. */
static void survives_truncation(void **state)
{
    int errors = 0;

    (void)state;
    for (size_t cut = 0; cut < sample.len; cut += 97) {
        struct buf t = BUF_INIT;
        int err = crawler_pdf_text(&t, NULL, "http://x/cut.pdf", sample.ptr, cut);

        assert_true(err == 0 || err == NSC_EPARSE);
        if (err) {
            errors++;
            assert_non_null(strstr(nsc_error_last(), "http://x/cut.pdf"));
        }
        buf_release(&t);
    }
    assert_true(errors > 0);
    {
        struct buf t = BUF_INIT;

        assert_int_equal(crawler_pdf_text(&t, NULL, "u", sample.ptr, 9), NSC_EPARSE);
        buf_release(&t);
    }
}

static void caps_size_and_pages(void **state)
{
    struct buf t = BUF_INIT, many = BUF_INIT;
    char *huge, *path;
    size_t pages = 7;

    (void)state;
    /* Over the byte cap: refused before MuPDF sees it. */
    huge = xcalloc(1, CRAWLER_MAX_PDF + 1);
    memcpy(huge, "%PDF-1.4\n", 10); /* with its NUL: huge is zeroed anyway */
    assert_int_equal(crawler_pdf_text(&t, &pages, "http://x/huge.pdf", huge, CRAWLER_MAX_PDF + 1),
                     NSC_ELIMIT);
    assert_non_null(strstr(nsc_error_last(), "http://x/huge.pdf"));
    assert_int_equal(pages, 0);
    free(huge);
    /* One page over the page cap. */
    path = xasprintf("%s/pages-%d.pdf", dir, CRAWLER_MAX_PDF_PAGES + 1);
    assert_int_equal(nsc_file_read(&many, path, CRAWLER_MAX_PDF), 0);
    free(path);
    assert_int_equal(crawler_pdf_text(&t, NULL, "http://x/long.pdf", many.ptr, many.len),
                     NSC_ELIMIT);
    assert_non_null(strstr(nsc_error_last(), "pages"));
    assert_int_equal(t.len, 0);
    buf_release(&many);
    buf_release(&t);
}

/* ---- the author block --------------------------------------------------- */

static const struct crawler_pdf_author *find(const struct crawler_pdf_front *f, const char *name)
{
    for (size_t i = 0; i < f->nauthors; i++) {
        if (!strcmp(f->authors[i].name, name))
            return &f->authors[i];
    }
    fail_msg("no author '%s'", name);
    return NULL;
}

static void front_of_sample(void **state)
{
    struct buf t = BUF_INIT;
    struct crawler_pdf_front f;
    const struct crawler_pdf_author *a;

    (void)state;
    assert_int_equal(crawler_pdf_text(&t, NULL, "u", sample.ptr, sample.len), 0);
    assert_int_equal(crawler_pdf_parse_front(&f, buf_cstr(&t), t.len), 0);
    assert_int_equal(f.nauthors, 5);
    assert_string_equal(f.authors[0].name, "Ann Lee");
    a = find(&f, "Ann Lee");
    assert_string_equal(a->affiliation, "Tsinghua University");
    assert_string_equal(a->email, "ann.lee@tsinghua.edu.cn");
    a = find(&f, "Bo Li");
    assert_string_equal(a->affiliation, "Tsinghua University; Stanford University");
    assert_string_equal(a->email_domain, "tsinghua.edu.cn");
    a = find(&f, "Chenyue \"xdd44\" Dai");
    assert_string_equal(a->affiliation, "Stanford University");
    assert_string_equal(a->email_domain, "stanford.edu");
    a = find(&f, "Dan M\xc3\xbcller"); /* no number: the email alone */
    assert_null(a->affiliation);
    assert_string_equal(a->email, "dan.muller@ox.ac.uk");
    a = find(&f, "Eve Stone"); /* no email */
    assert_string_equal(a->affiliation, "Dept. of CS, Tsinghua Univ., Beijing, China");
    assert_null(a->email);
    crawler_pdf_front_release(&f);
    buf_release(&t);
}

static void front_cases(void **state)
{
    struct crawler_pdf_front f;
    const char *t;

    (void)state;
    /* Wrapped names, a wrapped affiliation line, two emails with no group,
     * and "and" before the last name. */
    t = "Learning Things\n\nWei Zhang1, Mary Smith2,\n\nand Li Na1\n\n1Peking University\n"
        "2Machine Learning Department, Carnegie Mellon University,\nPittsburgh, PA\n"
        "wei.zhang@pku.edu.cn, msmith@cs.cmu.edu\n\nAbstract\n\nText.";
    assert_int_equal(crawler_pdf_parse_front(&f, t, strlen(t)), 0);
    assert_int_equal(f.nauthors, 3);
    assert_string_equal(f.authors[0].name, "Wei Zhang");
    assert_string_equal(f.authors[1].name, "Mary Smith");
    assert_string_equal(f.authors[2].name, "Li Na");
    assert_string_equal(f.authors[1].affiliation,
                        "Machine Learning Department, Carnegie Mellon University, Pittsburgh, PA");
    assert_string_equal(f.authors[0].email_domain, "pku.edu.cn");
    assert_string_equal(f.authors[1].email_domain, "cs.cmu.edu"); /* "msmith" spells Smith */
    assert_null(f.authors[2].email);
    assert_string_equal(f.authors[2].affiliation, "Peking University");
    crawler_pdf_front_release(&f);

    /* Missing emails entirely, spaces before the numbers, footnote marks. */
    t = "A Title\nOn Two Lines\n\nAnn Lee 1*, Bob Ray 2\xe2\x80\xa0\n\n1 MIT\n2 ETH Zurich\n\nAbstract\n";
    assert_int_equal(crawler_pdf_parse_front(&f, t, strlen(t)), 0);
    assert_int_equal(f.nauthors, 2);
    assert_string_equal(f.authors[0].name, "Ann Lee");
    assert_string_equal(f.authors[0].affiliation, "MIT");
    assert_string_equal(f.authors[1].name, "Bob Ray");
    assert_string_equal(f.authors[1].affiliation, "ETH Zurich");
    assert_null(f.authors[0].email);
    assert_null(f.authors[1].email);
    crawler_pdf_front_release(&f);

    /* No numbers: names and one group of emails matched by position when
     * no local part spells a name. */
    t = "Title Here\n\nAnn Lee, Bob Ray\n{u1,u2}@x.edu\n\nAbstract\n";
    assert_int_equal(crawler_pdf_parse_front(&f, t, strlen(t)), 0);
    assert_int_equal(f.nauthors, 2);
    assert_null(f.authors[0].affiliation);
    assert_string_equal(f.authors[0].email, "u1@x.edu");
    assert_string_equal(f.authors[1].email, "u2@x.edu");
    crawler_pdf_front_release(&f);

    /* A superscript set on a line of its own, below the last name (MuPDF
     * does that for a short centred last line). */
    t = "Towards Things\n\nAnn Lee1, Bo Li2,\n\nCy Wu\n3\n\n1MIT\n2UCLA\n3KAIST\n\nAbstract\n";
    assert_int_equal(crawler_pdf_parse_front(&f, t, strlen(t)), 0);
    assert_int_equal(f.nauthors, 3);
    assert_string_equal(f.authors[2].name, "Cy Wu");
    assert_string_equal(f.authors[2].affiliation, "KAIST");
    assert_string_equal(f.authors[1].affiliation, "UCLA");
    crawler_pdf_front_release(&f);

    /* Nothing that looks like an author block. */
    t = "Just a page of text without any author block at all.\n";
    assert_int_equal(crawler_pdf_parse_front(&f, t, strlen(t)), 0);
    for (size_t i = 0; i < f.nauthors; i++)
        assert_null(f.authors[i].affiliation);
    crawler_pdf_front_release(&f);
    assert_int_equal(crawler_pdf_parse_front(&f, "", 0), 0);
    assert_int_equal(f.nauthors, 0);
    crawler_pdf_front_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(extracts_sample),
        cmocka_unit_test(splits_sample),
        cmocka_unit_test(split_without_headings),
        cmocka_unit_test(running_text),
        cmocka_unit_test(rejects_corrupt),
        cmocka_unit_test(survives_truncation),
        cmocka_unit_test(caps_size_and_pages),
        cmocka_unit_test(front_of_sample),
        cmocka_unit_test(front_cases),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
