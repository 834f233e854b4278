/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fetching an asset's origin to a local file: http(s) (redirects bounded), ftp(s), s3://
 * (SigV4) and file:// inside an allow-listed directory; credentials from the customer's origin
 * strategies (first regex match in order wins); limits on bytes, time and redirects; loopback,
 * link-local and private addresses refused after DNS resolution unless allowed.
 *
 * Failures are classified by status: DLCS_EUPSTREAM and DLCS_EBUSY are transient (network,
 * timeouts, origin 5xx and 429) and retried with backoff; anything else is permanent (origin
 * 4xx, refused address, over a limit, a malformed origin). dlcs_status_is_transient() says which.
 */
#ifndef DLCS_ORIGIN_H
#define DLCS_ORIGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlcs/error.h"
#include "dlcs/model.h"

struct dlcs_origin_limits {
    int64_t max_bytes;       /* larger bodies are refused (permanent) */
    long connect_timeout_ms; /* per connection attempt */
    long timeout_ms;         /* whole transfer, per attempt */
    long max_redirects;
    int retries;             /* extra attempts after a transient failure */
    long retry_base_ms;      /* backoff: base, x2 per attempt */
    bool allow_private;      /* DLCS_ORIGIN_ALLOW_PRIVATE */
    const char *file_root;   /* file:// origins must be inside this directory; NULL = none */
    const char *s3_endpoint; /* e.g. "https://s3.eu-west-1.amazonaws.com"; NULL = AWS by region */
    const char *s3_region;
    const char *s3_access_key; /* ambient credentials, or NULL */
    const char *s3_secret_key;
};

/* How to authenticate to one origin: what a matching CustomerOriginStrategy says. */
struct dlcs_origin_auth {
    char strategy[32]; /* "default", "basic-http-authentication", "s3", "s3-ambient", "ftp" */
    char *user;        /* owned; basic/ftp user or S3 access key */
    char *password;    /* owned; basic/ftp password or S3 secret key */
};

/* What a fetch produced. */
struct dlcs_fetch_result {
    int64_t bytes;
    char content_type[128]; /* as the origin said, "" if none */
    int attempts;
    long http_status; /* last HTTP status, 0 for non-HTTP */
};

/* True for the statuses that a retry may cure. */
bool dlcs_status_is_transient(enum dlcs_status st);

/*
 * Choose the credentials for 'origin' from 'strategies' ('count' of them, any order: the
 * lowest 'order' that matches wins; regexes are POSIX extended, case-insensitive). No match
 * means "default" (no credentials). Credentials are the reference's JSON string
 * {"user": "...", "password": "..."} (also "accessKey"/"secretKey" for s3). Fills '*auth'
 * (release with dlcs_origin_auth_release). DLCS_EINVAL for malformed stored credentials.
 */
enum dlcs_status dlcs_origin_auth_for(const char *origin,
                                      const struct dlcs_origin_strategy *strategies, size_t count,
                                      struct dlcs_origin_auth *auth,
                                      struct dlcs_error *err) DLCS_WARN_UNUSED;

void dlcs_origin_auth_release(struct dlcs_origin_auth *auth);

/*
 * Fetch 'origin' into the file 'dest_path' (created or truncated; removed on failure),
 * retrying transient failures up to limits->retries times with exponential backoff. 'auth'
 * may be NULL (default strategy). Every message names the origin and the cause.
 * Thread-safe (call curl_global_init once at start-up).
 */
enum dlcs_status dlcs_origin_fetch(const char *origin, const struct dlcs_origin_auth *auth,
                                   const struct dlcs_origin_limits *limits, const char *dest_path,
                                   struct dlcs_fetch_result *result,
                                   struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_ORIGIN_H */
