/* SPDX-License-Identifier: Apache-2.0 */
/* dlcs keys create --admin | --customer N: a new API key, printed once as key:secret. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlcs/keys.h"
#include "dlcs/log.h"
#include "dlcs/store.h"

#include "cli.h"

static int usage(void)
{
    fprintf(stderr, "usage: dlcs keys create --admin | --customer N\n"
                    "  prints key:secret on one line; the secret is not stored and is shown "
                    "only now\n");
    return 2;
}

int dlcs_cli_keys(const struct dlcs_config *cfg, const char *role, const struct cli_args *args)
{
    char key[DLCS_KEY_BUF], secret[DLCS_SECRET_BUF];
    struct dlcs_store *store = NULL;
    struct dlcs_error err = {0};
    long long customer = 0;
    bool admin;
    enum dlcs_status st;

    (void)role;
    if (args->argc < 2 || strcmp(args->argv[0], "create") != 0)
        return usage();
    admin = strcmp(args->argv[1], "--admin") == 0 && args->argc == 2;
    if (!admin && (strcmp(args->argv[1], "--customer") != 0 || args->argc != 3 ||
                   (customer = strtoll(args->argv[2], NULL, 10)) <= 0))
        return usage();
    /* a client command never makes a store: a missing one is a wrong directory, said plainly */
    if (strncmp(cfg->store, "sqlite://", 9) == 0 && access(cfg->store + 9, F_OK) != 0) {
        dlcs_log(DLCS_LOG_ERROR,
                 "no store at '%s': run this where 'dlcs serve' keeps its data, or set "
                 "DLCS_DATA_DIR / DLCS_STORE",
                 cfg->store + 9);
        return 1;
    }
    st = dlcs_cli_open_store(cfg, &store, &err);
    if (st == DLCS_OK)
        st = admin ? dlcs_keys_create_admin(store, key, secret, &err)
                   : dlcs_keys_create(store, customer, key, secret, &err);
    dlcs_store_free(store);
    if (st != DLCS_OK) {
        dlcs_log(DLCS_LOG_ERROR, "cannot create a key: %s", err.message);
        return 1;
    }
    printf("%s:%s\n", key, secret);
    return 0;
}
