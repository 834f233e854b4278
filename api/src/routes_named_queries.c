/* SPDX-License-Identifier: Apache-2.0 */
/*
 * /customers/{c}/namedQueries[/{id}]: a customer's named queries and the global ones (made by
 * an admin with "global": true). POST mints the id; PUT changes the template only; the
 * template is checked when stored (dlcs/named_query.h), so a broken one never reaches delivery.
 */
#include <stdlib.h>
#include <string.h>

#include "dlcs/hydra.h"
#include "dlcs/mem.h"
#include "dlcs/model.h"
#include "dlcs/store.h"

#include "api_internal.h"

#define NQ (&dlcs_named_query_entity)

static json_t *nq_json(const struct api_call *call, const void *obj)
{
    const struct dlcs_named_query *q = obj;
    char *id = dlcs_api_url(call, "/customers/%lld/namedQueries/%s", (long long)q->customer, q->id);
    json_t *j = dlcs_hydra_resource(NQ, q, id);

    free(id);
    return j;
}

static enum dlcs_status from_body(struct api_call *call, struct dlcs_named_query *q, uint64_t *sent)
{
    json_t *body = NULL;
    enum dlcs_status st = dlcs_api_body(call, &body);

    if (st == DLCS_OK && json_object_get(body, "id"))
        st = dlcs_error_set(&call->err, DLCS_EINVAL,
                            "field 'id': dlcs allocates named query ids; do not send one");
    if (st == DLCS_OK)
        st = dlcs_entity_from_json(NQ, body, q, sent, &call->err);
    json_decref(body);
    return st;
}

static bool was_sent(uint64_t sent, const char *name)
{
    return (sent & DLCS_FIELD_BIT(dlcs_entity_field_index(NQ, name))) != 0;
}

static void append_all(const struct api_call *call, json_t *members, struct dlcs_list *l,
                       bool skip_own)
{
    for (size_t i = 0; i < l->count; i++) {
        const struct dlcs_named_query *q = dlcs_list_at(l, i);

        if (!skip_own || q->customer != call->customer)
            json_array_append_new(members, nq_json(call, q));
    }
    dlcs_list_release(l);
}

/* The customer's own queries, then the global ones of other customers. */
static int list_queries(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_query own = {0}, global = {0};
    struct dlcs_list l;
    json_t *members;
    char *base;

    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK)
        return dlcs_api_fail(&call);
    dlcs_query_eq_int(&own, "customer", call.customer);
    dlcs_query_order(&own, "name", false);
    dlcs_query_eq_int(&global, "global", 1);
    dlcs_query_order(&global, "name", false);
    if (dlcs_store_list(call.ctx->store, NQ, &own, &l, &call.err) != DLCS_OK)
        return dlcs_api_fail(&call);
    members = json_array();
    append_all(&call, members, &l, false);
    if (dlcs_store_list(call.ctx->store, NQ, &global, &l, &call.err) != DLCS_OK) {
        json_decref(members);
        return dlcs_api_fail(&call);
    }
    append_all(&call, members, &l, true);
    base = dlcs_api_url(&call, "/customers/%lld/namedQueries", (long long)call.customer);
    dlcs_api_send(&call, 200, dlcs_hydra_whole(base, members));
    free(base);
    return U_CALLBACK_COMPLETE;
}

static int create_query(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_named_query q;
    uint64_t sent = 0;
    int rc;

    dlcs_entity_init(NQ, &q);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        from_body(&call, &q, &sent) != DLCS_OK ||
        dlcs_entity_check_required(NQ, sent, &call.err) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
    } else if (q.global && !call.admin) {
        (void)dlcs_error_set(&call.err, DLCS_EFORBIDDEN,
                             "field 'global': only an admin key makes global named queries");
        rc = dlcs_api_fail(&call);
    } else {
        q.customer = call.customer;
        rc = dlcs_store_insert(call.ctx->store, NQ, &q, &call.err) == DLCS_OK
                 ? dlcs_api_send(&call, 201, nq_json(&call, &q))
                 : dlcs_api_fail(&call);
    }
    dlcs_entity_release(NQ, &q);
    return rc;
}

