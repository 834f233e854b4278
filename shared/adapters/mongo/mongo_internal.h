/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private to the MongoDB store adapter: the client pool, the BSON form of the entities, and the
 * steps that give the store's semantics without multi-document transactions (docs/
 * architecture.md, "The MongoDB adapter", says how each op is made exact).
 */
#ifndef DLCS_MONGO_INTERNAL_H
#define DLCS_MONGO_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <mongoc/mongoc.h>

#include "dlcs/entity.h"
#include "dlcs/error.h"
#include "dlcs/model.h"
#include "dlcs/store.h"

/* Collections besides the entities' own (each entity's is its e->collection). */
#define MONGO_COUNTERS "counters"      /* {_id: name, last}: ids and generations */
#define MONGO_OUTBOX   "outbox"        /* ingest jobs until the queue has them */
#define MONGO_LEASES   "leases"        /* {_id: name, holder, until} */
#define MONGO_INTENTS  "batch_intents" /* a batch requeue in progress (rolled forward) */

struct mongo_store {
    mongoc_client_pool_t *pool;
    mongoc_uri_t *uri;
    char *db; /* database name */
};

/* One call's client, popped from the pool and pushed back by dlcs_mongo_end. */
struct mongo_call {
    struct mongo_store *s;
    mongoc_client_t *client;
};

void dlcs_mongo_begin(struct mongo_call *c, struct mongo_store *s);
void dlcs_mongo_end(struct mongo_call *c);

/* Collection 'name' of the store's database (new: mongoc_collection_destroy). */
mongoc_collection_t *dlcs_mongo_coll(const struct mongo_call *c, const char *name);

/*
 * A driver or server error as a status: a duplicate key is DLCS_ECONFLICT naming the field of
 * its index; everything else is DLCS_EUPSTREAM (the store is failing: a 503, a retried job),
 * never "not found". 'what' names the operation.
 */
enum dlcs_status dlcs_mongo_fail(const bson_error_t *e, const char *what, struct dlcs_error *err);

/* ---- BSON form of the entities (mongo_bson.c) ------------------------------------------- */

/*
 * A field stored folded for case-insensitive uniqueness and lookup (customers' names): the
 * stored name of its folded copy, or NULL.
 */
const char *dlcs_mongo_folded(const struct dlcs_entity *e, const struct dlcs_field *f);

/* ASCII lower case of 's' into 'buf' ('len' bytes). */
void dlcs_mongo_fold(const char *s, char *buf, size_t len);

/* Append field 'f' of 'obj' under its name (unset strings and times: nothing). */
void dlcs_mongo_append_field(bson_t *b, const struct dlcs_field *f, const void *obj);

/* Append field 'f''s value given as an integer (a term or seek value) in its stored type. */
void dlcs_mongo_append_num(bson_t *b, const char *name, const struct dlcs_field *f, int64_t v);

/* The whole document of 'obj' (every field, folded copies) into 'out' (initialised here). */
void dlcs_mongo_doc(const struct dlcs_entity *e, const void *obj, bson_t *out);

/* $set / $unset of the fields in 'mask' into 'update' (initialised here). */
void dlcs_mongo_set_fields(const struct dlcs_entity *e, const void *obj, uint64_t mask,
                           bson_t *update);

/* The filter of the record keyed by 'obj' (its key fields) into 'out' (initialised here). */
void dlcs_mongo_key_filter(const struct dlcs_entity *e, const void *obj, bson_t *out);

/* An asset's key filter. */
void dlcs_mongo_asset_filter(int64_t customer, int64_t space, const char *id, bson_t *out);

/* The integer at 'it' / under 'name' of 'doc'; 0 when absent or not a number. */
int64_t dlcs_mongo_iter_int(const bson_iter_t *it);
int64_t dlcs_mongo_int(const bson_t *doc, const char *name);

/* Read 'doc' into 'obj' (initialised; fields absent from it keep their values). */
enum dlcs_status dlcs_mongo_read(const bson_t *doc, const struct dlcs_entity *e, void *obj,
                                 struct dlcs_error *err) DLCS_WARN_UNUSED;

/* ---- schema (mongo_schema.c) -------------------------------------------------------------- */

/* Create every collection's indexes (idempotent: at every start). */
enum dlcs_status dlcs_mongo_indexes(struct mongo_call *c, struct dlcs_error *err) DLCS_WARN_UNUSED;

/* ---- counters (mongo_crud.c) -------------------------------------------------------------- */

