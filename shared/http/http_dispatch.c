/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The request dispatcher over libmicrohttpd. Everything about a request is decided from its
 * head before a byte of its body is read: the framing (one Content-Length), the target (no
 * encoded control characters), the route and method (404, 405), whether the route takes a
 * body, and the route's admission (credentials): a refused request is answered at once and
 * its body never read. Bodies within DLCS_HTTP_MAX_BODY are held in memory under a cap on all
 * connections together; larger ones (authenticated uploads only) are written to a scratch
 * file as they arrive. Handlers keep ulfius' request and response types.
 */
#define _GNU_SOURCE /* mkostemp */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "dlcs/hydra.h"
#include "dlcs/ids.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"

#include "http_internal.h"

void *dlcs_http_on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct http_request *r = dlcs_xcalloc(1, sizeof *r);
    size_t path_len = strcspn(uri, "?");

    (void)c;
    r->server = cls;
    r->spool_fd = -1;
    ulfius_init_request(&r->u);
    r->u.http_url = dlcs_xstrdup(uri);
    r->u.url_path = dlcs_xstrndup(uri, path_len);
    return r;
}

static void release_body(struct http_request *r)
{
    if (r->map) {
        munmap(r->map, r->received);
        r->map = NULL;
    } else {
        free(r->u.binary_body);
    }
    r->u.binary_body = NULL;
    r->u.binary_body_length = 0;
    if (r->reserved)
        atomic_fetch_sub(&r->server->buffered, r->reserved);
    r->reserved = 0;
    if (r->spool_fd >= 0)
        close(r->spool_fd);
    r->spool_fd = -1;
    if (r->spool_path)
        (void)unlink(r->spool_path);
    free(r->spool_path);
    r->spool_path = NULL;
}

void dlcs_http_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                            enum MHD_RequestTerminationCode toe)
{
    struct http_request *r = *con_cls;

    (void)cls;
    (void)c;
    (void)toe;
    if (!r)
        return;
    release_body(r);
    ulfius_clean_request(&r->u);
    free(r);
    *con_cls = NULL;
}

const char *dlcs_http_body_file(const struct _u_request *req)
{
    return ((const struct http_request *)(const void *)req)->spool_path;
}

/* ---- answering ---- */

static enum MHD_Result queue(struct MHD_Connection *c, struct _u_response *res)
{
    struct MHD_Response *mr;
    const char **keys = u_map_enum_keys(res->map_header);
    enum MHD_Result ok;

    if (res->stream_callback) {
        mr = MHD_create_response_from_callback(res->stream_size, res->stream_block_size,
                                               res->stream_callback, res->stream_user_data,
                                               res->stream_callback_free);
        res->stream_callback_free = NULL; /* owned by mr now, or freed below */
    } else {
        mr = MHD_create_response_from_buffer(res->binary_body_length, res->binary_body,
                                             MHD_RESPMEM_MUST_COPY);
    }
    if (!mr)
        return MHD_NO;
    for (size_t i = 0; keys && keys[i]; i++)
        (void)MHD_add_response_header(mr, keys[i], u_map_get(res->map_header, keys[i]));
    ok = MHD_queue_response(c, (unsigned)res->status, mr);
    MHD_destroy_response(mr);
    return ok;
}

/* Answer 'err' now, before (or instead of) reading the body. */
static enum MHD_Result refuse(struct MHD_Connection *c, struct http_request *r,
                              const struct dlcs_error *err, const char *allow)
{
    struct _u_response res;
    enum MHD_Result ok;

    ulfius_init_response(&res);
    if (allow && *allow)
        u_map_put(res.map_header, "Allow", allow);
    if (err->code == DLCS_EAUTH) /* only the API admits requests by key */
        u_map_put(res.map_header, "WWW-Authenticate", "Basic realm=\"dlcs\"");
    u_map_put(res.map_header, "X-Request-Id", dlcs_log_request());
    (void)dlcs_http_send_error(&r->u, &res, err);
    u_map_put(res.map_header, "Connection", "close");
    r->answered = true;
    ok = queue(c, &res);
    ulfius_clean_response(&res);
    return ok;
}

