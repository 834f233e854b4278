/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The outbox on MongoDB: one document per waiting ingest job, its receipt the generation it
 * is for (unique: generations are). A claim is three round trips whatever its size: pick the
 * due entries, lease those still free under a claim id of this call only (one updateMany: an
 * entry another claimer took meanwhile is not free any more), and read back what this claim got.
 */
#include <stdio.h>
#include <string.h>

#include "dlcs/clock.h"
#include "dlcs/ids.h"
#include "dlcs/mem.h"

#include "mongo_internal.h"

/* {available <= now, lease_until unset or past}: due and not leased. */
static void append_free(bson_t *b, int64_t now)
{
    bson_t avail, any, one, before;

    BSON_APPEND_DOCUMENT_BEGIN(b, "available", &avail);
    BSON_APPEND_INT64(&avail, "$lte", now);
    bson_append_document_end(b, &avail);
    BSON_APPEND_ARRAY_BEGIN(b, "$or", &any);
    bson_append_document_begin(&any, "0", 1, &one);
    BSON_APPEND_NULL(&one, "lease_until");
    bson_append_document_end(&any, &one);
    bson_append_document_begin(&any, "1", 1, &one);
    BSON_APPEND_DOCUMENT_BEGIN(&one, "lease_until", &before);
    BSON_APPEND_INT64(&before, "$lt", now);
    bson_append_document_end(&one, &before);
    bson_append_document_end(&any, &one);
    bson_append_array_end(b, &any);
}

static void append_receipts(bson_t *b, const int64_t *receipts, size_t n)
{
    bson_t in, arr;

    BSON_APPEND_DOCUMENT_BEGIN(b, "receipt", &in);
    BSON_APPEND_ARRAY_BEGIN(&in, "$in", &arr);
    for (size_t i = 0; i < n; i++) {
        char idx[16];
        const char *key;

        (void)bson_uint32_to_string((uint32_t)i, &key, idx, sizeof idx);
        bson_append_int64(&arr, key, -1, receipts[i]);
    }
    bson_append_array_end(&in, &arr);
    bson_append_document_end(b, &in);
}

/* The entry of job 'j' under 'receipt' (initialised here). */
static void entry_doc(const struct dlcs_job *j, int64_t receipt, bson_t *doc)
{
    bson_init(doc);
    BSON_APPEND_INT64(doc, "receipt", receipt);
    BSON_APPEND_INT64(doc, "customer", j->customer);
    BSON_APPEND_INT64(doc, "space", j->space);
    BSON_APPEND_UTF8(doc, "asset", j->asset);
    BSON_APPEND_INT64(doc, "generation", j->generation);
    BSON_APPEND_INT64(doc, "batch", j->batch);
    BSON_APPEND_BOOL(doc, "priority", j->priority);
    BSON_APPEND_INT64(doc, "available", j->not_before ? j->not_before : dlcs_time_now_ms());
    /* the claim counts the run: a job published for its n-th run has had n-1 */
    BSON_APPEND_INT64(doc, "attempts", j->attempt > 1 ? j->attempt - 1 : 0);
}

void dlcs_mongo_outbox_put(mongoc_bulk_operation_t *b, const struct dlcs_job *j, int64_t receipt)
{
    bson_t filter, doc, *opts = BCON_NEW("upsert", BCON_BOOL(true));

    bson_init(&filter);
    BSON_APPEND_INT64(&filter, "customer", j->customer);
    BSON_APPEND_INT64(&filter, "space", j->space);
    BSON_APPEND_UTF8(&filter, "asset", j->asset);
    entry_doc(j, receipt, &doc);
    /* replacing by asset: a re-registered asset's older job is dropped, not skipped later */
    (void)mongoc_bulk_operation_replace_one_with_opts(b, &filter, &doc, opts, NULL);
    bson_destroy(&filter);
    bson_destroy(&doc);
    bson_destroy(opts);
}

static void read_job(const bson_t *doc, struct dlcs_job *j)
{
    bson_iter_t it;

    memset(j, 0, sizeof *j);
    j->receipt = dlcs_mongo_int(doc, "receipt");
    j->customer = dlcs_mongo_int(doc, "customer");
    j->space = dlcs_mongo_int(doc, "space");
    if (bson_iter_init_find(&it, doc, "asset") && BSON_ITER_HOLDS_UTF8(&it))
        (void)snprintf(j->asset, sizeof j->asset, "%s", bson_iter_utf8(&it, NULL));
    j->generation = dlcs_mongo_int(doc, "generation");
    j->batch = dlcs_mongo_int(doc, "batch");
    j->attempt = (int)dlcs_mongo_int(doc, "attempts");
    j->priority = bson_iter_init_find(&it, doc, "priority") && bson_iter_as_bool(&it);
    j->not_before = dlcs_mongo_int(doc, "available");
}

