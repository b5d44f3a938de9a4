/*
 * parse_index.c - proceedings pages: the year index (the list of papers of
 * one year or volume) and the abstract page of one paper.  All selectors
 * come from the site profile; this file only applies them.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "crawler_int.h"

/* The first era with an index (or abstract) part whose marker matches, in
 * *out (NULL for none); a marker that fails to evaluate is an error. */
static int find_era(const struct crawler__era **out, const struct crawler_profile *prof,
                    xmlDocPtr doc, int abstract)
{
    *out = NULL;
    for (size_t i = 0; i < prof->neras; i++) {
        const struct crawler__era *e = &prof->eras[i];
        int r;

        if (abstract ? !e->has_abstract : !e->has_index)
            continue;
        r = crawler__xp_match(abstract ? &e->page.marker : &e->index.marker, doc, NULL);
        if (r < 0)
            return r;
        if (r > 0) {
            *out = e;
            return 0;
        }
    }
    return 0;
}

/*
 * Split 'vals' into author names: on 'sep' when given, else one per value.
 * More than CRAWLER_MAX_AUTHORS is NSC_ELIMIT (a hostile page could
 * otherwise turn 16 MB of commas into millions of allocations).
 */
static int add_authors(struct crawler_paper *p, char **vals, size_t n, const char *sep,
                       const char *url)
{
    for (size_t i = 0; i < n; i++) {
        const char *s = vals[i];
        size_t sl = sep ? strlen(sep) : 0;

        while (s) {
            const char *e = sep ? strstr(s, sep) : NULL;
            char *raw = e ? xstrndup(s, (size_t)(e - s)) : xstrdup(s);
            char *name = crawler__text_clean(raw, 0);

            free(raw);
            if (name && p->nauthors >= CRAWLER_MAX_AUTHORS) {
                free(name);
                return nsc_error_set(NSC_ELIMIT, "'%s': paper '%s' has more than %d authors", url,
                                     p->id ? p->id : "?", CRAWLER_MAX_AUTHORS);
            }
            if (name)
                crawler__paper_add_author(p, name, NULL, NULL);
            free(name);
            s = e ? e + sl : NULL;
        }
    }
    return 0;
}

static void index_release_papers(struct crawler_year_index *ix)
{
    for (size_t i = 0; i < ix->npapers; i++)
        crawler_paper_release(&ix->papers[i]);
    free(ix->papers);
    ix->papers = NULL;
    ix->npapers = 0;
}

void crawler_year_index_release(struct crawler_year_index *ix)
{
    if (!ix)
        return;
    index_release_papers(ix);
    for (size_t i = 0; i < ix->nsee_also; i++)
        free(ix->see_also[i]);
    free(ix->see_also);
    free(ix->era);
    memset(ix, 0, sizeof(*ix));
}

/* Parse item 'k' of the index into a new paper appended to 'ix'. */
static int parse_item(struct crawler_year_index *ix, const struct crawler_profile *prof,
                      const struct crawler__era *era, const char *url, int year, xmlDocPtr doc,
                      xmlNodePtr item, size_t k)
{
    const struct crawler__index_sel *sel = &era->index;
    struct crawler_paper p = { 0 };
    char *link = NULL, *track = NULL, **authors = NULL;
    size_t nauthors = 0;
    int err;

    err = crawler__xp_string(&link, &sel->link, doc, item, 0);
    if (err < 0)
        goto out;
    if (!link) {
        err = nsc_error_set(NSC_EPARSE, "'%s': paper %zu (era '%s'): no link at '%s'", url, k + 1,
                            era->name, sel->link.src);
        goto out;
    }
    p.abstract_url = crawler__url_resolve(url, link);
    if (!p.abstract_url) {
        err = nsc_error_set(NSC_EPARSE, "'%s': paper %zu: cannot resolve link '%s'", url, k + 1,
                            link);
        goto out;
    }
    p.id = crawler__profile_id(prof, p.abstract_url);
    if (!p.id) {
        err = nsc_error_set(NSC_EPARSE, "'%s': paper %zu: no paper id in link '%s'", url, k + 1,
                            p.abstract_url);
        goto out;
    }
    p.year = year;
    err = crawler__xp_string(&p.title, &sel->title, doc, item, era->unescape_twice);
    if (err < 0)
        goto out;
    if (!p.title) {
        err = nsc_error_set(NSC_EPARSE, "'%s': paper %zu ('%s'): no title at '%s'", url, k + 1,
                            p.id, sel->title.src);
        goto out;
    }
    err = crawler__xp_strings(&authors, &nauthors, &sel->authors, doc, item, era->unescape_twice);
    if (err < 0)
        goto out;
    err = add_authors(&p, authors, nauthors, sel->authors_sep, url);
    if (err < 0)
        goto out;
    err = crawler__xp_string(&track, &sel->track, doc, item, 0);
    if (err < 0)
        goto out;
    crawler__set_str(&p.track, crawler__profile_track(prof, track));
    crawler_paper_set_source(&p, "id", url);
    crawler_paper_set_source(&p, "title", url);
    crawler_paper_set_source(&p, "authors", url);
    if (p.track)
        crawler_paper_set_source(&p, "track", url);
    ix->papers = xreallocarray(ix->papers, ix->npapers + 1, sizeof(*ix->papers));
    ix->papers[ix->npapers++] = p;
    memset(&p, 0, sizeof(p));
out:
    crawler_paper_release(&p);
    crawler__strv_free(authors);
    free(track);
    free(link);
    return err;
}

