/* SPDX-License-Identifier: Apache-2.0 */
/* Kafka client configurations: our defaults, the DLCS_KAFKA_* settings, then passthrough. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/adapter.h"
#include "dlcs/config.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"

#include "kafka_internal.h"

static void log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    /* syslog levels; connection failures are level 3 and expected while a broker is down */
    enum dlcs_log_level l = level <= 4   ? DLCS_LOG_WARN
                            : level <= 6 ? DLCS_LOG_INFO
                                         : DLCS_LOG_DEBUG;
    char line[1024];

    (void)rk;
    (void)snprintf(line, sizeof line, "%s: %s", fac, buf);
    dlcs_log_library("librdkafka", l, line);
}

static void error_cb(rd_kafka_t *rk, int e, const char *reason, void *opaque)
{
    (void)rk;
    (void)opaque;
    dlcs_log(DLCS_LOG_WARN, "kafka: %s: %s", rd_kafka_err2name((rd_kafka_resp_err_t)e), reason);
}

static enum dlcs_status set(rd_kafka_conf_t *conf, const char *name, const char *value,
                            struct dlcs_error *err)
{
    char why[512];

    if (rd_kafka_conf_set(conf, name, value, why, sizeof why) != RD_KAFKA_CONF_OK)
        return dlcs_error_set(err, DLCS_EINVAL, "kafka property '%s': %s", name, why);
    return DLCS_OK;
}

/* "name=value;name=value" (DLCS_KAFKA_PROPERTIES) onto 'conf'. */
static enum dlcs_status passthrough(rd_kafka_conf_t *conf, const char *props,
                                    struct dlcs_error *err)
{
    char *copy = dlcs_xstrdup(props), *save = NULL, *pair;
    enum dlcs_status st = DLCS_OK;

    for (pair = strtok_r(copy, ";", &save); pair && st == DLCS_OK;
         pair = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(pair, '=');

        while (*pair == ' ')
            pair++;
        if (*pair == '\0')
            continue;
        if (eq == NULL) {
            st = dlcs_error_set(err, DLCS_EINVAL, "DLCS_KAFKA_PROPERTIES: '%s' is not name=value",
                                pair);
            break;
        }
        *eq = '\0';
        st = set(conf, pair, eq + 1, err);
    }
    free(copy);
    return st;
}

enum dlcs_status dlcs_kafka_conf(const struct kafka_settings *s, enum kafka_role role,
                                 rd_kafka_conf_t **out, struct dlcs_error *err)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char timeout[32];
    enum dlcs_status st;

    (void)snprintf(timeout, sizeof timeout, "%d", s->timeout_ms);
    rd_kafka_conf_set_log_cb(conf, log_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    st = set(conf, "bootstrap.servers", s->brokers, err);
    if (st == DLCS_OK)
        st = set(conf, "client.id", s->client_id, err);
    /* a broker back after an outage is found within a second (a longer backoff stalled
       idempotent producers past their flush in the mock cluster) */
    if (st == DLCS_OK)
        st = set(conf, "reconnect.backoff.max.ms", "1000", err);
    if (st == DLCS_OK && role == KAFKA_PRODUCER) {
        st = set(conf, "enable.idempotence", "true", err); /* implies acks=all */
        if (st == DLCS_OK)
            st = set(conf, "acks", "all", err);
        if (st == DLCS_OK)
            st = set(conf, "linger.ms", "5", err);
        if (st == DLCS_OK)
            st = set(conf, "message.timeout.ms", timeout, err);
    }
    if (st == DLCS_OK && role != KAFKA_PRODUCER)
        st = set(conf, "group.id", s->group, err);
    if (st == DLCS_OK && role == KAFKA_CONSUMER) {
        static const char *const defaults[][2] = {{"enable.auto.commit", "false"},
                                                  {"enable.auto.offset.store", "false"},
                                                  {"auto.offset.reset", "earliest"},
                                                  {"enable.partition.eof", "true"},
                                                  {"session.timeout.ms", "10000"},
                                                  {"heartbeat.interval.ms", "1000"},
                                                  {"fetch.wait.max.ms", "100"},
                                                  {"queued.min.messages", "1000"},
                                                  {"topic.metadata.refresh.interval.ms", "10000"}};
        for (size_t i = 0; st == DLCS_OK && i < sizeof defaults / sizeof defaults[0]; i++)
            st = set(conf, defaults[i][0], defaults[i][1], err);
        /* the consumer's lag per partition, for metrics (the opaque is the queue) */
        if (st == DLCS_OK)
            st = set(conf, "statistics.interval.ms", KAFKA_STATS_INTERVAL_MS, err);
        rd_kafka_conf_set_stats_cb(conf, dlcs_kafka_stats_cb);
    }
    if (st == DLCS_OK && s->properties)
        st = passthrough(conf, s->properties, err);
    if (st != DLCS_OK) {
        rd_kafka_conf_destroy(conf);
        return st;
    }
    *out = conf;
    return DLCS_OK;
}

