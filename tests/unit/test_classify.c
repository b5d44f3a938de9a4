/*
 * test_classify.c - the classifier: normaliser, splitter, matcher and the
 * precedence of rules/README.md, on the small rule set in
 * tests/fixtures/rules/good (not the shipped rules, which change).
 */
#include "classify_int.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define GOOD NSC_FIXTURES_DIR "/rules/good"

static struct classify_rules *rules;
static struct classify_result res = CLASSIFY_RESULT_INIT;

static int setup(void **state)
{
    struct buf diag = BUF_INIT;
    int err = classify_rules_load(&rules, GOOD, &diag);

    if (err < 0)
        fprintf(stderr, "cannot load %s: %s\n%s", GOOD, nsc_error_last(), buf_cstr(&diag));
    buf_release(&diag);
    return err < 0 ? -1 : 0;
}

static int teardown(void **state)
{
    classify_result_release(&res);
    classify_rules_free(rules);
    return 0;
}

/* Classify under the named policy; fail the test on error. */
static void run_p(const char *policy, const char *s, const char *dom)
{
    const struct classify_policy *p = classify_policy_find(rules, policy);

    assert_non_null(p);
    assert_int_equal(classify_run(rules, p, s, strlen(s), dom, &res), 0);
}

static void run(const char *s, const char *dom)
{
    run_p(NULL, s, dom);
}

/* The text of token i after normalisation. */
static const char *tok_text(const struct toks *t, size_t i)
{
    return rules->vocab.text.ptr + rules->vocab.off[t->v[i].id];
}

static int has_evidence(const struct classify_affiliation *a, const char *rule, const char *kind)
{
    for (size_t i = 0; i < a->n_evidence; i++) {
        if (!strcmp(a->evidence[i].rule, rule) && !strcmp(a->evidence[i].kind, kind))
            return 1;
    }
    return 0;
}

/* ---- normaliser -------------------------------------------------------- */

static void normalise_folds_case_and_strips_marks(void **state)
{
    struct toks t = { 0 };
    const char *s = "ETH-Zürich";

    assert_int_equal(classify__tokenize(&rules->vocab, &rules->norm, s, strlen(s), 0, 0, &t), 0);
    assert_int_equal(t.n, 2);
    assert_string_equal(tok_text(&t, 0), "eth");
    assert_string_equal(tok_text(&t, 1), "zurich");
    /* spans are bytes of the original: "Zürich" is 7 bytes at offset 4 */
    assert_int_equal(t.v[1].start, 4);
    assert_int_equal(t.v[1].end, 11);
    classify__toks_release(&t);
}

static void normalise_applies_nfkc(void **state)
{
    struct toks t = { 0 };
    /* fullwidth "ＭＩＴ" is "MIT" under NFKC */
    const char *s = "\xef\xbc\xad\xef\xbc\xa9\xef\xbc\xb4";

    assert_int_equal(classify__tokenize(&rules->vocab, &rules->norm, s, strlen(s), 0, 0, &t), 0);
    assert_int_equal(t.n, 1);
    assert_int_not_equal(t.v[0].id, 0);
    assert_string_equal(tok_text(&t, 0), "mit");
    classify__toks_release(&t);
}

static void normalise_expands_abbreviations_keeping_spans(void **state)
{
    struct toks t = { 0 };
    const char *s = "Tsinghua Univ.";

    assert_int_equal(classify__tokenize(&rules->vocab, &rules->norm, s, strlen(s), 0, 0, &t), 0);
    assert_int_equal(t.n, 2);
    assert_string_equal(tok_text(&t, 1), "university");
    assert_int_equal(t.v[1].start, 9);
    assert_int_equal(t.v[1].end, 13);
    classify__toks_release(&t);
}

