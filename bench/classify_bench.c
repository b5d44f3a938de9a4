/*
 * classify_bench.c - classifier throughput: load a rule set, classify every
 * line of a text file (one affiliation per line, optionally "\t" + email
 * domain) several times on one core, and print affiliations/s, load time and
 * peak RSS.  Build: cmake --build BUILD --target classify_bench.
 * Run: classify_bench RULES_DIR AFFILIATIONS.txt [ROUNDS]
 */
#include "classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* CPU time of this process in ms: fairer than wall time on a busy machine. */
static double cpu_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long peak_rss_kb(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
    struct classify_rules *rules = NULL;
    struct classify_result res = CLASSIFY_RESULT_INIT;
    struct buf text = BUF_INIT;
    char **lines = NULL, **doms = NULL;
    size_t n = 0, cap = 0, decided = 0;
    int rounds = argc > 3 ? atoi(argv[3]) : 5;
    uint64_t t0, t1;
    double c0, c1;
    int err;

    if (argc < 3) {
        fprintf(stderr, "usage: classify_bench RULES_DIR AFFILIATIONS.txt [ROUNDS]\n");
        return 64;
    }
    t0 = nsc_now_ms();
    c0 = cpu_ms();
    err = classify_rules_load(&rules, argv[1], NULL);
    c1 = cpu_ms();
    t1 = nsc_now_ms();
    if (err < 0) {
        fprintf(stderr, "classify_bench: %s\n", nsc_error_last());
        return 1;
    }
    printf("rules %s: loaded in %llu ms wall, %.0f ms CPU; peak RSS %ld KiB after load\n", argv[1],
           (unsigned long long)(t1 - t0), c1 - c0, peak_rss_kb());
    err = nsc_file_read(&text, argv[2], (size_t)1 << 30);
    if (err < 0) {
        fprintf(stderr, "classify_bench: %s\n", nsc_error_last());
        return 1;
    }
    for (char *p = text.ptr, *e; p && *p; p = e + 1) {
        e = strchr(p, '\n');
        if (!e)
            e = p + strlen(p);
        NSC_GROW(lines, cap, n + 1);
        doms = xreallocarray(doms, cap, sizeof(*doms));
        lines[n] = p;
        doms[n] = NULL;
        char *tab = memchr(p, '\t', (size_t)(e - p));
        if (tab) {
            *tab = '\0';
            doms[n] = tab + 1;
        }
        n++;
        if (!*e)
            break;
        *e = '\0';
    }
    t0 = nsc_now_ms();
    c0 = cpu_ms();
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < n; i++) {
            if (classify_run(rules, NULL, lines[i], strlen(lines[i]), doms[i], &res) == 0 &&
                r == 0) {
                const struct classify_affiliation *a = classify_result_primary(&res);
                decided += a && a->country[0];
            }
        }
    }
    c1 = cpu_ms();
    t1 = nsc_now_ms();
    printf("%zu affiliations x %d rounds in %llu ms wall, %.0f ms CPU: %.0f affiliations/s "
           "(CPU), %.0f/s (wall); %zu decided; peak RSS %ld KiB\n",
           n, rounds, (unsigned long long)(t1 - t0), c1 - c0,
           (double)n * rounds * 1000.0 / (c1 > c0 ? c1 - c0 : 1.0),
           (double)n * rounds * 1000.0 / (double)(t1 > t0 ? t1 - t0 : 1), decided, peak_rss_kb());
    classify_result_release(&res);
    classify_rules_free(rules);
    buf_release(&text);
    free(lines);
    free(doms);
    return 0;
}
