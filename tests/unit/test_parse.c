/*
 * test_parse.c - the crawler's HTML side: site profile loading, the year
 * index of every template era, the abstract page, and hostile HTML.
 * Fixtures are hand-written in tests/fixtures/html; expected values were
 * read off those files by hand.
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

#include "parse_fixture.h"

static int parse_index_file(struct crawler_year_index *ix, const char *file, const char *url,
                            int year)
{
    struct buf b;
    int err;

    load(&b, file);
    err = crawler_parse_year_index(ix, prof, url, year, b.ptr, b.len);
    buf_release(&b);
    return err;
}

static void assert_authors(const struct crawler_paper *p, const char *const *names, size_t n)
{
    assert_int_equal(p->nauthors, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(p->authors[i].name, names[i]);
        assert_null(p->authors[i].affiliation);
        assert_null(p->authors[i].aff_source);
    }
}

/* <= 2021: data-track="none", -Abstract.html, no track token. */
static void index_2020_none_track(void **state)
{
    struct crawler_year_index ix;
    const char *a0[] = { "Ada Lovelace", "Alan Turing" };
    const char *a2[] = { "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth" };

    (void)state;
    assert_int_equal(
        parse_index_file(&ix, "html/index_2020.html", MOCK "/paper_files/paper/2020", 2020), 0);
    assert_string_equal(ix.era, "current");
    assert_int_equal(ix.npapers, 3); /* not the <li> in the script nor the comment */
    assert_string_equal(ix.papers[0].id, "c81e728d9d4c2f636f067f89cc14862c");
    assert_string_equal(ix.papers[0].abstract_url,
                        MOCK "/paper_files/paper/2020/hash/"
                             "c81e728d9d4c2f636f067f89cc14862c-Abstract.html");
    assert_string_equal(ix.papers[0].title, "Gradient Flows on Graphs");
    assert_int_equal(ix.papers[0].year, 2020);
    assert_string_equal(ix.papers[0].track, "none"); /* the slug as the site gives it */
    assert_authors(&ix.papers[0], a0, 2);
    assert_string_equal(ix.papers[1].title, "Kernels & Margins");
    assert_authors(&ix.papers[2], a2, 3);
    assert_int_equal(ix.nsee_also, 0);
    assert_string_equal(crawler_paper_source(&ix.papers[0], "title"),
                        MOCK "/paper_files/paper/2020");
    crawler_year_index_release(&ix);
}

/* <= 2021 variant: ul.paper-list of li[data-track="none"] with authors in <i>. */
static void index_2019_italic_authors(void **state)
{
    struct crawler_year_index ix;
    const char *a0[] = { "Rosalind Franklin", "Chien-Shiung Wu" };

    (void)state;
    assert_int_equal(
        parse_index_file(&ix, "html/index_2019_italic.html", MOCK "/paper_files/paper/2019", 2019),
        0);
    assert_string_equal(ix.era, "current");
    assert_int_equal(ix.npapers, 2);
    assert_string_equal(ix.papers[0].title, "Italic Authors & Friends");
    assert_string_equal(ix.papers[0].track, "none");
    assert_authors(&ix.papers[0], a0, 2);
    assert_string_equal(ix.papers[1].authors[0].name, "Lise Meitner");
    crawler_year_index_release(&ix);
}

/* 2022-23: Conference and Datasets_and_Benchmarks, UTF-8 names. */
static void index_2022_tracks(void **state)
{
    struct crawler_year_index ix;
    const char *a0[] = { "Yoshua Example", "Zo\xc3\xab M\xc3\xbcller" };

    (void)state;
    assert_int_equal(
        parse_index_file(&ix, "html/index_2022.html", MOCK "/paper_files/paper/2022", 2022), 0);
    assert_int_equal(ix.npapers, 2);
    assert_string_equal(ix.papers[0].track, "conference");
    assert_authors(&ix.papers[0], a0, 2);
    assert_string_equal(ix.papers[1].id, "8f14e45fceea167a5a36dedd4bea2543");
    assert_string_equal(ix.papers[1].track, "datasets_and_benchmarks");
    assert_string_equal(ix.papers[1].abstract_url,
                        MOCK "/paper_files/paper/2022/hash/"
                             "8f14e45fceea167a5a36dedd4bea2543-Abstract-Datasets_and_Benchmarks."
                             "html");
    crawler_year_index_release(&ix);
}

/* 2024: _Track suffix, items after the first at column 0, modal h4 ignored. */
static void index_2024_track_suffix(void **state)
{
    struct crawler_year_index ix;
    const char *a2[] = { "Emeka Okafor", "Fatima Zahra" };

    (void)state;
    assert_int_equal(parse_index_file(&ix, "html/index_2024.html",
                                      "https://proceedings.neurips.cc/paper_files/paper/2024",
                                      2024),
                     0);
    assert_int_equal(ix.npapers, 3);
    assert_string_equal(ix.papers[1].title, "Scaling Laws: A Review");
    assert_string_equal(ix.papers[2].id, "d3d9446802a44259755d38e6d163e820");
    assert_string_equal(ix.papers[2].track, "datasets_and_benchmarks_track");
    assert_string_equal(ix.papers[2].abstract_url,
                        "https://proceedings.neurips.cc/paper_files/paper/2024/hash/"
                        "d3d9446802a44259755d38e6d163e820-Abstract-Datasets_and_Benchmarks_Track."
                        "html");
    assert_authors(&ix.papers[2], a2, 2);
    crawler_year_index_release(&ix);
}

/* 2025: the Creative AI base page, its See-also link, double escaping. */
static void index_2025_base_see_also(void **state)
{
    struct crawler_year_index ix;
    const char *a0[] = { "Chenyue \"xdd44\" Dai", "Hugo Martin" };

    (void)state;
    assert_int_equal(
        parse_index_file(&ix, "html/index_2025_base.html", MOCK "/paper_files/paper/2025", 2025),
        0);
    assert_int_equal(ix.npapers, 2);
    assert_string_equal(ix.papers[0].track, "creative_ai_track");
    assert_authors(&ix.papers[0], a0, 2);
    assert_string_equal(ix.papers[1].title, "Songs <3 Models");
    assert_int_equal(ix.nsee_also, 1);
    assert_string_equal(ix.see_also[0], MOCK "/paper_files/paper/2025/vol38-main-conference");
    crawler_year_index_release(&ix);
}

/* 2025: the vol38 companion, three tracks, See-also back to the base. */
static void index_2025_vol38_companion(void **state)
{
    struct crawler_year_index ix;

    (void)state;
    assert_int_equal(parse_index_file(&ix, "html/index_2025_vol38.html",
                                      MOCK "/paper_files/paper/2025/vol38-main-conference", 2025),
                     0);
    assert_int_equal(ix.npapers, 3);
    assert_string_equal(ix.papers[0].track, "conference");
    assert_string_equal(ix.papers[1].track, "datasets_and_benchmarks_track");
    assert_string_equal(ix.papers[2].track, "position_paper_track");
    assert_string_equal(ix.papers[2].title, "Position: Benchmarks Should Expire");
    assert_string_equal(ix.papers[2].id, "9bf31c7ff062936a96d3c8bd1f8f2ff3");
    assert_int_equal(ix.nsee_also, 1);
    assert_string_equal(ix.see_also[0], MOCK "/paper_files/paper/2025");
    crawler_year_index_release(&ix);
}

