/* test_report.c - reading records for `nipscope report` (cli/report_load.c). */
#include "report.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static char dir[] = "/tmp/nsc-test-report.XXXXXX";

static void write_file(const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(path);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    int rc;

    (void)state;
    rc = system(cmd);
    free(cmd);
    return rc == 0 ? 0 : -1;
}

/* A record written under the strict policy: "Google" alone has no country,
 * its multinational evidence still says US. */
#define STRICT_GOOGLE                                                                              \
    "{\"authors\":[{\"affiliation\":\"Google\",\"affiliations\":[{\"country\":null,"               \
    "\"evidence\":[{\"country\":\"US\",\"kind\":\"multinational\",\"rule\":\"inst.google\","       \
    "\"text\":\"Google\"}],\"institution\":\"Google\",\"rule\":null}],\"name\":\"A\"}],"           \
    "\"id\":\"s1\",\"mentions\":{\"model.qwen\":{\"count\":1,\"where\":[\"title\"]},"              \
    "\"model.clip\":{\"count\":1,\"where\":[\"title\"]}}}\n"

/* Under the default policy a placed multinational decides by its place. */
#define PLACED_GOOGLE                                                                              \
    "{\"authors\":[{\"affiliation\":\"Google, Beijing\",\"affiliations\":[{\"country\":\"CN\","    \
    "\"evidence\":[{\"country\":\"US\",\"kind\":\"multinational\",\"rule\":\"inst.google\","       \
    "\"text\":\"Google\"},{\"country\":\"CN\",\"kind\":\"place\",\"rule\":\"place.cn.beijing\","   \
    "\"text\":\"Beijing\"}],\"institution\":\"Google\",\"rule\":\"place.cn.beijing\"}],"           \
    "\"name\":\"B\"},{\"affiliation\":null,\"affiliations\":[],\"name\":\"C\"}],\"id\":\"p1\"}\n"

static void multinational_modes_from_either_policy(void **state)
{
    struct report_data d;
    const struct report_paper *p;

    (void)state;
    write_file("neurips-2020.jsonl", PLACED_GOOGLE STRICT_GOOGLE);
    assert_int_equal(report_load(&d, dir, (int[]){ 2020 }, 1), 0);
    assert_int_equal(d.n_years, 1);
    assert_int_equal(d.years[0].n_papers, 2);
    assert_int_equal(d.years[0].summary_papers, -1);

    p = &d.years[0].papers[0]; /* "p1" sorts before "s1" */
    assert_string_equal(p->id, "p1");
    assert_int_equal(p->n_authors, 2);
    for (int m = 0; m < REPORT_MODES; m++) {
        assert_int_equal(p->n_cc[m], 1);
        assert_string_equal(p->cc[m][0], "CN");
        assert_int_equal(p->authors_placed[m], 1);
        assert_int_equal(p->n_inst[m], 1);
        assert_string_equal(p->inst[m][0].name, "Google");
        assert_string_equal(p->inst[m][0].country, "CN");
    }
    assert_int_equal(p->n_models, 0);

    p = &d.years[0].papers[1];
    assert_string_equal(p->id, "s1");
    assert_int_equal(p->n_cc[CLASSIFY_MN_HEADQUARTERS], 1);
    assert_string_equal(p->cc[CLASSIFY_MN_HEADQUARTERS][0], "US");
    assert_int_equal(p->authors_placed[CLASSIFY_MN_HEADQUARTERS], 1);
    assert_int_equal(p->n_cc[CLASSIFY_MN_UNKNOWN], 0);
    assert_int_equal(p->authors_placed[CLASSIFY_MN_UNKNOWN], 0);
    assert_int_equal(p->n_models, 2);
    assert_string_equal(p->models[0], "model.clip");
    assert_string_equal(p->models[1], "model.qwen");
    report_data_release(&d);
}