static enum MHD_Result refuse_with(struct MHD_Connection *c, struct http_request *r,
                                   enum dlcs_status code, const char *msg, const char *allow)
{
    struct dlcs_error err = {0};

    (void)dlcs_error_set(&err, code, "%s", msg);
    return refuse(c, r, &err, allow);
}

/* ---- the request head ---- */

struct head_scan {
    struct _u_map *map;
    int lengths;           /* Content-Length headers seen */
    bool lengths_conflict; /* with different values */
    const char *length;
    bool chunked; /* Transfer-Encoding present */
};

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    struct head_scan *h = cls;
    const char *had;

    (void)kind;
    if (!key)
        return MHD_YES;
    value = value ? value : "";
    if (strcasecmp(key, "Content-Length") == 0) {
        if (h->lengths++ > 0 && strcmp(h->length, value) != 0)
            h->lengths_conflict = true;
        h->length = value;
    }
    if (strcasecmp(key, "Transfer-Encoding") == 0)
        h->chunked = true;
    had = u_map_get_case(h->map, key);
    if (had) { /* repeated headers are one comma-separated list (RFC 9110 5.3) */
        char *joined = dlcs_xasprintf("%s,%s", had, value);

        u_map_put(h->map, key, joined);
        free(joined);
    } else {
        u_map_put(h->map, key, value);
    }
    return MHD_YES;
}

static enum MHD_Result add_query_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    struct head_scan h = {.map = cls};

    return scan_header(&h, kind, key, value);
}

static void fill_request(struct MHD_Connection *c, struct http_request *r, const char *method,
                         const char *version, struct head_scan *h)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

    r->u.http_verb = dlcs_xstrdup(method);
    r->u.http_protocol = dlcs_xstrdup(version);
    if (ci && ci->client_addr) {
        r->u.client_address = dlcs_xmalloc(sizeof(struct sockaddr_in6));
        memcpy(r->u.client_address, ci->client_addr,
               ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                      : sizeof(struct sockaddr_in));
    }
    h->map = r->u.map_header;
    (void)MHD_get_connection_values(c, MHD_HEADER_KIND, scan_header, h);
    (void)MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_query_arg, r->u.map_url);
    r->u.auth_basic_user = MHD_basic_auth_get_username_password(c, &r->u.auth_basic_password);
}

/* The request's id, chosen once: every later call of the request (on any thread) logs it. */
static void choose_request_id(struct http_request *r)
{
    const char *given = u_map_get_case(r->u.map_header, "X-Request-Id");

    if (!given || !*given || strlen(given) >= sizeof r->req_id || !dlcs_http_target_is_clean(given))
        dlcs_id_random_hex(r->req_id, 8);
    else
        (void)snprintf(r->req_id, sizeof r->req_id, "%s", given);
    dlcs_log_set_request(r->req_id);
}

/* The declared length: -1 none, -2 not a number. */
static long long declared_length(const struct head_scan *h)
{
    char *end = NULL;
    long long v;

    if (!h->length)
        return -1;
    if (h->length[0] < '0' || h->length[0] > '9')
        return -2;
    errno = 0;
    v = strtoll(h->length, &end, 10);
    return errno || *end ? -2 : v;
}

static enum MHD_Result framing_checks(struct MHD_Connection *c, struct http_request *r,
                                      const struct head_scan *h, long long length)
{
    if (h->lengths_conflict)
        return refuse_with(c, r, DLCS_EINVAL, "conflicting Content-Length headers", NULL);
    if (h->lengths > 0 && h->chunked)
        return refuse_with(c, r, DLCS_EINVAL,
                           "a request has Content-Length or Transfer-Encoding, not both", NULL);
    if (length == -2)
        return refuse_with(c, r, DLCS_EINVAL, "Content-Length is not a number", NULL);
    if (!dlcs_http_target_is_clean(r->u.http_url))
        return refuse_with(c, r, DLCS_EINVAL,
                           "the request target has a control character or a broken %-escape", NULL);
    return MHD_YES;
}

