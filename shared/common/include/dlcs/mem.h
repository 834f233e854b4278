/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation in our own code: failure is fatal (logged, then abort), so callers never check. */
#ifndef DLCS_MEM_H
#define DLCS_MEM_H

#include <stdarg.h>
#include <stddef.h>

/* Like malloc/calloc/realloc/strdup, but never return NULL. Free the result with free(). */
void *dlcs_xmalloc(size_t size);
void *dlcs_xcalloc(size_t count, size_t size);
void *dlcs_xrealloc(void *ptr, size_t size);
char *dlcs_xstrdup(const char *s);
/* strdup of the first 'len' bytes of 's' (which need not be terminated), plus a NUL. */
char *dlcs_xstrndup(const char *s, size_t len);
/* dlcs_xstrdup(s), or NULL when 's' is NULL. */
char *dlcs_xstrdup_or_null(const char *s);
/* printf into a new string; free with free(). */
char *dlcs_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* vprintf into a new string; free with free(). */
char *dlcs_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Replace '*slot' with a copy of 'value' (NULL allowed), freeing the old one. */
void dlcs_str_replace(char **slot, const char *value);

#endif /* DLCS_MEM_H */
