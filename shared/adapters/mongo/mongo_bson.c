/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entities as BSON documents, driven by their field tables: one document field per entity
 * field under the same name. Integers and times are int64 (a time in ms since the epoch),
 * booleans bool, lists arrays; an unset string or time is no field at all, so that it sorts
 * first and matches {f: null}, as NULL does in SQL. Customers' names also keep a folded copy
 * (unique, and what lookups and sorts use): names are unique regardless of case.
 */
#include <stdio.h>
#include <string.h>

#include "dlcs/mem.h"

#include "mongo_internal.h"

const char *dlcs_mongo_folded(const struct dlcs_entity *e, const struct dlcs_field *f)
{
    return e == &dlcs_customer_entity && strcmp(f->name, "name") == 0 ? "nameFolded" : NULL;
}

void dlcs_mongo_fold(const char *s, char *buf, size_t len)
{
    size_t i = 0;

    for (; s[i] && i + 1 < len; i++)
        buf[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
    buf[i] = '\0';
}

void dlcs_mongo_append_num(bson_t *b, const char *name, const struct dlcs_field *f, int64_t v)
{
    if (f->type == DLCS_FT_BOOL)
        BSON_APPEND_BOOL(b, name, v != 0);
    else
        BSON_APPEND_INT64(b, name, v);
}

static void append_strings(bson_t *b, const char *name, const struct dlcs_strlist *l)
{
    bson_t arr;
    char idx[16];
    const char *key;

    BSON_APPEND_ARRAY_BEGIN(b, name, &arr);
    for (size_t i = 0; i < l->count; i++) {
        (void)bson_uint32_to_string((uint32_t)i, &key, idx, sizeof idx);
        bson_append_utf8(&arr, key, -1, l->items[i], -1);
    }
    bson_append_array_end(b, &arr);
}

static void append_channels(bson_t *b, const char *name, const struct dlcs_channel_list *l)
{
    bson_t arr, item;
    char idx[16];
    const char *key;

    BSON_APPEND_ARRAY_BEGIN(b, name, &arr);
    for (size_t i = 0; i < l->count; i++) {
        (void)bson_uint32_to_string((uint32_t)i, &key, idx, sizeof idx);
        bson_append_document_begin(&arr, key, -1, &item);
        BSON_APPEND_UTF8(&item, "channel", l->items[i].channel);
        if (l->items[i].policy)
            BSON_APPEND_UTF8(&item, "policy", l->items[i].policy);
        bson_append_document_end(&arr, &item);
    }
    bson_append_array_end(b, &arr);
}

/* Whether field 'f' of 'obj' holds no value (what the document leaves out). */
static bool unset(const struct dlcs_field *f, const void *obj)
{
    const void *p = dlcs_entity_field_cptr(f, obj);

    if (f->type == DLCS_FT_STRING)
        return *(char *const *)p == NULL;
    if (f->type == DLCS_FT_TIME)
        return *(const int64_t *)p == 0;
    return false;
}

void dlcs_mongo_append_field(bson_t *b, const struct dlcs_field *f, const void *obj)
{
    const void *p = dlcs_entity_field_cptr(f, obj);

    if (unset(f, obj))
        return;
    switch (f->type) {
    case DLCS_FT_INT64:
    case DLCS_FT_TIME:
        BSON_APPEND_INT64(b, f->name, *(const int64_t *)p);
        break;
    case DLCS_FT_INT:
        BSON_APPEND_INT64(b, f->name, *(const int *)p);
        break;
    case DLCS_FT_BOOL:
        BSON_APPEND_BOOL(b, f->name, *(const bool *)p);
        break;
    case DLCS_FT_STRING:
        BSON_APPEND_UTF8(b, f->name, *(char *const *)p);
        break;
    case DLCS_FT_STRLIST:
        append_strings(b, f->name, p);
        break;
    case DLCS_FT_CHANNELS:
        append_channels(b, f->name, p);
        break;
    }
}

/* The folded copy of a string field, when it has one. */
static void append_folded(bson_t *b, const struct dlcs_entity *e, const struct dlcs_field *f,
                          const void *obj)
{
    const char *as = dlcs_mongo_folded(e, f);
    const char *s = as ? *(char *const *)dlcs_entity_field_cptr(f, obj) : NULL;
    char folded[DLCS_NAME_MAX + 1];

    if (!s)
        return;
    dlcs_mongo_fold(s, folded, sizeof folded);
    BSON_APPEND_UTF8(b, as, folded);
}

void dlcs_mongo_doc(const struct dlcs_entity *e, const void *obj, bson_t *out)
{
    bson_init(out);
    for (size_t i = 0; i < e->field_count; i++) {
        dlcs_mongo_append_field(out, &e->fields[i], obj);
        append_folded(out, e, &e->fields[i], obj);
    }
}

void dlcs_mongo_set_fields(const struct dlcs_entity *e, const void *obj, uint64_t mask,
                           bson_t *update)
{
    bson_t set, drop;
    bool any_drop = false;

    bson_init(update);
    BSON_APPEND_DOCUMENT_BEGIN(update, "$set", &set);
    for (size_t i = 0; i < e->field_count; i++) {
        if ((mask & DLCS_FIELD_BIT(i)) && !unset(&e->fields[i], obj)) {
            dlcs_mongo_append_field(&set, &e->fields[i], obj);
            append_folded(&set, e, &e->fields[i], obj);
        }
        any_drop = any_drop || ((mask & DLCS_FIELD_BIT(i)) && unset(&e->fields[i], obj));
    }
    bson_append_document_end(update, &set);
    if (!any_drop)
        return;
    BSON_APPEND_DOCUMENT_BEGIN(update, "$unset", &drop);
    for (size_t i = 0; i < e->field_count; i++) {
        if ((mask & DLCS_FIELD_BIT(i)) && unset(&e->fields[i], obj))
            BSON_APPEND_UTF8(&drop, e->fields[i].name, "");
    }
    bson_append_document_end(update, &drop);
}

void dlcs_mongo_key_filter(const struct dlcs_entity *e, const void *obj, bson_t *out)
{
    bson_init(out);
    for (size_t i = 0; i < e->field_count; i++) {
        if (e->fields[i].flags & DLCS_FF_KEY)
            dlcs_mongo_append_field(out, &e->fields[i], obj);
    }
}

void dlcs_mongo_asset_filter(int64_t customer, int64_t space, const char *id, bson_t *out)
{
    bson_init(out);
    BSON_APPEND_INT64(out, "customer", customer);
    BSON_APPEND_INT64(out, "space", space);
    BSON_APPEND_UTF8(out, "id", id);
}

void dlcs_mongo_member_key(int64_t customer, int64_t space, const char *id, char *buf, size_t len)
{
    (void)snprintf(buf, len, "%lld/%lld/%s", (long long)customer, (long long)space, id);
}

int64_t dlcs_mongo_iter_int(const bson_iter_t *it)
{
    return BSON_ITER_HOLDS_NUMBER(it) ? bson_iter_as_int64(it) : 0;
}

int64_t dlcs_mongo_int(const bson_t *doc, const char *name)
{
    bson_iter_t it;

    return bson_iter_init_find(&it, doc, name) ? dlcs_mongo_iter_int(&it) : 0;
}

static enum dlcs_status read_strings(bson_iter_t *it, struct dlcs_strlist *l)
{
    bson_iter_t items;

    dlcs_strlist_release(l);
    if (!BSON_ITER_HOLDS_ARRAY(it) || !bson_iter_recurse(it, &items))
        return DLCS_EINVAL;
    while (bson_iter_next(&items)) {
        if (!BSON_ITER_HOLDS_UTF8(&items))
            return DLCS_EINVAL;
        dlcs_strlist_push(l, bson_iter_utf8(&items, NULL));
    }
    return DLCS_OK;
}

static enum dlcs_status read_channels(bson_iter_t *it, struct dlcs_channel_list *l)
{
    bson_iter_t items, f;

    dlcs_channels_release(l);
    if (!BSON_ITER_HOLDS_ARRAY(it) || !bson_iter_recurse(it, &items))
        return DLCS_EINVAL;
    while (bson_iter_next(&items)) {
        const char *channel = NULL, *policy = NULL;

        if (!BSON_ITER_HOLDS_DOCUMENT(&items) || !bson_iter_recurse(&items, &f))
            return DLCS_EINVAL;
        while (bson_iter_next(&f)) {
            if (strcmp(bson_iter_key(&f), "channel") == 0 && BSON_ITER_HOLDS_UTF8(&f))
                channel = bson_iter_utf8(&f, NULL);
            else if (strcmp(bson_iter_key(&f), "policy") == 0 && BSON_ITER_HOLDS_UTF8(&f))
                policy = bson_iter_utf8(&f, NULL);
        }
        if (!channel)
            return DLCS_EINVAL;
        dlcs_channels_push(l, channel, policy);
    }
    return DLCS_OK;
}

static enum dlcs_status read_value(bson_iter_t *it, const struct dlcs_field *f, void *p)
{
    if (BSON_ITER_HOLDS_NULL(it))
        return DLCS_OK;
    switch (f->type) {
    case DLCS_FT_INT64:
    case DLCS_FT_TIME:
        if (!BSON_ITER_HOLDS_NUMBER(it))
            return DLCS_EINVAL;
        *(int64_t *)p = bson_iter_as_int64(it);
        return DLCS_OK;
    case DLCS_FT_INT:
        if (!BSON_ITER_HOLDS_NUMBER(it))
            return DLCS_EINVAL;
        *(int *)p = (int)bson_iter_as_int64(it);
        return DLCS_OK;
    case DLCS_FT_BOOL:
        *(bool *)p = bson_iter_as_bool(it);
        return DLCS_OK;
    case DLCS_FT_STRING:
        if (!BSON_ITER_HOLDS_UTF8(it))
            return DLCS_EINVAL;
        dlcs_str_replace((char **)p, bson_iter_utf8(it, NULL));
        return DLCS_OK;
    case DLCS_FT_STRLIST:
        return read_strings(it, p);
    case DLCS_FT_CHANNELS:
        return read_channels(it, p);
    }
    return DLCS_EINVAL;
}

enum dlcs_status dlcs_mongo_read(const bson_t *doc, const struct dlcs_entity *e, void *obj,
                                 struct dlcs_error *err)
{
    bson_iter_t it;

    if (!bson_iter_init(&it, doc))
        return dlcs_error_set(err, DLCS_EUPSTREAM, "mongodb: a %s document is not BSON", e->type);
    while (bson_iter_next(&it)) {
        int i = dlcs_entity_field_index(e, bson_iter_key(&it));

        if (i < 0)
            continue; /* _id, folded copies and the adapter's own fields */
        if (read_value(&it, &e->fields[i], dlcs_entity_field_ptr(&e->fields[i], obj)) != DLCS_OK)
            return dlcs_error_set(err, DLCS_EUPSTREAM,
                                  "mongodb: field '%s' of a %s document has the wrong type",
                                  e->fields[i].name, e->type);
    }
    return DLCS_OK;
}
