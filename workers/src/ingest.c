/* SPDX-License-Identifier: Apache-2.0 */
/* fetch -> convert -> store, with scratch space that never outlives the job. */
#include "dlcs/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dlcs/clock.h"
#include "dlcs/fs.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"
#include "dlcs/s3_client.h"

enum dlcs_status dlcs_ingest_settings_init(struct dlcs_ingest_settings *s,
                                           const struct dlcs_config *cfg, struct dlcs_error *err)
{
    size_t n = 0;
    struct dlcs_s3_settings ambient; /* DLCS_S3_*, then the AWS_* environment */

    memset(s, 0, sizeof *s);
    dlcs_s3_settings_ambient(cfg, &ambient);
    s->origin = (struct dlcs_origin_limits){
        .max_bytes = cfg->origin_max_bytes,
        .connect_timeout_ms = cfg->origin_connect_timeout_ms,
        .timeout_ms = cfg->origin_timeout_ms,
        .max_redirects = cfg->origin_max_redirects,
        .retries = cfg->origin_retries,
        .retry_base_ms = cfg->origin_retry_base_ms,
        .allow_private = cfg->origin_allow_private,
        .file_root = cfg->origin_file_root,
        .s3_endpoint = ambient.target.endpoint,
        .s3_region = ambient.target.region,
        .s3_access_key = ambient.access_key,
        .s3_secret_key = ambient.secret_key,
    };
    if (dlcs_thumb_policy_parse(cfg->thumb_sizes, s->thumbs, DLCS_THUMB_POLICY_MAX, &n, err) !=
        DLCS_OK) {
        dlcs_error_prefix(err, "DLCS_THUMB_SIZES");
        return DLCS_EINVAL;
    }
    s->convert = (struct dlcs_convert_options){
        .max_pixels = cfg->ingest_max_pixels,
        .timeout_ms = cfg->ingest_timeout_ms,
        .max_memory = (int64_t)cfg->ingest_max_memory_mb << 20,
        .quality = cfg->ingest_quality,
        .thumb_quality = cfg->thumb_quality,
        .pdf_dpi = cfg->pdf_dpi,
        .make_jp2 = cfg->ingest_jp2,
        .concurrency = cfg->vips_concurrency,
        .thumbs = s->thumbs,
        .thumb_count = n,
    };
    s->scratch_dir = cfg->scratch_dir ? dlcs_xstrdup(cfg->scratch_dir)
                                      : dlcs_xasprintf("%s/scratch", cfg->data_dir);
    return DLCS_OK;
}

void dlcs_ingest_settings_release(struct dlcs_ingest_settings *s)
{
    free(s->scratch_dir);
    s->scratch_dir = NULL;
}

static char *blob_key(const char *prefix, const char *file)
{
    return prefix ? dlcs_xasprintf("%s/%s", prefix, file) : dlcs_xstrdup(file);
}

static enum dlcs_status store_file(struct dlcs_blobstore *b, const char *prefix, const char *dir,
                                   const char *file, struct dlcs_error *err)
{
    char *key = blob_key(prefix, file);
    char *path = dlcs_xasprintf("%s/%s", dir, file);
    enum dlcs_status st = dlcs_blob_put_file(b, key, path, err);

    free(path);
    free(key);
    return st;
}

/* Derivative and thumbnails first, sizes.json last: its presence means the set is complete. */
static enum dlcs_status store_all(struct dlcs_blobstore *b, const char *prefix, const char *dir,
                                  const struct dlcs_convert_result *r, struct dlcs_error *err)
{
    enum dlcs_status st = store_file(b, prefix, dir, "image.tif", err);
    char *sizes, *key;

    for (size_t i = 0; i < r->thumb_count && st == DLCS_OK; i++)
        st = store_file(b, prefix, dir, r->thumbs[i].file, err);
    if (st == DLCS_OK && r->has_jp2)
        st = store_file(b, prefix, dir, "image.jp2", err);
    if (st != DLCS_OK)
        return st;
    sizes = dlcs_convert_sizes_json(r);
    key = blob_key(prefix, "sizes.json");
    st = dlcs_blob_put_bytes(b, key, sizes, strlen(sizes), err);
    free(key);
    free(sizes);
    return st;
}

static enum dlcs_status add_blob_size(struct dlcs_blobstore *b, const char *prefix,
                                      const char *file, int64_t *total, struct dlcs_error *err)
{
    char *key = blob_key(prefix, file);
    int64_t bytes = 0;
    enum dlcs_status st = dlcs_blob_size(b, key, &bytes, err);

    *total += bytes;
    free(key);
    return st;
}

