/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The blob storage contract: one cmocka suite written against the port (dlcs/blobstore.h),
 * run by every adapter's test executable with its own way of making an empty storage.
 */
#ifndef DLCS_BLOB_CONTRACT_H
#define DLCS_BLOB_CONTRACT_H

#include "dlcs/blobstore.h"

struct blob_contract_adapter {
    const char *name;
    /* A new, empty storage; the suite frees it with dlcs_blobstore_free then calls cleanup. */
    struct dlcs_blobstore *(*open_empty)(void);
    void (*cleanup)(void);
};

/* Run every contract test against 'adapter'; returns the number of failures (cmocka). */
int blob_contract_run(const struct blob_contract_adapter *adapter);

#endif /* DLCS_BLOB_CONTRACT_H */