/* The path's query: the customer's own, or a global one ('own_only' for changes). */
static enum dlcs_status load_query(struct api_call *call, struct dlcs_named_query *q, bool own_only)
{
    enum dlcs_status st;

    dlcs_str_replace(&q->id, u_map_get(call->req->map_url, "id"));
    st = dlcs_api_get(call, NQ, q);
    if (st == DLCS_ENOTFOUND ||
        (st == DLCS_OK && q->customer != call->customer && (own_only || !q->global)))
        return dlcs_error_set(&call->err, DLCS_ENOTFOUND, "no named query '%s'", q->id);
    return st;
}

static int get_query(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_named_query q;
    int rc;

    dlcs_entity_init(NQ, &q);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        load_query(&call, &q, false) != DLCS_OK)
        rc = dlcs_api_fail(&call);
    else
        rc = dlcs_api_send(&call, 200, nq_json(&call, &q));
    dlcs_entity_release(NQ, &q);
    return rc;
}

/* PUT changes the template; the name and globality are fixed at creation. */
static enum dlcs_status check_put(struct api_call *call, const struct dlcs_named_query *q,
                                  const struct dlcs_named_query *in, uint64_t sent)
{
    if (was_sent(sent, "name") && strcmp(in->name ? in->name : "", q->name) != 0)
        return dlcs_error_set(&call->err, DLCS_EINVAL,
                              "field 'name': the name of a named query cannot change");
    if (was_sent(sent, "global") && in->global != q->global)
        return dlcs_error_set(&call->err, DLCS_EINVAL,
                              "field 'global' is set when the named query is made");
    if (!was_sent(sent, "template"))
        return dlcs_error_set(&call->err, DLCS_EINVAL, "field 'template' is required");
    return DLCS_OK;
}

static int put_query(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_named_query q, in;
    uint64_t sent = 0;
    int rc;

    dlcs_entity_init(NQ, &q);
    dlcs_entity_init(NQ, &in);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        load_query(&call, &q, true) != DLCS_OK || from_body(&call, &in, &sent) != DLCS_OK ||
        check_put(&call, &q, &in, sent) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
    } else {
        sent = DLCS_FIELD_BIT(dlcs_entity_field_index(NQ, "template"));
        dlcs_entity_merge(NQ, &q, &in, sent);
        rc = dlcs_store_update(call.ctx->store, NQ, &q, sent, &call.err) == DLCS_OK
                 ? dlcs_api_send(&call, 200, nq_json(&call, &q))
                 : dlcs_api_fail(&call);
    }
    dlcs_entity_release(NQ, &in);
    dlcs_entity_release(NQ, &q);
    return rc;
}

static int delete_query(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_named_query q;
    int rc;

    dlcs_entity_init(NQ, &q);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        load_query(&call, &q, true) != DLCS_OK ||
        dlcs_store_remove(call.ctx->store, NQ, &q, &call.err) != DLCS_OK)
        rc = dlcs_api_fail(&call);
    else
        rc = dlcs_api_no_content(&call);
    dlcs_entity_release(NQ, &q);
    return rc;
}

enum dlcs_status dlcs_api_register_named_queries(struct dlcs_http_server *http,
                                                 const struct dlcs_api_context *ctx,
                                                 struct dlcs_error *err)
{
    const char *all = "/customers/:c/namedQueries", *one = "/customers/:c/namedQueries/:id";

    if (!dlcs_api_route(http, "GET", all, list_queries, ctx) ||
        !dlcs_api_route(http, "POST", all, create_query, ctx) ||
        !dlcs_api_route(http, "GET", one, get_query, ctx) ||
        !dlcs_api_route(http, "PUT", one, put_query, ctx) ||
        !dlcs_api_route(http, "DELETE", one, delete_query, ctx))
        return dlcs_error_set(err, DLCS_EINTERNAL, "cannot register the named query routes");
    return DLCS_OK;
}
