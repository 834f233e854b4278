/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The blob storage contract: one cmocka suite written against the port (dlcs/blobstore.h),
 * run by every adapter's test executable with its own way of making an empty storage.
 */
#ifndef DLCS_BLOB_CONTRACT_H
#define DLCS_BLOB_CONTRACT_H

#include <stdbool.h>
#include <stddef.h>

#include "dlcs/blobstore.h"

struct blob_contract_adapter {
    const char *name;
    /* A new, empty storage; the suite frees it with dlcs_blobstore_free then calls cleanup. */
    struct dlcs_blobstore *(*open_empty)(void);
    void (*cleanup)(void);
    /* The server behind it is a test peer known to replace objects in place (s3rver): the
     * one test of atomic replacement is skipped, saying so; every real adapter runs it. */
    bool replaces_in_place;
};

/* A new file at 'path' (a mkstemp template, filled in) of 'n' bytes of a pattern; returns the
 * bytes (free()). Asserts on failure. */
unsigned char *blob_contract_temp_file(char *path, size_t n);

/* Run every contract test against 'adapter'; returns the number of failures (cmocka). */
int blob_contract_run(const struct blob_contract_adapter *adapter);

#endif /* DLCS_BLOB_CONTRACT_H */
