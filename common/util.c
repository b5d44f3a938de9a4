/* util.c - whole-file reads, atomic replacement, UTF-8 checks, clocks. */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int nsc_file_read(struct buf *out, const char *path, size_t max)
{
    char chunk[65536];
    size_t start = out->len;
    ssize_t n;
    int fd, err = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return nsc_error_set(errno == ENOENT ? NSC_ENOTFOUND : NSC_EIO, "cannot open '%s': %s",
                             path, strerror(errno));
    }
    for (;;) {
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = nsc_error_set(NSC_EIO, "cannot read '%s': %s", path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        if (out->len - start + (size_t)n > max) {
            err = nsc_error_set(NSC_ELIMIT, "'%s' is larger than %zu bytes", path, max);
            break;
        }
        buf_append(out, chunk, (size_t)n);
    }
    close(fd);
    if (err)
        buf_truncate(out, start);
    else
        buf_grow(out, 0);
    return err;
}

static int io_error(int e, const char *what, const char *path)
{
    return nsc_error_set(e == ENOSPC ? NSC_ENOSPC : NSC_EIO, "cannot %s '%s': %s", what, path,
                         strerror(e));
}

int nsc_file_replace(const char *path, const void *data, size_t len)
{
    struct buf tmp = BUF_INIT;
    struct buf dir = BUF_INIT;
    const char *p = data;
    const char *slash;
    int fd = -1, dfd = -1, err = 0;

    buf_appendf(&tmp, "%s.tmp.%ld", path, (long)getpid());
    fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        err = io_error(errno, "create", tmp.ptr);
        goto out;
    }
    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = io_error(errno, "write", tmp.ptr);
            goto out;
        }
        p += n;
        len -= (size_t)n;
    }
    if (fsync(fd) < 0) {
        err = io_error(errno, "fsync", tmp.ptr);
        goto out;
    }
    if (close(fd) < 0) {
        fd = -1;
        err = io_error(errno, "close", tmp.ptr);
        goto out;
    }
    fd = -1;
    if (rename(tmp.ptr, path) < 0) {
        err = io_error(errno, "rename over", path);
        goto out;
    }
    slash = strrchr(path, '/');
    if (slash)
        buf_append(&dir, path, slash == path ? 1 : (size_t)(slash - path));
    else
        buf_puts(&dir, ".");
    dfd = open(dir.ptr, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0 && fsync(dfd) < 0 && errno != EINVAL)
        err = io_error(errno, "fsync directory", dir.ptr);
out:
    if (fd >= 0)
        close(fd);
    if (dfd >= 0)
        close(dfd);
    if (err && tmp.ptr)
        unlink(tmp.ptr);
    buf_release(&tmp);
    buf_release(&dir);
    return err;
}

long nsc_utf8_decode(const char *str, size_t len, size_t *n)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned c = s[0];
    size_t extra;
    long cp;

    *n = 1;
    if (c < 0x80)
        return (long)c;
    if ((c & 0xE0) == 0xC0) {
        extra = 1;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        extra = 2;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        extra = 3;
        cp = c & 0x07;
    } else {
        return -1;
    }
    if (extra >= len)
        return -1;
    for (size_t k = 1; k <= extra; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    *n = extra + 1;
    return cp;
}

/* Count lines and characters up to the byte, for parsers that give offsets. */
void nsc_text_position(const char *text, size_t len, size_t offset, size_t *line, size_t *col)
{
    size_t l = 1, c = 1;

    if (offset > len)
        offset = len;
    for (size_t i = 0; i < offset; i++) {
        unsigned char b = (unsigned char)text[i];

        if (b == '\n') {
            l++;
            c = 1;
        } else if ((b & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
}

int nsc_utf8_valid(const char *str, size_t len)
{
    size_t i = 0, n;

    while (i < len) {
        if (nsc_utf8_decode(str + i, len - i, &n) < 0)
            return 0;
        i += n;
    }
    return 1;
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

int nsc_strncasecmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int ca = lower((unsigned char)a[i]), cb = lower((unsigned char)b[i]);

        if (ca != cb || !ca)
            return ca - cb;
    }
    return 0;
}

int nsc_strcasecmp(const char *a, const char *b)
{
    return nsc_strncasecmp(a, b, SIZE_MAX);
}

int nsc_starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

uint64_t nsc_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int64_t nsc_wall_s(void)
{
    return (int64_t)time(NULL);
}

/* See common.h. */
char *nsc_file_name(const char *id)
{
    struct buf b = BUF_INIT;
    uint64_t h = 1469598103934665603ULL;
    int changed = 0;

    for (const char *c = id; *c && b.len < 100; c++) {
        int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                 *c == '-' || *c == '_';

        if (ok)
            buf_putc(&b, *c);
        else
            buf_putc(&b, '_');
        changed |= !ok;
    }
    for (const char *c = id; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ULL;
    if (changed || !b.len || strlen(id) >= 100)
        buf_appendf(&b, "-%016llx", (unsigned long long)h);
    return buf_detach(&b, NULL);
}
