/* SPDX-License-Identifier: Apache-2.0 */
/* Images as the API shows and takes them. */
#include <stdlib.h>
#include <string.h>

#include "dlcs/asset_blobs.h"
#include "dlcs/hydra.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"

#include "api_images.h"

json_t *dlcs_api_asset_json(const struct api_call *call, const struct dlcs_asset *a)
{
    char *id = dlcs_api_url(call, "/customers/%lld/spaces/%lld/images/%s", (long long)a->customer,
                            (long long)a->space, a->id);
    char *image = dlcs_api_url(call, "/iiif-img/%lld/%lld/%s", (long long)a->customer,
                               (long long)a->space, a->id);
    char *thumbs = dlcs_api_url(call, "/thumbs/%lld/%lld/%s", (long long)a->customer,
                                (long long)a->space, a->id);
    json_t *j = dlcs_hydra_resource(&dlcs_asset_entity, a, id);
    char *storage;

    json_object_set_new(j, "imageService", json_string(image));
    if (a->delivery_channels.count == 0) { /* the defaults that apply, spelt out */
        struct dlcs_channel_list defaults = {0};

        dlcs_channels_push(&defaults, "iiif-img", "default");
        dlcs_channels_push(&defaults, "thumbs", "default");
        json_object_set_new(j, "deliveryChannels", dlcs_channels_to_json(&defaults));
        dlcs_channels_release(&defaults);
    }
    storage = dlcs_xasprintf("%s/storage", id);
    json_object_set_new(j, "storage", json_string(storage));
    free(storage);
    if (a->delivery_channels.count == 0 || dlcs_channels_has(&a->delivery_channels, "thumbs"))
        json_object_set_new(j, "thumbnailImageService", json_string(thumbs));
    if (a->batch > 0) {
        char *batch = dlcs_api_url(call, "/customers/%lld/queue/batches/%lld",
                                   (long long)a->customer, (long long)a->batch);

        json_object_set_new(j, "batch", json_string(batch));
        free(batch);
    } else {
        json_object_del(j, "batch");
    }
    if (!a->error)
        json_object_set_new(j, "error", json_string(""));
    free(thumbs);
    free(image);
    free(id);
    return j;
}

/* The reference's numeric family codes (its enum's character values) as letters. */
static void family_letters(json_t *body)
{
    json_t *f = json_object_get(body, "family");
    static const struct {
        json_int_t code;
        const char *letter;
    } codes[] = {{'I', "I"}, {'T', "T"}, {'F', "F"}};

    for (size_t i = 0; json_is_integer(f) && i < DLCS_ARRAY_LEN(codes); i++) {
        if (json_integer_value(f) == codes[i].code) {
            json_object_set_new(body, "family", json_string(codes[i].letter)); /* frees f */
            return;
        }
    }
}

void dlcs_api_strip_unchanged(const struct api_call *call, json_t *body,
                              const struct dlcs_asset *stored)
{
    json_t *answer;
    const char *key;
    json_t *v, *tmp;

    family_letters(body);
    if (!stored || !json_is_object(body))
        return;
    answer = dlcs_api_asset_json(call, stored);
    json_object_foreach_safe(body, tmp, key, v)
    {
        int idx = dlcs_entity_field_index(&dlcs_asset_entity, key);
        bool writable = idx >= 0 && !(dlcs_asset_entity.fields[idx].flags &
                                      (DLCS_FF_READONLY | DLCS_FF_INTERNAL));

        if (!writable && json_equal(v, json_object_get(answer, key)))
            json_object_del(body, key);
    }
    json_decref(answer);
}

enum dlcs_status dlcs_api_asset_from_body(struct api_call *call, struct dlcs_asset *a,
                                          uint64_t *sent, const struct dlcs_asset *stored)
{
    json_t *body = NULL;
    enum dlcs_status st = dlcs_api_body(call, &body);

    if (st == DLCS_EINVAL && call->req->binary_body_length > 0 &&
        ((const unsigned char *)call->req->binary_body)[0] >= 0x80) {
        dlcs_error_clear(&call->err); /* binary bytes: an upload sent without its type */
        return dlcs_error_set(&call->err, DLCS_EINVAL,
                              "the body is not JSON; an image upload needs an image/* "
                              "Content-Type (or multipart/form-data with a 'file' part)");
    }
    if (st == DLCS_OK) {
        dlcs_api_strip_unchanged(call, body, stored);
        st = dlcs_entity_from_json(&dlcs_asset_entity, body, a, sent, &call->err);
    }
    json_decref(body);
    return st;
}

static bool sent_field(uint64_t sent, const char *name)
{
    return (sent & DLCS_FIELD_BIT(dlcs_entity_field_index(&dlcs_asset_entity, name))) != 0;
}

/* The thumbs channel of 'a', or NULL. */
static struct dlcs_channel *thumbs_channel(struct dlcs_asset *a)
{
    for (size_t i = 0; i < a->delivery_channels.count; i++)
        if (strcmp(a->delivery_channels.items[i].channel, "thumbs") == 0)
            return &a->delivery_channels.items[i];
    return NULL;
}

/*
 * The space's thumbnail policy names the thumbs channel's policy of an image that did not
 * choose one (no channels means the image defaults: iiif-img and thumbs).
 */
