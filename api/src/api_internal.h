/* SPDX-License-Identifier: Apache-2.0 */
/* Private to api/: what every route handler shares (authentication, parameters, bodies). */
#ifndef DLCS_API_INTERNAL_H
#define DLCS_API_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <ulfius.h>

#include "dlcs/api.h"
#include "dlcs/error.h"
#include "dlcs/http_server.h"
#include "dlcs/hydra.h"
#include "dlcs/store.h"

/* One request being handled: the context, the caller and the recorded error. */
struct api_call {
    const struct dlcs_api_context *ctx;
    const struct _u_request *req;
    struct _u_response *res;
    int64_t caller;   /* the key's customer */
    bool admin;       /* the key belongs to an administrator customer */
    int64_t customer; /* the {customer} of the path, when it has one */
    struct dlcs_error err;
};

/* What a route needs before its handler runs. */
enum api_needs {
    API_ANY_KEY = 0,       /* any valid key */
    API_CUSTOMER = 1 << 0, /* the path's {c}: the caller's own customer, or an admin */
    API_ADMIN = 1 << 1,    /* an admin key */
};

/*
 * Authenticate the request (Basic key:secret) and check 'needs'. DLCS_EAUTH for missing or
 * wrong credentials, DLCS_EFORBIDDEN for a non-admin on an admin route, DLCS_ENOTFOUND for
 * another customer's path (its existence is not revealed), DLCS_EINVAL for a non-numeric {c}.
 */
enum dlcs_status dlcs_api_begin(struct api_call *call, const struct dlcs_api_context *ctx,
                                const struct _u_request *req, struct _u_response *res,
                                unsigned needs) DLCS_WARN_UNUSED;

/* Answer with the recorded error (401 adds WWW-Authenticate). Returns U_CALLBACK_COMPLETE. */
int dlcs_api_fail(struct api_call *call);

/* Answer 'status' with 'body' (stolen). Returns U_CALLBACK_COMPLETE. */
int dlcs_api_send(struct api_call *call, unsigned status, json_t *body);

/* Answer 204. */
int dlcs_api_no_content(struct api_call *call);

/* A positive integer path parameter. DLCS_EINVAL naming it otherwise. */
enum dlcs_status dlcs_api_id_param(struct api_call *call, const char *name,
                                   int64_t *out) DLCS_WARN_UNUSED;

/*
 * The request's page, pageSize (default 100) and cursor into 'page' and the query (the total
 * is counted for a numbered page, not for a cursor's). DLCS_EINVAL.
 */
enum dlcs_status dlcs_api_paging(struct api_call *call, struct dlcs_page *page,
                                 struct dlcs_query *q) DLCS_WARN_UNUSED;

/*
 * Answer 200 with 'l' (released) as the Hydra page 'page' of the collection at 'base'
 * (freed), each member made by 'member'. 'page' NULL: 'l' is the whole collection (the small
 * per-customer collections that have no paging).
 */
int dlcs_api_send_page(struct api_call *call, struct dlcs_list *l,
                       json_t *(*member)(const struct api_call *, const void *), char *base,
                       const struct dlcs_page *page);

/*
 * 'base' (taken) with the request's query parameters appended, except page, pageSize and cursor, as
 * they were sent: a collection's view links then keep its filters. New string (free()).
 */
char *dlcs_api_with_filters(const struct api_call *call, char *base);

/*
 * Read 'obj' by its key: DLCS_OK, DLCS_ENOTFOUND (call->err untouched: the caller says what is
 * missing), or the store's failure recorded in call->err (then answered as it is: 503/502).
 */
enum dlcs_status dlcs_api_get(struct api_call *call, const struct dlcs_entity *e,
                              void *obj) DLCS_WARN_UNUSED;

/* The path's {s} space into 'sp' (initialised): DLCS_ENOTFOUND when the customer has none. */
enum dlcs_status dlcs_api_load_space(struct api_call *call, struct dlcs_space *sp) DLCS_WARN_UNUSED;

/* The JSON request body (new reference). DLCS_EINVAL / DLCS_ETOOLARGE as dlcs_json_parse. */
enum dlcs_status dlcs_api_body(struct api_call *call, json_t **out) DLCS_WARN_UNUSED;

/* How many immediate-ingest slots one customer may hold: fair shares when several PUT at once. */
int dlcs_api_immediate_share(const struct dlcs_config *cfg);

/*
 * DLCS_ENOSPACE (507), naming which, when blob storage, the data directory or the scratch
 * directory has less than DLCS_STORAGE_MIN_FREE_MB free: refused before any bytes are kept.
 */
enum dlcs_status dlcs_api_room_check(const struct dlcs_api_context *ctx,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/* A query parameter, or NULL. Borrowed from the request. */
const char *dlcs_api_query(const struct api_call *call, const char *name);

/* An absolute URL of this API: base URL + printf path. New string (free()). */
char *dlcs_api_url(const struct api_call *call, const char *fmt, ...) DLCS_PRINTF(2, 3);

/* Route registration, per resource file. */
enum dlcs_status dlcs_api_register_customers(struct dlcs_http_server *http,
                                             const struct dlcs_api_context *ctx,
                                             struct dlcs_error *err) DLCS_WARN_UNUSED;
enum dlcs_status dlcs_api_register_spaces(struct dlcs_http_server *http,
                                          const struct dlcs_api_context *ctx,
                                          struct dlcs_error *err) DLCS_WARN_UNUSED;

enum dlcs_status dlcs_api_register_images(struct dlcs_http_server *http,
                                          const struct dlcs_api_context *ctx,
                                          struct dlcs_error *err) DLCS_WARN_UNUSED;

enum dlcs_status dlcs_api_register_queue(struct dlcs_http_server *http,
                                         const struct dlcs_api_context *ctx,
                                         struct dlcs_error *err) DLCS_WARN_UNUSED;

enum dlcs_status dlcs_api_register_origins(struct dlcs_http_server *http,
                                           const struct dlcs_api_context *ctx,
                                           struct dlcs_error *err) DLCS_WARN_UNUSED;
enum dlcs_status dlcs_api_register_storage(struct dlcs_http_server *http,
                                           const struct dlcs_api_context *ctx,
                                           struct dlcs_error *err) DLCS_WARN_UNUSED;
/* DLCS_EINVAL naming 'field' unless 'name' is "default" or a thumbs policy of the customer. */
enum dlcs_status dlcs_api_thumbs_policy_check(struct api_call *call, const char *name,
                                              const char *field) DLCS_WARN_UNUSED;
enum dlcs_status dlcs_api_register_named_queries(struct dlcs_http_server *http,
                                                 const struct dlcs_api_context *ctx,
                                                 struct dlcs_error *err) DLCS_WARN_UNUSED;
enum dlcs_status dlcs_api_register_policies(struct dlcs_http_server *http,
                                            const struct dlcs_api_context *ctx,
                                            struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Add an endpoint, with 'ctx' as its user data. POST, PUT and PATCH take a body of at most
 * DLCS_HTTP_MAX_BODY, read only after the key is verified; other methods refuse a body.
 */
bool dlcs_api_route(struct dlcs_http_server *http, const char *method, const char *path,
                    dlcs_http_handler_fn fn, const struct dlcs_api_context *ctx);

/* The same for a route that takes image uploads up to DLCS_UPLOAD_MAX_BYTES (see admit_upload). */
bool dlcs_api_upload_route(struct dlcs_http_server *http, const char *method, const char *path,
                           dlcs_http_handler_fn fn, const struct dlcs_api_context *ctx);

#endif /* DLCS_API_INTERNAL_H */
