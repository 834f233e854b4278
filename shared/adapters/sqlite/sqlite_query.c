/* SPDX-License-Identifier: Apache-2.0 */
/* Listing and counting records of the SQLite adapter: WHERE from terms, ORDER BY, paging. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/mem.h"
#include "dlcs/model.h"

#include "sqlite_internal.h"

/* Append printf output to '*sql' (owned). */
static void append(char **sql, const char *fmt, ...) DLCS_PRINTF(2, 3);

static void append(char **sql, const char *fmt, ...)
{
    va_list ap;
    char *piece, *joined;

    va_start(ap, fmt);
    piece = dlcs_xvasprintf(fmt, ap);
    va_end(ap);
    joined = dlcs_xasprintf("%s%s", *sql, piece);

    free(piece);
    free(*sql);
    *sql = joined;
}

static const struct dlcs_field *field_of(const struct dlcs_entity *e, const char *name)
{
    int i = dlcs_entity_field_index(e, name);

    DLCS_ASSERT(i >= 0); /* the port checked the query */
    return &e->fields[i];
}

/*
 * The assets' number indexes are partial, over non-zero values (sqlite_schema.c). A filter
 * on a non-zero number repeats "<> 0" so that the planner can prove the index applies.
 */
static int has_nonzero_partial_index(const struct dlcs_entity *e, const struct dlcs_term *t)
{
    return e == &dlcs_asset_entity && t->num != 0 && strncmp(t->field, "number", 6) == 0;
}

static char *where_clause(const struct dlcs_entity *e, const struct dlcs_query *q)
{
    char *sql = dlcs_xstrdup(" WHERE 1");

    for (size_t i = 0; i < q->term_count; i++) {
        const struct dlcs_term *t = &q->terms[i];

        switch (t->op) {
        case DLCS_TERM_EQ:
            append(&sql, " AND t.\"%s\"=?", t->field);
            if (has_nonzero_partial_index(e, t))
                append(&sql, " AND t.\"%s\"<>0", t->field);
            break;
        case DLCS_TERM_UNSET:
            append(&sql, " AND t.\"%s\" IS NULL", t->field);
            break;
        case DLCS_TERM_SET:
            append(&sql, " AND t.\"%s\" IS NOT NULL", t->field);
            break;
        case DLCS_TERM_POSITIVE:
            append(&sql, " AND t.\"%s\">0", t->field);
            break;
        case DLCS_TERM_HAS:
            append(&sql, " AND EXISTS (SELECT 1 FROM json_each(t.\"%s\") WHERE value=?)", t->field);
            break;
        }
    }
    if (q->batch_member_count > 0) {
        append(&sql, "%s", " AND EXISTS (SELECT 1 FROM batch_assets ba WHERE ba.batch IN (?");
        for (size_t i = 1; i < q->batch_member_count; i++)
            append(&sql, "%s", ",?");
        append(&sql, "%s", ") AND ba.customer=t.customer AND ba.space=t.space AND ba.asset=t.id)");
    }
    return sql;
}

static void order_clause(char **sql, const struct dlcs_query *q)
{
    for (size_t i = 0; i < q->seek.count; i++)
        append(sql, "%s t.\"%s\"%s", i ? "," : " ORDER BY", q->seek.keys[i].field->name,
               q->seek.keys[i].desc ? " DESC" : "");
}

/*
 * A row value comparison, (a, b) > (?, ?), lets SQLite seek an index; it is exact when every
 * key goes one way, no start value is NULL, and no descending key can be NULL (NULLs sort
 * first, so ascending they are rightly never after a set value).
 */
static bool row_value_fits(const struct dlcs_seek *s)
{
    for (size_t i = 0; i < s->count; i++) {
        const struct dlcs_sort_key *k = &s->keys[i];

        if (k->null || k->desc != s->keys[0].desc || (k->desc && dlcs_field_nullable(k->field)))
            return false;
    }
    return true;
}

/* Key 'k' strictly after its start value, in SQL; true when a '?' takes that value. */
static bool key_after(char **sql, const struct dlcs_sort_key *k)
{
    const char *f = k->field->name;

    if (k->null && k->desc) {
        append(sql, "%s", "0"); /* NULLs come last descending: nothing is after them */
        return false;
    }
    if (k->null) {
        append(sql, "t.\"%s\" IS NOT NULL", f);
        return false;
    }
    if (k->desc && dlcs_field_nullable(k->field))
        append(sql, "(t.\"%s\"<? OR t.\"%s\" IS NULL)", f, f);
    else
        append(sql, "t.\"%s\"%s?", f, k->desc ? "<" : ">");
    return true;
}

