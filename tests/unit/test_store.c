/* test_store.c - records file, lock, summary, state DB, kill -9 resume, full disk. */
#define _GNU_SOURCE /* unshare(), CLONE_NEWNS */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common.h"
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define YEAR 2024
/* a body past the store's streaming threshold (256 KiB) */
#define STORE_TEST_BIG ((size_t)300 * 1024)

/* ---- helpers ----------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* A fresh empty directory; free with rm_tree(). */
static char *make_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *d = xasprintf("%s/nsc-store-XXXXXX", base && *base ? base : "/tmp");

    if (!mkdtemp(d))
        fail_msg("mkdtemp '%s': %s", d, strerror(errno));
    return d;
}

static void rm_tree(char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

static char *records_path(const char *dir)
{
    return xasprintf("%s/neurips-%d.jsonl", dir, YEAR);
}

static void read_file(struct buf *out, const char *path)
{
    buf_reset(out);
    if (nsc_file_read(out, path, 64 << 20) < 0)
        fail_msg("%s", nsc_error_last());
    buf_grow(out, 0);
}

static void write_file(const char *path, const char *data, int append)
{
    FILE *f = fopen(path, append ? "a" : "w");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, strlen(data), f), strlen(data));
    assert_int_equal(fclose(f), 0);
}

static json_t *rec(const char *id, const char *title)
{
    return json_pack("{s:s, s:s}", "id", id, "title", title);
}

static void put(struct store *st, const char *id, const char *title)
{
    json_t *r = rec(id, title);

    if (store_put(st, r) < 0)
        fail_msg("store_put: %s", nsc_error_last());
    json_decref(r);
}

static struct store *open_ok(const char *dir)
{
    struct store *st;

    if (store_open(&st, dir, YEAR, 0) < 0)
        fail_msg("store_open: %s", nsc_error_last());
    return st;
}

/* The "title" of record 'id', as a new string, or NULL if there is none. */
static char *title_of(struct store *st, const char *id)
{
    json_t *r;
    char *t;

    if (store_get(&r, st, id) < 0)
        return NULL;
    t = xstrdup(json_string_value(json_object_get(r, "title")));
    json_decref(r);
    return t;
}

static void assert_title(struct store *st, const char *id, const char *want)
{
    char *t = title_of(st, id);

    assert_non_null(t);
    assert_string_equal(t, want);
    free(t);
}

/* In forked children cmocka cannot report: print and exit with a code. */
#define CHILD_CHECK(cond, code)                                                                    \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "child: %s:%d: check failed: %s (%s)\n", __FILE__, __LINE__, #cond,    \
                    nsc_error_last());                                                             \
            _exit(code);                                                                           \
        }                                                                                          \
    } while (0)

/*
 * Run this test binary again as a child in 'mode' (see main()).  The child
 * is exec'd rather than only forked so it owns no copy of the parent's
 * sqlite connections, and so it runs natively when the parent runs under
 * valgrind (which does not follow exec by default).  Under valgrind
 * /proc/self/exe is valgrind itself, so main() records argv[0] resolved.
 */
static char self_path[4096] = "/proc/self/exe";

static pid_t spawn_child(const char *mode, const char *a1, const char *a2)
{
    pid_t pid;

    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execl(self_path, "test_store", mode, a1, a2, (char *)NULL);
        fprintf(stderr, "child: cannot exec '%s': %s\n", self_path, strerror(errno));
        _exit(127);
    }
    return pid;
}

/* ---- records ----------------------------------------------------------- */

static void put_then_reopen_keeps_records(void **state)
{
    char *dir = make_tmpdir();
    char *path = records_path(dir);
    struct buf b = BUF_INIT;
    struct store *st = open_ok(dir);

    (void)state;
    put(st, "b", "first b");
    put(st, "a", "only a");
    put(st, "b", "second b"); /* an update: the last line wins */
    assert_int_equal(store_count(st), 2);
    assert_title(st, "b", "second b");
    assert_int_equal(store_has(st, "a"), 1);
    assert_int_equal(store_has(st, "zz"), 0);
    store_free(st);

    /* Three lines on disk, written in order, compact with sorted keys. */
    read_file(&b, path);
    assert_string_equal(b.ptr, "{\"id\":\"b\",\"title\":\"first b\"}\n"
                               "{\"id\":\"a\",\"title\":\"only a\"}\n"
                               "{\"id\":\"b\",\"title\":\"second b\"}\n");

    st = open_ok(dir);
    assert_int_equal(store_count(st), 2);
    assert_title(st, "b", "second b");
    assert_title(st, "a", "only a");
    {
        json_t *r;

        assert_int_equal(store_get(&r, st, "missing"), NSC_ENOTFOUND);
        assert_null(r);
    }
    store_free(st);
    buf_release(&b);
    free(path);
    rm_tree(dir);
}

/*
 * store_put() dumps into a buffer it keeps from one line to the next and
 * dumps again when a line does not fit: lines of every length around the
 * first room (4,096 bytes), long ones, and short ones after long ones must
 * each be jansson's own compact, sorted dump of the record.
 */
static void put_lines_of_every_size(void **state)
{
    static const size_t sizes[] = { 0, 5000, 3, 20000, 1, 70000, 2 };
    char *dir = make_tmpdir();
    char *path = records_path(dir);
    struct store *st = open_ok(dir);
    struct buf want = BUF_INIT, got = BUF_INIT;
    char *title = xmalloc(70001);
    size_t k = 0;

    (void)state;
    for (size_t i = 0; i < 140 + NSC_ARRAY_SIZE(sizes); i++) {
        size_t n = i < 140 ? 4000 + i : sizes[i - 140];
        char id[32];
        json_t *r;
        char *line;

        /* a new letter each line: a byte left from the last one would show */
        memset(title, 'a' + (int)(k % 26), n);
        title[n] = '\0';
        snprintf(id, sizeof(id), "p%05zu", k++);
        r = rec(id, title);
        if (store_put(st, r) < 0)
            fail_msg("store_put: %s", nsc_error_last());
        /* after the put, so the store's buffer never reuses this text's memory */
        line = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS);
        assert_non_null(line);
        buf_puts(&want, line);
        buf_putc(&want, '\n');
        free(line);
        json_decref(r);
    }
    store_free(st);
    read_file(&got, path);
    assert_int_equal(got.len, want.len);
    assert_memory_equal(got.ptr, want.ptr, want.len);
    buf_release(&want);
    buf_release(&got);
    free(title);
    free(path);
    rm_tree(dir);
}

static void put_rejects_record_without_id(void **state)
{
    char *dir = make_tmpdir();
    struct store *st = open_ok(dir);
    json_t *r = json_pack("{s:s}", "title", "no id");
    json_t *r2 = json_pack("{s:i}", "id", 7);

    (void)state;
    assert_int_equal(store_put(st, r), NSC_EINVAL);
    assert_non_null(strstr(nsc_error_last(), "\"id\""));
    assert_int_equal(store_put(st, r2), NSC_EINVAL);
    assert_int_equal(store_count(st), 0);
    json_decref(r);
    json_decref(r2);
    store_free(st);
    rm_tree(dir);
}

static void torn_last_line_is_cut_off(void **state)
{
    char *dir = make_tmpdir();
    char *path = records_path(dir);
    struct buf b = BUF_INIT;
    struct store *st = open_ok(dir);
    const char *whole = "{\"id\":\"a\",\"title\":\"A\"}\n"
                        "{\"id\":\"b\",\"title\":\"B\"}\n";

    (void)state;
    put(st, "a", "A");
    put(st, "b", "B");
    store_free(st);

    /* Half a line, no newline: an append interrupted by a crash. */
    write_file(path, "{\"id\":\"c\",\"tit", 1);
    st = open_ok(dir);
    assert_int_equal(store_count(st), 2);
    assert_int_equal(store_has(st, "c"), 0);
    read_file(&b, path);
    assert_string_equal(b.ptr, whole);
    /* Appending after the repair continues on a clean line boundary. */
    put(st, "c", "C");
    store_free(st);

    /* A last line with a newline that is not JSON is torn too. */
    write_file(path, "{\"id\":\"d\",\n", 1);
    st = open_ok(dir);
    assert_int_equal(store_count(st), 3);
    assert_title(st, "c", "C");
    assert_int_equal(store_has(st, "d"), 0);
    store_free(st);
    read_file(&b, path);
    assert_string_equal(b.ptr, "{\"id\":\"a\",\"title\":\"A\"}\n"
                               "{\"id\":\"b\",\"title\":\"B\"}\n"
                               "{\"id\":\"c\",\"title\":\"C\"}\n");
    buf_release(&b);
    free(path);
    rm_tree(dir);
}

