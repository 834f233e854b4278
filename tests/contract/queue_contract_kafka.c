/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The queue contract against the Kafka adapter, on librdkafka's mock cluster (3 brokers, the
 * real Kafka protocol) started in this process. Each test gets its own topic prefix, so its
 * topics and consumer group start empty. KAFKA_BROKERS=host:port,... runs it against a real
 * cluster instead (topics are then auto-created by the brokers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "dlcs/adapters.h"
#include "dlcs/config.h"
#include "dlcs/log.h"

#include "queue_contract.h"

static rd_kafka_mock_cluster_t *cluster;
static char url[1024];
static char prefix[64];
static int tests;
static struct dlcs_config cfg;

static const char *lookup(const char *name, void *ctx)
{
    (void)ctx;
    if (strcmp(name, "DLCS_KAFKA_TOPIC_PREFIX") == 0)
        return prefix;
    if (strcmp(name, "DLCS_WORKER_ID") == 0)
        return "contract";
    return NULL;
}

static struct dlcs_queue *open_queue(void)
{
    struct dlcs_error err = {0};
    struct dlcs_queue *q = NULL;

    if (dlcs_queue_open(url, &cfg, NULL, &q, &err) != DLCS_OK) {
        fprintf(stderr, "open the queue: %s\n", err.message);
        abort();
    }
    return q;
}

static struct dlcs_queue *open_empty(void)
{
    static const char *const topics[] = {"ingest", "ingest-priority", "ingest-dead"};
    struct dlcs_error err = {0};
    char name[128];

    (void)snprintf(prefix, sizeof prefix, "contract%d.", ++tests);
    for (size_t i = 0; cluster && i < sizeof topics / sizeof topics[0]; i++) {
        (void)snprintf(name, sizeof name, "%s%s", prefix, topics[i]);
        if (rd_kafka_mock_topic_create(cluster, name, 4, 3) != RD_KAFKA_RESP_ERR_NO_ERROR)
            abort();
    }
    if (dlcs_config_load(&cfg, lookup, NULL, &err) != DLCS_OK) {
        fprintf(stderr, "config: %s\n", err.message);
        abort();
    }
    return open_queue();
}

/* A process that held jobs is gone: its successor in the group gets them again. */
static struct dlcs_queue *crash_and_restart(struct dlcs_queue *q)
{
    dlcs_queue_free(q);
    return open_queue();
}

static void close_all(struct dlcs_queue *q)
{
    dlcs_queue_free(q);
    dlcs_config_release(&cfg);
}

int main(void)
{
    const struct queue_contract_adapter kafka = {"kafka",   open_empty, crash_and_restart,
                                                 close_all, 10000,      true};
    const char *real = getenv("KAFKA_BROKERS");
    rd_kafka_t *owner = NULL;
    char why[256];
    int failed;

    dlcs_log_set_level(DLCS_LOG_ERROR); /* brokers coming and going are warnings */
    if (real && *real) {
        (void)snprintf(url, sizeof url, "kafka://%s", real);
    } else {
        rd_kafka_conf_t *conf = rd_kafka_conf_new();

        /* this handle only owns the cluster: it connects nowhere and says nothing */
        (void)rd_kafka_conf_set(conf, "log_level", "0", why, sizeof why);
        owner = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
        if (owner == NULL || (cluster = rd_kafka_mock_cluster_new(owner, 3)) == NULL) {
            fprintf(stderr, "mock cluster: %s\n", why);
            return 1;
        }
        (void)snprintf(url, sizeof url, "kafka://%s", rd_kafka_mock_cluster_bootstraps(cluster));
    }
    failed = queue_contract_run(&kafka);
    if (cluster)
        rd_kafka_mock_cluster_destroy(cluster);
    if (owner)
        rd_kafka_destroy(owner);
    return failed;
}
