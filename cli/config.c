/*
 * config.c - read the nipscope configuration file with libyaml's document
 * API, so every error can name the line and column of the node at fault.
 * See config.h and docs/config.md.
 */
#include "config.h"

#include "classify.h"
#include "common.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_BODY_LIMIT ((size_t)1 << 30)

void config_init(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->interval_s = 24 * 3600;
    cfg->rate = 1.0;
    cfg->concurrency = 2;
    cfg->connect_timeout_s = 10;
    cfg->timeout_s = 120;
    cfg->max_body = (size_t)32 << 20;
    cfg->low_speed_limit = 10;
    cfg->low_speed_time_s = 30;
    cfg->parser_timeout_s = 10;
}

static void free_policies(struct config *cfg)
{
    /* 'policies' is never NULL with n_policies > 0; the check keeps clang's
     * analyzer from assuming so across the key table's function pointers */
    for (size_t i = 0; cfg->policies && i < cfg->n_policies; i++)
        free(cfg->policies[i]);
    free(cfg->policies);
    free(cfg->policy_line);
    free(cfg->policy_col);
    cfg->policies = NULL;
    cfg->policy_line = NULL;
    cfg->policy_col = NULL;
    cfg->n_policies = 0;
}

void config_release(struct config *cfg)
{
    free(cfg->out_dir);
    free(cfg->rules_dir);
    free(cfg->user_agent);
    free(cfg->contact);
    free(cfg->proceedings_url);
    free(cfg->virtual_url);
    free(cfg->datasets_url);
    free(cfg->ca_file);
    free(cfg->path);
    free_policies(cfg);
    memset(cfg, 0, sizeof(*cfg));
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* A deep copy, so a failed load can be thrown away whole. */
static void copy_config(struct config *dst, const struct config *src)
{
    *dst = *src;
    dst->out_dir = dup_or_null(src->out_dir);
    dst->rules_dir = dup_or_null(src->rules_dir);
    dst->user_agent = dup_or_null(src->user_agent);
    dst->contact = dup_or_null(src->contact);
    dst->proceedings_url = dup_or_null(src->proceedings_url);
    dst->virtual_url = dup_or_null(src->virtual_url);
    dst->datasets_url = dup_or_null(src->datasets_url);
    dst->ca_file = dup_or_null(src->ca_file);
    dst->path = dup_or_null(src->path);
    dst->policies = NULL;
    dst->policy_line = NULL;
    dst->policy_col = NULL;
    if (src->n_policies) {
        dst->policies = xcalloc(src->n_policies, sizeof(*dst->policies));
        dst->policy_line = xcalloc(src->n_policies, sizeof(*dst->policy_line));
        dst->policy_col = xcalloc(src->n_policies, sizeof(*dst->policy_col));
        for (size_t i = 0; i < src->n_policies; i++) {
            dst->policies[i] = xstrdup(src->policies[i]);
            dst->policy_line[i] = src->policy_line[i];
            dst->policy_col[i] = src->policy_col[i];
        }
    }
}

int config_parse_interval(unsigned *out, const char *s)
{
    unsigned long long total = 0;
    const char *p = s;

    if (!*p)
        return nsc_error_set(NSC_EINVAL, "empty interval");
    while (*p) {
        unsigned long long v = 0, mul;

        if (*p < '0' || *p > '9')
            goto bad;
        while (*p >= '0' && *p <= '9') {
            v = v * 10 + (unsigned long long)(*p++ - '0');
            if (v > 366ULL * 86400)
                goto bad;
        }
        switch (*p++) {
        case 's':
            mul = 1;
            break;
        case 'm':
            mul = 60;
            break;
        case 'h':
            mul = 3600;
            break;
        case 'd':
            mul = 86400;
            break;
        default:
            goto bad;
        }
        total += v * mul;
        if (total > 365ULL * 86400)
            return nsc_error_set(NSC_EINVAL, "interval '%s' is longer than 365d", s);
    }
    if (total == 0)
        return nsc_error_set(NSC_EINVAL, "interval '%s' is zero", s);
    *out = (unsigned)total;
    return 0;
bad:
    return nsc_error_set(
        NSC_EINVAL, "'%s' is not an interval (digits and a unit s, m, h or d: 24h, 90m, 1h30m)", s);
}

struct loader {
    const char *path;
    yaml_document_t doc;
    struct config *cfg;
};

/* Set "path:line:col: message" for 'node' and return 'code'. */
static int node_error(struct loader *ld, const yaml_node_t *node, int code, const char *fmt, ...)
    NSC_PRINTF(4, 5);

static int node_error(struct loader *ld, const yaml_node_t *node, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    /* ap is started just above; clang 14's valist checker loses that when it analyses this
     * variadic function on its own (it never inlines variadic calls) */
    vsnprintf(msg, sizeof(msg), fmt, ap); /* NOLINT(clang-analyzer-valist.Uninitialized) */
    va_end(ap);
    return nsc_error_set(code, "%s:%zu:%zu: %s", ld->path, node->start_mark.line + 1,
                         node->start_mark.column + 1, msg);
}

static const char *type_name(const yaml_node_t *node)
{
    switch (node->type) {
    case YAML_SCALAR_NODE:
        return "a scalar";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_MAPPING_NODE:
        return "a mapping";
    default:
        return "nothing";
    }
}

static const char *scalar(const yaml_node_t *node)
{
    return (const char *)node->data.scalar.value;
}

/* The node must be a non-empty scalar. */
static int want_scalar(struct loader *ld, const yaml_node_t *node, const char *key)
{
    if (node->type != YAML_SCALAR_NODE)
        return node_error(ld, node, NSC_EPARSE, "%s: expected a scalar, got %s", key,
                          type_name(node));
    if (node->data.scalar.length == 0 || strlen(scalar(node)) != node->data.scalar.length)
        return node_error(ld, node, NSC_EPARSE, "%s: expected a value", key);
    return 0;
}

static int get_string(struct loader *ld, const yaml_node_t *node, const char *key, char **out)
{
    int err = want_scalar(ld, node, key);

    if (err < 0)
        return err;
    free(*out);
    *out = xstrdup(scalar(node));
    return 0;
}

/* An integer in [min, max]. */
static int get_long(struct loader *ld, const yaml_node_t *node, const char *key, long min, long max,
                    long *out)
{
    char *end;
    long v;
    int err;

    *out = 0; /* defined on failure too: callers copy it before testing err */
    err = want_scalar(ld, node, key);

    if (err < 0)
        return err;
    errno = 0;
    v = strtol(scalar(node), &end, 10);
    if (errno || *end || end == scalar(node))
        return node_error(ld, node, NSC_EPARSE, "%s: '%s' is not an integer", key, scalar(node));
    if (v < min || v > max)
        return node_error(ld, node, NSC_EINVAL, "%s: %ld is not from %ld to %ld", key, v, min, max);
    *out = v;
    return 0;
}

static int get_url(struct loader *ld, const yaml_node_t *node, const char *key, char **out)
{
    int err = want_scalar(ld, node, key);
    const char *s;

    if (err < 0)
        return err;
    s = scalar(node);
    if ((strncmp(s, "http://", 7) != 0 || !s[7]) && (strncmp(s, "https://", 8) != 0 || !s[8]))
        return node_error(ld, node, NSC_EINVAL, "%s: '%s' is not an http:// or https:// URL", key,
                          s);
    for (const char *p = s; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return node_error(ld, node, NSC_EINVAL,
                              "%s: the URL contains a space or a control "
                              "character",
                              key);
    }
    free(*out);
    *out = xstrdup(s);
    return 0;
}

static int get_interval(struct loader *ld, const yaml_node_t *node, const char *key, unsigned *out)
{
    int err = want_scalar(ld, node, key);

    if (err < 0)
        return err;
    err = config_parse_interval(out, scalar(node));
    if (err < 0)
        return node_error(ld, node, err, "%s: %s", key, nsc_error_last());
    return 0;
}

static int load_years(struct loader *ld, const yaml_node_t *node)
{
    struct config *cfg = ld->cfg;
    long v;
    int err;

    if (node->type == YAML_SEQUENCE_NODE) {
        size_t n = 0;

        for (yaml_node_item_t *it = node->data.sequence.items.start;
             it < node->data.sequence.items.top; it++) {
            yaml_node_t *item = yaml_document_get_node(&ld->doc, *it);

            err = get_long(ld, item, "years", CONFIG_YEAR_MIN, CONFIG_YEAR_MAX, &v);
            if (err < 0)
                return err;
            for (size_t i = 0; i < n; i++) {
                if (cfg->years[i] == (int)v)
                    return node_error(ld, item, NSC_EINVAL, "years: %ld is listed twice", v);
            }
            cfg->year_line[n] = item->start_mark.line + 1;
            cfg->year_col[n] = item->start_mark.column + 1;
            cfg->years[n++] = (int)v; /* no overflow: the years are distinct and in range */
        }
        if (n == 0)
            return node_error(ld, node, NSC_EINVAL, "years: the list is empty");
        cfg->n_years = n;
        cfg->last_n = 0;
        return 0;
    }
    if (node->type == YAML_MAPPING_NODE) {
        yaml_node_pair_t *p = node->data.mapping.pairs.start;
        yaml_node_t *k, *val;

        if (node->data.mapping.pairs.top - p != 1)
            return node_error(ld, node, NSC_EPARSE, "years: expected a list or 'last: N'");
        k = yaml_document_get_node(&ld->doc, p->key);
        val = yaml_document_get_node(&ld->doc, p->value);
        if (k->type != YAML_SCALAR_NODE || strcmp(scalar(k), "last") != 0)
            return node_error(ld, k, NSC_EPARSE, "years: expected a list or 'last: N'");
        err = get_long(ld, val, "years.last", 1, CONFIG_YEAR_MAX - CONFIG_YEAR_MIN + 1, &v);
        if (err < 0)
            return err;
        cfg->last_n = (unsigned)v;
        cfg->n_years = 0;
        return 0;
    }
    return node_error(ld, node, NSC_EPARSE, "years: expected a list or 'last: N', got %s",
                      type_name(node));
}

static int load_policies(struct loader *ld, const yaml_node_t *node)
{
    struct config *cfg = ld->cfg;
    int err;

    if (node->type != YAML_SEQUENCE_NODE)
        return node_error(ld, node, NSC_EPARSE, "policies: expected a list, got %s",
                          type_name(node));
    free_policies(cfg);
    for (yaml_node_item_t *it = node->data.sequence.items.start; it < node->data.sequence.items.top;
         it++) {
        yaml_node_t *item = yaml_document_get_node(&ld->doc, *it);

        err = want_scalar(ld, item, "policies");
        if (err < 0)
            return err;
        cfg->policies = xreallocarray(cfg->policies, cfg->n_policies + 1, sizeof(char *));
        cfg->policy_line =
            xreallocarray(cfg->policy_line, cfg->n_policies + 1, sizeof(*cfg->policy_line));
        cfg->policy_col =
            xreallocarray(cfg->policy_col, cfg->n_policies + 1, sizeof(*cfg->policy_col));
        cfg->policy_line[cfg->n_policies] = item->start_mark.line + 1;
        cfg->policy_col[cfg->n_policies] = item->start_mark.column + 1;
        cfg->policies[cfg->n_policies++] = xstrdup(scalar(item));
    }
    return 0;
}

typedef int (*key_fn)(struct loader *ld, const yaml_node_t *val, const char *key);

struct key {
    const char *name;
    key_fn fn;
};

static int walk_mapping(struct loader *ld, const yaml_node_t *node, const char *what,
                        const struct key *keys, size_t n_keys);

static int k_years(struct loader *ld, const yaml_node_t *val, const char *key)
{
    (void)key;
    return load_years(ld, val);
}

static int k_policies(struct loader *ld, const yaml_node_t *val, const char *key)
{
    (void)key;
    return load_policies(ld, val);
}

/* 'out' and 'rules' keep where they stand: a path that cannot be opened is
 * found out only later, by the store or the classifier (config_origin()). */
static int k_out(struct loader *ld, const yaml_node_t *val, const char *key)
{
    int err = get_string(ld, val, key, &ld->cfg->out_dir);

    if (err == 0) {
        ld->cfg->out_line = val->start_mark.line + 1;
        ld->cfg->out_col = val->start_mark.column + 1;
    }
    return err;
}

static int k_rules(struct loader *ld, const yaml_node_t *val, const char *key)
{
    int err = get_string(ld, val, key, &ld->cfg->rules_dir);

    if (err == 0) {
        ld->cfg->rules_line = val->start_mark.line + 1;
        ld->cfg->rules_col = val->start_mark.column + 1;
    }
    return err;
}

static int k_interval(struct loader *ld, const yaml_node_t *val, const char *key)
{
    ld->cfg->set |= CONFIG_SET_INTERVAL;
    return get_interval(ld, val, key, &ld->cfg->interval_s);
}

/* true or false (YAML's yes/no/on/off are refused: one spelling each). */
static int get_bool(struct loader *ld, const yaml_node_t *val, const char *key, int *out)
{
    int err = want_scalar(ld, val, key);

    if (err < 0)
        return err;
    if (!strcmp(scalar(val), "true"))
        *out = 1;
    else if (!strcmp(scalar(val), "false"))
        *out = 0;
    else
        return node_error(ld, val, NSC_EPARSE, "%s: '%s' is not true or false", key, scalar(val));
    return 0;
}

static int k_fulltext(struct loader *ld, const yaml_node_t *val, const char *key)
{
    return get_bool(ld, val, key, &ld->cfg->fulltext);
}

static int k_keep_pdf(struct loader *ld, const yaml_node_t *val, const char *key)
{
    return get_bool(ld, val, key, &ld->cfg->keep_pdf);
}

static int k_user_agent(struct loader *ld, const yaml_node_t *val, const char *key)
{
    int err = get_string(ld, val, key, &ld->cfg->user_agent);

    if (err == 0 && strpbrk(ld->cfg->user_agent, "\r\n"))
        return node_error(ld, val, NSC_EINVAL, "%s: contains a line break", key);
    return err;
}

static int k_contact(struct loader *ld, const yaml_node_t *val, const char *key)
{
    return get_url(ld, val, key, &ld->cfg->contact);
}

static int k_rate(struct loader *ld, const yaml_node_t *val, const char *key)
{
    char *end;
    double v;
    int err = want_scalar(ld, val, key);

    if (err < 0)
        return err;
    errno = 0;
    v = strtod(scalar(val), &end);
    if (errno || *end || end == scalar(val))
        return node_error(ld, val, NSC_EPARSE, "%s: '%s' is not a number", key, scalar(val));
    if (!(v >= 0) || v > 1000)
        return node_error(ld, val, NSC_EINVAL, "%s: %s is not a rate from 0 to 1000", key,
                          scalar(val));
    ld->cfg->rate = v;
    ld->cfg->set |= CONFIG_SET_RATE;
    return 0;
}

static int k_concurrency(struct loader *ld, const yaml_node_t *val, const char *key)
{
    long v;
    int err = get_long(ld, val, key, 1, 64, &v);

    if (err == 0) {
        ld->cfg->concurrency = (unsigned)v;
        ld->cfg->set |= CONFIG_SET_CONCURRENCY;
    }
    return err;
}

static int k_connect_timeout(struct loader *ld, const yaml_node_t *val, const char *key)
{
    ld->cfg->set |= CONFIG_SET_CONNECT_TIMEOUT;
    return get_interval(ld, val, key, &ld->cfg->connect_timeout_s);
}

static int k_timeout(struct loader *ld, const yaml_node_t *val, const char *key)
{
    ld->cfg->set |= CONFIG_SET_TIMEOUT;
    return get_interval(ld, val, key, &ld->cfg->timeout_s);
}

static int k_parser_timeout(struct loader *ld, const yaml_node_t *val, const char *key)
{
    int err = get_interval(ld, val, key, &ld->cfg->parser_timeout_s);

    if (err == 0 && ld->cfg->parser_timeout_s == 0)
        return node_error(ld, val, NSC_EINVAL, "%s: must be at least 1s", key);
    return err;
}

static int k_max_body(struct loader *ld, const yaml_node_t *val, const char *key)
{
    long v;
    int err = get_long(ld, val, key, 1024, (long)MAX_BODY_LIMIT, &v);

    if (err == 0) {
        ld->cfg->max_body = (size_t)v;
        ld->cfg->set |= CONFIG_SET_MAX_BODY;
    }
    return err;
}

static int k_low_speed_limit(struct loader *ld, const yaml_node_t *val, const char *key)
{
    long v;
    int err = get_long(ld, val, key, 0, 1000000000L, &v);

    if (err == 0) {
        ld->cfg->low_speed_limit = (unsigned)v;
        ld->cfg->set |= CONFIG_SET_LOW_SPEED_LIMIT;
    }
    return err;
}

static int k_low_speed_time(struct loader *ld, const yaml_node_t *val, const char *key)
{
    ld->cfg->set |= CONFIG_SET_LOW_SPEED_TIME;
    return get_interval(ld, val, key, &ld->cfg->low_speed_time_s);
}

static int k_ca_file(struct loader *ld, const yaml_node_t *val, const char *key)
{
    return get_string(ld, val, key, &ld->cfg->ca_file);
}

static int k_datasets(struct loader *ld, const yaml_node_t *val, const char *key)
{
    return get_url(ld, val, key, &ld->cfg->datasets_url);
}

static int k_proceedings(struct loader *ld, const yaml_node_t *val, const char *key)
{
    return get_url(ld, val, key, &ld->cfg->proceedings_url);
}

static int k_virtual(struct loader *ld, const yaml_node_t *val, const char *key)
{
    return get_url(ld, val, key, &ld->cfg->virtual_url);
}

static const struct key politeness_keys[] = {
    { "rate", k_rate },
    { "concurrency", k_concurrency },
    { "connect_timeout", k_connect_timeout },
    { "timeout", k_timeout },
    { "max_body", k_max_body },
    { "low_speed_limit", k_low_speed_limit },
    { "low_speed_time", k_low_speed_time },
};

static const struct key site_keys[] = {
    { "proceedings", k_proceedings },
    { "virtual", k_virtual },
    { "datasets", k_datasets },
};

static int k_politeness(struct loader *ld, const yaml_node_t *val, const char *key)
{
    return walk_mapping(ld, val, key, politeness_keys, NSC_ARRAY_SIZE(politeness_keys));
}

static int k_sites(struct loader *ld, const yaml_node_t *val, const char *key)
{
    return walk_mapping(ld, val, key, site_keys, NSC_ARRAY_SIZE(site_keys));
}

static const struct key top_keys[] = {
    { "years", k_years },
    { "out", k_out },
    { "rules", k_rules },
    { "interval", k_interval },
    { "politeness", k_politeness },
    { "user_agent", k_user_agent },
    { "contact", k_contact },
    { "sites", k_sites },
    { "policies", k_policies },
    { "ca_file", k_ca_file },
    { "fulltext", k_fulltext },
    { "keep_pdf", k_keep_pdf },
    { "parser_timeout", k_parser_timeout },
};

/* Dispatch every key of a mapping; unknown and repeated keys are errors. */
static int walk_mapping(struct loader *ld, const yaml_node_t *node, const char *what,
                        const struct key *keys, size_t n_keys)
{
    unsigned seen = 0;
    int err;

    if (node->type != YAML_MAPPING_NODE)
        return node_error(ld, node, NSC_EPARSE, "%s: expected a mapping, got %s", what,
                          type_name(node));
    for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(&ld->doc, p->key);
        yaml_node_t *val = yaml_document_get_node(&ld->doc, p->value);
        size_t i;

        if (k->type != YAML_SCALAR_NODE)
            return node_error(ld, k, NSC_EPARSE, "%s: a key must be a scalar", what);
        for (i = 0; i < n_keys; i++) {
            if (!strcmp(scalar(k), keys[i].name))
                break;
        }
        if (i == n_keys)
            return node_error(ld, k, NSC_EPARSE, "unknown key '%s' in %s", scalar(k), what);
        if (seen & (1u << i))
            return node_error(ld, k, NSC_EPARSE, "key '%s' is given twice", scalar(k));
        seen |= 1u << i;
        err = keys[i].fn(ld, val, keys[i].name);
        if (err < 0)
            return err;
    }
    return 0;
}

