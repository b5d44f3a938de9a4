/*
 * parse_bench - the nipscope side of the parse benchmark (bench/run).
 *
 *   parse_bench MODE PROFILE YEAR INDEX_FILE LIST_FILE [ROUNDS]
 *
 * LIST_FILE names one saved abstract page a line; the page's URL is taken as
 * http://127.0.0.1/paper_files/paper/YEAR/hash/<file's base name>.  MODE:
 *   read   read every file into memory once (the I/O floor)
 *   gumbo  read and tokenise/tree-build with gumbo only (no extraction), with
 *          the options nipscope uses (max_errors 0: no parse error recorded)
 *   gumbo-errors  the same with gumbo's default options (every error recorded)
 *   libxml2-html  libxml2's HTML parser alone (htmlReadMemory, recovering)
 *   parse  crawler_parse_year_index() on INDEX_FILE and crawler_parse_abstract()
 *          on every page: title, authors, track, abstract, pdf link
 *   dump   parse as 'parse' does, once, and print every extracted field (one
 *          JSON line a paper, index papers first) instead of the timing: two
 *          builds' extractions can then be diffed.  A LIST_FILE line may be
 *          "PATH<TAB>URL<TAB>index|abstract" to give a page's URL and kind;
 *          INDEX_FILE "-" parses no index.
 * Prints one JSON line: mode, pages, bytes, seconds (best of ROUNDS, wall
 * clock, files already read into memory for gumbo/parse), papers, authors.
 */
#include <gumbo.h>
#include <libxml/HTMLparser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "crawler.h"

