/*
 * fuzz_feed.c - libFuzzer target: any bytes as a virtual-site feed, its
 * fields named by the real profile; when it parses, join it to a small
 * fixed set of papers.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crawler.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct crawler_profile *prof;
    struct crawler_paper papers[2];
    struct crawler_join_stats st;
    struct crawler_feed f;

    if (!prof && crawler_profile_load(&prof, NSC_SOURCE_DIR "/rules/sites/neurips.yaml") < 0)
        abort();
    if (crawler_parse_feed(&f, prof, "fuzz://feed", (const char *)data, size, (size_t)1 << 20) < 0)
        return 0;
    memset(papers, 0, sizeof(papers));
    for (int i = 0; i < 2; i++) {
        papers[i].title = xstrdup(i ? "Paper Two" : "Paper One");
        papers[i].abstract_url = xstrdup(i ? "http://h/p/2-Abstract.html" : "/p/1-Abstract.html");
        papers[i].authors = xcalloc(2, sizeof(*papers[i].authors));
        papers[i].authors[0].name = xstrdup("A B");
        papers[i].authors[1].name = xstrdup("C D");
        papers[i].nauthors = 2;
    }
    crawler_join_feed(&st, papers, 2, &f);
    crawler_paper_release(&papers[0]);
    crawler_paper_release(&papers[1]);
    crawler_feed_release(&f);
    return 0;
}