/* The older h4 template is a second era of the same profile. */
static void index_h4_era(void **state)
{
    struct crawler_year_index ix;
    const char *a0[] = { "Paul Erdos", "Emmy Noether" };

    (void)state;
    assert_int_equal(
        parse_index_file(&ix, "html/index_h4_2020.html", "https://papers.nips.cc/paper/2020", 2020),
        0);
    assert_string_equal(ix.era, "h4-2020");
    assert_int_equal(ix.npapers, 2);
    assert_string_equal(ix.papers[0].title, "Old Template Paper");
    assert_string_equal(ix.papers[0].track, "none"); /* li class="none" */
    assert_string_equal(ix.papers[0].abstract_url,
                        "https://papers.nips.cc/paper/2020/hash/"
                        "e4da3b7fbbce2345d7772b0674a318d5-Abstract.html");
    assert_authors(&ix.papers[0], a0, 2);
    crawler_year_index_release(&ix);
}

/* 2021 Datasets and Benchmarks: its own host, li.round1/li.round2, <i> authors. */
static void index_2021_db_rounds(void **state)
{
    struct crawler_year_index ix;
    const char *a0[] = { "Ola Nordmann", "Kari Nordmann" };

    (void)state;
    assert_int_equal(
        parse_index_file(&ix, "html/index_2021_db_rounds.html",
                         "https://datasets-benchmarks-proceedings.neurips.cc/paper/2021", 2021),
        0);
    assert_string_equal(ix.era, "h4-2020");
    assert_int_equal(ix.npapers, 2);
    assert_string_equal(ix.papers[0].id, "c74d97b01eae257e44aa9d5bade97baf");
    assert_string_equal(ix.papers[0].track, "datasets_and_benchmarks");
    assert_string_equal(ix.papers[1].track, "datasets_and_benchmarks");
    assert_string_equal(ix.papers[1].abstract_url,
                        "https://datasets-benchmarks-proceedings.neurips.cc/paper/2021/hash/"
                        "70efdf2ec9b086079795c442636b55fb-Abstract-round2.html");
    assert_authors(&ix.papers[0], a0, 2);
    crawler_year_index_release(&ix);
}

/* Links a browser would follow (space, non-ASCII, stray '%') resolve. */
static void index_odd_links_resolve(void **state)
{
    struct crawler_year_index ix;
    const char *html =
        "<ul class=paper-list><li data-track=conference><a href='/paper_files/paper/2024/hash/"
        "c9f0f895fb98ab9159f51fd0297e236d-Abstract-Conference.html?x=a b|\xc3\xa9%zz'>T1</a></li>"
        "<li><a href='../hash/c20ad4d76fe97759aa27a0c99bff6710-Abstract.html#top'>T2</a></li></ul>";

    (void)state;
    assert_int_equal(crawler_parse_year_index(&ix, prof, MOCK "/paper_files/paper/2024/hash/", 2024,
                                              html, strlen(html)),
                     0);
    assert_int_equal(ix.npapers, 2);
    assert_string_equal(ix.papers[0].abstract_url,
                        MOCK "/paper_files/paper/2024/hash/"
                             "c9f0f895fb98ab9159f51fd0297e236d-Abstract-Conference.html"
                             "?x=a%20b%7C%C3%A9%25zz");
    assert_string_equal(ix.papers[0].id, "c9f0f895fb98ab9159f51fd0297e236d");
    assert_string_equal(ix.papers[1].abstract_url,
                        MOCK "/paper_files/paper/2024/hash/"
                             "c20ad4d76fe97759aa27a0c99bff6710-Abstract.html#top");
    assert_null(ix.papers[1].track);
    crawler_year_index_release(&ix);
}

/* A paper listed twice on one page is kept once (the first). */
static void index_duplicate_ids_kept_once(void **state)
{
    struct crawler_year_index ix;
    const char *html = "<ul class=paper-list>"
                       "<li data-track=conference><a href='/hash/"
                       "c9f0f895fb98ab9159f51fd0297e236d-Abstract-Conference.html'>First</a></li>"
                       "<li data-track=conference><a href='/hash/"
                       "45c48cce2e2d7fbdea1afc51c7c6ad26-Abstract-Conference.html'>Other</a></li>"
                       "<li data-track=conference><a href='/hash/"
                       "c9f0f895fb98ab9159f51fd0297e236d-Abstract-Conference.html'>Again</a></li>"
                       "</ul>";

    (void)state;
    assert_int_equal(crawler_parse_year_index(&ix, prof, MOCK "/d", 2024, html, strlen(html)), 0);
    assert_int_equal(ix.npapers, 2);
    assert_int_equal(ix.duplicates, 1);
    assert_string_equal(ix.papers[0].title, "First");
    assert_string_equal(ix.papers[1].title, "Other");
    crawler_year_index_release(&ix);
}

static void index_unknown_template_fails(void **state)
{
    struct crawler_year_index ix;
    const char *url = MOCK "/paper_files/paper/2024";

    (void)state;
    assert_int_equal(parse_index_file(&ix, "html/index_unknown.html", url, 2024), NSC_ETEMPLATE);
    assert_non_null(strstr(nsc_error_last(), "no papers found in " MOCK
                                             "/paper_files/paper/2024: template not recognised"));
    assert_int_equal(ix.npapers, 0);
    assert_null(ix.papers);
}

/* A page of the known template listing nothing is not an empty year. */
static void index_empty_list_fails(void **state)
{
    struct crawler_year_index ix;

    (void)state;
    assert_int_equal(parse_index_file(&ix, "html/index_empty_list.html", MOCK "/x", 2024),
                     NSC_ETEMPLATE);
    assert_non_null(strstr(nsc_error_last(), "no papers found in " MOCK "/x: template not"));
}

/* An item of the list without a link is an error naming the item. */
static void index_item_without_link_fails(void **state)
{
    struct crawler_year_index ix;
    const char *html = "<ul class=\"paper-list\"><li data-track=\"conference\">"
                       "<a href=\"/paper_files/paper/2024/hash/"
                       "c9f0f895fb98ab9159f51fd0297e236d-Abstract-Conference.html\">T</a></li>"
                       "<li data-track=\"conference\"><span class=\"paper-authors\">X</span></li>"
                       "</ul>";

    (void)state;
    assert_int_equal(crawler_parse_year_index(&ix, prof, MOCK "/y", 2024, html, strlen(html)),
                     NSC_EPARSE);
    assert_non_null(strstr(nsc_error_last(), "paper 2"));
    assert_non_null(strstr(nsc_error_last(), MOCK "/y"));
}

static int parse_abstract_file(struct crawler_paper *p, const char *file, const char *url)
{
    struct buf b;
    int err;

    load(&b, file);
    err = crawler_parse_abstract(p, prof, url, b.ptr, b.len);
    buf_release(&b);
    return err;
}

