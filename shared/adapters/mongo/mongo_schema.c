/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The collections' indexes, created at every start (createIndexes is idempotent). Unique
 * indexes are named after the field a duplicate takes, which the conflict's message names.
 * Every query the adapter sends is answered from one of these (docs/architecture.md).
 */
#include <string.h>

#include "dlcs/mem.h"

#include "mongo_internal.h"

struct index_spec {
    const char *collection;
    const char *name;
    const char *keys[5]; /* "field" ascending, "-field" descending */
    bool unique;
};

static const struct index_spec INDEXES[] = {
    {"customers", "id", {"id"}, true},
    {"customers", "name", {"nameFolded"}, true},
    {"customers", "displayName", {"displayName"}, true},
    {"customers", "administrator", {"administrator", "id"}, false},
    {"keys", "key", {"key"}, true},
    {"keys", "customer", {"customer", "created"}, false},
    {"spaces", "id", {"customer", "id"}, true},
    {"spaces", "name", {"customer", "name"}, true},
    {"assets", "id", {"customer", "space", "id"}, true},
    {"assets", "string1", {"customer", "string1", "number1"}, false},
    {"assets", "string2", {"customer", "string2"}, false},
    {"assets", "string3", {"customer", "string3"}, false},
    {"assets", "number1", {"customer", "number1"}, false},
    {"assets", "number2", {"customer", "number2"}, false},
    {"assets", "number3", {"customer", "number3"}, false},
    {"assets", "created", {"customer", "space", "created"}, false},
    {"assets", "batch", {"batch"}, false},
    {"assets", "batches", {"batches"}, false},
    {"assets", "ingesting", {"ingesting", "modified"}, false},
    {"batches", "id", {"id"}, true},
    {"batches", "customer", {"customer", "finished", "id"}, false},
    {"named_queries", "id", {"id"}, true},
    {"named_queries", "name", {"customer", "name"}, true},
    {"named_queries", "global", {"global", "name"}, false},
    {"origin_strategies", "id", {"id"}, true},
    {"origin_strategies", "regex", {"customer", "regex"}, true},
    {"origin_strategies", "order", {"customer", "order"}, false},
    {"delivery_channel_policies", "name", {"customer", "channel", "name"}, true},
    {MONGO_OUTBOX, "receipt", {"receipt"}, true},
    {MONGO_OUTBOX, "asset", {"customer", "space", "asset"}, false},
    {MONGO_OUTBOX, "next", {"-priority", "available", "receipt"}, false},
    {MONGO_OUTBOX, "lease", {"lease_owner", "lease_token"}, false},
    {MONGO_OUTBOX, "claim", {"claim"}, false},
};

static void append_index(bson_t *list, const char *idx, const struct index_spec *spec)
{
    bson_t ix, keys;

    bson_append_document_begin(list, idx, -1, &ix);
    BSON_APPEND_DOCUMENT_BEGIN(&ix, "key", &keys);
    for (size_t k = 0; k < DLCS_ARRAY_LEN(spec->keys) && spec->keys[k]; k++) {
        const char *f = spec->keys[k];

        BSON_APPEND_INT32(&keys, f[0] == '-' ? f + 1 : f, f[0] == '-' ? -1 : 1);
    }
    bson_append_document_end(&ix, &keys);
    BSON_APPEND_UTF8(&ix, "name", spec->name);
    if (spec->unique)
        BSON_APPEND_BOOL(&ix, "unique", true);
    bson_append_document_end(list, &ix);
}

/* One createIndexes command for the specs of 'collection'. */
static enum dlcs_status create_for(struct mongo_call *c, const char *collection,
                                   struct dlcs_error *err)
{
    bson_t cmd, list;
    bson_error_t e;
    uint32_t n = 0;
    enum dlcs_status st = DLCS_OK;

    bson_init(&cmd);
    BSON_APPEND_UTF8(&cmd, "createIndexes", collection);
    BSON_APPEND_ARRAY_BEGIN(&cmd, "indexes", &list);
    for (size_t i = 0; i < DLCS_ARRAY_LEN(INDEXES); i++) {
        char idx[16];
        const char *key;

        if (strcmp(INDEXES[i].collection, collection) != 0)
            continue;
        (void)bson_uint32_to_string(n++, &key, idx, sizeof idx);
        append_index(&list, key, &INDEXES[i]);
    }
    bson_append_array_end(&cmd, &list);
    if (!mongoc_client_write_command_with_opts(c->client, c->s->db, &cmd, NULL, NULL, &e))
        st = dlcs_mongo_fail(&e, "create indexes", err);
    bson_destroy(&cmd);
    return st;
}

enum dlcs_status dlcs_mongo_indexes(struct mongo_call *c, struct dlcs_error *err)
{
    for (size_t i = 0; i < DLCS_ARRAY_LEN(INDEXES); i++) {
        bool first = true;

        for (size_t j = 0; j < i && first; j++)
            first = strcmp(INDEXES[j].collection, INDEXES[i].collection) != 0;
        if (first && create_for(c, INDEXES[i].collection, err) != DLCS_OK)
            return DLCS_EUPSTREAM;
    }
    return DLCS_OK;
}
