/*
 * http_date.c - HTTP header values the engine acts on: Retry-After.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "crawler_int.h"

long crawler__retry_after_s(const char *value, int64_t now)
{
    char tmp[128];
    size_t n;
    const char *s = value;
    time_t t;

    while (*s == ' ' || *s == '\t')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (n == 0 || n >= sizeof(tmp))
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (isdigit((unsigned char)tmp[0])) {
        char *end;
        long v;

        for (size_t i = 0; i < n; i++)
            if (!isdigit((unsigned char)tmp[i]))
                return -1;
        v = strtol(tmp, &end, 10);
        return v == LONG_MAX ? LONG_MAX : v;
    }
    /* An HTTP-date in any of the three forms RFC 9110 5.6.7 allows. */
    t = curl_getdate(tmp, NULL);
    if (t == (time_t)-1)
        return -1;
    if ((int64_t)t <= now)
        return 0;
    return (int64_t)t - now > LONG_MAX ? LONG_MAX : (long)((int64_t)t - now);
}