struct id_ref {
    const char *id;
    size_t idx;
};

static int id_ref_cmp(const void *a, const void *b)
{
    const struct id_ref *x = a, *y = b;
    int c = strcmp(x->id, y->id);

    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Drop the later copies of a paper listed twice on one page (first kept),
 * so a join by URL never sees two papers with one path.  O(n log n). */
static void drop_duplicate_ids(struct crawler_year_index *ix)
{
    struct id_ref *r = xcalloc(ix->npapers + 1, sizeof(*r));
    unsigned char *dup = xcalloc(ix->npapers + 1, 1);
    size_t k = 0;

    for (size_t i = 0; i < ix->npapers; i++)
        r[i] = (struct id_ref){ ix->papers[i].id, i };
    qsort(r, ix->npapers, sizeof(*r), id_ref_cmp);
    for (size_t i = 1; i < ix->npapers; i++)
        if (strcmp(r[i].id, r[i - 1].id) == 0)
            dup[r[i].idx] = 1;
    for (size_t i = 0; i < ix->npapers; i++) {
        if (dup[i]) {
            crawler_paper_release(&ix->papers[i]);
            ix->duplicates++;
            continue;
        }
        ix->papers[k++] = ix->papers[i];
    }
    ix->npapers = k;
    free(dup);
    free(r);
}

int crawler_parse_year_index(struct crawler_year_index *out, const struct crawler_profile *prof,
                             const char *url, int year, const char *html, size_t len)
{
    const struct crawler__era *era;
    xmlDocPtr doc = NULL;
    xmlNodePtr *items = NULL;
    char **see = NULL;
    size_t nitems = 0, nsee = 0;
    int err;

    memset(out, 0, sizeof(*out));
    /* the one page that lists the whole year gets the larger cap */
    err = crawler__html_parse(&doc, url, html, len, CRAWLER_MAX_INDEX);
    if (err < 0)
        return err;
    err = find_era(&era, prof, doc, 0);
    if (err < 0)
        goto out;
    if (!era) {
        err = nsc_error_set(NSC_ETEMPLATE,
                            "no papers found in %s: template not recognised "
                            "(no era of '%s' matches)",
                            url, prof->file);
        goto out;
    }
    err = crawler__xp_nodes(&items, &nitems, &era->index.item, doc, NULL);
    if (err < 0)
        goto out;
    for (size_t i = 0; i < nitems; i++) {
        err = parse_item(out, prof, era, url, year, doc, items[i], i);
        if (err < 0)
            goto out;
    }
    drop_duplicate_ids(out);
    if (out->npapers == 0) {
        err = nsc_error_set(NSC_ETEMPLATE,
                            "no papers found in %s: template not recognised "
                            "(era '%s' matched but '%s' selects no paper)",
                            url, era->name, era->index.item.src);
        goto out;
    }
    err = crawler__xp_strings(&see, &nsee, &era->index.see_also, doc, NULL, 0);
    if (err < 0)
        goto out;
    for (size_t i = 0; i < nsee; i++) {
        char *abs = crawler__url_resolve(url, see[i]);

        if (!abs || strcmp(abs, url) == 0) {
            free(abs);
            continue;
        }
        out->see_also = xreallocarray(out->see_also, out->nsee_also + 1, sizeof(char *));
        out->see_also[out->nsee_also++] = abs;
    }
    out->era = xstrdup(era->name);
out:
    if (err < 0)
        crawler_year_index_release(out);
    crawler__strv_free(see);
    free(items);
    crawler__html_free(doc);
    return err;
}

/* Resolve 'v' against 'url' into *slot and note the source, when v is set. */
static void take_url(struct crawler_paper *p, char **slot, const char *field, const char *url,
                     const char *v)
{
    char *abs = v ? crawler__url_resolve(url, v) : NULL;

    if (!abs)
        return;
    free(*slot);
    *slot = abs;
    crawler_paper_set_source(p, field, url);
}

static void take_str(struct crawler_paper *p, char **slot, const char *field, const char *url,
                     const char *v)
{
    if (!v)
        return;
    crawler__set_str(slot, v);
    crawler_paper_set_source(p, field, url);
}

int crawler_parse_abstract(struct crawler_paper *p, const struct crawler_profile *prof,
                           const char *url, const char *html, size_t len)
{
    const struct crawler__era *era;
    const struct crawler__page_sel *sel;
    xmlDocPtr doc = NULL;
    char *title = NULL, *track = NULL, *abstract = NULL, *pdf = NULL, *md = NULL, *doi = NULL;
    char *page_id = NULL;
    char **authors = NULL;
    size_t nauthors = 0;
    int err, twice;

    err = crawler__html_parse(&doc, url, html, len, CRAWLER_MAX_HTML);
    if (err < 0)
        return err;
    err = find_era(&era, prof, doc, 1);
    if (err < 0)
        goto out;
    if (!era) {
        err = nsc_error_set(NSC_ETEMPLATE,
                            "no paper found in %s: template not recognised "
                            "(no era of '%s' matches)",
                            url, prof->file);
        goto out;
    }
    page_id = crawler__profile_id(prof, url);
    if (p->id && page_id && strcmp(p->id, page_id) != 0) {
        /* never let one paper's page fill another paper's record */
        err = nsc_error_set(NSC_EINVAL, "'%s' is the page of paper '%s', not of '%s'", url, page_id,
                            p->id);
        goto out;
    }
    sel = &era->page;
    twice = era->unescape_twice;
    if ((err = crawler__xp_string(&title, &sel->title, doc, NULL, twice)) < 0 ||
        (err = crawler__xp_strings(&authors, &nauthors, &sel->authors, doc, NULL, twice)) < 0 ||
        (err = crawler__xp_string(&track, &sel->track, doc, NULL, 0)) < 0 ||
        (err = crawler__xp_string(&abstract, &sel->abstract, doc, NULL, 0)) < 0 ||
        (err = crawler__xp_string(&pdf, &sel->pdf, doc, NULL, 0)) < 0 ||
        (err = crawler__xp_string(&md, &sel->metadata, doc, NULL, 0)) < 0 ||
        (err = crawler__xp_string(&doi, &sel->doi, doc, NULL, 0)) < 0)
        goto out;
    if (!title) {
        err = nsc_error_set(NSC_ETEMPLATE, "no paper found in %s: era '%s' finds no title at '%s'",
                            url, era->name, sel->title.src);
        goto out;
    }
    if (nauthors > CRAWLER_MAX_AUTHORS) {
        err = nsc_error_set(NSC_ELIMIT, "'%s': more than %d authors", url, CRAWLER_MAX_AUTHORS);
        goto out;
    }
    /* Nothing can fail from here on, so 'p' changes only on success. */
    if (!p->abstract_url)
        p->abstract_url = xstrdup(url);
    if (!p->id && page_id) {
        p->id = page_id;
        page_id = NULL;
        crawler_paper_set_source(p, "id", url);
    }
    take_str(p, &p->title, "title", url, title);
    if (nauthors > 0) {
        int has_aff = 0;

        for (size_t i = 0; i < p->nauthors; i++)
            has_aff |= p->authors[i].affiliation != NULL;
        if (!has_aff) {
            crawler__paper_clear_authors(p);
            add_authors(p, authors, nauthors, NULL, url); /* cannot fail: counted above */
            crawler_paper_set_source(p, "authors", url);
        }
    }
    if (!p->track) /* the index's slug is authoritative; the badge is a fallback */
        take_str(p, &p->track, "track", url, crawler__profile_track(prof, track));
    take_str(p, &p->abstract, "abstract", url, abstract);
    take_url(p, &p->pdf_url, "pdf_url", url, pdf);
    take_url(p, &p->metadata_url, "metadata_url", url, md);
    take_str(p, &p->doi, "doi", url, doi);
out:
    free(page_id);
    free(title);
    free(track);
    free(abstract);
    free(pdf);
    free(md);
    free(doi);
    crawler__strv_free(authors);
    crawler__html_free(doc);
    return err;
}
