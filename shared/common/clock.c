/* SPDX-License-Identifier: Apache-2.0 */
/* Millisecond instants and ISO 8601 UTC formatting, without MT-unsafe libc calls. */
#include "dlcs/clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t dlcs_time_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t dlcs_time_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *dlcs_time_format(int64_t ms, char *buf)
{
    int64_t sec = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    time_t t = (time_t)sec;
    struct tm tm;

    if (!gmtime_r(&t, &tm)) {
        buf[0] = '\0';
        return buf;
    }
    if (snprintf(buf, DLCS_TIME_BUF, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 (int)(ms - sec * 1000)) >= DLCS_TIME_BUF)
        buf[0] = '\0';
    return buf;
}

/* Days from 1970-01-01 to the given civil date (proleptic Gregorian), after H. Hinnant. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int read_digits(const char **p, int count, int *out)
{
    int v = 0;

    for (int i = 0; i < count; i++) {
        if ((*p)[i] < '0' || (*p)[i] > '9')
            return 0;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += count;
    *out = v;
    return 1;
}

static int expect(const char **p, char c)
{
    if (**p != c)
        return 0;
    (*p)++;
    return 1;
}

static int read_fraction_ms(const char **p, int *ms)
{
    int digits = 0, scale = 100;

    *ms = 0;
    if (**p != '.')
        return 1;
    (*p)++;
    while (**p >= '0' && **p <= '9') {
        if (digits < 3) {
            *ms += (**p - '0') * scale;
            scale /= 10;
        }
        digits++;
        (*p)++;
    }
    return digits > 0 && digits <= 9;
}

enum dlcs_status dlcs_time_parse(const char *s, int64_t *ms, struct dlcs_error *err)
{
    const char *p = s;
    int y, mo, d, h, mi, sec, frac;

    if (!read_digits(&p, 4, &y) || !expect(&p, '-') || !read_digits(&p, 2, &mo) ||
        !expect(&p, '-') || !read_digits(&p, 2, &d) || !expect(&p, 'T') ||
        !read_digits(&p, 2, &h) || !expect(&p, ':') || !read_digits(&p, 2, &mi) ||
        !expect(&p, ':') || !read_digits(&p, 2, &sec) || !read_fraction_ms(&p, &frac) ||
        !expect(&p, 'Z') || *p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
        mi > 59 || sec > 60)
        return dlcs_error_set(err, DLCS_EINVAL, "'%s' is not an ISO 8601 UTC time", s);
    *ms = (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) * 1000 + frac;
    return DLCS_OK;
}

void dlcs_time_deadline(struct timespec *until, int64_t ms)
{
    clock_gettime(CLOCK_REALTIME, until);
    until->tv_sec += (time_t)(ms / 1000);
    until->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until->tv_nsec >= 1000000000L) {
        until->tv_sec++;
        until->tv_nsec -= 1000000000L;
    }
}
