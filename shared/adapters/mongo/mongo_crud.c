/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Generic record operations of the MongoDB adapter, driven by the entity field tables, and
 * the counters that mint integer ids (findAndModify $inc: atomic on every server, never the
 * same value twice, across any number of processes).
 */
#include <stdio.h>
#include <string.h>

#include "dlcs/ids.h"
#include "dlcs/mem.h"

#include "mongo_internal.h"

static bson_t *counter_update(const struct mongo_counter *k)
{
    bson_t *u = bson_new(), op;

    BSON_APPEND_DOCUMENT_BEGIN(u, k->at_least > 0 ? "$max" : "$inc", &op);
    BSON_APPEND_INT64(&op, k->field, k->at_least > 0 ? k->at_least : k->n);
    if (k->field2 && k->at_least <= 0)
        BSON_APPEND_INT64(&op, k->field2, k->n2);
    bson_append_document_end(u, &op);
    return u;
}

static bool counter_value(const bson_t *reply, const char *field, int64_t *out)
{
    bson_iter_t it, f;

    if (!bson_iter_init_find(&it, reply, "value") || !BSON_ITER_HOLDS_DOCUMENT(&it) ||
        !bson_iter_recurse(&it, &f) || !bson_iter_find(&f, field) || !BSON_ITER_HOLDS_NUMBER(&f))
        return false;
    *out = bson_iter_as_int64(&f);
    return true;
}

enum dlcs_status dlcs_mongo_count_up(struct mongo_call *c, const struct mongo_counter *k,
                                     int64_t *last, int64_t *last2, struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, MONGO_COUNTERS);
    mongoc_find_and_modify_opts_t *opts = mongoc_find_and_modify_opts_new();
    bson_t *query = BCON_NEW("_id", BCON_UTF8(k->name));
    bson_t *update = counter_update(k);
    bson_t reply;
    bson_error_t e;
    enum dlcs_status st = DLCS_OK;

    mongoc_find_and_modify_opts_set_update(opts, update);
    mongoc_find_and_modify_opts_set_flags(opts, MONGOC_FIND_AND_MODIFY_UPSERT |
                                                    MONGOC_FIND_AND_MODIFY_RETURN_NEW);
    if (!mongoc_collection_find_and_modify_with_opts(coll, query, opts, &reply, &e))
        st = dlcs_mongo_fail(&e, "count up", err);
    else if (!counter_value(&reply, k->field, last) ||
             (k->field2 && last2 && !counter_value(&reply, k->field2, last2)))
        st = dlcs_error_set(err, DLCS_EUPSTREAM,
                            "mongodb count up: counter '%s' came back without %s", k->name,
                            k->field);
    bson_destroy(&reply);
    bson_destroy(query);
    bson_destroy(update);
    mongoc_find_and_modify_opts_destroy(opts);
    mongoc_collection_destroy(coll);
    return st;
}

/*
 * The counter of e's AUTO integer key: field 'collection' of "ids", or for an id scoped by
 * another key field (spaces by customer) field "last" of "collection/<its value>".
 */
static void counter_of(const struct dlcs_entity *e, const void *obj, char *buf, size_t len,
                       struct mongo_counter *k)
{
    *k = (struct mongo_counter){.name = MONGO_IDS, .field = e->collection};
    for (size_t i = 0; i < e->field_count; i++) {
        const struct dlcs_field *f = &e->fields[i];

        if ((f->flags & DLCS_FF_KEY) && !(f->flags & DLCS_FF_AUTO)) {
            DLCS_ASSERT(f->type == DLCS_FT_INT64); /* one integer scope at most */
            (void)snprintf(buf, len, "%s/%lld", e->collection,
                           (long long)*(const int64_t *)dlcs_entity_field_cptr(f, obj));
            k->name = buf;
            k->field = "last";
        }
    }
}

enum dlcs_status dlcs_mongo_mint_key(struct mongo_call *c, const struct dlcs_entity *e, void *obj,
                                     struct dlcs_error *err)
{
    for (size_t i = 0; i < e->field_count; i++) {
        const struct dlcs_field *f = &e->fields[i];
        void *p = dlcs_entity_field_ptr(f, obj);
        char name[96];
        struct mongo_counter k;
        int64_t last = 0;

        if (!(f->flags & DLCS_FF_AUTO))
            continue;
        if (f->type == DLCS_FT_STRING && !*(char **)p) {
            char uuid[DLCS_UUID_BUF];

            dlcs_id_uuid(uuid);
            *(char **)p = dlcs_xstrdup(uuid);
            continue;
        }
        if (f->type != DLCS_FT_INT64)
            continue;
        counter_of(e, obj, name, sizeof name, &k);
        k.n = 1;
        k.at_least = *(int64_t *)p;
        if (dlcs_mongo_count_up(c, &k, &last, NULL, err) != DLCS_OK)
            return DLCS_EUPSTREAM;
        if (*(int64_t *)p == 0)
            *(int64_t *)p = last;
    }
    return DLCS_OK;
}

enum dlcs_status dlcs_mongo_op_insert(void *impl, const struct dlcs_entity *e, void *obj,
                                      struct dlcs_error *err)
{
    struct mongo_call c;
    mongoc_collection_t *coll;
    bson_t doc;
    bson_error_t be;
    enum dlcs_status st;

