/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The blob storage port: derivatives, thumbnails, sizes documents and uploaded originals,
 * addressed by keys such as "2/5/b1_0001.tif/thumbs/400x300.jpg". Adapters: a directory
 * (file://, the embedded default) and S3 (s3://bucket[/prefix]). Writes are atomic: a
 * reader sees the old object or the new one, never part of one.
 *
 * Keys are relative, '/'-separated, without empty, "." or ".." segments (checked here, so no
 * adapter can be led outside its root). Keys are paths: one object's key is never a prefix
 * of another's (a directory cannot be a file too). Threads: a store is shared; calls are
 * thread-safe. Every adapter passes tests/contract/blob_contract.c.
 */
#ifndef DLCS_BLOBSTORE_H
#define DLCS_BLOBSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "dlcs/adapter.h"
#include "dlcs/error.h"

/*
 * The origin of a directly uploaded image: this prefix + the blob key of its bytes, e.g.
 * "dlcs-upload:2/5/page1/origin". Only dlcs writes such origins; ingest reads them from here.
 */
#define DLCS_UPLOAD_SCHEME "dlcs-upload:"

struct dlcs_blobstore_ops {
    const char *name;
    void (*close)(void *impl);
    enum dlcs_status (*put_file)(void *impl, const char *key, const char *src_path,
                                 struct dlcs_error *err);
    enum dlcs_status (*put_bytes)(void *impl, const char *key, const void *data, size_t len,
                                  struct dlcs_error *err);
    enum dlcs_status (*get_bytes)(void *impl, const char *key, size_t max_len, void **data,
                                  size_t *len, struct dlcs_error *err);
    enum dlcs_status (*get_file)(void *impl, const char *key, const char *dest, int64_t max_len,
                                 struct dlcs_error *err);
    enum dlcs_status (*read_range)(void *impl, const char *key, int64_t offset, size_t len,
                                   void *buf, size_t *got, struct dlcs_error *err);
    enum dlcs_status (*size)(void *impl, const char *key, int64_t *bytes, struct dlcs_error *err);
    enum dlcs_status (*local_path)(void *impl, const char *key, char **path,
                                   struct dlcs_error *err);
    enum dlcs_status (*remove_prefix)(void *impl, const char *prefix, struct dlcs_error *err);
    /* optional (NULL: the storage has no fixed size, e.g. S3) */
    enum dlcs_status (*free_bytes)(void *impl, int64_t *bytes, struct dlcs_error *err);
    /* optional (NULL: always reachable, e.g. a local directory) */
    enum dlcs_status (*ping)(void *impl, struct dlcs_error *err);
};

struct dlcs_blobstore {
    const struct dlcs_blobstore_ops *ops;
    void *impl;
};

/* Close and free. NULL-safe. */
void dlcs_blobstore_free(struct dlcs_blobstore *b);

/* DLCS_EINVAL unless 'key' is a safe relative key (see above), at most 1024 bytes. */
enum dlcs_status dlcs_blob_key_check(const char *key, struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Store the file at 'src_path' under 'key' (copied; 'src_path' is left in place). Atomic. */
enum dlcs_status dlcs_blob_put_file(struct dlcs_blobstore *b, const char *key, const char *src_path,
                                    struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Store 'len' bytes under 'key'. Atomic. */
enum dlcs_status dlcs_blob_put_bytes(struct dlcs_blobstore *b, const char *key, const void *data,
                                     size_t len, struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Read the object into a new buffer (free with free(); NUL-terminated for convenience, the
 * NUL not counted in '*len'). DLCS_ENOTFOUND if absent, DLCS_ETOOLARGE over 'max_len'.
 */
enum dlcs_status dlcs_blob_get_bytes(struct dlcs_blobstore *b, const char *key, size_t max_len,
                                     void **data, size_t *len,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Copy the object into a new local file 'dest' (atomically: whole or not at all), streamed,
 * never held in memory. DLCS_ENOTFOUND if absent, DLCS_ETOOLARGE over 'max_len' bytes.
 */
enum dlcs_status dlcs_blob_get_file(struct dlcs_blobstore *b, const char *key, const char *dest,
                                    int64_t max_len, struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Read bytes [offset, offset + len) of the object into 'buf' (a ranged read: what delivery
 * reads tiles with, no local file needed). '*got' is fewer than 'len' only at the object's
 * end (0 from it on). DLCS_ENOTFOUND if absent.
 */
enum dlcs_status dlcs_blob_read_range(struct dlcs_blobstore *b, const char *key, int64_t offset,
                                      size_t len, void *buf, size_t *got,
                                      struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Size of the object in bytes. DLCS_ENOTFOUND if absent. */
enum dlcs_status dlcs_blob_size(struct dlcs_blobstore *b, const char *key, int64_t *bytes,
                                struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * A local file path for reading the object in place (new string, free()), for libvips to open
 * by name. DLCS_EUNSUPPORTED for remote adapters (callers then fetch the bytes).
 */
enum dlcs_status dlcs_blob_local_path(struct dlcs_blobstore *b, const char *key, char **path,
                                      struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Delete every object whose key starts with 'prefix' + "/" and the object 'prefix' itself. */
enum dlcs_status dlcs_blob_remove_prefix(struct dlcs_blobstore *b, const char *prefix,
                                         struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * The bytes that can still be stored, for readiness and for refusing work before a write
 * fails half-way. DLCS_EUNSUPPORTED when the storage has no fixed size (S3).
 */
enum dlcs_status dlcs_blob_free_bytes(struct dlcs_blobstore *b, int64_t *bytes,
                                      struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Whether the storage answers, with its credentials accepted (for readiness): DLCS_OK, or why
 * not (DLCS_EUPSTREAM with the cause). One cheap request for remote storage.
 */
enum dlcs_status dlcs_blob_ping(struct dlcs_blobstore *b, struct dlcs_error *err) DLCS_WARN_UNUSED;

/* How an adapter is chosen (shared/adapters/adapters.c): by the scheme of DLCS_STORAGE. */
struct dlcs_config;
struct dlcs_blob_adapter {
    struct dlcs_adapter_name name;
    /* Open 'url' (fill out->ops and out->impl); settings from 'cfg' (NULL: defaults). */
    enum dlcs_status (*open)(const char *url, const struct dlcs_config *cfg,
                             struct dlcs_blobstore *out, struct dlcs_error *err);
};

#endif /* DLCS_BLOBSTORE_H */
