/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /customers/{c}/spaces/{s}/images/{id}: PUT (create or replace, ingested now; JSON with an
 * origin URL or the image's bytes, raw or multipart), POST to .../images (the same, the id
 * from the body or minted), GET, PATCH
 * (only the fields sent; re-ingested when origin, channels or maxUnauthorised change),
 * DELETE (record and derivatives), POST .../reingest.
 */
#include <stdlib.h>
#include <string.h>

#include "dlcs/asset_blobs.h"
#include "dlcs/hydra.h"
#include "dlcs/ids.h"
#include "dlcs/mem.h"
#include "dlcs/slots.h"

#include "api_images.h"

/* The path's space, which must exist. */
static enum dlcs_status space_path(struct api_call *call, struct dlcs_asset *a)
{
    struct dlcs_space sp;
    enum dlcs_status st;

    dlcs_entity_init(&dlcs_space_entity, &sp);
    st = dlcs_api_load_space(call, &sp);
    a->customer = call->customer;
    a->space = sp.id;
    dlcs_entity_release(&dlcs_space_entity, &sp);
    return st;
}

/* The path's space (must exist) and asset id (must be a valid id). */
static enum dlcs_status image_path(struct api_call *call, struct dlcs_asset *a)
{
    const char *id = u_map_get(call->req->map_url, "id");

    if (dlcs_id_check_asset(id ? id : "", "id", &call->err) != DLCS_OK)
        return DLCS_EINVAL;
    dlcs_str_replace(&a->id, id);
    return space_path(call, a);
}

static int field(const char *name)
{
    return dlcs_entity_field_index(&dlcs_asset_entity, name);
}

static bool was_sent(uint64_t sent, const char *name)
{
    return (sent & DLCS_FIELD_BIT(field(name))) != 0;
}

/* The body's id and space, when sent, must agree with the path. */
static enum dlcs_status check_identity(struct api_call *call, const struct dlcs_asset *in,
                                       uint64_t sent, const struct dlcs_asset *path)
{
    if (was_sent(sent, "id") && strcmp(in->id, path->id) != 0)
        return dlcs_error_set(&call->err, DLCS_EINVAL, "field 'id' ('%s') differs from the path",
                              in->id);
    if (was_sent(sent, "space") && in->space != path->space)
        return dlcs_error_set(&call->err, DLCS_EINVAL, "field 'space' differs from the path");
    return DLCS_OK;
}

/*
 * A failed immediate ingest as the answer's status: the client's image or origin is at fault
 * (422, or 413 past a limit), or the origin failed or was slow (502/504). The record stays,
 * with its error, for GET.
 */
static enum dlcs_status ingest_failed(struct api_call *call, const struct dlcs_asset *a,
                                      const struct dlcs_error *failure)
{
    enum dlcs_status code = failure->code;

    if (code == DLCS_EBUSY || code == DLCS_EUPSTREAM)
        code = DLCS_EORIGIN; /* 502: the origin failed (or said 429), not this service */
    else if (code != DLCS_ETOOLARGE && code != DLCS_ETIMEOUT &&
             code != DLCS_ENOSPACE) /* 507: our disk, not the client's image */
        code = DLCS_EUNPROCESSABLE;
    return dlcs_error_set(&call->err, code,
                          "image '%s' is registered, but its ingest failed (see its 'error'): %s",
                          a->id, failure->message);
}

/*
 * Store the upload (if any), register 'a' (a new generation) and ingest it now, holding one
 * immediate-ingest slot for all of it: a busy server refuses before it keeps any bytes. An
 * upload is removed again when its registration fails. 'if_unchanged' (PATCH, reingest): only
 * if the record is still the one read (409 when registered again since, 404 when deleted).
 */
