/* SPDX-License-Identifier: Apache-2.0 */
/* The Kafka queue adapter's operations (dlcs/queue_kafka.h says what it does). */
#include <stdlib.h>
#include <string.h>

#include "dlcs/clock.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"
#include "dlcs/queue_kafka.h"

#include "kafka_internal.h"

void dlcs_kafka_delivered(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque);

static void kafka_close(void *impl)
{
    struct kafka_queue *q = impl;

    dlcs_kafka_consumer_stop(q);
    if (q->producer) {
        rd_kafka_flush(q->producer, q->set.timeout_ms);
        rd_kafka_destroy(q->producer);
    }
    if (q->lag)
        rd_kafka_destroy(q->lag);
    pthread_mutex_destroy(&q->lock);
    pthread_mutex_destroy(&q->stats.mu);
    dlcs_kafka_settings_release(&q->set);
    free(q);
}

static enum dlcs_status kafka_ping(void *impl, struct dlcs_error *err)
{
    return dlcs_kafka_ping(impl, err);
}

static enum dlcs_status kafka_publish(void *impl, const struct dlcs_job *jobs, size_t count,
                                      struct dlcs_error *err)
{
    return dlcs_kafka_produce(impl, jobs, count, NULL, err);
}

static enum dlcs_status kafka_claim(void *impl, struct dlcs_job *job, struct dlcs_error *err)
{
    struct kafka_queue *q = impl;
    enum dlcs_status st = DLCS_OK;

    pthread_mutex_lock(&q->lock);
    if (!q->c.started) /* the first claim joins the group: publishers never do */
        st = dlcs_kafka_consumer_start(q, err);
    if (st == DLCS_OK)
        st = dlcs_kafka_take(q, job, err);
    pthread_mutex_unlock(&q->lock);
    return st;
}

static enum dlcs_status kafka_done(void *impl, const struct dlcs_job *job, struct dlcs_error *err)
{
    struct kafka_queue *q = impl;
    enum dlcs_status st;

    pthread_mutex_lock(&q->lock);
    st = dlcs_kafka_release(q, job->receipt, err);
    pthread_mutex_unlock(&q->lock);
    return st;
}

/*
 * Publish 'next' (the retry, or the dead letter), then let the original go. When the broker
 * does not take it, this process keeps the original and runs it again after 'delay_ms'.
 */
static enum dlcs_status hand_on(struct kafka_queue *q, const struct dlcs_job *job,
                                const struct dlcs_job *next, const char *reason, int64_t delay_ms)
{
    struct dlcs_error perr = {0}, err = {0};
    enum dlcs_status st = dlcs_kafka_produce(q, next, 1, reason, &perr);

    pthread_mutex_lock(&q->lock);
    if (st == DLCS_OK)
        st = dlcs_kafka_release(q, job->receipt, &err);
    else
        st = dlcs_kafka_give_back(q, job->receipt, dlcs_time_now_ms() + delay_ms, &err);
    pthread_mutex_unlock(&q->lock);
    if (perr.message[0])
        dlcs_log(DLCS_LOG_WARN, "kafka: %s; job %s kept here, run again in %lld ms", perr.message,
                 job->asset, (long long)delay_ms);
    return st;
}

static enum dlcs_status kafka_retry(void *impl, const struct dlcs_job *job, int64_t delay_ms,
                                    struct dlcs_error *err)
{
    struct dlcs_job next = *job;

    (void)err;
    next.attempt = job->attempt + 1;
    next.not_before = dlcs_time_now_ms() + delay_ms;
    return hand_on(impl, job, &next, NULL, delay_ms);
}

static enum dlcs_status kafka_dead(void *impl, const struct dlcs_job *job, const char *reason,
                                   struct dlcs_error *err)
{
    (void)err;
    /* the error is already on the asset; running it again only re-records it */
    return hand_on(impl, job, job, reason && *reason ? reason : "failed", 5000);
}

static enum dlcs_status kafka_waiting(void *impl, int64_t *count, struct dlcs_error *err)
{
    return dlcs_kafka_lag(impl, count, err);
}

static void kafka_stats(void *impl, struct dlcs_queue_stats *out)
{
    dlcs_kafka_stats_read(impl, out);
}

static const struct dlcs_queue_ops kafka_ops = {
    .name = "kafka",
    .close = kafka_close,
    .ping = kafka_ping,
    .publish = kafka_publish,
    .claim = kafka_claim,
    .done = kafka_done,
    .retry = kafka_retry,
    .dead = kafka_dead,
    .waiting = kafka_waiting,
    .stats = kafka_stats,
};

static enum dlcs_status kafka_open(const char *url, const struct dlcs_config *cfg,
                                   struct dlcs_store *store, struct dlcs_queue *out,
                                   struct dlcs_error *err)
{
    struct kafka_queue *q = dlcs_xcalloc(1, sizeof *q);
    rd_kafka_conf_t *conf = NULL;
    struct dlcs_error terr = {0};
    enum dlcs_status st;

    (void)store; /* the outbox reaches Kafka through the relay */
    pthread_mutex_init(&q->lock, NULL);
    pthread_mutex_init(&q->stats.mu, NULL);
    st = dlcs_kafka_settings_load(url, cfg, &q->set, err);
    if (st == DLCS_OK)
        st = dlcs_kafka_conf(&q->set, KAFKA_PRODUCER, &conf, err);
    if (st == DLCS_OK) {
        rd_kafka_conf_set_dr_msg_cb(conf, dlcs_kafka_delivered);
        st = dlcs_kafka_new(KAFKA_PRODUCER, conf, &q->producer, err);
    }
    if (st != DLCS_OK) {
        kafka_close(q);
        return st;
    }
    /* brokers down at start are not fatal: registrations wait in the outbox meanwhile */
    if (dlcs_kafka_ensure_topics(q, &terr) != DLCS_OK)
        dlcs_log(DLCS_LOG_WARN, "kafka: %s (jobs wait in the outbox until it answers)",
                 terr.message);
    out->ops = &kafka_ops;
    out->impl = q;
    out->needs_relay = true;
    return DLCS_OK;
}

const struct dlcs_queue_adapter dlcs_queue_kafka_adapter = {
    {"kafka", "kafka://host:port[,host:port...]", false},
    kafka_open,
};
