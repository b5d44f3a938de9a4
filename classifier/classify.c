/* classify.c - split an affiliation string, match rules, apply the precedence. */
#include "classify_int.h"

#include <stdlib.h>
#include <string.h>

#define NOSTR ((size_t)-1)

enum { GAP_NONE = 0, GAP_SOFT = 1, GAP_HARD = 2 };

/* A match: tokens [s, e) and its valid patterns mp[po .. po + pn). */
struct cand {
    uint32_t s, e;
    uint32_t po, pn;
    uint8_t inst; /* holds an institution pattern */
    size_t txt;   /* arena offset of its text, NOSTR until asked */
};

struct ev_b {
    const char *rule, *kind;
    char cc[3];
    size_t text;
};

struct af_b {
    size_t text, matched, reason;
    const char *inst, *rule;
    char cc[3];
    size_t ev0, nev;
};

struct scratch {
    struct toks toks;
    uint8_t *gap;
    uint8_t *andtok;
    size_t gap_cap;
    struct cand *c;
    size_t n_c, c_cap;
    uint32_t *mp;
    size_t n_mp, mp_cap;
    struct ev_b *ev;
    size_t n_ev, ev_cap;
    struct af_b *af;
    size_t n_af, af_cap;
    uint32_t *bounds; /* soft boundaries: pairs (left_end, right_start) */
    size_t n_b, b_cap;
};

void classify_result_init(struct classify_result *res)
{
    struct classify_result z = CLASSIFY_RESULT_INIT;

    *res = z;
}

void classify_result_release(struct classify_result *res)
{
    struct scratch *sc = res->scratch;

    if (sc) {
        classify__toks_release(&sc->toks);
        free(sc->gap);
        free(sc->andtok);
        free(sc->c);
        free(sc->mp);
        free(sc->ev);
        free(sc->af);
        free(sc->bounds);
        free(sc);
    }
    free(res->affils);
    free(res->ev);
    buf_release(&res->strs);
    classify_result_init(res);
}

const struct classify_affiliation *classify_result_primary(const struct classify_result *res)
{
    for (size_t i = 0; i < res->n; i++) {
        if (res->affils[i].country[0])
            return &res->affils[i];
    }
    return res->n ? &res->affils[0] : NULL;
}

/* Copy bytes into the result's string arena; returns the offset. */
static size_t put_str(struct classify_result *res, const char *s, size_t len)
{
    size_t off = res->strs.len;

    buf_append(&res->strs, s, len);
    buf_putc(&res->strs, '\0');
    return off;
}

NSC_PRINTF(2, 3)
static size_t put_fmt(struct classify_result *res, const char *fmt, ...)
{
    size_t off = res->strs.len;
    va_list ap;

    va_start(ap, fmt);
    buf_vappendf(&res->strs, fmt, ap);
    va_end(ap);
    buf_putc(&res->strs, '\0');
    return off;
}

static int mem_has(const char *h, size_t hl, const char *n)
{
    size_t nl = strlen(n);

    if (nl > hl)
        return 0;
    for (size_t i = 0; i + nl <= hl; i++) {
        if (!memcmp(h + i, n, nl))
            return 1;
    }
    return 0;
}

/* Classify the gaps between tokens as no boundary, soft or hard. */
static void find_gaps(const struct classify_rules *r, struct scratch *sc, const char *s)
{
    const struct toks *t = &sc->toks;

    for (size_t i = 0; i < t->n; i++) {
        sc->andtok[i] = r->norm.and_id && t->v[i].id == r->norm.and_id;
        sc->gap[i] = GAP_NONE;
        if (i + 1 < t->n && t->v[i].end <= t->v[i + 1].start) {
            const char *g = s + t->v[i].end;
            size_t gl = t->v[i + 1].start - t->v[i].end;
            int hard = 0;
            if (gl == 1 && g[0] == ' ')
                continue; /* the common case: one space */
            for (size_t k = 0; k < r->norm.n_hard && !hard; k++)
                hard = mem_has(g, gl, r->norm.hard_seps[k]);
            if (!r->norm.n_hard)
                hard = memchr(g, ';', gl) || memchr(g, '|', gl) || mem_has(g, gl, " / ");
            if (hard)
                sc->gap[i] = GAP_HARD;
            else if (memchr(g, ',', gl) || (r->norm.amp_soft && mem_has(g, gl, " & ")))
                sc->gap[i] = GAP_SOFT;
        }
    }
}

