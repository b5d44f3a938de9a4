/*
 * config.h - the nipscope configuration file (YAML), as read by
 * `nipscope crawl --config FILE` and, later, `nipscope daemon`.
 * Every key and its default: docs/config.md.
 *
 * config_load() is all or nothing: on any error the struct passed in is left
 * exactly as it was, and the message is "FILE:LINE:COL: what is wrong", with
 * LINE and COL counted from 1 and pointing at the offending key or value.
 */
#ifndef NSC_CLI_CONFIG_H
#define NSC_CLI_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#define CONFIG_YEAR_MIN  2013
#define CONFIG_YEAR_MAX  2100
#define CONFIG_MAX_YEARS 88
#define CONFIG_MAX_FILE  ((size_t)1 << 20) /* bytes of a configuration file */

struct config {
    int years[CONFIG_MAX_YEARS]; /* explicit years, in file order */
    size_t n_years;
    size_t year_line[CONFIG_MAX_YEARS]; /* where each explicit year stands, from 1 */
    size_t year_col[CONFIG_MAX_YEARS];
    unsigned last_n;              /* "years: {last: N}"; 0 when years are explicit */
    char *out_dir;                /* NULL: "." */
    char *rules_dir;              /* NULL: the installed rules */
    size_t out_line, out_col;     /* where the 'out' value stands, from 1; 0: not in the file */
    size_t rules_line, rules_col; /* the same for 'rules' */
    unsigned interval_s;          /* re-crawl interval in seconds */
    double rate;                  /* request starts per second per host; 0 = no limit */
    unsigned concurrency;         /* transfers at once per host */
    unsigned connect_timeout_s;
    unsigned timeout_s;
    size_t max_body;          /* bytes */
    unsigned low_speed_limit; /* bytes/s; 0: no low-speed abort */
    unsigned low_speed_time_s;
    unsigned parser_timeout_s; /* time limit to parse one page (plus 1 s per MiB) */
    char *ca_file;             /* NULL: the system's CAs only */
    char *user_agent;          /* NULL: the fetch engine's default */
    char *contact;             /* NULL: none; else an http(s) URL */
    char *proceedings_url;     /* NULL: https://proceedings.neurips.cc */
    char *virtual_url;         /* NULL: https://neurips.cc */
    char *datasets_url;        /* NULL: https://datasets-benchmarks-proceedings.neurips.cc */
    char **policies;           /* policy names to report; checked against the rules later */
    size_t n_policies;
    size_t *policy_line; /* where each name stands in the file, from 1 */
    size_t *policy_col;
    int fulltext; /* crawl --fulltext: read every paper's PDF */
    int keep_pdf; /* crawl --keep-pdf: and keep it */
    char *path;   /* the file last loaded, for messages; NULL before */
    unsigned set; /* CONFIG_SET_* for the keys the file gave */
};

enum config_set {
    CONFIG_SET_RATE = 1 << 0,
    CONFIG_SET_CONCURRENCY = 1 << 1,
    CONFIG_SET_CONNECT_TIMEOUT = 1 << 2,
    CONFIG_SET_TIMEOUT = 1 << 3,
    CONFIG_SET_MAX_BODY = 1 << 4,
    CONFIG_SET_INTERVAL = 1 << 5,
    CONFIG_SET_LOW_SPEED_LIMIT = 1 << 6,
    CONFIG_SET_LOW_SPEED_TIME = 1 << 7
};

/* Defaults (docs/config.md): no years, interval 24h, rate 1, concurrency 2,
 * connect timeout 10 s, timeout 120 s, max body 32 MiB, abort below 10 bytes/s
 * for 30 s (the fetch engine's). */
void config_init(struct config *cfg);

/* Free what the struct owns; it can be passed to config_init() again. */
void config_release(struct config *cfg);

/*
 * Read 'path' into *cfg, which config_init() prepared.  Keys the file does
 * not give keep their value in *cfg.  Returns 0, NSC_ENOTFOUND / NSC_EIO
 * (cannot open or read), NSC_EPARSE (bad YAML, a second YAML document,
 * unknown or repeated key, wrong type) or NSC_EINVAL (a value out of range,
 * a file over CONFIG_MAX_FILE bytes); *cfg is unchanged then.
 */
int config_load(struct config *cfg, const char *path);

/*
 * As config_load() on 'len' bytes of YAML 'text' already read ('path' names
 * them in messages).  The file holds exactly one YAML document and at most
 * CONFIG_MAX_FILE bytes (NSC_EINVAL over it).
 */
int config_load_text(struct config *cfg, const char *path, const char *text, size_t len);

/*
 * Parse an interval: one or more <digits><unit> groups, unit s, m, h or d
 * ("24h", "90m", "1h30m").  At least 1 s, at most 365 d.  0 or NSC_EINVAL.
 */
int config_parse_interval(unsigned *out, const char *s);

struct classify_rules;

/*
 * Check that every name of cfg->policies is a policy of 'rules'.  Returns 0
 * or NSC_EINVAL with "FILE:LINE:COL: policies: no policy 'x' in the rules".
 */
int config_check_policies(const struct config *cfg, const struct classify_rules *rules);

/*
 * "FILE:LINE:COL: key" for the value of 'key' ("out" or "rules") as the file
 * last loaded gave it, allocated; NULL when the file did not give it.  A
 * caller that cannot open or create what the value names prefixes its
 * message with this (config_blame()), so the message says where to fix it.
 */
char *config_origin(const struct config *cfg, const char *key);

/*
 * When 'err' is NSC_ENOTFOUND or NSC_EIO (the path cannot be opened, read
 * or created) and 'origin' is not NULL, prefix the current message with
 * "ORIGIN: ".  Other errors (a rules file's own FILE:LINE:COL, a lock) are
 * left as they are.  Returns 'err'.
 */
int config_blame(int err, const char *origin);

/* Print the settings as "key: value" lines (YAML a `config_load` reads back). */
void config_print(const struct config *cfg, FILE *f);

#endif