static void normalise_joins_loose_pdf_accents(void **state)
{
    struct toks t = { 0 };
    const char *s = "ETH Z \xc2\xa8urich"; /* "ETH Z ¨urich" */

    assert_int_equal(classify__tokenize(&rules->vocab, &rules->norm, s, strlen(s), 0, 0, &t), 0);
    assert_int_equal(t.n, 2);
    assert_string_equal(tok_text(&t, 1), "zurich");
    /* a lone accent that precedes no letter is just a boundary */
    s = "ETH \xc2\xb4 Zurich";
    assert_int_equal(classify__tokenize(&rules->vocab, &rules->norm, s, strlen(s), 0, 0, &t), 0);
    assert_int_equal(t.n, 2);
    classify__toks_release(&t);
}

static void normalise_splits_cjk_per_character(void **state)
{
    struct toks t = { 0 };
    const char *s = "清华大学";

    assert_int_equal(classify__tokenize(&rules->vocab, &rules->norm, s, strlen(s), 0, 0, &t), 0);
    assert_int_equal(t.n, 4);
    assert_int_equal(t.v[3].start, 9);
    classify__toks_release(&t);
}

static void normalise_drops_leading_the_only_when_asked(void **state)
{
    struct toks t = { 0 };
    const char *s = "The University";

    assert_int_equal(classify__tokenize(&rules->vocab, &rules->norm, s, strlen(s), 0, 1, &t), 0);
    assert_int_equal(t.n, 1);
    assert_int_equal(classify__tokenize(&rules->vocab, &rules->norm, s, strlen(s), 0, 0, &t), 0);
    assert_int_equal(t.n, 2);
    classify__toks_release(&t);
}

static void invalid_utf8_is_an_error_with_offset(void **state)
{
    const char *s = "MIT \xc3\x28 Lab";

    assert_int_equal(classify_run(rules, NULL, s, strlen(s), NULL, &res), NSC_EPARSE);
    assert_non_null(strstr(nsc_error_last(), "byte 4"));
    assert_int_equal(res.n, 0);
}

/* ---- splitter ---------------------------------------------------------- */

static void split_on_slash(void **state)
{
    run("University of Oxford / Facebook AI Research", NULL);
    assert_int_equal(res.n, 2);
    assert_string_equal(res.affils[0].text, "University of Oxford");
    assert_string_equal(res.affils[0].country, "GB");
    assert_string_equal(res.affils[1].text, "Facebook AI Research");
    assert_string_equal(res.affils[1].country, "US");
    assert_string_equal(res.affils[1].rule, "inst.meta");
}

static void split_on_ampersand_between_institutions(void **state)
{
    run("UC Berkeley & covariant.ai", NULL);
    assert_int_equal(res.n, 2);
    assert_string_equal(res.affils[0].rule, "inst.berkeley");
    assert_string_equal(res.affils[1].rule, "inst.covariant");
}

static void split_on_and_between_institutions(void **state)
{
    run("Google DeepMind and University College London", NULL);
    assert_int_equal(res.n, 2);
    assert_string_equal(res.affils[0].text, "Google DeepMind");
    assert_string_equal(res.affils[1].text, "University College London");
    assert_string_equal(res.affils[1].country, "GB");
}

static void no_split_inside_names(void **state)
{
    run("University of Science and Technology of China", NULL);
    assert_int_equal(res.n, 1);
    assert_string_equal(res.affils[0].rule, "inst.ustc");
    /* the covered country name "China" is dropped, not evidence */
    assert_int_equal(res.affils[0].n_evidence, 1);
    run("Texas A&M University", NULL);
    assert_int_equal(res.n, 1);
    assert_string_equal(res.affils[0].rule, "inst.tamu");
    run("University of California, Berkeley", NULL);
    assert_int_equal(res.n, 1);
    assert_string_equal(res.affils[0].rule, "inst.berkeley");
}

static void places_attach_to_their_institution(void **state)
{
    run("School of CS, Peking University, Beijing 100871, China", NULL);
    assert_int_equal(res.n, 1);
    assert_string_equal(res.affils[0].country, "CN");
    assert_string_equal(res.affils[0].rule, "inst.pku");
    assert_string_equal(res.affils[0].matched, "Peking University");
    assert_string_equal(res.affils[0].institution, "Peking University");
    assert_true(has_evidence(&res.affils[0], "place.cn.beijing", "place"));
    assert_true(has_evidence(&res.affils[0], "country.cn", "country"));
}

