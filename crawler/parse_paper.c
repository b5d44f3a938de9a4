/*
 * parse_paper.c - the paper record: its lifecycle and the bookkeeping of
 * which document gave which field.
 */
#include <stdlib.h>
#include <string.h>

#include "crawler_int.h"

void crawler__set_str(char **slot, const char *v)
{
    char *old = *slot;

    *slot = v ? xstrdup(v) : NULL;
    free(old);
}

void crawler__paper_clear_authors(struct crawler_paper *p)
{
    for (size_t i = 0; i < p->nauthors; i++) {
        free(p->authors[i].name);
        free(p->authors[i].affiliation);
    }
    free(p->authors);
    p->authors = NULL;
    p->nauthors = 0;
}

void crawler__paper_add_author(struct crawler_paper *p, const char *name, const char *aff,
                               const char *aff_source)
{
    struct crawler_author *a;

    p->authors = xreallocarray(p->authors, p->nauthors + 1, sizeof(*p->authors));
    a = &p->authors[p->nauthors++];
    a->name = xstrdup(name ? name : "");
    a->affiliation = aff ? xstrdup(aff) : NULL;
    a->aff_source = aff ? aff_source : NULL;
}

void crawler_paper_set_source(struct crawler_paper *p, const char *field, const char *url)
{
    for (size_t i = 0; i < p->nsources; i++) {
        if (strcmp(p->sources[i].field, field) == 0) {
            crawler__set_str(&p->sources[i].url, url ? url : "");
            return;
        }
    }
    p->sources = xreallocarray(p->sources, p->nsources + 1, sizeof(*p->sources));
    p->sources[p->nsources].field = xstrdup(field);
    p->sources[p->nsources].url = xstrdup(url ? url : "");
    p->nsources++;
}

const char *crawler_paper_source(const struct crawler_paper *p, const char *field)
{
    for (size_t i = 0; i < p->nsources; i++)
        if (strcmp(p->sources[i].field, field) == 0)
            return p->sources[i].url;
    return NULL;
}

void crawler_paper_release(struct crawler_paper *p)
{
    if (!p)
        return;
    free(p->id);
    free(p->track);
    free(p->title);
    free(p->abstract);
    free(p->abstract_url);
    free(p->pdf_url);
    free(p->metadata_url);
    free(p->doi);
    crawler__paper_clear_authors(p);
    for (size_t i = 0; i < p->nsources; i++) {
        free(p->sources[i].field);
        free(p->sources[i].url);
    }
    free(p->sources);
    memset(p, 0, sizeof(*p));
}

void crawler_paper_free(struct crawler_paper *p)
{
    if (!p)
        return;
    crawler_paper_release(p);
    free(p);
}
