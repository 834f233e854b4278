/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An image's life against the real binary: a re-registration or re-ingest goes on serving
 * the previous derivatives until the new ones are complete (then switches), a first ingest
 * says it is processing, and many concurrent PUT/DELETE/reingest/PATCH requests on one id
 * leave the record, blob storage and IIIF delivery in agreement, with nothing orphaned.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
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

#include "dlcs/fs.h"

#include "admin_client.h"
#include "fixtures.h"
#include "harness.h"
#include "origin_server.h"

#define IMAGES "/customers/2/spaces/1/images/"
#define ROUNDS 3
#define OPS    40

static const char *binary;
static struct harness_proc server;
static struct origin_server *origin;
static char fixtures[256];

static long call(const char *method, const char *path, const char *body, json_t **out)
{
    return admin_call(&server, method, path, body, out);
}

/* A registration body with an origin on the loopback origin server ("img/photo.jpg"...). */
static char *origin_body(const char *route)
{
    char *b = malloc(256);

    (void)snprintf(b, 256, "{\"origin\":\"http://127.0.0.1:%d/%s\",\"string1\":\"book\"}",
                   origin_server_port(origin), route);
    return b;
}

static long put_origin(const char *id, const char *route, json_t **out)
{
    char path[128], *body = origin_body(route);
    long st;

    (void)snprintf(path, sizeof path, IMAGES "%s", id);
    st = call("PUT", path, body, out);
    free(body);
    return st;
}

/* The image's record (NULL when it has none). */
static json_t *record(const char *id)
{
    char path[128];
    json_t *j = NULL;
    long st;

    (void)snprintf(path, sizeof path, IMAGES "%s", id);
    st = call("GET", path, NULL, &j);
    if (st == 404) {
        json_decref(j);
        return NULL;
    }
    if (st != 200)
        fail_msg("GET %s: %ld", path, st);
    return j;
}

/* info.json's status; its width into '*width'. 'detail' (may be NULL) gets a 404's body. */
static long info(const char *id, json_int_t *width, char *detail, size_t cap)
{
    struct harness_response *r = calloc(1, sizeof *r);
    char path[128];
    long st;
    json_t *j;

    (void)snprintf(path, sizeof path, "/iiif-img/2/1/%s/info.json", id);
    assert_int_equal(harness_http(&server, "GET", path, NULL, NULL, r), 0);
    st = r->status;
    j = json_loads(r->body, 0, NULL);
    *width = jnum(j, "width");
    if (detail)
        (void)snprintf(detail, cap, "%.*s", (int)(cap - 1), r->body);
    json_decref(j);
    free(r);
    return st;
}

/* GET of the full image: the status; a 200 must be JPEG bytes. */
static long full_image(const char *id)
{
    struct harness_response *r = calloc(1, sizeof *r);
    char path[128];
    long st;

    (void)snprintf(path, sizeof path, "/iiif-img/2/1/%s/full/max/0/default.jpg", id);
    assert_int_equal(harness_http(&server, "GET", path, NULL, NULL, r), 0);
    st = r->status;
    if (st == 200 &&
        (r->body_len < 3 || (unsigned char)r->body[0] != 0xFF || (unsigned char)r->body[1] != 0xD8))
        fail_msg("%s: 200 without JPEG bytes", path);
    free(r);
    return st;
}

static void wait_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* Wait (up to 30 s) until the image's ingest has ended; its record then. */
static json_t *until_ingested(const char *id)
{
    for (int i = 0; i < 300; i++) {
        json_t *j = record(id);

        if (j && !json_is_true(json_object_get(j, "ingesting")))
            return j;
        json_decref(j);
        wait_ms(100);
    }
    fail_msg("'%s' still ingesting after 30 s", id);
    return NULL;
}

/* ---- the files under a folder of blob storage ----------------------------------------------- */

static struct {
    char files[64][512];
    int count;
    size_t root_len;
} walk;

static int collect(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    if (type == FTW_F && walk.count < 64)
        (void)snprintf(walk.files[walk.count++], sizeof walk.files[0], "%s",
                       path + walk.root_len + 1);
    return 0;
}

/* The files (relative paths) under blob folder 'folder' into 'walk'. */
static void blob_files(const char *folder)
{
    char root[512];

    (void)snprintf(root, sizeof root, "%s/data/blobs/%s", server.dir, folder);
    walk.count = 0;
    walk.root_len = strlen(root);
    if (access(root, F_OK) == 0)
        (void)nftw(root, collect, 16, FTW_PHYS);
}

