/* SPDX-License-Identifier: Apache-2.0 */
/* The settings table: every DLCS_* variable, its type, bounds and default, in one place. */
#include "dlcs/config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dlcs/mem.h"

enum setting_type {
    SETTING_INT,
    SETTING_LONG,
    SETTING_STRING,
    SETTING_BOOL,
    SETTING_LOG_LEVEL,
};

enum setting_flags {
    SETTING_SECRET = 1 << 0,        /* masked by --print-config */
    SETTING_DEFAULT_NPROC = 1 << 1, /* unset means the number of online cores */
};

struct setting {
    const char *name;
    enum setting_type type;
    size_t offset;
    const char *def; /* NULL: unset by default */
    long min, max;
    unsigned flags;
    const char *help;
};

#define FIELD(f) offsetof(struct dlcs_config, f)

static const struct setting settings[] = {
    {"DLCS_HTTP_PORT", SETTING_INT, FIELD(http_port), "8080", 0, 65535, 0,
     "HTTP listener port; 0 picks a free one"},
    {"DLCS_HTTP_BIND", SETTING_STRING, FIELD(http_bind), "0.0.0.0", 0, 0, 0,
     "IPv4 address the listener binds"},
    {"DLCS_PORT_FILE", SETTING_STRING, FIELD(port_file), NULL, 0, 0, 0,
     "file the bound port is written to"},
    {"DLCS_HTTP_THREADS", SETTING_INT, FIELD(http_threads), "0", 0, 1024, 0,
     "HTTP worker threads; 0 = one thread per connection"},
    {"DLCS_HTTP_MAX_BODY", SETTING_LONG, FIELD(http_max_body), "16777216", 1024, 1L << 40, 0,
     "largest request body accepted, bytes"},
    {"DLCS_DATA_DIR", SETTING_STRING, FIELD(data_dir), "./dlcs-data", 0, 0, 0,
     "where embedded adapters keep their files"},
    {"DLCS_PUBLIC_URL", SETTING_STRING, FIELD(public_url), NULL, 0, 0, 0,
     "base URL of @id/id values; default from Host/X-Forwarded-*"},
    {"DLCS_STORE", SETTING_STRING, FIELD(store), NULL, 0, 0, 0,
     "store adapter URL; default sqlite://$DLCS_DATA_DIR/dlcs.db"},
    {"DLCS_QUEUE", SETTING_STRING, FIELD(queue), NULL, 0, 0, 0, "queue adapter; default embedded"},
    {"DLCS_STORAGE", SETTING_STRING, FIELD(storage), NULL, 0, 0, 0,
     "blob storage URL; default file://$DLCS_DATA_DIR/blobs"},
    {"DLCS_WORKERS", SETTING_INT, FIELD(workers), NULL, 0, 256, SETTING_DEFAULT_NPROC,
     "ingest worker threads; default the number of cores"},
    {"DLCS_BOOTSTRAP_ADMIN", SETTING_STRING, FIELD(bootstrap_admin), NULL, 0, 0, SETTING_SECRET,
     "key:secret of an admin key created at start-up if none exists"},
    {"DLCS_LOG_LEVEL", SETTING_LOG_LEVEL, FIELD(log_level), "info", 0, 0, 0,
     "error, warn, info or debug"},
    {"DLCS_ORIGIN_ALLOW_PRIVATE", SETTING_BOOL, FIELD(origin_allow_private), "0", 0, 0, 0,
     "1 lets origin fetches reach loopback and private addresses"},
    {"DLCS_SQLITE_POOL", SETTING_INT, FIELD(sqlite_pool), "8", 1, 64, 0,
     "connections in the embedded SQLite store's pool"},
    {"DLCS_SQLITE_BUSY_MS", SETTING_INT, FIELD(sqlite_busy_ms), "10000", 0, 600000, 0,
     "how long to wait for another process's SQLite write lock, ms"},
};

static const char *env_lookup(const char *name, void *ctx)
{
    (void)ctx;
    return getenv(name); /* NOLINT(concurrency-mt-unsafe): read once, before threads start */
}

static enum dlcs_status parse_long(const struct setting *s, const char *v, long *out,
                                   struct dlcs_error *err)
{
    char *end = NULL;
    long n;

    errno = 0;
    n = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0')
        return dlcs_error_set(err, DLCS_EINVAL, "%s='%s' is not an integer", s->name, v);
    if (n < s->min || n > s->max)
        return dlcs_error_set(err, DLCS_EINVAL, "%s=%ld is outside %ld..%ld", s->name, n, s->min,
                              s->max);
    *out = n;
    return DLCS_OK;
}

