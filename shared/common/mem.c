/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation wrappers that abort on failure (a pod over its limit is OOM-killed anyway). */
#include "dlcs/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static _Noreturn void out_of_memory(size_t size)
{
    char buf[96];
    int n = snprintf(buf, sizeof buf, "level=error msg=\"out of memory\" size=%zu\n", size);

    if (n > 0)
        (void)!write(STDERR_FILENO, buf, (size_t)n);
    abort();
}

void *dlcs_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);

    if (!p)
        out_of_memory(size);
    return p;
}

void *dlcs_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);

    if (!p)
        out_of_memory(count * size);
    return p;
}

void *dlcs_xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);

    if (!p)
        out_of_memory(size);
    return p;
}

char *dlcs_xstrndup(const char *s, size_t len)
{
    char *p = dlcs_xmalloc(len + 1);

    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *dlcs_xstrdup(const char *s)
{
    return dlcs_xstrndup(s, strlen(s));
}

char *dlcs_xstrdup_or_null(const char *s)
{
    return s ? dlcs_xstrdup(s) : NULL;
}

char *dlcs_xvasprintf(const char *fmt, va_list ap)
{
    va_list copy;
    int n;
    char *p;

    va_copy(copy, ap);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        out_of_memory(0);
    p = dlcs_xmalloc((size_t)n + 1);
    (void)vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *dlcs_xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *p;

    va_start(ap, fmt);
    p = dlcs_xvasprintf(fmt, ap);
    va_end(ap);
    return p;
}

void dlcs_str_replace(char **slot, const char *value)
{
    char *copy = dlcs_xstrdup_or_null(value);

    free(*slot);
    *slot = copy;
}