/* The derivative sets (distinct "gN" folders) stored for 'id'. */
static int stored_sets(const char *id, char *first, size_t cap)
{
    char folder[128], seen[8][64];
    int sets = 0;

    (void)snprintf(folder, sizeof folder, "2/1/%s", id);
    blob_files(folder);
    for (int i = 0; i < walk.count; i++) {
        char set[64];
        bool known = false;

        (void)snprintf(set, sizeof set, "%.*s", (int)strcspn(walk.files[i], "/"), walk.files[i]);
        if (set[0] != 'g' || !strchr(walk.files[i], '/'))
            fail_msg("'%s': a file outside a generation's set: %s", id, walk.files[i]);
        for (int k = 0; k < sets && !known; k++)
            known = strcmp(seen[k], set) == 0;
        if (!known && sets < 8)
            (void)snprintf(seen[sets++], sizeof seen[0], "%s", set);
    }
    if (sets > 0 && first)
        (void)snprintf(first, cap, "%s", seen[0]);
    return sets;
}

/*
 * The worker removes the replaced set after it recorded the switch, so a client can see the
 * record switch a moment before the old files go: wait (bounded) for one set to remain.
 */
static int settled_sets(const char *id, char *first, size_t cap)
{
    int sets = 0;

    for (int i = 0; i < 100; i++) {
        sets = stored_sets(id, first, cap);
        if (sets <= 1)
            return sets;
        wait_ms(50);
    }
    return sets;
}

/* ---- set-up ---------------------------------------------------------------------------------- */

static int global_setup(void **state)
{
    const char *const args[] = {"serve", NULL};
    const char *const env[] = {"DLCS_BOOTSTRAP_ADMIN=" ADMIN,
                               "DLCS_ORIGIN_ALLOW_PRIVATE=1",
                               "DLCS_IIIF_RECORD_TTL_MS=0", /* every request reads the record */
                               "DLCS_IMMEDIATE_SLOTS=96",
                               "DLCS_IMMEDIATE_SLOTS_PER_CUSTOMER=96",
                               "DLCS_WORKERS=2",
                               "DLCS_ORIGIN_RETRIES=0",
                               NULL};
    json_t *j = NULL;

    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT); /* before the threads of the concurrency test */
    (void)snprintf(fixtures, sizeof fixtures, "/tmp/dlcs-lifecycle-test-XXXXXX");
    if (!mkdtemp(fixtures) || fixtures_write(fixtures) != 0)
        return -1;
    origin = origin_server_start(fixtures);
    if (!origin || harness_start(binary, args, env, 1, &server) != 0) {
        harness_dump_log(&server);
        return -1;
    }
    if (admin_make_acme(&server) != 0)
        return -1;
    if (call("POST", "/customers/2/namedQueries", "{\"name\":\"book\",\"template\":\"s1=p1\"}",
             &j) != 201)
        return -1;
    json_decref(j);
    return 0;
}

static int global_teardown(void **state)
{
    bool clean = harness_stop_clean(&server);

    (void)state;
    harness_cleanup(&server);
    origin_server_stop(origin);
    if (dlcs_fs_remove_tree(fixtures, NULL) != DLCS_OK)
        fprintf(stderr, "could not remove %s\n", fixtures);
    curl_global_cleanup();
    return clean ? 0 : -1;
}

/* ---- tests ----------------------------------------------------------------------------------- */

/* The 3.0 label of metadata entry 'i' of 'meta'. */
static const char *meta_label(const json_t *meta, size_t i)
{
    return json_string_value(json_array_get(
        json_object_get(json_object_get(json_array_get(meta, i), "label"), "en"), 0));
}

/* Page labels from a field, and metadata labels a reader understands. */
static void canvas_labels_come_from_a_field(void **state)
{
    json_t *j = NULL, *canvas, *meta;
    char path[128], body[400];

    (void)state;
    (void)snprintf(body, sizeof body,
                   "{\"origin\":\"http://127.0.0.1:%d/img/small.jpg\",\"string1\":\"folio\","
                   "\"string2\":\"xvi\",\"number1\":16}",
                   origin_server_port(origin));
    (void)snprintf(path, sizeof path, IMAGES "%s", "page16");
    assert_int_equal(call("PUT", path, body, &j), 201);
    json_decref(j);
    assert_int_equal(call("POST", "/customers/2/namedQueries",
                          "{\"name\":\"folio\",\"template\":\"s1=p1&canvasLabel=s2&"
                          "s2Label=Page&n1Label=Sequence\"}",
                          &j),
                     201);
    json_decref(j);
    assert_int_equal(call("GET", "/iiif-resource/acme/folio/folio", NULL, &j), 200);
    canvas = json_array_get(json_object_get(j, "items"), 0);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(canvas, "label"), "none"), 0)),
                        "xvi");
    meta = json_object_get(canvas, "metadata");
    assert_string_equal(meta_label(meta, 0), "String 1"); /* a readable default */
    assert_string_equal(meta_label(meta, 1), "Page");
    assert_string_equal(meta_label(meta, 2), "Sequence");
    json_decref(j);
    assert_int_equal(call("POST", "/customers/2/namedQueries",
                          "{\"name\":\"bad\",\"template\":\"s1=p1&canvasLabel=width\"}", &j),
                     400);
    assert_non_null(strstr(jstr(j, "detail"), "canvasLabel"));
    json_decref(j);
}

