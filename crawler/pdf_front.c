/*
 * pdf_front.c - reading a paper's extracted text: the author block of its
 * first page (names, numbered affiliations, grouped emails) and the split
 * into front matter, body and references.  Pure text in, strings out: no
 * PDF library here, so the fuzzer (tests/fuzz/fuzz_pdf_affil.c) reaches all
 * of it.
 */
#include "crawler.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_AFFS   64  /* numbered affiliations on one page */
#define MAX_LINES  400 /* lines of the first page read */
#define MAX_EMAILS 512

struct line {
    const char *s;
    size_t n;
};

static int is_blank(const struct line *l)
{
    for (size_t i = 0; i < l->n; i++) {
        if (!isspace((unsigned char)l->s[i]))
            return 0;
    }
    return 1;
}

static void trim(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* Whether the trimmed line equals 'word', ignoring case. */
static int line_is(const char *s, size_t n, const char *word)
{
    trim(&s, &n);
    return n == strlen(word) && strncasecmp(s, word, n) == 0;
}

/* ---- splitting the text into parts -------------------------------------- */

/* "1 Introduction", "1. Introduction", "Introduction" (a first section). */
static int first_heading(const char *s, size_t n)
{
    trim(&s, &n);
    if (n && s[0] == '1') {
        s++;
        n--;
        if (n && *s == '.') {
            s++;
            n--;
        }
        if (!n || !isspace((unsigned char)*s))
            return 0;
        trim(&s, &n);
        return n >= 4 && n <= 60 && isupper((unsigned char)s[0]);
    }
    return line_is(s, n, "Introduction");
}

static int has_sub(const char *s, size_t n, const char *w)
{
    size_t m = strlen(w);

    for (size_t i = 0; i + m <= n; i++) {
        if (!memcmp(s + i, w, m))
            return 1;
    }
    return 0;
}

/* "A Proofs", "A. Proofs", "Appendix...", "NeurIPS Paper Checklist". */
static int appendix_heading(const char *s, size_t n)
{
    trim(&s, &n);
    if (n >= 8 && strncasecmp(s, "Appendix", 8) == 0)
        return 1;
    if (n >= 7 && strncmp(s, "NeurIPS", 7) == 0 && n <= 40 && has_sub(s, n, "Checklist"))
        return 1;
    if (n >= 4 && n <= 60 && s[0] >= 'A' && s[0] <= 'Z' &&
        (s[1] == ' ' || (s[1] == '.' && s[2] == ' '))) {
        const char *t = s + (s[1] == ' ' ? 2 : 3);
        /* "A Proofs", not "A. Smith, B. Jones. Title..." (a reference). */
        return isupper((unsigned char)*t) && !memchr(s, ',', n) && !memchr(s, '.', n - 1) &&
               s[n - 1] != '.';
    }
    return 0;
}

void crawler_pdf_split(struct crawler_pdf_parts *out, const char *text, size_t len)
{
    size_t pos = 0, abstract_end = (size_t)-1, second_page = (size_t)-1, refs = (size_t)-1;

    out->body = (size_t)-1;
    out->len = len;
    /* Pass 1: the body start and the last references heading. */
    while (pos < len) {
        const char *e = memchr(text + pos, '\n', len - pos);
        size_t end = e ? (size_t)(e - text) : len;
        const char *s = text + pos;
        size_t n = end - pos;
        const char *ff = memchr(s, '\f', n);

        if (ff && second_page == (size_t)-1)
            second_page = (size_t)(ff - text) + 1;
        if (ff) { /* a page break inside a line: the line starts after it */
            n -= (size_t)(ff - s) + 1;
            s = ff + 1;
        }
        if (abstract_end == (size_t)-1 && line_is(s, n, "Abstract"))
            abstract_end = end;
        else if (out->body == (size_t)-1 && abstract_end != (size_t)-1 && first_heading(s, n))
            out->body = (size_t)(s - text);
        if (line_is(s, n, "References") || line_is(s, n, "Bibliography"))
            refs = (size_t)(s - text);
        pos = end + 1;
    }
    if (out->body == (size_t)-1)
        out->body = second_page != (size_t)-1 ? second_page : 0;
    if (refs == (size_t)-1 || refs < out->body) {
        out->refs = out->appendix = len;
        return;
    }
    out->refs = refs;
    out->appendix = len;
    /* Pass 2: the first appendix heading after the references heading. */
    pos = refs;
    pos = memchr(text + pos, '\n', len - pos)
              ? (size_t)((const char *)memchr(text + pos, '\n', len - pos) - text) + 1
              : len;
    while (pos < len) {
        const char *e = memchr(text + pos, '\n', len - pos);
        size_t end = e ? (size_t)(e - text) : len;
        const char *s = text + pos;
        size_t n = end - pos;
        const char *ff = memchr(s, '\f', n);

        if (ff) {
            n -= (size_t)(ff - s) + 1;
            s = ff + 1;
        }
        if (appendix_heading(s, n)) {
            out->appendix = (size_t)(s - text);
            return;
        }
        pos = end + 1;
    }
}

void crawler_pdf_running_text(struct buf *out, const char *text, size_t from, size_t to)
{
    size_t pos = from;

    while (pos < to) {
        const char *e = memchr(text + pos, '\n', to - pos);
        size_t end = e ? (size_t)(e - text) : to;
        const char *s = text + pos;
        size_t n = end - pos, k;
        int digits = 1;

        /* The page break itself. */
        while (n && *s == '\f') {
            s++;
            n--;
        }
        trim(&s, &n);
        for (k = 0; k < n; k++)
            digits &= isdigit((unsigned char)s[k]) != 0;
        if (n && !(digits && n <= 4)) {
            if (out->len && out->ptr[out->len - 1] != ' ')
                buf_putc(out, ' ');
            for (k = 0; k < n; k++) {
                if (s[k] == '\f')
                    buf_putc(out, ' ');
                else
                    buf_putc(out, s[k]);
            }
        }
        pos = end + 1;
    }
}

/* ---- the author block --------------------------------------------------- */

struct affil {
    int num;
    struct buf text;
};

struct pauthor {
    struct buf name;
    int nums[8];
    size_t nnums;
};

/* A numbered affiliation line: "1Tsinghua University", "12 MIT". */
static int affil_number(const char *s, size_t n, size_t *skip)
{
    size_t i = 0;
    int v = 0;

    while (i < n && i < 2 && isdigit((unsigned char)s[i]))
        v = v * 10 + (s[i++] - '0');
    if (i == 0 || i >= n || isdigit((unsigned char)s[i]))
        return -1;
    while (i < n && s[i] == ' ')
        i++;
    /* A letter (or a UTF-8 lead byte) must follow: "1 Introduction"-like
     * headings never reach here (the block ends at "Abstract"). */
    if (i >= n || !(isalpha((unsigned char)s[i]) || (unsigned char)s[i] >= 0xC0))
        return -1;
    *skip = i;
    return v;
}

static void add_author(struct pauthor **as, size_t *n, size_t *cap, struct buf *name,
                       const int *nums, size_t nnums)
{
    const char *s = buf_cstr(name);
    size_t len = name->len;

    trim(&s, &len);
    /* A separator word left at either end. */
    if (len >= 4 && strncmp(s, "and ", 4) == 0) {
        s += 4;
        len -= 4;
        trim(&s, &len);
    }
    if (len == 0 || len > 200) {
        buf_reset(name);
        return;
    }
    NSC_GROW(*as, *cap, *n + 1);
    memset(&(*as)[*n], 0, sizeof(**as));
    buf_append(&(*as)[*n].name, s, len);
    memcpy((*as)[*n].nums, nums, nnums * sizeof(*nums));
    (*as)[*n].nnums = nnums;
    (*n)++;
    buf_reset(name);
}

/* A line of names: a letter directly followed by a digit (an affiliation
 * number) somewhere, or a comma at its end. */
static int names_like(const struct line *l)
{
    const char *s = l->s;
    size_t n = l->n;

    trim(&s, &n);
    if (n && s[n - 1] == ',')
        return 1;
    for (size_t i = 1; i < n; i++) {
        size_t j = i;

        if (!isdigit((unsigned char)s[i]))
            continue;
        if (isalpha((unsigned char)s[i - 1]) || (unsigned char)s[i - 1] >= 0x80)
            return 1;
        /* "Lee 1," or "Lee 2*": a spaced number that ends a name. */
        while (j < n && isdigit((unsigned char)s[j]))
            j++;
        if (i >= 2 && s[i - 1] == ' ' && isalpha((unsigned char)s[i - 2]) &&
            (j == n || s[j] == ',' || s[j] == '*' || (unsigned char)s[j] >= 0x80))
            return 1;
    }
    return 0;
}

/* A line that is only affiliation numbers: "6", "1,2". */
static int number_line(const struct line *l)
{
    const char *s = l->s;
    size_t n = l->n;

    trim(&s, &n);
    if (!n || n > 12)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]) && s[i] != ',' && s[i] != '*')
            return 0;
    }
    return isdigit((unsigned char)s[0]);
}

