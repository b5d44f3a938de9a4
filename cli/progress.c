/* progress.c - the crawl's progress: a one-line bar on a TTY, log lines otherwise. */
#include "pipeline.h"

#include "common.h"

#include <stdio.h>
#include <unistd.h>

#define BAR_INTERVAL_MS 250
#define LOG_INTERVAL_MS 5000
#define BAR_WIDTH       24

void progress_init(struct progress *pg, int mode)
{
    pg->tty = mode < 0 ? isatty(STDERR_FILENO) : mode;
    pg->start_ms = nsc_now_ms();
    pg->last_ms = 0;
    pg->last_done = 0;
    pg->drawn = 0;
}

/* Format an ETA of 's' seconds as "1h02m", "3m05s" or "12s". */
static void format_eta(char *out, size_t n, uint64_t s)
{
    if (s >= 3600)
        snprintf(out, n, "%luh%02lum", (unsigned long)(s / 3600), (unsigned long)(s % 3600 / 60));
    else if (s >= 60)
        snprintf(out, n, "%lum%02lus", (unsigned long)(s / 60), (unsigned long)(s % 60));
    else
        snprintf(out, n, "%lus", (unsigned long)s);
}

void progress_update(struct progress *pg, size_t found, size_t done, size_t failed, int force)
{
    uint64_t now = nsc_now_ms();
    uint64_t elapsed = now - pg->start_ms;
    char eta[32] = "?";

    if (!force && pg->last_ms && now - pg->last_ms < (pg->tty ? BAR_INTERVAL_MS : LOG_INTERVAL_MS))
        return;
    /* Without a paper done there is nothing to estimate from. */
    if (done > 0) {
        size_t left = found > done + failed ? found - done - failed : 0;

        format_eta(eta, sizeof(eta), elapsed * left / done / 1000);
    }
    if (pg->tty) {
        char bar[BAR_WIDTH + 1];
        size_t fill = found ? (done + failed) * BAR_WIDTH / found : 0;

        for (size_t i = 0; i < BAR_WIDTH; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[BAR_WIDTH] = '\0';
        fprintf(stderr, "\r\033[K[%s] %zu found, %zu fetched, %zu failed, ETA %s", bar, found, done,
                failed, eta);
        fflush(stderr);
        pg->drawn = 1;
    } else {
        log_notice("crawl: %zu papers found, %zu fetched, %zu failed, ETA %s", found, done, failed,
                   eta);
    }
    pg->last_ms = now;
    pg->last_done = done;
}

void progress_end(struct progress *pg)
{
    if (pg->drawn) {
        fputc('\n', stderr);
        pg->drawn = 0;
    }
}