/* The bytes now stored: derivatives and thumbnails (for storage usage). */
static enum dlcs_status measure_stored(struct dlcs_blobstore *b, const char *prefix,
                                       const struct dlcs_convert_result *r,
                                       struct dlcs_ingest_report *rep, struct dlcs_error *err)
{
    enum dlcs_status st = add_blob_size(b, prefix, "image.tif", &rep->derivative_bytes, err);

    if (st == DLCS_OK && r->has_jp2)
        st = add_blob_size(b, prefix, "image.jp2", &rep->derivative_bytes, err);
    for (size_t i = 0; i < r->thumb_count && st == DLCS_OK; i++)
        st = add_blob_size(b, prefix, r->thumbs[i].file, &rep->thumbnail_bytes, err);
    return st;
}

/*
 * A directly uploaded origin is already in blob storage: copy it into scratch (in place is
 * not safe: a new upload may replace it while this generation converts).
 */
static enum dlcs_status fetch_upload(const struct dlcs_ingest_settings *s, const char *origin,
                                     struct dlcs_blobstore *blobs, const char *dest,
                                     struct dlcs_fetch_result *res, struct dlcs_error *err)
{
    const char *key = origin + strlen(DLCS_UPLOAD_SCHEME);
    enum dlcs_status st;

    memset(res, 0, sizeof *res);
    res->attempts = 1;
    st = dlcs_blob_size(blobs, key, &res->bytes, err);
    if (st == DLCS_OK) /* streamed into scratch, never held in memory */
        st = dlcs_blob_get_file(blobs, key, dest, s->origin.max_bytes, err);
    if (st == DLCS_ENOTFOUND) { /* deleted, or replaced between the two calls */
        dlcs_error_clear(err);
        return dlcs_error_set(err, DLCS_EINVAL, "the uploaded bytes ('%s') are gone", key);
    }
    return st;
}

static enum dlcs_status fetch_origin(const struct dlcs_ingest_settings *s, const char *origin,
                                     const struct dlcs_origin_auth *auth,
                                     struct dlcs_blobstore *blobs, const char *dest,
                                     struct dlcs_fetch_result *res, struct dlcs_error *err)
{
    if (strncmp(origin, DLCS_UPLOAD_SCHEME, strlen(DLCS_UPLOAD_SCHEME)) == 0)
        return fetch_upload(s, origin, blobs, dest, res, err);
    return dlcs_origin_fetch(origin, auth, &s->origin, dest, res, err);
}

enum dlcs_status dlcs_ingest_one(const struct dlcs_ingest_settings *s, const char *origin,
                                 const struct dlcs_origin_auth *auth, struct dlcs_blobstore *blobs,
                                 const char *prefix, struct dlcs_ingest_report *rep,
                                 struct dlcs_error *err)
{
    int64_t start = dlcs_time_mono_ms(), t;
    char *dir = NULL, *src = NULL;
    enum dlcs_status st;

    memset(rep, 0, sizeof *rep);
    st = dlcs_fs_mkdirs(s->scratch_dir, err);
    if (st == DLCS_OK) {
        dir = dlcs_fs_scratch_dir(s->scratch_dir, "ingest-", err);
        st = dir ? DLCS_OK : DLCS_EUPSTREAM;
    }
    if (st == DLCS_OK) {
        src = dlcs_xasprintf("%s/origin", dir);
        st = fetch_origin(s, origin, auth, blobs, src, &rep->fetch, err);
    }
    t = dlcs_time_mono_ms();
    rep->ms_fetch = (double)(t - start);
    if (st == DLCS_OK) {
        st = s->convert_helper ? dlcs_convert_isolated(s->convert_helper, src, &s->convert, dir,
                                                       &rep->convert, err)
                               : dlcs_convert(src, &s->convert, dir, &rep->convert, err);
        if (st != DLCS_OK)
            dlcs_error_prefix(err, "origin '%s'", origin);
    }
    if (st == DLCS_OK) {
        t = dlcs_time_mono_ms();
        st = store_all(blobs, prefix, dir, &rep->convert, err);
        rep->ms_store = (double)(dlcs_time_mono_ms() - t);
        if (st == DLCS_OK)
            st = measure_stored(blobs, prefix, &rep->convert, rep, err);
    }
    if (st != DLCS_OK && src) { /* decoders name their files: the asset's error must not */
        dlcs_error_redact(err, src, "the origin's bytes");
        dlcs_error_redact(err, dir, "(scratch)");
    }
    if (dir && dlcs_fs_remove_tree(dir, NULL) != DLCS_OK) /* not worth failing the ingest */
        dlcs_log(DLCS_LOG_WARN, "could not remove the scratch directory '%s'", dir);
    rep->ms_total = (double)(dlcs_time_mono_ms() - start);
    free(src);
    free(dir);
    return st;
}
