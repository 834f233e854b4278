/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The mock Kafka cluster (tests/kafka/mock_cluster.c) as a child process for integration
 * tests: started with its stdin on a pipe, so a test can take brokers down and up.
 */
#ifndef DLCS_TEST_KAFKA_CLUSTER_H
#define DLCS_TEST_KAFKA_CLUSTER_H

#include <stdio.h>
#include <sys/types.h>

struct kafka_cluster {
    pid_t pid;
    FILE *control;
    char bootstrap[1024]; /* host:port,host:port,host:port */
};

/* Start 'binary' with 3 brokers and the topics of 'prefix' (ingest:4, priority:2, dead:1). */
int kafka_cluster_start(struct kafka_cluster *c, const char *binary, const char *prefix);

/* "down N" / "up N" (1..3). */
void kafka_cluster_broker(struct kafka_cluster *c, const char *what, int broker);

/* Stop the cluster (end of its stdin) and wait for it. */
void kafka_cluster_stop(struct kafka_cluster *c);

/*
 * Messages on 'topic' whose key starts with 'key_prefix', read with kcat from the start;
 * 'distinct' counts each key once. -1 when kcat fails.
 */
int kafka_cluster_count(const struct kafka_cluster *c, const char *topic, const char *key_prefix,
                        int distinct);

/* What kafka_cluster_wait_count waits for. */
struct kafka_count_wait {
    const char *topic;
    const char *key_prefix;
    int distinct;
    int want;       /* stop as soon as this many are there */
    int timeout_ms; /* or after this long */
};

/*
 * kafka_cluster_count until 'want' messages are there or the time is up: the outbox relay
 * publishes after the API answered, so a count read at once can be short. Returns the last count.
 */
int kafka_cluster_wait_count(const struct kafka_cluster *c, const struct kafka_count_wait *w);

#endif
