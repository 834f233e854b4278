/* SPDX-License-Identifier: Apache-2.0 */
/* The outbox relay thread: claim a batch, publish it, remove what the queue acknowledged. */
#include "dlcs/outbox_relay.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dlcs/clock.h"
#include "dlcs/ids.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"
#include "dlcs/pause.h"

#define BACKOFF_MAX_MS 30000
#define RELAY_NICE     10

struct dlcs_outbox_relay {
    struct dlcs_store *store;
    struct dlcs_queue *queue;
    struct dlcs_outbox_relay_options opt;
    char *owner;
    char token[17];
    struct dlcs_outbox_lease lease;
    struct dlcs_job *jobs;
    int64_t *receipts;
    pthread_t thread;
    struct dlcs_pause pause;
    pthread_mutex_t mu; /* guards state */
    struct dlcs_outbox_relay_state state;
};

static void record(struct dlcs_outbox_relay *r, size_t published, const struct dlcs_error *err)
{
    pthread_mutex_lock(&r->mu);
    r->state.published += (int64_t)published;
    r->state.queue_down = err != NULL;
    if (err) {
        r->state.failures++;
        (void)snprintf(r->state.last_error, sizeof r->state.last_error, "%s", err->message);
    }
    pthread_mutex_unlock(&r->mu);
}

/* One batch: DLCS_OK published (or nothing to do: ENOTFOUND), else the failing status. */
static enum dlcs_status relay_batch(struct dlcs_outbox_relay *r, size_t *moved)
{
    struct dlcs_error err = {0};
    size_t n = 0;
    enum dlcs_status st = dlcs_store_outbox_claim(
        r->store, &(struct dlcs_outbox_claim){&r->lease, r->jobs, (size_t)r->opt.batch}, &n, &err);

    *moved = 0;
    if (st != DLCS_OK) {
        if (st != DLCS_ENOTFOUND)
            dlcs_log(DLCS_LOG_WARN, "outbox relay cannot read the outbox: %s", err.message);
        return st;
    }
    for (size_t i = 0; i < n; i++) {
        r->receipts[i] = r->jobs[i].receipt;
        r->jobs[i].attempt = 1; /* a registration's job: its first run */
        r->jobs[i].not_before = 0;
    }
    st = dlcs_queue_publish(r->queue, r->jobs, n, &err);
    if (st != DLCS_OK) {
        dlcs_log(DLCS_LOG_WARN, "outbox relay cannot publish %zu jobs (they wait): %s", n,
                 err.message);
        record(r, 0, &err);
        /* the entries stay leased to this run and come back when the lease runs out; give
         * them back now so the next try (here or in another process) can take them */
        for (size_t i = 0; i < n; i++)
            if (dlcs_store_outbox_retry(r->store, r->receipts[i], 0, &err) != DLCS_OK)
                break; /* the store fails too: the leases run out instead */
        return st;
    }
    record(r, n, NULL);
    st = dlcs_store_outbox_remove(r->store, r->receipts, n, &err);
    if (st != DLCS_OK) /* published: left in the outbox, they are published again (harmless) */
        dlcs_log(DLCS_LOG_WARN, "outbox relay cannot remove %zu published jobs: %s", n,
                 err.message);
    *moved = n;
    return DLCS_OK;
}

/*
 * Registrations come first: on a busy machine the relay thread yields the CPU to the request
 * threads (a Linux thread has its own nice value), publishing behind them as soon as there is
 * room; the jobs are durable in the outbox meanwhile.
 */
static void yield_to_requests(void)
{
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), RELAY_NICE) != 0)
        dlcs_log(DLCS_LOG_DEBUG, "outbox relay keeps the process's priority");
}

static void *relay_thread(void *arg)
{
    struct dlcs_outbox_relay *r = arg;
    int64_t backoff = r->opt.backoff_ms;

    yield_to_requests();

    while (!dlcs_pause_stopping(&r->pause)) {
        size_t moved = 0;
        enum dlcs_status st = relay_batch(r, &moved);

        if (st == DLCS_OK) {
            backoff = r->opt.backoff_ms;
            if (moved < (size_t)r->opt.batch)
                dlcs_pause_for(&r->pause, r->opt.idle_ms);
        } else if (st == DLCS_ENOTFOUND) {
            dlcs_pause_for(&r->pause, r->opt.idle_ms);
        } else {
            dlcs_pause_for(&r->pause, backoff);
            backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
        }
    }
    return NULL;
}

static void defaults(struct dlcs_outbox_relay_options *o)
{
    if (o->batch <= 0)
        o->batch = 1000;
    if (o->lease_ms <= 0)
        o->lease_ms = 60000;
    if (o->idle_ms <= 0)
        o->idle_ms = 50;
    if (o->backoff_ms <= 0)
        o->backoff_ms = 500;
}

static void relay_free(struct dlcs_outbox_relay *r)
{
    dlcs_pause_destroy(&r->pause);
    pthread_mutex_destroy(&r->mu);
    free(r->jobs);
    free(r->receipts);
    free(r->owner);
    free(r);
}

enum dlcs_status dlcs_outbox_relay_start(struct dlcs_store *store, struct dlcs_queue *queue,
                                         const struct dlcs_outbox_relay_options *opt,
                                         struct dlcs_outbox_relay **out, struct dlcs_error *err)
{
    struct dlcs_outbox_relay *r = dlcs_xcalloc(1, sizeof *r);
    int64_t reclaimed = 0;
    enum dlcs_status st;

    *out = NULL;
    r->store = store;
    r->queue = queue;
    r->opt = *opt;
    defaults(&r->opt);
    r->owner = dlcs_xasprintf("%s/relay", opt->owner ? opt->owner : "dlcs");
    dlcs_id_random_hex(r->token, 8);
    r->lease = (struct dlcs_outbox_lease){r->opt.lease_ms, r->owner, r->token};
    r->jobs = dlcs_xcalloc((size_t)r->opt.batch, sizeof *r->jobs);
    r->receipts = dlcs_xcalloc((size_t)r->opt.batch, sizeof *r->receipts);
    pthread_mutex_init(&r->mu, NULL);
    dlcs_pause_init(&r->pause);
    st = dlcs_store_outbox_reclaim(store, &r->lease, &reclaimed, err);
    if (st == DLCS_OK && reclaimed > 0)
        dlcs_log(DLCS_LOG_INFO, "outbox relay took back %lld jobs of its previous run",
                 (long long)reclaimed);
    if (st == DLCS_OK && pthread_create(&r->thread, NULL, relay_thread, r) != 0)
        st = dlcs_error_set(err, DLCS_EINTERNAL, "cannot start the outbox relay thread");
    if (st != DLCS_OK) {
        relay_free(r);
        return st;
    }
    *out = r;
    return DLCS_OK;
}

void dlcs_outbox_relay_wake(struct dlcs_outbox_relay *r)
{
    if (r)
        dlcs_pause_wake(&r->pause);
}

void dlcs_outbox_relay_state(struct dlcs_outbox_relay *r, struct dlcs_outbox_relay_state *out)
{
    pthread_mutex_lock(&r->mu);
    *out = r->state;
    pthread_mutex_unlock(&r->mu);
}

void dlcs_outbox_relay_stop(struct dlcs_outbox_relay *r)
{
    if (!r)
        return;
    dlcs_pause_stop(&r->pause);
    pthread_join(r->thread, NULL);
    relay_free(r);
}
