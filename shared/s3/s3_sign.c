/* SPDX-License-Identifier: Apache-2.0 */
#include "dlcs/s3_sign.h"

#include <stdio.h>

void dlcs_s3_sign(CURL *c, const struct dlcs_s3_key *k, const char *payload_sha256,
                  struct curl_slist **headers)
{
    char provider[96], header[128];

    (void)snprintf(header, sizeof header, "x-amz-content-sha256: %s",
                   payload_sha256 ? payload_sha256 : DLCS_S3_EMPTY_SHA256);
    *headers = curl_slist_append(*headers, header); /* S3 wants it even when unsigned */
    if (!k->access_key)
        return;
    (void)snprintf(provider, sizeof provider, "aws:amz:%s:s3", k->region ? k->region : "us-east-1");
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, provider);
    curl_easy_setopt(c, CURLOPT_USERNAME, k->access_key);
    curl_easy_setopt(c, CURLOPT_PASSWORD, k->secret_key ? k->secret_key : "");
}
