/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Listing and counting in the MongoDB adapter: a filter from the query's terms, a sort from
 * the port's full order, and cursor pages as "the rows after the start values" ($or of the
 * keyset expansion, with the unset-sorts-first rules of store.h), so that a deep page is one
 * index range like the first. Storage usage is an aggregation, never a kept counter.
 */
#include "mongo_query.h"

#include <string.h>

#include "dlcs/mem.h"

#include "mongo_internal.h"

/* The stored name a filter or sort on 'f' uses (a folded copy for case-insensitive fields). */
static const char *stored_name(const struct dlcs_entity *e, const struct dlcs_field *f)
{
    const char *folded = dlcs_mongo_folded(e, f);

    return folded ? folded : f->name;
}

static const struct dlcs_field *field_of(const struct dlcs_entity *e, const char *name)
{
    int i = dlcs_entity_field_index(e, name);

    DLCS_ASSERT(i >= 0); /* the port checked the query */
    return &e->fields[i];
}

/* A string value under 'name', folded when the field is. */
static void append_str(bson_t *b, const struct dlcs_entity *e, const struct dlcs_field *f,
                       const char *value)
{
    char folded[DLCS_NAME_MAX + 1];

    if (dlcs_mongo_folded(e, f)) {
        dlcs_mongo_fold(value, folded, sizeof folded);
        value = folded;
    }
    BSON_APPEND_UTF8(b, stored_name(e, f), value);
}

/* Open the next element of the array 'list' (counting in '*n') as a document. */
static void next_doc(bson_t *list, uint32_t *n, bson_t *child)
{
    char idx[16];
    const char *key;

    (void)bson_uint32_to_string((*n)++, &key, idx, sizeof idx);
    bson_append_document_begin(list, key, -1, child);
}

static void append_term(bson_t *list, uint32_t *n, const struct dlcs_entity *e,
                        const struct dlcs_term *t)
{
    const struct dlcs_field *f = field_of(e, t->field);
    const char *name = stored_name(e, f);
    bson_t c, op;

    next_doc(list, n, &c);
    switch (t->op) {
    case DLCS_TERM_EQ:
        if (f->type == DLCS_FT_STRING)
            append_str(&c, e, f, t->str);
        else if (f->type == DLCS_FT_TIME && t->num == 0)
            BSON_APPEND_NULL(&c, name);
        else
            dlcs_mongo_append_num(&c, name, f, t->num);
        break;
    case DLCS_TERM_UNSET:
        BSON_APPEND_NULL(&c, name);
        break;
    case DLCS_TERM_SET:
        BSON_APPEND_DOCUMENT_BEGIN(&c, name, &op);
        BSON_APPEND_NULL(&op, "$ne");
        bson_append_document_end(&c, &op);
        break;
    case DLCS_TERM_POSITIVE:
        BSON_APPEND_DOCUMENT_BEGIN(&c, name, &op);
        BSON_APPEND_INT64(&op, "$gt", 0);
        bson_append_document_end(&c, &op);
        break;
    case DLCS_TERM_HAS:
        BSON_APPEND_UTF8(&c, name, t->str); /* an array field matches one of its items */
        break;
    }
    bson_append_document_end(list, &c);
}

static void append_batches(bson_t *list, uint32_t *n, const struct dlcs_query *q)
{
    bson_t c, in, arr;
    char idx[16];
    const char *key;

    next_doc(list, n, &c);
    BSON_APPEND_DOCUMENT_BEGIN(&c, "batches", &in);
    BSON_APPEND_ARRAY_BEGIN(&in, "$in", &arr);
    for (size_t i = 0; i < q->batch_member_count; i++) {
        (void)bson_uint32_to_string((uint32_t)i, &key, idx, sizeof idx);
        bson_append_int64(&arr, key, -1, q->batch_members[i]);
    }
    bson_append_array_end(&in, &arr);
    bson_append_document_end(&c, &in);
    bson_append_document_end(list, &c);
}

/* Key 'k' equal to its start value. */
static void key_equal(bson_t *b, const struct dlcs_entity *e, const struct dlcs_sort_key *k)
{
    const char *name = stored_name(e, k->field);

    if (k->null)
        BSON_APPEND_NULL(b, name);
    else if (k->field->type == DLCS_FT_STRING)
        append_str(b, e, k->field, k->str);
    else
        dlcs_mongo_append_num(b, name, k->field, k->num);
}

