/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The blob storage contract against the S3 adapter, on three servers: the project's
 * signature-checking fake, npm's s3rver (real S3 HTTP behaviour, no signature checks), and a
 * real bucket when DLCS_TEST_S3_URL names one. Each test gets a fresh key prefix (an empty
 * storage). Then what only S3 has: signatures refused, retries, multipart uploads, listings
 * past one page, virtual-hosted addressing, an unreachable server.
 */
#include <setjmp.h> /* cmocka needs these before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dlcs/adapters.h"
#include "dlcs/config.h"
#include "dlcs/mem.h"

#include "blob_contract.h"
#include "s3_server.h"

#define OK(expr) assert_int_equal((expr), DLCS_OK)

static struct s3_server server;
static unsigned prefix_count;

/* Open the adapter on 'url' with settings from the environment plus 'extra' ("NAME=V" ...). */
static const char *lookup(const char *name, void *ctx)
{
    const char *const *extra = ctx;

    for (; extra && *extra; extra++) {
        size_t n = strlen(name);

        if (strncmp(*extra, name, n) == 0 && (*extra)[n] == '=')
            return *extra + n + 1;
    }
    return getenv(name);
}

static struct dlcs_blobstore *open_url(const char *url, const char *const *extra)
{
    struct dlcs_config cfg;
    struct dlcs_blobstore *b = NULL;
    struct dlcs_error err = {0};

    if (dlcs_config_load(&cfg, lookup, (void *)extra, &err) != DLCS_OK ||
        dlcs_blobstore_open(url, &cfg, &b, &err) != DLCS_OK) {
        fprintf(stderr, "open %s: %s\n", url, err.message);
        abort();
    }
    dlcs_config_release(&cfg);
    return b;
}

static struct dlcs_blobstore *open_fresh(const char *extra_query, const char *const *settings)
{
    char prefix[64], url[1024];

    (void)snprintf(prefix, sizeof prefix, "contract/t%u", prefix_count++);
    s3_server_storage_url(&server, prefix, extra_query, url, sizeof url);
    return open_url(url, settings);
}

static struct dlcs_blobstore *open_empty(void)
{
    return open_fresh(NULL, NULL);
}

static void cleanup(void)
{
}

/* One counter of the fake's stats (a call's count, or "uploads" still open). */
static int calls(const char *name)
{
    return s3_server_count(&server, name);
}

static void a_wrong_secret_is_refused_never_not_found(void **state)
{
    const char *const wrong[] = {"DLCS_S3_ACCESS_KEY=dlcs-test-key",
                                 "DLCS_S3_SECRET_KEY=not-the-secret", NULL};
    struct dlcs_blobstore *b = open_fresh(NULL, wrong);
    struct dlcs_error err = {0};
    int64_t size = 0;
    void *data = NULL;
    size_t len = 0;

    (void)state;
    assert_int_equal(dlcs_blob_put_bytes(b, "k/x", "1", 1, &err), DLCS_EUPSTREAM);
    assert_non_null(strstr(err.message, "SignatureDoesNotMatch"));
    assert_null(strstr(err.message, "not-the-secret"));
    assert_int_equal(dlcs_blob_size(b, "k/x", &size, NULL), DLCS_EUPSTREAM); /* a HEAD: 403 */
    assert_int_equal(dlcs_blob_get_bytes(b, "k/x", 10, &data, &len, NULL), DLCS_EUPSTREAM);
    assert_int_equal(dlcs_blob_ping(b, NULL), DLCS_EUPSTREAM); /* readiness says so */
    dlcs_blobstore_free(b);
}

static void transient_failures_are_retried(void **state)
{
    const char *const fast[] = {"DLCS_S3_RETRY_BASE_MS=1", "DLCS_S3_RETRIES=3", NULL};
    struct dlcs_blobstore *b = open_fresh(NULL, fast);
    struct dlcs_error err = {0};
    int before = calls("PutObject");
    void *data = NULL;
    size_t len = 0;

    (void)state;
    assert_true(s3_server_fail(&server, 2, 503, "SlowDown", "PUT"));
    OK(dlcs_blob_put_bytes(b, "k/retried", "abc", 3, NULL));
    assert_int_equal(calls("PutObject") - before, 3); /* two refused, the third stored */
    assert_true(s3_server_fail(&server, 1, 500, "InternalError", "GET"));
    OK(dlcs_blob_get_bytes(b, "k/retried", 10, &data, &len, NULL));
    assert_int_equal(len, 3);
    free(data);
    /* more failures than retries: the storage failed, transiently (503 to an API client) */
    assert_true(s3_server_fail(&server, 4, 503, "SlowDown", "PUT"));
    assert_int_equal(dlcs_blob_put_bytes(b, "k/lost", "abc", 3, &err), DLCS_EUPSTREAM);
    assert_non_null(strstr(err.message, "SlowDown"));
    /* a permanent refusal is not retried */
    before = calls("PutObject");
    assert_true(s3_server_fail(&server, 1, 403, "AccessDenied", "PUT"));
    assert_int_equal(dlcs_blob_put_bytes(b, "k/denied", "abc", 3, NULL), DLCS_EUPSTREAM);
    assert_int_equal(calls("PutObject") - before, 1);
    dlcs_blobstore_free(b);
}

