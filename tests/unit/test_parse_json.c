/*
 * test_parse_json.c - Metadata.json, the virtual feed and the join of the
 * feed to the proceedings.  Fixtures: tests/fixtures/{json,html}; every
 * expected value was worked out by hand from them.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "crawler.h"
#include "crawler_int.h"
#include "parse_fixture.h"

#define FEEDURL MOCK "/static/virtual/data/neurips-2024-orals-posters.json"

static int parse_feed_str(struct crawler_feed *f, const char *json)
{
    return crawler_parse_feed(f, prof, "mem://feed", json, strlen(json), CRAWLER_MAX_FEED);
}

/* ---- Metadata.json ---- */

static void metadata_authors(void **state)
{
    struct crawler_metadata md;
    struct buf b;

    (void)state;
    load(&b, "json/metadata_2020.json");
    assert_int_equal(crawler_parse_metadata(&md, prof, "u", b.ptr, b.len), 0);
    assert_string_equal(md.title, "Gradient Flows on Graphs");
    assert_int_equal(md.nauthors, 6);
    assert_string_equal(md.authors[0].given_name, "Ada");
    assert_string_equal(md.authors[0].family_name, "Lovelace");
    assert_string_equal(md.authors[0].institution, "UC Berkeley & covariant.ai");
    assert_null(md.authors[2].given_name); /* blank name kept as NULL */
    assert_null(md.authors[2].family_name);
    assert_string_equal(md.authors[2].institution, "Adobe Research");
    assert_null(md.authors[3].institution); /* null */
    assert_null(md.authors[4].institution); /* "" */
    assert_null(md.authors[5].institution); /* absent */
    crawler_metadata_release(&md);
    buf_release(&b);
}

static void metadata_errors(void **state)
{
    struct crawler_metadata md;
    const char *badtype = "{\"authors\":[{\"given_name\":\"A\"},{\"institution\":7}]}";
    const char *noauth = "{\"title\":\"x\"}";
    const char *broken = "{\"authors\":\n[}";

    (void)state;
    assert_int_equal(crawler_parse_metadata(&md, prof, "m.json", badtype, strlen(badtype)),
                     NSC_EPARSE);
    assert_string_equal(nsc_error_last(), "'m.json': authors[1]: 'institution' is not a string");
    assert_int_equal(md.nauthors, 0);
    assert_int_equal(crawler_parse_metadata(&md, prof, "m.json", noauth, strlen(noauth)),
                     NSC_EPARSE);
    assert_string_equal(nsc_error_last(), "'m.json': 'authors' is missing");
    assert_int_equal(crawler_parse_metadata(&md, prof, "m.json", broken, strlen(broken)),
                     NSC_EPARSE);
    assert_non_null(strstr(nsc_error_last(), "'m.json':2:"));
    assert_int_equal(crawler_parse_metadata(&md, prof, "m.json", "[]", 2), NSC_EPARSE);
    assert_int_equal(crawler_parse_metadata(&md, prof, "m.json", "{}", CRAWLER_MAX_JSON + 1),
                     NSC_ELIMIT);
}

/* Index authors get Metadata.json institutions by position. */
static void metadata_apply_positional(void **state)
{
    struct crawler_paper p = { 0 };
    struct crawler_metadata md;
    const char *json = "{\"authors\":[{\"given_name\":\"Ada\",\"family_name\":\"Lovelace\","
                       "\"institution\":\"Oxford\"},{\"given_name\":\"\",\"family_name\":\"\","
                       "\"institution\":\"Adobe Research\"},{\"given_name\":\"Alan\","
                       "\"family_name\":\"Turing\",\"institution\":null}]}";
    size_t left = 99;

    (void)state;
    p.authors = xcalloc(3, sizeof(*p.authors));
    p.authors[0].name = xstrdup("Ada Lovelace");
    p.authors[1].name = xstrdup("Anonymous Person");
    p.authors[2].name = xstrdup("Alan Turing");
    p.nauthors = 3;
    assert_int_equal(crawler_parse_metadata(&md, prof, "md-url", json, strlen(json)), 0);
    crawler_apply_metadata(&p, &md, "md-url", &left);
    assert_string_equal(p.authors[0].affiliation, "Oxford");
    assert_string_equal(p.authors[0].aff_source, "metadata");
    assert_string_equal(p.authors[1].affiliation, "Adobe Research"); /* blank name: by position */
    assert_null(p.authors[2].affiliation);
    assert_null(p.authors[2].aff_source);
    assert_int_equal(left, 1);
    assert_string_equal(crawler_paper_source(&p, "affiliations"), "md-url");
    crawler_metadata_release(&md);
    crawler_paper_release(&p);
}

/* Lists that disagree fall back to unique names; no guessing by position. */
static void metadata_apply_by_name(void **state)
{
    struct crawler_paper p = { 0 };
    struct crawler_metadata md;
    const char *json = "{\"authors\":[{\"given_name\":\"B\",\"family_name\":\"Two\","
                       "\"institution\":\"I-B\"},{\"given_name\":\"A\",\"family_name\":\"One\","
                       "\"institution\":\"I-A\"}]}";
    size_t left;

    (void)state;
    p.authors = xcalloc(3, sizeof(*p.authors));
    p.authors[0].name = xstrdup("a one");
    p.authors[1].name = xstrdup("C Three");
    p.authors[2].name = xstrdup("B. Two");
    p.nauthors = 3;
    assert_int_equal(crawler_parse_metadata(&md, prof, "u", json, strlen(json)), 0);
    crawler_apply_metadata(&p, &md, "u", &left);
    assert_string_equal(p.authors[0].affiliation, "I-A");
    assert_null(p.authors[1].affiliation);
    assert_string_equal(p.authors[2].affiliation, "I-B");
    assert_int_equal(left, 1);
    crawler_metadata_release(&md);
    crawler_paper_release(&p);
}

