/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Recovery on MongoDB: named leases (one reconciler at a time), stalled assets given a job
 * again, and a batch's failed members ingested again. The last is several documents, so it
 * writes its intent first (batch_intents: the members and their new generations) and then
 * steps that are each idempotent; an intent a crash left behind is rolled forward by the
 * reconciler's next pass (requeue_stalled), so the batch's counters end exact either way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/clock.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"

#include "mongo_internal.h"

/* ---- leases ---------------------------------------------------------------------------------- */

enum dlcs_status dlcs_mongo_op_lease(void *impl, const struct dlcs_store_lease *l, bool *held,
                                     struct dlcs_error *err)
{
    struct mongo_call c;
    mongoc_collection_t *coll;
    int64_t now = dlcs_time_now_ms();
    bson_t *filter =
        l->ms > 0
            ? BCON_NEW("_id", BCON_UTF8(l->name), "$or", "[", "{", "until", "{", "$lt",
                       BCON_INT64(now), "}", "}", "{", "holder", BCON_UTF8(l->holder), "}", "]")
            : BCON_NEW("_id", BCON_UTF8(l->name), "holder", BCON_UTF8(l->holder));
    bson_t *update = BCON_NEW("$set", "{", "holder", BCON_UTF8(l->holder), "until",
                              BCON_INT64(l->ms > 0 ? now + l->ms : 0), "}");
    bson_t *opts = BCON_NEW("upsert", BCON_BOOL(l->ms > 0));
    bson_t reply;
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    dlcs_mongo_begin(&c, impl);
    coll = dlcs_mongo_coll(&c, MONGO_LEASES);
    /* another holder's live lease makes the upsert collide on _id: not held, not an error */
    if (!mongoc_collection_update_one(coll, filter, update, opts, &reply, &be) &&
        be.code != 11000 && be.code != 11001)
        st = dlcs_mongo_fail(&be, "lease", err);
    else
        *held = l->ms > 0 && be.code != 11000 && be.code != 11001;
    bson_destroy(&reply);
    mongoc_collection_destroy(coll);
    dlcs_mongo_end(&c);
    bson_destroy(filter);
    bson_destroy(update);
    bson_destroy(opts);
    return st;
}

/* ---- a batch's failed members, through an intent -------------------------------------------- */

/* One member of an intent: an asset and the generation it is ingested again under. */
struct again {
    int64_t space, generation;
    char id[DLCS_ASSET_ID_MAX + 1];
};

struct intent {
    int64_t batch, customer, at;
    bool priority;
    struct again *members;
    size_t count;
};

static void intent_release(struct intent *in)
{
    free(in->members);
    in->members = NULL;
    in->count = 0;
}

static bson_t *intent_doc(const struct intent *in)
{
    bson_t *doc = BCON_NEW("_id", BCON_INT64(in->batch), "customer", BCON_INT64(in->customer),
                           "priority", BCON_BOOL(in->priority), "at", BCON_INT64(in->at));
    bson_t list, one;

    BSON_APPEND_ARRAY_BEGIN(doc, "members", &list);
    for (size_t i = 0; i < in->count; i++) {
        char idx[16];
        const char *key;

        (void)bson_uint32_to_string((uint32_t)i, &key, idx, sizeof idx);
        bson_append_document_begin(&list, key, -1, &one);
        BSON_APPEND_INT64(&one, "space", in->members[i].space);
        BSON_APPEND_UTF8(&one, "id", in->members[i].id);
        BSON_APPEND_INT64(&one, "generation", in->members[i].generation);
        bson_append_document_end(&list, &one);
    }
    bson_append_array_end(doc, &list);
    return doc;
}

static void read_member(bson_iter_t *m, struct again *a)
{
    bson_iter_t f;

    memset(a, 0, sizeof *a);
    if (!BSON_ITER_HOLDS_DOCUMENT(m) || !bson_iter_recurse(m, &f))
        return;
    while (bson_iter_next(&f)) {
        const char *k = bson_iter_key(&f);

        if (strcmp(k, "space") == 0)
            a->space = dlcs_mongo_iter_int(&f);
        else if (strcmp(k, "generation") == 0)
            a->generation = dlcs_mongo_iter_int(&f);
        else if (strcmp(k, "id") == 0 && BSON_ITER_HOLDS_UTF8(&f))
            (void)snprintf(a->id, sizeof a->id, "%s", bson_iter_utf8(&f, NULL));
    }
}