/* Does pattern p hold at tokens starting at i (case and address checks)? */
static int pat_valid(const struct classify_rules *r, const struct pattern *p, const struct toks *t,
                     size_t i, const char *s, size_t len)
{
    if (p->cs) {
        const char *x = r->exact.ptr + p->exact;
        for (size_t k = 0; k < p->ntok; k++) {
            const struct tok *tk = &t->v[i + k];
            size_t xl = strlen(x), tl = tk->end - tk->start;
            if (xl != tl || memcmp(x, s + tk->start, tl))
                return 0;
            x += xl + 1;
        }
    }
    if (p->pclass == PC_POSTAL) {
        size_t a = t->v[i].start, b = t->v[i + p->ntok - 1].end;
        while (a > 0 && s[a - 1] == ' ')
            a--;
        if (a == 0 || s[a - 1] != ',')
            return 0;
        while (b < len && s[b] == ' ')
            b++;
        if (b < len && !strchr(",;|/).", s[b]) && !(s[b] >= '0' && s[b] <= '9'))
            return 0;
    }
    return 1;
}

/* Find the longest match at every token; drop matches covered by a longer one. */
static void find_matches(const struct classify_rules *r, struct scratch *sc, const char *s,
                         size_t len)
{
    const struct toks *t = &sc->toks;
    const struct trie *tr = &r->trie;
    uint32_t max_end = 0;

    sc->n_c = 0;
    sc->n_mp = 0;
    if (!tr->nodes)
        return;
    for (size_t i = 0; i < t->n; i++) {
        uint32_t node = 0, best_e = 0;
        size_t mp0 = sc->n_mp, best_n = 0;
        uint8_t inst = 0;

        for (size_t j = i; j < t->n; j++) {
            if (j > i && sc->gap[j - 1] == GAP_HARD)
                break;
            node = classify__trie_child(tr, node, t->v[j].id);
            if (!node)
                break;
            if (tr->out[node] < 0)
                continue;
            size_t here = sc->n_mp;
            uint8_t here_inst = 0;
            for (int32_t o = tr->out[node]; o >= 0; o = tr->outs[o].next) {
                const struct pattern *p = &r->pats[tr->outs[o].pat];
                int dup = 0;
                if (!pat_valid(r, p, t, i, s, len))
                    continue;
                /* One rule counts once at a match (a name and its acronym). */
                for (size_t k = here; k < sc->n_mp && !dup; k++)
                    dup = r->pats[sc->mp[k]].rule == p->rule;
                if (dup)
                    continue;
                NSC_GROW(sc->mp, sc->mp_cap, sc->n_mp + 1);
                sc->mp[sc->n_mp++] = tr->outs[o].pat;
                if (p->pclass == PC_INST)
                    here_inst = 1;
            }
            if (sc->n_mp > here) {
                /* A longer match replaces the shorter one at this start. */
                memmove(sc->mp + mp0, sc->mp + here, (sc->n_mp - here) * sizeof(*sc->mp));
                sc->n_mp = mp0 + (sc->n_mp - here);
                best_e = (uint32_t)j + 1;
                best_n = sc->n_mp - mp0;
                inst = here_inst;
            }
        }
        if (!best_e || best_e <= max_end)
            continue;
        max_end = best_e;
        NSC_GROW(sc->c, sc->c_cap, sc->n_c + 1);
        sc->c[sc->n_c].s = (uint32_t)i;
        sc->c[sc->n_c].e = best_e;
        sc->c[sc->n_c].po = (uint32_t)mp0;
        sc->c[sc->n_c].pn = (uint32_t)best_n;
        sc->c[sc->n_c].inst = inst;
        sc->c[sc->n_c].txt = NOSTR;
        sc->n_c++;
    }
}

/* The institution family (a branch counts as its parent) of match c. */
static uint32_t cand_root(const struct classify_rules *r, const struct scratch *sc,
                          const struct cand *c)
{
    for (uint32_t q = 0; q < c->pn; q++) {
        const struct pattern *p = &r->pats[sc->mp[c->po + q]];
        if (p->pclass == PC_INST) {
            const struct rule *ru = &r->rules[p->rule];
            return ru->kind == RK_BRANCH ? (uint32_t)ru->parent : p->rule;
        }
    }
    return UINT32_MAX;
}

/*
 * The family + 1 of the first (last == 0) or last institution match starting
 * in tokens [a, b), 0 if none.
 */
static uint32_t inst_in(const struct classify_rules *r, const struct scratch *sc, uint32_t a,
                        uint32_t b, int last)
{
    uint32_t found = 0;

    for (size_t k = 0; k < sc->n_c; k++) {
        if (sc->c[k].inst && sc->c[k].s >= a && sc->c[k].s < b) {
            found = cand_root(r, sc, &sc->c[k]) + 1;
            if (!last)
                break;
        }
    }
    return found;
}

