/* SPDX-License-Identifier: Apache-2.0 */
/* String lists and delivery-channel lists: life cycle, validation and JSON text form. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dlcs/entity.h"
#include "dlcs/mem.h"

#define CHANNELS_MAX 8

void dlcs_strlist_push(struct dlcs_strlist *l, const char *s)
{
    l->items = dlcs_xrealloc(l->items, (l->count + 1) * sizeof *l->items);
    l->items[l->count++] = dlcs_xstrdup(s);
}

void dlcs_strlist_release(struct dlcs_strlist *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

void dlcs_strlist_copy(struct dlcs_strlist *dst, const struct dlcs_strlist *src)
{
    struct dlcs_strlist tmp = {0};

    for (size_t i = 0; i < src->count; i++)
        dlcs_strlist_push(&tmp, src->items[i]);
    dlcs_strlist_release(dst);
    *dst = tmp;
}

bool dlcs_strlist_contains(const struct dlcs_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->count; i++) {
        if (strcmp(l->items[i], s) == 0)
            return true;
    }
    return false;
}

void dlcs_channels_push(struct dlcs_channel_list *l, const char *channel, const char *policy)
{
    l->items = dlcs_xrealloc(l->items, (l->count + 1) * sizeof *l->items);
    l->items[l->count].channel = dlcs_xstrdup(channel);
    l->items[l->count].policy = dlcs_xstrdup_or_null(policy);
    l->count++;
}

void dlcs_channels_release(struct dlcs_channel_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->items[i].channel);
        free(l->items[i].policy);
    }
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

void dlcs_channels_copy(struct dlcs_channel_list *dst, const struct dlcs_channel_list *src)
{
    struct dlcs_channel_list tmp = {0};

    for (size_t i = 0; i < src->count; i++)
        dlcs_channels_push(&tmp, src->items[i].channel, src->items[i].policy);
    dlcs_channels_release(dst);
    *dst = tmp;
}

bool dlcs_channels_has(const struct dlcs_channel_list *l, const char *channel)
{
    for (size_t i = 0; i < l->count; i++) {
        if (strcmp(l->items[i].channel, channel) == 0)
            return true;
    }
    return false;
}

static const char *const known_channels[] = {"iiif-img", "thumbs", "file",
                                             "iiif-av",  "none",   "default"};

static bool is_known_channel(const char *c)
{
    for (size_t i = 0; i < DLCS_ARRAY_LEN(known_channels); i++) {
        if (strcmp(c, known_channels[i]) == 0)
            return true;
    }
    return false;
}

static enum dlcs_status channel_item(const json_t *item, size_t i, const char **channel,
                                     const char **policy, struct dlcs_error *err)
{
    const char *key;
    const json_t *v;

    *policy = NULL;
    if (json_is_string(item)) {
        *channel = json_string_value(item);
        return DLCS_OK;
    }
    if (!json_is_object(item))
        return dlcs_error_set(err, DLCS_EINVAL, "item %zu must be a channel name or object", i);
    *channel = NULL;
    json_object_foreach((json_t *)item, key, v)
    {
        if (strcmp(key, "@type") == 0)
            continue;
        if (strcmp(key, "channel") == 0 && json_is_string(v))
            *channel = json_string_value(v);
        else if (strcmp(key, "policy") == 0 && (json_is_string(v) || json_is_null(v)))
            *policy = json_string_value(v);
        else
            return dlcs_error_set(err, DLCS_EINVAL, "item %zu has an invalid property '%s'", i,
                                  key);
    }
    if (!*channel)
        return dlcs_error_set(err, DLCS_EINVAL, "item %zu needs a 'channel' string", i);
    if (*policy && strlen(*policy) > 1024)
        return dlcs_error_set(err, DLCS_EINVAL, "item %zu has a policy over 1024 bytes", i);
    return DLCS_OK;
}

static enum dlcs_status check_channels(const struct dlcs_channel_list *l, struct dlcs_error *err)
{
    if (l->count == 0)
        return dlcs_error_set(err, DLCS_EINVAL, "must not be empty (use [\"none\"])");
    for (size_t i = 0; i < l->count; i++) {
        const char *c = l->items[i].channel;

        if (!is_known_channel(c))
            return dlcs_error_set(err, DLCS_EINVAL,
                                  "item %zu: unknown channel '%s' (iiif-img, thumbs, file, "
                                  "iiif-av, none, default)",
                                  i, c);
        if ((strcmp(c, "none") == 0 || strcmp(c, "default") == 0) && l->count > 1)
            return dlcs_error_set(err, DLCS_EINVAL, "channel '%s' must be the only channel", c);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(l->items[j].channel, c) == 0)
                return dlcs_error_set(err, DLCS_EINVAL, "channel '%s' is listed twice", c);
        }
    }
    return DLCS_OK;
}

enum dlcs_status dlcs_channels_from_json(const json_t *v, struct dlcs_channel_list *out,
                                         struct dlcs_error *err)
{
    struct dlcs_channel_list tmp = {0};
    enum dlcs_status st = DLCS_OK;
    const json_t *item;
    size_t i;

    if (!json_is_array(v))
        return dlcs_error_set(err, DLCS_EINVAL, "must be an array");
    if (json_array_size(v) > CHANNELS_MAX)
        return dlcs_error_set(err, DLCS_EINVAL, "has more than %d channels", CHANNELS_MAX);
    json_array_foreach(v, i, item)
    {
        const char *channel = NULL, *policy = NULL;

        st = channel_item(item, i, &channel, &policy, err);
        if (st != DLCS_OK)
            goto out;
        dlcs_channels_push(&tmp, channel, policy);
    }
    st = check_channels(&tmp, err);
    if (st != DLCS_OK)
        goto out;
    dlcs_channels_release(out);
    *out = tmp;
    tmp = (struct dlcs_channel_list){0};
out:
    dlcs_channels_release(&tmp);
    return st;
}

json_t *dlcs_channels_to_json(const struct dlcs_channel_list *l)
{
    json_t *a = json_array();

    for (size_t i = 0; i < l->count; i++) {
        json_t *o = json_object();

        json_object_set_new(o, "@type", json_string("vocab:DeliveryChannel"));
        json_object_set_new(o, "channel", json_string(l->items[i].channel));
        if (l->items[i].policy)
            json_object_set_new(o, "policy", json_string(l->items[i].policy));
        json_array_append_new(a, o);
    }
    return a;
}

static char *dump_compact(json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT);
    char *copy;

    json_decref(v);
    if (!s)
        return dlcs_xstrdup("[]");
    copy = dlcs_xstrdup(s); /* hand back memory from our allocator, freed with free() */
    free(s);
    return copy;
}

