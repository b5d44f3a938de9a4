/* state_db.c - crawl state in SQLite: validators, failures, finished papers, runs. */
#include "store_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATE_DB_NAME    ".nipscope-state.sqlite"
#define STATE_DB_VERSION 1
#define STATE_BUSY_MS    5000

/* sqlite failure as NSC_EIO (NSC_ENOSPC when full) with its message and the DB path. */
int store__sql_error(sqlite3 *db, const char *path, const char *what)
{
    int rc = db ? sqlite3_errcode(db) : SQLITE_CANTOPEN;
    const char *msg = db ? sqlite3_errmsg(db) : "cannot allocate";

    return nsc_error_set(rc == SQLITE_FULL ? NSC_ENOSPC : NSC_EIO, "state DB '%s': %s: %s", path,
                         what, msg);
}

static int db_error(struct store *st, const char *what)
{
    return store__sql_error(st->db, st->db_path, what);
}

/* Version 0 -> 1: the first schema.  (The services table of status.c is made by
 * store_state_open(), not here.) */
static const char *const migration_1 = "CREATE TABLE papers ("
                                       "  year INTEGER NOT NULL,"
                                       "  id TEXT NOT NULL,"
                                       "  hash TEXT NOT NULL,"
                                       "  finished_at INTEGER NOT NULL,"
                                       "  PRIMARY KEY (year, id));"
                                       "CREATE TABLE fetches ("
                                       "  url TEXT PRIMARY KEY,"
                                       "  status INTEGER NOT NULL,"
                                       "  fetched_at INTEGER NOT NULL,"
                                       "  etag TEXT,"
                                       "  last_modified TEXT,"
                                       "  body BLOB);"
                                       "CREATE TABLE failures ("
                                       "  url TEXT PRIMARY KEY,"
                                       "  error TEXT NOT NULL,"
                                       "  attempts INTEGER NOT NULL,"
                                       "  last_at INTEGER NOT NULL);"
                                       "CREATE TABLE runs ("
                                       "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
                                       "  year INTEGER NOT NULL,"
                                       "  started INTEGER NOT NULL,"
                                       "  finished INTEGER NOT NULL DEFAULT 0,"
                                       "  papers INTEGER NOT NULL DEFAULT 0,"
                                       "  failed INTEGER NOT NULL DEFAULT 0,"
                                       "  state TEXT NOT NULL);";

/*
 * The migration hook: migrations[i] takes user_version i to i + 1.  Add a
 * new schema by appending an entry and raising STATE_DB_VERSION.
 */
static const char *const migrations[STATE_DB_VERSION] = { migration_1 };

static const char *const stmt_sql[SQ__COUNT] = {
    [SQ_PAPER_GET] = "SELECT 1 FROM papers WHERE id = ?1 AND year = ?2",
    [SQ_PAPER_PUT] = "INSERT OR REPLACE INTO papers(id, year, hash, finished_at) "
                     "VALUES (?1, ?2, ?3, ?4)",
    [SQ_PAPER_DEL] = "DELETE FROM papers WHERE id = ?1 AND year = ?2",
    [SQ_PAPER_COUNT] = "SELECT count(*) FROM papers WHERE year = ?1",
    [SQ_PAPER_LIST] = "SELECT id, hash FROM papers WHERE year = ?1",
    [SQ_FETCH_PUT] = "INSERT OR REPLACE INTO fetches(url, status, fetched_at, etag, "
                     "last_modified, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [SQ_FETCH_GET] = "SELECT status, fetched_at, etag, last_modified, body FROM fetches "
                     "WHERE url = ?1",
    [SQ_FETCH_VALIDATORS] = "SELECT status, fetched_at, etag, last_modified FROM fetches "
                            "WHERE url = ?1 AND body IS NOT NULL",
    [SQ_FAILED_ADD] = "INSERT INTO failures(url, error, attempts, last_at) VALUES (?1, ?2, 1, ?3) "
                      "ON CONFLICT(url) DO UPDATE SET error = excluded.error, "
                      "attempts = attempts + 1, last_at = excluded.last_at",
    [SQ_FAILED_GET] = "SELECT attempts, error FROM failures WHERE url = ?1",
    [SQ_FAILED_DEL] = "DELETE FROM failures WHERE url = ?1",
    [SQ_RUN_BEGIN] = "INSERT INTO runs(year, started, state) VALUES (?1, ?2, 'running')",
    [SQ_RUN_END] = "UPDATE runs SET finished = ?2, state = ?3, papers = ?4, failed = ?5 "
                   "WHERE id = ?1",
    [SQ_RUN_LAST] = "SELECT id, year, started, finished, papers, failed, state FROM runs "
                    "WHERE year = ?1 ORDER BY id DESC LIMIT 1",
    [SQ_RUN_ABANDON] = "UPDATE runs SET state = 'interrupted' WHERE year = ?1 "
                       "AND state = 'running'",
    [SQ_BEGIN] = "BEGIN IMMEDIATE",
    [SQ_COMMIT] = "COMMIT",
    [SQ_ROLLBACK] = "ROLLBACK",
    [SQ_SAVE] = "SAVEPOINT fetch_put",
    [SQ_SAVE_RELEASE] = "RELEASE fetch_put",
    [SQ_SAVE_UNDO] = "ROLLBACK TO fetch_put",
};