static void invalid_middle_line_is_an_error_with_line_number(void **state)
{
    char *dir = make_tmpdir();
    char *path = records_path(dir);
    struct buf b = BUF_INIT;
    struct store *st;
    const char *bad = "{\"id\":\"a\"}\n"
                      "{\"id\":\"b\"}\n"
                      "{\"id\": oops}\n"
                      "{\"id\":\"c\"}\n";
    const char *notrec = "{\"id\":\"a\"}\n"
                         "[1,2]\n"
                         "{\"id\":\"c\"}\n";

    (void)state;
    write_file(path, bad, 0);
    assert_int_equal(store_open(&st, dir, YEAR, 0), NSC_EPARSE);
    assert_null(st);
    assert_non_null(strstr(nsc_error_last(), path));
    assert_non_null(strstr(nsc_error_last(), "line 3"));
    /* Nothing was dropped or cut. */
    read_file(&b, path);
    assert_string_equal(b.ptr, bad);

    write_file(path, notrec, 0);
    assert_int_equal(store_open(&st, dir, YEAR, 0), NSC_EPARSE);
    assert_non_null(strstr(nsc_error_last(), "line 2"));
    assert_non_null(strstr(nsc_error_last(), "not a record"));
    read_file(&b, path);
    assert_string_equal(b.ptr, notrec);

    /* At the end too: whole JSON that is not a record is not a torn write. */
    write_file(path, "{\"id\":\"a\"}\n{\"title\":\"no id\"}\n", 0);
    assert_int_equal(store_open(&st, dir, YEAR, 0), NSC_EPARSE);
    assert_non_null(strstr(nsc_error_last(), "line 2"));
    read_file(&b, path);
    assert_string_equal(b.ptr, "{\"id\":\"a\"}\n{\"title\":\"no id\"}\n");
    buf_release(&b);
    free(path);
    rm_tree(dir);
}

static void finish_sorts_and_is_byte_identical(void **state)
{
    char *d1 = make_tmpdir(), *d2 = make_tmpdir();
    char *p1 = records_path(d1), *p2 = records_path(d2);
    struct buf b1 = BUF_INIT, b2 = BUF_INIT;
    struct store *s1 = open_ok(d1), *s2 = open_ok(d2);
    json_t *r;
    char *t;

    (void)state;
    /* Same final records, different order, different key order, an update. */
    r = json_pack("{s:s, s:i, s:s}", "z", "\xc3\xa9t\xc3\xa9", "n", 3, "id", "k2");
    store_put(s1, r);
    json_decref(r);
    put(s1, "k1", "old");
    put(s1, "k3", "three");
    put(s1, "k1", "one");

    put(s2, "k3", "three");
    put(s2, "k1", "one");
    r = json_pack("{s:s, s:s, s:i}", "id", "k2", "z", "\xc3\xa9t\xc3\xa9", "n", 3);
    store_put(s2, r);
    json_decref(r);

    assert_int_equal(store_finish(s1), 0);
    assert_int_equal(store_finish(s2), 0);
    read_file(&b1, p1);
    read_file(&b2, p2);
    assert_int_equal(b1.len, b2.len);
    assert_memory_equal(b1.ptr, b2.ptr, b1.len);
    /* Written by hand: sorted ids, sorted keys, UTF-8 kept as is. */
    assert_string_equal(b1.ptr, "{\"id\":\"k1\",\"title\":\"one\"}\n"
                                "{\"id\":\"k2\",\"n\":3,\"z\":\"\xc3\xa9t\xc3\xa9\"}\n"
                                "{\"id\":\"k3\",\"title\":\"three\"}\n");

    /* The store keeps working on the new file, in memory and after reopen. */
    assert_title(s1, "k3", "three");
    put(s1, "k0", "zero");
    store_free(s1);
    store_free(s2);
    s1 = open_ok(d1);
    assert_int_equal(store_count(s1), 4);
    assert_title(s1, "k0", "zero");
    t = title_of(s1, "k1");
    assert_string_equal(t, "one");
    free(t);
    store_free(s1);

    buf_release(&b1);
    buf_release(&b2);
    free(p1);
    free(p2);
    rm_tree(d1);
    rm_tree(d2);
}

static int collect_ids(const char *id, json_t *record, void *payload)
{
    struct buf *b = payload;

    assert_string_equal(json_string_value(json_object_get(record, "id")), id);
    buf_appendf(b, "%s,", id);
    return 0;
}

/* store_finish() copies the lines store_put() dumped and dumps again only
 * those it did not write (an older version's, a hand-edited file's); both
 * come out in the one canonical form. */
static void finish_copies_its_own_lines_and_redumps_others(void **state)
{
    char *dir = make_tmpdir();
    char *path = records_path(dir);
    struct buf b = BUF_INIT;
    struct store *st;

    (void)state;
    /* Not canonical: spaces, unsorted keys, \u escapes. */
    write_file(path,
               "{ \"title\": \"h\\u00e9llo\", \"id\": \"c3\" }\n"
               "{\"z\":1,  \"id\":\"c1\",\"a\":[ 1, 2 ]}\n",
               0);
    st = open_ok(dir);
    put(st, "c2", "two");
    put(st, "c0", "zero");
    assert_int_equal(store_finish(st), 0);
    read_file(&b, path);
    assert_string_equal(b.ptr, "{\"id\":\"c0\",\"title\":\"zero\"}\n"
                               "{\"a\":[1,2],\"id\":\"c1\",\"z\":1}\n"
                               "{\"id\":\"c2\",\"title\":\"two\"}\n"
                               "{\"id\":\"c3\",\"title\":\"h\xc3\xa9llo\"}\n");
    /* A second finish copies every line: same bytes with one more. */
    put(st, "c1", "one");
    assert_int_equal(store_finish(st), 0);
    read_file(&b, path);
    assert_string_equal(b.ptr, "{\"id\":\"c0\",\"title\":\"zero\"}\n"
                               "{\"id\":\"c1\",\"title\":\"one\"}\n"
                               "{\"id\":\"c2\",\"title\":\"two\"}\n"
                               "{\"id\":\"c3\",\"title\":\"h\xc3\xa9llo\"}\n");
    store_free(st);
    st = open_ok(dir);
    assert_int_equal(store_count(st), 4);
    assert_title(st, "c3", "h\xc3\xa9llo");
    store_free(st);
    buf_release(&b);
    free(path);
    rm_tree(dir);
}

static int not_m(const char *id, void *payload)
{
    (void)payload;
    return strcmp(id, "m") != 0;
}

static void foreach_visits_in_id_order(void **state)
{
    char *dir = make_tmpdir();
    struct store *st = open_ok(dir);
    struct buf b = BUF_INIT;

    (void)state;
    put(st, "m", "x");
    put(st, "c", "x");
    put(st, "x", "x");
    put(st, "c", "y");
    assert_int_equal(store_foreach(st, collect_ids, &b), 0);
    assert_string_equal(buf_cstr(&b), "c,m,x,");
    /* Selected: the others are skipped before they are read. */
    buf_reset(&b);
    assert_int_equal(store_foreach_selected(st, not_m, collect_ids, &b), 0);
    assert_string_equal(buf_cstr(&b), "c,x,");
    buf_release(&b);
    store_free(st);
    rm_tree(dir);
}

static void finish_rewrites_5000_records(void **state)
{
    char *dir = make_tmpdir();
    struct store *st;
    char id[32], pad[201];
    size_t k;

    (void)state;
    memset(pad, 'p', sizeof(pad) - 1);
    pad[sizeof(pad) - 1] = '\0';
    if (store_open(&st, dir, YEAR, STORE_F_NOSYNC) < 0)
        fail_msg("%s", nsc_error_last());
    for (k = 0; k < 5000; k++) {
        snprintf(id, sizeof(id), "%08zx", (k * 2654435761u) % 100003);
        put(st, id, pad);
    }
    assert_int_equal(store_finish(st), 0);
    assert_int_equal(store_count(st), 5000);
    store_free(st);
    st = open_ok(dir);
    assert_int_equal(store_count(st), 5000);
    store_free(st);
    rm_tree(dir);
}

/* ---- lock -------------------------------------------------------------- */