static void large_files_go_up_in_parts(void **state)
{
    const char *const parts[] = {"DLCS_S3_PART_MB=5", NULL};
    struct dlcs_blobstore *b = open_fresh(NULL, parts);
    size_t n = 12 * 1024 * 1024 + 5;
    char path[] = "/tmp/dlcs-s3-part-XXXXXX";
    unsigned char *bytes = blob_contract_temp_file(path, n);
    int created = calls("CreateMultipartUpload"), sent = calls("UploadPart");
    void *data = NULL;
    size_t len = 0;

    (void)state;
    OK(dlcs_blob_put_file(b, "2/5/big/image.tif", path, NULL));
    assert_int_equal(calls("CreateMultipartUpload") - created, 1);
    assert_int_equal(calls("UploadPart") - sent, 3); /* 5 + 5 + 2 MiB */
    OK(dlcs_blob_get_bytes(b, "2/5/big/image.tif", n, &data, &len, NULL));
    assert_int_equal(len, n);
    assert_memory_equal(data, bytes, n);
    free(data);
    /* a part refused for good: the upload is aborted, nothing stored, nothing left open */
    assert_true(s3_server_fail(&server, 1, 400, "InvalidArgument", "PUT"));
    assert_int_equal(dlcs_blob_put_file(b, "2/5/big2/image.tif", path, NULL), DLCS_EINTERNAL);
    assert_int_equal(calls("uploads"), 0);
    assert_int_equal(dlcs_blob_get_bytes(b, "2/5/big2/image.tif", n, &data, &len, NULL),
                     DLCS_ENOTFOUND);
    unlink(path);
    free(bytes);
    dlcs_blobstore_free(b);
}

static void a_prefix_of_many_pages_is_removed(void **state)
{
    struct dlcs_blobstore *b = open_empty();
    int64_t size = 0;
    char key[64];
    int lists = calls("ListObjectsV2");

    (void)state;
    for (int i = 0; i < 1003; i++) {
        (void)snprintf(key, sizeof key, "2/5/many/thumbs/%04d.jpg", i);
        OK(dlcs_blob_put_bytes(b, key, "j", 1, NULL));
    }
    OK(dlcs_blob_put_bytes(b, "2/5/many2/keep", "k", 1, NULL));
    OK(dlcs_blob_remove_prefix(b, "2/5/many", NULL));
    assert_int_equal(calls("ListObjectsV2") - lists, 2); /* 1,000 then 3 */
    assert_int_equal(calls("DeleteObjects") >= 2, 1);
    OK(dlcs_blob_size(b, "2/5/many2/keep", &size, NULL));
    assert_int_equal(dlcs_blob_size(b, "2/5/many/thumbs/1002.jpg", &size, NULL), DLCS_ENOTFOUND);
    assert_int_equal(dlcs_blob_size(b, "2/5/many/thumbs/0000.jpg", &size, NULL), DLCS_ENOTFOUND);
    dlcs_blobstore_free(b);
}

static void virtual_hosted_addressing_works(void **state)
{
    char url[1024], port[16];
    const char *colon = strrchr(server.endpoint, ':');
    struct dlcs_blobstore *b;
    void *data = NULL;
    size_t len = 0;

    (void)state;
    (void)snprintf(port, sizeof port, "%s", colon + 1);
    (void)snprintf(url, sizeof url,
                   "s3://%s/vhost?endpoint=http://localhost:%s&region=us-east-1&style=virtual",
                   server.bucket, port);
    b = open_url(url, NULL);
    OK(dlcs_blob_put_bytes(b, "2/5/v/sizes.json", "{}", 2, NULL));
    OK(dlcs_blob_get_bytes(b, "2/5/v/sizes.json", 10, &data, &len, NULL));
    assert_int_equal(len, 2);
    free(data);
    dlcs_blobstore_free(b);
    /* the same object, path-style */
    (void)snprintf(url, sizeof url, "s3://%s/vhost?%s", server.bucket, server.query);
    b = open_url(url, NULL);
    OK(dlcs_blob_get_bytes(b, "2/5/v/sizes.json", 10, &data, &len, NULL));
    free(data);
    dlcs_blobstore_free(b);
}