static void comma_splits_two_institutions(void **state)
{
    run("Tsinghua University, Beijing, China, Microsoft Research Asia", NULL);
    assert_int_equal(res.n, 2);
    assert_string_equal(res.affils[0].text, "Tsinghua University, Beijing, China");
    assert_string_equal(res.affils[1].rule, "inst.microsoft.asia");
}

static void hard_split_keeps_empty_piece_unknown(void **state)
{
    run("Department of Physics; MIT", NULL);
    assert_int_equal(res.n, 2);
    assert_string_equal(res.affils[0].country, "");
    assert_string_equal(res.affils[0].reason, "no rule matched");
    assert_string_equal(classify_result_primary(&res)->rule, "inst.mit");
}

/* ---- matcher ----------------------------------------------------------- */

static void longest_match_wins(void **state)
{
    run("Microsoft Research Asia", NULL);
    assert_string_equal(res.affils[0].rule, "inst.microsoft.asia");
    assert_string_equal(res.affils[0].country, "CN");
    assert_false(has_evidence(&res.affils[0], "inst.microsoft", "multinational"));
}

static void acronyms_are_case_sensitive(void **state)
{
    run("THU", NULL);
    assert_string_equal(res.affils[0].country, "CN");
    run("Thu", NULL);
    assert_string_equal(res.affils[0].country, "");
    run("Lab, US", NULL);
    assert_string_equal(res.affils[0].rule, "country.us");
    run("Lab, us", NULL);
    assert_string_equal(res.affils[0].country, "");
}

static void postal_codes_only_in_addresses(void **state)
{
    run("Some Lab, Cambridge, MA 02139", NULL);
    assert_string_equal(res.affils[0].country, "US");
    assert_string_equal(res.affils[0].rule, "place.us.ma");
    /* not after a comma: no code */
    run("MA Lab", NULL);
    assert_string_equal(res.affils[0].country, "");
    /* lower case: no code */
    run("Lab, ma", NULL);
    assert_string_equal(res.affils[0].country, "");
}

static void unicode_names_match(void **state)
{
    run("清华大学", NULL);
    assert_string_equal(res.affils[0].rule, "inst.tsinghua");
    run("ETH Zurich", NULL);
    assert_string_equal(res.affils[0].rule, "inst.eth");
    run("Some Lab, Zurich", NULL);
    assert_string_equal(res.affils[0].rule, "place.ch.zurich");
}

static void cost_does_not_depend_on_unknown_words(void **state)
{
    /* unknown words get id 0 and never enter the trie */
    run("Xyzzy Plugh Quux", NULL);
    assert_int_equal(res.n, 1);
    assert_int_equal(res.affils[0].n_evidence, 0);
}

/* ---- precedence -------------------------------------------------------- */

static void institution_contradicted_by_place_is_unknown(void **state)
{
    run("Tsinghua University, London", NULL);
    assert_string_equal(res.affils[0].country, "");
    assert_non_null(strstr(res.affils[0].reason, "inst.tsinghua"));
    assert_non_null(strstr(res.affils[0].reason, "place.gb.london"));
    run("Tsinghua University, Beijing", NULL);
    assert_string_equal(res.affils[0].country, "CN");
}

static void multinational_place_overrides_hq(void **state)
{
    run("Huawei Noah's Ark Lab, London", NULL);
    assert_string_equal(res.affils[0].country, "GB");
    assert_string_equal(res.affils[0].rule, "place.gb.london");
    assert_string_equal(res.affils[0].institution, "Huawei");
    assert_true(has_evidence(&res.affils[0], "inst.huawei", "multinational"));
}

static void multinational_without_place_follows_policy(void **state)
{
    run_p("default", "Google DeepMind", NULL);
    assert_string_equal(res.affils[0].country, "US");
    assert_string_equal(res.affils[0].rule, "inst.google");
    run_p("strict", "Google DeepMind", NULL);
    assert_string_equal(res.affils[0].country, "");
    assert_non_null(strstr(res.affils[0].reason, "policy strict"));
}

