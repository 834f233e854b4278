/* SPDX-License-Identifier: Apache-2.0 */
/* Worker threads: claim a job, ingest its asset, then done or retry. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dlcs/clock.h"
#include "dlcs/ids.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"
#include "dlcs/stop.h"
#include "dlcs/worker.h"

struct dlcs_worker_pool {
    struct dlcs_ingest_env env;
    struct dlcs_worker_options opt;
    pthread_t *threads;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    bool stopping;
    char token[17];              /* this run's lease token */
    struct dlcs_job_lease lease; /* owner (borrowed from the options) + token */
};

static bool stopping(struct dlcs_worker_pool *p)
{
    bool s;

    pthread_mutex_lock(&p->mu);
    s = p->stopping;
    pthread_mutex_unlock(&p->mu);
    return s;
}

/* Wait up to 'ms' or until stop. */
static void idle(struct dlcs_worker_pool *p, int64_t ms)
{
    struct timespec until;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)(ms / 1000);
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&p->mu);
    if (!p->stopping)
        pthread_cond_timedwait(&p->wake, &p->mu, &until);
    pthread_mutex_unlock(&p->mu);
}

/* Run one claimed job to done or retry. */
static void run_job(struct dlcs_worker_pool *p, const struct dlcs_job *job)
{
    struct dlcs_asset a;
    struct dlcs_error err = {0};
    bool last = job->attempts >= p->opt.max_attempts;
    enum dlcs_status st;
    int64_t delay;

    dlcs_entity_init(&dlcs_asset_entity, &a);
    a.customer = job->customer;
    a.space = job->space;
    a.id = dlcs_xstrdup(job->asset);
    st = dlcs_store_get(p->env.store, &dlcs_asset_entity, &a, &err);
    /* a generation no longer ingesting was completed by another delivery of this job */
    if (st == DLCS_OK && a.generation == job->generation && a.ingesting)
        st = dlcs_ingest_asset(
            &p->env, &(const struct dlcs_ingest_job){&a, job->attempts, last, true, NULL}, &err);
    else if (st == DLCS_ENOTFOUND || st == DLCS_OK)
        st = DLCS_OK; /* deleted, re-registered or completed since: nothing to do */
    if (st != DLCS_OK && dlcs_status_is_transient(st) && (!last || dlcs_stop_requested())) {
        /* stopped by a shutdown: back to the queue at once, for the next run or another worker */
        delay = dlcs_stop_requested()
                    ? 0
                    : p->opt.retry_base_ms << (job->attempts - 1 > 10 ? 10 : job->attempts - 1);
        dlcs_log(DLCS_LOG_WARN, "job %lld for '%s' will be retried in %lld ms: %s",
                 (long long)job->id, job->asset, (long long)delay, err.message);
        st = dlcs_store_job_retry(p->env.store, job->id, delay, &err);
    } else {
        if (st != DLCS_OK)
            dlcs_log(DLCS_LOG_ERROR, "job %lld for '%s': %s", (long long)job->id, job->asset,
                     err.message);
        st = dlcs_store_job_done(p->env.store, job->id, &err);
    }
    if (st != DLCS_OK) /* the lease runs out and the job is claimed again: nothing is lost */
        dlcs_log(DLCS_LOG_ERROR, "job %lld: cannot update the queue: %s", (long long)job->id,
                 err.message);
    dlcs_entity_release(&dlcs_asset_entity, &a);
}

static void *worker(void *arg)
{
    struct dlcs_worker_pool *p = arg;

    while (!stopping(p)) {
        struct dlcs_job job;
        struct dlcs_error err = {0};
        enum dlcs_status st = dlcs_store_job_claim(p->env.store, &p->lease, &job, &err);

        if (st == DLCS_OK) {
            dlcs_log_set_request(NULL);
            run_job(p, &job);
        } else {
            if (st != DLCS_ENOTFOUND)
                dlcs_log(DLCS_LOG_WARN, "cannot claim a job: %s", err.message);
            idle(p, p->opt.idle_ms);
        }
    }
    return NULL;
}

/*
 * A worker that was killed (SIGKILL, OOM, a node lost) left its jobs leased for up to the lease
 * time; the same worker starting again knows they are dead and takes them back now.
 */
static enum dlcs_status reclaim_predecessor(struct dlcs_worker_pool *p, struct dlcs_error *err)
{
    int64_t n = 0;
    enum dlcs_status st = dlcs_store_jobs_reclaim(p->env.store, &p->lease, &n, err);

    if (st == DLCS_OK && n > 0)
        dlcs_log(DLCS_LOG_INFO, "reclaimed %lld jobs leased by the previous run of worker '%s'",
                 (long long)n, p->lease.owner);
    return st;
}

enum dlcs_status dlcs_worker_pool_start(const struct dlcs_ingest_env *env,
                                        const struct dlcs_worker_options *opt,
                                        struct dlcs_worker_pool **out, struct dlcs_error *err)
{
    struct dlcs_worker_pool *p = dlcs_xcalloc(1, sizeof *p);

    p->env = *env;
    p->opt = *opt;
    dlcs_id_random_hex(p->token, 8); /* this run of the worker */
    p->lease = (struct dlcs_job_lease){opt->lease_ms, opt->owner ? opt->owner : "dlcs", p->token};
    if (reclaim_predecessor(p, err) != DLCS_OK) {
        free(p);
        return err->code;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    p->threads = dlcs_xcalloc((size_t)(opt->threads > 0 ? opt->threads : 1), sizeof *p->threads);
    for (int i = 0; i < opt->threads; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0) {
            dlcs_worker_pool_stop(p);
            return dlcs_error_set(err, DLCS_EINTERNAL, "cannot start worker thread %d", i);
        }
        p->started++;
    }
    *out = p;
    return DLCS_OK;
}

void dlcs_worker_pool_stop(struct dlcs_worker_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->started; i++)
        pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->mu);
    free(p->threads);
    free(p);
}
