/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The S3 blob storage adapter:
 *   DLCS_STORAGE=s3://bucket[/prefix]?endpoint=http(s)://host[:port]&region=R&style=path|virtual
 * Every key is stored as "prefix/key". Endpoint, region and credentials not in the URL come
 * from the ambient settings (DLCS_S3_*, then the AWS_* environment: dlcs/s3_client.h). Files
 * above DLCS_S3_PART_MB go up as multipart uploads; reads are bounded or ranged; a prefix is
 * removed with ListObjectsV2 + DeleteObjects. No local path (delivery reads by ranges or
 * through its disk cache); no fixed size (no free-space check).
 */
#ifndef DLCS_BLOB_S3_H
#define DLCS_BLOB_S3_H

#include "dlcs/blobstore.h"

extern const struct dlcs_blob_adapter dlcs_blob_s3_adapter;

#endif /* DLCS_BLOB_S3_H */
