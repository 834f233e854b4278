/* SPDX-License-Identifier: Apache-2.0 */
/* The queue contract against the embedded adapter: the outbox of a fresh SQLite store. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "dlcs/adapters.h"

#include "queue_contract.h"

static char dir[256];
static struct dlcs_store *store;

static struct dlcs_queue *open_queue(void)
{
    struct dlcs_error err = {0};
    struct dlcs_queue *q = NULL;

    if (dlcs_queue_open("embedded", NULL, store, &q, &err) != DLCS_OK) {
        fprintf(stderr, "open the queue: %s\n", err.message);
        abort();
    }
    return q;
}

static struct dlcs_queue *open_empty(void)
{
    struct dlcs_error err = {0};
    char url[512];

    (void)snprintf(dir, sizeof dir, "/tmp/dlcs-queue-contract-XXXXXX");
    if (!mkdtemp(dir))
        abort();
    (void)snprintf(url, sizeof url, "sqlite://%s/dlcs.db", dir);
    if (dlcs_store_open(url, NULL, &store, &err) != DLCS_OK) {
        fprintf(stderr, "open the store: %s\n", err.message);
        abort();
    }
    return open_queue();
}

/* The next run of the same worker (same DLCS_WORKER_ID, a new token) takes the leases back. */
static struct dlcs_queue *crash_and_restart(struct dlcs_queue *q)
{
    dlcs_queue_free(q); /* nothing of the queue's state outlives a process but the store */
    return open_queue();
}

static void close_all(struct dlcs_queue *q)
{
    static const char *const files[] = {"dlcs.db", "dlcs.db-wal", "dlcs.db-shm"};
    char path[512];

    dlcs_queue_free(q);
    dlcs_store_free(store);
    store = NULL;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        (void)snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

int main(void)
{
    const struct queue_contract_adapter embedded = {"embedded", open_empty, crash_and_restart,
                                                    close_all,  500,        false};

    return queue_contract_run(&embedded);
}
