/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Storage in use: GET /customers/{c}/storage, .../spaces/{s}/storage (CustomerStorage) and
 * .../images/{id}/storage (ImageStorage). Computed from the store on every request, so the
 * figures never drift from the images that exist (the reference keeps counters).
 */
#include <stdlib.h>

#include "dlcs/clock.h"
#include "dlcs/hydra.h"
#include "dlcs/ids.h"
#include "dlcs/mem.h"
#include "dlcs/model.h"
#include "dlcs/store.h"

#include "api_internal.h"

static int answer_usage(struct api_call *call, int64_t space, const char *id)
{
    struct dlcs_usage u;
    char now[DLCS_TIME_BUF];
    json_t *j;

    if (dlcs_store_usage(call->ctx->store, call->customer, space, &u, &call->err) != DLCS_OK)
        return dlcs_api_fail(call);
    j = json_pack("{s:I,s:I,s:I,s:s}", "numberOfStoredImages", (json_int_t)u.images,
                  "totalSizeOfStoredImages", (json_int_t)u.bytes, "totalSizeOfThumbnails",
                  (json_int_t)u.thumbnail_bytes, "lastCalculated",
                  dlcs_time_format(dlcs_time_now_ms(), now));
    return dlcs_api_send(call, 200, dlcs_hydra_envelope(j, id, "CustomerStorage"));
}

static int customer_storage(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    char *id;
    int rc;

    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK)
        return dlcs_api_fail(&call);
    id = dlcs_api_url(&call, "/customers/%lld/storage", (long long)call.customer);
    rc = answer_usage(&call, 0, id);
    free(id);
    return rc;
}

static int space_storage(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_space sp;
    char *id;
    int rc;

    dlcs_entity_init(&dlcs_space_entity, &sp);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        dlcs_api_load_space(&call, &sp) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
    } else {
        id = dlcs_api_url(&call, "/customers/%lld/spaces/%lld/storage", (long long)call.customer,
                          (long long)sp.id);
        rc = answer_usage(&call, sp.id, id);
        free(id);
    }
    dlcs_entity_release(&dlcs_space_entity, &sp);
    return rc;
}

static json_t *image_storage_json(const struct api_call *call, const struct dlcs_asset *a)
{
    char checked[DLCS_TIME_BUF];
    char *id = dlcs_api_url(call, "/customers/%lld/spaces/%lld/images/%s/storage",
                            (long long)a->customer, (long long)a->space, a->id);
    json_t *j =
        json_pack("{s:I,s:I,s:o,s:b}", "thumbnailSize", (json_int_t)a->thumbnail_size, "size",
                  (json_int_t)(a->size + a->origin_size), "lastChecked",
                  a->finished ? json_string(dlcs_time_format(a->finished, checked)) : json_null(),
                  "checkingInProgress", a->ingesting);

    dlcs_hydra_envelope(j, id, "ImageStorage");
    free(id);
    return j;
}

static int image_storage(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_asset a;
    const char *id;
    int rc;

    dlcs_entity_init(&dlcs_asset_entity, &a);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        dlcs_api_id_param(&call, "s", &a.space) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
        goto out;
    }
    id = u_map_get(req->map_url, "id");
    a.customer = call.customer;
    dlcs_str_replace(&a.id, id ? id : "");
    if (dlcs_api_get(&call, &dlcs_asset_entity, &a) != DLCS_OK) {
        (void)dlcs_error_set(&call.err, DLCS_ENOTFOUND, "no image '%s' in space %lld", a.id,
                             (long long)a.space); /* kept: a store failure was recorded first */
        rc = dlcs_api_fail(&call);
        goto out;
    }
    rc = dlcs_api_send(&call, 200, image_storage_json(&call, &a));
out:
    dlcs_entity_release(&dlcs_asset_entity, &a);
    return rc;
}

enum dlcs_status dlcs_api_register_storage(struct dlcs_http_server *http,
                                           const struct dlcs_api_context *ctx,
                                           struct dlcs_error *err)
{
    if (!dlcs_api_route(http, "GET", "/customers/:c/storage", customer_storage, ctx) ||
        !dlcs_api_route(http, "GET", "/customers/:c/spaces/:s/storage", space_storage, ctx) ||
        !dlcs_api_route(http, "GET", "/customers/:c/spaces/:s/images/:id/storage", image_storage,
                        ctx))
        return dlcs_error_set(err, DLCS_EINTERNAL, "cannot register the storage routes");
    return DLCS_OK;
}