#define CONFIG_MAX_DEPTH 16 /* collections inside collections; the file needs 2 */

/*
 * A first pass over the events, before the document is built: YAML errors,
 * exactly one document (libyaml's loader reads the first and never looks at
 * a second one after "---", so half of the file would be ignored) and no
 * nesting past CONFIG_MAX_DEPTH (the loader's time grows with the square of
 * the depth: 200,000 '[' took minutes).
 */
static int check_stream(struct loader *ld, const char *text, size_t len)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    int docs = 0, depth = 0, err = 0;

    if (!yaml_parser_initialize(&parser))
        NSC_BUG("yaml_parser_initialize failed");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    for (;;) {
        if (!yaml_parser_parse(&parser, &ev)) {
            size_t line = parser.problem_mark.line + 1, col = parser.problem_mark.column + 1;

            /* the reader (NUL bytes, bad UTF-8) gives an offset, not a mark */
            if (parser.error == YAML_READER_ERROR)
                nsc_text_position(text, len, parser.problem_offset, &line, &col);
            err = nsc_error_set(NSC_EPARSE, "%s:%zu:%zu: %s", ld->path, line, col,
                                parser.problem ? parser.problem : "YAML error");
            break;
        }
        if (ev.type == YAML_DOCUMENT_START_EVENT && ++docs > 1)
            err = nsc_error_set(NSC_EPARSE, "%s:%zu:%zu: only one YAML document is allowed",
                                ld->path, ev.start_mark.line + 1, ev.start_mark.column + 1);
        else if ((ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) &&
                 ++depth > CONFIG_MAX_DEPTH)
            err = nsc_error_set(NSC_EPARSE, "%s:%zu:%zu: nested deeper than %d levels", ld->path,
                                ev.start_mark.line + 1, ev.start_mark.column + 1, CONFIG_MAX_DEPTH);
        else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT)
            depth--;
        if (err < 0 || ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return err;
}

