/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The one S3 client of dlcs: signed requests (SigV4 with a hashed payload) to one bucket,
 * kept-alive connections, retries with backoff, and errors classified for callers.
 *
 * Errors. Transient (retried here up to 'retries' times with backoff, then DLCS_EUPSTREAM):
 * connection failures, timeouts, HTTP 500/502/503/504, 429, and the S3 codes SlowDown,
 * InternalError, RequestTimeout. Permanent (not retried): 404 is DLCS_ENOTFOUND; 403
 * (AccessDenied, SignatureDoesNotMatch, InvalidAccessKeyId) and NoSuchBucket are
 * DLCS_EUPSTREAM too, because to a caller the storage failed, not the request — the message
 * says which, for the operator; EntityTooLarge is DLCS_ETOOLARGE; any other 4xx is
 * DLCS_EINTERNAL (dlcs sent a request S3 refuses). Messages name the bucket and key, never
 * a credential.
 *
 * Threads: a client is shared; calls are thread-safe (idle connections are pooled).
 */
#ifndef DLCS_S3_CLIENT_H
#define DLCS_S3_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlcs/error.h"
#include "dlcs/s3_url.h"

struct dlcs_s3_settings {
    struct dlcs_s3_target target; /* strings copied */
    const char *access_key;       /* NULL: unsigned requests (a public bucket) */
    const char *secret_key;
    const char *session_token; /* sent as x-amz-security-token when set */
    long connect_timeout_ms;   /* 0: 5 s */
    long timeout_ms;           /* whole request, per attempt; 0: 60 s */
    int retries;               /* extra attempts after a transient failure */
    long retry_base_ms;        /* first backoff, doubled per attempt (0: 100 ms), jittered */
};

struct dlcs_s3_client;
struct dlcs_config;

/*
 * The ambient settings of the process: endpoint, region, credentials, timeouts and retries
 * from 'cfg' (NULL: defaults), each unset one from the standard AWS environment variables
 * (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS_REGION, AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN). Strings are borrowed from 'cfg' and the
 * environment; the bucket and style are left for the caller.
 */
void dlcs_s3_settings_ambient(const struct dlcs_config *cfg, struct dlcs_s3_settings *out);

/* A client for settings 's' (copied). DLCS_EINVAL for an invalid bucket or endpoint. */
enum dlcs_status dlcs_s3_client_new(const struct dlcs_s3_settings *s, struct dlcs_s3_client **out,
                                    struct dlcs_error *err) DLCS_WARN_UNUSED;

/* NULL-safe. */
void dlcs_s3_client_free(struct dlcs_s3_client *c);

/* Where a request's body comes from: memory, or a range of an open file (read with pread, so
 * a retry can send it again; nothing is buffered). */
struct dlcs_s3_body {
    const void *data; /* memory body, or NULL */
    int fd;           /* with data NULL and len > 0: the file */
    int64_t offset;
    int64_t len;
    const char *content_type; /* NULL: application/octet-stream */
    const char *content_md5;  /* base64 MD5, for requests S3 wants it on; NULL: none */
};

/* Where a response's body goes: a new buffer (at most 'max' bytes, past it DLCS_ETOOLARGE),
 * or the caller's buffer 'into' of 'max' bytes, or the file 'fd' (at most 'max' bytes). */
struct dlcs_s3_sink {
    size_t max;
    void *into;
    int fd; /* used when into is NULL and fd > 0 */
};

struct dlcs_s3_request {
    const char *method; /* GET, HEAD, PUT, POST, DELETE */
    const char *key;    /* NULL: the bucket */
    const char *query;  /* canonical (keys sorted, values dlcs_s3_encode'd), NULL: none */
    struct dlcs_s3_body body;
    struct dlcs_s3_sink sink;
    int64_t range_from; /* with range_len > 0: a ranged GET of [from, from + len) */
    int64_t range_len;
    bool stop_aware; /* give up when the process is asked to stop (dlcs/stop.h) */
    long
        timeout_ms; /* > 0: this request's own bound (a readiness probe), instead of the client's */
    bool once;      /* no retries (a readiness probe answers now) */
};

struct dlcs_s3_response {
    long status;
    char *body;             /* new buffer sink: the bytes, NUL-terminated; free() */
    size_t len;             /* bytes received into the sink */
    int64_t content_length; /* as the server said (HEAD: the object's size); -1 if none */
    int64_t total_size;     /* a ranged GET: the object's size from Content-Range; -1 if none */
    char etag[128];
    int attempts;
};

/*
 * Send 'r' (retrying transient failures) and fill '*res' (release with
 * dlcs_s3_response_release, also on failure). DLCS_OK for 2xx.
 */
enum dlcs_status dlcs_s3_send(struct dlcs_s3_client *c, const struct dlcs_s3_request *r,
                              struct dlcs_s3_response *res,
                              struct dlcs_error *err) DLCS_WARN_UNUSED;

void dlcs_s3_response_release(struct dlcs_s3_response *res);

/* The bucket the client talks to (borrowed). */
const char *dlcs_s3_client_bucket(const struct dlcs_s3_client *c);

/* Requests sent since the client was made, retries included (for benches and tests). */
uint64_t dlcs_s3_client_requests(const struct dlcs_s3_client *c);

#endif /* DLCS_S3_CLIENT_H */