static void apply_space_thumbnail_policy(struct dlcs_asset *a, const struct dlcs_space *sp)
{
    struct dlcs_channel *thumbs;

    if (!sp->thumbnail_policy || strcmp(sp->thumbnail_policy, "default") == 0)
        return;
    if (a->delivery_channels.count == 0) {
        dlcs_channels_push(&a->delivery_channels, "iiif-img", NULL);
        dlcs_channels_push(&a->delivery_channels, "thumbs", sp->thumbnail_policy);
        return;
    }
    thumbs = thumbs_channel(a);
    if (thumbs && !thumbs->policy)
        dlcs_str_replace(&thumbs->policy, sp->thumbnail_policy);
}

enum dlcs_status dlcs_api_asset_check_policies(struct api_call *call, struct dlcs_asset *a)
{
    const struct dlcs_channel *thumbs = thumbs_channel(a);

    return thumbs ? dlcs_api_thumbs_policy_check(call, thumbs->policy, "deliveryChannels")
                  : DLCS_OK;
}

static void apply_space_defaults(struct dlcs_asset *a, uint64_t sent, const struct dlcs_space *sp)
{
    apply_space_thumbnail_policy(a, sp);
    if (!sent_field(sent, "tags"))
        dlcs_strlist_copy(&a->tags, &sp->default_tags);
    if (!sent_field(sent, "roles"))
        dlcs_strlist_copy(&a->roles, &sp->default_roles);
    if (!sent_field(sent, "maxUnauthorised"))
        a->max_unauthorised = sp->max_unauthorised;
}

enum dlcs_status dlcs_api_asset_origin_check(struct api_call *call, struct dlcs_asset *a,
                                             const struct dlcs_upload *up)
{
    char *own;

    if (up && up->present) {
        own = dlcs_asset_upload_origin_new(a);
        dlcs_str_replace(&a->origin, own);
        free(own);
        a->origin_size = (int64_t)up->len;
        return DLCS_OK;
    }
    if (dlcs_asset_upload_key(a->origin) && !dlcs_asset_upload_origin_owned(a, a->origin))
        return dlcs_error_set(&call->err, DLCS_EINVAL,
                              "field 'origin': an upload origin can only name one of this "
                              "image's own uploads");
    return DLCS_OK;
}

/* Remove the uploads that the registration's assets no longer name (best effort, logged). */
static void remove_replaced_uploads(const struct api_call *call,
                                    const struct dlcs_registration *reg)
{
    struct dlcs_error err = {0};

    for (size_t i = 0; i < reg->count && call->ctx->blobs; i++) {
        const struct dlcs_asset *a = &reg->assets[i];
        const char *before = reg->previous_origins[i];

        if (!before || (a->origin && strcmp(before, a->origin) == 0))
            continue;
        if (dlcs_asset_blobs_remove_upload(call->ctx->blobs, a, before, &err) != DLCS_OK)
            dlcs_log(DLCS_LOG_WARN, "cannot remove the replaced upload of '%s': %s", a->id,
                     err.message);
    }
}

enum dlcs_status dlcs_api_register_assets(struct api_call *call, struct dlcs_registration *reg)
{
    enum dlcs_status st;

    reg->previous_origins = dlcs_xcalloc(reg->count ? reg->count : 1, sizeof(char *));
    st = dlcs_store_register(call->ctx->store, reg, &call->err);
    if (st == DLCS_OK)
        remove_replaced_uploads(call, reg);
    for (size_t i = 0; i < reg->count; i++)
        free(reg->previous_origins[i]);
    free(reg->previous_origins);
    reg->previous_origins = NULL;
    return st;
}

enum dlcs_status dlcs_api_asset_delete(struct api_call *call, int64_t customer, int64_t space,
                                       const char *id)
{
    struct dlcs_asset removed;
    enum dlcs_status st;

    dlcs_entity_init(&dlcs_asset_entity, &removed);
    removed.customer = customer;
    removed.space = space;
    removed.id = dlcs_xstrdup(id);
    st = dlcs_store_asset_remove(call->ctx->store, &removed, &call->err);
    if (st == DLCS_OK && call->ctx->blobs) /* exactly what that record named, nothing newer */
        st = dlcs_asset_blobs_remove(call->ctx->blobs, &removed, &call->err);
    dlcs_entity_release(&dlcs_asset_entity, &removed);
    return st;
}

enum dlcs_status dlcs_api_asset_prepare(struct api_call *call, struct dlcs_asset *a, uint64_t sent,
                                        const struct dlcs_asset *path, const struct dlcs_upload *up)
{
    struct dlcs_space sp;
    enum dlcs_status st;

    a->customer = path->customer;
    a->space = path->space;
    dlcs_str_replace(&a->id, path->id);
    if (dlcs_api_asset_origin_check(call, a, up) != DLCS_OK)
        return call->err.code;
    if (!a->origin || !a->origin[0])
        return dlcs_error_set(&call->err, DLCS_EINVAL, "field 'origin' is required");
    /* without mediaType the ingest records what the bytes are (the reference's own example) */
    if (a->media_type && strncmp(a->media_type, "image/", 6) != 0)
        return dlcs_error_set(&call->err, DLCS_EUNSUPPORTED,
                              "field 'mediaType': only image/* is ingested by this build, not "
                              "'%s'",
                              a->media_type);
    dlcs_entity_init(&dlcs_space_entity, &sp);
    sp.customer = a->customer;
    sp.id = a->space;
    st = dlcs_store_get(call->ctx->store, &dlcs_space_entity, &sp, &call->err);
    if (st == DLCS_OK)
        apply_space_defaults(a, sent, &sp);
    dlcs_entity_release(&dlcs_space_entity, &sp);
    return st == DLCS_OK ? dlcs_api_asset_check_policies(call, a) : st;
}
