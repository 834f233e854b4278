/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The directory blob storage adapter (DLCS_STORAGE=file:///path/dir or a plain path; the
 * embedded default): one file per key, written atomically, free space from statvfs.
 */
#ifndef DLCS_BLOB_DIR_H
#define DLCS_BLOB_DIR_H

#include "dlcs/blobstore.h"

extern const struct dlcs_blob_adapter dlcs_blob_dir_adapter;

#endif /* DLCS_BLOB_DIR_H */