/* The value of 'k' under 'op' ("$gt"/"$lt") inside a {name: {op: v}} document. */
static void key_compare(bson_t *b, const struct dlcs_entity *e, const struct dlcs_sort_key *k,
                        const char *op)
{
    bson_t cmp;
    char folded[DLCS_NAME_MAX + 1];
    const char *s = k->str;

    BSON_APPEND_DOCUMENT_BEGIN(b, stored_name(e, k->field), &cmp);
    if (k->field->type == DLCS_FT_STRING) {
        if (dlcs_mongo_folded(e, k->field)) {
            dlcs_mongo_fold(s, folded, sizeof folded);
            s = folded;
        }
        BSON_APPEND_UTF8(&cmp, op, s);
    } else {
        dlcs_mongo_append_num(&cmp, op, k->field, k->num);
    }
    bson_append_document_end(b, &cmp);
}

/*
 * Key 'k' strictly after its start value, appended to 'b' as a condition; false when nothing
 * can be (an unset value descending: unset ones come last).
 */
static bool key_after(bson_t *b, const struct dlcs_entity *e, const struct dlcs_sort_key *k)
{
    bson_t ne, either, one;
    uint32_t n = 0;

    if (k->null && k->desc)
        return false;
    if (k->null) {
        BSON_APPEND_DOCUMENT_BEGIN(b, stored_name(e, k->field), &ne);
        BSON_APPEND_NULL(&ne, "$ne");
        bson_append_document_end(b, &ne);
        return true;
    }
    if (!k->desc || !dlcs_field_nullable(k->field)) {
        key_compare(b, e, k, k->desc ? "$lt" : "$gt");
        return true;
    }
    BSON_APPEND_ARRAY_BEGIN(b, "$or", &either);
    next_doc(&either, &n, &one);
    key_compare(&one, e, k, "$lt");
    bson_append_document_end(&either, &one);
    next_doc(&either, &n, &one);
    BSON_APPEND_NULL(&one, stored_name(e, k->field));
    bson_append_document_end(&either, &one);
    bson_append_array_end(b, &either);
    return true;
}

/* Rows after the cursor: k0 after, or k0 equal and k1 after, and so on. */
static void append_seek(bson_t *list, uint32_t *n, const struct dlcs_entity *e,
                        const struct dlcs_seek *s)
{
    bson_t c, any, branch, all, part;
    uint32_t branches = 0;

    next_doc(list, n, &c);
    BSON_APPEND_ARRAY_BEGIN(&c, "$or", &any);
    for (size_t i = 0; i < s->count; i++) {
        uint32_t parts = 0;
        bson_t after;

        bson_init(&after);
        if (!key_after(&after, e, &s->keys[i])) {
            bson_destroy(&after);
            continue;
        }
        next_doc(&any, &branches, &branch);
        BSON_APPEND_ARRAY_BEGIN(&branch, "$and", &all);
        for (size_t j = 0; j < i; j++) {
            next_doc(&all, &parts, &part);
            key_equal(&part, e, &s->keys[j]);
            bson_append_document_end(&all, &part);
        }
        next_doc(&all, &parts, &part);
        bson_concat(&part, &after);
        bson_append_document_end(&all, &part);
        bson_append_array_end(&branch, &all);
        bson_append_document_end(&any, &branch);
        bson_destroy(&after);
    }
    if (branches == 0) { /* nothing can follow: a condition no document meets */
        bson_t never;

        next_doc(&any, &branches, &branch);
        BSON_APPEND_DOCUMENT_BEGIN(&branch, "_id", &never);
        BSON_APPEND_BOOL(&never, "$exists", false);
        bson_append_document_end(&branch, &never);
        bson_append_document_end(&any, &branch);
    }
    bson_append_array_end(&c, &any);
    bson_append_document_end(list, &c);
}

void dlcs_mongo_query_filter(const struct dlcs_entity *e, const struct dlcs_query *q, bool seek,
                             bson_t *out)
{
    bson_t list;
    uint32_t n = 0;

    bson_init(out);
    if (q->term_count == 0 && q->batch_member_count == 0 && !(seek && q->seek.after))
        return;
    BSON_APPEND_ARRAY_BEGIN(out, "$and", &list);
    for (size_t i = 0; i < q->term_count; i++)
        append_term(&list, &n, e, &q->terms[i]);
    if (q->batch_member_count > 0)
        append_batches(&list, &n, q);
    if (seek && q->seek.after)
        append_seek(&list, &n, e, &q->seek);
    bson_append_array_end(out, &list);
}

void dlcs_mongo_query_opts(const struct dlcs_entity *e, const struct dlcs_query *q, bson_t *out)
{
    bson_t sort;

    bson_init(out);
    BSON_APPEND_DOCUMENT_BEGIN(out, "sort", &sort);
    for (size_t i = 0; i < q->seek.count; i++)
        BSON_APPEND_INT32(&sort, stored_name(e, q->seek.keys[i].field),
                          q->seek.keys[i].desc ? -1 : 1);
    bson_append_document_end(out, &sort);
    if (q->limit > 0)
        BSON_APPEND_INT64(out, "limit", q->limit);
    if (q->offset > 0)
        BSON_APPEND_INT64(out, "skip", q->offset);
}

