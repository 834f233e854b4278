/* SPDX-License-Identifier: Apache-2.0 */
#include "dlcs/clock.h"

#include "cm.h"

static void format_and_parse_round_trip(void **state)
{
    static const struct {
        int64_t ms;
        const char *text;
    } rows[] = {
        {0, "1970-01-01T00:00:00.000Z"},
        {1579275418602, "2020-01-17T15:36:58.602Z"},
        {951782400000, "2000-02-29T00:00:00.000Z"},
        {4102444799999, "2099-12-31T23:59:59.999Z"},
    };
    char buf[DLCS_TIME_BUF];

    (void)state;
    for (size_t i = 0; i < DLCS_ARRAY_LEN(rows); i++) {
        int64_t back = -1;

        assert_string_equal(dlcs_time_format(rows[i].ms, buf), rows[i].text);
        assert_int_equal(dlcs_time_parse(rows[i].text, &back, NULL), DLCS_OK);
        assert_int_equal(back, rows[i].ms);
    }
}

static void parse_accepts_reference_precision(void **state)
{
    int64_t ms;

    (void)state;
    /* the reference system writes 7 fractional digits */
    assert_int_equal(dlcs_time_parse("2020-01-17T15:36:58.6023600Z", &ms, NULL), DLCS_OK);
    assert_int_equal(ms, 1579275418602);
    assert_int_equal(dlcs_time_parse("2020-01-17T15:36:58Z", &ms, NULL), DLCS_OK);
    assert_int_equal(ms, 1579275418000);
}

static void parse_refuses_malformed(void **state)
{
    static const char *const bad[] = {"",
                                      "2020-01-17",
                                      "2020-13-01T00:00:00Z",
                                      "2020-01-17T15:36:58",
                                      "2020-01-17T25:00:00Z",
                                      "2020-01-17T15:36:58.Z",
                                      "2020-01-17 15:36:58Z",
                                      "2020-01-17T15:36:58Zjunk"};
    int64_t ms;

    (void)state;
    for (size_t i = 0; i < DLCS_ARRAY_LEN(bad); i++) {
        struct dlcs_error err = {0};

        assert_int_equal(dlcs_time_parse(bad[i], &ms, &err), DLCS_EINVAL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_and_parse_round_trip),
        cmocka_unit_test(parse_accepts_reference_precision),
        cmocka_unit_test(parse_refuses_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
