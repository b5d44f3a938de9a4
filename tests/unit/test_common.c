/* test_common.c - the buffer, error slot, file helpers and UTF-8 check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void buf_cstr_is_never_null(void **state)
{
    struct buf b = BUF_INIT;

    (void)state;
    assert_non_null(buf_cstr(&b));
    assert_string_equal(buf_cstr(&b), "");
    buf_release(&b);
}

static void buf_appends_and_stays_terminated(void **state)
{
    struct buf b = BUF_INIT;

    (void)state;
    buf_puts(&b, "abc");
    buf_putc(&b, '-');
    buf_appendf(&b, "%d/%s", 42, "x");
    assert_int_equal(b.len, 8);
    assert_string_equal(b.ptr, "abc-42/x");
    assert_int_equal(b.ptr[b.len], '\0');
    buf_truncate(&b, 3);
    assert_string_equal(buf_cstr(&b), "abc");
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_true(b.cap > 0); /* reset keeps the allocation */
    buf_release(&b);
    assert_null(b.ptr);
}

static void buf_appendf_grows_past_first_guess(void **state)
{
    struct buf b = BUF_INIT;
    char big[5000];

    (void)state;
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    buf_appendf(&b, "<%s>", big);
    assert_int_equal(b.len, sizeof(big) + 1);
    assert_int_equal(b.ptr[0], '<');
    assert_int_equal(b.ptr[b.len - 1], '>');
    buf_release(&b);
}

static void detach_transfers_ownership(void **state)
{
    struct buf b = BUF_INIT;
    size_t len;
    char *p;

    (void)state;
    buf_puts(&b, "hello");
    p = buf_detach(&b, &len);
    assert_int_equal(len, 5);
    assert_string_equal(p, "hello");
    assert_null(b.ptr);
    assert_int_equal(b.len, 0);
    free(p);
    p = buf_detach(&b, NULL); /* an empty buffer detaches as "" */
    assert_string_equal(p, "");
    free(p);
}

static void attach_takes_over_without_copying(void **state)
{
    struct buf b = BUF_INIT;
    char *p = xmalloc(8);

    (void)state;
    memcpy(p, "abc", 4);
    buf_puts(&b, "old"); /* freed by the attach */
    buf_attach(&b, p, 3, 8);
    assert_ptr_equal(b.ptr, p);
    assert_int_equal(b.len, 3);
    assert_string_equal(buf_cstr(&b), "abc");
    buf_puts(&b, "defghij"); /* grows past the 8 bytes given */
    assert_string_equal(buf_cstr(&b), "abcdefghij");
    buf_release(&b);
}

static void error_set_returns_code_and_keeps_message(void **state)
{
    (void)state;
    assert_int_equal(nsc_error_set(NSC_EPARSE, "bad '%s' at %d", "x", 3), NSC_EPARSE);
    assert_string_equal(nsc_error_last(), "bad 'x' at 3");
    assert_int_equal(nsc_error_prefix(NSC_EPARSE, "file.yaml:%d:%d", 1, 2), NSC_EPARSE);
    assert_string_equal(nsc_error_last(), "file.yaml:1:2: bad 'x' at 3");
    nsc_error_clear();
    assert_string_equal(nsc_error_last(), "");
}

static void file_replace_then_read_round_trips(void **state)
{
    char dir[] = "/tmp/nsc-test-XXXXXX";
    char path[64];
    struct buf b = BUF_INIT;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/f.json", dir);
    assert_int_equal(nsc_file_replace(path, "one", 3), 0);
    assert_int_equal(nsc_file_replace(path, "second", 6), 0);
    assert_int_equal(nsc_file_read(&b, path, 100), 0);
    assert_string_equal(buf_cstr(&b), "second");
    buf_reset(&b);
    assert_int_equal(nsc_file_read(&b, path, 3), NSC_ELIMIT);
    assert_int_equal(b.len, 0); /* a failed read appends nothing */
    unlink(path);
    assert_int_equal(nsc_file_read(&b, path, 100), NSC_ENOTFOUND);
    assert_non_null(strstr(nsc_error_last(), path));
    rmdir(dir);
    buf_release(&b);
}

