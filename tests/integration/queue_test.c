/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Queued registration end to end against the real binary: a book of 100 pages as one batch,
 * polled to the end, listed by string1 in number1 order, each page's info.json; a batch with
 * one bad origin; a server killed mid-batch (SIGKILL) and restarted with nothing lost or
 * counted twice; and the validation of queue bodies.
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

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <vips/vips.h>

#include "dlcs/fs.h"

#include "admin_client.h"
#include "fixtures.h"
#include "harness.h"

static const char *binary;
static char fixtures[256], data_env[400], root_env[400];
static struct harness_proc server;

static long call(const char *method, const char *path, const char *body, json_t **out)
{
    return admin_call(&server, method, path, body, out);
}

static int start(void)
{
    const char *const args[] = {"serve", NULL};
    /* the default lease (51 min): a restart must take its killed run's jobs back itself */
    const char *const env[] = {"DLCS_BOOTSTRAP_ADMIN=" ADMIN, root_env, data_env, "DLCS_WORKERS=2",
                               NULL};

    if (harness_start(binary, args, env, 1, &server) != 0) {
        harness_dump_log(&server);
        return -1;
    }
    return 0;
}

static int global_setup(void **state)
{
    (void)state;
    (void)snprintf(fixtures, sizeof fixtures, "/tmp/dlcs-queue-test-XXXXXX");
    if (!mkdtemp(fixtures) || fixtures_write(fixtures) != 0)
        return -1;
    (void)snprintf(root_env, sizeof root_env, "DLCS_ORIGIN_FILE_ROOT=%s", fixtures);
    (void)snprintf(data_env, sizeof data_env, "DLCS_DATA_DIR=%s/data", fixtures);
    if (start() != 0)
        return -1;
    return admin_make_acme(&server);
}

static int global_teardown(void **state)
{
    bool clean = harness_stop_clean(&server);

    (void)state;
    harness_cleanup(&server);
    if (dlcs_fs_remove_tree(fixtures, NULL) != DLCS_OK)
        fprintf(stderr, "could not remove %s\n", fixtures);
    return clean ? 0 : -1;
}

/* A queue body of 'n' pages "<book>-<i>" (string1 = book, number1 = i), 'bad' with a missing
 * origin (-1 for none). */
static char *book_body(const char *book, int n, int bad)
{
    json_t *members = json_array();
    char *text;

    for (int i = 0; i < n; i++) {
        char id[64], origin[400];

        (void)snprintf(id, sizeof id, "%s-%03d", book, i);
        (void)snprintf(origin, sizeof origin, "file://%s/%s", fixtures,
                       i == bad ? "missing.jpg" : "small.jpg");
        json_array_append_new(members, json_pack("{s:s,s:i,s:s,s:s,s:s,s:i}", "id", id, "space", 1,
                                                 "origin", origin, "mediaType", "image/jpeg",
                                                 "string1", book, "number1", n - i));
    }
    {
        json_t *doc = json_pack("{s:s,s:o}", "@type", "Collection", "member", members);

        text = json_dumps(doc, 0);
        json_decref(doc);
    }
    return text;
}

static void a_book_of_100_pages(void **state)
{
    char *body = book_body("book1", 100, -1);
    json_t *j = NULL, *list = NULL;
    int64_t batch;

    (void)state;
    assert_int_equal(call("POST", "/customers/2/queue", body, &j), 201);
    assert_int_equal(jnum(j, "count"), 100);
    batch = jnum(j, "id");
    json_decref(j);
    j = admin_wait_finished(&server, batch, 120);
    assert_int_equal(jnum(j, "completed"), 100);
    assert_int_equal(jnum(j, "errors"), 0);
    json_decref(j);
    assert_int_equal(call("GET",
                          "/customers/2/spaces/1/images?string1=book1&orderBy=number1&pageSize=100",
                          NULL, &list),
                     200);
    assert_int_equal(jnum(list, "totalItems"), 100);
    for (size_t i = 0; i < 100; i++) {
        const json_t *m = json_array_get(json_object_get(list, "member"), i);
        char info[160];
        json_t *ij = NULL;

        assert_int_equal(jnum(m, "number1"), (int64_t)i + 1); /* ordered by number1 */
        assert_false(json_is_true(json_object_get(m, "ingesting")));
        (void)snprintf(info, sizeof info, "/iiif-img/acme/1/%s/info.json",
                       json_string_value(json_object_get(m, "id")));
        assert_int_equal(call("GET", info, NULL, &ij), 200);
        assert_int_equal(jnum(ij, "width"), 300);
        json_decref(ij);
    }
    json_decref(list);
    assert_int_equal(call("GET", "/customers/2/queue", NULL, &j), 200);
    assert_int_equal(jnum(j, "batchesWaiting"), 0);
    json_decref(j);
    free(body);
}