/* Reset and clear bindings so a statement can be reused. */
static sqlite3_stmt *stmt(struct store *st, enum store_stmt which)
{
    sqlite3_stmt *s = st->stmt[which];

    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return s;
}

/* Step a statement that returns no rows. */
static int exec_stmt(struct store *st, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s);
    int err = 0;

    if (rc != SQLITE_DONE)
        err = db_error(st, what);
    sqlite3_reset(s);
    return err;
}

static int exec_db(sqlite3 *db, const char *path, const char *sql, const char *what)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return store__sql_error(db, path, what);
    return 0;
}

/* Bring the schema to STATE_DB_VERSION, one migration per transaction. */
static int migrate(sqlite3 *db, const char *path)
{
    /* The store's own connection, as the code below was written for. */
    struct store stv = { .db = db, .db_path = (char *)path };
    struct store *st = &stv;
    sqlite3_stmt *s = NULL;
    int version, err = 0;

    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK ||
        sqlite3_step(s) != SQLITE_ROW) {
        err = db_error(st, "read schema version");
        goto out;
    }
    version = sqlite3_column_int(s, 0);
    if (version > STATE_DB_VERSION) {
        err = nsc_error_set(NSC_EINVAL,
                            "state DB '%s' has schema version %d; this nipscope knows up to %d",
                            st->db_path, version, STATE_DB_VERSION);
        goto out;
    }
    for (; version < STATE_DB_VERSION; version++) {
        char pragma[64];

        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", version + 1);
        err = exec_db(db, path, "BEGIN IMMEDIATE", "begin migration");
        if (err < 0)
            goto out;
        err = exec_db(db, path, migrations[version], "migrate schema");
        if (!err)
            err = exec_db(db, path, pragma, "set schema version");
        if (!err)
            err = exec_db(db, path, "COMMIT", "commit migration");
        if (err < 0) {
            sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
            goto out;
        }
        log_info("state DB '%s': schema version %d", st->db_path, version + 1);
    }
out:
    sqlite3_finalize(s);
    return err;
}

char *store__db_path(const char *dir)
{
    return xasprintf("%s/%s", dir, STATE_DB_NAME);
}

int store__db_connect(sqlite3 **db, const char *path, unsigned flags)
{
    int err;

    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        return store__sql_error(*db, path, "open");
    sqlite3_extended_result_codes(*db, 0);
    sqlite3_busy_timeout(*db, STATE_BUSY_MS);
    err = exec_db(*db, path, "PRAGMA journal_mode = WAL", "set WAL mode");
    if (err < 0)
        return err;
    /* NORMAL under group commit: in WAL mode a commit then survives a crash
     * of the process at once and a power loss from the next checkpoint on,
     * without an fsync of its own; the one order that matters, a record line
     * on disk before its mark, store_commit() keeps with its fdatasync. */
    err = exec_db(*db, path,
                  flags & STORE_F_NOSYNC  ? "PRAGMA synchronous = OFF"
                  : flags & STORE_F_GROUP ? "PRAGMA synchronous = NORMAL"
                                          : "PRAGMA synchronous = FULL",
                  "set synchronous");
    if (err < 0)
        return err;
    return migrate(*db, path);
}

/* Open the state DB, set WAL and FULL sync, migrate and prepare statements. */
int store__db_open(struct store *st)
{
    size_t k;
    int err;

    st->db_path = store__db_path(st->dir);
    err = store__db_connect(&st->db, st->db_path, st->flags);
    if (err < 0)
        return err;
    for (k = 0; k < SQ__COUNT; k++) {
        if (sqlite3_prepare_v3(st->db, stmt_sql[k], -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[k],
                               NULL) != SQLITE_OK)
            return db_error(st, "prepare statement");
    }
    return 0;
}

