/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "dlcs/ids.h"

#include "cm.h"

static void asset_ids(void **state)
{
    static const struct {
        const char *id;
        int ok;
    } rows[] = {
        {"b2921371x_0001.jp2", 1},
        {"PP_AA_B_C_0001", 1},
        {"a~b-c.d", 1},
        {"x!$&'()*+,;=:@", 1},
        {"..a", 1},
        {"", 0},
        {".", 0},
        {"..", 0},
        {"a/b", 0},
        {"a b", 0},
        {"a%20b", 0},
        {"a\\b", 0},
        {"é", 0},
        {"a?b", 0},
        {"a#b", 0},
        {"a\"b", 0},
        {"tab\there", 0},
    };

    (void)state;
    for (size_t i = 0; i < DLCS_ARRAY_LEN(rows); i++) {
        struct dlcs_error err = {0};
        enum dlcs_status st = dlcs_id_check_asset(rows[i].id, "id", &err);

        if ((st == DLCS_OK) != rows[i].ok)
            fail_msg("row %zu '%s': %s", i, rows[i].id, err.message);
        if (!rows[i].ok)
            assert_non_null(strstr(err.message, "field 'id'"));
    }
}

static void asset_id_length_is_capped(void **state)
{
    char id[DLCS_ASSET_ID_MAX + 2];
    struct dlcs_error err = {0};

    (void)state;
    memset(id, 'a', sizeof id - 1);
    id[DLCS_ASSET_ID_MAX] = '\0';
    assert_int_equal(dlcs_id_check_asset(id, "id", NULL), DLCS_OK);
    id[DLCS_ASSET_ID_MAX] = 'a';
    id[DLCS_ASSET_ID_MAX + 1] = '\0';
    assert_int_equal(dlcs_id_check_asset(id, "id", &err), DLCS_EINVAL);
    assert_non_null(strstr(err.message, "longer than 255"));
}

static void customer_names(void **state)
{
    static const struct {
        const char *name;
        int ok;
    } rows[] = {
        {"acme", 1},  {"wellcome-collection", 1},
        {"a1", 1},    {"v2a", 1},
        {"1a", 1},    {"", 0},
        {"Acme", 0},  {"12", 0},
        {"v2", 0},    {"-acme", 0},
        {"ac me", 0}, {"acme/x", 0},
    };

    (void)state;
    for (size_t i = 0; i < DLCS_ARRAY_LEN(rows); i++) {
        enum dlcs_status st = dlcs_id_check_customer_name(rows[i].name, "name", NULL);

        if ((st == DLCS_OK) != rows[i].ok)
            fail_msg("row %zu '%s'", i, rows[i].name);
    }
}

static void uuids_are_version_4_and_distinct(void **state)
{
    char a[DLCS_UUID_BUF], b[DLCS_UUID_BUF];

    (void)state;
    dlcs_id_uuid(a);
    dlcs_id_uuid(b);
    assert_int_equal(strlen(a), 36);
    assert_int_equal(a[14], '4');
    assert_non_null(strchr("89ab", a[19]));
    assert_string_not_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(asset_ids),
        cmocka_unit_test(asset_id_length_is_capped),
        cmocka_unit_test(customer_names),
        cmocka_unit_test(uuids_are_version_4_and_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
