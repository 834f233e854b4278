/* SPDX-License-Identifier: Apache-2.0 */
/* The shared half of every API handler: authentication, access, parameters, answers. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dlcs/http_server.h"
#include "dlcs/hydra.h"
#include "dlcs/json_util.h"
#include "dlcs/keys.h"
#include "dlcs/mem.h"
#include "dlcs/model.h"
#include "dlcs/slots.h"
#include "dlcs/store.h"

#include "api_internal.h"

/* The request's key, verified: its customer and whether it is an admin's. */
static enum dlcs_status verify_key(const struct _u_request *req, const struct dlcs_api_context *ctx,
                                   int64_t *caller, bool *admin, struct dlcs_error *err)
{
    if (!req->auth_basic_user || !req->auth_basic_password)
        return dlcs_error_set(err, DLCS_EAUTH, "credentials required: HTTP Basic with key:secret");
    return dlcs_keys_verify(ctx->store, req->auth_basic_user, req->auth_basic_password, caller,
                            admin, err);
}

/* Before a body is read: the request must carry a valid key (a store failure stays itself). */
static enum dlcs_status admit_key(const struct _u_request *req, void *data, long *max_body,
                                  struct dlcs_error *err)
{
    int64_t caller = 0;
    bool admin = false;

    (void)max_body;
    return verify_key(req, data, &caller, &admin, err);
}

static bool is_upload_type(const char *ct)
{
    return ct &&
           (strncasecmp(ct, "image/", 6) == 0 || strncasecmp(ct, "multipart/form-data", 19) == 0);
}

int dlcs_api_immediate_share(const struct dlcs_config *cfg)
{
    if (cfg->immediate_slots_per_customer > 0)
        return cfg->immediate_slots_per_customer;
    return cfg->immediate_slots / 2 > 1 ? cfg->immediate_slots / 2 : 1;
}

/*
 * An upload the server cannot take now is refused from its head, before its bytes travel:
 * the customer's immediate-ingest share is in use (503), or the disk is full (507).
 */
static enum dlcs_status upload_room(const struct dlcs_api_context *ctx, int64_t customer,
                                    struct dlcs_error *err)
{
    if (ctx->immediate &&
        dlcs_slots_key_full(ctx->immediate, (uint64_t)customer, dlcs_api_immediate_share(ctx->cfg)))
        return dlcs_error_set(err, DLCS_EBUSY,
                              "every immediate-ingest slot this customer may use is busy; try "
                              "again shortly, or queue the images");
    return dlcs_api_room_check(ctx, err);
}

/*
 * An image upload may be as large as DLCS_UPLOAD_MAX_BYTES, but only from a key that may
 * write to the path's customer; everything else keeps DLCS_HTTP_MAX_BODY.
 */
static enum dlcs_status admit_upload(const struct _u_request *req, void *data, long *max_body,
                                     struct dlcs_error *err)
{
    const struct dlcs_api_context *ctx = data;
    const char *c = u_map_get(req->map_url, "c");
    int64_t caller = 0;
    bool admin = false;
    enum dlcs_status st = verify_key(req, ctx, &caller, &admin, err);

    if (st != DLCS_OK)
        return st;
    if (!is_upload_type(u_map_get_case(req->map_header, "Content-Type"))) {
        const char *length = u_map_get_case(req->map_header, "Content-Length");

        /* a large body without an image type is an upload whose type was forgotten */
        if (length && strtoll(length, NULL, 10) > *max_body)
            return dlcs_error_set(err, DLCS_EINVAL,
                                  "a registration body is JSON of at most DLCS_HTTP_MAX_BODY; an "
                                  "image upload needs an image/* Content-Type (or "
                                  "multipart/form-data with a 'file' part)");
        return DLCS_OK;
    }
    if (!c || !(admin || strtoll(c, NULL, 10) == caller))
        return DLCS_OK; /* the handler refuses it (403) within the ordinary limit */
    st = upload_room(ctx, strtoll(c, NULL, 10), err);
    if (st == DLCS_OK && ctx->cfg->upload_max_bytes > *max_body)
        *max_body = ctx->cfg->upload_max_bytes;
    return st;
}

