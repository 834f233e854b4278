/* SPDX-License-Identifier: Apache-2.0 */
/* /customers, /customers/{c} and /customers/{c}/keys. */
#include <stdlib.h>
#include <string.h>

#include "dlcs/hydra.h"
#include "dlcs/keys.h"
#include "dlcs/mem.h"
#include "dlcs/model.h"

#include "api_internal.h"

static const char *const customer_links[] = {"spaces",
                                             "allImages",
                                             "keys",
                                             "queue",
                                             "namedQueries",
                                             "originStrategies",
                                             "deliveryChannelPolicies",
                                             "storage",
                                             "deleteImages"};

static json_t *customer_json(const struct api_call *call, const void *obj)
{
    const struct dlcs_customer *c = obj;
    char *id = dlcs_api_url(call, "/customers/%lld", (long long)c->id);
    json_t *j = dlcs_hydra_resource(&dlcs_customer_entity, c, id);

    for (size_t i = 0; i < DLCS_ARRAY_LEN(customer_links); i++) {
        char *link = dlcs_xasprintf("%s/%s", id, customer_links[i]);

        json_object_set_new(j, customer_links[i], json_string(link));
        free(link);
    }
    free(id);
    return j;
}

static int list_customers(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_page page;
    struct dlcs_query q = {0};
    struct dlcs_list l;

    if (dlcs_api_begin(&call, data, req, res, API_ANY_KEY) != DLCS_OK ||
        dlcs_api_paging(&call, &page, &q) != DLCS_OK)
        return dlcs_api_fail(&call);
    if (!call.admin) /* a customer's key sees its own customer only */
        dlcs_query_eq_int(&q, "id", call.caller);
    dlcs_query_order(&q, "id", false);
    if (dlcs_store_list(call.ctx->store, &dlcs_customer_entity, &q, &l, &call.err) != DLCS_OK)
        return dlcs_api_fail(&call);
    return dlcs_api_send_page(&call, &l, customer_json, dlcs_api_url(&call, "/customers"), &page);
}

static int create_customer(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_customer c;
    json_t *body = NULL;
    uint64_t sent = 0;
    int rc;

    dlcs_entity_init(&dlcs_customer_entity, &c);
    if (dlcs_api_begin(&call, data, req, res, API_ADMIN) != DLCS_OK ||
        dlcs_api_body(&call, &body) != DLCS_OK ||
        dlcs_entity_from_json(&dlcs_customer_entity, body, &c, &sent, &call.err) != DLCS_OK ||
        dlcs_entity_check_required(&dlcs_customer_entity, sent, &call.err) != DLCS_OK ||
        dlcs_store_insert(call.ctx->store, &dlcs_customer_entity, &c, &call.err) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
    } else {
        char *loc = dlcs_api_url(&call, "/customers/%lld", (long long)c.id);

        u_map_put(res->map_header, "Location", loc);
        free(loc);
        rc = dlcs_api_send(&call, 201, customer_json(&call, &c));
    }
    json_decref(body);
    dlcs_entity_release(&dlcs_customer_entity, &c);
    return rc;
}

/* Load the path's customer into 'c' (initialised). */
static enum dlcs_status load_customer(struct api_call *call, struct dlcs_customer *c)
{
    enum dlcs_status st;

    c->id = call->customer;
    st = dlcs_api_get(call, &dlcs_customer_entity, c);
    if (st == DLCS_ENOTFOUND)
        return dlcs_error_set(&call->err, DLCS_ENOTFOUND, "no customer %lld",
                              (long long)call->customer);
    return st;
}

static int get_customer(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_customer c;
    int rc;

    dlcs_entity_init(&dlcs_customer_entity, &c);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        load_customer(&call, &c) != DLCS_OK)
        rc = dlcs_api_fail(&call);
    else
        rc = dlcs_api_send(&call, 200, customer_json(&call, &c));
    dlcs_entity_release(&dlcs_customer_entity, &c);
    return rc;
}

/* PATCH: displayName only (a name is part of public URLs; administrator is the admin's call). */
static enum dlcs_status patch_fields(struct api_call *call, uint64_t sent)
{
    int allowed = dlcs_entity_field_index(&dlcs_customer_entity, "displayName");
    int admin = dlcs_entity_field_index(&dlcs_customer_entity, "administrator");
    uint64_t ok = DLCS_FIELD_BIT(allowed) | (call->admin ? DLCS_FIELD_BIT(admin) : 0);

    for (size_t i = 0; i < dlcs_customer_entity.field_count; i++) {
        if ((sent & DLCS_FIELD_BIT(i)) && !(ok & DLCS_FIELD_BIT(i)))
            return dlcs_error_set(&call->err, DLCS_EINVAL, "field '%s' cannot be changed",
                                  dlcs_customer_entity.fields[i].name);
    }
    return DLCS_OK;
}

