/*
 * common.h - the pieces every nipscope component shares: error codes with a
 * message kept on the side, allocation that cannot fail, a growable buffer,
 * levelled logging and a few file helpers.
 *
 * This component depends on nothing but libc.
 *
 * Errors: functions that can fail return int, 0 on success or a negative
 * NSC_E* code.  The human-readable message is stored per thread with
 * nsc_error_set() and read back with nsc_error_last().  Pass a lower-level
 * error up unchanged; do not overwrite its message.
 *
 * Allocation: x*alloc() abort the process on out-of-memory, so callers never
 * check for NULL and buffer functions return void.
 *
 * struct buf invariants (as git's strbuf):
 *   - ptr is never NULL once a function below has touched the buffer, and
 *     buf_cstr() never returns NULL, even for BUF_INIT;
 *   - ptr[len] == '\0' after any append; len excludes the NUL;
 *   - cap is the allocated size, always > len when ptr is owned.
 */
#ifndef NSC_COMMON_H
#define NSC_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define NSC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define NSC_NORETURN     __attribute__((noreturn))
#else
#define NSC_PRINTF(f, a)
#define NSC_NORETURN
#endif

#define NSC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- errors ------------------------------------------------------------ */

enum nsc_err {
    NSC_OK = 0,
    NSC_ERR = -1,        /* generic failure */
    NSC_ENOTFOUND = -2,  /* a file, key, URL or record is absent */
    NSC_EPARSE = -3,     /* malformed input: YAML, JSON, HTML, a command line */
    NSC_EIO = -4,        /* a system call on a file failed */
    NSC_ENET = -5,       /* a network transfer failed */
    NSC_ELIMIT = -6,     /* a size, time or count cap was reached */
    NSC_EINVAL = -7,     /* a valid-looking value that is not acceptable */
    NSC_ELOCKED = -8,    /* another process holds the lock */
    NSC_ENOSPC = -9,     /* the disk is full */
    NSC_ETEMPLATE = -10, /* a page whose structure no profile recognises */
    NSC_ECRASH = -11     /* a worker process died, hung or answered nonsense */
};

/*
 * Format a message into this thread's error slot and return 'code', so a
 * caller can write `return nsc_error_set(NSC_EPARSE, "...")`.
 */
int nsc_error_set(int code, const char *fmt, ...) NSC_PRINTF(2, 3);
#if defined(__clang_analyzer__) && !defined(NSC_ERROR_IMPL)
/* For clang-tidy's static analyzer only (never in a build): it cannot see into error.c, so
 * it takes every `return nsc_error_set(NSC_E..., ...)` as possibly returning 0 and reports
 * the outputs of the failed call as used uninitialised.  This spells out the contract. */
#define nsc_error_set(code, ...) (nsc_error_set((code), __VA_ARGS__), (code))
#endif

/* As nsc_error_set(), taking a va_list. */
int nsc_error_setv(int code, const char *fmt, va_list ap) NSC_PRINTF(2, 0);

/*
 * Prefix the current message with "prefix: " (for example a file name that
 * only the caller knows) and return 'code'.
 */
int nsc_error_prefix(int code, const char *fmt, ...) NSC_PRINTF(2, 3);

/* The last message set on this thread; never NULL ("" when none). */
const char *nsc_error_last(void);

/* Forget the last message. */
void nsc_error_clear(void);

/* A short fixed name for a code: "parse error", "I/O error", ... */
const char *nsc_strerror(int code);

/* Programmer errors: print where and abort. */
NSC_NORETURN void nsc_bug(const char *file, int line, const char *fmt, ...) NSC_PRINTF(3, 4);
#define NSC_BUG(...) nsc_bug(__FILE__, __LINE__, __VA_ARGS__)

/* ---- allocation -------------------------------------------------------- */

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* realloc(p, nmemb * size), aborting on multiplication overflow. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* A newly allocated printf result. */
char *xasprintf(const char *fmt, ...) NSC_PRINTF(1, 2);

/*
 * Grow a dynamic array 'ptr' of 'n' used and 'cap' allocated items so that
 * it holds at least 'want' items.  Amortised doubling.
 */
#define NSC_GROW(ptr, cap, want)                                                                   \
    do {                                                                                           \
        if ((want) > (cap)) {                                                                      \
            size_t nsc_grow_c_ = (cap) ? (cap) : 8;                                                \
            while (nsc_grow_c_ < (want))                                                           \
                nsc_grow_c_ *= 2;                                                                  \
            (ptr) = xreallocarray((ptr), nsc_grow_c_, sizeof(*(ptr)));                             \
            (cap) = nsc_grow_c_;                                                                   \
        }                                                                                          \
    } while (0)

/* ---- growable buffer --------------------------------------------------- */

struct buf {
    char *ptr;
    size_t len;
    size_t cap;
};

/* clang-format off */
#define BUF_INIT { NULL, 0, 0 }
/* clang-format on */

