/* SPDX-License-Identifier: Apache-2.0 */
/* The adapter tables: to add an adapter, add its descriptor to its port's table. */
#include "dlcs/adapters.h"

#include <stdlib.h>

#include "dlcs/blob_dir.h"
#include "dlcs/blob_s3.h"
#include "dlcs/mem.h"
#include "dlcs/queue_embedded.h"
#include "dlcs/queue_kafka.h"
#include "dlcs/store_mongo.h"
#include "dlcs/store_sqlite.h"

static const void *const store_adapters[] = {&dlcs_store_sqlite_adapter, &dlcs_store_mongo_adapter};
static const void *const blob_adapters[] = {&dlcs_blob_dir_adapter, &dlcs_blob_s3_adapter};
static const void *const queue_adapters[] = {&dlcs_queue_embedded_adapter,
                                             &dlcs_queue_kafka_adapter};

#define COUNT(t) (sizeof(t) / sizeof(t)[0])

enum dlcs_status dlcs_store_open(const char *url, const struct dlcs_config *cfg,
                                 struct dlcs_store **out, struct dlcs_error *err)
{
    const struct dlcs_store_adapter *a;
    struct dlcs_store *s;
    size_t i = 0;
    enum dlcs_status st;

    *out = NULL;
    st = dlcs_adapter_pick("DLCS_STORE", url, store_adapters, COUNT(store_adapters), &i, err);
    if (st != DLCS_OK)
        return st;
    a = store_adapters[i];
    s = dlcs_xcalloc(1, sizeof *s);
    st = a->open(url, cfg, s, err);
    if (st != DLCS_OK) {
        free(s);
        return st;
    }
    *out = s;
    return DLCS_OK;
}

enum dlcs_status dlcs_blobstore_open(const char *url, const struct dlcs_config *cfg,
                                     struct dlcs_blobstore **out, struct dlcs_error *err)
{
    const struct dlcs_blob_adapter *a;
    struct dlcs_blobstore *b;
    size_t i = 0;
    enum dlcs_status st;

    *out = NULL;
    st = dlcs_adapter_pick("DLCS_STORAGE", url, blob_adapters, COUNT(blob_adapters), &i, err);
    if (st != DLCS_OK)
        return st;
    a = blob_adapters[i];
    b = dlcs_xcalloc(1, sizeof *b);
    st = a->open(url, cfg, b, err);
    if (st != DLCS_OK) {
        free(b);
        return st;
    }
    *out = b;
    return DLCS_OK;
}

enum dlcs_status dlcs_queue_open(const char *url, const struct dlcs_config *cfg,
                                 struct dlcs_store *store, struct dlcs_queue **out,
                                 struct dlcs_error *err)
{
    const struct dlcs_queue_adapter *a;
    struct dlcs_queue *q;
    size_t i = 0;
    enum dlcs_status st;

    *out = NULL;
    st = dlcs_adapter_pick("DLCS_QUEUE", url, queue_adapters, COUNT(queue_adapters), &i, err);
    if (st != DLCS_OK)
        return st;
    a = queue_adapters[i];
    q = dlcs_xcalloc(1, sizeof *q);
    st = a->open(url, cfg, store, q, err);
    if (st != DLCS_OK) {
        free(q);
        return st;
    }
    *out = q;
    return DLCS_OK;
}

enum dlcs_status dlcs_adapters_check(const struct dlcs_config *cfg, struct dlcs_error *err)
{
    size_t i;
    enum dlcs_status st;

    st =
        dlcs_adapter_pick("DLCS_STORE", cfg->store, store_adapters, COUNT(store_adapters), &i, err);
    if (st == DLCS_OK)
        st = dlcs_adapter_pick("DLCS_STORAGE", cfg->storage, blob_adapters, COUNT(blob_adapters),
                               &i, err);
    if (st == DLCS_OK)
        st = dlcs_adapter_pick("DLCS_QUEUE", cfg->queue, queue_adapters, COUNT(queue_adapters), &i,
                               err);
    return st;
}
