/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Registration on a store without multi-document transactions: every check before the first
 * write (spaces exist, conditional generations), then writes ordered so that a crash at any
 * point leaves a state the reconciler rolls forward, never a wrong count:
 *   1. ids: the batch id and the generations, one findAndModify on the "ids" counters;
 *   2. old batches let go of members that move (a batch never waits for an image that left);
 *   3. the assets (bulk upserts, each with its new generation, ingesting);
 *   4. the batch, with the set of members it waits for;
 *   5. the outbox entries (receipt = generation: unique, and a stale entry is replaced).
 * Dying after 3 leaves assets ingesting with no job: the reconciler gives them one (the client,
 * who got no answer, registers again anyway). Round trips for a batch of any size in one space: 6.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/clock.h"
#include "dlcs/failpoint.h"
#include "dlcs/mem.h"

#include "mongo_internal.h"

/* What registration reads of each asset's previous record (generation 0: there was none). */
struct previous {
    struct dlcs_asset *rec; /* NULL: new */
};

static int compare_keys(const struct dlcs_asset *x, const struct dlcs_asset *y)
{
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    if (x->space != y->space)
        return x->space < y->space ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int by_key(const void *a, const void *b)
{
    return compare_keys(*(struct dlcs_asset *const *)a, *(struct dlcs_asset *const *)b);
}

/* Every space the registration names exists (one count per space named, usually one). */
static enum dlcs_status check_spaces(struct mongo_call *c, const struct dlcs_registration *reg,
                                     struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, "spaces");
    enum dlcs_status st = DLCS_OK;

    for (size_t i = 0; i < reg->count && st == DLCS_OK; i++) {
        const struct dlcs_asset *a = &reg->assets[i];
        bson_t *filter;
        bson_error_t be;
        int64_t n;

        if (i > 0 && a->customer == reg->assets[i - 1].customer &&
            a->space == reg->assets[i - 1].space)
            continue;
        filter = BCON_NEW("customer", BCON_INT64(a->customer), "id", BCON_INT64(a->space));
        n = mongoc_collection_count_documents(coll, filter, NULL, NULL, NULL, &be);
        if (n < 0)
            st = dlcs_mongo_fail(&be, "space", err);
        else if (n == 0)
            st = dlcs_error_set(err, DLCS_ENOTFOUND, "space %lld does not exist",
                                (long long)a->space);
        bson_destroy(filter);
    }
    mongoc_collection_destroy(coll);
    return st;
}

/* {$or: [{customer, space, id}, ...]} over the registration's assets. */
static bson_t *keys_filter(const struct dlcs_registration *reg)
{
    bson_t *f = bson_new(), list, one;
    char idx[16];
    const char *key;

    BSON_APPEND_ARRAY_BEGIN(f, "$or", &list);
    for (size_t i = 0; i < reg->count; i++) {
        (void)bson_uint32_to_string((uint32_t)i, &key, idx, sizeof idx);
        bson_append_document_begin(&list, key, -1, &one);
        BSON_APPEND_INT64(&one, "customer", reg->assets[i].customer);
        BSON_APPEND_INT64(&one, "space", reg->assets[i].space);
        BSON_APPEND_UTF8(&one, "id", reg->assets[i].id);
        bson_append_document_end(&list, &one);
    }
    bson_append_array_end(f, &list);
    return f;
}

/* Each asset's previous record into prev[i] (one query), found by key. */
static enum dlcs_status read_previous(struct mongo_call *c, const struct dlcs_registration *reg,
                                      struct previous *prev, struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, "assets");
    struct dlcs_asset **sorted = dlcs_xmalloc(reg->count * sizeof *sorted);
    bson_t *filter = keys_filter(reg);
    mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, filter, NULL, NULL);
    const bson_t *doc;
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    for (size_t i = 0; i < reg->count; i++)
        sorted[i] = &reg->assets[i];
    qsort(sorted, reg->count, sizeof *sorted, by_key);
    while (st == DLCS_OK && mongoc_cursor_next(cur, &doc)) {
        struct dlcs_asset *rec = dlcs_xmalloc(sizeof *rec), *const * at;

        dlcs_entity_init(&dlcs_asset_entity, rec);
        st = dlcs_mongo_read(doc, &dlcs_asset_entity, rec, err);
        at = st == DLCS_OK && rec->id ? bsearch(&rec, sorted, reg->count, sizeof *sorted, by_key)
                                      : NULL;
        if (at && !prev[*at - reg->assets].rec) {
            prev[*at - reg->assets].rec = rec;
            continue;
        }
        dlcs_entity_release(&dlcs_asset_entity, rec);
        free(rec);
    }
    if (st == DLCS_OK && mongoc_cursor_error(cur, &be))
        st = dlcs_mongo_fail(&be, "previous records", err);
    mongoc_cursor_destroy(cur);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    free(sorted);
    return st;
}

