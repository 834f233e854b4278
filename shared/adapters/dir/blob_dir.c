/* SPDX-License-Identifier: Apache-2.0 */
/* The directory blob store: one file per key under a root directory, written atomically. */
#include "dlcs/blob_dir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dlcs/fs.h"
#include "dlcs/mem.h"

struct blob_dir {
    char *root;
};

static void dir_close(void *impl)
{
    struct blob_dir *d = impl;

    if (!d)
        return;
    free(d->root);
    free(d);
}

static char *path_of(const struct blob_dir *d, const char *key)
{
    return dlcs_xasprintf("%s/%s", d->root, key);
}

static enum dlcs_status dir_put_file(void *impl, const char *key, const char *src,
                                     struct dlcs_error *err)
{
    char *path = path_of(impl, key);
    enum dlcs_status st = dlcs_fs_copy_atomic(src, path, err);

    free(path);
    return st;
}

static enum dlcs_status dir_put_bytes(void *impl, const char *key, const void *data, size_t len,
                                      struct dlcs_error *err)
{
    char *path = path_of(impl, key);
    enum dlcs_status st = dlcs_fs_write_atomic(path, data, len, err);

    free(path);
    return st;
}

static enum dlcs_status dir_get_bytes(void *impl, const char *key, size_t max_len, void **data,
                                      size_t *len, struct dlcs_error *err)
{
    char *path = path_of(impl, key);
    FILE *f = fopen(path, "rb");
    struct stat sb;
    enum dlcs_status st = DLCS_OK;
    char *buf = NULL;

    if (!f) {
        st = errno == ENOENT ? dlcs_error_set(err, DLCS_ENOTFOUND, "no blob '%s'", key)
                             : dlcs_error_set(err, DLCS_EUPSTREAM, "cannot read blob '%s'", key);
    } else if (fstat(fileno(f), &sb) != 0 || (size_t)sb.st_size > max_len) {
        st = dlcs_error_set(err, DLCS_ETOOLARGE, "blob '%s' is over %zu bytes", key, max_len);
    } else {
        buf = dlcs_xmalloc((size_t)sb.st_size + 1);
        if (fread(buf, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size)
            st = dlcs_error_set(err, DLCS_EUPSTREAM, "short read of blob '%s'", key);
        buf[sb.st_size] = '\0';
    }
    if (f)
        fclose(f);
    if (st == DLCS_OK) {
        *data = buf;
        *len = (size_t)sb.st_size;
    } else {
        free(buf);
    }
    free(path);
    return st;
}

static enum dlcs_status dir_get_file(void *impl, const char *key, const char *dest, int64_t max_len,
                                     struct dlcs_error *err)
{
    char *path = path_of(impl, key);
    struct stat sb;
    enum dlcs_status st;

    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        st = dlcs_error_set(err, DLCS_ENOTFOUND, "no blob '%s'", key);
    else if ((int64_t)sb.st_size > max_len)
        st = dlcs_error_set(err, DLCS_ETOOLARGE, "blob '%s' is over %lld bytes", key,
                            (long long)max_len);
    else
        st = dlcs_fs_copy_atomic(path, dest, err);
    free(path);
    return st;
}

static enum dlcs_status dir_read_range(void *impl, const char *key, int64_t offset, size_t len,
                                       void *buf, size_t *got, struct dlcs_error *err)
{
    char *path = path_of(impl, key);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    enum dlcs_status st = DLCS_OK;

    if (fd < 0)
        st = errno == ENOENT ? dlcs_error_set(err, DLCS_ENOTFOUND, "no blob '%s'", key)
                             : dlcs_error_set(err, DLCS_EUPSTREAM, "cannot read blob '%s'", key);
    while (st == DLCS_OK && *got < len) {
        ssize_t n = pread(fd, (char *)buf + *got, len - *got, (off_t)(offset + (int64_t)*got));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            st = dlcs_error_set(err, DLCS_EUPSTREAM, "cannot read blob '%s'", key);
        if (n <= 0)
            break;
        *got += (size_t)n;
    }
    if (fd >= 0)
        close(fd);
    free(path);
    return st;
}

static enum dlcs_status dir_size(void *impl, const char *key, int64_t *bytes,
                                 struct dlcs_error *err)
{
    char *path = path_of(impl, key);
    struct stat sb;
    enum dlcs_status st = DLCS_OK;

    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        st = dlcs_error_set(err, DLCS_ENOTFOUND, "no blob '%s'", key);
    else
        *bytes = (int64_t)sb.st_size;
    free(path);
    return st;
}

static enum dlcs_status dir_local_path(void *impl, const char *key, char **out,
                                       struct dlcs_error *err)
{
    (void)err;
    *out = path_of(impl, key);
    return DLCS_OK;
}

static enum dlcs_status dir_remove_prefix(void *impl, const char *prefix, struct dlcs_error *err)
{
    char *path = path_of(impl, prefix);
    enum dlcs_status st = dlcs_fs_remove_tree(path, err);

    free(path);
    return st;
}

static enum dlcs_status dir_free_bytes(void *impl, int64_t *bytes, struct dlcs_error *err)
{
    const struct blob_dir *d = impl;
    enum dlcs_status st = dlcs_fs_free_bytes(d->root, bytes, err);

    if (st != DLCS_OK) /* the root is the operator's: say "blob storage", not its path */
        dlcs_error_redact(err, d->root, "(blob storage)");
    return st;
}

static const struct dlcs_blobstore_ops dir_ops = {
    .name = "file",
    .close = dir_close,
    .put_file = dir_put_file,
    .put_bytes = dir_put_bytes,
    .get_bytes = dir_get_bytes,
    .get_file = dir_get_file,
    .read_range = dir_read_range,
    .size = dir_size,
    .local_path = dir_local_path,
    .remove_prefix = dir_remove_prefix,
    .free_bytes = dir_free_bytes,
};

static enum dlcs_status dir_open(const char *url, const struct dlcs_config *cfg,
                                 struct dlcs_blobstore *out, struct dlcs_error *err)
{
    const char *dir = dlcs_adapter_rest(&dlcs_blob_dir_adapter.name, url);
    struct blob_dir *d;

    (void)cfg; /* a directory has no settings */
    if (!dir[0] || strchr(dir, '?'))
        return dlcs_error_set(err, DLCS_EINVAL,
                              "DLCS_STORAGE '%s': a directory takes a path and no parameters", url);
    if (dlcs_fs_mkdirs(dir, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    d = dlcs_xcalloc(1, sizeof *d);
    d->root = dlcs_xstrdup(dir);
    out->ops = &dir_ops;
    out->impl = d;
    return DLCS_OK;
}

const struct dlcs_blob_adapter dlcs_blob_dir_adapter = {
    {"file", "file:///path/dir (or a plain path)", true},
    dir_open,
};