/*
 * Rows after the cursor: k0 after, or k0 equal and k1 after, and so on. '*order' gets the keys
 * whose values the placeholders take, in order.
 */
static void seek_clause(char **sql, const struct dlcs_seek *s, const struct dlcs_sort_key **order,
                        size_t *n)
{
    *n = 0;
    if (!s->after)
        return;
    if (row_value_fits(s)) {
        for (size_t i = 0; i < s->count; i++) {
            append(sql, "%st.\"%s\"", i ? "," : " AND (", s->keys[i].field->name);
            order[(*n)++] = &s->keys[i];
        }
        append(sql, ")%s(?", s->keys[0].desc ? "<" : ">");
        for (size_t i = 1; i < s->count; i++)
            append(sql, "%s", ",?");
        append(sql, "%s", ")");
        return;
    }
    append(sql, "%s", " AND (");
    for (size_t i = 0; i < s->count; i++) {
        append(sql, "%s(", i ? " OR " : "");
        for (size_t j = 0; j < i; j++) {
            append(sql, "t.\"%s\" IS ? AND ", s->keys[j].field->name);
            order[(*n)++] = &s->keys[j];
        }
        if (key_after(sql, &s->keys[i]))
            order[(*n)++] = &s->keys[i];
        append(sql, "%s", ")");
    }
    append(sql, "%s", ")");
}

static int bind_key_value(sqlite3_stmt *st, int param, const struct dlcs_sort_key *k)
{
    if (k->null)
        return sqlite3_bind_null(st, param);
    if (k->field->type == DLCS_FT_STRING)
        return sqlite3_bind_text(st, param, k->str, -1, SQLITE_STATIC);
    /* a time is never 0 here: an unset one is k->null */
    return sqlite3_bind_int64(st, param, k->num);
}

/* Bind the term values in order (matching where_clause's placeholders). */
static enum dlcs_status bind_terms(struct sql_conn *c, sqlite3_stmt *st,
                                   const struct dlcs_entity *e, const struct dlcs_query *q,
                                   int *next, struct dlcs_error *err)
{
    int rc = SQLITE_OK;

    for (size_t i = 0; i < q->term_count && rc == SQLITE_OK; i++) {
        const struct dlcs_term *t = &q->terms[i];
        const struct dlcs_field *f = field_of(e, t->field);

        if (t->op == DLCS_TERM_HAS || (t->op == DLCS_TERM_EQ && f->type == DLCS_FT_STRING))
            rc = sqlite3_bind_text(st, (*next)++, t->str, -1, SQLITE_STATIC);
        else if (t->op == DLCS_TERM_EQ)
            rc = sqlite3_bind_int64(st, (*next)++, t->num);
    }
    for (size_t i = 0; rc == SQLITE_OK && i < q->batch_member_count; i++)
        rc = sqlite3_bind_int64(st, (*next)++, q->batch_members[i]);
    if (rc != SQLITE_OK)
        return dlcs_sql_fail(c, "bind query", err);
    return DLCS_OK;
}

static enum dlcs_status count_matches(struct sql_conn *c, const struct dlcs_entity *e,
                                      const struct dlcs_query *q, const char *where, int64_t *out,
                                      struct dlcs_error *err)
{
    char *sql = dlcs_xasprintf("SELECT COUNT(*) FROM %s t%s", e->collection, where);
    sqlite3_stmt *st = NULL;
    enum dlcs_status rc = DLCS_OK;
    int next = 1;

    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        rc = dlcs_sql_fail(c, "prepare count", err);
    if (rc == DLCS_OK)
        rc = bind_terms(c, st, e, q, &next, err);
    if (rc == DLCS_OK && sqlite3_step(st) != SQLITE_ROW)
        rc = dlcs_sql_fail(c, "count", err);
    if (rc == DLCS_OK)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    free(sql);
    return rc;
}