static void one_bad_origin_is_one_error(void **state)
{
    char *body = book_body("book2", 100, 37);
    json_t *j = NULL;
    int64_t batch;

    (void)state;
    assert_int_equal(call("POST", "/customers/2/queue", body, &j), 201);
    batch = jnum(j, "id");
    json_decref(j);
    j = admin_wait_finished(&server, batch, 120);
    assert_int_equal(jnum(j, "count"), 100);
    assert_int_equal(jnum(j, "completed"), 99);
    assert_int_equal(jnum(j, "errors"), 1);
    json_decref(j);
    assert_int_equal(call("GET", "/customers/2/spaces/1/images/book2-037", NULL, &j), 200);
    assert_non_null(strstr(json_string_value(json_object_get(j, "error")), "missing.jpg"));
    json_decref(j);
    free(body);
}

/* Named queries select the books queued above (after them: they need their images). */
static void raw_resource_lists_a_named_query(void **state)
{
    json_t *j = NULL;

    (void)state;
    assert_int_equal(call("POST", "/customers/2/namedQueries",
                          "{\"name\":\"book\",\"template\":\"assetOrder=n1 desc&space=p1&s1=p2\"}",
                          &j),
                     201);
    json_decref(j);
    assert_int_equal(call("GET", "/raw-resource/acme/book/1/book1", NULL, &j), 200);
    assert_int_equal(json_array_size(j), 100);
    assert_string_equal(json_string_value(json_array_get(j, 0)),
                        "2/1/book1-000"); /* number1 = 100 */
    assert_string_equal(json_string_value(json_array_get(j, 99)), "2/1/book1-099");
    json_decref(j);
    /* the image that failed is left out */
    assert_int_equal(call("GET", "/raw-resource/2/book/1/book2", NULL, &j), 200);
    assert_int_equal(json_array_size(j), 99);
    for (size_t i = 0; i < json_array_size(j); i++)
        assert_string_not_equal(json_string_value(json_array_get(j, i)), "2/1/book2-037");
    json_decref(j);
    assert_int_equal(call("GET", "/raw-resource/acme/book/1/nobook", NULL, &j), 404);
    assert_non_null(strstr(json_string_value(json_object_get(j, "detail")), "matches no image"));
    json_decref(j);
    assert_int_equal(call("GET", "/raw-resource/acme/nope/1", NULL, &j), 404);
    assert_non_null(strstr(json_string_value(json_object_get(j, "detail")), "no named query"));
    json_decref(j);
    assert_int_equal(call("GET", "/raw-resource/acme/book/x/book1", NULL, &j), 400);
    assert_non_null(strstr(json_string_value(json_object_get(j, "detail")),
                           "argument 1: 'space' must be a positive integer, not 'x'"));
    json_decref(j);
    assert_int_equal(call("GET", "/raw-resource/acme/book", NULL, &j), 400);
    assert_non_null(strstr(json_string_value(json_object_get(j, "detail")), "takes arguments"));
    json_decref(j);
}

/* GET 'url' (absolute, from a manifest) answers 200 with 'type' in its Content-Type. */
static void answers(const char *url, const char *type)
{
    struct harness_response *r = calloc(1, sizeof *r);
    const char *path = url ? strchr(strstr(url, "://") + 3, '/') : NULL;

    assert_non_null(path);
    assert_int_equal(harness_http(&server, "GET", path, NULL, NULL, r), 0);
    if (r->status != 200 || !strstr(r->headers, type))
        fail_msg("GET %s: %ld", url, r->status);
    free(r);
}

/* Every canvas of a 3.0 manifest: distinct id, painting on itself, its image, image service
 * and thumbnail answering. */
