/*
 * cmd_classify.c - `nipscope classify`: one string explained, or JSON lines
 * on stdin to JSON lines on stdout (one output object per input line).
 */
#include "cmd.h"

#include "classify.h"
#include "common.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: nipscope classify [--rules DIR] [--policy NAME] [--email-domain D] STRING\n"
               "       nipscope classify --jsonl [--rules DIR] [--policy NAME] < in.jsonl\n");
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *country_json(const char *cc)
{
    return cc[0] ? json_string(cc) : json_null();
}

static json_t *evidence_json(const struct classify_affiliation *a)
{
    json_t *arr = json_array();

    for (size_t i = 0; i < a->n_evidence; i++) {
        const struct classify_evidence *e = &a->evidence[i];
        json_t *o = json_object();
        json_object_set_new(o, "rule", json_string(e->rule));
        json_object_set_new(o, "kind", json_string(e->kind));
        json_object_set_new(o, "country", country_json(e->country));
        json_object_set_new(o, "text", json_string(e->text));
        json_array_append_new(arr, o);
    }
    return arr;
}

/* The decision fields of one affiliation, in a fixed order. */
static void set_decision(json_t *o, const struct classify_affiliation *a)
{
    json_object_set_new(o, "country", a ? country_json(a->country) : json_null());
    json_object_set_new(o, "institution", str_or_null(a ? a->institution : NULL));
    json_object_set_new(o, "rule", str_or_null(a ? a->rule : NULL));
    json_object_set_new(o, "matched", str_or_null(a ? a->matched : NULL));
    json_object_set_new(o, "reason", str_or_null(a ? a->reason : "no affiliation in the string"));
    json_object_set_new(o, "evidence", a ? evidence_json(a) : json_array());
}

static const char *const our_keys[] = { "country", "institution", "rule",         "matched",
                                        "reason",  "evidence",    "affiliations", NULL };

static int is_our_key(const char *k)
{
    for (size_t i = 0; our_keys[i]; i++) {
        if (!strcmp(k, our_keys[i]))
            return 1;
    }
    return 0;
}

static void print_error_line(FILE *out, size_t lineno, const char *msg)
{
    json_t *o = json_object();

    json_object_set_new(o, "line", json_integer((json_int_t)lineno));
    json_object_set_new(o, "error", json_string(msg));
    json_dumpf(o, out, JSON_PRESERVE_ORDER | JSON_COMPACT);
    fputc('\n', out);
    json_decref(o);
}

/* Classify one JSON line; 0, or -1 after printing an error object. */
static int jsonl_line(const struct classify_rules *rules, const struct classify_policy *pol,
                      struct classify_result *res, const char *line, size_t len, size_t lineno,
                      FILE *out)
{
    json_error_t jerr;
    json_t *in, *aff, *dom, *o, *arr;
    const char *key, *dom_s = NULL;
    json_t *val;
    int err;

    in = json_loadb(line, len, 0, &jerr);
    if (!in) {
        char msg[300];
        snprintf(msg, sizeof(msg), "line %zu: column %d: invalid JSON: %s", lineno, jerr.column,
                 jerr.text);
        print_error_line(out, lineno, msg);
        return -1;
    }
    if (!json_is_object(in)) {
        print_error_line(out, lineno, "not a JSON object");
        json_decref(in);
        return -1;
    }
    aff = json_object_get(in, "affiliation");
    if (!json_is_string(aff)) {
        print_error_line(out, lineno,
                         aff ? "\"affiliation\" is not a string" : "no \"affiliation\" field");
        json_decref(in);
        return -1;
    }
    dom = json_object_get(in, "email_domain");
    if (dom && !json_is_null(dom) && !json_is_string(dom)) {
        print_error_line(out, lineno, "\"email_domain\" is neither a string nor null");
        json_decref(in);
        return -1;
    }
    if (json_is_string(dom))
        dom_s = json_string_value(dom);
    err = classify_run(rules, pol, json_string_value(aff), json_string_length(aff), dom_s, res);
    if (err < 0) {
        char msg[300];
        snprintf(msg, sizeof(msg), "\"affiliation\": %s", nsc_error_last());
        print_error_line(out, lineno, msg);
        json_decref(in);
        return -1;
    }
    o = json_object();
    json_object_foreach(in, key, val)
    {
        if (!is_our_key(key))
            json_object_set(o, key, val);
    }
    set_decision(o, classify_result_primary(res));
    arr = json_array();
    for (size_t i = 0; i < res->n; i++) {
        json_t *a = json_object();
        json_object_set_new(a, "text", json_string(res->affils[i].text));
        set_decision(a, &res->affils[i]);
        json_array_append_new(arr, a);
    }
    json_object_set_new(o, "affiliations", arr);
    json_dumpf(o, out, JSON_PRESERVE_ORDER | JSON_COMPACT);
    fputc('\n', out);
    json_decref(o);
    json_decref(in);
    return 0;
}

