/*
 * pipeline.h - the crawl pipeline behind `nipscope crawl`, internal to cli/.
 *
 * It wires the four components together and is the only place that knows
 * all of them: the crawler fetches and parses pages, the classifier places
 * affiliations in countries, the store keeps records and crawl state.
 *
 * One run, for one year:
 *   1. load the rules and the site profile, open the store (its lock refuses
 *      a second crawler on the same directory);
 *   2. fetch the year index (and its "See also" companions) through one
 *      fetch engine; parse the paper list;
 *   3. then fetch the virtual feed, decode it one record at a time and join
 *      each record to the papers as it is decoded (neither the feed's JSON
 *      tree nor its records are held; its body never waits in memory while
 *      the index's parse tree, the run's largest transient, is built);
 *      meanwhile, and after it, fetch every abstract page (and the
 *      -Metadata.json where the year has one) of the papers the store has
 *      not finished, at most QUEUE_AHEAD of them before the join;
 *      conditional GETs use the validators the state DB kept;
 *   4. with fulltext, fetch each paper's PDF
 *      (never kept in the state DB; kept under <out>/pdf/ with keep_pdf),
 *      read it in memory, count mentions in its body and references, and
 *      give authors still without an affiliation the first page's; classify
 *      every affiliation, and commit each finished record to the store as
 *      soon as all its sources are in;
 *   5. place every stored record again with the current rules (records an
 *      older rule set placed differently are updated), rewrite the records
 *      sorted, write the summary and print a report.
 *
 * Affiliation precedence: an author's affiliation comes from the paper's
 * -Metadata.json when it gives one, otherwise from the virtual feed, else
 * it is an explicit null (with fulltext: the PDF's line or email domain,
 * source "pdf", before the null).  The feed is joined to a skeleton copy of the
 * year index, so the order in which pages arrive never changes the result.
 */
#ifndef NSC_CLI_PIPELINE_H
#define NSC_CLI_PIPELINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What on_progress tells a caller that watches a run (the daemon). */
struct pipeline_tick {
    int year;
    size_t found;     /* papers in the index (0 until it is parsed) */
    size_t done;      /* finished, unchanged or kept */
    size_t failed;    /* papers that failed in this run */
    size_t written;   /* records written in this run (new or changed) */
    size_t unchanged; /* rechecked records found the same (recheck) */
};

typedef void (*pipeline_tick_fn)(const struct pipeline_tick *t, void *payload);

struct classify_rules;

struct pipeline_config {
    int year;
    const char *out_dir;         /* the store directory */
    const char *rules_dir;       /* classifier rules; the profile is rules/sites/neurips.yaml */
    const char *profile_path;    /* NULL: <rules_dir>/sites/neurips.yaml */
    const char *policy;          /* NULL: the rules' default policy */
    const char *proceedings_url; /* base URL of the proceedings site */
    const char *virtual_url;     /* base URL of the virtual site */
    double rate;                 /* request starts per second per host; 0 = no limit */
    unsigned concurrency;        /* transfers at once per host */
    const char *user_agent;      /* NULL: the fetch engine's default */
    size_t max_papers;           /* 0: every paper of the year */
    unsigned store_flags;        /* STORE_F_* */
    int progress;                /* -1 auto (TTY or not), 0 log lines, 1 progress bar */
    /* The fetch engine's limits (crawler_fetch_config; defaults: its own). */
    long connect_timeout_ms;  /* per connection attempt */
    long timeout_ms;          /* per transfer, whole */
    long low_speed_bytes;     /* abort a transfer slower than this many bytes/s (0: never) ... */
    long low_speed_time_s;    /* ... for this many seconds */
    size_t max_body;          /* response cap; the feed's is at least CRAWLER_MAX_FEED */
    const char *ca_file;      /* extra CA certificates (PEM) to trust; NULL: the system's only */
    const char *datasets_url; /* base URL of the 2021 Datasets and Benchmarks host */
    /* Time limit to parse one HTML page in the parser worker, plus 1 s per
     * MiB of page (0: 10 s); a page past it is failed, not the crawl. */
    long parser_timeout_ms;
    /*
     * Recheck (the daemon's re-crawls): papers finished by an earlier run are
     * fetched again with conditional requests (a 304 reuses the kept body),
     * parsed and joined as new ones, and their record is written only when it
     * differs from the stored one.  Off: finished papers are not requested.
     */
    int recheck;
    /* Classifier rules already loaded from rules_dir (borrowed, the daemon's
     * validated set); NULL: each run loads them.  models.yaml and the site
     * profile are read from rules_dir either way. */
    const struct classify_rules *rules;
    /* Called from the fetch loop at least every 250 ms while it runs (and
     * once at its end), and every 256 records while the summary is counted;
     * may call pipeline_stop().  NULL: none. */
    pipeline_tick_fn tick;
    void *tick_payload;
    int fulltext; /* also fetch each PDF: mentions in its text, affiliations it fills */
    int keep_pdf; /* with fulltext: keep each PDF under <out_dir>/pdf/<year>/ */
    /* Where rules_dir and out_dir were configured ("FILE:LINE:COL: rules",
     * config_origin()), or NULL: a message that the rules or the store
     * directory cannot be opened or created starts with it. */
    const char *rules_origin;
    const char *out_origin;
};

