/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where an S3 object lives on the wire: bucket-name rules, key encoding and the URL of an
 * object at an endpoint, path-style (https://host/bucket/key) or virtual-hosted
 * (https://bucket.host/key). Shared by ingest's s3:// origins and the S3 blob storage.
 */
#ifndef DLCS_S3_URL_H
#define DLCS_S3_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "dlcs/error.h"

struct dlcs_s3_target {
    const char *endpoint; /* "http(s)://host[:port]"; NULL or "": AWS's for 'region' */
    const char *region;   /* NULL: us-east-1 */
    const char *bucket;
    bool virtual_style; /* bucket in the host name instead of the path */
};

/*
 * S3's bucket naming rules (3 to 63 of a-z, 0-9, '.', '-'; starts and ends with a letter or
 * digit). Anything else ('?', '/', '@', uppercase) could move a signed request elsewhere.
 */
bool dlcs_s3_bucket_valid(const char *bucket, size_t len);

/* True when a '/'-separated key has an empty, "." or ".." segment (libcurl would resolve it). */
bool dlcs_s3_key_has_dot_segment(const char *key);

/* 's' with every byte outside RFC 3986's unreserved set percent-encoded; '/' kept when
 * 'keep_slash' (object keys), encoded otherwise (query values). New string. */
char *dlcs_s3_encode(const char *s, bool keep_slash);

/*
 * The URL of 'key' (NULL or "": the bucket itself) in 't', with 'query' (canonical: keys
 * sorted, values encoded; NULL for none) appended. New string. DLCS_EINVAL for an invalid
 * bucket or an endpoint that is not http(s)://host[:port].
 */
enum dlcs_status dlcs_s3_url(const struct dlcs_s3_target *t, const char *key, const char *query,
                             char **url, struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Split "s3://bucket/key" into new strings, checking the bucket name and refusing dot
 * segments in the key. DLCS_EINVAL naming the origin otherwise.
 */
enum dlcs_status dlcs_s3_split_origin(const char *origin, char **bucket, char **key,
                                      struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_S3_URL_H */