/* Footnote marks that may follow a name: '*', and the UTF-8 of dagger,
 * double dagger, asterisk operator and section sign. */
static size_t mark_len(const char *s, size_t n)
{
    static const char *const marks[] = { "*", "\xe2\x80\xa0", "\xe2\x80\xa1", "\xe2\x88\x97",
                                         "\xc2\xa7" };

    for (size_t k = 0; k < NSC_ARRAY_SIZE(marks); k++) {
        size_t m = strlen(marks[k]);

        if (n >= m && memcmp(s, marks[k], m) == 0)
            return m;
    }
    return 0;
}

/* Whether the digits at s[i] belong to the name ("xdd44" in 'Chenyue
 * "xdd44" Dai'): affiliation numbers (with commas between them) are
 * followed by a separator, a mark or the end. */
static int digits_in_name(const char *s, size_t i, size_t len)
{
    while (i < len && (isdigit((unsigned char)s[i]) ||
                       (s[i] == ',' && i + 1 < len && isdigit((unsigned char)s[i + 1]))))
        i++;
    return i < len && !(s[i] == ',' || s[i] == ';' || isspace((unsigned char)s[i]) ||
                        mark_len(s + i, len - i) > 0);
}

/*
 * Names with their numbers: "Ann Lee1,2, Bo Li2 and Cy Wu".  A run of
 * digits (with commas between digits) after a name is its numbers; a comma
 * not followed by a digit, or the word "and", ends a name.
 */
