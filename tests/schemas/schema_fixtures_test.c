/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The C side of the schema agreement: every fixture in fixtures.json goes through the API's
 * own body decoding (the entity field tables and checks; for "create" also the required
 * fields) and must be accepted or refused as the fixture says. ajv_fixtures.js runs the same
 * fixtures through the published JSON Schemas; together they keep schemas/ and the C
 * validation in agreement.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dlcs/entity.h"
#include "dlcs/model.h"

#include "cm.h"

static const char *fixtures_path;

static const struct dlcs_entity *entity_named(const char *name)
{
    static const struct dlcs_entity *const all[] = {&dlcs_customer_entity,
                                                    &dlcs_space_entity,
                                                    &dlcs_asset_entity,
                                                    &dlcs_origin_strategy_entity,
                                                    &dlcs_delivery_channel_policy_entity,
                                                    &dlcs_named_query_entity};

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(all[i]->type, name) == 0)
            return all[i];
    return NULL;
}

/* Whether the API's decoding accepts 'doc' as a body of 'e' in 'mode'. */
static bool accepted(const struct dlcs_entity *e, const char *mode, const json_t *doc,
                     struct dlcs_error *err)
{
    unsigned char obj[1024]; /* every entity struct is smaller (checked below) */
    uint64_t sent = 0;
    enum dlcs_status st;

    assert_true(e->size <= sizeof obj);
    dlcs_entity_init(e, obj);
    st = dlcs_entity_from_json(e, doc, obj, &sent, err);
    if (st == DLCS_OK && strcmp(mode, "create") == 0)
        st = dlcs_entity_check_required(e, sent, err);
    dlcs_entity_release(e, obj);
    return st == DLCS_OK;
}

static int check_group(const json_t *group)
{
    const char *schema = json_string_value(json_object_get(group, "schema"));
    const char *mode = json_string_value(json_object_get(group, "mode"));
    const struct dlcs_entity *e = entity_named(json_string_value(json_object_get(group, "entity")));
    int wrong = 0;

    assert_non_null(e);
    for (int valid = 1; valid >= 0; valid--) {
        const json_t *doc;
        size_t i;

        json_array_foreach(json_object_get(group, valid ? "valid" : "invalid"), i, doc)
        {
            struct dlcs_error err = {0};
            char *text;

            if (accepted(e, mode, doc, &err) == (valid == 1))
                continue;
            text = json_dumps(doc, JSON_COMPACT);
            fprintf(stderr, "%s (%s): %s fixture %zu %s was %s by C%s%s\n", schema, mode,
                    valid ? "valid" : "invalid", i, text, valid ? "refused" : "accepted",
                    err.message[0] ? ": " : "", err.message);
            free(text);
            wrong++;
        }
    }
    return wrong;
}

static void c_validation_agrees_with_the_fixtures(void **state)
{
    json_error_t jerr;
    json_t *groups = json_load_file(fixtures_path, 0, &jerr);
    const json_t *g;
    size_t i;
    int wrong = 0;

    (void)state;
    if (!groups)
        fail_msg("%s: %s", fixtures_path, jerr.text);
    json_array_foreach(groups, i, g) wrong += check_group(g);
    json_decref(groups);
    assert_int_equal(wrong, 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(c_validation_agrees_with_the_fixtures),
    };

    if (argc < 2) {
        fprintf(stderr, "usage: schema_fixtures_test FIXTURES.json\n");
        return 2;
    }
    fixtures_path = argv[1];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