/* The order jobs are claimed in: priority first, then as they were added. */
static bson_t *claim_order(size_t limit)
{
    return BCON_NEW("sort", "{", "priority", BCON_INT32(-1), "receipt", BCON_INT32(1), "}", "limit",
                    BCON_INT64((int64_t)limit));
}

/* Up to 'max' receipts of due, free entries. */
static enum dlcs_status pick(mongoc_collection_t *coll, size_t max, int64_t now, int64_t *out,
                             size_t *n, struct dlcs_error *err)
{
    bson_t filter;
    bson_t *opts = claim_order(max);
    mongoc_cursor_t *cur;
    const bson_t *doc;
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    *n = 0;
    bson_init(&filter);
    append_free(&filter, now);
    cur = mongoc_collection_find_with_opts(coll, &filter, opts, NULL);
    while (*n < max && mongoc_cursor_next(cur, &doc))
        out[(*n)++] = dlcs_mongo_int(doc, "receipt");
    if (mongoc_cursor_error(cur, &be))
        st = dlcs_mongo_fail(&be, "claim jobs", err);
    mongoc_cursor_destroy(cur);
    bson_destroy(opts);
    bson_destroy(&filter);
    return st;
}

/* Lease the picked entries that are still free under claim id 'claim'. */
static enum dlcs_status lease(mongoc_collection_t *coll, const struct dlcs_outbox_claim *q,
                              const int64_t *receipts, size_t n, const char *claim,
                              struct dlcs_error *err)
{
    int64_t now = dlcs_time_now_ms();
    bson_t filter;
    bson_t *update =
        BCON_NEW("$set", "{", "lease_until", BCON_INT64(now + q->lease->ms), "lease_owner",
                 BCON_UTF8(q->lease->owner), "lease_token", BCON_UTF8(q->lease->token), "claim",
                 BCON_UTF8(claim), "}", "$inc", "{", "attempts", BCON_INT64(1), "}");
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    bson_init(&filter);
    append_receipts(&filter, receipts, n);
    append_free(&filter, now);
    if (!mongoc_collection_update_many(coll, &filter, update, NULL, NULL, &be))
        st = dlcs_mongo_fail(&be, "claim jobs", err);
    bson_destroy(update);
    bson_destroy(&filter);
    return st;
}

/* What claim 'claim' got, in claim order. */
static enum dlcs_status read_claim(mongoc_collection_t *coll, const struct dlcs_outbox_claim *q,
                                   const char *claim, size_t *count, struct dlcs_error *err)
{
    bson_t *filter = BCON_NEW("claim", BCON_UTF8(claim));
    bson_t *opts = claim_order(q->max);
    mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
    const bson_t *doc;
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    while (*count < q->max && mongoc_cursor_next(cur, &doc))
        read_job(doc, &q->jobs[(*count)++]);
    if (mongoc_cursor_error(cur, &be))
        st = dlcs_mongo_fail(&be, "claim jobs", err);
    mongoc_cursor_destroy(cur);
    bson_destroy(opts);
    bson_destroy(filter);
    return st;
}

enum dlcs_status dlcs_mongo_op_outbox_claim(void *impl, const struct dlcs_outbox_claim *q,
                                            size_t *count, struct dlcs_error *err)
{
    struct mongo_call c;
    mongoc_collection_t *coll;
    int64_t *receipts = dlcs_xcalloc(q->max, sizeof *receipts);
    char claim[40];
    size_t n = 0;
    enum dlcs_status st;

    *count = 0;
    dlcs_id_random_hex(claim, 16); /* this call's only: what it leased is what it reads */
    dlcs_mongo_begin(&c, impl);
    coll = dlcs_mongo_coll(&c, MONGO_OUTBOX);
    st = pick(coll, q->max, dlcs_time_now_ms(), receipts, &n, err);
    if (st == DLCS_OK && n > 0)
        st = lease(coll, q, receipts, n, claim, err);
    if (st == DLCS_OK && n > 0)
        st = read_claim(coll, q, claim, count, err);
    mongoc_collection_destroy(coll);
    dlcs_mongo_end(&c);
    free(receipts);
    if (st != DLCS_OK)
        *count = 0;
    if (st == DLCS_OK && *count == 0)
        st = dlcs_error_set(err, DLCS_ENOTFOUND, "no job waiting");
    return st;
}

/* Run an updateMany or deleteMany on the outbox; '*changed' (may be NULL) what it changed. */
static enum dlcs_status outbox_write(void *impl, bson_t *filter, bson_t *update, int64_t *changed,
                                     struct dlcs_error *err)
{
    struct mongo_call c;
    mongoc_collection_t *coll;
    bson_t reply;
    bson_iter_t it;
    bson_error_t be;
    bool ok;
    enum dlcs_status st = DLCS_OK;

