/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Kafka queue adapter (DLCS_QUEUE=kafka://host:port[,host:port...], librdkafka).
 *
 * Topics {prefix}ingest and {prefix}ingest-priority (consumed first) hold the jobs, keyed by
 * "customer/space/id" so one image's jobs stay in order in one partition; the value is a small
 * JSON job {customer, space, id, generation, batch, attempt, notBefore}. {prefix}ingest-dead
 * keeps a copy of every job that failed for good, with its reason, for operators.
 *
 * Publishing uses an idempotent producer (acks=all) and waits for every delivery report: on
 * DLCS_OK each job is on every in-sync replica. Consumers share the group {prefix}workers with
 * manual commits: jobs finish out of order, so each partition is committed just below the
 * oldest job still held. A poll thread keeps the group membership alive while jobs run and
 * pauses the partitions while DLCS_KAFKA_PREFETCH jobs are held. A retry is published again
 * (attempt + 1, notBefore) before the original is committed; if the broker refuses it, the job
 * stays in this process and runs again after its delay (nothing is lost either way).
 *
 * The consumer starts at the first claim, so processes that only publish (dlcs api) never join
 * the group. Settings: DLCS_KAFKA_TOPIC_PREFIX, DLCS_KAFKA_GROUP, DLCS_KAFKA_CLIENT_ID,
 * DLCS_KAFKA_PREFETCH, DLCS_KAFKA_TIMEOUT_MS, DLCS_KAFKA_PROPERTIES (librdkafka properties
 * passed through: security.protocol, sasl.*, ssl.*, session.timeout.ms ...).
 */
#ifndef DLCS_QUEUE_KAFKA_H
#define DLCS_QUEUE_KAFKA_H

#include "dlcs/queue.h"

extern const struct dlcs_queue_adapter dlcs_queue_kafka_adapter;

#endif /* DLCS_QUEUE_KAFKA_H */
