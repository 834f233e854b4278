/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Image listings: GET .../spaces/{s}/images and GET .../allImages, paged, filtered by
 * string1..3 / number1..3 / tag parameters or a ?q= JSON object, ordered by ?orderBy= or
 * ?orderByDescending= (sortable fields only: anything else is a 400, not the reference's 500).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/hydra.h"
#include "dlcs/mem.h"

#include "api_images.h"

static const char *const filters[] = {"string1", "string2", "string3", "number1",   "number2",
                                      "number3", "space",   "id",      "mediaType", "batch"};

static bool is_filter(const char *name)
{
    for (size_t i = 0; i < DLCS_ARRAY_LEN(filters); i++) {
        if (strcmp(filters[i], name) == 0)
            return true;
    }
    return false;
}

/* Add "name = value" (value as text from a query parameter) to 'q'. */
static enum dlcs_status add_term(struct api_call *call, struct dlcs_query *q, const char *name,
                                 const char *value)
{
    int idx = dlcs_entity_field_index(&dlcs_asset_entity, name);
    char *end = NULL;
    long long n;

    if (q->term_count + 1 >= DLCS_QUERY_TERMS_MAX)
        return dlcs_error_set(&call->err, DLCS_EINVAL, "too many filters");
    if (dlcs_asset_entity.fields[idx].type == DLCS_FT_STRING) {
        dlcs_query_eq_str(q, dlcs_asset_entity.fields[idx].name, value);
        return DLCS_OK;
    }
    errno = 0;
    n = strtoll(value, &end, 10);
    if (errno != 0 || end == value || *end != '\0')
        return dlcs_error_set(&call->err, DLCS_EINVAL, "filter '%s' must be an integer", name);
    dlcs_query_eq_int(q, dlcs_asset_entity.fields[idx].name, n);
    return DLCS_OK;
}

/* ?q={"string1":"x","number1":1,...}: values kept alive by 'doc' until the query runs. */
static enum dlcs_status add_q(struct api_call *call, struct dlcs_query *q, json_t *doc)
{
    const char *key;
    json_t *v;

    if (!json_is_object(doc))
        return dlcs_error_set(&call->err, DLCS_EINVAL, "parameter 'q' must be a JSON object");
    json_object_foreach(doc, key, v)
    {
        if (!is_filter(key))
            return dlcs_error_set(&call->err, DLCS_EINVAL, "'q' cannot filter on '%s'", key);
        if (json_is_string(v)) {
            if (add_term(call, q, key, json_string_value(v)) != DLCS_OK)
                return DLCS_EINVAL;
        } else if (json_is_integer(v)) {
            if (q->term_count + 1 >= DLCS_QUERY_TERMS_MAX)
                return dlcs_error_set(&call->err, DLCS_EINVAL, "too many filters");
            dlcs_query_eq_int(
                q, dlcs_asset_entity.fields[dlcs_entity_field_index(&dlcs_asset_entity, key)].name,
                json_integer_value(v));
        } else {
            return dlcs_error_set(&call->err, DLCS_EINVAL,
                                  "'q' field '%s' must be a string or an integer", key);
        }
    }
    return DLCS_OK;
}

static enum dlcs_status add_order(struct api_call *call, struct dlcs_query *q)
{
    const char *asc = dlcs_api_query(call, "orderBy");
    const char *desc = dlcs_api_query(call, "orderByDescending");
    const char *name = desc ? desc : asc;
    int idx;

    if (!name) {
        dlcs_query_order(q, "created", false);
        return DLCS_OK;
    }
    idx = dlcs_entity_field_index(&dlcs_asset_entity, name);
    if (idx < 0 || !(dlcs_asset_entity.fields[idx].flags & DLCS_FF_SORTABLE))
        return dlcs_error_set(&call->err, DLCS_EINVAL,
                              "cannot order by '%s' (use id, space, created, finished, mediaType, "
                              "string1..3, number1..3, width, height)",
                              name);
    dlcs_query_order(q, dlcs_asset_entity.fields[idx].name, desc != NULL);
    return DLCS_OK;
}

static enum dlcs_status build_query(struct api_call *call, struct dlcs_query *q, json_t **qdoc)
{
    const char *qs = dlcs_api_query(call, "q");
    const char *tag = dlcs_api_query(call, "tag");

    for (size_t i = 0; i < DLCS_ARRAY_LEN(filters); i++) {
        const char *v = dlcs_api_query(call, filters[i]);

        if (v && strcmp(filters[i], "space") != 0 && add_term(call, q, filters[i], v) != DLCS_OK)
            return DLCS_EINVAL;
    }
    if (tag)
        dlcs_query_has(q, "tags", tag);
    if (qs) {
        *qdoc = json_loads(qs, 0, NULL);
        if (add_q(call, q, *qdoc) != DLCS_OK)
            return DLCS_EINVAL;
    }
    return add_order(call, q);
}

enum listing { IN_SPACE, ALL_IMAGES, BATCH_CURRENT, BATCH_EVER };

/* Scope the query to the listing: a space, or a batch of this customer (404 otherwise). */
static enum dlcs_status scope(struct api_call *call, enum listing what, struct dlcs_query *q,
                              char **base)
{
    struct dlcs_batch b;
    int64_t id = 0;
    enum dlcs_status st = DLCS_OK;

    dlcs_query_eq_int(q, "customer", call->customer);
    if (what == ALL_IMAGES) {
        *base = dlcs_api_url(call, "/customers/%lld/allImages", (long long)call->customer);
        return DLCS_OK;
    }
    if (dlcs_api_id_param(call, what == IN_SPACE ? "s" : "b", &id) != DLCS_OK)
        return DLCS_EINVAL;
    if (what == IN_SPACE) {
        dlcs_query_eq_int(q, "space", id);
        *base = dlcs_api_url(call, "/customers/%lld/spaces/%lld/images", (long long)call->customer,
                             (long long)id);
        return DLCS_OK;
    }
    dlcs_entity_init(&dlcs_batch_entity, &b);
    b.id = id;
    st = dlcs_api_get(call, &dlcs_batch_entity, &b);
    if (st == DLCS_ENOTFOUND || (st == DLCS_OK && b.customer != call->customer))
        st = dlcs_error_set(&call->err, DLCS_ENOTFOUND, "no batch %lld", (long long)id);
    dlcs_entity_release(&dlcs_batch_entity, &b);
    if (st != DLCS_OK)
        return st;
    if (what == BATCH_CURRENT)
        dlcs_query_eq_int(q, "batch", id);
    else
        dlcs_query_batch_member(q, id);
    *base = dlcs_api_url(call, "/customers/%lld/queue/batches/%lld/%s", (long long)call->customer,
                         (long long)id, what == BATCH_CURRENT ? "images" : "assets");
    return DLCS_OK;
}

static int list_images(const struct _u_request *req, struct _u_response *res, void *data,
                       enum listing what)
{
    struct api_call call;
    struct dlcs_page page;
    struct dlcs_hydra_view view;
    struct dlcs_query q = {0};
    struct dlcs_list l = {0};
    json_t *qdoc = NULL, *members;
    char *base = NULL;
    int rc;

    if (dlcs_api_begin(&call, data, req, res, API_CUSTOMER) != DLCS_OK ||
        dlcs_api_paging(&call, &page, &q) != DLCS_OK || scope(&call, what, &q, &base) != DLCS_OK ||
        build_query(&call, &q, &qdoc) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
        goto out;
    }
    if (dlcs_store_list(call.ctx->store, &dlcs_asset_entity, &q, &l, &call.err) != DLCS_OK) {
        rc = dlcs_api_fail(&call);
        goto out;
    }
    members = json_array();
    for (size_t i = 0; i < l.count; i++)
        json_array_append_new(members, dlcs_api_asset_json(&call, dlcs_list_at(&l, i)));
    base = dlcs_api_with_filters(&call, base);
    view = (struct dlcs_hydra_view){page, l.total, l.next_cursor};
    rc = dlcs_api_send(&call, 200, dlcs_hydra_collection(base, members, &view));
out:
    dlcs_list_release(&l);
    json_decref(qdoc);
    free(base);
    return rc;
}

int dlcs_api_list_space_images(const struct _u_request *req, struct _u_response *res, void *data)
{
    return list_images(req, res, data, IN_SPACE);
}

int dlcs_api_list_all_images(const struct _u_request *req, struct _u_response *res, void *data)
{
    return list_images(req, res, data, ALL_IMAGES);
}

int dlcs_api_list_batch_images(const struct _u_request *req, struct _u_response *res, void *data)
{
    return list_images(req, res, data, BATCH_CURRENT);
}

int dlcs_api_list_batch_assets(const struct _u_request *req, struct _u_response *res, void *data)
{
    return list_images(req, res, data, BATCH_EVER);
}
