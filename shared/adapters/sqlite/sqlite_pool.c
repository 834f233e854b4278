/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite adapter's connection pool, statement cache, transactions and error conversion. */
#include <stdio.h>
#include <string.h>

#include "dlcs/log.h"

#include "sqlite_internal.h"

struct sql_conn *dlcs_sql_acquire(struct sql_store *s)
{
    struct sql_conn *c;

    pthread_mutex_lock(&s->mu);
    while (s->free_count == 0)
        pthread_cond_wait(&s->cv, &s->mu);
    c = s->free_list[--s->free_count];
    pthread_mutex_unlock(&s->mu);
    return c;
}

void dlcs_sql_release(struct sql_store *s, struct sql_conn *c)
{
    pthread_mutex_lock(&s->mu);
    s->free_list[s->free_count++] = c;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/*
 * "UNIQUE constraint failed: spaces.customer, spaces.name" as the fields a client sent:
 * "field 'name' must be unique". Table names and the customer scope stay inside.
 */
static void unique_fields(const char *msg, char *out, size_t cap)
{
    const char *p = strstr(msg, "failed: ");
    size_t n = (size_t)snprintf(out, cap, "field ");
    int count = 0;

    for (p = p ? p + 8 : ""; *p;) {
        size_t len = strcspn(p, ", ");
        const char *dot = memchr(p, '.', len);
        const char *col = dot ? dot + 1 : p;
        size_t clen = len - (size_t)(col - p);

        if (!(clen == 8 && strncmp(col, "customer", 8) == 0) && n + clen + 16 < cap)
            n +=
                (size_t)snprintf(out + n, cap - n, "%s'%.*s'", count++ ? ", " : "", (int)clen, col);
        p += len;
        p += strspn(p, ", ");
    }
    if (count == 0)
        (void)snprintf(out, cap, "its identifier is taken");
    else if (n + 20 < cap)
        (void)snprintf(out + n, cap - n, " must be unique");
}

enum dlcs_status dlcs_sql_fail(struct sql_conn *c, const char *what, struct dlcs_error *err)
{
    int code = sqlite3_extended_errcode(c->db);
    const char *msg = sqlite3_errmsg(c->db);

    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
        char fields[256];

        unique_fields(msg, fields, sizeof fields);
        return dlcs_error_set(err, DLCS_ECONFLICT, "%s already exists: %s", what, fields);
    }
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED || (code & 0xff) == SQLITE_BUSY)
        return dlcs_error_set(err, DLCS_EBUSY, "%s: the database is locked by another writer",
                              what);
    if ((code & 0xff) == SQLITE_FULL)
        return dlcs_error_set(err, DLCS_ENOSPACE, "%s: the store's disk is full", what);
    if ((code & 0xff) == SQLITE_IOERR || (code & 0xff) == SQLITE_CANTOPEN)
        return dlcs_error_set(err, DLCS_EBUSY, "%s: the store cannot be read or written now",
                              what); /* no path or library text: it is answered to clients */
    return dlcs_error_set(err, DLCS_EUPSTREAM, "%s: sqlite: %s", what, msg);
}

enum dlcs_status dlcs_sql_cached(struct sql_conn *c, const char *sql, sqlite3_stmt **out,
                                 struct dlcs_error *err)
{
    sqlite3_stmt *st = NULL;

    for (size_t i = 0; i < c->cache_count; i++) {
        if (c->cache[i].sql == sql) {
            *out = c->cache[i].stmt;
            sqlite3_reset(*out);
            sqlite3_clear_bindings(*out);
            return DLCS_OK;
        }
    }
    if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        return dlcs_sql_fail(c, "prepare", err);
    if (c->cache_count < SQL_CACHE_MAX) {
        c->cache[c->cache_count].sql = sql;
        c->cache[c->cache_count].stmt = st;
        c->cache_count++;
    } else {
        /* never expected: the adapter has fewer long-lived statements than the cache holds */
        DLCS_BUG("sqlite statement cache is full");
    }
    *out = st;
    return DLCS_OK;
}

enum dlcs_status dlcs_sql_exec(struct sql_conn *c, const char *sql, struct dlcs_error *err)
{
    if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return dlcs_sql_fail(c, "exec", err);
    return DLCS_OK;
}

enum dlcs_status dlcs_sql_write_begin(struct sql_store *s, struct sql_conn *c,
                                      struct dlcs_error *err)
{
    pthread_mutex_lock(&s->write_mu);
    if (dlcs_sql_exec(c, "BEGIN IMMEDIATE", err) != DLCS_OK) {
        pthread_mutex_unlock(&s->write_mu);
        return err ? err->code : DLCS_EUPSTREAM;
    }
    return DLCS_OK;
}

enum dlcs_status dlcs_sql_write_end(struct sql_store *s, struct sql_conn *c, enum dlcs_status st,
                                    struct dlcs_error *err)
{
    if (st == DLCS_OK)
        st = dlcs_sql_exec(c, "COMMIT", err);
    if (st != DLCS_OK && !sqlite3_get_autocommit(c->db)) {
        if (sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
            dlcs_log(DLCS_LOG_ERROR, "sqlite rollback failed: %s", sqlite3_errmsg(c->db));
    }
    pthread_mutex_unlock(&s->write_mu);
    return st;
}

enum dlcs_status dlcs_sql_in_write(struct sql_store *s, sql_write_fn fn, void *ctx,
                                   struct dlcs_error *err)
{
    struct sql_conn *c = dlcs_sql_acquire(s);
    enum dlcs_status st = dlcs_sql_write_begin(s, c, err);

    if (st == DLCS_OK)
        st = dlcs_sql_write_end(s, c, fn(s, c, ctx, err), err);
    dlcs_sql_release(s, c);
    return st;
}

enum dlcs_status dlcs_sql_step_done(struct sql_conn *c, sqlite3_stmt *st, const char *what,
                                    struct dlcs_error *err)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        return dlcs_sql_fail(c, what, err);
    return DLCS_OK;
}

void dlcs_sql_bind_key3(sqlite3_stmt *st, int first, int64_t customer, int64_t space,
                        const char *id)
{
    sqlite3_bind_int64(st, first, customer);
    sqlite3_bind_int64(st, first + 1, space);
    sqlite3_bind_text(st, first + 2, id, -1, SQLITE_STATIC);
}