/*
 * Counters: fields of documents of the counters collection, moved in one findAndModify (so an
 * id is given once across every process). 'field' gets 'n' added (created at 0), and
 * 'field2' (NULL: none) 'n2' in the same update; '*last' and '*last2' get their new values
 * (the n values last-n+1..last are the caller's). With 'at_least' > 0, 'field' only moves up
 * to it (an id the caller chose). Unscoped ids and generations live in the document "ids".
 */
struct mongo_counter {
    const char *name;  /* the counter document */
    const char *field; /* its field */
    int64_t n;
    int64_t at_least;
    const char *field2;
    int64_t n2;
};
#define MONGO_IDS "ids"
enum dlcs_status dlcs_mongo_count_up(struct mongo_call *c, const struct mongo_counter *k,
                                     int64_t *last, int64_t *last2,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Mint 'obj''s unset AUTO key (or move the counter past a chosen integer id). */
enum dlcs_status dlcs_mongo_mint_key(struct mongo_call *c, const struct dlcs_entity *e, void *obj,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/* ---- helpers shared by the ops -------------------------------------------------------------- */

/* Run a find of 'filter' with 'opts' on collection 'coll' and read at most one doc into 'obj'. */
enum dlcs_status dlcs_mongo_find_one(struct mongo_call *c, const char *coll, const bson_t *filter,
                                     const struct dlcs_entity *e, void *obj,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Write the outbox entry of 'j' for its asset (replacing any older one) in bulk 'b'. */
void dlcs_mongo_outbox_put(mongoc_bulk_operation_t *b, const struct dlcs_job *j, int64_t receipt);

/* Execute bulk 'b' (destroyed); '*matched' (may be NULL) the matched+upserted count. */
enum dlcs_status dlcs_mongo_bulk_run(mongoc_bulk_operation_t *b, const char *what, int64_t *matched,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/* A batch leaves member 'key' it has not finished in: count - 1, maybe finished/superseded. */
enum dlcs_status dlcs_mongo_leave_batch(struct mongo_call *c, int64_t batch, const char *key,
                                        struct dlcs_error *err) DLCS_WARN_UNUSED;

/* The member key of an asset in its batch's sets: "customer/space/id". */
void dlcs_mongo_member_key(int64_t customer, int64_t space, const char *id, char *buf, size_t len);
#define MONGO_MEMBER_KEY_MAX (2 * 21 + DLCS_ASSET_ID_MAX + 3)

/* ---- ops ------------------------------------------------------------------------------------ */

enum dlcs_status dlcs_mongo_op_insert(void *impl, const struct dlcs_entity *e, void *obj,
                                      struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_get(void *impl, const struct dlcs_entity *e, void *obj,
                                   struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_update(void *impl, const struct dlcs_entity *e, const void *obj,
                                      uint64_t fields, struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_remove(void *impl, const struct dlcs_entity *e, const void *key,
                                      struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_list(void *impl, const struct dlcs_entity *e,
                                    const struct dlcs_query *q, struct dlcs_list *out,
                                    struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_count(void *impl, const struct dlcs_entity *e,
                                     const struct dlcs_query *q, int64_t *out,
                                     struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_usage(void *impl, int64_t customer, int64_t space,
                                     struct dlcs_usage *out, struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_space_remove(void *impl, int64_t customer, int64_t space,
                                            struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_register(void *impl, struct dlcs_registration *reg,
                                        struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_complete(void *impl, const struct dlcs_ingest_result *r,
                                        enum dlcs_completion *outcome, struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_asset_remove(void *impl, struct dlcs_asset *removed,
                                            struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_outbox_claim(void *impl, const struct dlcs_outbox_claim *q,
                                            size_t *count, struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_outbox_reclaim(void *impl, const struct dlcs_outbox_lease *lease,
                                              int64_t *count, struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_outbox_add(void *impl, const struct dlcs_job *jobs, size_t count,
                                          struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_outbox_remove(void *impl, const int64_t *receipts, size_t count,
                                             struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_outbox_retry(void *impl, int64_t receipt, int64_t not_before,
                                            struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_outbox_count(void *impl, int64_t *count, struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_lease(void *impl, const struct dlcs_store_lease *lease, bool *held,
                                     struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_requeue_stalled(void *impl, const struct dlcs_stalled_requeue *q,
                                               size_t *count, struct dlcs_error *err);
enum dlcs_status dlcs_mongo_op_batch_requeue_errors(void *impl, int64_t customer, int64_t batch,
                                                    int64_t *count, struct dlcs_error *err);

#endif /* DLCS_MONGO_INTERNAL_H */
