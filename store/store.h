/*
 * store.h - where nipscope keeps what it has crawled: paper records and
 * crawl state, safe against kill -9 and a full disk.
 *
 * The store knows neither HTTP nor countries.  A record is an opaque JSON
 * object with a string member "id" (the paper id); the store keys records by
 * that id and never looks inside otherwise.
 *
 * Layout of a store directory DIR, for one year Y:
 *   DIR/.nipscope.lock          flock()ed for the store's life; holds the pid
 *   DIR/neurips-Y.jsonl         records, one compact JSON object per line
 *   DIR/neurips-Y.summary.json  written by store_write_summary()
 *   DIR/.nipscope-state.sqlite  crawl state for every year (WAL)
 *
 * Invariants:
 *   - every line of the records file is whole: appends are one write() of
 *     one line, a failed write is truncated away, and store_open() cuts off
 *     a torn last line (no newline, or not JSON);
 *   - a line that is not a JSON object anywhere but at the end is an error
 *     naming the file and line, never dropped;
 *   - when an id occurs more than once, the last line wins (an update);
 *   - durability order: a record line is written and fsynced before its
 *     paper is marked finished in the state DB; store_open() reconciles the
 *     two (finished without a record: unmarked; record without the mark:
 *     marked), so after a crash the finished set is exactly the set of ids
 *     with a whole record line.
 *
 * All functions return 0 or a negative NSC_E* code with a message via
 * nsc_error_last().  sqlite failures are NSC_EIO naming the DB path; a full
 * disk is NSC_ENOSPC.  A store is used by one thread at a time.
 */
#ifndef NSC_STORE_H
#define NSC_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct store;

enum store_flags {
    /* Skip fsync()s (tests and benchmarks only: not safe against power loss). */
    STORE_F_NOSYNC = 1 << 0,
    /* Group commit: see store_commit().  (1 << 1 is STORE_STATE_F_READONLY.) */
    STORE_F_GROUP = 1 << 2,
};

/*
 * Open (creating if needed) the store in 'dir' for 'year', take its lock,
 * load the record index (repairing a torn last line), open the state DB and
 * reconcile finished papers with the records.  *out owns the store; release
 * with store_free().  Returns 0, NSC_ELOCKED ("'DIR' is in use by another
 * nipscope (pid N)"), NSC_EPARSE (an invalid line, with file and line
 * number), NSC_EINVAL (bad year), NSC_EIO or NSC_ENOSPC.
 */
int store_open(struct store **out, const char *dir, int year, unsigned flags);

/* Close files and the DB, release the lock and free.  NULL is a no-op. */
void store_free(struct store *st);

/* The directory and year given to store_open(); borrowed. */
const char *store_dir(const struct store *st);
int store_year(const struct store *st);

/* The path of the records file; borrowed, lives as long as 'st'. */
const char *store_records_path(const struct store *st);

/* ---- records --------------------------------------------------------- */

/*
 * Append 'record' (a JSON object with a string "id") as one line.  Not yet
 * fsynced: see store_sync().  An existing id is superseded.  Returns 0,
 * NSC_EINVAL (no id, id with a newline), NSC_ENOSPC or NSC_EIO; on failure
 * the file is as before.
 */
int store_put(struct store *st, const json_t *record);

/* fsync the records file (a checkpoint).  Returns 0, NSC_EIO or NSC_ENOSPC. */
int store_sync(struct store *st);

/*
 * The crawler's commit point for one paper: store_put(), store_sync(), then
 * mark the paper finished in the state DB with the hash of the line.  With
 * STORE_F_GROUP the line is written at once but its fsync and its mark wait
 * for the next store_commit().
 */
int store_put_finished(struct store *st, const json_t *record);

