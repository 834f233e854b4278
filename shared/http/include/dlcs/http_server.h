/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP listener shared by the API and the IIIF server: binds the socket itself (so port 0
 * works and the real port can be published), runs ulfius on it, tags every request with an id
 * (X-Request-Id in, or generated; echoed back), and answers unknown paths with a Hydra 404.
 */
#ifndef DLCS_HTTP_SERVER_H
#define DLCS_HTTP_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>
#include <ulfius.h>

#include "dlcs/error.h"

struct dlcs_http_options {
    const char *bind;             /* IPv4 address, e.g. "0.0.0.0" */
    int port;                     /* 0 = any free port */
    int threads;                  /* 0 = one thread per connection, else a fixed pool */
    long max_body;                /* body limit of a route unless its admit function raises it */
    long max_buffered;            /* bytes of bodies held in memory across all connections */
    const char *spool_dir;        /* where bodies over max_body are written; NULL: no spooling */
    const char *trusted_proxies;  /* "10.0.0.0/8,::1": whose X-Forwarded-* count; NULL: none */
    const char *port_file;        /* may be NULL: where the bound port is written after start */
    void (*on_thread_done)(void); /* may be NULL: runs in a connection's thread as it closes */
};

struct dlcs_http_server;

/* A route's handler: ulfius request and response types, returns U_CALLBACK_COMPLETE. */
typedef int (*dlcs_http_handler_fn)(const struct _u_request *req, struct _u_response *res,
                                    void *data);

/*
 * Runs after the headers and before a byte of the body is read (credentials, path): DLCS_OK
 * admits the request, anything else is answered with its error and the body is never read.
 * '*max_body' comes in as the server's limit; the function may raise it for this request
 * (authenticated uploads). 'req' has its headers, path parameters and Basic credentials.
 */
typedef enum dlcs_status (*dlcs_http_admit_fn)(const struct _u_request *req, void *data,
                                               long *max_body, struct dlcs_error *err);

/* Whether a route takes a request body at all (decided before reading any of it). */
enum dlcs_http_body {
    DLCS_HTTP_BODY_NONE,  /* a body is refused with 413 */
    DLCS_HTTP_BODY_TAKES, /* up to the limit: in memory, or spooled to a file past max_body */
};

struct dlcs_http_route {
    const char *method;  /* "GET", "POST", ...; "*": every method (the handler answers each) */
    const char *pattern; /* "/customers/:c/spaces/:s"; a last segment "*" matches the rest */
    dlcs_http_handler_fn handler;
    const void *data; /* handed to the handler and the admit function */
    enum dlcs_http_body body;
    dlcs_http_admit_fn admit; /* may be NULL: admitted */
};

/*
 * Bind the listening socket and prepare (not start) the server. On DLCS_OK the caller owns
 * '*out' (free with dlcs_http_server_free). DLCS_EINVAL for a bad address, DLCS_EUPSTREAM when
 * the socket cannot be bound (the message says why, e.g. the port is in use).
 */
enum dlcs_status dlcs_http_server_new(const struct dlcs_http_options *opt,
                                      struct dlcs_http_server **out,
                                      struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Add a route (copied; its strings must outlive the server) before start. A GET route also
 * answers HEAD; OPTIONS on any known path answers 204 with Allow; a known path with another
 * method answers 405 with Allow; an unknown path 404. Path parameters (":name") are
 * percent-decoded into the request's map_url; a path with an encoded control character or a
 * broken escape is refused with 400 before any route runs. DLCS_EINVAL for a bad pattern.
 */
enum dlcs_status dlcs_http_server_route(struct dlcs_http_server *s, const struct dlcs_http_route *r,
                                        struct dlcs_error *err) DLCS_WARN_UNUSED;

/* The bound port (known as soon as the server is created). */
int dlcs_http_server_port(const struct dlcs_http_server *s);

/* Start serving and write the port file. DLCS_EUPSTREAM if libmicrohttpd refuses to start. */
enum dlcs_status dlcs_http_server_start(struct dlcs_http_server *s,
                                        struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Stop (waiting for open connections) and free. NULL-safe. */
void dlcs_http_server_free(struct dlcs_http_server *s);

/*
 * The file holding this request's body when it was spooled to disk (larger than max_body),
 * else NULL; its bytes are also mapped at req->binary_body. Borrowed: valid during the
 * handler. The file is removed when the request ends.
 */
const char *dlcs_http_body_file(const struct _u_request *req);

/*
 * Answer with 'body' (stolen) as JSON and 'status'. Content-Type is 'content_type' or
 * application/json when NULL. Returns U_CALLBACK_COMPLETE for the handler to return.
 */
int dlcs_http_send_json(struct _u_response *res, unsigned status, json_t *body,
                        const char *content_type);

/*
 * Answer with the Hydra Error body for 'err' (status from dlcs_status_http), logging 4xx at
 * info and 5xx at error with the request id; DLCS_EBUSY adds Retry-After. Returns
 * U_CALLBACK_COMPLETE.
 */
int dlcs_http_send_error(const struct _u_request *req, struct _u_response *res,
                         const struct dlcs_error *err);

/*
 * The public base URL for @id values of this request, without a trailing slash: 'configured'
 * when set (DLCS_PUBLIC_URL), else scheme and host from X-Forwarded-Proto/X-Forwarded-Host when
 * the request came from a trusted proxy (DLCS_HTTP_TRUSTED_PROXIES), else http:// and the Host
 * header (a plain host[:port] only, else "localhost"). Owned: free with free().
 */
char *dlcs_http_base_url(const struct _u_request *req, const char *configured);

/*
 * The first 'len' bytes of a request target as a URL path that can be written anywhere: every
 * byte outside RFC 3986's path characters (quotes, spaces, '<', '>', '\\', controls, non-ASCII)
 * and every '%' not starting an escape is percent-encoded; valid escapes are kept as sent.
 * Owned: free with free().
 */
char *dlcs_http_target_encode(const char *raw, size_t len);

/*
 * A key for the client of this request, for fair shares of limited work: its address, or the
 * first X-Forwarded-For address when the peer is a trusted proxy (DLCS_HTTP_TRUSTED_PROXIES).
 */
uint64_t dlcs_http_client_key(const struct _u_request *req);

/* Percent-decode 's' in place; false for a broken escape or an encoded NUL. */
bool dlcs_http_percent_decode(char *s);

/* A decoded path segment percent-encoded for a URL ('/' and '%' included). Owned: free(). */
char *dlcs_http_segment_encode(const char *segment);

#endif /* DLCS_HTTP_SERVER_H */
