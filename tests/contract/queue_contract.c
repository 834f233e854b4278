/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The queue contract: what every queue adapter does, tested through the port only. Claims may
 * take a moment to see a publish (Kafka fetches), so a claim waits up to the adapter's
 * claim_wait_ms, and "nothing is delivered" is checked over that same time.
 */
#include "queue_contract.h"

#include <setjmp.h> /* cmocka needs these before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "dlcs/clock.h"

static const struct queue_contract_adapter *adapter;

#define OK(expr) assert_int_equal((expr), DLCS_OK)

static int setup(void **state)
{
    *state = adapter->open_empty();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    adapter->close(*state);
    return 0;
}

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};

    nanosleep(&t, NULL);
}

static struct dlcs_job job(const char *asset, int64_t generation, bool priority)
{
    struct dlcs_job j = {.customer = 2,
                         .space = 5,
                         .generation = generation,
                         .batch = 9,
                         .priority = priority,
                         .attempt = 1};

    (void)snprintf(j.asset, sizeof j.asset, "%s", asset);
    return j;
}

static void publish(struct dlcs_queue *q, const char *asset, int64_t generation, bool priority)
{
    struct dlcs_job j = job(asset, generation, priority);

    OK(dlcs_queue_publish(q, &j, 1, NULL));
}

/* Claim, waiting up to 'ms' for a job to become due. */
static enum dlcs_status claim_within(struct dlcs_queue *q, struct dlcs_job *j, int ms)
{
    int64_t until = dlcs_time_now_ms() + ms;
    enum dlcs_status st;

    while ((st = dlcs_queue_claim(q, j, NULL)) == DLCS_ENOTFOUND && dlcs_time_now_ms() < until)
        sleep_ms(20);
    return st;
}

static void claim(struct dlcs_queue *q, struct dlcs_job *j)
{
    OK(claim_within(q, j, adapter->claim_wait_ms));
}

static void expect_nothing(struct dlcs_queue *q, int ms)
{
    struct dlcs_job j;

    assert_int_equal(claim_within(q, &j, ms), DLCS_ENOTFOUND);
}

static void published_jobs_are_claimed_once_and_done(void **state)
{
    struct dlcs_queue *q = *state;
    struct dlcs_job a, b;

    publish(q, "p1", 11, false);
    publish(q, "p2", 12, false);
    claim(q, &a);
    claim(q, &b);
    if (strcmp(a.asset, "p2") == 0) { /* two assets: either order */
        struct dlcs_job t = a;

        a = b;
        b = t;
    }
    assert_string_equal(a.asset, "p1");
    assert_int_equal(a.customer, 2);
    assert_int_equal(a.space, 5);
    assert_int_equal(a.generation, 11);
    assert_int_equal(a.batch, 9);
    assert_int_equal(a.attempt, 1);
    assert_false(a.priority);
    assert_string_equal(b.asset, "p2");
    OK(dlcs_queue_done(q, &a, NULL));
    OK(dlcs_queue_done(q, &b, NULL));
    expect_nothing(q, adapter->claim_wait_ms / 2);
}

static void priority_jobs_come_first(void **state)
{
    struct dlcs_queue *q = *state;
    struct dlcs_job j[4];

    publish(q, "o1", 1, false);
    publish(q, "o2", 1, false);
    publish(q, "o3", 1, false);
    publish(q, "urgent", 1, true);
    sleep_ms(adapter->claim_wait_ms / 2); /* all four have reached the consumer */
    claim(q, &j[0]);
    assert_string_equal(j[0].asset, "urgent");
    assert_true(j[0].priority);
    for (int i = 1; i < 4; i++)
        claim(q, &j[i]);
    for (int i = 0; i < 4; i++)
        OK(dlcs_queue_done(q, &j[i], NULL));
}

static void a_retry_comes_back_later_as_the_next_attempt(void **state)
{
    struct dlcs_queue *q = *state;
    struct dlcs_job a, b;
    int64_t retried;

    publish(q, "flaky", 3, false);
    claim(q, &a);
    retried = dlcs_time_now_ms();
    OK(dlcs_queue_retry(q, &a, 600, NULL));
    expect_nothing(q, 300); /* not before its delay */
    claim(q, &b);
    assert_true(dlcs_time_now_ms() - retried >= 600);
    assert_string_equal(b.asset, "flaky");
    assert_int_equal(b.generation, 3);
    assert_int_equal(b.attempt, 2);
    OK(dlcs_queue_done(q, &b, NULL));
    expect_nothing(q, adapter->claim_wait_ms / 2);
}

static void a_dead_job_is_not_delivered_again(void **state)
{
    struct dlcs_queue *q = *state;
    struct dlcs_job a;

    publish(q, "broken", 1, false);
    claim(q, &a);
    OK(dlcs_queue_dead(q, &a, "not an image", NULL));
    expect_nothing(q, adapter->claim_wait_ms);
}