static void check_every_canvas_v3(const json_t *m, size_t pages)
{
    const json_t *items = json_object_get(m, "items");

    assert_int_equal(json_array_size(items), pages);
    for (size_t i = 0; i < pages; i++) {
        const json_t *canvas = json_array_get(items, i);
        const json_t *page = json_array_get(json_object_get(canvas, "items"), 0);
        const json_t *anno = json_array_get(json_object_get(page, "items"), 0);
        const json_t *body = json_object_get(anno, "body");
        const json_t *service = json_array_get(json_object_get(body, "service"), 0);
        char info[400];

        if (i > 0)
            assert_string_not_equal(jstr(canvas, "id"), jstr(json_array_get(items, i - 1), "id"));
        assert_string_equal(jstr(anno, "target"), jstr(canvas, "id"));
        assert_string_equal(jstr(page, "type"), "AnnotationPage");
        (void)snprintf(info, sizeof info, "/iiif-img/2/1/tome-%03zu/", i); /* n1 desc */
        assert_non_null(strstr(jstr(body, "id"), info));
        answers(jstr(body, "id"), "image/jpeg");
        (void)snprintf(info, sizeof info, "%s/info.json", jstr(service, "id"));
        answers(info, "json");
        answers(jstr(json_array_get(json_object_get(canvas, "thumbnail"), 0), "id"), "image/jpeg");
    }
}

/* A 500-page book: the manifest in 3.0 and 2.1, every canvas checked and dereferenced. */
static void a_500_page_book_manifest(void **state)
{
    char *body = book_body("tome", 500, -1);
    json_t *j = NULL, *m = NULL;
    const json_t *canvases;

    (void)state;
    assert_int_equal(call("POST", "/customers/2/queue", body, &j), 201);
    free(body);
    {
        int64_t batch = jnum(j, "id");

        json_decref(j);
        j = admin_wait_finished(&server, batch, 600);
    }
    assert_int_equal(jnum(j, "completed"), 500);
    json_decref(j);
    assert_int_equal(call("GET", "/iiif-resource/acme/book/1/tome", NULL, &m), 200);
    check_every_canvas_v3(m, 500);
    json_decref(m);
    assert_int_equal(call("GET", "/iiif-resource/v2/acme/book/1/tome", NULL, &m), 200);
    canvases = json_object_get(json_array_get(json_object_get(m, "sequences"), 0), "canvases");
    assert_int_equal(json_array_size(canvases), 500);
    for (size_t i = 0; i < 500; i++) {
        const json_t *res = json_object_get(
            json_array_get(json_object_get(json_array_get(canvases, i), "images"), 0), "resource");
        char info[400];

        (void)snprintf(info, sizeof info, "%s/info.json",
                       jstr(json_object_get(res, "service"), "@id"));
        answers(info, "json");
    }
    json_decref(m);
}

/* Make named query 'name' = 'tmpl' for customer 2. */
static void make_query(const char *name, const char *tmpl)
{
    char body[300];
    json_t *j = NULL;

    (void)snprintf(body, sizeof body, "{\"name\":\"%s\",\"template\":\"%s\"}", name, tmpl);
    assert_int_equal(call("POST", "/customers/2/namedQueries", body, &j), 201);
    json_decref(j);
}

/* raw-resource of 'path' is exactly the API listing 'listing' (ids, same order). */
static void same_as_listing(const char *path, const char *listing)
{
    json_t *raw = NULL, *list = NULL;
    const json_t *members;

    assert_int_equal(call("GET", path, NULL, &raw), 200);
    assert_int_equal(call("GET", listing, NULL, &list), 200);
    members = json_object_get(list, "member");
    if (json_array_size(raw) != json_array_size(members))
        fail_msg("%s: %zu ids, the listing has %zu", path, json_array_size(raw),
                 json_array_size(members));
    for (size_t i = 0; i < json_array_size(raw); i++) {
        char want[200];

        (void)snprintf(want, sizeof want, "2/1/%s",
                       json_string_value(json_object_get(json_array_get(members, i), "id")));
        assert_string_equal(json_string_value(json_array_get(raw, i)), want);
    }
    json_decref(raw);
    json_decref(list);
}

/* PATCH page 'id' of book1 with 'patch'; named query 'name' ('tmpl') at 'path' selects it
 * alone. */
static void one_page_selected(const char *id, const char *patch, const char *name, const char *tmpl,
                              const char *path)
{
    char page[128], want[128];
    json_t *j = NULL;

    (void)snprintf(page, sizeof page, "/customers/2/spaces/1/images/%s", id);
    assert_int_equal(call("PATCH", page, patch, &j), 200);
    json_decref(j);
    make_query(name, tmpl);
    assert_int_equal(call("GET", path, NULL, &j), 200);
    assert_int_equal(json_array_size(j), 1);
    (void)snprintf(want, sizeof want, "2/1/%s", id);
    assert_string_equal(json_string_value(json_array_get(j, 0)), want);
    json_decref(j);
}