/* 2024 D&B page: metas, DOI, single-quoted PDF button, unclosed <p>, bare '<'. */
static void abstract_2024_page(void **state)
{
    struct crawler_paper p = { 0 };
    const char *names[] = { "Emeka Okafor", "Chenyue \"xdd44\" Dai", "Fatima Zahra" };
    const char *url = MOCK "/paper_files/paper/2024/hash/"
                           "d3d9446802a44259755d38e6d163e820-Abstract-Datasets_and_Benchmarks_"
                           "Track.html";

    (void)state;
    assert_int_equal(parse_abstract_file(&p, "html/abstract_2024_db.html", url), 0);
    assert_string_equal(p.id, "d3d9446802a44259755d38e6d163e820");
    assert_string_equal(p.abstract_url, url);
    assert_string_equal(p.title, "OpenFish: 10M Labelled Fish");
    assert_authors(&p, names, 3);
    assert_string_equal(p.track, "datasets_and_benchmarks_track"); /* badge text, mapped */
    /* the <p> is closed by </section>; entities decoded once, spaces collapsed */
    assert_string_equal(p.abstract, "We release 10M fish images where accuracy < 50% for p < 0.05 "
                                    "& models <b>fail</b> badly.");
    assert_string_equal(p.pdf_url, MOCK "/paper_files/paper/2024/file/"
                                        "d3d9446802a44259755d38e6d163e820-Paper-Datasets_and_"
                                        "Benchmarks_Track.pdf");
    assert_null(p.metadata_url);
    assert_string_equal(p.doi, "10.52202/079017-0099");
    assert_string_equal(crawler_paper_source(&p, "abstract"), url);
    crawler_paper_release(&p);
}

/*
 * The tree copy stores short text inside the node and short white space in
 * the document's dictionary (crawler/html.c, new_text()); libxml2 joins two
 * texts that a dropped comment left side by side into one node, which must
 * then copy the stored string, not realloc() it (ASan and valgrind watch).
 * Short, empty and long attribute values and texts of each kind; expected
 * values read off the HTML.
 */
static void abstract_text_kinds_and_joins(void **state)
{
    const char *html =
        "<html><head><meta name=citation_title content='T'>"
        "<meta name=citation_doi content=''>"
        "<meta name=citation_author content='A Short'>"
        "<meta name=citation_author content='An Author Whose Name Is Long'></head>"
        "<body><div class='paper-detail'>"
        "<span class=paper-track>x<!--1-->y<!--2-->z</span>"
        "<p class='paper-abstract'>ab<!-- c -->cd\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
        "<!-- c -->ef<!-- c -->                                                              "
        "                <!-- c --> and a text longer than sixteen bytes<!-- c -->!</p>"
        "<div class='paper-actions'><a href=/p.pdf>Pa<!---->per</a></div></div></body></html>";
    const char *names[] = { "A Short", "An Author Whose Name Is Long" };
    const char *url = MOCK "/paper_files/paper/2024/hash/abc1-Abstract-Conference.html";
    struct crawler_paper p = { 0 };

    (void)state;
    assert_int_equal(crawler_parse_abstract(&p, prof, url, html, strlen(html)), 0);
    assert_string_equal(p.title, "T");
    assert_authors(&p, names, 2);
    assert_string_equal(p.track, "xyz");
    assert_string_equal(p.abstract, "abcd ef and a text longer than sixteen bytes!");
    assert_string_equal(p.pdf_url, MOCK "/p.pdf");
    assert_null(p.doi); /* an empty value is no value */
    crawler_paper_release(&p);
}

/* Pre-2022 page: Metadata.json button, no track, no DOI; merges into an index record. */
static void abstract_2020_metadata_link(void **state)
{
    struct crawler_year_index ix;
    struct crawler_paper *p;
    const char *url;

    (void)state;
    assert_int_equal(
        parse_index_file(&ix, "html/index_2020.html", MOCK "/paper_files/paper/2020", 2020), 0);
    p = &ix.papers[0];
    url = p->abstract_url;
    assert_int_equal(parse_abstract_file(p, "html/abstract_2020.html", url), 0);
    assert_string_equal(p->metadata_url, MOCK "/paper_files/paper/2020/file/"
                                              "c81e728d9d4c2f636f067f89cc14862c-Metadata.json");
    assert_string_equal(p->pdf_url, MOCK "/paper_files/paper/2020/file/"
                                         "c81e728d9d4c2f636f067f89cc14862c-Paper.pdf");
    assert_string_equal(p->track, "none"); /* kept from the index */
    assert_string_equal(crawler_paper_source(p, "track"), MOCK "/paper_files/paper/2020");
    assert_null(p->doi);
    assert_string_equal(p->abstract, "Flows on graphs (cid:173) converge.");
    assert_int_equal(p->nauthors, 2);
    assert_string_equal(crawler_paper_source(p, "authors"), url);
    assert_int_equal(p->year, 2020);
    crawler_year_index_release(&ix);
}

/* A page whose URL names another paper never fills this record. */
static void abstract_of_other_paper_refused(void **state)
{
    struct crawler_paper p = { 0 };

    (void)state;
    p.id = xstrdup("c81e728d9d4c2f636f067f89cc14862c");
    p.title = xstrdup("Mine");
    assert_int_equal(parse_abstract_file(&p, "html/abstract_2024_db.html",
                                         MOCK "/paper_files/paper/2024/hash/"
                                              "d3d9446802a44259755d38e6d163e820-Abstract-"
                                              "Datasets_and_Benchmarks_Track.html"),
                     NSC_EINVAL);
    assert_non_null(strstr(nsc_error_last(), "not of 'c81e728d9d4c2f636f067f89cc14862c'"));
    assert_string_equal(p.title, "Mine");
    assert_int_equal(p.nauthors, 0);
    assert_null(p.abstract);
    crawler_paper_release(&p);
}

static void abstract_h4_era(void **state)
{
    struct crawler_paper p = { 0 };
    const char *url = "https://papers.nips.cc/paper/2020/hash/"
                      "e4da3b7fbbce2345d7772b0674a318d5-Abstract.html";

    (void)state;
    assert_int_equal(parse_abstract_file(&p, "html/abstract_h4_2020.html", url), 0);
    assert_string_equal(p.title, "Old Template Paper");
    assert_int_equal(p.nauthors, 2);
    assert_string_equal(p.abstract, "An abstract in the old template.");
    assert_string_equal(p.metadata_url, "https://papers.nips.cc/paper/2020/file/"
                                        "e4da3b7fbbce2345d7772b0674a318d5-Metadata.json");
    crawler_paper_release(&p);
}

static void abstract_unknown_template_fails(void **state)
{
    struct crawler_paper p = { 0 };

    (void)state;
    assert_int_equal(parse_abstract_file(&p, "html/index_unknown.html", MOCK "/a"), NSC_ETEMPLATE);
    assert_non_null(strstr(nsc_error_last(), MOCK "/a"));
    assert_null(p.title);
    assert_null(p.abstract_url);
}

/* ---- hostile HTML ---- */

static void hostile_deep_nesting(void **state)
{
    struct buf b = BUF_INIT;
    struct crawler_year_index ix;

    (void)state;
    for (int i = 0; i < 200000; i++)
        buf_puts(&b, "<div>");
    assert_int_equal(crawler_parse_year_index(&ix, prof, MOCK "/deep", 2024, b.ptr, b.len),
                     NSC_ELIMIT);
    assert_non_null(strstr(nsc_error_last(), "nested deeper"));
    buf_release(&b);
}

