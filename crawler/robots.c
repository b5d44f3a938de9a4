/*
 * robots.c - an RFC 9309 robots.txt parser and matcher.  Pure: no I/O, so
 * the unit tests and the fuzzer drive it directly.
 *
 * Only the rules that apply to our product token are kept: those of every
 * group whose User-agent names it (groups are merged, RFC 9309 2.2.1), or,
 * when none does, those of every "*" group.  Matching picks the longest
 * matching pattern and lets Allow win a tie (2.2.2).
 *
 * Paths and patterns are brought to one form before comparing, so that two
 * spellings of one URL match the same rules: %XX escapes of unreserved
 * characters are decoded (/%7Ejoe is /~joe), other escapes get upper-case
 * hex (%2f is %2F and stays distinct from '/'), and bytes outside printable
 * ASCII (UTF-8 in a robots.txt, say) are percent-encoded.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawler_int.h"

#define ROBOTS_MAX_DELAY_MS (86400L * 1000)

struct rule {
    char *pat; /* normalised; a final '$' anchors */
    size_t len;
    int allow;
};

struct rules {
    struct rule *v;
    size_t n, cap;
    long delay_ms; /* -1 when no group said */
};

struct crawler_robots {
    struct rules rules;
};

static int is_unreserved(int c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void put_escape(struct buf *out, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    char e[3] = { '%', hex[c >> 4], hex[c & 15] };

    buf_append(out, e, 3);
}

/* Append the normal form of s[0..n) to 'out' (see the top of the file). */
static void normalise(struct buf *out, const char *s, size_t n)
{
    size_t i;

    buf_grow(out, n);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            unsigned char v = (unsigned char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));

            if (is_unreserved(v))
                buf_putc(out, (char)v);
            else
                put_escape(out, v);
            i += 2;
        } else if (c <= 0x20 || c >= 0x7f) {
            put_escape(out, c);
        } else {
            buf_putc(out, (char)c);
        }
    }
}

/*
 * 1 if 'pat' matches a prefix of s (all of s when 'pat' ends in '$').  '*'
 * matches any run of octets.  Backtracks only to the last '*', so the cost
 * is at most plen * slen steps.
 */
static int pattern_match(const char *pat, size_t plen, const char *s, size_t slen)
{
    int anchored = plen > 0 && pat[plen - 1] == '$';
    size_t p = 0, i = 0, star_p = SIZE_MAX, star_i = 0;

    if (anchored)
        plen--;
    for (;;) {
        if (p == plen) {
            if (!anchored || i == slen)
                return 1;
        } else if (pat[p] == '*') {
            star_p = p++;
            star_i = i;
            continue;
        } else if (i < slen && pat[p] == s[i]) {
            p++;
            i++;
            continue;
        }
        if (star_p == SIZE_MAX || star_i >= slen)
            return 0;
        p = star_p + 1;
        i = ++star_i;
    }
}

static void rules_add(struct rules *r, const char *val, size_t n, int allow)
{
    struct buf b = BUF_INIT;
    struct rule *ru;

    normalise(&b, val, n);
    NSC_GROW(r->v, r->cap, r->n + 1);
    ru = &r->v[r->n++];
    ru->len = b.len;
    ru->pat = buf_detach(&b, NULL);
    ru->allow = allow;
}

static void rules_release(struct rules *r)
{
    size_t i;

    for (i = 0; i < r->n; i++)
        free(r->v[i].pat);
    free(r->v);
    memset(r, 0, sizeof(*r));
}