static void jobs_in_hand_are_delivered_again_after_a_crash(void **state)
{
    struct dlcs_queue *q = *state;
    struct dlcs_job a, b, c;

    publish(q, "c1", 1, false);
    claim(q, &a);
    OK(dlcs_queue_done(q, &a, NULL)); /* finished before the crash: never again */
    publish(q, "c2", 1, false);
    claim(q, &b);
    q = adapter->crash_and_restart(q); /* b was in hand */
    *state = q;
    claim(q, &c);
    assert_string_equal(c.asset, "c2");
    assert_int_equal(c.generation, 1);
    assert_true(c.attempt >= 1);
    OK(dlcs_queue_done(q, &c, NULL));
    expect_nothing(q, adapter->claim_wait_ms / 2);
}

static void one_assets_jobs_keep_their_order(void **state)
{
    struct dlcs_queue *q = *state;
    int64_t last = 0;
    int seen = 0;
    struct dlcs_job j;

    for (int g = 1; g <= 5; g++) {
        publish(q, "book", g, false);
        publish(q, "other", g, false);
    }
    while (claim_within(q, &j, adapter->claim_wait_ms) == DLCS_OK) {
        if (strcmp(j.asset, "book") == 0) {
            assert_true(j.generation > last); /* a queue may skip superseded ones, never reorder */
            last = j.generation;
            seen++;
        }
        OK(dlcs_queue_done(q, &j, NULL));
    }
    assert_int_equal(last, 5);
    assert_true(seen >= 1);
}

static void waiting_counts_what_is_not_done(void **state)
{
    struct dlcs_queue *q = *state;
    struct dlcs_job a;
    int64_t n = -1, until = dlcs_time_now_ms() + adapter->claim_wait_ms;

    publish(q, "w1", 1, false);
    publish(q, "w2", 1, false);
    do { /* Kafka's lag follows the broker's offsets: it may take a fetch to show */
        OK(dlcs_queue_waiting(q, &n, NULL));
    } while (n != 2 && dlcs_time_now_ms() < until && (sleep_ms(20), 1));
    assert_int_equal(n, 2);
    claim(q, &a);
    OK(dlcs_queue_done(q, &a, NULL));
    claim(q, &a);
    OK(dlcs_queue_done(q, &a, NULL));
    until = dlcs_time_now_ms() + adapter->claim_wait_ms;
    do {
        OK(dlcs_queue_waiting(q, &n, NULL));
    } while (n != 0 && dlcs_time_now_ms() < until && (sleep_ms(20), 1));
    assert_int_equal(n, 0);
    OK(dlcs_queue_ping(q, NULL));
}

/* The stats' lag once it reads 'want' (the client reports every few seconds), or what it read. */
static int64_t stats_lag_until(struct dlcs_queue *q, int64_t want, struct dlcs_queue_stats *st)
{
    int64_t until = dlcs_time_now_ms() + adapter->claim_wait_ms + 12000;

    do {
        OK(dlcs_queue_stats(q, st, NULL));
        if (st->lag == want)
            break;
        sleep_ms(100);
    } while (dlcs_time_now_ms() < until);
    return st->lag;
}

/* The statistics follow the work: the lag of what is not done, publishes counted. */
static void stats_follow_the_work(void **state)
{
    struct dlcs_queue *q = *state;
    struct dlcs_queue_stats *st = calloc(1, sizeof *st);
    struct dlcs_job a;
    int64_t sum = 0;

    for (int i = 0; i < 5; i++) {
        char asset[16];

        (void)snprintf(asset, sizeof asset, "s%d", i);
        publish(q, asset, 1, false);
    }
    claim(q, &a); /* a consumer exists from here: its client reports its partitions */
    assert_int_equal(stats_lag_until(q, 5, st), 5);
    for (size_t i = 0; i < st->partitions; i++)
        sum += st->parts[i].lag > 0 ? st->parts[i].lag : 0;
    assert_true(st->partitions == 0 || sum == 5); /* the sum of the partitions, where known */
    assert_true(adapter->counts_publishes ? st->published >= 5 && st->publish_errors == 0
                                          : st->published == 0);
    OK(dlcs_queue_done(q, &a, NULL));
    for (int i = 0; i < 4; i++) {
        claim(q, &a);
        OK(dlcs_queue_done(q, &a, NULL));
    }
    assert_int_equal(stats_lag_until(q, 0, st), 0);
    free(st);
}

static void bad_jobs_are_refused(void **state)
{
    struct dlcs_queue *q = *state;
    struct dlcs_job j = job("", 1, false); /* no asset */

    assert_int_equal(dlcs_queue_publish(q, &j, 1, NULL), DLCS_EINVAL);
    expect_nothing(q, adapter->claim_wait_ms / 2);
}

int queue_contract_run(const struct queue_contract_adapter *a)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(published_jobs_are_claimed_once_and_done, setup, teardown),
        cmocka_unit_test_setup_teardown(priority_jobs_come_first, setup, teardown),
        cmocka_unit_test_setup_teardown(a_retry_comes_back_later_as_the_next_attempt, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_dead_job_is_not_delivered_again, setup, teardown),
        cmocka_unit_test_setup_teardown(jobs_in_hand_are_delivered_again_after_a_crash, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(one_assets_jobs_keep_their_order, setup, teardown),
        cmocka_unit_test_setup_teardown(waiting_counts_what_is_not_done, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_jobs_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(stats_follow_the_work, setup, teardown),
    };

    adapter = a;
    return cmocka_run_group_tests_name(a->name, tests, NULL, NULL);
}