static enum dlcs_status parse_bool(const struct setting *s, const char *v, bool *out,
                                   struct dlcs_error *err)
{
    if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0) {
        *out = true;
        return DLCS_OK;
    }
    if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0 || strcmp(v, "no") == 0) {
        *out = false;
        return DLCS_OK;
    }
    return dlcs_error_set(err, DLCS_EINVAL, "%s='%s' is not a boolean (1/0, true/false)", s->name,
                          v);
}

static enum dlcs_status apply(const struct setting *s, const char *v, struct dlcs_config *cfg,
                              struct dlcs_error *err)
{
    char *slot = (char *)cfg + s->offset;
    enum dlcs_status st = DLCS_OK;
    long n = 0;

    switch (s->type) {
    case SETTING_INT:
        st = parse_long(s, v, &n, err);
        if (st == DLCS_OK)
            *(int *)(void *)slot = (int)n;
        break;
    case SETTING_LONG:
        st = parse_long(s, v, (long *)(void *)slot, err);
        break;
    case SETTING_STRING:
        dlcs_str_replace((char **)(void *)slot, v);
        break;
    case SETTING_BOOL:
        st = parse_bool(s, v, (bool *)(void *)slot, err);
        break;
    case SETTING_LOG_LEVEL:
        st = dlcs_log_level_parse(v, (enum dlcs_log_level *)(void *)slot, err);
        if (st != DLCS_OK)
            dlcs_error_prefix(err, "%s", s->name);
        break;
    }
    return st;
}

enum dlcs_status dlcs_config_load(struct dlcs_config *cfg, dlcs_config_lookup_fn lookup, void *ctx,
                                  struct dlcs_error *err)
{
    enum dlcs_status st = DLCS_OK;
    char nproc[24];

    memset(cfg, 0, sizeof *cfg);
    if (!lookup)
        lookup = env_lookup;
    for (size_t i = 0; i < DLCS_ARRAY_LEN(settings) && st == DLCS_OK; i++) {
        const struct setting *s = &settings[i];
        const char *v = lookup(s->name, ctx);

        if (v && *v == '\0' && s->type == SETTING_STRING)
            v = NULL; /* an empty string means unset, as Helm renders absent values */
        if (!v && (s->flags & SETTING_DEFAULT_NPROC)) {
            long cores = sysconf(_SC_NPROCESSORS_ONLN);

            (void)snprintf(nproc, sizeof nproc, "%ld", cores > 0 ? cores : 1);
            v = nproc;
        }
        if (!v)
            v = s->def;
        if (v)
            st = apply(s, v, cfg, err);
    }
    if (st != DLCS_OK)
        dlcs_config_release(cfg);
    return st;
}

void dlcs_config_release(struct dlcs_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < DLCS_ARRAY_LEN(settings); i++) {
        if (settings[i].type == SETTING_STRING)
            free(*(char **)(void *)((char *)cfg + settings[i].offset));
    }
    memset(cfg, 0, sizeof *cfg);
}

static void print_value(const struct setting *s, const struct dlcs_config *cfg, FILE *out)
{
    const char *slot = (const char *)cfg + s->offset;
    const char *str;

    switch (s->type) {
    case SETTING_INT:
        fprintf(out, "%d", *(const int *)(const void *)slot);
        break;
    case SETTING_LONG:
        fprintf(out, "%ld", *(const long *)(const void *)slot);
        break;
    case SETTING_STRING:
        str = *(char *const *)(const void *)slot;
        fputs(!str ? "" : (s->flags & SETTING_SECRET) ? "********" : str, out);
        break;
    case SETTING_BOOL:
        fputs(*(const bool *)(const void *)slot ? "1" : "0", out);
        break;
    case SETTING_LOG_LEVEL:
        fputs(dlcs_log_level_name(*(const enum dlcs_log_level *)(const void *)slot), out);
        break;
    }
}

void dlcs_config_print(const struct dlcs_config *cfg, FILE *out)
{
    for (size_t i = 0; i < DLCS_ARRAY_LEN(settings); i++) {
        fprintf(out, "%s=", settings[i].name);
        print_value(&settings[i], cfg, out);
        fputc('\n', out);
    }
}

void dlcs_config_print_help(FILE *out)
{
    for (size_t i = 0; i < DLCS_ARRAY_LEN(settings); i++) {
        const struct setting *s = &settings[i];

        fprintf(out, "  %-26s %s (default: %s)\n", s->name, s->help,
                s->def                               ? s->def
                : (s->flags & SETTING_DEFAULT_NPROC) ? "cores"
                                                     : "unset");
    }
}
