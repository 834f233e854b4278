/* SPDX-License-Identifier: Apache-2.0 */
/* The embedded ingest queue: a job table with leases, in the store's own database. */
#include <string.h>

#include "dlcs/clock.h"

#include "sqlite_internal.h"

static const char SQL_JOB_DROP_OLDER[] =
    "DELETE FROM jobs WHERE customer=?1 AND space=?2 AND asset=?3";
static const char SQL_JOB_ADD[] =
    "INSERT INTO jobs (customer, space, asset, generation, batch, priority, available) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_JOB_CLAIM[] =
    "UPDATE jobs SET lease_until=?1, attempts=attempts+1, lease_owner=?3, lease_token=?4 "
    "WHERE id = (SELECT id FROM jobs "
    "WHERE available <= ?2 AND (lease_until IS NULL OR lease_until < ?2) "
    "ORDER BY priority DESC, id LIMIT 1) "
    "RETURNING id, customer, space, asset, generation, batch, attempts";
static const char SQL_JOB_DONE[] = "DELETE FROM jobs WHERE id=?1";
static const char SQL_JOB_RETRY[] =
    "UPDATE jobs SET available=?2, lease_until=NULL, lease_owner=NULL WHERE id=?1";
static const char SQL_JOB_RECLAIM[] =
    "UPDATE jobs SET lease_until=NULL, lease_owner=NULL, lease_token=NULL "
    "WHERE lease_owner=?1 AND lease_token<>?2 AND lease_until IS NOT NULL";
static const char SQL_JOB_COUNT[] = "SELECT COUNT(*) FROM jobs";

enum dlcs_status dlcs_sql_job_add(struct sql_conn *c, const struct dlcs_asset *a, bool priority,
                                  struct dlcs_error *err)
{
    sqlite3_stmt *st = NULL;

    /* a re-registered asset's older jobs are stale: drop them rather than let workers skip them */
    if (dlcs_sql_cached(c, SQL_JOB_DROP_OLDER, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, a->customer);
    sqlite3_bind_int64(st, 2, a->space);
    sqlite3_bind_text(st, 3, a->id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return dlcs_sql_fail(c, "drop older jobs", err);
    if (dlcs_sql_cached(c, SQL_JOB_ADD, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, a->customer);
    sqlite3_bind_int64(st, 2, a->space);
    sqlite3_bind_text(st, 3, a->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, a->generation);
    sqlite3_bind_int64(st, 5, a->batch);
    sqlite3_bind_int(st, 6, priority ? 1 : 0);
    sqlite3_bind_int64(st, 7, dlcs_time_now_ms());
    if (sqlite3_step(st) != SQLITE_DONE)
        return dlcs_sql_fail(c, "queue a job", err);
    return DLCS_OK;
}

static enum dlcs_status claim(struct sql_conn *c, const struct dlcs_job_lease *lease,
                              struct dlcs_job *job, struct dlcs_error *err)
{
    sqlite3_stmt *st = NULL;
    int64_t now = dlcs_time_now_ms();
    const char *asset;
    int step;

    if (dlcs_sql_cached(c, SQL_JOB_CLAIM, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, now + lease->ms);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_text(st, 3, lease->owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, lease->token, -1, SQLITE_STATIC);
    step = sqlite3_step(st);
    if (step == SQLITE_DONE)
        return dlcs_error_set(err, DLCS_ENOTFOUND, "no job waiting");
    if (step != SQLITE_ROW)
        return dlcs_sql_fail(c, "claim a job", err);
    job->id = sqlite3_column_int64(st, 0);
    job->customer = sqlite3_column_int64(st, 1);
    job->space = sqlite3_column_int64(st, 2);
    asset = (const char *)sqlite3_column_text(st, 3);
    (void)snprintf(job->asset, sizeof job->asset, "%s", asset ? asset : "");
    job->generation = sqlite3_column_int64(st, 4);
    job->batch = sqlite3_column_int64(st, 5);
    job->attempts = sqlite3_column_int(st, 6);
    sqlite3_step(st); /* RETURNING: run the statement to its end before the commit */
    return DLCS_OK;
}

enum dlcs_status dlcs_sql_op_job_claim(void *impl, const struct dlcs_job_lease *lease,
                                       struct dlcs_job *job, struct dlcs_error *err)
{
    struct sql_store *s = impl;
    struct sql_conn *c = dlcs_sql_acquire(s);
    enum dlcs_status st = dlcs_sql_write_begin(s, c, err);

    if (st == DLCS_OK)
        st = dlcs_sql_write_end(s, c, claim(c, lease, job, err), err);
    dlcs_sql_release(s, c);
    return st;
}

static enum dlcs_status reclaim(struct sql_conn *c, const struct dlcs_job_lease *lease,
                                int64_t *count, struct dlcs_error *err)
{
    sqlite3_stmt *st = NULL;

    if (dlcs_sql_cached(c, SQL_JOB_RECLAIM, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_text(st, 1, lease->owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, lease->token, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        return dlcs_sql_fail(c, "reclaim leases", err);
    *count = sqlite3_changes(c->db);
    return DLCS_OK;
}

enum dlcs_status dlcs_sql_op_jobs_reclaim(void *impl, const struct dlcs_job_lease *lease,
                                          int64_t *count, struct dlcs_error *err)
{
    struct sql_store *s = impl;
    struct sql_conn *c = dlcs_sql_acquire(s);
    enum dlcs_status st = dlcs_sql_write_begin(s, c, err);

    if (st == DLCS_OK)
        st = dlcs_sql_write_end(s, c, reclaim(c, lease, count, err), err);
    dlcs_sql_release(s, c);
    return st;
}

/* Run one of the single-statement job writes: done (delete) or retry (make available). */
static enum dlcs_status job_write(struct sql_store *s, const char *sql, int64_t job,
                                  int64_t available, struct dlcs_error *err)
{
    struct sql_conn *c = dlcs_sql_acquire(s);
    sqlite3_stmt *st = NULL;
    enum dlcs_status rc = dlcs_sql_write_begin(s, c, err);

    if (rc == DLCS_OK) {
        rc = dlcs_sql_cached(c, sql, &st, err);
        if (rc == DLCS_OK) {
            sqlite3_bind_int64(st, 1, job);
            if (sql == SQL_JOB_RETRY)
                sqlite3_bind_int64(st, 2, available);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = dlcs_sql_fail(c, "update a job", err);
        }
        rc = dlcs_sql_write_end(s, c, rc, err);
    }
    dlcs_sql_release(s, c);
    return rc;
}

enum dlcs_status dlcs_sql_op_job_done(void *impl, int64_t job, struct dlcs_error *err)
{
    return job_write(impl, SQL_JOB_DONE, job, 0, err);
}

enum dlcs_status dlcs_sql_op_job_retry(void *impl, int64_t job, int64_t delay_ms,
                                       struct dlcs_error *err)
{
    return job_write(impl, SQL_JOB_RETRY, job, dlcs_time_now_ms() + delay_ms, err);
}

enum dlcs_status dlcs_sql_op_jobs_waiting(void *impl, int64_t *count, struct dlcs_error *err)
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
