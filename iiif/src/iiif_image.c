/* SPDX-License-Identifier: Apache-2.0 */
/* Finding an image for a delivery request: customer by id or name, the asset, its sizes. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dlcs/asset_blobs.h"
#include "dlcs/clock.h"
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

enum dlcs_status dlcs_iiif_customer_id(struct dlcs_store *store, const char *s, int64_t *id,
                                       struct dlcs_error *err)
{
    struct dlcs_query q = {.limit = 1};
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
    char *prefix = dlcs_asset_served_prefix(&img->asset);
    char *key = dlcs_xasprintf("%s/%s", prefix, file);

    free(prefix);
    return key;
}

/* The stored sizes; false when sizes.json is gone (the record read is older than a switch). */
static bool load_sizes(const struct dlcs_iiif_context *ctx, struct dlcs_iiif_image *img)
{
    char *key = dlcs_iiif_blob_key(img, "sizes.json");
    void *text = NULL;
    size_t len = 0;
    json_t *doc, *v;
    size_t i;
    enum dlcs_status st = dlcs_blob_get_bytes(ctx->blobs, key, 65536, &text, &len, NULL);

    img->size_count = 0;
    if (st == DLCS_OK) {
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
    return st != DLCS_ENOTFOUND;
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

/*
 * Image records of the last few seconds (DLCS_IIIF_RECORD_TTL_MS), in a direct-mapped table:
 * a tile burst for one image then costs no store or blob reads. A re-ingested image is seen
 * after at most the TTL; its ETag changes with its generation.
 */
#define CACHE_SLOTS 1024

struct cache_entry {
    char key[DLCS_ASSET_ID_MAX + 64];
    int64_t expires;
    bool used;
    struct dlcs_iiif_image img;
};

struct dlcs_iiif_cache {
    pthread_mutex_t mu;
    int ttl_ms;
    struct cache_entry slots[CACHE_SLOTS];
};

struct dlcs_iiif_cache *dlcs_iiif_cache_new(int ttl_ms)
{
    struct dlcs_iiif_cache *c = dlcs_xcalloc(1, sizeof *c);

    pthread_mutex_init(&c->mu, NULL);
    c->ttl_ms = ttl_ms;
    return c;
}

void dlcs_iiif_cache_free(struct dlcs_iiif_cache *c)
{
    if (!c)
        return;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        if (c->slots[i].used)
            dlcs_iiif_image_release(&c->slots[i].img);
    }
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static void image_copy(struct dlcs_iiif_image *dst, const struct dlcs_iiif_image *src)
{
    struct dlcs_asset asset;

    dlcs_entity_init(&dlcs_asset_entity, &asset);
    dlcs_entity_merge(&dlcs_asset_entity, &asset, &src->asset, dlcs_entity_all(&dlcs_asset_entity));
    *dst = *src;
    dst->asset = asset;
}

static struct cache_entry *slot_for(struct dlcs_iiif_cache *c, const char *key)
{
    uint64_t h = 1469598103934665603ULL;

    for (const char *k = key; *k; k++)
        h = (h ^ (unsigned char)*k) * 1099511628211ULL;
    return &c->slots[h % CACHE_SLOTS];
}

static bool cache_get(struct dlcs_iiif_cache *c, const char *key, struct dlcs_iiif_image *out)
{
    struct cache_entry *e;
    bool hit = false;

    if (!c || c->ttl_ms <= 0)
        return false;
    pthread_mutex_lock(&c->mu);
    e = slot_for(c, key);
    if (e->used && strcmp(e->key, key) == 0 && e->expires > dlcs_time_mono_ms()) {
        image_copy(out, &e->img);
        hit = true;
    }
    pthread_mutex_unlock(&c->mu);
    return hit;
}

static void cache_put(struct dlcs_iiif_cache *c, const char *key, const struct dlcs_iiif_image *img)
{
    struct cache_entry *e;
    struct dlcs_iiif_image copy, old = {0};
    bool had;

    if (!c || c->ttl_ms <= 0 || strlen(key) >= sizeof e->key)
        return;
    image_copy(&copy, img);
    pthread_mutex_lock(&c->mu);
    e = slot_for(c, key);
    had = e->used;
    if (had)
        old = e->img;
    (void)snprintf(e->key, sizeof e->key, "%s", key);
    e->img = copy;
    e->used = true;
    e->expires = dlcs_time_mono_ms() + c->ttl_ms;
    pthread_mutex_unlock(&c->mu);
    if (had)
        dlcs_iiif_image_release(&old); /* outside the lock */
}

/* Why an existing record has nothing to deliver: the 404's message. */
static enum dlcs_status not_served(const struct dlcs_asset *a, const char *key,
                                   struct dlcs_error *err)
{
    if (a->ingesting)
        return dlcs_error_set(err, DLCS_ENOTFOUND,
                              "image '%s' is still being processed: try again when its ingest "
                              "has finished",
                              key);
    return dlcs_error_set(err, DLCS_ENOTFOUND, "image '%s' has no derivatives: its ingest failed",
                          key);
}

/* The record from the store, with its sizes; read again once if a switch overtook the read. */
static enum dlcs_status read_record(const struct dlcs_iiif_context *ctx, const char *key,
                                    struct dlcs_iiif_image *img, struct dlcs_error *err)
{
    struct dlcs_asset *a = &img->asset;
    struct dlcs_error get_err = {0};
    enum dlcs_status st = DLCS_OK;

    for (int attempt = 0; attempt < 2; attempt++) {
        st = dlcs_store_get(ctx->store, &dlcs_asset_entity, a, &get_err);
        if (st == DLCS_ENOTFOUND)
            return dlcs_error_set(err, DLCS_ENOTFOUND, "no image '%s'", key);
        if (st != DLCS_OK) /* a failing store is a 503, not a 404 */
            return dlcs_error_set(err, st, "cannot read the image record now: %s", get_err.message);
        if (!dlcs_asset_is_served(a) || a->width <= 0 || a->height <= 0)
            return not_served(a, key, err);
        img->restricted = a->roles.count > 0 || a->max_unauthorised >= 0;
        img->scale_factors = scale_factors(a->width, a->height);
        if (load_sizes(ctx, img)) {
            cache_put(ctx->records, key, img);
            return DLCS_OK;
        }
    }
    return DLCS_OK; /* sizes.json missing twice: served without stored sizes, not cached */
}

/* The record as stored, whatever the channel (cached under "customer/space/id"). */
static enum dlcs_status load_record(const struct dlcs_iiif_context *ctx,
                                    const struct dlcs_iiif_image_ref *ref,
                                    struct dlcs_iiif_image *img, struct dlcs_error *err)
{
    struct dlcs_asset *a = &img->asset;
    struct dlcs_error get_err = {0};
    int64_t cid = 0, sid = 0;
    char key[DLCS_ASSET_ID_MAX + 64];
    enum dlcs_status st;

    memset(img, 0, sizeof *img);
    dlcs_entity_init(&dlcs_asset_entity, a);
    if (snprintf(key, sizeof key, "%s/%s/%s", ref->customer, ref->space, ref->id) >=
        (int)sizeof key)
        return dlcs_error_set(err, DLCS_ENOTFOUND, "no such image");
    if (!ref->fresh && cache_get(ctx->records, key, img))
        return DLCS_OK;
    st = dlcs_iiif_customer_id(ctx->store, ref->customer, &cid, &get_err);
    if (st != DLCS_OK && st != DLCS_ENOTFOUND) /* a failing store is a 503, not a 404 */
        return dlcs_error_set(err, st, "cannot read the image record now: %s", get_err.message);
    if (st != DLCS_OK || !parse_id(ref->space, &sid) ||
        dlcs_id_check_asset(ref->id, "id", NULL) != DLCS_OK)
        return dlcs_error_set(err, DLCS_ENOTFOUND, "no image '%s'", key);
    a->customer = cid;
    a->space = sid;
    a->id = dlcs_xstrdup(ref->id);
    st = read_record(ctx, key, img, err);
    if (st != DLCS_OK)
        dlcs_entity_release(&dlcs_asset_entity, a);
    return st;
}

enum dlcs_status dlcs_iiif_image_load(const struct dlcs_iiif_context *ctx,
                                      const struct dlcs_iiif_image_ref *ref,
                                      struct dlcs_iiif_image *img, struct dlcs_error *err)
{
    enum dlcs_status st = load_record(ctx, ref, img, err);

    if (st != DLCS_OK)
        return st;
    if (!delivered_on(&img->asset, ref->channel)) {
        dlcs_iiif_image_release(img); /* on failure the caller has nothing to free */
        return dlcs_error_set(err, DLCS_ENOTFOUND, "no image '%s/%s/%s'", ref->customer, ref->space,
                              ref->id);
    }
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
