/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The outbox: ingest jobs written in the registration's own transaction, claimed under leases.
 * With the embedded queue the workers claim from it directly; with another queue a relay claims
 * entries, publishes them and removes them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/clock.h"
#include "dlcs/mem.h"

#include "sqlite_internal.h"

static const char SQL_JOB_DROP_OLDER[] =
    "DELETE FROM jobs WHERE customer=?1 AND space=?2 AND asset=?3";
static const char SQL_JOB_ADD[] =
    "INSERT INTO jobs (customer, space, asset, generation, batch, priority, available, attempts) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_JOB_CLAIM[] =
    "UPDATE jobs SET lease_until=?1, attempts=attempts+1, lease_owner=?3, lease_token=?4 "
    "WHERE id IN (SELECT id FROM jobs "
    "WHERE available <= ?2 AND (lease_until IS NULL OR lease_until < ?2) "
    "ORDER BY priority DESC, id LIMIT ?5) "
    "RETURNING id, customer, space, asset, generation, batch, attempts, priority, available";
/* one statement for a relay's whole batch: its receipts as a JSON array */
static const char SQL_JOB_DONE[] = "DELETE FROM jobs WHERE id IN (SELECT value FROM json_each(?1))";
static const char SQL_JOB_RETRY[] =
    "UPDATE jobs SET available=?2, lease_until=NULL, lease_owner=NULL WHERE id=?1";
static const char SQL_JOB_RECLAIM[] =
    "UPDATE jobs SET lease_until=NULL, lease_owner=NULL, lease_token=NULL "
    "WHERE lease_owner=?1 AND lease_token<>?2 AND lease_until IS NOT NULL";
static const char SQL_JOB_COUNT[] = "SELECT COUNT(*) FROM jobs";

static enum dlcs_status insert(struct sql_conn *c, const struct dlcs_job *j, struct dlcs_error *err)
{
    sqlite3_stmt *st = NULL;

    if (dlcs_sql_cached(c, SQL_JOB_ADD, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, j->customer);
    sqlite3_bind_int64(st, 2, j->space);
    sqlite3_bind_text(st, 3, j->asset, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, j->generation);
    sqlite3_bind_int64(st, 5, j->batch);
    sqlite3_bind_int(st, 6, j->priority ? 1 : 0);
    sqlite3_bind_int64(st, 7, j->not_before ? j->not_before : dlcs_time_now_ms());
    /* the claim counts the run: a job published for its n-th run has had n-1 */
    sqlite3_bind_int(st, 8, j->attempt > 1 ? j->attempt - 1 : 0);
    if (sqlite3_step(st) != SQLITE_DONE)
        return dlcs_sql_fail(c, "queue a job", err);
    return DLCS_OK;
}

enum dlcs_status dlcs_sql_job_put(struct sql_conn *c, const struct dlcs_job *j,
                                  struct dlcs_error *err)
{
    sqlite3_stmt *st = NULL;

