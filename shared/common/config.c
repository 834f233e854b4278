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
    {"DLCS_HTTP_TRUSTED_PROXIES", SETTING_STRING, FIELD(http_trusted_proxies), NULL, 0, 0, 0,
     "addresses or networks (\"10.0.0.0/8,::1\") whose X-Forwarded-Proto/-Host are believed; "
     "from anyone else they are ignored (public URLs come from DLCS_PUBLIC_URL or Host)"},
    {"DLCS_HTTP_MAX_BUFFERED", SETTING_LONG, FIELD(http_max_buffered), "268435456", 1024, 1L << 40,
     0,
     "bytes of request bodies held in memory across all connections (past it: 503); larger "
     "bodies (uploads) are written to DLCS_SCRATCH_DIR as they arrive"},
    {"DLCS_UPLOAD_MAX_BYTES", SETTING_LONG, FIELD(upload_max_bytes), "268435456", 1024, 1L << 40, 0,
     "largest directly uploaded image (raw or multipart body), bytes"},
    {"DLCS_DATA_DIR", SETTING_STRING, FIELD(data_dir), "./dlcs-data", 0, 0, 0,
     "where embedded adapters keep their files"},
    {"DLCS_PUBLIC_URL", SETTING_STRING, FIELD(public_url), NULL, 0, 0, 0,
     "base URL of @id/id values; default from Host/X-Forwarded-*"},
    {"DLCS_STORE", SETTING_STRING, FIELD(store), NULL, 0, 0, 0,
     "store adapter URL; default sqlite://$DLCS_DATA_DIR/dlcs.db"},
    {"DLCS_QUEUE", SETTING_STRING, FIELD(queue), NULL, 0, 0, 0,
     "queue adapter: embedded (default) or kafka://host:port[,host:port...]"},
    {"DLCS_KAFKA_TOPIC_PREFIX", SETTING_STRING, FIELD(kafka_topic_prefix), "dlcs.", 0, 0, 0,
     "Kafka topics are {prefix}ingest, {prefix}ingest-priority and {prefix}ingest-dead"},
    {"DLCS_KAFKA_GROUP", SETTING_STRING, FIELD(kafka_group), NULL, 0, 0, 0,
     "Kafka consumer group of the workers; default {prefix}workers"},
    {"DLCS_KAFKA_CLIENT_ID", SETTING_STRING, FIELD(kafka_client_id), NULL, 0, 0, 0,
     "Kafka client.id; default DLCS_WORKER_ID"},
    {"DLCS_KAFKA_PROPERTIES", SETTING_STRING, FIELD(kafka_properties), NULL, 0, 0, SETTING_SECRET,
     "librdkafka properties for every client, \"name=value;name=value\" (security.protocol, "
     "sasl.*, ssl.*, session.timeout.ms ...)"},
    {"DLCS_KAFKA_PREFETCH", SETTING_INT, FIELD(kafka_prefetch), "64", 1, 100000, 0,
     "jobs a worker process holds before it pauses its Kafka partitions"},
    {"DLCS_KAFKA_TIMEOUT_MS", SETTING_INT, FIELD(kafka_timeout_ms), "30000", 1000, 3600000, 0,
     "a Kafka publish fails (and the outbox keeps the job) past this, ms"},
    {"DLCS_STORAGE", SETTING_STRING, FIELD(storage), NULL, 0, 0, 0,
     "blob storage URL; default file://$DLCS_DATA_DIR/blobs"},
    {"DLCS_STORAGE_MIN_FREE_MB", SETTING_INT, FIELD(storage_min_free_mb), "100", 0, 1048576, 0,
     "below this much free space on blob storage or the data directory, /readyz says not "
     "ready and registrations are refused with 507 before any work (0 = no floor)"},
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
    {"DLCS_ORIGIN_MAX_BYTES", SETTING_LONG, FIELD(origin_max_bytes), "4294967296", 1, 1L << 50, 0,
     "largest origin accepted, bytes"},
    {"DLCS_ORIGIN_CONNECT_TIMEOUT_MS", SETTING_INT, FIELD(origin_connect_timeout_ms), "10000", 1,
     600000, 0, "origin connection timeout, ms"},
    {"DLCS_ORIGIN_TIMEOUT_MS", SETTING_INT, FIELD(origin_timeout_ms), "600000", 1, 86400000, 0,
     "whole origin transfer timeout per attempt, ms"},
    {"DLCS_ORIGIN_MAX_REDIRECTS", SETTING_INT, FIELD(origin_max_redirects), "5", 0, 50, 0,
     "redirects followed per origin"},
    {"DLCS_ORIGIN_RETRIES", SETTING_INT, FIELD(origin_retries), "3", 0, 20, 0,
     "extra attempts after a transient origin failure"},
    {"DLCS_ORIGIN_RETRY_BASE_MS", SETTING_INT, FIELD(origin_retry_base_ms), "1000", 0, 600000, 0,
     "first retry delay, doubled per attempt, ms"},
    {"DLCS_ORIGIN_FILE_ROOT", SETTING_STRING, FIELD(origin_file_root), NULL, 0, 0, 0,
     "directory file:// origins must be inside; unset refuses file://"},
    {"DLCS_S3_ENDPOINT", SETTING_STRING, FIELD(s3_endpoint), NULL, 0, 0, 0,
     "S3 endpoint (s3:// origins, and S3 blob storage unless its URL names one); unset: "
     "AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, or AWS's own for the region"},
    {"DLCS_S3_REGION", SETTING_STRING, FIELD(s3_region), NULL, 0, 0, 0,
     "S3 region for signing; unset: AWS_REGION, AWS_DEFAULT_REGION, or us-east-1"},
    {"DLCS_S3_ACCESS_KEY", SETTING_STRING, FIELD(s3_access_key), NULL, 0, 0, SETTING_SECRET,
     "ambient S3 access key; unset: AWS_ACCESS_KEY_ID (with AWS_SECRET_ACCESS_KEY and "
     "AWS_SESSION_TOKEN)"},
    {"DLCS_S3_SECRET_KEY", SETTING_STRING, FIELD(s3_secret_key), NULL, 0, 0, SETTING_SECRET,
     "ambient S3 secret key"},
    {"DLCS_S3_PART_MB", SETTING_INT, FIELD(s3_part_mb), "16", 5, 5120, 0,
     "S3 blob storage: files above this many MiB are sent as multipart uploads of parts this "
     "size (S3's minimum part is 5 MiB)"},
    {"DLCS_S3_RETRIES", SETTING_INT, FIELD(s3_retries), "4", 0, 20, 0,
     "extra attempts of an S3 request after a transient failure (5xx, SlowDown, timeouts)"},
    {"DLCS_S3_RETRY_BASE_MS", SETTING_INT, FIELD(s3_retry_base_ms), "100", 1, 60000, 0,
     "first S3 retry delay, doubled per attempt (capped at 5 s), ms"},
    {"DLCS_S3_TIMEOUT_MS", SETTING_INT, FIELD(s3_timeout_ms), "60000", 100, 3600000, 0,
     "one S3 request, whole transfer, per attempt, ms"},
    {"DLCS_INGEST_MAX_PIXELS", SETTING_LONG, FIELD(ingest_max_pixels), "1000000000", 1, 1L << 40, 0,
     "largest image accepted, width x height"},
    {"DLCS_INGEST_TIMEOUT_MS", SETTING_INT, FIELD(ingest_timeout_ms), "600000", 100, 86400000, 0,
     "time allowed for one conversion, ms"},
    {"DLCS_INGEST_MAX_MEMORY_MB", SETTING_INT, FIELD(ingest_max_memory_mb), "4096", 0, 1048576, 0,
     "libvips memory allowed during a conversion, MiB; 0 = no cap"},
    {"DLCS_INGEST_QUALITY", SETTING_INT, FIELD(ingest_quality), "85", 1, 100, 0,
     "JPEG quality of pyramid tiles"},
    {"DLCS_THUMB_QUALITY", SETTING_INT, FIELD(thumb_quality), "90", 1, 100, 0,
     "JPEG quality of thumbnails"},
    {"DLCS_PDF_DPI", SETTING_INT, FIELD(pdf_dpi), "150", 10, 1200, 0,
     "resolution PDF pages are rendered at"},
    {"DLCS_INGEST_JP2", SETTING_BOOL, FIELD(ingest_jp2), "0", 0, 0, 0,
     "1 also writes a JPEG2000 derivative"},
    {"DLCS_THUMB_SIZES", SETTING_STRING, FIELD(thumb_sizes),
     "!1024,1024 !400,400 !200,200 !100,100", 0, 0, 0, "default thumbnail policy, IIIF sizes"},
    {"DLCS_SCRATCH_DIR", SETTING_STRING, FIELD(scratch_dir), NULL, 0, 0, 0,
     "where ingest works on files; default $DLCS_DATA_DIR/scratch"},
    {"DLCS_VIPS_CONCURRENCY", SETTING_INT, FIELD(vips_concurrency), "0", 0, 256, 0,
     "libvips threads per conversion; 0 = cores"},
    {"DLCS_VIPS_CACHE_MB", SETTING_INT, FIELD(vips_cache_mb), "100", 0, 65536, 0,
     "libvips operation cache, MiB"},
    {"DLCS_IIIF_MAX_WIDTH", SETTING_INT, FIELD(iiif_max_width), "10000", 1, 1000000, 0,
     "largest image width delivered (info.json maxWidth)"},
    {"DLCS_IIIF_MAX_HEIGHT", SETTING_INT, FIELD(iiif_max_height), "10000", 1, 1000000, 0,
     "largest image height delivered (info.json maxHeight)"},
    {"DLCS_IIIF_MAX_AREA", SETTING_LONG, FIELD(iiif_max_area), "100000000", 1, 1L << 40, 0,
     "largest image area delivered, pixels (info.json maxArea)"},
    {"DLCS_IIIF_JPEG_QUALITY", SETTING_INT, FIELD(iiif_jpeg_quality), "80", 1, 100, 0,
     "JPEG quality of rendered images"},
    {"DLCS_IIIF_MAX_AGE", SETTING_INT, FIELD(iiif_max_age), "86400", 0, 31536000, 0,
     "Cache-Control max-age of images and info.json, seconds"},
    {"DLCS_CACHE_DIR", SETTING_STRING, FIELD(cache_dir), NULL, 0, 0, 0,
     "dlcs iiif: read-through disk cache of derivatives for renders when blob storage has no "
     "local files (S3); may be shared by processes; unset: a private one under "
     "DLCS_SCRATCH_DIR"},
    {"DLCS_CACHE_MAX_MB", SETTING_INT, FIELD(cache_max_mb), "1024", 16, 16777216, 0,
     "bound of the render cache, MiB; least recently used files are evicted past it"},
    {"DLCS_CACHE_COPY_AFTER", SETTING_INT, FIELD(cache_copy_after), "32", 0, 1000000, 0,
     "dlcs iiif on S3: after this many tile requests read by ranges, an image's derivative is "
     "copied into the render cache and its tiles read from there; 0 = always by ranges"},
    {"DLCS_IIIF_RECORD_TTL_MS", SETTING_INT, FIELD(iiif_record_ttl_ms), "2000", 0, 3600000, 0,
     "how long delivery reuses an image record before reading the store again, ms"},
    {"DLCS_IIIF_RENDER_SLOTS", SETTING_INT, FIELD(iiif_render_slots), NULL, 1, 1024,
     SETTING_DEFAULT_NPROC, "libvips renders at once; default the number of cores"},
    {"DLCS_IIIF_RENDER_WAIT_MS", SETTING_INT, FIELD(iiif_render_wait_ms), "10000", 0, 600000, 0,
     "how long a render waits for a slot before 503, ms"},
    {"DLCS_IIIF_RENDER_SLOTS_PER_CLIENT", SETTING_INT, FIELD(iiif_render_slots_per_client), "0", 0,
     1024, 0,
     "render slots one client address may hold at once (0 = half of DLCS_IIIF_RENDER_SLOTS, at "
     "least 1): a few costly requests cannot starve everyone else"},
    {"DLCS_IIIF_RENDER_TIMEOUT_MS", SETTING_INT, FIELD(iiif_render_timeout_ms), "20000", 0, 600000,
     0, "a render still running after this is stopped (503); 0 = no bound"},
    {"DLCS_IMMEDIATE_SLOTS", SETTING_INT, FIELD(immediate_slots), "2", 1, 256, 0,
     "immediate registrations (PUT) ingesting at once"},
    {"DLCS_IMMEDIATE_WAIT_MS", SETTING_INT, FIELD(immediate_wait_ms), "2000", 0, 600000, 0,
     "how long a PUT waits for an ingest slot before 503, ms"},
    {"DLCS_IMMEDIATE_TIMEOUT_MS", SETTING_INT, FIELD(immediate_timeout_ms), "120000", 1000,
     86400000, 0,
     "the longest an immediate registration (PUT) may take in all: fetch and conversion get half "
     "each, no retries (a client waits on the other end; queue long work instead)"},
    {"DLCS_IMMEDIATE_SLOTS_PER_CUSTOMER", SETTING_INT, FIELD(immediate_slots_per_customer), "0", 0,
     256, 0,
     "immediate-ingest slots one customer may hold at once (0 = half of DLCS_IMMEDIATE_SLOTS, "
     "at least 1): one customer's slow origins cannot make every other customer's PUT a 503"},
    {"DLCS_BATCH_MAX", SETTING_INT, FIELD(batch_max), "1000", 1, 100000, 0,
     "most members in one queued batch"},
    {"DLCS_WORKER_ID", SETTING_STRING, FIELD(worker_id), NULL, 0, 0, 0,
     "this worker process's name in job leases (default: host name and role); a process that "
     "starts again under it takes back the jobs its killed predecessor held. Two live "
     "processes must not share one"},
    {"DLCS_JOB_LEASE_MS", SETTING_INT, FIELD(job_lease_ms), NULL, 100, 86400000, 0,
     "how long a worker holds a claimed job before another may take it, ms (default: the "
     "longest ingest, (DLCS_ORIGIN_RETRIES + 1) x DLCS_ORIGIN_TIMEOUT_MS + DLCS_INGEST_TIMEOUT_MS "
     "+ 1 min; a restarted worker takes its own jobs back at once, see DLCS_WORKER_ID)"},
    {"DLCS_JOB_ATTEMPTS", SETTING_INT, FIELD(job_attempts), "3", 1, 100, 0,
     "attempts of a job that fails transiently before its error is recorded"},
    {"DLCS_JOB_RETRY_BASE_MS", SETTING_INT, FIELD(job_retry_base_ms), "5000", 0, 3600000, 0,
     "first retry delay of a job, doubled per attempt, ms"},
    {"DLCS_RELAY_BATCH", SETTING_INT, FIELD(relay_batch), "1000", 1, 10000, 0,
     "outbox entries the relay claims, publishes and removes at once (a queue that is not the "
     "outbox: Kafka)"},
    {"DLCS_RECONCILE_AFTER_MS", SETTING_INT, FIELD(reconcile_after_ms), "3600000", 0, 604800000, 0,
     "an image still ingesting this long after its registration, with no job in the outbox, is "
     "given its job again by the reconciler (one process at a time, under a lease in the "
     "store), ms; 0 = off. Above the longest a job may wait in the queue: a job that is only "
     "slow is published once more (harmless, but work done twice)"},
    {"DLCS_RECONCILE_EVERY_MS", SETTING_INT, FIELD(reconcile_every_ms), "60000", 100, 86400000, 0,
     "between the reconciler's rounds, ms"},
    {"DLCS_DRAIN_MS", SETTING_INT, FIELD(drain_ms), "25000", 0, 3600000, 0,
     "on SIGTERM, how long the jobs in hand may run to their end, ms; past it they are given "
     "back to the queue (run again elsewhere). Keep it under Kubernetes' "
     "terminationGracePeriodSeconds"},
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