/* In HTML "<div/>" opens a div, so it nests too; and one tag with a huge
 * attribute list is refused (both would make gumbo quadratic). */
static void hostile_selfclosing_divs_and_attributes(void **state)
{
    struct buf b = BUF_INIT;
    struct crawler_year_index ix;
    uint64_t t0 = nsc_now_ms();

    (void)state;
    for (int i = 0; i < 200000; i++)
        buf_puts(&b, "<div/>");
    assert_int_equal(crawler_parse_year_index(&ix, prof, MOCK "/sc", 2024, b.ptr, b.len),
                     NSC_ELIMIT);
    assert_non_null(strstr(nsc_error_last(), "nested deeper"));
    buf_reset(&b);
    buf_puts(&b, "<ul class=paper-list><li");
    for (int i = 0; i < 100000; i++)
        buf_appendf(&b, " a%d='x'", i);
    buf_puts(&b, ">");
    assert_int_equal(crawler_parse_year_index(&ix, prof, MOCK "/attrs", 2024, b.ptr, b.len),
                     NSC_ELIMIT);
    assert_non_null(strstr(nsc_error_last(), "more than 512 attributes"));
    assert_true(nsc_now_ms() - t0 < 30000);
    buf_release(&b);
}

/* Millions of commas do not become millions of authors. */
static void hostile_author_flood(void **state)
{
    struct buf b = BUF_INIT;
    struct crawler_year_index ix;

    (void)state;
    buf_puts(&b, "<ul class=paper-list><li><a href='/paper_files/paper/2024/hash/"
                 "c9f0f895fb98ab9159f51fd0297e236d-Abstract-Conference.html'>T</a>"
                 "<span class=paper-authors>");
    for (int i = 0; i < 1000000; i++)
        buf_puts(&b, "a,");
    buf_puts(&b, "</span></li></ul>");
    assert_int_equal(crawler_parse_year_index(&ix, prof, MOCK "/flood", 2024, b.ptr, b.len),
                     NSC_ELIMIT);
    assert_non_null(strstr(nsc_error_last(),
                           "paper 'c9f0f895fb98ab9159f51fd0297e236d' has more than 5000 authors"));
    buf_reset(&b);
    buf_puts(&b, "<ul class=paper-list><li><a href='/paper_files/paper/2024/hash/"
                 "c9f0f895fb98ab9159f51fd0297e236d-Abstract-Conference.html'>T</a>"
                 "<span class=paper-authors>");
    for (int i = 0; i < 5000; i++)
        buf_puts(&b, "a,");
    buf_puts(&b, "</span></li></ul>");
    assert_int_equal(crawler_parse_year_index(&ix, prof, MOCK "/flood", 2024, b.ptr, b.len), 0);
    assert_int_equal(ix.papers[0].nauthors, 5000);
    crawler_year_index_release(&ix);
    buf_release(&b);
}

/* Self-closed elements inside svg do not count as nesting. */
static void svg_selfclosing_is_flat(void **state)
{
    struct buf b = BUF_INIT;
    struct crawler_paper p = { 0 };

    (void)state;
    buf_puts(&b, "<meta name=\"citation_title\" content=\"Icons\"><div class=\"paper-detail\">"
                 "<svg>");
    for (int i = 0; i < 3 * CRAWLER_MAX_DEPTH; i++)
        buf_puts(&b, "<path d='M0 0'/>");
    buf_puts(&b, "</svg></div>");
    assert_int_equal(crawler_parse_abstract(&p, prof, MOCK "/svg", b.ptr, b.len), 0);
    assert_string_equal(p.title, "Icons");
    crawler_paper_release(&p);
    buf_release(&b);
}

/* Nesting under the cap parses (the explicit stack has no recursion). */
static void hostile_nesting_under_cap(void **state)
{
    struct buf b = BUF_INIT;
    struct crawler_paper p = { 0 };

    (void)state;
    buf_puts(&b, "<meta name=\"citation_title\" content=\"Deep\"><div class=\"paper-detail\">");
    for (int i = 0; i < CRAWLER_MAX_DEPTH - 10; i++)
        buf_puts(&b, "<span>");
    buf_puts(&b, "<p class=\"paper-abstract\">bottom");
    assert_int_equal(crawler_parse_abstract(&p, prof, MOCK "/ok", b.ptr, b.len), 0);
    assert_string_equal(p.title, "Deep");
    assert_string_equal(p.abstract, "bottom");
    crawler_paper_release(&p);
    buf_release(&b);
}

static void hostile_nul_and_bad_utf8(void **state)
{
    static const char html[] = "<ul class=\"paper-list\"><li data-track=\"conference\">"
                               "<a href=\"/paper_files/paper/2024/hash/"
                               "c9f0f895fb98ab9159f51fd0297e236d-Abstract-Conference.html\">"
                               "A\0B\xff\xfe C\xc3</a><span class=\"paper-authors\">X\xe2\x82"
                               "</span></li></ul>";
    struct crawler_year_index ix;

    (void)state;
    assert_int_equal(crawler_parse_year_index(&ix, prof, MOCK "/nul", 2024, html, sizeof(html) - 1),
                     0);
    assert_int_equal(ix.npapers, 1);
    /* each bad byte became U+FFFD (EF BF BD) */
    assert_string_equal(ix.papers[0].title, "A\xef\xbf\xbd"
                                            "B\xef\xbf\xbd\xef\xbf\xbd C\xef\xbf\xbd");
    assert_string_equal(ix.papers[0].authors[0].name, "X\xef\xbf\xbd\xef\xbf\xbd");
    crawler_year_index_release(&ix);
}

/* A lone NUL, or a lone non-ASCII byte, among ASCII at each offset of an
 * 8-byte word (the sanitiser steps over clean words at once): each still
 * becomes U+FFFD. */
static void hostile_nul_at_every_offset(void **state)
{
    (void)state;
    for (int k = 0; k < 24; k++) {
        for (int bad = 0; bad < 2; bad++) {
            struct buf html, want;
            struct crawler_year_index ix;

            buf_init(&html);
            buf_init(&want);
            buf_puts(&html, "<ul class=\"paper-list\"><li><a href=\"/paper_files/paper/2024/hash/"
                            "c9f0f895fb98ab9159f51fd0297e236d-Abstract-Conference.html\">");
            for (int i = 0; i < k; i++) {
                buf_putc(&html, 'x');
                buf_putc(&want, 'x');
            }
            buf_putc(&html, bad ? '\x80' : '\0');
            buf_puts(&want, "\xef\xbf\xbd");
            buf_puts(&html, "yyyyyyyyyyyyyyyy</a></li></ul>");
            buf_puts(&want, "yyyyyyyyyyyyyyyy");
            assert_int_equal(
                crawler_parse_year_index(&ix, prof, MOCK "/nul", 2024, html.ptr, html.len), 0);
            assert_int_equal(ix.npapers, 1);
            assert_string_equal(ix.papers[0].title, buf_cstr(&want));
            crawler_year_index_release(&ix);
            buf_release(&html);
            buf_release(&want);
        }
    }
}

