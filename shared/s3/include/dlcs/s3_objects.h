/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Object operations on the client's bucket, built on dlcs_s3_send: what the S3 blob storage
 * and ingest's s3:// origins need. Keys are the object keys as stored (no leading '/').
 * Errors as dlcs/s3_client.h classifies them.
 */
#ifndef DLCS_S3_OBJECTS_H
#define DLCS_S3_OBJECTS_H

#include <stddef.h>
#include <stdint.h>

#include "dlcs/s3_client.h"

/* One PUT of 'len' bytes (len 0: an empty object). */
enum dlcs_status dlcs_s3_put_bytes(struct dlcs_s3_client *c, const char *key, const void *data,
                                   size_t len, const char *content_type,
                                   struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Upload the file at 'path': one PUT up to 'part_size' bytes, a multipart upload of
 * 'part_size' parts above it (S3 wants parts of 5 MiB or more but the last). Memory stays
 * bounded: parts are sent from the file, never held. A failed multipart upload is aborted.
 */
struct dlcs_s3_file_put {
    const char *key;
    const char *path;
    const char *content_type; /* NULL: application/octet-stream */
    int64_t part_size;
};
enum dlcs_status dlcs_s3_put_file(struct dlcs_s3_client *c, const struct dlcs_s3_file_put *p,
                                  struct dlcs_error *err) DLCS_WARN_UNUSED;

/* GET into a new NUL-terminated buffer (free()); DLCS_ETOOLARGE over 'max' bytes. */
enum dlcs_status dlcs_s3_get_bytes(struct dlcs_s3_client *c, const char *key, size_t max,
                                   void **data, size_t *len,
                                   struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * GET bytes [offset, offset + len) into 'buf'; '*got' is fewer than 'len' only at the end of
 * the object (0 past it).
 */
enum dlcs_status dlcs_s3_get_range(struct dlcs_s3_client *c, const char *key, int64_t offset,
                                   size_t len, void *buf, size_t *got,
                                   struct dlcs_error *err) DLCS_WARN_UNUSED;

/* GET the object into the open file 'fd' (from its start; at most 'max' bytes). */
enum dlcs_status dlcs_s3_get_to_fd(struct dlcs_s3_client *c, const char *key, int fd, int64_t max,
                                   int64_t *bytes, struct dlcs_error *err) DLCS_WARN_UNUSED;

/* HEAD: the object's size. DLCS_ENOTFOUND if absent. */
enum dlcs_status dlcs_s3_head(struct dlcs_s3_client *c, const char *key, int64_t *size,
                              struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Whether the bucket answers with the credentials accepted: one HEAD of 'key' (absent is
 * fine), no retry, within 'timeout_ms'. For readiness probes.
 */
enum dlcs_status dlcs_s3_probe(struct dlcs_s3_client *c, const char *key, long timeout_ms,
                               struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Delete the object 'prefix' and every object under 'prefix' + "/": ListObjectsV2 pages of up
 * to 1,000 keys, each deleted by one DeleteObjects request (the first also takes 'prefix').
 */
enum dlcs_status dlcs_s3_delete_tree(struct dlcs_s3_client *c, const char *prefix,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_S3_OBJECTS_H */
