/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The effective configuration: defaults that depend on other settings are filled in once, at
 * start, so that every role, --print-config and the start-up log say the same thing, and an
 * adapter this build does not have stops start-up instead of being silently ignored.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlcs/adapters.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"
#include "dlcs/store.h"

#include "cli.h"

/* 'path' made absolute against the working directory, without a trailing '/'. */
static char *absolute(const char *path, struct dlcs_error *err)
{
    char cwd[PATH_MAX];
    size_t n = strlen(path);

    while (n > 1 && path[n - 1] == '/')
        n--;
    if (path[0] == '/')
        return dlcs_xstrndup(path, n);
    if (!getcwd(cwd, sizeof cwd)) {
        (void)dlcs_error_set(err, DLCS_EINVAL, "DLCS_DATA_DIR: the working directory is unknown");
        return NULL;
    }
    if (n >= 2 && path[0] == '.' && path[1] == '/') {
        path += 2;
        n -= 2;
    }
    return dlcs_xasprintf("%s/%.*s", cwd, (int)n, path);
}

enum dlcs_status dlcs_cli_config_resolve(struct dlcs_config *cfg, struct dlcs_error *err)
{
    char *dir = absolute(cfg->data_dir, err);

    if (!dir)
        return DLCS_EINVAL;
    dlcs_str_replace(&cfg->data_dir, dir);
    if (!cfg->store) {
        cfg->store = dlcs_xasprintf("sqlite://%s/dlcs.db", dir);
    }
    if (!cfg->storage)
        cfg->storage = dlcs_xasprintf("file://%s/blobs", dir);
    if (!cfg->scratch_dir)
        cfg->scratch_dir = dlcs_xasprintf("%s/scratch", dir);
    if (!cfg->queue)
        cfg->queue = dlcs_xstrdup("embedded");
    if (cfg->job_lease_ms == 0) { /* a lease must outlast the longest ingest a worker may run */
        int64_t longest = (int64_t)(cfg->origin_retries + 1) * cfg->origin_timeout_ms +
                          cfg->ingest_timeout_ms + 60000;

        cfg->job_lease_ms = (int)(longest < 86400000 ? longest : 86400000);
    }
    free(dir);
    return dlcs_adapters_check(cfg, err);
}

void dlcs_cli_config_resolve_role(struct dlcs_config *cfg, const char *role)
{
    char host[256] = "localhost";

    if (cfg->worker_id)
        return;
    (void)gethostname(host, sizeof host - 1);
    cfg->worker_id = dlcs_xasprintf("%s/%s", host, role);
}

void dlcs_cli_config_log(const struct dlcs_config *cfg)
{
    char fields[2048];

    (void)snprintf(fields, sizeof fields, "data_dir=\"%s\" store=\"%s\" storage=\"%s\" queue=%s",
                   cfg->data_dir, cfg->store, cfg->storage, cfg->queue);
    dlcs_log_kv(DLCS_LOG_INFO, fields, "configuration");
}
