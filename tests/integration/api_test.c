/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The registration API over HTTP against the real binary: authentication and access rules,
 * customers, keys and spaces, and the errors a client gets for bad input.
 */
#include <setjmp.h>
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

#include "fixtures.h"
#include "harness.h"

#define ADMIN "0123456789abcdef:fedcba9876543210fedcba9876543210"

static const char *binary;
static struct harness_proc server;
static char fixtures[256];
static char customer_key[200]; /* a key of customer 2 ("acme") */

/* "Authorization: Basic ..." for 'userpwd' into 'out' (curl's USERPWD is not exposed). */
static void basic_auth(const char *userpwd, char *out, size_t cap)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(userpwd), o = 0;
    char *enc = calloc(1, (n + 2) / 3 * 4 + 1);

    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)(unsigned char)userpwd[i] << 16 |
                     (i + 1 < n ? (unsigned)(unsigned char)userpwd[i + 1] << 8 : 0) |
                     (i + 2 < n ? (unsigned char)userpwd[i + 2] : 0);

        enc[o++] = b64[v >> 18 & 63];
        enc[o++] = b64[v >> 12 & 63];
        enc[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
        enc[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    (void)snprintf(out, cap, "Authorization: Basic %s", enc);
    free(enc);
}

/*
 * A request as 'userpwd' (NULL = anonymous) with a body of 'len' bytes of 'content_type';
 * returns the status, 'out' gets the parsed body, 'headers' (if not NULL) the response headers.
 */
static long call_bytes(const char *userpwd, const char *method, const char *path,
                       const char *content_type, const void *body, size_t len, json_t **out,
                       char *headers, size_t headers_cap)
{
    struct harness_response *r = calloc(1, sizeof *r);
    char auth[300], type[300];
    const char *hdrs[3] = {type, NULL, NULL};
    long status;

    (void)snprintf(type, sizeof type, "Content-Type: %s", content_type);
    if (userpwd) {
        basic_auth(userpwd, auth, sizeof auth);
        hdrs[1] = auth;
    }
    if (harness_http_bytes(&server, method, path, hdrs, body, len, r) != 0) {
        harness_dump_log(&server);
        fail_msg("%s %s: no HTTP answer", method, path);
    }
    status = r->status;
    if (out)
        *out = json_loads(r->body, 0, NULL);
    if (status == 401)
        assert_non_null(strstr(r->headers, "WWW-Authenticate: Basic"));
    if (headers)
        (void)snprintf(headers, headers_cap, "%s", r->headers);
    free(r);
    return status;
}

/* A JSON request as 'userpwd' (NULL = anonymous). */
static long call(const char *userpwd, const char *method, const char *path, const char *body,
                 json_t **out)
{
    return call_bytes(userpwd, method, path, "application/json", body, body ? strlen(body) : 0, out,
                      NULL, 0);
}

static const char *str(const json_t *j, const char *k)
{
    return json_string_value(json_object_get(j, k));
}

/* 'pj' is read after the call that fills it has run (argument order is unspecified in C). */
static void expect_error(long status, json_t **pj, long want, const char *detail_part)
{
    json_t *j = *pj;

    if (status != want || !j || !strstr(str(j, "detail") ? str(j, "detail") : "", detail_part))
        fail_msg("want %ld '%s', got %ld '%s'", want, detail_part, status,
                 j && str(j, "detail") ? str(j, "detail") : "(no error body)");
    assert_string_equal(str(j, "@type"), "Error");
    json_decref(j);
}

static int global_setup(void **state)
{
    const char *const args[] = {"serve", NULL};
    static char root_env[300];
    const char *const env[] = {"DLCS_BOOTSTRAP_ADMIN=" ADMIN, "DLCS_HTTP_MAX_BODY=4096",
                               "DLCS_UPLOAD_MAX_BYTES=1000000", root_env, NULL};
    json_t *j = NULL;

    (void)state;
    (void)snprintf(fixtures, sizeof fixtures, "/tmp/dlcs-api-fixtures-XXXXXX");
    if (!mkdtemp(fixtures) || fixtures_write(fixtures) != 0)
        return -1;
    (void)snprintf(root_env, sizeof root_env, "DLCS_ORIGIN_FILE_ROOT=%s", fixtures);
    if (harness_start(binary, args, env, 1, &server) != 0) {
        harness_dump_log(&server);
        return -1;
    }
    if (call(ADMIN, "POST", "/customers", "{\"name\":\"acme\",\"displayName\":\"Acme\"}", &j) !=
        201)
        return -1;
    json_decref(j);
    if (call(ADMIN, "POST", "/customers", "{\"name\":\"other\",\"displayName\":\"Other\"}", &j) !=
        201)
        return -1;
    json_decref(j);
    if (call(ADMIN, "POST", "/customers/2/keys", NULL, &j) != 201)
        return -1;
    (void)snprintf(customer_key, sizeof customer_key, "%s:%s", str(j, "key"), str(j, "secret"));
    json_decref(j);
    return 0;
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

static void authentication(void **state)
{
    json_t *j = NULL;

    (void)state;
    expect_error(call(NULL, "GET", "/customers/2", NULL, &j), &j, 401, "credentials required");
    expect_error(
        call("0123456789abcdef:00000000000000000000000000000000", "GET", "/customers/2", NULL, &j),
        &j, 401, "wrong secret");
    expect_error(call("nosuchkey:secret", "GET", "/customers/2", NULL, &j), &j, 401, "unknown key");
    assert_int_equal(call(ADMIN, "GET", "/customers/2", NULL, NULL), 200);
    assert_int_equal(call(customer_key, "GET", "/customers/2", NULL, NULL), 200);
}

static void a_customer_sees_only_itself(void **state)
{
    json_t *j = NULL;

    (void)state;
    expect_error(call(customer_key, "GET", "/customers/3", NULL, &j), &j, 404, "no customer 3");
    expect_error(call(customer_key, "GET", "/customers/3/spaces", NULL, &j), &j, 404,
                 "no customer 3");
    expect_error(call(customer_key, "POST", "/customers/3/keys", NULL, &j), &j, 404,
                 "no customer 3");
    expect_error(
        call(customer_key, "POST", "/customers", "{\"name\":\"x\",\"displayName\":\"X\"}", &j), &j,
        403, "admin key");
    assert_int_equal(call(customer_key, "GET", "/customers", NULL, &j), 200);
    assert_int_equal(json_integer_value(json_object_get(j, "totalItems")), 1);
    json_decref(j);
    assert_int_equal(call(ADMIN, "GET", "/customers", NULL, &j), 200);
    assert_int_equal(json_integer_value(json_object_get(j, "totalItems")),
                     3); /* admin, acme, other */
    json_decref(j);
}

static void customers_are_validated(void **state)
{
    json_t *j = NULL;
    char big[6000];

    (void)state;
    expect_error(
        call(ADMIN, "POST", "/customers", "{\"name\":\"ACME\",\"displayName\":\"Again\"}", &j), &j,
        400, "field 'name'");
    expect_error(
        call(ADMIN, "POST", "/customers", "{\"name\":\"acme\",\"displayName\":\"Again\"}", &j), &j,
        409, "already exists");
    expect_error(call(ADMIN, "POST", "/customers", "{\"name\":\"newco\"}", &j), &j, 400,
                 "field 'displayName' is required");
    expect_error(call(ADMIN, "POST", "/customers", "{\"name\":\"newco\",\"colour\":1}", &j), &j,
                 400, "unknown field 'colour'");
    expect_error(call(ADMIN, "POST", "/customers", "{\"name\":", &j), &j, 400, "not valid JSON");
    expect_error(call(ADMIN, "POST", "/customers", "[]", &j), &j, 400, "must be a JSON object");
    memset(big, ' ', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    big[0] = '{';
    big[sizeof big - 2] = '}';
    expect_error(call(ADMIN, "POST", "/customers", big, &j), &j, 413, "DLCS_HTTP_MAX_BODY");
    expect_error(call(ADMIN, "PATCH", "/customers/2", "{\"name\":\"renamed\"}", &j), &j, 400,
                 "field 'name' cannot be changed");
    assert_int_equal(
        call(customer_key, "PATCH", "/customers/2", "{\"displayName\":\"Acme Lib\"}", &j), 200);
    assert_string_equal(str(j, "displayName"), "Acme Lib");
    assert_string_equal(str(j, "name"), "acme");
    json_decref(j);
    expect_error(call(ADMIN, "GET", "/customers/abc", NULL, &j), &j, 400, "positive integer");
    /* nothing is made under a customer that does not exist, even by an admin */
    expect_error(call(ADMIN, "PUT", "/customers/99/spaces/1", "{\"name\":\"x\"}", &j), &j, 404,
                 "no customer 99");
}

static void spaces(void **state)
{
    json_t *j = NULL;

    (void)state;
    assert_int_equal(call(customer_key, "POST", "/customers/2/spaces", "{\"name\":\"books\"}", &j),
                     201);
    assert_int_equal(json_integer_value(json_object_get(j, "id")), 1);
    assert_non_null(strstr(str(j, "@id"), "/customers/2/spaces/1"));
    json_decref(j);
    expect_error(call(customer_key, "POST", "/customers/2/spaces", "{\"name\":\"books\"}", &j), &j,
                 409, "already exists: field 'name' must be unique"); /* no table names */
    expect_error(call(customer_key, "POST", "/customers/2/spaces", "{\"id\":4,\"name\":\"x\"}", &j),
                 &j, 400, "field 'id' is read-only");
    expect_error(call(customer_key, "POST", "/customers/2/spaces", "{}", &j), &j, 400,
                 "field 'name' is required");
    assert_int_equal(call(customer_key, "PUT", "/customers/2/spaces/10",
                          "{\"name\":\"chosen\",\"maxUnauthorised\":400}", &j),
                     201);
    json_decref(j);
    assert_int_equal(
        call(customer_key, "PUT", "/customers/2/spaces/10", "{\"name\":\"renamed\"}", &j), 200);
    assert_string_equal(str(j, "name"), "renamed");
    assert_int_equal(json_integer_value(json_object_get(j, "maxUnauthorised")), 400);
    json_decref(j);
    assert_int_equal(call(customer_key, "PATCH", "/customers/2/spaces/10",
                          "{\"defaultTags\":[\"a\",\"b\"]}", &j),
                     200);
    assert_int_equal(json_array_size(json_object_get(j, "defaultTags")), 2);
    assert_string_equal(str(j, "name"), "renamed");
    json_decref(j);
    expect_error(call(customer_key, "PATCH", "/customers/2/spaces/99", "{\"name\":\"x\"}", &j), &j,
                 404, "no space 99");
    assert_int_equal(call(customer_key, "GET", "/customers/2/spaces", NULL, &j), 200);
    assert_int_equal(json_integer_value(json_object_get(j, "totalItems")), 2);
    json_decref(j);
    assert_int_equal(call(customer_key, "DELETE", "/customers/2/spaces/10", NULL, NULL), 204);
    assert_int_equal(call(customer_key, "GET", "/customers/2/spaces/10", NULL, NULL), 404);
    assert_int_equal(call(ADMIN, "GET", "/customers/3/spaces/1", NULL, NULL), 404);
}

static void keys(void **state)
{
    json_t *j = NULL;
    char second[200], path[200];

    (void)state;
    assert_int_equal(call(customer_key, "POST", "/customers/2/keys", NULL, &j), 201);
    (void)snprintf(second, sizeof second, "%s:%s", str(j, "key"), str(j, "secret"));
    (void)snprintf(path, sizeof path, "/customers/2/keys/%s", str(j, "key"));
    json_decref(j);
    assert_int_equal(call(second, "GET", "/customers/2/keys", NULL, &j), 200);
    assert_int_equal(json_integer_value(json_object_get(j, "totalItems")), 2);
    assert_null(json_object_get(json_array_get(json_object_get(j, "member"), 0), "secret"));
    json_decref(j);
    assert_int_equal(call(customer_key, "DELETE", path, NULL, NULL), 204);
    assert_int_equal(call(second, "GET", "/customers/2", NULL, NULL), 401);
    assert_int_equal(call(customer_key, "DELETE", path, NULL, NULL), 404);
}

/* An image body with a file:// origin from the fixtures. */
static char *image_body(const char *file, const char *extra)
{
    static char body[1024];

    (void)snprintf(body, sizeof body,
                   "{\"origin\":\"file://%s/%s\",\"mediaType\":\"image/jpeg\"%s%s}", fixtures, file,
                   extra ? "," : "", extra ? extra : "");
    return body;
}

static void images_register_immediately(void **state)
{
    json_t *j = NULL;

    (void)state;
    assert_int_equal(call(customer_key, "PUT", "/customers/2/spaces/20",
                          "{\"name\":\"pages\",\"defaultTags\":[\"book\"]}", &j),
                     201);
    json_decref(j);
    assert_int_equal(call(customer_key, "PUT", "/customers/2/spaces/20/images/p1",
                          image_body("photo.jpg", "\"string1\":\"b1\",\"number1\":1"), &j),
                     201);
    assert_int_equal(json_integer_value(json_object_get(j, "width")), 600);
    assert_int_equal(json_integer_value(json_object_get(j, "height")), 400);
    assert_false(json_is_true(json_object_get(j, "ingesting")));
    assert_string_equal(str(j, "error"), "");
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "tags"), 0)), "book");
    assert_non_null(strstr(str(j, "imageService"), "/iiif-img/2/20/p1"));
    /* no channels sent: the defaults that apply are shown */
    assert_string_equal(str(json_array_get(json_object_get(j, "deliveryChannels"), 1), "channel"),
                        "thumbs");
    json_decref(j);
    assert_int_equal(call(NULL, "GET", "/iiif-img/acme/20/p1/info.json", NULL, &j), 200);
    assert_int_equal(json_integer_value(json_object_get(j, "width")), 600);
    json_decref(j);
    /* replace: 200, and the new origin's size */
    assert_int_equal(call(customer_key, "PUT", "/customers/2/spaces/20/images/p1",
                          image_body("small.jpg", "\"string1\":\"b1\",\"number1\":1"), &j),
                     200);
    assert_int_equal(json_integer_value(json_object_get(j, "width")), 300);
    json_decref(j);
}

