/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The outbox relay: a thread (in every api and worker process whose queue needs one) that
 * moves jobs from the store's outbox to the queue. It claims a batch of entries under a lease,
 * publishes them, and removes each only after the queue acknowledged it; a relay that dies
 * loses its lease and another (or its next run) publishes the entries again. Publishing twice
 * is harmless: completion is exactly once per generation. While the queue is down the entries
 * wait in the outbox (registrations still succeed) and the relay retries with backoff.
 */
#ifndef DLCS_OUTBOX_RELAY_H
#define DLCS_OUTBOX_RELAY_H

#include <stdint.h>

#include "dlcs/queue.h"
#include "dlcs/store.h"

struct dlcs_outbox_relay_options {
    const char *owner;  /* this process's place (DLCS_WORKER_ID); the leases say "owner/relay" */
    int batch;          /* entries per claim and publish (default 1000) */
    int64_t lease_ms;   /* how long a claimed batch is this relay's (default 60 s) */
    int64_t idle_ms;    /* pause when the outbox is empty (default 50 ms) */
    int64_t backoff_ms; /* first pause after a failed publish, doubled to 30 s (default 500) */
};

/* What the relay saw last, for /readyz and metrics. */
struct dlcs_outbox_relay_state {
    int64_t published; /* entries published since start */
    int64_t failures;  /* publish attempts that failed since start */
    bool queue_down;   /* the last publish failed */
    char last_error[256];
};

struct dlcs_outbox_relay;

/* Start the thread. 'store' and 'queue' are borrowed and outlive the relay. */
enum dlcs_status dlcs_outbox_relay_start(struct dlcs_store *store, struct dlcs_queue *queue,
                                         const struct dlcs_outbox_relay_options *opt,
                                         struct dlcs_outbox_relay **out,
                                         struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Publish now rather than after the idle pause (a registration just wrote jobs). NULL-safe. */
void dlcs_outbox_relay_wake(struct dlcs_outbox_relay *r);

/* A copy of the relay's state. */
void dlcs_outbox_relay_state(struct dlcs_outbox_relay *r, struct dlcs_outbox_relay_state *out);

/* Stop after the batch in hand (published or left to its lease), join, free. NULL-safe. */
void dlcs_outbox_relay_stop(struct dlcs_outbox_relay *r);

#endif /* DLCS_OUTBOX_RELAY_H */