static enum dlcs_status fetch_rows(struct sql_conn *c, const struct entity_sql *es,
                                   const struct dlcs_query *q, const char *where,
                                   struct dlcs_list *out, struct dlcs_error *err)
{
    const struct dlcs_entity *e = es->entity;
    char *sql = dlcs_xasprintf("SELECT %s FROM %s t%s", es->columns, e->collection, where);
    const struct dlcs_sort_key *seek_binds[DLCS_SORT_KEYS_MAX * (DLCS_SORT_KEYS_MAX + 1) / 2];
    size_t seek_count = 0;
    sqlite3_stmt *st = NULL;
    enum dlcs_status rc = DLCS_OK;
    size_t cap = 0;
    int next = 1, step = SQLITE_DONE, bound = SQLITE_OK;

    seek_clause(&sql, &q->seek, seek_binds, &seek_count);
    order_clause(&sql, q);
    if (q->limit > 0)
        append(&sql, "%s", " LIMIT ? OFFSET ?");
    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        rc = dlcs_sql_fail(c, "prepare list", err);
    if (rc == DLCS_OK)
        rc = bind_terms(c, st, e, q, &next, err);
    for (size_t i = 0; rc == DLCS_OK && bound == SQLITE_OK && i < seek_count; i++)
        bound = bind_key_value(st, next++, seek_binds[i]);
    if (rc == DLCS_OK && bound != SQLITE_OK)
        rc = dlcs_sql_fail(c, "bind cursor", err);
    if (rc == DLCS_OK && q->limit > 0) {
        sqlite3_bind_int64(st, next++, q->limit);
        sqlite3_bind_int64(st, next++, q->offset);
    }
    while (rc == DLCS_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        rc = dlcs_sql_read_row(st, e, dlcs_list_push(out, &cap), err);
    }
    if (rc == DLCS_OK && step != SQLITE_DONE)
        rc = dlcs_sql_fail(c, "list", err);
    sqlite3_finalize(st);
    free(sql);
    return rc;
}

enum dlcs_status dlcs_sql_op_list(void *impl, const struct dlcs_entity *e,
                                  const struct dlcs_query *q, struct dlcs_list *out,
                                  struct dlcs_error *err)
{
    struct sql_store *s = impl;
    struct sql_conn *c = dlcs_sql_acquire(s);
    char *where = where_clause(e, q);
    /* one read transaction: the page and the total come from the same snapshot */
    enum dlcs_status rc = dlcs_sql_exec(c, "BEGIN", err);

    if (rc == DLCS_OK) {
        rc = fetch_rows(c, dlcs_sql_entity(s, e), q, where, out, err);
        if (rc == DLCS_OK && q->count_total)
            rc = count_matches(c, e, q, where, &out->total, err);
        (void)sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    }
    if (rc != DLCS_OK)
        dlcs_list_release(out);
    free(where);
    dlcs_sql_release(s, c);
    return rc;
}

enum dlcs_status dlcs_sql_op_count(void *impl, const struct dlcs_entity *e,
                                   const struct dlcs_query *q, int64_t *out, struct dlcs_error *err)
{
    struct sql_store *s = impl;
    struct sql_conn *c = dlcs_sql_acquire(s);
    char *where = where_clause(e, q);
    enum dlcs_status rc = count_matches(c, e, q, where, out, err);

    free(where);
    dlcs_sql_release(s, c);
    return rc;
}

static const char SQL_USAGE[] =
    "SELECT COUNT(*), COALESCE(SUM(size + originSize),0), COALESCE(SUM(thumbnailSize),0) "
    "FROM assets "
    "WHERE customer=?1 AND (?2=0 OR space=?2)";

enum dlcs_status dlcs_sql_op_usage(void *impl, int64_t customer, int64_t space,
                                   struct dlcs_usage *out, struct dlcs_error *err)
{
    struct sql_store *s = impl;
    struct sql_conn *c = dlcs_sql_acquire(s);
    sqlite3_stmt *st = NULL;
    enum dlcs_status rc = dlcs_sql_cached(c, SQL_USAGE, &st, err);

    if (rc == DLCS_OK) {
        sqlite3_bind_int64(st, 1, customer);
        sqlite3_bind_int64(st, 2, space);
        if (sqlite3_step(st) == SQLITE_ROW) {
            out->images = sqlite3_column_int64(st, 0);
            out->bytes = sqlite3_column_int64(st, 1);
            out->thumbnail_bytes = sqlite3_column_int64(st, 2);
        } else {
            rc = dlcs_sql_fail(c, "storage usage", err);
        }
        sqlite3_reset(st);
    }
    dlcs_sql_release(s, c);
    return rc;
}
