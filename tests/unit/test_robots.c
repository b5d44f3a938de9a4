/*
 * test_robots.c - the RFC 9309 parser and matcher (crawler/robots.c), no
 * network.  Cases come from the RFC's own examples (sections 2.2 and 5)
 * and from the percent-encoding table of Koster's 1996 draft.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crawler_int.h"

/* RFC 9309 section 5.1. */
static const char rfc_example[] = "User-Agent: *\n"
                                  "Disallow: *.gif$\n"
                                  "Disallow: /example/\n"
                                  "Allow: /publications/\n"
                                  "\n"
                                  "User-Agent: foobot\n"
                                  "Disallow:/\n"
                                  "Allow:/example/page.html\n"
                                  "Allow:/example/allowed.gif\n"
                                  "\n"
                                  "User-Agent: barbot\n"
                                  "User-Agent: bazbot\n"
                                  "Disallow: /example/page.html\n"
                                  "\n"
                                  "User-Agent: quxbot\n";

static int allowed(const char *txt, const char *token, const char *path)
{
    struct crawler_robots *r;
    int ok;

    crawler__robots_parse(&r, txt, strlen(txt), token);
    ok = crawler__robots_allowed(r, path);
    crawler__robots_free(r);
    return ok;
}

static void rfc_example_foobot_group(void **state)
{
    (void)state;
    assert_int_equal(allowed(rfc_example, "foobot", "/"), 0);
    assert_int_equal(allowed(rfc_example, "foobot", "/example/page.html"), 1);
    assert_int_equal(allowed(rfc_example, "foobot", "/example/allowed.gif"), 1);
    assert_int_equal(allowed(rfc_example, "foobot", "/example/other.html"), 0);
    /* the '*' group does not apply once a group names us */
    assert_int_equal(allowed(rfc_example, "foobot", "/publications/x"), 0);
}

static void rfc_example_shared_group(void **state)
{
    (void)state;
    assert_int_equal(allowed(rfc_example, "barbot", "/example/page.html"), 0);
    assert_int_equal(allowed(rfc_example, "bazbot", "/example/page.html"), 0);
    assert_int_equal(allowed(rfc_example, "bazbot", "/example/other.html"), 1);
}

static void rfc_example_empty_group_allows_all(void **state)
{
    (void)state;
    assert_int_equal(allowed(rfc_example, "quxbot", "/example/page.html"), 1);
    assert_int_equal(allowed(rfc_example, "quxbot", "/a.gif"), 1);
}

static void rfc_example_star_group_for_others(void **state)
{
    (void)state;
    assert_int_equal(allowed(rfc_example, "nipscope", "/a/b.gif"), 0);
    assert_int_equal(allowed(rfc_example, "nipscope", "/a/b.gif?x=1"), 1);
    assert_int_equal(allowed(rfc_example, "nipscope", "/example/x"), 0);
    assert_int_equal(allowed(rfc_example, "nipscope", "/publications/x"), 1);
    assert_int_equal(allowed(rfc_example, "nipscope", "/other"), 1);
}

static void token_matching_ignores_case_and_version(void **state)
{
    static const char txt[] = "User-agent: NipScope/2.0\nDisallow: /private\n"
                              "User-agent: *\nDisallow: /\n";

    (void)state;
    assert_int_equal(allowed(txt, "nipscope", "/private/x"), 0);
    assert_int_equal(allowed(txt, "nipscope", "/public"), 1);
    /* a longer product is another crawler */
    assert_int_equal(allowed(txt, "nipscopes", "/public"), 0);
    assert_int_equal(allowed(txt, "nipscop", "/public"), 0);
}

/* RFC 9309 2.2.1: groups naming the same agent are merged. */
static void groups_for_one_agent_merge(void **state)
{
    static const char txt[] = "user-agent: ExampleBot\ndisallow: /foo\ndisallow: /bar\n\n"
                              "user-agent: ExampleBot\ndisallow: /baz\n";

    (void)state;
    assert_int_equal(allowed(txt, "examplebot", "/foo"), 0);
    assert_int_equal(allowed(txt, "examplebot", "/bar"), 0);
    assert_int_equal(allowed(txt, "examplebot", "/baz/1"), 0);
    assert_int_equal(allowed(txt, "examplebot", "/qux"), 1);
}

