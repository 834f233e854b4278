/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the bench seeding tools: customer 1 "bench" with its space 1. */
#ifndef DLCS_BENCH_SEED_H
#define DLCS_BENCH_SEED_H

#include "dlcs/store.h"

/* Insert customer 1 ("bench") and its space 1 named 'space_name' into 's'. */
enum dlcs_status bench_seed_customer(struct dlcs_store *s, const char *space_name,
                                     struct dlcs_error *err);

#endif /* DLCS_BENCH_SEED_H */
