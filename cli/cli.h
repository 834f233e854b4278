/* SPDX-License-Identifier: Apache-2.0 */
/* The roles of the dlcs binary that live in their own files. */
#ifndef DLCS_CLI_H
#define DLCS_CLI_H

#include "dlcs/config.h"
#include "dlcs/store.h"

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

#endif /* DLCS_CLI_H */
