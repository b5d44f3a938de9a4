/* rules_load.c - read a rule-set directory (libyaml) into a struct classify_rules. */
#include "classify_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include <yaml.h>

#define RULE_FILE_MAX (256u << 20)

/* ISO 3166-1 alpha-2, plus XK (Kosovo, user-assigned but in common use). */
static const char iso_codes[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW XK";

/*
 * A YAML document in four arrays: libyaml's node struct, filled from parser
 * events.  This costs about half of yaml_parser_load(), which allocates every
 * node, item and string on its own.  Node indices are 1-based, as libyaml's.
 */
/*
 * One node of a rule file, 24 bytes: libyaml's struct ynode is 96 and a 2 MB
 * rule file has ~160,000 nodes, so its tree was the loader's peak memory.
 */
struct ynode {
    uint8_t type;       /* yaml_node_type_t */
    uint8_t style;      /* a scalar's yaml_scalar_style_t */
    uint32_t line, col; /* 0-based, as libyaml's marks */
    uint32_t cnt;       /* a scalar's length, a list's items, a mapping's pairs */
    union {
        size_t off; /* while building: offset into strs, items or pairs */
        const char *str;
        yaml_node_item_t *items;
        yaml_node_pair_t *pairs;
    } u;
};

struct ytree {
    struct ynode *nodes;
    size_t n, cap;
    yaml_node_item_t *items;
    size_t n_items, items_cap;
    yaml_node_pair_t *pairs;
    size_t n_pairs, pairs_cap;
    yaml_node_item_t *pend; /* children of the open collections */
    size_t n_pend, pend_cap;
    size_t *stk; /* open collections: node index, then its first child in pend */
    size_t n_stk, stk_cap;
    struct buf strs;
    size_t root;
};

struct loader {
    struct classify_rules *r;
    struct buf *diag;
    struct buf own_diag;
    size_t n_err;
    struct buf first;
    const char *file; /* the current file's path, as printed */
    struct ytree *doc;
    int generated;
    struct toks toks;
    struct vocab ids;  /* rule ids seen */
    uint32_t *id_rule; /* [id] rule index + 1 */
    size_t id_rule_cap;
};

NSC_PRINTF(5, 6)
static void lerr_at(struct loader *L, const char *file, size_t line, size_t col, const char *fmt,
                    ...)
{
    struct buf *d = L->diag ? L->diag : &L->own_diag;
    va_list ap;

    buf_appendf(d, "%s:%zu:%zu: ", file, line, col);
    va_start(ap, fmt);
    buf_vappendf(d, fmt, ap);
    va_end(ap);
    buf_putc(d, '\n');
    if (!L->n_err) {
        buf_appendf(&L->first, "%s:%zu:%zu: ", file, line, col);
        va_start(ap, fmt);
        buf_vappendf(&L->first, fmt, ap);
        va_end(ap);
    }
    L->n_err++;
}

#define LERR(L, node, ...) lerr_at((L), (L)->file, (node)->line + 1, (node)->col + 1, __VA_ARGS__)

static struct ynode *nodeat(struct loader *L, yaml_node_item_t i)
{
    return i >= 1 && (size_t)i <= L->doc->n ? &L->doc->nodes[i - 1] : NULL;
}

static const char *scalar(struct ynode *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->u.str : NULL;
}

static int is_null(struct ynode *n)
{
    const char *s = scalar(n);

    if (!s || n->style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    return !*s || !strcmp(s, "null") || !strcmp(s, "~") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static const char *type_name(struct ynode *n)
{
    switch (n->type) {
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

/* A scalar value, else an error naming 'what'. */
static const char *want_str(struct loader *L, struct ynode *n, const char *what)
{
    const char *s = scalar(n);

    if (!s || is_null(n)) {
        LERR(L, n, "'%s' must be a string, not %s", what, is_null(n) ? "null" : type_name(n));
        return NULL;
    }
    return s;
}

/* A list of strings (or one string): calls back for each scalar node. */
typedef void (*str_cb)(struct loader *L, struct ynode *n, const char *s, void *arg);

static void each_str(struct loader *L, struct ynode *n, const char *what, str_cb cb, void *arg)
{
    if (n->type == YAML_SCALAR_NODE && !is_null(n)) {
        cb(L, n, scalar(n), arg);
        return;
    }
    if (n->type != YAML_SEQUENCE_NODE) {
        LERR(L, n, "'%s' must be a list of strings, not %s", what, type_name(n));
        return;
    }
    for (yaml_node_item_t *it = n->u.items; it < n->u.items + n->cnt; it++) {
        struct ynode *e = nodeat(L, *it);
        const char *s = want_str(L, e, what);
        if (s)
            cb(L, e, s, arg);
    }
}

/* Look up 'key' among 'keys'; error on an unknown key. */
struct kv {
    const char *key;
    struct ynode *val;
};

static int get_fields(struct loader *L, struct ynode *map, const char *what,
                      const char *const *keys, struct kv *out, size_t nkeys)
{
    int ok = 1;

    for (size_t k = 0; k < nkeys; k++) {
        out[k].key = keys[k];
        out[k].val = NULL;
    }
    if (map->type != YAML_MAPPING_NODE) {
        LERR(L, map, "%s must be a mapping, not %s", what, type_name(map));
        return 0;
    }
    for (yaml_node_pair_t *p = map->u.pairs; p < map->u.pairs + map->cnt; p++) {
        struct ynode *kn = nodeat(L, p->key);
        const char *k = scalar(kn);
        size_t i;

        if (!k) {
            LERR(L, kn, "%s: a key must be a string", what);
            ok = 0;
            continue;
        }
        for (i = 0; i < nkeys; i++) {
            if (!strcmp(keys[i], k))
                break;
        }
        if (i == nkeys) {
            LERR(L, kn, "unknown key '%s' in %s", k, what);
            ok = 0;
            continue;
        }
        if (out[i].val) {
            LERR(L, kn, "key '%s' appears twice in %s", k, what);
            ok = 0;
            continue;
        }
        out[i].val = nodeat(L, p->value);
    }
    return ok;
}

static int valid_code(const char *s)
{
    if (strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z')
        return 0;
    for (const char *p = iso_codes; *p; p += 3) {
        if (p[0] == s[0] && p[1] == s[1])
            return 1;
        if (!p[2])
            break;
    }
    return 0;
}

/* Check a country code field; copy it to cc.  Returns 1 if good. */
static int want_code(struct loader *L, struct ynode *n, const char *what, char cc[3])
{
    const char *s = want_str(L, n, what);

    if (!s)
        return 0;
    if (strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z') {
        LERR(
            L, n,
            "malformed country code '%s' in '%s': want two upper-case letters (ISO 3166-1 alpha-2)",
            s, what);
        return 0;
    }
    if (!valid_code(s)) {
        LERR(L, n, "unknown country code '%s' in '%s': not an ISO 3166-1 alpha-2 code", s, what);
        return 0;
    }
    memcpy(cc, s, 3);
    return 1;
}

/* A new rule with a checked, unique id; returns its index or -1. */
static int32_t new_rule(struct loader *L, struct ynode *idn, const char *prefix, int kind,
                        struct ynode *entry)
{
    struct classify_rules *r = L->r;
    const char *id = idn ? want_str(L, idn, "id") : NULL;
    struct rule *ru;
    uint32_t vid;
    size_t plen = strlen(prefix);

    if (!idn) {
        LERR(L, entry, "missing 'id'");
        return -1;
    }
    if (!id)
        return -1;
    for (const char *p = id; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' ||
              *p == '-')) {
            LERR(L, idn, "malformed id '%s': ids are dotted lower-case words [a-z0-9_.-]", id);
            return -1;
        }
    }
    if (strncmp(id, prefix, plen) || id[plen] != '.' || !id[plen + 1]) {
        LERR(L, idn, "malformed id '%s': must start with '%s.'", id, prefix);
        return -1;
    }
    vid = classify__vocab_get(&L->ids, id, strlen(id), 0);
    if (vid && L->id_rule[vid]) {
        struct rule *o = &r->rules[L->id_rule[vid] - 1];
        if (L->generated && !o->generated)
            return -2; /* overridden by a hand-written entry */
        LERR(L, idn, "duplicate id '%s' (first at %s:%u:%u)", id, o->file, o->line, o->col);
        return -1;
    }
    vid = classify__vocab_get(&L->ids, id, strlen(id), 1);
    NSC_GROW(L->id_rule, L->id_rule_cap, (size_t)vid + 1);
    NSC_GROW(r->rules, r->rules_cap, r->n_rules + 1);
    L->id_rule[vid] = (uint32_t)r->n_rules + 1;
    ru = &r->rules[r->n_rules];
    memset(ru, 0, sizeof(*ru));
    ru->id = xstrdup(id);
    ru->kind = (uint8_t)kind;
    ru->generated = (uint8_t)L->generated;
    ru->parent = -1;
    ru->file = L->file;
    ru->line = (uint32_t)idn->line + 1;
    ru->col = (uint32_t)idn->col + 1;
    return (int32_t)r->n_rules++;
}

/* 1 if the text has an upper-case letter and no lower-case one ("USA", "MA"). */
static int upper_name(const char *s)
{
    int up = 0;
    utf8proc_ssize_t n;
    utf8proc_int32_t cp;

    for (size_t i = 0; s[i]; i += (size_t)n) {
        n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, -1, &cp);
        if (n <= 0)
            return 0;
        switch (utf8proc_category(cp)) {
        case UTF8PROC_CATEGORY_LU:
        case UTF8PROC_CATEGORY_LT:
            up = 1;
            break;
        case UTF8PROC_CATEGORY_LL:
            return 0;
        default:
            break;
        }
    }
    return up;
}

static const char *class_name(int pc)
{
    switch (pc) {
    case PC_INST:
        return "alias";
    case PC_COUNTRY:
        return "country name";
    case PC_PLACE:
        return "place name";
    case PC_POSTAL:
        return "postal code";
    default:
        return "demonym";
    }
}

/* Does existing pattern q clash with the new one p?  0: add p, 1: skip p, -1: error given. */
static int clash(struct loader *L, struct ynode *at, const char *text, const struct pattern *p,
                 const struct pattern *q)
{
    struct classify_rules *r = L->r;
    const struct rule *P = &r->rules[p->rule], *Q = &r->rules[q->rule];

    if (p->cs != q->cs)
        return 0;
    if (p->cs && strcmp(r->exact.ptr + p->exact, r->exact.ptr + q->exact))
        return 0;
    if (p->rule == q->rule)
        return 1;
    if (p->pclass == PC_DEMONYM || q->pclass == PC_DEMONYM)
        return p->pclass == q->pclass ? 1 : 0;
    if ((p->pclass == PC_INST) != (q->pclass == PC_INST))
        return 0;
    /* Postal codes live only in addresses: "DE" may also name Germany. */
    if ((p->pclass == PC_POSTAL) != (q->pclass == PC_POSTAL))
        return 0;
    if (p->pclass == PC_INST) {
        if (P->generated && !Q->generated)
            return 1; /* a hand-written entry overrides the generated list */
        if ((P->kind == RK_BRANCH) != (Q->kind == RK_BRANCH)) {
            const struct rule *lose = P->kind == RK_BRANCH ? Q : P;
            const struct rule *win = P->kind == RK_BRANCH ? P : Q;
            LERR(L, at,
                 "alias '%s' of %s can never decide: branch %s (%s:%u:%u) has the same alias", text,
                 lose->id, win->id, win->file, win->line, win->col);
            return -1;
        }
        if (p->shared && q->shared)
            return 0;
        if (strcmp(P->cc, Q->cc)) {
            LERR(L, at,
                 "alias '%s' maps to two countries: %s (%s) and %s (%s, %s:%u:%u); list it under "
                 "'shared:' in both",
                 text, P->cc, P->id, Q->cc, Q->id, Q->file, Q->line, Q->col);
            return -1;
        }
        if (P->generated && Q->generated)
            return 1;
        LERR(L, at, "alias '%s' of %s duplicates an alias of %s (%s:%u:%u); it can never decide",
             text, P->id, Q->id, Q->file, Q->line, Q->col);
        return -1;
    }
    if (p->pclass == PC_PLACE && q->pclass == PC_COUNTRY) {
        LERR(L, at, "place name '%s' of %s is also a name of %s (%s:%u:%u); it can never decide",
             text, P->id, Q->id, Q->file, Q->line, Q->col);
        return -1;
    }
    if (p->pclass == PC_PLACE && q->pclass == PC_PLACE && p->shared && q->shared)
        return 0;
    if (strcmp(P->cc, Q->cc)) {
        LERR(L, at, "%s '%s' maps to two countries: %s (%s) and %s (%s, %s:%u:%u)%s",
             class_name(p->pclass), text, P->cc, P->id, Q->cc, Q->id, Q->file, Q->line, Q->col,
             p->pclass == PC_PLACE ? "; list it under 'shared:' in both" : "");
        return -1;
    }
    LERR(L, at, "%s '%s' of %s duplicates one of %s (%s:%u:%u); it can never decide",
         class_name(p->pclass), text, P->id, Q->id, Q->file, Q->line, Q->col);
    return -1;
}

/* Add one name as a pattern of rule 'rule'. */
static void add_pattern(struct loader *L, uint32_t rule, int pclass, const char *text,
                        struct ynode *at, int shared, int force_cs)
{
    struct classify_rules *r = L->r;
    struct trie *t = &r->trie;
    struct pattern p;
    uint32_t node = 0;
    int err;

    err = classify__tokenize(&r->vocab, &r->norm, text, strlen(text), 1, 1, &L->toks);
    if (err < 0) {
        LERR(L, at, "'%s': %s", text, nsc_error_last());
        return;
    }
    if (!L->toks.n) {
        LERR(L, at, "%s '%s' normalises to nothing; it can never match", class_name(pclass), text);
        return;
    }
    if (L->toks.n > 64) {
        LERR(L, at, "%s '%s' is longer than 64 words", class_name(pclass), text);
        return;
    }
    memset(&p, 0, sizeof(p));
    p.rule = rule;
    p.pclass = (uint8_t)pclass;
    p.cs = (uint8_t)(force_cs || upper_name(text));
    p.shared = (uint8_t)shared;
    p.ntok = (uint16_t)L->toks.n;
    p.line = (uint32_t)at->line + 1;
    p.col = (uint32_t)at->col + 1;
    if (p.cs) {
        p.exact = (uint32_t)r->exact.len;
        for (size_t i = 0; i < L->toks.n; i++) {
            buf_append(&r->exact, text + L->toks.v[i].start, L->toks.v[i].end - L->toks.v[i].start);
            buf_putc(&r->exact, '\0');
        }
        buf_putc(&r->exact, '\0');
    }
    for (size_t i = 0; i < L->toks.n; i++)
        node = classify__trie_add(t, node, L->toks.v[i].id);
    for (int32_t o = t->out[node]; o >= 0; o = t->outs[o].next) {
        int c = clash(L, at, text, &p, &r->pats[t->outs[o].pat]);
        if (c)
            return;
    }
    NSC_GROW(r->pats, r->pats_cap, r->n_pats + 1);
    r->pats[r->n_pats] = p;
    NSC_GROW(t->outs, t->outs_cap, t->n_outs + 1);
    t->outs[t->n_outs].pat = (uint32_t)r->n_pats;
    /* Keep outputs in insertion order: append at the tail. */
    t->outs[t->n_outs].next = -1;
    if (t->out[node] < 0) {
        t->out[node] = (int32_t)t->n_outs;
    } else {
        int32_t o = t->out[node];
        while (t->outs[o].next >= 0)
            o = t->outs[o].next;
        t->outs[o].next = (int32_t)t->n_outs;
    }
    t->n_outs++;
    r->n_pats++;
    r->counts.patterns++;
}

/* ---- normalize.yaml ---------------------------------------------------- */

static void load_normalize(struct loader *L, struct ynode *root)
{
    static const char *const keys[] = { "abbreviations", "separators", "drop_leading" };
    struct classify_rules *r = L->r;
    struct normtab *nt = &r->norm;
    struct kv f[3];

    if (!get_fields(L, root, "normalize.yaml", keys, f, 3))
        return;
    if (f[1].val) {
        struct ynode *n = f[1].val;
        if (n->type != YAML_SEQUENCE_NODE) {
            LERR(L, n, "'separators' must be a list of strings, not %s", type_name(n));
        } else {
            for (yaml_node_item_t *it = n->u.items; it < n->u.items + n->cnt; it++) {
                struct ynode *e = nodeat(L, *it);
                const char *s = want_str(L, e, "separators");
                const char *a, *b;
                if (!s)
                    continue;
                for (a = s; *a == ' '; a++)
                    ;
                for (b = s + strlen(s); b > a && b[-1] == ' '; b--)
                    ;
                if (b == a) {
                    LERR(L, e, "separator '%s' is empty", s);
                } else if (b - a == 1 && *a == '&') {
                    nt->amp_soft = 1;
                } else if (b - a == 3 && !nsc_strncasecmp(a, "and", 3)) {
                    /* "and" is always a soft separator; nothing to add */
                } else {
                    nt->hard_seps = xreallocarray(nt->hard_seps, nt->n_hard + 1, sizeof(char *));
                    nt->hard_seps[nt->n_hard++] = xstrdup(s);
                }
            }
        }
    }
    if (f[2].val) {
        struct ynode *n = f[2].val;
        if (n->type != YAML_SEQUENCE_NODE) {
            LERR(L, n, "'drop_leading' must be a list of strings, not %s", type_name(n));
        } else {
            for (yaml_node_item_t *it = n->u.items; it < n->u.items + n->cnt; it++) {
                struct ynode *e = nodeat(L, *it);
                const char *s = want_str(L, e, "drop_leading");
                if (!s)
                    continue;
                if (classify__tokenize(&r->vocab, NULL, s, strlen(s), 1, 0, &L->toks) < 0 ||
                    L->toks.n != 1) {
                    LERR(L, e, "drop_leading entry '%s' must be one word", s);
                    continue;
                }
                nt->drop = xreallocarray(nt->drop, nt->n_drop + 1, sizeof(*nt->drop));
                nt->drop[nt->n_drop++] = L->toks.v[0].id;
            }
        }
    }
    if (f[0].val) {
        struct ynode *n = f[0].val;
        if (n->type != YAML_MAPPING_NODE) {
            LERR(L, n, "'abbreviations' must be a mapping, not %s", type_name(n));
            return;
        }
        for (yaml_node_pair_t *p = n->u.pairs; p < n->u.pairs + n->cnt; p++) {
            struct ynode *kn = nodeat(L, p->key), *vn = nodeat(L, p->value);
            const char *k = want_str(L, kn, "abbreviations"), *v;
            uint32_t kid;
            if (!k)
                continue;
            v = want_str(L, vn, k);
            if (!v)
                continue;
            if (classify__tokenize(&r->vocab, NULL, k, strlen(k), 1, 0, &L->toks) < 0 ||
                L->toks.n != 1) {
                LERR(L, kn, "abbreviation '%s' must be one word", k);
                continue;
            }
            kid = L->toks.v[0].id;
            if (classify__tokenize(&r->vocab, NULL, v, strlen(v), 1, 0, &L->toks) < 0 ||
                !L->toks.n) {
                LERR(L, vn, "expansion '%s' of '%s' normalises to nothing", v, k);
                continue;
            }
            NSC_GROW(nt->abbr_off, nt->abbr_cap, (size_t)kid + 1);
            for (size_t z = nt->abbr_n; z < nt->abbr_cap; z++)
                nt->abbr_off[z] = 0;
            if (kid + 1 > nt->abbr_n)
                nt->abbr_n = kid + 1;
            if (nt->abbr_off[kid]) {
                LERR(L, kn, "abbreviation '%s' is defined twice", k);
                continue;
            }
            NSC_GROW(nt->abbr_ids, nt->abbr_ids_cap, nt->abbr_ids_n + 1 + L->toks.n);
            nt->abbr_off[kid] = (uint32_t)nt->abbr_ids_n + 1;
            nt->abbr_ids[nt->abbr_ids_n++] = (uint32_t)L->toks.n;
            for (size_t i = 0; i < L->toks.n; i++)
                nt->abbr_ids[nt->abbr_ids_n++] = L->toks.v[i].id;
            r->counts.abbreviations++;
        }
    }
}

/* ---- countries.yaml ---------------------------------------------------- */

struct name_arg {
    uint32_t rule;
    int pclass;
    int shared;
    int cs;
};

static void name_cb(struct loader *L, struct ynode *n, const char *s, void *arg)
{
    struct name_arg *a = arg;

    add_pattern(L, a->rule, a->pclass, s, n, a->shared, a->cs);
}

static struct ynode *want_list(struct loader *L, struct ynode *root, const char *file,
                               const char *key, const char *const *extra, size_t n_extra)
{
    const char *keys[4] = { key };
    struct kv f[4];

    for (size_t i = 0; i < n_extra && i < 3; i++)
        keys[1 + i] = extra[i];
    if (!get_fields(L, root, file, keys, f, 1 + n_extra))
        return NULL;
    if (!f[0].val)
        return NULL;
    if (f[0].val->type != YAML_SEQUENCE_NODE) {
        if (!is_null(f[0].val))
            LERR(L, f[0].val, "'%s' must be a list, not %s", key, type_name(f[0].val));
        return NULL;
    }
    return f[0].val;
}

#define FOREACH_ITEM(L, seq, e)                                                                    \
    for (yaml_node_item_t *it_ = (seq)->u.items;                                                   \
         it_ < (seq)->u.items + (seq)->cnt && ((e) = nodeat((L), *it_)); it_++)

static void load_countries(struct loader *L, struct ynode *root)
{
    static const char *const keys[] = { "id", "code", "name", "names", "demonyms" };
    struct ynode *seq = want_list(L, root, "countries.yaml", "countries", NULL, 0), *e;
    char seen[26 * 26] = { 0 };

    if (!seq)
        return;
    FOREACH_ITEM(L, seq, e)
    {
        struct kv f[5];
        int32_t ri;
        struct rule *ru;
        struct name_arg na;
        const char *name;

        if (!get_fields(L, e, "a country", keys, f, 5))
            continue;
        ri = new_rule(L, f[0].val, "country", RK_COUNTRY, e);
        if (ri < 0)
            continue;
        ru = &L->r->rules[ri];
        if (!f[1].val) {
            LERR(L, e, "country %s has no 'code'", ru->id);
            continue;
        }
        if (!want_code(L, f[1].val, "code", ru->cc))
            continue;
        if (seen[(ru->cc[0] - 'A') * 26 + ru->cc[1] - 'A']++) {
            LERR(L, f[1].val, "country code %s is defined twice", ru->cc);
            continue;
        }
        L->r->counts.countries++;
        name = f[2].val ? want_str(L, f[2].val, "name") : NULL;
        if (name) {
            /* The canonical name is printed, not matched: `names` are matched. */
            ru->name = xstrdup(name);
        } else if (!f[2].val) {
            LERR(L, e, "country %s has no 'name'", ru->id);
        }
        na.rule = (uint32_t)ri;
        na.shared = 0;
        na.cs = 0;
        na.pclass = PC_COUNTRY;
        if (f[3].val)
            each_str(L, f[3].val, "names", name_cb, &na);
        na.pclass = PC_DEMONYM;
        if (f[4].val)
            each_str(L, f[4].val, "demonyms", name_cb, &na);
    }
}

/* ---- places.yaml ------------------------------------------------------- */

static int in_list(const char *s, const char *const *list)
{
    for (; *list; list++) {
        if (!strcmp(s, *list))
            return 1;
    }
    return 0;
}

/* Is 's' one of the strings in list node 'n'? (normalised comparison) */
struct shared_set {
    uint32_t *ids; /* per shared name: ntok, ids */
    size_t n, cap;
};

static void shared_cb(struct loader *L, struct ynode *n, const char *s, void *arg)
{
    struct shared_set *ss = arg;

    if (classify__tokenize(&L->r->vocab, &L->r->norm, s, strlen(s), 1, 1, &L->toks) < 0)
        return;
    NSC_GROW(ss->ids, ss->cap, ss->n + 1 + L->toks.n);
    /* NSC_GROW has just made room; the analyzer assumes the size sum wraps to 0 */
    ss->ids[ss->n++] = (uint32_t)L->toks.n; /* NOLINT(clang-analyzer-core.NullDereference) */
    for (size_t i = 0; i < L->toks.n; i++)
        ss->ids[ss->n++] = L->toks.v[i].id;
}

static int is_shared(struct loader *L, const struct shared_set *ss, const char *s)
{
    if (!ss->n || classify__tokenize(&L->r->vocab, &L->r->norm, s, strlen(s), 1, 1, &L->toks) < 0)
        return 0;
    for (size_t i = 0; i < ss->n; i += 1 + ss->ids[i]) {
        if (ss->ids[i] != L->toks.n)
            continue;
        size_t k = 0;
        for (; k < L->toks.n && ss->ids[i + 1 + k] == L->toks.v[k].id; k++)
            ;
        if (k == L->toks.n)
            return 1;
    }
    return 0;
}

struct alias_arg {
    uint32_t rule;
    struct shared_set *ss;
    int cs;
};

static void alias_cb(struct loader *L, struct ynode *n, const char *s, void *arg)
{
    struct alias_arg *a = arg;
    int pclass = L->r->rules[a->rule].kind == RK_PLACE ? PC_PLACE : PC_INST;

    add_pattern(L, a->rule, pclass, s, n, is_shared(L, a->ss, s), a->cs);
}

static void code_cb(struct loader *L, struct ynode *n, const char *s, void *arg)
{
    uint32_t rule = *(uint32_t *)arg;
    size_t len = strlen(s);

    if (len < 1 || len > 4 || !upper_name(s)) {
        LERR(L, n, "postal code '%s' must be 1 to 4 upper-case letters", s);
        return;
    }
    add_pattern(L, rule, PC_POSTAL, s, n, 0, 1);
}

static void load_places(struct loader *L, struct ynode *root)
{
    static const char *const keys[] = { "id", "country", "kind", "names", "codes", "shared" };
    static const char *const kinds[] = { "state",  "province", "city",   "region", "territory",
                                         "county", "district", "campus", NULL };
    struct ynode *seq = want_list(L, root, "places.yaml", "places", NULL, 0), *e;

    if (!seq)
        return;
    FOREACH_ITEM(L, seq, e)
    {
        struct kv f[6];
        int32_t ri;
        struct shared_set ss = { NULL, 0, 0 };
        struct alias_arg aa;
        uint32_t rule;

        if (!get_fields(L, e, "a place", keys, f, 6))
            continue;
        ri = new_rule(L, f[0].val, "place", RK_PLACE, e);
        if (ri < 0)
            continue;
        rule = (uint32_t)ri;
        if (!f[1].val) {
            LERR(L, e, "place %s has no 'country'", L->r->rules[ri].id);
            continue;
        }
        if (!want_code(L, f[1].val, "country", L->r->rules[ri].cc))
            continue;
        if (f[2].val) {
            const char *k = want_str(L, f[2].val, "kind");
            if (k && !in_list(k, kinds))
                LERR(L, f[2].val, "unknown place kind '%s' (state, province, city, region)", k);
        }
        L->r->counts.places++;
        if (f[5].val)
            each_str(L, f[5].val, "shared", shared_cb, &ss);
        aa.rule = rule;
        aa.ss = &ss;
        aa.cs = 0;
        if (f[5].val)
            each_str(L, f[5].val, "shared", alias_cb, &aa);
        if (f[3].val)
            each_str(L, f[3].val, "names", alias_cb, &aa);
        else
            LERR(L, e, "place %s has no 'names'", L->r->rules[ri].id);
        if (f[3].val && f[3].val->type == YAML_SEQUENCE_NODE) {
            yaml_node_item_t *first = f[3].val->u.items;
            if (first < f[3].val->u.items + f[3].val->cnt && scalar(nodeat(L, *first)))
                L->r->rules[ri].name = xstrdup(scalar(nodeat(L, *first)));
        }
        if (f[4].val)
            each_str(L, f[4].val, "codes", code_cb, &rule);
        free(ss.ids);
    }
}

/* ---- institutions ------------------------------------------------------ */

static void add_domain(struct loader *L, struct ynode *n, const char *s, uint32_t rule)
{
    struct classify_rules *r = L->r;
    size_t len = strlen(s);
    char *d;

    if (!len || s[0] == '.' || s[len - 1] == '.') {
        LERR(L, n, "malformed domain '%s'", s);
        return;
    }
    d = xstrdup(s);
    for (char *p = d; *p; p++) {
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.')) {
            LERR(L, n, "malformed domain '%s': only letters, digits, '-' and '.'", s);
            free(d);
            return;
        }
    }
    NSC_GROW(r->doms, r->doms_cap, r->n_doms + 1);
    r->doms[r->n_doms].suffix = d;
    r->doms[r->n_doms].rule = rule;
    r->doms[r->n_doms].inst = r->rules[rule].kind == RK_INSTDOM;
    r->n_doms++;
}

struct inst_dom_arg {
    uint32_t inst;
};

static void instdom_cb(struct loader *L, struct ynode *n, const char *s, void *arg)
{
    struct inst_dom_arg *a = arg;
    int32_t ri;
    struct rule *ru;

    NSC_GROW(L->r->rules, L->r->rules_cap, L->r->n_rules + 1);
    ri = (int32_t)L->r->n_rules++;
    ru = &L->r->rules[ri];
    memset(ru, 0, sizeof(*ru));
    ru->id = xstrdup(L->r->rules[a->inst].id);
    ru->kind = RK_INSTDOM;
    ru->generated = (uint8_t)L->generated;
    ru->parent = (int32_t)a->inst;
    ru->file = L->file;
    ru->line = (uint32_t)n->line + 1;
    ru->col = (uint32_t)n->col + 1;
    add_domain(L, n, s, (uint32_t)ri);
}

static void place_seq_cb(struct loader *L, struct ynode *n, const char *s, void *arg)
{
    struct classify_rules *r = L->r;

    if (classify__tokenize(&r->vocab, &r->norm, s, strlen(s), 1, 1, &L->toks) < 0 || !L->toks.n) {
        LERR(L, n, "place '%s' normalises to nothing", s);
        return;
    }
    NSC_GROW(r->seqs, r->seqs_cap, r->n_seqs + 1 + L->toks.n);
    r->seqs[r->n_seqs++] = (uint32_t)L->toks.n;
    for (size_t i = 0; i < L->toks.n; i++)
        r->seqs[r->n_seqs++] = L->toks.v[i].id;
    r->seqs[*(uint32_t *)arg]++;
}

static void load_inst(struct loader *L, struct ynode *e, int32_t parent);

static void load_institutions(struct loader *L, struct ynode *root, const char *file)
{
    struct ynode *seq = want_list(L, root, file, "institutions", NULL, 0), *e;

    if (!seq)
        return;
    FOREACH_ITEM(L, seq, e)
    load_inst(L, e, -1);
}

static void load_inst(struct loader *L, struct ynode *e, int32_t parent)
{
    static const char *const keys[] = { "id",       "name",    "country",  "kind",
                                        "hq",       "aliases", "acronyms", "domains",
                                        "branches", "shared",  "places" };
    static const char *const kinds[] = { "university",    "lab",       "academy",  "company",
                                         "multinational", "institute", "hospital", "government",
                                         "nonprofit",     "campus",    NULL };
    struct classify_rules *r = L->r;
    struct kv f[11];
    int32_t ri;
    struct rule *ru;
    const char *name, *kind = NULL;
    struct shared_set ss = { NULL, 0, 0 };
    struct alias_arg aa;
    struct inst_dom_arg da;
    int multi = 0;

    if (!get_fields(L, e, parent < 0 ? "an institution" : "a branch", keys, f, 11))
        return;
    ri = new_rule(L, f[0].val, "inst", parent < 0 ? RK_INST : RK_BRANCH, e);
    if (ri < 0)
        return;
    ru = &r->rules[ri];
    ru->parent = parent;
    if (f[3].val) {
        kind = want_str(L, f[3].val, "kind");
        if (kind && !in_list(kind, kinds))
            LERR(L, f[3].val,
                 "unknown institution kind '%s' (university, lab, academy, company, multinational)",
                 kind);
        multi = kind && !strcmp(kind, "multinational");
    }
    if (multi && parent >= 0) {
        LERR(L, f[3].val, "a branch cannot be a multinational");
        return;
    }
    if (multi) {
        ru->kind = RK_MULTI;
        if (f[2].val)
            LERR(L, f[2].val, "multinational %s has 'hq', not 'country'", ru->id);
        if (!f[4].val)
            LERR(L, e, "multinational %s has no 'hq'", ru->id);
        else
            want_code(L, f[4].val, "hq", r->rules[ri].cc);
    } else {
        if (f[4].val)
            LERR(L, f[4].val, "'hq' is only for kind: multinational");
        if (!f[2].val)
            LERR(L, e, "institution %s has no 'country'", ru->id);
        else
            want_code(L, f[2].val, "country", r->rules[ri].cc);
    }
    if (f[8].val && parent >= 0)
        LERR(L, f[8].val, "a branch cannot have branches");
    name = f[1].val ? want_str(L, f[1].val, "name") : NULL;
    if (!f[1].val)
        LERR(L, e, "institution %s has no 'name'", r->rules[ri].id);
    if (parent < 0)
        r->counts.institutions++;
    else
        r->counts.branches++;
    if (f[9].val)
        each_str(L, f[9].val, "shared", shared_cb, &ss);
    aa.rule = (uint32_t)ri;
    aa.ss = &ss;
    aa.cs = 0;
    if (f[9].val)
        each_str(L, f[9].val, "shared", alias_cb, &aa);
    if (name) {
        r->rules[ri].name = xstrdup(name);
        alias_cb(L, f[1].val, name, &aa);
    }
    if (f[5].val)
        each_str(L, f[5].val, "aliases", alias_cb, &aa);
    aa.cs = 1;
    if (f[6].val)
        each_str(L, f[6].val, "acronyms", alias_cb, &aa);
    da.inst = (uint32_t)ri;
    if (f[7].val)
        each_str(L, f[7].val, "domains", instdom_cb, &da);
    if (f[10].val) {
        uint32_t at = (uint32_t)r->n_seqs;
        if (!r->n_seqs) {
            /* offset 0 means "no places": keep a dummy word at 0 */
            NSC_GROW(r->seqs, r->seqs_cap, 1);
            r->seqs[r->n_seqs++] = 0;
            at = 1;
        }
        NSC_GROW(r->seqs, r->seqs_cap, r->n_seqs + 1);
        r->seqs[r->n_seqs++] = 0;
        r->rules[ri].places = at;
        each_str(L, f[10].val, "places", place_seq_cb, &at);
    }
    free(ss.ids);
    if (f[8].val) {
        struct ynode *b;
        if (f[8].val->type != YAML_SEQUENCE_NODE) {
            LERR(L, f[8].val, "'branches' must be a list, not %s", type_name(f[8].val));
            return;
        }
        FOREACH_ITEM(L, f[8].val, b)
        load_inst(L, b, ri);
    }
}

/* ---- domains.yaml ------------------------------------------------------ */

static void suffix_cb(struct loader *L, struct ynode *n, const char *s, void *arg)
{
    add_domain(L, n, s, *(uint32_t *)arg);
}

static void load_domains(struct loader *L, struct ynode *root)
{
    static const char *const keys[] = { "id", "suffix", "country", "weak" };
    struct ynode *seq = want_list(L, root, "domains.yaml", "domains", NULL, 0), *e;

    if (!seq)
        return;
    FOREACH_ITEM(L, seq, e)
    {
        struct kv f[4];
        int32_t ri;
        uint32_t rule;

        if (!get_fields(L, e, "a domain", keys, f, 4))
            continue;
        ri = new_rule(L, f[0].val, "dom", RK_DOMAIN, e);
        if (ri < 0)
            continue;
        rule = (uint32_t)ri;
        if (!f[2].val)
            LERR(L, e, "domain %s has no 'country' (use null for none)", L->r->rules[ri].id);
        else if (!is_null(f[2].val))
            want_code(L, f[2].val, "country", L->r->rules[ri].cc);
        if (f[3].val) {
            const char *w = want_str(L, f[3].val, "weak");
            if (w && !strcmp(w, "true"))
                L->r->rules[ri].weak = 1;
            else if (w && strcmp(w, "false"))
                LERR(L, f[3].val, "'weak' must be true or false, not '%s'", w);
        }
        L->r->counts.domains++;
        if (!f[1].val)
            LERR(L, e, "domain %s has no 'suffix'", L->r->rules[ri].id);
        else
            each_str(L, f[1].val, "suffix", suffix_cb, &rule);
    }
}

/* ---- policies.yaml ----------------------------------------------------- */

struct members_arg {
    struct classify_bloc *b;
    char (*m)[3];
};

static void member_cb(struct loader *L, struct ynode *n, const char *s, void *arg)
{
    struct members_arg *a = arg;
    char cc[3];

    if (!valid_code(s)) {
        LERR(L, n, "bloc %s names unknown country '%s'", a->b->id, s);
        return;
    }
    memcpy(cc, s, 3);
    a->m = xreallocarray(a->m, a->b->n_members + 1, sizeof(*a->m));
    memcpy(a->m[a->b->n_members++], cc, 3);
}

static void load_policies(struct loader *L, struct ynode *root)
{
    static const char *const keys[] = { "blocs", "policies", "version" };
    struct classify_rules *r = L->r;
    struct kv f[3];
    struct ynode *e;

    if (!get_fields(L, root, "policies.yaml", keys, f, 3))
        return;
    if (f[2].val) {
        const char *v = want_str(L, f[2].val, "version");
        if (v) {
            free(r->version);
            r->version = xstrdup(v);
        }
    }
    if (f[0].val && f[0].val->type != YAML_SEQUENCE_NODE) {
        LERR(L, f[0].val, "'blocs' must be a list, not %s", type_name(f[0].val));
    } else if (f[0].val) {
        FOREACH_ITEM(L, f[0].val, e)
        {
            static const char *const bk[] = { "id", "name", "members" };
            struct kv g[3];
            struct classify_bloc *b;
            struct members_arg ma;
            const char *name;
            int32_t ri;

            if (!get_fields(L, e, "a bloc", bk, g, 3))
                continue;
            ri = new_rule(L, g[0].val, "bloc", RK_COUNTRY, e);
            if (ri < 0)
                continue;
            r->rules[ri].kind = 255; /* not a matching rule */
            name = g[1].val ? want_str(L, g[1].val, "name") : NULL;
            if (!name) {
                if (!g[1].val)
                    LERR(L, e, "bloc %s has no 'name'", r->rules[ri].id);
                continue;
            }
            for (size_t i = 0; i < r->n_blocs; i++) {
                if (!strcmp(r->blocs[i].name, name))
                    LERR(L, g[1].val, "bloc name '%s' is used twice", name);
            }
            r->blocs = xreallocarray(r->blocs, r->n_blocs + 1, sizeof(*r->blocs));
            b = &r->blocs[r->n_blocs++];
            memset(b, 0, sizeof(*b));
            b->id = r->rules[ri].id;
            b->name = xstrdup(name);
            ma.b = b;
            ma.m = NULL;
            if (g[2].val)
                each_str(L, g[2].val, "members", member_cb, &ma);
            else
                LERR(L, e, "bloc %s has no 'members'", b->id);
            b->members = (const char(*)[3])ma.m;
            r->counts.blocs++;
        }
    }
    if (f[1].val && f[1].val->type != YAML_SEQUENCE_NODE) {
        LERR(L, f[1].val, "'policies' must be a list, not %s", type_name(f[1].val));
    } else if (f[1].val) {
        FOREACH_ITEM(L, f[1].val, e)
        {
            static const char *const pk[] = { "id", "name", "multinational", "pair" };
            struct kv g[4];
            struct classify_policy *p;
            const char *name;
            int32_t ri;

            if (!get_fields(L, e, "a policy", pk, g, 4))
                continue;
            ri = new_rule(L, g[0].val, "policy", RK_COUNTRY, e);
            if (ri < 0)
                continue;
            r->rules[ri].kind = 255;
            name = g[1].val ? want_str(L, g[1].val, "name") : NULL;
            if (!name) {
                if (!g[1].val)
                    LERR(L, e, "policy %s has no 'name'", r->rules[ri].id);
                continue;
            }
            r->policies = xreallocarray(r->policies, r->n_policies + 1, sizeof(*r->policies));
            p = &r->policies[r->n_policies++];
            memset(p, 0, sizeof(*p));
            p->id = r->rules[ri].id;
            p->name = xstrdup(name);
            r->counts.policies++;
            if (g[2].val) {
                const char *m = want_str(L, g[2].val, "multinational");
                if (m && !strcmp(m, "unknown"))
                    p->multinational = CLASSIFY_MN_UNKNOWN;
                else if (m && strcmp(m, "headquarters"))
                    LERR(L, g[2].val, "'multinational' must be headquarters or unknown, not '%s'",
                         m);
            }
            if (g[3].val) {
                struct ynode *pn = g[3].val;
                if (pn->type != YAML_SEQUENCE_NODE || pn->u.items + pn->cnt - pn->u.items != 2) {
                    LERR(L, pn, "'pair' must be a list of two bloc names");
                    continue;
                }
                for (int k = 0; k < 2; k++) {
                    struct ynode *bn = nodeat(L, pn->u.items[k]);
                    const char *bname = want_str(L, bn, "pair");
                    size_t i;
                    if (!bname)
                        continue;
                    for (i = 0; i < r->n_blocs; i++) {
                        if (!strcmp(r->blocs[i].name, bname))
                            break;
                    }
                    if (i == r->n_blocs)
                        LERR(L, bn, "policy %s names unknown bloc '%s'", p->id, bname);
                    else
                        p->pair[k] = r->blocs[i].name;
                }
            }
        }
    }
}

/* ---- the directory ----------------------------------------------------- */

/* Index the domains by suffix (one table per class); report a suffix listed twice. */
static void finish_domains(struct loader *L)
{
    struct classify_rules *r = L->r;

    r->dom_inst = xmalloc((r->n_doms + 1) * sizeof(*r->dom_inst));
    r->dom_suf = xmalloc((r->n_doms + 1) * sizeof(*r->dom_suf));
    r->dom_inst[0] = r->dom_suf[0] = -1;
    for (size_t i = 0; i < r->n_doms; i++) {
        const struct domain_ent *d = &r->doms[i];
        uint32_t n_before = r->domv.n;
        uint32_t id = classify__vocab_get(&r->domv, d->suffix, strlen(d->suffix), 1);
        int32_t *slot;

        if (id > n_before)
            r->dom_inst[id] = r->dom_suf[id] = -1;
        slot = d->inst ? &r->dom_inst[id] : &r->dom_suf[id];
        if (*slot >= 0) {
            /* files load in order: hand-written entries come before generated ones */
            const struct rule *a = &r->rules[*slot], *b = &r->rules[d->rule];
            if (!(b->generated && !a->generated))
                lerr_at(L, b->file, b->line, b->col,
                        "domain '%s' of %s is already listed by %s (%s:%u:%u)", d->suffix, b->id,
                        a->id, a->file, a->line, a->col);
            continue;
        }
        *slot = (int32_t)d->rule;
    }
}

int32_t classify__domain_find(const struct classify_rules *r, const char *suffix, size_t len,
                              int inst)
{
    uint32_t id = classify__vocab_find(&r->domv, suffix, len);

    if (!id)
        return -1;
    return inst ? r->dom_inst[id] : r->dom_suf[id];
}

/* Index what matching reads most: the root edges by token. */
static void build_indexes(struct classify_rules *r)
{
    struct trie *t = &r->trie;
    uint32_t *root = xcalloc((size_t)r->vocab.n + 1, sizeof(*root));

    /* trie_child() reads t->root once it is set: fill it first. */
    for (uint32_t tok = 1; tok <= r->vocab.n; tok++)
        root[tok] = classify__trie_child(t, 0, tok);
    t->root = root;
    t->n_root = (size_t)r->vocab.n + 1;
}

enum { F_NORMALIZE, F_COUNTRIES, F_PLACES, F_INST, F_INSTGEN, F_DOMAINS, F_POLICIES, F_N };

static const char *const file_names[F_N] = {
    "normalize.yaml",
    "countries.yaml",
    "places.yaml",
    "institutions.yaml",
    "institutions-generated.yaml",
    "domains.yaml",
    "policies.yaml",
};

static void ytree_release(struct ytree *t)
{
    free(t->nodes);
    free(t->items);
    free(t->pairs);
    free(t->pend);
    free(t->stk);
    buf_release(&t->strs);
    memset(t, 0, sizeof(*t));
}

/* A new node; it becomes a child of the innermost open collection, or the root. */
static size_t ytree_add(struct ytree *t, yaml_node_type_t type, const yaml_event_t *ev)
{
    size_t idx;

    NSC_GROW(t->nodes, t->cap, t->n + 1);
    memset(&t->nodes[t->n], 0, sizeof(t->nodes[t->n]));
    t->nodes[t->n].type = (uint8_t)type;
    t->nodes[t->n].line = (uint32_t)ev->start_mark.line;
    t->nodes[t->n].col = (uint32_t)ev->start_mark.column;
    idx = ++t->n;
    if (t->n_stk) {
        NSC_GROW(t->pend, t->pend_cap, t->n_pend + 1);
        t->pend[t->n_pend++] = (yaml_node_item_t)idx;
    } else if (!t->root) {
        t->root = idx;
    }
    return idx;
}

/* Close the innermost collection: move its children to the items array. */
static void ytree_close(struct ytree *t)
{
    size_t base, node, k;

    if (t->n_stk < 2)
        return;
    base = t->stk[--t->n_stk];
    node = t->stk[--t->n_stk];
    k = t->n_pend - base;
    if (t->nodes[node - 1].type == YAML_SEQUENCE_NODE) {
        NSC_GROW(t->items, t->items_cap, t->n_items + k + 1); /* never NULL, even for [] */
        if (k) /* with no children pend may still be NULL, and memcpy(NULL) is UB */
            memcpy(t->items + t->n_items, t->pend + base, k * sizeof(*t->items));
        t->nodes[node - 1].u.off = t->n_items;
        t->nodes[node - 1].cnt = (uint32_t)k;
        t->n_items += k;
    } else {
        /* children alternate key, value */
        NSC_GROW(t->pairs, t->pairs_cap, t->n_pairs + k / 2 + 1);
        t->nodes[node - 1].u.off = t->n_pairs;
        t->nodes[node - 1].cnt = (uint32_t)(k / 2);
        for (size_t i = 0; i + 1 < k; i += 2) {
            t->pairs[t->n_pairs].key = t->pend[base + i];
            t->pairs[t->n_pairs].value = t->pend[base + i + 1];
            t->n_pairs++;
        }
    }
    t->n_pend = base;
}

/* Point the nodes at their data once the arrays stop moving. */
static void ytree_finish(struct ytree *t)
{
    for (size_t i = 0; i < t->n; i++) {
        struct ynode *nd = &t->nodes[i];
        size_t off = nd->u.off;

        if (nd->type == YAML_SCALAR_NODE)
            nd->u.str = t->strs.ptr + off;
        else if (nd->type == YAML_SEQUENCE_NODE)
            nd->u.items = t->items + off;
        else
            nd->u.pairs = t->pairs + off;
    }
}

#define MAX_YAML_DEPTH 64 /* collections inside collections in one rule file */

/*
 * Parse the one document of 'text' into 't'.  Returns 1, or 0 after
 * reporting a YAML error, an alias (rule files have no use for aliases, and
 * nested ones would make the walk exponential), a second document (it would
 * be ignored: a half-loaded file) or nesting deeper than MAX_YAML_DEPTH
 * (libyaml's time grows with the square of the depth).
 */
static int ytree_parse(struct loader *L, struct ytree *t, const struct buf *text)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    int ok = 1, done = 0, docs = 0;

    if (!yaml_parser_initialize(&parser))
        NSC_BUG("yaml_parser_initialize failed");
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf_cstr(text), text->len);
    while (!done) {
        size_t idx;
        if (!yaml_parser_parse(&parser, &ev)) {
            size_t line = parser.problem_mark.line + 1, col = parser.problem_mark.column + 1;

            /* the reader (a NUL byte, say) gives an offset, not a mark */
            if (parser.error == YAML_READER_ERROR)
                nsc_text_position(buf_cstr(text), text->len, parser.problem_offset, &line, &col);
            lerr_at(L, L->file, line, col, "YAML error: %s%s%s",
                    parser.problem ? parser.problem : "malformed YAML", parser.context ? " " : "",
                    parser.context ? parser.context : "");
            ok = 0;
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                lerr_at(L, L->file, ev.start_mark.line + 1, ev.start_mark.column + 1,
                        "only one YAML document is allowed");
                ok = 0;
                done = 1;
            }
            break;
        case YAML_ALIAS_EVENT:
            lerr_at(L, L->file, ev.start_mark.line + 1, ev.start_mark.column + 1,
                    "YAML alias '*%s': aliases are not allowed in rule files",
                    (const char *)ev.data.alias.anchor);
            ok = 0;
            done = 1;
            break;
        case YAML_SCALAR_EVENT:
            idx = ytree_add(t, YAML_SCALAR_NODE, &ev);
            t->nodes[idx - 1].u.off = t->strs.len;
            t->nodes[idx - 1].cnt = (uint32_t)ev.data.scalar.length;
            t->nodes[idx - 1].style = (uint8_t)ev.data.scalar.style;
            buf_append(&t->strs, ev.data.scalar.value, ev.data.scalar.length);
            buf_putc(&t->strs, '\0');
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (t->n_stk / 2 >= MAX_YAML_DEPTH) {
                lerr_at(L, L->file, ev.start_mark.line + 1, ev.start_mark.column + 1,
                        "nested deeper than %d levels", MAX_YAML_DEPTH);
                ok = 0;
                done = 1;
                break;
            }
            idx = ytree_add(
                t, ev.type == YAML_SEQUENCE_START_EVENT ? YAML_SEQUENCE_NODE : YAML_MAPPING_NODE,
                &ev);
            NSC_GROW(t->stk, t->stk_cap, t->n_stk + 2);
            t->stk[t->n_stk++] = idx;
            t->stk[t->n_stk++] = t->n_pend;
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            ytree_close(t);
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    if (ok)
        ytree_finish(t);
    return ok;
}

/* Parse one file and hand its root to the loader for its kind. */
static int load_file(struct loader *L, int which, const char *path, const struct buf *text)
{
    struct ytree doc;
    struct ynode *root;

    memset(&doc, 0, sizeof(doc));
    L->file = path;
    if (!ytree_parse(L, &doc, text)) {
        ytree_release(&doc);
        return 0;
    }
    /* L->doc is set back to NULL before the function returns (no return in between) */
    /* cppcheck-suppress autoVariables */
    L->doc = &doc;
    root = nodeat(L, (yaml_node_item_t)doc.root);
    L->generated = which == F_INSTGEN;
    if (root && !is_null(root)) {
        switch (which) {
        case F_NORMALIZE:
            load_normalize(L, root);
            break;
        case F_COUNTRIES:
            load_countries(L, root);
            break;
        case F_PLACES:
            load_places(L, root);
            break;
        case F_INST:
        case F_INSTGEN:
            load_institutions(L, root, file_names[which]);
            break;
        case F_DOMAINS:
            load_domains(L, root);
            break;
        case F_POLICIES:
            load_policies(L, root);
            break;
        default:
            break;
        }
    }
    L->generated = 0;
    ytree_release(&doc);
    L->doc = NULL;
    return 1;
}

/* Where the first invalid UTF-8 byte is, as line and column (in characters). */
static void bad_utf8_at(const char *s, size_t len, size_t *line, size_t *col)
{
    utf8proc_int32_t cp;

    *line = 1;
    *col = 1;
    for (size_t i = 0; i < len;) {
        utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0 || cp < 0)
            return;
        if (cp == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
        i += (size_t)n;
    }
}

int classify_rules_load(struct classify_rules **out, const char *dir, struct buf *diag)
{
    struct loader L;
    struct classify_rules *r = xcalloc(1, sizeof(*r));
    struct buf text = BUF_INIT;
    uint64_t fh[F_N] = { 0 };
    int present[F_N] = { 0 };
    int err = 0;

    *out = NULL;
    memset(&L, 0, sizeof(L));
    L.r = r;
    L.diag = diag;
    r->files = xcalloc(F_N, sizeof(char *));
    r->n_files = F_N;
    for (int f = 0; f < F_N; f++) {
        r->files[f] = xasprintf("%s/%s", dir, file_names[f]);
        buf_reset(&text);
        err = nsc_file_read(&text, r->files[f], RULE_FILE_MAX);
        if (err == NSC_ENOTFOUND && f != F_COUNTRIES) {
            err = 0;
            continue;
        }
        if (err < 0)
            goto out;
        present[f] = 1;
        fh[f] = classify__hash(text.ptr ? text.ptr : "", text.len);
        if (!nsc_utf8_valid(buf_cstr(&text), text.len)) {
            size_t line, col;
            bad_utf8_at(buf_cstr(&text), text.len, &line, &col);
            lerr_at(&L, r->files[f], line, col, "invalid UTF-8");
            continue;
        }
        load_file(&L, f, r->files[f], &text);
    }
    finish_domains(&L);
    {
        /* Hash over (name, FNV of bytes) in file-name order. */
        int order[F_N] = { F_COUNTRIES, F_DOMAINS, F_INSTGEN, F_INST,
                           F_NORMALIZE, F_PLACES,  F_POLICIES };
        uint64_t h = 0xcbf29ce484222325ULL;
        for (int i = 0; i < F_N; i++) {
            const char *n = file_names[order[i]];
            if (!present[order[i]])
                continue;
            for (const char *p = n; *p; p++)
                h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
            for (int b = 0; b < 8; b++)
                h = (h ^ ((fh[order[i]] >> (8 * b)) & 0xff)) * 0x100000001b3ULL;
        }
        snprintf(r->hash, sizeof(r->hash), "%016llx", (unsigned long long)h);
    }
    if (!r->version)
        r->version = xstrdup("0");
    r->builtin.id = "policy.builtin";
    r->builtin.name = "default";
    r->builtin.multinational = CLASSIFY_MN_HEADQUARTERS;
    r->norm.and_id = classify__vocab_find(&r->vocab, "and", 3);
    if (L.n_err) {
        if (L.n_err > 1)
            err = nsc_error_set(NSC_EPARSE, "%s (and %zu more errors)", buf_cstr(&L.first),
                                L.n_err - 1);
        else
            err = nsc_error_set(NSC_EPARSE, "%s", buf_cstr(&L.first));
        goto out;
    }
    build_indexes(r);
    *out = r;
    r = NULL;
out:
    classify_rules_free(r);
    buf_release(&text);
    buf_release(&L.own_diag);
    buf_release(&L.first);
    classify__toks_release(&L.toks);
    classify__vocab_release(&L.ids);
    free(L.id_rule);
    return err;
}

void classify_rules_free(struct classify_rules *r)
{
    if (!r)
        return;
    classify__vocab_release(&r->vocab);
    free(r->norm.abbr_off);
    free(r->norm.abbr_ids);
    free(r->norm.drop);
    for (size_t i = 0; i < r->norm.n_hard; i++)
        free(r->norm.hard_seps[i]);
    free(r->norm.hard_seps);
    for (size_t i = 0; i < r->n_rules; i++) {
        free(r->rules[i].id);
        free(r->rules[i].name);
    }
    free(r->rules);
    free(r->pats);
    classify__trie_release(&r->trie);
    buf_release(&r->exact);
    free(r->seqs);
    for (size_t i = 0; i < r->n_doms; i++)
        free(r->doms[i].suffix);
    free(r->doms);
    classify__vocab_release(&r->domv);
    free(r->dom_inst);
    free(r->dom_suf);
    for (size_t i = 0; i < r->n_blocs; i++) {
        free((char *)r->blocs[i].name);
        free((void *)r->blocs[i].members);
    }
    free(r->blocs);
    for (size_t i = 0; i < r->n_policies; i++)
        free((char *)r->policies[i].name);
    free(r->policies);
    free(r->version);
    for (size_t i = 0; i < r->n_files; i++)
        free(r->files[i]);
    free(r->files);
    free(r);
}

const char *classify_rules_hash(const struct classify_rules *r)
{
    return r->hash;
}

const char *classify_rules_version(const struct classify_rules *r)
{
    return r->version;
}

void classify_rules_counts(const struct classify_rules *r, struct classify_counts *out)
{
    *out = r->counts;
}

size_t classify_rules_blocs(const struct classify_rules *r, const struct classify_bloc **out)
{
    *out = r->blocs;
    return r->n_blocs;
}

size_t classify_rules_policies(const struct classify_rules *r, const struct classify_policy **out)
{
    *out = r->policies;
    return r->n_policies;
}

const struct classify_policy *classify_policy_find(const struct classify_rules *r, const char *name)
{
    for (size_t i = 0; i < r->n_policies; i++) {
        if (name ? !strcmp(r->policies[i].name, name) : !strcmp(r->policies[i].name, "default"))
            return &r->policies[i];
    }
    if (name)
        return NULL;
    return r->n_policies ? &r->policies[0] : &r->builtin;
}
