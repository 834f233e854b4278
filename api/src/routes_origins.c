/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /customers/{c}/originStrategies[/{id}]: how ingest authenticates to origins (regex, strategy,
 * credentials, order). Credentials are write-only: every answer shows "xxx".
 * Also POST /customers/{c}/deleteImages.
 */
#include <stdlib.h>
#include <string.h>

#include "dlcs/hydra.h"
#include "dlcs/ids.h"
#include "dlcs/mem.h"
#include "dlcs/model.h"

#include "api_images.h"
#include "api_internal.h"

static json_t *strategy_json(const struct api_call *call, const void *obj)
{
    const struct dlcs_origin_strategy *o = obj;
    char *id =
        dlcs_api_url(call, "/customers/%lld/originStrategies/%s", (long long)o->customer, o->id);
    json_t *j = dlcs_hydra_resource(&dlcs_origin_strategy_entity, o, id);

    free(id);
    return j;
}

static enum dlcs_status from_body(struct api_call *call, struct dlcs_origin_strategy *o,
                                  uint64_t *sent)
{
    json_t *body = NULL;
    enum dlcs_status st = dlcs_api_body(call, &body);

    if (st == DLCS_OK)
        st = dlcs_entity_from_json(&dlcs_origin_strategy_entity, body, o, sent, &call->err);
    json_decref(body);
    if (st == DLCS_OK && o->strategy && strcmp(o->strategy, "basic-http-authentication") == 0 &&
        !o->credentials)
        st = dlcs_error_set(&call->err, DLCS_EINVAL,
                            "field 'credentials' is required by basic-http-authentication");
    return st;
}

static int list_strategies(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_query q = {0};
    struct dlcs_list l;

    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK)
        return dlcs_api_fail(&call);
    dlcs_query_eq_int(&q, "customer", call.customer);
    dlcs_query_order(&q, "order", false);
    if (dlcs_store_list(call.ctx->store, &dlcs_origin_strategy_entity, &q, &l, &call.err) !=
        DLCS_OK)
        return dlcs_api_fail(&call);
    return dlcs_api_send_page(
        &call, &l, strategy_json,
        dlcs_api_url(&call, "/customers/%lld/originStrategies", (long long)call.customer), NULL);
}

static int create_strategy(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_origin_strategy o;
    uint64_t sent = 0;
    int rc;

    dlcs_entity_init(&dlcs_origin_strategy_entity, &o);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        from_body(&call, &o, &sent) != DLCS_OK ||
        dlcs_entity_check_required(&dlcs_origin_strategy_entity, sent, &call.err) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
    } else {
        o.customer = call.customer;
        rc = dlcs_store_insert(call.ctx->store, &dlcs_origin_strategy_entity, &o, &call.err) ==
                     DLCS_OK
                 ? dlcs_api_send(&call, 201, strategy_json(&call, &o))
                 : dlcs_api_fail(&call);
    }
    dlcs_entity_release(&dlcs_origin_strategy_entity, &o);
    return rc;
}

static enum dlcs_status load_strategy(struct api_call *call, struct dlcs_origin_strategy *o)
{
    enum dlcs_status st;

    o->id = dlcs_xstrdup(u_map_get(call->req->map_url, "id"));
    st = dlcs_api_get(call, &dlcs_origin_strategy_entity, o);
    if (st == DLCS_ENOTFOUND || (st == DLCS_OK && o->customer != call->customer))
        return dlcs_error_set(&call->err, DLCS_ENOTFOUND, "no origin strategy '%s'", o->id);
    return st;
}

static int get_strategy(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_origin_strategy o;
    int rc;

    dlcs_entity_init(&dlcs_origin_strategy_entity, &o);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        load_strategy(&call, &o) != DLCS_OK)
        rc = dlcs_api_fail(&call);
    else
        rc = dlcs_api_send(&call, 200, strategy_json(&call, &o));
    dlcs_entity_release(&dlcs_origin_strategy_entity, &o);
    return rc;
}

/* PUT changes the fields sent (send credentials again to change them). */
static int put_strategy(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_origin_strategy o, in;
    uint64_t sent = 0;
    int rc;

    dlcs_entity_init(&dlcs_origin_strategy_entity, &o);
    dlcs_entity_init(&dlcs_origin_strategy_entity, &in);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        load_strategy(&call, &o) != DLCS_OK || from_body(&call, &in, &sent) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
    } else {
        dlcs_entity_merge(&dlcs_origin_strategy_entity, &o, &in, sent);
        rc = dlcs_store_update(call.ctx->store, &dlcs_origin_strategy_entity, &o, sent,
                               &call.err) == DLCS_OK
                 ? dlcs_api_send(&call, 200, strategy_json(&call, &o))
                 : dlcs_api_fail(&call);
    }
    dlcs_entity_release(&dlcs_origin_strategy_entity, &in);
    dlcs_entity_release(&dlcs_origin_strategy_entity, &o);
    return rc;
}

