/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /customers/{c}/deliveryChannelPolicies[/thumbs[/{name}]]: a customer's thumbnail policies
 * (policyData: a JSON array of IIIF sizes, encoded as a string, as in the reference API).
 * Images name one in their "thumbs" delivery channel, or inherit their space's
 * thumbnailPolicy; "default" is DLCS_THUMB_SIZES unless the customer stores its own.
 */
#include <stdlib.h>
#include <string.h>

#include "dlcs/hydra.h"
#include "dlcs/ids.h"
#include "dlcs/mem.h"
#include "dlcs/model.h"
#include "dlcs/store.h"
#include "dlcs/thumb_sizes.h"

#include "api_internal.h"

#define DCP (&dlcs_delivery_channel_policy_entity)

static json_t *policy_json(const struct api_call *call, const void *obj)
{
    const struct dlcs_delivery_channel_policy *p = obj;
    char *id = dlcs_api_url(call, "/customers/%lld/deliveryChannelPolicies/%s/%s",
                            (long long)p->customer, p->channel, p->name);
    json_t *j = dlcs_hydra_resource(DCP, p, id);

    free(id);
    return j;
}

/* Only the thumbs channel has customer policies in this build. */
static enum dlcs_status channel_path(struct api_call *call)
{
    const char *channel = u_map_get(call->req->map_url, "channel");

    if (!channel || strcmp(channel, "thumbs") != 0)
        return dlcs_error_set(&call->err, DLCS_ENOTFOUND,
                              "no policies for channel '%s' (this build has 'thumbs')",
                              channel ? channel : "");
    return DLCS_OK;
}

/* Every size must be one a thumbnail can be made at. */
static enum dlcs_status check_sizes(struct api_call *call, const char *policy_data)
{
    struct dlcs_thumb_size sizes[DLCS_THUMB_POLICY_MAX];
    size_t n = 0;

    if (dlcs_thumb_policy_parse(policy_data, sizes, DLCS_THUMB_POLICY_MAX, &n, &call->err) !=
        DLCS_OK) {
        dlcs_error_prefix(&call->err, "field 'policyData'");
        return DLCS_EINVAL;
    }
    return DLCS_OK;
}

/* The body into 'p' ('*sent' = fields present); the channel must be the path's if sent. */
static enum dlcs_status from_body(struct api_call *call, struct dlcs_delivery_channel_policy *p,
                                  uint64_t *sent)
{
    json_t *body = NULL;
    enum dlcs_status st = dlcs_api_body(call, &body);

    if (st == DLCS_OK)
        st = dlcs_entity_from_json(DCP, body, p, sent, &call->err);
    json_decref(body);
    if (st == DLCS_OK && p->channel && strcmp(p->channel, "thumbs") != 0)
        st = dlcs_error_set(&call->err, DLCS_EINVAL,
                            "field 'channel' must be the path's ('thumbs')");
    if (st == DLCS_OK && p->policy_data)
        st = check_sizes(call, p->policy_data);
    if (st == DLCS_OK) {
        dlcs_str_replace(&p->channel, "thumbs");
        *sent |= DLCS_FIELD_BIT(dlcs_entity_field_index(DCP, "channel"));
    }
    return st;
}

static int list_channels(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    json_t *members;
    char *base, *thumbs;

    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK)
        return dlcs_api_fail(&call);
    base = dlcs_api_url(&call, "/customers/%lld/deliveryChannelPolicies", (long long)call.customer);
    thumbs = dlcs_xasprintf("%s/thumbs", base);
    members =
        json_pack("[{s:s,s:s,s:s}]", "@id", thumbs, "@type", "Collection", "channel", "thumbs");
    dlcs_api_send(&call, 200, dlcs_hydra_whole(base, members));
    free(thumbs);
    free(base);
    return U_CALLBACK_COMPLETE;
}