/* Parse the YAML 'text' and apply it to ld->cfg. */
static int load_yaml(struct loader *ld, const char *text, size_t len)
{
    yaml_parser_t parser;
    yaml_node_t *root;
    int err = check_stream(ld, text, len);

    if (err < 0)
        return err;
    if (!yaml_parser_initialize(&parser))
        NSC_BUG("yaml_parser_initialize failed");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &ld->doc)) {
        /* check_stream() saw the same text parse: only memory can fail here */
        err = nsc_error_set(NSC_EPARSE, "%s:%zu:%zu: %s", ld->path, parser.problem_mark.line + 1,
                            parser.problem_mark.column + 1,
                            parser.problem ? parser.problem : "YAML error");
        yaml_parser_delete(&parser);
        return err;
    }
    root = yaml_document_get_root_node(&ld->doc);
    if (root) /* else an empty file: every default */
        err = walk_mapping(ld, root, "the configuration", top_keys, NSC_ARRAY_SIZE(top_keys));
    yaml_document_delete(&ld->doc);
    yaml_parser_delete(&parser);
    return err;
}

int config_load_text(struct config *cfg, const char *path, const char *text, size_t len)
{
    struct loader ld = { .path = path };
    struct config nw;
    int err;

    copy_config(&nw, cfg);
    ld.cfg = &nw;
    if (len > CONFIG_MAX_FILE)
        err = nsc_error_set(NSC_EINVAL, "%s: larger than %zu bytes: not a configuration file", path,
                            CONFIG_MAX_FILE);
    else
        err = load_yaml(&ld, text ? text : "", len);
    if (err < 0) {
        config_release(&nw);
        return err;
    }
    free(nw.path);
    nw.path = xstrdup(path);
    config_release(cfg);
    *cfg = nw;
    return 0;
}