static int patch_customer(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_customer c, in;
    json_t *body = NULL;
    uint64_t sent = 0;
    int rc;

    dlcs_entity_init(&dlcs_customer_entity, &c);
    dlcs_entity_init(&dlcs_customer_entity, &in);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        load_customer(&call, &c) != DLCS_OK || dlcs_api_body(&call, &body) != DLCS_OK ||
        dlcs_entity_from_json(&dlcs_customer_entity, body, &in, &sent, &call.err) != DLCS_OK ||
        patch_fields(&call, sent) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
    } else {
        dlcs_entity_merge(&dlcs_customer_entity, &c, &in, sent);
        rc = dlcs_store_update(call.ctx->store, &dlcs_customer_entity, &c, sent, &call.err) ==
                     DLCS_OK
                 ? dlcs_api_send(&call, 200, customer_json(&call, &c))
                 : dlcs_api_fail(&call);
    }
    json_decref(body);
    dlcs_entity_release(&dlcs_customer_entity, &in);
    dlcs_entity_release(&dlcs_customer_entity, &c);
    return rc;
}

static json_t *key_json(const struct api_call *call, const char *key, const char *secret)
{
    char *id = dlcs_api_url(call, "/customers/%lld/keys/%s", (long long)call->customer, key);
    json_t *j = json_pack("{s:s}", "key", key);

    if (secret)
        json_object_set_new(j, "secret", json_string(secret));
    dlcs_hydra_envelope(j, id, "Key");
    free(id);
    return j;
}

static int list_keys(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_query q = {0};
    struct dlcs_list l;
    json_t *members;
    char *base;

    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK)
        return dlcs_api_fail(&call);
    dlcs_query_eq_int(&q, "customer", call.customer);
    dlcs_query_order(&q, "created", false);
    if (dlcs_store_list(call.ctx->store, &dlcs_key_entity, &q, &l, &call.err) != DLCS_OK)
        return dlcs_api_fail(&call);
    members = json_array();
    for (size_t i = 0; i < l.count; i++)
        json_array_append_new(members,
                              key_json(&call, ((struct dlcs_key *)dlcs_list_at(&l, i))->key, NULL));
    base = dlcs_api_url(&call, "/customers/%lld/keys", (long long)call.customer);
    dlcs_api_send(&call, 200, dlcs_hydra_whole(base, members));
    dlcs_list_release(&l);
    free(base);
    return U_CALLBACK_COMPLETE;
}

static int create_key(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    char key[DLCS_KEY_BUF], secret[DLCS_SECRET_BUF];

    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        dlcs_keys_create(call.ctx->store, call.customer, key, secret, &call.err) != DLCS_OK)
        return dlcs_api_fail(&call);
    /* 201 (the reference says 200): the secret is in this answer and nowhere else, ever */
    return dlcs_api_send(&call, 201, key_json(&call, key, secret));
}

static int delete_key(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_key k;
    int rc;

    dlcs_entity_init(&dlcs_key_entity, &k);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
    } else {
        k.key = dlcs_xstrdup(u_map_get(req->map_url, "key"));
        enum dlcs_status st = dlcs_api_get(&call, &dlcs_key_entity, &k);

        if (st == DLCS_ENOTFOUND || (st == DLCS_OK && k.customer != call.customer))
            st = dlcs_error_set(&call.err, DLCS_ENOTFOUND, "no such key");
        else if (st == DLCS_OK)
            st = dlcs_store_remove(call.ctx->store, &dlcs_key_entity, &k, &call.err);
        rc = st == DLCS_OK ? dlcs_api_no_content(&call) : dlcs_api_fail(&call);
    }
    dlcs_entity_release(&dlcs_key_entity, &k);
    return rc;
}

enum dlcs_status dlcs_api_register_customers(struct dlcs_http_server *http,
                                             const struct dlcs_api_context *ctx,
                                             struct dlcs_error *err)
{
    if (!dlcs_api_route(http, "GET", "/customers", list_customers, ctx) ||
        !dlcs_api_route(http, "POST", "/customers", create_customer, ctx) ||
        !dlcs_api_route(http, "GET", "/customers/:c", get_customer, ctx) ||
        !dlcs_api_route(http, "PATCH", "/customers/:c", patch_customer, ctx) ||
        !dlcs_api_route(http, "GET", "/customers/:c/keys", list_keys, ctx) ||
        !dlcs_api_route(http, "POST", "/customers/:c/keys", create_key, ctx) ||
        !dlcs_api_route(http, "DELETE", "/customers/:c/keys/:key", delete_key, ctx))
        return dlcs_error_set(err, DLCS_EINTERNAL, "cannot register the customer routes");
    return DLCS_OK;
}
