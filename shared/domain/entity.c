/* SPDX-License-Identifier: Apache-2.0 */
/* Generic life cycle of entity structs, driven by their field tables. */
#include "dlcs/entity.h"

#include <stdlib.h>
#include <string.h>

#include "dlcs/mem.h"

void *dlcs_entity_field_ptr(const struct dlcs_field *f, void *obj)
{
    return (char *)obj + f->offset;
}

const void *dlcs_entity_field_cptr(const struct dlcs_field *f, const void *obj)
{
    return (const char *)obj + f->offset;
}

void dlcs_entity_init(const struct dlcs_entity *e, void *obj)
{
    memset(obj, 0, e->size);
    for (size_t i = 0; i < e->field_count; i++) {
        const struct dlcs_field *f = &e->fields[i];
        void *p = dlcs_entity_field_ptr(f, obj);

        if (f->type == DLCS_FT_INT64)
            *(int64_t *)p = f->def;
        else if (f->type == DLCS_FT_INT)
            *(int *)p = (int)f->def;
    }
}

static void release_field(const struct dlcs_field *f, void *obj)
{
    void *p = dlcs_entity_field_ptr(f, obj);

    switch (f->type) {
    case DLCS_FT_STRING:
        free(*(char **)p);
        *(char **)p = NULL;
        break;
    case DLCS_FT_STRLIST:
        dlcs_strlist_release(p);
        break;
    case DLCS_FT_CHANNELS:
        dlcs_channels_release(p);
        break;
    default:
        break;
    }
}

void dlcs_entity_release(const struct dlcs_entity *e, void *obj)
{
    if (!obj)
        return;
    for (size_t i = 0; i < e->field_count; i++)
        release_field(&e->fields[i], obj);
    dlcs_entity_init(e, obj);
}

static void copy_field(const struct dlcs_field *f, void *dst, const void *src)
{
    void *d = dlcs_entity_field_ptr(f, dst);
    const void *s = dlcs_entity_field_cptr(f, src);

    if (d == s)
        return;
    switch (f->type) {
    case DLCS_FT_INT64:
    case DLCS_FT_TIME:
        *(int64_t *)d = *(const int64_t *)s;
        break;
    case DLCS_FT_INT:
        *(int *)d = *(const int *)s;
        break;
    case DLCS_FT_BOOL:
        *(bool *)d = *(const bool *)s;
        break;
    case DLCS_FT_STRING:
        dlcs_str_replace(d, *(char *const *)s);
        break;
    case DLCS_FT_STRLIST:
        dlcs_strlist_copy(d, s);
        break;
    case DLCS_FT_CHANNELS:
        dlcs_channels_copy(d, s);
        break;
    }
}

void dlcs_entity_merge(const struct dlcs_entity *e, void *dst, const void *src, uint64_t mask)
{
    for (size_t i = 0; i < e->field_count; i++) {
        if (mask & DLCS_FIELD_BIT(i))
            copy_field(&e->fields[i], dst, src);
    }
}

int dlcs_entity_field_index(const struct dlcs_entity *e, const char *name)
{
    for (size_t i = 0; i < e->field_count; i++) {
        if (strcmp(e->fields[i].name, name) == 0)
            return (int)i;
    }
    return -1;
}

uint64_t dlcs_entity_all(const struct dlcs_entity *e)
{
    return e->field_count >= 64 ? ~(uint64_t)0 : DLCS_FIELD_BIT(e->field_count) - 1;
}

uint64_t dlcs_entity_mask(const struct dlcs_entity *e, unsigned flags)
{
    uint64_t m = 0;

    for (size_t i = 0; i < e->field_count; i++) {
        if ((e->fields[i].flags & flags) == flags)
            m |= DLCS_FIELD_BIT(i);
    }
    return m;
}

enum dlcs_status dlcs_entity_check_required(const struct dlcs_entity *e, uint64_t present,
                                            struct dlcs_error *err)
{
    for (size_t i = 0; i < e->field_count; i++) {
        if ((e->fields[i].flags & DLCS_FF_REQUIRED) && !(present & DLCS_FIELD_BIT(i)))
            return dlcs_error_set(err, DLCS_EINVAL, "field '%s' is required", e->fields[i].name);
    }
    return DLCS_OK;
}
