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

#endif
