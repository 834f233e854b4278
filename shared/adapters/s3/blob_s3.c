/* SPDX-License-Identifier: Apache-2.0 */
/* The S3 blob storage adapter: the port's operations on one bucket and key prefix. */
#include "dlcs/blob_s3.h"

#include <stdlib.h>
#include <string.h>

#include "dlcs/config.h"
#include "dlcs/fs.h"
#include "dlcs/mem.h"
#include "dlcs/s3_objects.h"

struct blob_s3 {
    struct dlcs_s3_client *client;
    char *prefix; /* "" or "p/" */
    int64_t part_size;
};

static void s3_close(void *impl)
{
    struct blob_s3 *s = impl;

    if (!s)
        return;
    dlcs_s3_client_free(s->client);
    free(s->prefix);
    free(s);
}

static char *object_key(const struct blob_s3 *s, const char *key)
{
    return dlcs_xasprintf("%s%s", s->prefix, key);
}

/* What a browser or a CDN in front of the bucket would need to know. */
static const char *content_type(const char *key)
{
    static const struct {
        const char *ext, *type;
    } types[] = {{".jpg", "image/jpeg"},
                 {".tif", "image/tiff"},
                 {".jp2", "image/jp2"},
                 {".png", "image/png"},
                 {".json", "application/json"}};
    size_t n = strlen(key);

    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t e = strlen(types[i].ext);

        if (n > e && strcmp(key + n - e, types[i].ext) == 0)
            return types[i].type;
    }
    return "application/octet-stream";
}

static enum dlcs_status s3_put_file(void *impl, const char *key, const char *src,
                                    struct dlcs_error *err)
{
    struct blob_s3 *s = impl;
    char *k = object_key(s, key);
    const struct dlcs_s3_file_put p = {k, src, content_type(key), s->part_size};
    enum dlcs_status st = dlcs_s3_put_file(s->client, &p, err);

    free(k);
    return st;
}

static enum dlcs_status s3_put_bytes(void *impl, const char *key, const void *data, size_t len,
                                     struct dlcs_error *err)
{
    struct blob_s3 *s = impl;
    char *k = object_key(s, key);
    enum dlcs_status st = dlcs_s3_put_bytes(s->client, k, data, len, content_type(key), err);

    free(k);
    return st;
}

static enum dlcs_status s3_get_bytes(void *impl, const char *key, size_t max_len, void **data,
                                     size_t *len, struct dlcs_error *err)
{
    struct blob_s3 *s = impl;
    char *k = object_key(s, key);
    enum dlcs_status st = dlcs_s3_get_bytes(s->client, k, max_len, data, len, err);

    free(k);
    return st;
}

struct download {
    struct blob_s3 *s;
    const char *key;
    int64_t max;
};

static enum dlcs_status fill_from_s3(int fd, void *ctx, struct dlcs_error *err)
{
    const struct download *d = ctx;
    int64_t bytes = 0;

    return dlcs_s3_get_to_fd(d->s->client, d->key, fd, d->max, &bytes, err);
}

static enum dlcs_status s3_get_file(void *impl, const char *key, const char *dest, int64_t max_len,
                                    struct dlcs_error *err)
{
    struct blob_s3 *s = impl;
    char *k = object_key(s, key);
    struct download d = {s, k, max_len};
    enum dlcs_status st = dlcs_fs_fill_atomic(dest, fill_from_s3, &d, err);

    free(k);
    return st;
}

static enum dlcs_status s3_read_range(void *impl, const char *key, int64_t offset, size_t len,
                                      void *buf, size_t *got, struct dlcs_error *err)
{
    struct blob_s3 *s = impl;
    char *k = object_key(s, key);
    enum dlcs_status st = dlcs_s3_get_range(s->client, k, offset, len, buf, got, err);

    free(k);
    return st;
}

static enum dlcs_status s3_size(void *impl, const char *key, int64_t *bytes, struct dlcs_error *err)
{
    struct blob_s3 *s = impl;
    char *k = object_key(s, key);
    enum dlcs_status st = dlcs_s3_head(s->client, k, bytes, err);

    free(k);
    return st;
}

static enum dlcs_status s3_local_path(void *impl, const char *key, char **out,
                                      struct dlcs_error *err)
{
    (void)impl;
    *out = NULL;
    return dlcs_error_set(err, DLCS_EUNSUPPORTED, "blob '%s' is in S3: no local path", key);
}

static enum dlcs_status s3_remove_prefix(void *impl, const char *prefix, struct dlcs_error *err)
{
    struct blob_s3 *s = impl;
    char *k = object_key(s, prefix);
    enum dlcs_status st = dlcs_s3_delete_tree(s->client, k, err);

    free(k);
    return st;
}

/* A HEAD under the prefix, 2 s, no retry: answered (found or not) means reachable with the
 * credentials accepted. A probe must answer quickly whatever the storage does. */