/* An escaped family name and a blank author appended at the end: lists
 * differ in length, so names decide, after entity decoding. */
static void metadata_apply_escaped_and_blank(void **state)
{
    struct crawler_paper p = { 0 };
    struct crawler_metadata md;
    const char *json = "{\"authors\":[{\"given_name\":\"Chenyue\",\"family_name\":"
                       "\"&quot;xdd44&quot; Dai\",\"institution\":\"Peking University\"},"
                       "{\"given_name\":\"O\",\"family_name\":\"O&#x27;Neil\","
                       "\"institution\":\"MIT\"},{\"given_name\":\"\",\"family_name\":\"\","
                       "\"institution\":\"Adobe Research\"}]}";
    size_t left;

    (void)state;
    p.authors = xcalloc(2, sizeof(*p.authors));
    p.authors[0].name = xstrdup("Chenyue \"xdd44\" Dai");
    p.authors[1].name = xstrdup("O O'Neil");
    p.nauthors = 2;
    assert_int_equal(crawler_parse_metadata(&md, prof, "u", json, strlen(json)), 0);
    assert_string_equal(md.authors[0].family_name, "\"xdd44\" Dai");
    crawler_apply_metadata(&p, &md, "u", &left);
    assert_string_equal(p.authors[0].affiliation, "Peking University");
    assert_string_equal(p.authors[1].affiliation, "MIT");
    assert_int_equal(left, 0);
    crawler_metadata_release(&md);
    crawler_paper_release(&p);
}

/* ---- the feed ---- */

