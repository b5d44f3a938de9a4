/* error.c - per-thread error message slot, libgit2 style. */
#define NSC_ERROR_IMPL /* defines nsc_error_set itself: no analyzer shim (common.h) */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRMSG_MAX 1024

static _Thread_local char errmsg[ERRMSG_MAX];

int nsc_error_setv(int code, const char *fmt, va_list ap)
{
    vsnprintf(errmsg, sizeof(errmsg), fmt, ap);
    return code;
}

int nsc_error_set(int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    nsc_error_setv(code, fmt, ap);
    va_end(ap);
    return code;
}

int nsc_error_prefix(int code, const char *fmt, ...)
{
    struct buf msg = BUF_INIT;
    va_list ap;
    size_t n;

    va_start(ap, fmt);
    buf_vappendf(&msg, fmt, ap);
    va_end(ap);
    if (errmsg[0]) {
        buf_puts(&msg, ": ");
        buf_puts(&msg, errmsg);
    }
    /* Truncation is fine: the slot keeps the first ERRMSG_MAX - 1 bytes. */
    n = msg.len < ERRMSG_MAX - 1 ? msg.len : ERRMSG_MAX - 1;
    memcpy(errmsg, buf_cstr(&msg), n);
    errmsg[n] = '\0';
    buf_release(&msg);
    return code;
}

const char *nsc_error_last(void)
{
    return errmsg;
}

void nsc_error_clear(void)
{
    errmsg[0] = '\0';
}

const char *nsc_strerror(int code)
{
    switch (code) {
    case NSC_OK:
        return "success";
    case NSC_ENOTFOUND:
        return "not found";
    case NSC_EPARSE:
        return "parse error";
    case NSC_EIO:
        return "I/O error";
    case NSC_ENET:
        return "network error";
    case NSC_ELIMIT:
        return "limit exceeded";
    case NSC_EINVAL:
        return "invalid value";
    case NSC_ELOCKED:
        return "locked by another process";
    case NSC_ENOSPC:
        return "no space left on device";
    case NSC_ETEMPLATE:
        return "template not recognised";
    case NSC_ECRASH:
        return "worker process failed";
    default:
        return "error";
    }
}

void nsc_bug(const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "BUG: %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
