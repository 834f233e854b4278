/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The reconciler: a thread in every api and worker process, of which one at a time works (it
 * holds a lease in the store). Every round it gives a job again to each asset still ingesting
 * past a deadline that has no job in the outbox: a job the queue lost (a topic's retention ran
 * out, a consumer committed past it, a dead letter that could not be written) can never leave
 * its batch unfinished. A job that is only slow is published once more at most per deadline,
 * which is harmless: completion is exactly once per generation.
 */
#ifndef DLCS_RECONCILER_H
#define DLCS_RECONCILER_H

#include <stdint.h>

#include "dlcs/store.h"

struct dlcs_reconciler_options {
    const char *owner; /* this process's place (DLCS_WORKER_ID) */
    int64_t after_ms;  /* stalled: ingesting this long since its last change (> 0) */
    int64_t every_ms;  /* between rounds (default 60 s); the lease lasts two rounds */
    int batch;         /* assets requeued per store write (default 500) */
};

struct dlcs_reconciler;

/* Start the thread. 'store' is borrowed and outlives the reconciler. */
enum dlcs_status dlcs_reconciler_start(struct dlcs_store *store,
                                       const struct dlcs_reconciler_options *opt,
                                       struct dlcs_reconciler **out,
                                       struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Assets requeued by this process since it started. */
int64_t dlcs_reconciler_requeued(struct dlcs_reconciler *r);

/* Stop after the write in hand, give up the lease, join, free. NULL-safe. */
void dlcs_reconciler_stop(struct dlcs_reconciler *r);

#endif /* DLCS_RECONCILER_H */
