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
    /* Another handle on the store open_empty made last (as another process opens it). */
    struct dlcs_store *(*open_again)(void);
    void (*cleanup)(void);
    /* completions the concurrency test runs, in 10 batches (0: 10,000); a server that cannot
     * hold that many in the suite's time (the fake: one lock, no indexes) runs fewer, with
     * the same assertions */
    int concurrent_jobs;
};

/* Run every contract test against 'adapter'; returns the number of failures (cmocka). */
int store_contract_run(const struct store_contract_adapter *adapter);

/* The paging and id tests (store_contract_paging.c); store_contract_run runs them too. */
int store_contract_paging_run(const struct store_contract_adapter *adapter);

/* The failure-mode tests (store_contract_failures.c); store_contract_run runs them too. */
int store_contract_failures_run(const struct store_contract_adapter *adapter);

#endif /* DLCS_STORE_CONTRACT_H */
