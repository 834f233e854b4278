/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Horizontally scaled workers on Kafka: the mock cluster as its own process, one `dlcs api` and
 * two `dlcs worker` processes (one job slot each) on one store and one blob directory. 500
 * images in 5 batches finish with completed = count and errors = 0, their jobs on the ingest
 * topic keyed by image, and a `dlcs iiif` process serves every one of them; then 500 more while
 * one worker is SIGKILLed halfway (and started again), a broker goes down and up, and the API
 * is restarted: the same result. The store is one SQLite file, or with a third argument
 * "mongo" MongoDB (the project's fake, or the server DLCS_TEST_MONGODB_URI names).
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
#include "mongo_server.h"

#define BATCHES   5
#define PER_BATCH 100

static const char *binary, *mock_binary;
static char fixtures[256], data_env[400], root_env[400], queue_env[1200], store_env[600];
static struct kafka_cluster cluster;
static struct mongo_server mongo;
static bool on_mongo;
static struct harness_proc api, workers[2];

static long call(const char *method, const char *path, const char *body, json_t **out)
{
    return admin_call(&api, method, path, body, out);
}

static int start_role(const char *role, const char *id, struct harness_proc *p)
{
    const char *const args[] = {role, NULL};
    char id_env[64];
    const char *const env[] = {"DLCS_BOOTSTRAP_ADMIN=" ADMIN,
                               root_env,
                               data_env,
                               queue_env,
                               id_env,
                               "DLCS_KAFKA_TOPIC_PREFIX=ks.",
                               "DLCS_KAFKA_TIMEOUT_MS=5000",
                               "DLCS_KAFKA_PREFETCH=8",
                               "DLCS_WORKERS=1",
                               "DLCS_DRAIN_MS=3000", /* a stop at teardown is quick */
                               store_env[0] ? store_env : NULL,
                               NULL};

    (void)snprintf(id_env, sizeof id_env, "DLCS_WORKER_ID=%s", id);
    if (harness_start(binary, args, env, 1, p) != 0) {
        harness_dump_log(p);
        return -1;
    }
    return 0;
}

static int global_setup(void **state)
{
    (void)state;
    (void)snprintf(fixtures, sizeof fixtures, "/tmp/dlcs-kafka-scale-XXXXXX");
    if (!mkdtemp(fixtures) || fixtures_write(fixtures) != 0 ||
        kafka_cluster_start(&cluster, mock_binary, "ks.") != 0)
        return -1;
    (void)snprintf(root_env, sizeof root_env, "DLCS_ORIGIN_FILE_ROOT=%s", fixtures);
    (void)snprintf(data_env, sizeof data_env, "DLCS_DATA_DIR=%s/data", fixtures);
    (void)snprintf(queue_env, sizeof queue_env, "DLCS_QUEUE=kafka://%s", cluster.bootstrap);
    if (on_mongo) {
        char uri[512];

        if (mongo_server_start(&mongo) != 0)
            return -1;
        mongo_server_uri(&mongo, "dlcs_kafka_scale", "", uri, sizeof uri);
        (void)snprintf(store_env, sizeof store_env, "DLCS_STORE=%s", uri);
    }
    if (start_role("api", "api", &api) != 0 || start_role("worker", "w1", &workers[0]) != 0 ||
        start_role("worker", "w2", &workers[1]) != 0)
        return -1;
    return admin_make_acme(&api);
}

static int global_teardown(void **state)
{
    bool clean = true;

    (void)state;
    clean &= harness_stop_clean(&api);
    harness_cleanup(&api);
    for (int i = 0; i < 2; i++) {
        clean &= harness_stop_clean(&workers[i]);
        harness_cleanup(&workers[i]);
    }
    kafka_cluster_stop(&cluster);
    mongo_server_stop(&mongo);
    if (dlcs_fs_remove_tree(fixtures, NULL) != DLCS_OK)
        fprintf(stderr, "could not remove %s\n", fixtures);
    return clean ? 0 : -1;
}

/* The BATCHES batches of PER_BATCH images "<prefix><b>-<i>" from small.jpg into 'batches'. */
static void queue_books(char prefix, int64_t *batches)
{
    char origin[400];

    (void)snprintf(origin, sizeof origin, "file://%s/small.jpg", fixtures);
    for (int b = 0; b < BATCHES; b++) {
        char book[16];

        (void)snprintf(book, sizeof book, "%c%d", prefix, b);
        batches[b] = admin_queue_book(&api, &(struct admin_book){book, PER_BATCH, origin, 0, NULL});
    }
}

/* Completed images across the batches so far (each batch checked never to overcount). */
static int64_t completed(const int64_t *batches, int n, int *finished)
{
    int64_t sum = 0;

    *finished = 0;
    for (int b = 0; b < n; b++) {
        char path[128];
        json_t *j = NULL;

        (void)snprintf(path, sizeof path, "/customers/2/queue/batches/%lld", (long long)batches[b]);
        assert_int_equal(call("GET", path, NULL, &j), 200);
        assert_true(jnum(j, "completed") + jnum(j, "errors") <= jnum(j, "count"));
        sum += jnum(j, "completed");
        if (json_object_get(j, "finished")) {
            assert_int_equal(jnum(j, "completed"), PER_BATCH);
            assert_int_equal(jnum(j, "errors"), 0);
            (*finished)++;
        }
        json_decref(j);
    }
    return sum;
}

static void wait_all(const int64_t *batches, int seconds, void (*halfway)(void))
{
    int finished = 0;
    bool done_halfway = halfway == NULL;

    for (int i = 0; i < seconds * 4; i++) {
        int64_t n = completed(batches, BATCHES, &finished);

        if (finished == BATCHES)
            return;
        if (!done_halfway && n >= BATCHES * PER_BATCH / 2) {
            halfway();
            done_halfway = true;
        }
        usleep(250 * 1000);
    }
    fail_msg("%d of %d batches finished in %d s", finished, BATCHES, seconds);
}

static void two_workers_share_500_images(void **state)
{
    int64_t batches[BATCHES];

    (void)state;
    queue_books('a', batches);
    wait_all(batches, 300, NULL);
    assert_int_equal(
        kafka_cluster_wait_count(&cluster, &(struct kafka_count_wait){"ks.ingest", "2/1/a", 1,
                                                                      BATCHES * PER_BATCH, 10000}),
        BATCHES * PER_BATCH);
}

/* A `dlcs iiif` process of its own on the same store and blobs serves every image. */
static void iiif_serves_every_image(void **state)
{
    struct harness_proc iiif;
    int asked = 0, served = 0;

    (void)state;
    assert_int_equal(start_role("iiif", "iiif", &iiif), 0);
    for (int b = 0; b < BATCHES; b++) {
        for (int i = 0; i < PER_BATCH; i += 9, asked++) {
            char path[128];
            json_t *j = NULL;

            (void)snprintf(path, sizeof path, "/iiif-img/2/1/a%d-%03d/info.json", b, i);
            served += admin_call(&iiif, "GET", path, NULL, &j) == 200 && jnum(j, "width") == 300;
            json_decref(j);
        }
    }
    assert_true(harness_stop_clean(&iiif)); /* stopped before any assert can leave it running */
    harness_cleanup(&iiif);
    assert_int_equal(served, asked);
}

/* Halfway: a worker killed and started again, a broker down and up, the API restarted. */
static void faults(void)
{
    kill(workers[1].pid, SIGKILL);
    (void)harness_wait(&workers[1], 5000);
    harness_cleanup(&workers[1]);
    kafka_cluster_broker(&cluster, "down", 2);
    assert_true(harness_stop_clean(&api));
    harness_cleanup(&api);
    assert_int_equal(start_role("api", "api", &api), 0);
    sleep(2);
    kafka_cluster_broker(&cluster, "up", 2);
    assert_int_equal(start_role("worker", "w2", &workers[1]), 0);
}

static void nothing_lost_through_kills_and_outages(void **state)
{
    int64_t batches[BATCHES];

    (void)state;
    queue_books('b', batches);
    wait_all(batches, 400, faults);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_workers_share_500_images),
        cmocka_unit_test(iiif_serves_every_image),
        cmocka_unit_test(nothing_lost_through_kills_and_outages),
    };
    int rc;

    if (argc < 3) {
        fprintf(stderr, "usage: kafka_scale_test PATH_TO_DLCS PATH_TO_KAFKA_MOCK_CLUSTER\n");
        return 2;
    }
    binary = argv[1];
    mock_binary = argv[2];
    on_mongo = argc > 3 && strcmp(argv[3], "mongo") == 0;
    signal(SIGPIPE, SIG_IGN);
    if (VIPS_INIT(argv[0]) != 0)
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = harness_result(cmocka_run_group_tests(tests, global_setup, global_teardown));
    curl_global_cleanup();
    vips_shutdown();
    return rc;
}
