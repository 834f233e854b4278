/* SPDX-License-Identifier: Apache-2.0 */
/* Private to the HTTP listener: the server, its route table and the per-request state. */
#ifndef DLCS_HTTP_INTERNAL_H
#define DLCS_HTTP_INTERNAL_H

#include <netinet/in.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

#include "dlcs/http_server.h"

#define HTTP_MAX_SEGMENTS 16 /* of a route pattern */

/* A route with its pattern split once. */
struct http_route {
    struct dlcs_http_route r;
    char *segs[HTTP_MAX_SEGMENTS]; /* owned */
    int count;
    bool rest;    /* the last pattern segment is "*" */
    int literals; /* specificity: a literal segment wins over a parameter */
};

struct dlcs_http_server {
    struct sockaddr_in addr;
    int fd;
    int port;
    int threads;
    long max_body;
    long max_buffered;
    char *spool_dir;
    char *port_file;
    void (*on_thread_done)(void);
    struct MHD_Daemon *daemon;
    struct http_route *routes;
    size_t route_count, route_cap;
    atomic_long buffered; /* bytes of bodies held in memory now */
    struct http_net {
        int family; /* AF_INET or AF_INET6 */
        unsigned char addr[16];
        int prefix; /* bits */
    } trusted[32];
    int trusted_count;
};

/* One request: what handlers see (first member: a _u_request * is a http_request *). */
struct http_request {
    struct _u_request u;
    struct dlcs_http_server *server;
    const struct http_route *route;
    bool headers_done;
    char req_id[65]; /* X-Request-Id: the client's, or made once at the head */
    bool answered;   /* a response was queued before the body was read */
    long limit;      /* bytes this request's body may have */
    size_t received;
    size_t cap;       /* of u.binary_body when held in memory */
    long reserved;    /* bytes counted in server->buffered */
    int spool_fd;     /* -1 unless spooled */
    char *spool_path; /* owned */
    void *map;        /* the spooled file mapped at u.binary_body, or NULL */
};

/*
 * The route for 'method' at the raw 'path' (before '?'): *out the route, NULL when none; its
 * path parameters go into 'params' (may be NULL), percent-decoded. 'allow' gets the path's
 * methods ("GET, HEAD, PUT") when the path is known. Returns false when no route has the path.
 */
bool dlcs_http_routes_match(const struct dlcs_http_server *s, const char *method, const char *path,
                            const struct http_route **out, struct _u_map *params, char *allow,
                            size_t allow_cap);

/* Free the route table. */
void dlcs_http_routes_free(struct dlcs_http_server *s);

/* Whether 'raw' (a request target) has only well-formed escapes and no control character. */
bool dlcs_http_target_is_clean(const char *raw);

/* The MHD callbacks of the dispatcher. */
void *dlcs_http_on_uri(void *cls, const char *uri, struct MHD_Connection *c);
enum MHD_Result dlcs_http_on_request(void *cls, struct MHD_Connection *c, const char *url,
                                     const char *method, const char *version, const char *upload,
                                     size_t *upload_size, void **con_cls);
void dlcs_http_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                            enum MHD_RequestTerminationCode toe);

#endif /* DLCS_HTTP_INTERNAL_H */