static enum dlcs_status s3_ping(void *impl, struct dlcs_error *err)
{
    struct blob_s3 *s = impl;
    char *k = object_key(s, ".dlcs-ready");
    enum dlcs_status st = dlcs_s3_probe(s->client, k, 2000, err);

    free(k);
    return st;
}

static const struct dlcs_blobstore_ops s3_ops = {
    .name = "s3",
    .close = s3_close,
    .put_file = s3_put_file,
    .put_bytes = s3_put_bytes,
    .get_bytes = s3_get_bytes,
    .get_file = s3_get_file,
    .read_range = s3_read_range,
    .size = s3_size,
    .local_path = s3_local_path,
    .remove_prefix = s3_remove_prefix,
    .free_bytes = NULL, /* a bucket has no fixed size */
    .ping = s3_ping,
};

/* The URL's parameters over the ambient settings. Values are copied into 'owned'. */
static enum dlcs_status read_params(const char *url, struct dlcs_s3_settings *set,
                                    char owned[2][512], struct dlcs_error *err)
{
    struct dlcs_url_params it;
    char name[32], value[512];
    enum dlcs_status st;

    dlcs_url_params_init(&it, url);
    while ((st = dlcs_url_params_next(&it, name, sizeof name, value, sizeof value, err)) ==
           DLCS_OK) {
        if (strcmp(name, "endpoint") == 0) {
            memcpy(owned[0], value, sizeof value);
            set->target.endpoint = owned[0];
        } else if (strcmp(name, "region") == 0) {
            memcpy(owned[1], value, sizeof value);
            set->target.region = owned[1];
        } else if (strcmp(name, "style") == 0 &&
                   (strcmp(value, "path") == 0 || strcmp(value, "virtual") == 0)) {
            set->target.virtual_style = strcmp(value, "virtual") == 0;
        } else if (strcmp(name, "style") == 0) {
            return dlcs_error_set(err, DLCS_EINVAL,
                                  "DLCS_STORAGE: style must be 'path' or 'virtual', not '%s'",
                                  value);
        } else {
            return dlcs_error_set(
                err, DLCS_EINVAL,
                "DLCS_STORAGE: unknown S3 parameter '%s' (endpoint, region, style)", name);
        }
    }
    return st == DLCS_ENOTFOUND ? DLCS_OK : st;
}

/* "bucket[/prefix]" of the URL into 'bucket' and a prefix ending in '/' (or ""). */
static enum dlcs_status split_location(const char *rest, char **bucket, char **prefix,
                                       struct dlcs_error *err)
{
    char *loc = dlcs_url_without_query(rest);
    char *slash = strchr(loc, '/');
    size_t n;

    if (slash)
        *slash = '\0';
    n = slash ? strlen(slash + 1) : 0;
    while (slash && n > 0 && slash[n] == '/') /* trailing slashes say nothing */
        slash[n--] = '\0';
    if (slash && n > 0 && dlcs_blob_key_check(slash + 1, err) != DLCS_OK) {
        free(loc);
        return dlcs_error_set(err, DLCS_EINVAL, "DLCS_STORAGE: the S3 prefix is not a safe key");
    }
    *prefix = slash && n > 0 ? dlcs_xasprintf("%s/", slash + 1) : dlcs_xstrdup("");
    *bucket = loc;
    return DLCS_OK;
}

static enum dlcs_status s3_open(const char *url, const struct dlcs_config *cfg,
                                struct dlcs_blobstore *out, struct dlcs_error *err)
{
    struct dlcs_s3_settings set;
    char owned[2][512];
    char *bucket = NULL, *prefix = NULL;
    struct blob_s3 *s;
    enum dlcs_status st;

    dlcs_s3_settings_ambient(cfg, &set);
    st = split_location(dlcs_adapter_rest(&dlcs_blob_s3_adapter.name, url), &bucket, &prefix, err);
    if (st == DLCS_OK)
        st = read_params(url, &set, owned, err);
    set.target.bucket = bucket;
    s = dlcs_xcalloc(1, sizeof *s);
    if (st == DLCS_OK)
        st = dlcs_s3_client_new(&set, &s->client, err);
    if (st != DLCS_OK) {
        dlcs_error_prefix(err, "DLCS_STORAGE");
        free(prefix);
        free(bucket);
        free(s);
        return DLCS_EINVAL;
    }
    s->prefix = prefix;
    s->part_size = (int64_t)(cfg ? cfg->s3_part_mb : 16) << 20;
    free(bucket);
    out->ops = &s3_ops;
    out->impl = s;
    return DLCS_OK;
}

const struct dlcs_blob_adapter dlcs_blob_s3_adapter = {
    {"s3", "s3://bucket[/prefix]?endpoint=URL&region=R&style=path|virtual", false},
    s3_open,
};
