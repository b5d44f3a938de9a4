/*
 * test_parse_mock.c - the parsers against the project's mock site
 * (tests/mock/mocksite.py) for every year 2019-2025: its pages are written
 * to files by tests/fixtures/sites/mock_pages.py (30 papers a year, no
 * server), crawled offline the way the pipeline does (index and See-also
 * companions, abstract pages, Metadata.json, feed and join), and every paper
 * is compared with the mock's own truth file and summary.  The truth is the
 * mock author's, not this program's output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "crawler.h"

#define PROFILE NSC_SOURCE_DIR "/rules/sites/neurips.yaml"
#define BASE    "http://127.0.0.1:9"

static char dir[] = "/tmp/nsc_mock_XXXXXX";

static int setup(void **state)
{
    char *cmd;
    int rc;

    (void)state;
    if (!mkdtemp(dir))
        return -1;
    cmd = xasprintf("python3 '%s/tests/fixtures/sites/mock_pages.py' '%s' 30", NSC_SOURCE_DIR, dir);
    rc = system(cmd);
    free(cmd);
    if (rc != 0)
        fprintf(stderr, "mock_pages.py failed (%d)\n", rc);
    return rc == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    int rc = system(cmd);

    (void)state;
    free(cmd);
    return rc == 0 ? 0 : -1;
}

/* The file the mock page of 'url' was written to. */
static void fetch(struct buf *b, const char *url)
{
    const char *p = url + strlen(BASE) + 1;
    struct buf fn = BUF_INIT;

    buf_appendf(&fn, "%s/", dir);
    for (; *p; p++)
        buf_putc(&fn, (char)(*p == '/' ? '_' : *p));
    buf_reset(b);
    if (nsc_file_read(b, buf_cstr(&fn), (size_t)64 << 20) < 0)
        fail_msg("%s", nsc_error_last());
    buf_release(&fn);
}

/* The path of an absolute URL ("https://host/path" -> "/path"). */
static const char *path_of(const char *url)
{
    const char *p = url ? strstr(url, "://") : NULL;

    return p ? p + 3 + strcspn(p + 3, "/") : "";
}

static json_t *load_json(const char *name, int year, int lines)
{
    char *fn = xasprintf("%s/%s-%d.%s", dir, name, year, lines ? "jsonl" : "json");
    json_error_t je;
    json_t *j = lines ? json_array() : json_load_file(fn, 0, &je);

    if (lines) {
        FILE *fp = fopen(fn, "r");
        char *line = NULL;
        size_t cap = 0;

        assert_non_null(fp);
        while (getline(&line, &cap, fp) > 0)
            json_array_append_new(j, json_loads(line, 0, &je));
        free(line);
        fclose(fp);
    }
    assert_non_null(j);
    free(fn);
    return j;
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s && *s ? s : NULL; /* the mock writes "" where we keep NULL */
}