/* Child: open 'dir', expecting the lock held by 'holder'. */
NSC_NORETURN static void lock_child(const char *dir, const char *holder)
{
    struct store *other = NULL;
    char *want = xasprintf("'%s' is in use by another nipscope (pid %s)", dir, holder);
    int err = store_open(&other, dir, YEAR, 0);

    CHILD_CHECK(err == NSC_ELOCKED, 2);
    CHILD_CHECK(other == NULL, 3);
    CHILD_CHECK(!strcmp(nsc_error_last(), want), 4);
    free(want);
    _exit(0);
}

static void second_opener_gets_elocked(void **state)
{
    char *dir = make_tmpdir();
    struct store *st = open_ok(dir);
    struct store *again;
    char pidstr[32];
    int status;
    pid_t pid;

    (void)state;
    snprintf(pidstr, sizeof(pidstr), "%ld", (long)getpid());
    pid = spawn_child("lock", dir, pidstr);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    /* In the same process too: flock() is per open file. */
    assert_int_equal(store_open(&again, dir, YEAR, 0), NSC_ELOCKED);
    assert_non_null(strstr(nsc_error_last(), "is in use by another nipscope (pid "));
    store_free(st);
    /* Released with the store: opening works again. */
    st = open_ok(dir);
    store_free(st);
    rm_tree(dir);
}

/* ---- summary ----------------------------------------------------------- */

static void summary_is_replaced_whole(void **state)
{
    char *dir = make_tmpdir();
    char *path = xasprintf("%s/neurips-%d.summary.json", dir, YEAR);
    struct store *st = open_ok(dir);
    struct buf b = BUF_INIT;
    json_t *s;
    DIR *dh;
    struct dirent *de;

    (void)state;
    s = json_pack("{s:[i,i], s:i}", "b", 1, 2, "a", 1);
    assert_int_equal(store_write_summary(st, s), 0);
    json_decref(s);
    read_file(&b, path);
    assert_string_equal(b.ptr, "{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ]\n}\n");

    s = json_pack("{s:s}", "papers", "\xe2\x80\x93");
    assert_int_equal(store_write_summary(st, s), 0);
    json_decref(s);
    read_file(&b, path);
    assert_string_equal(b.ptr, "{\n  \"papers\": \"\xe2\x80\x93\"\n}\n");

    /* No temporary file is left beside it. */
    dh = opendir(dir);
    assert_non_null(dh);
    while ((de = readdir(dh))) {
        if (strstr(de->d_name, ".tmp"))
            fail_msg("temporary file left: %s", de->d_name);
    }
    closedir(dh);
    store_free(st);
    buf_release(&b);
    free(path);
    rm_tree(dir);
}

/* ---- state DB ---------------------------------------------------------- */

/* Put 'len' bytes (a pattern with NUL bytes, seeded by 'seed') as the body
 * of 'url', then check that the DB gives exactly them back. */
static void put_and_check_body(struct store *st, const char *url, size_t len, unsigned seed)
{
    struct store_fetch f = { 0 }, g;
    char *body = malloc(len);

    assert_non_null(body);
    for (size_t i = 0; i < len; i++)
        body[i] = (char)((i * 7 + seed) % 251);
    f.url = (char *)url;
    f.status = 200;
    f.fetched_at = 1700000000 + seed;
    f.etag = "\"big\"";
    f.body = body;
    f.body_len = len;
    assert_int_equal(store_fetch_put(st, &f), 0);
    assert_int_equal(store_fetch_get(&g, st, url), 0);
    assert_int_equal(g.fetched_at, 1700000000 + seed);
    assert_int_equal(g.body_len, len);
    assert_memory_equal(g.body, body, len);
    store_fetch_release(&g);
    free(body);
}

/* Bodies of STORE_BLOB_STREAM bytes and more are written through a blob
 * handle: they must come back byte for byte, replace a row of either kind,
 * and survive a reopen, with and without group commit (a transaction open). */
static void fetch_large_bodies(void **state)
{
    static const size_t sizes[] = { (size_t)256 * 1024 - 1, (size_t)256 * 1024,
                                    (size_t)3 * 1024 * 1024 + 17, 1000, 300000 };
    char *dir = make_tmpdir();

    (void)state;
    for (unsigned group = 0; group < 2; group++) {
        struct store *st;
        struct store_fetch g;

        if (store_open(&st, dir, YEAR, group ? STORE_F_GROUP : 0) < 0)
            fail_msg("store_open: %s", nsc_error_last());
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
            put_and_check_body(st, "https://x.test/index", sizes[i], (unsigned)i + group * 10);
        put_and_check_body(st, "https://x.test/feed", (size_t)2 * 1024 * 1024, 99);
        store_free(st);

        st = open_ok(dir);
        assert_int_equal(store_fetch_get(&g, st, "https://x.test/index"), 0);
        assert_int_equal(g.body_len, 300000);
        assert_int_equal((unsigned char)g.body[299999],
                         (unsigned char)((299999 * 7 + 4 + group * 10) % 251));
        store_fetch_release(&g);
        assert_int_equal(store_fetch_get(&g, st, "https://x.test/feed"), 0);
        assert_int_equal(g.body_len, (size_t)2 * 1024 * 1024);
        store_fetch_release(&g);
        store_free(st);
    }
    rm_tree(dir);
}

static void fetch_and_failures_round_trip(void **state)
{
    char *dir = make_tmpdir();
    struct store *st = open_ok(dir);
    struct store_fetch f = { 0 }, g;
    static const char body[] = "<html>\0binary</html>";
    char *e;
    int n;

    (void)state;
    assert_int_equal(store_fetch_get(&g, st, "https://x.test/a"), NSC_ENOTFOUND);
    f.url = "https://x.test/a";
    f.status = 200;
    f.fetched_at = 1700000000;
    f.etag = "\"abc\"";
    f.last_modified = NULL;
    f.body = (char *)body;
    f.body_len = sizeof(body) - 1;
    assert_int_equal(store_fetch_put(st, &f), 0);
    store_free(st);

    st = open_ok(dir);
    assert_int_equal(store_fetch_get(&g, st, "https://x.test/a"), 0);
    assert_string_equal(g.url, "https://x.test/a");
    assert_int_equal(g.status, 200);
    assert_int_equal(g.fetched_at, 1700000000);
    assert_string_equal(g.etag, "\"abc\"");
    assert_null(g.last_modified);
    assert_int_equal(g.body_len, sizeof(body) - 1);
    assert_memory_equal(g.body, body, sizeof(body) - 1);
    store_fetch_release(&g);
    /* The validators of a kept body, without the body. */
    assert_int_equal(store_fetch_validators(&g, st, "https://x.test/a"), 0);
    assert_string_equal(g.etag, "\"abc\"");
    assert_int_equal(g.status, 200);
    assert_null(g.body);
    store_fetch_release(&g);
    assert_int_equal(store_fetch_validators(&g, st, "https://x.test/none"), NSC_ENOTFOUND);

    /* Replacing: a 304 keeps nothing but what we store. */
    f.status = 304;
    f.body = NULL;
    f.body_len = 0;
    f.last_modified = "Tue, 01 Oct 2024 10:00:00 GMT";
    assert_int_equal(store_fetch_put(st, &f), 0);
    assert_int_equal(store_fetch_get(&g, st, "https://x.test/a"), 0);
    assert_int_equal(g.status, 304);
    assert_null(g.body);
    assert_string_equal(g.last_modified, "Tue, 01 Oct 2024 10:00:00 GMT");
    store_fetch_release(&g);
    /* no body kept: nothing a conditional request could refer to */
    assert_int_equal(store_fetch_validators(&g, st, "https://x.test/a"), NSC_ENOTFOUND);

    assert_int_equal(store_failed_get(&n, &e, st, "https://x.test/b"), NSC_ENOTFOUND);
    assert_int_equal(store_failed_add(st, "https://x.test/b", "timeout"), 0);
    assert_int_equal(store_failed_add(st, "https://x.test/b", "HTTP 503"), 0);
    assert_int_equal(store_failed_get(&n, &e, st, "https://x.test/b"), 0);
    assert_int_equal(n, 2);
    assert_string_equal(e, "HTTP 503");
    free(e);
    assert_int_equal(store_failed_clear(st, "https://x.test/b"), 0);
    assert_int_equal(store_failed_get(&n, NULL, st, "https://x.test/b"), NSC_ENOTFOUND);

    /* A URL fetched at last forgets its failure, small body or streamed,
     * and only its own. */
    assert_int_equal(store_failed_add(st, "https://x.test/b", "timeout"), 0);
    assert_int_equal(store_failed_add(st, "https://x.test/c", "timeout"), 0);
    assert_int_equal(store_failed_add(st, "https://x.test/big", "timeout"), 0);
    f.url = "https://x.test/b";
    f.status = 200;
    f.body = (char *)body;
    f.body_len = sizeof(body) - 1;
    assert_int_equal(store_fetch_put(st, &f), 0);
    assert_int_equal(store_failed_get(&n, NULL, st, "https://x.test/b"), NSC_ENOTFOUND);
    assert_int_equal(store_failed_get(&n, NULL, st, "https://x.test/c"), 0);
    assert_int_equal(n, 1);
    f.url = "https://x.test/big";
    f.body_len = STORE_TEST_BIG;
    f.body = xcalloc(1, STORE_TEST_BIG);
    assert_int_equal(store_fetch_put(st, &f), 0);
    free(f.body);
    assert_int_equal(store_failed_get(&n, NULL, st, "https://x.test/big"), NSC_ENOTFOUND);
    assert_int_equal(store_fetch_get(&g, st, "https://x.test/big"), 0);
    assert_int_equal(g.body_len, STORE_TEST_BIG);
    store_fetch_release(&g);
    store_free(st);
    rm_tree(dir);
}

