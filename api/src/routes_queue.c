/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Queued registration and batch progress: POST /customers/{c}/queue (and /queue/priority)
 * validates every member first, then persists batch, assets and one job per asset in one
 * transaction; GET the customer queue (computed counts), batches, active, recent, one batch,
 * a batch's images (current members) or assets (every member ever), and a batch's failed
 * images queued again (reingest-errors).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/hydra.h"
#include "dlcs/mem.h"

#include "api_images.h"

static json_t *batch_json(const struct api_call *call, const void *obj)
{
    const struct dlcs_batch *b = obj;
    char *id = dlcs_api_url(call, "/customers/%lld/queue/batches/%lld", (long long)b->customer,
                            (long long)b->id);
    json_t *j = dlcs_hydra_resource(&dlcs_batch_entity, b, id);
    char *images = dlcs_xasprintf("%s/images", id), *assets = dlcs_xasprintf("%s/assets", id);

    json_object_set_new(j, "images", json_string(images));
    json_object_set_new(j, "assets", json_string(assets));
    free(assets);
    free(images);
    free(id);
    return j;
}

/* One member: decoded, complete, and within this customer; 'i' names it in errors. */
static enum dlcs_status member(struct api_call *call, const json_t *m, size_t i,
                               struct dlcs_asset *a)
{
    struct dlcs_asset path;
    uint64_t sent = 0;
    enum dlcs_status st;

    dlcs_entity_init(&dlcs_asset_entity, &path);
    st = dlcs_entity_from_json(&dlcs_asset_entity, m, a, &sent, &call->err);
    if (st == DLCS_OK && (!a->id || !a->space))
        st = dlcs_error_set(&call->err, DLCS_EINVAL, "fields 'id' and 'space' are required");
    if (st == DLCS_OK) {
        path.customer = call->customer;
        path.space = a->space;
        path.id = dlcs_xstrdup(a->id);
        st = dlcs_api_asset_prepare(call, a, sent, &path, NULL);
        if (st == DLCS_ENOTFOUND) {
            dlcs_error_clear(&call->err);
            st = dlcs_error_set(&call->err, DLCS_EINVAL, "space %lld does not exist",
                                (long long)a->space);
        }
    }
    if (st != DLCS_OK)
        dlcs_error_prefix(&call->err, "member %zu ('%s')", i, a->id ? a->id : "");
    dlcs_entity_release(&dlcs_asset_entity, &path);
    return st;
}

static enum dlcs_status members(struct api_call *call, const json_t *body, struct dlcs_asset **out,
                                size_t *count)
{
    /* "members" is what the reference system's generated clients send */
    const json_t *list =
        json_object_get(body, json_object_get(body, "member") ? "member" : "members");
    size_t n = json_array_size(list), max = (size_t)call->ctx->cfg->batch_max;
    const json_t *m;
    size_t i;

    *out = NULL;
    *count = 0;
    if (!json_is_object(body) || !json_is_array(list))
        return dlcs_error_set(&call->err, DLCS_EINVAL,
                              "the body must be a Collection with a 'member' (or 'members') array");
    if (n == 0)
        return dlcs_error_set(&call->err, DLCS_EINVAL, "'member' must not be empty");
    if (json_object_get(body, "member") && json_object_get(body, "members"))
        return dlcs_error_set(&call->err, DLCS_EINVAL, "send 'member' or 'members', not both");
    if (n > max)
        return dlcs_error_set(&call->err, DLCS_EINVAL,
                              "%zu members: a batch holds at most %zu (DLCS_BATCH_MAX)", n, max);
    *out = dlcs_xcalloc(n, sizeof **out);
    *count = n;
    json_array_foreach(list, i, m)
    {
        dlcs_entity_init(&dlcs_asset_entity, &(*out)[i]);
        if (!json_is_object(m))
            return dlcs_error_set(&call->err, DLCS_EINVAL, "member %zu must be an object", i);
        if (member(call, m, i, &(*out)[i]) != DLCS_OK)
            return DLCS_EINVAL;
    }
    return DLCS_OK;
}