/* Bodies the reference system's own documentation and generated clients send. */
static void reference_client_bodies_are_accepted(void **state)
{
    char body[1024], *text;
    json_t *j = NULL;

    (void)state;
    /* the platform documentation's example: no mediaType; the ingest records what it is */
    (void)snprintf(body, sizeof body,
                   "{\"space\":20,\"id\":\"doc1\",\"origin\":\"file://%s/photo.jpg\","
                   "\"string1\":\"example\",\"number1\":1,\"tags\":[\"a\"],"
                   "\"deliveryChannels\":[],\"@type\":\"Image\",\"type\":\"Image\"}",
                   fixtures);
    assert_int_equal(call(customer_key, "PUT", "/customers/2/spaces/20/images/doc1", body, &j),
                     201);
    assert_string_equal(str(j, "mediaType"), "image/jpeg");
    assert_string_equal(str(json_array_get(json_object_get(j, "deliveryChannels"), 0), "channel"),
                        "iiif-img"); /* [] = not given: the defaults */
    /* a GET answer sent back with one change: unchanged read-only fields and links ignored */
    json_object_set_new(j, "string2", json_string("edited"));
    json_object_set_new(j, "family", json_integer('I')); /* the reference's numeric code */
    text = json_dumps(j, 0);
    json_decref(j);
    assert_int_equal(call(customer_key, "PATCH", "/customers/2/spaces/20/images/doc1", text, &j),
                     200);
    assert_string_equal(str(j, "string2"), "edited");
    json_object_set_new(j, "width", json_integer(1));
    free(text);
    text = json_dumps(j, 0);
    json_decref(j);
    expect_error(call(customer_key, "PATCH", "/customers/2/spaces/20/images/doc1", text, &j), &j,
                 400, "field 'width' is read-only"); /* a changed read-only field still is */
    free(text);
    /* a queued Collection with "members" (not "member") */
    (void)snprintf(body, sizeof body,
                   "{\"@type\":\"Collection\",\"members\":[{\"space\":20,\"id\":\"doc2\","
                   "\"origin\":\"file://%s/photo.jpg\"}]}",
                   fixtures);
    assert_int_equal(call(customer_key, "POST", "/customers/2/queue", body, &j), 201);
    assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
    json_decref(j);
}

