/* SPDX-License-Identifier: Apache-2.0 */
/* The shared HTTP listener over ulfius/libmicrohttpd. */
#include "dlcs/http_server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "dlcs/hydra.h"
#include "dlcs/ids.h"
#include "dlcs/json_util.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"

#include "http_internal.h"

static enum dlcs_status bind_socket(struct dlcs_http_server *s, const struct dlcs_http_options *o,
                                    struct dlcs_error *err)
{
    socklen_t len = sizeof s->addr;
    char why[128];
    int one = 1;

    s->addr.sin_family = AF_INET;
    s->addr.sin_port = htons((uint16_t)o->port);
    if (inet_pton(AF_INET, o->bind, &s->addr.sin_addr) != 1)
        return dlcs_error_set(err, DLCS_EINVAL, "DLCS_HTTP_BIND '%s' is not an IPv4 address",
                              o->bind);
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s->fd < 0 || setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(s->fd, (struct sockaddr *)&s->addr, sizeof s->addr) != 0 || listen(s->fd, 1024) != 0 ||
        getsockname(s->fd, (struct sockaddr *)&s->addr, &len) != 0) {
        (void)!strerror_r(errno, why, sizeof why);
        return dlcs_error_set(err, DLCS_EUPSTREAM, "cannot listen on %s:%d: %s", o->bind, o->port,
                              why);
    }
    s->port = ntohs(s->addr.sin_port);
    return DLCS_OK;
}

/* One "address[/bits]" of DLCS_HTTP_TRUSTED_PROXIES. */
static bool parse_net(const char *text, struct http_net *n)
{
    char buf[64];
    const char *slash = strchr(text, '/');
    size_t len = slash ? (size_t)(slash - text) : strlen(text);
    char *end = NULL;

    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    n->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
    if (inet_pton(n->family, buf, n->addr) != 1)
        return false;
    n->prefix = n->family == AF_INET ? 32 : 128;
    if (slash) {
        long bits = strtol(slash + 1, &end, 10);

        if (end == slash + 1 || *end || bits < 0 || bits > n->prefix)
            return false;
        n->prefix = (int)bits;
    }
    return true;
}

static enum dlcs_status parse_trusted(struct dlcs_http_server *s, const char *list,
                                      struct dlcs_error *err)
{
    char *copy = dlcs_xstrdup(list ? list : ""), *save = NULL;
    enum dlcs_status st = DLCS_OK;

    for (char *t = strtok_r(copy, ", ", &save); t && st == DLCS_OK;
         t = strtok_r(NULL, ", ", &save)) {
        if (s->trusted_count == (int)DLCS_ARRAY_LEN(s->trusted) ||
            !parse_net(t, &s->trusted[s->trusted_count]))
            st = dlcs_error_set(err, DLCS_EINVAL,
                                "DLCS_HTTP_TRUSTED_PROXIES: '%s' is not an address or "
                                "address/bits (at most 32 entries)",
                                t);
        else
            s->trusted_count++;
    }
    free(copy);
    return st;
}

static bool net_has(const struct http_net *n, int family, const unsigned char *addr)
{
    int full = n->prefix / 8, rest = n->prefix % 8;

    if (n->family != family || memcmp(n->addr, addr, (size_t)full) != 0)
        return false;
    return rest == 0 || ((n->addr[full] ^ addr[full]) & (0xff << (8 - rest))) == 0;
}

