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

enum dlcs_status dlcs_api_register(struct _u_instance *inst, const struct dlcs_api_context *ctx,
                                   struct dlcs_error *err)
{
    void *data = (void *)(uintptr_t)ctx; /* ulfius wants void *; handlers treat it as const */

    if (ulfius_add_endpoint_by_val(inst, "GET", "/", NULL, 1, entry_point, data) != U_OK)
        return dlcs_error_set(err, DLCS_EINTERNAL, "cannot register the API endpoints");
    if (dlcs_api_register_customers(inst, ctx, err) != DLCS_OK ||
        dlcs_api_register_spaces(inst, ctx, err) != DLCS_OK ||
        dlcs_api_register_images(inst, ctx, err) != DLCS_OK ||
        dlcs_api_register_queue(inst, ctx, err) != DLCS_OK ||
        dlcs_api_register_origins(inst, ctx, err) != DLCS_OK ||
        dlcs_api_register_storage(inst, ctx, err) != DLCS_OK ||
        dlcs_api_register_policies(inst, ctx, err) != DLCS_OK ||
        dlcs_api_register_named_queries(inst, ctx, err) != DLCS_OK)
        return DLCS_EINTERNAL;
    return DLCS_OK;
}

enum dlcs_status dlcs_api_register_health(struct _u_instance *inst,
                                          const struct dlcs_api_context *ctx,
                                          struct dlcs_error *err)
{
    void *data = (void *)(uintptr_t)ctx;

    if (ulfius_add_endpoint_by_val(inst, "GET", "/healthz", NULL, 1, healthz, data) != U_OK ||
        ulfius_add_endpoint_by_val(inst, "GET", "/readyz", NULL, 1, readyz, data) != U_OK)
        return dlcs_error_set(err, DLCS_EINTERNAL, "cannot register the health endpoints");
    return DLCS_OK;
}