static int inside_match(const struct scratch *sc, uint32_t left_end, uint32_t right_start)
{
    for (size_t k = 0; k < sc->n_c; k++) {
        if (sc->c[k].s < left_end && sc->c[k].e > right_start)
            return 1;
    }
    return 0;
}

/* The result under construction. */
struct ctx {
    const struct classify_rules *r;
    const struct classify_policy *pol;
    struct classify_result *res;
    struct scratch *sc;
    const char *s;
    size_t len;
    const char *dom; /* email domain, lower case, or NULL */
    size_t dom_len;
    int use_domain;
};

static void add_ev(struct ctx *x, const struct rule *ru, const char *kind, const char *cc,
                   size_t text)
{
    struct scratch *sc = x->sc;
    struct ev_b *e;

    NSC_GROW(sc->ev, sc->ev_cap, sc->n_ev + 1);
    e = &sc->ev[sc->n_ev++];
    e->rule = ru->id;
    e->kind = kind;
    memcpy(e->cc, cc ? cc : "", cc ? 3 : 1);
    e->text = text;
}

static const char *inst_kind(const struct rule *ru, int shared)
{
    if (ru->kind == RK_BRANCH)
        return "branch";
    if (shared)
        return "shared";
    if (ru->kind == RK_MULTI)
        return "multinational";
    return "institution";
}

/* Does an institution's places list occur in tokens [a, b)? */
static int places_in(const struct ctx *x, const struct rule *ru, uint32_t a, uint32_t b)
{
    const uint32_t *q;
    const struct toks *t = &x->sc->toks;

    if (!ru->places)
        return 0;
    q = x->r->seqs + ru->places;
    for (uint32_t n = q[0], off = 1; n > 0; n--) {
        uint32_t pl = q[off];
        const uint32_t *ids = q + off + 1;
        for (uint32_t i = a; i + pl <= b; i++) {
            uint32_t k = 0;
            while (k < pl && t->v[i + k].id == ids[k])
                k++;
            if (k == pl)
                return 1;
        }
        off += 1 + pl;
    }
    return 0;
}

/* The domain rules for the email domain: an institution's, then the longest suffix. */
static void domain_rules(const struct ctx *x, int32_t *inst, int32_t *suffix)
{
    *inst = -1;
    *suffix = -1;
    if (!x->dom)
        return;
    for (size_t i = 0; i < x->dom_len; i++) {
        if (i && x->dom[i - 1] != '.')
            continue;
        if (*inst < 0)
            *inst = classify__domain_find(x->r, x->dom + i, x->dom_len - i, 1);
        if (*suffix < 0)
            *suffix = classify__domain_find(x->r, x->dom + i, x->dom_len - i, 0);
    }
}

struct decision {
    const struct rule *rule; /* deciding rule */
    const struct rule *inst; /* institution named */
    char cc[3];
    size_t matched; /* arena offset */
    size_t reason;
};

static void decide(struct decision *d, const struct rule *rule, const char *cc, size_t matched)
{
    d->rule = rule;
    /* cc is always a rule's cc array.  The analyzer, losing count in loc_resolve's loop, takes
     * a return of 1 with its rule unset and reports that NULL rule's cc here. */
    memcpy(d->cc, cc, 3); /* NOLINT(clang-analyzer-core.NonNullParamChecker) */
    d->matched = matched;
}

/* Which place evidence a question is about. */
enum { LOC_COUNTRY = 1, LOC_PLACE = 2, LOC_ANY = 3, LOC_WEAK = 4 };

static int pclass_loc(int pclass)
{
    switch (pclass) {
    case PC_COUNTRY:
        return LOC_COUNTRY;
    case PC_PLACE:
    case PC_POSTAL:
        return LOC_PLACE;
    case PC_DEMONYM:
        return LOC_WEAK;
    default:
        return 0;
    }
}

/* Does match 'c' say country 'cc' through a pattern of kind 'want'?  -1: no such pattern. */
static int cand_says(const struct ctx *x, const struct cand *c, int want, const char *cc)
{
    int any = -1;

    for (uint32_t q = 0; q < c->pn; q++) {
        const struct pattern *p = &x->r->pats[x->sc->mp[c->po + q]];
        if (!(pclass_loc(p->pclass) & want))
            continue;
        if (!strcmp(x->r->rules[p->rule].cc, cc))
            return 1;
        any = 0;
    }
    return any;
}