static void branch_beats_multinational(void **state)
{
    run("Alibaba US", NULL);
    assert_string_equal(res.affils[0].country, "US");
    assert_string_equal(res.affils[0].rule, "inst.alibaba.us");
    /* a place in another country overrides a multinational's branch: the place decides */
    run("MSRA, London", NULL);
    assert_string_equal(res.affils[0].country, "GB");
    assert_string_equal(res.affils[0].rule, "place.gb.london");
    assert_string_equal(res.affils[0].institution, "Microsoft");
    run("MSRA, Beijing", NULL);
    assert_string_equal(res.affils[0].rule, "inst.microsoft.asia");
}

static void branch_email_domain_places_a_multinational(void **state)
{
    run("Microsoft Research", "msra.cn");
    assert_string_equal(res.affils[0].country, "CN");
    assert_string_equal(res.affils[0].rule, "inst.microsoft.asia");
    assert_true(has_evidence(&res.affils[0], "inst.microsoft.asia", "institution-domain"));
    /* a domain of the multinational itself says nothing about where */
    run("Microsoft Research", "microsoft.com");
    assert_string_equal(res.affils[0].rule, "inst.microsoft");
}

static void unsettled_shared_place_is_no_evidence(void **state)
{
    /* a multinational falls back to its headquarters */
    run("Microsoft, Cambridge", NULL);
    assert_string_equal(res.affils[0].country, "US");
    assert_string_equal(res.affils[0].rule, "inst.microsoft");
    run_p("strict", "Microsoft, Cambridge", NULL);
    assert_string_equal(res.affils[0].country, "");
    /* a one-country institution in one of its countries decides */
    run("University of Oxford, Cambridge", NULL);
    assert_string_equal(res.affils[0].country, "GB");
    /* alone it decides nothing, and the email domain may speak */
    run("Some Lab, Cambridge", NULL);
    assert_non_null(strstr(res.affils[0].reason, "several countries"));
    run("Some Lab, Cambridge", "cam.ac.uk");
    assert_string_equal(res.affils[0].rule, "dom.uk");
    /* weak evidence must fit the place: German is not a Cambridge country */
    run("German Lab, Cambridge", NULL);
    assert_string_equal(res.affils[0].country, "");
    run("American Lab, Cambridge", NULL);
    assert_string_equal(res.affils[0].country, "US");
}

static void shared_name_needs_place_or_domain(void **state)
{
    run("Northeastern University", NULL);
    assert_string_equal(res.affils[0].country, "");
    assert_non_null(strstr(res.affils[0].reason, "shared"));
    run("Northeastern University, Boston", NULL);
    assert_string_equal(res.affils[0].rule, "inst.northeastern.us");
    run("Northeastern University, Shenyang", NULL);
    assert_string_equal(res.affils[0].rule, "inst.northeastern.cn");
    run("Northeastern University", "neu.edu.cn");
    assert_string_equal(res.affils[0].rule, "inst.northeastern.cn");
    run("Northeastern University", "ccs.northeastern.edu");
    assert_string_equal(res.affils[0].country, "US");
    /* .edu is weak: it does not settle a shared name */
    run("Northeastern University", "neu.edu");
    assert_string_equal(res.affils[0].country, "");
}

static void shared_place_settled_by_another_place(void **state)
{
    run("Some Lab, Cambridge", NULL);
    assert_string_equal(res.affils[0].country, "");
    run("Some Lab, Cambridge, UK", NULL);
    assert_string_equal(res.affils[0].country, "GB");
    run("Some Lab, Cambridge, Massachusetts", NULL);
    assert_string_equal(res.affils[0].country, "US");
}