static void read_intent(const bson_t *doc, struct intent *in)
{
    bson_iter_t it, m;
    size_t cap = 0;

    memset(in, 0, sizeof *in);
    if (!bson_iter_init(&it, doc))
        return;
    while (bson_iter_next(&it)) {
        const char *k = bson_iter_key(&it);

        if (strcmp(k, "_id") == 0)
            in->batch = dlcs_mongo_iter_int(&it);
        else if (strcmp(k, "customer") == 0)
            in->customer = dlcs_mongo_iter_int(&it);
        else if (strcmp(k, "at") == 0)
            in->at = dlcs_mongo_iter_int(&it);
        else if (strcmp(k, "priority") == 0)
            in->priority = bson_iter_as_bool(&it);
        else if (strcmp(k, "members") == 0 && bson_iter_recurse(&it, &m)) {
            while (bson_iter_next(&m)) {
                if (in->count == cap) {
                    cap = cap ? cap * 2 : 64;
                    in->members = dlcs_xrealloc(in->members, cap * sizeof *in->members);
                }
                read_member(&m, &in->members[in->count++]);
            }
        }
    }
}

static void append_key(bson_t *arr, uint32_t i, int64_t customer, const struct again *a)
{
    char idx[16], key[MONGO_MEMBER_KEY_MAX];
    const char *at;

    (void)bson_uint32_to_string(i, &at, idx, sizeof idx);
    dlcs_mongo_member_key(customer, a->space, a->id, key, sizeof key);
    bson_append_utf8(arr, at, -1, key, -1);
}

/* The batch takes the members back: once per intent (its marker is the intent's time). */
static enum dlcs_status batch_takes_back(struct mongo_call *c, const struct intent *in,
                                         struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, "batches");
    bson_t *filter =
        BCON_NEW("id", BCON_INT64(in->batch), "requeue", "{", "$ne", BCON_INT64(in->at), "}");
    bson_t update, op, in_list, each, keys;
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    bson_init(&update);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$pull", &op);
    BSON_APPEND_DOCUMENT_BEGIN(&op, "failed", &in_list);
    BSON_APPEND_ARRAY_BEGIN(&in_list, "$in", &keys);
    for (size_t i = 0; i < in->count; i++)
        append_key(&keys, (uint32_t)i, in->customer, &in->members[i]);
    bson_append_array_end(&in_list, &keys);
    bson_append_document_end(&op, &in_list);
    bson_append_document_end(&update, &op);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$addToSet", &op);
    BSON_APPEND_DOCUMENT_BEGIN(&op, "waiting", &each);
    BSON_APPEND_ARRAY_BEGIN(&each, "$each", &keys);
    for (size_t i = 0; i < in->count; i++)
        append_key(&keys, (uint32_t)i, in->customer, &in->members[i]);
    bson_append_array_end(&each, &keys);
    bson_append_document_end(&op, &each);
    bson_append_document_end(&update, &op);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$inc", &op);
    BSON_APPEND_INT64(&op, "errors", -(int64_t)in->count);
    bson_append_document_end(&update, &op);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &op);
    BSON_APPEND_INT64(&op, "requeue", in->at);
    bson_append_document_end(&update, &op);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$unset", &op);
    BSON_APPEND_UTF8(&op, "finished", "");
    bson_append_document_end(&update, &op);
    if (!mongoc_collection_update_one(coll, filter, &update, NULL, NULL, &be))
        st = dlcs_mongo_fail(&be, "batch again", err);
    bson_destroy(&update);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    return st;
}

