/* SPDX-License-Identifier: Apache-2.0 */
/* The blob storage port: key checks shared by every adapter, then the adapter's op. */
#include "dlcs/blobstore.h"

#include <stdlib.h>
#include <string.h>

#include "dlcs/mem.h"

enum dlcs_status dlcs_blob_key_check(const char *key, struct dlcs_error *err)
{
    size_t len = strlen(key);
    const char *seg = key;

    if (len == 0 || len > 1024)
        return dlcs_error_set(err, DLCS_EINVAL, "blob key must be 1 to 1024 bytes");
    for (const char *p = key;; p++) {
        if (*p == '/' || *p == '\0') {
            size_t n = (size_t)(p - seg);

            if (n == 0 || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
                return dlcs_error_set(err, DLCS_EINVAL, "blob key '%s' has an empty or dot segment",
                                      key);
            if (*p == '\0')
                break;
            seg = p + 1;
        } else if ((unsigned char)*p < 0x20 || *p == '\\') {
            return dlcs_error_set(err, DLCS_EINVAL, "blob key has a control character or '\\'");
        }
    }
    return DLCS_OK;
}

void dlcs_blobstore_free(struct dlcs_blobstore *b)
{
    if (!b)
        return;
    b->ops->close(b->impl);
    free(b);
}

#define CHECKED(call)                                                                              \
    do {                                                                                           \
        if (dlcs_blob_key_check(key, err) != DLCS_OK)                                              \
            return DLCS_EINVAL;                                                                    \
        return (call);                                                                             \
    } while (0)

enum dlcs_status dlcs_blob_put_file(struct dlcs_blobstore *b, const char *key, const char *src_path,
                                    struct dlcs_error *err)
{
    CHECKED(b->ops->put_file(b->impl, key, src_path, err));
}

enum dlcs_status dlcs_blob_put_bytes(struct dlcs_blobstore *b, const char *key, const void *data,
                                     size_t len, struct dlcs_error *err)
{
    CHECKED(b->ops->put_bytes(b->impl, key, data, len, err));
}

enum dlcs_status dlcs_blob_get_bytes(struct dlcs_blobstore *b, const char *key, size_t max_len,
                                     void **data, size_t *len, struct dlcs_error *err)
{
    *data = NULL;
    *len = 0;
    CHECKED(b->ops->get_bytes(b->impl, key, max_len, data, len, err));
}

enum dlcs_status dlcs_blob_get_file(struct dlcs_blobstore *b, const char *key, const char *dest,
                                    int64_t max_len, struct dlcs_error *err)
{
    CHECKED(b->ops->get_file(b->impl, key, dest, max_len, err));
}

enum dlcs_status dlcs_blob_read_range(struct dlcs_blobstore *b, const char *key, int64_t offset,
                                      size_t len, void *buf, size_t *got, struct dlcs_error *err)
{
    *got = 0;
    if (offset < 0)
        return dlcs_error_set(err, DLCS_EINVAL, "negative offset in blob '%s'", key);
    CHECKED(b->ops->read_range(b->impl, key, offset, len, buf, got, err));
}

enum dlcs_status dlcs_blob_size(struct dlcs_blobstore *b, const char *key, int64_t *bytes,
                                struct dlcs_error *err)
{
    *bytes = 0;
    CHECKED(b->ops->size(b->impl, key, bytes, err));
}

enum dlcs_status dlcs_blob_local_path(struct dlcs_blobstore *b, const char *key, char **path,
                                      struct dlcs_error *err)
{
    *path = NULL;
    CHECKED(b->ops->local_path(b->impl, key, path, err));
}

enum dlcs_status dlcs_blob_remove_prefix(struct dlcs_blobstore *b, const char *prefix,
                                         struct dlcs_error *err)
{
    const char *key = prefix;

    CHECKED(b->ops->remove_prefix(b->impl, prefix, err));
}

enum dlcs_status dlcs_blob_free_bytes(struct dlcs_blobstore *b, int64_t *bytes,
                                      struct dlcs_error *err)
{
    *bytes = INT64_MAX;
    if (!b->ops->free_bytes)
        return dlcs_error_set(err, DLCS_EUNSUPPORTED, "%s storage has no fixed size", b->ops->name);
    return b->ops->free_bytes(b->impl, bytes, err);
}

enum dlcs_status dlcs_blob_ping(struct dlcs_blobstore *b, struct dlcs_error *err)
{
    return b->ops->ping ? b->ops->ping(b->impl, err) : DLCS_OK;
}
