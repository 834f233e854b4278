/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite adapter's ingest-critical writes: registration with generations and batches,
 * exactly-once completion with atomic batch counters, and deletes that never strand a batch.
 */
#include <string.h>

#include "dlcs/clock.h"
#include "dlcs/failpoint.h"
#include "dlcs/mem.h"
#include "dlcs/model.h"

#include "sqlite_internal.h"

enum member_status {
    MEMBER_WAITING = 0,
    MEMBER_COMPLETED = 1,
    MEMBER_ERROR = 2,
    MEMBER_SUPERSEDED = 3,
};

static const char SQL_SPACE_EXISTS[] = "SELECT 1 FROM spaces WHERE customer=?1 AND id=?2";
/* What a re-registration keeps: identity in time, and what is being served until it ends. */
static const char SQL_ASSET_STATE[] =
    "SELECT generation, created, batch, ingesting, width, height, duration, size, thumbnailSize, "
    "served, origin, originSize FROM assets WHERE customer=?1 AND space=?2 AND id=?3";
static const char SQL_GENERATIONS[] =
    "UPDATE sequences SET value = value + ?1 WHERE name = 'generation' RETURNING value";
static const char SQL_ASSET_DELETE[] =
    "DELETE FROM assets WHERE customer=?1 AND space=?2 AND id=?3";
static const char SQL_MEMBER_ADD[] =
    "INSERT OR REPLACE INTO batch_assets (batch, customer, space, asset, status) "
    "VALUES (?1, ?2, ?3, ?4, 0)";
/* A waiting membership left behind by re-registration or deletion stops counting. */
static const char SQL_MEMBER_SUPERSEDE[] =
    "UPDATE batch_assets SET status=3 WHERE batch=?1 AND customer=?2 AND space=?3 AND asset=?4 "
    "AND status=0";
static const char SQL_BATCH_SHRINK[] =
    "UPDATE batches SET count=count-1, "
    " superseded = CASE WHEN count-1 = 0 THEN 1 ELSE superseded END, "
    " finished = CASE WHEN finished IS NULL AND count-1 > 0 AND completed+errors >= count-1 "
    "   THEN ?2 ELSE finished END "
    "WHERE id=?1";
/* A success switches delivery to its generation; a failure leaves the served one serving. */
static const char SQL_ASSET_FINISH[] =
    "UPDATE assets SET width = CASE WHEN ?4 IS NULL THEN ?1 ELSE width END,"
    " height = CASE WHEN ?4 IS NULL THEN ?2 ELSE height END,"
    " duration = CASE WHEN ?4 IS NULL THEN ?3 ELSE duration END,"
    " size = CASE WHEN ?4 IS NULL THEN ?10 ELSE size END,"
    " thumbnailSize = CASE WHEN ?4 IS NULL THEN ?11 ELSE thumbnailSize END,"
    " served = CASE WHEN ?4 IS NULL THEN ?9 ELSE served END,"
    " error=?4, ingesting=0, finished=?5, modified=?5,"
    " \"mediaType\"=COALESCE(\"mediaType\", ?12) "
    "WHERE customer=?6 AND space=?7 AND id=?8 AND generation=?9 AND ingesting=1";
static const char SQL_ASSET_GENERATION[] =
    "SELECT generation FROM assets WHERE customer=?1 AND space=?2 AND id=?3";
static const char SQL_MEMBER_FINISH[] =
    "UPDATE batch_assets SET status=?5, error=?6, finished=?7 "
    "WHERE batch=?1 AND customer=?2 AND space=?3 AND asset=?4 AND status=0";
static const char SQL_BATCH_COUNT[] =
    "UPDATE batches SET completed=completed+?2, errors=errors+?3, "
    " finished = CASE WHEN finished IS NULL AND completed+?2+errors+?3 >= count "
    "   THEN ?4 ELSE finished END "
    "WHERE id=?1";
static const char SQL_SPACE_ASSETS[] = "SELECT COUNT(*) FROM assets WHERE customer=?1 AND space=?2";
static const char SQL_SPACE_DELETE[] = "DELETE FROM spaces WHERE customer=?1 AND id=?2";