static void feed_parse_fixture(void **state)
{
    struct crawler_feed f;
    struct buf b;

    (void)state;
    load(&b, "json/feed_2024.json");
    assert_int_equal(crawler_parse_feed(&f, prof, FEEDURL, b.ptr, b.len, CRAWLER_MAX_FEED), 0);
    assert_int_equal(f.count, 6);
    assert_null(f.next);
    assert_int_equal(f.nrecords, 4); /* 5 results, one oral duplicate dropped */
    assert_int_equal(f.duplicates, 1);
    assert_string_equal(f.records[0].uid, "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
    assert_int_equal(f.records[0].id, 94001); /* the first of the pair is kept */
    assert_string_equal(f.records[0].eventtype, "Oral");
    assert_string_equal(f.records[0].decision, "Accept (oral)");
    assert_int_equal(f.records[0].nauthors, 3);
    assert_string_equal(f.records[0].authors[0].institution, "Texas A&M University");
    assert_null(f.records[0].authors[2].institution); /* "" */
    assert_null(f.records[1].paper_url);
    assert_null(f.records[1].authors[0].institution); /* null */
    assert_string_equal(f.records[2].authors[1].institution,
                        "Mohammed VI Polytechnic University & Inria");
    assert_null(f.records[3].paper_url); /* "" */
    crawler_feed_release(&f);
    buf_release(&b);
}

static void expect_feed_error(const char *json, const char *msg)
{
    struct crawler_feed f;

    assert_int_equal(parse_feed_str(&f, json), NSC_EPARSE);
    if (!strstr(nsc_error_last(), msg))
        fail_msg("got '%s', want '%s'", nsc_error_last(), msg);
    assert_int_equal(f.nrecords, 0);
    assert_null(f.records);
}

static void feed_wrong_types_and_missing_fields(void **state)
{
    struct crawler_feed f;
    struct buf b;

    (void)state;
    load(&b, "json/feed_badtype.json");
    assert_int_equal(crawler_parse_feed(&f, prof, "bad.json", b.ptr, b.len, CRAWLER_MAX_FEED),
                     NSC_EPARSE);
    assert_string_equal(nsc_error_last(),
                        "'bad.json': record results[1]: 'authors' is not an array");
    buf_release(&b);
    expect_feed_error("[]", "'mem://feed': the feed is not a JSON object");
    expect_feed_error("{\"count\":1}", "'results' is missing");
    expect_feed_error("{\"results\":{}}", "'results' is not an array");
    expect_feed_error("{\"count\":\"7\",\"results\":[]}", "'count' is not an integer");
    expect_feed_error("{\"next\":3,\"results\":[]}", "'next' is neither null nor a string");
    expect_feed_error("{\"results\":[7]}", "record results[0] is not an object");
    expect_feed_error("{\"results\":[{\"id\":1,\"name\":\"n\",\"authors\":[]}]}",
                      "record results[0]: missing 'uid'");
    expect_feed_error("{\"results\":[{\"uid\":5,\"id\":1,\"name\":\"n\",\"authors\":[]}]}",
                      "record results[0]: 'uid' is not a string");
    expect_feed_error("{\"results\":[{\"uid\":\"u\",\"name\":\"n\",\"authors\":[]}]}",
                      "record results[0]: missing 'id'");
    expect_feed_error("{\"results\":[{\"uid\":\"u\",\"id\":\"1\",\"name\":\"n\",\"authors\":[]}]}",
                      "record results[0]: 'id' is not an integer");
    expect_feed_error("{\"results\":[{\"uid\":\"u\",\"id\":1,\"authors\":[]}]}",
                      "record results[0]: missing 'name'");
    expect_feed_error("{\"results\":[{\"uid\":\"u\",\"id\":1,\"name\":\"n\"}]}",
                      "record results[0]: missing 'authors'");
    expect_feed_error("{\"results\":[{\"uid\":\"u\",\"id\":1,\"name\":\"n\",\"authors\":[],"
                      "\"paper_url\":[]}]}",
                      "record results[0]: 'paper_url' is not a string");
    expect_feed_error("{\"results\":[{\"uid\":\"a\",\"id\":1,\"name\":\"n\",\"authors\":[]},"
                      "{\"uid\":\"b\",\"id\":2,\"name\":\"n\",\"authors\":[{}]}]}",
                      "record results[1]: authors[0]: 'fullname' is missing");
    expect_feed_error("{\"results\":[{\"uid\":\"a\",\"id\":1,\"name\":\"n\",\"authors\":"
                      "[{\"fullname\":\"x\",\"institution\":false}]}]}",
                      "record results[0]: authors[0]: 'institution' is not a string");
    expect_feed_error("{\"results\":[{\"uid\":\"\",\"id\":1,\"name\":\"n\",\"authors\":[]}]}",
                      "record results[0]: 'uid' is empty");
    expect_feed_error("{\"results\": [", "'mem://feed':1:");
}

static void feed_truncated_dump_reports_next(void **state)
{
    struct crawler_feed f;

    (void)state;
    assert_int_equal(parse_feed_str(&f, "{\"count\":9,\"next\":\"https://h/api?offset=1\","
                                        "\"results\":[]}"),
                     0);
    assert_int_equal(f.count, 9);
    assert_string_equal(f.next, "https://h/api?offset=1");
    crawler_feed_release(&f);
}

static void feed_caps(void **state)
{
    struct crawler_feed f;
    char path[] = "/tmp/nsc_feed_XXXXXX";
    const char *json = "{\"count\":0,\"results\":[]}";
    int fd;
    FILE *fp;

    (void)state;
    assert_int_equal(crawler_parse_feed(&f, prof, "m", json, strlen(json), 10), NSC_ELIMIT);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    fp = fdopen(fd, "w");
    fputs(json, fp);
    fclose(fp);
    /* the file form reads through the callback: under the cap, at it, over it */
    assert_int_equal(crawler_parse_feed_file(&f, prof, "u", path, 1000), 0);
    assert_int_equal(f.count, 0);
    crawler_feed_release(&f);
    assert_int_equal(crawler_parse_feed_file(&f, prof, "u", path, strlen(json)), 0);
    crawler_feed_release(&f);
    assert_int_equal(crawler_parse_feed_file(&f, prof, "u", path, strlen(json) - 1), NSC_ELIMIT);
    assert_non_null(strstr(nsc_error_last(), "over the"));
    unlink(path);
    assert_int_equal(crawler_parse_feed_file(&f, prof, "u", path, 1000), NSC_ENOTFOUND);
}

/* An endless feed (a FIFO fed forever with valid JSON) fails at the cap
 * after about 'max' bytes: the file form never reads a feed whole. */
static void feed_file_endless_is_capped(void **state)
{
    struct crawler_feed f;
    char dir[] = "/tmp/nsc_fifo_XXXXXX";
    char *path;
    pid_t pid;
    int st;

    (void)state;
    assert_non_null(mkdtemp(dir));
    path = xasprintf("%s/feed", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* valid records (the streamed parse stops at the first bad one), all
         * of one uid, so only the cap can end it */
        static const char chunk[] = "{\"uid\":\"u\",\"id\":1,\"name\":\"n\",\"authors\":[]},";
        int fd;

        signal(SIGPIPE, SIG_IGN);
        fd = open(path, O_WRONLY);
        free(path); /* the child's copy: valgrind checks its heap at _exit */
        if (fd < 0 || write(fd, "{\"results\": [", 13) != 13)
            _exit(1);
        while (write(fd, chunk, sizeof(chunk) - 1) > 0)
            ;
        _exit(0);
    }
    assert_int_equal(crawler_parse_feed_file(&f, prof, "endless", path, (size_t)1 << 20),
                     NSC_ELIMIT);
    assert_non_null(strstr(nsc_error_last(), "over the 1048576 byte cap"));
    assert_int_equal(waitpid(pid, &st, 0), pid);
    unlink(path);
    rmdir(dir);
    free(path);
}

static void feed_file_fixture(void **state)
{
    struct crawler_feed f;

    (void)state;
    assert_int_equal(crawler_parse_feed_file(&f, prof, FEEDURL,
                                             NSC_FIXTURES_DIR "/json/feed_2024.json", 1 << 20),
                     0);
    assert_int_equal(f.nrecords, 4);
    assert_int_equal(f.duplicates, 1);
    crawler_feed_release(&f);
}

/* crawler_parse_feed_each(): what the sink saw, in order. */
struct seen_uids {
    char uids[8][8];
    size_t n, stop_at; /* stop_at: fail on this record (1-based), 0: never */
};

static int see_record(struct crawler_feed_record *r, void *payload)
{
    struct seen_uids *s = payload;

    if (s->n < 8)
        snprintf(s->uids[s->n], sizeof(s->uids[0]), "%s", r->uid);
    if (++s->n == s->stop_at)
        return nsc_error_set(NSC_EINVAL, "sink stops at %zu", s->n);
    return 0;
}

#define REC(uid) "{\"uid\":\"" uid "\",\"id\":1,\"name\":\"n\",\"authors\":[]}"

/* Records reach the sink one by one, in feed order, duplicates dropped;
 * members may come in any order and around any white space. */
static void feed_streamed_in_order(void **state)
{
    const char *json = " \n{ \"results\" : [ " REC("a") " ,\n" REC("b") "," REC("a") ",\t" REC(
        "c") " ] ,\"previous\":{\"x\":[1,{\"y\":null}]}, \"next\" : null, \"count\" : 3 }\r\n";
    struct seen_uids s = { .n = 0 };
    struct crawler_feed f;

    (void)state;
    assert_int_equal(crawler_parse_feed_each(&f, prof, "mem://feed", json, strlen(json),
                                             CRAWLER_MAX_FEED, see_record, &s),
                     0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.uids[0], "a");
    assert_string_equal(s.uids[1], "b");
    assert_string_equal(s.uids[2], "c");
    assert_int_equal(f.nrecords, 3);
    assert_int_equal(f.duplicates, 1);
    assert_int_equal(f.count, 3); /* read after "results" */
    assert_null(f.next);
    assert_null(f.records);
    crawler_feed_release(&f);

    /* the sink's error stops the parse there */
    memset(&s, 0, sizeof(s));
    s.stop_at = 2;
    assert_int_equal(crawler_parse_feed_each(&f, prof, "mem://feed", json, strlen(json),
                                             CRAWLER_MAX_FEED, see_record, &s),
                     NSC_EINVAL);
    assert_string_equal(nsc_error_last(), "sink stops at 2");
    assert_int_equal(s.n, 2);
}

/* Errors name their place: line:column and byte offset (both counted by
 * hand from the strings below), or the record's index. */
static void feed_errors_say_where(void **state)
{
    (void)state;
    /* jansson's error inside the second element, on line 2: the second
     * ',' of '"b",,' is byte 67, column 12 of line 2 (which starts at 56) */
    expect_feed_error("{\"results\":[" REC("a") ",\n{\"uid\":\"b\",,}]}",
                      "'mem://feed':2:12: invalid JSON: ");
    expect_feed_error("{\"results\":[" REC("a") ",\n{\"uid\":\"b\",,}]}", "(byte 67)");
    /* the scanner's own: no ',' between elements; REC is 42 bytes, 12..53 */
    expect_feed_error("{\"results\":[" REC("a") " " REC("b") "]}",
                      "'mem://feed':1:56: invalid JSON: ',' or ']' expected near '{' (byte 55)");
    expect_feed_error("{\"results\":[]} x", "end of file expected near 'x' (byte 15)");
    expect_feed_error("{\"results\":[],}", "string expected near '}' (byte 14)");
    expect_feed_error("{\"results\":[] \"count\":1}", "',' or '}' expected near '\"' (byte 14)");
    expect_feed_error("{\"results\"[]}", "':' expected near '[' (byte 10)");
    expect_feed_error("{\"results\":[],\"results\":[]}", "'results' appears twice (byte 24)");
    expect_feed_error("{\"results\":[" REC("a") "," REC("b") ",7]}",
                      "record results[2] is not an object");
    expect_feed_error("", "'mem://feed':1:0: invalid JSON: '[' or '{' expected near end of file");
    expect_feed_error("{\"count\":1,\"results\":[],\"x\":tru}", "'mem://feed':1:");
}

/* The file form reads through a 64 KiB window: a feed of ~300 KiB whose
 * elements straddle the window's edges gives what the memory form gives,
 * and so does an error past the first windows. */
static void feed_file_window_matches_memory(void **state)
{
    char path[] = "/tmp/nsc_feedwin_XXXXXX";
    struct crawler_feed fm, ff;
    struct buf j = BUF_INIT;
    char *errm;
    int fd;

    (void)state;
    buf_puts(&j, "{\"count\":1500,\"results\":[\n");
    for (int i = 0; i < 1500; i++) {
        buf_appendf(
            &j,
            "%s{\"uid\":\"u%d\",\"id\":%d,\"name\":\"T\\u00e9tra %d %.*s\",\"authors\":["
            "{\"fullname\":\"A%d\",\"institution\":\"I&amp;%d\"}]}\n",
            i ? "," : "", i % 1400, i, i, i % 150,
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            i, i);
    }
    buf_puts(&j, "]}");
    assert_true(j.len > (size_t)4 * 65536);
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, j.ptr, j.len), (ssize_t)j.len);
    close(fd);
    assert_int_equal(crawler_parse_feed(&fm, prof, "u", j.ptr, j.len, CRAWLER_MAX_FEED), 0);
    assert_int_equal(crawler_parse_feed_file(&ff, prof, "u", path, CRAWLER_MAX_FEED), 0);
    assert_int_equal(fm.nrecords, 1400); /* uids repeat after 1400 */
    assert_int_equal(fm.duplicates, 100);
    assert_int_equal(ff.nrecords, fm.nrecords);
    assert_int_equal(ff.duplicates, fm.duplicates);
    for (size_t i = 0; i < fm.nrecords; i++) {
        assert_string_equal(ff.records[i].uid, fm.records[i].uid);
        assert_string_equal(ff.records[i].name, fm.records[i].name);
        assert_int_equal(ff.records[i].id, (long long)i);
        assert_string_equal(ff.records[i].authors[0].institution,
                            fm.records[i].authors[0].institution);
    }
    assert_string_equal(fm.records[1399].authors[0].institution, "I&1399");
    crawler_feed_release(&fm);
    crawler_feed_release(&ff);

    /* break record 1200 (line 1202): both forms say the same place */
    {
        char *bad = strstr(j.ptr, "\"uid\":\"u1200\"");

        assert_non_null(bad);
        bad[5] = ';'; /* "uid";"u1200" */
    }
    fd = open(path, O_WRONLY | O_TRUNC);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, j.ptr, j.len), (ssize_t)j.len);
    close(fd);
    assert_int_equal(crawler_parse_feed(&fm, prof, "u", j.ptr, j.len, CRAWLER_MAX_FEED),
                     NSC_EPARSE);
    errm = xstrdup(nsc_error_last());
    assert_non_null(strstr(errm, "'u':1202:"));
    assert_int_equal(crawler_parse_feed_file(&ff, prof, "u", path, CRAWLER_MAX_FEED), NSC_EPARSE);
    assert_string_equal(nsc_error_last(), errm);
    free(errm);
    unlink(path);
    buf_release(&j);
}

