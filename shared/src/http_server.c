/* SPDX-License-Identifier: Apache-2.0 */
/* The shared HTTP listener over ulfius/libmicrohttpd. */
#include "dlcs/http_server.h"

#include <arpa/inet.h>
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

struct dlcs_http_server {
    struct _u_instance inst;
    struct sockaddr_in addr;
    int fd;
    int port;
    int threads;
    char *port_file;
    void (*on_thread_done)(void);
    bool started;
};

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

/* Runs first on every request: request id in, request id out. */
static int tag_request(const struct _u_request *req, struct _u_response *res, void *data)
{
    const char *given = u_map_get_case(req->map_header, "X-Request-Id");
    char made[17];

    (void)data;
    if (!given || !*given) {
        dlcs_id_random_hex(made, 8);
        given = made;
    }
    dlcs_log_set_request(given);
    u_map_put(res->map_header, "X-Request-Id", dlcs_log_request());
    return U_CALLBACK_CONTINUE;
}

static int not_found(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct dlcs_error err = {0};

    (void)data;
    (void)dlcs_error_set(&err, DLCS_ENOTFOUND, "no resource at '%s'", req->url_path);
    return dlcs_http_send_error(req, res, &err);
}

enum dlcs_status dlcs_http_server_new(const struct dlcs_http_options *opt,
                                      struct dlcs_http_server **out, struct dlcs_error *err)
{
    struct dlcs_http_server *s = dlcs_xcalloc(1, sizeof *s);

    *out = NULL;
    s->fd = -1;
    if (bind_socket(s, opt, err) != DLCS_OK ||
        ulfius_init_instance(&s->inst, (unsigned)s->port, &s->addr, "dlcs") != U_OK) {
        if (s->fd >= 0)
            close(s->fd);
        free(s);
        return err && err->code ? err->code
                                : dlcs_error_set(err, DLCS_EINTERNAL, "cannot set up ulfius");
    }
    s->inst.max_post_body_size = (size_t)opt->max_body;
    s->threads = opt->threads;
    s->port_file = dlcs_xstrdup_or_null(opt->port_file);
    s->on_thread_done = opt->on_thread_done;
    /* priority 0 runs first on every request; the last one answers what nothing else did */
    ulfius_add_endpoint_by_val(&s->inst, "*", "*", NULL, 0, tag_request, NULL);
    ulfius_add_endpoint_by_val(&s->inst, "*", "*", NULL, DLCS_HTTP_LAST_PRIORITY, not_found, NULL);
    ulfius_set_default_endpoint(&s->inst, not_found, NULL);
    *out = s;
    return DLCS_OK;
}

struct _u_instance *dlcs_http_server_instance(struct dlcs_http_server *s)
{
    return &s->inst;
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
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)mhd_request_completed, NULL},
        {MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)ulfius_uri_logger, NULL},
        {MHD_OPTION_LISTEN_SOCKET, s->fd, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, 60, NULL},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, s},
        {s->threads > 0 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, s->threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
                     (s->threads > 0 ? MHD_USE_EPOLL : MHD_USE_THREAD_PER_CONNECTION);

    if (ulfius_start_framework_with_mhd_options(&s->inst, flags, ops) != U_OK)
        return dlcs_error_set(err, DLCS_EUPSTREAM, "cannot start the HTTP server on port %d",
                              s->port);
    s->started = true;
    if (s->port_file)
        return write_port_file(s->port_file, s->port, err);
    return DLCS_OK;
}

void dlcs_http_server_free(struct dlcs_http_server *s)
{
    if (!s)
        return;
    if (s->started)
        ulfius_stop_framework(&s->inst);
    ulfius_clean_instance(&s->inst);
    if (s->fd >= 0)
        close(s->fd);
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
    if (status >= 500)
        dlcs_log_kv(DLCS_LOG_ERROR, fields, "%s", err->message);
    else
        dlcs_log_kv(DLCS_LOG_INFO, fields, "%s", err->message);
    return dlcs_http_send_json(res, status, dlcs_hydra_error_from(err, req->http_url),
                               "application/problem+json");
}

/* A header value is safe to echo into a URL when it holds no spaces, quotes or controls. */
static int is_safe_host(const char *h)
{
    if (!h || !*h || strlen(h) > 255)
        return 0;
    for (; *h; h++) {
        if ((unsigned char)*h <= 0x20 || *h == '"' || *h == '/' || *h == '\\' || *h == 0x7f)
            return 0;
    }
    return 1;
}

char *dlcs_http_base_url(const struct _u_request *req, const char *configured)
{
    const char *proto = u_map_get_case(req->map_header, "X-Forwarded-Proto");
    const char *host = u_map_get_case(req->map_header, "X-Forwarded-Host");
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
