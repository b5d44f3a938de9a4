/* store_int.h - declarations shared by the store's own files; not public. */
#ifndef NSC_STORE_INT_H
#define NSC_STORE_INT_H

#include "common.h"
#include "store.h"

#include <sqlite3.h>
#include <sys/types.h>

/* Flags for dumping a record line or the summary: same records, same bytes. */
#define STORE_LINE_FLAGS (JSON_COMPACT | JSON_SORT_KEYS)

/* A fetched body this large is written into the state DB through a blob
 * handle rather than bound whole (store_fetch_put()). */
#define STORE_BLOB_STREAM ((size_t)256 * 1024)

/* One id of the records file: where its current (last) line is. */
struct store_entry {
    char *id;
    off_t off;     /* offset of the line */
    size_t len;    /* length without the newline */
    uint64_t hash; /* FNV-1a 64 of the line bytes */
    int canonical; /* the line was dumped by store_put(): already in store_finish()'s form */
};

/* A paper whose record line is written but whose mark waits for store_commit(). */
struct store_pending {
    size_t ent;    /* index in store.ents */
    uint64_t hash; /* of the line written */
};

enum store_stmt {
    SQ_PAPER_GET,
    SQ_PAPER_PUT,
    SQ_PAPER_DEL,
    SQ_PAPER_COUNT,
    SQ_PAPER_LIST,
    SQ_FETCH_PUT,
    SQ_FETCH_GET,
    SQ_FETCH_VALIDATORS,
    SQ_FAILED_ADD,
    SQ_FAILED_GET,
    SQ_FAILED_DEL,
    SQ_RUN_BEGIN,
    SQ_RUN_END,
    SQ_RUN_LAST,
    SQ_RUN_ABANDON,
    SQ_BEGIN,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_SAVE,
    SQ_SAVE_RELEASE,
    SQ_SAVE_UNDO,
    SQ__COUNT
};

struct store {
    char *dir;
    int year;
    unsigned flags;
    int lock_fd;

    /* records */
    char *path;     /* DIR/neurips-Y.jsonl */
    char *tmp_path; /* DIR/neurips-Y.jsonl.tmp, used by store_finish() */
    int fd;         /* O_RDWR | O_APPEND */
    off_t end;      /* size of the whole lines written so far */
    int broken;     /* a partial line could not be cut off: refuse appends */
    struct store_entry *ents;
    size_t nents, cap;
    size_t *slots; /* open-addressing table of ents index + 1; 0 = empty */
    size_t nslots;
    struct buf line; /* store_put()'s line, kept for the next one */

    struct store_pending *pending; /* STORE_F_GROUP: marks waiting for store_commit() */
    size_t npending, pending_cap;

    /* state */
    char *db_path;
    sqlite3 *db;
    sqlite3_stmt *stmt[SQ__COUNT];
};

/* jsonl.c */
int store__records_open(struct store *st);
void store__records_close(struct store *st);
struct store_entry *store__lookup(const struct store *st, const char *id);
uint64_t store__fnv1a(const void *data, size_t len);
int store__io_error(int e, const char *what, const char *path);

/* state_db.c */
int store__db_open(struct store *st);
void store__db_close(struct store *st);
int store__db_reconcile(struct store *st);
/* BEGIN IMMEDIATE, COMMIT, and ROLLBACK unless sqlite did already. */
/* Under group commit: synchronous=FULL for a checkpoint's commit (on 1),
 * back to NORMAL after it (on 0); a no-op for other stores. */
int store__db_durable(struct store *st, int on);
int store__db_begin(struct store *st);
int store__db_commit(struct store *st);
void store__db_rollback(struct store *st);
/* DIR/.nipscope-state.sqlite, newly allocated. */
char *store__db_path(const char *dir);
/* Open (creating) the DB at 'path' read-write, WAL, sync per STORE_F_NOSYNC,
 * schema migrated.  On failure *db may be set: the caller closes it. */
int store__db_connect(sqlite3 **db, const char *path, unsigned flags);
int store__sql_error(sqlite3 *db, const char *path, const char *what);

#endif