static void runs_are_recorded_and_crashed_ones_interrupted(void **state)
{
    char *dir = make_tmpdir();
    struct store *st = open_ok(dir);
    struct store_run run;
    int64_t id1, id2;

    (void)state;
    assert_int_equal(store_run_last(&run, st), NSC_ENOTFOUND);
    assert_int_equal(store_run_begin(&id1, st), 0);
    assert_int_equal(store_run_end(st, id1, "done", 12, 3), 0);
    assert_int_equal(store_run_last(&run, st), 0);
    assert_int_equal(run.id, id1);
    assert_int_equal(run.year, YEAR);
    assert_int_equal(run.papers, 12);
    assert_int_equal(run.failed, 3);
    assert_string_equal(run.state, "done");
    assert_true(run.finished >= run.started && run.started > 0);
    assert_int_equal(store_run_end(st, id1 + 100, "done", 0, 0), NSC_ENOTFOUND);

    /* A run still 'running' when the store is reopened died with its process. */
    assert_int_equal(store_run_begin(&id2, st), 0);
    assert_true(id2 > id1);
    store_free(st);
    st = open_ok(dir);
    assert_int_equal(store_run_last(&run, st), 0);
    assert_int_equal(run.id, id2);
    assert_string_equal(run.state, "interrupted");
    assert_int_equal(run.finished, 0);
    store_free(st);
    rm_tree(dir);
}

static void reconcile_fixes_marks_both_ways(void **state)
{
    char *dir = make_tmpdir();
    struct store *st = open_ok(dir);
    json_t *r = rec("a", "A");
    size_t n;
    char hash[17];

    (void)state;
    assert_int_equal(store_put_finished(st, r), 0);
    json_decref(r);
    assert_int_equal(store_paper_finished(st, "a"), 1);
    put(st, "b", "B");                                                      /* record, no mark */
    assert_int_equal(store_paper_mark(st, "ghost", "0123456789abcdef"), 0); /* mark, no record */
    assert_int_equal(store_paper_finished(st, "b"), 0);
    assert_int_equal(store_paper_finished(st, "ghost"), 1);
    store_free(st);

    st = open_ok(dir);
    assert_int_equal(store_paper_finished(st, "a"), 1);
    assert_int_equal(store_paper_finished(st, "b"), 1);
    assert_int_equal(store_paper_finished(st, "ghost"), 0);
    assert_int_equal(store_paper_count(&n, st), 0);
    assert_int_equal(n, 2);
    assert_int_equal(store_paper_unmark(st, "a"), 0);
    assert_int_equal(store_paper_finished(st, "a"), 0);
    store_free(st);

    /* Marks are per year: another year of the same directory sees none of
     * them, and its reconcile leaves them alone. */
    assert_int_equal(store_open(&st, dir, 2023, 0), 0);
    assert_int_equal(store_paper_finished(st, "b"), 0);
    assert_int_equal(store_paper_count(&n, st), 0);
    assert_int_equal(n, 0);
    store_free(st);
    st = open_ok(dir);
    assert_int_equal(store_paper_finished(st, "b"), 1);
    store_free(st);

    /* The hash is FNV-1a 64 of the line: check one value computed by hand
     * from the published offset basis and prime (empty input = basis). */
    store_hash_line(hash, "", 0);
    assert_string_equal(hash, "cbf29ce484222325");
    store_hash_line(hash, "a", 1);
    assert_string_equal(hash, "af63dc4c8601ec8c");
    rm_tree(dir);
}

static void state_db_has_schema_version_and_refuses_newer(void **state)
{
    char *dir = make_tmpdir();
    char *db_path = xasprintf("%s/.nipscope-state.sqlite", dir);
    struct store *st = open_ok(dir);
    sqlite3 *db;
    sqlite3_stmt *s;

    (void)state;
    store_free(st);
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 1);
    sqlite3_finalize(s);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    assert_int_equal(store_open(&st, dir, YEAR, 0), NSC_EINVAL);
    assert_non_null(strstr(nsc_error_last(), "schema version 99"));
    assert_non_null(strstr(nsc_error_last(), db_path));
    free(db_path);
    rm_tree(dir);
}

/* A finish and a summary that change nothing leave the files alone (same
 * inode, same mtime), so a re-crawl that found nothing new rewrites nothing. */
static void unchanged_finish_and_summary_rewrite_nothing(void **state)
{
    char *dir = make_tmpdir();
    struct store *st = open_ok(dir);
    char *sum_path = xasprintf("%s/neurips-%d.summary.json", dir, YEAR);
    struct stat a, b, sa, sb;
    json_t *s = json_pack("{s:i}", "papers", 2);

    (void)state;
    put(st, "b", "second");
    put(st, "a", "first");
    assert_int_equal(store_finish(st), 0); /* out of order: rewritten */
    assert_int_equal(store_write_summary(st, s), 0);
    assert_int_equal(stat(store_records_path(st), &a), 0);
    assert_int_equal(stat(sum_path, &sa), 0);
    usleep(20000); /* a rewrite would show in mtime */
    assert_int_equal(store_finish(st), 0);
    assert_int_equal(store_write_summary(st, s), 0);
    assert_int_equal(stat(store_records_path(st), &b), 0);
    assert_int_equal(stat(sum_path, &sb), 0);
    assert_true(a.st_ino == b.st_ino && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec &&
                a.st_mtim.tv_sec == b.st_mtim.tv_sec);
    assert_true(sa.st_ino == sb.st_ino && sa.st_mtim.tv_nsec == sb.st_mtim.tv_nsec);
    /* An update is a rewrite again, and so is a different summary. */
    put(st, "a", "first, corrected");
    assert_int_equal(store_finish(st), 0);
    assert_int_equal(stat(store_records_path(st), &b), 0);
    assert_true(a.st_ino != b.st_ino);
    json_object_set_new(s, "papers", json_integer(3));
    assert_int_equal(store_write_summary(st, s), 0);
    assert_int_equal(stat(sum_path, &sb), 0);
    assert_true(sa.st_ino != sb.st_ino);
    json_decref(s);
    store_free(st);
    free(sum_path);
    rm_tree(dir);
}

/* The state DB on its own: a service row round-trips, years list their last
 * run, and a read-only open of a directory without a DB says so. */