/*
 * An entity bomb: an XML "billion laughs" DTD (HTML has no DTD entities, so
 * "&lol9;" must stay six characters) and 200,000 character references, some
 * invalid, decoded once each, in linear time.
 */
static void hostile_entity_bomb(void **state)
{
    struct buf b = BUF_INIT;
    struct crawler_paper p = { 0 };
    uint64_t t0;
    size_t n = 0;

    (void)state;
    buf_puts(&b, "<!DOCTYPE html [\n<!ENTITY lol \"lol\">\n");
    for (int i = 1; i < 10; i++) {
        buf_appendf(&b, "<!ENTITY lol%d \"", i);
        for (int k = 0; k < 10; k++)
            buf_appendf(&b, "&lol%d;", i - 1);
        buf_puts(&b, "\">\n");
    }
    buf_puts(&b, "]>\n<meta name=\"citation_title\" content=\"Bomb\"><div class=\"paper-detail\">"
                 "<p class=\"paper-abstract\">&lol9;");
    for (int i = 0; i < 50000; i++)
        buf_puts(&b, "&amp;&lt;&#x41;&#65;");
    buf_puts(&b, "&#x110000;&#0;</p></div>");
    t0 = nsc_now_ms();
    assert_int_equal(crawler_parse_abstract(&p, prof, MOCK "/bomb", b.ptr, b.len), 0);
    assert_true(nsc_now_ms() - t0 < 5000);
    assert_string_equal(p.title, "Bomb");
    assert_memory_equal(p.abstract, "&lol9;", 6);
    for (const char *c = p.abstract + 6; !strncmp(c, "&<AA", 4); c += 4)
        n++;
    assert_int_equal(n, 50000);
    /* the two invalid references became U+FFFD each, and that is all */
    assert_string_equal(p.abstract + 6 + (size_t)4 * 50000, "\xef\xbf\xbd\xef\xbf\xbd");
    crawler_paper_release(&p);
    buf_release(&b);
}

/* Inputs that crashed gumbo in upstream reports (assertions in the adoption
 * agency and on unknown tags, an out-of-range character reference): each
 * parses, or fails, as one page. */
static void gumbo_known_crash_inputs(void **state)
{
    static const char *const inputs[] = { "<b><nobr><r><d><r><ol></b><nobr>",
                                          "<d0tx0i0t><option></d0tX0i0t>", "&#3000000000" };
    struct crawler_year_index ix;
    struct crawler_paper p = { 0 };

    (void)state;
    for (size_t i = 0; i < NSC_ARRAY_SIZE(inputs); i++) {
        assert_int_equal(
            crawler_parse_year_index(&ix, prof, MOCK "/g", 2024, inputs[i], strlen(inputs[i])),
            NSC_ETEMPLATE);
        assert_int_equal(crawler_parse_abstract(&p, prof, MOCK "/g", inputs[i], strlen(inputs[i])),
                         NSC_ETEMPLATE);
        crawler_paper_release(&p);
    }
}

/* An abstract page over CRAWLER_MAX_HTML and a year index over
 * CRAWLER_MAX_INDEX are refused unparsed; a year index over the page cap
 * but under its own is parsed (these spaces list no paper). */
static void hostile_over_cap(void **state)
{
    struct crawler_year_index ix;
    struct crawler_paper p = { 0 };
    char *big = xmalloc(CRAWLER_MAX_INDEX + 1);

    (void)state;
    memset(big, ' ', CRAWLER_MAX_INDEX + 1);
    assert_int_equal(
        crawler_parse_year_index(&ix, prof, MOCK "/big", 2024, big, CRAWLER_MAX_INDEX + 1),
        NSC_ELIMIT);
    assert_non_null(strstr(nsc_error_last(), MOCK "/big"));
    assert_non_null(strstr(nsc_error_last(), "over the 67108864 byte cap"));
    assert_int_equal(crawler_parse_abstract(&p, prof, MOCK "/big", big, CRAWLER_MAX_HTML + 1),
                     NSC_ELIMIT);
    assert_non_null(strstr(nsc_error_last(), "over the 16777216 byte cap"));
    assert_int_equal(
        crawler_parse_year_index(&ix, prof, MOCK "/big", 2024, big, CRAWLER_MAX_HTML + 1),
        NSC_ETEMPLATE);
    free(big);
}

static void hostile_garbage_is_template_error(void **state)
{
    static const char junk[] = "<<<>>>&&&;;<!--<li><a href=x>";
    struct crawler_year_index ix;

    (void)state;
    assert_int_equal(crawler_parse_year_index(&ix, prof, MOCK "/junk", 2024, junk, 5),
                     NSC_ETEMPLATE);
    assert_int_equal(crawler_parse_year_index(&ix, prof, MOCK "/junk", 2024, junk, 0),
                     NSC_ETEMPLATE);
    assert_int_equal(
        crawler_parse_year_index(&ix, prof, MOCK "/junk", 2024, junk, sizeof(junk) - 1),
        NSC_ETEMPLATE);
}

/* ---- profiles ---- */

static void profile_urls_and_years(void **state)
{
    char *u;

    (void)state;
    assert_int_equal(crawler_profile_url(&u, prof, "year_index", 2024, NULL), 0);
    assert_string_equal(u, "https://proceedings.neurips.cc/paper_files/paper/2024");
    free(u);
    assert_int_equal(crawler_profile_url(&u, prof, "feed", 2025, NULL), 0);
    assert_string_equal(u,
                        "https://neurips.cc/static/virtual/data/neurips-2025-orals-posters.json");
    free(u);
    assert_int_equal(crawler_profile_url(&u, prof, "metadata", 2019, NULL), NSC_EINVAL);
    assert_null(u);
    assert_int_equal(crawler_profile_url(&u, prof, "nope", 2019, NULL), NSC_ENOTFOUND);
    assert_int_equal(crawler_profile_year_sources(prof, 2019),
                     CRAWLER_SRC_PROCEEDINGS | CRAWLER_SRC_METADATA);
    assert_int_equal(crawler_profile_year_sources(prof, 2024),
                     CRAWLER_SRC_PROCEEDINGS | CRAWLER_SRC_VIRTUAL);
    assert_int_equal(crawler_profile_year_sources(prof, 1999), 0);
}

static void profile_set_host_for_mock(void **state)
{
    struct crawler_profile *p;
    char *u;

    (void)state;
    assert_int_equal(crawler_profile_load(&p, PROFILE), 0);
    assert_int_equal(crawler_profile_set_host(p, "proceedings", MOCK "/"), 0);
    assert_int_equal(crawler_profile_url(&u, p, "metadata", 2020, "abc"), 0);
    assert_string_equal(u, MOCK "/paper_files/paper/2020/file/abc-Metadata.json");
    free(u);
    assert_int_equal(crawler_profile_set_host(p, "elsewhere", MOCK), NSC_ENOTFOUND);
    crawler_profile_free(p);
}