/* Is 'cc' consistent with every place match of kind 'want' in [lo, hi)?  Else the first
 * match that disagrees is left in *bad. */
static int loc_viable(const struct ctx *x, size_t lo, size_t hi, int want, const char *cc,
                      const struct cand **bad)
{
    for (size_t k = lo; k < hi; k++) {
        const struct cand *c = &x->sc->c[k];
        if (c->inst)
            continue;
        if (cand_says(x, c, want, cc) == 0) {
            if (bad)
                *bad = c;
            return 0;
        }
    }
    return 1;
}

/*
 * How many countries agree with all place evidence of kind 'want' among
 * matches [lo, hi): -1 none, 0 a conflict, 1 decided (*out, *out_c), 2+ ambiguous.
 */
static int loc_resolve(const struct ctx *x, size_t lo, size_t hi, int want, const struct rule **out,
                       const struct cand **out_c)
{
    const struct cand *first = NULL;
    const char *seen[8];
    int n = 0, n_seen = 0;

    for (size_t k = lo; k < hi && !first; k++) {
        const struct cand *c = &x->sc->c[k];
        if (!c->inst && cand_says(x, c, want, "") >= 0)
            first = c;
    }
    if (!first)
        return -1;
    for (uint32_t q = 0; q < first->pn; q++) {
        const struct pattern *p = &x->r->pats[x->sc->mp[first->po + q]];
        const struct rule *ru = &x->r->rules[p->rule];
        int dup = 0;
        if (!(pclass_loc(p->pclass) & want))
            continue;
        for (int i = 0; i < n_seen; i++)
            dup |= !strcmp(seen[i], ru->cc);
        if (dup || n_seen == (int)NSC_ARRAY_SIZE(seen))
            continue;
        seen[n_seen++] = ru->cc;
        if (loc_viable(x, lo, hi, want, ru->cc, NULL)) {
            if (!n++) {
                *out = ru;
                *out_c = first;
            }
        }
    }
    /* Quote the most specific evidence: a match that names only that country. */
    if (n == 1) {
        for (size_t k = lo; k < hi; k++) {
            const struct cand *c = &x->sc->c[k];
            uint32_t q;
            const struct rule *only = NULL;
            if (c->inst)
                continue;
            for (q = 0; q < c->pn; q++) {
                const struct pattern *p = &x->r->pats[x->sc->mp[c->po + q]];
                if (!(pclass_loc(p->pclass) & want))
                    continue;
                if (strcmp(x->r->rules[p->rule].cc, (*out)->cc))
                    break;
                if (!only)
                    only = &x->r->rules[p->rule];
            }
            if (q == c->pn && only) {
                *out = only;
                *out_c = c;
                break;
            }
        }
    }
    return n;
}

/* The input text of match c, for "%.*s". */
#define CAND_SPAN(x, c)                                                                            \
    (int)((x)->sc->toks.v[(c)->e - 1].end - (x)->sc->toks.v[(c)->s].start),                        \
        (x)->s + (x)->sc->toks.v[(c)->s].start

static size_t cand_text(struct ctx *x, const struct cand *cc)
{
    const struct toks *t = &x->sc->toks;
    struct cand *c = &x->sc->c[cc - x->sc->c]; /* the cache is ours to fill */

    if (c->txt == NOSTR)
        c->txt = put_str(x->res, x->s + t->v[c->s].start, t->v[c->e - 1].end - t->v[c->s].start);
    return c->txt;
}

/* The first pattern of kind 'want' at match c: its rule. */
static const struct rule *cand_rule(const struct ctx *x, const struct cand *c, int want)
{
    for (uint32_t q = 0; q < c->pn; q++) {
        const struct pattern *p = &x->r->pats[x->sc->mp[c->po + q]];
        if (pclass_loc(p->pclass) & want)
            return &x->r->rules[p->rule];
    }
    return &x->r->rules[x->r->pats[x->sc->mp[c->po]].rule];
}

/* Which institution match of an affiliation speaks first: branch, one country,
 * multinational, shared. */
static int inst_rank(const struct ctx *x, const struct cand *c)
{
    int n = 0, rank = 3;

    for (uint32_t q = 0; q < c->pn; q++) {
        const struct pattern *p = &x->r->pats[x->sc->mp[c->po + q]];
        const struct rule *ru = &x->r->rules[p->rule];
        if (p->pclass != PC_INST)
            continue;
        n++;
        if (ru->kind == RK_BRANCH)
            return 0;
        rank = ru->kind == RK_INST ? 1 : 2;
    }
    return n > 1 ? 3 : rank;
}