static int queue(const struct _u_request *req, struct _u_response *res, void *data, bool priority)
{
    struct api_call call;
    struct dlcs_asset *assets = NULL;
    struct dlcs_batch b;
    struct dlcs_registration reg;
    json_t *body = NULL;
    size_t n = 0;
    int rc;

    dlcs_entity_init(&dlcs_batch_entity, &b);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        dlcs_api_body(&call, &body) != DLCS_OK || members(&call, body, &assets, &n) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
        goto out;
    }
    if (dlcs_api_room_check(call.ctx, &call.err) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
        goto out;
    }
    b.customer = call.customer;
    b.priority = priority;
    reg = (struct dlcs_registration){assets, n, &b, true, priority, false, NULL};
    if (dlcs_api_register_assets(&call, &reg) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
        goto out;
    }
    dlcs_outbox_relay_wake(call.ctx->relay); /* the jobs are durable: publish them now */
    {
        char *loc = dlcs_api_url(&call, "/customers/%lld/queue/batches/%lld",
                                 (long long)call.customer, (long long)b.id);

        u_map_put(res->map_header, "Location", loc);
        free(loc);
    }
    rc = dlcs_api_send(&call, 201, batch_json(&call, &b));
out:
    for (size_t i = 0; i < n; i++)
        dlcs_entity_release(&dlcs_asset_entity, &assets[i]);
    free(assets);
    json_decref(body);
    dlcs_entity_release(&dlcs_batch_entity, &b);
    return rc;
}

static int post_queue(const struct _u_request *req, struct _u_response *res, void *data)
{
    return queue(req, res, data, false);
}

static int post_priority(const struct _u_request *req, struct _u_response *res, void *data)
{
    return queue(req, res, data, true);
}

enum batch_view { BATCHES_ALL, BATCHES_ACTIVE, BATCHES_RECENT };

static int list_batches(const struct _u_request *req, struct _u_response *res, void *data,
                        enum batch_view view, const char *path)
{
    struct api_call call;
    struct dlcs_page page;
    struct dlcs_query q = {0};
    struct dlcs_list l;

    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        dlcs_api_paging(&call, &page, &q) != DLCS_OK)
        return dlcs_api_fail(&call);
    dlcs_query_eq_int(&q, "customer", call.customer);
    if (view == BATCHES_ACTIVE) {
        dlcs_query_term(&q, "finished", DLCS_TERM_UNSET);
        dlcs_query_eq_int(&q, "superseded", 0);
    } else if (view == BATCHES_RECENT) {
        dlcs_query_term(&q, "finished", DLCS_TERM_SET);
    }
    dlcs_query_order(&q, view == BATCHES_RECENT ? "finished" : "id", true);
    if (dlcs_store_list(call.ctx->store, &dlcs_batch_entity, &q, &l, &call.err) != DLCS_OK)
        return dlcs_api_fail(&call);
    return dlcs_api_send_page(
        &call, &l, batch_json,
        dlcs_api_url(&call, "/customers/%lld/queue/%s", (long long)call.customer, path), &page);
}

static int get_batches(const struct _u_request *req, struct _u_response *res, void *data)
{
    return list_batches(req, res, data, BATCHES_ALL, "batches");
}

static int get_active(const struct _u_request *req, struct _u_response *res, void *data)
{
    return list_batches(req, res, data, BATCHES_ACTIVE, "active");
}

static int get_recent(const struct _u_request *req, struct _u_response *res, void *data)
{
    return list_batches(req, res, data, BATCHES_RECENT, "recent");
}

/* The path's batch, if it is this customer's (else 404 without saying whose it is). */
static enum dlcs_status load_batch(struct api_call *call, struct dlcs_batch *b)
{
    enum dlcs_status st;

    if (dlcs_api_id_param(call, "b", &b->id) != DLCS_OK)
        return DLCS_EINVAL;
    st = dlcs_api_get(call, &dlcs_batch_entity, b);

    if (st == DLCS_ENOTFOUND || (st == DLCS_OK && b->customer != call->customer))
        return dlcs_error_set(&call->err, DLCS_ENOTFOUND, "no batch %lld", (long long)b->id);
    return st;
}

static int get_batch(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_batch b;
    int rc;

    dlcs_entity_init(&dlcs_batch_entity, &b);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        load_batch(&call, &b) != DLCS_OK)
        rc = dlcs_api_fail(&call);
    else
        rc = dlcs_api_send(&call, 200, batch_json(&call, &b));
    dlcs_entity_release(&dlcs_batch_entity, &b);
    return rc;
}

/*
 * POST .../batches/{b}/reingest-errors: the batch's failed images (still its own) are ingested
 * again from their origins; the batch's errors fall by that many and it runs again. 200 with
 * the batch as it is now; the header X-Requeued says how many went back.
 */
