/* SPDX-License-Identifier: Apache-2.0 */
/* Finding an image for a delivery request: customer by id or name, the asset, its sizes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dlcs/ids.h"
#include "dlcs/mem.h"

#include "iiif_internal.h"

static bool parse_id(const char *s, int64_t *out)
{
    char *end = NULL;
    long long v;

    if (!*s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v <= 0)
        return false;
    *out = (int64_t)v;
    return true;
}

static enum dlcs_status customer_id(struct dlcs_store *store, const char *s, int64_t *id,
                                    struct dlcs_error *err)
{
    struct dlcs_query q = {.page = 1, .page_size = 1};
    struct dlcs_customer c;
    enum dlcs_status st;

    if (parse_id(s, id))
        return DLCS_OK;
    if (dlcs_id_check_customer_name(s, "customer", NULL) != DLCS_OK)
        return DLCS_ENOTFOUND;
    dlcs_entity_init(&dlcs_customer_entity, &c);
    dlcs_query_eq_str(&q, "name", s);
    st = dlcs_store_find_one(store, &dlcs_customer_entity, &q, &c, err);
    *id = c.id;
    dlcs_entity_release(&dlcs_customer_entity, &c);
    return st;
}

static bool delivered_on(const struct dlcs_asset *a, enum dlcs_iiif_channel channel)
{
    if (a->delivery_channels.count == 0) /* no explicit channels: an image's defaults */
        return strcmp(a->family ? a->family : "I", "I") == 0;
    return dlcs_channels_has(&a->delivery_channels,
                             channel == DLCS_CHANNEL_IMAGE ? "iiif-img" : "thumbs");
}

char *dlcs_iiif_blob_key(const struct dlcs_iiif_image *img, const char *file)
{
    return dlcs_xasprintf("%lld/%lld/%s/%s", (long long)img->asset.customer,
                          (long long)img->asset.space, img->asset.id, file);
}

static void load_sizes(const struct dlcs_iiif_context *ctx, struct dlcs_iiif_image *img)
{
    char *key = dlcs_iiif_blob_key(img, "sizes.json");
    void *text = NULL;
    size_t len = 0;
    json_t *doc, *v;
    size_t i;

    img->size_count = 0;
    if (dlcs_blob_get_bytes(ctx->blobs, key, 65536, &text, &len, NULL) == DLCS_OK) {
        doc = json_loadb(text, len, 0, NULL);
        json_array_foreach(json_object_get(doc, "sizes"), i, v)
        {
            if (img->size_count < 16) {
                img->sizes[img->size_count][0] =
                    (int)json_integer_value(json_object_get(v, "width"));
                img->sizes[img->size_count][1] =
                    (int)json_integer_value(json_object_get(v, "height"));
                img->size_count++;
            }
        }
        json_decref(doc);
    }
    free(text);
    free(key);
}

/* The pyramid halves until the image fits one 256-pixel tile (libvips' "onetile" depth). */
static int scale_factors(int64_t w, int64_t h)
{
    int n = 1;

    while (n < 30 && ((w + (1LL << (n - 1)) - 1) >> (n - 1) > 256 ||
                      (h + (1LL << (n - 1)) - 1) >> (n - 1) > 256))
        n++;
    return n;
}

enum dlcs_status dlcs_iiif_image_load(const struct dlcs_iiif_context *ctx, const char *customer,
                                      const char *space, const char *id,
                                      enum dlcs_iiif_channel channel, struct dlcs_iiif_image *img,
                                      struct dlcs_error *err)
{
    struct dlcs_asset *a = &img->asset;
    int64_t cid = 0, sid = 0;

    memset(img, 0, sizeof *img);
    dlcs_entity_init(&dlcs_asset_entity, a);
    if (customer_id(ctx->store, customer, &cid, NULL) != DLCS_OK || !parse_id(space, &sid) ||
        dlcs_id_check_asset(id, "id", NULL) != DLCS_OK)
        return dlcs_error_set(err, DLCS_ENOTFOUND, "no image '%s/%s/%s'", customer, space, id);
    a->customer = cid;
    a->space = sid;
    a->id = dlcs_xstrdup(id);
    if (dlcs_store_get(ctx->store, &dlcs_asset_entity, a, NULL) != DLCS_OK || a->width <= 0 ||
        a->height <= 0 || !delivered_on(a, channel)) {
        dlcs_entity_release(&dlcs_asset_entity, a); /* on failure the caller has nothing to free */
        return dlcs_error_set(err, DLCS_ENOTFOUND, "no image '%s/%s/%s'", customer, space, id);
    }
    img->restricted = a->roles.count > 0 || a->max_unauthorised >= 0;
    img->scale_factors = scale_factors(a->width, a->height);
    load_sizes(ctx, img);
    return DLCS_OK;
}

void dlcs_iiif_image_release(struct dlcs_iiif_image *img)
{
    dlcs_entity_release(&dlcs_asset_entity, &img->asset);
}

bool dlcs_iiif_allowed(const struct dlcs_iiif_image *img, const struct dlcs_iiif_plan *plan)
{
    const struct dlcs_asset *a = &img->asset;
    int longest = plan->out_w > plan->out_h ? plan->out_w : plan->out_h;
    bool full = plan->x == 0 && plan->y == 0 && plan->w == a->width && plan->h == a->height;

    if (!img->restricted)
        return true;
    return a->roles.count == 0 && a->max_unauthorised > 0 && full && longest <= a->max_unauthorised;
}