static void service_rows_and_year_runs(void **state)
{
    char *dir = make_tmpdir();
    char *empty = make_tmpdir();
    struct store_state *ss = NULL, *ro = NULL;
    struct store_service sv = { .pid = 4242, .started = 1000, .next_run = 2000 }, got;
    struct store_year_runs *years = NULL;
    struct store *st;
    int64_t run;
    size_t n;

    (void)state;
    assert_int_equal(store_state_open(&ro, empty, STORE_STATE_F_READONLY), NSC_ENOTFOUND);
    assert_non_null(strstr(nsc_error_last(), empty));
    assert_null(ro);

    st = open_ok(dir); /* a crawled store: no services table yet */
    store_free(st);
    assert_int_equal(store_state_open(&ro, dir, STORE_STATE_F_READONLY), 0);
    assert_int_equal(store_service_get(&got, ro, "daemon"), NSC_ENOTFOUND);
    store_state_free(ro);
    ro = NULL;

    assert_int_equal(store_state_open(&ss, dir, 0), 0);
    snprintf(sv.name, sizeof(sv.name), "daemon");
    snprintf(sv.state, sizeof(sv.state), "crawling");
    sv.status = "2024: 3,120/4,493 papers";
    assert_int_equal(store_service_put(ss, &sv), 0);
    st = open_ok(dir); /* the store's own connection, beside ss */
    assert_int_equal(store_run_begin(&run, st), 0);
    put(st, "a", "x");
    assert_int_equal(store_run_end(st, run, "done", 1, 0), 0);
    assert_int_equal(store_run_begin(&run, st), 0);
    assert_int_equal(store_run_end(st, run, "interrupted", 0, 0), 0);
    store_free(st);

    assert_int_equal(store_state_open(&ro, dir, STORE_STATE_F_READONLY), 0);
    assert_int_equal(store_service_get(&got, ro, "daemon"), 0);
    assert_int_equal(got.pid, 4242);
    assert_string_equal(got.state, "crawling");
    assert_string_equal(got.status, "2024: 3,120/4,493 papers");
    assert_int_equal(got.started, 1000);
    assert_int_equal(got.next_run, 2000);
    assert_true(got.updated > 0);
    store_service_release(&got);
    assert_int_equal(store_service_get(&got, ro, "other"), NSC_ENOTFOUND);
    assert_int_equal(store_state_years(&years, &n, ro), 0);
    assert_int_equal(n, 1);
    assert_int_equal(years[0].year, YEAR);
    assert_string_equal(years[0].last.state, "interrupted");
    assert_true(years[0].last_done > 0);
    assert_int_equal(years[0].finished, 0); /* store_put() alone marks nothing */
    free(years);
    store_state_free(ro);
    store_state_free(ss);
    rm_tree(dir);
    rm_tree(empty);
}

static void sqlite_failure_names_the_db(void **state)
{
    char *dir = make_tmpdir();
    char *db_path = xasprintf("%s/.nipscope-state.sqlite", dir);
    struct store *st;

    (void)state;
    /* A directory where the DB should be: sqlite cannot open it. */
    assert_int_equal(mkdir(db_path, 0755), 0);
    assert_int_equal(store_open(&st, dir, YEAR, 0), NSC_EIO);
    assert_non_null(strstr(nsc_error_last(), db_path));
    assert_non_null(strstr(nsc_error_last(), "state DB"));
    free(db_path);
    rm_tree(dir);
}

static void bad_year_is_rejected(void **state)
{
    struct store *st;

    (void)state;
    assert_int_equal(store_open(&st, "/nonexistent-never-created", 12, 0), NSC_EINVAL);
    assert_non_null(strstr(nsc_error_last(), "year 12"));
}

/* ---- kill -9 ----------------------------------------------------------- */

/* The crawler's loop: resume after what is there, one paper at a time;
 * with 'group', under group commit, committing every few papers as the
 * crawler's progress tick does. */
NSC_NORETURN static void crawl_forever(const char *dir, unsigned seed, int group)
{
    char *opened = xasprintf("%s/opened", dir);
    char *wrote = xasprintf("%s/wrote", dir);
    struct store *st;
    char id[32];
    char *pad;
    size_t i, first;

    srand(seed);
    nsc_log_level = LOG_ERR;
    CHILD_CHECK(store_open(&st, dir, YEAR, group ? STORE_F_GROUP : 0) == 0, 3);
    /* Progress marks for the parent's timing (cmocka cannot assert here). */
    CHILD_CHECK(close(open(opened, O_WRONLY | O_CREAT, 0644)) == 0, 7);
    pad = xmalloc(4001);
    first = store_count(st);
    for (i = first;; i++) {
        size_t n = 20 + (size_t)rand() % 580;
        json_t *r;

        memset(pad, 'a' + (int)(i % 26), n);
        pad[n] = '\0';
        snprintf(id, sizeof(id), "p%06zu", i);
        r = json_pack("{s:s, s:s, s:I}", "id", id, "pad", pad, "i", (json_int_t)i);
        CHILD_CHECK(store_put_finished(st, r) == 0, 4);
        json_decref(r);
        if (i == first)
            CHILD_CHECK(close(open(wrote, O_WRONLY | O_CREAT, 0644)) == 0, 7);
        if (group && rand() % 6 == 0)
            CHILD_CHECK(store_commit(st) == 0, 6);
        if (i % 40 == 39)
            CHILD_CHECK(store_finish(st) == 0, 5);
    }
}

/* Finished ids of YEAR, read straight from the DB (before any reconcile). */
static size_t db_finished_ids(char ***out, const char *dir)
{
    char *db_path = xasprintf("%s/.nipscope-state.sqlite", dir);
    sqlite3 *db;
    sqlite3_stmt *s;
    char **ids = NULL;
    size_t n = 0, cap = 0;

    *out = NULL;
    if (access(db_path, F_OK) < 0) {
        free(db_path);
        return 0; /* killed before the DB was created */
    }
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 2000);
    if (sqlite3_prepare_v2(db, "SELECT id FROM papers WHERE year = 2024", -1, &s, NULL) !=
        SQLITE_OK) {
        /* Killed before the schema was committed: nothing can be marked. */
        if (!strstr(sqlite3_errmsg(db), "no such table"))
            fail_msg("'%s': %s", db_path, sqlite3_errmsg(db));
        sqlite3_close(db);
        free(db_path);
        return 0;
    }
    while (sqlite3_step(s) == SQLITE_ROW) {
        NSC_GROW(ids, cap, n + 1);
        ids[n++] = xstrdup((const char *)sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    free(db_path);
    *out = ids;
    return n;
}

/*
 * Check the raw file: whole lines are JSON records with ids p000000,
 * p000001, ... in order (no gaps, no duplicates); a torn tail is allowed
 * only when 'allow_torn'.  Returns the number of whole records.
 */
static size_t check_raw_file(const char *path, int allow_torn)
{
    struct buf b = BUF_INIT;
    size_t n = 0;
    char *p, *nl;
    int r;

    r = nsc_file_read(&b, path, 256 << 20);
    if (r == NSC_ENOTFOUND)
        return 0;
    assert_int_equal(r, 0);
    buf_grow(&b, 0);
    for (p = b.ptr; p < b.ptr + b.len; p = nl + 1) {
        json_t *rec;
        char want[32];

        nl = memchr(p, '\n', (size_t)(b.ptr + b.len - p));
        rec = nl ? json_loadb(p, (size_t)(nl - p), 0, NULL) : NULL;
        if (!rec) {
            if (!allow_torn || (nl && nl + 1 < b.ptr + b.len))
                fail_msg("'%s': bad line %zu at offset %zu", path, n + 1, (size_t)(p - b.ptr));
            break;
        }
        snprintf(want, sizeof(want), "p%06zu", n);
        assert_string_equal(json_string_value(json_object_get(rec, "id")), want);
        assert_int_equal(json_integer_value(json_object_get(rec, "i")), (json_int_t)n);
        json_decref(rec);
        n++;
    }
    buf_release(&b);
    return n;
}

/*
 * Wait until the child has created 'mark' (or has died, which fails).  A
 * child under ASan or valgrind, on a loaded machine, may take longer to
 * exec and open the store than any fixed delay.
 */
static void wait_for_mark(pid_t pid, const char *mark)
{
    int i, status;

    for (i = 0; i < 60000 && access(mark, F_OK) < 0; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            fail_msg("child died before '%s' (status %d; see stderr)", mark, status);
        usleep(1000);
    }
    if (access(mark, F_OK) < 0)
        fail_msg("child made no '%s' in 60 s", mark);
}

/*
 * 24 times: start a crawling child ('mode' "crawl" or "crawlgroup"), kill -9
 * it at a random moment, check the store before and after the reconcile.
 * The moment is counted, in turn, from the spawn (so some kills land in
 * exec or store_open), from the store being open, and from the child's
 * first record being put (so every third round adds at least one record
 * whatever the machine's speed, and the final count cannot be 0).
 */
static void kill9_rounds(const char *mode)
{
    char *dir = make_tmpdir();
    char *path = records_path(dir);
    char *opened = xasprintf("%s/opened", dir);
    char *wrote = xasprintf("%s/wrote", dir);
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    size_t round, total = 0, killed_mid = 0;

    print_message("%s: kill9 seed %u\n", mode, seed);
    srand(seed);
    for (round = 0; round < 24; round++) {
        struct store *st;
        char **fin;
        size_t nfin, nraw, k, count;
        char seedstr[32];
        int status;
        pid_t pid;

        snprintf(seedstr, sizeof(seedstr), "%u", seed + (unsigned)round);
        unlink(opened);
        unlink(wrote);
        pid = spawn_child(mode, dir, seedstr);
        if (round % 3 == 1)
            wait_for_mark(pid, opened);
        else if (round % 3 == 2)
            wait_for_mark(pid, wrote);
        usleep(500 + (useconds_t)(rand() % 25000));
        assert_int_equal(kill(pid, SIGKILL), 0);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFSIGNALED(status))
            fail_msg("child exited with %d instead of being killed (see stderr)",
                     WEXITSTATUS(status));

        /* Before any repair: every paper marked finished has a whole line. */
        nraw = check_raw_file(path, 1);
        nfin = db_finished_ids(&fin, dir);
        for (k = 0; k < nfin; k++) {
            unsigned long idx;

            if (sscanf(fin[k], "p%6lu", &idx) != 1 || idx >= nraw)
                fail_msg("round %zu: '%s' marked finished but only %zu whole records", round,
                         fin[k], nraw);
            free(fin[k]);
        }
        free(fin);
        if (nfin < nraw)
            killed_mid++;

        /* After reopening: nothing torn, no duplicates, marks == records. */
        st = open_ok(dir);
        count = store_count(st);
        assert_int_equal(count, nraw);
        assert_int_equal(store_paper_count(&k, st), 0);
        assert_int_equal(k, count);
        store_free(st);
        assert_int_equal(check_raw_file(path, 0), count);
        assert_true(count >= total); /* nothing lost */
        total = count;
    }
    print_message("%s: %zu records after 24 kills, %zu kills between write and mark\n", mode, total,
                  killed_mid);
    assert_true(total >= 8); /* 8 rounds killed after a record was put */
    free(opened);
    free(wrote);
    free(path);
    rm_tree(dir);
}

