/* SPDX-License-Identifier: Apache-2.0 */
/* Mapping between entity structs and SQLite rows: generated SQL, binding, reading. */
#include <stdlib.h>
#include <string.h>

#include "dlcs/mem.h"
#include "dlcs/model.h"

#include "sqlite_internal.h"

/* A growable string for SQL assembly (SQL is small: no cap needed beyond memory). */
struct sbuf {
    char *s;
    size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s)
{
    size_t n = strlen(s);

    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = dlcs_xrealloc(b->s, b->cap);
    }
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

static char *sb_take(struct sbuf *b)
{
    char *s = b->s ? b->s : dlcs_xstrdup("");

    *b = (struct sbuf){0};
    return s;
}

static void add_quoted(struct sbuf *b, const char *name)
{
    sb_add(b, "\"");
    sb_add(b, name);
    sb_add(b, "\"");
}

/* "k1"=?N AND "k2"=?N+1 ... over the key fields, numbering from 'first'. */
static void add_key_where(struct sbuf *b, const struct dlcs_entity *e, int first, unsigned skip)
{
    char num[32];
    int n = first, any = 0;

    for (size_t i = 0; i < e->field_count; i++) {
        const struct dlcs_field *f = &e->fields[i];

        if (!(f->flags & DLCS_FF_KEY) || (f->flags & skip))
            continue;
        sb_add(b, any ? " AND " : "");
        add_quoted(b, f->name);
        (void)snprintf(num, sizeof num, "=?%d", n++);
        sb_add(b, num);
        any = 1;
    }
    if (!any)
        sb_add(b, "1");
}

/*
 * Integer ids come from the id_counters row of the collection and scope (the value of the one
 * other key field, 0 when there is none): one atomic upsert, safe across processes, and an id
 * is never given twice, even after a delete. An id chosen by the caller moves the counter past it.
 */
static void build_counters(struct entity_sql *q, struct sbuf *b, const struct dlcs_entity *e)
{
    for (size_t i = 0; i < e->field_count; i++) {
        const struct dlcs_field *f = &e->fields[i];

        if ((f->flags & DLCS_FF_KEY) && !(f->flags & DLCS_FF_AUTO)) {
            DLCS_ASSERT(!q->scope && f->type == DLCS_FT_INT64); /* one integer scope at most */
            q->scope = f;
        }
    }
    sb_add(b, "INSERT INTO id_counters (collection, scope, last) VALUES ('");
    sb_add(b, e->collection);
    sb_add(b, "', ?1, 1) ON CONFLICT (collection, scope) DO UPDATE SET last = last + 1 "
              "RETURNING last");
    q->mint = sb_take(b);
    sb_add(b, "INSERT INTO id_counters (collection, scope, last) VALUES ('");
    sb_add(b, e->collection);
    sb_add(b, "', ?1, ?2) ON CONFLICT (collection, scope) DO UPDATE SET "
              "last = MAX(last, excluded.last)");
    q->bump = sb_take(b);
}

static void build_one(struct entity_sql *q, const struct dlcs_entity *e)
{
    struct sbuf b = {0};
    char num[32];
    const struct dlcs_field *auto_field = NULL;

    q->entity = e;
    for (size_t i = 0; i < e->field_count; i++) {
        sb_add(&b, i ? "," : "");
        add_quoted(&b, e->fields[i].name);
        if ((e->fields[i].flags & DLCS_FF_AUTO) && e->fields[i].type == DLCS_FT_INT64)
            auto_field = &e->fields[i];
    }
    q->columns = sb_take(&b);

    sb_add(&b, "INSERT INTO ");
    sb_add(&b, e->collection);
    sb_add(&b, " (");
    sb_add(&b, q->columns);
    sb_add(&b, ") VALUES (");
    for (size_t i = 0; i < e->field_count; i++) {
        (void)snprintf(num, sizeof num, "%s?%zu", i ? "," : "", i + 1);
        sb_add(&b, num);
    }
    sb_add(&b, ")");
    q->insert = sb_take(&b);

    sb_add(&b, q->insert);
    sb_add(&b, " ON CONFLICT (");
    for (size_t i = 0, k = 0; i < e->field_count; i++) {
        if (e->fields[i].flags & DLCS_FF_KEY) {
            sb_add(&b, k++ ? "," : "");
            add_quoted(&b, e->fields[i].name);
        }
    }
    sb_add(&b, ") DO UPDATE SET ");
    for (size_t i = 0, k = 0; i < e->field_count; i++) {
        if (!(e->fields[i].flags & DLCS_FF_KEY)) {
            sb_add(&b, k++ ? "," : "");
            add_quoted(&b, e->fields[i].name);
            sb_add(&b, "=excluded.");
            add_quoted(&b, e->fields[i].name);
        }
    }
    q->upsert = sb_take(&b);

    sb_add(&b, "SELECT ");
    sb_add(&b, q->columns);
    sb_add(&b, " FROM ");
    sb_add(&b, e->collection);
    sb_add(&b, " WHERE ");
    add_key_where(&b, e, 1, 0);
    q->get = sb_take(&b);

    sb_add(&b, "DELETE FROM ");
    sb_add(&b, e->collection);
    sb_add(&b, " WHERE ");
    add_key_where(&b, e, 1, 0);
    q->remove = sb_take(&b);

    q->mint = q->bump = NULL;
    q->scope = NULL;
    if (auto_field)
        build_counters(q, &b, e);
}