/* Crawl-delay in ms from a value such as "10" or "0.5"; -1 when malformed. */
static long parse_delay(const char *val, size_t n)
{
    char tmp[32];
    char *end;
    double d;

    if (n == 0 || n >= sizeof(tmp))
        return -1;
    memcpy(tmp, val, n);
    tmp[n] = '\0';
    d = strtod(tmp, &end);
    if (end == tmp || *end != '\0' || !(d >= 0))
        return -1;
    if (d * 1000 > (double)ROBOTS_MAX_DELAY_MS)
        return ROBOTS_MAX_DELAY_MS;
    return (long)(d * 1000);
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/* 1 if the User-agent value names 'token': its product part (letters, '_'
 * and '-', up to the first other character) equals 'token' without case. */
static int names_token(const char *val, size_t n, const char *token)
{
    size_t k = 0;

    while (k < n && (isalpha((unsigned char)val[k]) || val[k] == '_' || val[k] == '-'))
        k++;
    return k > 0 && k == strlen(token) && nsc_strncasecmp(val, token, k) == 0;
}

static int key_is(const char *key, size_t n, const char *want)
{
    return n == strlen(want) && nsc_strncasecmp(key, want, n) == 0;
}

void crawler__robots_parse(struct crawler_robots **out, const char *txt, size_t len,
                           const char *token)
{
    struct crawler_robots *r = xcalloc(1, sizeof(*r));
    struct rules mine = { NULL, 0, 0, -1 }, star = { NULL, 0, 0, -1 };
    int saw_mine = 0, in_agents = 0, cur_mine = 0, cur_star = 0, started = 0;
    size_t pos = 0;

    if (len >= 3 && memcmp(txt, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *line = txt + pos, *key, *val, *colon;
        size_t n = 0, klen, vlen;

        while (pos + n < len && txt[pos + n] != '\n' && txt[pos + n] != '\r')
            n++;
        pos += n + 1;
        /* cut the comment, then trim */
        for (klen = 0; klen < n && line[klen] != '#'; klen++)
            ;
        n = klen;
        colon = memchr(line, ':', n);
        if (!colon)
            continue;
        key = line;
        klen = (size_t)(colon - line);
        while (klen > 0 && is_space(key[0]))
            key++, klen--;
        while (klen > 0 && is_space(key[klen - 1]))
            klen--;
        val = colon + 1;
        vlen = n - (size_t)(val - line);
        while (vlen > 0 && is_space(val[0]))
            val++, vlen--;
        while (vlen > 0 && is_space(val[vlen - 1]))
            vlen--;

        if (key_is(key, klen, "user-agent")) {
            if (!in_agents) {
                cur_mine = cur_star = 0;
                in_agents = 1;
                started = 1;
            }
            if (vlen == 1 && val[0] == '*') {
                cur_star = 1;
            } else if (names_token(val, vlen, token)) {
                cur_mine = 1;
                saw_mine = 1;
            }
            continue;
        }
        if (key_is(key, klen, "allow") || key_is(key, klen, "disallow")) {
            int allow = key_is(key, klen, "allow");

            in_agents = 0;
            if (!started || vlen == 0)
                continue;
            if (cur_mine)
                rules_add(&mine, val, vlen, allow);
            if (cur_star)
                rules_add(&star, val, vlen, allow);
        } else if (key_is(key, klen, "crawl-delay")) {
            long d = parse_delay(val, vlen);

            in_agents = 0;
            if (!started || d < 0)
                continue;
            if (cur_mine && d > mine.delay_ms)
                mine.delay_ms = d;
            if (cur_star && d > star.delay_ms)
                star.delay_ms = d;
        }
        /* Sitemap and unknown keys neither end a group nor join one. */
    }
    if (saw_mine) {
        r->rules = mine;
        rules_release(&star);
    } else {
        r->rules = star;
        rules_release(&mine);
    }
    *out = r;
}

int crawler__robots_allowed(const struct crawler_robots *r, const char *path)
{
    struct buf p = BUF_INIT;
    size_t i, best_len = 0;
    int matched = 0, allow = 1;

    normalise(&p, path, strlen(path));
    if (strcmp(buf_cstr(&p), "/robots.txt") == 0)
        goto out;
    for (i = 0; i < r->rules.n; i++) {
        const struct rule *ru = &r->rules.v[i];

        if (!pattern_match(ru->pat, ru->len, buf_cstr(&p), p.len))
            continue;
        if (!matched || ru->len > best_len || (ru->len == best_len && ru->allow)) {
            matched = 1;
            best_len = ru->len;
            allow = ru->allow;
        }
    }
out:
    buf_release(&p);
    return allow;
}

long crawler__robots_crawl_delay_ms(const struct crawler_robots *r)
{
    return r->rules.delay_ms > 0 ? r->rules.delay_ms : 0;
}

void crawler__robots_free(struct crawler_robots *r)
{
    if (!r)
        return;
    rules_release(&r->rules);
    free(r);
}
