/* SPDX-License-Identifier: Apache-2.0 */
#include "store_seek.h"

#include <stdlib.h>
#include <string.h>

#include "dlcs/b64url.h"
#include "dlcs/mem.h"

static bool in_order(const struct dlcs_seek *s, const struct dlcs_field *f)
{
    for (size_t i = 0; i < s->count; i++) {
        if (s->keys[i].field == f)
            return true;
    }
    return false;
}

static void add_key(struct dlcs_seek *s, const struct dlcs_field *f, bool desc)
{
    DLCS_ASSERT(s->count < DLCS_SORT_KEYS_MAX);
    s->keys[s->count++] = (struct dlcs_sort_key){.field = f, .desc = desc};
}

/* A field the filter holds to one value sorts nothing: left out, the seek is an index range. */
static bool fixed_by_filter(const struct dlcs_query *q, const struct dlcs_field *f)
{
    for (size_t i = 0; i < q->term_count; i++) {
        if (q->terms[i].op == DLCS_TERM_EQ && strcmp(q->terms[i].field, f->name) == 0)
            return true;
    }
    return false;
}

void dlcs_seek_order(const struct dlcs_entity *e, struct dlcs_query *q)
{
    struct dlcs_seek *s = &q->seek;

    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < q->order_count; i++) {
        const struct dlcs_field *f = &e->fields[dlcs_entity_field_index(e, q->order[i].field)];

        /* a field named twice sorts by its first direction */
        if (!in_order(s, f) && !fixed_by_filter(q, f))
            add_key(s, f, q->order[i].desc);
    }
    for (size_t i = 0; i < e->field_count; i++) {
        const struct dlcs_field *f = &e->fields[i];

        if ((f->flags & DLCS_FF_KEY) && !in_order(s, f) && !fixed_by_filter(q, f))
            add_key(s, f, false);
    }
}

static char *key_name(const struct dlcs_sort_key *k)
{
    return dlcs_xasprintf("%s%s", k->desc ? "-" : "", k->field->name);
}

static enum dlcs_status bad_cursor(struct dlcs_error *err, const char *why)
{
    return dlcs_error_set(err, DLCS_EINVAL,
                          "parameter 'cursor' is not a cursor of this listing: %s (use the "
                          "'next' link of the page before)",
                          why);
}

/* Set key 'k' from the JSON value 'v' of its pair. */
static enum dlcs_status read_value(struct dlcs_sort_key *k, const json_t *v, struct dlcs_error *err)
{
    if (json_is_null(v) && dlcs_field_nullable(k->field)) {
        k->null = true;
        return DLCS_OK;
    }
    if (k->field->type == DLCS_FT_STRING) {
        if (!json_is_string(v))
            return bad_cursor(err, "a string key has another value");
        k->str = json_string_value(v);
        return DLCS_OK;
    }
    if (!json_is_integer(v))
        return bad_cursor(err, "a number key has another value");
    k->num = (int64_t)json_integer_value(v);
    return DLCS_OK;
}

enum dlcs_status dlcs_seek_decode(struct dlcs_query *q, json_t **hold, struct dlcs_error *err)
{
    struct dlcs_seek *s = &q->seek;
    unsigned char *text = NULL;
    size_t len = 0, i;
    json_t *doc = NULL, *pair;
    enum dlcs_status st = DLCS_OK;

    *hold = NULL;
    if (!q->after)
        return DLCS_OK;
    if (strlen(q->after) > DLCS_CURSOR_MAX)
        return bad_cursor(err, "too long");
    if (dlcs_b64url_decode(q->after, "cursor", &text, &len, err) != DLCS_OK)
        return DLCS_EINVAL;
    doc = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, NULL);
    free(text);
    if (!json_is_array(doc) || json_array_size(doc) != s->count)
        st = bad_cursor(err, "its sort keys differ");
    json_array_foreach(doc, i, pair)
    {
        char *name = key_name(&s->keys[i]);
        const json_t *n = json_array_get(pair, 0);

        if (st == DLCS_OK && (!json_is_array(pair) || json_array_size(pair) != 2 ||
                              !json_is_string(n) || strcmp(json_string_value(n), name) != 0))
            st = bad_cursor(err, "its sort keys differ");
        free(name);
        if (st == DLCS_OK)
            st = read_value(&s->keys[i], json_array_get(pair, 1), err);
        if (st != DLCS_OK)
            break;
    }
    if (st != DLCS_OK) {
        json_decref(doc);
        return DLCS_EINVAL;
    }
    s->after = true;
    *hold = doc;
    return DLCS_OK;
}

static json_t *value_of(const struct dlcs_field *f, const void *obj)
{
    const void *p = dlcs_entity_field_cptr(f, obj);

    switch (f->type) {
    case DLCS_FT_STRING:
        return *(char *const *)p ? json_string(*(char *const *)p) : json_null();
    case DLCS_FT_INT:
        return json_integer(*(const int *)p);
    case DLCS_FT_BOOL:
        return json_integer(*(const bool *)p);
    case DLCS_FT_TIME: /* unset (0) is null, as an unset string */
        return *(const int64_t *)p ? json_integer((json_int_t) * (const int64_t *)p) : json_null();
    case DLCS_FT_INT64:
        return json_integer((json_int_t) * (const int64_t *)p);
    default:
        DLCS_BUG("a list field in a sort order");
        return json_null();
    }
}

char *dlcs_seek_cursor(const struct dlcs_seek *seek, const void *obj)
{
    json_t *doc = json_array();
    char *text, *out;

    for (size_t i = 0; i < seek->count; i++) {
        char *name = key_name(&seek->keys[i]);

        json_array_append_new(doc, json_pack("[so]", name, value_of(seek->keys[i].field, obj)));
        free(name);
    }
    text = json_dumps(doc, JSON_COMPACT);
    DLCS_ASSERT(text);
    out = dlcs_b64url_encode(text, strlen(text));
    free(text);
    json_decref(doc);
    return out;
}