/*
 * Issue 3: the feed's field names are the profile's.  The site renames
 * "results", "uid" and an author's "institution"; the same edit in a copy of
 * the profile gives the same records and affiliations as before, and the
 * shipped names no longer fit.
 */
static void feed_fields_follow_profile(void **state)
{
    char *yaml = profile_edited("\n  results: results\n", "\n  results: papers\n");
    char *y2 = text_replace(yaml, "\n  uid: uid\n", "\n  uid: event_uid\n");
    char *y3 = text_replace(y2, "\n  author_institution: institution\n",
                            "\n  author_institution: affiliation\n");
    struct crawler_profile *renamed;
    struct crawler_feed f, g;
    struct buf b;
    char *j1, *j2, *json;

    (void)state;
    assert_int_equal(crawler_profile_parse(&renamed, "renamed.yaml", y3, strlen(y3)), 0);
    load(&b, "json/feed_2024.json");
    j1 = text_replace(buf_cstr(&b), "\"results\":", "\"papers\":");
    j2 = text_replace(j1, "\"uid\":", "\"event_uid\":");
    json = text_replace(j2, "\"institution\":", "\"affiliation\":");
    assert_int_equal(crawler_parse_feed(&f, prof, FEEDURL, b.ptr, b.len, CRAWLER_MAX_FEED), 0);
    assert_int_equal(crawler_parse_feed(&g, renamed, FEEDURL, json, strlen(json), CRAWLER_MAX_FEED),
                     0);
    /* the values read off the fixture by hand, as in feed_parse_fixture */
    assert_int_equal(g.nrecords, 4);
    assert_int_equal(g.duplicates, 1);
    assert_int_equal(g.count, 6);
    assert_string_equal(g.records[0].uid, "0a1b2c3d4e5f60718293a4b5c6d7e8f9");
    assert_non_null(g.records[0].authors[0].institution); /* a clean failure, not a crash */
    assert_string_equal(g.records[0].authors[0].institution, "Texas A&M University");
    assert_string_equal(g.records[2].authors[1].institution,
                        "Mohammed VI Polytechnic University & Inria");
    assert_null(g.records[1].authors[0].institution);
    /* and every record and affiliation equals the shipped names' parse */
    assert_int_equal(g.nrecords, f.nrecords);
    for (size_t i = 0; i < f.nrecords; i++) {
        assert_string_equal(g.records[i].uid, f.records[i].uid);
        assert_int_equal(g.records[i].nauthors, f.records[i].nauthors);
        for (size_t k = 0; k < f.records[i].nauthors; k++) {
            const char *a = f.records[i].authors[k].institution;
            const char *c = g.records[i].authors[k].institution;

            assert_string_equal(g.records[i].authors[k].fullname, f.records[i].authors[k].fullname);
            if (a || c)
                assert_string_equal(c ? c : "(null)", a ? a : "(null)");
        }
    }
    crawler_feed_release(&f);
    crawler_feed_release(&g);
    /* the renamed feed under the shipped names, and the old one under the new */
    assert_int_equal(crawler_parse_feed(&f, prof, "new.json", json, strlen(json), CRAWLER_MAX_FEED),
                     NSC_EPARSE);
    assert_string_equal(nsc_error_last(), "'new.json': 'results' is missing");
    assert_int_equal(crawler_parse_feed(&f, renamed, "old.json", b.ptr, b.len, CRAWLER_MAX_FEED),
                     NSC_EPARSE);
    assert_string_equal(nsc_error_last(), "'old.json': 'papers' is missing");
    free(j2);
    j2 = text_replace(json, "\"papers\":", "\"results\":"); /* only the uid, institution renamed */
    assert_int_equal(crawler_parse_feed(&f, prof, "new.json", j2, strlen(j2), CRAWLER_MAX_FEED),
                     NSC_EPARSE);
    assert_string_equal(nsc_error_last(), "'new.json': record results[0]: missing 'uid'");
    crawler_profile_free(renamed);
    buf_release(&b);
    free(json);
    free(j2);
    free(j1);
    free(y3);
    free(y2);
    free(yaml);
}

