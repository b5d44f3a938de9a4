/*
 * report.h - `nipscope report`: counts computed from a store's records (not
 * from its summaries, so a report always agrees with the records), and their
 * rendering as text, JSON, CSV or one self-contained HTML page.
 *
 * Reading (report_load) keeps, per paper, only what the counts need: its
 * countries under both multinational modes (a multinational with no place in
 * the affiliation counts at its headquarters, or nowhere), its institutions
 * and the model ids it mentions.  Every list is sorted, so the same records
 * give byte-identical output.
 */
#ifndef NSC_CLI_REPORT_H
#define NSC_CLI_REPORT_H

#include "classify.h"
#include "common.h"

#include <stdio.h>

/* The two multinational modes, indexed by enum classify_multinational. */
#define REPORT_MODES 2
/* Open affiliations kept per paper. */
#define REPORT_MAX_OPEN 8

struct report_inst {
    char country[3];
    char *name;
};

struct report_paper {
    char *id;
    char *title;
    int year;
    size_t line; /* line of the records file the paper comes from */
    size_t n_authors;
    /* Per mode: distinct sorted countries, authors with a country. */
    size_t n_cc[REPORT_MODES];
    char (*cc[REPORT_MODES])[3];
    size_t authors_placed[REPORT_MODES];
    /* Per mode: distinct (country, institution), sorted. */
    size_t n_inst[REPORT_MODES];
    struct report_inst *inst[REPORT_MODES];
    /* Model ids the record mentions, sorted. */
    size_t n_models;
    char **models;
    /* Open affiliations (classify_open), in record order; the first
     * REPORT_MAX_OPEN only. */
    size_t n_open;
    struct classify_open open[REPORT_MAX_OPEN];
    int fulltext; /* the record's PDF was read (crawl --fulltext): its mentions include the body */
};

struct report_year {
    int year;
    char *path;
    size_t n_papers;
    struct report_paper *papers; /* sorted by id, one per id (the last line wins) */
    long long summary_papers;    /* the summary's "papers", or -1 without a summary */
    /* The summary's "incomplete" counts (the crawl ended with papers
     * missing), or -1 when it has no such key. */
    long long summary_listed, summary_missing;
};

struct report_data {
    size_t n_years;
    struct report_year *years; /* ascending */
};

/*
 * Read DIR/neurips-Y.jsonl (and DIR/neurips-Y.summary.json when present) for
 * each of the 'n' years, or with n == 0 for every records file in 'dir'.
 * Returns 0, NSC_ENOTFOUND (no such file, or no records file at all),
 * NSC_EIO, or NSC_EPARSE naming the file and line of a malformed record.
 */
int report_load(struct report_data *out, const char *dir, const int *years, size_t n);

void report_data_release(struct report_data *d);

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_CSV, REPORT_HTML };

/* What a rendering needs besides the data. */
struct report_ctx {
    const struct classify_rules *rules;
    const struct classify_policy *policy; /* the headline's policy */
    const struct mention_models *models;  /* NULL: mentions by model id, no roll-up */
};

/*
 * The warning for a year whose crawl ended incomplete, as one text line:
 * `crawl` prints it under its own report, `report` above the headline, so a
 * share over the papers that arrived is never taken for the whole year's.
 */
void report_incomplete_note(struct buf *b, int year, long long listed, long long missing);

/* Append 's' to 'b' as one CSV field (RFC 4180: quoted, with '"' doubled,
 * when it holds a comma, a quote or a line break). */
void report_csv_field(struct buf *b, const char *s);

/* Render the full report of 'd' to 'out'.  Returns 0 or NSC_EINVAL (the
 * policy names an unknown bloc). */
int report_render(struct buf *out, const struct report_data *d, const struct report_ctx *ctx,
                  enum report_format fmt);

/*
 * Render one paper's authors, affiliations, rules and evidence.  Re-reads the
 * paper's record line from its file.  Returns 0, NSC_ENOTFOUND (no paper with
 * that id), NSC_EINVAL (html), NSC_EIO or NSC_EPARSE.
 */
int report_explain(struct buf *out, const struct report_data *d, const struct report_ctx *ctx,
                   const char *id, enum report_format fmt);

#endif
