/* SPDX-License-Identifier: Apache-2.0 */
/* Directories, atomic writes (temp + fsync + rename) and tree removal. */
#define _GNU_SOURCE /* copy_file_range */
#include "dlcs/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "dlcs/ids.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"

const char *dlcs_fs_strerror(int errnum, char *buf, size_t len)
{
    /* the XSI strerror_r: _GNU_SOURCE would pick the GNU one, so format it ourselves */
    const char *s = strerrordesc_np(errnum);

    (void)snprintf(buf, len, "%s", s ? s : "unknown error");
    return buf;
}

/*
 * A failed file operation: the path goes to the log (operators need it), never into the
 * message, which reaches clients in answers and in assets' 'error'. A full disk is its own
 * status (507 in answers), so that a caller can say what is wrong and nothing else.
 */
static enum dlcs_status fail_errno(const char *what, const char *path, struct dlcs_error *err)
{
    char why[128];
    int e = errno;

    dlcs_fs_strerror(e, why, sizeof why);
    dlcs_log(DLCS_LOG_WARN, "cannot %s '%s': %s", what, path, why);
    if (e == ENOSPC || e == EDQUOT)
        return dlcs_error_set(err, DLCS_ENOSPACE, "cannot %s a file: the disk is full", what);
    return dlcs_error_set(err, DLCS_EUPSTREAM, "cannot %s a file: %s", what, why);
}

enum dlcs_status dlcs_fs_mkdirs(const char *path, struct dlcs_error *err)
{
    char *p = dlcs_xstrdup(path);
    enum dlcs_status st = DLCS_OK;

    for (char *s = p + 1; *s && st == DLCS_OK; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            st = fail_errno("create directory", p, err);
        *s = '/';
    }
    if (st == DLCS_OK && mkdir(p, 0755) != 0 && errno != EEXIST)
        st = fail_errno("create directory", p, err);
    free(p);
    return st;
}

enum dlcs_status dlcs_fs_mkdirs_for(const char *file_path, struct dlcs_error *err)
{
    const char *slash = strrchr(file_path, '/');
    char *dir;
    enum dlcs_status st;

    if (!slash || slash == file_path)
        return DLCS_OK;
    dir = dlcs_xstrndup(file_path, (size_t)(slash - file_path));
    st = dlcs_fs_mkdirs(dir, err);
    free(dir);
    return st;
}

/* Open a fresh temporary file beside 'path'; '*tmp' gets its name (free()). */
static int open_temp_beside(const char *path, char **tmp, struct dlcs_error *err)
{
    char rnd[17];
    int fd;

    if (dlcs_fs_mkdirs_for(path, err) != DLCS_OK)
        return -1;
    dlcs_id_random_hex(rnd, 8);
    *tmp = dlcs_xasprintf("%s.tmp-%s", path, rnd);
    fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        (void)fail_errno("create", *tmp, err);
    return fd;
}

/* fsync, close and rename 'tmp' over 'path'; on any failure the temporary file is removed. */
static enum dlcs_status commit_temp(int fd, char *tmp, const char *path, enum dlcs_status st,
                                    struct dlcs_error *err)
{
    if (st == DLCS_OK && fsync(fd) != 0)
        st = fail_errno("sync", tmp, err);
    if (close(fd) != 0 && st == DLCS_OK)
        st = fail_errno("close", tmp, err);
    if (st == DLCS_OK && rename(tmp, path) != 0)
        st = fail_errno("rename into place", path, err);
    if (st != DLCS_OK)
        unlink(tmp);
    free(tmp);
    return st;
}

enum dlcs_status dlcs_fs_write_atomic(const char *path, const void *data, size_t len,
                                      struct dlcs_error *err)
{
    char *tmp = NULL;
    const char *p = data;
    enum dlcs_status st = DLCS_OK;
    int fd = open_temp_beside(path, &tmp, err);

    if (fd < 0) {
        free(tmp);
        return DLCS_EUPSTREAM;
    }
    while (len > 0 && st == DLCS_OK) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            st = fail_errno("write", tmp, err);
        else {
            p += n;
            len -= (size_t)n;
        }
    }
    return commit_temp(fd, tmp, path, st, err);
}

enum dlcs_status dlcs_fs_copy_atomic(const char *src, const char *dst, struct dlcs_error *err)
{
    char *tmp = NULL;
    enum dlcs_status st = DLCS_OK;
    int in = open(src, O_RDONLY | O_CLOEXEC);
    int out;
    ssize_t n;

    if (in < 0)
        return fail_errno("open", src, err);
    out = open_temp_beside(dst, &tmp, err);
    if (out < 0) {
        close(in);
        free(tmp);
        return DLCS_EUPSTREAM;
    }
    /* in-kernel copy; falls back to nothing else because every Linux we target has it */
    while ((n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0)) > 0)
        ;
    if (n < 0)
        st = fail_errno("copy to", tmp, err);
    close(in);
    return commit_temp(out, tmp, dst, st, err);
}

enum dlcs_status dlcs_fs_fill_atomic(const char *path, dlcs_fs_fill_fn fill, void *ctx,
                                     struct dlcs_error *err)
{
    char *tmp = NULL;
    int fd = open_temp_beside(path, &tmp, err);

    if (fd < 0) {
        free(tmp);
        return DLCS_EUPSTREAM;
    }
    return commit_temp(fd, tmp, path, fill(fd, ctx, err), err);
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

enum dlcs_status dlcs_fs_remove_tree(const char *path, struct dlcs_error *err)
{
    struct stat sb;

    if (lstat(path, &sb) != 0)
        return errno == ENOENT ? DLCS_OK : fail_errno("stat", path, err);
    if (nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
        return fail_errno("remove", path, err);
    return DLCS_OK;
}

char *dlcs_fs_scratch_dir(const char *parent, const char *prefix, struct dlcs_error *err)
{
    const char *base = parent;
    char *tmpl;

    if (!base)
        base = getenv("TMPDIR"); /* NOLINT(concurrency-mt-unsafe): nothing sets env at run time */
    if (!base || !*base)
        base = "/tmp";
    tmpl = dlcs_xasprintf("%s/%sXXXXXX", base, prefix);
    if (!mkdtemp(tmpl)) {
        (void)fail_errno("create a scratch directory in", base, err);
        free(tmpl);
        return NULL;
    }
    return tmpl;
}

enum dlcs_status dlcs_fs_free_bytes(const char *path, int64_t *bytes, struct dlcs_error *err)
{
    struct statvfs vfs;

    *bytes = 0;
    if (statvfs(path, &vfs) != 0)
        return fail_errno("measure the free space of", path, err);
    *bytes = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize; /* what an unprivileged writer gets */
    return DLCS_OK;
}