static int parse_names(struct pauthor **as, size_t *n, const char *s, size_t len)
{
    size_t cap = 0, i = 0;
    struct buf name = BUF_INIT;
    int nums[8];
    size_t nnums = 0;
    int err = 0;

    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t m;

        if (isdigit(c) && !digits_in_name(s, i, len)) {
            int v = 0;

            while (i < len && isdigit((unsigned char)s[i])) {
                v = v * 10 + (s[i] - '0');
                if (v > 999)
                    v = 999;
                i++;
            }
            if (nnums < NSC_ARRAY_SIZE(nums))
                nums[nnums++] = v;
            /* "1,2": a comma between numbers belongs to them. */
            if (i + 1 < len && s[i] == ',' && isdigit((unsigned char)s[i + 1])) {
                i++;
                continue;
            }
            /* The numbers close the name. */
            add_author(as, n, &cap, &name, nums, nnums);
            nnums = 0;
            continue;
        }
        if ((m = mark_len(s + i, len - i)) > 0) {
            i += m;
            continue;
        }
        if (c == ',' || c == ';') {
            add_author(as, n, &cap, &name, nums, nnums);
            nnums = 0;
            i++;
            continue;
        }
        if (c == ' ' && i + 5 <= len && strncmp(s + i, " and ", 5) == 0) {
            add_author(as, n, &cap, &name, nums, nnums);
            nnums = 0;
            i += 4;
            continue;
        }
        if (name.len == 0 && isspace(c)) {
            i++;
            continue;
        }
        buf_putc(&name, isspace(c) ? ' ' : (char)c);
        i++;
        if (*n > CRAWLER_MAX_AUTHORS) {
            err = nsc_error_set(NSC_ELIMIT, "more than %d names in the author block",
                                CRAWLER_MAX_AUTHORS);
            break;
        }
    }
    if (!err)
        add_author(as, n, &cap, &name, nums, nnums);
    buf_release(&name);
    return err;
}

struct email {
    char *local, *domain;
};

