/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SQLite adapter's recovery writes: named leases (one reconciler at a time), stalled
 * assets given a job again, and a batch's failed members ingested again with exact counters.
 */
#include <stdlib.h>
#include <string.h>

#include "dlcs/clock.h"
#include "dlcs/mem.h"

#include "sqlite_internal.h"

static const char SQL_LEASE_TAKE[] =
    "INSERT INTO leases (name, holder, until) VALUES (?1, ?2, ?3) "
    "ON CONFLICT (name) DO UPDATE SET holder=excluded.holder, until=excluded.until "
    "WHERE leases.until < ?4 OR leases.holder = excluded.holder";
static const char SQL_LEASE_GIVE_UP[] = "UPDATE leases SET until=0 WHERE name=?1 AND holder=?2";
/* 'modified < ?1' lets the partial index bound the scan; 'requeued' is the second deadline */
static const char SQL_STALLED[] =
    "SELECT a.customer, a.space, a.id, a.generation, a.batch,"
    " COALESCE((SELECT b.priority FROM batches b WHERE b.id = a.batch), 0) "
    "FROM assets a WHERE a.ingesting = 1 AND a.modified < ?1 AND a.requeued < ?1 "
    "AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.customer = a.customer AND j.space = a.space "
    " AND j.asset = a.id) LIMIT ?2";
static const char SQL_MARK_REQUEUED[] =
    "UPDATE assets SET requeued=?4 WHERE customer=?1 AND space=?2 AND id=?3";
static const char SQL_BATCH_OWNER[] = "SELECT customer, priority FROM batches WHERE id=?1";
/* members that failed and whose record is still this batch's */
static const char SQL_FAILED_MEMBERS[] =
    "SELECT m.space, m.asset FROM batch_assets m JOIN assets a ON a.customer = m.customer "
    " AND a.space = m.space AND a.id = m.asset "
    "WHERE m.batch = ?1 AND m.customer = ?2 AND m.status = 2 AND a.batch = ?1 AND a.ingesting = 0";
static const char SQL_ASSET_AGAIN[] =
    "UPDATE assets SET generation=?4, ingesting=1, error=NULL, finished=NULL, modified=?5 "
    "WHERE customer=?1 AND space=?2 AND id=?3";
static const char SQL_MEMBER_AGAIN[] =
    "UPDATE batch_assets SET status=0, error=NULL, finished=NULL "
    "WHERE batch=?4 AND customer=?1 AND space=?2 AND asset=?3";
static const char SQL_BATCH_AGAIN[] =
    "UPDATE batches SET errors=errors-?2, finished=NULL WHERE id=?1";

/* ---- leases ---------------------------------------------------------------------------------- */

struct lease_call {
    const struct dlcs_store_lease *lease;
    bool *held;
};

static enum dlcs_status lease_write(struct sql_store *s, struct sql_conn *c, void *ctx,
                                    struct dlcs_error *err)
{
    const struct lease_call *call = ctx;
    const struct dlcs_store_lease *l = call->lease;
    int64_t now = dlcs_time_now_ms();
    sqlite3_stmt *st = NULL;

