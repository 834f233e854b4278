/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Exactly-once completion and deletes without transactions. A batch document holds the set of
 * member keys it still waits for ('waiting', at most DLCS_BATCH_MAX) and those that failed in
 * it ('failed'). Completion is two single-document updates:
 *   1. the asset, only if it is still ingesting that generation: recorded, else a duplicate
 *      (that generation was recorded) or stale;
 *   2. for a recorded or duplicate result, the batch, only if it still waits for the member:
 *      pull it, count it (as the asset recorded it), then finish the batch when all are in.
 * Step 2 runs on every delivery, so a process that dies between 1 and 2 is repaired by the
 * redelivery of its job, and a member is counted once because it leaves 'waiting' when it is.
 */
#include <string.h>

#include "dlcs/clock.h"
#include "dlcs/failpoint.h"
#include "dlcs/mem.h"

#include "mongo_internal.h"

/* The batch's counters now; false when there is no such batch. */
struct batch_state {
    int64_t count, completed, errors, finished;
    bool superseded;
};

static enum dlcs_status read_batch(struct mongo_call *c, int64_t batch, struct batch_state *out,
                                   bool *found, struct dlcs_error *err)
{
    struct dlcs_batch b;
    bson_t *filter = BCON_NEW("id", BCON_INT64(batch));
    enum dlcs_status st;

    dlcs_entity_init(&dlcs_batch_entity, &b);
    st = dlcs_mongo_find_one(c, "batches", filter, &dlcs_batch_entity, &b, err);
    *found = st == DLCS_OK;
    if (st == DLCS_OK)
        *out = (struct batch_state){b.count, b.completed, b.errors, b.finished, b.superseded};
    dlcs_entity_release(&dlcs_batch_entity, &b);
    bson_destroy(filter);
    if (st == DLCS_ENOTFOUND) {
        dlcs_error_clear(err);
        return DLCS_OK;
    }
    return st;
}

static enum dlcs_status update_one(struct mongo_call *c, const char *collection, bson_t *filter,
                                   bson_t *update, int64_t *matched, struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, collection);
    bson_t reply;
    bson_iter_t it;
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    if (!mongoc_collection_update_one(coll, filter, update, NULL, &reply, &be))
        st = dlcs_mongo_fail(&be, collection, err);
    else if (matched)
        *matched = bson_iter_init_find(&it, &reply, "matchedCount") ? bson_iter_as_int64(&it) : 0;
    bson_destroy(&reply);
    bson_destroy(filter);
    bson_destroy(update);
    mongoc_collection_destroy(coll);
    return st;
}

/*
 * Finish or supersede the batch when its counters say so; run after every change of them, so
 * that whoever moved them last (or repeats the step after a crash) settles it.
 */
static enum dlcs_status settle(struct mongo_call *c, int64_t batch, struct dlcs_error *err)
{
    struct batch_state b;
    bool found = false;
    int64_t now = dlcs_time_now_ms();

