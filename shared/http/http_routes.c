/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The route table: patterns split into segments once, matched against the raw request path
 * segment by segment, so that an encoded '/' (%2F) stays inside its segment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/mem.h"

#include "http_internal.h"

enum dlcs_status dlcs_http_server_route(struct dlcs_http_server *s, const struct dlcs_http_route *r,
                                        struct dlcs_error *err)
{
    struct http_route route = {.r = *r};
    char *copy, *save = NULL;

    if (!r->pattern || r->pattern[0] != '/' || !r->method || !r->handler)
        return dlcs_error_set(err, DLCS_EINVAL, "a route needs a method, a handler and a path");
    copy = dlcs_xstrdup(r->pattern);
    for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (route.count == HTTP_MAX_SEGMENTS || route.rest) {
            for (int i = 0; i < route.count; i++)
                free(route.segs[i]);
            free(copy);
            return dlcs_error_set(err, DLCS_EINVAL, "route pattern '%s' is not usable", r->pattern);
        }
        if (strcmp(t, "*") == 0) {
            route.rest = true;
            continue;
        }
        route.literals += t[0] != ':';
        route.segs[route.count++] = dlcs_xstrdup(t);
    }
    free(copy);
    if (s->route_count == s->route_cap) {
        s->route_cap = s->route_cap ? s->route_cap * 2 : 32;
        s->routes = dlcs_xrealloc(s->routes, s->route_cap * sizeof *s->routes);
    }
    s->routes[s->route_count++] = route;
    return DLCS_OK;
}

void dlcs_http_routes_free(struct dlcs_http_server *s)
{
    for (size_t i = 0; i < s->route_count; i++)
        for (int j = 0; j < s->routes[i].count; j++)
            free(s->routes[i].segs[j]);
    free(s->routes);
    s->routes = NULL;
    s->route_count = s->route_cap = 0;
}

/* The raw path's segments (a trailing '/' ignored): pointers into 'buf'. -1 when too many. */
static int split_path(const char *path, char *buf, size_t cap, const char **segs, int max)
{
    size_t n = strlen(path);
    int count = 0;
    char *p;

    if (n >= cap)
        return -1;
    memcpy(buf, path, n + 1);
    if (n > 1 && buf[n - 1] == '/')
        buf[n - 1] = '\0';
    p = buf + 1;
    if (*p == '\0')
        return 0;
    while (p) {
        char *slash = strchr(p, '/');

        if (count == max)
            return -1;
        if (slash)
            *slash = '\0';
        segs[count++] = p;
        p = slash ? slash + 1 : NULL;
    }
    return count;
}

static bool route_has_path(const struct http_route *r, const char **segs, int count)
{
    if (count < r->count || (!r->rest && count != r->count))
        return false;
    for (int i = 0; i < r->count; i++) {
        if (r->segs[i][0] == ':') {
            if (segs[i][0] == '\0')
                return false;
        } else if (strcmp(r->segs[i], segs[i]) != 0) {
            return false;
        }
    }
    return true;
}

static bool method_fits(const char *route_method, const char *method)
{
    return strcmp(route_method, "*") == 0 || strcmp(route_method, method) == 0 ||
           (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

static void allow_add(char *allow, size_t cap, const char *method)
{
    size_t len = strlen(allow), n = strlen(method);
    const char *p = allow;

    while ((p = strstr(p, method)) != NULL) { /* already listed */
        if ((p == allow || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
            return;
        p += n;
    }
    if (len + n + 3 < cap)
        (void)snprintf(allow + len, cap - len, "%s%s", len ? ", " : "", method);
}

/* The chosen route's ":name" segments into 'map', percent-decoded (the target is clean). */
static void put_params(const struct http_route *route, const char **segs, struct _u_map *map)
{
    for (int i = 0; i < route->count; i++) {
        if (route->segs[i][0] == ':') {
            char *v = dlcs_xstrdup(segs[i]);

            (void)dlcs_http_percent_decode(v);
            u_map_put(map, route->segs[i] + 1, v);
            free(v);
        }
    }
}

bool dlcs_http_routes_match(const struct dlcs_http_server *s, const char *method, const char *path,
                            const struct http_route **out, struct _u_map *params, char *allow,
                            size_t allow_cap)
{
    char buf[8192];
    const char *segs[64];
    int count = split_path(path, buf, sizeof buf, segs, 64);
    bool known = false;

    *out = NULL;
    allow[0] = '\0';
    if (count < 0)
        return false;
    for (size_t i = 0; i < s->route_count; i++) {
        const struct http_route *r = &s->routes[i];

        if (!route_has_path(r, segs, count))
            continue;
        known = true;
        if (strcmp(r->r.method, "*") == 0) {
            allow_add(allow, allow_cap, "GET, HEAD, OPTIONS");
        } else {
            allow_add(allow, allow_cap, r->r.method);
            if (strcmp(r->r.method, "GET") == 0)
                allow_add(allow, allow_cap, "HEAD");
        }
        if (method_fits(r->r.method, method) && (!*out || r->literals > (*out)->literals))
            *out = r;
    }
    if (known)
        allow_add(allow, allow_cap, "OPTIONS");
    if (*out && params)
        put_params(*out, segs, params);
    return known;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool dlcs_http_target_is_clean(const char *raw)
{
    for (const char *p = raw; *p; p++) {
        unsigned char c = (unsigned char)*p;

        if (c < 0x20 || c == 0x7f)
            return false;
        if (c == '%') {
            int hi = hex_value(p[1]), lo = hi < 0 ? -1 : hex_value(p[2]);
            int v = hi * 16 + lo;

            if (lo < 0 || v < 0x20 || v == 0x7f)
                return false;
            p += 2;
        }
    }
    return true;
}

bool dlcs_http_percent_decode(char *s)
{
    char *out = s;

    for (; *s; s++) {
        if (*s == '%') {
            int hi = hex_value(s[1]), lo = hi < 0 ? -1 : hex_value(s[2]);

            if (lo < 0 || (hi == 0 && lo == 0))
                return false;
            *out++ = (char)(hi * 16 + lo);
            s += 2;
        } else {
            *out++ = *s;
        }
    }
    *out = '\0';
    return true;
}