int config_load(struct config *cfg, const char *path)
{
    struct buf text = BUF_INIT;
    char chunk[8192];
    FILE *f;
    size_t n;
    int err = 0;

    f = fopen(path, "rb");
    if (!f)
        return nsc_error_set(errno == ENOENT ? NSC_ENOTFOUND : NSC_EIO, "%s: %s", path,
                             strerror(errno));
    /* Read at most one byte past the cap: enough to know the file is too big
     * (a FIFO or a device given as the file never runs away with memory). */
    while (text.len <= CONFIG_MAX_FILE && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&text, chunk, n);
    if (ferror(f))
        err = nsc_error_set(NSC_EIO, "%s: read error", path);
    fclose(f);
    if (err == 0)
        err = config_load_text(cfg, path, buf_cstr(&text), text.len);
    buf_release(&text);
    return err;
}

int config_check_policies(const struct config *cfg, const struct classify_rules *rules)
{
    for (size_t i = 0; i < cfg->n_policies; i++) {
        if (!classify_policy_find(rules, cfg->policies[i]))
            return nsc_error_set(NSC_EINVAL, "%s:%zu:%zu: policies: no policy '%s' in the rules",
                                 cfg->path ? cfg->path : "(config)", cfg->policy_line[i],
                                 cfg->policy_col[i], cfg->policies[i]);
    }
    return 0;
}