/* Defaults: out ".", the real sites, 1 request/s, 2 per host, every paper,
 * the fetch engine's timeouts and body cap. */
void pipeline_config_init(struct pipeline_config *cfg);

/*
 * Run a crawl as described above; the report goes to 'report' (stdout).
 * Returns 0 when every paper of the year is finished; NSC_ETEMPLATE when the
 * index is not recognised (no records are claimed); NSC_ELOCKED when another
 * crawler holds the directory; NSC_ERR after a stop (pipeline_stop()) or when
 * some pages failed: the message says what is incomplete and that running the
 * same command again resumes.  Other codes come from the components.
 */
int pipeline_run(const struct pipeline_config *cfg, FILE *report);

/*
 * `nipscope reclassify`: place every stored record of cfg->year in
 * cfg->out_dir again with the rules in cfg->rules_dir (step 5 above, the same
 * code), fetching nothing; records are rewritten sorted through the store and
 * the summary is rebuilt, keeping the last crawl's "join", "incomplete" and
 * "crawl".  Model mentions stay as crawled (records keep no abstract).  Only
 * cfg->year, out_dir, rules_dir, policy and store_flags are read.  Returns
 * NSC_ELOCKED while a crawler holds the directory, NSC_ENOTFOUND when the
 * year has no records; a bad rule set fails before the store is opened.
 */
int pipeline_reclassify(const struct pipeline_config *cfg, FILE *report);

/*
 * Ask a running pipeline_run() to stop: the fetch engine stops, the record
 * being written is finished, the store stays consistent.  Async-signal-safe.
 */
void pipeline_stop(void);

/* ---- progress.c: the progress display on stderr ----------------------- */

struct progress {
    int tty;           /* draw a one-line bar (1) or log lines (0) */
    uint64_t start_ms; /* when the crawl began */
    uint64_t last_ms;  /* when we last drew or logged */
    size_t last_done;  /* papers done at the last log line */
    int drawn;         /* a bar is on the screen and needs a newline */
};

/* Start a display; 'mode' as pipeline_config.progress. */
void progress_init(struct progress *pg, int mode);

/*
 * Show papers 'found', 'done' (fetched or already finished) and 'failed'.
 * Redraws at most 4 times a second on a TTY, logs at most every 5 s
 * otherwise; 'force' draws now.
 */
void progress_update(struct progress *pg, size_t found, size_t done, size_t failed, int force);

/* End the bar's line, if one is drawn. */
void progress_end(struct progress *pg);

#endif
