/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The adapters of this build, one table per port, chosen by the scheme of the setting's URL.
 * Only programs (cli/, tests, benches) open ports; the code above a port never knows which
 * adapter runs. docs/architecture.md, "How to add an adapter", says how a table grows.
 */
#ifndef DLCS_ADAPTERS_H
#define DLCS_ADAPTERS_H

#include "dlcs/blobstore.h"
#include "dlcs/config.h"
#include "dlcs/queue.h"
#include "dlcs/store.h"

/*
 * Open the store DLCS_STORE names ("sqlite:///path/dlcs.db" or a plain path), its settings
 * from 'cfg' (NULL: the adapter's defaults). Migrations run here. On DLCS_OK the caller owns
 * '*out' (dlcs_store_free). DLCS_EINVAL for an unknown adapter or a bad URL; the adapter's
 * status (DLCS_EUPSTREAM: cannot be opened) otherwise.
 */
enum dlcs_status dlcs_store_open(const char *url, const struct dlcs_config *cfg,
                                 struct dlcs_store **out, struct dlcs_error *err) DLCS_WARN_UNUSED;

/* The blob storage DLCS_STORAGE names ("file:///dir" or a plain path); as dlcs_store_open. */
enum dlcs_status dlcs_blobstore_open(const char *url, const struct dlcs_config *cfg,
                                     struct dlcs_blobstore **out,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * The queue DLCS_QUEUE names ("embedded", "kafka://host:port,..."), its outbox in 'store'
 * (borrowed: it must outlive the queue). On DLCS_OK the caller owns '*out' (dlcs_queue_free).
 */
enum dlcs_status dlcs_queue_open(const char *url, const struct dlcs_config *cfg,
                                 struct dlcs_store *store, struct dlcs_queue **out,
                                 struct dlcs_error *err) DLCS_WARN_UNUSED;

/* DLCS_EINVAL naming the setting and this build's adapters unless each URL names one. */
enum dlcs_status dlcs_adapters_check(const struct dlcs_config *cfg,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_ADAPTERS_H */
