/* bloc.c - bloc membership and the "undecided" test for open affiliations. */
#include "classify.h"

#include <string.h>

int classify_bloc_has(const struct classify_bloc *b, const char *cc)
{
    for (size_t i = 0; cc && i < b->n_members; i++) {
        if (!strcmp(b->members[i], cc))
            return 1;
    }
    return 0;
}

void classify_open_add(struct classify_open *o, const char *kind, const char *cc)
{
    size_t i = 0;

    if (!cc || strlen(cc) != 2 || (kind && !strcmp(kind, "multinational")))
        return;
    while (i < o->n && strcmp(o->cc[i], cc))
        i++;
    if (i == o->n && o->n < CLASSIFY_OPEN_MAX)
        memcpy(o->cc[o->n++], cc, 3);
}

/* 1 if one of the candidates of 'o' is a member of 'b'. */
static int open_in_bloc(const struct classify_open *o, const struct classify_bloc *b)
{
    for (size_t i = 0; i < o->n; i++) {
        if (classify_bloc_has(b, o->cc[i]))
            return 1;
    }
    return 0;
}

int classify_blocs_undecided(const struct classify_bloc *b0, const struct classify_bloc *b1,
                             int need0, int need1, const struct classify_open *open, size_t n)
{
    for (size_t i = 0; (need0 || need1) && i < n; i++) {
        if (!need0 || !need1) {
            if (open_in_bloc(&open[i], need0 ? b0 : b1))
                return 1;
            continue;
        }
        if (!open_in_bloc(&open[i], b0))
            continue;
        for (size_t j = 0; j < n; j++) {
            if (j != i && open_in_bloc(&open[j], b1))
                return 1;
        }
    }
    return 0;
}