static void check_year(int year)
{
    struct crawler_profile *prof;
    struct crawler_paper *papers = NULL;
    struct crawler_join_stats st = { 0 };
    struct crawler_feed feed = { 0 };
    struct buf b = BUF_INIT;
    char *queue[4];
    size_t n = 0, nq = 0, done = 0, checked = 0, ndnb = 0, dnb_in_feed = 0;
    int dnb;
    json_t *truth, *summary;
    int has_feed;

    assert_int_equal(crawler_profile_load(&prof, PROFILE), 0);
    assert_int_equal(crawler_profile_set_host(prof, "proceedings", BASE), 0);
    assert_int_equal(crawler_profile_set_host(prof, "virtual", BASE), 0);
    assert_int_equal(crawler_profile_set_host(prof, "datasets", BASE), 0);
    assert_int_equal(crawler_profile_url(&queue[nq++], prof, "year_index", year, NULL), 0);
    /* 2021: the D&B host's index too (the mock writes its pages alongside) */
    dnb = (crawler_profile_year_sources(prof, year) & CRAWLER_SRC_DATASETS) != 0;
    assert_int_equal(dnb, year == 2021);
    if (dnb)
        assert_int_equal(crawler_profile_url(&queue[nq++], prof, "datasets_index", year, NULL), 0);
    while (done < nq) {
        struct crawler_year_index ix;
        const char *url = queue[done++];

        fetch(&b, url);
        if (crawler_parse_year_index(&ix, prof, url, year, b.ptr, b.len) < 0)
            fail_msg("%s", nsc_error_last());
        for (size_t i = 0; i < ix.nsee_also; i++) {
            int seen = 0;

            for (size_t j = 0; j < nq; j++)
                seen |= strcmp(queue[j], ix.see_also[i]) == 0;
            if (!seen) {
                assert_true(nq < NSC_ARRAY_SIZE(queue));
                queue[nq++] = xstrdup(ix.see_also[i]);
            }
        }
        papers = xreallocarray(papers, n + ix.npapers, sizeof(*papers));
        memcpy(papers + n, ix.papers, ix.npapers * sizeof(*papers));
        n += ix.npapers;
        ix.npapers = 0; /* the papers moved to 'papers' */
        crawler_year_index_release(&ix);
    }
    /* 2025: base page + vol38 companion; 2021: proceedings + D&B host */
    assert_int_equal(nq, year == 2025 || year == 2021 ? 2 : 1);
    for (size_t i = 0; i < n; i++) {
        struct crawler_paper *p = &papers[i];

        fetch(&b, p->abstract_url);
        if (crawler_parse_abstract(p, prof, p->abstract_url, b.ptr, b.len) < 0)
            fail_msg("%s", nsc_error_last());
        if (year <= 2021 && strncmp(path_of(p->abstract_url), "/paper/", 7) == 0) {
            assert_null(p->metadata_url); /* the D&B host links none */
            assert_string_equal(p->track, "datasets_and_benchmarks");
            ndnb++;
        } else if (year <= 2021) {
            struct crawler_metadata md;

            assert_non_null(p->metadata_url);
            fetch(&b, p->metadata_url);
            if (crawler_parse_metadata(&md, prof, p->metadata_url, b.ptr, b.len) < 0)
                fail_msg("%s", nsc_error_last());
            crawler_apply_metadata(p, &md, p->metadata_url, NULL);
            crawler_metadata_release(&md);
        } else {
            assert_null(p->metadata_url);
        }
    }
    has_feed = (crawler_profile_year_sources(prof, year) & CRAWLER_SRC_VIRTUAL) != 0;
    assert_int_equal(has_feed, year >= 2020);
    if (has_feed) {
        char *u;

        assert_int_equal(crawler_profile_url(&u, prof, "feed", year, NULL), 0);
        fetch(&b, u);
        if (crawler_parse_feed(&feed, prof, u, b.ptr, b.len, CRAWLER_MAX_FEED) < 0)
            fail_msg("%s", nsc_error_last());
        crawler_join_feed(&st, papers, n, &feed);
        free(u);
    }

    truth = load_json("truth", year, 1);
    summary = load_json("summary", year, 0);
    assert_int_equal(n, json_array_size(truth));
    for (size_t t = 0; t < json_array_size(truth); t++) {
        const json_t *tp = json_array_get(truth, t), *ta = json_object_get(tp, "authors");
        const struct crawler_paper *p = NULL;
        int is_dnb;

        for (size_t i = 0; i < n && !p; i++)
            if (strcmp(papers[i].id, jstr(tp, "id")) == 0)
                p = &papers[i];
        if (!p)
            fail_msg("%d: paper %s not found", year, jstr(tp, "id"));
        is_dnb = strncmp(path_of(p->abstract_url), "/paper/", 7) == 0;
        dnb_in_feed += is_dnb && json_is_true(json_object_get(tp, "in_feed"));
        assert_string_equal(p->track, jstr(tp, "track"));
        assert_string_equal(p->title, jstr(tp, "title"));
        assert_string_equal(path_of(p->abstract_url), path_of(jstr(tp, "abstract_url")));
        assert_string_equal(path_of(p->pdf_url), path_of(jstr(tp, "pdf_url")));
        assert_int_equal(p->nauthors, json_array_size(ta));
        for (size_t j = 0; j < p->nauthors; j++) {
            const char *want = jstr(json_array_get(ta, j), "institution");

            assert_string_equal(p->authors[j].name, jstr(json_array_get(ta, j), "name"));
            if (!want) {
                assert_null(p->authors[j].affiliation);
                continue;
            }
            if (!p->authors[j].affiliation)
                fail_msg("%d %s author %zu: want '%s', got NULL", year, p->id, j, want);
            assert_string_equal(p->authors[j].affiliation, want);
            assert_string_equal(p->authors[j].aff_source,
                                year <= 2021 && !is_dnb ? "metadata" : "virtual");
        }
        checked++;
    }
    assert_int_equal(checked, 30);
    if (has_feed) {
        json_int_t records = json_integer_value(json_object_get(summary, "feed_records"));

        assert_int_equal(feed.nrecords + feed.duplicates, records);
        assert_int_equal(feed.duplicates,
                         json_integer_value(json_object_get(summary, "feed_oral_duplicates")));
        assert_int_equal(st.papers_unjoined,
                         json_integer_value(json_object_get(summary, "papers_not_in_feed")));
        assert_int_equal(st.records_unjoined, json_integer_value(json_object_get(
                                                  summary, "feed_records_without_paper")));
        assert_int_equal(st.ambiguous, 0);
        /* 2020-2024 feeds point at the proceedings, but for the 2021 D&B papers
         * (their records point at OpenReview, as 2025's do): those join by title */
        assert_int_equal(year <= 2024 ? st.by_title : st.by_url, dnb_in_feed);
        if (year == 2021)
            assert_true(ndnb > 0 && dnb_in_feed > 0); /* so the checks above can fail */
    }
    json_decref(truth);
    json_decref(summary);
    crawler_feed_release(&feed);
    for (size_t i = 0; i < n; i++)
        crawler_paper_release(&papers[i]);
    free(papers);
    for (size_t i = 0; i < nq; i++)
        free(queue[i]);
    buf_release(&b);
    crawler_profile_free(prof);
}

static void mock_year(void **state)
{
    check_year(*(int *)*state);
}

int main(void)
{
    static int years[] = { 2019, 2020, 2021, 2022, 2023, 2024, 2025 };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_prestate(mock_year, &years[0]),
        cmocka_unit_test_prestate(mock_year, &years[1]),
        cmocka_unit_test_prestate(mock_year, &years[2]),
        cmocka_unit_test_prestate(mock_year, &years[3]),
        cmocka_unit_test_prestate(mock_year, &years[4]),
        cmocka_unit_test_prestate(mock_year, &years[5]),
        cmocka_unit_test_prestate(mock_year, &years[6]),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
