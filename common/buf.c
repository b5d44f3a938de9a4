/* buf.c - the growable byte buffer; invariants are in common.h. */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char empty_buf[1];

void buf_init(struct buf *b)
{
    b->ptr = NULL;
    b->len = 0;
    b->cap = 0;
}

void buf_grow(struct buf *b, size_t extra)
{
    size_t need;

    if (extra > SIZE_MAX - b->len - 1)
        NSC_BUG("buffer size overflow");
    need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    if (b->cap * 2 > need)
        need = b->cap * 2;
    if (need < 64)
        need = 64;
    b->ptr = xrealloc(b->cap ? b->ptr : NULL, need);
    if (b->cap == 0)
        b->ptr[b->len] = '\0';
    b->cap = need;
}

void buf_append(struct buf *b, const void *data, size_t len)
{
    buf_grow(b, len);
    if (len)
        memcpy(b->ptr + b->len, data, len);
    b->len += len;
    b->ptr[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
    buf_grow(b, 1);
    b->ptr[b->len++] = c;
    b->ptr[b->len] = '\0';
}

void buf_vappendf(struct buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    buf_grow(b, 64);
    va_copy(cp, ap);
    n = vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, cp);
    va_end(cp);
    if (n < 0)
        NSC_BUG("vsnprintf failed for '%s'", fmt);
    if ((size_t)n >= b->cap - b->len) {
        buf_grow(b, (size_t)n);
        n = vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, ap);
    }
    b->len += (size_t)n;
}

void buf_appendf(struct buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    buf_vappendf(b, fmt, ap);
    va_end(ap);
}

void buf_truncate(struct buf *b, size_t len)
{
    if (len >= b->len)
        return;
    b->len = len;
    b->ptr[len] = '\0';
}

void buf_reset(struct buf *b)
{
    buf_truncate(b, 0);
}

const char *buf_cstr(const struct buf *b)
{
    return b->cap ? b->ptr : empty_buf;
}

char *buf_detach(struct buf *b, size_t *len_out)
{
    char *p;

    if (!b->cap)
        buf_grow(b, 0);
    p = b->ptr;
    if (len_out)
        *len_out = b->len;
    buf_init(b);
    return p;
}

void buf_release(struct buf *b)
{
    if (b->cap)
        free(b->ptr);
    buf_init(b);
}

void buf_attach(struct buf *b, char *ptr, size_t len, size_t alloc)
{
    if (alloc <= len || ptr[len] != '\0')
        NSC_BUG("buf_attach: %zu bytes in %zu, or no NUL after them", len, alloc);
    buf_release(b);
    b->ptr = ptr;
    b->len = len;
    b->cap = alloc;
}