static void kill9_at_random_times_leaves_a_consistent_store(void **state)
{
    (void)state;
    kill9_rounds("crawl");
}

/* The same under group commit, where most kills come between the write of
 * a line and the commit of its mark. */
static void kill9_under_group_commit_leaves_a_consistent_store(void **state)
{
    (void)state;
    kill9_rounds("crawlgroup");
}

/* ---- group commit ------------------------------------------------------ */

/*
 * A VFS over sqlite's default that counts xSync calls on WAL files, to see
 * which transactions reach the disk.  Registered, as the default, only for
 * the one test below.
 */
struct count_file {
    sqlite3_file base;
    sqlite3_file *real; /* allocated right after this struct */
    int wal;
};

static sqlite3_vfs *real_vfs;
static sqlite3_io_methods count_methods;
static unsigned wal_syncs;

#define REAL(f) (((struct count_file *)(f))->real)

static int cf_close(sqlite3_file *f)
{
    return REAL(f)->pMethods->xClose(REAL(f));
}
static int cf_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}
static int cf_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}
static int cf_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int cf_sync(sqlite3_file *f, int flags)
{
    if (((struct count_file *)f)->wal)
        wal_syncs++;
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int cf_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int cf_lock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int cf_unlock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int cf_check(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int cf_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int cf_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int cf_chars(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int cf_shm_map(sqlite3_file *f, int pg, int sz, int extend, void volatile **pp)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, pp);
}
static int cf_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void cf_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int cf_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}
static int cf_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
    return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}
static int cf_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static int cv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    struct count_file *cf = (struct count_file *)f;
    int rc;

    (void)vfs;
    cf->real = (sqlite3_file *)(cf + 1);
    cf->wal = (flags & SQLITE_OPEN_WAL) != 0;
    rc = real_vfs->xOpen(real_vfs, name, cf->real, flags, out_flags);
    /* On failure sqlite does not close the file: neither may the shim. */
    f->pMethods = rc == SQLITE_OK ? &count_methods : NULL;
    return rc;
}

static void count_vfs_register(sqlite3_vfs *vfs)
{
    real_vfs = sqlite3_vfs_find(NULL);
    assert_non_null(real_vfs);
    assert_true(real_vfs->iVersion >= 2);
    *vfs = *real_vfs;
    vfs->zName = "nsc-count";
    vfs->szOsFile = (int)sizeof(struct count_file) + real_vfs->szOsFile;
    vfs->xOpen = cv_open;
    count_methods = (sqlite3_io_methods){
        3,           cf_close,       cf_read,      cf_write,   cf_truncate, cf_sync,  cf_size,
        cf_lock,     cf_unlock,      cf_check,     cf_control, cf_sector,   cf_chars, cf_shm_map,
        cf_shm_lock, cf_shm_barrier, cf_shm_unmap, cf_fetch,   cf_unfetch,
    };
    assert_int_equal(sqlite3_vfs_register(vfs, 1), SQLITE_OK);
}

/*
 * Under group commit the state DB runs with synchronous=NORMAL, but a
 * batch of marks (the crawl's checkpoint) commits with FULL: the WAL is
 * synced for that commit, and for none of the cheaper transactions (a
 * fetched page's row) before it.
 */
static void group_commit_checkpoints_sync_the_wal(void **state)
{
    char *dir = make_tmpdir();
    sqlite3_vfs vfs;
    struct store *st;
    struct store_fetch f = { 0 };
    char url[64];
    unsigned before;
    int k;

    (void)state;
    count_vfs_register(&vfs);
    assert_int_equal(store_open(&st, dir, YEAR, STORE_F_GROUP), 0);
    before = wal_syncs;
    for (k = 0; k < 20; k++) {
        snprintf(url, sizeof(url), "http://127.0.0.1/p/%d", k);
        f.url = url;
        f.status = 200;
        f.body = (char *)"<html></html>";
        f.body_len = strlen(f.body);
        assert_int_equal(store_fetch_put(st, &f), 0);
    }
    assert_int_equal(wal_syncs, before); /* NORMAL: no sync of its own */
    for (k = 0; k < 3; k++) {
        char id[16];
        json_t *r;

        snprintf(id, sizeof(id), "c%d", k);
        r = rec(id, "t");
        assert_int_equal(store_put_finished(st, r), 0);
        json_decref(r);
    }
    assert_int_equal(wal_syncs, before);
    assert_int_equal(store_commit(st), 0);
    assert_true(wal_syncs > before); /* FULL for the checkpoint */
    before = wal_syncs;
    f.url = (char *)"http://127.0.0.1/after";
    assert_int_equal(store_fetch_put(st, &f), 0);
    assert_int_equal(wal_syncs, before); /* and NORMAL again after it */
    store_free(st);
    assert_int_equal(sqlite3_vfs_unregister(&vfs), SQLITE_OK);
    rm_tree(dir);
}

/* Child: under group commit, 10 papers committed, then 7 more put and not
 * committed; says so in DIR/ready and waits for its kill -9. */
NSC_NORETURN static void group_child(const char *dir)
{
    char *ready = xasprintf("%s/ready", dir);
    struct store *st;
    char id[32];
    size_t i;

    nsc_log_level = LOG_ERR;
    CHILD_CHECK(store_open(&st, dir, YEAR, STORE_F_GROUP) == 0, 2);
    for (i = 0; i < 17; i++) {
        json_t *r;

        snprintf(id, sizeof(id), "p%06zu", i);
        r = json_pack("{s:s, s:I}", "id", id, "i", (json_int_t)i);
        CHILD_CHECK(store_put_finished(st, r) == 0, 3);
        json_decref(r);
        if (i == 9)
            CHILD_CHECK(store_commit(st) == 0, 4);
    }
    write_file(ready, "ready", 0);
    for (;;)
        pause();
}

/* The marks of group commit wait for store_commit() (or STORE_GROUP_MAX
 * papers, or store_free()), and then match the lines' hashes. */