void store__db_close(struct store *st)
{
    size_t k;

    for (k = 0; k < SQ__COUNT; k++) {
        sqlite3_finalize(st->stmt[k]);
        st->stmt[k] = NULL;
    }
    if (st->db && sqlite3_close(st->db) != SQLITE_OK)
        log_warn("state DB '%s': close: %s", st->db_path, sqlite3_errmsg(st->db));
    st->db = NULL;
    free(st->db_path);
    st->db_path = NULL;
}

int store_paper_finished(struct store *st, const char *id)
{
    sqlite3_stmt *s = stmt(st, SQ_PAPER_GET);
    int rc;

    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, st->year);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return db_error(st, "look up paper");
}

int store_paper_mark(struct store *st, const char *id, const char *hash)
{
    sqlite3_stmt *s = stmt(st, SQ_PAPER_PUT);

    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, st->year);
    sqlite3_bind_text(s, 3, hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, nsc_wall_s());
    return exec_stmt(st, s, "mark paper finished");
}

int store_paper_unmark(struct store *st, const char *id)
{
    sqlite3_stmt *s = stmt(st, SQ_PAPER_DEL);

    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, st->year);
    return exec_stmt(st, s, "unmark paper");
}

int store_paper_count(size_t *out, struct store *st)
{
    sqlite3_stmt *s = stmt(st, SQ_PAPER_COUNT);
    int err = 0;

    *out = 0;
    sqlite3_bind_int(s, 1, st->year);
    if (sqlite3_step(s) == SQLITE_ROW)
        *out = (size_t)sqlite3_column_int64(s, 0);
    else
        err = db_error(st, "count papers");
    sqlite3_reset(s);
    return err;
}

/*
 * Make the finished set equal the set of ids with a record line, in one
 * transaction: unmark papers whose record is missing, mark (or re-hash)
 * records that are not marked.  Runs left 'running' by a dead process
 * become 'interrupted'.
 */
int store__db_reconcile(struct store *st)
{
    char **gone = NULL;
    size_t ngone = 0, capgone = 0, k;
    unsigned char *seen = xcalloc(st->nents ? st->nents : 1, 1);
    sqlite3_stmt *s;
    char hash[17];
    int rc, err;

    err = exec_stmt(st, stmt(st, SQ_BEGIN), "begin reconcile");
    if (err < 0)
        goto out_free;
    s = stmt(st, SQ_PAPER_LIST);
    sqlite3_bind_int(s, 1, st->year);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(s, 0);
        const char *h = (const char *)sqlite3_column_text(s, 1);
        const struct store_entry *e = store__lookup(st, id);

        if (!e) {
            NSC_GROW(gone, capgone, ngone + 1);
            gone[ngone++] = xstrdup(id);
            continue;
        }
        snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)e->hash);
        if (h && !strcmp(h, hash))
            seen[e - st->ents] = 1;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        err = db_error(st, "list finished papers");
        goto out;
    }
    for (k = 0; k < ngone; k++) {
        log_notice("'%s': paper '%s' was marked finished but has no record: unmarked", st->path,
                   gone[k]);
        err = store_paper_unmark(st, gone[k]);
        if (err < 0)
            goto out;
    }
    for (k = 0; k < st->nents; k++) {
        if (seen[k])
            continue;
        snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)st->ents[k].hash);
        err = store_paper_mark(st, st->ents[k].id, hash);
        if (err < 0)
            goto out;
    }
    s = stmt(st, SQ_RUN_ABANDON);
    sqlite3_bind_int(s, 1, st->year);
    err = exec_stmt(st, s, "close abandoned runs");
    if (err < 0)
        goto out;
    err = exec_stmt(st, stmt(st, SQ_COMMIT), "commit reconcile");
out:
    /* sqlite may have rolled back already (SQLITE_FULL); keep the first message. */
    if (err < 0 && !sqlite3_get_autocommit(st->db)) {
        sqlite3_reset(st->stmt[SQ_ROLLBACK]);
        sqlite3_step(st->stmt[SQ_ROLLBACK]);
        sqlite3_reset(st->stmt[SQ_ROLLBACK]);
    }
out_free:
    for (k = 0; k < ngone; k++)
        free(gone[k]);
    free(gone);
    free(seen);
    return err;
}

int store__db_durable(struct store *st, int on)
{
    /* A pragma takes effect when it is compiled, so it is run afresh
     * rather than kept prepared; NOSYNC and non-group stores keep theirs. */
    if (!(st->flags & STORE_F_GROUP) || (st->flags & STORE_F_NOSYNC))
        return 0;
    return exec_db(st->db, st->db_path,
                   on ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                   "set synchronous");
}

int store__db_begin(struct store *st)
{
    return exec_stmt(st, stmt(st, SQ_BEGIN), "begin");
}

