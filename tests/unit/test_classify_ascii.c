/*
 * test_classify_ascii.c - the tokeniser's ASCII fast path (no utf8proc call)
 * must give exactly what utf8proc's NFKC + casefold + mark stripping gives.
 * Every ASCII-only affiliation of ../shared/data/affiliations-dev.jsonl is
 * tokenised both ways into a fresh vocabulary and with the shipped rules;
 * the words, their ids and their byte spans must be identical.
 */
#include "classify_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

/* The dev file: $NSC_SHARED_DIR, else ../shared beside the source tree. */
static char *dev_path(void)
{
    const char *shared = getenv("NSC_SHARED_DIR");

    if (shared && *shared)
        return xasprintf("%s/data/affiliations-dev.jsonl", shared);
    return xasprintf("%s/../shared/data/affiliations-dev.jsonl", NSC_SOURCE_DIR);
}

static int is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

/* Tokenise 's' both ways; fail unless words, ids and spans agree. */
static void same_both_ways(struct vocab *v, const struct normtab *nt, int insert, const char *s,
                           struct toks *a, struct toks *b)
{
    size_t len = strlen(s);

    assert_int_equal(classify__tokenize(v, nt, s, len, insert, 1, a), 0);
    assert_int_equal(classify__tokenize_general(v, nt, s, len, insert, 1, b), 0);
    if (a->n != b->n)
        fail_msg("'%s': %zu tokens on the fast path, %zu through utf8proc", s, a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        const struct tok *x = &a->v[i], *y = &b->v[i];

        if (x->id != y->id || x->start != y->start || x->end != y->end)
            fail_msg("'%s': token %zu is id %u [%u,%u) on the fast path, id %u [%u,%u) through "
                     "utf8proc",
                     s, i, x->id, x->start, x->end, y->id, y->start, y->end);
    }
}

static void ascii_fast_path_is_utf8proc(void **state)
{
    struct classify_rules *rules = NULL;
    struct vocab fresh = { 0 };
    struct toks a = { 0 }, b = { 0 };
    char *path = dev_path();
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, n_ascii = 0, n_rows = 0;

    (void)state;
    if (!f)
        fail_msg("cannot open %s (set NSC_SHARED_DIR)", path);
    assert_int_equal(classify_rules_load(&rules, NSC_SOURCE_DIR "/rules", NULL), 0);
    while (getline(&line, &cap, f) > 0) {
        json_error_t jerr;
        json_t *row = json_loads(line, 0, &jerr);
        const char *raw = json_string_value(json_object_get(row, "raw"));

        if (!raw)
            fail_msg("%s:%zu: no \"raw\" string", path, n_rows + 1);
        n_rows++;
        if (is_ascii(raw)) {
            n_ascii++;
            /* the normalisation itself: every word enters the fresh vocabulary */
            same_both_ways(&fresh, NULL, 1, raw, &a, &b);
            /* and the ids matching sees, abbreviations expanded */
            same_both_ways(&rules->vocab, &rules->norm, 0, raw, &a, &b);
        }
        json_decref(row);
    }
    fprintf(stderr, "%zu of %zu dev rows are ASCII; %u distinct words\n", n_ascii, n_rows, fresh.n);
    /* the file has 81,408 rows, most of them ASCII: a test over nothing proves nothing */
    assert_true(n_rows > 80000);
    assert_true(n_ascii > n_rows / 2);
    free(line);
    fclose(f);
    free(path);
    classify__toks_release(&a);
    classify__toks_release(&b);
    classify__vocab_release(&fresh);
    classify_rules_free(rules);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ascii_fast_path_is_utf8proc),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
