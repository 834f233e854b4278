/* SPDX-License-Identifier: Apache-2.0 */
/* /customers/{c}/spaces and /customers/{c}/spaces/{s}. */
#include <stdlib.h>
#include <string.h>

#include "dlcs/hydra.h"
#include "dlcs/mem.h"
#include "dlcs/model.h"

#include "api_internal.h"

static json_t *space_json(const struct api_call *call, const void *obj)
{
    const struct dlcs_space *sp = obj;
    char *id = dlcs_api_url(call, "/customers/%lld/spaces/%lld", (long long)sp->customer,
                            (long long)sp->id);
    char *images = dlcs_xasprintf("%s/images", id);
    char *storage = dlcs_xasprintf("%s/storage", id);
    json_t *j = dlcs_hydra_resource(&dlcs_space_entity, sp, id);
    struct dlcs_query q = {0};
    int64_t n = 0;

    dlcs_query_eq_int(&q, "customer", sp->customer);
    dlcs_query_eq_int(&q, "space", sp->id);
    if (dlcs_store_count(call->ctx->store, &dlcs_asset_entity, &q, &n, NULL) == DLCS_OK)
        json_object_set_new(j, "approximateNumberOfImages", json_integer((json_int_t)n));
    json_object_set_new(j, "images", json_string(images));
    json_object_set_new(j, "storage", json_string(storage));
    free(storage);
    free(images);
    free(id);
    return j;
}

static int list_spaces(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_page page;
    struct dlcs_query q = {0};
    struct dlcs_list l;

    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        dlcs_api_paging(&call, &page, &q) != DLCS_OK)
        return dlcs_api_fail(&call);
    dlcs_query_eq_int(&q, "customer", call.customer);
    dlcs_query_order(&q, "id", false);
    if (dlcs_store_list(call.ctx->store, &dlcs_space_entity, &q, &l, &call.err) != DLCS_OK)
        return dlcs_api_fail(&call);
    return dlcs_api_send_page(
        &call, &l, space_json,
        dlcs_api_url(&call, "/customers/%lld/spaces", (long long)call.customer), &page);
}

/* Decode a space body; the id comes from the path (or is minted), never from the body. */
static enum dlcs_status space_from_body(struct api_call *call, struct dlcs_space *sp,
                                        uint64_t *sent)
{
    json_t *body = NULL;
    enum dlcs_status st = dlcs_api_body(call, &body);

    if (st == DLCS_OK)
        st = dlcs_entity_from_json(&dlcs_space_entity, body, sp, sent, &call->err);
    json_decref(body);
    if (st == DLCS_OK)
        st = dlcs_api_thumbs_policy_check(call, sp->thumbnail_policy, "thumbnailPolicy");
    return st;
}

static int created(struct api_call *call, const struct dlcs_space *sp)
{
    char *loc = dlcs_api_url(call, "/customers/%lld/spaces/%lld", (long long)sp->customer,
                             (long long)sp->id);

    u_map_put(call->res->map_header, "Location", loc);
    free(loc);
    return dlcs_api_send(call, 201, space_json(call, sp));
}

static int create_space(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_space sp;
    uint64_t sent = 0;
    int rc;

    dlcs_entity_init(&dlcs_space_entity, &sp);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        space_from_body(&call, &sp, &sent) != DLCS_OK ||
        dlcs_entity_check_required(&dlcs_space_entity, sent, &call.err) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
    } else {
        sp.customer = call.customer;
        rc = dlcs_store_insert(call.ctx->store, &dlcs_space_entity, &sp, &call.err) == DLCS_OK
                 ? created(&call, &sp)
                 : dlcs_api_fail(&call);
    }
    dlcs_entity_release(&dlcs_space_entity, &sp);
    return rc;
}

enum dlcs_status dlcs_api_load_space(struct api_call *call, struct dlcs_space *sp)
{
    enum dlcs_status st;

