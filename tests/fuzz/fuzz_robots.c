/*
 * fuzz_robots.c - libFuzzer target for the robots.txt parser and matcher.
 * The first line of the input is the path to match, the rest the file.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawler_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *txt = (const char *)data;
    const uint8_t *nl = memchr(data, '\n', size);
    size_t plen = nl ? (size_t)(nl - data) : 0;
    struct crawler_robots *r;
    char *path;

    if (size > (size_t)256 * 1024)
        return 0;
    path = xmalloc(plen + 2);
    path[0] = '/';
    memcpy(path + 1, txt, plen);
    path[plen + 1] = '\0';
    crawler__robots_parse(&r, txt + (nl ? plen + 1 : 0), size - (nl ? plen + 1 : 0), "nipscope");
    (void)crawler__robots_allowed(r, path);
    (void)crawler__robots_allowed(r, "/");
    (void)crawler__robots_crawl_delay_ms(r);
    crawler__robots_free(r);
    free(path);
    return 0;
}
