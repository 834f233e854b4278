/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Kafka path end to end: the mock cluster as a process of its own (tests/kafka), the real
 * dlcs binary with DLCS_QUEUE=kafka://..., kcat reading the topics. A batch through the relay
 * and the consumer group, the jobs on the ingest topic keyed by image, bad origins as errors and
 * dead letters, and every broker down while a batch is queued (201, /readyz says the queue is
 * down, and the batch finishes when the brokers return), a batch's failed images ingested
 * again once their origins are fixed, a worker that drains on SIGTERM (the job in hand ends and
 * is committed; past DLCS_DRAIN_MS it is given back), and jobs the queue lost that the
 * reconciler publishes again.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <vips/vips.h>

#include "dlcs/fs.h"

#include "admin_client.h"
#include "fixtures.h"
#include "harness.h"
#include "kafka_cluster.h"
#include "origin_server.h"

static const char *binary, *mock_binary;
static char fixtures[256], data_env[400], root_env[400], queue_env[1200];
static struct harness_proc server;
static struct kafka_cluster cluster;
static struct origin_server *origin_http;

/* Start 'role' on the shared store and cluster, with 'extra' settings (NULL-terminated). */
static long call(const char *method, const char *path, const char *body, json_t **out)
{
    return admin_call(&server, method, path, body, out);
}

static int start_server(const char *role, const char *const *extra)
{
    const char *const args[] = {role, NULL};
    const char *env[24] = {"DLCS_BOOTSTRAP_ADMIN=" ADMIN,
                           root_env,
                           data_env,
                           queue_env,
                           "DLCS_KAFKA_TOPIC_PREFIX=kt.",
                           "DLCS_KAFKA_TIMEOUT_MS=5000",
                           "DLCS_JOB_RETRY_BASE_MS=200",
                           "DLCS_WORKERS=2",
                           "DLCS_ORIGIN_ALLOW_PRIVATE=1",
                           NULL};
    size_t n = 9;

    for (size_t i = 0; extra && extra[i] && n < DLCS_ARRAY_LEN(env) - 1; i++)
        env[n++] = extra[i]; /* a later setting of the same name wins */
    env[n] = NULL;
    if (harness_start(binary, args, env, 1, &server) != 0) {
        harness_dump_log(&server);
        return -1;
    }
    return 0;
}

/* Stop the running server; it must exit 0. */
static void stop_server(void)
{
    assert_true(harness_stop_clean(&server));
    harness_cleanup(&server);
}

static void brokers(const char *what)
{
    for (int b = 1; b <= 3; b++)
        kafka_cluster_broker(&cluster, what, b);
}

static int global_setup(void **state)
{
    (void)state;
    (void)snprintf(fixtures, sizeof fixtures, "/tmp/dlcs-kafka-test-XXXXXX");
    if (!mkdtemp(fixtures) || fixtures_write(fixtures) != 0 ||
        kafka_cluster_start(&cluster, mock_binary, "kt.") != 0)
        return -1;
    (void)snprintf(root_env, sizeof root_env, "DLCS_ORIGIN_FILE_ROOT=%s", fixtures);
    (void)snprintf(data_env, sizeof data_env, "DLCS_DATA_DIR=%s/data", fixtures);
    (void)snprintf(queue_env, sizeof queue_env, "DLCS_QUEUE=kafka://%s", cluster.bootstrap);
    origin_http = origin_server_start(fixtures);
    if (!origin_http || start_server("serve", NULL) != 0)
        return -1;
    return admin_make_acme(&server);
}

static int global_teardown(void **state)
{
    bool clean = harness_stop_clean(&server);

    (void)state;
    harness_cleanup(&server);
    origin_server_stop(origin_http);
    kafka_cluster_stop(&cluster);
    if (dlcs_fs_remove_tree(fixtures, NULL) != DLCS_OK)
        fprintf(stderr, "could not remove %s\n", fixtures);
    return clean ? 0 : -1;
}

/* A batch of 'n' images "<book>-<i>" from small.jpg; the first 'nbad' from a missing file. */
static int64_t queue_book(const char *book, int n, int nbad)
{
    char good[400], bad[400];

    (void)snprintf(good, sizeof good, "file://%s/small.jpg", fixtures);
    (void)snprintf(bad, sizeof bad, "file://%s/missing.jpg", fixtures);
    return admin_queue_book(&server, &(struct admin_book){book, n, good, nbad, bad});
}

static void a_batch_through_kafka(void **state)
{
    json_t *j;

    (void)state;
    j = admin_wait_finished(&server, queue_book("k1", 60, 0), 120);
    assert_int_equal(jnum(j, "count"), 60);
    assert_int_equal(jnum(j, "completed"), 60);
    assert_int_equal(jnum(j, "errors"), 0);
    json_decref(j);
    /* each job on the ingest topic, keyed customer/space/id */
    assert_int_equal(
        kafka_cluster_wait_count(&cluster,
                                 &(struct kafka_count_wait){"kt.ingest", "2/1/k1-", 1, 60, 10000}),
        60);
}