static void no_institution_country_name_then_place(void **state)
{
    run("Some Lab, Hefei, China", NULL);
    assert_string_equal(res.affils[0].country, "CN");
    assert_string_equal(res.affils[0].rule, "country.cn");
    run("Some Lab, Hefei", NULL);
    assert_string_equal(res.affils[0].rule, "place.cn.hefei");
    run("Some Lab, Germany, China", NULL);
    assert_string_equal(res.affils[0].country, "");
    /* a country name outweighs places that disagree with each other */
    run("Some Lab, London, Zurich, China", NULL);
    assert_string_equal(res.affils[0].rule, "country.cn");
}

static void email_domain_decides_last(void **state)
{
    run("Department of Computer Science", "cs.tsinghua.edu.cn");
    assert_string_equal(res.affils[0].country, "CN");
    assert_string_equal(res.affils[0].rule, "inst.tsinghua");
    run("Department of Computer Science", "cam.ac.uk");
    assert_string_equal(res.affils[0].rule, "dom.uk");
    run("Department of Computer Science", "example.de");
    assert_string_equal(res.affils[0].rule, "dom.de");
    run("Department of Computer Science", "gmail.com");
    assert_string_equal(res.affils[0].country, "");
    /* an institution name beats the domain */
    run("Peking University", "mit.edu");
    assert_string_equal(res.affils[0].country, "CN");
}

static void email_address_and_case_are_accepted(void **state)
{
    run("Department of Computer Science", "Someone@CS.Tsinghua.EDU.cn");
    assert_string_equal(res.affils[0].rule, "inst.tsinghua");
    assert_string_equal(res.affils[0].matched, "cs.tsinghua.edu.cn");
}

static void empty_and_punctuation_give_no_affiliation(void **state)
{
    run("", NULL);
    assert_int_equal(res.n, 0);
    assert_null(classify_result_primary(&res));
    run(" ;, / | ", "mit.edu");
    assert_int_equal(res.n, 0);
}

static void weak_evidence_only_alone(void **state)
{
    run("Department of Computer Science", "foo.edu");
    assert_string_equal(res.affils[0].country, "US");
    assert_string_equal(res.affils[0].rule, "dom.edu");
    run("American Lab", NULL);
    assert_string_equal(res.affils[0].rule, "country.us");
    run("American Lab", "x.edu");
    assert_string_equal(res.affils[0].country, "US");
    run("German Lab", "x.edu");
    assert_string_equal(res.affils[0].country, "");
    run("Some Lab, Hefei", "x.edu"); /* a place beats .edu */
    assert_string_equal(res.affils[0].country, "CN");
}

static void hand_written_entries_override_generated(void **state)
{
    run("Tsinghua University", NULL);
    assert_string_equal(res.affils[0].institution, "Tsinghua University");
    run("Oxford University", NULL);
    assert_string_equal(res.affils[0].rule, "inst.oxford");
    run("Zhejiang University", NULL);
    assert_string_equal(res.affils[0].rule, "inst.gen.zju");
}

static void covered_country_name_inside_institution(void **state)
{
    run("The Chinese University of Hong Kong", NULL);
    assert_string_equal(res.affils[0].country, "HK");
    assert_int_equal(res.affils[0].n_evidence, 1);
}

static void one_institution_named_twice_is_one_affiliation(void **state)
{
    run("DAMO Academy, Alibaba Group", NULL);
    assert_int_equal(res.n, 1);
    /* a branch anywhere in the affiliation speaks first */
    run("Microsoft Research, Microsoft Research Asia", NULL);
    assert_int_equal(res.n, 1);
    assert_string_equal(res.affils[0].rule, "inst.microsoft.asia");
    run("Microsoft Research, University of Oxford", NULL);
    assert_int_equal(res.n, 2);
}

static void footnote_digits_are_words(void **state)
{
    run("University of Oxford1", NULL);
    assert_string_equal(res.affils[0].rule, "inst.oxford");
    run("University of Oxford 1", NULL);
    assert_string_equal(res.affils[0].rule, "inst.oxford");
}

