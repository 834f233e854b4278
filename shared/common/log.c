/* SPDX-License-Identifier: Apache-2.0 */
/* logfmt lines on stderr, one write(2) per line, with svc= and the thread's req=. */
#include "dlcs/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <yder.h>

_Atomic int dlcs_log_threshold = DLCS_LOG_INFO;

static char log_service[32] = "dlcs";
static int log_fd = STDERR_FILENO;
static _Thread_local char log_request[64];

static const char *const level_names[] = {"error", "warn", "info", "debug"};

const char *dlcs_log_level_name(enum dlcs_log_level level)
{
    if ((size_t)level >= DLCS_ARRAY_LEN(level_names))
        return "debug";
    return level_names[level];
}

void dlcs_log_set_level(enum dlcs_log_level level)
{
    atomic_store(&dlcs_log_threshold, (int)level);
}

enum dlcs_status dlcs_log_level_parse(const char *s, enum dlcs_log_level *out,
                                      struct dlcs_error *err)
{
    for (size_t i = 0; i < DLCS_ARRAY_LEN(level_names); i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum dlcs_log_level)i;
            return DLCS_OK;
        }
    }
    return dlcs_error_set(err, DLCS_EINVAL, "log level '%s' is not one of error, warn, info, debug",
                          s);
}

void dlcs_log_set_service(const char *svc)
{
    (void)snprintf(log_service, sizeof log_service, "%s", svc);
}

void dlcs_log_set_fd(int fd)
{
    log_fd = fd;
}

static int is_id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

void dlcs_log_set_request(const char *req_id)
{
    size_t n = 0;

    if (req_id) {
        for (; *req_id && n + 1 < sizeof log_request; req_id++) {
            if (is_id_char(*req_id))
                log_request[n++] = *req_id;
        }
    }
    log_request[n] = '\0';
}

const char *dlcs_log_request(void)
{
    return log_request;
}

/* A bounded line under construction; appends past the end are cut, never overflow. */
struct line {
    char buf[2048];
    size_t len;
};

static void line_add(struct line *l, const char *s, size_t n)
{
    size_t room = sizeof l->buf - 2 - l->len; /* keep space for "\n" and NUL */

    if (n > room)
        n = room;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

static void line_adds(struct line *l, const char *s)
{
    line_add(l, s, strlen(s));
}

/* Append 's' as a logfmt quoted value: quotes and backslashes escaped, control chars dropped. */
static void line_add_quoted(struct line *l, const char *s)
{
    line_add(l, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\') {
            line_add(l, "\\", 1);
            line_add(l, s, 1);
        } else if (c == '\n' || c == '\r' || c == '\t') {
            line_add(l, " ", 1);
        } else if (c >= 0x20 && c != 0x7f) {
            line_add(l, s, 1);
        }
    }
    line_add(l, "\"", 1);
}

static void line_add_timestamp(struct line *l)
{
    struct timespec ts;
    struct tm tm;
    char buf[40];
    int n;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = snprintf(buf, sizeof buf, "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 ts.tv_nsec / 1000000L);
    if (n > 0)
        line_add(l, buf, (size_t)n);
}

static void emit(enum dlcs_log_level level, const char *lib, const char *fields, const char *msg)
{
    struct line l = {.len = 0};

    line_add_timestamp(&l);
    line_adds(&l, " level=");
    line_adds(&l, dlcs_log_level_name(level));
    line_adds(&l, " svc=");
    line_adds(&l, log_service);
    if (log_request[0]) {
        line_adds(&l, " req=");
        line_adds(&l, log_request);
    }
    if (lib) {
        line_adds(&l, " lib=");
        line_adds(&l, lib);
    }
    line_adds(&l, " msg=");
    line_add_quoted(&l, msg);
    if (fields && *fields) {
        line_adds(&l, " ");
        line_adds(&l, fields);
    }
    l.buf[l.len++] = '\n';
    (void)!write(log_fd, l.buf, l.len);
}

void dlcs_log_emit(enum dlcs_log_level level, const char *fields, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    emit(level, NULL, fields, msg);
}

void dlcs_log_library(const char *lib, enum dlcs_log_level level, const char *message)
{
    if ((int)level > atomic_load_explicit(&dlcs_log_threshold, memory_order_relaxed))
        return;
    emit(level, lib, NULL, message ? message : "");
}

static enum dlcs_log_level from_yder(unsigned long level)
{
    switch (level) {
    case Y_LOG_LEVEL_ERROR:
        return DLCS_LOG_ERROR;
    case Y_LOG_LEVEL_WARNING:
        return DLCS_LOG_WARN;
    case Y_LOG_LEVEL_INFO:
        return DLCS_LOG_INFO;
    default:
        return DLCS_LOG_DEBUG;
    }
}

static void yder_to_log(void *cls, const char *app, const time_t date, const unsigned long level,
                        const char *message)
{
    (void)cls;
    (void)app;
    (void)date;
    dlcs_log_library("ulfius", from_yder(level), message);
}

static void glib_to_log(const gchar *domain, GLogLevelFlags flags, const gchar *message,
                        gpointer data)
{
    enum dlcs_log_level level = DLCS_LOG_DEBUG;

    (void)data;
    if (flags & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
        level = DLCS_LOG_ERROR;
    else if (flags & G_LOG_LEVEL_WARNING)
        level = DLCS_LOG_WARN;
    else if (flags & G_LOG_LEVEL_MESSAGE)
        level = DLCS_LOG_INFO; /* GLib's INFO is chatty (libvips traces every operation) */
    dlcs_log_library(domain ? domain : "glib", level, message);
}

void dlcs_log_route_libraries(void)
{
    static int routed;

    if (routed)
        return;
    routed = 1;
    /* ulfius logs through yder; the callback mode hands us every message, at any level. */
    y_init_logs("dlcs", Y_LOG_MODE_CALLBACK, Y_LOG_LEVEL_DEBUG, NULL, NULL);
    y_set_logs_callback(yder_to_log, NULL, NULL);
    g_log_set_default_handler(glib_to_log, NULL);
}