static void bad_origins_are_errors_and_dead_letters(void **state)
{
    struct harness_response *r = calloc(1, sizeof *r);
    const char *const headers[] = {ADMIN_AUTH, NULL};
    char small[600], missing[600], path[128];
    int64_t batch;
    json_t *j;

    (void)state;
    batch = queue_book("k2", 20, 3);
    j = admin_wait_finished(&server, batch, 120);
    assert_int_equal(jnum(j, "completed"), 17);
    assert_int_equal(jnum(j, "errors"), 3);
    json_decref(j);
    assert_int_equal(
        kafka_cluster_wait_count(
            &cluster, &(struct kafka_count_wait){"kt.ingest-dead", "2/1/k2-", 0, 3, 10000}),
        3);

    /* the origins are fixed: reingest-errors runs the three again, the counters move back */
    (void)snprintf(small, sizeof small, "%s/small.jpg", fixtures);
    (void)snprintf(missing, sizeof missing, "%s/missing.jpg", fixtures);
    assert_int_equal(link(small, missing), 0);
    (void)snprintf(path, sizeof path, "/customers/2/queue/batches/%lld/reingest-errors",
                   (long long)batch);
    assert_int_equal(harness_http(&server, "POST", path, headers, NULL, r), 0);
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->headers, "X-Requeued: 3"));
    j = json_loads(r->body, 0, NULL);
    assert_int_equal(jnum(j, "errors"), 0);
    assert_int_equal(jnum(j, "count"), 20);
    json_decref(j);
    j = admin_wait_finished(&server, batch, 120);
    assert_int_equal(jnum(j, "completed"), 20);
    assert_int_equal(jnum(j, "errors"), 0);
    json_decref(j);
    /* nothing failed is left: a second call re-queues nothing and the batch stays finished */
    assert_int_equal(harness_http(&server, "POST", path, headers, NULL, r), 0);
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->headers, "X-Requeued: 0"));
    (void)snprintf(path, sizeof path, "/customers/2/queue/batches/%lld/reingest-errors",
                   (long long)batch + 1000);
    assert_int_equal(harness_http(&server, "POST", path, headers, NULL, r), 0);
    assert_int_equal(r->status, 404);
    assert_int_equal(unlink(missing), 0);
    free(r);
}

static void brokers_down_lose_nothing(void **state)
{
    struct harness_response *r = calloc(1, sizeof *r);
    int64_t batch;
    json_t *j;

    (void)state;
    brokers("down");
    batch = queue_book("k3", 30, 0); /* durable in the store: 201 without a broker */
    for (int i = 0; i < 50; i++) {   /* the readiness probe names the queue */
        assert_int_equal(harness_http(&server, "GET", "/readyz", NULL, NULL, r), 0);
        if (r->status == 503)
            break;
        usleep(200 * 1000);
    }
    assert_int_equal(r->status, 503);
    assert_non_null(strstr(r->body, "queue"));
    sleep(2);
    brokers("up");
    j = admin_wait_finished(&server, batch, 180);
    assert_int_equal(jnum(j, "count"), 30);
    assert_int_equal(jnum(j, "completed"), 30);
    assert_int_equal(jnum(j, "errors"), 0);
    json_decref(j);
    assert_int_equal(harness_http(&server, "GET", "/readyz", NULL, NULL, r), 0);
    assert_int_equal(r->status, 200);
    free(r);
}

/* A batch of 'n' images "<book>-<i>" from the loopback origin's /slow/ (2 s each). */
static int64_t queue_slow(const char *book, int n)
{
    char url[256];

    (void)snprintf(url, sizeof url, "http://127.0.0.1:%d/slow/small.jpg",
                   origin_server_port(origin_http));
    return admin_queue_book(&server, &(struct admin_book){book, n, url, 0, NULL});
}

/* Wait until the origin has begun to answer 'n' slow requests in all (a job is in hand). */
static void until_slow_started(int n)
{
    for (int i = 0; i < 300 && origin_server_slow_started(origin_http) < n; i++)
        usleep(100 * 1000);
    assert_true(origin_server_slow_started(origin_http) >= n);
}

static json_t *batch_now(int64_t batch)
{
    char path[128];
    json_t *j = NULL;

    (void)snprintf(path, sizeof path, "/customers/2/queue/batches/%lld", (long long)batch);
    assert_int_equal(call("GET", path, NULL, &j), 200);
    return j;
}

/*
 * Restart the server with 'drain' (a DLCS_DRAIN_MS setting), queue one slow image 'book' and
 * send SIGTERM once its job is in hand. '*seen' gets the slow requests before it.
 */
