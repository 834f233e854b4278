/* SPDX-License-Identifier: Apache-2.0 */
/* JSON encoding and strict decoding of entities: every refusal names the field. */
#include <string.h>

#include "dlcs/clock.h"
#include "dlcs/entity.h"
#include "dlcs/mem.h"

static enum dlcs_status decode_int(const struct dlcs_field *f, const json_t *v, int64_t *out,
                                   struct dlcs_error *err)
{
    json_int_t n;

    if (!json_is_integer(v))
        return dlcs_error_set(err, DLCS_EINVAL, "field '%s' must be an integer", f->name);
    n = json_integer_value(v);
    if ((f->min || f->max) && (n < f->min || n > f->max))
        return dlcs_error_set(err, DLCS_EINVAL,
                              "field '%s' must be between %lld and %lld, not %lld", f->name,
                              (long long)f->min, (long long)f->max, (long long)n);
    *out = (int64_t)n;
    return DLCS_OK;
}

static enum dlcs_status decode_string(const struct dlcs_field *f, const json_t *v, char **out,
                                      struct dlcs_error *err)
{
    if (json_is_null(v)) {
        dlcs_str_replace(out, NULL);
        return DLCS_OK;
    }
    if (!json_is_string(v))
        return dlcs_error_set(err, DLCS_EINVAL, "field '%s' must be a string", f->name);
    if (f->max && json_string_length(v) > (size_t)f->max)
        return dlcs_error_set(err, DLCS_EINVAL, "field '%s' is longer than %lld bytes", f->name,
                              (long long)f->max);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return dlcs_error_set(err, DLCS_EINVAL, "field '%s' must not contain NUL characters",
                              f->name);
    dlcs_str_replace(out, json_string_value(v));
    return DLCS_OK;
}

static enum dlcs_status decode_strlist(const struct dlcs_field *f, const json_t *v,
                                       struct dlcs_strlist *out, struct dlcs_error *err)
{
    size_t i;
    const json_t *item;

    if (!json_is_array(v))
        return dlcs_error_set(err, DLCS_EINVAL, "field '%s' must be an array of strings", f->name);
    if (f->max && json_array_size(v) > (size_t)f->max)
        return dlcs_error_set(err, DLCS_EINVAL, "field '%s' has more than %lld items", f->name,
                              (long long)f->max);
    dlcs_strlist_release(out);
    json_array_foreach(v, i, item)
    {
        if (!json_is_string(item) || json_string_length(item) == 0 ||
            json_string_length(item) > 1024)
            return dlcs_error_set(err, DLCS_EINVAL,
                                  "field '%s' item %zu must be a string of 1 to 1024 bytes",
                                  f->name, i);
        dlcs_strlist_push(out, json_string_value(item));
    }
    return DLCS_OK;
}

static enum dlcs_status decode_time(const struct dlcs_field *f, const json_t *v, int64_t *out,
                                    struct dlcs_error *err)
{
    if (json_is_null(v)) {
        *out = 0;
        return DLCS_OK;
    }
    if (!json_is_string(v) || dlcs_time_parse(json_string_value(v), out, NULL) != DLCS_OK)
        return dlcs_error_set(err, DLCS_EINVAL, "field '%s' must be an ISO 8601 UTC time", f->name);
    return DLCS_OK;
}

static enum dlcs_status decode_field(const struct dlcs_field *f, const json_t *v, void *obj,
                                     struct dlcs_error *err)
{
    void *p = dlcs_entity_field_ptr(f, obj);
    enum dlcs_status st = DLCS_OK;
    int64_t n = 0;

    switch (f->type) {
    case DLCS_FT_INT64:
        return decode_int(f, v, p, err);
    case DLCS_FT_INT:
        st = decode_int(f, v, &n, err);
        if (st == DLCS_OK)
            *(int *)p = (int)n;
        return st;
    case DLCS_FT_BOOL:
        if (!json_is_boolean(v))
            return dlcs_error_set(err, DLCS_EINVAL, "field '%s' must be true or false", f->name);
        *(bool *)p = json_is_true(v);
        return DLCS_OK;
    case DLCS_FT_STRING:
        return decode_string(f, v, p, err);
    case DLCS_FT_STRLIST:
        return decode_strlist(f, v, p, err);
    case DLCS_FT_TIME:
        return decode_time(f, v, p, err);
    case DLCS_FT_CHANNELS:
        st = dlcs_channels_from_json(v, p, err);
        if (st != DLCS_OK)
            dlcs_error_prefix(err, "field '%s'", f->name);
        return st;
    }
    return DLCS_OK;
}

