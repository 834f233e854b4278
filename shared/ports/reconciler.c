/* SPDX-License-Identifier: Apache-2.0 */
/* The reconciler thread: under the store's lease, requeue stalled assets round after round. */
#include "dlcs/reconciler.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "dlcs/clock.h"
#include "dlcs/ids.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"
#include "dlcs/pause.h"

#define LEASE_NAME "reconciler"

struct dlcs_reconciler {
    struct dlcs_store *store;
    struct dlcs_reconciler_options opt;
    char *holder; /* owner/reconciler/token: this run */
    pthread_t thread;
    struct dlcs_pause pause;
    atomic_llong requeued;
};

/* Take or renew the lease; false when another process holds it or the store fails. */
static bool hold(struct dlcs_reconciler *r, int64_t ms)
{
    struct dlcs_error err = {0};
    bool held = false;

    if (dlcs_store_lease(r->store, &(struct dlcs_store_lease){LEASE_NAME, r->holder, ms}, &held,
                         &err) != DLCS_OK) {
        dlcs_log(DLCS_LOG_WARN, "reconciler cannot reach its lease: %s", err.message);
        return false;
    }
    return held;
}

/* One round: requeue in writes of opt.batch until none is left (or the lease is lost). */
static void round_once(struct dlcs_reconciler *r)
{
    struct dlcs_error err = {0};
    int64_t total = 0;
    size_t n = (size_t)r->opt.batch;

    while (n == (size_t)r->opt.batch && !dlcs_pause_stopping(&r->pause) &&
           hold(r, 2 * r->opt.every_ms)) {
        const struct dlcs_stalled_requeue q = {dlcs_time_now_ms() - r->opt.after_ms,
                                               (size_t)r->opt.batch};

        if (dlcs_store_requeue_stalled(r->store, &q, &n, &err) != DLCS_OK) {
            dlcs_log(DLCS_LOG_WARN, "reconciler cannot requeue stalled images: %s", err.message);
            break;
        }
        total += (int64_t)n;
    }
    if (total > 0) {
        atomic_fetch_add(&r->requeued, total);
        dlcs_log(DLCS_LOG_WARN,
                 "reconciler queued %lld images again: still ingesting after %lld ms with no job "
                 "in the outbox",
                 (long long)total, (long long)r->opt.after_ms);
    }
}

static void *reconciler_thread(void *arg)
{
    struct dlcs_reconciler *r = arg;

    while (!dlcs_pause_stopping(&r->pause)) {
        round_once(r);
        dlcs_pause_for(&r->pause, r->opt.every_ms);
    }
    (void)hold(r, 0); /* give the lease up: another process takes over at its next round */
    return NULL;
}

static void reconciler_free(struct dlcs_reconciler *r)
{
    dlcs_pause_destroy(&r->pause);
    free(r->holder);
    free(r);
}

enum dlcs_status dlcs_reconciler_start(struct dlcs_store *store,
                                       const struct dlcs_reconciler_options *opt,
                                       struct dlcs_reconciler **out, struct dlcs_error *err)
{
    struct dlcs_reconciler *r;
    char token[17];

    *out = NULL;
    if (opt->after_ms <= 0)
        return dlcs_error_set(err, DLCS_EINVAL, "the reconciler needs a deadline above 0 ms");
    r = dlcs_xcalloc(1, sizeof *r);
    r->store = store;
    r->opt = *opt;
    if (r->opt.every_ms <= 0)
        r->opt.every_ms = 60000;
    if (r->opt.batch <= 0)
        r->opt.batch = 500;
    dlcs_id_random_hex(token, 8);
    r->holder = dlcs_xasprintf("%s/reconciler/%s", opt->owner ? opt->owner : "dlcs", token);
    dlcs_pause_init(&r->pause);
    if (pthread_create(&r->thread, NULL, reconciler_thread, r) != 0) {
        reconciler_free(r);
        return dlcs_error_set(err, DLCS_EINTERNAL, "cannot start the reconciler thread");
    }
    *out = r;
    return DLCS_OK;
}

int64_t dlcs_reconciler_requeued(struct dlcs_reconciler *r)
{
    return r ? (int64_t)atomic_load(&r->requeued) : 0;
}

void dlcs_reconciler_stop(struct dlcs_reconciler *r)
{
    if (!r)
        return;
    dlcs_pause_stop(&r->pause);
    pthread_join(r->thread, NULL);
    reconciler_free(r);
}
