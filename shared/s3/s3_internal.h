/* SPDX-License-Identifier: Apache-2.0 */
/* Private to shared/s3/: one attempt of a request, and request bodies. */
#ifndef DLCS_S3_INTERNAL_H
#define DLCS_S3_INTERNAL_H

#include <stdbool.h>

#include <curl/curl.h>

#include "dlcs/s3_client.h"

/* One attempt of a request on a fresh (reset) handle. */
struct s3_attempt {
    const struct dlcs_s3_settings *client;
    const struct dlcs_s3_request *req;
    struct dlcs_s3_response *res;
    CURL *handle;
    const char *url;
    const char *payload_sha256;
    bool transient; /* out: whether a retry may cure the failure */
};

/* Perform it: DLCS_OK for 2xx; otherwise the classified status, a->transient set. */
enum dlcs_status dlcs_s3_attempt(struct s3_attempt *a, struct dlcs_error *err);

/* Hex SHA-256 of the body (memory, or the file range read with pread) into a new string. */
enum dlcs_status dlcs_s3_body_sha256(const struct dlcs_s3_body *b, char **hex,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/* A body being sent: curl's read and seek callbacks (data = struct s3_upload). */
struct s3_upload {
    const struct dlcs_s3_body *body;
    int64_t pos;
    bool failed; /* a read of the file failed */
};
size_t dlcs_s3_upload_read(char *buf, size_t size, size_t n, void *data);
int dlcs_s3_upload_seek(void *data, curl_off_t offset, int origin);

#endif /* DLCS_S3_INTERNAL_H */