static const char *path_of(const char *url);

/* Every link the entry point and the customer's queue advertise answers 200, HEAD too. */
static void advertised_links_resolve(void **state)
{
    const char *const docs[] = {"/", "/customers/2/queue"};
    json_t *j = NULL, *v;
    const char *key;

    (void)state;
    for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++) {
        assert_int_equal(call(customer_key, "GET", docs[d], NULL, &j), 200);
        json_object_foreach(j, key, v)
        {
            json_t *k = NULL;
            const char *url = json_string_value(v);

            if (!url || !strstr(url, "://") || strcmp(key, "@context") == 0)
                continue;
            if (call(customer_key, "GET", path_of(url), NULL, &k) != 200)
                fail_msg("%s advertises %s = %s, which does not answer 200", docs[d], key, url);
            json_decref(k);
            if (call(customer_key, "HEAD", path_of(url), NULL, NULL) != 200)
                fail_msg("HEAD %s is not 200", url);
        }
        json_decref(j);
    }
}

/* The bytes of fixture 'name' (free()). */
static unsigned char *fixture_bytes(const char *name, size_t *len)
{
    char path[512];
    FILE *f;
    unsigned char *buf = malloc(1 << 21);

    (void)snprintf(path, sizeof path, "%s/%s", fixtures, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    *len = fread(buf, 1, 1 << 21, f);
    assert_true(*len > 0 && *len < 1 << 21);
    fclose(f);
    return buf;
}

/* A multipart body: an optional "metadata" JSON part and a "file" part of 'type'. */
static unsigned char *multipart(const char *metadata, const char *type, const void *file,
                                size_t file_len, size_t *len)
{
    unsigned char *b = malloc(file_len + 4096);
    int n = 0;

    if (metadata)
        n = snprintf((char *)b, 4096,
                     "--B0und\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                     "Content-Type: application/json\r\n\r\n%s\r\n",
                     metadata);
    n += snprintf((char *)b + n, 4096 - (size_t)n,
                  "--B0und\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n"
                  "Content-Type: %s\r\n\r\n",
                  type);
    memcpy(b + n, file, file_len);
    memcpy(b + (size_t)n + file_len, "\r\n--B0und--\r\n", 14);
    *len = (size_t)n + file_len + 14;
    return b;
}

#define MULTIPART "multipart/form-data; boundary=B0und"

/* True when the upload origin 'origin' ("dlcs-upload:KEY") has its bytes in blob storage. */
static bool upload_stored(const char *origin)
{
    char path[1024];

    (void)snprintf(path, sizeof path, "%s/data/blobs/%s", server.dir,
                   origin + strlen("dlcs-upload:"));
    return access(path, F_OK) == 0;
}

static char first_upload[256];

static void direct_upload(void **state)
{
    size_t len, body_len;
    unsigned char *jpg = fixture_bytes("photo.jpg", &len), *body;
    char headers[4096];
    json_t *j = NULL;

    (void)state;
    /* raw bytes: the image's Content-Type is its mediaType, its bytes its origin */
    assert_int_equal(call_bytes(customer_key, "PUT", "/customers/2/spaces/20/images/up1",
                                "image/jpeg", jpg, len, &j, NULL, 0),
                     201);
    assert_int_equal(json_integer_value(json_object_get(j, "width")), 600);
    assert_int_equal(json_integer_value(json_object_get(j, "height")), 400);
    assert_string_equal(str(j, "mediaType"), "image/jpeg");
    /* each upload its own object: two uploads to one id never overwrite each other */
    assert_non_null(strstr(str(j, "origin"), "dlcs-upload:uploads/2/20/up1/"));
    (void)snprintf(first_upload, sizeof first_upload, "%s", str(j, "origin"));
    assert_true(upload_stored(first_upload));
    assert_string_equal(str(j, "error"), "");
    json_decref(j);
    assert_int_equal(call(NULL, "GET", "/iiif-img/2/20/up1/info.json", NULL, &j), 200);
    assert_int_equal(json_integer_value(json_object_get(j, "height")), 400);
    json_decref(j);
    /* reingest reads the stored upload again */
    assert_int_equal(
        call(customer_key, "POST", "/customers/2/spaces/20/images/up1/reingest", NULL, &j), 200);
    assert_int_equal(json_integer_value(json_object_get(j, "width")), 600);
    assert_string_equal(str(j, "error"), "");
    assert_string_equal(str(j, "origin"), first_upload);
    json_decref(j);
    /* a new upload replaces the record's origin, and the upload no record names is removed */
    assert_int_equal(call_bytes(customer_key, "PUT", "/customers/2/spaces/20/images/up1",
                                "image/jpeg", jpg, len, &j, NULL, 0),
                     200);
    assert_string_not_equal(str(j, "origin"), first_upload);
    assert_true(upload_stored(str(j, "origin")));
    assert_false(upload_stored(first_upload));
    json_decref(j);

    /* multipart POST: metadata and file; the id comes from the metadata */
    body =
        multipart("{\"id\":\"up2\",\"string1\":\"uploaded\"}", "image/jpeg", jpg, len, &body_len);
    assert_int_equal(call_bytes(customer_key, "POST", "/customers/2/spaces/20/images", MULTIPART,
                                body, body_len, &j, headers, sizeof headers),
                     201);
    assert_string_equal(str(j, "string1"), "uploaded");
    assert_int_equal(json_integer_value(json_object_get(j, "width")), 600);
    assert_non_null(strstr(headers, "/customers/2/spaces/20/images/up2"));
    json_decref(j);
    free(body);

    /* without an id one is minted; without metadata the file's type is the mediaType */
    body = multipart(NULL, "image/jpeg", jpg, len, &body_len);
    assert_int_equal(call_bytes(customer_key, "POST", "/customers/2/spaces/20/images", MULTIPART,
                                body, body_len, &j, NULL, 0),
                     201);
    assert_int_equal(strlen(str(j, "id") ? str(j, "id") : ""), 36);
    assert_string_equal(json_string_value(json_array_get(json_object_get(j, "tags"), 0)), "book");
    json_decref(j);
    free(body);
    free(jpg);
}

static void storage_usage_is_reported(void **state)
{
    json_t *j = NULL;
    json_int_t size, thumbs, images;

    (void)state;
    assert_int_equal(call(customer_key, "GET", "/customers/2/spaces/20/images/up1", NULL, &j), 200);
    assert_non_null(strstr(str(j, "storage"), "/customers/2/spaces/20/images/up1/storage"));
    json_decref(j);
    assert_int_equal(
        call(customer_key, "GET", "/customers/2/spaces/20/images/up1/storage", NULL, &j), 200);
    assert_string_equal(str(j, "@type"), "vocab:ImageStorage");
    size = json_integer_value(json_object_get(j, "size"));
    thumbs = json_integer_value(json_object_get(j, "thumbnailSize"));
    assert_true(size > 1000); /* a 600x400 pyramid */
    assert_true(thumbs > 0 && thumbs < size);
    assert_false(json_is_true(json_object_get(j, "checkingInProgress")));
    assert_non_null(str(j, "lastChecked"));
    json_decref(j);
    assert_int_equal(call(customer_key, "GET", "/customers/2/spaces/20/storage", NULL, &j), 200);
    assert_string_equal(str(j, "@type"), "vocab:CustomerStorage");
    images = json_integer_value(json_object_get(j, "numberOfStoredImages"));
    assert_int_equal(images, 4); /* p1, up1, up2 and the minted one */
    assert_true(json_integer_value(json_object_get(j, "totalSizeOfStoredImages")) >= size * 3);
    assert_true(json_integer_value(json_object_get(j, "totalSizeOfThumbnails")) >= thumbs * 3);
    json_decref(j);
    assert_int_equal(call(customer_key, "GET", "/customers/2/storage", NULL, &j), 200);
    assert_true(json_integer_value(json_object_get(j, "numberOfStoredImages")) >= images);
    json_decref(j);
    expect_error(call(customer_key, "GET", "/customers/2/spaces/77/storage", NULL, &j), &j, 404,
                 "no space 77");
    expect_error(call(customer_key, "GET", "/customers/2/spaces/20/images/none/storage", NULL, &j),
                 &j, 404, "no image 'none'");
}

static void thumbnail_policies_apply_to_new_images(void **state)
{
    const char *base = "/customers/2/deliveryChannelPolicies/thumbs";
    json_t *j = NULL, *sizes;

    (void)state;
    assert_int_equal(call(customer_key, "POST", base,
                          "{\"name\":\"tiny\",\"displayName\":\"Tiny\","
                          "\"policyData\":\"[\\\"!50,50\\\",\\\"!20,20\\\"]\"}",
                          &j),
                     201);
    assert_string_equal(str(j, "channel"), "thumbs");
    json_decref(j);
    expect_error(
        call(customer_key, "POST", base, "{\"name\":\"bad\",\"policyData\":\"[\\\"max\\\"]\"}", &j),
        &j, 400, "field 'policyData'");
    expect_error(call(customer_key, "POST", base,
                      "{\"name\":\"av\",\"channel\":\"iiif-av\",\"policyData\":\"[1]\"}", &j),
                 &j, 400, "field 'channel'");
    /* w, and ,h sizes are IIIF sizes too: accepted, and then really made */
    assert_int_equal(call(customer_key, "PUT", "/customers/2/deliveryChannelPolicies/thumbs/wide",
                          "{\"policyData\":\"[\\\"60,\\\",\\\",30\\\"]\"}", &j),
                     201);
    json_decref(j);
    expect_error(call(customer_key, "PUT", "/customers/2/deliveryChannelPolicies/thumbs/a%20b",
                      "{\"policyData\":\"[\\\"60,\\\"]\"}", &j),
                 &j, 400, "the policy name in the path");
    expect_error(call(customer_key, "GET", "/customers/2/deliveryChannelPolicies/file", NULL, &j),
                 &j, 404, "no policies for channel 'file'");
    assert_int_equal(call(customer_key, "GET", base, NULL, &j), 200);
    assert_int_equal(json_integer_value(json_object_get(j, "totalItems")), 2); /* tiny and wide */
    json_decref(j);
    assert_int_equal(call(customer_key, "PATCH", "/customers/2/deliveryChannelPolicies/thumbs/tiny",
                          "{\"displayName\":\"Very small\"}", &j),
                     200);
    assert_string_equal(str(j, "displayName"), "Very small");
    json_decref(j);

    /* a space's thumbnail policy must exist, and then applies to its new images */
    expect_error(call(customer_key, "PUT", "/customers/2/spaces/21",
                      "{\"name\":\"tinythumbs\",\"thumbnailPolicy\":\"nope\"}", &j),
                 &j, 400, "field 'thumbnailPolicy': no thumbs policy 'nope'");
    assert_int_equal(call(customer_key, "PUT", "/customers/2/spaces/21",
                          "{\"name\":\"tinythumbs\",\"thumbnailPolicy\":\"tiny\"}", &j),
                     201);
    json_decref(j);
    assert_int_equal(call(customer_key, "PUT", "/customers/2/spaces/21/images/t1",
                          image_body("photo.jpg", NULL), &j),
                     201);
    assert_string_equal(str(j, "error"), "");
    assert_string_equal(str(json_array_get(json_object_get(j, "deliveryChannels"), 1), "policy"),
                        "tiny");
    json_decref(j);
    assert_int_equal(call(customer_key, "PUT", "/customers/2/spaces/21/images/w1",
                          image_body("photo.jpg", "\"deliveryChannels\":[\"iiif-img\","
                                                  "{\"channel\":\"thumbs\",\"policy\":\"wide\"}]"),
                          &j),
                     201);
    assert_string_equal(str(j, "error"), "");
    json_decref(j);
    assert_int_equal(call(NULL, "GET", "/thumbs/2/21/w1/info.json", NULL, &j), 200);
    sizes = json_object_get(j, "sizes");
    assert_int_equal(json_array_size(sizes), 2); /* 60 x 40 and 45 x 30 from the 600 x 400 */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(sizes, 0), "width")), 60);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(sizes, 1), "height")), 30);
    json_decref(j);
    assert_int_equal(call(NULL, "GET", "/thumbs/2/21/t1/info.json", NULL, &j), 200);
    sizes = json_object_get(j, "sizes");
    assert_int_equal(json_array_size(sizes), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(sizes, 0), "width")), 50);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(sizes, 1), "width")), 20);
    json_decref(j);
    expect_error(
        call(customer_key, "PUT", "/customers/2/spaces/21/images/t2",
             image_body("photo.jpg",
                        "\"deliveryChannels\":[{\"channel\":\"thumbs\",\"policy\":\"nope\"}]"),
             &j),
        &j, 400, "no thumbs policy 'nope'");
    expect_error(call(customer_key, "PATCH", "/customers/2/spaces/21/images/t1",
                      "{\"deliveryChannels\":[{\"channel\":\"thumbs\",\"policy\":\"nope\"}]}", &j),
                 &j, 400, "no thumbs policy 'nope'");
    /* deleting the policy: later ingests of images naming it say so */
    assert_int_equal(call(customer_key, "DELETE",
                          "/customers/2/deliveryChannelPolicies/thumbs/tiny", NULL, NULL),
                     204);
    expect_error(
        call(customer_key, "GET", "/customers/2/deliveryChannelPolicies/thumbs/tiny", NULL, &j), &j,
        404, "no thumbs policy 'tiny'");
    expect_error(call(customer_key, "POST", "/customers/2/spaces/21/images/t1/reingest", NULL, &j),
                 &j, 422, "thumbs policy 'tiny' does not exist");
    assert_int_equal(call(customer_key, "GET", "/customers/2/spaces/21/images/t1", NULL, &j), 200);
    assert_non_null(strstr(str(j, "error"), "thumbs policy 'tiny' does not exist"));
    json_decref(j);
}