char *config_origin(const struct config *cfg, const char *key)
{
    size_t line = 0, col = 0;

    if (!strcmp(key, "out") && cfg->out_dir) {
        line = cfg->out_line;
        col = cfg->out_col;
    } else if (!strcmp(key, "rules") && cfg->rules_dir) {
        line = cfg->rules_line;
        col = cfg->rules_col;
    }
    if (!line || !cfg->path)
        return NULL;
    return xasprintf("%s:%zu:%zu: %s", cfg->path, line, col, key);
}

int config_blame(int err, const char *origin)
{
    if (origin && (err == NSC_ENOTFOUND || err == NSC_EIO))
        return nsc_error_prefix(err, "%s", origin);
    return err;
}

/*
 * 's' as a YAML double-quoted scalar that reads back to the same bytes:
 * '"' and '\\' escaped, and so is every character YAML does not allow raw
 * or would read as a line break (C0, DEL, C1 with NEL, U+2028/9, BOM,
 * U+FFFE/F): a value can hold them through escapes in the file.
 */
static void print_quoted(FILE *f, const char *s)
{
    size_t len = strlen(s);

    fputc('"', f);
    for (size_t i = 0; i < len;) {
        size_t n;
        long cp = nsc_utf8_decode(s + i, len - i, &n);

        if (cp == '"' || cp == '\\')
            fprintf(f, "\\%c", (int)cp);
        else if (cp < 0) /* libyaml gives only valid UTF-8; never let a byte through raw */
            fputs("\\uFFFD", f);
        else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
                 cp == 0xFEFF || cp == 0xFFFE || cp == 0xFFFF)
            fprintf(f, "\\u%04lX", (unsigned long)cp);
        else
            fwrite(s + i, 1, n, f);
        i += n;
    }
    fputc('"', f);
}

