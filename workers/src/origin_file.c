/* SPDX-License-Identifier: Apache-2.0 */
/* file:// origins: local files inside an allow-listed root. */
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

/* 'path' (absolute) with "." and ".." segments resolved by text alone, into 'out'. */
static bool lexical_normal(const char *path, char *out, size_t cap)
{
    size_t n = 0;

    out[0] = '\0';
    for (const char *p = path; *p;) {
        size_t len;

        p += strspn(p, "/");
        len = strcspn(p, "/");
        if (len == 0)
            break;
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            while (n > 0 && out[n - 1] != '/')
                n--;
            if (n > 0)
                n--; /* drop the '/' too */
        } else if (!(len == 1 && p[0] == '.')) {
            if (n + len + 2 > cap)
                return false;
            out[n++] = '/';
            memcpy(out + n, p, len);
            n += len;
        }
        out[n] = '\0';
        p += len;
    }
    if (n == 0 && cap > 1)
        (void)snprintf(out, cap, "/");
    return true;
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
    /*
     * Outside the root by its text: refused before the file system is asked, so that the
     * answer never says whether something exists elsewhere. Then symlinks are resolved on
     * both sides, and a link out of the root gets the very same answer.
     */
    if (!realpath(lim->file_root, root) || !lexical_normal(path, real, sizeof real) ||
        !is_inside(real, root)) {
        st = dlcs_error_set(err, DLCS_EFORBIDDEN,
                            "origin '%s' is outside the allowed directory DLCS_ORIGIN_FILE_ROOT",
                            origin);
    } else if (!realpath(path, real)) {
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