/* Until the new derivatives are complete, the previous ones are served, in manifests too. */
static void a_reregistration_keeps_serving_until_it_is_complete(void **state)
{
    json_t *j = NULL;
    json_int_t width = 0;
    char *body = origin_body("slow/small.jpg"), batch[512], set_before[64], set_after[64];
    char detail[4096];

    (void)state;
    if (put_origin("live", "img/photo.jpg", &j) != 201)
        fail_msg("PUT live: %s", j ? json_dumps(j, 0) : "(no body)");
    assert_int_equal(jnum(j, "width"), 600);
    json_decref(j);
    assert_int_equal(stored_sets("live", set_before, sizeof set_before), 1);

    /* queued again from an origin that takes 2 s: meanwhile the 600 px image is served */
    (void)snprintf(batch, sizeof batch, "{\"member\":[{\"id\":\"live\",\"space\":1,%s]}", body + 1);
    assert_int_equal(call("POST", "/customers/2/queue", batch, &j), 201);
    json_decref(j);
    j = record("live");
    assert_true(json_is_true(json_object_get(j, "ingesting")));
    json_decref(j);
    assert_int_equal(info("live", &width, NULL, 0), 200);
    assert_int_equal(width, 600);
    assert_int_equal(full_image("live"), 200);
    assert_int_equal(call("GET", "/iiif-resource/acme/book/book", NULL, &j), 200);
    assert_int_equal(json_array_size(json_object_get(j, "items")), 1); /* still on its canvas */
    json_decref(j);

    /* then it switches: the new size, one set stored, the replaced one removed */
    json_decref(until_ingested("live"));
    assert_int_equal(info("live", &width, NULL, 0), 200);
    assert_int_equal(width, 300);
    assert_int_equal(settled_sets("live", set_after, sizeof set_after), 1);
    assert_string_not_equal(set_before, set_after);

    /* a first ingest that has not ended: 404 saying so, then the image */
    (void)snprintf(batch, sizeof batch, "{\"member\":[{\"id\":\"fresh\",\"space\":1,%s]}",
                   body + 1);
    assert_int_equal(call("POST", "/customers/2/queue", batch, &j), 201);
    json_decref(j);
    assert_int_equal(info("fresh", &width, detail, sizeof detail), 404);
    assert_non_null(strstr(detail, "is still being processed"));
    json_decref(until_ingested("fresh"));
    assert_int_equal(info("fresh", &width, NULL, 0), 200);
    free(body);
}

/* A re-ingest that fails leaves the served image serving; the record says why. */
static void a_failed_reingest_leaves_the_image_served(void **state)
{
    json_t *j = NULL;
    json_int_t width = 0;

    (void)state;
    assert_int_equal(put_origin("kept", "img/photo.jpg", &j), 201);
    json_decref(j);
    if (put_origin("kept", "status/404", &j) != 422)
        fail_msg("PUT kept from a 404: %s", j ? json_dumps(j, 0) : "(no body)");
    json_decref(j);
    j = record("kept");
    assert_non_null(strstr(jstr(j, "error"), "404"));
    assert_int_equal(jnum(j, "width"), 600); /* what is served */
    json_decref(j);
    assert_int_equal(info("kept", &width, NULL, 0), 200);
    assert_int_equal(width, 600);
    assert_int_equal(full_image("kept"), 200);
    assert_int_equal(stored_sets("kept", NULL, 0), 1); /* the failed set was removed */
}

struct op_arg {
    const char *id;
    int op;
    long status;
    unsigned char *upload;
    size_t upload_len;
};