/* The same for a Metadata.json: its "institution" renamed in both. */
static void metadata_fields_follow_profile(void **state)
{
    char *yaml = profile_edited("\n  institution: institution\n", "\n  institution: affil\n");
    struct crawler_profile *renamed;
    struct crawler_metadata md;
    struct buf b;
    char *json;

    (void)state;
    assert_int_equal(crawler_profile_parse(&renamed, "renamed.yaml", yaml, strlen(yaml)), 0);
    load(&b, "json/metadata_2020.json");
    json = text_replace(buf_cstr(&b), "\"institution\":", "\"affil\":");
    assert_int_equal(crawler_parse_metadata(&md, renamed, "u", json, strlen(json)), 0);
    assert_int_equal(md.nauthors, 6); /* as metadata_authors, read off the fixture */
    assert_non_null(md.authors[0].institution);
    assert_string_equal(md.authors[0].institution, "UC Berkeley & covariant.ai");
    assert_string_equal(md.authors[2].institution, "Adobe Research");
    assert_null(md.authors[3].institution);
    crawler_metadata_release(&md);
    /* under the shipped names the renamed field is not read */
    assert_int_equal(crawler_parse_metadata(&md, prof, "u", json, strlen(json)), 0);
    assert_null(md.authors[0].institution);
    crawler_metadata_release(&md);
    crawler_profile_free(renamed);
    buf_release(&b);
    free(json);
    free(yaml);
}