/* Each member ingesting again under its new generation (only if not yet: generation below). */
static enum dlcs_status assets_again(struct mongo_call *c, const struct intent *in,
                                     struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, "assets");
    mongoc_bulk_operation_t *bulk = mongoc_collection_create_bulk_operation_with_opts(coll, NULL);
    int64_t now = dlcs_time_now_ms();
    enum dlcs_status st;

    for (size_t i = 0; i < in->count; i++) {
        const struct again *a = &in->members[i];
        bson_t filter;
        bson_t *update = BCON_NEW("$set", "{", "generation", BCON_INT64(a->generation), "ingesting",
                                  BCON_BOOL(true), "modified", BCON_INT64(now), "}", "$unset", "{",
                                  "error", BCON_UTF8(""), "finished", BCON_UTF8(""), "}");

        dlcs_mongo_asset_filter(in->customer, a->space, a->id, &filter);
        BSON_APPEND_INT64(&filter, "batch", in->batch);
        BCON_APPEND(&filter, "generation", "{", "$lt", BCON_INT64(a->generation), "}");
        (void)mongoc_bulk_operation_update_one_with_opts(bulk, &filter, update, NULL, NULL);
        bson_destroy(&filter);
        bson_destroy(update);
    }
    st = dlcs_mongo_bulk_run(bulk, "assets again", NULL, err);
    mongoc_collection_destroy(coll);
    return st;
}

static enum dlcs_status jobs_again(struct mongo_call *c, const struct intent *in,
                                   struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, MONGO_OUTBOX);
    mongoc_bulk_operation_t *bulk = mongoc_collection_create_bulk_operation_with_opts(coll, NULL);
    enum dlcs_status st;

    for (size_t i = 0; i < in->count; i++) {
        struct dlcs_job j = {.customer = in->customer,
                             .space = in->members[i].space,
                             .generation = in->members[i].generation,
                             .batch = in->batch,
                             .priority = in->priority,
                             .attempt = 1};

        (void)snprintf(j.asset, sizeof j.asset, "%s", in->members[i].id);
        dlcs_mongo_outbox_put(bulk, &j, j.generation);
    }
    st = dlcs_mongo_bulk_run(bulk, "jobs again", NULL, err);
    mongoc_collection_destroy(coll);
    return st;
}

static enum dlcs_status intent_done(struct mongo_call *c, const struct intent *in,
                                    struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, MONGO_INTENTS);
    bson_t *filter = BCON_NEW("_id", BCON_INT64(in->batch), "at", BCON_INT64(in->at));
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    if (!mongoc_collection_delete_one(coll, filter, NULL, NULL, &be))
        st = dlcs_mongo_fail(&be, "intent done", err);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    return st;
}

/* The steps after the intent, each idempotent: run again after a crash, they end the same. */
static enum dlcs_status apply_intent(struct mongo_call *c, const struct intent *in,
                                     struct dlcs_error *err)
{
    enum dlcs_status st = in->count ? batch_takes_back(c, in, err) : DLCS_OK;

    if (st == DLCS_OK && in->count)
        st = assets_again(c, in, err);
    if (st == DLCS_OK && in->count)
        st = jobs_again(c, in, err);
    if (st == DLCS_OK)
        st = intent_done(c, in, err);
    return st;
}

/* Intents written before 'before' whose writer did not finish them, finished now. */
static enum dlcs_status roll_forward(struct mongo_call *c, int64_t before, struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, MONGO_INTENTS);
    bson_t *filter = BCON_NEW("at", "{", "$lt", BCON_INT64(before), "}");
    mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, filter, NULL, NULL);
    const bson_t *doc;
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    while (st == DLCS_OK && mongoc_cursor_next(cur, &doc)) {
        struct intent in;

        read_intent(doc, &in);
        st = apply_intent(c, &in, err);
        if (st == DLCS_OK)
            dlcs_log(DLCS_LOG_WARN, "rolled forward the requeue of batch %lld (%zu images)",
                     (long long)in.batch, in.count);
        intent_release(&in);
    }
    if (st == DLCS_OK && mongoc_cursor_error(cur, &be))
        st = dlcs_mongo_fail(&be, "intents", err);
    mongoc_cursor_destroy(cur);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    return st;
}

/* The batch's owner, priority and failed members' keys (sorted), read from its document. */
struct failed_set {
    int64_t customer;
    bool priority;
    char **keys;
    size_t count;
};

