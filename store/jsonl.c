/* jsonl.c - the records file: load and repair, append, read back, compact. */
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Map errno to NSC_ENOSPC or NSC_EIO with a message naming the file. */
int store__io_error(int e, const char *what, const char *path)
{
    return nsc_error_set(e == ENOSPC || e == EDQUOT ? NSC_ENOSPC : NSC_EIO, "cannot %s '%s': %s",
                         what, path, strerror(e));
}

/* FNV-1a 64: a cheap, stable fingerprint of a record line (not for security). */
uint64_t store__fnv1a(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 14695981039346656037ULL;

    while (len--) {
        h ^= *p++;
        h *= 1099511628211ULL;
    }
    return h;
}

static size_t slot_of(const struct store *st, const char *id)
{
    return (size_t)(store__fnv1a(id, strlen(id)) & (st->nslots - 1));
}

/* Find the entry of 'id', or NULL. */
struct store_entry *store__lookup(const struct store *st, const char *id)
{
    size_t i;

    if (!st->nslots)
        return NULL;
    for (i = slot_of(st, id); st->slots[i]; i = (i + 1) & (st->nslots - 1)) {
        struct store_entry *e = &st->ents[st->slots[i] - 1];

        if (!strcmp(e->id, id))
            return e;
    }
    return NULL;
}

static void rehash(struct store *st, size_t nslots)
{
    size_t k;

    free(st->slots);
    st->nslots = nslots;
    st->slots = xcalloc(nslots, sizeof(*st->slots));
    for (k = 0; k < st->nents; k++) {
        size_t i = slot_of(st, st->ents[k].id);

        while (st->slots[i])
            i = (i + 1) & (nslots - 1);
        st->slots[i] = k + 1;
    }
}

/* Point 'id' at a new line; the last line of an id wins. */
static void index_set(struct store *st, const char *id, off_t off, size_t len, uint64_t hash,
                      int canonical)
{
    struct store_entry *e = store__lookup(st, id);

    if (!e) {
        if ((st->nents + 1) * 2 > st->nslots)
            rehash(st, st->nslots ? st->nslots * 2 : 64);
        NSC_GROW(st->ents, st->cap, st->nents + 1);
        e = &st->ents[st->nents++];
        e->id = xstrdup(id);
        {
            size_t i = slot_of(st, id);

            while (st->slots[i])
                i = (i + 1) & (st->nslots - 1);
            st->slots[i] = st->nents;
        }
    }
    e->off = off;
    e->len = len;
    e->hash = hash;
    e->canonical = canonical;
}

static void index_clear(struct store *st)
{
    size_t k;

    for (k = 0; k < st->nents; k++)
        free(st->ents[k].id);
    free(st->ents);
    free(st->slots);
    st->ents = NULL;
    st->slots = NULL;
    st->nents = st->cap = st->nslots = 0;
}

/* The "id" of a parsed line, or NULL when it has none usable. */
static const char *record_id(const json_t *rec)
{
    const json_t *id = json_object_get(rec, "id");
    const char *s;

    if (!json_is_string(id))
        return NULL;
    s = json_string_value(id);
    if (!*s || strchr(s, '\n'))
        return NULL;
    return s;
}

/*
 * Read every line, index it, and cut off a torn last line.  A bad line that
 * is followed by more lines is an error: it cannot come from an interrupted
 * append, so something else damaged the file and a human must look.
 */
