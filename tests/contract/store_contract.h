/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store contract: one cmocka suite written against the port (dlcs/store.h), run by every
 * adapter's test executable with its own way of making an empty store.
 */
#ifndef DLCS_STORE_CONTRACT_H
#define DLCS_STORE_CONTRACT_H

#include "dlcs/store.h"

struct store_contract_adapter {
    const char *name;
    /* A new, empty store; the suite frees it with dlcs_store_free then calls cleanup. */
    struct dlcs_store *(*open_empty)(void);
    void (*cleanup)(void);
};

/* Run every contract test against 'adapter'; returns the number of failures (cmocka). */
int store_contract_run(const struct store_contract_adapter *adapter);

#endif /* DLCS_STORE_CONTRACT_H */
