/* norm.c - the normaliser (utf8proc), the token vocabulary and the trie. */
#include "classify_int.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* FNV-1a 64. */
uint64_t classify__hash(const char *s, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void vocab_rehash(struct vocab *v, size_t cap)
{
    uint32_t *slots = xcalloc(cap, sizeof(*slots));

    for (uint32_t id = 1; id <= v->n; id++) {
        size_t i = v->hash[id] & (cap - 1);
        while (slots[i])
            i = (i + 1) & (cap - 1);
        slots[i] = id;
    }
    free(v->slots);
    v->slots = slots;
    v->cap = cap;
}

static uint32_t vocab_probe(const struct vocab *v, const char *s, size_t len, uint64_t h,
                            size_t *slot)
{
    size_t i;

    if (!v->cap) {
        *slot = 0;
        return 0;
    }
    i = h & (v->cap - 1);
    while (v->slots[i]) {
        uint32_t id = v->slots[i];
        if (v->hash[id] == h && v->len[id] == len && !memcmp(v->text.ptr + v->off[id], s, len))
            return id;
        i = (i + 1) & (v->cap - 1);
    }
    *slot = i;
    return 0;
}

uint32_t classify__vocab_find(const struct vocab *v, const char *s, size_t len)
{
    size_t slot;

    return vocab_probe(v, s, len, classify__hash(s, len), &slot);
}

uint32_t classify__vocab_get(struct vocab *v, const char *s, size_t len, int insert)
{
    uint64_t h = classify__hash(s, len);
    size_t slot = 0; /* vocab_probe sets it whenever it returns 0 */
    uint32_t id = vocab_probe(v, s, len, h, &slot);

    if (id || !insert)
        return id;
    if (((size_t)v->n + 1) * 2 >= v->cap) {
        vocab_rehash(v, v->cap ? v->cap * 2 : 1024);
        vocab_probe(v, s, len, h, &slot);
    }
    id = ++v->n;
    if (id + 1 > v->ids_cap) {
        size_t c = v->ids_cap ? v->ids_cap * 2 : 1024;
        v->off = xreallocarray(v->off, c, sizeof(*v->off));
        v->len = xreallocarray(v->len, c, sizeof(*v->len));
        v->hash = xreallocarray(v->hash, c, sizeof(*v->hash));
        v->ids_cap = c;
    }
    v->off[id] = (uint32_t)v->text.len;
    v->len[id] = (uint32_t)len;
    v->hash[id] = h;
    buf_append(&v->text, s, len);
    buf_putc(&v->text, '\0');
    v->slots[slot] = id;
    return id;
}

void classify__vocab_release(struct vocab *v)
{
    free(v->slots);
    free(v->off);
    free(v->len);
    free(v->hash);
    buf_release(&v->text);
    memset(v, 0, sizeof(*v));
}

void classify__toks_release(struct toks *t)
{
    free(t->v);
    buf_release(&t->word);
    memset(t, 0, sizeof(*t));
}

/* Ideographs and kana are words of one character each: CJK is not spaced. */
static int is_cjk(utf8proc_int32_t c)
{
    return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x4dbf) ||
           (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xf900 && c <= 0xfaff) ||
           (c >= 0x20000 && c <= 0x3134f);
}