static int load(struct store *st)
{
    FILE *f = NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    off_t off = 0;
    long lineno = 0;
    int err = 0;

    f = fopen(st->path, "r");
    if (!f) {
        err = store__io_error(errno, "open", st->path);
        goto out;
    }
    while ((n = getline(&line, &cap, f)) > 0) {
        json_error_t jerr;
        json_t *rec;
        const char *id;
        int whole = line[n - 1] == '\n';
        int last;

        lineno++;
        if (!whole) {
            log_warn("'%s': line %ld has no newline (interrupted write): cut off", st->path,
                     lineno);
            break;
        }
        rec = json_loadb(line, (size_t)n - 1, 0, &jerr);
        if (!rec || !json_is_object(rec) || !(id = record_id(rec))) {
            int c = fgetc(f);

            last = c == EOF;
            /* Only unparsable text can be an interrupted append; a whole
             * JSON value that is not a record was put there by something
             * else, so it is an error like any other line. */
            if (last && !rec && !ferror(f)) {
                log_warn("'%s': last line %ld is not whole JSON (interrupted write): cut off",
                         st->path, lineno);
                break;
            }
            if (!rec)
                err = nsc_error_set(NSC_EPARSE, "'%s': line %ld: invalid JSON: %s (column %d)",
                                    st->path, lineno, jerr.text, jerr.column);
            else
                err = nsc_error_set(NSC_EPARSE,
                                    "'%s': line %ld: not a record (an object with a string \"id\")",
                                    st->path, lineno);
            json_decref(rec);
            goto out;
        }
        /* Written by whatever version: store_finish() dumps it again. */
        index_set(st, id, off, (size_t)n - 1, store__fnv1a(line, (size_t)n - 1), 0);
        json_decref(rec);
        off += n;
    }
    if (ferror(f)) {
        err = store__io_error(errno, "read", st->path);
        goto out;
    }
    st->end = off;
out:
    free(line);
    if (f)
        fclose(f);
    return err;
}

/* fsync the directory holding the store, so a create or rename is durable. */
static int sync_dir(struct store *st)
{
    int dfd, err = 0;

    if (st->flags & STORE_F_NOSYNC)
        return 0;
    dfd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return store__io_error(errno, "open directory", st->dir);
    if (fsync(dfd) < 0 && errno != EINVAL)
        err = store__io_error(errno, "fsync directory", st->dir);
    close(dfd);
    return err;
}