static void named_queries_are_managed(void **state)
{
    json_t *j = NULL;
    char book[200], shared[200];

    (void)state;
    assert_int_equal(call(customer_key, "POST", "/customers/2/namedQueries",
                          "{\"name\":\"book\",\"template\":\"assetOrder=n1&space=p1&s1=p2\"}", &j),
                     201);
    assert_int_equal(strlen(str(j, "id")), 36);
    assert_false(json_is_true(json_object_get(j, "global")));
    (void)snprintf(book, sizeof book, "/customers/2/namedQueries/%s", str(j, "id"));
    json_decref(j);
    expect_error(call(customer_key, "POST", "/customers/2/namedQueries",
                      "{\"name\":\"book\",\"template\":\"s1=p1\"}", &j),
                 &j, 409, "already exists");
    expect_error(call(customer_key, "POST", "/customers/2/namedQueries",
                      "{\"id\":\"x\",\"name\":\"n\",\"template\":\"s1=p1\"}", &j),
                 &j, 400, "dlcs allocates named query ids");
    expect_error(call(customer_key, "POST", "/customers/2/namedQueries",
                      "{\"name\":\"n\",\"template\":\"s1=p1&space=x\"}", &j),
                 &j, 400, "field 'template': template position 7: 'space' must be a positive");
    expect_error(call(customer_key, "POST", "/customers/2/namedQueries",
                      "{\"name\":\"n\",\"template\":\"s1=p1\",\"global\":true}", &j),
                 &j, 403, "only an admin key");
    /* an admin's global query is seen (not changed) by every customer */
    assert_int_equal(call(ADMIN, "POST", "/customers/3/namedQueries",
                          "{\"name\":\"shared\",\"template\":\"s1=p1\",\"global\":true}", &j),
                     201);
    (void)snprintf(shared, sizeof shared, "/customers/2/namedQueries/%s", str(j, "id"));
    json_decref(j);
    assert_int_equal(call(customer_key, "GET", "/customers/2/namedQueries", NULL, &j), 200);
    assert_int_equal(json_integer_value(json_object_get(j, "totalItems")), 2);
    json_decref(j);
    assert_int_equal(call(customer_key, "GET", shared, NULL, &j), 200);
    assert_string_equal(str(j, "name"), "shared");
    json_decref(j);
    expect_error(call(customer_key, "PUT", shared, "{\"template\":\"s2=p1\"}", &j), &j, 404,
                 "no named query");
    /* PUT: the template only */
    assert_int_equal(
        call(customer_key, "PUT", book, "{\"template\":\"assetOrder=n1 desc&s1=p1\"}", &j), 200);
    assert_string_equal(str(j, "template"), "assetOrder=n1 desc&s1=p1");
    json_decref(j);
    expect_error(
        call(customer_key, "PUT", book, "{\"name\":\"renamed\",\"template\":\"s1=p1\"}", &j), &j,
        400, "cannot change");
    expect_error(call(customer_key, "PUT", book, "{\"template\":\"canvas=width\"}", &j), &j, 400,
                 "'assetOrder' orders by s1..s3 or n1..n3");
    assert_int_equal(call(customer_key, "DELETE", book, NULL, NULL), 204);
    expect_error(call(customer_key, "GET", book, NULL, &j), &j, 404, "no named query");
}

