/* SPDX-License-Identifier: Apache-2.0 */
/* The blob storage contract: every adapter (directory, S3) passes it unchanged. */
#include "blob_contract.h"

#include <pthread.h>
#include <setjmp.h> /* cmocka needs these before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dlcs/mem.h"

#define OK(expr) assert_int_equal((expr), DLCS_OK)

static const struct blob_contract_adapter *adapter;

static int setup(void **state)
{
    *state = adapter->open_empty();
    return *state ? 0 : -1;
}

static int teardown(void **state)
{
    dlcs_blobstore_free(*state);
    adapter->cleanup();
    return 0;
}

/* The object under 'key' equals 'want' ('n' bytes). */
static void expect_object(struct dlcs_blobstore *b, const char *key, const void *want, size_t n)
{
    void *data = NULL;
    size_t len = 0;
    int64_t size = -1;

    OK(dlcs_blob_get_bytes(b, key, n + 1, &data, &len, NULL));
    assert_int_equal(len, n);
    assert_memory_equal(data, want, n);
    assert_int_equal(((char *)data)[n], '\0'); /* NUL-terminated for convenience */
    free(data);
    OK(dlcs_blob_size(b, key, &size, NULL));
    assert_int_equal(size, (int64_t)n);
}

static void objects_round_trip_and_are_replaced_whole(void **state)
{
    struct dlcs_blobstore *b = *state;

    OK(dlcs_blob_put_bytes(b, "2/5/a/sizes.json", "{\"w\":300}", 9, NULL));
    expect_object(b, "2/5/a/sizes.json", "{\"w\":300}", 9);
    OK(dlcs_blob_put_bytes(b, "2/5/a/sizes.json", "{}", 2, NULL)); /* shorter: nothing left over */
    expect_object(b, "2/5/a/sizes.json", "{}", 2);
    OK(dlcs_blob_put_bytes(b, "2/5/a/empty", "", 0, NULL));
    expect_object(b, "2/5/a/empty", "", 0);
}

static void absent_objects_are_not_found(void **state)
{
    struct dlcs_blobstore *b = *state;
    void *data = NULL;
    size_t len = 0;
    int64_t size = 0;

    assert_int_equal(dlcs_blob_get_bytes(b, "2/5/none", 10, &data, &len, NULL), DLCS_ENOTFOUND);
    assert_null(data);
    assert_int_equal(dlcs_blob_size(b, "2/5/none", &size, NULL), DLCS_ENOTFOUND);
    OK(dlcs_blob_remove_prefix(b, "2/5/none", NULL)); /* nothing to remove: fine */
}

static void a_working_storage_answers_its_ping(void **state)
{
    OK(dlcs_blob_ping(*state, NULL));
}

static void reads_are_bounded(void **state)
{
    struct dlcs_blobstore *b = *state;
    struct dlcs_error err = {0};
    void *data = NULL;
    size_t len = 0;

    OK(dlcs_blob_put_bytes(b, "k", "12345678", 8, NULL));
    assert_int_equal(dlcs_blob_get_bytes(b, "k", 7, &data, &len, &err), DLCS_ETOOLARGE);
    assert_null(data);
    OK(dlcs_blob_get_bytes(b, "k", 8, &data, &len, NULL)); /* exactly the bound */
    assert_int_equal(len, 8);
    free(data);
}

unsigned char *blob_contract_temp_file(char *path, size_t n)
{
    unsigned char *bytes = dlcs_xmalloc(n);
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;

    for (size_t i = 0; i < n; i++)
        bytes[i] = (unsigned char)(i * 131 + i / 7);
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
    return bytes;
}

static void files_are_copied_in(void **state)
{
    struct dlcs_blobstore *b = *state;
    size_t n = 3 * 1024 * 1024 + 17; /* several MiB: whatever chunks an adapter writes in */
    char path[] = "/tmp/dlcs-blob-contract-XXXXXX";
    unsigned char *bytes = blob_contract_temp_file(path, n);

    OK(dlcs_blob_put_file(b, "2/5/big/image.tif", path, NULL));
    assert_int_equal(access(path, R_OK), 0); /* the source stays where it was */
    expect_object(b, "2/5/big/image.tif", bytes, n);
    unlink(path);
    free(bytes);
}

