/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store contract against the MongoDB adapter: the project's fake server (or the real one
 * DLCS_TEST_MONGODB_URI names), a database of its own per test, dropped after it.
 */
#include <setjmp.h> /* cmocka needs these before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <mongoc/mongoc.h>

#include "dlcs/adapters.h"
#include "dlcs/clock.h"
#include "dlcs/store.h"

#include "mongo_server.h"
#include "store_contract.h"
#include "store_fixtures.h"

static struct mongo_server server;
static char db[64];
static int serial;

static struct dlcs_store *open_again(void)
{
    struct dlcs_error err = {0};
    struct dlcs_store *s = NULL;
    char url[512];

    mongo_server_uri(&server, db, "", url, sizeof url);
    if (dlcs_store_open(url, NULL, &s, &err) != DLCS_OK) {
        fprintf(stderr, "open %s: %s\n", url, err.message);
        abort();
    }
    return s;
}

static struct dlcs_store *open_empty(void)
{
    (void)snprintf(db, sizeof db, "dlcs_contract_%d_%d", (int)getpid(), ++serial);
    return open_again();
}

/* Drop the test's database (a real server keeps nothing of the suite). */
static void cleanup(void)
{
    char url[512];
    mongoc_client_t *client;
    bson_t *cmd = BCON_NEW("dropDatabase", BCON_INT32(1));

    mongo_server_uri(&server, db, "", url, sizeof url);
    client = mongoc_client_new(url);
    if (client)
        (void)mongoc_client_command_simple(client, db, cmd, NULL, NULL, NULL);
    mongoc_client_destroy(client);
    bson_destroy(cmd);
}

/*
 * The server stops answering (frozen) for a while: every call is DLCS_EUPSTREAM within the
 * URI's timeouts, never "not found" or a crash; once it answers again, the reconciler's pass
 * leaves no asset without its job (a write the server took in before the client gave up).
 */
static void an_unreachable_server_is_upstream_failure(void **state)
{
    struct dlcs_store *s = NULL;
    struct dlcs_error err = {0};
    struct dlcs_asset a;
    struct dlcs_registration reg = {&a, 1, NULL, true, false, false, NULL};
    struct dlcs_query ingesting = {0};
    int64_t c, sp, jobs = 0, assets = 0, t0;
    size_t requeued = 0;
    char url[512];

    (void)state;
    if (server.pid == 0)
        skip(); /* a real server is not ours to freeze */
    (void)snprintf(db, sizeof db, "dlcs_contract_%d_frozen", (int)getpid());
    mongo_server_uri(&server, db, "serverSelectionTimeoutMS=500&socketTimeoutMS=800", url,
                     sizeof url);
    assert_int_equal(dlcs_store_open(url, NULL, &s, &err), DLCS_OK);
    c = make_customer(s, "acme");
    sp = make_space(s, c, 0, "books");
    fill_asset(&a, c, sp, "late", NULL, 1);
    assert_true(mongo_server_freeze(&server, true));
    t0 = dlcs_time_now_ms();
    assert_int_equal(dlcs_store_ping(s, &err), DLCS_EUPSTREAM);
    assert_int_equal(dlcs_store_register(s, &reg, &err), DLCS_EUPSTREAM);
    {
        struct dlcs_asset probe;

        dlcs_entity_init(&dlcs_asset_entity, &probe);
        probe.customer = c;
        probe.space = sp;
        probe.id = strdup("late");
        assert_int_equal(dlcs_store_get(s, &dlcs_asset_entity, &probe, &err), DLCS_EUPSTREAM);
        dlcs_entity_release(&dlcs_asset_entity, &probe);
    }
    assert_true(dlcs_time_now_ms() - t0 < 15000); /* bounded by the timeouts, not hung */
    assert_true(mongo_server_freeze(&server, false));
    OK(dlcs_store_ping(s, NULL));
    OK(dlcs_store_requeue_stalled(s, &(struct dlcs_stalled_requeue){dlcs_time_now_ms() + 1, 100},
                                  &requeued, NULL));
    dlcs_query_eq_int(&ingesting, "ingesting", 1);
    OK(dlcs_store_count(s, &dlcs_asset_entity, &ingesting, &assets, NULL));
    OK(dlcs_store_outbox_count(s, &jobs, NULL));
    assert_int_equal(jobs, assets); /* written or not, never an asset without its job */
    dlcs_entity_release(&dlcs_asset_entity, &a);
    dlcs_store_free(s);
    cleanup();
}

int main(void)
{
    /* the fake takes a lock and scans a collection per command: 1,000 completions, not 10,000 */
    const struct store_contract_adapter mongo = {"mongodb", open_empty, open_again, cleanup,
                                                 getenv("DLCS_TEST_MONGODB_URI") ? 0 : 1000};
    int failures;

    if (mongo_server_start(&server) != 0) {
        fprintf(stderr, "cannot start the MongoDB fake (%s)\n", DLCS_MONGO_FAKE);
        return 1;
    }
    failures = store_contract_run(&mongo);
    {
        const struct CMUnitTest frozen[] = {
            cmocka_unit_test(an_unreachable_server_is_upstream_failure),
        };

        failures +=
            cmocka_run_group_tests_name("mongodb: an unreachable server", frozen, NULL, NULL);
    }
    mongo_server_stop(&server);
    return failures;
}