/* A conditional registration applies to the record it read, never to a newer or a new one. */
static enum dlcs_status check_unchanged(const struct dlcs_registration *reg,
                                        const struct previous *prev, struct dlcs_error *err)
{
    for (size_t i = 0; reg->if_unchanged && i < reg->count; i++) {
        if (!prev[i].rec)
            return dlcs_error_set(err, DLCS_ENOTFOUND, "no such Image (deleted meanwhile)");
        if (prev[i].rec->generation != reg->assets[i].generation)
            return dlcs_error_set(err, DLCS_ECONFLICT,
                                  "the image was registered again while this request was "
                                  "applied; read it again and retry");
    }
    return DLCS_OK;
}

/* Step 2: the batches members move out of let go of them (one bulk, then each settles). */
static enum dlcs_status leave_old_batches(struct mongo_call *c, const struct dlcs_registration *reg,
                                          const struct previous *prev, int64_t batch,
                                          struct dlcs_error *err)
{
    for (size_t i = 0; i < reg->count; i++) {
        const struct dlcs_asset *old = prev[i].rec;
        char key[MONGO_MEMBER_KEY_MAX];

        if (!old || !old->batch || old->batch == batch)
            continue;
        dlcs_mongo_member_key(old->customer, old->space, old->id, key, sizeof key);
        if (dlcs_mongo_leave_batch(c, old->batch, key, err) != DLCS_OK)
            return DLCS_EUPSTREAM;
    }
    return DLCS_OK;
}

/* Step 3: the assets, in one bulk of upserts (conditional on the generation read, if asked). */
static enum dlcs_status write_assets(struct mongo_call *c, const struct dlcs_registration *reg,
                                     const struct previous *prev, int64_t batch,
                                     struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, "assets");
    bson_t *opts = BCON_NEW("ordered", BCON_BOOL(false));
    mongoc_bulk_operation_t *bulk = mongoc_collection_create_bulk_operation_with_opts(coll, opts);
    uint64_t fields =
        dlcs_entity_all(&dlcs_asset_entity) & ~dlcs_entity_mask(&dlcs_asset_entity, DLCS_FF_KEY);
    int64_t matched = 0;
    enum dlcs_status st;

    for (size_t i = 0; i < reg->count; i++) {
        const struct dlcs_asset *a = &reg->assets[i];
        bson_t filter, update, *upsert = BCON_NEW("upsert", BCON_BOOL(!reg->if_unchanged));
        bson_t more;

        dlcs_mongo_asset_filter(a->customer, a->space, a->id, &filter);
        if (reg->if_unchanged) /* the record read: its generation before this write */
            BSON_APPEND_INT64(&filter, "generation", prev[i].rec->generation);
        dlcs_mongo_set_fields(&dlcs_asset_entity, a, fields, &update);
        bson_init(&more);
        if (batch) {
            bson_t add;

            BSON_APPEND_DOCUMENT_BEGIN(&more, "$addToSet", &add);
            BSON_APPEND_INT64(&add, "batches", batch);
            bson_append_document_end(&more, &add);
        }
        bson_concat(&update, &more);
        (void)mongoc_bulk_operation_update_one_with_opts(bulk, &filter, &update, upsert, NULL);
        bson_destroy(&more);
        bson_destroy(&filter);
        bson_destroy(&update);
        bson_destroy(upsert);
    }
    st = dlcs_mongo_bulk_run(bulk, "register assets", &matched, err);
    if (st == DLCS_OK && reg->if_unchanged && matched != (int64_t)reg->count)
        st = dlcs_error_set(err, DLCS_ECONFLICT,
                            "the image was registered again while this request was applied; "
                            "read it again and retry");
    bson_destroy(opts);
    mongoc_collection_destroy(coll);
    return st;
}

/* Step 4: the batch, waiting for every member (their keys: the set a completion moves out). */
static enum dlcs_status write_batch(struct mongo_call *c, const struct dlcs_registration *reg,
                                    struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, "batches");
    bson_t doc, waiting, failed;
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    dlcs_mongo_doc(&dlcs_batch_entity, reg->batch, &doc);
    BSON_APPEND_ARRAY_BEGIN(&doc, "waiting", &waiting);
    for (size_t i = 0; i < reg->count; i++) {
        const struct dlcs_asset *a = &reg->assets[i];
        char idx[16], key[MONGO_MEMBER_KEY_MAX];
        const char *at;

        (void)bson_uint32_to_string((uint32_t)i, &at, idx, sizeof idx);
        dlcs_mongo_member_key(a->customer, a->space, a->id, key, sizeof key);
        bson_append_utf8(&waiting, at, -1, key, -1);
    }
    bson_append_array_end(&doc, &waiting);
    BSON_APPEND_ARRAY_BEGIN(&doc, "failed", &failed);
    bson_append_array_end(&doc, &failed);
    if (!mongoc_collection_insert_one(coll, &doc, NULL, NULL, &be))
        st = dlcs_mongo_fail(&be, "batch", err);
    bson_destroy(&doc);
    mongoc_collection_destroy(coll);
    return st;
}