static void agreeing_country_name_outweighs_homonym_city(void **state)
{
    run("Tsinghua University, London, China", NULL);
    assert_string_equal(res.affils[0].country, "CN");
    run("Tsinghua University, London, UK", NULL);
    assert_string_equal(res.affils[0].country, "");
}

static void postal_code_and_country_name_may_coincide(void **state)
{
    run("Some Lab, Dover, DE", NULL); /* Delaware or Germany: not settled */
    assert_string_equal(res.affils[0].country, "");
    run("Some Lab, Delaware, DE 19901", NULL);
    assert_string_equal(res.affils[0].country, "US");
    run("Some Lab DE", NULL); /* not after a comma: only the country name */
    assert_string_equal(res.affils[0].country, "DE");
}

/* ---- rule set API ------------------------------------------------------ */

static void rules_expose_policies_blocs_hash(void **state)
{
    const struct classify_bloc *b;
    const struct classify_policy *p;
    struct classify_counts c;
    const char *h = classify_rules_hash(rules);

    assert_int_equal(strlen(h), 16);
    assert_string_equal(classify_rules_version(rules), "test-1");
    assert_int_equal(classify_rules_blocs(rules, &b), 3);
    assert_string_equal(b[2].name, "china_greater");
    assert_int_equal(b[2].n_members, 3);
    assert_string_equal(b[2].members[1], "HK");
    assert_int_equal(classify_rules_policies(rules, &p), 2);
    assert_string_equal(p[1].pair[1], "china_greater");
    assert_int_equal(classify_policy_find(rules, "strict")->multinational, CLASSIFY_MN_UNKNOWN);
    assert_null(classify_policy_find(rules, "nope"));
    assert_string_equal(classify_policy_find(rules, NULL)->name, "default");
    classify_rules_counts(rules, &c);
    assert_int_equal(c.countries, 7);
    assert_int_equal(c.branches, 2);
    assert_int_equal(c.blocs, 3);
}

static void same_files_same_hash(void **state)
{
    struct classify_rules *again = NULL;

    assert_int_equal(classify_rules_load(&again, GOOD, NULL), 0);
    assert_string_equal(classify_rules_hash(again), classify_rules_hash(rules));
    classify_rules_free(again);
}

static void bad_rules_load_nothing(void **state)
{
    struct classify_rules *bad = (struct classify_rules *)1;
    struct buf diag = BUF_INIT;

    assert_int_equal(
        classify_rules_load(&bad, NSC_FIXTURES_DIR "/rules/bad-alias-two-countries", &diag),
        NSC_EPARSE);
    assert_null(bad);
    assert_non_null(strstr(buf_cstr(&diag), "institutions.yaml:"));
    buf_release(&diag);
    bad = (struct classify_rules *)1;
    assert_int_equal(classify_rules_load(&bad, NSC_FIXTURES_DIR "/rules/no-such-dir", NULL),
                     NSC_ENOTFOUND);
    assert_null(bad);
}

/* A rule file whose first list is empty loads (fuzz_rules found its items
 * array NULL and a pointer computed from it: undefined behaviour, which the
 * ASan+UBSan build of this test stops on). */
static void empty_first_list_loads(void **state)
{
    struct classify_rules *r = NULL;
    struct classify_result res2 = CLASSIFY_RESULT_INIT;

    (void)state;
    assert_int_equal(classify_rules_load(&r, NSC_FIXTURES_DIR "/rules/empty-list", NULL), 0);
    assert_int_equal(classify_run(r, NULL, "Some Univ, USA", 14, NULL, &res2), 0);
    assert_int_equal(res2.n, 1);
    assert_string_equal(res2.affils[0].country, "US");
    classify_result_release(&res2);
    classify_rules_free(r);
}

/* ---- threads: one rule set, many classifiers ---------------------------- */

static const char *const thread_inputs[] = {
    "School of CS, Peking University, Beijing 100871, China",
    "University of Oxford / Facebook AI Research",
    "Huawei Noah's Ark Lab, London",
    "Northeastern University",
    "Some Lab, Cambridge, MA 02139",
};

