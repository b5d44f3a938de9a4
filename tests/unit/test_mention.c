/* test_mention.c - the model-mention scanner against rules/models.yaml and small fixtures. */
#include "classify.h"
#include "common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define MODELS   NSC_SOURCE_DIR "/rules/models.yaml"
#define FIXTURES NSC_FIXTURES_DIR "/report/models"

static struct mention_models *models;

static int setup(void **state)
{
    struct buf diag = BUF_INIT;
    int err = mention_models_load(&models, MODELS, &diag);

    (void)state;
    if (err < 0)
        fprintf(stderr, "%s\n%s", nsc_error_last(), buf_cstr(&diag));
    buf_release(&diag);
    return err < 0 ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    mention_models_free(models);
    return 0;
}

/* Scan 's' as a title and describe every match as "model@offset:text;". */
static char *scan_str(const char *s)
{
    struct mention_list l = MENTION_LIST_INIT;
    struct buf b = BUF_INIT;

    mention_scan(models, s, strlen(s), "title", &l);
    for (size_t i = 0; i < l.n; i++)
        buf_appendf(&b, "%s@%zu:%.*s;", l.items[i].model, l.items[i].offset, (int)l.items[i].len,
                    l.items[i].text);
    mention_list_release(&l);
    return buf_detach(&b, NULL);
}