static void group_commit_marks_after_commit_only(void **state)
{
    char *dir = make_tmpdir();
    char *path = records_path(dir);
    struct store *st;
    struct buf b = BUF_INIT;
    char **fin, id[32], hash[17];
    const char *line, *nl;
    size_t nfin, k, n;

    (void)state;
    assert_int_equal(store_open(&st, dir, YEAR, STORE_F_GROUP), 0);
    for (k = 0; k < 3; k++) {
        snprintf(id, sizeof(id), "g%zu", k);
        {
            json_t *r = rec(id, "t");

            assert_int_equal(store_put_finished(st, r), 0);
            json_decref(r);
        }
    }
    /* Written and readable, not yet marked, in this connection or another. */
    assert_true(store_has(st, "g0"));
    assert_title(st, "g2", "t");
    assert_int_equal(store_paper_finished(st, "g0"), 0);
    assert_int_equal(db_finished_ids(&fin, dir), 0);
    assert_int_equal(store_commit(st), 0);
    assert_int_equal(store_commit(st), 0); /* nothing queued: a no-op */
    nfin = db_finished_ids(&fin, dir);
    assert_int_equal(nfin, 3);
    for (k = 0; k < nfin; k++)
        free(fin[k]);
    free(fin);
    /* Each mark holds the hash of its line. */
    read_file(&b, path);
    for (line = b.ptr, k = 0; (nl = strchr(line, '\n')); line = nl + 1, k++) {
        char *db_path = xasprintf("%s/.nipscope-state.sqlite", dir);
        sqlite3 *db;
        sqlite3_stmt *s;

        snprintf(id, sizeof(id), "g%zu", k);
        store_hash_line(hash, line, (size_t)(nl - line));
        assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        assert_int_equal(
            sqlite3_prepare_v2(db, "SELECT hash FROM papers WHERE id = ?1", -1, &s, NULL),
            SQLITE_OK);
        sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
        assert_int_equal(sqlite3_step(s), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(s, 0), hash);
        sqlite3_finalize(s);
        sqlite3_close(db);
        free(db_path);
    }
    assert_int_equal(k, 3);
    /* STORE_GROUP_MAX papers commit by themselves; the rest at store_free(). */
    n = STORE_GROUP_MAX + 88;
    for (k = 0; k < n; k++) {
        json_t *r;

        snprintf(id, sizeof(id), "h%05zu", k);
        r = rec(id, "t");
        assert_int_equal(store_put_finished(st, r), 0);
        json_decref(r);
    }
    nfin = db_finished_ids(&fin, dir);
    assert_int_equal(nfin, 3 + STORE_GROUP_MAX);
    for (k = 0; k < nfin; k++)
        free(fin[k]);
    free(fin);
    store_free(st);
    nfin = db_finished_ids(&fin, dir); /* before any reconcile */
    assert_int_equal(nfin, 3 + n);
    for (k = 0; k < nfin; k++)
        free(fin[k]);
    free(fin);
    buf_release(&b);
    free(path);
    rm_tree(dir);
}

/* kill -9 between the write of lines and the commit of their marks: the
 * lines are whole, only the committed papers are marked, and the reopened
 * store marks the rest, so a resumed crawl neither refetches nor repeats. */
static void kill9_between_write_and_commit_loses_nothing(void **state)
{
    char *dir = make_tmpdir();
    char *path = records_path(dir);
    char *ready = xasprintf("%s/ready", dir);
    struct store *st;
    char **fin, id[32];
    size_t nfin, k, marked;
    int status;
    pid_t pid;

    (void)state;
    pid = spawn_child("group", dir, "");
    wait_for_mark(pid, ready);
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(check_raw_file(path, 0), 17);
    nfin = db_finished_ids(&fin, dir);
    assert_int_equal(nfin, 10);
    for (k = 0; k < nfin; k++) {
        unsigned long idx;

        assert_int_equal(sscanf(fin[k], "p%6lu", &idx), 1);
        assert_true(idx < 10);
        free(fin[k]);
    }
    free(fin);
    st = open_ok(dir);
    assert_int_equal(store_count(st), 17);
    assert_int_equal(store_paper_count(&marked, st), 0);
    assert_int_equal(marked, 17);
    for (k = 0; k < 17; k++) {
        snprintf(id, sizeof(id), "p%06zu", k);
        assert_int_equal(store_paper_finished(st, id), 1);
    }
    store_free(st);
    assert_int_equal(check_raw_file(path, 0), 17);
    free(ready);
    free(path);
    rm_tree(dir);
}

/* ---- memory ------------------------------------------------------------ */

/* "VmHWM" (peak RSS) or "VmRSS" (current) of this process, in KB. */
static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    size_t n = strlen(field);

    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        if (!strncmp(line, field, n) && line[n] == ':')
            kb = strtol(line + n + 1, NULL, 10);
    }
    fclose(f);
    return kb;
}

/* Start a new peak: the kernel resets VmHWM to the current RSS. */
static long reset_peak_kb(void)
{
    int fd = open("/proc/self/clear_refs", O_WRONLY);

    if (fd < 0 || write(fd, "5", 1) != 1) {
        fprintf(stderr, "memflat: cannot reset the peak RSS via /proc/self/clear_refs: %s\n",
                strerror(errno));
        _exit(9);
    }
    close(fd);
    return status_kb("VmRSS");
}

/*
 * Child: 5,000 records of 4 KB (20 MB) written by hand, then open and
 * finish; the peak RSS may grow by much less than the file's size, as the
 * index holds offsets and one record is in memory at a time.
 */
NSC_NORETURN static void memflat_child(const char *dir)
{
    char *path = records_path(dir);
    char *pad = xmalloc(4001);
    FILE *f = fopen(path, "w");
    struct store *st;
    long base, opened, base2, finished;
    size_t k;

    CHILD_CHECK(f != NULL, 2);
    memset(pad, 'q', 4000);
    pad[4000] = '\0';
    for (k = 0; k < 5000; k++)
        fprintf(f, "{\"id\":\"m%05zu\",\"pad\":\"%s\"}\n", (k * 7919) % 5000, pad);
    CHILD_CHECK(fclose(f) == 0, 3);
    base = reset_peak_kb();
    CHILD_CHECK(store_open(&st, dir, YEAR, STORE_F_NOSYNC) == 0, 4);
    opened = status_kb("VmHWM");
    CHILD_CHECK(store_count(st) == 5000, 5);
    base2 = reset_peak_kb();
    CHILD_CHECK(store_finish(st) == 0, 6);
    finished = status_kb("VmHWM");
    fprintf(stderr, "memflat: peak RSS +%ld KB during open, +%ld KB during finish (file 20 MB)\n",
            opened - base, finished - base2);
    CHILD_CHECK(base > 0 && opened > 0 && base2 > 0 && finished > 0, 10);
    CHILD_CHECK(opened - base < 8L * 1024, 7);
    CHILD_CHECK(finished - base2 < 8L * 1024, 8);
    store_free(st);
    free(pad);
    free(path);
    _exit(0);
}

