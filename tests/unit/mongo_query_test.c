/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The BSON of the MongoDB adapter's queries, as canonical extended JSON: what a real server
 * gets, checked here because the fake (mongomock) forgives what a server would not.
 */
#include <stdlib.h>
#include <string.h>

#include "dlcs/model.h"
#include "dlcs/store.h"

#include "cm.h"
#include "mongo_internal.h"
#include "mongo_query.h"

#define L(n) "{ \"$numberLong\" : \"" #n "\" }"

static const struct dlcs_field *field(const struct dlcs_entity *e, const char *name)
{
    return &e->fields[dlcs_entity_field_index(e, name)];
}

static void expect_json(bson_t *b, const char *want)
{
    char *got = bson_as_canonical_extended_json(b, NULL);

    assert_string_equal(got, want);
    bson_free(got);
    bson_destroy(b);
}

/* q->seek as the port sets it: the orders, then the key fields. */
static void add_key(struct dlcs_query *q, const struct dlcs_entity *e, const char *name, bool desc)
{
    q->seek.keys[q->seek.count++] = (struct dlcs_sort_key){.field = field(e, name), .desc = desc};
}

static void a_book_in_page_order(void **state)
{
    struct dlcs_query q = {.limit = 100, .offset = 200};
    bson_t filter, opts;

    (void)state;
    dlcs_query_eq_int(&q, "customer", 2);
    dlcs_query_eq_str(&q, "string1", "b1");
    dlcs_query_term(&q, "width", DLCS_TERM_POSITIVE);
    dlcs_query_has(&q, "tags", "maps");
    add_key(&q, &dlcs_asset_entity, "number1", false);
    add_key(&q, &dlcs_asset_entity, "customer", false);
    add_key(&q, &dlcs_asset_entity, "space", false);
    add_key(&q, &dlcs_asset_entity, "id", false);
    dlcs_mongo_query_filter(&dlcs_asset_entity, &q, true, &filter);
    expect_json(&filter,
                "{ \"$and\" : [ { \"customer\" : " L(2) " }, { \"string1\" : \"b1\" }, "
                                                        "{ \"width\" : { \"$gt\" : " L(
                                                            0) " } }, { \"tags\" : \"maps\" } ] }");
    dlcs_mongo_query_opts(&dlcs_asset_entity, &q, &opts);
    expect_json(&opts, "{ \"sort\" : { \"number1\" : { \"$numberInt\" : \"1\" }, \"customer\" : "
                       "{ \"$numberInt\" : \"1\" }, \"space\" : { \"$numberInt\" : \"1\" }, "
                       "\"id\" : { \"$numberInt\" : \"1\" } }, \"limit\" : " L(
                           100) ", \"skip\" : " L(200) " }");
}

/* After (number1 5, id "p7") ascending: number1 > 5, or number1 = 5 and id > "p7". */
static void a_cursor_page_is_a_range(void **state)
{
    struct dlcs_query q = {.limit = 10};
    bson_t filter;

    (void)state;
    dlcs_query_eq_int(&q, "customer", 2);
    add_key(&q, &dlcs_asset_entity, "number1", false);
    add_key(&q, &dlcs_asset_entity, "id", false);
    q.seek.keys[0].num = 5;
    q.seek.keys[1].str = "p7";
    q.seek.after = true;
    dlcs_mongo_query_filter(&dlcs_asset_entity, &q, true, &filter);
    expect_json(&filter, "{ \"$and\" : [ { \"customer\" : " L(
                             2) " }, { \"$or\" : [ "
                                "{ \"$and\" : [ { \"number1\" : { \"$gt\" : " L(
                                    5) " } } ] }, "
                                       "{ \"$and\" : [ { \"number1\" : " L(
                                           5) " }, "
                                              "{ \"id\" : { \"$gt\" : \"p7\" } } ] } ] } ] }");
    dlcs_mongo_query_filter(&dlcs_asset_entity, &q, false, &filter); /* a count has no start */
    expect_json(&filter, "{ \"$and\" : [ { \"customer\" : " L(2) " } ] }");
}