/* Open the records file, load its index and repair a torn end. */
int store__records_open(struct store *st)
{
    struct stat sb;
    int err;

    /* A temp file from a store_finish() that was interrupted: the rename did
     * not happen, so the old file is still the truth. */
    if (unlink(st->tmp_path) < 0 && errno != ENOENT)
        return store__io_error(errno, "remove", st->tmp_path);
    st->fd = open(st->path, O_RDWR | O_APPEND | O_CLOEXEC);
    if (st->fd < 0 && errno == ENOENT) {
        /* New file: make its name durable before any paper can be marked. */
        st->fd = open(st->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (st->fd >= 0 && (err = sync_dir(st)) < 0)
            return err;
    }
    if (st->fd < 0)
        return store__io_error(errno, "open", st->path);
    err = load(st);
    if (err < 0)
        return err;
    if (fstat(st->fd, &sb) < 0)
        return store__io_error(errno, "stat", st->path);
    if (sb.st_size > st->end) {
        if (ftruncate(st->fd, st->end) < 0)
            return store__io_error(errno, "truncate", st->path);
        if (!(st->flags & STORE_F_NOSYNC) && fsync(st->fd) < 0)
            return store__io_error(errno, "fsync", st->path);
        log_notice("'%s': cut %lld bytes of a torn last line", st->path,
                   (long long)(sb.st_size - st->end));
    }
    return 0;
}

void store__records_close(struct store *st)
{
    if (st->fd >= 0)
        close(st->fd);
    st->fd = -1;
    index_clear(st);
    buf_release(&st->line);
}

static int dump_cb(const char *data, size_t size, void *payload)
{
    buf_append(payload, data, size);
    return 0;
}

/*
 * Dump 'rec' as one canonical line (with its newline) after what 'out'
 * holds.  json_dumpb() writes into the buffer's free room itself, where a
 * callback would cost a call per token; when the room is short it says
 * how much the line needs, and the dump runs again into that much.
 */
static int dump_line(struct buf *out, const json_t *rec)
{
    size_t room, n;

    buf_grow(out, 4096);
    room = out->cap - out->len - 1;
    n = json_dumpb(rec, out->ptr + out->len, room, STORE_LINE_FLAGS);
    if (n > room) {
        buf_grow(out, n);
        n = json_dumpb(rec, out->ptr + out->len, n, STORE_LINE_FLAGS);
    }
    if (n == 0) /* an object dumps to "{}" at least */
        return nsc_error_set(NSC_EINVAL, "cannot serialise record");
    out->len += n;
    buf_putc(out, '\n');
    return 0;
}

/* Write all of 'len' bytes; on failure the caller undoes the partial write. */
static int write_all(int fd, const char *p, size_t len, const char *path)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return store__io_error(errno, "write", path);
        if (n == 0)
            return store__io_error(ENOSPC, "write", path);
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int store_put(struct store *st, const json_t *record)
{
    struct buf *line = &st->line;
    const char *id;
    int err;

    if (!json_is_object(record) || !(id = record_id(record)))
        return nsc_error_set(NSC_EINVAL, "record has no usable \"id\" (a non-empty string)");
    if (st->broken)
        return nsc_error_set(NSC_EIO,
                             "'%s' ends in a partial line that could not be cut off; "
                             "reopen the store to repair it",
                             st->path);
    buf_reset(line);
    err = dump_line(line, record);
    if (err < 0)
        return err;
    /* One write() per line, so a crash leaves at most one torn line. */
    err = write_all(st->fd, line->ptr, line->len, st->path);
    if (err < 0) {
        /* Shrinking needs no space; if it fails too, store_open() cuts it. */
        if (ftruncate(st->fd, st->end) < 0) {
            log_warn("cannot cut partial line from '%s': %s", st->path, strerror(errno));
            st->broken = 1; /* appending after it would glue two lines together */
        }
        return err;
    }
    index_set(st, id, st->end, line->len - 1, store__fnv1a(line->ptr, line->len - 1), 1);
    st->end += (off_t)line->len;
    return 0;
}

int store_sync(struct store *st)
{
    if (st->flags & STORE_F_NOSYNC)
        return 0;
    if (fdatasync(st->fd) < 0)
        return store__io_error(errno, "fsync", st->path);
    return 0;
}

/* Append the bytes of the current line of 'e' (without its newline) to 'out'. */
static int read_line(struct buf *out, struct store *st, const struct store_entry *e)
{
    size_t got = 0;

    buf_grow(out, e->len);
    while (got < e->len) {
        ssize_t n = pread(st->fd, out->ptr + out->len + got, e->len - got, e->off + (off_t)got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return store__io_error(errno, "read", st->path);
        if (n == 0)
            return nsc_error_set(NSC_EIO, "'%s' shrank under us at offset %lld", st->path,
                                 (long long)e->off);
        got += (size_t)n;
    }
    out->len += got;
    out->ptr[out->len] = '\0';
    return 0;
}

/* Read and parse the current line of 'e'. */
static int read_entry(json_t **out, struct store *st, const struct store_entry *e,
                      struct buf *scratch)
{
    json_error_t jerr;
    int err;

    buf_reset(scratch);
    err = read_line(scratch, st, e);
    if (err < 0)
        return err;
    *out = json_loadb(scratch->ptr, scratch->len, 0, &jerr);
    if (!*out)
        return nsc_error_set(NSC_EPARSE, "'%s': record '%s' at offset %lld: %s", st->path, e->id,
                             (long long)e->off, jerr.text);
    return 0;
}

int store_get(json_t **out, struct store *st, const char *id)
{
    struct buf scratch = BUF_INIT;
    const struct store_entry *e = store__lookup(st, id);
    int err;

    *out = NULL;
    if (!e)
        return nsc_error_set(NSC_ENOTFOUND, "no record '%s' in '%s'", id, st->path);
    err = read_entry(out, st, e, &scratch);
    buf_release(&scratch);
    return err;
}

int store_has(const struct store *st, const char *id)
{
    return store__lookup(st, id) != NULL;
}

size_t store_count(const struct store *st)
{
    return st->nents;
}

static int cmp_entry_id(const void *a, const void *b)
{
    const struct store_entry *const *x = a, *const *y = b;

    return strcmp((*x)->id, (*y)->id);
}

/* The entries sorted by id; the caller frees the array (not the entries). */
static struct store_entry **sorted_entries(const struct store *st)
{
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): array of pointers, as meant */
    struct store_entry **v = xcalloc(st->nents ? st->nents : 1, sizeof(*v));
    size_t k;

    for (k = 0; k < st->nents; k++)
        v[k] = &st->ents[k];
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): array of pointers, as meant */
    qsort(v, st->nents, sizeof(*v), cmp_entry_id);
    return v;
}

