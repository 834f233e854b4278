/* SPDX-License-Identifier: Apache-2.0 */
/* The entry point (GET /) and the health endpoints /healthz and /readyz. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dlcs/api.h"
#include "dlcs/http_server.h"
#include "dlcs/hydra.h"
#include "dlcs/mem.h"
#include "dlcs/model.h"

#include "api_internal.h"

/* Every link here resolves (storage policies and a platform-wide queue are not built). */
static const char *const entry_links[] = {"customers", "originStrategies",
                                          "deliveryChannelPolicies"};

static int entry_point(const struct _u_request *req, struct _u_response *res, void *data)
{
    const struct dlcs_api_context *ctx = data;
    char *base = dlcs_http_base_url(req, ctx->cfg->public_url);
    json_t *body = json_object();

    for (size_t i = 0; i < DLCS_ARRAY_LEN(entry_links); i++) {
        char *link = dlcs_xasprintf("%s/%s", base, entry_links[i]);

        json_object_set_new(body, entry_links[i], json_string(link));
        free(link);
    }
    {
        char *id = dlcs_xasprintf("%s/", base);

        dlcs_hydra_envelope(body, id, "EntryPoint");
        free(id);
    }
    free(base);
    return dlcs_http_send_json(res, 200, body, NULL);
}

/* GET /originStrategies: the strategy types a customer's origin strategies may name. */
static int origin_strategy_types(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    const char *const *types = dlcs_origin_strategy_types();
    json_t *members = json_array();
    char *base;
    size_t n = 0;

    if (dlcs_api_begin(&call, data, req, res, API_ANY_KEY) != DLCS_OK) {
        json_decref(members);
        return dlcs_api_fail(&call);
    }
    base = dlcs_api_url(&call, "/originStrategies");
    for (; types[n]; n++) {
        char *id = dlcs_xasprintf("%s/%s", base, types[n]);

        json_array_append_new(members, json_pack("{s:s,s:s,s:s}", "@id", id, "@type",
                                                 "vocab:OriginStrategyType", "name", types[n]));
        free(id);
    }
    dlcs_api_send(&call, 200, dlcs_hydra_whole(base, members));
    free(base);
    return U_CALLBACK_COMPLETE;
}

/* GET /deliveryChannelPolicies: the platform's own defaults, which customers' policies override. */
static int default_policies(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    json_t *members, *sizes = json_array();
    char *base, *thumbs, *img, *copy, *save = NULL;

    if (dlcs_api_begin(&call, data, req, res, API_ANY_KEY) != DLCS_OK) {
        json_decref(sizes);
        return dlcs_api_fail(&call);
    }
    copy = dlcs_xstrdup(call.ctx->cfg->thumb_sizes ? call.ctx->cfg->thumb_sizes : "");
    for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
        json_array_append_new(sizes, json_string(t));
    free(copy);
    base = dlcs_api_url(&call, "/deliveryChannelPolicies");
    thumbs = dlcs_xasprintf("%s/thumbs/default", base);
    img = dlcs_xasprintf("%s/iiif-img/default", base);
    members =
        json_pack("[{s:s,s:s,s:s,s:s,s:o},{s:s,s:s,s:s,s:s}]", "@id", thumbs, "@type",
                  "vocab:DefaultDeliveryChannelPolicy", "name", "default", "channel", "thumbs",
                  "policyData", sizes, "@id", img, "@type", "vocab:DefaultDeliveryChannelPolicy",
                  "name", "default", "channel", "iiif-img");
    dlcs_api_send(&call, 200, dlcs_hydra_whole(base, members));
    free(thumbs);
    free(img);
    free(base);
    return U_CALLBACK_COMPLETE;
}

static int healthz(const struct _u_request *req, struct _u_response *res, void *data)
{
    (void)req;
    (void)data;
    return dlcs_http_send_json(res, 200, json_pack("{s:s}", "status", "ok"), NULL);
}

/*
 * Ready when the store, blob storage and queue answer and there is room for images: a load
 * balancer should not send traffic before that (nor to an instance whose disk is full). The
 * answer names the dependency that is down. Every role serves it, dlcs worker included.
 */