static int run_jsonl(const struct classify_rules *rules, const struct classify_policy *pol)
{
    struct classify_result res = CLASSIFY_RESULT_INIT;
    static char obuf[1 << 16];
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t n;
    int bad = 0;

    setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        size_t len = (size_t)n;
        lineno++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (jsonl_line(rules, pol, &res, line, len, lineno, stdout) < 0)
            bad = 1;
    }
    free(line);
    classify_result_release(&res);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "nipscope: classify: cannot write output\n");
        return EXIT_IOERR;
    }
    if (ferror(stdin)) {
        fprintf(stderr, "nipscope: classify: cannot read standard input\n");
        return EXIT_IOERR;
    }
    return bad ? EXIT_DATAERR : EXIT_OK;
}

static void explain(const struct classify_result *res, const char *dom)
{
    if (dom)
        printf("email domain: %s\n", dom);
    if (!res->n)
        printf("no affiliation in the string\n");
    for (size_t i = 0; i < res->n; i++) {
        const struct classify_affiliation *a = &res->affils[i];
        printf("affiliation %zu: %s\n", i + 1, a->text);
        if (a->country[0])
            printf("  country:     %s\n", a->country);
        else
            printf("  country:     unknown (%s)\n", a->reason ? a->reason : "no reason");
        if (a->institution)
            printf("  institution: %s\n", a->institution);
        if (a->rule)
            printf("  rule:        %s (matched \"%s\")\n", a->rule, a->matched ? a->matched : "");
        for (size_t k = 0; k < a->n_evidence; k++) {
            const struct classify_evidence *e = &a->evidence[k];
            printf("  %s %s %s %s \"%s\"\n", k ? "            " : "evidence:   ", e->kind, e->rule,
                   e->country[0] ? e->country : "--", e->text);
        }
    }
}

int cmd_classify(int argc, char **argv)
{
    const char *dir = NULL, *policy = NULL, *dom = NULL, *text = NULL;
    struct classify_rules *rules = NULL;
    const struct classify_policy *pol;
    struct classify_result res = CLASSIFY_RESULT_INIT;
    int jsonl = 0, err, rc;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "--jsonl")) {
            jsonl = 1;
            continue;
        } else if (!strcmp(a, "--rules")) {
            slot = &dir;
        } else if (!strcmp(a, "--policy")) {
            slot = &policy;
        } else if (!strcmp(a, "--email-domain")) {
            slot = &dom;
        } else if (!strcmp(a, "--")) {
            if (i + 2 != argc || text) {
                usage(stderr);
                return EXIT_USAGE;
            }
            text = argv[i + 1];
            break;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "nipscope: classify: unknown option '%s'\n", a);
            usage(stderr);
            return EXIT_USAGE;
        } else if (text) {
            fprintf(stderr, "nipscope: classify: give one string (quote it)\n");
            return EXIT_USAGE;
        } else {
            text = a;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "nipscope: classify: '%s' needs a value\n", a);
            return EXIT_USAGE;
        }
        *slot = argv[++i];
    }
    if (jsonl ? (text != NULL || dom != NULL) : text == NULL) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!dir)
        dir = cmd_default_rules_dir();
    err = classify_rules_load(&rules, dir, NULL);
    if (err < 0)
        return cmd_fail(err);
    pol = classify_policy_find(rules, policy);
    if (!pol) {
        fprintf(stderr, "nipscope: classify: no policy named '%s' in %s/policies.yaml\n", policy,
                dir);
        classify_rules_free(rules);
        return EXIT_USAGE;
    }
    if (jsonl) {
        rc = run_jsonl(rules, pol);
    } else {
        err = classify_run(rules, pol, text, strlen(text), dom, &res);
        if (err < 0) {
            rc = cmd_fail(err);
        } else {
            explain(&res, dom);
            rc = EXIT_OK;
        }
    }
    classify_result_release(&res);
    classify_rules_free(rules);
    return rc;
}
