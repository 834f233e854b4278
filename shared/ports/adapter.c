/* SPDX-License-Identifier: Apache-2.0 */
/* Choosing a port's adapter by the scheme of its URL, and reading the URL's parameters. */
#include "dlcs/adapter.h"

#include <stdio.h>
#include <string.h>

#include "dlcs/mem.h"

static bool names(const struct dlcs_adapter_name *n, const char *url)
{
    size_t len = strlen(n->scheme);

    return strncmp(url, n->scheme, len) == 0 &&
           (url[len] == '\0' || url[len] == '?' || strncmp(url + len, "://", 3) == 0);
}

enum dlcs_status dlcs_adapter_pick(const char *setting, const char *url, const void *const *table,
                                   size_t count, size_t *index, struct dlcs_error *err)
{
    char forms[512] = "";
    size_t used = 0;

    for (size_t i = 0; i < count; i++)
        if (names(table[i], url)) {
            *index = i;
            return DLCS_OK;
        }
    if (!strstr(url, "://"))
        for (size_t i = 0; i < count; i++)
            if (((const struct dlcs_adapter_name *)table[i])->paths && url[0]) {
                *index = i;
                return DLCS_OK;
            }
    for (size_t i = 0; i < count && used < sizeof forms; i++) {
        int n = snprintf(forms + used, sizeof forms - used, "%s%s", i ? ", " : "",
                         ((const struct dlcs_adapter_name *)table[i])->form);
        used += n > 0 ? (size_t)n : 0;
    }
    return dlcs_error_set(err, DLCS_EINVAL, "%s '%s': unknown adapter (this build has %s)", setting,
                          url, forms);
}

const char *dlcs_adapter_rest(const struct dlcs_adapter_name *name, const char *url)
{
    size_t len = strlen(name->scheme);

    if (strncmp(url, name->scheme, len) == 0 && strncmp(url + len, "://", 3) == 0)
        return url + len + 3;
    return url;
}

char *dlcs_url_without_query(const char *url)
{
    const char *q = strchr(url, '?');

    return q ? dlcs_xstrndup(url, (size_t)(q - url)) : dlcs_xstrdup(url);
}

void dlcs_url_params_init(struct dlcs_url_params *p, const char *url)
{
    const char *q = strchr(url, '?');

    p->next = q && q[1] ? q + 1 : NULL;
}

enum dlcs_status dlcs_url_params_next(struct dlcs_url_params *p, char *name, size_t name_len,
                                      char *value, size_t value_len, struct dlcs_error *err)
{
    const char *pair = p->next, *end, *eq;
    size_t n, v;

    if (!pair)
        return DLCS_ENOTFOUND;
    end = strchr(pair, '&');
    if (!end)
        end = pair + strlen(pair);
    p->next = *end ? end + 1 : NULL;
    eq = memchr(pair, '=', (size_t)(end - pair));
    if (!eq || eq == pair)
        return dlcs_error_set(err, DLCS_EINVAL, "URL parameter '%.*s' is not name=value",
                              (int)(end - pair), pair);
    n = (size_t)(eq - pair);
    v = (size_t)(end - eq - 1);
    if (n >= name_len || v >= value_len)
        return dlcs_error_set(err, DLCS_EINVAL, "URL parameter '%.*s' is too long",
                              (int)(n < 64 ? n : 64), pair);
    memcpy(name, pair, n);
    name[n] = '\0';
    memcpy(value, eq + 1, v);
    value[v] = '\0';
    return DLCS_OK;
}
