/* SPDX-License-Identifier: Apache-2.0 */
/* Single-request object operations: put, get (whole, range, to a file), head, delete. */
#include "dlcs/s3_objects.h"

#include <stdlib.h>
#include <string.h>

#include "dlcs/mem.h"

enum dlcs_status dlcs_s3_put_bytes(struct dlcs_s3_client *c, const char *key, const void *data,
                                   size_t len, const char *content_type, struct dlcs_error *err)
{
    static const char empty[1];
    struct dlcs_s3_request r = {
        .method = "PUT",
        .key = key,
        .body = {.data = data ? data : empty, .len = (int64_t)len, .content_type = content_type},
    };
    struct dlcs_s3_response res;
    enum dlcs_status st = dlcs_s3_send(c, &r, &res, err);

    dlcs_s3_response_release(&res);
    return st;
}

enum dlcs_status dlcs_s3_get_bytes(struct dlcs_s3_client *c, const char *key, size_t max,
                                   void **data, size_t *len, struct dlcs_error *err)
{
    struct dlcs_s3_request r = {.method = "GET", .key = key, .sink = {.max = max}};
    struct dlcs_s3_response res;
    enum dlcs_status st = dlcs_s3_send(c, &r, &res, err);

    *data = NULL;
    *len = 0;
    if (st == DLCS_OK) {
        if (!res.body) /* an empty object */
            res.body = dlcs_xcalloc(1, 1);
        *data = res.body;
        *len = res.len;
        res.body = NULL;
    }
    dlcs_s3_response_release(&res);
    return st;
}

enum dlcs_status dlcs_s3_get_range(struct dlcs_s3_client *c, const char *key, int64_t offset,
                                   size_t len, void *buf, size_t *got, struct dlcs_error *err)
{
    struct dlcs_s3_request r = {.method = "GET",
                                .key = key,
                                .sink = {.max = len, .into = buf},
                                .range_from = offset,
                                .range_len = (int64_t)len};
    struct dlcs_s3_response res;
    enum dlcs_status st;

    *got = 0;
    if (len == 0)
        return DLCS_OK;
    st = dlcs_s3_send(c, &r, &res, err);
    if (st == DLCS_OK)
        *got = res.len;
    dlcs_s3_response_release(&res);
    return st;
}

enum dlcs_status dlcs_s3_get_to_fd(struct dlcs_s3_client *c, const char *key, int fd, int64_t max,
                                   int64_t *bytes, struct dlcs_error *err)
{
    struct dlcs_s3_request r = {
        .method = "GET", .key = key, .sink = {.max = (size_t)max, .fd = fd}, .stop_aware = true};
    struct dlcs_s3_response res;
    enum dlcs_status st = dlcs_s3_send(c, &r, &res, err);

    *bytes = st == DLCS_OK ? (int64_t)res.len : 0;
    dlcs_s3_response_release(&res);
    return st;
}

enum dlcs_status dlcs_s3_head(struct dlcs_s3_client *c, const char *key, int64_t *size,
                              struct dlcs_error *err)
{
    struct dlcs_s3_request r = {.method = "HEAD", .key = key};
    struct dlcs_s3_response res;
    enum dlcs_status st = dlcs_s3_send(c, &r, &res, err);

    *size = st == DLCS_OK ? res.content_length : 0;
    if (st == DLCS_OK && *size < 0)
        st = dlcs_error_set(err, DLCS_EUPSTREAM, "S3 HEAD %s: no Content-Length", key);
    dlcs_s3_response_release(&res);
    return st;
}

enum dlcs_status dlcs_s3_probe(struct dlcs_s3_client *c, const char *key, long timeout_ms,
                               struct dlcs_error *err)
{
    struct dlcs_s3_request r = {
        .method = "HEAD", .key = key, .timeout_ms = timeout_ms, .once = true};
    struct dlcs_s3_response res;
    enum dlcs_status st = dlcs_s3_send(c, &r, &res, err);

    dlcs_s3_response_release(&res);
    if (st == DLCS_ENOTFOUND) {
        dlcs_error_clear(err);
        st = DLCS_OK;
    }
    return st;
}