/* The path part of an absolute URL the server made ("http://host:port/path" -> "/path"). */
static const char *path_of(const char *url)
{
    const char *p = url ? strstr(url, "://") : NULL;

    assert_non_null(p);
    p = strchr(p + 3, '/');
    assert_non_null(p);
    return p;
}

/* GET 'url' answers 200 with 'content_type'. */
static void dereferences(const char *url, const char *content_type)
{
    struct harness_response *r = calloc(1, sizeof *r);

    assert_int_equal(harness_http(&server, "GET", path_of(url), NULL, NULL, r), 0);
    if (r->status != 200 || !strstr(r->headers, content_type))
        fail_msg("GET %s: %ld, headers %s", url, r->status, r->headers);
    free(r);
}

static void single_image_manifest(void **state)
{
    json_t *m = NULL, *canvas, *anno, *body, *services;

    (void)state;
    assert_int_equal(call(NULL, "GET", "/iiif-manifest/acme/20/up1", NULL, &m), 200);
    assert_string_equal(str(m, "@context"), "http://iiif.io/api/presentation/3/context.json");
    assert_string_equal(str(m, "type"), "Manifest");
    /* the id as requested: the customer's name stays its name */
    assert_string_equal(path_of(str(m, "id")), "/iiif-manifest/acme/20/up1");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(json_object_get(m, "label"), "none"), 0)),
        "up1");
    assert_int_equal(json_array_size(json_object_get(m, "items")), 1);
    canvas = json_array_get(json_object_get(m, "items"), 0);
    assert_string_equal(str(canvas, "type"), "Canvas");
    assert_int_equal(json_integer_value(json_object_get(canvas, "width")), 600);
    assert_int_equal(json_integer_value(json_object_get(canvas, "height")), 400);
    assert_string_equal(str(json_array_get(json_object_get(canvas, "items"), 0), "type"),
                        "AnnotationPage");
    anno = json_array_get(
        json_object_get(json_array_get(json_object_get(canvas, "items"), 0), "items"), 0);
    assert_string_equal(str(anno, "motivation"), "painting");
    assert_string_equal(str(anno, "target"), str(canvas, "id"));
    body = json_object_get(anno, "body");
    assert_string_equal(str(body, "type"), "Image");
    assert_string_equal(str(body, "format"), "image/jpeg");
    assert_int_equal(json_integer_value(json_object_get(body, "width")), 400);
    assert_int_equal(json_integer_value(json_object_get(body, "height")), 267);
    services = json_object_get(body, "service");
    assert_string_equal(str(json_array_get(services, 0), "type"), "ImageService3");
    assert_string_equal(str(json_array_get(services, 1), "@type"), "ImageService2");
    /* every URL in it answers: the painted JPEG, both image services, the thumbnail */
    dereferences(str(body, "id"), "image/jpeg");
    {
        char info[600];

        (void)snprintf(info, sizeof info, "%s/info.json", str(json_array_get(services, 0), "id"));
        dereferences(info, "json");
        (void)snprintf(info, sizeof info, "%s/info.json", str(json_array_get(services, 1), "@id"));
        dereferences(info, "json");
    }
    dereferences(str(json_array_get(json_object_get(canvas, "thumbnail"), 0), "id"), "image/jpeg");
    dereferences(str(json_array_get(json_object_get(m, "thumbnail"), 0), "id"), "image/jpeg");
    json_decref(m);
    /* Presentation 2.1 by path, like /iiif-resource; the number spelling kept too */
    assert_int_equal(call(NULL, "GET", "/iiif-manifest/v2/2/20/up1", NULL, &m), 200);
    assert_string_equal(str(m, "@context"), "http://iiif.io/api/presentation/2/context.json");
    assert_string_equal(str(m, "@type"), "sc:Manifest");
    assert_string_equal(path_of(str(m, "@id")), "/iiif-manifest/v2/2/20/up1");
    canvas = json_array_get(
        json_object_get(json_array_get(json_object_get(m, "sequences"), 0), "canvases"), 0);
    assert_string_equal(str(canvas, "@type"), "sc:Canvas");
    body = json_object_get(json_array_get(json_object_get(canvas, "images"), 0), "resource");
    dereferences(str(body, "@id"), "image/jpeg");
    json_decref(m);
    expect_error(call(NULL, "GET", "/iiif-manifest/acme/20/nothing", NULL, &m), &m, 404, "");
}