static int reingest_errors(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct api_call call;
    struct dlcs_batch b;
    int64_t requeued = 0;
    char count[32];
    int rc;

    dlcs_entity_init(&dlcs_batch_entity, &b);
    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        load_batch(&call, &b) != DLCS_OK ||
        dlcs_store_batch_requeue_errors(call.ctx->store, call.customer, b.id, &requeued,
                                        &call.err) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
        goto out;
    }
    dlcs_outbox_relay_wake(call.ctx->relay); /* the jobs are durable: publish them now */
    dlcs_entity_release(&dlcs_batch_entity, &b);
    dlcs_entity_init(&dlcs_batch_entity, &b);
    if (load_batch(&call, &b) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
        goto out;
    }
    (void)snprintf(count, sizeof count, "%lld", (long long)requeued);
    u_map_put(res->map_header, "X-Requeued", count);
    rc = dlcs_api_send(&call, 200, batch_json(&call, &b));
out:
    dlcs_entity_release(&dlcs_batch_entity, &b);
    return rc;
}

/* The customer's queue: counts computed from the batches, so they can never drift. */
/* The CustomerQueue: what waits in unfinished batches (priority ones only, for /priority). */
static int queue_summary(const struct _u_request *req, struct _u_response *res, void *data,
                         bool priority_only)
{
    struct api_call call;
    struct dlcs_query q = {0};
    struct dlcs_list l;
    int64_t waiting = 0;
    json_t *j;
    char *id;

    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK)
        return dlcs_api_fail(&call);
    dlcs_query_eq_int(&q, "customer", call.customer);
    dlcs_query_term(&q, "finished", DLCS_TERM_UNSET);
    dlcs_query_eq_int(&q, "superseded", 0);
    if (priority_only)
        dlcs_query_eq_int(&q, "priority", 1);
    if (dlcs_store_list(call.ctx->store, &dlcs_batch_entity, &q, &l, &call.err) != DLCS_OK)
        return dlcs_api_fail(&call);
    for (size_t i = 0; i < l.count; i++) {
        const struct dlcs_batch *b = dlcs_list_at(&l, i);

        waiting += b->count - b->completed - b->errors;
    }
    id = dlcs_api_url(&call, "/customers/%lld/queue%s", (long long)call.customer,
                      priority_only ? "/priority" : "");
    j = json_pack("{s:I,s:I,s:I}", "size", (json_int_t)waiting, "batchesWaiting",
                  (json_int_t)l.count, "imagesWaiting", (json_int_t)waiting);
    for (const char *const *k =
             (const char *const[]){"batches", "active", "recent", "priority", NULL};
         *k; k++) {
        char *link = dlcs_xasprintf("%s/%s", id, *k);

        json_object_set_new(j, *k, json_string(link));
        free(link);
    }
    dlcs_hydra_envelope(j, id, "CustomerQueue");
    dlcs_list_release(&l);
    free(id);
    return dlcs_api_send(&call, 200, j);
}

static int get_customer_queue(const struct _u_request *req, struct _u_response *res, void *data)
{
    return queue_summary(req, res, data, false);
}

static int get_priority_queue(const struct _u_request *req, struct _u_response *res, void *data)
{
    return queue_summary(req, res, data, true);
}

enum dlcs_status dlcs_api_register_queue(struct dlcs_http_server *http,
                                         const struct dlcs_api_context *ctx, struct dlcs_error *err)
{
    if (!dlcs_api_route(http, "POST", "/customers/:c/queue", post_queue, ctx) ||
        !dlcs_api_route(http, "POST", "/customers/:c/queue/priority", post_priority, ctx) ||
        !dlcs_api_route(http, "GET", "/customers/:c/queue", get_customer_queue, ctx) ||
        !dlcs_api_route(http, "GET", "/customers/:c/queue/priority", get_priority_queue, ctx) ||
        !dlcs_api_route(http, "GET", "/customers/:c/queue/batches", get_batches, ctx) ||
        !dlcs_api_route(http, "GET", "/customers/:c/queue/active", get_active, ctx) ||
        !dlcs_api_route(http, "GET", "/customers/:c/queue/recent", get_recent, ctx) ||
        !dlcs_api_route(http, "GET", "/customers/:c/queue/batches/:b", get_batch, ctx) ||
        !dlcs_api_route(http, "POST", "/customers/:c/queue/batches/:b/reingest-errors",
                        reingest_errors, ctx) ||
        !dlcs_api_route(http, "GET", "/customers/:c/queue/batches/:b/images",
                        dlcs_api_list_batch_images, ctx) ||
        !dlcs_api_route(http, "GET", "/customers/:c/queue/batches/:b/assets",
                        dlcs_api_list_batch_assets, ctx))
        return dlcs_error_set(err, DLCS_EINTERNAL, "cannot register the queue routes");
    return DLCS_OK;
}