#define EXPECT_SCAN(text, want)                                                                    \
    do {                                                                                           \
        char *got_ = scan_str(text);                                                               \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static void loads_the_shipped_models(void **state)
{
    (void)state;
    /* rules/models.yaml, counted by hand:
     * transformer, llama(+5), qwen(+5), gpt(+2), deepseek(+2), mistral, gemini, gemma,
     * claude, bert, vit, clip, diffusion = 13 top-level + 14 members = 27. */
    assert_int_equal(mention_models_count(models), 27);
    assert_string_equal(mention_model_family(models, "model.qwen.2_5_vl"), "model.qwen");
    assert_string_equal(mention_model_family(models, "model.clip"), "model.clip");
    assert_null(mention_model_family(models, "model.nope"));
    assert_string_equal(mention_model_name(models, "model.llama.2"), "Llama 2");
}

static void transformer_case_matters(void **state)
{
    (void)state;
    EXPECT_SCAN("a transformer in the power grid", "");
    EXPECT_SCAN("the Transformer model", "model.transformer@4:Transformer;");
    EXPECT_SCAN("Transformers", "model.transformer@0:Transformers;");
    /* Titles are in Title Case: the electrical device is capitalised there. */
    EXPECT_SCAN("Fault Detection in Power Transformers", "");
    EXPECT_SCAN("Aging of Distribution Transformer Windings", "");
    EXPECT_SCAN("Power Grids and a Transformer Model", "model.transformer@18:Transformer;");
}

static void vision_transformer_is_vit(void **state)
{
    (void)state;
    EXPECT_SCAN("a Vision Transformer for X", "model.vit@2:Vision Transformer;");
    EXPECT_SCAN("Vision-Transformers and ViT", "model.vit@0:Vision-Transformers;model.vit@24:ViT;");
}

static void qwen_whole_words_and_members(void **state)
{
    (void)state;
    EXPECT_SCAN("Qwenlike models", "");
    EXPECT_SCAN("xQwen", "");
    EXPECT_SCAN("we tune Qwen2.5-VL today", "model.qwen.2_5_vl@8:Qwen2.5-VL;");
    EXPECT_SCAN("Qwen2.5 and qwen", "model.qwen.2_5@0:Qwen2.5;model.qwen@12:qwen;");
    /* "Qwen2.7" is no listed member, and "Qwen2" must not match before ".7". */
    EXPECT_SCAN("Qwen2.7", "");
}

static void llama_separators_are_equal(void **state)
{
    (void)state;
    EXPECT_SCAN("Llama-2", "model.llama.2@0:Llama-2;");
    EXPECT_SCAN("Llama 2", "model.llama.2@0:Llama 2;");
    EXPECT_SCAN("llama _-2", "model.llama.2@0:llama _-2;");
    EXPECT_SCAN("a llama grazes", "");
    EXPECT_SCAN("LLaMA", "model.llama@0:LLaMA;");
    EXPECT_SCAN("Llama 3.1 beats Llama 3", "model.llama.3_1@0:Llama 3.1;model.llama.3@16:Llama 3;");
}

static void clip_case_matters(void **state)
{
    (void)state;
    EXPECT_SCAN("we clip gradients", "");
    EXPECT_SCAN("CLIP embeddings", "model.clip@0:CLIP;");
    EXPECT_SCAN("Clip", "");
}

static void gpt_4o_is_gpt_4(void **state)
{
    (void)state;
    EXPECT_SCAN("GPT-4o", "model.gpt.4@0:GPT-4o;");
    EXPECT_SCAN("gpt-4 turbo", "model.gpt.4@0:gpt-4 turbo;");
    EXPECT_SCAN("gpt and ChatGPT", "model.gpt@8:ChatGPT;");
}

static void start_and_end_of_text(void **state)
{
    (void)state;
    EXPECT_SCAN("BERT", "model.bert@0:BERT;");
    EXPECT_SCAN("on DeepSeek", "model.deepseek@3:DeepSeek;");
    EXPECT_SCAN("Gemma.", "model.gemma@0:Gemma;");
}

static void non_ascii_neighbours(void **state)
{
    (void)state;
    /* CJK and typographic quotes are boundaries; Latin letters are not. */
    EXPECT_SCAN("使用Qwen模型", "model.qwen@6:Qwen;");
    EXPECT_SCAN("\xe2\x80\x9c"
                "CLIP"
                "\xe2\x80\x9d",
                "model.clip@3:CLIP;");
    EXPECT_SCAN("\xc3\xa9"
                "CLIP",
                "");
    EXPECT_SCAN("CLIP"
                "\xc3\xa9",
                "");
}

static void invalid_utf8_does_not_crash(void **state)
{
    static const char bad[] = "\xff"
                              "CLIP"
                              "\xc3"
                              " "
                              "\x80"
                              "BERT"
                              "\xe2\x82";

    (void)state;
    /* Stray bytes are boundaries: both names match. */
    EXPECT_SCAN(bad, "model.clip@1:CLIP;model.bert@8:BERT;");
    EXPECT_SCAN("\xf0\x9f", "");
}

static void exclude_cancels_only_what_it_covers(void **state)
{
    (void)state;
    EXPECT_SCAN("Claude Shannon wrote", "");
    EXPECT_SCAN("Claude answered", "model.claude@0:Claude;");
}

static void tally_counts_and_sorts_fields(void **state)
{
    struct mention_list l = MENTION_LIST_INIT;
    struct mention_tally t = MENTION_TALLY_INIT;
    const char *title = "Qwen and CLIP";
    const char *abstract = "CLIP with CLIP; Qwen2";

    (void)state;
    mention_scan(models, title, strlen(title), "title", &l);
    mention_scan(models, abstract, strlen(abstract), "abstract", &l);
    assert_int_equal(l.n, 5);
    assert_string_equal(l.items[4].field, "abstract");
    assert_int_equal(l.items[4].offset, 16);
    mention_tally_add(&t, &l);
    assert_int_equal(t.n, 3);
    assert_string_equal(t.items[0].model, "model.clip");
    assert_int_equal(t.items[0].count, 3);
    assert_int_equal(t.items[0].n_where, 2);
    assert_string_equal(t.items[0].where[0], "abstract");
    assert_string_equal(t.items[0].where[1], "title");
    assert_string_equal(t.items[1].model, "model.qwen");
    assert_int_equal(t.items[1].count, 1);
    assert_string_equal(t.items[2].model, "model.qwen.2");
    assert_int_equal(t.items[2].n_where, 1);
    mention_tally_release(&t);
    mention_list_release(&l);
}

static void fixture_set_members_and_utf8_patterns(void **state)
{
    struct mention_models *m = NULL;
    struct mention_list l = MENTION_LIST_INIT;
    const char *s = "Xeno, xeno 2, QU\xc3\xa9"
                    "BEC";

    (void)state;
    assert_int_equal(mention_models_load(&m, FIXTURES "/small.yaml", NULL), 0);
    mention_scan(m, s, strlen(s), "abstract", &l);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.items[0].model, "model.x");
    assert_string_equal(l.items[1].model, "model.x.2");
    assert_string_equal(l.items[1].family, "model.x");
    assert_int_equal(l.items[1].offset, 6);
    assert_string_equal(l.items[2].model, "model.q");
    mention_list_release(&l);
    mention_models_free(m);
}