void buf_init(struct buf *b);
/* Make room for 'extra' more bytes beyond len (plus the NUL). */
void buf_grow(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_appendf(struct buf *b, const char *fmt, ...) NSC_PRINTF(2, 3);
void buf_vappendf(struct buf *b, const char *fmt, va_list ap) NSC_PRINTF(2, 0);
/* Shorten to 'len' bytes (no-op if already shorter). */
void buf_truncate(struct buf *b, size_t len);
/* Empty the buffer and keep its allocation. */
void buf_reset(struct buf *b);
/* The contents as a C string; "" for an untouched buffer, never NULL. */
const char *buf_cstr(const struct buf *b);
/* Hand the allocation to the caller (never NULL) and reset 'b' to empty. */
char *buf_detach(struct buf *b, size_t *len_out);
/* Free the allocation; 'b' is BUF_INIT afterwards. */
void buf_release(struct buf *b);
/*
 * Take over 'ptr' (from xmalloc(), 'alloc' bytes, holding 'len' bytes and a
 * NUL at ptr[len], so alloc > len) without copying; what 'b' held is freed.
 */
void buf_attach(struct buf *b, char *ptr, size_t len, size_t alloc);

/* ---- logging ----------------------------------------------------------- */

enum log_level { LOG_ERR = 3, LOG_WARN = 4, LOG_NOTICE = 5, LOG_INFO = 6, LOG_DEBUG = 7 };

/* Messages above this level are not formatted at all.  Default LOG_NOTICE. */
extern int nsc_log_level;

/*
 * Write one line to stderr.  Under systemd (JOURNAL_STREAM set) the line is
 * prefixed "<N>" so journald records its priority; otherwise with an ISO 8601
 * UTC timestamp and the level name.
 */
void log_msg(int level, const char *fmt, ...) NSC_PRINTF(2, 3);

#define log_at(lvl, ...)                                                                           \
    do {                                                                                           \
        if ((lvl) <= nsc_log_level)                                                                \
            log_msg((lvl), __VA_ARGS__);                                                           \
    } while (0)
#define log_err(...)    log_at(LOG_ERR, __VA_ARGS__)
#define log_warn(...)   log_at(LOG_WARN, __VA_ARGS__)
#define log_notice(...) log_at(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)   log_at(LOG_INFO, __VA_ARGS__)
#define log_debug(...)  log_at(LOG_DEBUG, __VA_ARGS__)

/* ---- files and strings ------------------------------------------------- */

/*
 * Read the whole of 'path' into 'out' (appending).  Fails with NSC_ENOTFOUND
 * if it does not exist, NSC_ELIMIT if it is larger than 'max' bytes, NSC_EIO
 * otherwise; the message names the path.
 */
int nsc_file_read(struct buf *out, const char *path, size_t max);

/*
 * Replace 'path' atomically with 'len' bytes of 'data': write a temporary
 * file beside it, fsync it, rename it over 'path', fsync the directory.
 * On failure 'path' is untouched.  NSC_ENOSPC when the disk is full.
 */
int nsc_file_replace(const char *path, const void *data, size_t len);

/*
 * A file name made from 's' (a paper id, say) that stays in its directory
 * whatever 's' holds: letters, digits, '-' and '_' kept (at most 100), every
 * other byte '_'; when anything was changed or cut, or nothing is left, "-"
 * and the 16 hex digits of the FNV-1a hash of 's' are appended, so two ids
 * never share a name.  Never "", ".", ".." or anything with '/'.  The
 * caller frees it.
 */
char *nsc_file_name(const char *s);

/*
 * Line and column, from 1, of byte 'offset' of the 'len' bytes of 'text'
 * (an offset past the end counts as the end).  The column counts characters
 * (UTF-8 lead bytes), as libyaml's marks do, so a message about a byte a
 * parser reports only by its offset (libyaml's reader errors: a NUL byte,
 * invalid UTF-8) can say FILE:LINE:COL like every other.
 */
void nsc_text_position(const char *text, size_t len, size_t offset, size_t *line, size_t *col);

/* 1 if 's' is valid UTF-8 of 'len' bytes (no overlongs, no surrogates). */
int nsc_utf8_valid(const char *s, size_t len);

/*
 * Decode the UTF-8 sequence at the start of 's' ('len' > 0 bytes available):
 * the code point, its length in *n.  -1, with *n = 1, for an invalid or
 * truncated sequence, an overlong form, a surrogate or a value > U+10FFFF.
 */
long nsc_utf8_decode(const char *s, size_t len, size_t *n);

/* Case-insensitive ASCII comparisons, locale-independent. */
int nsc_strcasecmp(const char *a, const char *b);
int nsc_strncasecmp(const char *a, const char *b, size_t n);

/* 1 if 's' starts with 'prefix'. */
int nsc_starts_with(const char *s, const char *prefix);

/* Monotonic time in milliseconds, and wall-clock time in seconds. */
uint64_t nsc_now_ms(void);
int64_t nsc_wall_s(void);

#endif
