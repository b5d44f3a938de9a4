/* log.c - levelled log lines to stderr, journald-aware. */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int nsc_log_level = LOG_NOTICE;

static const char *level_name(int level)
{
    switch (level) {
    case LOG_ERR:
        return "error";
    case LOG_WARN:
        return "warning";
    case LOG_NOTICE:
        return "notice";
    case LOG_INFO:
        return "info";
    default:
        return "debug";
    }
}

void log_msg(int level, const char *fmt, ...)
{
    struct buf line = BUF_INIT;
    va_list ap;

    if (getenv("JOURNAL_STREAM")) {
        buf_appendf(&line, "<%d>", level);
    } else {
        struct timespec ts;
        struct tm tm;
        char stamp[32];

        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
        buf_appendf(&line, "%s %s: ", stamp, level_name(level));
    }
    va_start(ap, fmt);
    buf_vappendf(&line, fmt, ap);
    va_end(ap);
    buf_putc(&line, '\n');
    fwrite(line.ptr, 1, line.len, stderr);
    buf_release(&line);
}