static void last_line_of_an_id_wins_and_years_are_found(void **state)
{
    struct report_data d;

    (void)state;
    write_file("neurips-2021.jsonl", "{\"id\":\"x\",\"title\":\"old\"}\n"
                                     "{\"id\":\"a\",\"title\":\"A\"}\n"
                                     "{\"id\":\"x\",\"title\":\"new\"}\n");
    write_file("neurips-2021.summary.json", "{\"papers\": 7}\n");
    write_file("neurips-2021.jsonl.tmp", "not a records file\n");
    assert_int_equal(report_load(&d, dir, NULL, 0), 0);
    assert_int_equal(d.n_years, 2); /* 2020 from the test above, and 2021 */
    assert_int_equal(d.years[0].year, 2020);
    assert_int_equal(d.years[1].year, 2021);
    assert_int_equal(d.years[1].n_papers, 2);
    assert_string_equal(d.years[1].papers[1].id, "x");
    assert_string_equal(d.years[1].papers[1].title, "new");
    assert_int_equal(d.years[1].papers[1].line, 3);
    assert_int_equal(d.years[1].summary_papers, 7);
    assert_int_equal(d.years[1].summary_listed, -1);
    assert_int_equal(d.years[1].summary_missing, -1);
    report_data_release(&d);
}

/* A summary's "incomplete" marker is read; a malformed one is refused with
 * the summary's path, not taken for a complete year. */
static void incomplete_summary_is_read(void **state)
{
    struct report_data d;
    char *want;

    (void)state;
    write_file("neurips-2019.jsonl", "{\"id\":\"a\"}\n");
    write_file("neurips-2019.summary.json",
               "{\"papers\": 1, \"incomplete\": {\"papers_listed\": 5, \"papers_missing\": 4}}\n");
    assert_int_equal(report_load(&d, dir, (int[]){ 2019 }, 1), 0);
    assert_int_equal(d.years[0].summary_listed, 5);
    assert_int_equal(d.years[0].summary_missing, 4);
    report_data_release(&d);

    write_file("neurips-2019.summary.json",
               "{\"papers\": 1, \"incomplete\": {\"papers_listed\": 5, \"papers_missing\": 6}}\n");
    assert_int_equal(report_load(&d, dir, (int[]){ 2019 }, 1), NSC_EPARSE);
    want = xasprintf("%s/neurips-2019.summary.json: \"incomplete\" is not", dir);
    assert_non_null(strstr(nsc_error_last(), want));
    free(want);
    write_file("neurips-2019.summary.json", "{\"papers\": 1, \"incomplete\": true}\n");
    assert_int_equal(report_load(&d, dir, (int[]){ 2019 }, 1), NSC_EPARSE);
    /* Gone again: other tests list every year in the directory. */
    want = xasprintf("%s/neurips-2019.jsonl", dir);
    unlink(want);
    free(want);
}

static void malformed_lines_name_file_and_line(void **state)
{
    struct report_data d;
    char *want;

    (void)state;
    write_file("neurips-2022.jsonl", "{\"id\":\"a\"}\n\n{\"id\":\"b\"}\n");
    assert_int_equal(report_load(&d, dir, (int[]){ 2022 }, 1), NSC_EPARSE);
    want = xasprintf("%s/neurips-2022.jsonl:2: malformed record", dir);
    assert_non_null(strstr(nsc_error_last(), want));
    free(want);

    write_file("neurips-2022.jsonl", "{\"id\":\"a\",\"authors\":[{\"affiliations\":[{\"country\":"
                                     "\"usa\"}]}]}\n");
    assert_int_equal(report_load(&d, dir, (int[]){ 2022 }, 1), NSC_EPARSE);
    want = xasprintf("%s/neurips-2022.jsonl:1: malformed record: author 1, affiliation 1", dir);
    assert_non_null(strstr(nsc_error_last(), want));
    free(want);

    write_file("neurips-2022.jsonl", "[1,2]\n");
    assert_int_equal(report_load(&d, dir, (int[]){ 2022 }, 1), NSC_EPARSE);
    assert_non_null(strstr(nsc_error_last(), "not a JSON object with a string \"id\""));

    assert_int_equal(report_load(&d, dir, (int[]){ 1999 }, 1), NSC_ENOTFOUND);
    assert_int_equal(d.n_years, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(multinational_modes_from_either_policy),
        cmocka_unit_test(last_line_of_an_id_wins_and_years_are_found),
        cmocka_unit_test(malformed_lines_name_file_and_line),
        cmocka_unit_test(incomplete_summary_is_read),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