static void expect_profile_error(const char *file, const char *where, const char *what)
{
    struct crawler_profile *p = (struct crawler_profile *)1;
    char *path = xasprintf("%s/sites/%s", NSC_FIXTURES_DIR, file);
    char *loc = xasprintf("%s:%s: ", path, where);

    assert_int_equal(crawler_profile_load(&p, path), NSC_EPARSE);
    assert_null(p);
    if (!strstr(nsc_error_last(), loc) || !strstr(nsc_error_last(), what))
        fail_msg("got '%s', want '%s' and '%s'", nsc_error_last(), loc, what);
    free(loc);
    free(path);
}

static void profile_errors_have_file_line_col(void **state)
{
    (void)state;
    expect_profile_error("bad_xpath.yaml", "13:13", "invalid XPath for 'item'");
    expect_profile_error("unknown_key.yaml", "16:7", "unknown key 'autors'");
    expect_profile_error("bad_syntax.yaml", "4:5", "did not find expected ',' or ']'");
}

static void profile_inline_errors(void **state)
{
    struct crawler_profile *p;
    const char *missing = "site: x\nhosts: {h: http://a}\nurls: {u: \"{h}/{year}\"}\n"
                          "id_pattern: \"(x)\"\nyears: {2020: [proceedings]}\n";
    const char *badph = "site: x\nhosts: {h: http://a}\nurls:\n  u: \"{host}/{year}\"\n"
                        "id_pattern: \"(x)\"\n";
    const char *badsrc = "site: x\nhosts: {h: a}\nurls: {}\nid_pattern: \"(x)\"\n"
                         "years:\n  2020: [proceedings, pdfs]\neras: []\n";
    const char *nogroup = "site: x\nhosts: {h: a}\nurls: {}\nid_pattern: \"x\"\n";
    const char *alias = "site: &a x\nhosts: *a\n";
    /* found by fuzzing: glibc's regcomp() needs gigabytes for this */
    const char *stacked = "site: x\nhosts: {h: a}\nurls: {}\n"
                          "id_pattern: \"/h(s+++++++++++++++++++++++++++++++++++++)\"\n";

    (void)state;
    assert_int_equal(crawler_profile_parse(&p, "m.yaml", missing, strlen(missing)), NSC_EPARSE);
    assert_string_equal(nsc_error_last(), "m.yaml:1:1: the profile lacks the key 'eras'");
    assert_int_equal(crawler_profile_parse(&p, "p.yaml", badph, strlen(badph)), NSC_EPARSE);
    assert_string_equal(nsc_error_last(),
                        "p.yaml:4:6: unknown placeholder '{host}' in '{host}/{year}'");
    assert_int_equal(crawler_profile_parse(&p, "s.yaml", badsrc, strlen(badsrc)), NSC_EPARSE);
    assert_non_null(strstr(nsc_error_last(), "s.yaml:6:23: unknown source 'pdfs'"));
    assert_int_equal(crawler_profile_parse(&p, "g.yaml", nogroup, strlen(nogroup)), NSC_EPARSE);
    assert_non_null(strstr(nsc_error_last(), "g.yaml:4:13: 'id_pattern' needs one (group)"));
    assert_int_equal(crawler_profile_parse(&p, "a.yaml", alias, strlen(alias)), NSC_EPARSE);
    assert_non_null(strstr(nsc_error_last(), "a.yaml:2:8: YAML aliases"));
    assert_int_equal(crawler_profile_parse(&p, "e.yaml", "", 0), NSC_EPARSE);
    assert_int_equal(crawler_profile_parse(&p, "q.yaml", stacked, strlen(stacked)), NSC_EPARSE);
    assert_non_null(strstr(nsc_error_last(), "q.yaml:4:13: 'id_pattern' is over 256"));
    {
        /* libyaml's reader gives only an offset: the NUL is line 2, column 10 */
        static const char nul[] = "site: x\nhosts: {h\0: a}\n";

        assert_int_equal(crawler_profile_parse(&p, "n.yaml", nul, sizeof(nul) - 1), NSC_EPARSE);
        assert_string_equal(nsc_error_last(), "n.yaml:2:10: control characters are not allowed");
    }
    {
        const char *brackets = "site: x\nhosts: {h: a}\nurls: {}\nid_pattern: \"/([+*]+)x\"\n";

        /* "+*" inside [...] is literal: the pattern passes, the next error is 'years' */
        assert_int_equal(crawler_profile_parse(&p, "b.yaml", brackets, strlen(brackets)),
                         NSC_EPARSE);
        assert_string_equal(nsc_error_last(), "b.yaml:1:1: the profile lacks the key 'years'");
    }
}

/* The 1-based line of the first 'needle' in 'text'. */
static int line_of(const char *text, const char *needle)
{
    const char *hit = strstr(text, needle);
    int line = 1;

    assert_non_null(hit);
    for (const char *p = text; p < hit; p++)
        line += *p == '\n';
    return line;
}

/*
 * Parse 'yaml' (an edit of the shipped profile) as "e.yaml": it must fail
 * with "e.yaml:<line of 'at'>:<col>: <msg>" exactly.
 */
static void expect_edit_error(const char *yaml, const char *at, int col, const char *msg)
{
    struct crawler_profile *p = (struct crawler_profile *)1;
    char *want = xasprintf("e.yaml:%d:%d: %s", line_of(yaml, at), col, msg);

    assert_int_equal(crawler_profile_parse(&p, "e.yaml", yaml, strlen(yaml)), NSC_EPARSE);
    assert_null(p);
    assert_string_equal(nsc_error_last(), want);
    free(want);
}

/* Issue 3: the JSON field names ("feed", "metadata") are checked as
 * strictly as the selectors: missing, unknown, mistyped or empty. */
static void profile_json_field_errors(void **state)
{
    char *y, *cut;
    const char *feed, *after;

    (void)state;
    y = profile_edited("  uid: uid\n", "");
    expect_edit_error(y, "  results: results\n", 3, "'feed' lacks the key 'uid'");
    free(y);
    y = profile_edited("  eventtype: eventtype\n", "  event_type: eventtype\n");
    expect_edit_error(y, "  event_type:", 3, "unknown key 'event_type' in 'feed'");
    free(y);
    y = profile_edited("  title: name\n", "  title: [name]\n");
    expect_edit_error(y, "  title: [name]", 10, "'title' must be a scalar, not a list");
    free(y);
    y = profile_edited("  author_name: fullname\n", "  author_name: \"\"\n");
    expect_edit_error(y, "  author_name:", 16, "'author_name' in 'feed' is empty");
    free(y);
    y = profile_edited("  family_name: family_name\n", "");
    expect_edit_error(y, "  title: title\n", 3, "'metadata' lacks the key 'family_name'");
    free(y);
    y = profile_edited("  institution: institution\n", "  institution: institution\n  award: x\n");
    expect_edit_error(y, "  award:", 3, "unknown key 'award' in 'metadata'");
    free(y);
    y = profile_edited("\nmetadata:\n  title: title\n  authors: authors\n  given_name: given_name\n"
                       "  family_name: family_name\n  institution: institution\n",
                       "\nmetadata: [title]\n");
    expect_edit_error(y, "metadata: [title]", 11, "'metadata' must be a mapping, not a list");
    free(y);
    /* the whole "feed" map gone while years list 'virtual' */
    y = profile_edited("\nfeed:\n", "\nfeed:\n");
    feed = strstr(y, "\nfeed:\n");
    after = strstr(y, "\n\n# JSON field names of a paper's");
    assert_true(feed && after && feed < after);
    cut = xasprintf("%.*s%s", (int)(feed - y), y, after);
    expect_edit_error(cut, "site: neurips\n", 1,
                      "the profile lacks the key 'feed' (a year lists the source 'virtual')");
    free(cut);
    free(y);
}