/* Emails in 's': "{a,b}@x.edu", "a@x.edu", separated by anything else. */
static void parse_emails(struct email *em, size_t *n, const char *s, size_t len)
{
    size_t i = 0;

    while (i < len && *n < MAX_EMAILS) {
        const char *at = memchr(s + i, '@', len - i);
        size_t a, d, lstart, lend;

        if (!at)
            break;
        a = (size_t)(at - s);
        /* The domain: letters, digits, '.', '-' after the '@'. */
        d = a + 1;
        while (d < len && (isalnum((unsigned char)s[d]) || s[d] == '.' || s[d] == '-'))
            d++;
        while (d > a + 1 && s[d - 1] == '.')
            d--;
        lend = a;
        if (lend > i && s[lend - 1] == '}') {
            /* A group: back to its '{'. */
            size_t b = lend - 1;

            while (b > i && s[b] != '{')
                b--;
            if (s[b] == '{' && d > a + 1) {
                size_t p = b + 1;

                while (p < lend - 1 && *n < MAX_EMAILS) {
                    size_t q = p;

                    while (q < lend - 1 && s[q] != ',' && s[q] != '|')
                        q++;
                    lstart = p;
                    {
                        const char *ls = s + lstart;
                        size_t ln = q - lstart;

                        trim(&ls, &ln);
                        if (ln) {
                            em[*n].local = xstrndup(ls, ln);
                            em[*n].domain = xstrndup(s + a + 1, d - a - 1);
                            (*n)++;
                        }
                    }
                    p = q + 1;
                }
            }
        } else {
            lstart = lend;
            while (lstart > i &&
                   (isalnum((unsigned char)s[lstart - 1]) || s[lstart - 1] == '.' ||
                    s[lstart - 1] == '_' || s[lstart - 1] == '-' || s[lstart - 1] == '+'))
                lstart--;
            if (lstart < lend && d > a + 1) {
                em[*n].local = xstrndup(s + lstart, lend - lstart);
                em[*n].domain = xstrndup(s + a + 1, d - a - 1);
                (*n)++;
            }
        }
        i = d > a ? d : a + 1;
    }
    for (size_t k = 0; k < *n; k++) {
        for (char *p = em[k].domain; *p; p++)
            *p = (char)tolower((unsigned char)*p);
    }
}

/* Only the letters and digits of 's', folded (crawler_normalise_key). */
static char *squash(const char *s)
{
    char *k = crawler_normalise_key(s), *w = k;

    for (const char *r = k; *r; r++) {
        if (*r != ' ')
            *w++ = (char)tolower((unsigned char)*r);
    }
    *w = '\0';
    return k;
}

/* How well local part 'local' spells the name 'name': 3 all of it, 2 the
 * first and last words, 1 the last word, 0 not. */
static int spell_score(const char *local, const char *name)
{
    char *l = squash(local), *full = squash(name), *key = crawler_normalise_key(name);
    char *last = strrchr(key, ' '), *first;
    int score = 0;

    first = key;
    if (last)
        *last++ = '\0';
    else
        last = key;
    if (*l && !strcmp(l, full))
        score = 3;
    else if (*last && strstr(l, last) && (last == key || (*first && strstr(l, first))))
        score = 2;
    else if (*last && strlen(last) >= 3 && strstr(l, last))
        score = 1;
    free(l);
    free(full);
    free(key);
    return score;
}

