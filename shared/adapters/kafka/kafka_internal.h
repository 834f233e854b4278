/* SPDX-License-Identifier: Apache-2.0 */
/* What the Kafka adapter's files share. Not a public header. */
#ifndef DLCS_KAFKA_INTERNAL_H
#define DLCS_KAFKA_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <librdkafka/rdkafka.h>

#include "dlcs/queue.h"

enum kafka_topic { KAFKA_PRIORITY = 0, KAFKA_INGEST = 1, KAFKA_DEAD = 2, KAFKA_TOPICS = 3 };

/* What the adapter was configured with (from the URL and DLCS_KAFKA_*). Owned strings. */
struct kafka_settings {
    char *brokers;
    char *topics[KAFKA_TOPICS]; /* full names, prefix included */
    char *group;
    char *client_id;
    char *properties; /* "name=value;name=value", passed to every client, or NULL */
    int prefetch;     /* jobs held by this process at most before its partitions pause */
    int timeout_ms;   /* a publish's delivery report arrives within this (message.timeout.ms) */
};

/* One partition this consumer was assigned. */
struct kafka_part {
    int topic; /* KAFKA_PRIORITY or KAFKA_INGEST */
    int32_t partition;
    int64_t next_offset; /* after the last message received; -1 = none yet */
    int64_t committed;   /* the position last committed (or found), -1 = none */
    bool assigned;
    bool caught_up;      /* a message or the partition's end was seen since it was assigned */
    int64_t assigned_at; /* ms since the epoch */
};

/* A job this process holds: received and not yet done (claimed by a worker or waiting). */
struct kafka_held {
    int64_t receipt;
    int part; /* index into parts, -1 when the partition was revoked while it ran */
    int64_t offset;
    bool claimed;
    struct dlcs_job job;
};

struct kafka_consumer {
    rd_kafka_t *rk;
    pthread_t poller;
    bool started, failed;
    atomic_bool stopping;
    struct kafka_part *parts;
    size_t nparts, parts_cap;
    struct kafka_held *held;
    size_t nheld, held_cap;
    size_t unclaimed;
    bool paused;
    int64_t next_receipt;
};

/* What the clients counted and reported (kafka_stats.c). */
struct kafka_stats {
    atomic_llong published, publish_errors;
    pthread_mutex_t mu; /* guards the last report */
    struct dlcs_queue_stats last;
};

struct kafka_queue {
    struct kafka_settings set;
    struct kafka_stats stats;
    rd_kafka_t *producer;
    rd_kafka_t *lag;      /* a group-less view of the group's commits, for 'waiting'; lazily */
    pthread_mutex_t lock; /* the consumer's state and the lazily made handles */
    struct kafka_consumer c;
};

/* kafka_conf.c: a client configuration with our defaults, then the settings, then passthrough. */
enum kafka_role { KAFKA_PRODUCER, KAFKA_CONSUMER, KAFKA_OBSERVER };
enum dlcs_status dlcs_kafka_conf(const struct kafka_settings *set, enum kafka_role role,
                                 rd_kafka_conf_t **out, struct dlcs_error *err);
/* A client from 'conf' (taken, also on failure). */
enum dlcs_status dlcs_kafka_new(enum kafka_role role, rd_kafka_conf_t *conf, rd_kafka_t **out,
                                struct dlcs_error *err);
enum dlcs_status dlcs_kafka_settings_load(const char *url, const struct dlcs_config *cfg,
                                          struct kafka_settings *out, struct dlcs_error *err);
void dlcs_kafka_settings_release(struct kafka_settings *set);

/* kafka_job.c: the message form of a job. */
char *dlcs_kafka_job_key(const struct dlcs_job *job);                        /* free() */
char *dlcs_kafka_job_encode(const struct dlcs_job *job, const char *reason); /* free() */
enum dlcs_status dlcs_kafka_job_decode(const void *value, size_t len, struct dlcs_job *out,
                                       struct dlcs_error *err);

/* kafka_produce.c */
enum dlcs_status dlcs_kafka_produce(struct kafka_queue *q, const struct dlcs_job *jobs,
                                    size_t count, const char *dead_reason, struct dlcs_error *err);
enum dlcs_status dlcs_kafka_ping(struct kafka_queue *q, struct dlcs_error *err);
/* The brokers' metadata of 'topic' (a kafka_topic): they answer, the topic exists (or was
   auto-created), and its partitions are added to 'parts' (may be NULL). */
enum dlcs_status dlcs_kafka_topic_metadata(struct kafka_queue *q, int topic, int timeout_ms,
                                           rd_kafka_topic_partition_list_t *parts,
                                           struct dlcs_error *err);
enum dlcs_status dlcs_kafka_ensure_topics(struct kafka_queue *q, struct dlcs_error *err);

/* kafka_consume.c (call with q->lock held where it says so) */
enum dlcs_status dlcs_kafka_consumer_start(struct kafka_queue *q, struct dlcs_error *err);
void dlcs_kafka_consumer_stop(struct kafka_queue *q);
enum dlcs_status dlcs_kafka_take(struct kafka_queue *q, struct dlcs_job *job,
                                 struct dlcs_error *err); /* lock held */
/* Forget a held job (done); or give it back to run again after 'delay_ms'. Lock held. */
enum dlcs_status dlcs_kafka_release(struct kafka_queue *q, int64_t receipt, struct dlcs_error *err);
enum dlcs_status dlcs_kafka_give_back(struct kafka_queue *q, int64_t receipt, int64_t not_before,
                                      struct dlcs_error *err);

/* kafka_lag.c: jobs published and not committed by the group. */
enum dlcs_status dlcs_kafka_lag(struct kafka_queue *q, int64_t *count, struct dlcs_error *err);

/* kafka_stats.c: librdkafka's statistics (consumer lag per partition) and our own counts. */
#define KAFKA_STATS_INTERVAL_MS "5000"
int dlcs_kafka_stats_cb(rd_kafka_t *rk, char *json, size_t len, void *opaque);
void dlcs_kafka_stats_parse(const char *json, size_t len, struct dlcs_queue_stats *out);
void dlcs_kafka_stats_read(struct kafka_queue *q, struct dlcs_queue_stats *out);

/* A librdkafka error as a port status: down brokers and timeouts are transient. */
enum dlcs_status dlcs_kafka_status(rd_kafka_resp_err_t e);

#endif /* DLCS_KAFKA_INTERNAL_H */