static void open_and_finish_keep_memory_flat(void **state)
{
    char *dir = make_tmpdir();
    int status;
    pid_t pid;

    (void)state;
    /* A child, so the peak RSS is its own (and native under valgrind).
     * Under ASan, freed blocks sit in a quarantine instead of being reused,
     * which would measure ASan, not the store: turn it off for the child. */
    {
        const char *old = getenv("ASAN_OPTIONS");
        char *saved = old ? xstrdup(old) : NULL;
        char *opts = xasprintf("%s%squarantine_size_mb=0:thread_local_quarantine_size_kb=0",
                               old ? old : "", old && *old ? ":" : "");

        setenv("ASAN_OPTIONS", opts, 1);
        pid = spawn_child("memflat", dir, "");
        if (saved)
            setenv("ASAN_OPTIONS", saved, 1);
        else
            unsetenv("ASAN_OPTIONS");
        free(saved);
        free(opts);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    rm_tree(dir);
}

/* ---- full disk --------------------------------------------------------- */

/* Runs in a child with its own mount namespace; exit code 0 = all good. */
NSC_NORETURN static void enospc_child(const char *dir)
{
    char *path = records_path(dir);
    char *sum_path = xasprintf("%s/neurips-%d.summary.json", dir, YEAR);
    char *ballast = xasprintf("%s/ballast", dir);
    struct buf before = BUF_INIT, after = BUF_INIT;
    struct store *st;
    char id[32], *pad = xmalloc(3001), *big = xmalloc(200001);
    json_t *s;
    size_t ok = 0, count, marked;
    int err = 0;

    nsc_log_level = LOG_ERR;
    if (unshare(CLONE_NEWNS) < 0) {
        fprintf(stderr, "ENOSPC test needs a private mount namespace: unshare: %s\n",
                strerror(errno));
        _exit(10);
    }
    if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount("tmpfs", dir, "tmpfs", 0, "size=256k") < 0) {
        fprintf(stderr, "ENOSPC test needs to mount a small tmpfs on '%s': %s\n", dir,
                strerror(errno));
        _exit(11);
    }
    CHILD_CHECK(store_open(&st, dir, YEAR, 0) == 0, 12);
    s = json_pack("{s:i}", "papers", 0);
    CHILD_CHECK(store_write_summary(st, s) == 0, 13);
    json_decref(s);
    CHILD_CHECK(nsc_file_read(&before, sum_path, 1 << 20) == 0, 14);
    {
        char zeros[32768] = { 0 };
        int fd = open(ballast, O_WRONLY | O_CREAT | O_TRUNC, 0644);

        CHILD_CHECK(fd >= 0 && write(fd, zeros, sizeof(zeros)) == (ssize_t)sizeof(zeros), 30);
        close(fd);
    }

    memset(pad, 'x', 3000);
    pad[3000] = '\0';
    for (ok = 0; ok < 1000; ok++) {
        json_t *r;

        /* Descending ids: the file is not in store_finish()'s order, so the
         * compaction below has to rewrite it (a sorted file is left alone). */
        snprintf(id, sizeof(id), "p%06zu", 999999 - ok);
        r = json_pack("{s:s, s:s}", "id", id, "pad", pad);
        err = store_put_finished(st, r);
        json_decref(r);
        if (err < 0)
            break;
    }
    CHILD_CHECK(err == NSC_ENOSPC, 15);
    CHILD_CHECK(strstr(nsc_error_last(), dir) != NULL, 16);
    CHILD_CHECK(strstr(nsc_error_last(), "No space left on device") ||
                    strstr(nsc_error_last(), "disk is full"),
                17);
    fprintf(stderr, "enospc: %zu records fit; error: %s\n", ok, nsc_error_last());

    /* The records file itself on a full disk: a clear error and no partial line. */
    {
        struct stat sb1, sb2;
        json_t *r;

        memset(big, 'z', 200000);
        big[200000] = '\0';
        r = json_pack("{s:s, s:s}", "id", "huge", "pad", big);
        CHILD_CHECK(stat(path, &sb1) == 0, 31);
        CHILD_CHECK(store_put(st, r) == NSC_ENOSPC, 32);
        CHILD_CHECK(strstr(nsc_error_last(), path) != NULL, 33);
        CHILD_CHECK(strstr(nsc_error_last(), "No space left on device") != NULL, 34);
        CHILD_CHECK(stat(path, &sb2) == 0 && sb2.st_size == sb1.st_size, 35);
        CHILD_CHECK(!store_has(st, "huge"), 36);
        json_decref(r);
    }

    /* A summary too big for the disk: error, and the old one is intact. */
    memset(big, 'y', 200000);
    big[200000] = '\0';
    s = json_pack("{s:s}", "big", big);
    CHILD_CHECK(store_write_summary(st, s) == NSC_ENOSPC, 18);
    CHILD_CHECK(strstr(nsc_error_last(), "No space left on device") != NULL, 19);
    json_decref(s);
    CHILD_CHECK(nsc_file_read(&after, sum_path, 1 << 20) == 0, 20);
    CHILD_CHECK(after.len == before.len && !memcmp(after.ptr, before.ptr, after.len), 21);
    /* Compaction on a full disk: an error, the old file intact, no temp file. */
    {
        struct buf b1 = BUF_INIT, b2 = BUF_INIT;
        char *tmp = xasprintf("%s.tmp", path);

        CHILD_CHECK(nsc_file_read(&b1, path, 1 << 20) == 0, 37);
        err = store_finish(st);
        CHILD_CHECK(err == NSC_ENOSPC, 38);
        CHILD_CHECK(strstr(nsc_error_last(), "No space left on device") != NULL, 39);
        CHILD_CHECK(nsc_file_read(&b2, path, 1 << 20) == 0, 40);
        CHILD_CHECK(b1.len == b2.len && !memcmp(b1.ptr, b2.ptr, b1.len), 41);
        CHILD_CHECK(access(tmp, F_OK) < 0 && errno == ENOENT, 42);
        buf_release(&b1);
        buf_release(&b2);
        free(tmp);
    }
    store_free(st);

    /* Reopening on the full disk may fail, but only with a clear NSC_ENOSPC
     * (reconcile may need to mark the last record). */
    err = store_open(&st, dir, YEAR, 0);
    CHILD_CHECK(err == 0 || (err == NSC_ENOSPC && strstr(nsc_error_last(), dir)), 22);
    store_free(st);
    /* Once space is freed, the store is whole: marks match the records. */
    CHILD_CHECK(unlink(ballast) == 0, 28);
    CHILD_CHECK(store_open(&st, dir, YEAR, 0) == 0, 29);
    count = store_count(st);
    CHILD_CHECK(count == ok || count == ok + 1, 23);
    CHILD_CHECK(store_paper_count(&marked, st) == 0 && marked == count, 24);
    buf_reset(&after);
    CHILD_CHECK(nsc_file_read(&after, path, 1 << 20) == 0, 25);
    {
        size_t lines = 0, k;

        for (k = 0; k < after.len; k++)
            lines += after.ptr[k] == '\n';
        CHILD_CHECK(after.len > 0 && after.ptr[after.len - 1] == '\n', 26);
        CHILD_CHECK(lines == count, 27);
    }
    store_free(st);
    umount(dir);
    _exit(0);
}

static void full_disk_gives_enospc_and_stays_valid(void **state)
{
    char *dir = make_tmpdir();
    int status;
    pid_t pid;

    (void)state;
    pid = spawn_child("enospc", dir, "");
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status))
        fail_msg("ENOSPC child died with signal %d", WTERMSIG(status));
    if (WEXITSTATUS(status) == 10 || WEXITSTATUS(status) == 11)
        fail_msg("ENOSPC test cannot run here: it needs root and mount(2) in a private "
                 "namespace (see stderr)");
    assert_int_equal(WEXITSTATUS(status), 0);
    rm_tree(dir);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(put_then_reopen_keeps_records),
        cmocka_unit_test(put_rejects_record_without_id),
        cmocka_unit_test(put_lines_of_every_size),
        cmocka_unit_test(torn_last_line_is_cut_off),
        cmocka_unit_test(invalid_middle_line_is_an_error_with_line_number),
        cmocka_unit_test(finish_sorts_and_is_byte_identical),
        cmocka_unit_test(finish_copies_its_own_lines_and_redumps_others),
        cmocka_unit_test(foreach_visits_in_id_order),
        cmocka_unit_test(finish_rewrites_5000_records),
        cmocka_unit_test(open_and_finish_keep_memory_flat),
        cmocka_unit_test(second_opener_gets_elocked),
        cmocka_unit_test(summary_is_replaced_whole),
        cmocka_unit_test(fetch_and_failures_round_trip),
        cmocka_unit_test(fetch_large_bodies),
        cmocka_unit_test(runs_are_recorded_and_crashed_ones_interrupted),
        cmocka_unit_test(reconcile_fixes_marks_both_ways),
        cmocka_unit_test(state_db_has_schema_version_and_refuses_newer),
        cmocka_unit_test(sqlite_failure_names_the_db),
        cmocka_unit_test(unchanged_finish_and_summary_rewrite_nothing),
        cmocka_unit_test(service_rows_and_year_runs),
        cmocka_unit_test(bad_year_is_rejected),
        cmocka_unit_test(kill9_at_random_times_leaves_a_consistent_store),
        cmocka_unit_test(group_commit_marks_after_commit_only),
        cmocka_unit_test(group_commit_checkpoints_sync_the_wal),
        cmocka_unit_test(kill9_between_write_and_commit_loses_nothing),
        cmocka_unit_test(kill9_under_group_commit_leaves_a_consistent_store),
        cmocka_unit_test(full_disk_gives_enospc_and_stays_valid),
    };

    nsc_log_level = LOG_ERR;
    if (argc > 0 && strchr(argv[0], '/') && !realpath(argv[0], self_path))
        snprintf(self_path, sizeof(self_path), "/proc/self/exe");
    /* Child modes, started by spawn_child(). */
    if (argc == 4 && !strcmp(argv[1], "lock"))
        lock_child(argv[2], argv[3]);
    if (argc == 4 && !strcmp(argv[1], "crawl"))
        crawl_forever(argv[2], (unsigned)strtoul(argv[3], NULL, 10), 0);
    if (argc == 4 && !strcmp(argv[1], "crawlgroup"))
        crawl_forever(argv[2], (unsigned)strtoul(argv[3], NULL, 10), 1);
    if (argc == 4 && !strcmp(argv[1], "group"))
        group_child(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "memflat"))
        memflat_child(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "enospc"))
        enospc_child(argv[2]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