static enum dlcs_status fetch(struct mongo_call *c, const struct dlcs_entity *e,
                              const struct dlcs_query *q, struct dlcs_list *out,
                              struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, e->collection);
    bson_t filter, opts;
    mongoc_cursor_t *cur;
    const bson_t *doc;
    bson_error_t be;
    size_t cap = 0;
    enum dlcs_status st = DLCS_OK;

    dlcs_mongo_query_filter(e, q, true, &filter);
    dlcs_mongo_query_opts(e, q, &opts);
    cur = mongoc_collection_find_with_opts(coll, &filter, &opts, NULL);
    while (st == DLCS_OK && mongoc_cursor_next(cur, &doc)) {
        st = dlcs_mongo_read(doc, e, dlcs_list_push(out, &cap), err);
    }
    if (st == DLCS_OK && mongoc_cursor_error(cur, &be))
        st = dlcs_mongo_fail(&be, "list", err);
    mongoc_cursor_destroy(cur);
    bson_destroy(&filter);
    bson_destroy(&opts);
    mongoc_collection_destroy(coll);
    return st;
}

static enum dlcs_status count_matches(struct mongo_call *c, const struct dlcs_entity *e,
                                      const struct dlcs_query *q, int64_t *out,
                                      struct dlcs_error *err)
{
    mongoc_collection_t *coll = dlcs_mongo_coll(c, e->collection);
    bson_t filter;
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    dlcs_mongo_query_filter(e, q, false, &filter);
    *out = mongoc_collection_count_documents(coll, &filter, NULL, NULL, NULL, &be);
    if (*out < 0)
        st = dlcs_mongo_fail(&be, "count", err);
    bson_destroy(&filter);
    mongoc_collection_destroy(coll);
    return st;
}

enum dlcs_status dlcs_mongo_op_list(void *impl, const struct dlcs_entity *e,
                                    const struct dlcs_query *q, struct dlcs_list *out,
                                    struct dlcs_error *err)
{
    struct mongo_call c;
    enum dlcs_status st;

    dlcs_mongo_begin(&c, impl);
    st = fetch(&c, e, q, out, err);
    if (st == DLCS_OK && q->count_total)
        st = count_matches(&c, e, q, &out->total, err);
    dlcs_mongo_end(&c);
    if (st != DLCS_OK)
        dlcs_list_release(out);
    return st;
}

enum dlcs_status dlcs_mongo_op_count(void *impl, const struct dlcs_entity *e,
                                     const struct dlcs_query *q, int64_t *out,
                                     struct dlcs_error *err)
{
    struct mongo_call c;
    enum dlcs_status st;

    dlcs_mongo_begin(&c, impl);
    st = count_matches(&c, e, q, out, err);
    dlcs_mongo_end(&c);
    return st;
}

enum dlcs_status dlcs_mongo_op_usage(void *impl, int64_t customer, int64_t space,
                                     struct dlcs_usage *out, struct dlcs_error *err)
{
    struct mongo_call c;
    mongoc_collection_t *coll;
    bson_t *match = space ? BCON_NEW("customer", BCON_INT64(customer), "space", BCON_INT64(space))
                          : BCON_NEW("customer", BCON_INT64(customer));
    bson_t *pipeline =
        BCON_NEW("pipeline", "[", "{", "$match", BCON_DOCUMENT(match), "}", "{", "$group", "{",
                 "_id", BCON_NULL, "images", "{", "$sum", BCON_INT32(1), "}", "bytes", "{", "$sum",
                 BCON_UTF8("$size"), "}", "uploads", "{", "$sum", BCON_UTF8("$originSize"), "}",
                 "thumbs", "{", "$sum", BCON_UTF8("$thumbnailSize"), "}", "}", "}", "]");
    mongoc_cursor_t *cur;
    const bson_t *doc;
    bson_error_t be;
    enum dlcs_status st = DLCS_OK;

    dlcs_mongo_begin(&c, impl);
    coll = dlcs_mongo_coll(&c, "assets");
    cur = mongoc_collection_aggregate(coll, MONGOC_QUERY_NONE, pipeline, NULL, NULL);
    if (mongoc_cursor_next(cur, &doc)) {
        out->images = dlcs_mongo_int(doc, "images");
        out->bytes = dlcs_mongo_int(doc, "bytes") + dlcs_mongo_int(doc, "uploads");
        out->thumbnail_bytes = dlcs_mongo_int(doc, "thumbs");
    }
    if (mongoc_cursor_error(cur, &be))
        st = dlcs_mongo_fail(&be, "storage usage", err);
    mongoc_cursor_destroy(cur);
    mongoc_collection_destroy(coll);
    dlcs_mongo_end(&c);
    bson_destroy(pipeline);
    bson_destroy(match);
    return st;
}
