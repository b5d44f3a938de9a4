/*
 * parse_bench - the nipscope side of the parse benchmark (bench/run).
 *
 *   parse_bench MODE PROFILE YEAR INDEX_FILE LIST_FILE [ROUNDS]
 *
 * LIST_FILE names one saved abstract page a line; the page's URL is taken as
 * http://127.0.0.1/paper_files/paper/YEAR/hash/<file's base name>.  MODE:
 *   read   read every file into memory once (the I/O floor)
 *   gumbo  read and tokenise/tree-build with gumbo only (no extraction)
 *   parse  crawler_parse_year_index() on INDEX_FILE and crawler_parse_abstract()
 *          on every page: title, authors, track, abstract, pdf link
 * Prints one JSON line: mode, pages, bytes, seconds (best of ROUNDS, wall
 * clock, files already read into memory for gumbo/parse), papers, authors.
 */
#include <gumbo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "crawler.h"

struct page {
    char *path;
    char *url;
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

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: parse_bench read|gumbo|parse PROFILE YEAR INDEX LIST [ROUNDS]\n");
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
        const char *base = strrchr(line, '/');
        base = base ? base + 1 : line;
        size_t ul = strlen(base) + 64;
        pages[npages].path = strdup(line);
        pages[npages].url = malloc(ul);
        /* out of memory in main(): the process ends here and the OS takes the pages back */
        if (!pages[npages].path || !pages[npages].url)
            return 1; /* NOLINT(clang-analyzer-unix.Malloc) */
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
    if (strcmp(mode, "parse") == 0 && crawler_profile_load(&prof, argv[2]) != 0) {
        fprintf(stderr, "parse_bench: cannot load %s\n", argv[2]);
        return 1;
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
            if (strcmp(mode, "gumbo") == 0) {
                GumboOutput *o = gumbo_parse_with_options(&kGumboDefaultOptions, ix, ixlen);
                gumbo_destroy_output(&kGumboDefaultOptions, o);
                for (size_t i = 0; i < npages; i++) {
                    o = gumbo_parse_with_options(&kGumboDefaultOptions, pages[i].data,
                                                 pages[i].len);
                    gumbo_destroy_output(&kGumboDefaultOptions, o);
                }
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