/* A profile with no virtual or metadata year may leave the names out;
 * the parsers then refuse rather than guess names. */
static void json_fields_absent_refused(void **state)
{
    const char *yaml = "site: x\nhosts: {h: http://a}\nurls: {u: \"{h}/{year}\"}\n"
                       "id_pattern: \"(x)\"\nyears: {2020: [proceedings]}\n"
                       "eras:\n  - name: e\n    abstract: {marker: \"//p\", title: \"//p\"}\n";
    struct crawler_profile *p;
    struct crawler_metadata md;
    struct crawler_feed f;

    (void)state;
    assert_int_equal(crawler_profile_parse(&p, "x.yaml", yaml, strlen(yaml)), 0);
    assert_int_equal(crawler_parse_feed(&f, p, "u", "{\"results\":[]}", 14, CRAWLER_MAX_FEED),
                     NSC_EINVAL);
    assert_string_equal(nsc_error_last(), "'u': the site profile x.yaml has no 'feed' field names");
    assert_int_equal(crawler_parse_feed_file(&f, p, "u", "/nonexistent", CRAWLER_MAX_FEED),
                     NSC_EINVAL);
    assert_int_equal(crawler_parse_metadata(&md, p, "m", "{}", 2), NSC_EINVAL);
    assert_string_equal(nsc_error_last(),
                        "'m': the site profile x.yaml has no 'metadata' field names");
    crawler_profile_free(p);
}

/* ---- join ---- */

static void index_2024(struct crawler_year_index *ix)
{
    struct buf b;

    load(&b, "html/index_2024.html");
    /* the mock's host, while the feed says https://proceedings.neurips.cc */
    assert_int_equal(
        crawler_parse_year_index(ix, prof, MOCK "/paper_files/paper/2024", 2024, b.ptr, b.len), 0);
    buf_release(&b);
}

static void join_by_url_and_title(void **state)
{
    struct crawler_year_index ix;
    struct crawler_join_stats st;
    struct crawler_feed f;
    struct buf b;
    struct crawler_paper *p;

    (void)state;
    index_2024(&ix);
    load(&b, "json/feed_2024.json");
    assert_int_equal(crawler_parse_feed(&f, prof, FEEDURL, b.ptr, b.len, CRAWLER_MAX_FEED), 0);
    crawler_join_feed(&st, ix.papers, ix.npapers, &f);
    assert_int_equal(st.by_url, 1);
    assert_int_equal(st.by_title, 2);
    assert_int_equal(st.papers_unjoined, 0);
    assert_int_equal(st.records_unjoined, 1); /* "A Paper Not In The Proceedings" */
    assert_int_equal(st.ambiguous, 0);
    assert_int_equal(st.authors_unmatched, 2); /* Carla Diaz (""), Dmitri Ivanov (null) */

    p = &ix.papers[0]; /* by URL path, host ignored */
    assert_string_equal(p->authors[0].affiliation, "Texas A&M University");
    assert_string_equal(p->authors[0].aff_source, "virtual");
    assert_string_equal(p->authors[1].affiliation, "Tsinghua University");
    assert_null(p->authors[2].affiliation);
    assert_null(p->authors[2].aff_source);
    assert_string_equal(crawler_paper_source(p, "affiliations"), FEEDURL);

    p = &ix.papers[1]; /* by title; the record's institution is null */
    assert_null(p->authors[0].affiliation);
    assert_null(crawler_paper_source(p, "affiliations"));

    p = &ix.papers[2]; /* by title: "OPENFISH  10m labelled fish!" */
    assert_string_equal(p->authors[0].affiliation, "University of Lagos");
    assert_string_equal(p->authors[1].affiliation, "Mohammed VI Polytechnic University & Inria");
    for (size_t i = 0; i < ix.npapers; i++)
        for (size_t j = 0; j < ix.papers[i].nauthors; j++)
            if (ix.papers[i].authors[j].affiliation)
                assert_null(strstr(ix.papers[i].authors[j].affiliation, "WRONG"));
    crawler_feed_release(&f);
    buf_release(&b);
    crawler_year_index_release(&ix);
}