/* Classify tokens [a, b) as one affiliation. */
static void classify_piece(struct ctx *x, uint32_t a, uint32_t b)
{
    const struct classify_rules *r = x->r;
    struct scratch *sc = x->sc;
    struct classify_result *res = x->res;
    const struct toks *t = &sc->toks;
    struct decision d = { NULL, NULL, "", NOSTR, NOSTR };
    struct af_b *af;
    size_t ev0 = sc->n_ev, lo = sc->n_c, hi = 0;
    int first_inst = -1, loc_n;
    const struct rule *loc = NULL;
    const struct cand *loc_c = NULL;
    int32_t dinst, dsuf;

    for (size_t k = 0; k < sc->n_c; k++) {
        const struct cand *c = &sc->c[k];
        size_t txt;
        if (c->s < a || c->e > b)
            continue;
        if (k < lo)
            lo = k;
        hi = k + 1;
        txt = cand_text(x, c);
        if (c->inst && (first_inst < 0 || inst_rank(x, c) < inst_rank(x, &sc->c[first_inst])))
            first_inst = (int)k;
        for (uint32_t q = 0; q < c->pn; q++) {
            const struct pattern *p = &r->pats[sc->mp[c->po + q]];
            const struct rule *ru = &r->rules[p->rule];
            const char *kind = p->pclass == PC_INST      ? inst_kind(ru, c->pn > 1 && p->shared)
                               : p->pclass == PC_COUNTRY ? "country"
                               : p->pclass == PC_PLACE   ? "place"
                               : p->pclass == PC_POSTAL  ? "postal-code"
                                                         : "demonym";
            if (c->inst && p->pclass != PC_INST)
                continue; /* a word inside an institution's name is not a place */
            add_ev(x, ru, kind, ru->cc, txt);
        }
    }
    if (hi == 0)
        lo = hi;
    loc_n = loc_resolve(x, lo, hi, LOC_ANY, &loc, &loc_c);
    domain_rules(x, &dinst, &dsuf);

    if (first_inst >= 0) {
        const struct cand *c = &sc->c[first_inst];
        const struct rule *branch = NULL, *only = NULL;
        int n_inst = 0;
        size_t txt = cand_text(x, c);

        for (uint32_t q = 0; q < c->pn; q++) {
            const struct pattern *p = &r->pats[sc->mp[c->po + q]];
            const struct rule *ru = &r->rules[p->rule];
            if (p->pclass != PC_INST)
                continue;
            if (ru->kind == RK_BRANCH && !branch)
                branch = ru;
            if (!only)
                only = ru;
            n_inst++;
        }
        const struct rule *parent = branch ? &r->rules[branch->parent] : NULL;
        const struct cand *branch_bad = NULL; /* the place that contradicts the branch, if any */
        if (branch && loc_viable(x, lo, hi, LOC_ANY, branch->cc, &branch_bad)) {
            /* 1. a branch decides, unless a place says another country. */
            d.inst = branch;
            decide(&d, branch, branch->cc, txt);
        } else if (branch && parent->kind == RK_MULTI && loc_n == 1) {
            /* its multinational is wherever the place says ("Microsoft Research, Cambridge MA") */
            d.inst = parent;
            decide(&d, loc, loc->cc, cand_text(x, loc_c));
        } else if (branch) {
            d.inst = branch;
            d.reason =
                put_fmt(res, "branch %s is in %s but %s ('%.*s') is not", branch->id, branch->cc,
                        cand_rule(x, branch_bad, LOC_ANY)->id, CAND_SPAN(x, branch_bad));
        } else if (n_inst == 1 && only->kind == RK_INST) {
            /* 2. one country, unless a place contradicts it. */
            const struct cand *bad = NULL;
            d.inst = only;
            /* A country name that agrees outweighs a homonym city ("London, ON, Canada"). */
            int by_country = loc_resolve(x, lo, hi, LOC_COUNTRY, &loc, &loc_c) == 1 &&
                             !strcmp(loc->cc, only->cc);
            if (by_country || loc_viable(x, lo, hi, LOC_ANY, only->cc, &bad)) {
                decide(&d, only, only->cc, txt);
            } else {
                const struct rule *br = cand_rule(x, bad, LOC_ANY);
                d.reason = put_fmt(res, "institution %s is in %s but %s ('%.*s') is not", only->id,
                                   only->cc, br->id, CAND_SPAN(x, bad));
            }
        } else if (n_inst == 1) {
            /* 3. and 5. a multinational: its place, else its branch's email domain, else the
             * policy.  A place in several countries (unsettled) is no place. */
            const struct rule *dbranch = NULL;
            if (dinst >= 0) {
                const struct rule *owner = &r->rules[r->rules[dinst].parent];
                if (owner->kind == RK_BRANCH && &r->rules[owner->parent] == only)
                    dbranch = owner;
            }
            d.inst = only;
            if (loc_n == 1) {
                decide(&d, loc, loc->cc, cand_text(x, loc_c));
            } else if (loc_n == 0) {
                d.reason =
                    put_fmt(res, "multinational %s with places in different countries", only->id);
            } else if (dbranch) {
                size_t dt = put_str(res, x->dom, x->dom_len);
                add_ev(x, dbranch, "institution-domain", dbranch->cc, dt);
                d.inst = dbranch;
                decide(&d, dbranch, dbranch->cc, dt);
            } else if (x->pol->multinational == CLASSIFY_MN_HEADQUARTERS) {
                decide(&d, only, only->cc, txt);
            } else {
                d.reason = put_fmt(res,
                                   "multinational %s has no place in the affiliation (policy %s "
                                   "leaves it unknown)",
                                   only->id, x->pol->name);
            }
        } else {
            /* 4. a shared name: settled by a place or the email domain. */
            const struct rule *pick = NULL;
            int n_pick = 0;
            for (uint32_t q = 0; q < c->pn; q++) {
                const struct pattern *p = &r->pats[sc->mp[c->po + q]];
                const struct rule *ru = &r->rules[p->rule];
                if (p->pclass != PC_INST)
                    continue;
                if (places_in(x, ru, a, b) ||
                    (loc_n >= 1 && loc_viable(x, lo, hi, LOC_ANY, ru->cc, NULL))) {
                    if (!pick || strcmp(pick->cc, ru->cc))
                        n_pick++;
                    pick = ru;
                }
            }
            if (n_pick != 1) {
                pick = NULL;
                n_pick = 0;
                for (uint32_t q = 0; q < c->pn && (dinst >= 0 || dsuf >= 0); q++) {
                    const struct pattern *p = &r->pats[sc->mp[c->po + q]];
                    const struct rule *ru = &r->rules[p->rule];
                    if (p->pclass != PC_INST)
                        continue;
                    if (dinst >= 0 ? r->rules[dinst].parent == (int32_t)p->rule
                                   : (!r->rules[dsuf].weak && r->rules[dsuf].cc[0] &&
                                      !strcmp(r->rules[dsuf].cc, ru->cc))) {
                        if (!pick || strcmp(pick->cc, ru->cc))
                            n_pick++;
                        pick = ru;
                    }
                }
                if (n_pick == 1) {
                    const struct rule *dr = &r->rules[dinst >= 0 ? dinst : dsuf];
                    size_t dt = put_str(res, x->dom, x->dom_len);
                    add_ev(x, dinst >= 0 ? pick : dr, dinst >= 0 ? "institution-domain" : "domain",
                           dr->cc[0] ? dr->cc : pick->cc, dt);
                }
            }
            if (n_pick == 1) {
                d.inst = pick;
                /* n_pick counts only assignments of pick, so n_pick == 1 means pick is set */
                /* cppcheck-suppress nullPointer */
                decide(&d, pick, pick->cc, txt);
            } else {
                struct buf *sb = &res->strs;
                int first = 1;
                d.reason = sb->len;
                buf_appendf(sb, "'%.*s' is shared by", CAND_SPAN(x, c));
                for (uint32_t q = 0; q < c->pn; q++) {
                    const struct pattern *p = &r->pats[sc->mp[c->po + q]];
                    if (p->pclass != PC_INST)
                        continue;
                    buf_appendf(sb, "%s %s (%s)", first ? "" : ",", r->rules[p->rule].id,
                                r->rules[p->rule].cc);
                    first = 0;
                }
                buf_puts(sb, "; no place or email domain settles it");
                buf_putc(sb, '\0');
            }
        }
    } else if (loc_n >= 0 && loc_n <= 1) {
        /* 6. no institution: a country name, else a place; all must agree. */
        const struct rule *cr = NULL;
        const struct cand *cc = NULL;
        if (loc_n == 1) {
            /* Quote the country name when there is one that agrees. */
            if (loc_resolve(x, lo, hi, LOC_COUNTRY, &cr, &cc) == 1 && !strcmp(cr->cc, loc->cc))
                decide(&d, cr, cr->cc, cand_text(x, cc));
            else
                decide(&d, loc, loc->cc, cand_text(x, loc_c));
        } else if (loc_n == 0 && loc_resolve(x, lo, hi, LOC_COUNTRY, &cr, &cc) == 1) {
            /* Places disagree: an explicit country name still decides. */
            decide(&d, cr, cr->cc, cand_text(x, cc));
        } else {
            d.reason = put_fmt(res, "places in different countries");
        }
    } else if (x->use_domain &&
               (dinst >= 0 || (dsuf >= 0 && !x->r->rules[dsuf].weak && x->r->rules[dsuf].cc[0]))) {
        /* 7. the email domain. */
        const struct rule *dr = &r->rules[dinst >= 0 ? dinst : dsuf];
        size_t dt = put_str(res, x->dom, x->dom_len);
        if (dinst >= 0) {
            const struct rule *in = &r->rules[dr->parent];
            add_ev(x, in, "institution-domain", in->cc, dt);
            d.inst = in;
            if (in->kind == RK_MULTI && x->pol->multinational == CLASSIFY_MN_UNKNOWN)
                d.reason = put_fmt(res,
                                   "multinational %s (by email domain) has no place (policy %s "
                                   "leaves it unknown)",
                                   in->id, x->pol->name);
            else
                decide(&d, in, in->cc, dt);
        } else {
            add_ev(x, dr, "domain", dr->cc, dt);
            decide(&d, dr, dr->cc, dt);
        }
    } else {
        /* 8. weak evidence, only when it agrees with itself. */
        const struct rule *wd = NULL, *w = NULL;
        const struct cand *wc = NULL;
        size_t dt = NOSTR;
        int wn = loc_resolve(x, lo, hi, LOC_WEAK, &w, &wc);
        if (x->use_domain && dsuf >= 0 && r->rules[dsuf].weak && r->rules[dsuf].cc[0]) {
            wd = &r->rules[dsuf];
            dt = put_str(res, x->dom, x->dom_len);
            add_ev(x, wd, "weak-domain", wd->cc, dt);
        }
        /* an unsettled shared place decides nothing, but weak evidence must fit it */
        const char *wcc = wn == 1 ? w->cc : wd ? wd->cc : NULL;
        if (wn == 0 || wn >= 2 || (wn == 1 && wd && strcmp(w->cc, wd->cc)))
            d.reason = put_fmt(res, "only weak evidence, and it disagrees");
        else if (wcc && loc_n >= 2 && !loc_viable(x, lo, hi, LOC_ANY, wcc, NULL))
            d.reason = put_fmt(res, "only weak evidence, and a place disagrees");
        else if (wn == 1)
            decide(&d, w, w->cc, cand_text(x, wc));
        else if (wd)
            decide(&d, wd, wd->cc, dt);
        else if (loc_n >= 2)
            d.reason = put_fmt(res, "'%.*s' names a place in several countries",
                               CAND_SPAN(x, loc_c ? loc_c : &sc->c[lo]));
        else
            d.reason = put_fmt(res, "no rule matched");
    }

    NSC_GROW(sc->af, sc->af_cap, sc->n_af + 1);
    af = &sc->af[sc->n_af++];
    af->text = put_str(res, x->s + t->v[a].start, t->v[b - 1].end - t->v[a].start);
    af->matched = d.rule ? d.matched : NOSTR;
    af->reason = d.rule ? NOSTR : d.reason;
    af->inst = d.inst ? d.inst->name : NULL;
    af->rule = d.rule ? d.rule->id : NULL;
    memcpy(af->cc, d.rule ? d.cc : "", d.rule ? 3 : 1);
    af->ev0 = ev0;
    af->nev = sc->n_ev - ev0;
}

