/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Named query delivery: GET /raw-resource/{customer}/{name}/{args...} answers the JSON list
 * of the selected images' ids ("2/5/b1_0001"), in the query's order. GET
 * /iiif-manifest/[v2/|v3/]{customer}/{space}/{id}: one image's Presentation 3.0 (or 2.1, by
 * path or Accept) manifest. /iiif-resource/...: a named query's selection as a manifest.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "dlcs/http_server.h"
#include "dlcs/mem.h"
#include "dlcs/named_query.h"

#include "iiif_internal.h"
#include "manifest.h"
#include "nq_select.h"

static enum dlcs_status add_id(void *arg, const struct dlcs_asset *a, struct dlcs_error *err)
{
    char id[DLCS_ASSET_ID_MAX + 48];

    (void)err;
    (void)snprintf(id, sizeof id, "%lld/%lld/%s", (long long)a->customer, (long long)a->space,
                   a->id);
    json_array_append_new(arg, json_string(id));
    return DLCS_OK;
}

/* Only GET/HEAD answer; OPTIONS is the CORS preflight. Returns -1 to go on. */
static int method_gate(const struct _u_request *req, struct _u_response *res)
{
    if (strcmp(req->http_verb, "OPTIONS") == 0)
        return dlcs_iiif_options(res);
    if (strcmp(req->http_verb, "GET") != 0 && strcmp(req->http_verb, "HEAD") != 0)
        return dlcs_iiif_fail(req, res, DLCS_EINVAL, "only GET, HEAD and OPTIONS are served here");
    return -1;
}

static int on_raw_resource(const struct _u_request *req, struct _u_response *res, void *data)
{
    const struct dlcs_iiif_context *ctx = data;
    struct dlcs_iiif_path p;
    struct dlcs_error err = {0};
    json_t *ids;
    int64_t customer;

    int rc = method_gate(req, res);

    if (rc >= 0)
        return rc;
    if (!dlcs_iiif_split_raw_path(req, "/raw-resource/", &p) || p.count < 2 || p.versioned)
        return dlcs_iiif_fail(req, res, DLCS_ENOTFOUND,
                              "a raw resource is /raw-resource/{customer}/{query}/{args...}");
    if (dlcs_iiif_customer_id(ctx->store, p.segs[0], &customer, NULL) != DLCS_OK)
        return dlcs_iiif_fail(req, res, DLCS_ENOTFOUND, "no such customer");
    ids = json_array();
    if (dlcs_nq_select(ctx->store, customer, p.segs[1], (const char *const *)p.segs + 2,
                       (size_t)p.count - 2, add_id, ids, &err) != DLCS_OK) {
        json_decref(ids);
        return dlcs_iiif_fail_err(req, res, &err);
    }
    u_map_put(res->map_header, "Access-Control-Allow-Origin", "*");
    return dlcs_http_send_json(res, 200, ids, "application/json");
}

/* Presentation 2.1 by path (/iiif-resource/v2/...) or by the Accept profile, else 3.0. */
static bool wants_v2(const struct _u_request *req, const struct dlcs_iiif_path *p)
{
    const char *accept = u_map_get_case(req->map_header, "Accept");

    if (p->versioned)
        return p->version == DLCS_IIIF_V2;
    return accept && strstr(accept, "iiif.io/api/presentation/2/context.json") != NULL;
}

static int on_single_manifest(const struct _u_request *req, struct _u_response *res, void *data)
{
    const struct dlcs_iiif_context *ctx = data;
    struct dlcs_iiif_path p;
    struct dlcs_iiif_image img;
    struct dlcs_error err = {0};
    char *base, *target, *id;
    json_t *m;
    bool v2;
    int rc = method_gate(req, res);

    if (rc >= 0)
        return rc;
    if (!dlcs_iiif_split_raw_path(req, "/iiif-manifest/", &p) || p.count != 3)
        return dlcs_iiif_fail(req, res, DLCS_ENOTFOUND,
                              "a manifest is /iiif-manifest/[v2/|v3/]{customer}/{space}/{id}");
    v2 = wants_v2(req, &p);
    if (dlcs_iiif_image_load(ctx,
                             &(struct dlcs_iiif_image_ref){p.segs[0], p.segs[1], p.segs[2],
                                                           DLCS_CHANNEL_IMAGE, false},
                             &img, &err) != DLCS_OK)
        return dlcs_iiif_fail_err(req, res, &err);
    base = dlcs_http_base_url(req, ctx->cfg->public_url);
    /* the id as requested (customer by name or number), so that it dereferences to this */
    target = dlcs_http_target_encode(req->http_url, strcspn(req->http_url, "?#"));
    id = dlcs_xasprintf("%s%s", base, target);
    m = dlcs_manifest_single(base, &img, id, v2);
    free(id);
    free(target);
    free(base);
    dlcs_iiif_image_release(&img);
    u_map_put(res->map_header, "Access-Control-Allow-Origin", "*");
    if (!p.versioned)
        u_map_put(res->map_header, "Vary", "Accept"); /* the version comes from Accept */
    return dlcs_http_send_json(
        res, 200, m,
        v2 ? "application/ld+json;profile=\"http://iiif.io/api/presentation/2/context.json\""
           : "application/ld+json;profile=\"http://iiif.io/api/presentation/3/context.json\"");
}

static int on_named_manifest(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct dlcs_iiif_path p;
    int rc = method_gate(req, res);

    if (rc >= 0)
        return rc;
    if (!dlcs_iiif_split_raw_path(req, "/iiif-resource/", &p) || p.count < 2)
        return dlcs_iiif_fail(req, res, DLCS_ENOTFOUND,
                              "a manifest is /iiif-resource/[v2/|v3/]{customer}/{query}/{args...}");
    return dlcs_iiif_on_named_manifest(req, res, data, &p, wants_v2(req, &p));
}

enum dlcs_status dlcs_iiif_register_resources(struct dlcs_http_server *http,
                                              const struct dlcs_iiif_context *ctx,
                                              struct dlcs_error *err)
{
    const struct dlcs_http_route routes[] = {
        {"*", "/raw-resource/*", on_raw_resource, ctx, DLCS_HTTP_BODY_NONE, NULL},
        {"*", "/iiif-manifest/*", on_single_manifest, ctx, DLCS_HTTP_BODY_NONE, NULL},
        {"*", "/iiif-resource/*", on_named_manifest, ctx, DLCS_HTTP_BODY_NONE, NULL},
    };

    for (size_t i = 0; i < DLCS_ARRAY_LEN(routes); i++)
        if (dlcs_http_server_route(http, &routes[i], err) != DLCS_OK)
            return err->code;
    return DLCS_OK;
}