/* RFC 9309 5.2 and 2.2.2: the longest match wins; Allow wins a tie. */
static void longest_match_wins_allow_wins_tie(void **state)
{
    static const char longest[] = "User-Agent: foobot\nAllow: /example/page/\n"
                                  "Disallow: /example/page/disallowed.gif\n";
    static const char tie[] = "User-Agent: *\nDisallow: /page\nAllow: /page\n";
    static const char tie2[] = "User-Agent: *\nAllow: /page\nDisallow: /page\n";

    (void)state;
    assert_int_equal(allowed(longest, "foobot", "/example/page/"), 1);
    assert_int_equal(allowed(longest, "foobot", "/example/page/x.html"), 1);
    assert_int_equal(allowed(longest, "foobot", "/example/page/disallowed.gif"), 0);
    assert_int_equal(allowed(tie, "x", "/page"), 1);
    assert_int_equal(allowed(tie2, "x", "/page"), 1);
}

/* RFC 9309 2.2.3: '*' matches any run, a final '$' anchors. */
static void wildcards_and_anchor(void **state)
{
    static const char txt[] = "User-agent: *\n"
                              "Disallow: /*.php$\n"
                              "Disallow: /fish*salmon\n"
                              "Disallow: /exact$\n"
                              "Disallow: /mid$dle\n";

    (void)state;
    assert_int_equal(allowed(txt, "x", "/index.php"), 0);
    assert_int_equal(allowed(txt, "x", "/a/b/index.php"), 0);
    assert_int_equal(allowed(txt, "x", "/index.php?x"), 1);
    assert_int_equal(allowed(txt, "x", "/index.php5"), 1);
    assert_int_equal(allowed(txt, "x", "/fish/red-salmon.html"), 0);
    assert_int_equal(allowed(txt, "x", "/fishsalmon"), 0);
    assert_int_equal(allowed(txt, "x", "/fish/trout"), 1);
    assert_int_equal(allowed(txt, "x", "/exact"), 0);
    assert_int_equal(allowed(txt, "x", "/exactly"), 1);
    /* '$' inside a pattern is an ordinary character */
    assert_int_equal(allowed(txt, "x", "/mid$dle/x"), 0);
    assert_int_equal(allowed(txt, "x", "/middle"), 1);
}

/* Percent-encoding: RFC 9309 2.2.2 and Koster's draft table. */
static void percent_encoding_normalised(void **state)
{
    static const char txt[] = "User-agent: *\n"
                              "Disallow: /a%3cd.html\n"
                              "Disallow: /a%2fb.html\n"
                              "Disallow: /%7ejoe/\n"
                              "Disallow: /foo/bar/\xE3\x83\x84\n"
                              "Disallow: /q/%62%61%7A\n";

    (void)state;
    assert_int_equal(allowed(txt, "x", "/a%3Cd.html"), 0);
    assert_int_equal(allowed(txt, "x", "/a%3cd.html"), 0);
    assert_int_equal(allowed(txt, "x", "/a%2Fb.html"), 0);
    /* an escaped '/' is not a '/' */
    assert_int_equal(allowed(txt, "x", "/a/b.html"), 1);
    assert_int_equal(allowed(txt, "x", "/~joe/index.html"), 0);
    assert_int_equal(allowed(txt, "x", "/%7Ejoe/index.html"), 0);
    /* UTF-8 in the file matches the percent-encoded URL */
    assert_int_equal(allowed(txt, "x", "/foo/bar/%E3%83%84"), 0);
    assert_int_equal(allowed(txt, "x", "/foo/bar/%e3%83%84/x"), 0);
    assert_int_equal(allowed(txt, "x", "/q/baz"), 0);
    assert_int_equal(allowed(txt, "x", "/q/bat"), 1);
}

static void robots_txt_always_allowed(void **state)
{
    (void)state;
    assert_int_equal(allowed("User-agent: *\nDisallow: /\n", "x", "/robots.txt"), 1);
    assert_int_equal(allowed("User-agent: *\nDisallow: /\n", "x", "/robots.txt?x"), 0);
}

