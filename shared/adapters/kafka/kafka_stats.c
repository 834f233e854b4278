/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Statistics: librdkafka's periodic JSON report of the consumer (statistics.interval.ms) gives
 * the lag of every partition this process is assigned; the publish path counts acknowledged
 * and failed jobs itself. Both are read by dlcs_queue_stats, for the metrics endpoint.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dlcs/clock.h"

#include "kafka_internal.h"

/* One topic's assigned partitions ("desired" in librdkafka's words) into 'out'. */
static void topic_partitions(const char *topic, json_t *parts, struct dlcs_queue_stats *out)
{
    const char *key;
    json_t *p;

    json_object_foreach(parts, key, p)
    {
        json_int_t partition = json_integer_value(json_object_get(p, "partition"));
        json_t *lag = json_object_get(p, "consumer_lag");
        struct dlcs_queue_partition_lag *slot;

        (void)key;
        if (partition < 0 || !json_is_true(json_object_get(p, "desired")))
            continue; /* -1 is the topic's internal partition; others are not this process's */
        if (out->partitions == DLCS_QUEUE_STATS_PARTS)
            return;
        slot = &out->parts[out->partitions++];
        (void)snprintf(slot->topic, sizeof slot->topic, "%s", topic);
        slot->partition = (int32_t)partition;
        slot->lag = json_is_integer(lag) ? json_integer_value(lag) : -1;
        if (slot->lag > 0)
            out->lag += slot->lag;
    }
}

void dlcs_kafka_stats_parse(const char *json, size_t len, struct dlcs_queue_stats *out)
{
    json_t *doc = json_loadb(json, len, 0, NULL), *topics, *t;
    const char *name;

    out->lag = 0;
    out->partitions = 0;
    if (!doc)
        return;
    topics = json_object_get(doc, "topics");
    json_object_foreach(topics, name, t)
    {
        topic_partitions(name, json_object_get(t, "partitions"), out);
    }
    json_decref(doc);
}

int dlcs_kafka_stats_cb(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
    struct kafka_queue *q = opaque;
    struct dlcs_queue_stats parsed;

    (void)rk;
    memset(&parsed, 0, sizeof parsed);
    dlcs_kafka_stats_parse(json, len, &parsed);
    parsed.reported_ms = dlcs_time_now_ms();
    pthread_mutex_lock(&q->stats.mu);
    q->stats.last = parsed;
    pthread_mutex_unlock(&q->stats.mu);
    return 0; /* librdkafka frees 'json' */
}

void dlcs_kafka_stats_read(struct kafka_queue *q, struct dlcs_queue_stats *out)
{
    pthread_mutex_lock(&q->stats.mu);
    *out = q->stats.last;
    pthread_mutex_unlock(&q->stats.mu);
    out->published = atomic_load(&q->stats.published);
    out->publish_errors = atomic_load(&q->stats.publish_errors);
}
