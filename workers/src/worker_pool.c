/* SPDX-License-Identifier: Apache-2.0 */
/* Worker threads: claim a job from the queue, ingest its asset, then done, retry or dead. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dlcs/clock.h"
#include "dlcs/ids.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"
#include "dlcs/pause.h"
#include "dlcs/stop.h"
#include "dlcs/worker.h"

struct dlcs_worker_pool {
    struct dlcs_ingest_env env;
    struct dlcs_worker_options opt;
    pthread_t *threads;
    int started;
    struct dlcs_pause pause; /* between empty claims; stop ends it */
    pthread_mutex_t mu;      /* guards running */
    pthread_cond_t ended;    /* a thread left its loop */
    int running;             /* threads still in their loop */
};

/* How long before the next attempt of a job that failed transiently on 'attempt'. */
static int64_t backoff(const struct dlcs_worker_pool *p, int attempt)
{
    if (dlcs_stop_requested()) /* stopped by a shutdown: back at once, for another worker */
        return 0;
    return p->opt.retry_base_ms << (attempt - 1 > 10 ? 10 : attempt - 1);
}

/* Tell the queue how the job ended: done, again later, or dead (its error is on the asset). */
static enum dlcs_status settle(struct dlcs_worker_pool *p, const struct dlcs_job *job,
                               enum dlcs_status st, const struct dlcs_error *failure,
                               struct dlcs_error *err)
{
    bool last = job->attempt >= p->opt.max_attempts;

    if (st != DLCS_OK && dlcs_status_is_transient(st) && (!last || dlcs_stop_requested())) {
        int64_t delay = backoff(p, job->attempt);

        dlcs_log(DLCS_LOG_WARN, "job for '%s' (attempt %d) will be retried in %lld ms: %s",
                 job->asset, job->attempt, (long long)delay, err->message);
        return dlcs_queue_retry(p->opt.queue, job, delay, err);
    }
    if (st != DLCS_OK) {
        dlcs_log(DLCS_LOG_ERROR, "job for '%s': %s", job->asset, err->message);
        return dlcs_queue_dead(p->opt.queue, job, err->message, err);
    }
    if (failure->code != DLCS_OK) /* recorded on the asset; operators keep a copy */
        return dlcs_queue_dead(p->opt.queue, job, failure->message, err);
    return dlcs_queue_done(p->opt.queue, job, err);
}

/*
 * This generation was completed by an earlier delivery of the job, which may have been cut
 * short (a crash, a failing store) after the asset's write and before its batch's: where the
 * store cannot make both one atomic write (MongoDB), the completion is sent again so that the
 * store repairs the batch from what the asset recorded (a duplicate counts nothing twice).
 */
static enum dlcs_status complete_again(struct dlcs_worker_pool *p, const struct dlcs_job *job,
                                       const struct dlcs_asset *a, struct dlcs_error *err)
{
    const struct dlcs_ingest_result r = {
        .customer = job->customer,
        .space = job->space,
        .id = job->asset,
        .generation = job->generation,
        .batch = job->batch,
        .error = a->error && a->error[0] ? a->error : NULL,
        .width = a->width,
        .height = a->height,
        .duration = a->duration,
    };
    enum dlcs_completion outcome;

    return dlcs_store_complete(p->env.store, &r, &outcome, err);
}