int store_foreach(struct store *st, store_record_cb cb, void *payload)
{
    return store_foreach_selected(st, NULL, cb, payload);
}

int store_foreach_selected(struct store *st, store_select_cb select, store_record_cb cb,
                           void *payload)
{
    struct store_entry **v = sorted_entries(st);
    struct buf scratch = BUF_INIT;
    size_t k;
    int err = 0;

    for (k = 0; k < st->nents && !err; k++) {
        json_t *rec;

        if (select && !select(v[k]->id, payload))
            continue;
        err = read_entry(&rec, st, v[k], &scratch);
        if (err < 0)
            break;
        err = cb(v[k]->id, rec, payload);
        json_decref(rec);
    }
    buf_release(&scratch);
    free(v);
    return err;
}

/*
 * Stream the records, sorted, into the temp file, then rename it over the
 * records file.  Each line is parsed and dumped again so lines written by an
 * older version come out in today's canonical form.  Memory stays one
 * record plus the index.
 */
/*
 * 1 when the records file is already what store_finish() would write: one
 * line per id, sorted, back to back from offset 0 to the end, each line in
 * canonical form.  Then store_finish() leaves the file alone, so a re-crawl
 * that changed nothing rewrites nothing (same inode, same mtime).
 */
static int already_canonical(struct store *st, struct store_entry **v, struct buf *scratch,
                             struct buf *line)
{
    off_t off = 0;
    size_t k;

    for (k = 0; k < st->nents; k++) {
        if (v[k]->off != off)
            return 0;
        off += (off_t)v[k]->len + 1;
    }
    if (off != st->end)
        return 0;
    for (k = 0; k < st->nents; k++) {
        json_t *rec;
        int err;

        if (v[k]->canonical)
            continue;
        err = read_entry(&rec, st, v[k], scratch);

        if (err < 0) {
            nsc_error_clear();
            return 0;
        }
        buf_reset(line);
        err = dump_line(line, rec);
        json_decref(rec);
        if (err < 0 || line->len - 1 != v[k]->len ||
            store__fnv1a(line->ptr, line->len - 1) != v[k]->hash) {
            nsc_error_clear();
            return 0;
        }
    }
    return 1;
}