struct page {
    char *path;
    char *url;
    int is_index; /* dump mode: a year index page, not an abstract page */
    char *data;
    size_t len;
};

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap + 1);
    size_t r;
    while (b && (r = fread(b + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(b, cap * 2 + 1);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (b) {
        b[n] = '\0';
        *len = n;
    }
    return b;
}

/* Print 's' as a JSON string (or null). */
static void put_json(const char *s)
{
    if (!s) {
        fputs("null", stdout);
        return;
    }
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

/* One JSON line with every field the parser extracted from 'p'. */
static void dump_paper(const char *page, const struct crawler_paper *p)
{
    const char *names[] = {
        "id", "track", "title", "abstract", "abs", "pdf", "metadata_url", "doi"
    };
    const char *vals[] = { p->id,           p->track,   p->title,        p->abstract,
                           p->abstract_url, p->pdf_url, p->metadata_url, p->doi };

    fputs("{\"page\": ", stdout);
    put_json(page);
    printf(", \"year\": %d", p->year);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        printf(", \"%s\": ", names[i]);
        put_json(vals[i]);
    }
    fputs(", \"authors\": [", stdout);
    for (size_t i = 0; i < p->nauthors; i++) {
        fputs(i ? ", " : "", stdout);
        put_json(p->authors[i].name);
    }
    fputs("]}\n", stdout);
}

/* dump mode: parse the index (unless "-") and every page once, print all. */
static int dump_all(const struct crawler_profile *prof, int year, const char *ixpath,
                    const struct page *pages, size_t npages)
{
    int rc = 0;

    for (size_t i = 0; i <= npages; i++) {
        char ixurl[128];
        const char *path = i == 0 ? ixpath : pages[i - 1].path;
        const char *url = ixurl;
        int is_index = i == 0 || pages[i - 1].is_index;
        size_t len = 0;
        char *data;

        if (i == 0 && strcmp(ixpath, "-") == 0)
            continue;
        snprintf(ixurl, sizeof ixurl, "http://127.0.0.1/paper_files/paper/%d", year);
        if (i > 0)
            url = pages[i - 1].url;
        data = slurp(path, &len);
        if (!data) {
            perror(path);
            return 1;
        }
        if (is_index) {
            struct crawler_year_index yi;

            if (crawler_parse_year_index(&yi, prof, url, year, data, len) != 0) {
                printf("{\"page\": \"%s\", \"error\": ", path);
                put_json(nsc_error_last());
                fputs("}\n", stdout);
                rc = 1;
            } else {
                for (size_t k = 0; k < yi.npapers; k++)
                    dump_paper(path, &yi.papers[k]);
                for (size_t k = 0; k < yi.nsee_also; k++) {
                    fputs("{\"see_also\": ", stdout);
                    put_json(yi.see_also[k]);
                    fputs("}\n", stdout);
                }
                printf("{\"page\": \"%s\", \"era\": \"%s\", \"duplicates\": %zu}\n", path,
                       yi.era ? yi.era : "", yi.duplicates);
                crawler_year_index_release(&yi);
            }
        } else {
            struct crawler_paper p;

            memset(&p, 0, sizeof p);
            if (crawler_parse_abstract(&p, prof, url, data, len) != 0) {
                printf("{\"page\": \"%s\", \"error\": ", path);
                put_json(nsc_error_last());
                fputs("}\n", stdout);
                rc = 1;
            } else {
                dump_paper(path, &p);
            }
            crawler_paper_release(&p);
        }
        free(data);
    }
    return rc;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(
            stderr,
            "usage: parse_bench read|gumbo|gumbo-errors|libxml2-html|parse|dump PROFILE YEAR INDEX LIST [ROUNDS]\n");
        return 2;
    }
    const char *mode = argv[1];
    int year = atoi(argv[3]);
    int rounds = argc > 6 ? atoi(argv[6]) : 1;
    if (rounds < 1)
        rounds = 1;
    FILE *lf = fopen(argv[5], "r");
    if (!lf) {
        perror(argv[5]);
        return 1;
    }
    struct page *pages = NULL;
    size_t npages = 0, cap = 0;
    char line[4096];
    while (fgets(line, sizeof line, lf)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        if (npages == cap) {
            cap = cap ? cap * 2 : 1024;
            struct page *np = realloc(pages, cap * sizeof *pages);
            if (!np)
                return 1;
            pages = np;
        }
        char *tab = strchr(line, '\t'), *kind = NULL;
        if (tab) {
            *tab++ = '\0';
            kind = strchr(tab, '\t');
            if (kind)
                *kind++ = '\0';
        }
        const char *base = strrchr(line, '/');
        base = base ? base + 1 : line;
        size_t ul = strlen(base) + 64;
        pages[npages].path = strdup(line);
        pages[npages].url = tab ? strdup(tab) : malloc(ul);
        pages[npages].is_index = kind && strcmp(kind, "index") == 0;
        /* out of memory in main(): the process ends here and the OS takes the pages back */
        if (!pages[npages].path || !pages[npages].url)
            return 1; /* NOLINT(clang-analyzer-unix.Malloc) */
        if (!tab)
            snprintf(pages[npages].url, ul, "http://127.0.0.1/paper_files/paper/%d/hash/%s", year,
                     base);
        pages[npages].data = NULL;
        pages[npages].len = 0;
        npages++;
    }
    fclose(lf);

    size_t ixlen = 0, bytes = 0, papers = 0, authors = 0;
    double best = -1;
    int rc = 0;
    struct crawler_profile *prof = NULL;
    if ((strcmp(mode, "parse") == 0 || strcmp(mode, "dump") == 0) &&
        crawler_profile_load(&prof, argv[2]) != 0) {
        fprintf(stderr, "parse_bench: cannot load %s\n", argv[2]);
        return 1;
    }
    if (strcmp(mode, "dump") == 0) {
        rc = dump_all(prof, year, argv[4], pages, npages);
        for (size_t i = 0; i < npages; i++) {
            free(pages[i].path);
            free(pages[i].url);
        }
        free(pages);
        crawler_profile_free(prof);
        return rc;
    }

    if (strcmp(mode, "read") == 0) {
        for (int r = 0; r < rounds; r++) {
            double t0 = now();
            bytes = 0;
            size_t len;
            char *ix = slurp(argv[4], &len);
            if (!ix)
                return 1;
            bytes += len;
            free(ix);
            for (size_t i = 0; i < npages; i++) {
                char *d = slurp(pages[i].path, &len);
                if (!d) {
                    perror(pages[i].path);
                    return 1;
                }
                bytes += len;
                free(d);
            }
            double t = now() - t0;
            if (best < 0 || t < best)
                best = t;
        }
    } else {
        char *ix = slurp(argv[4], &ixlen);
        if (!ix) {
            perror(argv[4]);
            return 1;
        }
        bytes = ixlen;
        for (size_t i = 0; i < npages; i++) {
            pages[i].data = slurp(pages[i].path, &pages[i].len);
            if (!pages[i].data) {
                perror(pages[i].path);
                return 1;
            }
            bytes += pages[i].len;
        }
        char ixurl[128];
        snprintf(ixurl, sizeof ixurl, "http://127.0.0.1/paper_files/paper/%d", year);
        for (int r = 0; r < rounds; r++) {
            papers = authors = 0;
            double t0 = now();
            if (strncmp(mode, "gumbo", 5) == 0) {
                GumboOptions opts = kGumboDefaultOptions;
                if (strcmp(mode, "gumbo") == 0)
                    opts.max_errors = 0; /* as crawler/html.c parses */
                GumboOutput *o = gumbo_parse_with_options(&opts, ix, ixlen);
                gumbo_destroy_output(&opts, o);
                for (size_t i = 0; i < npages; i++) {
                    o = gumbo_parse_with_options(&opts, pages[i].data, pages[i].len);
                    gumbo_destroy_output(&opts, o);
                }
            } else if (strcmp(mode, "libxml2-html") == 0) {
                int o = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                        HTML_PARSE_NONET | HTML_PARSE_COMPACT;
                xmlFreeDoc(htmlReadMemory(ix, (int)ixlen, ixurl, "UTF-8", o));
                for (size_t i = 0; i < npages; i++)
                    xmlFreeDoc(
                        htmlReadMemory(pages[i].data, (int)pages[i].len, pages[i].url, "UTF-8", o));
            } else {
                struct crawler_year_index yi;
                if (crawler_parse_year_index(&yi, prof, ixurl, year, ix, ixlen) != 0) {
                    fprintf(stderr, "parse_bench: index: %s\n", nsc_error_last());
                    return 1;
                }
                papers += yi.npapers;
                for (size_t k = 0; k < yi.npapers; k++)
                    authors += yi.papers[k].nauthors;
                crawler_year_index_release(&yi);
                for (size_t i = 0; i < npages; i++) {
                    struct crawler_paper p;
                    memset(&p, 0, sizeof p);
                    if (crawler_parse_abstract(&p, prof, pages[i].url, pages[i].data,
                                               pages[i].len) != 0) {
                        fprintf(stderr, "parse_bench: %s: %s\n", pages[i].path, nsc_error_last());
                        rc = 1;
                    } else if (p.title && p.pdf_url) {
                        papers++;
                        authors += p.nauthors;
                    }
                    crawler_paper_release(&p);
                }
            }
            double t = now() - t0;
            if (best < 0 || t < best)
                best = t;
        }
        free(ix);
    }
    printf("{\"mode\": \"%s\", \"pages\": %zu, \"bytes\": %zu, \"seconds\": %.6f, "
           "\"papers\": %zu, \"authors\": %zu}\n",
           mode, npages + 1, bytes, best, papers, authors);
    for (size_t i = 0; i < npages; i++) {
        free(pages[i].path);
        free(pages[i].url);
        free(pages[i].data);
    }
    free(pages);
    crawler_profile_free(prof);
    return rc;
}