/*
 * Group commit (STORE_F_GROUP; without it every store_put_finished() is
 * durable on return and this is a no-op).  A crawler finishing a hundred
 * papers a second cannot afford an fdatasync and a synchronous DB commit a
 * paper, so with the flag:
 *   - store_put_finished() appends the line (one write(), as always) and
 *     queues its mark in memory;
 *   - store_commit() makes the queued papers durable in the usual order:
 *     one fdatasync of the records file, then all their marks in one
 *     transaction.  A mark is never committed before its line is on disk.
 *   - the state DB runs with synchronous=NORMAL: in WAL mode a commit
 *     survives a crash of the process (kill -9) at once, and a power loss
 *     once the WAL is checkpointed, without an fsync of its own.
 * A crash before store_commit() returns loses nothing store_open() does not
 * restore: the lines that reached the file are marked by its reconcile.
 * store_put_finished() commits by itself once STORE_GROUP_MAX papers wait;
 * store_finish(), store_run_end() and store_free() commit first.  Returns 0,
 * NSC_EIO or NSC_ENOSPC; after a failure (a failed fsync, a full disk) the
 * queued marks are dropped, and the next store_open() marks what is there.
 */
int store_commit(struct store *st);

/* Papers store_put_finished() queues before it commits by itself. */
#define STORE_GROUP_MAX 512

/*
 * Read the current record for 'id'.  *out is a new reference (json_decref).
 * Returns 0, NSC_ENOTFOUND, NSC_EIO or NSC_EPARSE.
 */
int store_get(json_t **out, struct store *st, const char *id);

/* 1 if a record for 'id' is present, 0 if not. */
int store_has(const struct store *st, const char *id);

/* Number of distinct ids. */
size_t store_count(const struct store *st);

typedef int (*store_record_cb)(const char *id, json_t *record, void *payload);

/*
 * Call 'cb' for every record in id order (byte order).  'record' is borrowed
 * for the call.  A non-zero return from 'cb' stops and is returned.
 */
int store_foreach(struct store *st, store_record_cb cb, void *payload);

typedef int (*store_select_cb)(const char *id, void *payload);

/*
 * As store_foreach(), but a record is read and given to 'cb' only when
 * 'select' returns non-zero for its id, so the records a caller does not
 * need cost neither a read nor a parse.
 */
int store_foreach_selected(struct store *st, store_select_cb select, store_record_cb cb,
                           void *payload);

/*
 * Rewrite the records file sorted by id, one line per id, each line dumped
 * with sorted keys and compact separators, so the same records always give
 * the same bytes.  Streams to a temporary file, fsyncs, renames over the
 * records file and fsyncs the directory; on failure the old file stays.
 */
int store_finish(struct store *st);

/*
 * Replace DIR/neurips-Y.summary.json atomically with 'summary' (sorted keys,
 * two-space indent, a final newline).  On failure the old file stays whole.
 */
int store_write_summary(struct store *st, const json_t *summary);

/* ---- crawl state: finished papers ------------------------------------ */

/* 1 if 'id' is marked finished (for this store's year), 0 if not, or < 0. */
int store_paper_finished(struct store *st, const char *id);

/* Mark 'id' finished with the record 'hash' (16 hex digits). */
int store_paper_mark(struct store *st, const char *id, const char *hash);

/* Forget that 'id' is finished. */
int store_paper_unmark(struct store *st, const char *id);

/* Number of papers of this year marked finished, in *out. */
int store_paper_count(size_t *out, struct store *st);

/* The hash store_put() records for a line: FNV-1a 64, 16 hex digits. */
void store_hash_line(char out[17], const char *line, size_t len);

/* ---- crawl state: HTTP ----------------------------------------------- */

/*
 * What the last fetch of a URL gave: the status and time, and the validators
 * and body a 304 can reuse.  Strings and body are owned by the struct.
 */
struct store_fetch {
    char *url;
    int status;          /* HTTP status, 0 when none */
    int64_t fetched_at;  /* Unix seconds */
    char *etag;          /* NULL when absent */
    char *last_modified; /* NULL when absent */
    char *body;          /* NULL when not cached; NUL-terminated */
    size_t body_len;
};

/* Insert or replace the row for f->url (NULL fields are stored as NULL) and
 * clear a failure recorded for the URL (store_failed_add()): it was fetched.
 * One transaction, unless the caller's is open. */
int store_fetch_put(struct store *st, const struct store_fetch *f);

