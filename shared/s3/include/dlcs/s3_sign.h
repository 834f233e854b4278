/* SPDX-License-Identifier: Apache-2.0 */
/*
 * S3 request signing, one place for every S3 client of dlcs (ingest's s3:// origins now, the
 * S3 blob storage adapter next): AWS Signature Version 4 by libcurl (CURLOPT_AWS_SIGV4), plus
 * what libcurl 7.88 leaves out and S3 requires, the x-amz-content-sha256 header. Checked
 * against the AWS documentation's example signature (tests/unit/s3_sign_test.c).
 *
 * What a caller must know (each reproduced with libcurl 7.88): every CURLOPT_HTTPHEADER entry
 * is signed, removal entries ("Expect:") too, so never pass one; the query string is signed
 * as given, so build it canonical (keys sorted, values RFC 3986-encoded, '/' as %2F).
 */
#ifndef DLCS_S3_SIGN_H
#define DLCS_S3_SIGN_H

#include <curl/curl.h>

/* The SHA-256 of an empty body (GET, HEAD, DELETE). */
#define DLCS_S3_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct dlcs_s3_key {
    const char *access_key; /* NULL: the request is sent unsigned (a public bucket) */
    const char *secret_key;
    const char *region; /* NULL: us-east-1 */
};

/*
 * Sign the requests of 'c' for S3 with key 'k'. 'payload_sha256' is the hex SHA-256 of the
 * body, NULL for an empty one, or "UNSIGNED-PAYLOAD"; it is appended to '*headers' as
 * x-amz-content-sha256. The caller sets CURLOPT_HTTPHEADER to '*headers' (after adding its
 * own) and frees the list after the transfer. Strings are copied by libcurl.
 */
void dlcs_s3_sign(CURL *c, const struct dlcs_s3_key *k, const char *payload_sha256,
                  struct curl_slist **headers);

#endif /* DLCS_S3_SIGN_H */
