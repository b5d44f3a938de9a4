/*
 * classify.h - place affiliation strings in countries with YAML rules.
 *
 * A rule set (struct classify_rules) is loaded once from a directory of YAML
 * files (format: rules/README.md) and is read-only afterwards: any number of
 * threads may classify with the same rules at once.  classify_run() is
 * reentrant; all its scratch memory lives in the caller's struct
 * classify_result, which can be reused across calls to avoid allocation.
 *
 * Strings handed out by the rules (ids, names) live as long as the rules.
 * Strings in a result live until the next classify_run() on that result or
 * classify_result_release().
 *
 * This component knows no HTTP and no JSON: it maps text to countries.
 */
#ifndef NSC_CLASSIFY_H
#define NSC_CLASSIFY_H

#include "common.h"

#include <stddef.h>
#include <stdint.h>

struct classify_rules;

/* How a policy places a multinational that has no place in the affiliation. */
enum classify_multinational {
    CLASSIFY_MN_HEADQUARTERS = 0, /* at its headquarters */
    CLASSIFY_MN_UNKNOWN = 1       /* country unknown */
};

/* A named group of countries (policies.yaml "blocs"). */
struct classify_bloc {
    const char *id;
    const char *name;
    size_t n_members;
    const char (*members)[3]; /* alpha-2 codes, NUL-terminated */
};

/* 1 if 'cc' (alpha-2, or NULL) is a member of bloc 'b'. */
int classify_bloc_has(const struct classify_bloc *b, const char *cc);

/*
 * An open affiliation: one left without a country although its evidence names
 * candidates (a shared name such as bare "Northeastern University", a place
 * such as "Cambridge").  Only the first CLASSIFY_OPEN_MAX candidates count.
 * Zero-initialise, then classify_open_add() each piece of evidence.
 */
#define CLASSIFY_OPEN_MAX 8
struct classify_open {
    size_t n;
    char cc[CLASSIFY_OPEN_MAX][3];
};

/* Add the country 'cc' of one piece of evidence of kind 'kind' to 'o', once.
 * A multinational's headquarters is no candidate: leaving it unknown is the
 * policy's choice.  A NULL or malformed 'cc' is ignored. */
void classify_open_add(struct classify_open *o, const char *kind, const char *cc);

/*
 * Whether a paper that lacks bloc b0 ('need0' set) and/or b1 ('need1') as
 * placed would have both for some choice of one candidate country per open
 * affiliation in open[0..n).  One affiliation is in one place, so a paper
 * lacking both blocs needs two open affiliations.  0 when it lacks neither.
 */
int classify_blocs_undecided(const struct classify_bloc *b0, const struct classify_bloc *b1,
                             int need0, int need1, const struct classify_open *open, size_t n);

/* A counting policy (policies.yaml "policies"). */
struct classify_policy {
    const char *id;
    const char *name;
    enum classify_multinational multinational;
    const char *pair[2]; /* bloc names, or NULL when the policy names none */
};

/* Rule counts, for `rules check` and the store's summary. */
struct classify_counts {
    size_t countries, places, institutions, branches, domains, blocs, policies;
    size_t abbreviations, patterns;
};

/*
 * Load the rule set in directory 'dir': normalize.yaml, countries.yaml,
 * places.yaml, institutions.yaml, institutions-generated.yaml (optional),
 * domains.yaml and policies.yaml.  Other files are ignored.  Loading is
 * all-or-nothing: on any error *out is NULL.
 * If 'diag' is not NULL every problem is appended to it as one line
 * "file:line:col: message\n" (line and column 1-based).
 * On success *out owns the rules; free them with classify_rules_free().
 * Returns 0, NSC_ENOTFOUND (no countries.yaml in 'dir', or no 'dir'), NSC_EIO
 * (unreadable), NSC_ELIMIT (a file over 256 MiB) or NSC_EPARSE (bad YAML or a
 * bad rule); the error message names the first problem and how many more
 * there are.  YAML aliases are rejected.
 */
int classify_rules_load(struct classify_rules **out, const char *dir, struct buf *diag);

/* Free a rule set; NULL is a no-op. */
void classify_rules_free(struct classify_rules *rules);

/* The rule-set hash: FNV-1a 64 over each file's name and bytes, in name order,
 * as 16 lower-case hex digits.  Borrowed. */
const char *classify_rules_hash(const struct classify_rules *rules);

/* The rule-set version: policies.yaml's optional top-level `version`, else "0".
 * Borrowed. */
const char *classify_rules_version(const struct classify_rules *rules);

/* Fill *out with the number of rules of each kind. */
void classify_rules_counts(const struct classify_rules *rules, struct classify_counts *out);

/* The blocs; *out borrows an array of the returned length. */
size_t classify_rules_blocs(const struct classify_rules *rules, const struct classify_bloc **out);

/* The policies; *out borrows an array of the returned length. */
size_t classify_rules_policies(const struct classify_rules *rules,
                               const struct classify_policy **out);

/*
 * The policy called 'name', or with name NULL the default one ("default" if
 * present, else the first; a built-in headquarters policy if there are none).
 * Returns NULL when no policy has that name.  Borrowed.
 */
const struct classify_policy *classify_policy_find(const struct classify_rules *rules,
                                                   const char *name);

/* One piece of evidence: a rule that matched, with what it says. */
struct classify_evidence {
    const char *rule; /* rule id (borrowed from the rules) */
    const char *kind; /* "institution", "branch", "multinational", "shared",
                         "country", "place", "postal-code", "demonym",
                         "institution-domain", "domain", "weak-domain" */
    char country[3];  /* alpha-2, "" when the rule names none */
    const char *text; /* the matched input text, or the email domain */
};