    /* a re-registered asset's older jobs are stale: drop them rather than let workers skip them */
    if (dlcs_sql_cached(c, SQL_JOB_DROP_OLDER, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, j->customer);
    sqlite3_bind_int64(st, 2, j->space);
    sqlite3_bind_text(st, 3, j->asset, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return dlcs_sql_fail(c, "drop older jobs", err);
    return insert(c, j, err);
}

enum dlcs_status dlcs_sql_job_add(struct sql_conn *c, const struct dlcs_asset *a, bool priority,
                                  struct dlcs_error *err)
{
    struct dlcs_job j = {.customer = a->customer,
                         .space = a->space,
                         .generation = a->generation,
                         .batch = a->batch,
                         .priority = priority,
                         .attempt = 1};

    (void)snprintf(j.asset, sizeof j.asset, "%s", a->id);
    return dlcs_sql_job_put(c, &j, err);
}

static void read_job(sqlite3_stmt *st, struct dlcs_job *job)
{
    const char *asset = (const char *)sqlite3_column_text(st, 3);

    memset(job, 0, sizeof *job);
    job->receipt = sqlite3_column_int64(st, 0);
    job->customer = sqlite3_column_int64(st, 1);
    job->space = sqlite3_column_int64(st, 2);
    (void)snprintf(job->asset, sizeof job->asset, "%s", asset ? asset : "");
    job->generation = sqlite3_column_int64(st, 4);
    job->batch = sqlite3_column_int64(st, 5);
    job->attempt = sqlite3_column_int(st, 6);
    job->priority = sqlite3_column_int(st, 7) != 0;
    job->not_before = sqlite3_column_int64(st, 8);
}

static int by_order(const void *a, const void *b)
{
    const struct dlcs_job *x = a, *y = b;

    if (x->priority != y->priority)
        return x->priority ? -1 : 1;
    return x->receipt < y->receipt ? -1 : x->receipt > y->receipt;
}

struct claim_call {
    const struct dlcs_outbox_claim *q;
    size_t *count;
};

static enum dlcs_status claim(struct sql_store *s, struct sql_conn *c, void *ctx,
                              struct dlcs_error *err)
{
    const struct dlcs_outbox_claim *q = ((struct claim_call *)ctx)->q;
    size_t *count = ((struct claim_call *)ctx)->count;
    sqlite3_stmt *st = NULL;
    int64_t now = dlcs_time_now_ms();
    int step;

    (void)s;
    *count = 0;
    if (dlcs_sql_cached(c, SQL_JOB_CLAIM, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, now + q->lease->ms);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_text(st, 3, q->lease->owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, q->lease->token, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)q->max);
    while ((step = sqlite3_step(st)) == SQLITE_ROW && *count < q->max)
        read_job(st, &q->jobs[(*count)++]);
    if (step != SQLITE_DONE && step != SQLITE_ROW)
        return dlcs_sql_fail(c, "claim jobs", err);
    while (step == SQLITE_ROW) /* RETURNING: run the statement to its end before the commit */
        step = sqlite3_step(st);
    /* RETURNING gives rows in no promised order: the claim's order is the queue's */
    qsort(q->jobs, *count, sizeof *q->jobs, by_order);
    return DLCS_OK;
}

enum dlcs_status dlcs_sql_op_outbox_claim(void *impl, const struct dlcs_outbox_claim *q,
                                          size_t *count, struct dlcs_error *err)
{
    struct claim_call call = {q, count};
    enum dlcs_status st = dlcs_sql_in_write(impl, claim, &call, err);

    if (st != DLCS_OK)
        *count = 0;
    if (st == DLCS_OK && *count == 0)
        st = dlcs_error_set(err, DLCS_ENOTFOUND, "no job waiting");
    return st;
}

struct reclaim_call {
    const struct dlcs_outbox_lease *lease;
    int64_t *count;
};

static enum dlcs_status reclaim(struct sql_store *s, struct sql_conn *c, void *ctx,
                                struct dlcs_error *err)
{
    const struct dlcs_outbox_lease *lease = ((struct reclaim_call *)ctx)->lease;
    int64_t *count = ((struct reclaim_call *)ctx)->count;
    sqlite3_stmt *st = NULL;

    (void)s;
    if (dlcs_sql_cached(c, SQL_JOB_RECLAIM, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_text(st, 1, lease->owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, lease->token, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return dlcs_sql_fail(c, "reclaim leases", err);
    *count = sqlite3_changes(c->db);
    return DLCS_OK;
}

enum dlcs_status dlcs_sql_op_outbox_reclaim(void *impl, const struct dlcs_outbox_lease *lease,
                                            int64_t *count, struct dlcs_error *err)
{
    struct reclaim_call call = {lease, count};

    return dlcs_sql_in_write(impl, reclaim, &call, err);
}

struct jobs_call {
    const struct dlcs_job *jobs;
    const int64_t *receipts;
    size_t count;
    int64_t not_before; /* retry */
};

static enum dlcs_status add_write(struct sql_store *s, struct sql_conn *c, void *ctx,
                                  struct dlcs_error *err)
{
    const struct jobs_call *call = ctx;
    enum dlcs_status rc = DLCS_OK;

    (void)s;
    for (size_t i = 0; i < call->count && rc == DLCS_OK; i++)
        rc = insert(c, &call->jobs[i], err);
    return rc;
}

enum dlcs_status dlcs_sql_op_outbox_add(void *impl, const struct dlcs_job *jobs, size_t count,
                                        struct dlcs_error *err)
{
    struct jobs_call call = {jobs, NULL, count, 0};

    return dlcs_sql_in_write(impl, add_write, &call, err);
}

static enum dlcs_status remove_write(struct sql_store *s, struct sql_conn *c, void *ctx,
                                     struct dlcs_error *err)
{
    const struct jobs_call *call = ctx;
    sqlite3_stmt *st = NULL;
    size_t cap = call->count * 21 + 3, len = 0;
    char *ids = dlcs_xmalloc(cap);
    enum dlcs_status rc = dlcs_sql_cached(c, SQL_JOB_DONE, &st, err);

    (void)s;
    ids[len++] = '[';
    for (size_t i = 0; i < call->count; i++)
        len += (size_t)snprintf(ids + len, cap - len, "%s%lld", i ? "," : "",
                                (long long)call->receipts[i]);
    (void)snprintf(ids + len, cap - len, "]");
    if (rc == DLCS_OK) {
        sqlite3_bind_text(st, 1, ids, -1, SQLITE_STATIC);
        rc = dlcs_sql_step_done(c, st, "remove jobs", err);
        sqlite3_reset(st);
    }
    free(ids);
    return rc;
}

enum dlcs_status dlcs_sql_op_outbox_remove(void *impl, const int64_t *receipts, size_t count,
                                           struct dlcs_error *err)
{
    struct jobs_call call = {NULL, receipts, count, 0};

    return dlcs_sql_in_write(impl, remove_write, &call, err);
}

static enum dlcs_status retry_write(struct sql_store *s, struct sql_conn *c, void *ctx,
                                    struct dlcs_error *err)
{
    const struct jobs_call *call = ctx;
    sqlite3_stmt *st = NULL;

    (void)s;
    if (dlcs_sql_cached(c, SQL_JOB_RETRY, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, call->receipts[0]);
    sqlite3_bind_int64(st, 2, call->not_before);
    return dlcs_sql_step_done(c, st, "retry a job", err);
}

enum dlcs_status dlcs_sql_op_outbox_retry(void *impl, int64_t receipt, int64_t not_before,
                                          struct dlcs_error *err)
{
    struct jobs_call call = {NULL, &receipt, 1, not_before};

    return dlcs_sql_in_write(impl, retry_write, &call, err);
}

enum dlcs_status dlcs_sql_op_outbox_count(void *impl, int64_t *count, struct dlcs_error *err)
{
    struct sql_store *s = impl;
    struct sql_conn *c = dlcs_sql_acquire(s);
    sqlite3_stmt *st = NULL;
    enum dlcs_status rc = dlcs_sql_cached(c, SQL_JOB_COUNT, &st, err);

    if (rc == DLCS_OK && sqlite3_step(st) == SQLITE_ROW)
        *count = sqlite3_column_int64(st, 0);
    else if (rc == DLCS_OK)
        rc = dlcs_sql_fail(c, "count jobs", err);
    if (st)
        sqlite3_reset(st);
    dlcs_sql_release(s, c);
    return rc;
}