/* Each template key selects what the equivalent API listing does. */
static void raw_resource_equals_the_query(void **state)
{
    json_t *j = NULL;

    (void)state;
    make_query("byname", "spacename=p1&s1=p2&assetOrder=n1");
    same_as_listing("/raw-resource/acme/byname/books/book1",
                    "/customers/2/spaces/1/images?string1=book1&orderBy=number1&pageSize=200");
    make_query("page", "s1=p1&n1=p2");
    same_as_listing("/raw-resource/acme/page/book1/7",
                    "/customers/2/allImages?string1=book1&number1=7");
    make_query("bybatch", "batch=p1&assetOrder=s1;n1 desc");
    same_as_listing("/raw-resource/acme/bybatch/1",
                    "/customers/2/queue/batches/1/images?orderBy=string1&pageSize=200"
                    "&orderByDescending=number1");
    /* several batches: book1 (100) and book2 (99 delivered, one failed) */
    make_query("twobatches", "batch=1,2&assetOrder=s1;n1");
    assert_int_equal(call("GET", "/raw-resource/acme/twobatches", NULL, &j), 200);
    assert_int_equal(json_array_size(j), 199);
    assert_string_equal(json_string_value(json_array_get(j, 0)), "2/1/book1-099");
    assert_string_equal(json_string_value(json_array_get(j, 198)), "2/1/book2-000");
    json_decref(j);
    /* an argument with a '/' in it is sent as %2F */
    one_page_selected("book1-006", "{\"string2\":\"part 1/2\"}", "bystring2", "s2=p1",
                      "/raw-resource/acme/bystring2/part%201%2F2");
    assert_int_equal(call("GET", "/iiif-resource/acme/bystring2/part%201%2F2", NULL, &j), 200);
    assert_non_null(strstr(json_string_value(json_object_get(j, "id")),
                           "/iiif-resource/acme/bystring2/part%201%2F2"));
    json_decref(j);
    /* a broken escape is a malformed request target, refused before any route */
    assert_int_equal(call("GET", "/raw-resource/acme/bystring2/bad%zz", NULL, &j), 400);
    json_decref(j);
    /* tags: one page tagged, then selected by its tag */
    one_page_selected("book1-010", "{\"tags\":[\"frontispiece\"]}", "tagged", "tag=p1",
                      "/raw-resource/acme/tagged/frontispiece");
    /* an unknown space name selects nothing */
    assert_int_equal(call("GET", "/raw-resource/acme/byname/nospace/book1", NULL, &j), 404);
    json_decref(j);
}

/* The painted image's id of canvas 'i' of manifest 'm'. */
static const char *painted(const json_t *m, size_t i)
{
    const json_t *canvas = json_array_get(json_object_get(m, "items"), i);
    const json_t *page = json_array_get(json_object_get(canvas, "items"), 0);
    const json_t *anno = json_array_get(json_object_get(page, "items"), 0);

    return json_string_value(json_object_get(json_object_get(anno, "body"), "id"));
}

static void a_named_query_is_a_manifest(void **state)
{
    json_t *m = NULL;

    (void)state;
    assert_int_equal(call("GET", "/iiif-resource/acme/book/1/book1", NULL, &m), 200);
    assert_non_null(m);
    assert_string_equal(json_string_value(json_object_get(m, "@context")),
                        "http://iiif.io/api/presentation/3/context.json");
    assert_string_equal(json_string_value(json_object_get(m, "type")), "Manifest");
    assert_non_null(
        strstr(json_string_value(json_object_get(m, "id")), "/iiif-resource/acme/book/1/book1"));
    assert_int_equal(json_array_size(json_object_get(m, "items")), 100);
    /* the query's order (number1 descending = book1-000 first), one canvas per image */
    for (size_t i = 0; i < 100; i++) {
        char want[64];
        const json_t *canvas = json_array_get(json_object_get(m, "items"), i);

        (void)snprintf(want, sizeof want, "/iiif-img/2/1/book1-%03zu/", i);
        assert_non_null(strstr(painted(m, i), want));
        assert_int_equal(json_integer_value(json_object_get(canvas, "width")), 300);
        assert_string_equal(json_string_value(json_object_get(canvas, "type")), "Canvas");
    }
    json_decref(m);
    /* the failed image has no canvas */
    assert_int_equal(call("GET", "/iiif-resource/2/book/1/book2", NULL, &m), 200);
    assert_int_equal(json_array_size(json_object_get(m, "items")), 99);
    for (size_t i = 0; i < 99; i++)
        assert_null(strstr(painted(m, i), "book2-037"));
    json_decref(m);
    assert_int_equal(call("GET", "/iiif-resource/acme/book/1/nobook", NULL, &m), 404);
    json_decref(m);
}