/* One affiliation found in the input string. */
struct classify_affiliation {
    const char *text;        /* the affiliation's text as written */
    const char *institution; /* canonical institution name, or NULL */
    char country[3];         /* alpha-2, or "" when unknown */
    const char *rule;        /* id of the deciding rule, or NULL */
    const char *matched;     /* text the deciding rule matched, or NULL */
    const char *reason;      /* why the country is unknown, or NULL */
    size_t n_evidence;
    const struct classify_evidence *evidence;
};

/*
 * The result of classify_run().  Initialise with CLASSIFY_RESULT_INIT or
 * classify_result_init(); release with classify_result_release().  The
 * fields after 'affils' are private scratch space.
 */
struct classify_result {
    size_t n;
    struct classify_affiliation *affils;
    /* private */
    size_t affils_cap;
    struct classify_evidence *ev;
    size_t ev_cap;
    struct buf strs;
    void *scratch;
};

#define CLASSIFY_RESULT_INIT                                                                       \
    {                                                                                              \
        0, NULL, 0, NULL, 0, BUF_INIT, NULL                                                        \
    }

void classify_result_init(struct classify_result *res);
void classify_result_release(struct classify_result *res);

/*
 * Classify the affiliation string 's' ('len' bytes of UTF-8) with an optional
 * author email domain ('email_domain', NULL or "" for none) under 'policy'
 * (NULL: the default policy).  On success res->affils holds one entry per
 * affiliation found (possibly none for an empty string).
 * Returns 0, or NSC_EPARSE when 's' is not valid UTF-8 (the message gives the
 * byte offset); res is then empty.
 */
int classify_run(const struct classify_rules *rules, const struct classify_policy *policy,
                 const char *s, size_t len, const char *email_domain, struct classify_result *res);

/* The first affiliation with a country, else the first one, else NULL. */
const struct classify_affiliation *classify_result_primary(const struct classify_result *res);

/* ==== mentions (classifier/mention.c) ====================================
 * Model mentions: the patterns of rules/models.yaml (format in its header)
 * found in a text as whole words.  A model set is read-only once loaded and
 * may be shared by threads.  The patterns are case-folded into one
 * Aho-Corasick automaton, so a scan costs O(text + matches) whatever the
 * number of patterns.  Word characters are ASCII letters and digits and
 * Latin letters U+00C0-U+024F; other non-ASCII text (CJK, punctuation,
 * invalid bytes) is a word boundary.  "2.5" is one word: a pattern ending
 * in a digit does not match before ".<digit>".
 */
struct mention_models;

/* One match.  'model', 'family' borrow from the models; 'field' from the caller. */
struct mention {
    const char *model;  /* most specific id: a member if a member's pattern matched */
    const char *family; /* the family it rolls up to (== model for a family) */
    const char *field;  /* the caller's field name ("title", "abstract", ...) */
    size_t offset;      /* byte offset of the match in the scanned text */
    size_t len;         /* its length in bytes */
    const char *text;   /* the match inside the caller's text (not NUL-terminated) */
};

/* A growable list of matches; init with MENTION_LIST_INIT. */
struct mention_list {
    size_t n, cap;
    struct mention *items;
};

#define MENTION_LIST_INIT                                                                          \
    {                                                                                              \
        0, 0, NULL                                                                                 \
    }

/*
 * Load the model set of the YAML file 'path'.  All-or-nothing: on error *out
 * is NULL, every problem is appended to 'diag' (if not NULL) as
 * "file:line:col: message
", and the error message names the first one.
 * On success *out owns the set; free with mention_models_free().
 * Returns 0, NSC_ENOTFOUND, NSC_EIO or NSC_EPARSE.
 */
int mention_models_load(struct mention_models **out, const char *path, struct buf *diag);

/* Free a model set; NULL is a no-op. */
void mention_models_free(struct mention_models *m);

/* Number of models (families and members). */
size_t mention_models_count(const struct mention_models *m);

/* The family 'id' rolls up to (itself for a family), or NULL for an unknown id.
 * Borrowed. */
const char *mention_model_family(const struct mention_models *m, const char *id);

/* The display name of 'id', or NULL for an unknown id.  Borrowed. */
const char *mention_model_name(const struct mention_models *m, const char *id);

/*
 * Append to 'out' every mention in 'text' ('len' bytes, any bytes: invalid
 * UTF-8 is tolerated), in text order, tagged with 'field'.  Overlapping
 * candidates resolve leftmost-longest; an `exclude` phrase that covers a
 * match of its model cancels it.
 */
void mention_scan(const struct mention_models *m, const char *text, size_t len, const char *field,
                  struct mention_list *out);

void mention_list_release(struct mention_list *l);

/*
 * Per-model totals for one record: count and the sorted, distinct fields
 * where it was found.  'where' borrows the field names given to the scans.
 */
struct mention_tally_item {
    const char *model;
    size_t count;
    size_t n_where;
    const char *where[8];
};

struct mention_tally {
    size_t n, cap;
    struct mention_tally_item *items; /* sorted by model id */
};

#define MENTION_TALLY_INIT                                                                         \
    {                                                                                              \
        0, 0, NULL                                                                                 \
    }

/* Add every mention of 'l' to 't' (more than 8 distinct fields are dropped). */
void mention_tally_add(struct mention_tally *t, const struct mention_list *l);

void mention_tally_release(struct mention_tally *t);
/* ==== end of mentions ==================================================== */

#endif
