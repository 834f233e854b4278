/* SPDX-License-Identifier: Apache-2.0 */
/* The roles of the dlcs binary that live in their own files. */
#ifndef DLCS_CLI_H
#define DLCS_CLI_H

#include "dlcs/blobstore.h"
#include "dlcs/config.h"
#include "dlcs/ingest.h"
#include "dlcs/store.h"
#include "dlcs/worker.h"

/* The arguments after the role. */
struct cli_args {
    int argc;
    char **argv;
};

/* dlcs ingest ORIGIN [--out DIR]: exit status 0, 1 (permanent failure), 75 (transient), 2 (usage).
 */
int dlcs_cli_ingest(const struct dlcs_config *cfg, const char *role, const struct cli_args *args);

/* dlcs keys create --admin | --customer N. */
int dlcs_cli_keys(const struct dlcs_config *cfg, const char *role, const struct cli_args *args);

/* Open the configured store (creating DLCS_DATA_DIR). Caller frees with dlcs_store_free. */
enum dlcs_status dlcs_cli_open_store(const struct dlcs_config *cfg, struct dlcs_store **store,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Immediate ingest for the API: settings, store and blobs of this process. */
struct cli_ingester {
    struct dlcs_ingest_settings settings;
    struct dlcs_ingest_env env;
    /* immediate registrations: the same, bounded by DLCS_IMMEDIATE_TIMEOUT_MS in all (a
     * client waits on the other end), no retries. A shallow copy: 'settings' owns the strings */
    struct dlcs_ingest_settings immediate;
    struct dlcs_ingest_env immediate_env;
};

enum dlcs_status dlcs_cli_ingester_init(struct cli_ingester *ing, const struct dlcs_config *cfg,
                                        struct dlcs_store *store, struct dlcs_blobstore *blobs,
                                        struct dlcs_error *err) DLCS_WARN_UNUSED;
void dlcs_cli_ingester_release(struct cli_ingester *ing);

/* A dlcs_api_ingest_fn over a struct cli_ingester. */
enum dlcs_status dlcs_cli_ingest_asset(void *ctx, const struct dlcs_asset *a,
                                       struct dlcs_error *failure, struct dlcs_error *err);

/*
 * Fill the settings that default from others (absolute DLCS_DATA_DIR, DLCS_STORE, DLCS_STORAGE,
 * DLCS_SCRATCH_DIR, DLCS_QUEUE) and refuse adapters this build has not. DLCS_EINVAL names it.
 */
enum dlcs_status dlcs_cli_config_resolve(struct dlcs_config *cfg,
                                         struct dlcs_error *err) DLCS_WARN_UNUSED;

/* DLCS_WORKER_ID defaults to "host/role": the place whose leases a restarted process reclaims. */
void dlcs_cli_config_resolve_role(struct dlcs_config *cfg, const char *role);

/* One info line with the effective data directory, store, storage and queue. */
void dlcs_cli_config_log(const struct dlcs_config *cfg);

#endif /* DLCS_CLI_H */