/* Whether the request's peer is one of the configured proxies (IPv4-mapped IPv6 as IPv4). */
static bool from_trusted_proxy(const struct _u_request *req)
{
    const struct http_request *r = (const struct http_request *)(const void *)req;
    const struct sockaddr *sa = req->client_address;
    const unsigned char *addr;
    int family;

    if (!r->server || r->server->trusted_count == 0 || !sa)
        return false;
    if (sa->sa_family == AF_INET) {
        family = AF_INET;
        addr = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
    } else if (sa->sa_family == AF_INET6) {
        family = AF_INET6;
        addr = (const unsigned char *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    } else {
        return false;
    }
    for (int i = 0; i < r->server->trusted_count; i++)
        if (net_has(&r->server->trusted[i], family, addr))
            return true;
    return false;
}

enum dlcs_status dlcs_http_server_new(const struct dlcs_http_options *opt,
                                      struct dlcs_http_server **out, struct dlcs_error *err)
{
    struct dlcs_http_server *s = dlcs_xcalloc(1, sizeof *s);

    *out = NULL;
    s->fd = -1;
    if (bind_socket(s, opt, err) != DLCS_OK) {
        if (s->fd >= 0)
            close(s->fd);
        free(s);
        return err->code;
    }
    if (parse_trusted(s, opt->trusted_proxies, err) != DLCS_OK) {
        close(s->fd);
        free(s);
        return err->code;
    }
    s->max_body = opt->max_body;
    s->max_buffered = opt->max_buffered > 0 ? opt->max_buffered : opt->max_body * 8;
    s->spool_dir = dlcs_xstrdup_or_null(opt->spool_dir);
    s->threads = opt->threads;
    s->port_file = dlcs_xstrdup_or_null(opt->port_file);
    s->on_thread_done = opt->on_thread_done;
    atomic_init(&s->buffered, 0);
    *out = s;
    return DLCS_OK;
}

int dlcs_http_server_port(const struct dlcs_http_server *s)
{
    return s->port;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];

    (void)cls;
    (void)vsnprintf(msg, sizeof msg, fmt, ap);
    msg[strcspn(msg, "\n")] = '\0';
    dlcs_log_library("microhttpd", DLCS_LOG_WARN, msg);
}

static enum dlcs_status write_port_file(const char *path, int port, struct dlcs_error *err)
{
    char tmp[4096];
    FILE *f;
    int n = snprintf(tmp, sizeof tmp, "%s.tmp", path);

    if (n < 0 || (size_t)n >= sizeof tmp)
        return dlcs_error_set(err, DLCS_EINVAL, "DLCS_PORT_FILE path is too long");
    f = fopen(tmp, "w");
    if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0 || rename(tmp, path) != 0)
        return dlcs_error_set(err, DLCS_EUPSTREAM, "cannot write the port file '%s'", path);
    return DLCS_OK;
}