/* Split tokens [a, b) (one hard segment) at soft boundaries with institutions on both sides. */
static void split_segment(struct ctx *x, uint32_t a, uint32_t b, size_t *n_pieces, int count_only)
{
    struct scratch *sc = x->sc;
    uint32_t p = a;

    sc->n_b = 0;
    for (uint32_t i = a; i < b; i++) {
        if (sc->andtok[i] && i > a && i + 1 < b) {
            NSC_GROW(sc->bounds, sc->b_cap, sc->n_b + 2);
            sc->bounds[sc->n_b++] = i;
            sc->bounds[sc->n_b++] = i + 1;
        } else if (i + 1 < b && sc->gap[i] == GAP_SOFT) {
            NSC_GROW(sc->bounds, sc->b_cap, sc->n_b + 2);
            sc->bounds[sc->n_b++] = i + 1;
            sc->bounds[sc->n_b++] = i + 1;
        }
    }
    for (size_t k = 0; k < sc->n_b; k += 2) {
        uint32_t le = sc->bounds[k], rs = sc->bounds[k + 1];
        uint32_t next = k + 2 < sc->n_b ? sc->bounds[k + 2] : b;
        if (le <= p || inside_match(sc, le, rs))
            continue;
        uint32_t left = inst_in(x->r, sc, p, le, 1), right = inst_in(x->r, sc, rs, next, 0);
        /* Two names of one institution ("DAMO Academy, Alibaba Group") are one affiliation. */
        if (left && right && left != right) {
            if (!count_only)
                classify_piece(x, p, le);
            (*n_pieces)++;
            p = rs;
        }
    }
    if (p < b) {
        if (!count_only)
            classify_piece(x, p, b);
        (*n_pieces)++;
    }
}

