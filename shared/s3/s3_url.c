/* SPDX-License-Identifier: Apache-2.0 */
#include "dlcs/s3_url.h"

#include <stdlib.h>
#include <string.h>

#include "dlcs/mem.h"

bool dlcs_s3_bucket_valid(const char *b, size_t n)
{
    if (n < 3 || n > 63 || b[0] == '.' || b[0] == '-' || b[n - 1] == '.' || b[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((b[i] >= 'a' && b[i] <= 'z') || (b[i] >= '0' && b[i] <= '9') || b[i] == '.' ||
              b[i] == '-'))
            return false;
    return true;
}

bool dlcs_s3_key_has_dot_segment(const char *key)
{
    for (const char *p = key; *p;) {
        size_t n = strcspn(p, "/");

        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return true;
        p += n;
        p += *p == '/';
    }
    return false;
}

char *dlcs_s3_encode(const char *s, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = dlcs_xmalloc(strlen(s) * 3 + 1), *o = out;

    for (const unsigned char *k = (const unsigned char *)s; *k; k++) {
        if ((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') ||
            strchr("-._~", *k) || (keep_slash && *k == '/')) {
            *o++ = (char)*k;
        } else {
            *o++ = '%';
            *o++ = hex[*k >> 4];
            *o++ = hex[*k & 15];
        }
    }
    *o = '\0';
    return out;
}

/* "http(s)://" and a host[:port] of host characters only, nothing after it but one '/'. */
static bool endpoint_valid(const char *e, const char **host)
{
    size_t scheme = strncmp(e, "https://", 8) == 0 ? 8 : strncmp(e, "http://", 7) == 0 ? 7 : 0;
    const char *h = e + scheme;
    size_t n = strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]");

    *host = h;
    return scheme && n > 0 && (h[n] == '\0' || (h[n] == '/' && h[n + 1] == '\0'));
}

enum dlcs_status dlcs_s3_url(const struct dlcs_s3_target *t, const char *key, const char *query,
                             char **url, struct dlcs_error *err)
{
    char *endpoint, *ekey = dlcs_s3_encode(key ? key : "", true);
    const char *host = NULL, *q = query && *query ? "?" : "";

    *url = NULL;
    endpoint = t->endpoint && *t->endpoint
                   ? dlcs_xstrdup(t->endpoint)
                   : dlcs_xasprintf("https://s3.%s.amazonaws.com",
                                    t->region && *t->region ? t->region : "us-east-1");
    if (endpoint[0] && endpoint[strlen(endpoint) - 1] == '/')
        endpoint[strlen(endpoint) - 1] = '\0';
    if (!dlcs_s3_bucket_valid(t->bucket, strlen(t->bucket))) {
        (void)dlcs_error_set(err, DLCS_EINVAL,
                             "S3 bucket '%s' must be 3 to 63 of a-z, 0-9, '.' and '-'", t->bucket);
    } else if (!endpoint_valid(endpoint, &host)) {
        (void)dlcs_error_set(err, DLCS_EINVAL, "S3 endpoint '%s' is not http(s)://host[:port]",
                             endpoint);
    } else if (t->virtual_style) {
        *url = dlcs_xasprintf("%.*s%s.%s/%s%s%s", (int)(host - endpoint), endpoint, t->bucket, host,
                              ekey, q, q[0] ? query : "");
    } else {
        *url = dlcs_xasprintf("%s/%s/%s%s%s", endpoint, t->bucket, ekey, q, q[0] ? query : "");
    }
    free(ekey);
    free(endpoint);
    return *url ? DLCS_OK : DLCS_EINVAL;
}

enum dlcs_status dlcs_s3_split_origin(const char *origin, char **bucket, char **key,
                                      struct dlcs_error *err)
{
    const char *b = origin + (strncmp(origin, "s3://", 5) == 0 ? 5 : 0);
    const char *slash = strchr(b, '/');

    *bucket = *key = NULL;
    if (b == origin || !slash || slash == b || !slash[1])
        return dlcs_error_set(err, DLCS_EINVAL, "origin '%s' is not s3://bucket/key", origin);
    if (!dlcs_s3_bucket_valid(b, (size_t)(slash - b)))
        return dlcs_error_set(err, DLCS_EINVAL,
                              "origin '%s': the bucket must be 3 to 63 of a-z, 0-9, '.' and '-'",
                              origin);
    if (dlcs_s3_key_has_dot_segment(slash + 1))
        return dlcs_error_set(err, DLCS_EINVAL,
                              "origin '%s': the key has an empty, '.' or '..' segment", origin);
    *bucket = dlcs_xstrndup(b, (size_t)(slash - b));
    *key = dlcs_xstrdup(slash + 1);
    return DLCS_OK;
}
