/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <string.h>

#include "dlcs/named_query.h"

#include "cm.h"

/* Templates as stored: accepted, or refused with a message naming where and why. */
static void stored_templates(void **state)
{
    static const struct {
        const char *tmpl, *error; /* error NULL = valid */
    } rows[] = {
        {"canvas=n1&space=p1&s1=p2", NULL},
        {"assetOrder=n1;n2 desc;s3&space=5&s1=p1", NULL},
        {"assetOrder=n3+asc&space=p1", NULL},
        {"space=p1&s1=p2&n2=p3&batch=p4&tag=p5&label=p6", NULL},
        {"manifest=s1&sequence=n1&canvas=n2&s1=p1&space=p2", NULL}, /* deliverator keys */
        {"spacename=books&s1=p1", NULL},
        {"batch=1,2,3&assetOrder=n1", NULL},
        {"#=books&spacename=p1&s1=p2", NULL},
        {"objectname=x{s1}&coverpage=https://x/y.pdf&s1=p1", NULL}, /* ignored keys */
        {"space=p1&&s1=p2", NULL},                                  /* empty pair */
        {"", "the template is empty"},
        {"space", "template position 1: 'space' is not key=value"},
        {"space=5&=x", "template position 9: '=x' is not key=value"},
        {"space=x", "template position 1: 'space' must be a positive integer, not 'x'"},
        {"space=0", "'space' must be a positive integer, not '0'"},
        {"s1=a&n1=1.5", "template position 6: 'n1' must be an integer, not '1.5'"},
        {"n2=", "'n2' must be an integer, not ''"},
        {"batch=1,x", "'batch' must be a comma list of batch ids, not '1,x'"},
        {"batch=,", "'batch' must be a comma list of batch ids"},
        {"assetOrder=width", "'assetOrder' orders by s1..s3 or n1..n3"},
        {"canvas=n1 sideways", "'assetOrder' takes 'asc' or 'desc' after a field"},
        {"assetOrder=;", "'assetOrder' needs at least one field"},
        {"assetOrder=n1;n2;n3;s1;s2", "'assetOrder' has more than 4 terms"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct dlcs_error err = {0};
        enum dlcs_status st = dlcs_nq_check(rows[i].tmpl, &err);

        if (!rows[i].error && st != DLCS_OK)
            fail_msg("'%s' refused: %s", rows[i].tmpl, err.message);
        if (rows[i].error && (st != DLCS_EINVAL || !strstr(err.message, rows[i].error)))
            fail_msg("'%s': want '%s', got %d '%s'", rows[i].tmpl, rows[i].error, st, err.message);
    }
    (void)state;
}

static void arguments_bind_in_order(void **state)
{
    const char *args[] = {"43", "ae67899"};
    struct dlcs_nq_plan p;

    (void)state;
    assert_int_equal(dlcs_nq_resolve("canvas=n1&space=p1&s1=p2", args, 2, &p, NULL), DLCS_OK);
    assert_true(p.has_space);
    assert_int_equal(p.space, 43);
    assert_string_equal(p.string[0], "ae67899");
    assert_null(p.string[1]);
    assert_int_equal(p.order_count, 1);
    assert_string_equal(p.order[0].field, "number1");
    assert_false(p.order[0].descending);
    dlcs_nq_plan_release(&p);
}

static void missing_optional_arguments_drop_their_filter(void **state)
{
    const char *args[] = {"5"};
    struct dlcs_nq_plan p;

    (void)state;
    assert_int_equal(dlcs_nq_resolve("space=p1&s1=p2&n1=p3", args, 1, &p, NULL), DLCS_OK);
    assert_int_equal(p.space, 5);
    assert_null(p.string[0]);
    assert_false(p.has_number[0]);
    dlcs_nq_plan_release(&p);
}

static void hash_appends_an_argument(void **state)
{
    const char *args[] = {"b1"};
    struct dlcs_nq_plan p;

    (void)state;
    assert_int_equal(
        dlcs_nq_resolve("s1=p1&#=books&spacename=p2&assetOrder=n2 desc;s3+asc&label=Book", args, 1,
                        &p, NULL),
        DLCS_OK);
    assert_string_equal(p.string[0], "b1");
    assert_string_equal(p.space_name, "books");
    assert_string_equal(p.label, "Book");
    assert_int_equal(p.order_count, 2);
    assert_string_equal(p.order[0].field, "number2");
    assert_true(p.order[0].descending);
    assert_string_equal(p.order[1].field, "string3");
    assert_false(p.order[1].descending);
    dlcs_nq_plan_release(&p);
}

static void bad_arguments_are_400_not_500(void **state)
{
    const char *args[] = {"books", "x/y"};
    struct dlcs_nq_plan p;
    struct dlcs_error err = {0};

    (void)state;
    assert_int_equal(dlcs_nq_resolve("space=p1&s1=p2", args, 2, &p, &err), DLCS_EINVAL);
    assert_non_null(strstr(err.message, "argument 1: 'space' must be a positive integer, not "
                                        "'books'"));
    dlcs_nq_plan_release(&p);
    memset(&err, 0, sizeof err);
    assert_int_equal(dlcs_nq_resolve("space=5&s1=p1", NULL, 0, &p, &err), DLCS_EINVAL);
    assert_non_null(strstr(err.message, "takes arguments after its name"));
    dlcs_nq_plan_release(&p);
    /* a template without argument references needs none */
    assert_int_equal(dlcs_nq_resolve("space=5&batch=7,8", NULL, 0, &p, NULL), DLCS_OK);
    assert_int_equal(p.batch_count, 2);
    assert_int_equal(p.batches[1], 8);
    dlcs_nq_plan_release(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stored_templates),
        cmocka_unit_test(arguments_bind_in_order),
        cmocka_unit_test(missing_optional_arguments_drop_their_filter),
        cmocka_unit_test(hash_appends_an_argument),
        cmocka_unit_test(bad_arguments_are_400_not_500),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
