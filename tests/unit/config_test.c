/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/config.h"

#include "cm.h"

/* A fake environment: NULL-terminated pairs. */
static const char *lookup(const char *name, void *ctx)
{
    const char *const *kv = ctx;

    for (; kv[0]; kv += 2) {
        if (strcmp(kv[0], name) == 0)
            return kv[1];
    }
    return NULL;
}

static void defaults_apply(void **state)
{
    const char *env[] = {NULL};
    struct dlcs_config cfg;

    (void)state;
    assert_int_equal(dlcs_config_load(&cfg, lookup, env, NULL), DLCS_OK);
    assert_int_equal(cfg.http_port, 8080);
    assert_string_equal(cfg.data_dir, "./dlcs-data");
    assert_null(cfg.public_url);
    assert_true(cfg.workers >= 1);
    assert_int_equal(cfg.log_level, DLCS_LOG_INFO);
    assert_false(cfg.origin_allow_private);
    dlcs_config_release(&cfg);
}

static void values_are_read(void **state)
{
    const char *env[] = {"DLCS_HTTP_PORT",
                         "0",
                         "DLCS_DATA_DIR",
                         "/var/lib/dlcs",
                         "DLCS_LOG_LEVEL",
                         "debug",
                         "DLCS_ORIGIN_ALLOW_PRIVATE",
                         "1",
                         "DLCS_WORKERS",
                         "3",
                         "DLCS_PUBLIC_URL",
                         "",
                         NULL};
    struct dlcs_config cfg;

    (void)state;
    assert_int_equal(dlcs_config_load(&cfg, lookup, env, NULL), DLCS_OK);
    assert_int_equal(cfg.http_port, 0);
    assert_string_equal(cfg.data_dir, "/var/lib/dlcs");
    assert_int_equal(cfg.log_level, DLCS_LOG_DEBUG);
    assert_true(cfg.origin_allow_private);
    assert_int_equal(cfg.workers, 3);
    assert_null(cfg.public_url); /* empty = unset, as Helm renders absent values */
    dlcs_config_release(&cfg);
}

static void invalid_values_name_the_variable(void **state)
{
    static const struct {
        const char *name, *value, *expect;
    } rows[] = {
        {"DLCS_HTTP_PORT", "eighty", "DLCS_HTTP_PORT='eighty' is not an integer"},
        {"DLCS_HTTP_PORT", "70000", "DLCS_HTTP_PORT=70000 is outside 0..65535"},
        {"DLCS_HTTP_PORT", "-1", "DLCS_HTTP_PORT=-1 is outside 0..65535"},
        {"DLCS_HTTP_PORT", "80x", "DLCS_HTTP_PORT='80x' is not an integer"},
        {"DLCS_LOG_LEVEL", "loud", "DLCS_LOG_LEVEL: log level 'loud' is not one of"},
        {"DLCS_ORIGIN_ALLOW_PRIVATE", "maybe", "DLCS_ORIGIN_ALLOW_PRIVATE='maybe' is not a"},
        {"DLCS_WORKERS", "100000", "DLCS_WORKERS=100000 is outside"},
        {"DLCS_SQLITE_POOL", "0", "DLCS_SQLITE_POOL=0 is outside 1..64"},
    };

    (void)state;
    for (size_t i = 0; i < DLCS_ARRAY_LEN(rows); i++) {
        const char *env[] = {rows[i].name, rows[i].value, NULL};
        struct dlcs_config cfg;
        struct dlcs_error err = {0};

        assert_int_equal(dlcs_config_load(&cfg, lookup, env, &err), DLCS_EINVAL);
        if (strncmp(err.message, rows[i].expect, strlen(rows[i].expect)) != 0)
            fail_msg("row %zu: got '%s'", i, err.message);
    }
}

static void secrets_are_masked_when_printed(void **state)
{
    const char *env[] = {"DLCS_BOOTSTRAP_ADMIN", "admin:supersecret", NULL};
    struct dlcs_config cfg;
    char buf[4096] = {0};
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");

    (void)state;
    assert_int_equal(dlcs_config_load(&cfg, lookup, env, NULL), DLCS_OK);
    dlcs_config_print(&cfg, f);
    fclose(f);
    assert_null(strstr(buf, "supersecret"));
    assert_non_null(strstr(buf, "DLCS_BOOTSTRAP_ADMIN=********"));
    assert_non_null(strstr(buf, "DLCS_HTTP_PORT=8080"));
    dlcs_config_release(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_apply),
        cmocka_unit_test(values_are_read),
        cmocka_unit_test(invalid_values_name_the_variable),
        cmocka_unit_test(secrets_are_masked_when_printed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
