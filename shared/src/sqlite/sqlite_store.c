/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The embedded store: one SQLite file in WAL mode, a pool of connections (readers run in
 * parallel; writers take turns on an in-process lock and BEGIN IMMEDIATE across processes).
 * synchronous=NORMAL: a committed write survives a crash of the process, and a power loss
 * can lose only the last transactions, never corrupt the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/log.h"
#include "dlcs/mem.h"

#include "../store_adapters.h"
#include "sqlite_internal.h"

static enum dlcs_status open_conn(struct sql_conn *c, const char *path, int busy_ms,
                                  struct dlcs_error *err)
{
    char pragmas[256];
    int rc;

    memset(c, 0, sizeof *c);
    rc = sqlite3_open_v2(path, &c->db,
                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        enum dlcs_status st = dlcs_error_set(err, DLCS_EUPSTREAM, "cannot open '%s': %s", path,
                                             c->db ? sqlite3_errmsg(c->db) : "out of memory");
        sqlite3_close(c->db);
        c->db = NULL;
        return st;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, busy_ms);
    (void)snprintf(pragmas, sizeof pragmas,
                   "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                   " PRAGMA temp_store=MEMORY; PRAGMA cache_size=-32768;"
                   " PRAGMA mmap_size=1073741824;");
    if (dlcs_sql_exec(c, pragmas, err) != DLCS_OK) {
        dlcs_error_prefix(err, "'%s'", path);
        return DLCS_EUPSTREAM;
    }
    return DLCS_OK;
}

static void close_conn(struct sql_conn *c)
{
    for (size_t i = 0; i < c->cache_count; i++)
        sqlite3_finalize(c->cache[i].stmt);
    c->cache_count = 0;
    if (c->db)
        sqlite3_close(c->db);
    c->db = NULL;
}

static void store_close(void *impl)
{
    struct sql_store *s = impl;

    if (!s)
        return;
    for (size_t i = 0; i < s->pool_size; i++)
        close_conn(&s->conns[i]);
    dlcs_sql_entities_free(s);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->write_mu);
    free(s->conns);
    free(s->free_list);
    free(s->path);
    free(s);
}

enum dlcs_status dlcs_store_sqlite_open(const char *path, int pool, int busy_ms, void **impl,
                                        struct dlcs_error *err)
{
    struct sql_store *s = dlcs_xcalloc(1, sizeof *s);
    enum dlcs_status st = DLCS_OK;

    *impl = NULL;
    if (pool < 1)
        pool = 1;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    pthread_mutex_init(&s->write_mu, NULL);
    s->path = dlcs_xstrdup(path);
    s->conns = dlcs_xcalloc((size_t)pool, sizeof *s->conns);
    s->free_list = dlcs_xcalloc((size_t)pool, sizeof *s->free_list);
    dlcs_sql_entities_build(s);
    for (int i = 0; i < pool && st == DLCS_OK; i++) {
        st = open_conn(&s->conns[i], path, busy_ms, err);
        s->pool_size = (size_t)i + 1;
        s->free_list[s->free_count++] = &s->conns[i];
        if (st == DLCS_OK && i == 0)
            st = dlcs_sql_migrate(&s->conns[0], err);
    }
    if (st != DLCS_OK) {
        store_close(s);
        return st;
    }
    dlcs_log(DLCS_LOG_DEBUG, "sqlite store open at '%s' with %d connections", path, pool);
    *impl = s;
    return DLCS_OK;
}

static enum dlcs_status store_ping(void *impl, struct dlcs_error *err)
{
    struct sql_store *s = impl;
    struct sql_conn *c = dlcs_sql_acquire(s);
    enum dlcs_status st = dlcs_sql_exec(c, "SELECT 1 FROM schema_version LIMIT 1", err);

    dlcs_sql_release(s, c);
    return st;
}

const struct dlcs_store_ops dlcs_store_sqlite_ops = {
    .name = "sqlite",
    .close = store_close,
    .ping = store_ping,
    .insert = dlcs_sql_op_insert,
    .get = dlcs_sql_op_get,
    .update = dlcs_sql_op_update,
    .remove = dlcs_sql_op_remove,
    .list = dlcs_sql_op_list,
    .count = dlcs_sql_op_count,
    .space_remove = dlcs_sql_op_space_remove,
    .register_assets = dlcs_sql_op_register,
    .complete = dlcs_sql_op_complete,
    .asset_remove = dlcs_sql_op_asset_remove,
    .job_claim = dlcs_sql_op_job_claim,
    .jobs_reclaim = dlcs_sql_op_jobs_reclaim,
    .job_done = dlcs_sql_op_job_done,
    .job_retry = dlcs_sql_op_job_retry,
    .jobs_waiting = dlcs_sql_op_jobs_waiting,
    .usage = dlcs_sql_op_usage,
};