/*
 * Look up 'url'; fills *out (release with store_fetch_release()).
 * Returns 0 or NSC_ENOTFOUND.
 */
int store_fetch_get(struct store_fetch *out, struct store *st, const char *url);

/*
 * As store_fetch_get() without reading the body, for a conditional request:
 * out->body stays NULL.  NSC_ENOTFOUND also when no body is kept for 'url'
 * (a 304 would then refer to nothing).
 */
int store_fetch_validators(struct store_fetch *out, struct store *st, const char *url);

void store_fetch_release(struct store_fetch *f);

/* Record a failure of 'url' with 'error'; attempts is counted up. */
int store_failed_add(struct store *st, const char *url, const char *error);

/* Attempts so far and the last error (caller frees; may pass NULL). 0 or NSC_ENOTFOUND. */
int store_failed_get(int *attempts, char **error, struct store *st, const char *url);

/* Forget the failures of 'url' (after a success). */
int store_failed_clear(struct store *st, const char *url);

/* ---- crawl state: runs (for `nipscope status`) ----------------------- */

struct store_run {
    int64_t id;
    int year;
    int64_t started;  /* Unix seconds */
    int64_t finished; /* 0 while running or after a crash */
    int64_t papers;   /* papers finished in this run */
    int64_t failed;   /* URLs that failed in this run */
    char state[16];   /* "running", "done", "failed", "interrupted" */
};

/* Start a run for this store's year now; its id in *id_out. */
int store_run_begin(int64_t *id_out, struct store *st);

/* End run 'id' with 'state' and counts. */
int store_run_end(struct store *st, int64_t id, const char *state, int64_t papers, int64_t failed);

/* The latest run of this store's year in *out.  0 or NSC_ENOTFOUND. */
int store_run_last(struct store_run *out, struct store *st);

/* ---- service status: the state DB alone (for `nipscope status`) ------ */

/*
 * A connection to DIR's state DB without the store's lock or records, so a
 * long-running service can say what it is doing while no year is open, and
 * a reader can look while a crawler holds the lock.  Rows are keyed by a
 * service name the caller chooses; the store does not interpret them.
 */
struct store_state;

enum store_state_flags {
    STORE_STATE_F_READONLY = 1 << 1, /* never create or migrate; NSC_ENOTFOUND if absent */
};

/*
 * Open the state DB of 'dir' ('flags': STORE_F_NOSYNC, STORE_STATE_F_READONLY).
 * Read-write creates the directory's DB (and its schema) when missing.
 * Returns 0, NSC_ENOTFOUND (read-only and no DB), NSC_EINVAL (a newer schema)
 * or NSC_EIO.  Release with store_state_free().
 */
int store_state_open(struct store_state **out, const char *dir, unsigned flags);

/* Close the connection and free.  NULL is a no-op. */
void store_state_free(struct store_state *ss);

/* One service's row.  'status' is owned by the struct. */
struct store_service {
    char name[32];
    int64_t pid;
    char state[16];   /* the service's own words, e.g. "crawling", "idle" */
    char *status;     /* one line of free text */
    int64_t started;  /* Unix seconds the service started */
    int64_t updated;  /* Unix seconds of this row */
    int64_t next_run; /* Unix seconds of the next scheduled work, 0: none */
};

/* Insert or replace the row sv->name; 'updated' is set to now. */
int store_service_put(struct store_state *ss, const struct store_service *sv);

/* The row for 'name' in *out (release with store_service_release()).
 * 0 or NSC_ENOTFOUND; an older DB without the table is NSC_ENOTFOUND too. */
int store_service_get(struct store_service *out, struct store_state *ss, const char *name);

void store_service_release(struct store_service *sv);

/* What the runs table says about one year. */
struct store_year_runs {
    int year;
    struct store_run last; /* the latest run, whatever its state */
    int64_t last_done;     /* when the latest "done" run finished; 0: never */
    int64_t finished;      /* papers marked finished */
};

/*
 * Every year with a run, in year order, in a new array *out of *n (free()).
 * Returns 0 or NSC_EIO.
 */
int store_state_years(struct store_year_runs **out, size_t *n, struct store_state *ss);

#endif
