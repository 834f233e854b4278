/* SPDX-License-Identifier: Apache-2.0 */
/* Records the store contract's tests make, through the port only. Failures fail the test. */
#ifndef DLCS_STORE_FIXTURES_H
#define DLCS_STORE_FIXTURES_H

#include "dlcs/store.h"

#include "store_contract.h"

#define OK(expr) assert_int_equal((expr), DLCS_OK)

/* The adapter the setup below opens stores with. */
void store_fixtures_use(const struct store_contract_adapter *adapter);

/* The adapter's concurrent_jobs (10,000 when it says none). */
int store_fixtures_jobs(void);

/* cmocka setup and teardown: '*state' is a new empty store, freed and cleaned up after. */
int store_setup(void **state);
int store_teardown(void **state);

/* A customer 'name' ("The <name>"); its id. */
int64_t make_customer(struct dlcs_store *s, const char *name);

/* A space 'name' of 'customer' with id 'id' (0: minted); its id. */
int64_t make_space(struct dlcs_store *s, int64_t customer, int64_t id, const char *name);

/* An asset record (initialised here) with an https origin, string1 = s1, number1 = n1. */
void fill_asset(struct dlcs_asset *a, int64_t customer, int64_t space, const char *id,
                const char *s1, int64_t n1);

/* Register 'n' assets "<prefix><i>" with string1 = s1 and number1 = i (+ a batch if asked). */
void register_many(struct dlcs_store *s, int64_t customer, int64_t space, const char *prefix,
                   const char *s1, size_t n, struct dlcs_batch *b);

/* The asset's record into 'out' (initialised here). */
void get_asset(struct dlcs_store *s, int64_t customer, int64_t space, const char *id,
               struct dlcs_asset *out);

/* Record a success (640 x 480) or 'error' for the asset's 'generation' in 'batch'. */
enum dlcs_completion complete(struct dlcs_store *s, int64_t customer, int64_t space, const char *id,
                              int64_t generation, int64_t batch, const char *error);

/* The asset's current generation (what its ingest job carries). */
int64_t generation_of(struct dlcs_store *s, int64_t customer, int64_t space, const char *id);

/* Complete the asset's current generation. */
enum dlcs_completion complete_now(struct dlcs_store *s, int64_t customer, int64_t space,
                                  const char *id, int64_t batch, const char *error);

/*
 * 'threads' threads insert 'each' spaces of 'customer' at once, thread t through
 * stores[t % nstores]: the ids minted must be 1 .. threads * each, each once.
 */
void expect_distinct_mints(struct dlcs_store *const *stores, size_t nstores, int64_t customer,
                           int threads, int each);

#endif /* DLCS_STORE_FIXTURES_H */
