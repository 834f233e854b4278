/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A Kafka cluster for tests: librdkafka's mock cluster (the real Kafka protocol on loopback
 * ports) in a process of its own, so the dlcs processes under test, kcat and the test all reach
 * it like a real cluster. It proves the protocol, groups, commits and broker outages; it does
 * not prove replication, leader moves or durability on disk (the mock keeps no files and a
 * broker that is down keeps its partitions' leadership).
 *
 * Usage: kafka_mock_cluster [-b brokers] [-t topic:partitions]... [-f bootstrap-file] [-k]
 * Prints "BOOTSTRAP host:port,..." (and writes it to the file), then reads commands on stdin:
 *   down N | up N   take broker N (1..brokers) down or up
 *   topic NAME P    create a topic with P partitions
 *   quit            stop
 * It stops at the end of stdin unless -k (keep running until SIGTERM/SIGINT).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int create_topic(rd_kafka_mock_cluster_t *mc, const char *spec, int brokers)
{
    char name[256];
    int partitions = 4;
    const char *colon = strchr(spec, ':');
    size_t len = colon ? (size_t)(colon - spec) : strlen(spec);

    if (len == 0 || len >= sizeof name)
        return -1;
    memcpy(name, spec, len);
    name[len] = '\0';
    if (colon)
        partitions = (int)strtol(colon + 1, NULL, 10);
    if (partitions < 1)
        return -1;
    return rd_kafka_mock_topic_create(mc, name, partitions, brokers < 3 ? brokers : 3) ? -1 : 0;
}

static void command(rd_kafka_mock_cluster_t *mc, char *line, int brokers)
{
    char what[16] = "", arg[256] = "";
    int n = 0, parts = 0;

    if (sscanf(line, "%15s %255s %d", what, arg, &parts) < 1)
        return;
    n = (int)strtol(arg, NULL, 10);
    if (strcmp(what, "down") == 0 && n >= 1 && n <= brokers)
        rd_kafka_mock_broker_set_down(mc, n);
    else if (strcmp(what, "up") == 0 && n >= 1 && n <= brokers)
        rd_kafka_mock_broker_set_up(mc, n);
    else if (strcmp(what, "topic") == 0) {
        char spec[300];

        (void)snprintf(spec, sizeof spec, "%s:%d", arg, parts > 0 ? parts : 4);
        if (create_topic(mc, spec, brokers) != 0) {
            printf("ERROR topic %s\n", arg);
            fflush(stdout);
            return;
        }
    } else if (strcmp(what, "quit") == 0)
        stop = 1;
    else {
        printf("ERROR unknown command: %s", line);
        fflush(stdout);
        return;
    }
    printf("OK %s %s\n", what, arg);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    int brokers = 3, keep = 0, opt;
    const char *file = NULL;
    const char *topics[32];
    int ntopics = 0;
    char why[256], line[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_t *rk;
    rd_kafka_mock_cluster_t *mc;

    while ((opt = getopt(argc, argv, "b:t:f:k")) != -1) {
        if (opt == 'b')
            brokers = (int)strtol(optarg, NULL, 10);
        else if (opt == 't' && ntopics < 32)
            topics[ntopics++] = optarg;
        else if (opt == 'f')
            file = optarg;
        else if (opt == 'k')
            keep = 1;
        else {
            fprintf(stderr, "usage: %s [-b brokers] [-t topic:partitions]... [-f file] [-k]\n",
                    argv[0]);
            return 2;
        }
    }
    if (brokers < 1 || brokers > 16)
        return 2;
    (void)rd_kafka_conf_set(conf, "log_level", "0", why, sizeof why);
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    if (rk == NULL || (mc = rd_kafka_mock_cluster_new(rk, brokers)) == NULL) {
        fprintf(stderr, "mock cluster: %s\n", why);
        return 1;
    }
    for (int i = 0; i < ntopics; i++)
        if (create_topic(mc, topics[i], brokers) != 0) {
            fprintf(stderr, "topic '%s': write name:partitions\n", topics[i]);
            return 2;
        }
    printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mc));
    fflush(stdout);
    if (file) {
        FILE *f = fopen(file, "w");

        if (f == NULL || fprintf(f, "%s\n", rd_kafka_mock_cluster_bootstraps(mc)) < 0 ||
            fclose(f) != 0) {
            perror(file);
            return 1;
        }
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    while (!stop) {
        if (fgets(line, sizeof line, stdin) != NULL) {
            command(mc, line, brokers);
            continue;
        }
        if (!keep)
            break;
        clearerr(stdin);
        pause(); /* until a signal */
    }
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(rk);
    return 0;
}