int crawler_pdf_parse_front(struct crawler_pdf_front *out, const char *text, size_t len)
{
    struct line lines[MAX_LINES];
    size_t nl = 0, pos = 0, first_aff = (size_t)-1, name_start = 0;
    struct affil affs[MAX_AFFS];
    size_t naffs = 0;
    struct pauthor *as = NULL;
    size_t nas = 0;
    struct email *em = xcalloc(MAX_EMAILS, sizeof(*em));
    size_t nem = 0;
    struct buf names = BUF_INIT, mails = BUF_INIT;
    int err = 0;
    const char *ff = memchr(text, '\f', len);

    memset(out, 0, sizeof(*out));
    if (ff)
        len = (size_t)(ff - text);
    /* The first page's lines up to "Abstract". */
    while (pos < len && nl < MAX_LINES) {
        const char *e = memchr(text + pos, '\n', len - pos);
        size_t end = e ? (size_t)(e - text) : len;

        lines[nl].s = text + pos;
        lines[nl].n = end - pos;
        if (line_is(lines[nl].s, lines[nl].n, "Abstract"))
            break;
        nl++;
        pos = end + 1;
    }
    /* The first numbered affiliation line after a line of names (so a
     * title "3D Scenes ..." is not one). */
    for (size_t i = 0, seen = 0; i < nl; i++) {
        size_t skip;

        if (!seen) {
            seen = names_like(&lines[i]);
            continue;
        }
        if (affil_number(lines[i].s, lines[i].n, &skip) >= 0 &&
            !memchr(lines[i].s, '@', lines[i].n)) {
            first_aff = i;
            break;
        }
    }
    /* The names end where the affiliations (else the emails) begin; going
     * up from there, the nearest line is names, and so is every line above
     * it that carries an affiliation number or ends in a comma, so the
     * title (however many lines) is left out. */
    {
        size_t end = first_aff, i, first = (size_t)-1;

        if (end == (size_t)-1) {
            for (end = 0; end < nl && !memchr(lines[end].s, '@', lines[end].n); end++)
                ;
        }
        int below_number = 0; /* the line below is only a number */

        i = end;
        while (i > 0) {
            int number;

            i--;
            if (is_blank(&lines[i]))
                continue;
            number = number_line(&lines[i]);
            /* A superscript MuPDF set on a line of its own ("Ann Lee\n6")
             * belongs to the name above it. */
            if (first != (size_t)-1 && !names_like(&lines[i]) && !number && !below_number)
                break;
            below_number = number;
            first = i;
        }
        name_start = first == (size_t)-1 ? end : first;
        for (i = name_start; i < end; i++) {
            if (is_blank(&lines[i]))
                continue;
            if (names.len)
                buf_putc(&names, ' ');
            buf_append(&names, lines[i].s, lines[i].n);
        }
        if (first_aff == (size_t)-1)
            name_start = end;
    }
    for (size_t i = first_aff == (size_t)-1 ? name_start : first_aff; i < nl; i++) {
        const char *s = lines[i].s;
        size_t n = lines[i].n, skip = 0;
        int num;

        trim(&s, &n);
        if (!n)
            continue;
        if (memchr(s, '@', n)) {
            if (mails.len)
                buf_putc(&mails, ' ');
            buf_append(&mails, s, n);
            continue;
        }
        if (first_aff == (size_t)-1)
            continue;
        num = affil_number(s, n, &skip);
        if (num >= 0 && naffs < MAX_AFFS) {
            affs[naffs].num = num;
            buf_init(&affs[naffs].text);
            buf_append(&affs[naffs].text, s + skip, n - skip);
            naffs++;
        } else if (num < 0 && naffs && !mails.len) {
            /* A wrapped affiliation line. */
            buf_putc(&affs[naffs - 1].text, ' ');
            buf_append(&affs[naffs - 1].text, s, n);
        }
    }
    err = parse_names(&as, &nas, buf_cstr(&names), names.len);
    if (err < 0)
        goto out;
    parse_emails(em, &nem, buf_cstr(&mails), mails.len);

    out->authors = nas ? xcalloc(nas, sizeof(*out->authors)) : NULL;
    out->nauthors = nas;
    for (size_t i = 0; i < nas; i++) {
        struct buf aff = BUF_INIT;

        out->authors[i].name = xstrdup(buf_cstr(&as[i].name));
        for (size_t k = 0; k < as[i].nnums; k++) {
            for (size_t j = 0; j < naffs; j++) {
                if (affs[j].num != as[i].nums[k])
                    continue;
                if (aff.len)
                    buf_puts(&aff, "; ");
                buf_append(&aff, buf_cstr(&affs[j].text), affs[j].text.len);
                break;
            }
        }
        out->authors[i].affiliation = aff.len ? buf_detach(&aff, NULL) : NULL;
        buf_release(&aff);
    }
    /* Emails: the best unique spelling of a name, else by position. */
    {
        int matched = 0;

        for (size_t e = 0; e < nem; e++) {
            int best = 0, tie = 0;
            size_t who = 0;

            for (size_t i = 0; i < nas; i++) {
                int sc = out->authors[i].email ? 0 : spell_score(em[e].local, out->authors[i].name);

                if (sc > best) {
                    best = sc;
                    who = i;
                    tie = 0;
                } else if (sc && sc == best) {
                    tie = 1;
                }
            }
            if (best && !tie) {
                out->authors[who].email = xasprintf("%s@%s", em[e].local, em[e].domain);
                out->authors[who].email_domain = xstrdup(em[e].domain);
                matched++;
            }
        }
        if (!matched && nem == nas) {
            for (size_t i = 0; i < nas; i++) {
                out->authors[i].email = xasprintf("%s@%s", em[i].local, em[i].domain);
                out->authors[i].email_domain = xstrdup(em[i].domain);
            }
        }
    }
out:
    for (size_t i = 0; i < nas; i++)
        buf_release(&as[i].name);
    free(as);
    for (size_t j = 0; j < naffs; j++)
        buf_release(&affs[j].text);
    for (size_t e = 0; e < nem; e++) {
        free(em[e].local);
        free(em[e].domain);
    }
    free(em);
    buf_release(&names);
    buf_release(&mails);
    if (err < 0)
        crawler_pdf_front_release(out);
    return err;
}

void crawler_pdf_front_release(struct crawler_pdf_front *f)
{
    for (size_t i = 0; i < f->nauthors; i++) {
        free(f->authors[i].name);
        free(f->authors[i].affiliation);
        free(f->authors[i].email);
        free(f->authors[i].email_domain);
    }
    free(f->authors);
    memset(f, 0, sizeof(*f));
}
