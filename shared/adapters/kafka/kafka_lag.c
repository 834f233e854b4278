/* SPDX-License-Identifier: Apache-2.0 */
/*
 * 'waiting': per partition of the two job topics, the end offset minus the group's committed
 * offset (or the start offset when the group committed nothing). Read through a client that
 * names the group but never joins it, so asking never moves partitions.
 */
#include <stdlib.h>

#include "kafka_internal.h"

static enum dlcs_status observer(struct kafka_queue *q, struct dlcs_error *err)
{
    rd_kafka_conf_t *conf = NULL;
    enum dlcs_status st;

    if (q->lag)
        return DLCS_OK;
    st = dlcs_kafka_conf(&q->set, KAFKA_OBSERVER, &conf, err);
    if (st == DLCS_OK)
        st = dlcs_kafka_new(KAFKA_OBSERVER, conf, &q->lag, err);
    return st;
}

enum dlcs_status dlcs_kafka_lag(struct kafka_queue *q, int64_t *count, struct dlcs_error *err)
{
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
    rd_kafka_resp_err_t e;
    int64_t sum = 0;
    enum dlcs_status st = dlcs_kafka_topic_metadata(q, KAFKA_PRIORITY, 2000, l, err);

    if (st == DLCS_OK)
        st = dlcs_kafka_topic_metadata(q, KAFKA_INGEST, 2000, l, err);
    if (st == DLCS_OK) {
        pthread_mutex_lock(&q->lock);
        st = observer(q, err);
        pthread_mutex_unlock(&q->lock);
    }
    if (st != DLCS_OK)
        goto out;
    e = rd_kafka_committed(q->lag, l, 5000);
    for (int i = 0; e == RD_KAFKA_RESP_ERR_NO_ERROR && i < l->cnt; i++) {
        int64_t low = 0, high = 0;

        e = rd_kafka_query_watermark_offsets(q->producer, l->elems[i].topic, l->elems[i].partition,
                                             &low, &high, 2000);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
            sum += high - (l->elems[i].offset >= low ? l->elems[i].offset : low);
    }
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        st = dlcs_error_set(err, dlcs_kafka_status(e), "kafka: the group's lag: %s",
                            rd_kafka_err2str(e));
    *count = sum;
out:
    rd_kafka_topic_partition_list_destroy(l);
    return st;
}
