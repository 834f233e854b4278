/* SPDX-License-Identifier: Apache-2.0 */
/* Error recording and the single status -> HTTP mapping. */
#include "dlcs/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void strip_newlines(char *s)
{
    for (; *s; s++) {
        if (*s == '\n' || *s == '\r')
            *s = ' ';
    }
}

enum dlcs_status dlcs_error_set(struct dlcs_error *err, enum dlcs_status code, const char *fmt, ...)
{
    va_list ap;

    if (!err || err->code != DLCS_OK)
        return code;
    err->code = code;
    va_start(ap, fmt);
    (void)vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    strip_newlines(err->message);
    return code;
}

void dlcs_error_prefix(struct dlcs_error *err, const char *fmt, ...)
{
    char ctx[128];
    char joined[sizeof err->message];
    va_list ap;
    int n;

    if (!err || err->code == DLCS_OK)
        return;
    va_start(ap, fmt);
    n = vsnprintf(ctx, sizeof ctx, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    n = snprintf(joined, sizeof joined, "%s: %s", ctx, err->message);
    if (n < 0)
        return;
    memcpy(err->message, joined, sizeof joined);
    strip_newlines(err->message);
}

void dlcs_error_clear(struct dlcs_error *err)
{
    if (!err)
        return;
    err->code = DLCS_OK;
    err->message[0] = '\0';
}

void dlcs_error_redact(struct dlcs_error *err, const char *needle, const char *with)
{
    char out[sizeof err->message];
    size_t n = 0, nlen = needle ? strlen(needle) : 0, wlen = strlen(with);
    const char *p;

    if (!err || nlen == 0 || !strstr(err->message, needle))
        return;
    for (p = err->message; *p && n + 1 < sizeof out;) {
        if (strncmp(p, needle, nlen) == 0 && n + wlen + 1 < sizeof out) {
            memcpy(out + n, with, wlen);
            n += wlen;
            p += nlen;
        } else {
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    memcpy(err->message, out, n + 1);
}

struct status_row {
    unsigned http;
    const char *name;
};

static const struct status_row status_rows[] = {
    [DLCS_OK] = {200, "ok"},
    [DLCS_EINVAL] = {400, "invalid"},
    [DLCS_EAUTH] = {401, "unauthorized"},
    [DLCS_EFORBIDDEN] = {403, "forbidden"},
    [DLCS_ENOTFOUND] = {404, "not_found"},
    [DLCS_ECONFLICT] = {409, "conflict"},
    [DLCS_ETOOLARGE] = {413, "too_large"},
    [DLCS_EUNSUPPORTED] = {501, "unsupported"},
    [DLCS_EBUSY] = {503, "busy"},
    [DLCS_EUPSTREAM] = {503, "upstream"},
    [DLCS_EINTERNAL] = {500, "internal"},
    [DLCS_EMETHOD] = {405, "method_not_allowed"},
    [DLCS_ENOSPACE] = {507, "insufficient_storage"},
    [DLCS_ETIMEOUT] = {504, "timeout"},
    [DLCS_EUNPROCESSABLE] = {422, "unprocessable"},
    [DLCS_EORIGIN] = {502, "origin"},
};

unsigned dlcs_status_http(enum dlcs_status code)
{
    if ((size_t)code >= DLCS_ARRAY_LEN(status_rows))
        return 500;
    return status_rows[code].http;
}

const char *dlcs_status_name(enum dlcs_status code)
{
    if ((size_t)code >= DLCS_ARRAY_LEN(status_rows))
        return "internal";
    return status_rows[code].name;
}

_Noreturn void dlcs_assert_fail(const char *expr, const char *file, int line)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "level=error msg=\"assertion failed: %s\" at=%s:%d\n", expr,
                     file, line);

    if (n > 0)
        (void)!write(STDERR_FILENO, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
    abort();
}
