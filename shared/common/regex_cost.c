/* SPDX-License-Identifier: Apache-2.0 */
/* The expanded size of an ERE: a linear scan, groups multiplied by the bounds that follow. */
#include "dlcs/regex_cost.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct scan {
    const char *p;
    bool too_many; /* a bound above DLCS_REGEX_MAX_REPEAT */
};

/* After '[': to past the closing ']' (a ']' first is literal, [:class:] is skipped whole). */
static void skip_bracket(struct scan *s)
{
    if (*s->p == '^')
        s->p++;
    if (*s->p == ']')
        s->p++;
    while (*s->p && *s->p != ']') {
        if (s->p[0] == '[' && (s->p[1] == ':' || s->p[1] == '.' || s->p[1] == '=')) {
            const char close[3] = {s->p[1], ']', '\0'};
            const char *end = strstr(s->p + 2, close);

            s->p = end ? end + 2 : s->p + strlen(s->p);
        } else {
            s->p++;
        }
    }
    if (*s->p)
        s->p++;
}

/* Digits at 's->p' as a number (saturating); -1 when there are none. */
static long number(struct scan *s)
{
    long v = -1;

    for (; *s->p >= '0' && *s->p <= '9'; s->p++)
        v = v < 0 ? *s->p - '0' : (v > 100000 ? v : v * 10 + (*s->p - '0'));
    return v;
}

/* After '{': the copies a bound asks for ({m} m, {m,n} n, {m,} m + 1); 1 when malformed. */
static long bound(struct scan *s)
{
    const char *start = s->p;
    long m = number(s), n = m;

    if (m >= 0 && *s->p == ',') {
        s->p++;
        n = *s->p == '}' ? m + 1 : number(s);
    }
    if (m < 0 || n < 0 || *s->p != '}') {
        s->p = start; /* not a bound: regcomp will say what is wrong */
        return 1;
    }
    s->p++;
    if (m > DLCS_REGEX_MAX_REPEAT || n > DLCS_REGEX_MAX_REPEAT)
        s->too_many = true;
    return n > m ? n : m;
}

/* The expanded size of a sequence up to ')' or the end; saturates past the limit. */
static long sequence(struct scan *s, int depth)
{
    long total = 0, last = 0;

    while (*s->p && *s->p != ')' && total <= DLCS_REGEX_MAX_EXPANDED) {
        char c = *s->p++;

        if (c == '(') {
            last = depth < 64 ? sequence(s, depth + 1) : DLCS_REGEX_MAX_EXPANDED + 1;
            if (*s->p == ')')
                s->p++;
            total += last;
        } else if (c == '[') {
            skip_bracket(s);
            last = 1;
            total++;
        } else if (c == '\\') {
            if (*s->p)
                s->p++;
            last = 1;
            total++;
        } else if (c == '{') {
            long copies = bound(s);

            total += last * (copies - 1);
            last *= copies;
        } else if (c == '|') {
            last = 0;
            total++;
        } else {
            last = 1;
            total++;
        }
    }
    return total;
}

enum dlcs_status dlcs_regex_cost_check(const char *pattern, const char *field,
                                       struct dlcs_error *err)
{
    struct scan s = {pattern, false};
    long size;

    if (strlen(pattern) > DLCS_REGEX_MAX_LEN)
        return dlcs_error_set(err, DLCS_EINVAL, "field '%s' is longer than %d bytes", field,
                              DLCS_REGEX_MAX_LEN);
    size = 0;
    while (*s.p && size <= DLCS_REGEX_MAX_EXPANDED) { /* an unbalanced ')' ends a sequence */
        size += sequence(&s, 0);
        if (*s.p == ')')
            s.p++;
    }
    if (s.too_many)
        return dlcs_error_set(err, DLCS_EINVAL, "field '%s': a repetition bound is above %d", field,
                              DLCS_REGEX_MAX_REPEAT);
    if (size > DLCS_REGEX_MAX_EXPANDED)
        return dlcs_error_set(err, DLCS_EINVAL,
                              "field '%s': nested repetitions expand to more than %d elements "
                              "(too costly to compile)",
                              field, DLCS_REGEX_MAX_EXPANDED);
    return DLCS_OK;
}