/* Take an asset out of a batch it has not finished in: the batch shrinks and may finish. */
static enum dlcs_status leave_batch(struct sql_conn *c, int64_t batch, int64_t customer,
                                    int64_t space, const char *id, struct dlcs_error *err)
{
    sqlite3_stmt *st = NULL;

    if (dlcs_sql_cached(c, SQL_MEMBER_SUPERSEDE, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, batch);
    dlcs_sql_bind_key3(st, 2, customer, space, id);
    if (dlcs_sql_step_done(c, st, "supersede member", err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    if (sqlite3_changes(c->db) == 0)
        return DLCS_OK; /* it had already completed there: the batch keeps its count */
    if (dlcs_sql_cached(c, SQL_BATCH_SHRINK, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, batch);
    sqlite3_bind_int64(st, 2, dlcs_time_now_ms());
    return dlcs_sql_step_done(c, st, "shrink batch", err);
}

static enum dlcs_status check_space(struct sql_conn *c, int64_t customer, int64_t space,
                                    struct dlcs_error *err)
{
    sqlite3_stmt *st = NULL;
    int step;

    if (dlcs_sql_cached(c, SQL_SPACE_EXISTS, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, customer);
    sqlite3_bind_int64(st, 2, space);
    step = sqlite3_step(st);
    sqlite3_reset(st);
    if (step == SQLITE_DONE)
        return dlcs_error_set(err, DLCS_ENOTFOUND, "space %lld does not exist", (long long)space);
    return step == SQLITE_ROW ? DLCS_OK : dlcs_sql_fail(c, "space", err);
}

/* The previous record's state that its re-registration carries over ('origin' borrowed). */
static void read_previous(sqlite3_stmt *st, struct dlcs_asset *old, char **previous_origin)
{
    const char *origin = (const char *)sqlite3_column_text(st, 10);

    *old = (struct dlcs_asset){.created = sqlite3_column_int64(st, 1),
                               .width = sqlite3_column_int64(st, 4),
                               .height = sqlite3_column_int64(st, 5),
                               .duration = sqlite3_column_int64(st, 6),
                               .size = sqlite3_column_int64(st, 7),
                               .thumbnail_size = sqlite3_column_int64(st, 8),
                               .served = sqlite3_column_int64(st, 9),
                               .origin = (char *)origin,
                               .origin_size = sqlite3_column_int64(st, 11),
                               .batch = sqlite3_column_int64(st, 2)};
    if (previous_origin)
        *previous_origin = origin ? dlcs_xstrdup(origin) : NULL;
}

/* What one registration gives each of its assets. */
struct stamp {
    struct dlcs_renewal renewal;
    bool if_unchanged; /* the input generation must still be the stored one */
};

/*
 * Prepare one asset's new row from its previous state; leave an old batch if it moves.
 * '*previous_origin' (may be NULL) gets the previous record's origin.
 */
static enum dlcs_status prepare_asset(struct sql_conn *c, struct dlcs_asset *a,
                                      const struct stamp *stamp, char **previous_origin,
                                      struct dlcs_error *err)
{
    const int64_t batch = stamp->renewal.batch;
    struct dlcs_asset old;
    sqlite3_stmt *st = NULL;
    int64_t old_batch = 0;
    int step;

    if (dlcs_sql_cached(c, SQL_ASSET_STATE, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    dlcs_sql_bind_key3(st, 1, a->customer, a->space, a->id);
    step = sqlite3_step(st);
    if (stamp->if_unchanged && step == SQLITE_DONE) {
        sqlite3_reset(st);
        return dlcs_error_set(err, DLCS_ENOTFOUND, "no such Image (deleted meanwhile)");
    }
    if (stamp->if_unchanged && step == SQLITE_ROW && sqlite3_column_int64(st, 0) != a->generation) {
        sqlite3_reset(st);
        return dlcs_error_set(err, DLCS_ECONFLICT,
                              "the image was registered again while this request was applied; "
                              "read it again and retry");
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return dlcs_sql_fail(c, "asset state", err);
    if (step == SQLITE_ROW)
        read_previous(st, &old, previous_origin);
    dlcs_asset_renew(a, step == SQLITE_ROW ? &old : NULL, &stamp->renewal);
    old_batch = step == SQLITE_ROW ? old.batch : 0;
    sqlite3_reset(st); /* after the renewal: old.origin is the statement's */
    if (old_batch && old_batch != batch)
        return leave_batch(c, old_batch, a->customer, a->space, a->id, err);
    return DLCS_OK;
}

enum dlcs_status dlcs_sql_reserve_generations(struct sql_conn *c, size_t n, int64_t *last,
                                              struct dlcs_error *err)
{
    sqlite3_stmt *st = NULL;

    if (dlcs_sql_cached(c, SQL_GENERATIONS, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)n);
    if (sqlite3_step(st) != SQLITE_ROW)
        return dlcs_sql_fail(c, "reserve generations", err);
    *last = sqlite3_column_int64(st, 0);
    (void)sqlite3_step(st); /* to the end of the RETURNING rows: the update is complete */
    sqlite3_reset(st);
    return DLCS_OK;
}

static enum dlcs_status write_asset(struct sql_store *s, struct sql_conn *c,
                                    const struct dlcs_asset *a, struct dlcs_error *err)
{
    const struct entity_sql *q = dlcs_sql_entity(s, &dlcs_asset_entity);
    sqlite3_stmt *st = NULL;

    if (dlcs_sql_cached(c, q->upsert, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    for (size_t i = 0; i < dlcs_asset_entity.field_count; i++) {
        if (dlcs_sql_bind_field(c, st, (int)i + 1, &dlcs_asset_entity.fields[i], a, err) != DLCS_OK)
            return DLCS_EUPSTREAM;
    }
    return dlcs_sql_step_done(c, st, "asset", err);
}

static enum dlcs_status add_member(struct sql_conn *c, int64_t batch, const struct dlcs_asset *a,
                                   struct dlcs_error *err)
{
    sqlite3_stmt *st = NULL;

    if (dlcs_sql_cached(c, SQL_MEMBER_ADD, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, batch);
    dlcs_sql_bind_key3(st, 2, a->customer, a->space, a->id);
    return dlcs_sql_step_done(c, st, "batch member", err);
}

static enum dlcs_status create_batch(struct sql_store *s, struct sql_conn *c,
                                     struct dlcs_registration *reg, int64_t now,
                                     struct dlcs_error *err)
{
    const struct entity_sql *q = dlcs_sql_entity(s, &dlcs_batch_entity);
    struct dlcs_batch *b = reg->batch;
    sqlite3_stmt *st = NULL;

    b->id = 0;
    b->count = (int64_t)reg->count;
    b->completed = b->errors = 0;
    b->superseded = false;
    b->submitted = now;
    b->finished = reg->count == 0 ? now : 0;
    if (dlcs_sql_mint_key(c, q, b, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    if (dlcs_sql_cached(c, q->insert, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    for (size_t i = 0; i < dlcs_batch_entity.field_count; i++) {
        if (dlcs_sql_bind_field(c, st, (int)i + 1, &dlcs_batch_entity.fields[i], b, err) != DLCS_OK)
            return DLCS_EUPSTREAM;
    }
    return dlcs_sql_step_done(c, st, "batch", err);
}

static enum dlcs_status register_all(struct sql_store *s, struct sql_conn *c, void *ctx,
                                     struct dlcs_error *err)
{
    struct dlcs_registration *reg = ctx;
    int64_t now = dlcs_time_now_ms();
    int64_t batch = 0, last = 0;

    if (reg->batch) {
        if (create_batch(s, c, reg, now, err) != DLCS_OK)
            return DLCS_EUPSTREAM;
        batch = reg->batch->id;
    }
    if (reg->count > 0 && dlcs_sql_reserve_generations(c, reg->count, &last, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    for (size_t i = 0; i < reg->count; i++) {
        struct dlcs_asset *a = &reg->assets[i];
        const struct stamp stamp = {{batch, now, last - (int64_t)(reg->count - 1 - i)},
                                    reg->if_unchanged};
        enum dlcs_status st = DLCS_OK;

        if (i == 0 || a->space != reg->assets[i - 1].space ||
            a->customer != reg->assets[i - 1].customer)
            st = check_space(c, a->customer, a->space, err);
        if (st != DLCS_OK)
            return st;
        st = prepare_asset(c, a, &stamp, reg->previous_origins ? &reg->previous_origins[i] : NULL,
                           err);
        if (st == DLCS_OK)
            st = write_asset(s, c, a, err);
        if (st == DLCS_OK && batch)
            st = add_member(c, batch, a, err);
        if (st == DLCS_OK && reg->with_jobs)
            st = dlcs_sql_job_add(c, a, reg->priority, err);
        if (st != DLCS_OK) {
            if (reg->count > 1)
                dlcs_error_prefix(err, "asset %zu ('%s')", i, a->id);
            return st;
        }
    }
    if (dlcs_failpoint_hit("store.register.after_assets")) /* the transaction rolls back */
        return dlcs_error_set(err, DLCS_EUPSTREAM, "failpoint store.register.after_assets");
    return DLCS_OK;
}

enum dlcs_status dlcs_sql_op_register(void *impl, struct dlcs_registration *reg,
                                      struct dlcs_error *err)
{
    return dlcs_sql_in_write(impl, register_all, reg, err);
}

static enum dlcs_status finish_asset(struct sql_conn *c, const struct dlcs_ingest_result *r,
                                     int64_t now, enum dlcs_completion *outcome,
                                     struct dlcs_error *err)
{
    sqlite3_stmt *st = NULL;
    int step;

    if (dlcs_sql_cached(c, SQL_ASSET_FINISH, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, r->width);
    sqlite3_bind_int64(st, 2, r->height);
    sqlite3_bind_int64(st, 3, r->duration);
    sqlite3_bind_text(st, 4, r->error, -1, SQLITE_STATIC); /* NULL binds NULL */
    sqlite3_bind_int64(st, 5, now);
    dlcs_sql_bind_key3(st, 6, r->customer, r->space, r->id);
    sqlite3_bind_int64(st, 9, r->generation);
    sqlite3_bind_int64(st, 10, r->size);
    sqlite3_bind_int64(st, 11, r->thumbnail_size);
    sqlite3_bind_text(st, 12, r->media_type, -1, SQLITE_STATIC);
    if (dlcs_sql_step_done(c, st, "finish asset", err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    if (sqlite3_changes(c->db) == 1) {
        *outcome = DLCS_COMPLETION_RECORDED;
        return DLCS_OK;
    }
    /* not recorded: tell a duplicate delivery of this generation from a stale job */
    if (dlcs_sql_cached(c, SQL_ASSET_GENERATION, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    dlcs_sql_bind_key3(st, 1, r->customer, r->space, r->id);
    step = sqlite3_step(st);
    *outcome = step == SQLITE_ROW && sqlite3_column_int64(st, 0) == r->generation
                   ? DLCS_COMPLETION_DUPLICATE
                   : DLCS_COMPLETION_STALE;
    sqlite3_reset(st);
    return step == SQLITE_ROW || step == SQLITE_DONE ? DLCS_OK
                                                     : dlcs_sql_fail(c, "generation", err);
}

static enum dlcs_status count_in_batch(struct sql_conn *c, const struct dlcs_ingest_result *r,
                                       int64_t now, struct dlcs_error *err)
{
    sqlite3_stmt *st = NULL;
    int failed = r->error != NULL;

    if (dlcs_sql_cached(c, SQL_MEMBER_FINISH, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, r->batch);
    dlcs_sql_bind_key3(st, 2, r->customer, r->space, r->id);
    sqlite3_bind_int(st, 5, failed ? MEMBER_ERROR : MEMBER_COMPLETED);
    sqlite3_bind_text(st, 6, r->error, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, now);
    if (dlcs_sql_step_done(c, st, "finish member", err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    if (sqlite3_changes(c->db) == 0)
        return DLCS_OK; /* not a waiting member of that batch: nothing to count */
    if (dlcs_sql_cached(c, SQL_BATCH_COUNT, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, r->batch);
    sqlite3_bind_int(st, 2, failed ? 0 : 1);
    sqlite3_bind_int(st, 3, failed ? 1 : 0);
    sqlite3_bind_int64(st, 4, now);
    return dlcs_sql_step_done(c, st, "batch counters", err);
}

struct completion_call {
    const struct dlcs_ingest_result *r;
    enum dlcs_completion *outcome;
};

static enum dlcs_status complete_write(struct sql_store *s, struct sql_conn *c, void *ctx,
                                       struct dlcs_error *err)
{
    const struct completion_call *call = ctx;
    int64_t now = dlcs_time_now_ms();
    enum dlcs_status st = finish_asset(c, call->r, now, call->outcome, err);

    (void)s;
    if (st == DLCS_OK && dlcs_failpoint_hit("store.complete.after_asset")) /* rolled back */
        st = dlcs_error_set(err, DLCS_EUPSTREAM, "failpoint store.complete.after_asset");
    if (st == DLCS_OK && *call->outcome == DLCS_COMPLETION_RECORDED && call->r->batch)
        st = count_in_batch(c, call->r, now, err);
    return st;
}

enum dlcs_status dlcs_sql_op_complete(void *impl, const struct dlcs_ingest_result *r,
                                      enum dlcs_completion *outcome, struct dlcs_error *err)
{
    struct completion_call call = {r, outcome};

    return dlcs_sql_in_write(impl, complete_write, &call, err);
}

/* The record 'a' names, read into 'a' inside the delete's own write. */
static enum dlcs_status read_removed(struct sql_store *s, struct sql_conn *c, struct dlcs_asset *a,
                                     struct dlcs_error *err)
{
    const struct entity_sql *q = dlcs_sql_entity(s, &dlcs_asset_entity);
    struct dlcs_asset fresh;
    sqlite3_stmt *st = NULL;
    enum dlcs_status rc;
    int step;

    if (dlcs_sql_cached(c, q->get, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    dlcs_sql_bind_key3(st, 1, a->customer, a->space, a->id);
    step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        return dlcs_error_set(err, DLCS_ENOTFOUND, "no such Image");
    if (step != SQLITE_ROW)
        return dlcs_sql_fail(c, "asset", err);
    dlcs_entity_init(&dlcs_asset_entity, &fresh); /* the key strings are bound until reset */
    rc = dlcs_sql_read_row(st, &dlcs_asset_entity, &fresh, err);
    sqlite3_reset(st);
    dlcs_entity_release(&dlcs_asset_entity, a);
    *a = fresh;
    return rc;
}

static enum dlcs_status remove_asset(struct sql_store *s, struct sql_conn *c, void *ctx,
                                     struct dlcs_error *err)
{
    struct dlcs_asset *a = ctx;
    sqlite3_stmt *st = NULL;
    enum dlcs_status rc = read_removed(s, c, a, err);

    if (rc != DLCS_OK)
        return rc;
    if (a->batch && leave_batch(c, a->batch, a->customer, a->space, a->id, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    if (dlcs_sql_cached(c, SQL_ASSET_DELETE, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    dlcs_sql_bind_key3(st, 1, a->customer, a->space, a->id);
    return dlcs_sql_step_done(c, st, "delete asset", err);
}

enum dlcs_status dlcs_sql_op_asset_remove(void *impl, struct dlcs_asset *removed,
                                          struct dlcs_error *err)
{
    return dlcs_sql_in_write(impl, remove_asset, removed, err);
}

struct space_key {
    int64_t customer, space;
};

static enum dlcs_status remove_space(struct sql_store *s, struct sql_conn *c, void *ctx,
                                     struct dlcs_error *err)
{
    const int64_t customer = ((struct space_key *)ctx)->customer;
    const int64_t space = ((struct space_key *)ctx)->space;
    sqlite3_stmt *st = NULL;
    int64_t n;

    (void)s;
    if (dlcs_sql_cached(c, SQL_SPACE_ASSETS, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, customer);
    sqlite3_bind_int64(st, 2, space);
    if (sqlite3_step(st) != SQLITE_ROW)
        return dlcs_sql_fail(c, "count space images", err);
    n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (n > 0)
        return dlcs_error_set(err, DLCS_ECONFLICT, "cannot delete space %lld: it holds %lld images",
                              (long long)space, (long long)n);
    if (dlcs_sql_cached(c, SQL_SPACE_DELETE, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, customer);
    sqlite3_bind_int64(st, 2, space);
    if (dlcs_sql_step_done(c, st, "delete space", err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    if (sqlite3_changes(c->db) == 0)
        return dlcs_error_set(err, DLCS_ENOTFOUND, "no such Space");
    return DLCS_OK;
}

enum dlcs_status dlcs_sql_op_space_remove(void *impl, int64_t customer, int64_t space,
                                          struct dlcs_error *err)
{
    struct space_key key = {customer, space};

    return dlcs_sql_in_write(impl, remove_space, &key, err);
}