    if (read_batch(c, batch, &b, &found, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    if (!found)
        return DLCS_OK;
    if (b.count == 0 && !b.superseded && !b.finished)
        return update_one(c, "batches", BCON_NEW("id", BCON_INT64(batch), "count", BCON_INT64(0)),
                          BCON_NEW("$set", "{", "superseded", BCON_BOOL(true), "}"), NULL, err);
    if (b.count > 0 && !b.finished && b.completed + b.errors >= b.count)
        return update_one(c, "batches", BCON_NEW("id", BCON_INT64(batch), "finished", BCON_NULL),
                          BCON_NEW("$set", "{", "finished", BCON_INT64(now), "}"), NULL, err);
    return DLCS_OK;
}

enum dlcs_status dlcs_mongo_leave_batch(struct mongo_call *c, int64_t batch, const char *key,
                                        struct dlcs_error *err)
{
    int64_t matched = 0;
    enum dlcs_status st =
        update_one(c, "batches", BCON_NEW("id", BCON_INT64(batch), "waiting", BCON_UTF8(key)),
                   BCON_NEW("$pull", "{", "waiting", BCON_UTF8(key), "}", "$inc", "{", "count",
                            BCON_INT64(-1), "}"),
                   &matched, err);

    if (st != DLCS_OK || matched == 0)
        return st; /* it had finished there already: the batch keeps its count */
    return settle(c, batch, err);
}

/* Step 1's update of the asset for result 'r'. */
static bson_t *result_update(const struct dlcs_ingest_result *r, int64_t now)
{
    if (r->error)
        return BCON_NEW("$set", "{", "error", BCON_UTF8(r->error), "ingesting", BCON_BOOL(false),
                        "finished", BCON_INT64(now), "modified", BCON_INT64(now), "}");
    /* a success switches delivery to its generation; a failure leaves the served one */
    return BCON_NEW("$set", "{", "width", BCON_INT64(r->width), "height", BCON_INT64(r->height),
                    "duration", BCON_INT64(r->duration), "size", BCON_INT64(r->size),
                    "thumbnailSize", BCON_INT64(r->thumbnail_size), "served",
                    BCON_INT64(r->generation), "ingesting", BCON_BOOL(false), "finished",
                    BCON_INT64(now), "modified", BCON_INT64(now), "}", "$unset", "{", "error",
                    BCON_UTF8(""), "}");
}

/* Step 1: record the result if the asset still ingests that generation. */
static enum dlcs_status record(struct mongo_call *c, const struct dlcs_ingest_result *r,
                               bool *recorded, struct dlcs_error *err)
{
    int64_t matched = 0;
    bson_t filter;
    enum dlcs_status st;

    dlcs_mongo_asset_filter(r->customer, r->space, r->id, &filter);
    BSON_APPEND_INT64(&filter, "generation", r->generation);
    BSON_APPEND_BOOL(&filter, "ingesting", true);
    st = update_one(c, "assets", bson_copy(&filter), result_update(r, dlcs_time_now_ms()), &matched,
                    err);
    *recorded = matched == 1;
    bson_destroy(&filter);
    if (st == DLCS_OK && *recorded && r->media_type) { /* fills a mediaType registered without */
        dlcs_mongo_asset_filter(r->customer, r->space, r->id, &filter);
        BSON_APPEND_INT64(&filter, "generation", r->generation);
        BSON_APPEND_NULL(&filter, "mediaType");
        st = update_one(c, "assets", bson_copy(&filter),
                        BCON_NEW("$set", "{", "mediaType", BCON_UTF8(r->media_type), "}"), NULL,
                        err);
        bson_destroy(&filter);
    }
    return st;
}

/* Not recorded: a duplicate of this generation's result (and was it an error?) or stale. */
static enum dlcs_status classify(struct mongo_call *c, const struct dlcs_ingest_result *r,
                                 enum dlcs_completion *outcome, bool *failed,
                                 struct dlcs_error *err)
{
    struct dlcs_asset a;
    bson_t filter;
    enum dlcs_status st;

    dlcs_entity_init(&dlcs_asset_entity, &a);
    dlcs_mongo_asset_filter(r->customer, r->space, r->id, &filter);
    st = dlcs_mongo_find_one(c, "assets", &filter, &dlcs_asset_entity, &a, err);
    *outcome = st == DLCS_OK && a.generation == r->generation ? DLCS_COMPLETION_DUPLICATE
                                                              : DLCS_COMPLETION_STALE;
    *failed = a.error != NULL;
    dlcs_entity_release(&dlcs_asset_entity, &a);
    bson_destroy(&filter);
    if (st == DLCS_ENOTFOUND) {
        dlcs_error_clear(err);
        return DLCS_OK;
    }
    return st;
}

/* Step 2: the batch counts the member once, as the asset recorded it. */
static enum dlcs_status count_in_batch(struct mongo_call *c, const struct dlcs_ingest_result *r,
                                       bool failed, struct dlcs_error *err)
{
    char key[MONGO_MEMBER_KEY_MAX];
    int64_t matched = 0;
    bson_t *update;
    enum dlcs_status st;

    dlcs_mongo_member_key(r->customer, r->space, r->id, key, sizeof key);
    update =
        failed ? BCON_NEW("$pull", "{", "waiting", BCON_UTF8(key), "}", "$addToSet", "{", "failed",
                          BCON_UTF8(key), "}", "$inc", "{", "errors", BCON_INT64(1), "}")
               : BCON_NEW("$pull", "{", "waiting", BCON_UTF8(key), "}", "$inc", "{", "completed",
                          BCON_INT64(1), "}");
    st = update_one(c, "batches", BCON_NEW("id", BCON_INT64(r->batch), "waiting", BCON_UTF8(key)),
                    update, &matched, err);
    if (st != DLCS_OK)
        return st;
    return settle(c, r->batch, err); /* also when it was counted before a crash: finish it */
}

enum dlcs_status dlcs_mongo_op_complete(void *impl, const struct dlcs_ingest_result *r,
                                        enum dlcs_completion *outcome, struct dlcs_error *err)
{
    struct mongo_call c;
    bool recorded = false, failed = r->error != NULL;
    enum dlcs_status st;

    dlcs_mongo_begin(&c, impl);
    st = record(&c, r, &recorded, err);
    *outcome = DLCS_COMPLETION_RECORDED;
    if (st == DLCS_OK && !recorded)
        st = classify(&c, r, outcome, &failed, err);
    if (st == DLCS_OK && dlcs_failpoint_hit("store.complete.after_asset"))
        st = dlcs_error_set(err, DLCS_EUPSTREAM, "failpoint store.complete.after_asset");
    if (st == DLCS_OK && r->batch && *outcome != DLCS_COMPLETION_STALE)
        st = count_in_batch(&c, r, failed, err);
    dlcs_mongo_end(&c);
    return st;
}

/* Delete the record of generation 'generation' only, read as it was into 'a'. */
static enum dlcs_status delete_read(struct mongo_call *c, struct dlcs_asset *a, int64_t generation,
                                    bool *gone, struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, "assets");
    mongoc_find_and_modify_opts_t *opts = mongoc_find_and_modify_opts_new();
    bson_t filter, reply;
    bson_iter_t it;
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    *gone = false;
    dlcs_mongo_asset_filter(a->customer, a->space, a->id, &filter);
    BSON_APPEND_INT64(&filter, "generation", generation);
    mongoc_find_and_modify_opts_set_flags(opts, MONGOC_FIND_AND_MODIFY_REMOVE);
    if (!mongoc_collection_find_and_modify_with_opts(coll, &filter, opts, &reply, &be))
        st = dlcs_mongo_fail(&be, "delete asset", err);
    else if (bson_iter_init_find(&it, &reply, "value") && BSON_ITER_HOLDS_DOCUMENT(&it)) {
        const uint8_t *data;
        uint32_t len;
        bson_t doc;

        bson_iter_document(&it, &len, &data);
        if (bson_init_static(&doc, data, len)) {
            struct dlcs_asset was;

            dlcs_entity_init(&dlcs_asset_entity, &was);
            st = dlcs_mongo_read(&doc, &dlcs_asset_entity, &was, err);
            dlcs_entity_release(&dlcs_asset_entity, a);
            *a = was;
            *gone = true;
        }
    }
    bson_destroy(&reply);
    bson_destroy(&filter);
    mongoc_find_and_modify_opts_destroy(opts);
    mongoc_collection_destroy(coll);
    return st;
}

/*
 * The batch lets go of the member first, then the record goes (only the generation read): a
 * crash between leaves a record its batch no longer waits for, never a batch that waits for a
 * record that is gone. A registration that slips in between is read again.
 */
enum dlcs_status dlcs_mongo_op_asset_remove(void *impl, struct dlcs_asset *removed,
                                            struct dlcs_error *err)
{
    struct mongo_call c;
    enum dlcs_status st = DLCS_OK;
    bool gone = false;

