/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The store contract, where a store without transactions fails differently: a completion or a
 * registration cut short at a failpoint (as a crash there) is repaired, counted once, with no
 * asset left without its job and no job without its asset; two handles on one store (two
 * processes) never mint one id twice. SQLite rolls a cut write back; MongoDB leaves its first
 * steps, and the redelivery or the reconciler finishes them: the assertions are the same.
 */
#include <setjmp.h> /* cmocka needs these before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dlcs/clock.h"
#include "dlcs/failpoint.h"
#include "dlcs/mem.h"
#include "dlcs/model.h"

#include "store_contract.h"
#include "store_fixtures.h"

static const struct store_contract_adapter *adapter;

static void a_completion_cut_short_counts_once(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_batch b, got;
    struct dlcs_ingest_result r;
    struct dlcs_error err = {0};
    enum dlcs_completion outcome;
    int64_t c = make_customer(s, "acme"), sp = make_space(s, c, 0, "books");

    register_many(s, c, sp, "p", NULL, 2, &b);
    r = (struct dlcs_ingest_result){
        c, sp, "p0", generation_of(s, c, sp, "p0"), b.id, NULL, 640, 480, 0, 1000, 100, NULL};
    dlcs_failpoint_arm("store.complete.after_asset", 1);
    assert_int_equal(dlcs_store_complete(s, &r, &outcome, &err), DLCS_EUPSTREAM);
    OK(dlcs_store_complete(s, &r, &outcome, NULL)); /* the job, delivered again */
    assert_true(outcome == DLCS_COMPLETION_RECORDED || outcome == DLCS_COMPLETION_DUPLICATE);
    assert_int_equal(complete(s, c, sp, "p0", r.generation, b.id, NULL), DLCS_COMPLETION_DUPLICATE);
    dlcs_entity_init(&dlcs_batch_entity, &got);
    got.id = b.id;
    OK(dlcs_store_get(s, &dlcs_batch_entity, &got, NULL));
    assert_int_equal(got.completed, 1); /* once, however often it came */
    assert_int_equal(got.finished, 0);
    assert_int_equal(complete_now(s, c, sp, "p1", b.id, "404"), DLCS_COMPLETION_RECORDED);
    OK(dlcs_store_get(s, &dlcs_batch_entity, &got, NULL));
    assert_int_equal(got.completed, 1);
    assert_int_equal(got.errors, 1);
    assert_true(got.finished > 0);
}

static int64_t count_of(struct dlcs_store *s, const struct dlcs_entity *e, struct dlcs_query *q)
{
    int64_t n = -1;

    OK(dlcs_store_count(s, e, q, &n, NULL));
    return n;
}

/* Every job the outbox holds names its asset's current generation; complete them all. */
static size_t run_every_job(struct dlcs_store *s)
{
    const struct dlcs_outbox_lease lease = {60000, "w1", "run-1"};
    struct dlcs_job jobs[16];
    size_t n = 0, total = 0;

    while (dlcs_store_outbox_claim(s, &(struct dlcs_outbox_claim){&lease, jobs, 16}, &n, NULL) ==
           DLCS_OK) {
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(jobs[i].generation,
                             generation_of(s, jobs[i].customer, jobs[i].space, jobs[i].asset));
            (void)complete(s, jobs[i].customer, jobs[i].space, jobs[i].asset, jobs[i].generation,
                           jobs[i].batch, NULL);
            OK(dlcs_store_outbox_remove(s, &jobs[i].receipt, 1, NULL));
        }
        total += n;
    }
    return total;
}

static void a_registration_cut_short_is_rolled_forward(void **state)
{
    struct dlcs_store *s = *state;
    struct dlcs_asset assets[5];
    struct dlcs_batch b;
    struct dlcs_registration reg = {assets, 5, &b, true, false, false, NULL};
    struct dlcs_error err = {0};
    struct dlcs_query ingesting = {0}, unfinished = {0};
    int64_t c = make_customer(s, "acme"), sp = make_space(s, c, 0, "books"), jobs = 0;
    size_t requeued = 0;

    for (int i = 0; i < 5; i++) {
        char id[16];

        (void)snprintf(id, sizeof id, "r%d", i);
        fill_asset(&assets[i], c, sp, id, "book", i);
    }
    dlcs_entity_init(&dlcs_batch_entity, &b);
    b.customer = c;
    dlcs_failpoint_arm("store.register.after_assets", 1);
    assert_int_equal(dlcs_store_register(s, &reg, &err), DLCS_EUPSTREAM);
    /* the reconciler's pass: whatever was left ingesting without a job gets one */
    OK(dlcs_store_requeue_stalled(s, &(struct dlcs_stalled_requeue){dlcs_time_now_ms() + 1, 100},
                                  &requeued, NULL));
    dlcs_query_eq_int(&ingesting, "customer", c);
    dlcs_query_eq_int(&ingesting, "ingesting", 1);
    OK(dlcs_store_outbox_count(s, &jobs, NULL));
    assert_int_equal(jobs, count_of(s, &dlcs_asset_entity, &ingesting)); /* one job per asset */
    assert_int_equal((int64_t)run_every_job(s), jobs);
    assert_int_equal(count_of(s, &dlcs_asset_entity, &ingesting), 0);
    dlcs_query_eq_int(&unfinished, "customer", c);
    dlcs_query_term(&unfinished, "finished", DLCS_TERM_UNSET);
    assert_int_equal(count_of(s, &dlcs_batch_entity, &unfinished), 0); /* none waits forever */
    /* the client, who got no answer, registers again: a batch that finishes exactly */
    OK(dlcs_store_register(s, &reg, NULL));
    assert_int_equal((int64_t)run_every_job(s), 5);
    OK(dlcs_store_get(s, &dlcs_batch_entity, &b, NULL)); /* b: the batch registration made */
    assert_int_equal(b.completed, 5);
    assert_true(b.finished > 0);
    for (int i = 0; i < 5; i++)
        dlcs_entity_release(&dlcs_asset_entity, &assets[i]);
}

/* Two handles on one store (two processes) minting at once: none gives an id twice. */
static void two_processes_never_mint_one_id_twice(void **state)
{
    struct dlcs_store *stores[2] = {*state, adapter->open_again()};

    assert_non_null(stores[1]);
    expect_distinct_mints(stores, 2, make_customer(stores[0], "acme"), 2, 40);
    dlcs_store_free(stores[1]);
}

static int clear_failpoints(void **state)
{
    dlcs_failpoint_clear();
    return store_teardown(state);
}

int store_contract_failures_run(const struct store_contract_adapter *a)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_completion_cut_short_counts_once, store_setup,
                                        clear_failpoints),
        cmocka_unit_test_setup_teardown(a_registration_cut_short_is_rolled_forward, store_setup,
                                        clear_failpoints),
        cmocka_unit_test_setup_teardown(two_processes_never_mint_one_id_twice, store_setup,
                                        clear_failpoints),
    };

    adapter = a;
    store_fixtures_use(a);
    return cmocka_run_group_tests_name("store contract: failures", tests, NULL, NULL);
}
