/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Structured logging: one logfmt line per event on stderr, written with a single write(2) so
 * that lines from different threads never interleave. Library logs are routed here too.
 */
#ifndef DLCS_LOG_H
#define DLCS_LOG_H

#include <stdatomic.h>

#include "dlcs/error.h"

enum dlcs_log_level {
    DLCS_LOG_ERROR = 0,
    DLCS_LOG_WARN,
    DLCS_LOG_INFO,
    DLCS_LOG_DEBUG,
};

/* The one mutable logging global: events above this level are dropped before formatting. */
extern _Atomic int dlcs_log_threshold;

/*
 * Log an event whose message is printf-formatted and written as msg="..." (quoted, escaped).
 * Arguments are not evaluated when the level is disabled. Thread-safe.
 */
#define dlcs_log(level, ...)                                                                       \
    do {                                                                                           \
        if ((int)(level) <= atomic_load_explicit(&dlcs_log_threshold, memory_order_relaxed))       \
            dlcs_log_emit((level), NULL, __VA_ARGS__);                                             \
    } while (0)

/*
 * Like dlcs_log(), with extra logfmt 'fields' ("key=value key2=value2") appended after msg.
 * The caller makes sure the values in 'fields' need no quoting (or quotes them itself).
 */
#define dlcs_log_kv(level, fields, ...)                                                            \
    do {                                                                                           \
        if ((int)(level) <= atomic_load_explicit(&dlcs_log_threshold, memory_order_relaxed))       \
            dlcs_log_emit((level), (fields), __VA_ARGS__);                                         \
    } while (0)

/* The formatting half of dlcs_log(); call the macros instead. */
void dlcs_log_emit(enum dlcs_log_level level, const char *fields, const char *fmt, ...)
    DLCS_PRINTF(3, 4);

/* Set the process-wide threshold (also done by dlcs_log_setup). Thread-safe. */
void dlcs_log_set_level(enum dlcs_log_level level);

/* Parse "error", "warn", "info", "debug" into '*out'. DLCS_EINVAL on anything else. */
enum dlcs_status dlcs_log_level_parse(const char *s, enum dlcs_log_level *out,
                                      struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Name of a level ("info"). Borrowed, static. */
const char *dlcs_log_level_name(enum dlcs_log_level level);

/*
 * Set the service name (svc=) written on every line; 'svc' is copied (at most 31 bytes).
 * Call before threads start.
 */
void dlcs_log_set_service(const char *svc);

/*
 * Set (or clear with NULL) the request id written as req= on lines logged by this thread.
 * The id is copied (at most 63 bytes); characters outside [A-Za-z0-9._-] are dropped.
 */
void dlcs_log_set_request(const char *req_id);

/* The calling thread's request id, "" if none. Borrowed: valid until the next set call. */
const char *dlcs_log_request(void);

/*
 * Entry point for library log handlers: 'lib' names the library (lib=...), 'level' is ours.
 * Thread-safe; used by the yder and GLib routes below and by the Kafka/MongoDB adapters.
 */
void dlcs_log_library(const char *lib, enum dlcs_log_level level, const char *message);

/*
 * Route ulfius' yder logs and GLib's (libvips') logs into dlcs_log. Call once at start-up,
 * before threads start. Idempotent.
 */
void dlcs_log_route_libraries(void);

/*
 * Redirect the output to 'fd' instead of stderr (tests capture lines through a pipe).
 * Not thread-safe with concurrent logging; call before threads start.
 */
void dlcs_log_set_fd(int fd);

#endif /* DLCS_LOG_H */