/* A profile edit (not C) is what adapts the parser to new markup. */
static void profile_edit_changes_selectors(void **state)
{
    const char *yaml =
        "site: t\nhosts: {p: http://h}\nurls: {i: \"{p}/{year}\"}\n"
        "id_pattern: \"/hash/([0-9a-f]+)\"\nyears: {2030: [proceedings]}\n"
        "eras:\n  - name: future\n    index:\n      marker: \"//table[@id='papers']\"\n"
        "      item: \"//table[@id='papers']//tr\"\n      link: \"td[1]/a/@href\"\n"
        "      title: \"td[1]\"\n      authors: \"td[2]/b\"\n";
    const char *html = "<table id=papers><tr><td><a href=/hash/abc1>New T</a></td>"
                       "<td><b>P, Q</b><b>R</b></td></tr></table>";
    struct crawler_profile *p;
    struct crawler_year_index ix;

    (void)state;
    assert_int_equal(crawler_profile_parse(&p, "t.yaml", yaml, strlen(yaml)), 0);
    assert_int_equal(crawler_parse_year_index(&ix, p, "http://h/2030", 2030, html, strlen(html)),
                     0);
    assert_int_equal(ix.npapers, 1);
    assert_string_equal(ix.papers[0].id, "abc1");
    assert_string_equal(ix.papers[0].title, "New T");
    assert_int_equal(ix.papers[0].nauthors, 2); /* no separator: one author per <b> */
    assert_string_equal(ix.papers[0].authors[0].name, "P, Q");
    assert_null(ix.papers[0].track);
    crawler_year_index_release(&ix);
    crawler_profile_free(p);
}

/* The ids of the papers a one-era profile with item selector 'item' finds
 * in 'html', comma-separated into 'out'; the parse's return code. */
static int item_ids(char *out, size_t cap, const char *item, const char *html)
{
    char *yaml = xasprintf("site: t\nhosts: {p: http://h}\nurls: {i: \"{p}/{year}\"}\n"
                           "id_pattern: \"/hash/([0-9a-z]+)\"\nyears: {2030: [proceedings]}\n"
                           "eras:\n  - name: t\n    index:\n      marker: \"//ul\"\n"
                           "      item: \"%s\"\n      link: \"a/@href\"\n      title: \"a\"\n",
                           item);
    struct crawler_profile *p;
    struct crawler_year_index ix;
    int err;

    out[0] = '\0';
    assert_int_equal(crawler_profile_parse(&p, "t.yaml", yaml, strlen(yaml)), 0);
    err = crawler_parse_year_index(&ix, p, "http://h/2030", 2030, html, strlen(html));
    for (size_t i = 0; err == 0 && i < ix.npapers; i++) {
        if (i > 0)
            strncat(out, ",", cap - strlen(out) - 1);
        strncat(out, ix.papers[i].id, cap - strlen(out) - 1);
    }
    if (err == 0)
        crawler_year_index_release(&ix);
    crawler_profile_free(p);
    free(yaml);
    return err;
}

/*
 * has-class('x') (crawler/html.c) selects what the profile's former idiom
 * contains(concat(' ', normalize-space(@class), ' '), ' x ') selects: whole
 * tokens, split at space, tab, CR and LF (not at U+00A0), case-sensitive,
 * the class attribute of the element itself only.  An empty or spaced
 * token matches nothing; a wrong argument count fails the evaluation.
 */
static void xpath_has_class_is_the_token_test(void **state)
{
    const char *html = "<ul>"
                       "<li class=p><a href=/hash/a1>A</a></li>"
                       "<li class=' q  p '><a href=/hash/a2>A</a></li>"
                       "<li class='q\tp\r\nr'><a href=/hash/a3>A</a></li>"
                       "<li class='pp'><a href=/hash/b1>B</a></li>"
                       "<li class='p-x x-p'><a href=/hash/b2>B</a></li>"
                       "<li class='P'><a href=/hash/b3>B</a></li>"
                       "<li class='q\xC2\xA0p'><a href=/hash/b4>B</a></li>"
                       "<li data-class=p><a href=/hash/b5 class=p>B</a></li>"
                       "<li><a href=/hash/b6>B</a></li>"
                       "<li class=''><a href=/hash/b7>B</a></li>"
                       "<li class='x' CLASS='p'><a href=/hash/b8>B</a></li>"
                       "<li class='\fp'><a href=/hash/b9>B</a></li>"
                       "</ul>";
    char ids[256], idiom[256];

    (void)state;
    assert_int_equal(item_ids(ids, sizeof(ids), "//li[has-class('p')]", html), 0);
    assert_string_equal(ids, "a1,a2,a3");
    assert_int_equal(item_ids(idiom, sizeof(idiom),
                              "//li[contains(concat(' ', normalize-space(@class), ' '), ' p ')]",
                              html),
                     0);
    assert_string_equal(idiom, ids);
    /* the token is the argument's string value; only an element tests true */
    assert_int_equal(item_ids(ids, sizeof(ids), "//li[has-class(concat('p', ''))]", html), 0);
    assert_string_equal(ids, "a1,a2,a3");
    assert_int_equal(item_ids(ids, sizeof(ids), "//li[a[has-class('p')]]", html), 0);
    assert_string_equal(ids, "b5");
    assert_int_equal(item_ids(ids, sizeof(ids), "//li[a/@href[has-class('p')]]", html),
                     NSC_ETEMPLATE);
    assert_int_equal(item_ids(ids, sizeof(ids), "//li[has-class('')]", html), NSC_ETEMPLATE);
    assert_int_equal(item_ids(ids, sizeof(ids), "//li[has-class('q p')]", html), NSC_ETEMPLATE);
    assert_int_equal(item_ids(ids, sizeof(ids), "//li[has-class()]", html), NSC_EPARSE);
    assert_int_equal(item_ids(ids, sizeof(ids), "//li[has-class('p', 'q')]", html), NSC_EPARSE);
}

/* The author names a one-era profile with abstract authors selector 'sel'
 * finds in 'html', joined by '|' into 'out'; the parse's return code. */
static int page_authors(char *out, size_t cap, const char *sel, const char *html)
{
    char *yaml = xasprintf("site: t\nhosts: {p: http://h}\nurls: {i: \"{p}/{year}\"}\n"
                           "id_pattern: \"/hash/([0-9a-z]+)\"\nyears: {2030: [proceedings]}\n"
                           "eras:\n  - name: t\n    abstract:\n      marker: \"//body\"\n"
                           "      title: \"'T'\"\n      authors: \"%s\"\n",
                           sel);
    struct crawler_profile *p;
    struct crawler_paper paper = { 0 };
    int err;

    out[0] = '\0';
    assert_int_equal(crawler_profile_parse(&p, "t.yaml", yaml, strlen(yaml)), 0);
    err = crawler_parse_abstract(&paper, p, "http://h/hash/x1", html, strlen(html));
    for (size_t i = 0; err == 0 && i < paper.nauthors; i++) {
        if (i > 0)
            strncat(out, "|", cap - strlen(out) - 1);
        strncat(out, paper.authors[i].name, cap - strlen(out) - 1);
    }
    crawler_paper_release(&paper);
    crawler_profile_free(p);
    free(yaml);
    return err;
}

