/*
 * crawler_int.h - declarations shared between the crawler's own files.
 * Other components include only crawler.h.
 *
 * Two sections with two owners, as in crawler.h: "fetch" and "parse".
 */
#ifndef NSC_CRAWLER_INT_H
#define NSC_CRAWLER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "crawler.h"

/* ==== fetch ================================================================ */

/*
 * robots.c: a pure RFC 9309 parser and matcher (no I/O), so it can be unit
 * tested and fuzzed.
 *
 * crawler__robots_parse() keeps the groups that apply to 'token' (the
 * crawler's product token, compared without case), or the '*' groups when
 * none names it.  Parsing is lenient: unknown or malformed lines are
 * skipped, so it cannot fail; an empty text allows everything.  *out is the
 * caller's; free with crawler__robots_free().
 */
struct crawler_robots;

void crawler__robots_parse(struct crawler_robots **out, const char *txt, size_t len,
                           const char *token);

/* 1 if 'path' (the URL's path and query, percent-encoded, starting with
 * '/') may be fetched, 0 if not.  /robots.txt is always allowed. */
int crawler__robots_allowed(const struct crawler_robots *r, const char *path);

/* The Crawl-delay of the matched groups in milliseconds (the largest one
 * when several say), 0 when none. */
long crawler__robots_crawl_delay_ms(const struct crawler_robots *r);

/* NULL is a no-op. */
void crawler__robots_free(struct crawler_robots *r);

/*
 * Parse an HTTP Retry-After value, either delta seconds or an HTTP-date
 * (IMF-fixdate, RFC 850 or asctime), relative to 'now' (Unix seconds).
 * Returns the wait in seconds (>= 0), or -1 when the value is malformed.
 */
long crawler__retry_after_s(const char *value, int64_t now);

/* ==== end of fetch ========================================================= */

/* ==== parse ================================================================ */

/* ==== end of parse ========================================================= */

#endif
