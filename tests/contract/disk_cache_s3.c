/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dlcs iiif's render cache (iiif/src/disk_cache.c) on S3 storage (the signature-checking
 * fake): a miss fetches once and later calls are hits, peeks never fetch, least recently used
 * files go past the bound while recently used ones stay, an image becomes "hot" exactly once
 * after DLCS_CACHE_COPY_AFTER tile requests, a private cache is removed at the end.
 */
#include <fcntl.h>
#include <setjmp.h> /* cmocka needs these before cmocka.h */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dlcs/adapters.h"
#include "dlcs/config.h"
#include "dlcs/fs.h"

#include "disk_cache.h"
#include "s3_server.h"

#define OK(expr) assert_int_equal((expr), DLCS_OK)

static struct s3_server server;
static struct dlcs_blobstore *blobs;

static int object_gets(void)
{
    int n = s3_server_count(&server, "GetObject");

    assert_true(n >= 0);
    return n;
}

static int setup(void **state)
{
    char url[1024];
    struct dlcs_config cfg;

    (void)state;
    if (s3_server_start(&server, S3_FAKE, "dlcs-cache") != 0)
        return -1;
    s3_server_storage_url(&server, "c", NULL, url, sizeof url);
    if (dlcs_config_load(&cfg, NULL, NULL, NULL) != DLCS_OK)
        return -1;
    if (dlcs_blobstore_open(url, &cfg, &blobs, NULL) != DLCS_OK)
        return -1;
    dlcs_config_release(&cfg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dlcs_blobstore_free(blobs);
    s3_server_stop(&server);
    return 0;
}

static void a_miss_fetches_once_then_hits(void **state)
{
    const struct dlcs_disk_cache_settings set = {NULL, NULL, 1 << 20, 1 << 19, 0};
    struct dlcs_disk_cache *c = dlcs_disk_cache_new(&set, NULL);
    char *path = NULL, *again = NULL, *dir;
    int64_t fetched = 0, hits = 0;
    int before;

    (void)state;
    assert_non_null(c);
    OK(dlcs_blob_put_bytes(blobs, "2/1/a/g1/image.tif", "tiff bytes", 10, NULL));
    assert_null(dlcs_disk_cache_peek(c, blobs, "2/1/a/g1/image.tif")); /* never fetches */
    before = object_gets();
    OK(dlcs_disk_cache_path(c, blobs, "2/1/a/g1/image.tif", &path, NULL));
    OK(dlcs_disk_cache_path(c, blobs, "2/1/a/g1/image.tif", &again, NULL));
    assert_int_equal(object_gets() - before, 1);
    assert_string_equal(path, again);
    assert_int_equal(access(path, R_OK), 0);
    free(again);
    again = dlcs_disk_cache_peek(c, blobs, "2/1/a/g1/image.tif");
    assert_non_null(again);
    dlcs_disk_cache_counts(c, &fetched, &hits);
    assert_int_equal(fetched, 10);
    assert_int_equal(hits, 2);
    free(again);
    assert_int_equal(dlcs_disk_cache_path(c, blobs, "2/1/none/image.tif", &again, NULL),
                     DLCS_ENOTFOUND);
    assert_null(again);
    dir = strdup(path);
    *strstr(dir, "/2/1/a/") = '\0';
    dlcs_disk_cache_free(c); /* a private cache: removed */
    assert_int_not_equal(access(dir, F_OK), 0);
    free(dir);
    free(path);
}

/* Backdate a cached file's use by two minutes. */
static void age(const char *path)
{
    struct timespec t[2];

    clock_gettime(CLOCK_REALTIME, &t[0]);
    t[0].tv_sec -= 120;
    t[1] = t[0];
    assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

static void least_recently_used_files_go_past_the_bound(void **state)
{
    const struct dlcs_disk_cache_settings set = {NULL, NULL, 1 << 20, 1 << 19, 0};
    struct dlcs_disk_cache *c = dlcs_disk_cache_new(&set, NULL);
    char *bytes = calloc(1, 300 << 10), *p[4];
    const char *keys[] = {"2/1/e/a.tif", "2/1/e/b.tif", "2/1/e/c.tif", "2/1/e/d.tif"};

    (void)state;
    for (int i = 0; i < 4; i++)
        OK(dlcs_blob_put_bytes(blobs, keys[i], bytes, 300 << 10, NULL));
    for (int i = 0; i < 3; i++)
        OK(dlcs_disk_cache_path(c, blobs, keys[i], &p[i], NULL));
    age(p[0]); /* a: long unused; b: too, but used again just now (a hit touches it) */
    age(p[1]);
    free(p[1]);
    OK(dlcs_disk_cache_path(c, blobs, keys[1], &p[1], NULL));
    OK(dlcs_disk_cache_path(c, blobs, keys[3], &p[3], NULL)); /* 1.2 MB > 1 MB: evict */
    assert_int_not_equal(access(p[0], F_OK), 0);
    for (int i = 1; i < 4; i++)
        assert_int_equal(access(p[i], F_OK), 0); /* recently used: kept, even over the bound */
    for (int i = 0; i < 4; i++)
        free(p[i]);
    free(bytes);
    dlcs_disk_cache_free(c);
}

static void an_image_is_hot_once_after_its_tiles(void **state)
{
    const struct dlcs_disk_cache_settings on = {NULL, NULL, 1 << 20, 1 << 19, 3};
    const struct dlcs_disk_cache_settings off = {NULL, NULL, 1 << 20, 1 << 19, 0};
    struct dlcs_disk_cache *c = dlcs_disk_cache_new(&on, NULL), *never;
    bool seq[5];

    (void)state;
    for (int i = 0; i < 5; i++)
        seq[i] = dlcs_disk_cache_hot(c, "2/1/z/g1/image.tif");
    assert_false(seq[0]);
    assert_false(seq[1]);
    assert_true(seq[2]);
    assert_false(seq[3]);
    assert_false(seq[4]);
    dlcs_disk_cache_free(c);
    never = dlcs_disk_cache_new(&off, NULL);
    for (int i = 0; i < 5; i++)
        assert_false(dlcs_disk_cache_hot(never, "2/1/z/g1/image.tif"));
    dlcs_disk_cache_free(never);
    assert_false(dlcs_disk_cache_hot(NULL, "k"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_miss_fetches_once_then_hits),
        cmocka_unit_test(least_recently_used_files_go_past_the_bound),
        cmocka_unit_test(an_image_is_hot_once_after_its_tiles),
    };

    return cmocka_run_group_tests_name("render cache on S3", tests, setup, teardown);
}