static void *one_op(void *p)
{
    struct op_arg *a = p;
    char path[160];
    json_t *j = NULL;

    (void)snprintf(path, sizeof path, IMAGES "%s", a->id);
    switch (a->op % 7) {
    case 0:
        a->status = put_origin(a->id, "img/small.jpg", &j);
        break;
    case 1:
        a->status = put_origin(a->id, "img/photo.jpg", &j);
        break;
    case 2:
        a->status =
            admin_call_bytes(&server, "PUT", path, "image/jpeg", a->upload, a->upload_len, &j);
        break;
    case 3:
        a->status = call("DELETE", path, NULL, &j);
        break;
    case 4:
        (void)snprintf(path, sizeof path, IMAGES "%s/reingest", a->id);
        a->status = call("POST", path, NULL, &j);
        break;
    case 5:
        a->status = call("PATCH", path, "{\"string2\":\"patched\"}", &j);
        break;
    default: {
        char body[200];

        (void)snprintf(body, sizeof body, "{\"origin\":\"http://127.0.0.1:%d/img/grey.jpg\"}",
                       origin_server_port(origin));
        a->status = call("PATCH", path, body, &j);
    }
    }
    json_decref(j);
    return NULL;
}

/* After a round, the record, blob storage and delivery must tell the same story. */
static void expect_agreement(const char *id)
{
    json_t *j = record(id);
    json_int_t width = 0;
    char folder[160];
    const char *origin_url;

    (void)snprintf(folder, sizeof folder, "uploads/2/1/%s", id);
    if (!j) { /* deleted: nothing left to serve or to store */
        assert_int_equal(info(id, &width, NULL, 0), 404);
        assert_int_equal(stored_sets(id, NULL, 0), 0);
        blob_files(folder);
        if (walk.count != 0)
            fail_msg("'%s' deleted, but its upload %s is still stored", id, walk.files[0]);
        return;
    }
    if (json_is_true(json_object_get(j, "ingesting")))
        fail_msg("'%s' still ingesting after every request was answered", id);
    if (jstr(j, "error") && jstr(j, "error")[0])
        fail_msg("'%s' has an error from valid origins: %s", id, jstr(j, "error"));
    assert_int_equal(info(id, &width, NULL, 0), 200);
    assert_int_equal(width, jnum(j, "width"));
    assert_int_equal(full_image(id), 200);
    assert_int_equal(stored_sets(id, NULL, 0), 1); /* the served set, no other */
    origin_url = jstr(j, "origin");
    blob_files(folder);
    if (strncmp(origin_url, "dlcs-upload:", 12) == 0) {
        if (walk.count != 1 || !strstr(origin_url, walk.files[0])) {
            harness_dump_log(&server);
            fail_msg("'%s' has origin %s, but %d uploads are stored (the first %s)", id, origin_url,
                     walk.count, walk.count ? walk.files[0] : "-");
        }
    } else if (walk.count != 0) {
        harness_dump_log(&server);
        fail_msg("'%s' has origin %s, but upload %s is still stored", id, origin_url,
                 walk.files[0]);
    }
    json_decref(j);
}

/* 40 concurrent operations on one id, several rounds: they agree after every round. */
static void concurrent_operations_on_one_id_agree(void **state)
{
    char path[300];
    size_t len = 0;
    unsigned char *jpg;
    pthread_t threads[OPS];
    struct op_arg args[OPS];

    (void)state;
    (void)snprintf(path, sizeof path, "%s/small.jpg", fixtures);
    jpg = (unsigned char *)fixtures_read(path, &len);
    assert_non_null(jpg);
    for (int round = 0; round < ROUNDS; round++) {
        int done = 0, conflicts = 0, busy = 0;

        for (int i = 0; i < OPS; i++) {
            args[i] = (struct op_arg){"race", i + round, 0, jpg, len};
            assert_int_equal(pthread_create(&threads[i], NULL, one_op, &args[i]), 0);
        }
        for (int i = 0; i < OPS; i++) {
            long st;

            pthread_join(threads[i], NULL);
            st = args[i].status;
            done += st >= 200 && st < 300;
            conflicts += st == 409;
            busy += st == 503;
            /* 404: deleted meanwhile; 409: registered again under a PATCH/reingest */
            if (st != 200 && st != 201 && st != 204 && st != 404 && st != 409 && st != 503) {
                harness_dump_log(&server);
                fail_msg("round %d, op %d: HTTP %ld", round, args[i].op % 7, st);
            }
        }
        printf("round %d: %d done, %d conflicts, %d busy of %d\n", round, done, conflicts, busy,
               OPS);
        assert_true(done + conflicts >= OPS / 8); /* they ran at once (the rest: 404s) */
        expect_agreement("race");
    }
    free(jpg);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(canvas_labels_come_from_a_field),
        cmocka_unit_test(a_reregistration_keeps_serving_until_it_is_complete),
        cmocka_unit_test(a_failed_reingest_leaves_the_image_served),
        cmocka_unit_test(concurrent_operations_on_one_id_agree),
    };

    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH_TO_DLCS\n", argv[0]);
        return 2;
    }
    binary = argv[1];
    return harness_result(cmocka_run_group_tests(tests, global_setup, global_teardown));
}