static enum dlcs_status register_now(struct api_call *call, struct dlcs_asset *a,
                                     const struct dlcs_upload *up, bool if_unchanged)
{
    struct dlcs_registration reg = {a, 1, NULL, false, false, if_unchanged, NULL};
    const struct dlcs_api_context *ctx = call->ctx;
    struct dlcs_error failure = {0};
    enum dlcs_status st;

    if (!ctx->ingest)
        return dlcs_error_set(&call->err, DLCS_EBUSY, "immediate ingest is not available here");
    if (dlcs_api_room_check(ctx, &call->err) != DLCS_OK)
        return call->err.code;
    if (ctx->immediate && !dlcs_slots_take_for(ctx->immediate, (uint64_t)a->customer,
                                               dlcs_api_immediate_share(ctx->cfg)))
        return dlcs_error_set(&call->err, DLCS_EBUSY,
                              "every immediate-ingest slot this customer may use is busy; try "
                              "again shortly, or queue the images");
    st = dlcs_api_upload_store(call, a, up);
    if (st == DLCS_OK) {
        st = dlcs_api_register_assets(call, &reg);
        if (st != DLCS_OK && up->present && ctx->blobs) /* each upload has its own key */
            (void)!dlcs_blob_remove_prefix(ctx->blobs, dlcs_asset_upload_key(a->origin),
                                           NULL); /* best effort: the answer is the error */
    }
    if (st == DLCS_OK)
        st = ctx->ingest(ctx->ingest_ctx, a, &failure, &call->err);
    if (ctx->immediate)
        dlcs_slots_give_for(ctx->immediate, (uint64_t)a->customer);
    if (st == DLCS_OK) /* the ingest's outcome, as recorded */
        st = dlcs_store_get(ctx->store, &dlcs_asset_entity, a, &call->err);
    if (st == DLCS_OK && failure.code != DLCS_OK)
        st = ingest_failed(call, a, &failure);
    return st;
}

static int answer_asset(struct api_call *call, unsigned status, const struct dlcs_asset *a)
{
    if (status == 201) {
        char *loc = dlcs_api_url(call, "/customers/%lld/spaces/%lld/images/%s",
                                 (long long)a->customer, (long long)a->space, a->id);

        u_map_put(call->res->map_header, "Location", loc);
        free(loc);
    }
    return dlcs_api_send(call, status, dlcs_api_asset_json(call, a));
}

/*
 * Create or replace 'in' (decoded, with its upload) at 'path', ingested now: 201 when new,
 * 200 when it replaced an image ('exists', read by the caller).
 */
static int register_and_answer(struct api_call *call, struct dlcs_asset *in, uint64_t sent,
                               const struct dlcs_asset *path, const struct dlcs_upload *up,
                               bool exists)
{
    if (check_identity(call, in, sent, path) != DLCS_OK ||
        dlcs_api_asset_prepare(call, in, sent, path, up) != DLCS_OK ||
        register_now(call, in, up, false) != DLCS_OK)
        return dlcs_api_fail(call);
    return answer_asset(call, exists ? 200 : 201, in);
}

/* The image at 'path' into 'old' when it exists (*found); a failing store is its error. */
static enum dlcs_status load_existing(struct api_call *call, const struct dlcs_asset *path,
                                      struct dlcs_asset *old, bool *found)
{
    enum dlcs_status st;

    old->customer = path->customer;
    old->space = path->space;
    dlcs_str_replace(&old->id, path->id);
    st = dlcs_store_get(call->ctx->store, &dlcs_asset_entity, old, &call->err);
    *found = st == DLCS_OK;
    if (st == DLCS_ENOTFOUND) {
        dlcs_error_clear(&call->err);
        st = DLCS_OK;
    }
    return st;
}

static int put_image(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_asset path, in, old;
    struct dlcs_upload up;
    uint64_t sent = 0;
    bool found = false;
    int rc;

    dlcs_entity_init(&dlcs_asset_entity, &path);
    dlcs_entity_init(&dlcs_asset_entity, &in);
    dlcs_entity_init(&dlcs_asset_entity, &old);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        image_path(&call, &path) != DLCS_OK ||
        load_existing(&call, &path, &old, &found) != DLCS_OK ||
        dlcs_api_registration_body(&call, &in, &sent, &up, found ? &old : NULL) != DLCS_OK)
        rc = dlcs_api_fail(&call);
    else
        rc = register_and_answer(&call, &in, sent, &path, &up, found);
    dlcs_entity_release(&dlcs_asset_entity, &old);
    dlcs_entity_release(&dlcs_asset_entity, &in);
    dlcs_entity_release(&dlcs_asset_entity, &path);
    return rc;
}