static void direct_upload_errors(void **state)
{
    size_t len, body_len;
    unsigned char *jpg = fixture_bytes("photo.jpg", &len), *body, *big = calloc(1, 1000001);
    json_t *j = NULL;

    (void)state;
    expect_error(call_bytes(customer_key, "PUT", "/customers/2/spaces/20/images/big", "image/jpeg",
                            big, 1000001, &j, NULL, 0),
                 &j, 413, "DLCS_UPLOAD_MAX_BYTES");
    expect_error(call_bytes(customer_key, "PUT", "/customers/2/spaces/20/images/e", "image/jpeg",
                            "", 0, &j, NULL, 0),
                 &j, 400, "empty");
    body =
        multipart("{\"origin\":\"https://example.org/x.jpg\"}", "image/jpeg", jpg, len, &body_len);
    expect_error(call_bytes(customer_key, "PUT", "/customers/2/spaces/20/images/e", MULTIPART, body,
                            body_len, &j, NULL, 0),
                 &j, 400, "field 'origin' cannot be sent with uploaded bytes");
    free(body);
    body = multipart("{\"string1\":", "image/jpeg", jpg, len, &body_len);
    expect_error(call_bytes(customer_key, "PUT", "/customers/2/spaces/20/images/e", MULTIPART, body,
                            body_len, &j, NULL, 0),
                 &j, 400, "multipart part 'metadata'");
    free(body);
    body = multipart(NULL, "text/plain", jpg, len, &body_len);
    expect_error(call_bytes(customer_key, "PUT", "/customers/2/spaces/20/images/e", MULTIPART, body,
                            body_len, &j, NULL, 0),
                 &j, 400, "not image/*");
    free(body);
    expect_error(call_bytes(customer_key, "PUT", "/customers/2/spaces/20/images/e", MULTIPART,
                            "--B0und--", 9, &j, NULL, 0),
                 &j, 400, "multipart part 'file'");
    /* (multipart without a boundary: integration.http checks that it gets its 400) */
    /* an image's bytes sent without an image Content-Type: say what is missing */
    expect_error(call_bytes(customer_key, "PUT", "/customers/2/spaces/20/images/untyped",
                            "application/octet-stream", jpg, len, &j, NULL, 0),
                 &j, 400, "an image upload needs an image/* Content-Type");
    /* nobody's uploaded bytes can be named as an origin but the image's own */
    expect_error(call(customer_key, "PUT", "/customers/2/spaces/20/images/e",
                      "{\"origin\":\"dlcs-upload:3/1/secret/origin\",\"mediaType\":\"image/jpeg\"}",
                      &j),
                 &j, 400, "an upload origin can only name one of this image's own uploads");
    expect_error(call(customer_key, "PUT", "/customers/2/spaces/20/images/e",
                      "{\"origin\":\"dlcs-upload:uploads/3/1/secret/"
                      "04487640-03e5-446a-ae2a-386c0045e203\",\"mediaType\":\"image/jpeg\"}",
                      &j),
                 &j, 400, "an upload origin can only name one of this image's own uploads");
    expect_error(call(customer_key, "PATCH", "/customers/2/spaces/20/images/up1",
                      "{\"origin\":\"dlcs-upload:2/20/up2/origin\"}", &j),
                 &j, 400, "an upload origin can only name one of this image's own uploads");
    /* a PATCH naming the image's own upload is its own (the check uses the stored identity) */
    assert_int_equal(call(customer_key, "GET", "/customers/2/spaces/20/images/up1", NULL, &j), 200);
    {
        char patch[512];

        (void)snprintf(patch, sizeof patch, "{\"origin\":\"%s\",\"string3\":\"own\"}",
                       str(j, "origin"));
        json_decref(j);
        assert_int_equal(
            call(customer_key, "PATCH", "/customers/2/spaces/20/images/up1", patch, &j), 200);
        json_decref(j);
    }
    /* nothing was registered by the refused requests */
    expect_error(call(customer_key, "GET", "/customers/2/spaces/20/images/e", NULL, &j), &j, 404,
                 "no image 'e'");
    expect_error(call(customer_key, "GET", "/customers/2/spaces/20/images/big", NULL, &j), &j, 404,
                 "no image 'big'");
    free(big);
    free(jpg);
}

static void patch_changes_only_what_is_sent(void **state)
{
    json_t *j = NULL;

    (void)state;
    assert_int_equal(call(customer_key, "PATCH", "/customers/2/spaces/20/images/p1",
                          "{\"string2\":\"chapter 1\"}", &j),
                     200);
    assert_string_equal(str(j, "string2"), "chapter 1");
    assert_string_equal(str(j, "string1"), "b1");
    assert_int_equal(json_array_size(json_object_get(j, "tags")), 1);
    json_decref(j);
    assert_int_equal(call(customer_key, "PATCH", "/customers/2/spaces/20/images/p1",
                          image_body("photo.jpg", NULL), &j),
                     200); /* a new origin is ingested again */
    assert_int_equal(json_integer_value(json_object_get(j, "width")), 600);
    assert_string_equal(str(j, "string2"), "chapter 1");
    json_decref(j);
    assert_int_equal(
        call(customer_key, "POST", "/customers/2/spaces/20/images/p1/reingest", NULL, &j), 200);
    assert_false(json_is_true(json_object_get(j, "ingesting")));
    json_decref(j);
}

static void image_errors(void **state)
{
    json_t *j = NULL;

    (void)state;
    expect_error(call(customer_key, "PUT", "/customers/2/spaces/20/images/x",
                      "{\"mediaType\":\"image/jpeg\"}", &j),
                 &j, 400, "field 'origin' is required");
    expect_error(call(customer_key, "PUT", "/customers/2/spaces/20/images/x",
                      "{\"origin\":\"https://x/y.mp4\",\"mediaType\":\"video/mp4\"}", &j),
                 &j, 501, "only image/*");
    expect_error(call(customer_key, "PUT", "/customers/2/spaces/20/images/x",
                      image_body("photo.jpg", "\"id\":\"y\""), &j),
                 &j, 400, "differs from the path");
    expect_error(call(customer_key, "PUT", "/customers/2/spaces/20/images/x",
                      image_body("photo.jpg", "\"width\":5"), &j),
                 &j, 400, "field 'width' is read-only");
    expect_error(call(customer_key, "PUT", "/customers/2/spaces/20/images/x",
                      image_body("photo.jpg", "\"number1\":\"one\""), &j),
                 &j, 400, "field 'number1' must be an integer");
    expect_error(call(customer_key, "PUT", "/customers/2/spaces/99/images/x",
                      image_body("photo.jpg", NULL), &j),
                 &j, 404, "no space 99");
    expect_error(call(customer_key, "GET", "/customers/2/spaces/20/images/nope", NULL, &j), &j, 404,
                 "no image 'nope'");
    /* a failed immediate ingest is an error answer (curl -f sees it); the record keeps why */
    expect_error(call(customer_key, "PUT", "/customers/2/spaces/20/images/broken",
                      image_body("missing.jpg", NULL), &j),
                 &j, 422, "no such file");
    assert_int_equal(call(customer_key, "GET", "/customers/2/spaces/20/images/broken", NULL, &j),
                     200);
    assert_non_null(strstr(str(j, "error"), "no such file"));
    assert_false(json_is_true(json_object_get(j, "ingesting")));
    json_decref(j);
    expect_error(call(customer_key, "PUT", "/customers/2/spaces/20/images/text",
                      image_body("text.txt", NULL), &j),
                 &j, 422, "not an image");
    assert_int_equal(call(customer_key, "GET", "/customers/2/spaces/20/images/text", NULL, &j),
                     200);
    assert_non_null(strstr(str(j, "error"), "not an image"));
    json_decref(j);
}