/* Same title, other authors: not the same paper, nothing is copied. */
static void join_never_crosses_papers(void **state)
{
    struct crawler_year_index ix;
    struct crawler_join_stats st;
    struct crawler_feed f;
    const char *json =
        "{\"results\":[{\"uid\":\"u1\",\"id\":1,\"name\":\"Scaling Laws: A Review\","
        "\"authors\":[{\"fullname\":\"Someone Else\",\"institution\":\"Elsewhere U\"}]},"
        "{\"uid\":\"u2\",\"id\":2,\"name\":\"Other\",\"paper_url\":"
        "\"https://proceedings.neurips.cc/paper_files/paper/2024/hash/nothere-Abstract.html\","
        "\"authors\":[{\"fullname\":\"Dmitri Ivanov\",\"institution\":\"Wrong Place\"}]}]}";

    (void)state;
    index_2024(&ix);
    assert_int_equal(parse_feed_str(&f, json), 0);
    crawler_join_feed(&st, ix.papers, ix.npapers, &f);
    assert_int_equal(st.by_url + st.by_title, 0);
    assert_int_equal(st.papers_unjoined, 3);
    assert_int_equal(st.records_unjoined, 2);
    for (size_t i = 0; i < ix.npapers; i++)
        for (size_t j = 0; j < ix.papers[i].nauthors; j++)
            assert_null(ix.papers[i].authors[j].affiliation);
    crawler_feed_release(&f);
    crawler_year_index_release(&ix);
}

/* Two papers with one title key: the record is ambiguous and joins neither. */
static void join_ambiguous_title(void **state)
{
    struct crawler_paper papers[2] = { { 0 }, { 0 } };
    struct crawler_join_stats st;
    struct crawler_feed f;
    const char *json = "{\"results\":[{\"uid\":\"u\",\"id\":1,\"name\":\"twin\","
                       "\"authors\":[{\"fullname\":\"A B\",\"institution\":\"X\"}]}]}";

    (void)state;
    for (int i = 0; i < 2; i++) {
        papers[i].title = xstrdup(i ? "Twin" : "TWIN!");
        papers[i].authors = xcalloc(1, sizeof(*papers[i].authors));
        papers[i].authors[0].name = xstrdup("a  b");
        papers[i].nauthors = 1;
    }
    assert_int_equal(parse_feed_str(&f, json), 0);
    crawler_join_feed(&st, papers, 2, &f);
    assert_int_equal(st.ambiguous, 1);
    assert_int_equal(st.papers_unjoined, 2);
    assert_null(papers[0].authors[0].affiliation);
    assert_null(papers[1].authors[0].affiliation);
    crawler_feed_release(&f);
    crawler_paper_release(&papers[0]);
    crawler_paper_release(&papers[1]);
}

/* Titles with no letter or digit never join by title, even when equal. */
static void join_empty_title_key_never_matches(void **state)
{
    struct crawler_paper p = { 0 };
    struct crawler_join_stats st;
    struct crawler_feed f;
    const char *json = "{\"results\":[{\"uid\":\"u\",\"id\":1,\"name\":\" ?! \","
                       "\"authors\":[]}]}";

    (void)state;
    p.title = xstrdup("!?");
    assert_int_equal(parse_feed_str(&f, json), 0);
    crawler_join_feed(&st, &p, 1, &f);
    assert_int_equal(st.by_title, 0);
    assert_int_equal(st.papers_unjoined, 1);
    assert_int_equal(st.records_unjoined, 1);
    crawler_feed_release(&f);
    crawler_paper_release(&p);
}

/* By URL, author lists that differ: names decide, unmatched stay NULL. */
static void join_url_authors_by_name(void **state)
{
    struct crawler_paper p = { 0 };
    struct crawler_join_stats st;
    struct crawler_feed f;
    const char *json = "{\"results\":[{\"uid\":\"u\",\"id\":1,\"name\":\"t\",\"paper_url\":"
                       "\"https://proceedings.neurips.cc/p/h-Abstract.html?x=1\",\"authors\":["
                       "{\"fullname\":\"Jos\\u00e9 Garc\\u00eda\",\"institution\":\"UPM\"},"
                       "{\"fullname\":\"New Coauthor\",\"institution\":\"N\"}]}]}";

    (void)state;
    p.abstract_url = xstrdup("http://127.0.0.1:9/p/h-Abstract.html");
    p.title = xstrdup("t");
    p.authors = xcalloc(2, sizeof(*p.authors));
    p.authors[0].name = xstrdup("Mary Major");
    p.authors[1].name = xstrdup("Jose GARCIA"); /* marks and case folded */
    p.nauthors = 2;
    assert_int_equal(parse_feed_str(&f, json), 0);
    crawler_join_feed(&st, &p, 1, &f);
    assert_int_equal(st.by_url, 1);
    assert_null(p.authors[0].affiliation);
    assert_string_equal(p.authors[1].affiliation, "UPM");
    assert_int_equal(st.authors_unmatched, 1);
    crawler_feed_release(&f);
    crawler_paper_release(&p);
}