static int is_word_char(utf8proc_int32_t c)
{
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

struct tokstate {
    struct vocab *v;
    const struct normtab *nt;
    int insert;
    struct toks *out;
    uint32_t start, end; /* span of the current word */
    int open;
    int digits; /* the current word is digits */
};

static void push_tok(struct toks *t, uint32_t id, uint32_t start, uint32_t end)
{
    NSC_GROW(t->v, t->cap, t->n + 1);
    t->v[t->n].id = id;
    t->v[t->n].start = start;
    t->v[t->n].end = end;
    t->n++;
}

/* End the current word: look it up, expand an abbreviation. */
static void flush_word(struct tokstate *st)
{
    struct toks *t = st->out;
    uint32_t id;

    if (!st->open)
        return;
    st->open = 0;
    id = classify__vocab_get(st->v, t->word.ptr, t->word.len, st->insert);
    t->word.len = 0;
    t->word.ptr[0] = '\0';
    if (id && st->nt && id < st->nt->abbr_cap && st->nt->abbr_off[id]) {
        const uint32_t *a = st->nt->abbr_ids + st->nt->abbr_off[id] - 1;
        for (uint32_t k = 0; k < a[0]; k++)
            push_tok(t, a[1 + k], st->start, st->end);
        return;
    }
    push_tok(t, id, st->start, st->end);
}

/* Append bytes of the current word (usually without a call: room is reserved). */
static inline void add_char(struct tokstate *st, const char *p, size_t n, uint32_t start,
                            uint32_t end)
{
    struct buf *w = &st->out->word;

    if (!st->open) {
        st->open = 1;
        st->start = start;
    }
    st->end = end;
    if (w->len + n >= w->cap)
        buf_grow(w, n + 64);
    memcpy(w->ptr + w->len, p, n);
    w->len += n;
}

/*
 * A spacing accent (U+00A8 diaeresis, U+00B4 acute, ...) before a letter is
 * how text extracted from PDFs writes an accented letter ("Montr ´eal"): it
 * is dropped and joins the letters round it.
 */
static int spacing_accent(const char *s, size_t len)
{
    utf8proc_int32_t cp, next;
    utf8proc_ssize_t n;

    if ((unsigned char)s[0] < 0xc2)
        return 0;
    n = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &cp);
    if (n <= 0)
        return 0;
    switch (cp) {
    case 0x00a8:
    case 0x00b4:
    case 0x00b8:
    case 0x02c6:
    case 0x02c7:
    case 0x02d8:
    case 0x02d9:
    case 0x02da:
    case 0x02dc:
    case 0x02dd:
        break;
    default:
        return 0;
    }
    if ((size_t)n >= len)
        return 0;
    if (utf8proc_iterate((const utf8proc_uint8_t *)s + n, (utf8proc_ssize_t)(len - (size_t)n),
                         &next) <= 0)
        return 0;
    return is_word_char(next);
}

/* Letters and digits are separate words: "Toronto1" (a footnote mark) is "toronto 1". */
static inline void digit_boundary(struct tokstate *st, int digit)
{
    if (st->open && st->digits != digit)
        flush_word(st);
    st->digits = digit;
}

/* The tokeniser; 'general' sends ASCII through utf8proc too (tests compare). */
static int tokenize(struct vocab *v, const struct normtab *nt, const char *s, size_t len,
                    int insert, int drop_leading, int general, struct toks *out)
{
    struct tokstate st = { v, nt, insert, out, 0, 0, 0, 0 };
    size_t i = 0;

    out->n = 0;
    buf_reset(&out->word);
    /* ASCII adds at most one byte per input byte; the slow path reserves more. */
    buf_grow(&out->word, len + 64);
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        utf8proc_int32_t cp, dec[32];
        utf8proc_ssize_t n, nd;
        int bound = 0;

        /* ASCII fast path: no utf8proc call. */
        if (c < 0x80 && !general) {
            if (c >= '0' && c <= '9') {
                digit_boundary(&st, 1);
                add_char(&st, (const char *)&s[i], 1, (uint32_t)i, (uint32_t)i + 1);
            } else if (c >= 'a' && c <= 'z') {
                digit_boundary(&st, 0);
                add_char(&st, (const char *)&s[i], 1, (uint32_t)i, (uint32_t)i + 1);
            } else if (c >= 'A' && c <= 'Z') {
                char lc = (char)(c + 32);
                digit_boundary(&st, 0);
                add_char(&st, &lc, 1, (uint32_t)i, (uint32_t)i + 1);
            } else if (c == ' ' && st.open && i + 2 < len &&
                       spacing_accent(s + i + 1, len - i - 1)) {
                /* "Universit ¨at": a PDF's loose accent; the word goes on */
            } else {
                flush_word(&st);
            }
            i++;
            continue;
        }
        n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n < 0 || cp < 0) {
            out->n = 0;
            return nsc_error_set(NSC_EPARSE, "invalid UTF-8 at byte %zu", i);
        }
        if (spacing_accent(s + i, len - i)) {
            i += (size_t)n; /* dropped, and it does not end the word */
            continue;
        }
        nd = utf8proc_decompose_char(
            cp, dec, (utf8proc_ssize_t)NSC_ARRAY_SIZE(dec),
            UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK, &bound);
        if (nd < 0 || nd > (utf8proc_ssize_t)NSC_ARRAY_SIZE(dec))
            nd = 0;
        for (utf8proc_ssize_t k = 0; k < nd; k++) {
            utf8proc_uint8_t enc[4];
            utf8proc_ssize_t el;

            if (!is_word_char(dec[k])) {
                flush_word(&st);
                continue;
            }
            el = utf8proc_encode_char(dec[k], enc);
            digit_boundary(&st, dec[k] < 0x80 && dec[k] >= '0' && dec[k] <= '9');
            if (is_cjk(dec[k])) {
                flush_word(&st);
                add_char(&st, (const char *)enc, (size_t)el, (uint32_t)i, (uint32_t)(i + n));
                flush_word(&st);
            } else {
                add_char(&st, (const char *)enc, (size_t)el, (uint32_t)i, (uint32_t)(i + n));
            }
        }
        i += (size_t)n;
    }
    flush_word(&st);
    if (drop_leading && nt && out->n) {
        for (size_t d = 0; d < nt->n_drop; d++) {
            if (out->v[0].id && out->v[0].id == nt->drop[d]) {
                memmove(out->v, out->v + 1, (out->n - 1) * sizeof(*out->v));
                out->n--;
                break;
            }
        }
    }
    return 0;
}