/* The queue answers and the relay (if any) could publish: else why, and how many jobs wait. */
static enum dlcs_status queue_check(const struct dlcs_api_context *ctx, struct dlcs_error *err)
{
    struct dlcs_outbox_relay_state relay = {0};
    int64_t waiting = 0;
    struct dlcs_error count_err = {0};

    if (!ctx->queue)
        return DLCS_OK;
    if (ctx->relay)
        dlcs_outbox_relay_state(ctx->relay, &relay);
    if (dlcs_queue_ping(ctx->queue, err) == DLCS_OK && !relay.queue_down)
        return DLCS_OK;
    if (relay.queue_down)
        (void)dlcs_error_set(err, DLCS_EBUSY, "%s", relay.last_error);
    if (dlcs_store_outbox_count(ctx->store, &waiting, &count_err) == DLCS_OK)
        dlcs_error_prefix(err, "queue not ready (%lld jobs wait in the outbox)",
                          (long long)waiting);
    else
        dlcs_error_prefix(err, "queue not ready");
    err->code = DLCS_EBUSY;
    return DLCS_EBUSY;
}

static int readyz(const struct _u_request *req, struct _u_response *res, void *data)
{
    const struct dlcs_api_context *ctx = data;
    struct dlcs_error err = {0};

    if (dlcs_store_ping(ctx->store, &err) != DLCS_OK) {
        dlcs_error_prefix(&err, "store not ready");
        err.code = DLCS_EBUSY;
        return dlcs_http_send_error(req, res, &err);
    }
    if (ctx->blobs && dlcs_blob_ping(ctx->blobs, &err) != DLCS_OK) {
        dlcs_error_prefix(&err, "blob storage not ready");
        err.code = DLCS_EBUSY;
        return dlcs_http_send_error(req, res, &err);
    }
    if (dlcs_api_room_check(ctx, &err) != DLCS_OK) {
        dlcs_error_prefix(&err, "storage not ready");
        err.code = DLCS_EBUSY;
        return dlcs_http_send_error(req, res, &err);
    }
    if (queue_check(ctx, &err) != DLCS_OK)
        return dlcs_http_send_error(req, res, &err);
    return dlcs_http_send_json(res, 200, json_pack("{s:s}", "status", "ready"), NULL);
}

enum dlcs_status dlcs_api_register(struct dlcs_http_server *http,
                                   const struct dlcs_api_context *ctx, struct dlcs_error *err)
{
    if (!dlcs_api_route(http, "GET", "/", entry_point, ctx) ||
        !dlcs_api_route(http, "GET", "/originStrategies", origin_strategy_types, ctx) ||
        !dlcs_api_route(http, "GET", "/deliveryChannelPolicies", default_policies, ctx))
        return dlcs_error_set(err, DLCS_EINTERNAL, "cannot register the API endpoints");
    if (dlcs_api_register_customers(http, ctx, err) != DLCS_OK ||
        dlcs_api_register_spaces(http, ctx, err) != DLCS_OK ||
        dlcs_api_register_images(http, ctx, err) != DLCS_OK ||
        dlcs_api_register_queue(http, ctx, err) != DLCS_OK ||
        dlcs_api_register_origins(http, ctx, err) != DLCS_OK ||
        dlcs_api_register_storage(http, ctx, err) != DLCS_OK ||
        dlcs_api_register_policies(http, ctx, err) != DLCS_OK ||
        dlcs_api_register_named_queries(http, ctx, err) != DLCS_OK)
        return DLCS_EINTERNAL;
    return DLCS_OK;
}

enum dlcs_status dlcs_api_register_health(struct dlcs_http_server *http,
                                          const struct dlcs_api_context *ctx,
                                          struct dlcs_error *err)
{
    if (!dlcs_api_route(http, "GET", "/healthz", healthz, ctx) ||
        !dlcs_api_route(http, "GET", "/readyz", readyz, ctx))
        return dlcs_error_set(err, DLCS_EINTERNAL, "cannot register the health endpoints");
    return DLCS_OK;
}
