/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The queue port: ingest jobs on their way from a registration to a worker. Adapters
 * (DLCS_QUEUE): "embedded" (default: the store's outbox is the queue, claimed under leases) and
 * "kafka://host:port[,host:port...]". Every adapter passes tests/contract/queue_contract.c.
 *
 * Registrations never publish: they write their jobs into the store's outbox in the same atomic
 * write as the assets (dlcs_registration.with_jobs). For an adapter with 'needs_relay', a relay
 * (outbox_relay.h) publishes the outbox to the queue and removes each entry once the queue has
 * it; for the embedded adapter the outbox is already the queue.
 *
 * Delivery is at least once (a worker that dies loses its jobs to another one); completion is
 * exactly once through the store's generation check (dlcs_store_complete), so a job delivered
 * twice never counts twice. One asset's jobs are delivered in the order they were published.
 * Threads: a queue is shared by every thread of a process; all calls are thread-safe.
 */
#ifndef DLCS_QUEUE_H
#define DLCS_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlcs/adapter.h"
#include "dlcs/error.h"
#include "dlcs/ids.h"

/* One ingest job: which generation of which asset, and how often it was tried. */
struct dlcs_job {
    int64_t customer, space;
    char asset[DLCS_ASSET_ID_MAX + 1];
    int64_t generation;
    int64_t batch;      /* the registration's batch, 0 = none */
    bool priority;      /* ahead of ordinary jobs */
    int attempt;        /* 1 on the first run; counts runs, including one a crash cut short */
    int64_t not_before; /* ms since the epoch: not to be run earlier (a retry's backoff), 0 = now */
    int64_t receipt;    /* set by claim: the adapter's name for this delivery (done/retry/dead) */
};

/* One partition's consumer lag as the queue's client last reported it. */
#define DLCS_QUEUE_STATS_PARTS 64
struct dlcs_queue_partition_lag {
    char topic[128];
    int32_t partition;
    int64_t lag; /* messages behind the end; -1 = not known yet */
};

/* What a queue's clients counted and last reported (for metrics). */
struct dlcs_queue_stats {
    int64_t published;      /* jobs the queue acknowledged (this process, since start) */
    int64_t publish_errors; /* jobs whose publish failed (they waited and were retried) */
    int64_t lag;            /* jobs this process's consumer is behind: the sum of 'parts' */
    size_t partitions;      /* entries in 'parts' (the first DLCS_QUEUE_STATS_PARTS) */
    struct dlcs_queue_partition_lag parts[DLCS_QUEUE_STATS_PARTS];
    int64_t reported_ms; /* when the client last reported, ms since the epoch (0 = never) */
};

struct dlcs_queue_ops {
    const char *name;
    void (*close)(void *impl);
    enum dlcs_status (*ping)(void *impl, struct dlcs_error *err);
    enum dlcs_status (*publish)(void *impl, const struct dlcs_job *jobs, size_t count,
                                struct dlcs_error *err);
    enum dlcs_status (*claim)(void *impl, struct dlcs_job *job, struct dlcs_error *err);
    enum dlcs_status (*done)(void *impl, const struct dlcs_job *job, struct dlcs_error *err);
    enum dlcs_status (*retry)(void *impl, const struct dlcs_job *job, int64_t delay_ms,
                              struct dlcs_error *err);
    enum dlcs_status (*dead)(void *impl, const struct dlcs_job *job, const char *reason,
                             struct dlcs_error *err);
    enum dlcs_status (*waiting)(void *impl, int64_t *count, struct dlcs_error *err);
    /* NULL: the port reports 'waiting' as the lag, with no partitions */
    void (*stats)(void *impl, struct dlcs_queue_stats *out);
};

struct dlcs_queue {
    const struct dlcs_queue_ops *ops;
    void *impl;
    bool needs_relay; /* jobs reach it from the outbox through a relay (not the embedded one) */
};

/* Close and free. NULL-safe. Not concurrently with other calls: stop the workers first. */
void dlcs_queue_free(struct dlcs_queue *q);

/* DLCS_OK when the queue answers (readiness probes); the adapter's status otherwise. */
enum dlcs_status dlcs_queue_ping(struct dlcs_queue *q, struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Add 'count' jobs. On DLCS_OK the queue holds them durably (Kafka: every broker that must have
 * them acknowledged). On failure some may have been added: publishing again is harmless.
 */
enum dlcs_status dlcs_queue_publish(struct dlcs_queue *q, const struct dlcs_job *jobs, size_t count,
                                    struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * The next job due (priority ones first, then in order), now this process's until done, retry
 * or dead (or until the process dies: then another claims it). DLCS_ENOTFOUND when none is due.
 * Never waits long (at most a poll of the adapter's own, well under a second).
 */
enum dlcs_status dlcs_queue_claim(struct dlcs_queue *q, struct dlcs_job *job,
                                  struct dlcs_error *err) DLCS_WARN_UNUSED;

/* The claimed job is finished, whatever its outcome: it is not delivered again. */
enum dlcs_status dlcs_queue_done(struct dlcs_queue *q, const struct dlcs_job *job,
                                 struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Run the claimed job again after 'delay_ms', as its next attempt (a transient failure). */
enum dlcs_status dlcs_queue_retry(struct dlcs_queue *q, const struct dlcs_job *job,
                                  int64_t delay_ms, struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * The claimed job failed for good (attempts exhausted or a permanent error, already recorded on
 * the asset): it is not delivered again; Kafka keeps a copy on the dead-letter topic for
 * operators, with 'reason'.
 */
enum dlcs_status dlcs_queue_dead(struct dlcs_queue *q, const struct dlcs_job *job,
                                 const char *reason, struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Jobs published and not yet done (for /readyz and metrics; Kafka: the group's lag). */
enum dlcs_status dlcs_queue_waiting(struct dlcs_queue *q, int64_t *count,
                                    struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * The queue's statistics into '*out' (zeroed first). Kafka: the counts of this process's
 * publishes and its consumer's lag per assigned partition, from librdkafka's statistics
 * (every 5 s); an adapter without statistics reports 'waiting' as the lag.
 */
enum dlcs_status dlcs_queue_stats(struct dlcs_queue *q, struct dlcs_queue_stats *out,
                                  struct dlcs_error *err) DLCS_WARN_UNUSED;

/* How an adapter is chosen (shared/adapters/adapters.c): by the scheme of DLCS_QUEUE. */
struct dlcs_config;
struct dlcs_store;
struct dlcs_queue_adapter {
    struct dlcs_adapter_name name;
    /*
     * Open 'url' (fill out->ops, out->impl, out->needs_relay) with settings from 'cfg' (NULL:
     * defaults); 'store' (borrowed, outlives the queue) holds the outbox.
     */
    enum dlcs_status (*open)(const char *url, const struct dlcs_config *cfg,
                             struct dlcs_store *store, struct dlcs_queue *out,
                             struct dlcs_error *err);
};

#endif /* DLCS_QUEUE_H */