int classify__tokenize(struct vocab *v, const struct normtab *nt, const char *s, size_t len,
                       int insert, int drop_leading, struct toks *out)
{
    return tokenize(v, nt, s, len, insert, drop_leading, 0, out);
}

int classify__tokenize_general(struct vocab *v, const struct normtab *nt, const char *s, size_t len,
                               int insert, int drop_leading, struct toks *out)
{
    return tokenize(v, nt, s, len, insert, drop_leading, 1, out);
}

/* ---- trie -------------------------------------------------------------- */

static size_t trie_slot(const struct trie *t, uint64_t key)
{
    /* Mix node and token bits into the low bits (murmur3's finaliser). */
    uint64_t h = key ^ (key >> 33);
    size_t i;

    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    i = (size_t)h & (t->cap - 1);

    while (t->keys[i] && t->keys[i] != key)
        i = (i + 1) & (t->cap - 1);
    return i;
}

uint32_t classify__trie_child(const struct trie *t, uint32_t node, uint32_t tok)
{
    uint64_t key = ((uint64_t)(node + 1) << 32) | tok;
    size_t i;

    if (!t->cap || !tok)
        return 0;
    if (node == 0 && t->root)
        return tok < t->n_root ? t->root[tok] : 0;
    i = trie_slot(t, key);
    return t->keys[i] ? t->vals[i] : 0;
}

static void trie_grow(struct trie *t)
{
    struct trie old = *t;

    t->cap = old.cap ? old.cap * 2 : 4096;
    t->keys = xcalloc(t->cap, sizeof(*t->keys));
    t->vals = xcalloc(t->cap, sizeof(*t->vals));
    for (size_t i = 0; i < old.cap; i++) {
        if (old.keys[i]) {
            size_t j = trie_slot(t, old.keys[i]);
            t->keys[j] = old.keys[i];
            t->vals[j] = old.vals[i];
        }
    }
    free(old.keys);
    free(old.vals);
}

uint32_t classify__trie_add(struct trie *t, uint32_t node, uint32_t tok)
{
    uint64_t key = ((uint64_t)(node + 1) << 32) | tok;
    size_t i;
    uint32_t child;

    if (!t->nodes) {
        NSC_GROW(t->out, t->nodes_cap, 1);
        t->out[0] = -1;
        t->nodes = 1;
    }
    if ((t->n + 1) * 2 >= t->cap)
        trie_grow(t);
    i = trie_slot(t, key);
    if (t->keys[i])
        return t->vals[i];
    child = (uint32_t)t->nodes;
    NSC_GROW(t->out, t->nodes_cap, t->nodes + 1);
    t->out[child] = -1;
    t->nodes++;
    t->keys[i] = key;
    t->vals[i] = child;
    t->n++;
    return child;
}

void classify__trie_release(struct trie *t)
{
    free(t->keys);
    free(t->vals);
    free(t->out);
    free(t->outs);
    free(t->root);
    memset(t, 0, sizeof(*t));
}