static int by_string(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void failed_release(struct failed_set *f)
{
    for (size_t i = 0; i < f->count; i++)
        free(f->keys[i]);
    free(f->keys);
    memset(f, 0, sizeof *f);
}

static void read_failed(const bson_t *doc, struct failed_set *f)
{
    bson_iter_t it, k;
    size_t cap = 0;

    if (!bson_iter_init(&it, doc))
        return;
    while (bson_iter_next(&it)) {
        const char *name = bson_iter_key(&it);

        if (strcmp(name, "customer") == 0)
            f->customer = dlcs_mongo_iter_int(&it);
        else if (strcmp(name, "priority") == 0)
            f->priority = bson_iter_as_bool(&it);
        else if (strcmp(name, "failed") == 0 && bson_iter_recurse(&it, &k)) {
            while (bson_iter_next(&k)) {
                if (!BSON_ITER_HOLDS_UTF8(&k))
                    continue;
                if (f->count == cap) {
                    cap = cap ? cap * 2 : 64;
                    f->keys = dlcs_xrealloc(f->keys, cap * sizeof *f->keys);
                }
                f->keys[f->count++] = dlcs_xstrdup(bson_iter_utf8(&k, NULL));
            }
        }
    }
    qsort(f->keys, f->count, sizeof *f->keys, by_string);
}

static enum dlcs_status batch_failed(struct mongo_call *c, int64_t customer, int64_t batch,
                                     struct failed_set *f, struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, "batches");
    bson_t *filter = BCON_NEW("id", BCON_INT64(batch));
    mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, filter, NULL, NULL);
    const bson_t *doc;
    bson_error_t be;
    bool found = false;
    enum dlcs_status st = DLCS_OK;

    memset(f, 0, sizeof *f);
    if (mongoc_cursor_next(cur, &doc)) {
        found = true;
        read_failed(doc, f);
    }
    if (mongoc_cursor_error(cur, &be))
        st = dlcs_mongo_fail(&be, "batch", err);
    else if (!found || f->customer != customer)
        st = dlcs_error_set(err, DLCS_ENOTFOUND, "no batch %lld", (long long)batch);
    mongoc_cursor_destroy(cur);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    return st;
}

/* The members that failed in the batch and whose record is still the batch's, finished. */
static enum dlcs_status members_to_requeue(struct mongo_call *c, const struct failed_set *f,
                                           struct intent *in, struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, "assets");
    bson_t *filter = BCON_NEW("customer", BCON_INT64(in->customer), "batch", BCON_INT64(in->batch),
                              "ingesting", BCON_BOOL(false), "error", "{", "$ne", BCON_NULL, "}");
    bson_t *opts = BCON_NEW("projection", "{", "space", BCON_INT32(1), "id", BCON_INT32(1), "}",
                            "sort", "{", "space", BCON_INT32(1), "id", BCON_INT32(1), "}");
    mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
    const bson_t *doc;
    bson_error_t be;
    size_t cap = 0;
    enum dlcs_status st = DLCS_OK;

    while (mongoc_cursor_next(cur, &doc)) {
        struct dlcs_asset a;
        char key[MONGO_MEMBER_KEY_MAX], *k = key;

        dlcs_entity_init(&dlcs_asset_entity, &a);
        if (dlcs_mongo_read(doc, &dlcs_asset_entity, &a, err) == DLCS_OK && a.id) {
            dlcs_mongo_member_key(in->customer, a.space, a.id, key, sizeof key);
            if (bsearch(&k, f->keys, f->count, sizeof *f->keys, by_string)) {
                if (in->count == cap) {
                    cap = cap ? cap * 2 : 64;
                    in->members = dlcs_xrealloc(in->members, cap * sizeof *in->members);
                }
                memset(&in->members[in->count], 0, sizeof in->members[0]);
                in->members[in->count].space = a.space;
                (void)snprintf(in->members[in->count++].id, DLCS_ASSET_ID_MAX + 1, "%s", a.id);
            }
        }
        dlcs_entity_release(&dlcs_asset_entity, &a);
    }
    if (mongoc_cursor_error(cur, &be))
        st = dlcs_mongo_fail(&be, "failed members", err);
    mongoc_cursor_destroy(cur);
    bson_destroy(filter);
    bson_destroy(opts);
    mongoc_collection_destroy(coll);
    return st;
}