    dlcs_mongo_begin(&c, impl);
    for (int tries = 0; st == DLCS_OK && !gone && tries < 8; tries++) {
        struct dlcs_asset now;
        char key[MONGO_MEMBER_KEY_MAX];
        bson_t filter;

        dlcs_entity_init(&dlcs_asset_entity, &now);
        dlcs_mongo_asset_filter(removed->customer, removed->space, removed->id, &filter);
        st = dlcs_mongo_find_one(&c, "assets", &filter, &dlcs_asset_entity, &now, err);
        bson_destroy(&filter);
        if (st == DLCS_ENOTFOUND)
            st = dlcs_error_set(err, DLCS_ENOTFOUND, "no such Image");
        dlcs_mongo_member_key(now.customer, now.space, now.id ? now.id : "", key, sizeof key);
        if (st == DLCS_OK && now.batch)
            st = dlcs_mongo_leave_batch(&c, now.batch, key, err);
        if (st == DLCS_OK)
            st = delete_read(&c, removed, now.generation, &gone, err);
        dlcs_entity_release(&dlcs_asset_entity, &now);
    }
    if (st == DLCS_OK && !gone)
        st = dlcs_error_set(err, DLCS_EBUSY, "the image kept being registered again; try again");
    dlcs_mongo_end(&c);
    return st;
}

enum dlcs_status dlcs_mongo_op_space_remove(void *impl, int64_t customer, int64_t space,
                                            struct dlcs_error *err)
{
    struct mongo_call c;
    mongoc_collection_t *assets, *spaces;
    bson_t *filter = BCON_NEW("customer", BCON_INT64(customer), "space", BCON_INT64(space));
    bson_t *key = BCON_NEW("customer", BCON_INT64(customer), "id", BCON_INT64(space));
    bson_t reply;
    bson_iter_t it;
    bson_error_t be;
    int64_t n;
    enum dlcs_status st = DLCS_OK;

    dlcs_mongo_begin(&c, impl);
    assets = dlcs_mongo_coll(&c, "assets");
    spaces = dlcs_mongo_coll(&c, "spaces");
    n = mongoc_collection_count_documents(assets, filter, NULL, NULL, NULL, &be);
    bson_init(&reply);
    if (n < 0)
        st = dlcs_mongo_fail(&be, "count space images", err);
    else if (n > 0)
        st = dlcs_error_set(err, DLCS_ECONFLICT, "cannot delete space %lld: it holds %lld images",
                            (long long)space, (long long)n);
    else if (!mongoc_collection_delete_one(spaces, key, NULL, &reply, &be))
        st = dlcs_mongo_fail(&be, "delete space", err);
    else if (bson_iter_init_find(&it, &reply, "deletedCount") && bson_iter_as_int64(&it) == 0)
        st = dlcs_error_set(err, DLCS_ENOTFOUND, "no such Space");
    bson_destroy(&reply);
    mongoc_collection_destroy(assets);
    mongoc_collection_destroy(spaces);
    dlcs_mongo_end(&c);
    bson_destroy(filter);
    bson_destroy(key);
    return st;
}