    (void)s;
    if (dlcs_sql_cached(c, l->ms > 0 ? SQL_LEASE_TAKE : SQL_LEASE_GIVE_UP, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_text(st, 1, l->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, l->holder, -1, SQLITE_STATIC);
    if (l->ms > 0) {
        sqlite3_bind_int64(st, 3, now + l->ms);
        sqlite3_bind_int64(st, 4, now);
    }
    if (dlcs_sql_step_done(c, st, "lease", err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    *call->held = l->ms > 0 && sqlite3_changes(c->db) == 1;
    return DLCS_OK;
}

enum dlcs_status dlcs_sql_op_lease(void *impl, const struct dlcs_store_lease *lease, bool *held,
                                   struct dlcs_error *err)
{
    struct lease_call call = {lease, held};

    return dlcs_sql_in_write(impl, lease_write, &call, err);
}

/* ---- stalled assets -------------------------------------------------------------------------- */

struct stalled_call {
    const struct dlcs_stalled_requeue *q;
    size_t *count;
};

static enum dlcs_status find_stalled(struct sql_conn *c, const struct dlcs_stalled_requeue *q,
                                     struct dlcs_job *jobs, size_t *n, struct dlcs_error *err)
{
    sqlite3_stmt *st = NULL;
    int step;

    *n = 0;
    if (dlcs_sql_cached(c, SQL_STALLED, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, q->before);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)q->max);
    while ((step = sqlite3_step(st)) == SQLITE_ROW && *n < q->max) {
        struct dlcs_job *j = &jobs[(*n)++];
        const char *id = (const char *)sqlite3_column_text(st, 2);

        memset(j, 0, sizeof *j);
        j->customer = sqlite3_column_int64(st, 0);
        j->space = sqlite3_column_int64(st, 1);
        (void)snprintf(j->asset, sizeof j->asset, "%s", id ? id : "");
        j->generation = sqlite3_column_int64(st, 3);
        j->batch = sqlite3_column_int64(st, 4);
        j->priority = sqlite3_column_int(st, 5) != 0;
        j->attempt = 1;
    }
    sqlite3_reset(st);
    return step == SQLITE_ROW || step == SQLITE_DONE ? DLCS_OK : dlcs_sql_fail(c, "stalled", err);
}

static enum dlcs_status stalled_write(struct sql_store *s, struct sql_conn *c, void *ctx,
                                      struct dlcs_error *err)
{
    const struct stalled_call *call = ctx;
    struct dlcs_job *jobs = dlcs_xcalloc(call->q->max, sizeof *jobs);
    int64_t now = dlcs_time_now_ms();
    sqlite3_stmt *st = NULL;
    size_t n = 0;
    enum dlcs_status rc = find_stalled(c, call->q, jobs, &n, err);

    (void)s;
    for (size_t i = 0; i < n && rc == DLCS_OK; i++) {
        rc = dlcs_sql_job_put(c, &jobs[i], err);
        if (rc == DLCS_OK && dlcs_sql_cached(c, SQL_MARK_REQUEUED, &st, err) != DLCS_OK)
            rc = DLCS_EUPSTREAM;
        if (rc == DLCS_OK) {
            dlcs_sql_bind_key3(st, 1, jobs[i].customer, jobs[i].space, jobs[i].asset);
            sqlite3_bind_int64(st, 4, now);
            rc = dlcs_sql_step_done(c, st, "mark requeued", err);
        }
    }
    free(jobs);
    if (rc == DLCS_OK)
        *call->count = n;
    return rc;
}

enum dlcs_status dlcs_sql_op_requeue_stalled(void *impl, const struct dlcs_stalled_requeue *q,
                                             size_t *count, struct dlcs_error *err)
{
    struct stalled_call call = {q, count};

    return dlcs_sql_in_write(impl, stalled_write, &call, err);
}

/* ---- a batch's failed members ---------------------------------------------------------------- */

struct requeue_call {
    int64_t customer, batch;
    int64_t *count;
};

/* The batch's priority when it is this customer's; DLCS_ENOTFOUND otherwise. */
static enum dlcs_status batch_priority(struct sql_conn *c, const struct requeue_call *call,
                                       bool *priority, struct dlcs_error *err)
{
    sqlite3_stmt *st = NULL;
    int step;
    bool mine;

    if (dlcs_sql_cached(c, SQL_BATCH_OWNER, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, call->batch);
    step = sqlite3_step(st);
    mine = step == SQLITE_ROW && sqlite3_column_int64(st, 0) == call->customer;
    *priority = mine && sqlite3_column_int(st, 1) != 0;
    sqlite3_reset(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return dlcs_sql_fail(c, "batch", err);
    if (!mine)
        return dlcs_error_set(err, DLCS_ENOTFOUND, "no batch %lld", (long long)call->batch);
    return DLCS_OK;
}

/* The failed members still the batch's, as jobs (generation not yet set) in '*out'. */
static enum dlcs_status failed_members(struct sql_conn *c, const struct requeue_call *call,
                                       struct dlcs_job **out, size_t *n, struct dlcs_error *err)
{
    sqlite3_stmt *st = NULL;
    size_t cap = 0;
    int step;

    *out = NULL;
    *n = 0;
    if (dlcs_sql_cached(c, SQL_FAILED_MEMBERS, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, call->batch);
    sqlite3_bind_int64(st, 2, call->customer);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 1);
        struct dlcs_job *j;

        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *out = dlcs_xrealloc(*out, cap * sizeof **out);
        }
        j = &(*out)[(*n)++];
        memset(j, 0, sizeof *j);
        j->customer = call->customer;
        j->space = sqlite3_column_int64(st, 0);
        (void)snprintf(j->asset, sizeof j->asset, "%s", id ? id : "");
        j->batch = call->batch;
        j->attempt = 1;
    }
    sqlite3_reset(st);
    return step == SQLITE_DONE ? DLCS_OK : dlcs_sql_fail(c, "failed members", err);
}

/* One member again: a new generation, ingesting, waiting in its batch, its job queued. */
static enum dlcs_status member_again(struct sql_conn *c, const struct dlcs_job *j, int64_t now,
                                     struct dlcs_error *err)
{
    sqlite3_stmt *st = NULL;

    if (dlcs_sql_cached(c, SQL_ASSET_AGAIN, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    dlcs_sql_bind_key3(st, 1, j->customer, j->space, j->asset);
    sqlite3_bind_int64(st, 4, j->generation);
    sqlite3_bind_int64(st, 5, now);
    if (dlcs_sql_step_done(c, st, "asset again", err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    if (dlcs_sql_cached(c, SQL_MEMBER_AGAIN, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    dlcs_sql_bind_key3(st, 1, j->customer, j->space, j->asset);
    sqlite3_bind_int64(st, 4, j->batch);
    if (dlcs_sql_step_done(c, st, "member again", err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    return dlcs_sql_job_put(c, j, err);
}

static enum dlcs_status requeue_write(struct sql_store *s, struct sql_conn *c, void *ctx,
                                      struct dlcs_error *err)
{
    const struct requeue_call *call = ctx;
    struct dlcs_job *jobs = NULL;
    sqlite3_stmt *st = NULL;
    int64_t now = dlcs_time_now_ms(), last = 0;
    size_t n = 0;
    bool priority = false;
    enum dlcs_status rc = batch_priority(c, call, &priority, err);

    (void)s;
    if (rc == DLCS_OK)
        rc = failed_members(c, call, &jobs, &n, err);
    if (rc == DLCS_OK && n > 0)
        rc = dlcs_sql_reserve_generations(c, n, &last, err);
    for (size_t i = 0; i < n && rc == DLCS_OK; i++) {
        jobs[i].generation = last - (int64_t)(n - 1 - i);
        jobs[i].priority = priority;
        rc = member_again(c, &jobs[i], now, err);
    }
    if (rc == DLCS_OK && n > 0 && dlcs_sql_cached(c, SQL_BATCH_AGAIN, &st, err) != DLCS_OK)
        rc = DLCS_EUPSTREAM;
    if (rc == DLCS_OK && n > 0) {
        sqlite3_bind_int64(st, 1, call->batch);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)n);
        rc = dlcs_sql_step_done(c, st, "batch again", err);
    }
    free(jobs);
    if (rc == DLCS_OK)
        *call->count = (int64_t)n;
    return rc;
}

enum dlcs_status dlcs_sql_op_batch_requeue_errors(void *impl, int64_t customer, int64_t batch,
                                                  int64_t *count, struct dlcs_error *err)
{
    struct requeue_call call = {customer, batch, count};

    return dlcs_sql_in_write(impl, requeue_write, &call, err);
}
