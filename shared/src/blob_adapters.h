/* SPDX-License-Identifier: Apache-2.0 */
/* Private to shared/: the blob storage adapters that dlcs_blobstore_open chooses. */
#ifndef DLCS_BLOB_ADAPTERS_H
#define DLCS_BLOB_ADAPTERS_H

#include "dlcs/blobstore.h"

extern const struct dlcs_blobstore_ops dlcs_blob_file_ops;

/* A directory adapter rooted at 'dir' (created if missing). '*impl' is freed by ops->close. */
enum dlcs_status dlcs_blob_file_open(const char *dir, void **impl,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_BLOB_ADAPTERS_H */
