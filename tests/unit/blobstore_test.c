/* SPDX-License-Identifier: Apache-2.0 */
/* The blob storage port on the directory adapter: keys, atomic writes, reads, removal. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/adapters.h"
#include "dlcs/blobstore.h"
#include "dlcs/fs.h"

#include "cm.h"

static void keys_cannot_escape_the_root(void **state)
{
    static const struct {
        const char *key;
        int ok;
    } rows[] = {
        {"2/5/b1_0001.tif/image.tif", 1},
        {"a", 1},
        {"a/b.c/d", 1},
        {"", 0},
        {"/abs", 0},
        {"a//b", 0},
        {"a/", 0},
        {"../x", 0},
        {"a/../b", 0},
        {"a/./b", 0},
        {".", 0},
        {"a\\b", 0},
        {"a\nb", 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if ((dlcs_blob_key_check(rows[i].key, NULL) == DLCS_OK) != rows[i].ok)
            fail_msg("row %zu '%s'", i, rows[i].key);
    }
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void write_read_size_remove(void **state)
{
    struct dlcs_error err = {0};
    char *root = dlcs_fs_scratch_dir(NULL, "dlcs-blob-test-", &err);
    char *dir = NULL;
    struct dlcs_blobstore *b = NULL;
    void *data = NULL;
    size_t len = 0;
    int64_t size = 0;
    char *path = NULL;

    (void)state;
    assert_non_null(root);
    assert_int_equal(dlcs_blobstore_open(root, NULL, &b, NULL), DLCS_OK);
    assert_int_equal(dlcs_blob_put_bytes(b, "2/5/x/sizes.json", "{\"a\":1}", 7, NULL), DLCS_OK);
    assert_int_equal(dlcs_blob_put_bytes(b, "2/5/x/sizes.json", "{\"a\":22}", 8, NULL), DLCS_OK);
    assert_int_equal(dlcs_blob_get_bytes(b, "2/5/x/sizes.json", 100, &data, &len, NULL), DLCS_OK);
    assert_int_equal(len, 8);
    assert_string_equal(data, "{\"a\":22}");
    free(data);
    assert_int_equal(dlcs_blob_get_bytes(b, "2/5/x/sizes.json", 4, &data, &len, &err),
                     DLCS_ETOOLARGE);
    assert_int_equal(dlcs_blob_size(b, "2/5/x/sizes.json", &size, NULL), DLCS_OK);
    assert_int_equal(size, 8);
    assert_int_equal(dlcs_blob_size(b, "2/5/x/none", &size, NULL), DLCS_ENOTFOUND);
    assert_int_equal(dlcs_blob_get_bytes(b, "2/5/x/none", 4, &data, &len, NULL), DLCS_ENOTFOUND);
    assert_int_equal(dlcs_blob_local_path(b, "2/5/x/sizes.json", &path, NULL), DLCS_OK);
    assert_int_equal(dlcs_blob_put_file(b, "2/5/y/copy.json", path, NULL), DLCS_OK);
    free(path);
    /* no temporary files are left beside the objects */
    dir = malloc(strlen(root) + 16);
    snprintf(dir, strlen(root) + 16, "%s/2/5/x", root);
    assert_int_equal(count_entries(dir), 1);
    assert_int_equal(dlcs_blob_remove_prefix(b, "2/5/x", NULL), DLCS_OK);
    assert_int_equal(dlcs_blob_size(b, "2/5/x/sizes.json", &size, NULL), DLCS_ENOTFOUND);
    assert_int_equal(dlcs_blob_size(b, "2/5/y/copy.json", &size, NULL), DLCS_OK);
    assert_int_equal(dlcs_blob_remove_prefix(b, "2/5/x", NULL), DLCS_OK); /* already gone */
    assert_int_equal(dlcs_blob_put_bytes(b, "../escape", "x", 1, &err), DLCS_EINVAL);
    dlcs_blobstore_free(b);
    assert_int_equal(dlcs_fs_remove_tree(root, NULL), DLCS_OK);
    free(dir);
    free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_cannot_escape_the_root),
        cmocka_unit_test(write_read_size_remove),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