void dlcs_sql_entities_build(struct sql_store *s)
{
    s->entity_count = dlcs_store_entity_count;
    s->entities = dlcs_xcalloc(s->entity_count, sizeof *s->entities);
    for (size_t i = 0; i < s->entity_count; i++)
        build_one(&s->entities[i], dlcs_store_entities[i]);
}

void dlcs_sql_entities_free(struct sql_store *s)
{
    for (size_t i = 0; i < s->entity_count; i++) {
        free(s->entities[i].columns);
        free(s->entities[i].insert);
        free(s->entities[i].upsert);
        free(s->entities[i].get);
        free(s->entities[i].remove);
        free(s->entities[i].mint);
        free(s->entities[i].bump);
    }
    free(s->entities);
    s->entities = NULL;
    s->entity_count = 0;
}

const struct entity_sql *dlcs_sql_entity(const struct sql_store *s, const struct dlcs_entity *e)
{
    for (size_t i = 0; i < s->entity_count; i++) {
        if (s->entities[i].entity == e)
            return &s->entities[i];
    }
    DLCS_BUG("entity unknown to the sqlite adapter");
    return NULL;
}

static int bind_text_owned(sqlite3_stmt *st, int param, char *text)
{
    return sqlite3_bind_text(st, param, text, -1, free);
}

enum dlcs_status dlcs_sql_bind_field(struct sql_conn *c, sqlite3_stmt *st, int param,
                                     const struct dlcs_field *f, const void *obj,
                                     struct dlcs_error *err)
{
    const void *p = dlcs_entity_field_cptr(f, obj);
    int rc = SQLITE_OK;

    switch (f->type) {
    case DLCS_FT_INT64:
        rc = sqlite3_bind_int64(st, param, *(const int64_t *)p);
        break;
    case DLCS_FT_INT:
        rc = sqlite3_bind_int(st, param, *(const int *)p);
        break;
    case DLCS_FT_BOOL:
        rc = sqlite3_bind_int(st, param, *(const bool *)p ? 1 : 0);
        break;
    case DLCS_FT_TIME:
        rc = *(const int64_t *)p ? sqlite3_bind_int64(st, param, *(const int64_t *)p)
                                 : sqlite3_bind_null(st, param);
        break;
    case DLCS_FT_STRING:
        rc = *(char *const *)p
                 ? sqlite3_bind_text(st, param, *(char *const *)p, -1, SQLITE_TRANSIENT)
                 : sqlite3_bind_null(st, param);
        break;
    case DLCS_FT_STRLIST:
        rc = ((const struct dlcs_strlist *)p)->count == 0
                 ? sqlite3_bind_text(st, param, "[]", 2, SQLITE_STATIC)
                 : bind_text_owned(st, param, dlcs_strlist_to_text(p));
        break;
    case DLCS_FT_CHANNELS:
        rc = ((const struct dlcs_channel_list *)p)->count == 0
                 ? sqlite3_bind_text(st, param, "[]", 2, SQLITE_STATIC)
                 : bind_text_owned(st, param, dlcs_channels_to_text(p));
        break;
    }
    if (rc != SQLITE_OK)
        return dlcs_sql_fail(c, f->name, err);
    return DLCS_OK;
}

enum dlcs_status dlcs_sql_bind_keys(struct sql_conn *c, sqlite3_stmt *st, int first_param,
                                    const struct dlcs_entity *e, const void *obj,
                                    struct dlcs_error *err)
{
    int n = first_param;

    for (size_t i = 0; i < e->field_count; i++) {
        if (!(e->fields[i].flags & DLCS_FF_KEY))
            continue;
        if (dlcs_sql_bind_field(c, st, n++, &e->fields[i], obj, err) != DLCS_OK)
            return DLCS_EUPSTREAM;
    }
    return DLCS_OK;
}

static enum dlcs_status read_column(sqlite3_stmt *st, int col, const struct dlcs_field *f,
                                    void *obj, struct dlcs_error *err)
{
    void *p = dlcs_entity_field_ptr(f, obj);
    const char *text = (const char *)sqlite3_column_text(st, col);

    switch (f->type) {
    case DLCS_FT_INT64:
    case DLCS_FT_TIME:
        *(int64_t *)p = sqlite3_column_int64(st, col);
        return DLCS_OK;
    case DLCS_FT_INT:
        *(int *)p = sqlite3_column_int(st, col);
        return DLCS_OK;
    case DLCS_FT_BOOL:
        *(bool *)p = sqlite3_column_int(st, col) != 0;
        return DLCS_OK;
    case DLCS_FT_STRING:
        dlcs_str_replace(p, text);
        return DLCS_OK;
    case DLCS_FT_STRLIST:
        /* most lists are empty: skip the JSON parser for them */
        return text && strcmp(text, "[]") != 0 ? dlcs_strlist_from_text(text, p, err) : DLCS_OK;
    case DLCS_FT_CHANNELS:
        return text && strcmp(text, "[]") != 0 ? dlcs_channels_from_text(text, p, err) : DLCS_OK;
    }
    return DLCS_OK;
}

enum dlcs_status dlcs_sql_read_row(sqlite3_stmt *st, const struct dlcs_entity *e, void *obj,
                                   struct dlcs_error *err)
{
    for (size_t i = 0; i < e->field_count; i++) {
        if (read_column(st, (int)i, &e->fields[i], obj, err) != DLCS_OK)
            return DLCS_EINTERNAL;
    }
    return DLCS_OK;
}
