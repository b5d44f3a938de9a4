/*
 * parse_fixture.h - what the HTML parser tests share: the shipped site
 * profile, loaded once for a group of tests, and fixture files read whole.
 * Each test program includes it once (the definitions are static).
 */
#ifndef NSC_TEST_PARSE_FIXTURE_H
#define NSC_TEST_PARSE_FIXTURE_H

#define PROFILE NSC_SOURCE_DIR "/rules/sites/neurips.yaml"
#define MOCK    "http://127.0.0.1:8080"

static struct crawler_profile *prof;

/* cmocka group setup: the shipped profile in 'prof'. */
static int setup(void **state)
{
    (void)state;
    if (crawler_profile_load(&prof, PROFILE) < 0) {
        fprintf(stderr, "profile: %s\n", nsc_error_last());
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    crawler_profile_free(prof);
    return 0;
}

/* tests/fixtures/<name>, read whole into 'b' (the caller's to release). */
static void load(struct buf *b, const char *name)
{
    char *path = xasprintf("%s/%s", NSC_FIXTURES_DIR, name);

    buf_init(b);
    assert_int_equal(nsc_file_read(b, path, (size_t)64 << 20), 0);
    free(path);
}

/*
 * 's' with every 'from' replaced by 'to', which must occur at least once: a
 * new string.  For edits of a profile copy or a fixture (inline: not every
 * test program uses it).
 */
static inline char *text_replace(const char *s, const char *from, const char *to)
{
    struct buf b = BUF_INIT;
    const char *hit;
    int found = 0;

    while ((hit = strstr(s, from))) {
        buf_append(&b, s, (size_t)(hit - s));
        buf_puts(&b, to);
        s = hit + strlen(from);
        found = 1;
    }
    buf_puts(&b, s);
    if (!found)
        fail_msg("'%s' is not in the text", from);
    return buf_detach(&b, NULL);
}

/* The shipped profile's text with every 'from' replaced by 'to'. */
static inline char *profile_edited(const char *from, const char *to)
{
    struct buf b = BUF_INIT;
    char *r;

    assert_int_equal(nsc_file_read(&b, PROFILE, (size_t)1 << 20), 0);
    r = text_replace(buf_cstr(&b), from, to);
    buf_release(&b);
    return r;
}

#endif