/* Step 5: one outbox entry per asset, replacing an older one of the same asset. */
static enum dlcs_status write_jobs(struct mongo_call *c, const struct dlcs_registration *reg,
                                   struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, MONGO_OUTBOX);
    mongoc_bulk_operation_t *bulk = mongoc_collection_create_bulk_operation_with_opts(coll, NULL);
    enum dlcs_status st;

    for (size_t i = 0; i < reg->count; i++) {
        const struct dlcs_asset *a = &reg->assets[i];
        struct dlcs_job j = {.customer = a->customer,
                             .space = a->space,
                             .generation = a->generation,
                             .batch = a->batch,
                             .priority = reg->priority,
                             .attempt = 1};

        (void)snprintf(j.asset, sizeof j.asset, "%s", a->id);
        dlcs_mongo_outbox_put(bulk, &j, a->generation);
    }
    st = dlcs_mongo_bulk_run(bulk, "queue jobs", NULL, err);
    mongoc_collection_destroy(coll);
    return st;
}

/* Step 1: the batch id and one generation per asset, in one findAndModify. */
static enum dlcs_status mint_ids(struct mongo_call *c, struct dlcs_registration *reg,
                                 int64_t *last_generation, struct dlcs_error *err)
{
    struct mongo_counter k = {.name = MONGO_IDS,
                              .field = "generation",
                              .n = (int64_t)reg->count,
                              .field2 = reg->batch ? "batches" : NULL,
                              .n2 = 1};
    int64_t batch = 0;

    if (dlcs_mongo_count_up(c, &k, last_generation, &batch, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    if (reg->batch) {
        struct dlcs_batch *b = reg->batch;
        int64_t now = dlcs_time_now_ms();

        b->id = batch;
        b->count = (int64_t)reg->count;
        b->completed = b->errors = 0;
        b->superseded = false;
        b->submitted = now;
        b->finished = reg->count == 0 ? now : 0;
    }
    return DLCS_OK;
}

static void release_previous(struct previous *prev, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (prev[i].rec)
            dlcs_entity_release(&dlcs_asset_entity, prev[i].rec);
        free(prev[i].rec);
    }
    free(prev);
}

static enum dlcs_status register_in(struct mongo_call *c, struct dlcs_registration *reg,
                                    struct previous *prev, struct dlcs_error *err)
{
    int64_t last = 0, now = dlcs_time_now_ms(), batch;
    enum dlcs_status st = check_spaces(c, reg, err);

    if (st == DLCS_OK && reg->count > 0)
        st = read_previous(c, reg, prev, err);
    if (st == DLCS_OK)
        st = check_unchanged(reg, prev, err);
    if (st == DLCS_OK)
        st = mint_ids(c, reg, &last, err);
    if (st != DLCS_OK)
        return st;
    batch = reg->batch ? reg->batch->id : 0;
    for (size_t i = 0; i < reg->count; i++) {
        struct dlcs_renewal r = {batch, now, last - (int64_t)(reg->count - 1 - i)};

        dlcs_asset_renew(&reg->assets[i], prev[i].rec, &r);
        if (reg->previous_origins && prev[i].rec && prev[i].rec->origin)
            reg->previous_origins[i] = dlcs_xstrdup(prev[i].rec->origin);
    }
    st = leave_old_batches(c, reg, prev, batch, err);
    if (st == DLCS_OK && reg->count > 0)
        st = write_assets(c, reg, prev, batch, err);
    if (st == DLCS_OK && dlcs_failpoint_hit("store.register.after_assets"))
        st = dlcs_error_set(err, DLCS_EUPSTREAM, "failpoint store.register.after_assets");
    if (st == DLCS_OK && reg->batch)
        st = write_batch(c, reg, err);
    if (st == DLCS_OK && reg->with_jobs && reg->count > 0)
        st = write_jobs(c, reg, err);
    return st;
}

enum dlcs_status dlcs_mongo_op_register(void *impl, struct dlcs_registration *reg,
                                        struct dlcs_error *err)
{
    struct mongo_call c;
    struct previous *prev = dlcs_xcalloc(reg->count ? reg->count : 1, sizeof *prev);
    enum dlcs_status st;

    dlcs_mongo_begin(&c, impl);
    st = register_in(&c, reg, prev, err);
    dlcs_mongo_end(&c);
    release_previous(prev, reg->count);
    return st;
}