/* Write the intent; '*taken' when an unfinished one of this batch is there already. */
static enum dlcs_status write_intent(struct mongo_call *c, const struct intent *in, bool *taken,
                                     struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, MONGO_INTENTS);
    bson_t *doc = intent_doc(in);
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    *taken = false;
    if (!mongoc_collection_insert_one(coll, doc, NULL, NULL, &be)) {
        *taken = be.code == 11000 || be.code == 11001;
        if (!*taken)
            st = dlcs_mongo_fail(&be, "intent", err);
    }
    bson_destroy(doc);
    mongoc_collection_destroy(coll);
    return st;
}

/* One try: read, mint, write the intent, apply it. '*busy' when another intent was in the way. */
static enum dlcs_status requeue_once(struct mongo_call *c, struct intent *in, bool *busy,
                                     struct dlcs_error *err)
{
    struct failed_set f;
    int64_t last = 0;
    enum dlcs_status st = batch_failed(c, in->customer, in->batch, &f, err);

    in->priority = f.priority;
    if (st == DLCS_OK)
        st = members_to_requeue(c, &f, in, err);
    failed_release(&f);
    if (st != DLCS_OK || in->count == 0)
        return st;
    st = dlcs_mongo_count_up(
        c,
        &(struct mongo_counter){.name = MONGO_IDS, .field = "generation", .n = (int64_t)in->count},
        &last, NULL, err);
    for (size_t i = 0; i < in->count; i++)
        in->members[i].generation = last - (int64_t)(in->count - 1 - i);
    in->at = dlcs_time_now_ms();
    if (st == DLCS_OK)
        st = write_intent(c, in, busy, err);
    if (st == DLCS_OK && !*busy)
        st = apply_intent(c, in, err);
    return st;
}

enum dlcs_status dlcs_mongo_op_batch_requeue_errors(void *impl, int64_t customer, int64_t batch,
                                                    int64_t *count, struct dlcs_error *err)
{
    struct mongo_call c;
    struct intent in = {.batch = batch, .customer = customer};
    bool busy = false;
    enum dlcs_status st;

    dlcs_mongo_begin(&c, impl);
    st = requeue_once(&c, &in, &busy, err);
    if (st == DLCS_OK && busy) { /* a requeue a crash cut short: finish it, then this one */
        intent_release(&in);
        in = (struct intent){.batch = batch, .customer = customer};
        st = roll_forward(&c, INT64_MAX, err);
        if (st == DLCS_OK)
            st = requeue_once(&c, &in, &busy, err);
        if (st == DLCS_OK && busy)
            st = dlcs_error_set(err, DLCS_EBUSY, "batch %lld is being requeued; try again",
                                (long long)batch);
    }
    *count = st == DLCS_OK ? (int64_t)in.count : 0;
    intent_release(&in);
    dlcs_mongo_end(&c);
    return st;
}

/* ---- stalled assets -------------------------------------------------------------------------- */

static enum dlcs_status find_stalled(struct mongo_call *c, const struct dlcs_stalled_requeue *q,
                                     struct dlcs_job *jobs, size_t *n, struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, "assets");
    bson_t *filter =
        BCON_NEW("ingesting", BCON_BOOL(true), "modified", "{", "$lt", BCON_INT64(q->before), "}",
                 "$or", "[", "{", "requeued", "{", "$lt", BCON_INT64(q->before), "}", "}", "{",
                 "requeued", "{", "$exists", BCON_BOOL(false), "}", "}", "]");
    bson_t *opts = BCON_NEW("limit", BCON_INT64((int64_t)q->max));
    mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
    const bson_t *doc;
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    *n = 0;
    while (st == DLCS_OK && *n < q->max && mongoc_cursor_next(cur, &doc)) {
        struct dlcs_asset a;

        dlcs_entity_init(&dlcs_asset_entity, &a);
        st = dlcs_mongo_read(doc, &dlcs_asset_entity, &a, err);
        if (st == DLCS_OK && a.id) {
            struct dlcs_job *j = &jobs[(*n)++];

            memset(j, 0, sizeof *j);
            j->customer = a.customer;
            j->space = a.space;
            (void)snprintf(j->asset, sizeof j->asset, "%s", a.id);
            j->generation = a.generation;
            j->batch = a.batch;
            j->attempt = 1;
        }
        dlcs_entity_release(&dlcs_asset_entity, &a);
    }
    if (st == DLCS_OK && mongoc_cursor_error(cur, &be))
        st = dlcs_mongo_fail(&be, "stalled", err);
    mongoc_cursor_destroy(cur);
    bson_destroy(filter);
    bson_destroy(opts);
    mongoc_collection_destroy(coll);
    return st;
}