/* An object copied out into a local file arrives whole, or no file appears. */
static void objects_are_copied_out_whole_or_not_at_all(void **state)
{
    struct dlcs_blobstore *b = *state;
    size_t n = 2 * 1024 * 1024 + 3;
    unsigned char *bytes = dlcs_xmalloc(n);
    char dir[] = "/tmp/dlcs-blob-out-XXXXXX", dest[64];
    FILE *f;
    char *back;

    for (size_t i = 0; i < n; i++)
        bytes[i] = (unsigned char)(i * 17 + i / 251);
    assert_non_null(mkdtemp(dir));
    (void)snprintf(dest, sizeof dest, "%s/copy", dir);
    OK(dlcs_blob_put_bytes(b, "2/5/out/origin", bytes, n, NULL));
    OK(dlcs_blob_get_file(b, "2/5/out/origin", dest, (int64_t)n, NULL));
    back = dlcs_xmalloc(n + 1);
    f = fopen(dest, "rb");
    assert_non_null(f);
    assert_int_equal(fread(back, 1, n + 1, f), n);
    fclose(f);
    assert_memory_equal(back, bytes, n);
    unlink(dest);
    assert_int_equal(dlcs_blob_get_file(b, "2/5/out/none", dest, (int64_t)n, NULL), DLCS_ENOTFOUND);
    assert_int_not_equal(access(dest, F_OK), 0);
    assert_int_equal(dlcs_blob_get_file(b, "2/5/out/origin", dest, (int64_t)n - 1, NULL),
                     DLCS_ETOOLARGE);
    assert_int_not_equal(access(dest, F_OK), 0);
    assert_int_equal(rmdir(dir), 0); /* no temporary file left behind either */
    free(back);
    free(bytes);
}

/*
 * A prefix takes the objects below it (and an object of that very key), nothing beside it.
 * Keys are paths: one object's key is never a prefix of another's (a directory cannot be both).
 */
static void remove_prefix_takes_the_tree_and_nothing_beside_it(void **state)
{
    static const char *const gone[] = {"2/5/x/a", "2/5/x/b/c", "2/6/solo"};
    static const char *const kept[] = {"2/5/xy", "2/5/x2/a", "2/5/y/x", "2/6/solo2"};
    struct dlcs_blobstore *b = *state;
    int64_t size = 0;

    for (size_t i = 0; i < DLCS_ARRAY_LEN(gone); i++)
        OK(dlcs_blob_put_bytes(b, gone[i], "g", 1, NULL));
    for (size_t i = 0; i < DLCS_ARRAY_LEN(kept); i++)
        OK(dlcs_blob_put_bytes(b, kept[i], "k", 1, NULL));
    OK(dlcs_blob_remove_prefix(b, "2/5/x", NULL));
    OK(dlcs_blob_remove_prefix(b, "2/6/solo", NULL));
    for (size_t i = 0; i < DLCS_ARRAY_LEN(gone); i++)
        assert_int_equal(dlcs_blob_size(b, gone[i], &size, NULL), DLCS_ENOTFOUND);
    for (size_t i = 0; i < DLCS_ARRAY_LEN(kept); i++)
        OK(dlcs_blob_size(b, kept[i], &size, NULL));
}

static void unsafe_keys_are_refused_everywhere(void **state)
{
    static const char *const bad[] = {"", "/abs", "a//b", "a/", "../x", "a/../b", "a\\b"};
    struct dlcs_blobstore *b = *state;
    void *data = NULL;
    size_t len = 0;
    int64_t size = 0;

    for (size_t i = 0; i < DLCS_ARRAY_LEN(bad); i++) {
        assert_int_equal(dlcs_blob_put_bytes(b, bad[i], "x", 1, NULL), DLCS_EINVAL);
        assert_int_equal(dlcs_blob_get_bytes(b, bad[i], 9, &data, &len, NULL), DLCS_EINVAL);
        assert_int_equal(dlcs_blob_size(b, bad[i], &size, NULL), DLCS_EINVAL);
        assert_int_equal(dlcs_blob_remove_prefix(b, bad[i], NULL), DLCS_EINVAL);
    }
}

/* A local path reads the object, or the adapter says it has none (remote storage). */
static void a_local_path_reads_the_object_or_is_unsupported(void **state)
{
    struct dlcs_blobstore *b = *state;
    char *path = NULL, buf[8] = {0};
    enum dlcs_status st;
    FILE *f;

    OK(dlcs_blob_put_bytes(b, "2/5/p/image.tif", "pixels", 6, NULL));
    st = dlcs_blob_local_path(b, "2/5/p/image.tif", &path, NULL);
    assert_true(st == DLCS_OK || st == DLCS_EUNSUPPORTED);
    if (st != DLCS_OK)
        return;
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(buf, 1, sizeof buf, f), 6);
    assert_string_equal(buf, "pixels");
    fclose(f);
    free(path);
}