static int list_policies(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_query q = {0};
    struct dlcs_list l;

    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        channel_path(&call) != DLCS_OK)
        return dlcs_api_fail(&call);
    dlcs_query_eq_int(&q, "customer", call.customer);
    dlcs_query_eq_str(&q, "channel", "thumbs");
    dlcs_query_order(&q, "name", false);
    if (dlcs_store_list(call.ctx->store, DCP, &q, &l, &call.err) != DLCS_OK)
        return dlcs_api_fail(&call);
    return dlcs_api_send_page(&call, &l, policy_json,
                              dlcs_api_url(&call, "/customers/%lld/deliveryChannelPolicies/thumbs",
                                           (long long)call.customer),
                              NULL);
}

static int create_policy(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_delivery_channel_policy p;
    uint64_t sent = 0;
    int rc;

    dlcs_entity_init(DCP, &p);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        channel_path(&call) != DLCS_OK || from_body(&call, &p, &sent) != DLCS_OK ||
        dlcs_entity_check_required(DCP, sent, &call.err) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
    } else {
        p.customer = call.customer;
        rc = dlcs_store_insert(call.ctx->store, DCP, &p, &call.err) == DLCS_OK
                 ? dlcs_api_send(&call, 201, policy_json(&call, &p))
                 : dlcs_api_fail(&call);
    }
    dlcs_entity_release(DCP, &p);
    return rc;
}

/* The path's policy into 'p' ('*found' says whether it is stored). */
static enum dlcs_status load_policy(struct api_call *call, struct dlcs_delivery_channel_policy *p,
                                    bool *found)
{
    enum dlcs_status st;

    if (channel_path(call) != DLCS_OK)
        return DLCS_ENOTFOUND;
    p->customer = call->customer;
    dlcs_str_replace(&p->channel, "thumbs");
    dlcs_str_replace(&p->name, u_map_get(call->req->map_url, "name"));
    /* the path names the policy a PUT creates: the same rules as the field */
    if (!p->name || dlcs_id_check_asset(p->name, "name", NULL) != DLCS_OK ||
        strlen(p->name) > DLCS_NAME_MAX)
        return dlcs_error_set(&call->err, DLCS_EINVAL,
                              "the policy name in the path must be a URL path segment of at most "
                              "%d bytes",
                              DLCS_NAME_MAX);
    st = dlcs_api_get(call, DCP, p);
    *found = st == DLCS_OK;
    return st == DLCS_ENOTFOUND ? DLCS_OK : st;
}

/* The path's policy, which must be stored: DLCS_ENOTFOUND otherwise. */
static enum dlcs_status load_stored(struct api_call *call, struct dlcs_delivery_channel_policy *p)
{
    bool found = false;

    if (load_policy(call, p, &found) != DLCS_OK)
        return DLCS_ENOTFOUND;
    return found ? DLCS_OK
                 : dlcs_error_set(&call->err, DLCS_ENOTFOUND, "no thumbs policy '%s'", p->name);
}

static int get_policy(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_delivery_channel_policy p;
    int rc;

    dlcs_entity_init(DCP, &p);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        load_stored(&call, &p) != DLCS_OK)
        rc = dlcs_api_fail(&call);
    else
        rc = dlcs_api_send(&call, 200, policy_json(&call, &p));
    dlcs_entity_release(DCP, &p);
    return rc;
}