char *dlcs_strlist_to_text(const struct dlcs_strlist *l)
{
    json_t *a = json_array();

    for (size_t i = 0; i < l->count; i++)
        json_array_append_new(a, json_string(l->items[i]));
    return dump_compact(a);
}

char *dlcs_channels_to_text(const struct dlcs_channel_list *l)
{
    json_t *a = json_array();

    for (size_t i = 0; i < l->count; i++) {
        json_t *o = json_object();

        json_object_set_new(o, "channel", json_string(l->items[i].channel));
        if (l->items[i].policy)
            json_object_set_new(o, "policy", json_string(l->items[i].policy));
        json_array_append_new(a, o);
    }
    return dump_compact(a);
}

/* The JSON array stored in 'text' (new reference), or NULL with DLCS_EINTERNAL in 'err'. */
static json_t *load_stored_array(const char *text, const char *what, struct dlcs_error *err)
{
    json_t *a = json_loads(text, 0, NULL);

    if (json_is_array(a))
        return a;
    json_decref(a);
    (void)dlcs_error_set(err, DLCS_EINTERNAL, "stored %s are not a JSON array", what);
    return NULL;
}

enum dlcs_status dlcs_strlist_from_text(const char *text, struct dlcs_strlist *l,
                                        struct dlcs_error *err)
{
    json_t *a = load_stored_array(text, "strings", err);
    const json_t *item;
    size_t i;

    if (!a)
        return DLCS_EINTERNAL;
    json_array_foreach(a, i, item)
    {
        if (json_is_string(item))
            dlcs_strlist_push(l, json_string_value(item));
    }
    json_decref(a);
    return DLCS_OK;
}

enum dlcs_status dlcs_channels_from_text(const char *text, struct dlcs_channel_list *l,
                                         struct dlcs_error *err)
{
    json_t *a = load_stored_array(text, "channels", err);
    const json_t *item;
    size_t i;

    if (!a)
        return DLCS_EINTERNAL;
    json_array_foreach(a, i, item)
    {
        const char *c = json_string_value(json_object_get(item, "channel"));

        if (c)
            dlcs_channels_push(l, c, json_string_value(json_object_get(item, "policy")));
    }
    json_decref(a);
    return DLCS_OK;
}