enum dlcs_status dlcs_kafka_new(enum kafka_role role, rd_kafka_conf_t *conf, rd_kafka_t **out,
                                struct dlcs_error *err)
{
    char why[512];
    rd_kafka_t *rk = rd_kafka_new(role == KAFKA_PRODUCER ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER,
                                  conf, why, sizeof why);

    if (rk == NULL) {
        rd_kafka_conf_destroy(conf);
        return dlcs_error_set(err, DLCS_EINVAL, "kafka client: %s", why);
    }
    *out = rk;
    return DLCS_OK;
}

enum dlcs_status dlcs_kafka_settings_load(const char *url, const struct dlcs_config *cfg,
                                          struct kafka_settings *out, struct dlcs_error *err)
{
    static const char *const suffix[KAFKA_TOPICS] = {"ingest-priority", "ingest", "ingest-dead"};
    const char *prefix = cfg && cfg->kafka_topic_prefix ? cfg->kafka_topic_prefix : "dlcs.";
    const char *rest = strncmp(url, "kafka://", 8) == 0 ? url + 8 : url;

    memset(out, 0, sizeof *out);
    if (*rest == '\0' || strchr(rest, '/') || strchr(rest, '?'))
        return dlcs_error_set(err, DLCS_EINVAL,
                              "DLCS_QUEUE '%s': write kafka://host:port[,host:port...] (other "
                              "settings are DLCS_KAFKA_*)",
                              url);
    out->brokers = dlcs_xstrdup(rest);
    for (int i = 0; i < KAFKA_TOPICS; i++)
        out->topics[i] = dlcs_xasprintf("%s%s", prefix, suffix[i]);
    out->group = cfg && cfg->kafka_group ? dlcs_xstrdup(cfg->kafka_group)
                                         : dlcs_xasprintf("%sworkers", prefix);
    out->client_id = dlcs_xstrdup(cfg && cfg->kafka_client_id ? cfg->kafka_client_id
                                  : cfg && cfg->worker_id     ? cfg->worker_id
                                                              : "dlcs");
    out->properties = dlcs_xstrdup_or_null(cfg ? cfg->kafka_properties : NULL);
    out->prefetch = cfg && cfg->kafka_prefetch > 0 ? cfg->kafka_prefetch : 64;
    out->timeout_ms = cfg && cfg->kafka_timeout_ms > 0 ? cfg->kafka_timeout_ms : 30000;
    return DLCS_OK;
}

void dlcs_kafka_settings_release(struct kafka_settings *s)
{
    free(s->brokers);
    for (int i = 0; i < KAFKA_TOPICS; i++)
        free(s->topics[i]);
    free(s->group);
    free(s->client_id);
    free(s->properties);
    memset(s, 0, sizeof *s);
}

enum dlcs_status dlcs_kafka_status(rd_kafka_resp_err_t e)
{
    switch (e) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
        return DLCS_OK;
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
        return DLCS_ETIMEOUT;
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
        return DLCS_EBUSY;
    default:
        return DLCS_EUPSTREAM;
    }
}
