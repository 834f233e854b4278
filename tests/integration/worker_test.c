/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The worker pool in-process on a real store, the embedded queue and a blob directory: a
 * completion cut short after the asset's write (the failpoint a crash there would be) is
 * repaired by the job's next delivery, so its batch finishes exact. On SQLite the cut write is
 * rolled back and the image ingested again; on MongoDB (the fake, or DLCS_TEST_MONGODB_URI) the
 * asset is already complete and the redelivery must send the completion again for the batch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <vips/vips.h>

#include "dlcs/adapters.h"
#include "dlcs/config.h"
#include "dlcs/failpoint.h"
#include "dlcs/fs.h"
#include "dlcs/ingest.h"
#include "dlcs/mem.h"
#include "dlcs/worker.h"

#include "fixtures.h"
#include "mongo_server.h"
#include "store_fixtures.h"

static char dir[256], store_url[600];
static struct mongo_server mongo;

static const char *lookup(const char *name, void *ctx)
{
    static char root[300], data[300];

    (void)ctx;
    (void)snprintf(root, sizeof root, "%s", dir);
    (void)snprintf(data, sizeof data, "%s/data", dir);
    if (strcmp(name, "DLCS_ORIGIN_FILE_ROOT") == 0)
        return root;
    if (strcmp(name, "DLCS_DATA_DIR") == 0)
        return data;
    return getenv(name);
}

/* Register one image of small.jpg in a batch, with its job; the batch's id. */
static int64_t register_one(struct dlcs_store *s, int64_t c, int64_t sp)
{
    struct dlcs_asset a;
    struct dlcs_batch b;
    struct dlcs_registration reg = {0};

    fill_asset(&a, c, sp, "page1", "book", 1);
    free(a.origin);
    a.origin = dlcs_xasprintf("file://%s/small.jpg", dir);
    dlcs_entity_init(&dlcs_batch_entity, &b);
    b.customer = c;
    reg = (struct dlcs_registration){.assets = &a, .count = 1, .batch = &b, .with_jobs = true};
    OK(dlcs_store_register(s, &reg, NULL));
    dlcs_entity_release(&dlcs_asset_entity, &a);
    return b.id;
}

static void a_completion_cut_short_is_repaired_by_the_redelivery(void **state)
{
    struct dlcs_store *s = NULL;
    struct dlcs_blobstore *blobs = NULL;
    struct dlcs_queue *q = NULL;
    struct dlcs_config cfg;
    struct dlcs_ingest_settings set;
    struct dlcs_worker_pool *pool = NULL;
    struct dlcs_batch got;
    char blob_url[400];
    int64_t c, sp, batch;

    (void)state;
    OK(dlcs_config_load(&cfg, lookup, NULL, NULL));
    OK(dlcs_store_open(store_url, &cfg, &s, NULL));
    (void)snprintf(blob_url, sizeof blob_url, "file://%s/blobs", dir);
    OK(dlcs_blobstore_open(blob_url, &cfg, &blobs, NULL));
    OK(dlcs_queue_open("embedded", &cfg, s, &q, NULL));
    OK(dlcs_ingest_settings_init(&set, &cfg, NULL));
    c = make_customer(s, "acme");
    sp = make_space(s, c, 0, "books");
    batch = register_one(s, c, sp);
    dlcs_failpoint_arm("store.complete.after_asset", 1);
    {
        const struct dlcs_ingest_env env = {&set, s, blobs};
        const struct dlcs_worker_options opt = {q, 1, 3, 50, 20};

        OK(dlcs_worker_pool_start(&env, &opt, &pool, NULL));
    }
    dlcs_entity_init(&dlcs_batch_entity, &got);
    got.id = batch;
    for (int i = 0; i < 200; i++) {
        OK(dlcs_store_get(s, &dlcs_batch_entity, &got, NULL));
        if (got.finished)
            break;
        usleep(100 * 1000);
    }
    dlcs_worker_pool_stop(pool);
    dlcs_failpoint_clear();
    assert_true(got.finished > 0); /* the batch was not left unfinished */
    assert_int_equal(got.completed, 1);
    assert_int_equal(got.errors, 0);
    dlcs_entity_release(&dlcs_batch_entity, &got);
    dlcs_ingest_settings_release(&set);
    dlcs_queue_free(q);
    dlcs_blobstore_free(blobs);
    dlcs_store_free(s);
    dlcs_config_release(&cfg);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_completion_cut_short_is_repaired_by_the_redelivery),
    };
    bool on_mongo = argc > 1 && strcmp(argv[1], "mongo") == 0;
    int rc;

    (void)snprintf(dir, sizeof dir, "/tmp/dlcs-worker-test-XXXXXX");
    if (VIPS_INIT(argv[0]) != 0 || !mkdtemp(dir) || fixtures_write(dir) != 0)
        return 1;
    if (on_mongo) {
        if (mongo_server_start(&mongo) != 0)
            return 1;
        char db[64];

        (void)snprintf(db, sizeof db, "dlcs_worker_test_%d", (int)getpid());
        mongo_server_uri(&mongo, db, "", store_url, sizeof store_url);
    } else {
        (void)snprintf(store_url, sizeof store_url, "sqlite://%s/dlcs.db", dir);
    }
    rc = cmocka_run_group_tests_name(on_mongo ? "worker on MongoDB" : "worker on SQLite", tests,
                                     NULL, NULL);
    mongo_server_stop(&mongo);
    if (dlcs_fs_remove_tree(dir, NULL) != DLCS_OK)
        fprintf(stderr, "could not remove %s\n", dir);
    vips_shutdown();
    return rc;
}
