/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The queue contract: one cmocka suite written against the port (dlcs/queue.h), run by every
 * adapter's test executable with its own way of making an empty queue and of "crashing" the
 * process that holds claimed jobs.
 */
#ifndef DLCS_QUEUE_CONTRACT_H
#define DLCS_QUEUE_CONTRACT_H

#include <stdbool.h>

#include "dlcs/queue.h"

struct queue_contract_adapter {
    const char *name;
    /* A new, empty queue for one test. */
    struct dlcs_queue *(*open_empty)(void);
    /*
     * The process holding 'q' dies (its claimed jobs neither done nor retried): free what is
     * left of it and return the queue of the process that takes its place.
     */
    struct dlcs_queue *(*crash_and_restart)(struct dlcs_queue *q);
    /* Free 'q' and everything open_empty made. */
    void (*close)(struct dlcs_queue *q);
    /* How long a published job may take to become claimable (Kafka: a fetch away). */
    int claim_wait_ms;
    /* dlcs_queue_stats counts publishes (Kafka); otherwise it reports 0 of them */
    bool counts_publishes;
};

/* Run every contract test against 'adapter'; returns the number of failures (cmocka). */
int queue_contract_run(const struct queue_contract_adapter *adapter);

#endif /* DLCS_QUEUE_CONTRACT_H */
