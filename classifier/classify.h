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
 * Returns 0, NSC_ENOTFOUND (a required file is missing), NSC_EIO (unreadable)
 * or NSC_EPARSE (bad YAML or a bad rule); the error message names the first
 * problem and how many more there are.
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

#endif
