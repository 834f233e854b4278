/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ingest workers: one asset's ingest with its customer's origin strategies, recorded exactly
 * once per generation; and a pool of threads that claim jobs from the queue, ingest, and mark
 * them done, retry them (transient failures) with backoff up to a number of attempts, or mark
 * them dead (a permanent failure or the last attempt: the error is recorded on the asset).
 */
#ifndef DLCS_WORKER_H
#define DLCS_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "dlcs/blobstore.h"
#include "dlcs/ingest.h"
#include "dlcs/queue.h"
#include "dlcs/store.h"

/* What an ingest needs besides the asset. Borrowed pointers, thread-safe. */
struct dlcs_ingest_env {
    const struct dlcs_ingest_settings *settings;
    struct dlcs_store *store;
    struct dlcs_blobstore *blobs;
};

/*
 * Ingest 'a' (registered, with its generation) under "{customer}/{space}/{id}" and record
 * the outcome (dimensions, or the error) with dlcs_store_complete. A transient failure is
 * recorded only when 'record_transient'; otherwise its status is returned unrecorded so the
 * caller can retry. DLCS_OK when an outcome was recorded (success or error on the asset);
 * 'failure' (may be NULL) then gets the ingest's own error (code OK when it succeeded). Every
 * outcome is logged: info for a success, warn for a failure, with phases, bytes and attempt.
 */
struct dlcs_ingest_job {
    const struct dlcs_asset *asset; /* registered, with its generation */
    int attempt;                    /* 1 for the first, for the log */
    bool record_transient;          /* the last attempt: a transient failure is recorded too */
    bool queued;                    /* from the queue: stopped by a shutdown, it goes back */
    struct dlcs_error *failure;     /* may be NULL: the ingest's own error, see above */
};

enum dlcs_status dlcs_ingest_asset(const struct dlcs_ingest_env *env,
                                   const struct dlcs_ingest_job *job,
                                   struct dlcs_error *err) DLCS_WARN_UNUSED;

struct dlcs_worker_options {
    struct dlcs_queue *queue; /* borrowed: where the jobs come from */
    int threads;
    int max_attempts;      /* transient failures are retried until this many attempts */
    int64_t retry_base_ms; /* first retry delay, doubled per attempt */
    int64_t idle_ms;       /* pause when the queue is empty */
};

struct dlcs_worker_pool;

/* Start the threads. On DLCS_OK the caller owns '*out' (dlcs_worker_pool_stop). */
enum dlcs_status dlcs_worker_pool_start(const struct dlcs_ingest_env *env,
                                        const struct dlcs_worker_options *opt,
                                        struct dlcs_worker_pool **out,
                                        struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Drain (a graceful stop): no thread claims another job, and the jobs in hand may run to their
 * end for up to 'ms'. Past that, dlcs_stop_request() makes them give up within a second (each
 * goes back to the queue, for another worker). True when every job ended within 'ms'.
 * NULL-safe. dlcs_worker_pool_stop follows.
 */
bool dlcs_worker_pool_drain(struct dlcs_worker_pool *pool, int64_t ms);

/* Stop: each thread finishes its current job, then all are joined. NULL-safe. */
void dlcs_worker_pool_stop(struct dlcs_worker_pool *pool);

#endif /* DLCS_WORKER_H */