static bool takes_body(const char *method)
{
    return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
           strcmp(method, "PATCH") == 0;
}

bool dlcs_api_route(struct dlcs_http_server *http, const char *method, const char *path,
                    dlcs_http_handler_fn fn, const struct dlcs_api_context *ctx)
{
    const bool body = takes_body(method);
    const struct dlcs_http_route r = {method,
                                      path,
                                      fn,
                                      ctx,
                                      body ? DLCS_HTTP_BODY_TAKES : DLCS_HTTP_BODY_NONE,
                                      body ? admit_key : NULL};

    return dlcs_http_server_route(http, &r, NULL) == DLCS_OK;
}

bool dlcs_api_upload_route(struct dlcs_http_server *http, const char *method, const char *path,
                           dlcs_http_handler_fn fn, const struct dlcs_api_context *ctx)
{
    const struct dlcs_http_route r = {method, path, fn, ctx, DLCS_HTTP_BODY_TAKES, admit_upload};

    return dlcs_http_server_route(http, &r, NULL) == DLCS_OK;
}

static bool parse_positive(const char *s, int64_t *out)
{
    char *end = NULL;
    long long v;

    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno != 0 || *end != '\0' || v <= 0)
        return false;
    *out = (int64_t)v;
    return true;
}

enum dlcs_status dlcs_api_id_param(struct api_call *call, const char *name, int64_t *out)
{
    const char *v = u_map_get(call->req->map_url, name);

    if (!parse_positive(v, out))
        return dlcs_error_set(&call->err, DLCS_EINVAL,
                              "'%s' in the path must be a positive "
                              "integer, not '%s'",
                              name, v ? v : "");
    return DLCS_OK;
}

enum dlcs_status dlcs_api_get(struct api_call *call, const struct dlcs_entity *e, void *obj)
{
    struct dlcs_error get_err = {0};
    enum dlcs_status st = dlcs_store_get(call->ctx->store, e, obj, &get_err);

    if (st != DLCS_OK && st != DLCS_ENOTFOUND) /* a failing store stays itself, never "absent" */
        (void)dlcs_error_set(&call->err, st, "%s", get_err.message);
    return st;
}

/* Whether the path's customer exists (an admin may name any; nothing is made under none). */
static enum dlcs_status customer_exists(struct api_call *call)
{
    struct dlcs_customer c;
    enum dlcs_status st;

    dlcs_entity_init(&dlcs_customer_entity, &c);
    c.id = call->customer;
    st = dlcs_api_get(call, &dlcs_customer_entity, &c);
    dlcs_entity_release(&dlcs_customer_entity, &c);
    if (st == DLCS_ENOTFOUND)
        return dlcs_error_set(&call->err, DLCS_ENOTFOUND, "no customer %lld",
                              (long long)call->customer);
    return st;
}

enum dlcs_status dlcs_api_begin(struct api_call *call, const struct dlcs_api_context *ctx,
                                const struct _u_request *req, struct _u_response *res,
                                unsigned needs)
{
    memset(call, 0, sizeof *call);
    call->ctx = ctx;
    call->req = req;
    call->res = res;
    if (verify_key(req, ctx, &call->caller, &call->admin, &call->err) != DLCS_OK)
        return call->err.code;
    if ((needs & API_ADMIN) && !call->admin)
        return dlcs_error_set(&call->err, DLCS_EFORBIDDEN, "this needs an admin key");
    if (!(needs & API_CUSTOMER))
        return DLCS_OK;
    if (dlcs_api_id_param(call, "c", &call->customer) != DLCS_OK)
        return DLCS_EINVAL;
    if (call->customer != call->caller && !call->admin) /* never say the customer exists */
        return dlcs_error_set(&call->err, DLCS_ENOTFOUND, "no customer %lld",
                              (long long)call->customer);
    if (call->customer != call->caller) /* an admin's typo is a 404 too */
        return customer_exists(call);
    return DLCS_OK;
}