static void *thread_main(void *arg)
{
    struct classify_result r = CLASSIFY_RESULT_INIT;
    char *out = arg;

    for (int round = 0; round < 200; round++) {
        for (size_t i = 0; i < NSC_ARRAY_SIZE(thread_inputs); i++) {
            const struct classify_affiliation *a;
            if (classify_run(rules, NULL, thread_inputs[i], strlen(thread_inputs[i]), NULL, &r))
                return NULL;
            a = classify_result_primary(&r);
            if (round == 0)
                memcpy(out + 3 * i, a->country, 3);
            else if (strcmp(out + 3 * i, a->country))
                out[3 * i] = '!';
        }
    }
    classify_result_release(&r);
    return arg;
}

static void rules_are_shared_across_threads(void **state)
{
    pthread_t th[4];
    char out[4][3 * NSC_ARRAY_SIZE(thread_inputs)];
    void *ret;

    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, thread_main, out[i]), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], &ret), 0);
        assert_non_null(ret);
        assert_string_equal(out[i] + 0, "CN");
        assert_string_equal(out[i] + 3, "GB");
        assert_string_equal(out[i] + 6, "GB");
        assert_string_equal(out[i] + 9, "");
        assert_string_equal(out[i] + 12, "US");
    }
}

/* Open affiliations: candidates from evidence, once each, no headquarters. */
static void open_affiliations_collect_candidates(void **state)
{
    struct classify_open o = { 0 };

    (void)state;
    classify_open_add(&o, "shared", "US");
    classify_open_add(&o, "shared", "CN");
    classify_open_add(&o, "place", "US");
    classify_open_add(&o, "multinational", "GB");
    classify_open_add(&o, "place", NULL);
    classify_open_add(&o, "place", "USA");
    assert_int_equal(o.n, 2);
    assert_string_equal(o.cc[0], "US");
    assert_string_equal(o.cc[1], "CN");
    for (int i = 0; i < 20; i++) {
        char cc[3] = { 'A', (char)('A' + i), 0 };

        classify_open_add(&o, "place", cc);
    }
    assert_int_equal(o.n, CLASSIFY_OPEN_MAX);
}

/* Undecided: some placing of the open affiliations joins both blocs. */
static void undecided_needs_one_place_per_affiliation(void **state)
{
    static const char us_m[][3] = { "US" };
    static const char cn_m[][3] = { "CN", "HK" };
    const struct classify_bloc us = { "bloc.us", "us", 1, us_m };
    const struct classify_bloc cn = { "bloc.cn", "cn", 2, cn_m };
    struct classify_open neu = { 2, { "CN", "US" } }, cam = { 2, { "GB", "US" } };
    struct classify_open hk = { 1, { "HK" } }, gr = { 1, { "GR" } };
    struct classify_open two_neu[2] = { neu, neu }, neu_cam[2] = { neu, cam },
                         cam_gr[2] = { cam, gr };

    (void)state;
    assert_true(classify_bloc_has(&cn, "HK"));
    assert_false(classify_bloc_has(&cn, "TW"));
    assert_false(classify_bloc_has(&cn, NULL));
    /* Already in both: never undecided. */
    assert_false(classify_blocs_undecided(&us, &cn, 0, 0, &neu, 1));
    /* A US author and one bare Northeastern: it could be Shenyang's. */
    assert_true(classify_blocs_undecided(&us, &cn, 0, 1, &neu, 1));
    /* A CN author and "Cambridge": it could be Massachusetts. */
    assert_true(classify_blocs_undecided(&us, &cn, 1, 0, &cam, 1));
    /* ... but not when the open one only names places outside the bloc. */
    assert_false(classify_blocs_undecided(&us, &cn, 0, 1, &cam, 1));
    assert_false(classify_blocs_undecided(&us, &cn, 1, 0, &hk, 1));
    /* Neither bloc placed: one affiliation cannot be in both. */
    assert_false(classify_blocs_undecided(&us, &cn, 1, 1, &neu, 1));
    assert_true(classify_blocs_undecided(&us, &cn, 1, 1, two_neu, 2));
    /* Cambridge for the US, Northeastern for CN (the order is free). */
    assert_true(classify_blocs_undecided(&us, &cn, 1, 1, neu_cam, 2));
    assert_false(classify_blocs_undecided(&us, &cn, 1, 1, cam_gr, 2));
    assert_false(classify_blocs_undecided(&us, &cn, 0, 1, NULL, 0));
}

