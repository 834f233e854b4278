/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ingest workers: one asset's ingest with its customer's origin strategies, recorded exactly
 * once per generation; and a pool of threads that claim queued jobs, ingest, and mark them
 * done or retry them (transient failures) with backoff up to a number of attempts.
 */
#ifndef DLCS_WORKER_H
#define DLCS_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "dlcs/blobstore.h"
#include "dlcs/ingest.h"
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
    int threads;
    int64_t lease_ms;      /* how long a claimed job is this worker's (> the longest ingest) */
    int max_attempts;      /* transient failures are retried until this many attempts */
    int64_t retry_base_ms; /* first retry delay, doubled per attempt */
    int64_t idle_ms;       /* pause when the queue is empty */
    const char *owner;     /* DLCS_WORKER_ID: this process's place; its leases carry it */
};

struct dlcs_worker_pool;

/* Start the threads. On DLCS_OK the caller owns '*out' (dlcs_worker_pool_stop). */
enum dlcs_status dlcs_worker_pool_start(const struct dlcs_ingest_env *env,
                                        const struct dlcs_worker_options *opt,
                                        struct dlcs_worker_pool **out,
                                        struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Stop: each thread finishes its current job, then all are joined. NULL-safe. */
void dlcs_worker_pool_stop(struct dlcs_worker_pool *pool);

#endif /* DLCS_WORKER_H */
