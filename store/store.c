/* store.c - opening a store: directory, lock, records, state DB, reconcile. */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCK_NAME ".nipscope.lock"

/* mkdir -p for the store directory. */
static int make_dirs(const char *dir)
{
    char *p = xstrdup(dir);
    char *s;
    int err = 0;

    for (s = p + 1;; s++) {
        char c = *s;

        if (c != '/' && c != '\0')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST) {
            err = store__io_error(errno, "create directory", p);
            break;
        }
        *s = c;
        if (!c)
            break;
    }
    free(p);
    return err;
}

/*
 * flock() the lock file and write our pid in it.  The lock lives as long as
 * the descriptor, so it goes away with the process, even after kill -9.
 */
static int take_lock(struct store *st)
{
    char *path = xasprintf("%s/%s", st->dir, LOCK_NAME);
    char pid[32];
    int n, err = 0;

    st->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (st->lock_fd < 0) {
        err = store__io_error(errno, "open lock file", path);
        goto out;
    }
    if (flock(st->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        long holder = 0;
        ssize_t got;

        if (errno != EWOULDBLOCK) {
            err = store__io_error(errno, "lock", path);
            goto out;
        }
        got = pread(st->lock_fd, pid, sizeof(pid) - 1, 0);
        if (got > 0) {
            pid[got] = '\0';
            holder = strtol(pid, NULL, 10);
        }
        close(st->lock_fd);
        st->lock_fd = -1;
        if (holder > 0)
            err = nsc_error_set(NSC_ELOCKED, "'%s' is in use by another nipscope (pid %ld)",
                                st->dir, holder);
        else
            err = nsc_error_set(NSC_ELOCKED, "'%s' is in use by another nipscope", st->dir);
        goto out;
    }
    n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
    if (ftruncate(st->lock_fd, 0) < 0 || pwrite(st->lock_fd, pid, (size_t)n, 0) != n)
        err = store__io_error(errno, "write lock file", path);
out:
    free(path);
    return err;
}

int store_open(struct store **out, const char *dir, int year, unsigned flags)
{
    struct store *st = xcalloc(1, sizeof(*st));
    int err;

    *out = NULL;
    st->lock_fd = -1;
    st->fd = -1;
    st->flags = flags;
    st->year = year;
    st->dir = xstrdup(dir);
    if (year < 1987 || year > 2999) {
        err = nsc_error_set(NSC_EINVAL, "year %d is out of range (1987-2999)", year);
        goto out;
    }
    if (!*dir) {
        err = nsc_error_set(NSC_EINVAL, "store directory is empty");
        goto out;
    }
    st->path = xasprintf("%s/neurips-%d.jsonl", dir, year);
    st->tmp_path = xasprintf("%s.tmp", st->path);
    err = make_dirs(dir);
    if (err < 0)
        goto out;
    err = take_lock(st);
    if (err < 0)
        goto out;
    err = store__records_open(st);
    if (err < 0)
        goto out;
    err = store__db_open(st);
    if (err < 0)
        goto out;
    err = store__db_reconcile(st);
    if (err < 0)
        goto out;
    *out = st;
    st = NULL;
out:
    store_free(st);
    return err;
}

void store_free(struct store *st)
{
    if (!st)
        return;
    /* Marks still queued are committed: closing is not a crash. */
    if (st->db && st->npending && store_commit(st) < 0)
        log_warn("closing '%s': %s", st->dir, nsc_error_last());
    free(st->pending);
    store__db_close(st);
    store__records_close(st);
    if (st->lock_fd >= 0)
        close(st->lock_fd); /* releases the flock */
    free(st->path);
    free(st->tmp_path);
    free(st->dir);
    free(st);
}

const char *store_dir(const struct store *st)
{
    return st->dir;
}

int store_year(const struct store *st)
{
    return st->year;
}

const char *store_records_path(const struct store *st)
{
    return st->path;
}

void store_hash_line(char out[17], const char *line, size_t len)
{
    snprintf(out, 17, "%016llx", (unsigned long long)store__fnv1a(line, len));
}

/*
 * Durability order: the line is on disk (fdatasync) before the mark is
 * committed, so a crash between the two leaves a record without a mark,
 * which store_open() repairs by marking it; never a mark without a record.
 * With STORE_F_GROUP the fdatasync and the mark wait for store_commit(),
 * in the same order.
 */
int store_put_finished(struct store *st, const json_t *record)
{
    const struct store_entry *e;
    char hash[17];
    int err;

    err = store_put(st, record);
    if (err < 0)
        return err;
    e = store__lookup(st, json_string_value(json_object_get(record, "id")));
    if (!e)
        NSC_BUG("record just written is not indexed");
    if (st->flags & STORE_F_GROUP) {
        NSC_GROW(st->pending, st->pending_cap, st->npending + 1);
        st->pending[st->npending].ent = (size_t)(e - st->ents);
        st->pending[st->npending].hash = e->hash;
        st->npending++;
        return st->npending >= STORE_GROUP_MAX ? store_commit(st) : 0;
    }
    err = store_sync(st);
    if (err < 0)
        return err;
    snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)e->hash);
    return store_paper_mark(st, e->id, hash);
}

/*
 * One fdatasync for every line put since the last commit, then all their
 * marks in one transaction.  After a failure the marks are dropped: the
 * lines on disk are marked by the next store_open()'s reconcile.
 */
int store_commit(struct store *st)
{
    char hash[17];
    size_t k;
    int err;

    if (!st->npending)
        return 0;
    /* After a failed fsync the pages may be gone and a second fsync would
     * not say so: never mark on the strength of a retry. */
    err = store_sync(st);
    /* The batch of marks is the crawl's checkpoint: committed under
     * synchronous=FULL, so the WAL (with every cheaper transaction before
     * it) is on disk when this returns; the rest run under NORMAL. */
    if (err == 0)
        err = store__db_durable(st, 1);
    if (err == 0)
        err = store__db_begin(st);
    for (k = 0; err == 0 && k < st->npending; k++) {
        snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)st->pending[k].hash);
        err = store_paper_mark(st, st->ents[st->pending[k].ent].id, hash);
    }
    if (err == 0)
        err = store__db_commit(st);
    if (err < 0)
        store__db_rollback(st);
    {
        int rerr = store__db_durable(st, 0);

        if (err == 0)
            err = rerr;
    }
    st->npending = 0;
    return err;
}
