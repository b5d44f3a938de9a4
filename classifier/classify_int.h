/*
 * classify_int.h - declarations shared by the classifier's own files.
 *
 * Tokens: the normaliser turns text into a sequence of token ids from the
 * rule set's vocabulary (id 0 = a word no rule uses).  Patterns (names,
 * aliases, acronyms, codes) are token-id sequences stored in one trie whose
 * edges live in a single hash table, so a lookup costs the same however many
 * rules there are.
 */
#ifndef NSC_CLASSIFY_INT_H
#define NSC_CLASSIFY_INT_H

#include "classify.h"

#include <stdint.h>

/* ---- vocabulary -------------------------------------------------------- */

struct vocab {
    uint32_t *slots; /* open addressing: token id, 0 = empty */
    size_t cap;      /* power of two */
    uint32_t n;      /* ids 1..n */
    uint32_t *off;   /* [id] offset into text */
    uint32_t *len;   /* [id] length */
    uint64_t *hash;  /* [id] */
    size_t ids_cap;
    struct buf text;
};

uint64_t classify__hash(const char *s, size_t len);
/* The id of a token, 0 if absent (insert == 0) or a new id (insert != 0). */
uint32_t classify__vocab_get(struct vocab *v, const char *s, size_t len, int insert);
uint32_t classify__vocab_find(const struct vocab *v, const char *s, size_t len);
void classify__vocab_release(struct vocab *v);

/* ---- tokens ------------------------------------------------------------ */

struct tok {
    uint32_t id;    /* vocabulary id, 0 = unknown word */
    uint32_t start; /* byte span in the original string */
    uint32_t end;
};

struct toks {
    struct tok *v;
    size_t n, cap;
    struct buf word; /* scratch: the current normalised word */
};

void classify__toks_release(struct toks *t);

/* Normalisation tables from normalize.yaml. */
struct normtab {
    uint32_t *abbr_off; /* [id] 1 + offset into abbr_ids, 0 = none */
    uint32_t *abbr_ids; /* per abbreviation: count, then ids */
    size_t abbr_cap, abbr_n, abbr_ids_n, abbr_ids_cap;
    uint32_t *drop; /* ids dropped at the start of a name */
    size_t n_drop;
    char **hard_seps; /* separator strings that always split */
    size_t n_hard;
    int amp_soft;    /* " & " splits when both sides hold an institution */
    uint32_t and_id; /* the token "and" (a soft separator), 0 if unknown */
};

/*
 * Tokenise 's' into 'out' (reset first).  With 'insert' new words are added
 * to 'v' (rule loading); otherwise unknown words get id 0.  'drop_leading'
 * drops a leading word listed in normalize.yaml.  Returns 0 or NSC_EPARSE
 * for invalid UTF-8 (message gives the byte offset).
 */
int classify__tokenize(struct vocab *v, const struct normtab *nt, const char *s, size_t len,
                       int insert, int drop_leading, struct toks *out);

/* The same without the ASCII fast path: every character goes through
 * utf8proc.  Slower; it exists so that a test can prove the fast path
 * tokenises exactly as utf8proc would. */
int classify__tokenize_general(struct vocab *v, const struct normtab *nt, const char *s, size_t len,
                               int insert, int drop_leading, struct toks *out);

/* ---- rules ------------------------------------------------------------- */

enum rule_kind { RK_COUNTRY, RK_PLACE, RK_INST, RK_MULTI, RK_BRANCH, RK_DOMAIN, RK_INSTDOM };

struct rule {
    char *id;
    char *name;        /* canonical name (institutions, countries, places) */
    uint8_t kind;      /* enum rule_kind */
    uint8_t weak;      /* domains: weak evidence */
    uint8_t generated; /* from institutions-generated.yaml */
    char cc[3];        /* country, or hq for a multinational; "" = none */
    int32_t parent;    /* branch: index of its institution; instdom: the institution */
    uint32_t places;   /* institutions: offset into rules->seqs, 0 = none */
    const char *file;
    uint32_t line, col;
};

enum pat_class { PC_INST, PC_COUNTRY, PC_PLACE, PC_POSTAL, PC_DEMONYM };

struct pattern {
    uint32_t rule;
    uint8_t pclass;
    uint8_t cs;     /* case-sensitive: compare the original text of each token */
    uint8_t shared; /* listed under shared: */
    uint16_t ntok;
    uint32_t exact; /* cs: offset into rules->exact, tokens separated by '\0' */
    uint32_t line, col;
};

struct trie {
    uint64_t *keys; /* (parent + 1) << 32 | token id; 0 = empty */
    uint32_t *vals; /* child node */
    size_t cap, n;
    int32_t *out; /* [node] first output, -1 = none */
    size_t nodes, nodes_cap;
    struct {
        uint32_t pat;
        int32_t next;
    } * outs;
    size_t n_outs, outs_cap;
    uint32_t *root; /* [token id] child of the root: most lookups start there */
    size_t n_root;
};

uint32_t classify__trie_child(const struct trie *t, uint32_t node, uint32_t tok);
uint32_t classify__trie_add(struct trie *t, uint32_t node, uint32_t tok);
void classify__trie_release(struct trie *t);

struct domain_ent {
    char *suffix;
    uint32_t rule;
    int inst; /* an institution's domain, not a suffix rule */
};

struct classify_rules {
    struct vocab vocab;
    struct normtab norm;
    struct rule *rules;
    size_t n_rules, rules_cap;
    struct pattern *pats;
    size_t n_pats, pats_cap;
    struct trie trie;
    struct buf exact; /* case-sensitive pattern texts */
    uint32_t *seqs;   /* institution places: n, then per place: len, ids */
    size_t n_seqs, seqs_cap;
    struct domain_ent *doms; /* in file order */
    size_t n_doms, doms_cap;
    struct vocab domv; /* suffix -> id, for dom_inst / dom_suf */
    int32_t *dom_inst; /* [id] institution-domain rule, -1 none */
    int32_t *dom_suf;  /* [id] suffix rule, -1 none */
    struct classify_bloc *blocs;
    size_t n_blocs;
    struct classify_policy *policies;
    size_t n_policies;
    struct classify_policy builtin;
    struct classify_counts counts;
    char hash[17];
    char *version;
    char **files; /* file names, kept for rule->file */
    size_t n_files;
};

/* The institution domain (inst != 0) or suffix rule for exactly 'suffix', or -1. */
int32_t classify__domain_find(const struct classify_rules *r, const char *suffix, size_t len,
                              int inst);

#endif