/* Entities in the feed: named, decimal, hex, unknown, unterminated; and a
 * long run of '&' without ';' stays linear. */
static void feed_entities_decoded_once(void **state)
{
    struct crawler_feed f;
    struct buf b = BUF_INIT;
    uint64_t t0;

    (void)state;
    assert_int_equal(
        parse_feed_str(&f, "{\"results\":[{\"uid\":\"u\",\"id\":1,\"name\":"
                           "\"A &amp;amp; B\",\"authors\":[{\"fullname\":\"O&#39;Hara\","
                           "\"institution\":\"&lt;X&gt; &#x4E2D;&eacute;&bogus; &amp\"}]}]}"),
        0);
    assert_string_equal(f.records[0].name, "A &amp; B"); /* decoded once, not twice */
    assert_string_equal(f.records[0].authors[0].fullname, "O'Hara");
    assert_string_equal(f.records[0].authors[0].institution,
                        "<X> \xe4\xb8\xad\xc3\xa9&bogus; &amp");
    crawler_feed_release(&f);
    buf_puts(&b, "{\"results\":[{\"uid\":\"u\",\"id\":1,\"name\":\"");
    for (int i = 0; i < 4000000; i++)
        buf_putc(&b, '&');
    buf_puts(&b, ";\",\"authors\":[]}]}");
    t0 = nsc_now_ms();
    assert_int_equal(crawler_parse_feed(&f, prof, "amp", b.ptr, b.len, CRAWLER_MAX_FEED), 0);
    assert_int_equal(strlen(f.records[0].name), 4000001);
    assert_true(nsc_now_ms() - t0 < 20000);
    crawler_feed_release(&f);
    buf_release(&b);
}

static void normalise_key_folds(void **state)
{
    char *k;

    (void)state;
    k = crawler_normalise_key("  Stra\xc3\x9f"
                              "e, \xef\xbc\xa1I:\tD\xc3\xa9j\xc3\xa0-vu!! ");
    assert_string_equal(k, "strasse ai deja vu");
    free(k);
    k = crawler_normalise_key("\xff\xfe ok-GO");
    assert_string_equal(k, "ok go");
    free(k);
    k = crawler_normalise_key(NULL);
    assert_string_equal(k, "");
    free(k);
}

/* Fail unless the ASCII fast path gives utf8proc's key for 's'. */
static void same_key_both_ways(const char *s)
{
    char *fast = crawler_normalise_key(s), *full = crawler__normalise_key_utf8proc(s);

    if (strcmp(fast, full) != 0)
        fail_msg("key of '%s': fast path '%s', utf8proc '%s'", s, fast, full);
    free(fast);
    free(full);
}

/*
 * crawler_normalise_key() folds all-ASCII text without utf8proc: every ASCII
 * string of one and two characters, and 20,000 random ones of up to 40
 * (fixed seed), must give utf8proc's key.
 */
static void normalise_key_ascii_fast_path(void **state)
{
    char s[41];
    uint64_t r = 7;

    (void)state;
    for (int a = 1; a < 128; a++) {
        for (int b = 0; b < 128; b++) {
            s[0] = (char)a;
            s[1] = (char)b;
            s[2] = '\0';
            same_key_both_ways(s);
        }
    }
    for (int k = 0; k < 20000; k++) {
        size_t n;

        r = r * 6364136223846793005ULL + 1442695040888963407ULL;
        n = (size_t)(r >> 33) % 41;
        for (size_t i = 0; i < n; i++) {
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            s[i] = (char)(1 + (r >> 33) % 127);
        }
        s[n] = '\0';
        same_key_both_ways(s);
    }
    same_key_both_ways("Attention Is All You Need: O(n log n) 2-Hop GNNs_v2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(metadata_authors),
        cmocka_unit_test(metadata_errors),
        cmocka_unit_test(metadata_apply_positional),
        cmocka_unit_test(metadata_apply_by_name),
        cmocka_unit_test(metadata_apply_escaped_and_blank),
        cmocka_unit_test(feed_parse_fixture),
        cmocka_unit_test(feed_wrong_types_and_missing_fields),
        cmocka_unit_test(feed_truncated_dump_reports_next),
        cmocka_unit_test(feed_caps),
        cmocka_unit_test(feed_file_endless_is_capped),
        cmocka_unit_test(feed_file_fixture),
        cmocka_unit_test(feed_streamed_in_order),
        cmocka_unit_test(feed_errors_say_where),
        cmocka_unit_test(feed_file_window_matches_memory),
        cmocka_unit_test(feed_fields_follow_profile),
        cmocka_unit_test(metadata_fields_follow_profile),
        cmocka_unit_test(json_fields_absent_refused),
        cmocka_unit_test(join_by_url_and_title),
        cmocka_unit_test(join_never_crosses_papers),
        cmocka_unit_test(join_ambiguous_title),
        cmocka_unit_test(join_empty_title_key_never_matches),
        cmocka_unit_test(join_url_authors_by_name),
        cmocka_unit_test(feed_entities_decoded_once),
        cmocka_unit_test(normalise_key_folds),
        cmocka_unit_test(normalise_key_ascii_fast_path),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
