/* SPDX-License-Identifier: Apache-2.0 */
/* Wires the API's immediate registration to the ingest workers' library. */
#include <string.h>

#include "cli.h"

enum dlcs_status dlcs_cli_ingester_init(struct cli_ingester *ing, const struct dlcs_config *cfg,
                                        struct dlcs_store *store, struct dlcs_blobstore *blobs,
                                        struct dlcs_error *err)
{
    memset(ing, 0, sizeof *ing);
    if (dlcs_ingest_settings_init(&ing->settings, cfg, err) != DLCS_OK)
        return DLCS_EINVAL;
    ing->settings.convert_helper = "/proc/self/exe"; /* decoders run in a child process */
    ing->env = (struct dlcs_ingest_env){&ing->settings, store, blobs};
    ing->immediate = ing->settings;
    ing->immediate.origin.retries = 0;
    if (ing->immediate.origin.timeout_ms > cfg->immediate_timeout_ms / 2)
        ing->immediate.origin.timeout_ms = cfg->immediate_timeout_ms / 2;
    if (ing->immediate.origin.connect_timeout_ms > ing->immediate.origin.timeout_ms)
        ing->immediate.origin.connect_timeout_ms = ing->immediate.origin.timeout_ms;
    if (ing->immediate.convert.timeout_ms > cfg->immediate_timeout_ms / 2)
        ing->immediate.convert.timeout_ms = cfg->immediate_timeout_ms / 2;
    ing->immediate_env = (struct dlcs_ingest_env){&ing->immediate, store, blobs};
    return DLCS_OK;
}

void dlcs_cli_ingester_release(struct cli_ingester *ing)
{
    dlcs_ingest_settings_release(&ing->settings);
}

enum dlcs_status dlcs_cli_ingest_asset(void *ctx, const struct dlcs_asset *a,
                                       struct dlcs_error *failure, struct dlcs_error *err)
{
    const struct cli_ingester *ing = ctx;
    const struct dlcs_ingest_job job = {a, 1, true, false, failure};

    /* immediate: no queue to retry from, so every outcome is recorded on the asset now */
    return dlcs_ingest_asset(&ing->immediate_env, &job, err);
}
