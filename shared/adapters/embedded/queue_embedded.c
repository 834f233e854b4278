/* SPDX-License-Identifier: Apache-2.0 */
/* The embedded queue: claims, retries and removals on the store's outbox, under leases. */
#include "dlcs/queue_embedded.h"

#include <stdlib.h>
#include <string.h>

#include "dlcs/clock.h"
#include "dlcs/config.h"
#include "dlcs/ids.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"
#include "dlcs/store.h"

struct embedded_queue {
    struct dlcs_store *store;
    char *owner;
    char token[17]; /* this run's */
    struct dlcs_outbox_lease lease;
};

static void embedded_close(void *impl)
{
    struct embedded_queue *q = impl;

    free(q->owner);
    free(q);
}

static enum dlcs_status embedded_ping(void *impl, struct dlcs_error *err)
{
    struct embedded_queue *q = impl;

    return dlcs_store_ping(q->store, err);
}

static enum dlcs_status embedded_publish(void *impl, const struct dlcs_job *jobs, size_t count,
                                         struct dlcs_error *err)
{
    struct embedded_queue *q = impl;

    return dlcs_store_outbox_add(q->store, jobs, count, err);
}

static enum dlcs_status embedded_claim(void *impl, struct dlcs_job *job, struct dlcs_error *err)
{
    struct embedded_queue *q = impl;
    size_t n = 0;

    return dlcs_store_outbox_claim(q->store, &(struct dlcs_outbox_claim){&q->lease, job, 1}, &n,
                                   err);
}

static enum dlcs_status embedded_remove(void *impl, const struct dlcs_job *job,
                                        struct dlcs_error *err)
{
    struct embedded_queue *q = impl;

    return dlcs_store_outbox_remove(q->store, &job->receipt, 1, err);
}

static enum dlcs_status embedded_retry(void *impl, const struct dlcs_job *job, int64_t delay_ms,
                                       struct dlcs_error *err)
{
    struct embedded_queue *q = impl;

    /* the entry's run count moves on at the next claim */
    return dlcs_store_outbox_retry(q->store, job->receipt, dlcs_time_now_ms() + delay_ms, err);
}

static enum dlcs_status embedded_dead(void *impl, const struct dlcs_job *job, const char *reason,
                                      struct dlcs_error *err)
{
    (void)reason; /* the error is on the asset; the embedded queue keeps no dead letters */
    return embedded_remove(impl, job, err);
}

static enum dlcs_status embedded_waiting(void *impl, int64_t *count, struct dlcs_error *err)
{
    struct embedded_queue *q = impl;

    return dlcs_store_outbox_count(q->store, count, err);
}

static const struct dlcs_queue_ops embedded_ops = {
    .name = "embedded",
    .close = embedded_close,
    .ping = embedded_ping,
    .publish = embedded_publish,
    .claim = embedded_claim,
    .done = embedded_remove,
    .retry = embedded_retry,
    .dead = embedded_dead,
    .waiting = embedded_waiting,
};

/*
 * A process that was killed (SIGKILL, OOM, a node lost) left its jobs leased for up to the
 * lease time; the same worker starting again knows they are dead and takes them back now.
 */
static enum dlcs_status reclaim_predecessor(struct embedded_queue *q, struct dlcs_error *err)
{
    int64_t n = 0;
    enum dlcs_status st = dlcs_store_outbox_reclaim(q->store, &q->lease, &n, err);

    if (st == DLCS_OK && n > 0)
        dlcs_log(DLCS_LOG_INFO, "reclaimed %lld jobs leased by the previous run of worker '%s'",
                 (long long)n, q->owner);
    return st;
}

static enum dlcs_status embedded_open(const char *url, const struct dlcs_config *cfg,
                                      struct dlcs_store *store, struct dlcs_queue *out,
                                      struct dlcs_error *err)
{
    struct embedded_queue *q;
    enum dlcs_status st;

    if (strcmp(url, "embedded") != 0)
        return dlcs_error_set(err, DLCS_EINVAL, "DLCS_QUEUE '%s': embedded takes no parameters",
                              url);
    q = dlcs_xcalloc(1, sizeof *q);
    q->store = store;
    q->owner = dlcs_xstrdup(cfg && cfg->worker_id ? cfg->worker_id : "dlcs");
    dlcs_id_random_hex(q->token, 8);
    /* a lease outlives the longest ingest (resolved by the caller; 51 min by default) */
    q->lease = (struct dlcs_outbox_lease){
        cfg && cfg->job_lease_ms > 0 ? cfg->job_lease_ms : 3060000, q->owner, q->token};
    st = reclaim_predecessor(q, err);
    if (st != DLCS_OK) {
        embedded_close(q);
        return st;
    }
    out->ops = &embedded_ops;
    out->impl = q;
    out->needs_relay = false;
    return DLCS_OK;
}

const struct dlcs_queue_adapter dlcs_queue_embedded_adapter = {
    {"embedded", "embedded", false},
    embedded_open,
};