static void bad_files_give_file_line_col(void **state)
{
    struct mention_models *m = (struct mention_models *)1;
    struct buf diag = BUF_INIT;

    (void)state;
    assert_int_equal(mention_models_load(&m, FIXTURES "/bad_case.yaml", &diag), NSC_EPARSE);
    assert_null(m);
    /* Both problems, each with its position (checked by hand against the file). */
    assert_string_equal(buf_cstr(&diag), FIXTURES
                        "/bad_case.yaml:4:11: 'case' must be 'sensitive' or "
                        "'insensitive'\n" FIXTURES
                        "/bad_case.yaml:5:5: family 'model.nope' of 'model.b' is not a model\n");
    assert_non_null(strstr(nsc_error_last(), "(and 1 more errors)"));
    buf_reset(&diag);
    assert_int_equal(mention_models_load(&m, FIXTURES "/bad_yaml.yaml", &diag), NSC_EPARSE);
    assert_non_null(strstr(buf_cstr(&diag), "bad_yaml.yaml:4:1: "));
    assert_int_equal(mention_models_load(&m, FIXTURES "/absent.yaml", NULL), NSC_ENOTFOUND);
    buf_release(&diag);
}

/* A second YAML document is an error, not ignored (a half-loaded file);
 * nesting past 64 levels is refused at once (libyaml's loader takes time in
 * the square of the depth: minutes for 200,000). */
static void second_document_and_deep_nesting_refused(void **state)
{
    struct mention_models *m = (struct mention_models *)1;
    char path[] = "/tmp/nsc-models-XXXXXX";
    struct buf text = BUF_INIT;
    uint64_t t0;
    int fd;

    (void)state;
    assert_int_equal(mention_models_load(&m, FIXTURES "/bad_second_doc.yaml", NULL), NSC_EPARSE);
    assert_null(m);
    assert_string_equal(nsc_error_last(),
                        FIXTURES "/bad_second_doc.yaml:4:1: only one YAML document is allowed");
    buf_puts(&text, "models: ");
    for (int i = 0; i < 200000; i++)
        buf_putc(&text, '[');
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text.ptr, text.len), (ssize_t)text.len);
    close(fd);
    t0 = nsc_now_ms();
    assert_int_equal(mention_models_load(&m, path, NULL), NSC_EPARSE);
    assert_true(nsc_now_ms() - t0 < 5000);
    /* the mapping is level 1; the 64th '[' (column 9 + 63) would be level 65 */
    assert_non_null(strstr(nsc_error_last(), ":1:72: nested deeper than 64 levels"));
    unlink(path);
    buf_release(&text);
}

static void long_text_without_names_matches_nothing(void **state)
{
    /* 1 MB of near-misses ("Q" and separators next to letters) finds nothing. */
    size_t n = 1 << 20;
    char *big = xmalloc(n + 1);
    struct mention_list l = MENTION_LIST_INIT;

    (void)state;
    for (size_t i = 0; i < n; i++)
        big[i] = "abc -_Q"[i % 7];
    big[n] = 0;
    mention_scan(models, big, n, "fulltext", &l);
    assert_int_equal(l.n, 0);
    mention_list_release(&l);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_the_shipped_models),
        cmocka_unit_test(transformer_case_matters),
        cmocka_unit_test(vision_transformer_is_vit),
        cmocka_unit_test(qwen_whole_words_and_members),
        cmocka_unit_test(llama_separators_are_equal),
        cmocka_unit_test(clip_case_matters),
        cmocka_unit_test(gpt_4o_is_gpt_4),
        cmocka_unit_test(start_and_end_of_text),
        cmocka_unit_test(non_ascii_neighbours),
        cmocka_unit_test(invalid_utf8_does_not_crash),
        cmocka_unit_test(exclude_cancels_only_what_it_covers),
        cmocka_unit_test(tally_counts_and_sorts_fields),
        cmocka_unit_test(fixture_set_members_and_utf8_patterns),
        cmocka_unit_test(bad_files_give_file_line_col),
        cmocka_unit_test(second_document_and_deep_nesting_refused),
        cmocka_unit_test(long_text_without_names_matches_nothing),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