/* PUT creates or replaces the policy at the path; PATCH changes the fields sent. */
static int write_policy(const struct _u_request *req, struct _u_response *res, void *data,
                        bool replace)
{
    struct api_call call;
    struct dlcs_delivery_channel_policy p, in;
    uint64_t sent = 0;
    bool found = false;
    enum dlcs_status st;
    int rc;

    dlcs_entity_init(DCP, &p);
    dlcs_entity_init(DCP, &in);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        load_policy(&call, &p, &found) != DLCS_OK || from_body(&call, &in, &sent) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
        goto out;
    }
    if (in.name && strcmp(in.name, p.name) != 0) {
        (void)dlcs_error_set(&call.err, DLCS_EINVAL, "field 'name' differs from the path");
        rc = dlcs_api_fail(&call);
        goto out;
    }
    if (!found && !replace) {
        (void)dlcs_error_set(&call.err, DLCS_ENOTFOUND, "no thumbs policy '%s'", p.name);
        rc = dlcs_api_fail(&call);
        goto out;
    }
    sent &= ~DLCS_FIELD_BIT(dlcs_entity_field_index(DCP, "name"));
    dlcs_entity_merge(DCP, &p, &in, sent);
    if (found) {
        st = dlcs_store_update(call.ctx->store, DCP, &p, sent, &call.err);
    } else if (!p.policy_data) {
        st = dlcs_error_set(&call.err, DLCS_EINVAL, "field 'policyData' is required");
    } else {
        st = dlcs_store_insert(call.ctx->store, DCP, &p, &call.err);
    }
    rc = st == DLCS_OK ? dlcs_api_send(&call, found ? 200 : 201, policy_json(&call, &p))
                       : dlcs_api_fail(&call);
out:
    dlcs_entity_release(DCP, &in);
    dlcs_entity_release(DCP, &p);
    return rc;
}

static int put_policy(const struct _u_request *req, struct _u_response *res, void *data)
{
    return write_policy(req, res, data, true);
}

static int patch_policy(const struct _u_request *req, struct _u_response *res, void *data)
{
    return write_policy(req, res, data, false);
}

static int delete_policy(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_delivery_channel_policy p;
    int rc;

    dlcs_entity_init(DCP, &p);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        load_stored(&call, &p) != DLCS_OK ||
        dlcs_store_remove(call.ctx->store, DCP, &p, &call.err) != DLCS_OK)
        rc = dlcs_api_fail(&call);
    else
        rc = dlcs_api_no_content(&call);
    dlcs_entity_release(DCP, &p);
    return rc;
}

enum dlcs_status dlcs_api_thumbs_policy_check(struct api_call *call, const char *name,
                                              const char *field)
{
    struct dlcs_delivery_channel_policy p;
    enum dlcs_status st;

    if (!name || strcmp(name, "default") == 0)
        return DLCS_OK;
    dlcs_entity_init(DCP, &p);
    p.customer = call->customer;
    dlcs_str_replace(&p.channel, "thumbs");
    dlcs_str_replace(&p.name, name);
    st = dlcs_api_get(call, DCP, &p);
    dlcs_entity_release(DCP, &p);
    return st != DLCS_ENOTFOUND ? st
                                : dlcs_error_set(&call->err, DLCS_EINVAL,
                                                 "field '%s': no thumbs policy '%s'", field, name);
}

enum dlcs_status dlcs_api_register_policies(struct dlcs_http_server *http,
                                            const struct dlcs_api_context *ctx,
                                            struct dlcs_error *err)
{
    const char *all = "/customers/:c/deliveryChannelPolicies";
    const char *channel = "/customers/:c/deliveryChannelPolicies/:channel";
    const char *one = "/customers/:c/deliveryChannelPolicies/:channel/:name";

    if (!dlcs_api_route(http, "GET", all, list_channels, ctx) ||
        !dlcs_api_route(http, "GET", channel, list_policies, ctx) ||
        !dlcs_api_route(http, "POST", channel, create_policy, ctx) ||
        !dlcs_api_route(http, "GET", one, get_policy, ctx) ||
        !dlcs_api_route(http, "PUT", one, put_policy, ctx) ||
        !dlcs_api_route(http, "PATCH", one, patch_policy, ctx) ||
        !dlcs_api_route(http, "DELETE", one, delete_policy, ctx))
        return dlcs_error_set(err, DLCS_EINTERNAL, "cannot register the policy routes");
    return DLCS_OK;
}