/* Descending a string that can be unset: after "m" come smaller ones and the unset ones. */
static void unset_values_sort_first(void **state)
{
    struct dlcs_query q = {.limit = 10};
    bson_t filter;

    (void)state;
    add_key(&q, &dlcs_asset_entity, "string2", true);
    add_key(&q, &dlcs_asset_entity, "finished", false);
    q.seek.keys[0].str = "m";
    q.seek.keys[1].null = true;
    q.seek.after = true;
    dlcs_mongo_query_filter(&dlcs_asset_entity, &q, true, &filter);
    expect_json(&filter, "{ \"$and\" : [ { \"$or\" : [ { \"$and\" : [ { \"$or\" : [ "
                         "{ \"string2\" : { \"$lt\" : \"m\" } }, { \"string2\" : null } ] } ] }, "
                         "{ \"$and\" : [ { \"string2\" : \"m\" }, "
                         "{ \"finished\" : { \"$ne\" : null } } ] } ] } ] }");
    q.seek.keys[0].null = true; /* descending from an unset value: nothing can follow it ... */
    q.seek.keys[1].desc = true;
    dlcs_mongo_query_filter(&dlcs_asset_entity, &q, true, &filter);
    expect_json(&filter,
                "{ \"$and\" : [ { \"$or\" : [ { \"_id\" : { \"$exists\" : false } } ] } ] }");
}

/* Customers' names match and sort regardless of case, through their folded copy. */
static void customer_names_fold(void **state)
{
    struct dlcs_query q = {0};
    bson_t filter, opts;

    (void)state;
    dlcs_query_eq_str(&q, "name", "ACME");
    add_key(&q, &dlcs_customer_entity, "name", false);
    add_key(&q, &dlcs_customer_entity, "id", false);
    dlcs_mongo_query_filter(&dlcs_customer_entity, &q, true, &filter);
    expect_json(&filter, "{ \"$and\" : [ { \"nameFolded\" : \"acme\" } ] }");
    dlcs_mongo_query_opts(&dlcs_customer_entity, &q, &opts);
    expect_json(&opts, "{ \"sort\" : { \"nameFolded\" : { \"$numberInt\" : \"1\" }, \"id\" : "
                       "{ \"$numberInt\" : \"1\" } } }");
}

/* Batch history and booleans: members ever of these batches; a flag is a BSON bool. */
static void batch_history_and_flags(void **state)
{
    struct dlcs_query q = {0};
    bson_t filter;

    (void)state;
    dlcs_query_batch_member(&q, 7);
    dlcs_query_batch_member(&q, 9);
    dlcs_query_eq_int(&q, "ingesting", 1);
    dlcs_query_term(&q, "error", DLCS_TERM_SET);
    dlcs_query_term(&q, "finished", DLCS_TERM_UNSET);
    dlcs_mongo_query_filter(&dlcs_asset_entity, &q, true, &filter);
    expect_json(&filter, "{ \"$and\" : [ { \"ingesting\" : true }, { \"error\" : { \"$ne\" : "
                         "null } }, { \"finished\" : null }, { \"batches\" : { \"$in\" : [ " L(
                             7) ", " L(9) " ] } } ] }");
}

/* A record's document: every field under its name, nothing for unset ones, lists as arrays. */
static void records_as_documents(void **state)
{
    struct dlcs_space sp;
    bson_t doc, update;

    (void)state;
    dlcs_entity_init(&dlcs_space_entity, &sp);
    sp.customer = 2;
    sp.id = 5;
    sp.name = strdup("books");
    dlcs_strlist_push(&sp.default_tags, "maps");
    dlcs_mongo_doc(&dlcs_space_entity, &sp, &doc);
    expect_json(&doc, "{ \"customer\" : " L(2) ", \"id\" : " L(
                          5) ", \"name\" : \"books\", "
                             "\"defaultTags\" : [ \"maps\" ], \"defaultRoles\" : [  ], "
                             "\"maxUnauthorised\" : " L(-1) " }");
    dlcs_mongo_set_fields(
        &dlcs_space_entity, &sp,
        DLCS_FIELD_BIT(dlcs_entity_field_index(&dlcs_space_entity, "name")) |
            DLCS_FIELD_BIT(dlcs_entity_field_index(&dlcs_space_entity, "thumbnailPolicy")),
        &update);
    expect_json(&update, "{ \"$set\" : { \"name\" : \"books\" }, \"$unset\" : "
                         "{ \"thumbnailPolicy\" : \"\" } }");
    dlcs_entity_release(&dlcs_space_entity, &sp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_book_in_page_order),    cmocka_unit_test(a_cursor_page_is_a_range),
        cmocka_unit_test(unset_values_sort_first), cmocka_unit_test(customer_names_fold),
        cmocka_unit_test(batch_history_and_flags), cmocka_unit_test(records_as_documents),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