/*
 * meta('n') (crawler/html.c) selects what /descendant::meta[@name='n']/@content
 * selects, in document order: <meta> in the head or the body, the exact
 * name only (gumbo lower-cases attribute names, not values), a <meta>
 * without content skipped, a name written as a character reference.  A
 * wrong argument count fails the evaluation.
 */
static void xpath_meta_is_the_name_test(void **state)
{
    const char *html = "<html><head><meta name=a content=one>"
                       "<meta name=A content=upper><meta name='a ' content=space>"
                       "<meta name=a><meta NAME=a CONTENT=two><meta content=three>"
                       "<meta name=b content=other></head>"
                       "<body><p>P<meta name=a content=four></p>"
                       "<div><span>S<meta name=&#97; content=five></span></div>"
                       "<meta name=a content=six><meta name=a content=''></body></html>";
    char got[256], idiom[256];

    (void)state;
    assert_int_equal(page_authors(got, sizeof(got), "meta('a')", html), 0);
    assert_string_equal(got, "one|two|four|five|six");
    assert_int_equal(
        page_authors(idiom, sizeof(idiom), "/descendant::meta[@name='a']/@content", html), 0);
    assert_string_equal(idiom, got);
    /* in a union, sorted into document order with the other side */
    assert_int_equal(page_authors(got, sizeof(got), "//span | meta('b') | //p", html), 0);
    assert_string_equal(got, "other|P|S");
    assert_int_equal(page_authors(got, sizeof(got), "meta('none')", html), 0);
    assert_string_equal(got, "");
    assert_int_equal(page_authors(got, sizeof(got), "meta()", html), NSC_EPARSE);
    assert_int_equal(page_authors(got, sizeof(got), "meta('a', 'b')", html), NSC_EPARSE);
}

/*
 * A selector that cannot be evaluated (here a function this binary does not
 * register, e.g. a misspelt has-class) is the profile's error, named at its
 * file:line:col with libxml2's reason: a marker that fails is not "no era
 * matches", and a field selector that fails is not an empty field.
 */
static void selector_that_cannot_evaluate_names_its_place(void **state)
{
    const char *html = "<html><body><p class=x>P</p></body></html>";
    const char *yaml = "site: t\nhosts: {p: http://h}\nurls: {i: \"{p}/{year}\"}\n"
                       "id_pattern: \"/hash/([0-9a-z]+)\"\nyears: {2030: [proceedings]}\n"
                       "eras:\n  - name: t\n    abstract:\n"
                       "      marker: \"//body[has-clas('x') or true()]\"\n"
                       "      title: \"'T'\"\n";
    struct crawler_profile *p;
    struct crawler_paper paper = { 0 };
    char got[256];

    (void)state;
    assert_int_equal(crawler_profile_parse(&p, "m.yaml", yaml, strlen(yaml)), 0);
    assert_int_equal(crawler_parse_abstract(&paper, p, "http://h/hash/x1", html, strlen(html)),
                     NSC_EPARSE);
    assert_non_null(strstr(nsc_error_last(), "m.yaml:9:15: XPath '//body[has-clas('x') or "
                                             "true()]' failed to evaluate: "));
    assert_non_null(strstr(nsc_error_last(), "nregistered function"));
    crawler_paper_release(&paper);
    crawler_profile_free(p);
    /* a field selector: line 11, where page_authors() puts it; the
     * generic message names the function */
    assert_int_equal(page_authors(got, sizeof(got), "//p[has-clas('x')]", html), NSC_EPARSE);
    assert_non_null(strstr(nsc_error_last(), "t.yaml:11:16: XPath '//p[has-clas('x')]'"));
    assert_non_null(strstr(nsc_error_last(), "function has-clas not found"));
}

static void paper_sources_replace(void **state)
{
    struct crawler_paper *p = xcalloc(1, sizeof(*p));

    (void)state;
    crawler_paper_set_source(p, "title", "u1");
    crawler_paper_set_source(p, "abstract", "u2");
    crawler_paper_set_source(p, "title", "u3");
    assert_int_equal(p->nsources, 2);
    assert_string_equal(crawler_paper_source(p, "title"), "u3");
    assert_null(crawler_paper_source(p, "doi"));
    crawler_paper_free(p);
    crawler_paper_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(index_2020_none_track),
        cmocka_unit_test(index_2019_italic_authors),
        cmocka_unit_test(index_2022_tracks),
        cmocka_unit_test(index_2024_track_suffix),
        cmocka_unit_test(index_2025_base_see_also),
        cmocka_unit_test(index_2025_vol38_companion),
        cmocka_unit_test(index_h4_era),
        cmocka_unit_test(index_2021_db_rounds),
        cmocka_unit_test(index_odd_links_resolve),
        cmocka_unit_test(index_duplicate_ids_kept_once),
        cmocka_unit_test(index_unknown_template_fails),
        cmocka_unit_test(index_empty_list_fails),
        cmocka_unit_test(index_item_without_link_fails),
        cmocka_unit_test(abstract_2024_page),
        cmocka_unit_test(abstract_text_kinds_and_joins),
        cmocka_unit_test(abstract_2020_metadata_link),
        cmocka_unit_test(abstract_of_other_paper_refused),
        cmocka_unit_test(abstract_h4_era),
        cmocka_unit_test(abstract_unknown_template_fails),
        cmocka_unit_test(hostile_deep_nesting),
        cmocka_unit_test(hostile_selfclosing_divs_and_attributes),
        cmocka_unit_test(hostile_author_flood),
        cmocka_unit_test(svg_selfclosing_is_flat),
        cmocka_unit_test(hostile_nesting_under_cap),
        cmocka_unit_test(hostile_nul_and_bad_utf8),
        cmocka_unit_test(hostile_nul_at_every_offset),
        cmocka_unit_test(hostile_over_cap),
        cmocka_unit_test(hostile_entity_bomb),
        cmocka_unit_test(gumbo_known_crash_inputs),
        cmocka_unit_test(hostile_garbage_is_template_error),
        cmocka_unit_test(profile_urls_and_years),
        cmocka_unit_test(profile_set_host_for_mock),
        cmocka_unit_test(profile_errors_have_file_line_col),
        cmocka_unit_test(profile_inline_errors),
        cmocka_unit_test(profile_json_field_errors),
        cmocka_unit_test(profile_edit_changes_selectors),
        cmocka_unit_test(xpath_has_class_is_the_token_test),
        cmocka_unit_test(xpath_meta_is_the_name_test),
        cmocka_unit_test(selector_that_cannot_evaluate_names_its_place),
        cmocka_unit_test(paper_sources_replace),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