static void print_str(FILE *f, const char *indent, const char *key, const char *v, const char *dflt)
{
    if (v) {
        fprintf(f, "%s%s: ", indent, key);
        print_quoted(f, v);
        fputc('\n', f);
    } else {
        fprintf(f, "%s# %s: %s\n", indent, key, dflt);
    }
}

void config_print(const struct config *cfg, FILE *f)
{
    if (cfg->last_n) {
        fprintf(f, "years: {last: %u}\n", cfg->last_n);
    } else if (cfg->n_years) {
        fprintf(f, "years: [");
        for (size_t i = 0; i < cfg->n_years; i++)
            fprintf(f, "%s%d", i ? ", " : "", cfg->years[i]);
        fprintf(f, "]\n");
    } else {
        fprintf(f, "# years: none\n");
    }
    print_str(f, "", "out", cfg->out_dir, ".");
    print_str(f, "", "rules", cfg->rules_dir, "the installed rules");
    fprintf(f, "interval: %us\n", cfg->interval_s);
    fprintf(f,
            "politeness:\n  rate: %g\n  concurrency: %u\n  connect_timeout: %us\n"
            "  timeout: %us\n  max_body: %zu\n  low_speed_limit: %u\n  low_speed_time: %us\n",
            cfg->rate, cfg->concurrency, cfg->connect_timeout_s, cfg->timeout_s, cfg->max_body,
            cfg->low_speed_limit, cfg->low_speed_time_s);
    fprintf(f, "parser_timeout: %us\n", cfg->parser_timeout_s);
    print_str(f, "", "user_agent", cfg->user_agent, "the built-in default");
    print_str(f, "", "contact", cfg->contact, "none");
    /* "sites:" with only comments under it would read back as a null, not
     * a mapping: with no site set, the heading is a comment too. */
    if (cfg->proceedings_url || cfg->virtual_url || cfg->datasets_url) {
        fprintf(f, "sites:\n");
        print_str(f, "  ", "proceedings", cfg->proceedings_url, "https://proceedings.neurips.cc");
        print_str(f, "  ", "virtual", cfg->virtual_url, "https://neurips.cc");
        print_str(f, "  ", "datasets", cfg->datasets_url,
                  "https://datasets-benchmarks-proceedings.neurips.cc");
    } else {
        fprintf(f, "# sites:\n#   proceedings: https://proceedings.neurips.cc\n"
                   "#   virtual: https://neurips.cc\n"
                   "#   datasets: https://datasets-benchmarks-proceedings.neurips.cc\n");
    }
    print_str(f, "", "ca_file", cfg->ca_file, "none (the system's certificate authorities)");
    fprintf(f, "fulltext: %s\nkeep_pdf: %s\n", cfg->fulltext ? "true" : "false",
            cfg->keep_pdf ? "true" : "false");
    if (cfg->n_policies) {
        fprintf(f, "policies: [");
        for (size_t i = 0; i < cfg->n_policies; i++) {
            fputs(i ? ", " : "", f);
            print_quoted(f, cfg->policies[i]);
        }
        fprintf(f, "]\n");
    } else {
        fprintf(f, "# policies: every policy of the rules\n");
    }
}