/* JSON-LD keywords, with or without '@' (the reference's clients send both spellings). */
static int is_jsonld_keyword(const struct dlcs_entity *e, const char *key)
{
    if (strcmp(key, "@context") == 0 || strcmp(key, "@id") == 0 || strcmp(key, "@type") == 0)
        return 1;
    return (strcmp(key, "context") == 0 || strcmp(key, "type") == 0) &&
           dlcs_entity_field_index(e, key) < 0;
}

enum dlcs_status dlcs_entity_from_json(const struct dlcs_entity *e, const json_t *in, void *obj,
                                       uint64_t *present, struct dlcs_error *err)
{
    const char *key;
    const json_t *v;
    uint64_t mask = 0;

    if (present)
        *present = 0;
    if (!json_is_object(in))
        return dlcs_error_set(err, DLCS_EINVAL, "the body must be a JSON object");
    json_object_foreach((json_t *)in, key, v)
    {
        int idx = dlcs_entity_field_index(e, key);
        const struct dlcs_field *f = idx >= 0 ? &e->fields[idx] : NULL;

        if (is_jsonld_keyword(e, key))
            continue;
        if (f && f->type == DLCS_FT_CHANNELS && json_is_array(v) && json_array_size(v) == 0)
            continue; /* "deliveryChannels": [] is "not given": the defaults apply */
        if (!f || (f->flags & DLCS_FF_INTERNAL))
            return dlcs_error_set(err, DLCS_EINVAL, "unknown field '%s'", key);
        if (f->flags & DLCS_FF_READONLY)
            return dlcs_error_set(err, DLCS_EINVAL, "field '%s' is read-only", key);
        if (decode_field(f, v, obj, err) != DLCS_OK)
            return err ? err->code : DLCS_EINVAL;
        mask |= DLCS_FIELD_BIT(idx);
    }
    if (present)
        *present = mask;
    if (e->check)
        return e->check(obj, mask, err);
    return DLCS_OK;
}

static json_t *strlist_json(const struct dlcs_strlist *l)
{
    json_t *a = json_array();

    for (size_t i = 0; i < l->count; i++)
        json_array_append_new(a, json_string(l->items[i]));
    return a;
}

static json_t *encode_field(const struct dlcs_field *f, const void *obj)
{
    const void *p = dlcs_entity_field_cptr(f, obj);
    char tbuf[DLCS_TIME_BUF];
    const char *s;

    switch (f->type) {
    case DLCS_FT_INT64:
        return json_integer((json_int_t) * (const int64_t *)p);
    case DLCS_FT_INT:
        return json_integer(*(const int *)p);
    case DLCS_FT_BOOL:
        return json_boolean(*(const bool *)p);
    case DLCS_FT_STRING:
        s = *(char *const *)p;
        if (!s)
            return NULL;
        return json_string((f->flags & DLCS_FF_WRITEONLY) ? "xxx" : s);
    case DLCS_FT_STRLIST:
        return strlist_json(p);
    case DLCS_FT_TIME:
        if (*(const int64_t *)p == 0)
            return NULL;
        return json_string(dlcs_time_format(*(const int64_t *)p, tbuf));
    case DLCS_FT_CHANNELS:
        return dlcs_channels_to_json(p);
    }
    return NULL;
}

json_t *dlcs_entity_to_json(const struct dlcs_entity *e, const void *obj)
{
    json_t *out = json_object();

    for (size_t i = 0; i < e->field_count; i++) {
        const struct dlcs_field *f = &e->fields[i];
        json_t *v;

        if (f->flags & DLCS_FF_INTERNAL)
            continue;
        v = encode_field(f, obj);
        if (v)
            json_object_set_new(out, f->name, v);
    }
    return out;
}