static int64_t sigterm_with_a_job_in_hand(const char *drain, const char *book, int *seen)
{
    const char *const extra[] = {drain, NULL};
    int64_t batch;

    *seen = origin_server_slow_started(origin_http);
    stop_server();
    assert_int_equal(start_server("serve", extra), 0);
    batch = queue_slow(book, 1);
    until_slow_started(*seen + 1);
    kill(server.pid, SIGTERM);
    return batch;
}

/* SIGTERM with a job in hand: it runs to its end and is committed, then the process exits 0. */
static void a_worker_drains_on_sigterm(void **state)
{
    int seen = 0;
    int64_t batch = sigterm_with_a_job_in_hand("DLCS_DRAIN_MS=20000", "k5", &seen);
    json_t *j;

    (void)state;
    assert_int_equal(harness_wait(&server, 15000), 0); /* after the job, not at once */
    harness_cleanup(&server);
    assert_int_equal(start_server("serve", NULL), 0);
    j = batch_now(batch); /* finished by the process that was told to stop */
    assert_non_null(json_object_get(j, "finished"));
    assert_int_equal(jnum(j, "completed"), 1);
    json_decref(j);
    sleep(3); /* committed: the next member of the group does not fetch it again */
    assert_int_equal(origin_server_slow_started(origin_http), seen + 1);
}

/* Past DLCS_DRAIN_MS the job in hand is given back, and the next process finishes it. */
static void a_drain_past_its_bound_gives_the_job_back(void **state)
{
    struct timespec t0, t1;
    int seen = 0;
    int64_t batch = sigterm_with_a_job_in_hand("DLCS_DRAIN_MS=100", "k6", &seen);
    json_t *j;

    (void)state;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(harness_wait(&server, 15000), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    harness_cleanup(&server);
    assert_true(t1.tv_sec - t0.tv_sec < 2); /* did not wait for the 2 s origin */
    assert_int_equal(start_server("serve", NULL), 0);
    j = admin_wait_finished(&server, batch, 60);
    assert_int_equal(jnum(j, "completed"), 1);
    assert_int_equal(jnum(j, "errors"), 0);
    json_decref(j);
    assert_true(origin_server_slow_started(origin_http) >= seen + 2); /* fetched again */
}

/*
 * Jobs the queue lost (here: published where no worker reads, as a topic whose retention ran
 * out would lose them): the reconciler gives each stalled image its job again.
 */
static void lost_jobs_are_queued_again_by_the_reconciler(void **state)
{
    const char *const astray[] = {"DLCS_KAFKA_TOPIC_PREFIX=astray.", "DLCS_RECONCILE_AFTER_MS=0",
                                  NULL};
    const char *const reconcile[] = {"DLCS_RECONCILE_AFTER_MS=1500", "DLCS_RECONCILE_EVERY_MS=300",
                                     NULL};
    char log[1 << 16];
    int64_t batch;
    json_t *j;

    (void)state;
    stop_server();
    assert_int_equal(start_server("api", astray), 0); /* its relay publishes them astray */
    batch = queue_book("k7", 12, 0);
    assert_int_equal(
        kafka_cluster_wait_count(
            &cluster, &(struct kafka_count_wait){"astray.ingest", "2/1/k7-", 1, 12, 10000}),
        12);
    stop_server();
    assert_int_equal(start_server("serve", reconcile), 0);
    j = admin_wait_finished(&server, batch, 120);
    assert_int_equal(jnum(j, "count"), 12);
    assert_int_equal(jnum(j, "completed"), 12);
    assert_int_equal(jnum(j, "errors"), 0);
    json_decref(j);
    assert_int_equal(
        kafka_cluster_wait_count(&cluster,
                                 &(struct kafka_count_wait){"kt.ingest", "2/1/k7-", 1, 12, 10000}),
        12);
    (void)harness_read_log(&server, log, sizeof log);
    assert_non_null(strstr(log, "reconciler queued 12 images again"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_batch_through_kafka),
        cmocka_unit_test(bad_origins_are_errors_and_dead_letters),
        cmocka_unit_test(brokers_down_lose_nothing),
        cmocka_unit_test(a_worker_drains_on_sigterm),
        cmocka_unit_test(a_drain_past_its_bound_gives_the_job_back),
        cmocka_unit_test(lost_jobs_are_queued_again_by_the_reconciler),
    };
    int rc;

    if (argc < 3) {
        fprintf(stderr, "usage: kafka_test PATH_TO_DLCS PATH_TO_KAFKA_MOCK_CLUSTER\n");
        return 2;
    }
    binary = argv[1];
    mock_binary = argv[2];
    signal(SIGPIPE, SIG_IGN);
    if (VIPS_INIT(argv[0]) != 0)
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = harness_result(cmocka_run_group_tests(tests, global_setup, global_teardown));
    curl_global_cleanup();
    vips_shutdown();
    return rc;
}