static void listings_filter_order_and_page(void **state)
{
    json_t *j = NULL;
    char path[200];

    (void)state;
    for (int n = 1; n <= 4; n++) {
        char id[64], extra[80];

        (void)snprintf(id, sizeof id, "/customers/2/spaces/20/images/q%d", n);
        (void)snprintf(extra, sizeof extra, "\"string1\":\"book-q\",\"number1\":%d", 5 - n);
        assert_int_equal(call(customer_key, "PUT", id, image_body("small.jpg", extra), &j), 201);
        json_decref(j);
    }
    assert_int_equal(call(customer_key, "GET",
                          "/customers/2/spaces/20/images?string1=book-q&orderBy=number1", NULL, &j),
                     200);
    assert_int_equal(json_integer_value(json_object_get(j, "totalItems")), 4);
    assert_string_equal(str(json_array_get(json_object_get(j, "member"), 0), "id"), "q4");
    json_decref(j);
    assert_int_equal(call(customer_key, "GET",
                          "/customers/2/allImages?string1=book-q&orderByDescending=number1"
                          "&page=2&pageSize=3",
                          NULL, &j),
                     200);
    assert_int_equal(json_array_size(json_object_get(j, "member")), 1);
    assert_string_equal(str(json_array_get(json_object_get(j, "member"), 0), "id"), "q4");
    /* the view's links keep the filters and the order; only the page changes */
    assert_non_null(strstr(str(json_object_get(j, "view"), "first"),
                           "/customers/2/allImages?string1=book-q&orderByDescending=number1"
                           "&page=1&pageSize=3"));
    assert_null(json_object_get(json_object_get(j, "view"), "next"));
    assert_non_null(strstr(str(json_object_get(j, "view"), "previous"), "string1=book-q"));
    json_decref(j);
    (void)snprintf(path, sizeof path, "/customers/2/allImages?q=%%7B%%22number1%%22:2%%7D");
    assert_int_equal(call(customer_key, "GET", path, NULL, &j), 200);
    assert_int_equal(json_integer_value(json_object_get(j, "totalItems")), 1);
    json_decref(j);
    expect_error(call(customer_key, "GET", "/customers/2/allImages?orderBy=colour", NULL, &j), &j,
                 400, "cannot order by 'colour'");
    expect_error(call(customer_key, "GET", "/customers/2/allImages?number1=x", NULL, &j), &j, 400,
                 "must be an integer");
    expect_error(call(customer_key, "GET", "/customers/2/allImages?pageSize=0", NULL, &j), &j, 400,
                 "'pageSize'");
}

/* The path of a view link (an absolute URL of this server): what follows the authority. */
static const char *link_path(const json_t *page, const char *rel)
{
    const char *url = str(json_object_get(page, "view"), rel);
    const char *path = url ? strstr(url, "/customers/") : NULL;

    assert_non_null(path);
    return path;
}

/* next links carry a cursor: a page deep in the listing costs what the first costs */
static void listings_follow_cursor_pages(void **state)
{
    json_t *j = NULL, *next = NULL;
    char path[1024];

    (void)state;
    for (int n = 1; n <= 5; n++) {
        char id[64], extra[80];

        (void)snprintf(id, sizeof id, "/customers/2/spaces/20/images/c%d", n);
        (void)snprintf(extra, sizeof extra, "\"string1\":\"book-c\",\"number1\":%d", n % 2);
        assert_int_equal(call(customer_key, "PUT", id, image_body("small.jpg", extra), &j), 201);
        json_decref(j);
    }
    assert_int_equal(call(customer_key, "GET",
                          "/customers/2/allImages?string1=book-c&orderBy=number1&pageSize=2", NULL,
                          &j),
                     200);
    assert_int_equal(json_integer_value(json_object_get(j, "totalItems")), 5); /* page 1 counts */
    assert_string_equal(str(json_array_get(json_object_get(j, "member"), 0), "id"), "c2");
    assert_non_null(strstr(link_path(j, "next"), "string1=book-c&orderBy=number1&cursor="));
    (void)snprintf(path, sizeof path, "%s", link_path(j, "next"));
    assert_int_equal(call(customer_key, "GET", path, NULL, &next), 200);
    assert_null(json_object_get(next, "totalItems")); /* a cursor page is not counted */
    assert_null(json_object_get(json_object_get(next, "view"), "last"));
    assert_int_equal(json_array_size(json_object_get(next, "member")), 2);
    assert_string_equal(str(json_array_get(json_object_get(next, "member"), 0), "id"), "c1");
    assert_string_equal(str(json_array_get(json_object_get(next, "member"), 1), "id"), "c3");
    json_decref(j);
    (void)snprintf(path, sizeof path, "%s", link_path(next, "next"));
    json_decref(next);
    assert_int_equal(call(customer_key, "GET", path, NULL, &j), 200);
    assert_int_equal(json_array_size(json_object_get(j, "member")), 1);
    assert_string_equal(str(json_array_get(json_object_get(j, "member"), 0), "id"), "c5");
    assert_null(json_object_get(json_object_get(j, "view"), "next"));
    json_decref(j);
    expect_error(call(customer_key, "GET", "/customers/2/allImages?cursor=%21%21", NULL, &j), &j,
                 400, "'cursor'");
    expect_error(call(customer_key, "GET", "/customers/2/allImages?cursor=WzFd&page=2", NULL, &j),
                 &j, 400, "'cursor'");
    expect_error(call(customer_key, "GET", "/customers/2/spaces?cursor=WzFd", NULL, &j), &j, 400,
                 "'cursor'");
}

static void delete_removes_record_and_derivatives(void **state)
{
    json_t *j = NULL;

    (void)state;
    expect_error(call(customer_key, "DELETE", "/customers/2/spaces/20", NULL, &j), &j, 409,
                 "holds");
    assert_int_equal(call(customer_key, "DELETE", "/customers/2/spaces/20/images/p1", NULL, NULL),
                     204);
    assert_int_equal(call(customer_key, "GET", "/customers/2/spaces/20/images/p1", NULL, NULL),
                     404);
    assert_int_equal(call(NULL, "GET", "/iiif-img/2/20/p1/full/max/0/default.jpg", NULL, NULL),
                     404);
    assert_int_equal(call(customer_key, "DELETE", "/customers/2/spaces/20/images/p1", NULL, NULL),
                     404);
}

