/*
 * report_explain.c - `nipscope report --explain ID`: one paper, every author,
 * the raw affiliation and, for each affiliation the classifier found, the
 * institution, country, deciding rule and evidence, as stored in the record.
 */
#include "report.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *str_or(json_t *v, const char *dflt)
{
    const char *s = json_string_value(v);

    return s ? s : dflt;
}

/* Re-read line 'lineno' of 'path' as JSON. */
static int read_line(json_t **out, const char *path, size_t lineno)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, at = 0;
    ssize_t n = -1;
    json_error_t jerr;
    int err = 0;

    *out = NULL;
    if (!f)
        return nsc_error_set(NSC_EIO, "cannot open '%s': %s", path, strerror(errno));
    while (at < lineno && (n = getline(&line, &cap, f)) >= 0)
        at++;
    if (at < lineno || n < 0) {
        err = nsc_error_set(NSC_EIO, "'%s' changed while reading it (line %zu)", path, lineno);
        goto out;
    }
    *out = json_loadb(line, (size_t)n, 0, &jerr);
    if (!*out)
        err = nsc_error_set(NSC_EPARSE, "%s:%zu: malformed record: %s", path, lineno, jerr.text);
out:
    free(line);
    fclose(f);
    return err;
}

/* Countries of 'p' under the policy's mode, and whether it joins each pair. */
static void paper_pairs(json_t *o, const struct report_paper *p, const struct report_ctx *ctx)
{
    const struct classify_policy *pols;
    const struct classify_bloc *blocs;
    size_t np = classify_rules_policies(ctx->rules, &pols);
    size_t nb = classify_rules_blocs(ctx->rules, &blocs);
    json_t *cc = json_array(), *pairs = json_object();
    int mode = (int)ctx->policy->multinational;

    for (size_t i = 0; i < p->n_cc[mode]; i++)
        json_array_append_new(cc, json_string(p->cc[mode][i]));
    for (size_t i = 0; i < np; i++) {
        const struct classify_bloc *b[2] = { NULL, NULL };
        json_t *list = json_array();
        int m = (int)pols[i].multinational, meets[2] = { 0, 0 };

        for (size_t k = 0; k < nb; k++) {
            for (int s = 0; s < 2; s++) {
                if (pols[i].pair[s] && !strcmp(blocs[k].name, pols[i].pair[s]))
                    b[s] = &blocs[k];
            }
        }
        for (int s = 0; s < 2 && b[0] && b[1]; s++) {
            for (size_t c = 0; c < p->n_cc[m]; c++) {
                for (size_t k = 0; k < b[s]->n_members; k++)
                    meets[s] |= !strcmp(p->cc[m][c], b[s]->members[k]);
            }
        }
        if (meets[0] && meets[1])
            json_array_append_new(list, json_sprintf("%s_%s", b[0]->name, b[1]->name));
        json_object_set_new(pairs, pols[i].name, list);
    }
    json_object_set_new(o, "countries", cc);
    json_object_set_new(o, "pairs", pairs);
}

static json_t *explain_json(const struct report_paper *p, const char *path, json_t *rec,
                            const struct report_ctx *ctx)
{
    json_t *o = json_object(), *authors = json_array(), *a;
    size_t i;

    json_object_set_new(o, "id", json_string(p->id));
    json_object_set_new(o, "year", json_integer(p->year));
    json_object_set_new(o, "title", json_string(p->title));
    json_object_set_new(o, "file", json_string(path));
    json_object_set_new(o, "line", json_integer((json_int_t)p->line));
    json_object_set_new(o, "policy", json_string(ctx->policy->name));
    paper_pairs(o, p, ctx);
    json_array_foreach(json_object_get(rec, "authors"), i, a)
    {
        json_t *ao = json_object(), *affs = json_array(), *af;
        size_t k;

        json_object_set_new(ao, "name", json_string(str_or(json_object_get(a, "name"), "")));
        json_object_set(ao, "affiliation",
                        json_object_get(a, "affiliation") ? json_object_get(a, "affiliation")
                                                          : json_null());
        json_object_set(ao, "source",
                        json_object_get(a, "source") ? json_object_get(a, "source") : json_null());
        json_array_foreach(json_object_get(a, "affiliations"), k, af)
        {
            json_t *fo = json_object();
            static const char *const keys[] = { "institution", "country", "rule", "evidence" };

            for (size_t j = 0; j < NSC_ARRAY_SIZE(keys); j++) {
                json_t *v = json_object_get(af, keys[j]);
                json_object_set(fo, keys[j], v ? v : json_null());
            }
            json_array_append_new(affs, fo);
        }
        json_object_set_new(ao, "affiliations", affs);
        json_array_append_new(authors, ao);
    }
    json_object_set_new(o, "authors", authors);
    return o;
}

