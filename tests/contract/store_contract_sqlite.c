/* SPDX-License-Identifier: Apache-2.0 */
/* The store contract against the embedded SQLite adapter, on a fresh file per test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlcs/adapters.h"
#include "dlcs/store.h"

#include "store_contract.h"

static char dir[256];

static struct dlcs_store *open_again(void)
{
    struct dlcs_error err = {0};
    struct dlcs_store *s = NULL;
    char url[512];

    (void)snprintf(url, sizeof url, "sqlite://%s/dlcs.db?pool=8&busy_ms=10000", dir);
    if (dlcs_store_open(url, NULL, &s, &err) != DLCS_OK) {
        fprintf(stderr, "open: %s\n", err.message);
        abort();
    }
    return s;
}

static struct dlcs_store *open_empty(void)
{
    (void)snprintf(dir, sizeof dir, "/tmp/dlcs-contract-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    return open_again();
}

static void cleanup(void)
{
    static const char *const files[] = {"dlcs.db", "dlcs.db-wal", "dlcs.db-shm"};
    char path[512];

    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        (void)snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

int main(void)
{
    const struct store_contract_adapter sqlite = {"sqlite", open_empty, open_again, cleanup, 0};

    return store_contract_run(&sqlite);
}