    dlcs_mongo_begin(&c, impl);
    st = dlcs_mongo_mint_key(&c, e, obj, err);
    if (st == DLCS_OK) {
        coll = dlcs_mongo_coll(&c, e->collection);
        dlcs_mongo_doc(e, obj, &doc);
        if (!mongoc_collection_insert_one(coll, &doc, NULL, NULL, &be))
            st = dlcs_mongo_fail(&be, e->type, err);
        bson_destroy(&doc);
        mongoc_collection_destroy(coll);
    }
    dlcs_mongo_end(&c);
    return st;
}

enum dlcs_status dlcs_mongo_find_one(struct mongo_call *c, const char *collection,
                                     const bson_t *filter, const struct dlcs_entity *e, void *obj,
                                     struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, collection);
    bson_t *opts = BCON_NEW("limit", BCON_INT64(1));
    mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
    const bson_t *doc;
    bson_error_t be;
    enum dlcs_status st;

    if (mongoc_cursor_next(cur, &doc))
        st = dlcs_mongo_read(doc, e, obj, err);
    else if (mongoc_cursor_error(cur, &be))
        st = dlcs_mongo_fail(&be, e->type, err);
    else
        st = dlcs_error_set(err, DLCS_ENOTFOUND, "no such %s", e->type);
    mongoc_cursor_destroy(cur);
    bson_destroy(opts);
    mongoc_collection_destroy(coll);
    return st;
}

enum dlcs_status dlcs_mongo_op_get(void *impl, const struct dlcs_entity *e, void *obj,
                                   struct dlcs_error *err)
{
    struct mongo_call c;
    bson_t filter;
    void *fresh = dlcs_xmalloc(e->size);
    enum dlcs_status st;

    dlcs_entity_init(e, fresh);
    dlcs_mongo_key_filter(e, obj, &filter);
    dlcs_mongo_begin(&c, impl);
    st = dlcs_mongo_find_one(&c, e->collection, &filter, e, fresh, err);
    dlcs_mongo_end(&c);
    bson_destroy(&filter);
    if (st == DLCS_OK) { /* the record replaces what 'obj' held (its key comes back too) */
        dlcs_entity_release(e, obj);
        memcpy(obj, fresh, e->size);
    } else {
        dlcs_entity_release(e, fresh);
    }
    free(fresh);
    return st;
}

enum dlcs_status dlcs_mongo_op_update(void *impl, const struct dlcs_entity *e, const void *obj,
                                      uint64_t fields, struct dlcs_error *err)
{
    struct mongo_call c;
    mongoc_collection_t *coll;
    bson_t filter, update, reply;
    bson_iter_t it;
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    dlcs_mongo_key_filter(e, obj, &filter);
    dlcs_mongo_set_fields(e, obj, fields, &update);
    dlcs_mongo_begin(&c, impl);
    coll = dlcs_mongo_coll(&c, e->collection);
    if (!mongoc_collection_update_one(coll, &filter, &update, NULL, &reply, &be))
        st = dlcs_mongo_fail(&be, e->type, err);
    else if (bson_iter_init_find(&it, &reply, "matchedCount") && bson_iter_as_int64(&it) == 0)
        st = dlcs_error_set(err, DLCS_ENOTFOUND, "no such %s", e->type);
    bson_destroy(&reply);
    mongoc_collection_destroy(coll);
    dlcs_mongo_end(&c);
    bson_destroy(&filter);
    bson_destroy(&update);
    return st;
}

enum dlcs_status dlcs_mongo_op_remove(void *impl, const struct dlcs_entity *e, const void *key,
                                      struct dlcs_error *err)
{
    struct mongo_call c;
    mongoc_collection_t *coll;
    bson_t filter, reply;
    bson_iter_t it;
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    dlcs_mongo_key_filter(e, key, &filter);
    dlcs_mongo_begin(&c, impl);
    coll = dlcs_mongo_coll(&c, e->collection);
    if (!mongoc_collection_delete_one(coll, &filter, NULL, &reply, &be))
        st = dlcs_mongo_fail(&be, e->type, err);
    else if (bson_iter_init_find(&it, &reply, "deletedCount") && bson_iter_as_int64(&it) == 0)
        st = dlcs_error_set(err, DLCS_ENOTFOUND, "no such %s", e->type);
    bson_destroy(&reply);
    mongoc_collection_destroy(coll);
    dlcs_mongo_end(&c);
    bson_destroy(&filter);
    return st;
}

enum dlcs_status dlcs_mongo_bulk_run(mongoc_bulk_operation_t *b, const char *what, int64_t *matched,
                                     struct dlcs_error *err)
{
    bson_t reply;
    bson_iter_t it;
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    if (!mongoc_bulk_operation_execute(b, &reply, &be))
        st = dlcs_mongo_fail(&be, what, err);
    if (matched) {
        *matched = 0;
        if (bson_iter_init_find(&it, &reply, "nMatched"))
            *matched += bson_iter_as_int64(&it);
        if (bson_iter_init_find(&it, &reply, "nUpserted"))
            *matched += bson_iter_as_int64(&it);
    }
    bson_destroy(&reply);
    mongoc_bulk_operation_destroy(b);
    return st;
}