static void a_missing_bucket_is_a_failing_storage(void **state)
{
    char url[1024];
    struct dlcs_blobstore *b;
    struct dlcs_error err = {0};
    void *data = NULL;
    size_t len = 0;

    (void)state;
    (void)snprintf(url, sizeof url, "s3://no-such-bucket/x?%s", server.query);
    b = open_url(url, NULL);
    assert_int_equal(dlcs_blob_get_bytes(b, "k", 10, &data, &len, &err), DLCS_EUPSTREAM);
    assert_non_null(strstr(err.message, "NoSuchBucket"));
    dlcs_blobstore_free(b);
}

static void an_unanswering_server_fails_within_the_timeout(void **state)
{
    const char *const quick[] = {"DLCS_S3_TIMEOUT_MS=300", "DLCS_S3_RETRIES=1",
                                 "DLCS_S3_RETRY_BASE_MS=1", NULL};
    struct dlcs_blobstore *b = open_fresh(NULL, quick);
    enum dlcs_status st;
    int64_t size = 0;

    (void)state;
    assert_true(s3_server_freeze(&server, true));
    st = dlcs_blob_size(b, "k", &size, NULL);
    assert_int_not_equal(dlcs_blob_ping(b, NULL), DLCS_OK);
    assert_true(s3_server_freeze(&server, false));
    assert_true(st == DLCS_ETIMEOUT || st == DLCS_EUPSTREAM);
    dlcs_blobstore_free(b);
}

static void bad_storage_urls_are_refused(void **state)
{
    static const char *const bad[] = {
        "s3://",
        "s3://UPPER/x",
        "s3://ab",
        "s3://bucket/../x",
        "s3://bucket/x?style=sideways",
        "s3://bucket/x?colour=blue",
        "s3://bucket/x?endpoint=ftp://host",
        "s3://bucket/x?endpoint=http://host/path",
    };
    struct dlcs_config cfg;

    (void)state;
    OK(dlcs_config_load(&cfg, lookup, NULL, NULL));
    for (size_t i = 0; i < DLCS_ARRAY_LEN(bad); i++) {
        struct dlcs_blobstore *b = NULL;
        struct dlcs_error err = {0};

        assert_int_equal(dlcs_blobstore_open(bad[i], &cfg, &b, &err), DLCS_EINVAL);
        assert_null(b);
        assert_non_null(strstr(err.message, "DLCS_STORAGE"));
    }
    dlcs_config_release(&cfg);
}

static int run_s3_only(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_wrong_secret_is_refused_never_not_found),
        cmocka_unit_test(transient_failures_are_retried),
        cmocka_unit_test(large_files_go_up_in_parts),
        cmocka_unit_test(a_prefix_of_many_pages_is_removed),
        cmocka_unit_test(virtual_hosted_addressing_works),
        cmocka_unit_test(a_missing_bucket_is_a_failing_storage),
        cmocka_unit_test(an_unanswering_server_fails_within_the_timeout),
        cmocka_unit_test(bad_storage_urls_are_refused),
    };

    return cmocka_run_group_tests_name("S3 adapter on the signature-checking fake", tests, NULL,
                                       NULL);
}

static int run_on(enum s3_kind kind, const char *name)
{
    const struct blob_contract_adapter s3 = {name, open_empty, cleanup, kind == S3_S3RVER};
    int rc = s3_server_start(&server, kind, "dlcs-contract");
    int failures;

    if (rc == 1) {
        printf("# %s: not available here, skipped\n", name);
        return 0;
    }
    if (rc != 0)
        return 1;
    failures = blob_contract_run(&s3);
    if (kind == S3_FAKE)
        failures += run_s3_only();
    s3_server_stop(&server);
    return failures;
}

int main(void)
{
    int failures = 0;

    failures += run_on(S3_FAKE, "blob contract: S3 on the signature-checking fake");
    failures += run_on(S3_S3RVER, "blob contract: S3 on s3rver");
    failures += run_on(S3_REAL, "blob contract: S3 on DLCS_TEST_S3_URL");
    return failures;
}
