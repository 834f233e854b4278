/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Consuming: a poll thread receives messages into 'held' (the jobs this process holds) and
 * commits each partition just below the oldest job it still holds; workers take jobs from
 * 'held' (priority first) under q->lock. The rebalance callback runs in the poll thread.
 */
#include <stdlib.h>
#include <string.h>

#include "dlcs/clock.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"

#include "kafka_internal.h"

static int topic_of(const struct kafka_queue *q, const char *name)
{
    return strcmp(name, q->set.topics[KAFKA_PRIORITY]) == 0 ? KAFKA_PRIORITY : KAFKA_INGEST;
}

static int find_part(struct kafka_consumer *c, int topic, int32_t partition)
{
    for (size_t i = 0; i < c->nparts; i++)
        if (c->parts[i].topic == topic && c->parts[i].partition == partition)
            return (int)i;
    return -1;
}

static int add_part(struct kafka_consumer *c, int topic, int32_t partition)
{
    int i = find_part(c, topic, partition);

    if (i >= 0)
        return i;
    if (c->nparts == c->parts_cap) {
        c->parts_cap = c->parts_cap ? c->parts_cap * 2 : 16;
        c->parts = dlcs_xrealloc(c->parts, c->parts_cap * sizeof *c->parts);
    }
    c->parts[c->nparts] = (struct kafka_part){topic, partition, -1, -1, false, false, 0};
    return (int)c->nparts++;
}

/* Where the group may resume this partition: the oldest held job, else after the last seen. */
static int64_t commit_position(const struct kafka_consumer *c, int part)
{
    int64_t pos = c->parts[part].next_offset;

    for (size_t i = 0; i < c->nheld; i++)
        if (c->held[i].part == part && c->held[i].offset < pos)
            pos = c->held[i].offset;
    return pos;
}

/* The partitions whose position moved, as a list to commit (NULL if none). Lock held. */
static rd_kafka_topic_partition_list_t *moved(struct kafka_queue *q)
{
    struct kafka_consumer *c = &q->c;
    rd_kafka_topic_partition_list_t *l = NULL;

    for (size_t i = 0; i < c->nparts; i++) {
        struct kafka_part *p = &c->parts[i];
        int64_t pos;

        if (!p->assigned || p->next_offset < 0)
            continue;
        pos = commit_position(c, (int)i);
        if (pos <= p->committed)
            continue;
        if (l == NULL)
            l = rd_kafka_topic_partition_list_new(8);
        rd_kafka_topic_partition_list_add(l, q->set.topics[p->topic], p->partition)->offset = pos;
        p->committed = pos;
    }
    return l;
}

static void commit(struct kafka_queue *q, rd_kafka_topic_partition_list_t *l, bool sync)
{
    rd_kafka_resp_err_t e;

    if (l == NULL)
        return;
    e = rd_kafka_commit(q->c.rk, l, sync ? 0 : 1);
    if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
        dlcs_log(DLCS_LOG_WARN, "kafka: commit: %s (those jobs may run again)",
                 rd_kafka_err2str(e));
    rd_kafka_topic_partition_list_destroy(l);
}

/*
 * A commit the group refused (or that timed out): 'moved' marked those positions committed
 * when it sent them, so mark them not committed again and the next round sends them anew.
 * Served by librdkafka on the poll thread, never under q->lock.
 */
static void committed_cb(rd_kafka_t *rk, rd_kafka_resp_err_t e,
                         rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
    struct kafka_queue *q = opaque;
    rd_kafka_resp_err_t why = e;
    int again = 0;

    (void)rk;
    if (e == RD_KAFKA_RESP_ERR__NO_OFFSET || offsets == NULL)
        return;
    pthread_mutex_lock(&q->lock);
    for (int i = 0; i < offsets->cnt; i++) {
        const rd_kafka_topic_partition_t *o = &offsets->elems[i];
        int k = find_part(&q->c, topic_of(q, o->topic), o->partition);

        if ((e || o->err) && k >= 0 && q->c.parts[k].assigned &&
            q->c.parts[k].committed == o->offset) {
            q->c.parts[k].committed = -1;
            why = why ? why : o->err; /* the partition's own reason when the call's is none */
            again++;
        }
    }
    pthread_mutex_unlock(&q->lock);
    if (again)
        dlcs_log(DLCS_LOG_WARN, "kafka: commit of %d partitions refused (%s): sent again", again,
                 rd_kafka_err2str(why));
}