/* With a thread per connection, "closed" is reported in that thread: the place to release
 * per-thread library state (libvips) before the thread ends. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
                          enum MHD_ConnectionNotificationCode toe)
{
    const struct dlcs_http_server *s = cls;

    (void)c;
    (void)socket_ctx;
    if (toe == MHD_CONNECTION_NOTIFY_CLOSED && s->on_thread_done)
        s->on_thread_done();
}

enum dlcs_status dlcs_http_server_start(struct dlcs_http_server *s, struct dlcs_error *err)
{
    struct MHD_OptionItem ops[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL}, /* must come first */
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)dlcs_http_on_completed, s},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)dlcs_http_on_uri, s},
        {MHD_OPTION_LISTEN_SOCKET, s->fd, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, 60, NULL},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, s},
        {s->threads > 0 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, s->threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
                     (s->threads > 0 ? MHD_USE_EPOLL : MHD_USE_THREAD_PER_CONNECTION);

    s->daemon = MHD_start_daemon(flags, (uint16_t)s->port, NULL, NULL, dlcs_http_on_request, s,
                                 MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
    if (!s->daemon)
        return dlcs_error_set(err, DLCS_EUPSTREAM, "cannot start the HTTP server on port %d",
                              s->port);
    if (s->port_file)
        return write_port_file(s->port_file, s->port, err);
    return DLCS_OK;
}

void dlcs_http_server_free(struct dlcs_http_server *s)
{
    if (!s)
        return;
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    if (s->fd >= 0)
        close(s->fd);
    dlcs_http_routes_free(s);
    free(s->spool_dir);
    free(s->port_file);
    free(s);
}

int dlcs_http_send_json(struct _u_response *res, unsigned status, json_t *body,
                        const char *content_type)
{
    char *text = dlcs_json_dump(body, 0);

    json_decref(body);
    u_map_put(res->map_header, "Content-Type", content_type ? content_type : "application/json");
    ulfius_set_string_body_response(res, status, text);
    free(text);
    return U_CALLBACK_COMPLETE;
}

int dlcs_http_send_error(const struct _u_request *req, struct _u_response *res,
                         const struct dlcs_error *err)
{
    unsigned status = dlcs_status_http(err->code);
    char fields[96];

    (void)snprintf(fields, sizeof fields, "status=%u method=%s", status,
                   req->http_verb ? req->http_verb : "-");
    /* every "busy" answer, and a store or queue that fails, API or delivery, says when to retry */
    if (err->code == DLCS_EBUSY || err->code == DLCS_EUPSTREAM)
        u_map_put(res->map_header, "Retry-After", "1");
    if (status >= 500)
        dlcs_log_kv(DLCS_LOG_ERROR, fields, "%s", err->message);
    else
        dlcs_log_kv(DLCS_LOG_INFO, fields, "%s", err->message);
    return dlcs_http_send_json(res, status, dlcs_hydra_error_from(err, req->http_url),
                               "application/problem+json");
}

/* A host header is echoed into URLs only when it is a plain host[:port] (names, IPv4, [IPv6]). */
static int is_safe_host(const char *h)
{
    if (!h || !*h || strlen(h) > 255)
        return 0;
    for (; *h; h++) {
        if (!isalnum((unsigned char)*h) && !strchr(".-_:[]", *h))
            return 0;
    }
    return 1;
}

static bool is_path_char(unsigned char c)
{
    return isalnum(c) || (c && strchr("-._~!$&'()*+,;=:@/", c));
}

/* Bytes kept as they are: path characters, and (keep_escapes) a valid %XX escape. */
static bool kept(const char *raw, size_t len, size_t i, bool in_segment, bool keep_escapes)
{
    unsigned char c = (unsigned char)raw[i];

    if (c == '%')
        return keep_escapes && i + 2 < len && isxdigit((unsigned char)raw[i + 1]) &&
               isxdigit((unsigned char)raw[i + 2]);
    return is_path_char(c) && !(in_segment && c == '/');
}

static char *percent_encode(const char *raw, size_t len, bool in_segment, bool keep_escapes)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = dlcs_xmalloc(len * 3 + 1), *o = out;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)raw[i];

        if (kept(raw, len, i, in_segment, keep_escapes)) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    *o = '\0';
    return out;
}

char *dlcs_http_segment_encode(const char *segment)
{
    return percent_encode(segment, strlen(segment), true, false);
}

char *dlcs_http_target_encode(const char *raw, size_t len)
{
    return percent_encode(raw, len, false, true);
}

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;

    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

uint64_t dlcs_http_client_key(const struct _u_request *req)
{
    const struct sockaddr *sa = req->client_address;
    const char *xff =
        from_trusted_proxy(req) ? u_map_get_case(req->map_header, "X-Forwarded-For") : NULL;
    uint64_t h = 1469598103934665603ULL;

    if (xff && *xff)
        return fnv(h, xff, strcspn(xff, ", "));
    if (sa && sa->sa_family == AF_INET)
        return fnv(h, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
    if (sa && sa->sa_family == AF_INET6)
        return fnv(h, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
    return h;
}

char *dlcs_http_base_url(const struct _u_request *req, const char *configured)
{
    const bool trusted = from_trusted_proxy(req);
    const char *proto = trusted ? u_map_get_case(req->map_header, "X-Forwarded-Proto") : NULL;
    const char *host = trusted ? u_map_get_case(req->map_header, "X-Forwarded-Host") : NULL;
    size_t len;

    if (configured && *configured) {
        len = strlen(configured);
        while (len > 0 && configured[len - 1] == '/')
            len--;
        return dlcs_xstrndup(configured, len);
    }
    if (!is_safe_host(host))
        host = u_map_get_case(req->map_header, "Host");
    if (!is_safe_host(host))
        host = "localhost";
    if (!proto || (strcmp(proto, "https") != 0 && strcmp(proto, "http") != 0))
        proto = "http";
    return dlcs_xasprintf("%s://%s", proto, host);
}
