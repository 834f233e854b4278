/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP listener shared by the API and the IIIF server: binds the socket itself (so port 0
 * works and the real port can be published), runs ulfius on it, tags every request with an id
 * (X-Request-Id in, or generated; echoed back), and answers unknown paths with a Hydra 404.
 */
#ifndef DLCS_HTTP_SERVER_H
#define DLCS_HTTP_SERVER_H

#include <jansson.h>
#include <ulfius.h>

#include "dlcs/error.h"

/* Endpoints register with priorities 1..DLCS_HTTP_LAST_PRIORITY-1 (ulfius: lower runs first). */
#define DLCS_HTTP_LAST_PRIORITY 1000

struct dlcs_http_options {
    const char *bind;             /* IPv4 address, e.g. "0.0.0.0" */
    int port;                     /* 0 = any free port */
    int threads;                  /* 0 = one thread per connection, else a fixed pool */
    long max_body;                /* request body limit, bytes */
    const char *port_file;        /* may be NULL: where the bound port is written after start */
    void (*on_thread_done)(void); /* may be NULL: runs in a connection's thread as it closes */
};

struct dlcs_http_server;

/*
 * Bind the listening socket and prepare (not start) the server. On DLCS_OK the caller owns
 * '*out' (free with dlcs_http_server_free). DLCS_EINVAL for a bad address, DLCS_EUPSTREAM when
 * the socket cannot be bound (the message says why, e.g. the port is in use).
 */
enum dlcs_status dlcs_http_server_new(const struct dlcs_http_options *opt,
                                      struct dlcs_http_server **out,
                                      struct dlcs_error *err) DLCS_WARN_UNUSED;

/* The ulfius instance, to add endpoints before start. Borrowed: valid until free. */
struct _u_instance *dlcs_http_server_instance(struct dlcs_http_server *s);

/* The bound port (known as soon as the server is created). */
int dlcs_http_server_port(const struct dlcs_http_server *s);

/* Start serving and write the port file. DLCS_EUPSTREAM if libmicrohttpd refuses to start. */
enum dlcs_status dlcs_http_server_start(struct dlcs_http_server *s,
                                        struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Stop (waiting for open connections) and free. NULL-safe. */
void dlcs_http_server_free(struct dlcs_http_server *s);

/*
 * Answer with 'body' (stolen) as JSON and 'status'. Content-Type is 'content_type' or
 * application/json when NULL. Returns U_CALLBACK_COMPLETE for the handler to return.
 */
int dlcs_http_send_json(struct _u_response *res, unsigned status, json_t *body,
                        const char *content_type);

/*
 * Answer with the Hydra Error body for 'err' (status from dlcs_status_http), logging 4xx at
 * info and 5xx at error with the request id. Returns U_CALLBACK_COMPLETE.
 */
int dlcs_http_send_error(const struct _u_request *req, struct _u_response *res,
                         const struct dlcs_error *err);

/*
 * The public base URL for @id values of this request, without a trailing slash: 'configured'
 * when set (DLCS_PUBLIC_URL), else scheme and host from X-Forwarded-Proto/X-Forwarded-Host,
 * else http:// and the Host header. Owned: free with free().
 */
char *dlcs_http_base_url(const struct _u_request *req, const char *configured);

#endif /* DLCS_HTTP_SERVER_H */