/* GET 'path' with optional 'header'; the status, and the ETag into 'etag' (may be NULL). */
static long get_etag(const char *path, const char *header, char *etag, size_t cap)
{
    struct harness_response *r = calloc(1, sizeof *r);
    const char *const headers[] = {header, NULL};
    const char *e;
    long status;

    assert_int_equal(harness_http(&server, "GET", path, header ? headers : NULL, NULL, r), 0);
    status = r->status;
    e = strstr(r->headers, "ETag: ");
    if (etag) {
        assert_non_null(e);
        (void)snprintf(etag, cap, "%.*s", (int)strcspn(e + 6, "\r\n"), e + 6);
    }
    free(r);
    return status;
}

/* Manifests can be revalidated: 304 while nothing changed, a new ETag after a change. */
static void manifests_revalidate(void **state)
{
    const char *path = "/iiif-resource/acme/book/1/book1";
    char etag[80], again[80], inm[120];
    json_t *j = NULL;

    (void)state;
    assert_int_equal(get_etag(path, NULL, etag, sizeof etag), 200);
    (void)snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    assert_int_equal(get_etag(path, inm, NULL, 0), 304);
    /* the 2.1 representation has its own */
    assert_int_equal(get_etag("/iiif-resource/v2/acme/book/1/book1", NULL, again, sizeof again),
                     200);
    assert_string_not_equal(again, etag);
    /* a metadata change of one page changes the manifest */
    assert_int_equal(
        call("PATCH", "/customers/2/spaces/1/images/book1-005", "{\"string2\":\"chapter 1\"}", &j),
        200);
    json_decref(j);
    assert_int_equal(get_etag(path, inm, again, sizeof again), 200);
    assert_string_not_equal(again, etag);
}

/* Presentation 2.1 of the same selection, by path or by the Accept profile. */
static void check_manifest_v2(const json_t *m)
{
    const json_t *canvases, *canvas, *image, *resource;

    assert_non_null(m);
    assert_string_equal(json_string_value(json_object_get(m, "@context")),
                        "http://iiif.io/api/presentation/2/context.json");
    assert_string_equal(json_string_value(json_object_get(m, "@type")), "sc:Manifest");
    canvases = json_object_get(json_array_get(json_object_get(m, "sequences"), 0), "canvases");
    assert_int_equal(json_array_size(canvases), 100);
    for (size_t i = 0; i < 100; i++) {
        char want[64];

        canvas = json_array_get(canvases, i);
        image = json_array_get(json_object_get(canvas, "images"), 0);
        resource = json_object_get(image, "resource");
        assert_string_equal(json_string_value(json_object_get(canvas, "@type")), "sc:Canvas");
        assert_string_equal(json_string_value(json_object_get(image, "motivation")), "sc:painting");
        assert_string_equal(json_string_value(json_object_get(image, "on")),
                            json_string_value(json_object_get(canvas, "@id")));
        (void)snprintf(want, sizeof want, "/iiif-img/v2/2/1/book1-%03zu/", i);
        assert_non_null(strstr(json_string_value(json_object_get(resource, "@id")), want));
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(resource, "service"), "profile")),
            "http://iiif.io/api/image/2/level2.json");
    }
}

static void a_named_query_is_a_2_1_manifest_too(void **state)
{
    struct harness_response *r = calloc(1, sizeof *r);
    const char *const accept[] = {
        "Accept: application/ld+json;profile=\"http://iiif.io/api/presentation/2/context.json\"",
        NULL};
    json_t *m = NULL;

    (void)state;
    assert_int_equal(call("GET", "/iiif-resource/v2/acme/book/1/book1", NULL, &m), 200);
    check_manifest_v2(m);
    json_decref(m);
    assert_int_equal(
        harness_http(&server, "GET", "/iiif-resource/acme/book/1/book1", accept, NULL, r), 0);
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->headers, "presentation/2/context.json"));
    m = json_loads(r->body, 0, NULL);
    check_manifest_v2(m);
    json_decref(m);
    free(r);
}