/* Ranged reads (what delivery reads tiles with) return exactly the span, short at the end. */
static void ranged_reads_return_exactly_the_span(void **state)
{
    struct dlcs_blobstore *b = *state;
    unsigned char bytes[1000], buf[400];
    size_t got = 99;

    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)(i * 7 % 251);
    OK(dlcs_blob_put_bytes(b, "2/5/r/image.tif", bytes, sizeof bytes, NULL));
    OK(dlcs_blob_read_range(b, "2/5/r/image.tif", 100, 200, buf, &got, NULL));
    assert_int_equal(got, 200);
    assert_memory_equal(buf, bytes + 100, 200);
    OK(dlcs_blob_read_range(b, "2/5/r/image.tif", 0, 1, buf, &got, NULL));
    assert_int_equal(got, 1);
    assert_int_equal(buf[0], bytes[0]);
    OK(dlcs_blob_read_range(b, "2/5/r/image.tif", 900, 400, buf, &got, NULL));
    assert_int_equal(got, 100); /* short at the end */
    assert_memory_equal(buf, bytes + 900, 100);
    OK(dlcs_blob_read_range(b, "2/5/r/image.tif", 1000, 10, buf, &got, NULL));
    assert_int_equal(got, 0);
    OK(dlcs_blob_read_range(b, "2/5/r/image.tif", 5000, 10, buf, &got, NULL));
    assert_int_equal(got, 0);
    assert_int_equal(dlcs_blob_read_range(b, "2/5/r/none.tif", 0, 10, buf, &got, NULL),
                     DLCS_ENOTFOUND);
    assert_int_equal(dlcs_blob_read_range(b, "2/5/r/image.tif", -1, 10, buf, &got, NULL),
                     DLCS_EINVAL);
}

#define WHOLE (256 * 1024)

struct writer {
    struct dlcs_blobstore *b;
    char fill;
};

static void *overwrite(void *p)
{
    struct writer *w = p;
    char *bytes = dlcs_xmalloc(WHOLE);

    memset(bytes, w->fill, WHOLE);
    for (int i = 0; i < 40; i++)
        OK(dlcs_blob_put_bytes(w->b, "2/5/hot/sizes.json", bytes, WHOLE, NULL));
    free(bytes);
    return NULL;
}

/* Two writers replace one object while it is read: every read is one of them, whole. */
static void a_reader_never_sees_part_of_an_object(void **state)
{
    struct dlcs_blobstore *b = *state;
    struct writer w[2] = {{b, 'A'}, {b, 'B'}};
    pthread_t t[2];
    char *filled;

    if (adapter->replaces_in_place) {
        printf("# skipped: %s writes objects in place (S3 itself never shows part of one)\n",
               adapter->name);
        skip();
    }
    filled = dlcs_xmalloc(WHOLE);
    memset(filled, 'A', WHOLE);
    OK(dlcs_blob_put_bytes(b, "2/5/hot/sizes.json", filled, WHOLE, NULL));
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, overwrite, &w[i]), 0);
    for (int r = 0; r < 80; r++) {
        void *data = NULL;
        size_t len = 0;

        OK(dlcs_blob_get_bytes(b, "2/5/hot/sizes.json", WHOLE, &data, &len, NULL));
        assert_int_equal(len, WHOLE);
        memset(filled, ((char *)data)[0], WHOLE);
        assert_memory_equal(data, filled, WHOLE);
        free(data);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    free(filled);
}

int blob_contract_run(const struct blob_contract_adapter *a)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(objects_round_trip_and_are_replaced_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(absent_objects_are_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(a_working_storage_answers_its_ping, setup, teardown),
        cmocka_unit_test_setup_teardown(reads_are_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(files_are_copied_in, setup, teardown),
        cmocka_unit_test_setup_teardown(remove_prefix_takes_the_tree_and_nothing_beside_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(unsafe_keys_are_refused_everywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(a_local_path_reads_the_object_or_is_unsupported, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(objects_are_copied_out_whole_or_not_at_all, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(ranged_reads_return_exactly_the_span, setup, teardown),
        cmocka_unit_test_setup_teardown(a_reader_never_sees_part_of_an_object, setup, teardown),
    };

    adapter = a;
    return cmocka_run_group_tests_name(a->name, tests, NULL, NULL);
}