/* One find of 'filter' on 'collection'; 'each' sees every document (in any order). */
static enum dlcs_status each_doc(struct mongo_call *c, const char *collection, const bson_t *filter,
                                 void (*each)(const bson_t *doc, void *ctx), void *ctx,
                                 struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, collection);
    mongoc_cursor_t *cur = mongoc_collection_find_with_opts(coll, filter, NULL, NULL);
    const bson_t *doc;
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    while (mongoc_cursor_next(cur, &doc))
        each(doc, ctx);
    if (mongoc_cursor_error(cur, &be))
        st = dlcs_mongo_fail(&be, collection, err);
    mongoc_cursor_destroy(cur);
    mongoc_collection_destroy(coll);
    return st;
}

struct stalled_set {
    struct dlcs_job *jobs;
    size_t n;
    bool *has_entry;
};

/* An outbox entry: the stalled asset it names is only slow, not lost. */
static void mark_entry(const bson_t *doc, void *ctx)
{
    struct stalled_set *set = ctx;
    bson_iter_t it;
    const char *asset = bson_iter_init_find(&it, doc, "asset") && BSON_ITER_HOLDS_UTF8(&it)
                            ? bson_iter_utf8(&it, NULL)
                            : "";

    for (size_t i = 0; i < set->n; i++) {
        const struct dlcs_job *j = &set->jobs[i];

        if (j->customer == dlcs_mongo_int(doc, "customer") &&
            j->space == dlcs_mongo_int(doc, "space") && strcmp(j->asset, asset) == 0)
            set->has_entry[i] = true;
    }
}

/* Drop from 'jobs' the assets that have an outbox entry (one query for them all). */
static enum dlcs_status without_entries(struct mongo_call *c, struct dlcs_job *jobs, size_t *n,
                                        struct dlcs_error *err)
{
    struct stalled_set set = {jobs, *n, dlcs_xcalloc(*n ? *n : 1, sizeof(bool))};
    bson_t filter, any, one;
    size_t kept = 0;
    enum dlcs_status st;

    bson_init(&filter);
    BSON_APPEND_ARRAY_BEGIN(&filter, "$or", &any);
    for (size_t i = 0; i < *n; i++) {
        char idx[16];
        const char *key;

        (void)bson_uint32_to_string((uint32_t)i, &key, idx, sizeof idx);
        bson_append_document_begin(&any, key, -1, &one);
        BSON_APPEND_INT64(&one, "customer", jobs[i].customer);
        BSON_APPEND_INT64(&one, "space", jobs[i].space);
        BSON_APPEND_UTF8(&one, "asset", jobs[i].asset);
        bson_append_document_end(&any, &one);
    }
    bson_append_array_end(&filter, &any);
    st = *n ? each_doc(c, MONGO_OUTBOX, &filter, mark_entry, &set, err) : DLCS_OK;
    for (size_t i = 0; st == DLCS_OK && i < *n; i++) {
        if (!set.has_entry[i])
            jobs[kept++] = jobs[i];
    }
    if (st == DLCS_OK)
        *n = kept;
    bson_destroy(&filter);
    free(set.has_entry);
    return st;
}