static void lenient_syntax(void **state)
{
    /* BOM, CRLF, comments, spaces around the colon, unknown keys and a
     * Sitemap line inside a group, rules before any User-agent (ignored),
     * an empty Disallow (allows). */
    static const char txt[] = "\xEF\xBB\xBF"
                              "Disallow: /before\r\n"
                              "# comment\r\n"
                              "USER-AGENT : *   # all\r\n"
                              "Sitemap: https://example.com/s.xml\r\n"
                              "Foo: bar\r\n"
                              "disallow :  /secret # hidden\r\n"
                              "Disallow:\r\n"
                              "no colon here\r\n";

    (void)state;
    assert_int_equal(allowed(txt, "x", "/before"), 1);
    assert_int_equal(allowed(txt, "x", "/secret/a"), 0);
    assert_int_equal(allowed(txt, "x", "/open"), 1);
    assert_int_equal(allowed("", "x", "/anything"), 1);
    assert_int_equal(allowed("garbage\n\n\x01\x02", "x", "/anything"), 1);
}

static void crawl_delay_of_matched_group(void **state)
{
    static const char txt[] = "User-agent: *\nCrawl-delay: 10\n\n"
                              "User-agent: nipscope\nCrawl-delay: 0.5\nDisallow: /x\n\n"
                              "User-agent: other\nCrawl-delay: 99\n";
    struct crawler_robots *r;

    (void)state;
    crawler__robots_parse(&r, txt, strlen(txt), "nipscope");
    assert_int_equal(crawler__robots_crawl_delay_ms(r), 500);
    crawler__robots_free(r);
    crawler__robots_parse(&r, txt, strlen(txt), "someone");
    assert_int_equal(crawler__robots_crawl_delay_ms(r), 10000);
    crawler__robots_free(r);
    crawler__robots_parse(&r, "User-agent: *\nCrawl-delay: soon\n", 32, "someone");
    assert_int_equal(crawler__robots_crawl_delay_ms(r), 0);
    crawler__robots_free(r);
}

/* Retry-After (http_date.c): delta seconds or an HTTP-date. */
static void retry_after_values(void **state)
{
    /* 1994-11-06 08:49:37 UTC is 784111777 (RFC 9110's example date). */
    const int64_t now = 784111777 - 30;

    (void)state;
    assert_int_equal(crawler__retry_after_s("120", now), 120);
    assert_int_equal(crawler__retry_after_s(" 0 ", now), 0);
    assert_int_equal(crawler__retry_after_s("Sun, 06 Nov 1994 08:49:37 GMT", now), 30);
    assert_int_equal(crawler__retry_after_s("Sunday, 06-Nov-94 08:49:37 GMT", now), 30);
    assert_int_equal(crawler__retry_after_s("Sun Nov  6 08:49:37 1994", now), 30);
    /* a date in the past means now */
    assert_int_equal(crawler__retry_after_s("Sun, 06 Nov 1994 08:49:37 GMT", now + 100), 0);
    assert_int_equal(crawler__retry_after_s("-5", now), -1);
    assert_int_equal(crawler__retry_after_s("soon", now), -1);
    assert_int_equal(crawler__retry_after_s("", now), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc_example_foobot_group),
        cmocka_unit_test(rfc_example_shared_group),
        cmocka_unit_test(rfc_example_empty_group_allows_all),
        cmocka_unit_test(rfc_example_star_group_for_others),
        cmocka_unit_test(token_matching_ignores_case_and_version),
        cmocka_unit_test(groups_for_one_agent_merge),
        cmocka_unit_test(longest_match_wins_allow_wins_tie),
        cmocka_unit_test(wildcards_and_anchor),
        cmocka_unit_test(percent_encoding_normalised),
        cmocka_unit_test(robots_txt_always_allowed),
        cmocka_unit_test(lenient_syntax),
        cmocka_unit_test(crawl_delay_of_matched_group),
        cmocka_unit_test(retry_after_values),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