int store_finish(struct store *st)
{
    struct store_entry **v;
    struct buf scratch = BUF_INIT, line = BUF_INIT, chunk = BUF_INIT;
    off_t *offs, off = 0;
    size_t *lens, k;
    uint64_t *hashes;
    int tfd = -1, nfd = -1, err;

    /* The marks of a group commit refer to the lines of the file as it is. */
    err = store_commit(st);
    if (err < 0)
        return err;
    v = sorted_entries(st);
    offs = xcalloc(st->nents ? st->nents : 1, sizeof(*offs));
    lens = xcalloc(st->nents ? st->nents : 1, sizeof(*lens));
    hashes = xcalloc(st->nents ? st->nents : 1, sizeof(*hashes));
    if (already_canonical(st, v, &scratch, &line))
        goto out;
    tfd = open(st->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (tfd < 0) {
        err = store__io_error(errno, "create", st->tmp_path);
        goto out;
    }
    for (k = 0; k < st->nents; k++) {
        json_t *rec;

        buf_reset(&line);
        if (v[k]->canonical) {
            /* Dumped by store_put(): the bytes are already what a dump gives. */
            err = read_line(&line, st, v[k]);
            if (err < 0)
                goto out;
            buf_putc(&line, '\n');
        } else {
            err = read_entry(&rec, st, v[k], &scratch);
            if (err < 0)
                goto out;
            err = dump_line(&line, rec);
            json_decref(rec);
            if (err < 0)
                goto out;
        }
        offs[k] = off;
        lens[k] = line.len - 1;
        /* A canonical line is copied as it is: its hash is the one kept. */
        hashes[k] = v[k]->canonical ? v[k]->hash : store__fnv1a(line.ptr, line.len - 1);
        off += (off_t)line.len;
        buf_append(&chunk, line.ptr, line.len);
        if (chunk.len >= 1 << 16) {
            err = write_all(tfd, chunk.ptr, chunk.len, st->tmp_path);
            if (err < 0)
                goto out;
            buf_reset(&chunk);
        }
    }
    err = write_all(tfd, chunk.ptr, chunk.len, st->tmp_path);
    if (err < 0)
        goto out;
    if (!(st->flags & STORE_F_NOSYNC) && fsync(tfd) < 0) {
        err = store__io_error(errno, "fsync", st->tmp_path);
        goto out;
    }
    if (close(tfd) < 0) {
        tfd = -1;
        err = store__io_error(errno, "close", st->tmp_path);
        goto out;
    }
    tfd = -1;
    nfd = open(st->tmp_path, O_RDWR | O_APPEND | O_CLOEXEC);
    if (nfd < 0) {
        err = store__io_error(errno, "open", st->tmp_path);
        goto out;
    }
    if (rename(st->tmp_path, st->path) < 0) {
        err = store__io_error(errno, "rename over", st->path);
        goto out;
    }
    /* The new file is in place: switch to it before anything else can fail. */
    close(st->fd);
    st->fd = nfd;
    nfd = -1;
    st->end = off;
    for (k = 0; k < st->nents; k++) {
        v[k]->off = offs[k];
        v[k]->len = lens[k];
        v[k]->hash = hashes[k];
        v[k]->canonical = 1;
    }
    err = sync_dir(st);
out:
    if (tfd >= 0)
        close(tfd);
    if (nfd >= 0)
        close(nfd);
    if (err < 0)
        unlink(st->tmp_path);
    buf_release(&scratch);
    buf_release(&line);
    buf_release(&chunk);
    free(offs);
    free(lens);
    free(hashes);
    free(v);
    return err;
}

/* 1 if the file at 'path' holds exactly the bytes of 'b'. */
static int same_content(const char *path, const struct buf *b)
{
    struct buf old = BUF_INIT;
    int same = 0;

    if (nsc_file_read(&old, path, b->len + 1) == 0)
        same = old.len == b->len && memcmp(old.ptr ? old.ptr : "", buf_cstr(b), b->len) == 0;
    nsc_error_clear();
    buf_release(&old);
    return same;
}

int store_write_summary(struct store *st, const json_t *summary)
{
    struct buf b = BUF_INIT;
    char *path = xasprintf("%s/neurips-%d.summary.json", st->dir, st->year);
    int err = 0;

    if (json_dump_callback(summary, dump_cb, &b, JSON_INDENT(2) | JSON_SORT_KEYS) < 0) {
        err = nsc_error_set(NSC_EINVAL, "cannot serialise summary for '%s'", path);
        goto out;
    }
    buf_putc(&b, '\n');
    /* The same bytes are already there: leave the file (and its mtime) alone. */
    if (same_content(path, &b))
        goto out;
    err = nsc_file_replace(path, b.ptr, b.len);
out:
    buf_release(&b);
    free(path);
    return err;
}