static void assign(struct kafka_queue *q, rd_kafka_topic_partition_list_t *parts)
{
    struct kafka_consumer *c = &q->c;

    for (int i = 0; i < parts->cnt; i++) {
        int k = add_part(c, topic_of(q, parts->elems[i].topic), parts->elems[i].partition);

        c->parts[k].assigned = true;
        c->parts[k].caught_up = false;
        c->parts[k].assigned_at = dlcs_time_now_ms();
        c->parts[k].next_offset = -1;
        c->parts[k].committed = -1;
    }
    c->paused = false;
}

/* Revoked: commit what is finished, forget what waits, let running jobs end uncommitted. */
static rd_kafka_topic_partition_list_t *revoke(struct kafka_queue *q)
{
    struct kafka_consumer *c = &q->c;
    rd_kafka_topic_partition_list_t *l = moved(q);
    size_t i, kept = 0;

    for (i = 0; i < c->nheld; i++) {
        struct kafka_held h = c->held[i];

        if (!h.claimed)
            continue; /* its next owner gets it from the committed position */
        h.part = -1;
        c->held[kept++] = h;
    }
    c->nheld = kept;
    c->unclaimed = 0;
    for (i = 0; i < c->nparts; i++)
        c->parts[i].assigned = false;
    return l;
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t e,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct kafka_queue *q = opaque;
    rd_kafka_topic_partition_list_t *done = NULL;

    pthread_mutex_lock(&q->lock);
    if (e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
        assign(q, parts);
    else
        done = revoke(q);
    pthread_mutex_unlock(&q->lock);
    if (done)
        commit(q, done, true);
    rd_kafka_assign(rk, e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? parts : NULL);
    /* a partition paused before the rebalance stays paused in librdkafka: start it afresh */
    if (e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS)
        rd_kafka_resume_partitions(rk, parts);
    dlcs_log(DLCS_LOG_INFO, "kafka: %s %d partitions",
             e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? "assigned" : "revoked", parts->cnt);
}

static void hold(struct kafka_queue *q, int part, const rd_kafka_message_t *m)
{
    struct kafka_consumer *c = &q->c;
    struct dlcs_error err = {0};
    struct dlcs_job job;

    c->parts[part].next_offset = m->offset + 1;
    if (dlcs_kafka_job_decode(m->payload, m->len, &job, &err) != DLCS_OK) {
        dlcs_log(DLCS_LOG_WARN, "kafka: skipped message %s[%d]@%lld: %s",
                 rd_kafka_topic_name(m->rkt), (int)m->partition, (long long)m->offset, err.message);
        return;
    }
    job.priority = c->parts[part].topic == KAFKA_PRIORITY;
    if (c->nheld == c->held_cap) {
        c->held_cap = c->held_cap ? c->held_cap * 2 : 64;
        c->held = dlcs_xrealloc(c->held, c->held_cap * sizeof *c->held);
    }
    job.receipt = ++c->next_receipt;
    c->held[c->nheld++] = (struct kafka_held){job.receipt, part, m->offset, false, job};
    c->unclaimed++;
}

static void receive(struct kafka_queue *q, const rd_kafka_message_t *m)
{
    struct kafka_consumer *c = &q->c;
    int part;

    if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        dlcs_log(DLCS_LOG_WARN, "kafka: consume: %s", rd_kafka_message_errstr(m));
        return;
    }
    if (m->rkt == NULL)
        return;
    part = find_part(c, topic_of(q, rd_kafka_topic_name(m->rkt)), m->partition);
    if (part < 0 || !c->parts[part].assigned)
        return; /* from before a rebalance */
    c->parts[part].caught_up = true;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR)
        hold(q, part, m);
}

