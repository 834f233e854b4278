/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Publishing: every message of a call carries a tracker; the call serves delivery reports
 * (rd_kafka_poll, whichever thread's reports they are) until its own have all arrived.
 */
#include <stdlib.h>
#include <string.h>

#include "dlcs/clock.h"

#include "kafka_internal.h"

struct tracker {
    atomic_long pending;
    atomic_long failed;      /* delivery reports with an error */
    _Atomic int first_error; /* rd_kafka_resp_err_t */
};

void dlcs_kafka_delivered(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque);
void dlcs_kafka_delivered(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    struct tracker *t = m->_private;
    int none = RD_KAFKA_RESP_ERR_NO_ERROR;

    (void)rk;
    (void)opaque;
    if (m->err) {
        atomic_compare_exchange_strong(&t->first_error, &none, (int)m->err);
        atomic_fetch_add(&t->failed, 1);
    }
    atomic_fetch_sub(&t->pending, 1); /* last: the publisher's frame may end right after */
}

static rd_kafka_resp_err_t produce_one(struct kafka_queue *q, const char *topic,
                                       const struct dlcs_job *job, const char *reason,
                                       struct tracker *t)
{
    char *key = dlcs_kafka_job_key(job), *value = dlcs_kafka_job_encode(job, reason);
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__FAIL;
    int64_t until = dlcs_time_now_ms() + q->set.timeout_ms;

    if (key && value) {
        /* the vu array form: the RD_KAFKA_V_* macros are GNU statement expressions */
        rd_kafka_vu_t vu[] = {
            {.vtype = RD_KAFKA_VTYPE_TOPIC, .u.cstr = topic},
            {.vtype = RD_KAFKA_VTYPE_KEY, .u.mem = {key, strlen(key)}},
            {.vtype = RD_KAFKA_VTYPE_VALUE, .u.mem = {value, strlen(value)}},
            {.vtype = RD_KAFKA_VTYPE_MSGFLAGS, .u.i = RD_KAFKA_MSG_F_COPY},
            {.vtype = RD_KAFKA_VTYPE_OPAQUE, .u.ptr = t},
        };
        for (;;) {
            rd_kafka_error_t *error = rd_kafka_produceva(q->producer, vu, sizeof vu / sizeof vu[0]);

            e = error ? rd_kafka_error_code(error) : RD_KAFKA_RESP_ERR_NO_ERROR;
            if (error)
                rd_kafka_error_destroy(error);
            if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL || dlcs_time_now_ms() > until)
                break;
            rd_kafka_poll(q->producer, 10); /* the local queue drains as reports arrive */
        }
    }
    free(key);
    free(value);
    return e;
}

enum dlcs_status dlcs_kafka_produce(struct kafka_queue *q, const struct dlcs_job *jobs,
                                    size_t count, const char *dead_reason, struct dlcs_error *err)
{
    struct tracker t;
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
    size_t i;

    atomic_init(&t.pending, 0);
    atomic_init(&t.failed, 0);
    atomic_init(&t.first_error, RD_KAFKA_RESP_ERR_NO_ERROR);
    for (i = 0; i < count; i++) {
        int topic = dead_reason ? KAFKA_DEAD : jobs[i].priority ? KAFKA_PRIORITY : KAFKA_INGEST;

        if (jobs[i].asset[0] == '\0' || jobs[i].generation < 1 || jobs[i].attempt < 1) {
            e = RD_KAFKA_RESP_ERR__INVALID_ARG;
            break;
        }
        atomic_fetch_add(&t.pending, 1);
        e = produce_one(q, q->set.topics[topic], &jobs[i], dead_reason, &t);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            atomic_fetch_sub(&t.pending, 1);
            break;
        }
    }
    /* every message handed over gets its report within message.timeout.ms */
    while (atomic_load(&t.pending) > 0)
        rd_kafka_poll(q->producer, 10);
    {
        const long ok = (long)i - atomic_load(&t.failed); /* handed over and acknowledged */

        atomic_fetch_add(&q->stats.published, ok);
        atomic_fetch_add(&q->stats.publish_errors, (long)count - ok);
    }
    if (e == RD_KAFKA_RESP_ERR__INVALID_ARG)
        return dlcs_error_set(err, DLCS_EINVAL, "job %zu: no asset, generation or attempt", i);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
        e = (rd_kafka_resp_err_t)atomic_load(&t.first_error);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        return dlcs_error_set(err, dlcs_kafka_status(e), "kafka: publish: %s", rd_kafka_err2str(e));
    return DLCS_OK;
}

enum dlcs_status dlcs_kafka_topic_metadata(struct kafka_queue *q, int topic, int timeout_ms,
                                           rd_kafka_topic_partition_list_t *parts,
                                           struct dlcs_error *err)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(q->producer, q->set.topics[topic], NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e;

    if (rkt == NULL)
        return dlcs_error_set(err, DLCS_EUPSTREAM, "kafka: topic '%s'", q->set.topics[topic]);
    e = rd_kafka_metadata(q->producer, 0, rkt, &md, timeout_ms);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1 && md->topics[0].err)
        e = md->topics[0].err;
    for (int i = 0; e == RD_KAFKA_RESP_ERR_NO_ERROR && parts && i < md->topic_cnt; i++)
        for (int p = 0; p < md->topics[i].partition_cnt; p++)
            rd_kafka_topic_partition_list_add(parts, q->set.topics[topic],
                                              md->topics[i].partitions[p].id);
    if (md)
        rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        return dlcs_error_set(err, dlcs_kafka_status(e), "kafka: brokers %s: topic '%s': %s",
                              q->set.brokers, q->set.topics[topic], rd_kafka_err2str(e));
    return DLCS_OK;
}

enum dlcs_status dlcs_kafka_ping(struct kafka_queue *q, struct dlcs_error *err)
{
    return dlcs_kafka_topic_metadata(q, KAFKA_INGEST, 2000, NULL, err);
}

enum dlcs_status dlcs_kafka_ensure_topics(struct kafka_queue *q, struct dlcs_error *err)
{
    enum dlcs_status st = DLCS_OK;

    /* a producer's metadata request creates a missing topic on brokers that auto-create;
       a broker that is down now is not an error at start (the outbox waits for it) */
    for (int i = 0; i < KAFKA_TOPICS && st == DLCS_OK; i++)
        st = dlcs_kafka_topic_metadata(q, i, 5000, NULL, err);
    return st;
}