/* A fresh result's first classification, with no evidence at all: the
 * evidence pointer is valid (fuzz_rules under UBSan found it computed as
 * NULL + 0 from a result that had never held evidence). */
static void no_evidence_on_a_fresh_result(void **state)
{
    struct classify_result r = CLASSIFY_RESULT_INIT;

    (void)state;
    assert_int_equal(classify_run(rules, NULL, "Zzyzx Qwvt", 10, NULL, &r), 0);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.affils[0].country, "");
    assert_int_equal(r.affils[0].n_evidence, 0);
    assert_non_null(r.affils[0].evidence);
    classify_result_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(normalise_folds_case_and_strips_marks),
        cmocka_unit_test(normalise_applies_nfkc),
        cmocka_unit_test(normalise_expands_abbreviations_keeping_spans),
        cmocka_unit_test(normalise_joins_loose_pdf_accents),
        cmocka_unit_test(normalise_splits_cjk_per_character),
        cmocka_unit_test(normalise_drops_leading_the_only_when_asked),
        cmocka_unit_test(invalid_utf8_is_an_error_with_offset),
        cmocka_unit_test(split_on_slash),
        cmocka_unit_test(split_on_ampersand_between_institutions),
        cmocka_unit_test(split_on_and_between_institutions),
        cmocka_unit_test(no_split_inside_names),
        cmocka_unit_test(places_attach_to_their_institution),
        cmocka_unit_test(comma_splits_two_institutions),
        cmocka_unit_test(hard_split_keeps_empty_piece_unknown),
        cmocka_unit_test(longest_match_wins),
        cmocka_unit_test(acronyms_are_case_sensitive),
        cmocka_unit_test(postal_codes_only_in_addresses),
        cmocka_unit_test(unicode_names_match),
        cmocka_unit_test(cost_does_not_depend_on_unknown_words),
        cmocka_unit_test(institution_contradicted_by_place_is_unknown),
        cmocka_unit_test(multinational_place_overrides_hq),
        cmocka_unit_test(multinational_without_place_follows_policy),
        cmocka_unit_test(branch_beats_multinational),
        cmocka_unit_test(branch_email_domain_places_a_multinational),
        cmocka_unit_test(unsettled_shared_place_is_no_evidence),
        cmocka_unit_test(shared_name_needs_place_or_domain),
        cmocka_unit_test(shared_place_settled_by_another_place),
        cmocka_unit_test(no_institution_country_name_then_place),
        cmocka_unit_test(email_domain_decides_last),
        cmocka_unit_test(email_address_and_case_are_accepted),
        cmocka_unit_test(empty_and_punctuation_give_no_affiliation),
        cmocka_unit_test(weak_evidence_only_alone),
        cmocka_unit_test(hand_written_entries_override_generated),
        cmocka_unit_test(covered_country_name_inside_institution),
        cmocka_unit_test(one_institution_named_twice_is_one_affiliation),
        cmocka_unit_test(footnote_digits_are_words),
        cmocka_unit_test(agreeing_country_name_outweighs_homonym_city),
        cmocka_unit_test(postal_code_and_country_name_may_coincide),
        cmocka_unit_test(rules_expose_policies_blocs_hash),
        cmocka_unit_test(same_files_same_hash),
        cmocka_unit_test(bad_rules_load_nothing),
        cmocka_unit_test(rules_are_shared_across_threads),
        cmocka_unit_test(open_affiliations_collect_candidates),
        cmocka_unit_test(undecided_needs_one_place_per_affiliation),
        cmocka_unit_test(no_evidence_on_a_fresh_result),
        cmocka_unit_test(empty_first_list_loads),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
