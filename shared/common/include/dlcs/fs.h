/* SPDX-License-Identifier: Apache-2.0 */
/* Small filesystem helpers: directories, atomic file writes, scratch directories. */
#ifndef DLCS_FS_H
#define DLCS_FS_H

#include <stddef.h>
#include <stdint.h>

#include "dlcs/error.h"

/* mkdir -p 'path' (mode 0755). DLCS_EUPSTREAM naming the path and the reason on failure. */
enum dlcs_status dlcs_fs_mkdirs(const char *path, struct dlcs_error *err) DLCS_WARN_UNUSED;

/* mkdir -p of the directory part of 'file_path'. */
enum dlcs_status dlcs_fs_mkdirs_for(const char *file_path, struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Write 'len' bytes to 'path' atomically: a temporary file beside it, fsync, rename.
 * Parent directories are created.
 */
enum dlcs_status dlcs_fs_write_atomic(const char *path, const void *data, size_t len,
                                      struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Copy 'src' to 'dst' atomically in the same way. */
enum dlcs_status dlcs_fs_copy_atomic(const char *src, const char *dst,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Make 'path' atomically from what 'fill' writes into the temporary file's descriptor: it
 * appears whole once 'fill' returns DLCS_OK, or not at all (its status is returned).
 */
typedef enum dlcs_status (*dlcs_fs_fill_fn)(int fd, void *ctx, struct dlcs_error *err);
enum dlcs_status dlcs_fs_fill_atomic(const char *path, dlcs_fs_fill_fn fill, void *ctx,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Remove 'path' and everything below it; a missing path is not an error. */
enum dlcs_status dlcs_fs_remove_tree(const char *path, struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Make a new private scratch directory under 'parent' (NULL = $TMPDIR or /tmp) named
 * "<prefix>XXXXXX". Returns a new string (free()), or NULL with 'err' set.
 */
char *dlcs_fs_scratch_dir(const char *parent, const char *prefix, struct dlcs_error *err);

/* errno as text, into 'buf' (thread-safe strerror). Returns 'buf'. */
const char *dlcs_fs_strerror(int errnum, char *buf, size_t len);

/* The bytes an unprivileged process may still write on the filesystem holding 'path'. */
enum dlcs_status dlcs_fs_free_bytes(const char *path, int64_t *bytes,
                                    struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_FS_H */