    dlcs_mongo_begin(&c, impl);
    coll = dlcs_mongo_coll(&c, MONGO_OUTBOX);
    ok = update ? mongoc_collection_update_many(coll, filter, update, NULL, &reply, &be)
                : mongoc_collection_delete_many(coll, filter, NULL, &reply, &be);
    if (!ok)
        st = dlcs_mongo_fail(&be, "outbox", err);
    else if (changed)
        *changed = bson_iter_init_find(&it, &reply, update ? "modifiedCount" : "deletedCount")
                       ? bson_iter_as_int64(&it)
                       : 0;
    bson_destroy(&reply);
    mongoc_collection_destroy(coll);
    dlcs_mongo_end(&c);
    bson_destroy(filter);
    if (update)
        bson_destroy(update);
    return st;
}

enum dlcs_status dlcs_mongo_op_outbox_reclaim(void *impl, const struct dlcs_outbox_lease *lease,
                                              int64_t *count, struct dlcs_error *err)
{
    bson_t *filter =
        BCON_NEW("lease_owner", BCON_UTF8(lease->owner), "lease_token", "{", "$ne",
                 BCON_UTF8(lease->token), "}", "lease_until", "{", "$ne", BCON_NULL, "}");
    bson_t *update = BCON_NEW("$unset", "{", "lease_until", BCON_UTF8(""), "lease_owner",
                              BCON_UTF8(""), "lease_token", BCON_UTF8(""), "}");

    return outbox_write(impl, filter, update, count, err);
}

enum dlcs_status dlcs_mongo_op_outbox_add(void *impl, const struct dlcs_job *jobs, size_t count,
                                          struct dlcs_error *err)
{
    struct mongo_call c;
    struct mongo_counter k = {.name = MONGO_IDS, .field = "generation", .n = (int64_t)count};
    mongoc_collection_t *coll;
    mongoc_bulk_operation_t *bulk;
    int64_t last = 0;
    enum dlcs_status st;

    dlcs_mongo_begin(&c, impl);
    st = dlcs_mongo_count_up(&c, &k, &last, NULL, err); /* receipts of their own */
    coll = dlcs_mongo_coll(&c, MONGO_OUTBOX);
    bulk = mongoc_collection_create_bulk_operation_with_opts(coll, NULL);
    for (size_t i = 0; st == DLCS_OK && i < count; i++) {
        bson_t doc;

        entry_doc(&jobs[i], last - (int64_t)(count - 1 - i), &doc);
        (void)mongoc_bulk_operation_insert_with_opts(bulk, &doc, NULL, NULL);
        bson_destroy(&doc);
    }
    if (st == DLCS_OK)
        st = dlcs_mongo_bulk_run(bulk, "queue jobs", NULL, err);
    else
        mongoc_bulk_operation_destroy(bulk);
    mongoc_collection_destroy(coll);
    dlcs_mongo_end(&c);
    return st;
}

enum dlcs_status dlcs_mongo_op_outbox_remove(void *impl, const int64_t *receipts, size_t count,
                                             struct dlcs_error *err)
{
    bson_t *filter = bson_new();

    append_receipts(filter, receipts, count);
    return outbox_write(impl, filter, NULL, NULL, err);
}

enum dlcs_status dlcs_mongo_op_outbox_retry(void *impl, int64_t receipt, int64_t not_before,
                                            struct dlcs_error *err)
{
    bson_t *filter = BCON_NEW("receipt", BCON_INT64(receipt));
    bson_t *update = BCON_NEW("$set", "{", "available", BCON_INT64(not_before), "}", "$unset", "{",
                              "lease_until", BCON_UTF8(""), "lease_owner", BCON_UTF8(""), "}");

    return outbox_write(impl, filter, update, NULL, err);
}

enum dlcs_status dlcs_mongo_op_outbox_count(void *impl, int64_t *count, struct dlcs_error *err)
{
    struct mongo_call c;
    mongoc_collection_t *coll;
    bson_t filter;
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    bson_init(&filter);
    dlcs_mongo_begin(&c, impl);
    coll = dlcs_mongo_coll(&c, MONGO_OUTBOX);
    *count = mongoc_collection_count_documents(coll, &filter, NULL, NULL, NULL, &be);
    if (*count < 0) {
        *count = 0;
        st = dlcs_mongo_fail(&be, "count jobs", err);
    }
    mongoc_collection_destroy(coll);
    dlcs_mongo_end(&c);
    bson_destroy(&filter);
    return st;
}
