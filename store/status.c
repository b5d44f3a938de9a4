/*
 * status.c - the state DB on its own: service rows and per-year run facts,
 * for a long-running service and for `nipscope status`.  No lock is taken:
 * SQLite (WAL) lets this connection read and write beside a crawler's.
 */
#include "store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char services_sql[] = "CREATE TABLE IF NOT EXISTS services ("
                                   "  name TEXT PRIMARY KEY,"
                                   "  pid INTEGER NOT NULL,"
                                   "  state TEXT NOT NULL,"
                                   "  status TEXT NOT NULL,"
                                   "  started INTEGER NOT NULL,"
                                   "  updated INTEGER NOT NULL,"
                                   "  next_run INTEGER NOT NULL DEFAULT 0)";

struct store_state {
    char *path;
    sqlite3 *db;
};

int store_state_open(struct store_state **out, const char *dir, unsigned flags)
{
    struct store_state *ss = xcalloc(1, sizeof(*ss));
    struct stat sb;
    int err = 0;

    *out = NULL;
    ss->path = store__db_path(dir);
    if (flags & STORE_STATE_F_READONLY) {
        if (stat(ss->path, &sb) < 0) {
            err =
                nsc_error_set(NSC_ENOTFOUND, "no state DB in '%s' (%s): nothing crawled there yet",
                              dir, ss->path);
            goto out;
        }
        if (sqlite3_open_v2(ss->path, &ss->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK) {
            err = store__sql_error(ss->db, ss->path, "open");
            goto out;
        }
        sqlite3_busy_timeout(ss->db, 5000);
    } else {
        if (mkdir(dir, 0755) < 0 && stat(dir, &sb) < 0) {
            err = store__io_error(errno, "create", dir);
            goto out;
        }
        err = store__db_connect(&ss->db, ss->path, flags);
        if (err < 0)
            goto out;
        /* Only services write this table, so it is made here and store_open()
         * (every crawl) pays nothing for it; readers treat its absence as
         * "no service has run". */
        if (sqlite3_exec(ss->db, services_sql, NULL, NULL, NULL) != SQLITE_OK) {
            err = store__sql_error(ss->db, ss->path, "create the services table");
            goto out;
        }
    }
    *out = ss;
    ss = NULL;
out:
    store_state_free(ss);
    return err;
}

void store_state_free(struct store_state *ss)
{
    if (!ss)
        return;
    if (ss->db)
        sqlite3_close(ss->db);
    free(ss->path);
    free(ss);
}

/* Prepare 'sql'; a missing table (an older DB opened read-only) is NSC_ENOTFOUND. */
static int prepare(sqlite3_stmt **s, struct store_state *ss, const char *sql, const char *what)
{
    if (sqlite3_prepare_v2(ss->db, sql, -1, s, NULL) == SQLITE_OK)
        return 0;
    if (strstr(sqlite3_errmsg(ss->db), "no such table"))
        return nsc_error_set(NSC_ENOTFOUND, "state DB '%s': %s: %s", ss->path, what,
                             sqlite3_errmsg(ss->db));
    return store__sql_error(ss->db, ss->path, what);
}

int store_service_put(struct store_state *ss, const struct store_service *sv)
{
    sqlite3_stmt *s = NULL;
    int err;

    err = prepare(&s, ss,
                  "INSERT OR REPLACE INTO services(name, pid, state, status, started, updated, "
                  "next_run) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                  "write service row");
    if (err < 0)
        return err;
    sqlite3_bind_text(s, 1, sv->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, sv->pid);
    sqlite3_bind_text(s, 3, sv->state, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, sv->status ? sv->status : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, sv->started);
    sqlite3_bind_int64(s, 6, nsc_wall_s());
    sqlite3_bind_int64(s, 7, sv->next_run);
    if (sqlite3_step(s) != SQLITE_DONE)
        err = store__sql_error(ss->db, ss->path, "write service row");
    sqlite3_finalize(s);
    return err;
}

int store_service_get(struct store_service *out, struct store_state *ss, const char *name)
{
    sqlite3_stmt *s = NULL;
    int rc, err;

    memset(out, 0, sizeof(*out));
    err = prepare(&s, ss,
                  "SELECT pid, state, status, started, updated, next_run FROM services "
                  "WHERE name = ?1",
                  "read service row");
    if (err < 0)
        return err;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const unsigned char *state = sqlite3_column_text(s, 1);
        const unsigned char *status = sqlite3_column_text(s, 2);

        snprintf(out->name, sizeof(out->name), "%s", name);
        out->pid = sqlite3_column_int64(s, 0);
        snprintf(out->state, sizeof(out->state), "%s", state ? (const char *)state : "");
        out->status = xstrdup(status ? (const char *)status : "");
        out->started = sqlite3_column_int64(s, 3);
        out->updated = sqlite3_column_int64(s, 4);
        out->next_run = sqlite3_column_int64(s, 5);
    } else if (rc == SQLITE_DONE) {
        err = nsc_error_set(NSC_ENOTFOUND, "state DB '%s': no service '%s'", ss->path, name);
    } else {
        err = store__sql_error(ss->db, ss->path, "read service row");
    }
    sqlite3_finalize(s);
    return err;
}

void store_service_release(struct store_service *sv)
{
    free(sv->status);
    sv->status = NULL;
}

int store_state_years(struct store_year_runs **out, size_t *n, struct store_state *ss)
{
    static const char sql[] =
        "SELECT r.year, r.id, r.started, r.finished, r.papers, r.failed, r.state,"
        " (SELECT max(finished) FROM runs d WHERE d.year = r.year AND d.state = 'done'),"
        " (SELECT count(*) FROM papers p WHERE p.year = r.year)"
        " FROM runs r WHERE r.id = (SELECT max(id) FROM runs x WHERE x.year = r.year)"
        " ORDER BY r.year";
    struct store_year_runs *v = NULL;
    size_t cap = 0, len = 0;
    sqlite3_stmt *s = NULL;
    int rc, err;

    *out = NULL;
    *n = 0;
    err = prepare(&s, ss, sql, "list runs");
    if (err < 0)
        return err;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_year_runs *y;
        const unsigned char *state = sqlite3_column_text(s, 6);

        NSC_GROW(v, cap, len + 1);
        y = &v[len++];
        memset(y, 0, sizeof(*y));
        y->year = sqlite3_column_int(s, 0);
        y->last.year = y->year;
        y->last.id = sqlite3_column_int64(s, 1);
        y->last.started = sqlite3_column_int64(s, 2);
        y->last.finished = sqlite3_column_int64(s, 3);
        y->last.papers = sqlite3_column_int64(s, 4);
        y->last.failed = sqlite3_column_int64(s, 5);
        snprintf(y->last.state, sizeof(y->last.state), "%s", state ? (const char *)state : "");
        y->last_done = sqlite3_column_int64(s, 7);
        y->finished = sqlite3_column_int64(s, 8);
    }
    if (rc != SQLITE_DONE) {
        err = store__sql_error(ss->db, ss->path, "list runs");
        free(v);
        v = NULL;
        len = 0;
    }
    sqlite3_finalize(s);
    *out = v;
    *n = len;
    return err;
}