/* Run one claimed job to done, retry or dead. */
static void run_job(struct dlcs_worker_pool *p, const struct dlcs_job *job)
{
    struct dlcs_asset a;
    struct dlcs_error err = {0}, failure = {0};
    bool last = job->attempt >= p->opt.max_attempts;
    enum dlcs_status st;

    dlcs_entity_init(&dlcs_asset_entity, &a);
    a.customer = job->customer;
    a.space = job->space;
    a.id = dlcs_xstrdup(job->asset);
    st = dlcs_store_get(p->env.store, &dlcs_asset_entity, &a, &err);
    if (st == DLCS_OK && a.generation == job->generation && a.ingesting)
        st = dlcs_ingest_asset(
            &p->env, &(const struct dlcs_ingest_job){&a, job->attempt, last, true, &failure}, &err);
    else if (st == DLCS_OK && a.generation == job->generation && job->batch)
        st = complete_again(p, job, &a, &err);
    else if (st == DLCS_ENOTFOUND || st == DLCS_OK)
        st = DLCS_OK; /* deleted or re-registered since: nothing to do */
    st = settle(p, job, st, &failure, &err);
    if (st != DLCS_OK) /* the queue delivers it again: nothing is lost */
        dlcs_log(DLCS_LOG_ERROR, "job for '%s': cannot update the queue: %s", job->asset,
                 err.message);
    dlcs_entity_release(&dlcs_asset_entity, &a);
}

static void *worker(void *arg)
{
    struct dlcs_worker_pool *p = arg;

    while (!dlcs_pause_stopping(&p->pause)) {
        struct dlcs_job job;
        struct dlcs_error err = {0};
        enum dlcs_status st = dlcs_queue_claim(p->opt.queue, &job, &err);

        if (st == DLCS_OK) {
            dlcs_log_set_request(NULL);
            run_job(p, &job);
        } else {
            if (st != DLCS_ENOTFOUND)
                dlcs_log(DLCS_LOG_WARN, "cannot claim a job: %s", err.message);
            dlcs_pause_for(&p->pause, p->opt.idle_ms);
        }
    }
    pthread_mutex_lock(&p->mu);
    p->running--;
    pthread_cond_broadcast(&p->ended);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

enum dlcs_status dlcs_worker_pool_start(const struct dlcs_ingest_env *env,
                                        const struct dlcs_worker_options *opt,
                                        struct dlcs_worker_pool **out, struct dlcs_error *err)
{
    struct dlcs_worker_pool *p = dlcs_xcalloc(1, sizeof *p);

    p->env = *env;
    p->opt = *opt;
    dlcs_pause_init(&p->pause);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->ended, NULL);
    p->threads = dlcs_xcalloc((size_t)(opt->threads > 0 ? opt->threads : 1), sizeof *p->threads);
    for (int i = 0; i < opt->threads; i++) {
        pthread_mutex_lock(&p->mu);
        p->running++;
        pthread_mutex_unlock(&p->mu);
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0) {
            pthread_mutex_lock(&p->mu);
            p->running--;
            pthread_mutex_unlock(&p->mu);
            dlcs_worker_pool_stop(p);
            return dlcs_error_set(err, DLCS_EINTERNAL, "cannot start worker thread %d", i);
        }
        p->started++;
    }
    *out = p;
    return DLCS_OK;
}

bool dlcs_worker_pool_drain(struct dlcs_worker_pool *p, int64_t ms)
{
    struct timespec until;
    bool drained;

    if (!p)
        return true;
    dlcs_pause_stop(&p->pause); /* no thread claims another job */
    dlcs_time_deadline(&until, ms);
    pthread_mutex_lock(&p->mu);
    while (p->running > 0 && pthread_cond_timedwait(&p->ended, &p->mu, &until) == 0)
        ;
    drained = p->running == 0;
    pthread_mutex_unlock(&p->mu);
    if (!drained) { /* fetches and conversions give up within a second; their jobs go back */
        dlcs_log(DLCS_LOG_WARN, "jobs still running after %lld ms of drain: giving them back",
                 (long long)ms);
        dlcs_stop_request();
    }
    return drained;
}

void dlcs_worker_pool_stop(struct dlcs_worker_pool *p)
{
    if (!p)
        return;
    dlcs_pause_stop(&p->pause);
    for (int i = 0; i < p->started; i++)
        pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->ended);
    pthread_mutex_destroy(&p->mu);
    dlcs_pause_destroy(&p->pause);
    free(p->threads);
    free(p);
}
