/* SPDX-License-Identifier: Apache-2.0 */
/* The entry point (GET /) and the health endpoints /healthz and /readyz. */
#include <stdlib.h>

#include <jansson.h>

#include "dlcs/api.h"
#include "dlcs/http_server.h"
#include "dlcs/hydra.h"
#include "dlcs/mem.h"

#include "api_internal.h"

static const char *const entry_links[] = {"customers", "originStrategies", "storagePolicies",
                                          "deliveryChannelPolicies", "queue"};

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

static int healthz(const struct _u_request *req, struct _u_response *res, void *data)
{
    (void)req;
    (void)data;
    return dlcs_http_send_json(res, 200, json_pack("{s:s}", "status", "ok"), NULL);
}

/* Ready when the store answers: a load balancer should not send traffic before that. */
static int readyz(const struct _u_request *req, struct _u_response *res, void *data)
{
    const struct dlcs_api_context *ctx = data;
    struct dlcs_error err = {0};

    if (dlcs_store_ping(ctx->store, &err) != DLCS_OK) {
        dlcs_error_prefix(&err, "store not ready");
        err.code = DLCS_EBUSY;
        return dlcs_http_send_error(req, res, &err);
    }
    return dlcs_http_send_json(res, 200, json_pack("{s:s}", "status", "ready"), NULL);
}

enum dlcs_status dlcs_api_register(struct dlcs_http_server *http,
                                   const struct dlcs_api_context *ctx, struct dlcs_error *err)
{
    if (!dlcs_api_route(http, "GET", "/", entry_point, ctx))
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