static void killed_mid_batch_loses_nothing(void **state)
{
    char *body = book_body("book3", 60, -1);
    json_t *j = NULL;
    int64_t batch;
    struct timespec pause = {0, 300 * 1000000L};

    (void)state;
    assert_int_equal(call("POST", "/customers/2/queue", body, &j), 201);
    batch = jnum(j, "id");
    json_decref(j);
    nanosleep(&pause, NULL);
    kill(server.pid, SIGKILL);
    assert_int_equal(harness_wait(&server, 5000), 128 + SIGKILL);
    harness_cleanup(&server);
    assert_int_equal(start(), 0); /* the same data directory and worker id: leases reclaimed */
    j = admin_wait_finished(&server, batch, 60);
    assert_int_equal(jnum(j, "count"), 60);
    assert_int_equal(jnum(j, "completed"), 60); /* every page once: none lost, none twice */
    assert_int_equal(jnum(j, "errors"), 0);
    json_decref(j);
    free(body);
}

static void queue_bodies_are_validated(void **state)
{
    static const struct {
        const char *body;
        const char *detail;
    } rows[] = {
        {"{\"member\":[]}", "'member' must not be empty"},
        {"{\"members\":[]}", "'member' must not be empty"},
        {"{\"member\":[{\"space\":1,\"origin\":\"https://x/a.jpg\",\"mediaType\":\"image/jpeg\"}]}",
         "member 0 (''): fields 'id' and 'space' are required"},
        {"{\"member\":[{\"id\":\"a\",\"space\":9,\"origin\":\"https://x/a.jpg\","
         "\"mediaType\":\"image/jpeg\"}]}",
         "member 0 ('a'): space 9 does not exist"},
        {"{\"member\":[{\"id\":\"a\",\"space\":1,\"origin\":\"https://x/a.jpg\","
         "\"mediaType\":\"image/jpeg\"},{\"id\":\"b\",\"space\":1,\"number1\":\"x\"}]}",
         "member 1 ('b'): field 'number1' must be an integer"},
        {"{\"member\":[{\"id\":\"a\",\"space\":1,\"origin\":\"https://x/a.jpg\","
         "\"mediaType\":\"image/jpeg\"},{\"id\":\"a\",\"space\":1,\"origin\":\"https://x/b.jpg\","
         "\"mediaType\":\"image/jpeg\"}]}",
         "listed twice"},
        {"{\"member\":[{\"id\":\"a b\",\"space\":1}]}", "member 0 ('a b'): field 'id' has"},
    };
    json_t *j = NULL;
    int64_t before = 0;

    (void)state;
    assert_int_equal(call("GET", "/customers/2/queue/batches", NULL, &j), 200);
    before = jnum(j, "totalItems");
    json_decref(j);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        long st = call("POST", "/customers/2/queue", rows[i].body, &j);
        const char *detail = json_string_value(json_object_get(j, "detail"));

        if (st != 400 || !detail || !strstr(detail, rows[i].detail))
            fail_msg("row %zu: %ld '%s', want 400 '%s'", i, st, detail ? detail : "",
                     rows[i].detail);
        json_decref(j);
    }
    assert_int_equal(call("GET", "/customers/2/queue/batches", NULL, &j), 200);
    assert_int_equal(jnum(j, "totalItems"), before); /* nothing half-written */
    json_decref(j);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(queue_bodies_are_validated),
        cmocka_unit_test(a_book_of_100_pages),
        cmocka_unit_test(one_bad_origin_is_one_error),
        cmocka_unit_test(raw_resource_lists_a_named_query),
        cmocka_unit_test(a_named_query_is_a_manifest),
        cmocka_unit_test(a_named_query_is_a_2_1_manifest_too),
        cmocka_unit_test(manifests_revalidate),
        cmocka_unit_test(raw_resource_equals_the_query),
        cmocka_unit_test(a_500_page_book_manifest),
        cmocka_unit_test(killed_mid_batch_loses_nothing),
    };
    int rc;

    if (argc < 2) {
        fprintf(stderr, "usage: queue_test PATH_TO_DLCS\n");
        return 2;
    }
    binary = argv[1];
    if (VIPS_INIT(argv[0]) != 0)
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = harness_result(cmocka_run_group_tests(tests, global_setup, global_teardown));
    curl_global_cleanup();
    vips_shutdown();
    return rc;
}