/* A priority batch: its members' jobs are priority ones. */
static void mark_priority(const bson_t *doc, void *ctx)
{
    struct stalled_set *set = ctx;
    bson_iter_t it;
    int64_t id = dlcs_mongo_int(doc, "id");
    bool priority = bson_iter_init_find(&it, doc, "priority") && bson_iter_as_bool(&it);

    for (size_t i = 0; i < set->n; i++) {
        if (set->jobs[i].batch == id)
            set->jobs[i].priority = priority;
    }
}

/* Each job's priority is its batch's (one query for every batch). */
static enum dlcs_status batch_priorities(struct mongo_call *c, struct dlcs_job *jobs, size_t n,
                                         struct dlcs_error *err)
{
    struct stalled_set set = {jobs, n, NULL};
    bson_t filter, in, ids;
    uint32_t count = 0;
    enum dlcs_status st;

    bson_init(&filter);
    BSON_APPEND_DOCUMENT_BEGIN(&filter, "id", &in);
    BSON_APPEND_ARRAY_BEGIN(&in, "$in", &ids);
    for (size_t i = 0; i < n; i++) {
        char idx[16];
        const char *key;

        if (!jobs[i].batch)
            continue;
        (void)bson_uint32_to_string(count++, &key, idx, sizeof idx);
        bson_append_int64(&ids, key, -1, jobs[i].batch);
    }
    bson_append_array_end(&in, &ids);
    bson_append_document_end(&filter, &in);
    st = count ? each_doc(c, "batches", &filter, mark_priority, &set, err) : DLCS_OK;
    bson_destroy(&filter);
    return st;
}

/* Their jobs again, and the assets marked requeued now (not again before another deadline). */
static enum dlcs_status queue_again(struct mongo_call *c, const struct dlcs_job *jobs, size_t n,
                                    struct dlcs_error *err)
{
    mongoc_collection_t *outbox = dlcs_mongo_coll(c, MONGO_OUTBOX);
    mongoc_collection_t *assets = dlcs_mongo_coll(c, "assets");
    mongoc_bulk_operation_t *put = mongoc_collection_create_bulk_operation_with_opts(outbox, NULL);
    mongoc_bulk_operation_t *mark = mongoc_collection_create_bulk_operation_with_opts(assets, NULL);
    bson_t *update = BCON_NEW("$set", "{", "requeued", BCON_INT64(dlcs_time_now_ms()), "}");
    enum dlcs_status st;

    for (size_t i = 0; i < n; i++) {
        bson_t filter;

        dlcs_mongo_outbox_put(put, &jobs[i], jobs[i].generation);
        dlcs_mongo_asset_filter(jobs[i].customer, jobs[i].space, jobs[i].asset, &filter);
        (void)mongoc_bulk_operation_update_one_with_opts(mark, &filter, update, NULL, NULL);
        bson_destroy(&filter);
    }
    st = dlcs_mongo_bulk_run(put, "requeue", NULL, err);
    if (st == DLCS_OK)
        st = dlcs_mongo_bulk_run(mark, "mark requeued", NULL, err);
    else
        mongoc_bulk_operation_destroy(mark);
    bson_destroy(update);
    mongoc_collection_destroy(outbox);
    mongoc_collection_destroy(assets);
    return st;
}

enum dlcs_status dlcs_mongo_op_requeue_stalled(void *impl, const struct dlcs_stalled_requeue *q,
                                               size_t *count, struct dlcs_error *err)
{
    struct mongo_call c;
    struct dlcs_job *jobs = dlcs_xcalloc(q->max, sizeof *jobs);
    size_t n = 0;
    enum dlcs_status st;

    dlcs_mongo_begin(&c, impl);
    st = roll_forward(&c, q->before, err);
    if (st == DLCS_OK)
        st = find_stalled(&c, q, jobs, &n, err);
    if (st == DLCS_OK)
        st = without_entries(&c, jobs, &n, err);
    if (st == DLCS_OK)
        st = batch_priorities(&c, jobs, n, err);
    if (st == DLCS_OK && n > 0)
        st = queue_again(&c, jobs, n, err);
    dlcs_mongo_end(&c);
    free(jobs);
    *count = st == DLCS_OK ? n : 0;
    return st;
}