int dlcs_api_fail(struct api_call *call)
{
    if (call->err.code == DLCS_EAUTH)
        u_map_put(call->res->map_header, "WWW-Authenticate", "Basic realm=\"dlcs\"");
    if (call->err.code == DLCS_OK)
        (void)dlcs_error_set(&call->err, DLCS_EINTERNAL, "unknown failure");
    return dlcs_http_send_error(call->req, call->res, &call->err);
}

int dlcs_api_send(struct api_call *call, unsigned status, json_t *body)
{
    return dlcs_http_send_json(call->res, status, body, "application/ld+json");
}

enum dlcs_status dlcs_api_paging(struct api_call *call, struct dlcs_page *page,
                                 struct dlcs_query *q)
{
    if (dlcs_hydra_page_parse(dlcs_api_query(call, "page"), dlcs_api_query(call, "pageSize"),
                              dlcs_api_query(call, "cursor"), 100, page, &call->err) != DLCS_OK)
        return DLCS_EINVAL;
    q->limit = page->page_size;
    q->offset = page->page > 1 ? (page->page - 1) * page->page_size : 0;
    q->after = page->cursor;
    q->count_total = !page->cursor; /* a numbered page says how many; a cursor page need not */
    return DLCS_OK;
}

int dlcs_api_send_page(struct api_call *call, struct dlcs_list *l,
                       json_t *(*member)(const struct api_call *, const void *), char *base,
                       const struct dlcs_page *page)
{
    json_t *members = json_array();

    for (size_t i = 0; i < l->count; i++)
        json_array_append_new(members, member(call, dlcs_list_at(l, i)));
    if (page) {
        struct dlcs_hydra_view v = {*page, l->total, l->next_cursor};

        dlcs_api_send(call, 200, dlcs_hydra_collection(base, members, &v));
    } else {
        dlcs_api_send(call, 200, dlcs_hydra_whole(base, members));
    }
    dlcs_list_release(l);
    free(base);
    return U_CALLBACK_COMPLETE;
}

/* Whether the raw query parameter 'p' ("name=value") is 'name'. */
static bool param_is(const char *p, size_t len, const char *name)
{
    size_t n = strlen(name);

    return len >= n && strncmp(p, name, n) == 0 && (len == n || p[n] == '=');
}

char *dlcs_api_with_filters(const struct api_call *call, char *base)
{
    const char *q = call->req->http_url ? strchr(call->req->http_url, '?') : NULL;
    char *out = base;

    if (!q)
        return base;
    for (q++; *q;) {
        size_t len = strcspn(q, "&");

        if (len > 0 && !param_is(q, len, "page") && !param_is(q, len, "pageSize") &&
            !param_is(q, len, "cursor")) {
            char *param = dlcs_http_target_encode(q, len); /* quotes, spaces, '<' stay encoded */
            char *next = dlcs_xasprintf("%s%c%s", out, strchr(out, '?') ? '&' : '?', param);

            free(param);
            free(out);
            out = next;
        }
        q += len + (q[len] == '&');
    }
    return out;
}

int dlcs_api_no_content(struct api_call *call)
{
    ulfius_set_empty_body_response(call->res, 204);
    return U_CALLBACK_COMPLETE;
}

enum dlcs_status dlcs_api_body(struct api_call *call, json_t **out)
{
    *out = NULL;
    return dlcs_json_parse(call->req->binary_body, call->req->binary_body_length,
                           (size_t)call->ctx->cfg->http_max_body, out, &call->err);
}

const char *dlcs_api_query(const struct api_call *call, const char *name)
{
    return u_map_get(call->req->map_url, name);
}

char *dlcs_api_url(const struct api_call *call, const char *fmt, ...)
{
    char *base = dlcs_http_base_url(call->req, call->ctx->cfg->public_url);
    char *path, *url;
    va_list ap;

    va_start(ap, fmt);
    path = dlcs_xvasprintf(fmt, ap);
    va_end(ap);
    url = dlcs_xasprintf("%s%s", base, path);
    free(path);
    free(base);
    return url;
}
