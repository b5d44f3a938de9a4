/*
 * test_config.c - the configuration file (cli/config.c): every key, every
 * kind of error with its FILE:LINE:COL worked out by hand from the text
 * (lines and columns count from 1; the column is where the key or value
 * starts), and the all-or-nothing load.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "classify.h"
#include "common.h"
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

/* Write 'text' to a fresh temporary file; its name is in 'path'. */
static void write_file(const char *text)
{
    int fd;
    FILE *f;

    strcpy(path, "/tmp/nsc-config-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* Load 'text' into a fresh config; expect 'code' and, if given, "PATH:msg". */
static void expect_error(const char *text, int code, const char *msg)
{
    struct config cfg;
    char want[512];

    config_init(&cfg);
    write_file(text);
    assert_int_equal(config_load(&cfg, path), code);
    snprintf(want, sizeof(want), "%s:%s", path, msg);
    assert_string_equal(nsc_error_last(), want);
    /* nothing of the file stayed */
    assert_null(cfg.out_dir);
    assert_int_equal(cfg.n_years, 0);
    assert_true(cfg.rate == 1.0);
    config_release(&cfg);
    unlink(path);
}

static void loads_every_key(void **state)
{
    struct config cfg;

    (void)state;
    config_init(&cfg);
    write_file("# a comment\n"
               "years: [2023, 2024]\n"
               "out: /var/lib/nipscope\n"
               "rules: /usr/share/nipscope/rules\n"
               "interval: 1h30m\n"
               "politeness:\n"
               "  rate: 0.5\n"
               "  concurrency: 3\n"
               "  connect_timeout: 15s\n"
               "  timeout: 2m\n"
               "  max_body: 1048576\n"
               "user_agent: test-bot/1.0\n"
               "contact: https://example.org/bot\n"
               "sites:\n"
               "  proceedings: http://127.0.0.1:8080\n"
               "  virtual: https://v.example\n"
               "policies: [default, strict]\n");
    assert_int_equal(config_load(&cfg, path), 0);
    assert_int_equal(cfg.n_years, 2);
    assert_int_equal(cfg.years[0], 2023);
    assert_int_equal(cfg.years[1], 2024);
    assert_int_equal(cfg.last_n, 0);
    assert_string_equal(cfg.out_dir, "/var/lib/nipscope");
    assert_string_equal(cfg.rules_dir, "/usr/share/nipscope/rules");
    assert_int_equal(cfg.interval_s, 5400);
    assert_true(cfg.rate == 0.5);
    assert_int_equal(cfg.concurrency, 3);
    assert_int_equal(cfg.connect_timeout_s, 15);
    assert_int_equal(cfg.timeout_s, 120);
    assert_int_equal(cfg.max_body, 1048576);
    assert_string_equal(cfg.user_agent, "test-bot/1.0");
    assert_string_equal(cfg.contact, "https://example.org/bot");
    assert_string_equal(cfg.proceedings_url, "http://127.0.0.1:8080");
    assert_string_equal(cfg.virtual_url, "https://v.example");
    assert_int_equal(cfg.n_policies, 2);
    assert_string_equal(cfg.policies[0], "default");
    assert_string_equal(cfg.policies[1], "strict");
    assert_int_equal(cfg.set, CONFIG_SET_RATE | CONFIG_SET_CONCURRENCY |
                                  CONFIG_SET_CONNECT_TIMEOUT | CONFIG_SET_TIMEOUT |
                                  CONFIG_SET_MAX_BODY | CONFIG_SET_INTERVAL);
    config_release(&cfg);
    unlink(path);
}

static void defaults_and_last_n(void **state)
{
    struct config cfg;

    (void)state;
    config_init(&cfg);
    write_file("years: {last: 3}\n");
    assert_int_equal(config_load(&cfg, path), 0);
    assert_int_equal(cfg.last_n, 3);
    assert_int_equal(cfg.n_years, 0);
    assert_int_equal(cfg.interval_s, 86400);
    assert_true(cfg.rate == 1.0);
    assert_int_equal(cfg.concurrency, 2);
    assert_int_equal(cfg.connect_timeout_s, 10);
    assert_int_equal(cfg.timeout_s, 120);
    assert_int_equal(cfg.max_body, 32 << 20);
    assert_null(cfg.proceedings_url);
    assert_int_equal(cfg.set, 0);
    config_release(&cfg);
    unlink(path);

    config_init(&cfg);
    write_file(""); /* an empty file is every default */
    assert_int_equal(config_load(&cfg, path), 0);
    assert_int_equal(cfg.interval_s, 86400);
    config_release(&cfg);
    unlink(path);
}

static void unknown_keys(void **state)
{
    (void)state;
    expect_error("years: [2024]\nouts: x\n", NSC_EPARSE,
                 "2:1: unknown key 'outs' in the configuration");
    expect_error("politeness:\n  speed: 3\n", NSC_EPARSE, "2:3: unknown key 'speed' in politeness");
    expect_error("sites:\n  virtual: https://a\n  proc: https://b\n", NSC_EPARSE,
                 "3:3: unknown key 'proc' in sites");
    expect_error("out: a\nout: b\n", NSC_EPARSE, "2:1: key 'out' is given twice");
}

static void wrong_types(void **state)
{
    (void)state;
    expect_error("out: [a]\n", NSC_EPARSE, "1:6: out: expected a scalar, got a list");
    expect_error("politeness: 3\n", NSC_EPARSE,
                 "1:13: politeness: expected a mapping, got a scalar");
    expect_error("politeness:\n  concurrency: many\n", NSC_EPARSE,
                 "2:16: concurrency: 'many' is not an integer");
    expect_error("politeness:\n  rate: fast\n", NSC_EPARSE, "2:9: rate: 'fast' is not a number");
    expect_error("policies: strict\n", NSC_EPARSE, "1:11: policies: expected a list, got a scalar");
    expect_error("years: 2024\n", NSC_EPARSE,
                 "1:8: years: expected a list or 'last: N', got a scalar");
    expect_error("years: {first: 2}\n", NSC_EPARSE, "1:9: years: expected a list or 'last: N'");
    expect_error("- a\n- b\n", NSC_EPARSE,
                 "1:1: the configuration: expected a mapping, got a list");
    expect_error("out:\n", NSC_EPARSE, "1:5: out: expected a value");
}

static void bad_values(void **state)
{
    (void)state;
    expect_error("politeness:\n  rate: -1\n", NSC_EINVAL,
                 "2:9: rate: -1 is not a rate from 0 to 1000");
    expect_error("politeness:\n  concurrency: 0\n", NSC_EINVAL,
                 "2:16: concurrency: 0 is not from 1 to 64");
    expect_error("interval: 24x\n", NSC_EINVAL,
                 "1:11: interval: '24x' is not an interval (digits and a unit s, m, h or d: "
                 "24h, 90m, 1h30m)");
    expect_error("politeness:\n  timeout: 0s\n", NSC_EINVAL,
                 "2:12: timeout: interval '0s' is zero");
    expect_error("sites:\n  virtual: ftp://x\n", NSC_EINVAL,
                 "2:12: virtual: 'ftp://x' is not an http:// or https:// URL");
    expect_error("contact: example.org\n", NSC_EINVAL,
                 "1:10: contact: 'example.org' is not an http:// or https:// URL");
    expect_error("years:\n  - 2024\n  - 2012\n", NSC_EINVAL,
                 "3:5: years: 2012 is not from 2013 to 2100");
    expect_error("years: [2024, 2101]\n", NSC_EINVAL, "1:15: years: 2101 is not from 2013 to 2100");
    expect_error("years: [2024, 2024]\n", NSC_EINVAL, "1:15: years: 2024 is listed twice");
    expect_error("years: {last: 0}\n", NSC_EINVAL, "1:15: years.last: 0 is not from 1 to 88");
    expect_error("user_agent: \"a\\r\\nX-Evil: 1\"\n", NSC_EINVAL,
                 "1:13: user_agent: contains a line break");
}

static void bad_yaml(void **state)
{
    (void)state;
    /* libyaml points at the ':' that cannot start a value there. */
    expect_error("out: a\n  b: c\n", NSC_EPARSE,
                 "2:4: mapping values are not allowed in this context");
}

/* 'len' bytes of 'text' (NUL bytes allowed) through config_load_text():
 * expect 'code' and "NAME:msg", with nothing of the text applied. */
static void expect_text_error(const char *text, size_t len, int code, const char *msg)
{
    struct config cfg;
    char want[512];

    config_init(&cfg);
    assert_int_equal(config_load_text(&cfg, "mem.yaml", text, len), code);
    snprintf(want, sizeof(want), "mem.yaml:%s", msg);
    assert_string_equal(nsc_error_last(), want);
    assert_null(cfg.out_dir);
    assert_null(cfg.rules_dir);
    config_release(&cfg);
}

/* Every malformed file fails with FILE:LINE:COL (worked out by hand from
 * the text; columns count characters), exit 65's codes, and nothing of it
 * applied: in particular a second document is an error, not ignored. */
static void malformed_files(void **state)
{
    static const char nul[] = "out: a\0b\n";
    static const char nul2[] = "out: a\nrules: \"\xc3\xa9t\xc3\xa9\0\"\n";
    struct buf deep = BUF_INIT;
    uint64_t t0;

    (void)state;
    /* "---" at line 2: the second document would have been ignored */
    expect_error("out: a\n---\nout: b\n", NSC_EPARSE, "2:1: only one YAML document is allowed");
    expect_error("out: a\n---\n", NSC_EPARSE, "2:1: only one YAML document is allowed");
    /* ... even when it is broken after a valid first one */
    expect_error("out: a\n---\n: : [\n", NSC_EPARSE, "2:1: only one YAML document is allowed");
    expect_error("out: a\n...\nout: b\n", NSC_EPARSE,
                 "3:1: did not find expected <document start>");
    /* the byte itself: "out: a" is 6 characters; "rules: \"" 8, then 3 */
    expect_text_error(nul, sizeof(nul) - 1, NSC_EPARSE, "1:7: control characters are not allowed");
    expect_text_error(nul2, sizeof(nul2) - 1, NSC_EPARSE,
                      "2:12: control characters are not allowed");
    expect_error("out: \xff\n", NSC_EPARSE, "1:6: invalid leading UTF-8 octet");
    expect_error("out: a\nrules: \"abc\n", NSC_EPARSE, "3:1: found unexpected end of stream");
    expect_error("politeness:\n\trate: 1\n", NSC_EPARSE,
                 "2:1: found character that cannot start any token");
    expect_error("out: \"a\\q\"\n", NSC_EPARSE, "1:8: found unknown escape character");
    expect_error("just text\n", NSC_EPARSE,
                 "1:1: the configuration: expected a mapping, got a scalar");
    expect_error("? [a]\n: b\n", NSC_EPARSE, "1:3: the configuration: a key must be a scalar");
    expect_error("politeness:\n  rate: 1\n  rate: 2\n", NSC_EPARSE,
                 "3:3: key 'rate' is given twice");
    /* 100,000 '[': refused at the 17th level (the mapping is the first, the
     * 16th '[' stands at column 13 + 15), and at once */
    buf_puts(&deep, "politeness: ");
    for (int i = 0; i < 100000; i++)
        buf_putc(&deep, '[');
    t0 = nsc_now_ms();
    expect_text_error(deep.ptr, deep.len, NSC_EPARSE, "1:28: nested deeper than 16 levels");
    assert_true(nsc_now_ms() - t0 < 2000);
    /* over the size cap: refused before parsing */
    buf_reset(&deep);
    buf_puts(&deep, "out: a\n");
    while (deep.len <= CONFIG_MAX_FILE)
        buf_puts(&deep, "# padding padding padding padding padding padding padding\n");
    expect_text_error(deep.ptr, deep.len, NSC_EINVAL,
                      " larger than 1048576 bytes: not a configuration file");
    buf_release(&deep);
}

/* Load 'text', print it, load the print: the same settings.  Returns the print. */
static char *round_trip(const char *text, struct config *back)
{
    struct config cfg;
    char *printed = NULL;
    size_t plen = 0;
    FILE *f;

    config_init(&cfg);
    assert_int_equal(config_load_text(&cfg, "in.yaml", text, strlen(text)), 0);
    f = open_memstream(&printed, &plen);
    assert_non_null(f);
    config_print(&cfg, f);
    assert_int_equal(fclose(f), 0);
    config_init(back);
    if (config_load_text(back, "printed.yaml", printed, plen) < 0)
        fail_msg("%s\n%s", nsc_error_last(), printed);
    config_release(&cfg);
    return printed;
}

/* config_print() (crawl --check) gives YAML that loads back to the same
 * settings: quotes, backslashes, control characters and line separators in
 * values are escaped, and a file with no site gives no empty 'sites:' (found
 * by fuzz_config's round-trip check). */
static void print_loads_back(void **state)
{
    struct config back;
    char *printed;

    (void)state;
    printed = round_trip("out: \"a \\\"b\\\" \\\\ c\\td\\x01e\\u0085f\\u2028g\"\n"
                         "policies: [\"x\\\"y\"]\n",
                         &back);
    assert_string_equal(back.out_dir, "a \"b\" \\ c\td\x01"
                                      "e\xc2\x85"
                                      "f\xe2\x80\xa8g");
    assert_int_equal(back.n_policies, 1);
    assert_string_equal(back.policies[0], "x\"y");
    config_release(&back);
    free(printed);
    printed = round_trip("", &back);
    assert_null(back.proceedings_url);
    assert_non_null(strstr(printed, "# sites:\n#   proceedings: https://proceedings.neurips.cc\n"));
    config_release(&back);
    free(printed);
    printed = round_trip("sites: {virtual: \"http://127.0.0.1:9\"}\n", &back);
    assert_string_equal(back.virtual_url, "http://127.0.0.1:9");
    assert_non_null(strstr(printed, "sites:\n  # proceedings: https://proceedings.neurips.cc\n"
                                    "  virtual: \"http://127.0.0.1:9\"\n"));
    config_release(&back);
    free(printed);
}

static void failed_load_keeps_the_old_settings(void **state)
{
    struct config cfg;

    (void)state;
    config_init(&cfg);
    write_file("out: /first\n");
    assert_int_equal(config_load(&cfg, path), 0);
    unlink(path);
    write_file("out: /second\nrules: /r\npolitenes:\n  rate: 5\n");
    assert_int_equal(config_load(&cfg, path), NSC_EPARSE);
    assert_string_equal(cfg.out_dir, "/first");
    assert_null(cfg.rules_dir);
    config_release(&cfg);
    unlink(path);

    config_init(&cfg);
    assert_int_equal(config_load(&cfg, "/nonexistent/nipscope.yaml"), NSC_ENOTFOUND);
    assert_string_equal(nsc_error_last(), "/nonexistent/nipscope.yaml: No such file or directory");
    config_release(&cfg);
}

/* Policy names are checked against a rule set after the load, where they stand. */
static void policies_against_the_rules(void **state)
{
    struct classify_rules *rules = NULL;
    struct config cfg;
    char want[512];

    (void)state;
    assert_int_equal(classify_rules_load(&rules, NSC_FIXTURES_DIR "/rules/good", NULL), 0);
    config_init(&cfg);
    write_file("policies:\n  - default\n  - strict\n");
    assert_int_equal(config_load(&cfg, path), 0);
    assert_int_equal(config_check_policies(&cfg, rules), 0);
    unlink(path);
    write_file("out: x\npolicies: [default, nosuch]\n");
    assert_int_equal(config_load(&cfg, path), 0); /* the loader knows no rules */
    assert_int_equal(config_check_policies(&cfg, rules), NSC_EINVAL);
    snprintf(want, sizeof(want), "%s:2:21: policies: no policy 'nosuch' in the rules", path);
    assert_string_equal(nsc_error_last(), want);
    config_release(&cfg);
    classify_rules_free(rules);
    unlink(path);
}

/* crawl --fulltext / --keep-pdf from the file: true or false only. */
static void fulltext_keys(void **state)
{
    struct config cfg;

    (void)state;
    config_init(&cfg);
    assert_int_equal(cfg.fulltext, 0);
    assert_int_equal(cfg.keep_pdf, 0);
    write_file("fulltext: true\nkeep_pdf: true\n");
    assert_int_equal(config_load(&cfg, path), 0);
    assert_int_equal(cfg.fulltext, 1);
    assert_int_equal(cfg.keep_pdf, 1);
    unlink(path);
    write_file("fulltext: false\n");
    assert_int_equal(config_load(&cfg, path), 0);
    assert_int_equal(cfg.fulltext, 0);
    assert_int_equal(cfg.keep_pdf, 1); /* a key the file does not give keeps its value */
    unlink(path);
    config_release(&cfg);
    expect_error("out: x\nfulltext: yes\n", NSC_EPARSE,
                 "2:11: fulltext: 'yes' is not true or false");
    expect_error("keep_pdf: [true]\n", NSC_EPARSE, "1:11: keep_pdf: expected a scalar, got a list");
}

static void intervals(void **state)
{
    unsigned v = 7;

    (void)state;
    assert_int_equal(config_parse_interval(&v, "90m"), 0);
    assert_int_equal(v, 5400);
    assert_int_equal(config_parse_interval(&v, "24h"), 0);
    assert_int_equal(v, 86400);
    assert_int_equal(config_parse_interval(&v, "1d2h3m4s"), 0);
    assert_int_equal(v, 86400 + 7200 + 180 + 4);
    assert_int_equal(config_parse_interval(&v, "365d"), 0);
    assert_int_equal(v, 365 * 86400);
    v = 7;
    assert_int_equal(config_parse_interval(&v, "366d"), NSC_EINVAL);
    assert_int_equal(config_parse_interval(&v, "10"), NSC_EINVAL);
    assert_int_equal(config_parse_interval(&v, "h"), NSC_EINVAL);
    assert_int_equal(config_parse_interval(&v, "-5m"), NSC_EINVAL);
    assert_int_equal(config_parse_interval(&v, ""), NSC_EINVAL);
    assert_int_equal(config_parse_interval(&v, "0m"), NSC_EINVAL);
    assert_int_equal(config_parse_interval(&v, "99999999999999999999s"), NSC_EINVAL);
    assert_int_equal(v, 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_every_key),
        cmocka_unit_test(defaults_and_last_n),
        cmocka_unit_test(unknown_keys),
        cmocka_unit_test(wrong_types),
        cmocka_unit_test(bad_values),
        cmocka_unit_test(bad_yaml),
        cmocka_unit_test(malformed_files),
        cmocka_unit_test(print_loads_back),
        cmocka_unit_test(failed_load_keeps_the_old_settings),
        cmocka_unit_test(policies_against_the_rules),
        cmocka_unit_test(intervals),
        cmocka_unit_test(fulltext_keys),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
