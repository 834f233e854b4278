/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "dlcs/error.h"

#include "cm.h"

static void first_message_wins_and_prefix_adds_context(void **state)
{
    struct dlcs_error err = {0};

    (void)state;
    assert_int_equal(dlcs_error_set(&err, DLCS_ENOTFOUND, "no asset '%s'", "a1"), DLCS_ENOTFOUND);
    assert_int_equal(dlcs_error_set(&err, DLCS_EINVAL, "later"), DLCS_EINVAL);
    dlcs_error_prefix(&err, "manifest '%s'", "m9");
    assert_string_equal(err.message, "manifest 'm9': no asset 'a1'");
    assert_int_equal(err.code, DLCS_ENOTFOUND);
    assert_int_equal(dlcs_status_http(err.code), 404);
}

static void null_error_is_allowed(void **state)
{
    (void)state;
    assert_int_equal(dlcs_error_set(NULL, DLCS_ECONFLICT, "x"), DLCS_ECONFLICT);
    dlcs_error_prefix(NULL, "ctx");
}

static void newlines_never_reach_a_message(void **state)
{
    struct dlcs_error err = {0};

    (void)state;
    (void)dlcs_error_set(&err, DLCS_EINVAL, "line1\nline2\r");
    assert_null(strchr(err.message, '\n'));
    assert_null(strchr(err.message, '\r'));
}

static void every_status_maps_to_http(void **state)
{
    static const struct {
        enum dlcs_status st;
        unsigned http;
        const char *name;
    } rows[] = {
        {DLCS_OK, 200, "ok"},
        {DLCS_EINVAL, 400, "invalid"},
        {DLCS_EAUTH, 401, "unauthorized"},
        {DLCS_EFORBIDDEN, 403, "forbidden"},
        {DLCS_ENOTFOUND, 404, "not_found"},
        {DLCS_ECONFLICT, 409, "conflict"},
        {DLCS_ETOOLARGE, 413, "too_large"},
        {DLCS_EUNSUPPORTED, 501, "unsupported"},
        {DLCS_EBUSY, 503, "busy"},
        {DLCS_EUPSTREAM, 503, "upstream"}, /* the store or queue failing: transient */
        {DLCS_EINTERNAL, 500, "internal"},
        {DLCS_EORIGIN, 502, "origin"}, /* the client's origin failed */
    };

    (void)state;
    for (size_t i = 0; i < DLCS_ARRAY_LEN(rows); i++) {
        assert_int_equal(dlcs_status_http(rows[i].st), rows[i].http);
        assert_string_equal(dlcs_status_name(rows[i].st), rows[i].name);
    }
    assert_int_equal(dlcs_status_http((enum dlcs_status)99), 500);
}

static void long_messages_are_cut_not_overflowed(void **state)
{
    struct dlcs_error err = {0};
    char big[1000];

    (void)state;
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    (void)dlcs_error_set(&err, DLCS_EINVAL, "%s", big);
    assert_int_equal(strlen(err.message), sizeof err.message - 1);
    dlcs_error_prefix(&err, "ctx");
    assert_int_equal(strlen(err.message), sizeof err.message - 1);
    assert_memory_equal(err.message, "ctx: x", 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_message_wins_and_prefix_adds_context),
        cmocka_unit_test(null_error_is_allowed),
        cmocka_unit_test(newlines_never_reach_a_message),
        cmocka_unit_test(every_status_maps_to_http),
        cmocka_unit_test(long_messages_are_cut_not_overflowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