int classify_run(const struct classify_rules *r, const struct classify_policy *policy,
                 const char *s, size_t len, const char *email_domain, struct classify_result *res)
{
    struct scratch *sc = res->scratch;
    struct ctx x;
    char dom[256];
    size_t n_pieces = 0;
    int err;

    if (!sc)
        sc = res->scratch = xcalloc(1, sizeof(*sc));
    res->n = 0;
    buf_reset(&res->strs);
    sc->n_ev = 0;
    sc->n_af = 0;
    err = classify__tokenize((struct vocab *)&r->vocab, &r->norm, s, len, 0, 0, &sc->toks);
    if (err < 0)
        return err;
    if (sc->toks.n + 1 > sc->gap_cap) {
        sc->gap_cap = sc->toks.n + 64;
        sc->gap = xrealloc(sc->gap, sc->gap_cap);
        sc->andtok = xrealloc(sc->andtok, sc->gap_cap);
    }
    memset(&x, 0, sizeof(x));
    x.r = r;
    x.pol = policy ? policy : classify_policy_find(r, NULL);
    x.res = res;
    x.sc = sc;
    x.s = s;
    x.len = len;
    if (email_domain && *email_domain) {
        size_t dl = strlen(email_domain);
        const char *at = strrchr(email_domain, '@');
        if (at) {
            dl -= (size_t)(at + 1 - email_domain);
            email_domain = at + 1;
        }
        while (dl && email_domain[dl - 1] == '.')
            dl--;
        if (dl && dl < sizeof(dom)) {
            for (size_t i = 0; i < dl; i++) {
                char c = email_domain[i];
                dom[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            }
            dom[dl] = '\0';
            x.dom = dom;
            x.dom_len = dl;
        }
    }
    find_gaps(r, sc, s);
    find_matches(r, sc, s, len);

    /* Count the affiliations first: the email domain speaks for a lone one. */
    for (int pass = 0; pass < 2; pass++) {
        uint32_t seg = 0;
        n_pieces = 0;
        for (uint32_t i = 0; i < sc->toks.n; i++) {
            if (i + 1 == sc->toks.n || sc->gap[i] == GAP_HARD) {
                split_segment(&x, seg, i + 1, &n_pieces, pass == 0);
                seg = i + 1;
            }
        }
        x.use_domain = n_pieces <= 1;
    }
    /* Turn offsets into pointers now that the arena stops moving (one slot
     * more, so ev is never NULL: res->ev + 0 with no evidence is defined). */
    NSC_GROW(res->ev, res->ev_cap, sc->n_ev + 1);
    for (size_t i = 0; i < sc->n_ev; i++) {
        struct classify_evidence *e = &res->ev[i];
        e->rule = sc->ev[i].rule;
        e->kind = sc->ev[i].kind;
        memcpy(e->country, sc->ev[i].cc, 3);
        e->text = res->strs.ptr + sc->ev[i].text;
    }
    NSC_GROW(res->affils, res->affils_cap, sc->n_af);
    for (size_t i = 0; i < sc->n_af; i++) {
        struct classify_affiliation *a = &res->affils[i];
        const struct af_b *b = &sc->af[i];
        a->text = res->strs.ptr + b->text;
        a->institution = b->inst;
        memcpy(a->country, b->cc, 3);
        a->rule = b->rule;
        a->matched = b->matched == NOSTR ? NULL : res->strs.ptr + b->matched;
        a->reason = b->reason == NOSTR ? NULL : res->strs.ptr + b->reason;
        a->n_evidence = b->nev;
        a->evidence = res->ev + b->ev0;
    }
    res->n = sc->n_af;
    return 0;
}