/* The setting that made this request's limit (routes raise it only for uploads). */
static const char *limit_name(const struct http_request *r)
{
    return r->limit > r->server->max_body ? "DLCS_UPLOAD_MAX_BYTES" : "DLCS_HTTP_MAX_BODY";
}

static enum MHD_Result refuse_too_large(struct MHD_Connection *c, struct http_request *r)
{
    struct dlcs_error err = {0};

    (void)dlcs_error_set(&err, DLCS_ETOOLARGE, "the body is larger than %s (%ld bytes)",
                         limit_name(r), r->limit);
    return refuse(c, r, &err, NULL);
}

/* Count 'bytes' more of this request's body against the server's in-memory cap. */
static bool reserve_buffered(struct http_request *r, long bytes)
{
    r->reserved += bytes; /* given back by release_body, refused or not */
    return atomic_fetch_add(&r->server->buffered, bytes) + bytes <= r->server->max_buffered;
}

static enum MHD_Result refuse_buffer_full(struct MHD_Connection *c, struct http_request *r)
{
    return refuse_with(c, r, DLCS_EBUSY, "the server holds too many request bodies now; try again",
                       NULL);
}

/* Where the body goes: memory (reserved under the server's cap) or a spool file. */
static enum MHD_Result prepare_body(struct MHD_Connection *c, struct http_request *r,
                                    long long length)
{
    struct dlcs_http_server *s = r->server;
    struct dlcs_error err = {0};

    if (length > r->limit) {
        (void)dlcs_error_set(&err, DLCS_ETOOLARGE,
                             "the body (%lld bytes) is larger than %s (%ld bytes)", length,
                             limit_name(r), r->limit);
        return refuse(c, r, &err, NULL);
    }
    if (length > s->max_body && s->spool_dir) {
        r->spool_path = dlcs_xasprintf("%s/body-XXXXXX", s->spool_dir);
        r->spool_fd = mkostemp(r->spool_path, O_CLOEXEC);
        if (r->spool_fd < 0) {
            free(r->spool_path);
            r->spool_path = NULL;
            return refuse_with(c, r, errno == ENOSPC ? DLCS_ENOSPACE : DLCS_EBUSY,
                               "no scratch space for the request body", NULL);
        }
        return MHD_YES;
    }
    if (length > 0) {
        if (!reserve_buffered(r, (long)length))
            return refuse_buffer_full(c, r);
        r->u.binary_body = dlcs_xmalloc((size_t)length);
        r->cap = (size_t)length;
    }
    return MHD_YES;
}

static enum MHD_Result on_head(struct MHD_Connection *c, struct http_request *r, const char *method,
                               const char *version)
{
    struct dlcs_http_server *s = r->server;
    struct head_scan h = {0};
    char allow[128];
    struct dlcs_error err = {0};
    long long length;
    bool known;
    enum MHD_Result ok;

    fill_request(c, r, method, version, &h);
    choose_request_id(r);
    length = declared_length(&h);
    ok = framing_checks(c, r, &h, length);
    if (ok != MHD_YES || r->answered)
        return ok;
    known = dlcs_http_routes_match(s, method, r->u.url_path, &r->route, r->u.map_url, allow,
                                   sizeof allow);
    if (!r->route) {
        if (known && strcmp(method, "OPTIONS") == 0)
            return MHD_YES; /* answered with Allow when the (empty) request is complete */
        (void)dlcs_error_set(&err, known ? DLCS_EMETHOD : DLCS_ENOTFOUND,
                             known ? "%s is not a method of this resource" : "no resource at '%s'",
                             known ? method : r->u.url_path);
        return refuse(c, r, &err, known ? allow : NULL);
    }
    if (r->route->r.body == DLCS_HTTP_BODY_NONE && (length > 0 || h.chunked))
        return refuse_with(c, r, DLCS_ETOOLARGE, "this resource takes no request body", NULL);
    r->limit = s->max_body;
    if (r->route->r.admit &&
        r->route->r.admit(&r->u, (void *)(uintptr_t)r->route->r.data, &r->limit, &err) != DLCS_OK)
        return refuse(c, r, &err, NULL);
    return prepare_body(c, r, length);
}

