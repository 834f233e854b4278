/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A full disk, for real: the server runs in its own mount namespace (unshare -rm, no root
 * needed) with its data directory on a 24 MB tmpfs. Registrations fill it until they are
 * refused with 507 naming the cause and no server path; /readyz then says not ready and why;
 * what was served stays served and nothing half-written is; once images are deleted the space
 * is back and registrations work again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <vips/vips.h>

#include "harness.h"

#define ADMIN "0123456789abcdef:fedcba9876543210fedcba9876543210"
#define ADMIN_AUTH                                                                                 \
    "Authorization: Basic MDEyMzQ1Njc4OWFiY2RlZjpmZWRjYmE5ODc2NTQzMjEwZmVkY2JhOTg3NjU0MzIxMA=="
#define MAX_IMAGES 40

static const char *binary;
static struct harness_proc server;
static void *noise;
static size_t noise_len;

static long request(const char *method, const char *path, const char *type, const void *body,
                    size_t len, char *answer, size_t cap)
{
    struct harness_response *r = calloc(1, sizeof *r);
    char content_type[128];
    const char *const headers[] = {ADMIN_AUTH, content_type, NULL};
    long status = -1;

    (void)snprintf(content_type, sizeof content_type, "Content-Type: %s", type);
    if (harness_http_bytes(&server, method, path, headers, body, len, r) == 0)
        status = r->status;
    if (answer)
        (void)snprintf(answer, cap, "%.*s", (int)(cap - 1), r->body);
    free(r);
    return status;
}

static long json_call(const char *method, const char *path, const char *body)
{
    return request(method, path, "application/json", body, body ? strlen(body) : 0, NULL, 0);
}

static long put_noise(int i, char *answer, size_t cap)
{
    char path[128];

    (void)snprintf(path, sizeof path, "/customers/2/spaces/1/images/n%d", i);
    return request("PUT", path, "image/jpeg", noise, noise_len, answer, cap);
}

static long get_status(const char *path, char *answer, size_t cap)
{
    return request("GET", path, "application/json", NULL, 0, answer, cap);
}

/* An incompressible 1600x1600 JPEG (about 2 MB): a few fill the small disk. */
static int make_noise(void)
{
    VipsImage *g = NULL, *u = NULL;
    int rc = vips_gaussnoise(&g, 1600, 1600, "mean", 128.0, "sigma", 60.0, NULL);

    rc = rc ? rc : vips_cast_uchar(g, &u, NULL);
    rc = rc ? rc : vips_jpegsave_buffer(u, &noise, &noise_len, "Q", 95, NULL);
    if (g)
        g_object_unref(g);
    if (u)
        g_object_unref(u);
    return rc;
}

static int global_setup(void **state)
{
    static char script[700];
    const char *const args[] = {"-rm", "--", "sh", "-c", script, "dlcs-sh", binary, NULL};
    const char *const env[] = {"DLCS_BOOTSTRAP_ADMIN=" ADMIN, "DLCS_STORAGE_MIN_FREE_MB=10",
                               "DLCS_UPLOAD_MAX_BYTES=10000000", "DLCS_WORKERS=0", NULL};

    (void)state;
    if (VIPS_INIT("storage_test") != 0 || make_noise() != 0)
        return -1;
    /* the data directory becomes a small tmpfs seen only by the server's mount namespace */
    (void)snprintf(script, sizeof script,
                   "mkdir -p \"$DLCS_DATA_DIR\" && "
                   "mount -t tmpfs -o size=24m dlcs-small \"$DLCS_DATA_DIR\" && exec \"$1\" serve");
    if (harness_start("/usr/bin/unshare", args, env, 1, &server) != 0) {
        harness_dump_log(&server);
        return -1;
    }
    if (json_call("POST", "/customers", "{\"name\":\"acme\",\"displayName\":\"Acme\"}") != 201 ||
        json_call("POST", "/customers/2/spaces", "{\"name\":\"books\"}") != 201)
        return -1;
    return 0;
}

static int global_teardown(void **state)
{
    bool clean = harness_stop_clean(&server);

    (void)state;
    harness_cleanup(&server);
    g_free(noise);
    vips_shutdown();
    return clean ? 0 : -1;
}

/* Each image is served completely, or not at all (an error recorded, or no record). */
static void expect_whole_or_nothing(int count)
{
    char path[160], body[8192];

    for (int i = 0; i < count; i++) {
        json_t *j;
        long st;

        (void)snprintf(path, sizeof path, "/customers/2/spaces/1/images/n%d", i);
        st = get_status(path, body, sizeof body);
        if (st == 404)
            continue;
        assert_int_equal(st, 200);
        j = json_loads(body, 0, NULL);
        (void)snprintf(path, sizeof path, "/iiif-img/2/1/n%d/full/!200,200/0/default.jpg", i);
        if (json_integer_value(json_object_get(j, "width")) > 0)
            assert_int_equal(get_status(path, NULL, 0), 200);
        else
            assert_int_equal(get_status(path, NULL, 0), 404);
        json_decref(j);
    }
}

static void a_full_disk_is_said_and_recovered_from(void **state)
{
    char body[8192];
    int stored = 0, i;
    long st = 0;

    (void)state;
    assert_int_equal(get_status("/readyz", NULL, 0), 200);
    for (i = 0; i < MAX_IMAGES; i++) {
        st = put_noise(i, body, sizeof body);
        if (st != 201)
            break;
        stored++;
    }
    if (st != 507)
        fail_msg("image %d: want 507 once the disk is full, got %ld: %s", i, st, body);
    printf("%d images of %zu bytes stored before: %s\n", stored, noise_len, body);
    assert_true(stored >= 2);
    assert_non_null(strstr(body, "full"));
    if (strstr(body, server.dir) || strstr(body, "/tmp"))
        fail_msg("a server path in the answer: %s", body);

    assert_int_equal(get_status("/readyz", body, sizeof body), 503);
    assert_non_null(strstr(body, "storage not ready"));
    assert_non_null(strstr(body, "full"));
    assert_int_equal(get_status("/iiif-img/2/1/n0/info.json", NULL, 0), 200);
    expect_whole_or_nothing(i + 1);

    /* space freed: ready again, and registrations work */
    for (int k = 0; k <= i; k++) {
        char path[128];

        (void)snprintf(path, sizeof path, "/customers/2/spaces/1/images/n%d", k);
        st = json_call("DELETE", path, NULL);
        assert_true(st == 204 || st == 404);
    }
    assert_int_equal(get_status("/readyz", body, sizeof body), 200);
    assert_int_equal(put_noise(0, body, sizeof body), 201);
    assert_int_equal(get_status("/iiif-img/2/1/n0/info.json", NULL, 0), 200);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_full_disk_is_said_and_recovered_from),
    };
    int rc;

    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH_TO_DLCS\n", argv[0]);
        return 2;
    }
    binary = argv[1];
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = harness_result(cmocka_run_group_tests(tests, global_setup, global_teardown));
    curl_global_cleanup();
    return rc;
}
