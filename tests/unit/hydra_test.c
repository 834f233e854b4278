/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "dlcs/hydra.h"
#include "dlcs/json_util.h"
#include "dlcs/model.h"

#include "cm.h"

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void collection_view_links(void **state)
{
    const struct dlcs_hydra_view v = {{2, 10, NULL}, 35, "abc-_9"};
    json_t *c = dlcs_hydra_collection("https://api/customers/2/spaces/5/images?string1=b1",
                                      json_array(), &v);
    json_t *view = json_object_get(c, "view");

    (void)state;
    assert_string_equal(str(c, "@type"), "Collection");
    assert_int_equal(json_integer_value(json_object_get(c, "totalItems")), 35);
    assert_int_equal(json_integer_value(json_object_get(c, "pageSize")), 10);
    assert_string_equal(str(view, "@type"), "PartialCollectionView");
    assert_string_equal(str(view, "first"),
                        "https://api/customers/2/spaces/5/images?string1=b1&page=1&pageSize=10");
    assert_string_equal(str(view, "previous"),
                        "https://api/customers/2/spaces/5/images?string1=b1&page=1&pageSize=10");
    assert_string_equal(
        str(view, "next"), /* by cursor: no page number to skip to */
        "https://api/customers/2/spaces/5/images?string1=b1&cursor=abc-_9&pageSize=10");
    assert_string_equal(str(view, "last"),
                        "https://api/customers/2/spaces/5/images?string1=b1&page=4&pageSize=10");
    assert_int_equal(json_integer_value(json_object_get(view, "totalPages")), 4);
    assert_int_equal(json_integer_value(json_object_get(view, "page")), 2);
    json_decref(c);
}

/* A page reached by its cursor is not counted: no total, no last, no page number. */
static void a_cursor_page_has_no_count(void **state)
{
    const struct dlcs_hydra_view v = {{0, 10, "AAA"}, -1, "BBB"};
    json_t *c = dlcs_hydra_collection("https://api/customers/2/spaces", json_array(), &v);
    json_t *view = json_object_get(c, "view");

    (void)state;
    assert_null(json_object_get(c, "totalItems"));
    assert_string_equal(str(view, "@id"), "https://api/customers/2/spaces?cursor=AAA&pageSize=10");
    assert_string_equal(str(view, "first"), "https://api/customers/2/spaces?page=1&pageSize=10");
    assert_string_equal(str(view, "next"), "https://api/customers/2/spaces?cursor=BBB&pageSize=10");
    assert_null(json_object_get(view, "previous"));
    assert_null(json_object_get(view, "last"));
    assert_null(json_object_get(view, "totalPages"));
    assert_null(json_object_get(view, "page"));
    json_decref(c);
}

static void first_and_last_pages_have_no_dangling_links(void **state)
{
    json_t *c = dlcs_hydra_whole("https://api/customers", json_array());
    json_t *view = json_object_get(c, "view");

    (void)state;
    assert_int_equal(json_integer_value(json_object_get(c, "totalItems")), 0);
    assert_null(json_object_get(view, "previous"));
    assert_null(json_object_get(view, "next"));
    assert_string_equal(str(view, "last"), "https://api/customers?page=1&pageSize=1");
    json_decref(c);
}

