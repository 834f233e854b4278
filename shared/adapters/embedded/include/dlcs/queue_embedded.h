/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The embedded queue adapter (DLCS_QUEUE=embedded, the default): the store's outbox is the
 * queue. Workers claim jobs under a lease of DLCS_JOB_LEASE_MS held by DLCS_WORKER_ID and this
 * run's token; a process that starts again under the same DLCS_WORKER_ID takes its dead
 * predecessor's jobs back at once. Any number of processes sharing the store share the queue.
 */
#ifndef DLCS_QUEUE_EMBEDDED_H
#define DLCS_QUEUE_EMBEDDED_H

#include "dlcs/queue.h"

extern const struct dlcs_queue_adapter dlcs_queue_embedded_adapter;

#endif /* DLCS_QUEUE_EMBEDDED_H */
