/* SPDX-License-Identifier: Apache-2.0 */
/*
 * s3:// origins, through the one S3 client (shared/s3): the configured endpoint (the
 * operator's, so no private-address check applies: a MinIO on the local network is normal),
 * the strategy's credentials or the ambient ones, the origin limits on bytes, time and retries.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlcs/s3_client.h"
#include "dlcs/s3_url.h"

#include "origin_internal.h"

/* An S3 answer about the customer's object, in origin terms (what the asset's error says).
 * Failures a retry may cure keep the client's status and message (transient for the job). */
static enum dlcs_status classify(const char *origin, long status, enum dlcs_status st,
                                 struct dlcs_error *err)
{
    enum dlcs_status now = st;
    const char *what = "";

    if (st == DLCS_OK || st == DLCS_ETOOLARGE || st == DLCS_EBUSY || st == DLCS_ETIMEOUT)
        return st;
    if (status == 403 || status == 401) {
        now = DLCS_EFORBIDDEN;
        what = "S3 refused access";
    } else if (status == 404) {
        now = DLCS_ENOTFOUND;
        what = "no such S3 object or bucket";
    } else if (st == DLCS_EINTERNAL && status >= 400 && status < 500) {
        now = DLCS_EINVAL;
        what = "S3 refused the request";
    } else {
        return st;
    }
    dlcs_error_clear(err);
    return dlcs_error_set(err, now, "origin '%s': %s (HTTP %ld)", origin, what, status);
}

enum dlcs_status dlcs_origin_fetch_s3(const char *origin, const struct dlcs_origin_auth *auth,
                                      const struct dlcs_origin_limits *lim, const char *dest,
                                      struct dlcs_fetch_result *res, struct dlcs_error *err)
{
    char *bucket = NULL, *key = NULL;
    struct dlcs_s3_client *c = NULL;
    struct dlcs_s3_response reply = {0};
    enum dlcs_status st = dlcs_s3_split_origin(origin, &bucket, &key, err);
    int fd = -1;

    if (st == DLCS_OK) {
        bool own = auth && auth->user;
        const struct dlcs_s3_settings set = {
            .target = {lim->s3_endpoint, lim->s3_region, bucket, false},
            .access_key = own ? auth->user : lim->s3_access_key,
            .secret_key = own ? auth->password : lim->s3_secret_key,
            .connect_timeout_ms = lim->connect_timeout_ms,
            .timeout_ms = lim->timeout_ms,
            .retries = lim->retries,
            .retry_base_ms = lim->retry_base_ms,
        };

        st = dlcs_s3_client_new(&set, &c, err);
    }
    if (st == DLCS_OK) {
        fd = open(dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
            st = dlcs_error_set(err, DLCS_EINTERNAL, "cannot write the origin's bytes to scratch");
    }
    if (st == DLCS_OK) {
        const struct dlcs_s3_request r = {.method = "GET",
                                          .key = key,
                                          .sink = {.max = (size_t)lim->max_bytes, .fd = fd},
                                          .stop_aware = true};

        st = dlcs_s3_send(c, &r, &reply, err);
        st = classify(origin, reply.status, st, err);
        res->bytes = (int64_t)reply.len;
        res->attempts = reply.attempts;
        res->http_status = reply.status;
    }
    if (fd >= 0 && close(fd) != 0 && st == DLCS_OK)
        st = dlcs_error_set(err, DLCS_EINTERNAL, "cannot write the origin's bytes to scratch");
    if (st != DLCS_OK && fd >= 0)
        unlink(dest);
    dlcs_s3_response_release(&reply);
    dlcs_s3_client_free(c);
    free(key);
    free(bucket);
    return st;
}