static void origin_strategies_keep_credentials_secret(void **state)
{
    json_t *j = NULL;
    char path[200];

    (void)state;
    assert_int_equal(call(customer_key, "POST", "/customers/2/originStrategies",
                          "{\"regex\":\"^https://secure\\\\.example/\",\"strategy\":"
                          "\"basic-http-authentication\",\"credentials\":"
                          "\"{\\\"user\\\":\\\"u\\\",\\\"password\\\":\\\"p\\\"}\",\"order\":2}",
                          &j),
                     201);
    assert_string_equal(str(j, "credentials"), "xxx");
    (void)snprintf(path, sizeof path, "/customers/2/originStrategies/%s", str(j, "id"));
    json_decref(j);
    assert_int_equal(call(customer_key, "GET", path, NULL, &j), 200);
    assert_string_equal(str(j, "credentials"), "xxx");
    json_decref(j);
    assert_int_equal(call(customer_key, "PUT", path, "{\"order\":5}", &j), 200);
    assert_int_equal(json_integer_value(json_object_get(j, "order")), 5);
    json_decref(j);
    expect_error(call(customer_key, "POST", "/customers/2/originStrategies",
                      "{\"regex\":\"([\",\"strategy\":\"default\"}", &j),
                 &j, 400, "field 'regex'");
    expect_error(call(customer_key, "POST", "/customers/2/originStrategies",
                      "{\"regex\":\"^x\",\"strategy\":\"basic-http-authentication\"}", &j),
                 &j, 400, "'credentials' is required");
    assert_int_equal(call(customer_key, "DELETE", path, NULL, NULL), 204);
    assert_int_equal(call(customer_key, "GET", path, NULL, NULL), 404);
}

static void delete_images_in_bulk(void **state)
{
    json_t *j = NULL;

    (void)state;
    assert_int_equal(call(customer_key, "PUT", "/customers/2/spaces/1/images/d1",
                          image_body("small.jpg", NULL), &j),
                     201);
    json_decref(j);
    assert_int_equal(call(customer_key, "POST", "/customers/2/deleteImages",
                          "{\"member\":[{\"id\":\"2/1/d1\"},{\"id\":\"2/1/never\"}]}", &j),
                     200);
    assert_int_equal(json_integer_value(json_object_get(j, "count")), 1);
    json_decref(j);
    assert_int_equal(call(customer_key, "GET", "/customers/2/spaces/1/images/d1", NULL, NULL), 404);
    expect_error(call(customer_key, "POST", "/customers/2/deleteImages",
                      "{\"member\":[{\"id\":\"3/1/x\"}]}", &j),
                 &j, 400, "is not 2/{space}/{id}");
    /* ids are canonical: "01" and "+2" do not name (and leave behind) other blob prefixes */
    for (const char *const *bad =
             (const char *const[]){"2/01/x", "+2/1/x", "02/1/x", "2/1/../x", NULL};
         *bad; bad++) {
        char body[128];

        (void)snprintf(body, sizeof body, "{\"member\":[{\"id\":\"%s\"}]}", *bad);
        expect_error(call(customer_key, "POST", "/customers/2/deleteImages", body, &j), &j, 400,
                     "is not 2/{space}/{id}");
    }
}

static void other_customers_are_invisible_on_every_route(void **state)
{
    static const struct {
        const char *method, *path;
    } rows[] = {
        {"GET", "/customers/3"},
        {"PATCH", "/customers/3"},
        {"GET", "/customers/3/keys"},
        {"GET", "/customers/3/spaces"},
        {"POST", "/customers/3/spaces"},
        {"GET", "/customers/3/spaces/1"},
        {"PUT", "/customers/3/spaces/1"},
        {"DELETE", "/customers/3/spaces/1"},
        {"GET", "/customers/3/spaces/1/images"},
        {"GET", "/customers/3/spaces/1/images/x"},
        {"PUT", "/customers/3/spaces/1/images/x"},
        {"PATCH", "/customers/3/spaces/1/images/x"},
        {"DELETE", "/customers/3/spaces/1/images/x"},
        {"POST", "/customers/3/spaces/1/images/x/reingest"},
        {"POST", "/customers/3/spaces/1/images"},
        {"GET", "/customers/3/storage"},
        {"GET", "/customers/3/namedQueries"},
        {"POST", "/customers/3/namedQueries"},
        {"GET", "/customers/3/namedQueries/x"},
        {"PUT", "/customers/3/namedQueries/x"},
        {"DELETE", "/customers/3/namedQueries/x"},
        {"GET", "/customers/3/deliveryChannelPolicies"},
        {"GET", "/customers/3/deliveryChannelPolicies/thumbs"},
        {"POST", "/customers/3/deliveryChannelPolicies/thumbs"},
        {"GET", "/customers/3/deliveryChannelPolicies/thumbs/default"},
        {"PUT", "/customers/3/deliveryChannelPolicies/thumbs/default"},
        {"DELETE", "/customers/3/deliveryChannelPolicies/thumbs/default"},
        {"GET", "/customers/3/spaces/1/storage"},
        {"GET", "/customers/3/spaces/1/images/x/storage"},
        {"GET", "/customers/3/allImages"},
        {"GET", "/customers/3/queue"},
        {"POST", "/customers/3/queue"},
        {"POST", "/customers/3/queue/priority"},
        {"GET", "/customers/3/queue/batches"},
        {"GET", "/customers/3/queue/active"},
        {"GET", "/customers/3/queue/recent"},
        {"GET", "/customers/3/queue/batches/1"},
        {"GET", "/customers/3/queue/batches/1/images"},
        {"GET", "/customers/3/queue/batches/1/assets"},
        {"GET", "/customers/3/originStrategies"},
        {"POST", "/customers/3/originStrategies"},
        {"POST", "/customers/3/deleteImages"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const bool body = strcmp(rows[i].method, "GET") != 0 && strcmp(rows[i].method, "DELETE");
        long st = call(customer_key, rows[i].method, rows[i].path, body ? "{}" : NULL, NULL);

        if (st != 404)
            fail_msg("%s %s as another customer: %ld, want 404", rows[i].method, rows[i].path, st);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(authentication),
        cmocka_unit_test(a_customer_sees_only_itself),
        cmocka_unit_test(customers_are_validated),
        cmocka_unit_test(spaces),
        cmocka_unit_test(keys),
        cmocka_unit_test(images_register_immediately),
        cmocka_unit_test(direct_upload),
        cmocka_unit_test(direct_upload_errors),
        cmocka_unit_test(storage_usage_is_reported),
        cmocka_unit_test(thumbnail_policies_apply_to_new_images),
        cmocka_unit_test(named_queries_are_managed),
        cmocka_unit_test(single_image_manifest),
        cmocka_unit_test(patch_changes_only_what_is_sent),
        cmocka_unit_test(image_errors),
        cmocka_unit_test(listings_filter_order_and_page),
        cmocka_unit_test(listings_follow_cursor_pages),
        cmocka_unit_test(delete_removes_record_and_derivatives),
        cmocka_unit_test(origin_strategies_keep_credentials_secret),
        cmocka_unit_test(delete_images_in_bulk),
        cmocka_unit_test(other_customers_are_invisible_on_every_route),
        cmocka_unit_test(reference_client_bodies_are_accepted),
        cmocka_unit_test(advertised_links_resolve),
    };
    int rc;

    if (argc < 2) {
        fprintf(stderr, "usage: api_test PATH_TO_DLCS\n");
        return 2;
    }
    binary = argv[1];
    if (VIPS_INIT(argv[0]) != 0) /* the fixtures are made with libvips */
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = harness_result(cmocka_run_group_tests(tests, global_setup, global_teardown));
    curl_global_cleanup();
    vips_shutdown();
    return rc;
}
