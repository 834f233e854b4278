/* SPDX-License-Identifier: Apache-2.0 */
/* Decoding and validation of API bodies: every refusal names the field. */
#include <string.h>

#include <jansson.h>

#include "dlcs/model.h"

#include "cm.h"

struct row {
    const struct dlcs_entity *e;
    const char *json;
    const char *error; /* NULL = accepted; else a substring of the message */
};

static const struct row rows[] = {
    {&dlcs_asset_entity, "{\"id\":\"b1_0001\",\"space\":5,\"origin\":\"https://x/y.tif\"}", NULL},
    {&dlcs_asset_entity,
     "{\"@context\":\"c\",\"@id\":\"i\",\"@type\":\"vocab:Image\",\"string1\":\"x\"}", NULL},
    {&dlcs_asset_entity, "{\"number1\":1.5}", "field 'number1' must be an integer"},
    {&dlcs_asset_entity, "{\"number1\":\"7\"}", "field 'number1' must be an integer"},
    {&dlcs_asset_entity, "{\"number1\":9223372036854775807}", NULL},
    {&dlcs_asset_entity, "{\"space\":0}", "field 'space' must be between 1"},
    {&dlcs_asset_entity, "{\"width\":10}", "field 'width' is read-only"},
    {&dlcs_asset_entity, "{\"ingesting\":false}", "field 'ingesting' is read-only"},
    {&dlcs_asset_entity, "{\"generation\":3}", "unknown field 'generation'"},
    {&dlcs_asset_entity, "{\"customer\":3}", "unknown field 'customer'"},
    {&dlcs_asset_entity, "{\"colour\":\"red\"}", "unknown field 'colour'"},
    {&dlcs_asset_entity, "{\"string1\":5}", "field 'string1' must be a string"},
    {&dlcs_asset_entity, "{\"tags\":\"a,b\"}", "field 'tags' must be an array of strings"},
    {&dlcs_asset_entity, "{\"tags\":[\"a\",3]}", "field 'tags' item 1 must be a string"},
    {&dlcs_asset_entity, "{\"maxUnauthorised\":-2}", "field 'maxUnauthorised' must be between -1"},
    {&dlcs_asset_entity, "{\"id\":\"a/b\"}", "field 'id' has character 0x2f at position 1"},
    {&dlcs_asset_entity, "{\"id\":\"\"}", "field 'id' must not be empty"},
    {&dlcs_asset_entity, "{\"mediaType\":\"jpeg\"}", "field 'mediaType' is not a media type"},
    {&dlcs_asset_entity, "{\"mediaType\":\"image/jpeg\"}", NULL},
    {&dlcs_asset_entity, "{\"origin\":\"not a uri\"}", "field 'origin' must be an absolute URI"},
    {&dlcs_asset_entity, "{\"deliveryChannels\":[\"iiif-img\",\"thumbs\"]}", NULL},
    {&dlcs_asset_entity,
     "{\"deliveryChannels\":[{\"@type\":\"vocab:DeliveryChannel\",\"channel\":\"iiif-img\","
     "\"policy\":\"default\"}]}",
     NULL},
    {&dlcs_asset_entity, "{\"deliveryChannels\":[]}", NULL}, /* "not given" (reference clients) */
    {&dlcs_asset_entity, "{\"deliveryChannels\":[\"iiif-img\",\"iiif-img\"]}",
     "channel 'iiif-img' is listed twice"},
    {&dlcs_asset_entity, "{\"deliveryChannels\":[\"none\",\"file\"]}",
     "channel 'none' must be the only channel"},
    {&dlcs_asset_entity, "{\"deliveryChannels\":[\"ftp\"]}", "unknown channel 'ftp'"},
    {&dlcs_asset_entity, "[1,2]", "the body must be a JSON object"},
    {&dlcs_space_entity, "{\"name\":\"Books\",\"defaultTags\":[\"green\"],\"maxUnauthorised\":400}",
     NULL},
    {&dlcs_space_entity, "{\"name\":\"\"}", "field 'name' must not be empty"},
    {&dlcs_space_entity, "{\"id\":4}", "field 'id' is read-only"},
    {&dlcs_customer_entity, "{\"name\":\"acme\",\"displayName\":\"Acme\"}", NULL},
    {&dlcs_customer_entity, "{\"name\":\"v3\"}", "field 'name' must not look like a version"},
    {&dlcs_customer_entity, "{\"administrator\":\"yes\"}", "field 'administrator' must be true"},
    {&dlcs_named_query_entity, "{\"name\":\"manifest\",\"template\":\"canvas=n1&s1=p1\"}", NULL},
    {&dlcs_named_query_entity, "{\"id\":\"x\"}", "field 'id' is read-only"},
    {&dlcs_named_query_entity, "{\"template\":\"\"}", "field 'template': the template is empty"},
    {&dlcs_named_query_entity, "{\"template\":\"space=x\"}",
     "field 'template': template position 1: 'space' must be a positive integer"},
    {&dlcs_origin_strategy_entity,
     "{\"regex\":\"^https://x/.*\",\"strategy\":\"basic-http-authentication\","
     "\"credentials\":\"{}\",\"order\":1}",
     NULL},
    {&dlcs_origin_strategy_entity, "{\"regex\":\"([\"}", "field 'regex' is not a POSIX"},
    /* costly patterns are refused before regcomp runs (it would take a GB and seconds) */
    {&dlcs_origin_strategy_entity, "{\"regex\":\"((a{1,100}){1,100}){1,100}\"}",
     "nested repetitions expand"},
    {&dlcs_origin_strategy_entity, "{\"regex\":\"(a{1,1000}){1,1000}\"}",
     "a repetition bound is above 255"},
    {&dlcs_origin_strategy_entity, "{\"regex\":\"^https://(www\\\\.)?x[.]org/[a-z]{2,8}/.*$\"}",
     NULL},
    {&dlcs_origin_strategy_entity, "{\"strategy\":\"magic\"}", "field 'strategy' must be one of"},
    {&dlcs_delivery_channel_policy_entity,
     "{\"name\":\"small\",\"channel\":\"thumbs\",\"policyData\":\"[\\\"!200,200\\\"]\"}", NULL},
    {&dlcs_delivery_channel_policy_entity, "{\"policyData\":\"!200,200\"}",
     "field 'policyData' must be a JSON array encoded as a string"},
    {&dlcs_delivery_channel_policy_entity, "{\"channel\":\"iiif-img\"}",
     "field 'channel' must be 'thumbs' or 'iiif-av'"},
};

