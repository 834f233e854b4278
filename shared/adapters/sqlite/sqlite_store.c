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

#include "dlcs/adapter.h"
#include "dlcs/config.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"
#include "dlcs/store_sqlite.h"

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

static enum dlcs_status open_db(const char *path, int pool, int busy_ms, void **impl,
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

static const struct dlcs_store_ops sqlite_ops = {
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
    .lease = dlcs_sql_op_lease,
    .requeue_stalled = dlcs_sql_op_requeue_stalled,
    .batch_requeue_errors = dlcs_sql_op_batch_requeue_errors,
    .outbox_claim = dlcs_sql_op_outbox_claim,
    .outbox_reclaim = dlcs_sql_op_outbox_reclaim,
    .outbox_add = dlcs_sql_op_outbox_add,
    .outbox_remove = dlcs_sql_op_outbox_remove,
    .outbox_retry = dlcs_sql_op_outbox_retry,
    .outbox_count = dlcs_sql_op_outbox_count,
    .usage = dlcs_sql_op_usage,
};

/* The URL's query overrides the settings: sqlite:///data/dlcs.db?pool=8&busy_ms=10000. */
static enum dlcs_status read_params(const char *url, int *pool, int *busy_ms,
                                    struct dlcs_error *err)
{
    struct dlcs_url_params it;
    char name[32], value[32];
    enum dlcs_status st;

    dlcs_url_params_init(&it, url);
    while ((st = dlcs_url_params_next(&it, name, sizeof name, value, sizeof value, err)) ==
           DLCS_OK) {
        char *end = NULL;
        long v = strtol(value, &end, 10);
        int *to = strcmp(name, "pool") == 0 ? pool : strcmp(name, "busy_ms") == 0 ? busy_ms : NULL;

        if (!to)
            return dlcs_error_set(err, DLCS_EINVAL,
                                  "DLCS_STORE: unknown parameter '%s' (sqlite takes pool, busy_ms)",
                                  name);
        if (!end || *end || v < (to == pool ? 1 : 0) || v > (to == pool ? 256 : 3600000))
            return dlcs_error_set(err, DLCS_EINVAL, "DLCS_STORE: parameter '%s' is out of range",
                                  name);
        *to = (int)v;
    }
    return st == DLCS_ENOTFOUND ? DLCS_OK : st;
}

static enum dlcs_status sqlite_open(const char *url, const struct dlcs_config *cfg,
                                    struct dlcs_store *out, struct dlcs_error *err)
{
    int pool = cfg ? cfg->sqlite_pool : 4;
    int busy_ms = cfg ? cfg->sqlite_busy_ms : 5000;
    char *path = dlcs_url_without_query(dlcs_adapter_rest(&dlcs_store_sqlite_adapter.name, url));
    enum dlcs_status st = read_params(url, &pool, &busy_ms, err);

    if (st == DLCS_OK && !path[0])
        st = dlcs_error_set(err, DLCS_EINVAL, "DLCS_STORE '%s' names no database file", url);
    if (st == DLCS_OK)
        st = open_db(path, pool, busy_ms, &out->impl, err);
    if (st == DLCS_OK)
        out->ops = &sqlite_ops;
    free(path);
    return st;
}

const struct dlcs_store_adapter dlcs_store_sqlite_adapter = {
    {"sqlite", "sqlite:///path/dlcs.db (or a plain path)", true},
    sqlite_open,
};
