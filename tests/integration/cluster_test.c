/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The whole system as separate processes on the three engines, no shared disk: the Kafka mock
 * cluster, the MongoDB fake (or DLCS_TEST_MONGODB_URI), S3 (s3rver, or with the argument
 * "fake" the project's signature-checking fake), two `dlcs api`, two `dlcs worker` and two
 * `dlcs iiif` processes, each with its own empty data directory. The origins are S3 objects
 * too (s3:// origins through the same client), plus one direct upload.
 *
 * 500 images in 5 batches queued through both APIs; one worker and one iiif process are
 * SIGKILLed halfway; every batch finishes exact; the surviving iiif process serves every
 * image's info.json, a pass-through tile, a rendered region and a thumbnail with the right
 * pixels; then the same images through a named-query manifest. An upload through one API is
 * re-ingested by the other from S3; with S3 frozen, /readyz of a worker and an iiif process
 * answers 503 naming blob storage.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <vips/vips.h>

#include "dlcs/fs.h"
#include "dlcs/s3_objects.h"

#include "admin_client.h"
#include "fixtures.h"
#include "harness.h"
#include "kafka_cluster.h"
#include "mongo_server.h"
#include "s3_server.h"

#define BATCHES   5
#define PER_BATCH 100
#define BUCKET    "dlcs-cluster"

static const char *binary, *mock_binary;
static enum s3_kind s3_kind = S3_S3RVER;
static char fixtures[256], queue_env[1200], store_env[600], storage_env[1200], endpoint_env[400];
static struct kafka_cluster cluster;
static struct mongo_server mongo;
static struct s3_server s3;
static struct harness_proc apis[2], workers[2], iiifs[2];
static int64_t batches[BATCHES];

static int start_role(const char *role, const char *id, struct harness_proc *p)
{
    const char *const args[] = {role, NULL};
    char id_env[64];
    const char *const env[] = {"DLCS_BOOTSTRAP_ADMIN=" ADMIN,
                               queue_env,
                               store_env,
                               storage_env,
                               endpoint_env,
                               id_env,
                               "DLCS_KAFKA_TOPIC_PREFIX=cl.",
                               "DLCS_KAFKA_TIMEOUT_MS=5000",
                               "DLCS_KAFKA_PREFETCH=8",
                               "DLCS_WORKERS=1",
                               "DLCS_DRAIN_MS=3000",
                               "DLCS_IIIF_RECORD_TTL_MS=500",
                               "DLCS_CACHE_MAX_MB=64",
                               NULL};

    (void)snprintf(id_env, sizeof id_env, "DLCS_WORKER_ID=%s", id);
    if (harness_start(binary, args, env, 1, p) != 0) {
        harness_dump_log(p);
        return -1;
    }
    return 0;
}

/* The origin image as an S3 object of the cluster's bucket (written by the test itself). */
static int put_origin(void)
{
    struct dlcs_s3_settings set;
    struct dlcs_s3_client *c = NULL;
    struct dlcs_error err = {0};
    char path[400];
    size_t len = 0;
    char *bytes;
    int rc = -1;

    (void)snprintf(path, sizeof path, "%s/small.jpg", fixtures);
    bytes = fixtures_read(path, &len);
    dlcs_s3_settings_ambient(NULL, &set);
    set.target.endpoint = s3.endpoint;
    set.target.bucket = BUCKET;
    if (bytes && dlcs_s3_client_new(&set, &c, &err) == DLCS_OK &&
        dlcs_s3_put_bytes(c, "origins/small.jpg", bytes, len, "image/jpeg", &err) == DLCS_OK)
        rc = 0;
    if (rc != 0)
        fprintf(stderr, "cannot store the origin: %s\n", err.message);
    dlcs_s3_client_free(c);
    free(bytes);
    return rc;
}

static int start_engines(void)
{
    char uri[512];
    int rc = s3_server_start(&s3, s3_kind, BUCKET);

    if (rc == 1)
        fprintf(stderr, "s3rver is not installed (tests/s3/node_modules): run "
                        "scripts/install-deps.sh\n");
    if (rc != 0 || kafka_cluster_start(&cluster, mock_binary, "cl.") != 0 ||
        mongo_server_start(&mongo) != 0)
        return -1;
    mongo_server_uri(&mongo, "dlcs_cluster", "", uri, sizeof uri);
    (void)snprintf(store_env, sizeof store_env, "DLCS_STORE=%s", uri);
    (void)snprintf(queue_env, sizeof queue_env, "DLCS_QUEUE=kafka://%s", cluster.bootstrap);
    s3_server_storage_url(&s3, "blobs", NULL, uri, sizeof uri);
    (void)snprintf(storage_env, sizeof storage_env, "DLCS_STORAGE=%s", uri);
    (void)snprintf(endpoint_env, sizeof endpoint_env, "DLCS_S3_ENDPOINT=%s", s3.endpoint);
    return put_origin();
}

static int global_setup(void **state)
{
    static const char *const ids[] = {"a1", "a2", "w1", "w2", "i1", "i2"};
    struct harness_proc *procs[] = {&apis[0],    &apis[1],  &workers[0],
                                    &workers[1], &iiifs[0], &iiifs[1]};
    const char *roles[] = {"api", "api", "worker", "worker", "iiif", "iiif"};

    (void)state;
    (void)snprintf(fixtures, sizeof fixtures, "/tmp/dlcs-cluster-XXXXXX");
    if (!mkdtemp(fixtures) || fixtures_write(fixtures) != 0 || start_engines() != 0)
        return -1;
    for (int i = 0; i < 6; i++)
        if (start_role(roles[i], ids[i], procs[i]) != 0)
            return -1;
    return admin_make_acme(&apis[0]);
}

static bool stop_all(struct harness_proc *p, int n)
{
    bool clean = true;

    for (int i = 0; i < n; i++) {
        if (p[i].pid > 0)
            clean &= harness_stop_clean(&p[i]);
        harness_cleanup(&p[i]);
    }
    return clean;
}

static int global_teardown(void **state)
{
    bool clean = stop_all(apis, 2); /* every process stopped, whatever the first said */

    (void)state;
    clean = stop_all(workers, 2) && clean;
    clean = stop_all(iiifs, 2) && clean;
    kafka_cluster_stop(&cluster);
    mongo_server_stop(&mongo);
    s3_server_stop(&s3);
    if (dlcs_fs_remove_tree(fixtures, NULL) != DLCS_OK)
        fprintf(stderr, "could not remove %s\n", fixtures);
    return clean ? 0 : -1;
}

/* Batch 'b' of PER_BATCH images "c<b>-<iii>", string1 "c<b>", number1 the page, from S3. */
static int64_t queue_batch(const struct harness_proc *api, int b)
{
    json_t *members = json_array(), *doc, *out = NULL;
    char id[32], book[16], *body;
    int64_t batch;

    (void)snprintf(book, sizeof book, "c%d", b);
    for (int i = 0; i < PER_BATCH; i++) {
        (void)snprintf(id, sizeof id, "%s-%03d", book, i);
        json_array_append_new(members, json_pack("{s:s,s:i,s:s,s:s,s:i}", "id", id, "space", 1,
                                                 "origin", "s3://" BUCKET "/origins/small.jpg",
                                                 "string1", book, "number1", i));
    }
    doc = json_pack("{s:s,s:o}", "@type", "Collection", "member", members);
    body = json_dumps(doc, 0);
    assert_int_equal(admin_call(api, "POST", "/customers/2/queue", body, &out), 201);
    batch = jnum(out, "id");
    json_decref(out);
    free(body);
    json_decref(doc);
    return batch;
}

/* Completed images so far, asking the second API (no batch ever overcounts). */
static int64_t completed(int *finished)
{
    int64_t sum = 0;

    *finished = 0;
    for (int b = 0; b < BATCHES; b++) {
        char path[128];
        json_t *j = NULL;

        (void)snprintf(path, sizeof path, "/customers/2/queue/batches/%lld", (long long)batches[b]);
        assert_int_equal(admin_call(&apis[b % 2 ? 0 : 1], "GET", path, NULL, &j), 200);
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

static void dump_batches(void)
{
    for (int b = 0; b < BATCHES; b++) {
        char path[128];
        json_t *j = NULL;
        char *text;

        (void)snprintf(path, sizeof path, "/customers/2/queue/batches/%lld", (long long)batches[b]);
        (void)admin_call(&apis[0], "GET", path, NULL, &j);
        text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        printf("# batch %d: %s\n", b, text ? text : "?");
        free(text);
        json_decref(j);
    }
    harness_dump_log(&workers[0]);
}

static void kill_one(struct harness_proc *p)
{
    kill(p->pid, SIGKILL);
    (void)harness_wait(p, 5000);
    p->pid = 0;
}

static void five_batches_finish_exact_through_kills(void **state)
{
    bool killed = false;
    int finished = 0;

    (void)state;
    for (int b = 0; b < BATCHES; b++)
        batches[b] = queue_batch(&apis[b % 2], b);
    for (int i = 0; i < 400 * 4 && finished < BATCHES; i++) {
        int64_t done = completed(&finished);

        if (i % 80 == 0) /* progress in the log, every 20 s */
            printf("# %d s: %lld of %d images, %d batches finished\n", i / 4, (long long)done,
                   BATCHES * PER_BATCH, finished);
        if (done >= BATCHES * PER_BATCH / 2 && !killed) {
            kill_one(&workers[1]);
            kill_one(&iiifs[1]);
            killed = true;
        }
        if (finished < BATCHES)
            usleep(250 * 1000);
    }
    assert_true(killed);
    if (finished != BATCHES)
        dump_batches();
    assert_int_equal(finished, BATCHES);
}

static VipsImage *fetch_image(const char *path)
{
    static struct harness_response r;
    VipsImage *img;

    assert_int_equal(harness_http(&iiifs[0], "GET", path, NULL, NULL, &r), 0);
    if (r.status != 200)
        fail_msg("GET %s: %ld %.200s", path, r.status, r.body);
    img = vips_image_new_from_buffer(r.body, r.body_len, "", NULL);
    assert_non_null(img);
    return img;
}

/* The image at 'path' is w x h with these colours at two points ('r' red, 'w' white). */
static void expect_pixels(const char *path, int w, int h, const int pts[4], const char *want)
{
    VipsImage *img = fetch_image(path);
    char got[3] = {fixtures_colour_at(img, pts[0], pts[1]), fixtures_colour_at(img, pts[2], pts[3]),
                   0};

    if (img->Xsize != w || img->Ysize != h || strcmp(got, want) != 0)
        fail_msg("%s: %dx%d '%s', wanted %dx%d '%s'", path, img->Xsize, img->Ysize, got, w, h,
                 want);
    g_object_unref(img);
}

/* small.jpg is 300x200, its top-left 150x100 red, the rest white. */
static void check_image(const char *id)
{
    char path[256];
    json_t *info = NULL;

    (void)snprintf(path, sizeof path, "/iiif-img/2/1/%s/info.json", id);
    assert_int_equal(admin_call(&iiifs[0], "GET", path, NULL, &info), 200);
    assert_int_equal(jnum(info, "width"), 300);
    assert_int_equal(jnum(info, "height"), 200);
    json_decref(info);
    /* the stored tile: the image's edge tile, passed through (cropped losslessly) */
    (void)snprintf(path, sizeof path, "/iiif-img/2/1/%s/0,0,256,200/256,/0/default.jpg", id);
    expect_pixels(path, 256, 200, (const int[]){20, 20, 200, 150}, "rw");
    /* a rendered region: x 100-200, y 50-150 at half size */
    (void)snprintf(path, sizeof path, "/iiif-img/2/1/%s/100,50,100,100/50,/0/default.jpg", id);
    expect_pixels(path, 50, 50, (const int[]){10, 10, 40, 40}, "rw");
    (void)snprintf(path, sizeof path, "/thumbs/2/1/%s/full/!100,100/0/default.jpg", id);
    expect_pixels(path, 100, 67, (const int[]){10, 10, 90, 60}, "rw");
}

static void the_surviving_iiif_serves_every_image(void **state)
{
    (void)state;
    for (int b = 0; b < BATCHES; b++) {
        for (int i = 0; i < PER_BATCH; i++) {
            char id[32];

            (void)snprintf(id, sizeof id, "c%d-%03d", b, i);
            check_image(id);
        }
    }
}

static void a_named_query_manifest_lists_them(void **state)
{
    static struct harness_response r;
    json_t *doc, *items;
    char path[128];

    (void)state;
    assert_int_equal(admin_call(&apis[1], "POST", "/customers/2/namedQueries",
                                "{\"name\":\"book\",\"template\":\"assetOrder=n1&s1=p1\"}", NULL),
                     201);
    for (int b = 0; b < BATCHES; b++) {
        (void)snprintf(path, sizeof path, "/iiif-resource/acme/book/c%d", b);
        assert_int_equal(harness_http(&iiifs[0], "GET", path, NULL, NULL, &r), 0);
        assert_int_equal(r.status, 200);
        doc = json_loadb(r.body, r.body_len, 0, NULL);
        assert_non_null(doc);
        items = json_object_get(doc, "items");
        assert_int_equal(json_array_size(items), PER_BATCH);
        json_decref(doc);
    }
    check_image("c4-099"); /* and a page of the last book is served */
}

/* An uploaded original goes to S3, and a re-ingest by the other API fetches it from there. */
static void an_upload_lives_in_s3_and_is_reingested_from_it(void **state)
{
    char path[400];
    size_t len = 0;
    char *bytes;
    json_t *out = NULL;

    (void)state;
    (void)snprintf(path, sizeof path, "%s/small.jpg", fixtures);
    bytes = fixtures_read(path, &len);
    assert_non_null(bytes);
    assert_int_equal(admin_call_bytes(&apis[1], "PUT", "/customers/2/spaces/1/images/up1",
                                      "image/jpeg", bytes, len, &out),
                     201);
    json_decref(out);
    check_image("up1");
    /* the other API (its own empty data directory) converts it again: from S3 */
    assert_int_equal(
        admin_call(&apis[0], "POST", "/customers/2/spaces/1/images/up1/reingest", NULL, &out), 200);
    assert_true(jstr(out, "error") == NULL || jstr(out, "error")[0] == '\0');
    assert_true(json_is_false(json_object_get(out, "ingesting")));
    json_decref(out);
    check_image("up1");
    free(bytes);
}

/* Every role, a worker too, says which dependency is down, and quickly. */
static void readiness_names_blob_storage_when_s3_is_down(void **state)
{
    static struct harness_response r;

    (void)state;
    assert_int_equal(harness_http(&workers[0], "GET", "/readyz", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_true(s3_server_freeze(&s3, true));
    for (int i = 0; i < 2; i++) {
        const struct harness_proc *p = i ? &iiifs[0] : &workers[0];

        assert_int_equal(harness_http(p, "GET", "/readyz", NULL, NULL, &r), 0);
        if (r.status != 503 || !strstr(r.body, "blob storage not ready"))
            fail_msg("/readyz with S3 frozen: %ld %.300s", r.status, r.body);
    }
    assert_true(s3_server_freeze(&s3, false));
    assert_int_equal(harness_http(&apis[0], "GET", "/readyz", NULL, NULL, &r), 0);
    assert_int_equal(r.status, 200);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(five_batches_finish_exact_through_kills),
        cmocka_unit_test(the_surviving_iiif_serves_every_image),
        cmocka_unit_test(a_named_query_manifest_lists_them),
        cmocka_unit_test(an_upload_lives_in_s3_and_is_reingested_from_it),
        cmocka_unit_test(readiness_names_blob_storage_when_s3_is_down),
    };
    int rc;

    if (argc < 3) {
        fprintf(stderr, "usage: cluster_test PATH_TO_DLCS PATH_TO_KAFKA_MOCK_CLUSTER [fake]\n");
        return 2;
    }
    binary = argv[1];
    mock_binary = argv[2];
    if (argc > 3 && strcmp(argv[3], "fake") == 0)
        s3_kind = S3_FAKE;
    signal(SIGPIPE, SIG_IGN);
    if (VIPS_INIT(argv[0]) != 0)
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = harness_result(cmocka_run_group_tests(tests, global_setup, global_teardown));
    curl_global_cleanup();
    vips_shutdown();
    return rc;
}