int store__db_commit(struct store *st)
{
    return exec_stmt(st, stmt(st, SQ_COMMIT), "commit");
}

void store__db_rollback(struct store *st)
{
    if (sqlite3_get_autocommit(st->db))
        return; /* sqlite rolled back already (SQLITE_FULL) */
    sqlite3_reset(st->stmt[SQ_ROLLBACK]);
    sqlite3_step(st->stmt[SQ_ROLLBACK]);
    sqlite3_reset(st->stmt[SQ_ROLLBACK]);
}

static char *col_strdup(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);

    return t ? xstrdup((const char *)t) : NULL;
}

static void bind_opt_text(sqlite3_stmt *s, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

/*
 * Write 'len' bytes of 'body' into the zero-filled body of row 'rowid'
 * through an incremental blob handle, a page at a time.
 */
static int blob_fill(struct store *st, sqlite3_int64 rowid, const char *body, size_t len)
{
    sqlite3_blob *b = NULL;
    int err = 0;

    if (sqlite3_blob_open(st->db, "main", "fetches", "body", rowid, 1, &b) != SQLITE_OK ||
        sqlite3_blob_write(b, body, (int)len, 0) != SQLITE_OK)
        err = db_error(st, "save fetch body");
    sqlite3_blob_close(b);
    return err;
}

int store_fetch_put(struct store *st, const struct store_fetch *f)
{
    sqlite3_stmt *s;
    /* A large body (a year index, the feed: megabytes) is not bound as a
     * value: sqlite would copy it whole into the record it builds, next to
     * the caller's copy.  The row gets a zeroblob of its size and the bytes
     * are written into it. */
    int stream = f->body && f->body_len >= STORE_BLOB_STREAM && f->body_len <= INT_MAX;
    int err;

    /* The row, its body and the end of the URL's failure under one
     * savepoint: one commit a fetched page (its WAL frames and its round
     * of file locks), where each statement on its own commits once. */
    err = exec_stmt(st, stmt(st, SQ_SAVE), "save fetch");
    if (err < 0)
        return err;
    s = stmt(st, SQ_FETCH_PUT);
    sqlite3_bind_text(s, 1, f->url, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, f->status);
    sqlite3_bind_int64(s, 3, f->fetched_at);
    bind_opt_text(s, 4, f->etag);
    bind_opt_text(s, 5, f->last_modified);
    if (!f->body)
        sqlite3_bind_null(s, 6);
    else if (!stream)
        sqlite3_bind_blob64(s, 6, f->body, f->body_len, SQLITE_STATIC);
    else
        sqlite3_bind_zeroblob64(s, 6, f->body_len);
    err = exec_stmt(st, s, "save fetch");
    if (err == 0 && stream)
        err = blob_fill(st, sqlite3_last_insert_rowid(st->db), f->body, f->body_len);
    if (err == 0) {
        s = stmt(st, SQ_FAILED_DEL);
        sqlite3_bind_text(s, 1, f->url, -1, SQLITE_STATIC);
        err = exec_stmt(st, s, "clear failure");
    }
    if (err < 0 && !sqlite3_get_autocommit(st->db)) {
        /* keep the first message; the row is not left half-written */
        sqlite3_reset(st->stmt[SQ_SAVE_UNDO]);
        sqlite3_step(st->stmt[SQ_SAVE_UNDO]);
        sqlite3_reset(st->stmt[SQ_SAVE_UNDO]);
    }
    if (!sqlite3_get_autocommit(st->db) || err == 0) {
        int rerr = exec_stmt(st, stmt(st, SQ_SAVE_RELEASE), "save fetch");

        if (err == 0)
            err = rerr;
    }
    return err;
}

/* The row of 'url' by statement 'which' (its columns as SQ_FETCH_GET's,
 * the body, column 4, only when the statement has it). */
static int fetch_row(struct store_fetch *out, struct store *st, enum store_stmt which,
                     const char *url)
{
    sqlite3_stmt *s = stmt(st, which);
    int rc, err = 0;

    memset(out, 0, sizeof(*out));
    sqlite3_bind_text(s, 1, url, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        err = nsc_error_set(NSC_ENOTFOUND, "no fetch of '%s' in '%s'", url, st->db_path);
    } else if (rc != SQLITE_ROW) {
        err = db_error(st, "look up fetch");
    } else {
        out->url = xstrdup(url);
        out->status = sqlite3_column_int(s, 0);
        out->fetched_at = sqlite3_column_int64(s, 1);
        out->etag = col_strdup(s, 2);
        out->last_modified = col_strdup(s, 3);
        if (sqlite3_column_count(s) > 4 && sqlite3_column_type(s, 4) != SQLITE_NULL) {
            const void *p = sqlite3_column_blob(s, 4);
            size_t n = (size_t)sqlite3_column_bytes(s, 4);

            out->body = xmalloc(n + 1);
            if (n)
                memcpy(out->body, p, n);
            out->body[n] = '\0';
            out->body_len = n;
        }
    }
    sqlite3_reset(s);
    return err;
}

int store_fetch_get(struct store_fetch *out, struct store *st, const char *url)
{
    return fetch_row(out, st, SQ_FETCH_GET, url);
}

int store_fetch_validators(struct store_fetch *out, struct store *st, const char *url)
{
    return fetch_row(out, st, SQ_FETCH_VALIDATORS, url);
}

void store_fetch_release(struct store_fetch *f)
{
    free(f->url);
    free(f->etag);
    free(f->last_modified);
    free(f->body);
    memset(f, 0, sizeof(*f));
}

int store_failed_add(struct store *st, const char *url, const char *error)
{
    sqlite3_stmt *s = stmt(st, SQ_FAILED_ADD);

    sqlite3_bind_text(s, 1, url, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, error ? error : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, nsc_wall_s());
    return exec_stmt(st, s, "record failure");
}

int store_failed_get(int *attempts, char **error, struct store *st, const char *url)
{
    sqlite3_stmt *s = stmt(st, SQ_FAILED_GET);
    int rc, err = 0;

    if (attempts)
        *attempts = 0;
    if (error)
        *error = NULL;
    sqlite3_bind_text(s, 1, url, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        err = nsc_error_set(NSC_ENOTFOUND, "no failure of '%s' in '%s'", url, st->db_path);
    } else if (rc != SQLITE_ROW) {
        err = db_error(st, "look up failure");
    } else {
        if (attempts)
            *attempts = sqlite3_column_int(s, 0);
        if (error)
            *error = col_strdup(s, 1);
    }
    sqlite3_reset(s);
    return err;
}

int store_failed_clear(struct store *st, const char *url)
{
    sqlite3_stmt *s = stmt(st, SQ_FAILED_DEL);

    sqlite3_bind_text(s, 1, url, -1, SQLITE_STATIC);
    return exec_stmt(st, s, "clear failure");
}

int store_run_begin(int64_t *id_out, struct store *st)
{
    sqlite3_stmt *s;
    int err;

    *id_out = 0;
    s = stmt(st, SQ_RUN_BEGIN);
    sqlite3_bind_int(s, 1, st->year);
    sqlite3_bind_int64(s, 2, nsc_wall_s());
    err = exec_stmt(st, s, "begin run");
    if (!err)
        *id_out = sqlite3_last_insert_rowid(st->db);
    return err;
}

int store_run_end(struct store *st, int64_t id, const char *state, int64_t papers, int64_t failed)
{
    sqlite3_stmt *s;
    int err, cerr;

    /* The queued marks first, so a run is never "done" before its papers
     * are; the run's end is recorded even if that failed. */
    cerr = store_commit(st);
    s = stmt(st, SQ_RUN_END);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, nsc_wall_s());
    sqlite3_bind_text(s, 3, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, papers);
    sqlite3_bind_int64(s, 5, failed);
    err = exec_stmt(st, s, "end run");
    if (!err && sqlite3_changes(st->db) == 0)
        err = nsc_error_set(NSC_ENOTFOUND, "no crawl run %lld in '%s'", (long long)id, st->db_path);
    /* When only the commit failed, its message is still the last one. */
    return err < 0 ? err : cerr;
}

int store_run_last(struct store_run *out, struct store *st)
{
    sqlite3_stmt *s = stmt(st, SQ_RUN_LAST);
    int rc, err = 0;

    memset(out, 0, sizeof(*out));
    sqlite3_bind_int(s, 1, st->year);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        err = nsc_error_set(NSC_ENOTFOUND, "no crawl run of %d in '%s'", st->year, st->db_path);
    } else if (rc != SQLITE_ROW) {
        err = db_error(st, "look up run");
    } else {
        const unsigned char *state = sqlite3_column_text(s, 6);

        out->id = sqlite3_column_int64(s, 0);
        out->year = sqlite3_column_int(s, 1);
        out->started = sqlite3_column_int64(s, 2);
        out->finished = sqlite3_column_int64(s, 3);
        out->papers = sqlite3_column_int64(s, 4);
        out->failed = sqlite3_column_int64(s, 5);
        snprintf(out->state, sizeof(out->state), "%s", state ? (const char *)state : "");
    }
    sqlite3_reset(s);
    return err;
}
