/* SPDX-License-Identifier: Apache-2.0 */
/* The loopback origin of the ingest tests. */
#include "origin_server.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ulfius.h>

#include "dlcs/http_server.h"

#include "fixtures.h"

#define FLAKY_SLOTS 16

struct origin_server {
    struct dlcs_http_server *http;
    char dir[512];
    pthread_mutex_t mu;
    char flaky_names[FLAKY_SLOTS][64];
    int flaky_counts[FLAKY_SLOTS];
    atomic_bool stopping;
    atomic_int slow_started; /* requests /slow/ has begun to answer */
};

static int send_file(const struct origin_server *s, const char *name, struct _u_response *res)
{
    char path[700];
    size_t len = 0;
    char *buf;

    if (strchr(name, '/') || strstr(name, "..")) {
        ulfius_set_string_body_response(res, 400, "bad name");
        return U_CALLBACK_COMPLETE;
    }
    (void)snprintf(path, sizeof path, "%s/%s", s->dir, name);
    buf = fixtures_read(path, &len);
    if (!buf) {
        ulfius_set_string_body_response(res, 404, "no such file");
        return U_CALLBACK_COMPLETE;
    }
    u_map_put(res->map_header, "Content-Type", "application/octet-stream");
    ulfius_set_binary_body_response(res, 200, buf, len);
    free(buf);
    return U_CALLBACK_COMPLETE;
}

static int on_img(const struct _u_request *req, struct _u_response *res, void *data)
{
    return send_file(data, u_map_get(req->map_url, "name"), res);
}

static int on_auth(const struct _u_request *req, struct _u_response *res, void *data)
{
    if (!req->auth_basic_user || !req->auth_basic_password ||
        strcmp(req->auth_basic_user, "user") != 0 ||
        strcmp(req->auth_basic_password, "secret") != 0) {
        u_map_put(res->map_header, "WWW-Authenticate", "Basic realm=\"origin\"");
        ulfius_set_string_body_response(res, 401, "who are you");
        return U_CALLBACK_COMPLETE;
    }
    return send_file(data, u_map_get(req->map_url, "name"), res);
}

static int on_redirect(const struct _u_request *req, struct _u_response *res, void *data)
{
    int n = (int)strtol(u_map_get(req->map_url, "n"), NULL, 10);
    const char *name = u_map_get(req->map_url, "name");
    char next[300];

    (void)data;
    if (n <= 1)
        (void)snprintf(next, sizeof next, "/img/%s", name);
    else
        (void)snprintf(next, sizeof next, "/redirect/%d/%s", n - 1, name);
    u_map_put(res->map_header, "Location", next);
    ulfius_set_string_body_response(res, 302, "moved");
    return U_CALLBACK_COMPLETE;
}

static int on_flaky(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct origin_server *s = data;
    const char *name = u_map_get(req->map_url, "name");
    int fails = (int)strtol(u_map_get(req->map_url, "k"), NULL, 10);
    int seen = 0, slot = -1;

    pthread_mutex_lock(&s->mu);
    for (int i = 0; i < FLAKY_SLOTS && slot < 0; i++) {
        if (strcmp(s->flaky_names[i], name) == 0 || s->flaky_names[i][0] == '\0')
            slot = i;
    }
    if (slot >= 0) {
        (void)snprintf(s->flaky_names[slot], sizeof s->flaky_names[slot], "%s", name);
        seen = s->flaky_counts[slot]++;
    }
    pthread_mutex_unlock(&s->mu);
    if (seen < fails) {
        ulfius_set_string_body_response(res, 500, "try again");
        return U_CALLBACK_COMPLETE;
    }
    return send_file(s, name, res);
}

static int on_slow(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct origin_server *s = data;
    struct timespec ts = {2, 0};

    atomic_fetch_add(&s->slow_started, 1);
    nanosleep(&ts, NULL);
    return send_file(data, u_map_get(req->map_url, "name"), res);
}

/* Never answers (up to a minute, or until the origin server stops): a stuck origin. */
static int on_hang(const struct _u_request *req, struct _u_response *res, void *data)
{
    struct origin_server *s = data;
    struct timespec ts = {0, 100 * 1000000L};

    (void)req;
    for (int i = 0; i < 600 && !atomic_load(&s->stopping); i++)
        nanosleep(&ts, NULL);
    ulfius_set_string_body_response(res, 504, "gave up");
    return U_CALLBACK_COMPLETE;
}

static int on_status(const struct _u_request *req, struct _u_response *res, void *data)
{
    (void)data;
    ulfius_set_string_body_response(
        res, (unsigned)strtol(u_map_get(req->map_url, "code"), NULL, 10), "status");
    return U_CALLBACK_COMPLETE;
}

struct origin_server *origin_server_start(const char *dir)
{
    const struct dlcs_http_options opt = {"127.0.0.1", 0, 0, 1 << 20, 0, NULL, NULL, NULL, NULL};
    struct origin_server *s = calloc(1, sizeof *s);
    struct dlcs_error err = {0};

    (void)snprintf(s->dir, sizeof s->dir, "%s", dir);
    pthread_mutex_init(&s->mu, NULL);
    if (dlcs_http_server_new(&opt, &s->http, &err) != DLCS_OK) {
        fprintf(stderr, "origin server: %s\n", err.message);
        free(s);
        return NULL;
    }
    {
        const struct dlcs_http_route routes[] = {
            {"GET", "/img/:name", on_img, s, DLCS_HTTP_BODY_NONE, NULL},
            {"GET", "/auth/:name", on_auth, s, DLCS_HTTP_BODY_NONE, NULL},
            {"GET", "/redirect/:n/:name", on_redirect, s, DLCS_HTTP_BODY_NONE, NULL},
            {"GET", "/flaky/:k/:name", on_flaky, s, DLCS_HTTP_BODY_NONE, NULL},
            {"GET", "/slow/:name", on_slow, s, DLCS_HTTP_BODY_NONE, NULL},
            {"GET", "/hang/:name", on_hang, s, DLCS_HTTP_BODY_NONE, NULL},
            {"GET", "/status/:code", on_status, s, DLCS_HTTP_BODY_NONE, NULL},
        };

        for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
            if (dlcs_http_server_route(s->http, &routes[i], &err) != DLCS_OK)
                fprintf(stderr, "origin server: %s\n", err.message);
    }
    if (dlcs_http_server_start(s->http, &err) != DLCS_OK) {
        fprintf(stderr, "origin server: %s\n", err.message);
        origin_server_stop(s);
        return NULL;
    }
    return s;
}

int origin_server_slow_started(struct origin_server *s)
{
    return atomic_load(&s->slow_started);
}

int origin_server_port(const struct origin_server *s)
{
    return dlcs_http_server_port(s->http);
}

void origin_server_stop(struct origin_server *s)
{
    if (!s)
        return;
    atomic_store(&s->stopping, true);
    dlcs_http_server_free(s->http);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