static int delete_strategy(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_origin_strategy o;
    int rc;

    dlcs_entity_init(&dlcs_origin_strategy_entity, &o);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        load_strategy(&call, &o) != DLCS_OK ||
        dlcs_store_remove(call.ctx->store, &dlcs_origin_strategy_entity, &o, &call.err) != DLCS_OK)
        rc = dlcs_api_fail(&call);
    else
        rc = dlcs_api_no_content(&call);
    dlcs_entity_release(&dlcs_origin_strategy_entity, &o);
    return rc;
}

/* A canonical positive decimal (no sign, no leading zero, no spaces): "01" is not "1". */
static bool canonical_id(const char *s, size_t len, long long *out)
{
    long long v = 0;

    if (len == 0 || len > 18 || s[0] == '0')
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/*
 * One member id of deleteImages: "customer/space/id" of this customer, spelt canonically (so
 * "2/01/x" cannot name a different blob prefix than the record it removes).
 */
static enum dlcs_status delete_one(struct api_call *call, const char *full, int *deleted)
{
    const char *slash1 = strchr(full, '/'), *slash2 = slash1 ? strchr(slash1 + 1, '/') : NULL;
    long long c = 0, s = 0;
    enum dlcs_status st;

    if (!slash2 || !canonical_id(full, (size_t)(slash1 - full), &c) ||
        !canonical_id(slash1 + 1, (size_t)(slash2 - slash1 - 1), &s) || c != call->customer ||
        dlcs_id_check_asset(slash2 + 1, "id", NULL) != DLCS_OK)
        return dlcs_error_set(&call->err, DLCS_EINVAL, "member id '%s' is not %lld/{space}/{id}",
                              full, (long long)call->customer);
    st = dlcs_api_asset_delete(call, c, s, slash2 + 1);
    if (st == DLCS_ENOTFOUND) {
        dlcs_error_clear(&call->err); /* already gone: what deleteImages wants */
        return DLCS_OK;
    }
    *deleted += st == DLCS_OK;
    return st;
}

static int delete_images(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    json_t *body = NULL, *m;
    int deleted = 0;
    size_t i;
    int rc;

    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        dlcs_api_body(&call, &body) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
        goto out;
    }
    if (!json_is_array(json_object_get(body, "member"))) {
        (void)dlcs_error_set(&call.err, DLCS_EINVAL, "the body needs a 'member' array");
        rc = dlcs_api_fail(&call);
        goto out;
    }
    json_array_foreach(json_object_get(body, "member"), i, m)
    {
        const char *id = json_string_value(json_object_get(m, "id"));

        if (!id || delete_one(&call, id, &deleted) != DLCS_OK) {
            (void)dlcs_error_set(&call.err, DLCS_EINVAL, "member %zu needs an 'id' string", i);
            rc = dlcs_api_fail(&call);
            goto out;
        }
    }
    if (deleted == 0) {
        (void)dlcs_error_set(&call.err, DLCS_EINVAL, "none of the images was found");
        rc = dlcs_api_fail(&call);
        goto out;
    }
    rc = dlcs_api_send(&call, 200,
                       json_pack("{s:s,s:i}", "message", "images deleted", "count", deleted));
out:
    json_decref(body);
    return rc;
}

enum dlcs_status dlcs_api_register_origins(struct dlcs_http_server *http,
                                           const struct dlcs_api_context *ctx,
                                           struct dlcs_error *err)
{
    const char *one = "/customers/:c/originStrategies/:id";

    if (!dlcs_api_route(http, "GET", "/customers/:c/originStrategies", list_strategies, ctx) ||
        !dlcs_api_route(http, "POST", "/customers/:c/originStrategies", create_strategy, ctx) ||
        !dlcs_api_route(http, "GET", one, get_strategy, ctx) ||
        !dlcs_api_route(http, "PUT", one, put_strategy, ctx) ||
        !dlcs_api_route(http, "DELETE", one, delete_strategy, ctx) ||
        !dlcs_api_route(http, "POST", "/customers/:c/deleteImages", delete_images, ctx))
        return dlcs_error_set(err, DLCS_EINTERNAL, "cannot register the origin strategy routes");
    return DLCS_OK;
}