static void table_of_inputs(void **state)
{
    (void)state;
    for (size_t i = 0; i < DLCS_ARRAY_LEN(rows); i++) {
        const struct row *r = &rows[i];
        unsigned char obj[512];
        struct dlcs_error err = {0};
        json_t *in = json_loads(r->json, 0, NULL);
        enum dlcs_status st;

        assert_non_null(in);
        assert_true(r->e->size <= sizeof obj);
        dlcs_entity_init(r->e, obj);
        st = dlcs_entity_from_json(r->e, in, obj, NULL, &err);
        if (r->error == NULL && st != DLCS_OK)
            fail_msg("row %zu %s: refused: %s", i, r->json, err.message);
        if (r->error && (st != DLCS_EINVAL || !strstr(err.message, r->error)))
            fail_msg("row %zu %s: want '%s', got %d '%s'", i, r->json, r->error, st, err.message);
        dlcs_entity_release(r->e, obj);
        json_decref(in);
    }
}

static void presence_mask_lists_fields_sent(void **state)
{
    struct dlcs_asset a;
    uint64_t present = 0;
    json_t *in = json_loads("{\"string2\":\"x\",\"tags\":[]}", 0, NULL);

    (void)state;
    dlcs_entity_init(&dlcs_asset_entity, &a);
    assert_int_equal(dlcs_entity_from_json(&dlcs_asset_entity, in, &a, &present, NULL), DLCS_OK);
    assert_int_equal(present,
                     DLCS_FIELD_BIT(dlcs_entity_field_index(&dlcs_asset_entity, "string2")) |
                         DLCS_FIELD_BIT(dlcs_entity_field_index(&dlcs_asset_entity, "tags")));
    assert_int_equal(a.max_unauthorised, -1); /* defaults survive for fields not sent */
    dlcs_entity_release(&dlcs_asset_entity, &a);
    json_decref(in);
}

static void required_fields(void **state)
{
    struct dlcs_error err = {0};

    (void)state;
    assert_int_equal(dlcs_entity_check_required(&dlcs_space_entity, 0, &err), DLCS_EINVAL);
    assert_string_equal(err.message, "field 'name' is required");
}

static void output_hides_internal_and_masks_write_only(void **state)
{
    struct dlcs_origin_strategy o;
    struct dlcs_asset a;
    json_t *out;

    (void)state;
    dlcs_entity_init(&dlcs_origin_strategy_entity, &o);
    o.customer = 4;
    o.credentials = strdup("{\"user\":\"u\",\"password\":\"secret\"}");
    out = dlcs_entity_to_json(&dlcs_origin_strategy_entity, &o);
    assert_string_equal(json_string_value(json_object_get(out, "credentials")), "xxx");
    assert_null(json_object_get(out, "customer"));
    json_decref(out);
    dlcs_entity_release(&dlcs_origin_strategy_entity, &o);

    dlcs_entity_init(&dlcs_asset_entity, &a);
    a.generation = 9;
    a.created = 1579275418602;
    out = dlcs_entity_to_json(&dlcs_asset_entity, &a);
    assert_null(json_object_get(out, "generation"));
    assert_null(json_object_get(out, "finished")); /* unset times are omitted */
    assert_string_equal(json_string_value(json_object_get(out, "created")),
                        "2020-01-17T15:36:58.602Z");
    json_decref(out);
    dlcs_entity_release(&dlcs_asset_entity, &a);
}

static void merge_copies_only_masked_fields(void **state)
{
    struct dlcs_asset a, b;

    (void)state;
    dlcs_entity_init(&dlcs_asset_entity, &a);
    dlcs_entity_init(&dlcs_asset_entity, &b);
    a.string1 = strdup("old");
    dlcs_strlist_push(&a.tags, "keep");
    b.string1 = strdup("new");
    dlcs_entity_merge(&dlcs_asset_entity, &a, &b,
                      DLCS_FIELD_BIT(dlcs_entity_field_index(&dlcs_asset_entity, "string1")));
    assert_string_equal(a.string1, "new");
    assert_string_equal(a.tags.items[0], "keep");
    dlcs_entity_release(&dlcs_asset_entity, &a);
    dlcs_entity_release(&dlcs_asset_entity, &b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_of_inputs),
        cmocka_unit_test(presence_mask_lists_fields_sent),
        cmocka_unit_test(required_fields),
        cmocka_unit_test(output_hides_internal_and_masks_write_only),
        cmocka_unit_test(merge_copies_only_masked_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