/* ---- the body ---- */

static enum MHD_Result on_chunk(struct MHD_Connection *c, struct http_request *r, const char *data,
                                size_t size)
{
    if ((long long)(r->received + size) > (long long)r->limit)
        return refuse_too_large(c, r);
    if (r->spool_fd >= 0) {
        for (size_t done = 0; done < size;) {
            ssize_t n = write(r->spool_fd, data + done, size - done);

            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                return refuse_with(c, r, errno == ENOSPC ? DLCS_ENOSPACE : DLCS_EUPSTREAM,
                                   "cannot write the request body to scratch space", NULL);
            done += (size_t)n;
        }
    } else {
        if (r->received + size > r->cap) { /* chunked: grows, counted as it grows */
            size_t grow = r->received + size - r->cap;

            if (!reserve_buffered(r, (long)grow))
                return refuse_buffer_full(c, r);
            r->cap += grow;
            r->u.binary_body = dlcs_xrealloc(r->u.binary_body, r->cap);
        }
        memcpy((char *)r->u.binary_body + r->received, data, size);
    }
    r->received += size;
    r->u.binary_body_length = r->received;
    return MHD_YES;
}

/* A spooled body is mapped read-only where handlers look for it. */
static bool map_spooled(struct http_request *r)
{
    if (r->spool_fd < 0 || r->received == 0)
        return true;
    r->map = mmap(NULL, r->received, PROT_READ, MAP_SHARED, r->spool_fd, 0);
    if (r->map == MAP_FAILED) {
        r->map = NULL;
        return false;
    }
    r->u.binary_body = r->map;
    r->u.binary_body_length = r->received;
    return true;
}

static enum MHD_Result on_complete(struct MHD_Connection *c, struct http_request *r)
{
    struct _u_response res;
    enum MHD_Result ok;
    char allow[128];

    if (!r->route) { /* OPTIONS on a known path */
        const struct http_route *none;

        ulfius_init_response(&res);
        (void)dlcs_http_routes_match(r->server, "OPTIONS", r->u.url_path, &none, NULL, allow,
                                     sizeof allow);
        u_map_put(res.map_header, "Allow", allow);
        ulfius_set_empty_body_response(&res, 204);
    } else {
        if (!map_spooled(r))
            return refuse_with(c, r, DLCS_EUPSTREAM, "cannot read the spooled request body", NULL);
        ulfius_init_response(&res);
        (void)r->route->r.handler(&r->u, &res, (void *)(uintptr_t)r->route->r.data);
    }
    u_map_put(res.map_header, "X-Request-Id", dlcs_log_request());
    ok = queue(c, &res);
    ulfius_clean_response(&res);
    return ok;
}

enum MHD_Result dlcs_http_on_request(void *cls, struct MHD_Connection *c, const char *url,
                                     const char *method, const char *version, const char *upload,
                                     size_t *upload_size, void **con_cls)
{
    struct http_request *r = *con_cls;

    (void)cls;
    (void)url;
    if (!r)
        return MHD_NO;
    if (!r->headers_done) {
        r->headers_done = true;
        return on_head(c, r, method, version);
    }
    dlcs_log_set_request(r->req_id);
    if (r->answered) { /* refused early: what still arrives is dropped */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        enum MHD_Result ok = on_chunk(c, r, upload, *upload_size);

        *upload_size = 0;
        return ok;
    }
    return on_complete(c, r);
}