/* Held retries not yet due count 1/HELD_LATER_SHARE against DLCS_KAFKA_PREFETCH. */
#define HELD_LATER_SHARE 8

/*
 * Pause every assigned partition while the process holds enough due jobs; resume below it.
 * Retries waiting for their notBefore do not hold the due work back (a backoff of minutes
 * would stall every partition), but memory stays bounded: HELD_LATER_SHARE x PREFETCH at most.
 */
static void pace(struct kafka_queue *q)
{
    struct kafka_consumer *c = &q->c;
    const int64_t now = dlcs_time_now_ms();
    size_t due = 0;
    bool full;
    rd_kafka_topic_partition_list_t *l;

    for (size_t i = 0; i < c->nheld; i++)
        due += !c->held[i].claimed && c->held[i].job.not_before <= now;
    full = due >= (size_t)q->set.prefetch ||
           c->unclaimed >= (size_t)q->set.prefetch * HELD_LATER_SHARE;

    if (full == c->paused)
        return;
    l = rd_kafka_topic_partition_list_new(8);
    for (size_t i = 0; i < c->nparts; i++)
        if (c->parts[i].assigned)
            rd_kafka_topic_partition_list_add(l, q->set.topics[c->parts[i].topic],
                                              c->parts[i].partition);
    if (full)
        rd_kafka_pause_partitions(c->rk, l);
    else
        rd_kafka_resume_partitions(c->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    c->paused = full;
}

static void *poll_thread(void *arg)
{
    struct kafka_queue *q = arg;
    rd_kafka_topic_partition_list_t *l;

    while (!atomic_load(&q->c.stopping)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(q->c.rk, 50);

        pthread_mutex_lock(&q->lock);
        if (m)
            receive(q, m);
        pace(q);
        l = moved(q);
        pthread_mutex_unlock(&q->lock);
        if (m)
            rd_kafka_message_destroy(m);
        commit(q, l, false);
    }
    return NULL;
}

enum dlcs_status dlcs_kafka_consumer_start(struct kafka_queue *q, struct dlcs_error *err)
{
    struct kafka_consumer *c = &q->c;
    rd_kafka_conf_t *conf = NULL;
    rd_kafka_topic_partition_list_t *topics;
    rd_kafka_resp_err_t e;
    enum dlcs_status st = dlcs_kafka_conf(&q->set, KAFKA_CONSUMER, &conf, err);

    if (st != DLCS_OK)
        return st;
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    rd_kafka_conf_set_offset_commit_cb(conf, committed_cb);
    rd_kafka_conf_set_opaque(conf, q);
    st = dlcs_kafka_new(KAFKA_CONSUMER, conf, &c->rk, err);
    if (st != DLCS_OK)
        return st;
    rd_kafka_poll_set_consumer(c->rk);
    topics = rd_kafka_topic_partition_list_new(2);
    rd_kafka_topic_partition_list_add(topics, q->set.topics[KAFKA_PRIORITY], RD_KAFKA_PARTITION_UA);
    rd_kafka_topic_partition_list_add(topics, q->set.topics[KAFKA_INGEST], RD_KAFKA_PARTITION_UA);
    e = rd_kafka_subscribe(c->rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_destroy(c->rk);
        c->rk = NULL;
        return dlcs_error_set(err, dlcs_kafka_status(e), "kafka: subscribe: %s",
                              rd_kafka_err2str(e));
    }
    atomic_init(&c->stopping, false);
    if (pthread_create(&c->poller, NULL, poll_thread, q) != 0) {
        rd_kafka_destroy(c->rk);
        c->rk = NULL;
        return dlcs_error_set(err, DLCS_EINTERNAL, "kafka: cannot start the poll thread");
    }
    c->started = true;
    return DLCS_OK;
}

void dlcs_kafka_consumer_stop(struct kafka_queue *q)
{
    struct kafka_consumer *c = &q->c;
    rd_kafka_topic_partition_list_t *l;

    if (!c->started)
        return;
    atomic_store(&c->stopping, true);
    pthread_join(c->poller, NULL);
    pthread_mutex_lock(&q->lock);
    l = moved(q);
    pthread_mutex_unlock(&q->lock);
    commit(q, l, true);             /* what is finished; held jobs run again elsewhere */
    rd_kafka_consumer_close(c->rk); /* leaves the group: its partitions move at once */
    rd_kafka_destroy(c->rk);
    free(c->parts);
    free(c->held);
    memset(c, 0, sizeof *c);
}

/* A held job due now, priority ones first; ordinary ones only once every priority partition
   has shown what it holds (so a fresh consumer does not start on the wrong topic), or a second
   after it was assigned: librdkafka reports a partition's end once per offset, so a partition
   assigned again at the end it already reported stays silent. */
#define PRIORITY_WAIT_MS 1000
static int pick(struct kafka_consumer *c, int64_t now)
{
    bool priority_seen = true;

    for (size_t i = 0; i < c->nparts; i++)
        if (c->parts[i].assigned && c->parts[i].topic == KAFKA_PRIORITY && !c->parts[i].caught_up &&
            now - c->parts[i].assigned_at < PRIORITY_WAIT_MS)
            priority_seen = false;
    for (int topic = KAFKA_PRIORITY; topic <= KAFKA_INGEST; topic++) {
        if (topic == KAFKA_INGEST && !priority_seen)
            break;
        for (size_t i = 0; i < c->nheld; i++) {
            const struct kafka_held *h = &c->held[i];

            if (!h->claimed && h->part >= 0 && c->parts[h->part].topic == topic &&
                h->job.not_before <= now)
                return (int)i;
        }
    }
    return -1;
}

enum dlcs_status dlcs_kafka_take(struct kafka_queue *q, struct dlcs_job *job,
                                 struct dlcs_error *err)
{
    struct kafka_consumer *c = &q->c;
    int i = pick(c, dlcs_time_now_ms());

    if (i < 0)
        return dlcs_error_set(err, DLCS_ENOTFOUND, "no job waiting");
    c->held[i].claimed = true;
    c->unclaimed--;
    *job = c->held[i].job;
    return DLCS_OK;
}

static int find_held(struct kafka_consumer *c, int64_t receipt)
{
    for (size_t i = 0; i < c->nheld; i++)
        if (c->held[i].receipt == receipt)
            return (int)i;
    return -1;
}

/* Remove held[i], keeping the others in the order they arrived (one asset's jobs in order). */
static void forget(struct kafka_consumer *c, size_t i)
{
    memmove(&c->held[i], &c->held[i + 1], (c->nheld - i - 1) * sizeof *c->held);
    c->nheld--;
}

enum dlcs_status dlcs_kafka_release(struct kafka_queue *q, int64_t receipt, struct dlcs_error *err)
{
    struct kafka_consumer *c = &q->c;
    int i = find_held(c, receipt);

    if (i < 0 || !c->held[i].claimed)
        return dlcs_error_set(err, DLCS_ENOTFOUND, "job %lld is not held", (long long)receipt);
    forget(c, (size_t)i); /* the poll thread commits the new position */
    return DLCS_OK;
}

enum dlcs_status dlcs_kafka_give_back(struct kafka_queue *q, int64_t receipt, int64_t not_before,
                                      struct dlcs_error *err)
{
    struct kafka_consumer *c = &q->c;
    int i = find_held(c, receipt);

    if (i < 0 || !c->held[i].claimed)
        return dlcs_error_set(err, DLCS_ENOTFOUND, "job %lld is not held", (long long)receipt);
    if (c->held[i].part < 0) { /* revoked meanwhile: its partition's next owner runs it */
        forget(c, (size_t)i);
        return DLCS_OK;
    }
    c->held[i].claimed = false;
    c->held[i].job.attempt++;
    c->held[i].job.not_before = not_before;
    c->unclaimed++;
    return DLCS_OK;
}