    if (dlcs_api_id_param(call, "s", &sp->id) != DLCS_OK)
        return DLCS_EINVAL;
    sp->customer = call->customer;
    st = dlcs_api_get(call, &dlcs_space_entity, sp);
    if (st == DLCS_ENOTFOUND)
        return dlcs_error_set(&call->err, DLCS_ENOTFOUND, "no space %lld", (long long)sp->id);
    return st;
}

static int get_space(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_space sp;
    int rc;

    dlcs_entity_init(&dlcs_space_entity, &sp);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        dlcs_api_load_space(&call, &sp) != DLCS_OK)
        rc = dlcs_api_fail(&call);
    else
        rc = dlcs_api_send(&call, 200, space_json(&call, &sp));
    dlcs_entity_release(&dlcs_space_entity, &sp);
    return rc;
}

/* PUT creates the space with the path's id (201) or replaces the fields sent (200);
 * PATCH changes the fields sent of an existing space. */
static int write_space(const struct _u_request *req, struct _u_response *res, void *data,
                       bool may_create)
{
    struct api_call call;
    struct dlcs_space sp, in;
    uint64_t sent = 0;
    enum dlcs_status found;
    int rc;

    dlcs_entity_init(&dlcs_space_entity, &sp);
    dlcs_entity_init(&dlcs_space_entity, &in);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        space_from_body(&call, &in, &sent) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
        goto out;
    }
    found = dlcs_api_load_space(&call, &sp);
    if (found == DLCS_ENOTFOUND && may_create) {
        dlcs_error_clear(&call.err);
        dlcs_entity_merge(&dlcs_space_entity, &sp, &in, sent);
        rc = dlcs_entity_check_required(&dlcs_space_entity, sent, &call.err) == DLCS_OK &&
                     dlcs_store_insert(call.ctx->store, &dlcs_space_entity, &sp, &call.err) ==
                         DLCS_OK
                 ? created(&call, &sp)
                 : dlcs_api_fail(&call);
        goto out;
    }
    if (found != DLCS_OK) {
        rc = dlcs_api_fail(&call);
        goto out;
    }
    dlcs_entity_merge(&dlcs_space_entity, &sp, &in, sent);
    rc = dlcs_store_update(call.ctx->store, &dlcs_space_entity, &sp, sent, &call.err) == DLCS_OK
             ? dlcs_api_send(&call, 200, space_json(&call, &sp))
             : dlcs_api_fail(&call);
out:
    dlcs_entity_release(&dlcs_space_entity, &in);
    dlcs_entity_release(&dlcs_space_entity, &sp);
    return rc;
}

static int put_space(const struct _u_request *req, struct _u_response *res, void *data)
{
    return write_space(req, res, data, true);
}

static int patch_space(const struct _u_request *req, struct _u_response *res, void *data)
{
    return write_space(req, res, data, false);
}

static int delete_space(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    int64_t space = 0;

    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        dlcs_api_id_param(&call, "s", &space) != DLCS_OK ||
        dlcs_store_space_remove(call.ctx->store, call.customer, space, &call.err) != DLCS_OK)
        return dlcs_api_fail(&call);
    return dlcs_api_no_content(&call);
}

enum dlcs_status dlcs_api_register_spaces(struct dlcs_http_server *http,
                                          const struct dlcs_api_context *ctx,
                                          struct dlcs_error *err)
{
    if (!dlcs_api_route(http, "GET", "/customers/:c/spaces", list_spaces, ctx) ||
        !dlcs_api_route(http, "POST", "/customers/:c/spaces", create_space, ctx) ||
        !dlcs_api_route(http, "GET", "/customers/:c/spaces/:s", get_space, ctx) ||
        !dlcs_api_route(http, "PUT", "/customers/:c/spaces/:s", put_space, ctx) ||
        !dlcs_api_route(http, "PATCH", "/customers/:c/spaces/:s", patch_space, ctx) ||
        !dlcs_api_route(http, "DELETE", "/customers/:c/spaces/:s", delete_space, ctx))
        return dlcs_error_set(err, DLCS_EINTERNAL, "cannot register the space routes");
    return DLCS_OK;
}
