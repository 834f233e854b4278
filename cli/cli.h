/* SPDX-License-Identifier: Apache-2.0 */
/* The roles of the dlcs binary that live in their own files. */
#ifndef DLCS_CLI_H
#define DLCS_CLI_H

#include "dlcs/config.h"

/* The arguments after the role. */
struct cli_args {
    int argc;
    char **argv;
};

/* dlcs ingest ORIGIN [--out DIR]: exit status 0, 1 (permanent failure), 75 (transient), 2 (usage).
 */
int dlcs_cli_ingest(const struct dlcs_config *cfg, const char *role, const struct cli_args *args);

#endif /* DLCS_CLI_H */