/* POST to a space's images: the body's id, or a new UUID when it has none. */
static int post_image(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_asset path, in, old;
    struct dlcs_upload up;
    uint64_t sent = 0;
    char uuid[DLCS_UUID_BUF];
    bool found = false;
    int rc;

    dlcs_entity_init(&dlcs_asset_entity, &path);
    dlcs_entity_init(&dlcs_asset_entity, &in);
    dlcs_entity_init(&dlcs_asset_entity, &old);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        space_path(&call, &path) != DLCS_OK ||
        dlcs_api_registration_body(&call, &in, &sent, &up, NULL) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
        goto out;
    }
    if (was_sent(sent, "id")) {
        dlcs_str_replace(&path.id, in.id);
    } else {
        dlcs_id_uuid(uuid);
        dlcs_str_replace(&path.id, uuid);
    }
    rc = load_existing(&call, &path, &old, &found) == DLCS_OK
             ? register_and_answer(&call, &in, sent, &path, &up, found)
             : dlcs_api_fail(&call);
out:
    dlcs_entity_release(&dlcs_asset_entity, &old);
    dlcs_entity_release(&dlcs_asset_entity, &in);
    dlcs_entity_release(&dlcs_asset_entity, &path);
    return rc;
}

/* The path's asset into 'a': DLCS_ENOTFOUND when there is none. */
static enum dlcs_status load_image(struct api_call *call, struct dlcs_asset *a)
{
    enum dlcs_status st;

    if (image_path(call, a) != DLCS_OK)
        return call->err.code;
    st = dlcs_api_get(call, &dlcs_asset_entity, a);
    if (st == DLCS_ENOTFOUND)
        return dlcs_error_set(&call->err, DLCS_ENOTFOUND, "no image '%s' in space %lld", a->id,
                              (long long)a->space);
    return st;
}

static int get_image(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_asset a;
    int rc;

    dlcs_entity_init(&dlcs_asset_entity, &a);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        load_image(&call, &a) != DLCS_OK)
        rc = dlcs_api_fail(&call);
    else
        rc = answer_asset(&call, 200, &a);
    dlcs_entity_release(&dlcs_asset_entity, &a);
    return rc;
}

/* Fields whose change means the derivatives must be made again. */
static bool needs_reingest(const struct dlcs_asset *before, const struct dlcs_asset *in,
                           uint64_t sent)
{
    char *b, *i;
    bool changed;

    if (was_sent(sent, "origin") && strcmp(before->origin ? before->origin : "", in->origin) != 0)
        return true;
    if (was_sent(sent, "maxUnauthorised") && before->max_unauthorised != in->max_unauthorised)
        return true;
    if (!was_sent(sent, "deliveryChannels"))
        return false;
    b = dlcs_channels_to_text(&before->delivery_channels);
    i = dlcs_channels_to_text(&in->delivery_channels);
    changed = strcmp(b, i) != 0;
    free(b);
    free(i);
    return changed;
}