static void page_parameters(void **state)
{
    struct dlcs_page p;
    struct dlcs_error err = {0};

    (void)state;
    assert_int_equal(dlcs_hydra_page_parse(NULL, NULL, NULL, 100, &p, NULL), DLCS_OK);
    assert_int_equal(p.page, 1);
    assert_int_equal(p.page_size, 100);
    assert_null(p.cursor);
    assert_int_equal(dlcs_hydra_page_parse("3", "25", NULL, 100, &p, NULL), DLCS_OK);
    assert_int_equal(p.page, 3);
    assert_int_equal(dlcs_hydra_page_parse(NULL, "25", "xyz", 100, &p, NULL), DLCS_OK);
    assert_int_equal(p.page, 0);
    assert_string_equal(p.cursor, "xyz");
    assert_int_equal(dlcs_hydra_page_parse("0", NULL, NULL, 100, &p, &err), DLCS_EINVAL);
    assert_non_null(strstr(err.message, "'page'"));
    dlcs_error_clear(&err);
    assert_int_equal(dlcs_hydra_page_parse(NULL, "lots", NULL, 100, &p, &err), DLCS_EINVAL);
    assert_non_null(strstr(err.message, "'pageSize'"));
    dlcs_error_clear(&err);
    assert_int_equal(dlcs_hydra_page_parse(NULL, "1001", NULL, 100, &p, &err), DLCS_EINVAL);
    dlcs_error_clear(&err);
    assert_int_equal(dlcs_hydra_page_parse("2", NULL, "xyz", 100, &p, &err), DLCS_EINVAL);
    assert_non_null(strstr(err.message, "'cursor'"));
    dlcs_error_clear(&err);
    assert_int_equal(dlcs_hydra_page_parse(NULL, NULL, "", 100, &p, &err), DLCS_EINVAL);
    assert_non_null(strstr(err.message, "'cursor'"));
}

static void resource_envelope_comes_first(void **state)
{
    struct dlcs_space sp;
    json_t *j;
    char *text;

    (void)state;
    dlcs_entity_init(&dlcs_space_entity, &sp);
    sp.id = 5;
    sp.name = strdup("books");
    j = dlcs_hydra_resource(&dlcs_space_entity, &sp, "https://api/customers/2/spaces/5");
    text = dlcs_json_dump(j, 0);
    assert_memory_equal(text, "{\"@context\":", 12);
    assert_string_equal(str(j, "@type"), "vocab:Space");
    assert_string_equal(str(j, "@id"), "https://api/customers/2/spaces/5");
    assert_string_equal(str(j, "name"), "books");
    free(text);
    json_decref(j);
    dlcs_entity_release(&dlcs_space_entity, &sp);
}

static void error_body_is_problem_json(void **state)
{
    struct dlcs_error err = {0};
    json_t *e;

    (void)state;
    (void)dlcs_error_set(&err, DLCS_EINVAL, "field 'number1' must be an integer");
    e = dlcs_hydra_error_from(&err, "https://api/customers/2/spaces/5/images/x");
    assert_string_equal(str(e, "@type"), "Error");
    assert_int_equal(json_integer_value(json_object_get(e, "status")), 400);
    assert_string_equal(str(e, "detail"), "field 'number1' must be an integer");
    assert_string_equal(str(e, "instance"), "https://api/customers/2/spaces/5/images/x");
    assert_non_null(str(e, "type"));
    assert_non_null(str(e, "title"));
    json_decref(e);
}

static void json_parse_limits(void **state)
{
    struct dlcs_error err = {0};
    json_t *v = NULL;
    char deep[200];

    (void)state;
    assert_int_equal(dlcs_json_parse("{\"a\":1}", 7, 6, &v, &err), DLCS_ETOOLARGE);
    dlcs_error_clear(&err);
    assert_int_equal(dlcs_json_parse("{\"a\":", 5, 100, &v, &err), DLCS_EINVAL);
    assert_non_null(strstr(err.message, "line 1"));
    dlcs_error_clear(&err);
    assert_int_equal(dlcs_json_parse("{\"a\":1,\"a\":2}", 13, 100, &v, &err), DLCS_EINVAL);
    memset(deep, '[', 40);
    memset(deep + 40, ']', 40);
    dlcs_error_clear(&err);
    assert_int_equal(dlcs_json_parse(deep, 80, 1000, &v, &err), DLCS_EINVAL);
    assert_non_null(strstr(err.message, "deeper"));
    assert_int_equal(dlcs_json_parse("{\"a\":[1]}", 9, 100, &v, NULL), DLCS_OK);
    assert_int_equal(dlcs_json_depth(v), 3); /* object > array > number */
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(collection_view_links),
        cmocka_unit_test(a_cursor_page_has_no_count),
        cmocka_unit_test(first_and_last_pages_have_no_dangling_links),
        cmocka_unit_test(page_parameters),
        cmocka_unit_test(resource_envelope_comes_first),
        cmocka_unit_test(error_body_is_problem_json),
        cmocka_unit_test(json_parse_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
