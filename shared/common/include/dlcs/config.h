/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Configuration from DLCS_* environment variables through one declarative table (config.c).
 * Loaded once in main before any thread starts, then read-only.
 */
#ifndef DLCS_CONFIG_H
#define DLCS_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "dlcs/error.h"
#include "dlcs/log.h"

struct dlcs_config {
    int http_port;                 /* DLCS_HTTP_PORT: 0 = any free port */
    char *http_bind;               /* DLCS_HTTP_BIND: listen address */
    char *port_file;               /* DLCS_PORT_FILE: where the bound port is written, or NULL */
    int http_threads;              /* DLCS_HTTP_THREADS: 0 = one thread per connection */
    long http_max_body;            /* DLCS_HTTP_MAX_BODY: request body limit in bytes */
    long upload_max_bytes;         /* DLCS_UPLOAD_MAX_BYTES: direct upload body limit */
    long http_max_buffered;        /* DLCS_HTTP_MAX_BUFFERED: bodies in memory, all connections */
    char *http_trusted_proxies;    /* DLCS_HTTP_TRUSTED_PROXIES, or NULL: no proxy trusted */
    char *data_dir;                /* DLCS_DATA_DIR */
    char *public_url;              /* DLCS_PUBLIC_URL, or NULL: derived from the request */
    char *store;                   /* DLCS_STORE, or NULL: sqlite under data_dir */
    char *queue;                   /* DLCS_QUEUE, or NULL: embedded */
    char *kafka_topic_prefix;      /* DLCS_KAFKA_TOPIC_PREFIX */
    char *kafka_group;             /* DLCS_KAFKA_GROUP, or NULL: {prefix}workers */
    char *kafka_client_id;         /* DLCS_KAFKA_CLIENT_ID, or NULL: DLCS_WORKER_ID */
    char *kafka_properties;        /* DLCS_KAFKA_PROPERTIES "name=value;...", secret */
    int kafka_prefetch;            /* DLCS_KAFKA_PREFETCH */
    int kafka_timeout_ms;          /* DLCS_KAFKA_TIMEOUT_MS */
    char *storage;                 /* DLCS_STORAGE, or NULL: a directory under data_dir */
    int storage_min_free_mb;       /* DLCS_STORAGE_MIN_FREE_MB */
    int workers;                   /* DLCS_WORKERS */
    char *bootstrap_admin;         /* DLCS_BOOTSTRAP_ADMIN "key:secret", secret */
    enum dlcs_log_level log_level; /* DLCS_LOG_LEVEL */
    bool origin_allow_private;     /* DLCS_ORIGIN_ALLOW_PRIVATE */
    int sqlite_pool;               /* DLCS_SQLITE_POOL: connections in the embedded store's pool */
    int sqlite_busy_ms;            /* DLCS_SQLITE_BUSY_MS: wait for another process's write lock */
    /* origin fetches */
    long origin_max_bytes;         /* DLCS_ORIGIN_MAX_BYTES */
    int origin_connect_timeout_ms; /* DLCS_ORIGIN_CONNECT_TIMEOUT_MS */
    int origin_timeout_ms;         /* DLCS_ORIGIN_TIMEOUT_MS */
    int origin_max_redirects;      /* DLCS_ORIGIN_MAX_REDIRECTS */
    int origin_retries;            /* DLCS_ORIGIN_RETRIES */
    int origin_retry_base_ms;      /* DLCS_ORIGIN_RETRY_BASE_MS */
    char *origin_file_root;        /* DLCS_ORIGIN_FILE_ROOT, or NULL: file:// refused */
    char *s3_endpoint;             /* DLCS_S3_ENDPOINT */
    char *s3_region;               /* DLCS_S3_REGION */
    char *s3_access_key;           /* DLCS_S3_ACCESS_KEY, secret */
    char *s3_secret_key;           /* DLCS_S3_SECRET_KEY, secret */
    int s3_part_mb;                /* DLCS_S3_PART_MB: multipart threshold and part size */
    int s3_retries;                /* DLCS_S3_RETRIES */
    int s3_retry_base_ms;          /* DLCS_S3_RETRY_BASE_MS */
    int s3_timeout_ms;             /* DLCS_S3_TIMEOUT_MS */
    /* conversion */
    long ingest_max_pixels;   /* DLCS_INGEST_MAX_PIXELS */
    int ingest_timeout_ms;    /* DLCS_INGEST_TIMEOUT_MS */
    int ingest_max_memory_mb; /* DLCS_INGEST_MAX_MEMORY_MB, 0 = no cap */
    int ingest_quality;       /* DLCS_INGEST_QUALITY */
    int thumb_quality;        /* DLCS_THUMB_QUALITY */
    int pdf_dpi;              /* DLCS_PDF_DPI */
    bool ingest_jp2;          /* DLCS_INGEST_JP2 */
    char *thumb_sizes;        /* DLCS_THUMB_SIZES: the default thumbnail policy */
    char *scratch_dir;        /* DLCS_SCRATCH_DIR, or NULL: $DLCS_DATA_DIR/scratch */
    int vips_concurrency;     /* DLCS_VIPS_CONCURRENCY, 0 = cores */
    int vips_cache_mb;        /* DLCS_VIPS_CACHE_MB */
    /* delivery */
    int iiif_max_width;               /* DLCS_IIIF_MAX_WIDTH */
    int iiif_max_height;              /* DLCS_IIIF_MAX_HEIGHT */
    long iiif_max_area;               /* DLCS_IIIF_MAX_AREA */
    int iiif_jpeg_quality;            /* DLCS_IIIF_JPEG_QUALITY */
    int iiif_max_age;                 /* DLCS_IIIF_MAX_AGE */
    int iiif_record_ttl_ms;           /* DLCS_IIIF_RECORD_TTL_MS */
    char *cache_dir;                  /* DLCS_CACHE_DIR, or NULL: private under scratch */
    int cache_max_mb;                 /* DLCS_CACHE_MAX_MB */
    int cache_copy_after;             /* DLCS_CACHE_COPY_AFTER: tiles by ranges, then a copy */
    int iiif_render_slots;            /* DLCS_IIIF_RENDER_SLOTS */
    int iiif_render_wait_ms;          /* DLCS_IIIF_RENDER_WAIT_MS */
    int iiif_render_slots_per_client; /* DLCS_IIIF_RENDER_SLOTS_PER_CLIENT, 0 = half */
    int iiif_render_timeout_ms;       /* DLCS_IIIF_RENDER_TIMEOUT_MS, 0 = none */
    int immediate_slots;              /* DLCS_IMMEDIATE_SLOTS */
    int immediate_wait_ms;            /* DLCS_IMMEDIATE_WAIT_MS */
    int immediate_timeout_ms;         /* DLCS_IMMEDIATE_TIMEOUT_MS */
    int immediate_slots_per_customer; /* DLCS_IMMEDIATE_SLOTS_PER_CUSTOMER, 0 = half */
    int batch_max;                    /* DLCS_BATCH_MAX */
    int job_lease_ms;       /* DLCS_JOB_LEASE_MS; 0 until resolved: the longest ingest + 1 min */
    char *worker_id;        /* DLCS_WORKER_ID, or NULL until resolved: host/role */
    int job_attempts;       /* DLCS_JOB_ATTEMPTS */
    int job_retry_base_ms;  /* DLCS_JOB_RETRY_BASE_MS */
    int relay_batch;        /* DLCS_RELAY_BATCH */
    int reconcile_after_ms; /* DLCS_RECONCILE_AFTER_MS, 0 = no reconciler */
    int reconcile_every_ms; /* DLCS_RECONCILE_EVERY_MS */
    int drain_ms;           /* DLCS_DRAIN_MS */
};

/* Looks up one variable; returns a borrowed value or NULL when unset. */
typedef const char *(*dlcs_config_lookup_fn)(const char *name, void *ctx);

/*
 * Fill 'cfg' from 'lookup' (NULL = the process environment) and the defaults of the table.
 * On DLCS_OK the caller owns the strings in 'cfg' and releases them with dlcs_config_release.
 * DLCS_EINVAL names the first variable with an invalid value (no silent clamping); 'cfg' then
 * holds nothing to release.
 */
enum dlcs_status dlcs_config_load(struct dlcs_config *cfg, dlcs_config_lookup_fn lookup, void *ctx,
                                  struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Free the strings of 'cfg' and zero it. NULL-safe. */
void dlcs_config_release(struct dlcs_config *cfg);

/* Print every setting as NAME=value, secrets masked, one per line (for --print-config). */
void dlcs_config_print(const struct dlcs_config *cfg, FILE *out);

/* Print the table (name, default, meaning) for --help. */
void dlcs_config_print_help(FILE *out);

#endif /* DLCS_CONFIG_H */