static int patch_image(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_asset a, in;
    uint64_t sent = 0;
    enum dlcs_status st;
    int rc;

    dlcs_entity_init(&dlcs_asset_entity, &a);
    dlcs_entity_init(&dlcs_asset_entity, &in);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        load_image(&call, &a) != DLCS_OK ||
        dlcs_api_asset_from_body(&call, &in, &sent, &a) != DLCS_OK ||
        check_identity(&call, &in, sent, &a) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
        goto out;
    }
    sent &= ~(DLCS_FIELD_BIT(field("id")) | DLCS_FIELD_BIT(field("space")));
    /* the own-upload check is about the stored image, never the body's identity fields */
    in.customer = a.customer;
    in.space = a.space;
    dlcs_str_replace(&in.id, a.id);
    if (dlcs_api_asset_origin_check(&call, &in, NULL) != DLCS_OK ||
        (was_sent(sent, "deliveryChannels") &&
         dlcs_api_asset_check_policies(&call, &in) != DLCS_OK)) {
        rc = dlcs_api_fail(&call);
        goto out;
    }
    if (needs_reingest(&a, &in, sent)) {
        if (was_sent(sent, "origin") && strcmp(a.origin ? a.origin : "", in.origin) != 0)
            a.origin_size = 0; /* no longer the upload it counted (PATCH cannot upload) */
        dlcs_entity_merge(&dlcs_asset_entity, &a, &in, sent);
        st = register_now(&call, &a, &(const struct dlcs_upload){0}, true);
    } else { /* only what was sent changes (never the reference's bug #1261) */
        /*
         * Fields the derivatives depend on are equal to the record read: writing them would
         * only undo a registration made since (the record read may be stale), so they stay
         * out of the update. Everything else is metadata: the last writer wins.
         */
        sent &= ~(DLCS_FIELD_BIT(field("origin")) | DLCS_FIELD_BIT(field("maxUnauthorised")) |
                  DLCS_FIELD_BIT(field("deliveryChannels")));
        dlcs_entity_merge(&dlcs_asset_entity, &a, &in, sent);
        st = dlcs_store_update(call.ctx->store, &dlcs_asset_entity, &a, sent, &call.err);
    }
    rc = st == DLCS_OK ? answer_asset(&call, 200, &a) : dlcs_api_fail(&call);
out:
    dlcs_entity_release(&dlcs_asset_entity, &in);
    dlcs_entity_release(&dlcs_asset_entity, &a);
    return rc;
}

static int delete_image(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_asset a;
    enum dlcs_status st;
    int rc;

    dlcs_entity_init(&dlcs_asset_entity, &a);
    st = dlcs_api_begin(&call, data, req, res, API_CUSTOMER);
    if (st == DLCS_OK)
        st = image_path(&call, &a);
    if (st == DLCS_OK)
        st = dlcs_api_asset_delete(&call, a.customer, a.space, a.id);
    rc = st == DLCS_OK ? dlcs_api_no_content(&call) : dlcs_api_fail(&call);
    dlcs_entity_release(&dlcs_asset_entity, &a);
    return rc;
}

static int reingest_image(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_asset a;
    int rc;

    dlcs_entity_init(&dlcs_asset_entity, &a);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        load_image(&call, &a) != DLCS_OK ||
        register_now(&call, &a, &(const struct dlcs_upload){0}, true) != DLCS_OK)
        rc = dlcs_api_fail(&call);
    else
        rc = answer_asset(&call, 200, &a);
    dlcs_entity_release(&dlcs_asset_entity, &a);
    return rc;
}

enum dlcs_status dlcs_api_register_images(struct dlcs_http_server *http,
                                          const struct dlcs_api_context *ctx,
                                          struct dlcs_error *err)
{
    const char *one = "/customers/:c/spaces/:s/images/:id";

    if (!dlcs_api_upload_route(http, "PUT", one, put_image, ctx) ||
        !dlcs_api_route(http, "GET", one, get_image, ctx) ||
        !dlcs_api_route(http, "PATCH", one, patch_image, ctx) ||
        !dlcs_api_route(http, "DELETE", one, delete_image, ctx) ||
        !dlcs_api_route(http, "POST", "/customers/:c/spaces/:s/images/:id/reingest", reingest_image,
                        ctx) ||
        !dlcs_api_upload_route(http, "POST", "/customers/:c/spaces/:s/images", post_image, ctx) ||
        !dlcs_api_route(http, "GET", "/customers/:c/spaces/:s/images", dlcs_api_list_space_images,
                        ctx) ||
        !dlcs_api_route(http, "GET", "/customers/:c/allImages", dlcs_api_list_all_images, ctx))
        return dlcs_error_set(err, DLCS_EINTERNAL, "cannot register the image routes");
    return DLCS_OK;
}
