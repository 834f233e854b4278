/* SPDX-License-Identifier: Apache-2.0 */
/* Generic record operations of the SQLite adapter, driven by the entity field tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/ids.h"
#include "dlcs/mem.h"

#include "sqlite_internal.h"

static int64_t scope_of(const struct entity_sql *q, const void *obj)
{
    return q->scope ? *(const int64_t *)dlcs_entity_field_cptr(q->scope, obj) : 0;
}

/* The next id of q's counter, or (id > 0) move the counter past 'id'. */
static enum dlcs_status count_id(struct sql_conn *c, const struct entity_sql *q, const void *obj,
                                 int64_t *id, struct dlcs_error *err)
{
    sqlite3_stmt *st = NULL;
    int step;

    if (dlcs_sql_cached(c, *id ? q->bump : q->mint, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    sqlite3_bind_int64(st, 1, scope_of(q, obj));
    if (*id)
        sqlite3_bind_int64(st, 2, *id);
    step = sqlite3_step(st);
    if (step != (*id ? SQLITE_DONE : SQLITE_ROW))
        return dlcs_sql_fail(c, "mint id", err);
    if (!*id)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return DLCS_OK;
}

enum dlcs_status dlcs_sql_mint_key(struct sql_conn *c, const struct entity_sql *q, void *obj,
                                   struct dlcs_error *err)
{
    const struct dlcs_entity *e = q->entity;

    for (size_t i = 0; i < e->field_count; i++) {
        const struct dlcs_field *f = &e->fields[i];
        void *p = dlcs_entity_field_ptr(f, obj);

        if (!(f->flags & DLCS_FF_AUTO))
            continue;
        if (f->type == DLCS_FT_STRING && !*(char **)p) {
            char uuid[DLCS_UUID_BUF];

            dlcs_id_uuid(uuid);
            *(char **)p = dlcs_xstrdup(uuid);
        } else if (f->type == DLCS_FT_INT64 && count_id(c, q, obj, p, err) != DLCS_OK) {
            return DLCS_EUPSTREAM;
        }
    }
    return DLCS_OK;
}

static enum dlcs_status insert_row(struct sql_conn *c, const struct entity_sql *q, const void *obj,
                                   struct dlcs_error *err)
{
    const struct dlcs_entity *e = q->entity;
    sqlite3_stmt *st = NULL;

    if (dlcs_sql_cached(c, q->insert, &st, err) != DLCS_OK)
        return DLCS_EUPSTREAM;
    for (size_t i = 0; i < e->field_count; i++) {
        if (dlcs_sql_bind_field(c, st, (int)i + 1, &e->fields[i], obj, err) != DLCS_OK)
            return DLCS_EUPSTREAM;
    }
    if (sqlite3_step(st) != SQLITE_DONE)
        return dlcs_sql_fail(c, e->type, err);
    return DLCS_OK;
}

enum dlcs_status dlcs_sql_op_insert(void *impl, const struct dlcs_entity *e, void *obj,
                                    struct dlcs_error *err)
{
    struct sql_store *s = impl;
    const struct entity_sql *q = dlcs_sql_entity(s, e);
    struct sql_conn *c = dlcs_sql_acquire(s);
    enum dlcs_status st = dlcs_sql_write_begin(s, c, err);

    if (st == DLCS_OK) {
        st = dlcs_sql_mint_key(c, q, obj, err);
        if (st == DLCS_OK)
            st = insert_row(c, q, obj, err);
        st = dlcs_sql_write_end(s, c, st, err);
    }
    dlcs_sql_release(s, c);
    return st;
}

enum dlcs_status dlcs_sql_op_get(void *impl, const struct dlcs_entity *e, void *obj,
                                 struct dlcs_error *err)
{
    struct sql_store *s = impl;
    const struct entity_sql *q = dlcs_sql_entity(s, e);
    struct sql_conn *c = dlcs_sql_acquire(s);
    sqlite3_stmt *st = NULL;
    enum dlcs_status rc = dlcs_sql_cached(c, q->get, &st, err);
    int step;

    if (rc == DLCS_OK)
        rc = dlcs_sql_bind_keys(c, st, 1, e, obj, err);
    if (rc == DLCS_OK) {
        step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            /* keep the key strings alive while the row replaces them: read into a fresh copy */
            void *fresh = dlcs_xmalloc(e->size);

            dlcs_entity_init(e, fresh);
            rc = dlcs_sql_read_row(st, e, fresh, err);
            dlcs_entity_release(e, obj);
            memcpy(obj, fresh, e->size);
            free(fresh);
        } else if (step == SQLITE_DONE) {
            rc = dlcs_error_set(err, DLCS_ENOTFOUND, "no such %s", e->type);
        } else {
            rc = dlcs_sql_fail(c, e->type, err);
        }
    }
    if (st)
        sqlite3_reset(st);
    dlcs_sql_release(s, c);
    return rc;
}

static enum dlcs_status sql_exists(struct sql_store *s, const struct dlcs_entity *e,
                                   const void *key, struct dlcs_error *err)
{
    struct sql_conn *c = dlcs_sql_acquire(s);
    sqlite3_stmt *st = NULL;
    enum dlcs_status rc = dlcs_sql_cached(c, dlcs_sql_entity(s, e)->get, &st, err);
    int step;

    if (rc == DLCS_OK)
        rc = dlcs_sql_bind_keys(c, st, 1, e, key, err);
    if (rc == DLCS_OK) {
        step = sqlite3_step(st);
        if (step == SQLITE_DONE)
            rc = dlcs_error_set(err, DLCS_ENOTFOUND, "no such %s", e->type);
        else if (step != SQLITE_ROW)
            rc = dlcs_sql_fail(c, e->type, err);
    }
    if (st)
        sqlite3_reset(st);
    dlcs_sql_release(s, c);
    return rc;
}

static char *update_sql(const struct dlcs_entity *e, uint64_t fields)
{
    char *sql = dlcs_xasprintf("UPDATE %s SET ", e->collection);
    char *next;
    int n = 1, any = 0;

    for (size_t i = 0; i < e->field_count; i++) {
        if (!(fields & DLCS_FIELD_BIT(i)))
            continue;
        next = dlcs_xasprintf("%s%s\"%s\"=?%d", sql, any ? "," : "", e->fields[i].name, n++);
        free(sql);
        sql = next;
        any = 1;
    }
    next = dlcs_xasprintf("%s WHERE ", sql);
    free(sql);
    sql = next;
    for (size_t i = 0, k = 0; i < e->field_count; i++) {
        if (!(e->fields[i].flags & DLCS_FF_KEY))
            continue;
        next = dlcs_xasprintf("%s%s\"%s\"=?%d", sql, k++ ? " AND " : "", e->fields[i].name, n++);
        free(sql);
        sql = next;
    }
    return sql;
}

static enum dlcs_status run_update(struct sql_conn *c, const struct dlcs_entity *e, const void *obj,
                                   uint64_t fields, struct dlcs_error *err)
{
    char *sql = update_sql(e, fields);
    sqlite3_stmt *st = NULL;
    enum dlcs_status rc = DLCS_OK;
    int n = 1;

    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        rc = dlcs_sql_fail(c, "prepare update", err);
    for (size_t i = 0; i < e->field_count && rc == DLCS_OK; i++) {
        if (fields & DLCS_FIELD_BIT(i))
            rc = dlcs_sql_bind_field(c, st, n++, &e->fields[i], obj, err);
    }
    if (rc == DLCS_OK)
        rc = dlcs_sql_bind_keys(c, st, n, e, obj, err);
    if (rc == DLCS_OK && sqlite3_step(st) != SQLITE_DONE)
        rc = dlcs_sql_fail(c, e->type, err);
    if (rc == DLCS_OK && sqlite3_changes(c->db) == 0)
        rc = dlcs_error_set(err, DLCS_ENOTFOUND, "no such %s", e->type);
    sqlite3_finalize(st);
    free(sql);
    return rc;
}

enum dlcs_status dlcs_sql_op_update(void *impl, const struct dlcs_entity *e, const void *obj,
                                    uint64_t fields, struct dlcs_error *err)
{
    struct sql_store *s = impl;
    struct sql_conn *c;
    enum dlcs_status st;

    if (fields == 0)
        return sql_exists(s, e, obj, err);
    c = dlcs_sql_acquire(s);
    st = dlcs_sql_write_begin(s, c, err);
    if (st == DLCS_OK)
        st = dlcs_sql_write_end(s, c, run_update(c, e, obj, fields, err), err);
    dlcs_sql_release(s, c);
    return st;
}

enum dlcs_status dlcs_sql_op_remove(void *impl, const struct dlcs_entity *e, const void *key,
                                    struct dlcs_error *err)
{
    struct sql_store *s = impl;
    const struct entity_sql *q = dlcs_sql_entity(s, e);
    struct sql_conn *c = dlcs_sql_acquire(s);
    sqlite3_stmt *st = NULL;
    enum dlcs_status rc = dlcs_sql_write_begin(s, c, err);

    if (rc == DLCS_OK) {
        rc = dlcs_sql_cached(c, q->remove, &st, err);
        if (rc == DLCS_OK)
            rc = dlcs_sql_bind_keys(c, st, 1, e, key, err);
        if (rc == DLCS_OK && sqlite3_step(st) != SQLITE_DONE)
            rc = dlcs_sql_fail(c, e->type, err);
        if (rc == DLCS_OK && sqlite3_changes(c->db) == 0)
            rc = dlcs_error_set(err, DLCS_ENOTFOUND, "no such %s", e->type);
        rc = dlcs_sql_write_end(s, c, rc, err);
    }
    dlcs_sql_release(s, c);
    return rc;
}
