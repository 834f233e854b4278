/* SPDX-License-Identifier: Apache-2.0 */
/* file:// and s3:// origins: local files inside an allow-listed root, and S3 URLs. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dlcs/fs.h"
#include "dlcs/mem.h"

#include "origin_internal.h"

/* Percent-decode 'in' (a URL path) into a new string; NULL if it decodes a NUL or is bad. */
static char *url_decode(const char *in)
{
    char *out = dlcs_xmalloc(strlen(in) + 1), *o = out;

    for (const char *p = in; *p; p++) {
        unsigned v;

        if (*p != '%') {
            *o++ = *p;
            continue;
        }
        if (sscanf(p + 1, "%2x", &v) != 1 || v == 0 || !p[1] || !p[2]) {
            free(out);
            return NULL;
        }
        *o++ = (char)v;
        p += 2;
    }
    *o = '\0';
    return out;
}

static bool is_inside(const char *path, const char *root)
{
    size_t n = strlen(root);

    return strncmp(path, root, n) == 0 && (path[n] == '/' || (n > 0 && root[n - 1] == '/'));
}

enum dlcs_status dlcs_origin_fetch_file(const char *origin, const struct dlcs_origin_limits *lim,
                                        const char *dest, struct dlcs_fetch_result *res,
                                        struct dlcs_error *err)
{
    char real[PATH_MAX], root[PATH_MAX];
    const char *p = origin + strlen("file://");
    char *path = NULL;
    struct stat sb;
    enum dlcs_status st;

    if (strncmp(p, "localhost/", 10) == 0)
        p += 9;
    if (!lim->file_root)
        return dlcs_error_set(err, DLCS_EFORBIDDEN,
                              "origin '%s': file:// origins are off (set DLCS_ORIGIN_FILE_ROOT)",
                              origin);
    path = *p == '/' ? url_decode(p) : NULL;
    if (!path)
        return dlcs_error_set(err, DLCS_EINVAL, "origin '%s' is not a file:///absolute/path",
                              origin);
    /* resolve symlinks and ".." on both sides before comparing */
    if (!realpath(lim->file_root, root) || !realpath(path, real)) {
        st = dlcs_error_set(err, DLCS_ENOTFOUND, "origin '%s': no such file", origin);
    } else if (!is_inside(real, root)) {
        st = dlcs_error_set(err, DLCS_EFORBIDDEN,
                            "origin '%s' is outside the allowed directory DLCS_ORIGIN_FILE_ROOT",
                            origin);
    } else if (stat(real, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = dlcs_error_set(err, DLCS_ENOTFOUND, "origin '%s' is not a regular file", origin);
    } else if (sb.st_size > lim->max_bytes) {
        st = dlcs_error_set(err, DLCS_ETOOLARGE, "origin '%s' is larger than %lld bytes", origin,
                            (long long)lim->max_bytes);
    } else {
        st = dlcs_fs_copy_atomic(real, dest, err);
        res->bytes = (int64_t)sb.st_size;
        res->attempts = 1;
    }
    free(path);
    return st;
}

/* Keys are sent as given except bytes outside the unreserved set and '/'. */
static char *encode_key(const char *key)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = dlcs_xmalloc(strlen(key) * 3 + 1), *o = out;

    for (const unsigned char *k = (const unsigned char *)key; *k; k++) {
        if ((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') ||
            strchr("-._~/", *k)) {
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

enum dlcs_status dlcs_origin_s3_url(const char *origin, const struct dlcs_origin_limits *lim,
                                    char **url, struct dlcs_error *err)
{
    const char *bucket = origin + strlen("s3://");
    const char *slash = strchr(bucket, '/');
    char *endpoint, *key;

    *url = NULL;
    if (!slash || slash == bucket || !slash[1])
        return dlcs_error_set(err, DLCS_EINVAL, "origin '%s' is not s3://bucket/key", origin);
    endpoint = lim->s3_endpoint && *lim->s3_endpoint
                   ? dlcs_xstrdup(lim->s3_endpoint)
                   : dlcs_xasprintf("https://s3.%s.amazonaws.com",
                                    lim->s3_region ? lim->s3_region : "us-east-1");
    key = encode_key(slash + 1);
    *url = dlcs_xasprintf("%s/%.*s/%s", endpoint, (int)(slash - bucket), bucket, key);
    free(key);
    free(endpoint);
    return DLCS_OK;
}