static void utf8_validation(void **state)
{
    (void)state;
    assert_true(nsc_utf8_valid("plain", 5));
    assert_true(nsc_utf8_valid("Z\xc3\xbcrich \xe5\x8c\x97\xe4\xba\xac", 14));
    assert_true(nsc_utf8_valid("\xf0\x9f\x98\x80", 4));
    assert_false(nsc_utf8_valid("\xc3", 1));             /* truncated */
    assert_false(nsc_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
    assert_false(nsc_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(nsc_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_false(nsc_utf8_valid("a\xff", 2));
}

static void utf8_decode_gives_code_point_and_length(void **state)
{
    size_t n;

    (void)state;
    assert_int_equal(nsc_utf8_decode("A", 1, &n), 0x41);
    assert_int_equal(n, 1);
    assert_int_equal(nsc_utf8_decode("\xc3\xa9", 2, &n), 0xE9); /* e acute */
    assert_int_equal(n, 2);
    assert_int_equal(nsc_utf8_decode("\xe5\x8c\x97x", 4, &n), 0x5317); /* bei (north) */
    assert_int_equal(n, 3);
    assert_int_equal(nsc_utf8_decode("\xf0\x9f\x98\x80", 4, &n), 0x1F600);
    assert_int_equal(n, 4);
    assert_int_equal(nsc_utf8_decode("\xe5\x8c", 2, &n), -1); /* truncated */
    assert_int_equal(n, 1);
    assert_int_equal(nsc_utf8_decode("\xc0\xaf", 2, &n), -1); /* overlong */
    assert_int_equal(nsc_utf8_decode("\x80", 1, &n), -1);     /* lone continuation */
}

static void case_insensitive_compare(void **state)
{
    (void)state;
    assert_int_equal(nsc_strcasecmp("ETag", "etag"), 0);
    assert_true(nsc_strcasecmp("a", "b") < 0);
    assert_int_equal(nsc_strncasecmp("Retry-After: 5", "retry-after", 11), 0);
    assert_true(nsc_starts_with("https://x", "https://"));
    assert_false(nsc_starts_with("http", "https"));
}

/* nsc_file_name(): --keep-pdf names files by paper id, whatever it holds. */
static void file_names_stay_in_their_directory(void **state)
{
    static const char *const hostile[] = {
        "../../etc/passwd", "..", ".", "", "a/b", "/abs", "x\\y", "id with spaces\n",
        "\xc3\xa9t\xc3\xa9"
    };
    char *n, *m;

    (void)state;
    n = nsc_file_name("0123456789abcdef0123456789abcdef");
    assert_string_equal(n, "0123456789abcdef0123456789abcdef"); /* a real id is kept */
    free(n);
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        n = nsc_file_name(hostile[i]);
        assert_true(strlen(n) > 0 && strlen(n) <= 100 + 17);
        assert_null(strchr(n, '/'));
        assert_null(strchr(n, '.'));
        for (const char *c = n; *c; c++)
            assert_true((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                        (*c >= '0' && *c <= '9') || *c == '-' || *c == '_');
        free(n);
    }
    /* Two ids that sanitise alike still get two names. */
    n = nsc_file_name("a/b");
    m = nsc_file_name("a.b");
    assert_memory_equal(n, "a_b-", 4);
    assert_string_not_equal(n, m);
    free(n);
    free(m);
}

/* nsc_text_position(): line and column (characters, from 1) of a byte offset. */
static void text_position_of_an_offset(void **state)
{
    static const char t[] = "ab\n\xc3\xa9t\xc3\xa9X\n";
    size_t line = 0, col = 0;

    (void)state;
    nsc_text_position(t, sizeof(t) - 1, 0, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 1);
    nsc_text_position(t, sizeof(t) - 1, 2, &line, &col); /* the newline */
    assert_int_equal(line, 1);
    assert_int_equal(col, 3);
    nsc_text_position(t, sizeof(t) - 1, 8, &line, &col); /* 'X': after 3 characters */
    assert_int_equal(line, 2);
    assert_int_equal(col, 4);
    nsc_text_position(t, sizeof(t) - 1, 1000, &line, &col); /* past the end: the end */
    assert_int_equal(line, 3);
    assert_int_equal(col, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buf_cstr_is_never_null),
        cmocka_unit_test(buf_appends_and_stays_terminated),
        cmocka_unit_test(buf_appendf_grows_past_first_guess),
        cmocka_unit_test(detach_transfers_ownership),
        cmocka_unit_test(attach_takes_over_without_copying),
        cmocka_unit_test(error_set_returns_code_and_keeps_message),
        cmocka_unit_test(file_replace_then_read_round_trips),
        cmocka_unit_test(utf8_validation),
        cmocka_unit_test(utf8_decode_gives_code_point_and_length),
        cmocka_unit_test(case_insensitive_compare),
        cmocka_unit_test(file_names_stay_in_their_directory),
        cmocka_unit_test(text_position_of_an_offset),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