static void explain_text(struct buf *b, json_t *o)
{
    json_t *a, *v;
    size_t i;
    const char *key;

    buf_appendf(b, "paper %s (%d): %s\n", str_or(json_object_get(o, "id"), ""),
                (int)json_integer_value(json_object_get(o, "year")),
                str_or(json_object_get(o, "title"), ""));
    buf_appendf(b, "record: %s line %d\n", str_or(json_object_get(o, "file"), ""),
                (int)json_integer_value(json_object_get(o, "line")));
    buf_appendf(b, "countries (policy %s):", str_or(json_object_get(o, "policy"), ""));
    json_array_foreach(json_object_get(o, "countries"), i, v)
    {
        buf_appendf(b, " %s", json_string_value(v));
    }
    if (!json_array_size(json_object_get(o, "countries")))
        buf_puts(b, " none");
    buf_puts(b, "\npairs:");
    json_object_foreach(json_object_get(o, "pairs"), key, v)
    {
        buf_appendf(b, " %s=%s", key,
                    json_array_size(v) ? json_string_value(json_array_get(v, 0)) : "-");
    }
    buf_putc(b, '\n');
    json_array_foreach(json_object_get(o, "authors"), i, a)
    {
        json_t *af;
        size_t k;

        buf_appendf(b, "author %zu: %s\n", i + 1, str_or(json_object_get(a, "name"), ""));
        buf_appendf(b, "  affiliation: %s", str_or(json_object_get(a, "affiliation"), "(none)"));
        if (json_string_value(json_object_get(a, "source")))
            buf_appendf(b, " [source %s]", json_string_value(json_object_get(a, "source")));
        buf_putc(b, '\n');
        if (!json_array_size(json_object_get(a, "affiliations")))
            buf_puts(b, "  (no affiliation found)\n");
        json_array_foreach(json_object_get(a, "affiliations"), k, af)
        {
            json_t *e;
            size_t j;

            buf_appendf(b, "  [%zu] institution: %s\n", k + 1,
                        str_or(json_object_get(af, "institution"), "(none)"));
            buf_appendf(b, "      country:     %s\n",
                        str_or(json_object_get(af, "country"), "unknown"));
            buf_appendf(b, "      rule:        %s\n",
                        str_or(json_object_get(af, "rule"), "(none)"));
            json_array_foreach(json_object_get(af, "evidence"), j, e)
            {
                buf_appendf(b, "      %s %s %s %s \"%s\"\n", j ? "            " : "evidence:   ",
                            str_or(json_object_get(e, "kind"), "?"),
                            str_or(json_object_get(e, "rule"), "?"),
                            str_or(json_object_get(e, "country"), "--"),
                            str_or(json_object_get(e, "text"), ""));
            }
        }
    }
}

/* One CSV field, then ',' or, for the last of a row, '\n'. */
static void csv_field(struct buf *b, const char *s, int last)
{
    report_csv_field(b, s);
    buf_putc(b, last ? '\n' : ',');
}

static void explain_csv(struct buf *b, json_t *o)
{
    json_t *a;
    size_t i;

    buf_puts(b, "author,name,affiliation,institution,country,rule,evidence\n");
    json_array_foreach(json_object_get(o, "authors"), i, a)
    {
        json_t *af;
        size_t k;
        char num[24];

        snprintf(num, sizeof(num), "%zu", i + 1);
        if (!json_array_size(json_object_get(a, "affiliations"))) {
            csv_field(b, num, 0);
            csv_field(b, str_or(json_object_get(a, "name"), ""), 0);
            csv_field(b, str_or(json_object_get(a, "affiliation"), ""), 0);
            buf_puts(b, ",,,\n");
        }
        json_array_foreach(json_object_get(a, "affiliations"), k, af)
        {
            struct buf ev = BUF_INIT;
            json_t *e;
            size_t j;

            json_array_foreach(json_object_get(af, "evidence"), j, e)
            {
                buf_appendf(&ev, "%s%s %s %s \"%s\"", j ? "; " : "",
                            str_or(json_object_get(e, "kind"), "?"),
                            str_or(json_object_get(e, "rule"), "?"),
                            str_or(json_object_get(e, "country"), "--"),
                            str_or(json_object_get(e, "text"), ""));
            }
            csv_field(b, num, 0);
            csv_field(b, str_or(json_object_get(a, "name"), ""), 0);
            csv_field(b, str_or(json_object_get(a, "affiliation"), ""), 0);
            csv_field(b, str_or(json_object_get(af, "institution"), ""), 0);
            csv_field(b, str_or(json_object_get(af, "country"), ""), 0);
            csv_field(b, str_or(json_object_get(af, "rule"), ""), 0);
            csv_field(b, buf_cstr(&ev), 1);
            buf_release(&ev);
        }
    }
}

int report_explain(struct buf *out, const struct report_data *d, const struct report_ctx *ctx,
                   const char *id, enum report_format fmt)
{
    const struct report_paper *p = NULL;
    const struct report_year *yr = NULL;
    json_t *rec = NULL, *o = NULL;
    int err;

    if (fmt == REPORT_HTML)
        return nsc_error_set(NSC_EINVAL, "--explain writes text, json or csv, not html");
    for (size_t y = 0; y < d->n_years && !p; y++) {
        for (size_t i = 0; i < d->years[y].n_papers; i++) {
            if (!strcmp(d->years[y].papers[i].id, id)) {
                p = &d->years[y].papers[i];
                yr = &d->years[y];
                break;
            }
        }
    }
    if (!p)
        return nsc_error_set(NSC_ENOTFOUND, "no paper '%s' in the records read", id);
    err = read_line(&rec, yr->path, p->line);
    if (err < 0)
        goto out;
    o = explain_json(p, yr->path, rec, ctx);
    if (fmt == REPORT_JSON) {
        char *s = json_dumps(o, JSON_PRESERVE_ORDER | JSON_INDENT(2));
        buf_puts(out, s);
        buf_putc(out, '\n');
        free(s);
    } else if (fmt == REPORT_CSV) {
        explain_csv(out, o);
    } else {
        explain_text(out, o);
    }
out:
    json_decref(o);
    json_decref(rec);
    return err;
}
