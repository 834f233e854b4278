/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The delivery routes: /iiif-img/[v2|v3/]{customer}/{space}/{id}[/info.json | /{region}/{size}/
 * {rotation}/{quality}.{format}] and /thumbs/... (level 0). Handlers only translate HTTP into
 * calls on the image lookup and the renderer, and the results back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "dlcs/http_server.h"
#include "dlcs/json_util.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"
#include "dlcs/slots.h"

#include "disk_cache.h"
#include "iiif_internal.h"

/* Split the path after 'prefix' into segments; false when it does not fit. */
bool dlcs_iiif_split_path(const char *url_path, const char *prefix, struct dlcs_iiif_path *p)
{
    const char *rest = url_path + strlen(prefix);
    char *save = NULL;

    memset(p, 0, sizeof *p);
    p->version = DLCS_IIIF_V3;
    if (strlen(rest) >= sizeof p->buf || strstr(rest, "//"))
        return false;
    memcpy(p->buf, rest, strlen(rest) + 1);
    for (char *t = strtok_r(p->buf, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
        if (p->count == DLCS_IIIF_MAX_SEGMENTS)
            return false;
        p->segs[p->count++] = t;
    }
    if (p->count > 0 && (strcmp(p->segs[0], "v2") == 0 || strcmp(p->segs[0], "v3") == 0)) {
        p->version = p->segs[0][1] == '2' ? DLCS_IIIF_V2 : DLCS_IIIF_V3;
        p->versioned = true;
        memmove(p->segs, p->segs + 1, sizeof(char *) * (size_t)(DLCS_IIIF_MAX_SEGMENTS - 1));
        p->count--;
    }
    return true;
}

static void cors_and_cache(struct _u_response *res, const struct dlcs_iiif_context *ctx)
{
    char cc[64];

    u_map_put(res->map_header, "Access-Control-Allow-Origin", "*");
    (void)snprintf(cc, sizeof cc, "public, max-age=%d", ctx->max_age);
    u_map_put(res->map_header, "Cache-Control", cc);
}

bool dlcs_iiif_split_raw_path(const struct _u_request *req, const char *prefix,
                              struct dlcs_iiif_path *p)
{
    const char *raw = req->http_url ? req->http_url : "";
    char path[sizeof p->buf];
    size_t n = strcspn(raw, "?#");

    if (n >= sizeof path)
        return false;
    memcpy(path, raw, n);
    path[n] = '\0';
    if (strncmp(path, prefix, strlen(prefix)) != 0 || !dlcs_iiif_split_path(path, prefix, p))
        return false;
    for (int i = 0; i < p->count; i++)
        if (!dlcs_http_percent_decode(p->segs[i]))
            return false;
    return true;
}

int dlcs_iiif_fail(const struct _u_request *req, struct _u_response *res, enum dlcs_status st,
                   const char *msg)
{
    struct dlcs_error err = {0};

    u_map_put(res->map_header, "Access-Control-Allow-Origin", "*");
    (void)dlcs_error_set(&err, st, "%s", msg);
    return dlcs_http_send_error(req, res, &err);
}

int dlcs_iiif_fail_err(const struct _u_request *req, struct _u_response *res,
                       const struct dlcs_error *err)
{
    u_map_put(res->map_header, "Access-Control-Allow-Origin", "*");
    return dlcs_http_send_error(req, res, err);
}

int dlcs_iiif_options(struct _u_response *res)
{
    u_map_put(res->map_header, "Access-Control-Allow-Origin", "*");
    u_map_put(res->map_header, "Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
    u_map_put(res->map_header, "Access-Control-Allow-Headers",
              "Accept, Authorization, If-None-Match, If-Modified-Since, Range");
    u_map_put(res->map_header, "Access-Control-Max-Age", "86400");
    ulfius_set_empty_body_response(res, 204);
    return U_CALLBACK_COMPLETE;
}

uint64_t dlcs_iiif_hash(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

bool dlcs_iiif_not_modified(const struct _u_request *req, struct _u_response *res, uint64_t h,
                            int64_t modified_ms)
{
    char etag[64], date[64];
    time_t t = (time_t)(modified_ms / 1000);
    struct tm tm;
    const char *inm = u_map_get_case(req->map_header, "If-None-Match");
    const char *ims = u_map_get_case(req->map_header, "If-Modified-Since");

    (void)snprintf(etag, sizeof etag, "\"%016llx\"", (unsigned long long)h);
    gmtime_r(&t, &tm);
    if (strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
        date[0] = '\0';
    u_map_put(res->map_header, "ETag", etag);
    u_map_put(res->map_header, "Last-Modified", date);
    if ((inm && strcmp(inm, etag) == 0) || (!inm && ims && strcmp(ims, date) == 0)) {
        ulfius_set_empty_body_response(res, 304);
        return true;
    }
    return false;
}

/* Validators from the asset's last ingest; 'extra' distinguishes representations. */
static bool not_modified(const struct _u_request *req, struct _u_response *res,
                         const struct dlcs_iiif_image *img, const char *extra)
{
    uint64_t h = dlcs_iiif_hash(1469598103934665603ULL, extra);

    /* the served generation: a re-registration still ingesting changes nothing delivered */
    h ^= (uint64_t)(img->asset.served ? img->asset.served : img->asset.generation) *
         1099511628211ULL;
    return dlcs_iiif_not_modified(req, res, h,
                                  img->asset.finished ? img->asset.finished : img->asset.modified);
}

static const char *image_service(enum dlcs_iiif_version v)
{
    return v == DLCS_IIIF_V3 ? "http://iiif.io/api/image/3/level2.json"
                             : "http://iiif.io/api/image/2/level2.json";
}

/* 2.1 when the path says so, or the Accept header asks for the 2.1 context. */
static enum dlcs_iiif_version negotiated(const struct _u_request *req,
                                         const struct dlcs_iiif_path *p)
{
    const char *accept = u_map_get_case(req->map_header, "Accept");

    if (p->versioned)
        return p->version;
    if (accept && strstr(accept, "iiif.io/api/image/2/context.json"))
        return DLCS_IIIF_V2;
    return DLCS_IIIF_V3;
}

static char *service_id(const struct _u_request *req, const struct dlcs_iiif_context *ctx,
                        const char *prefix, const struct dlcs_iiif_path *p,
                        enum dlcs_iiif_version v)
{
    char *base = dlcs_http_base_url(req, ctx->cfg->public_url);
    char *segs[3], *id;

    for (int i = 0; i < 3; i++)
        segs[i] = dlcs_http_segment_encode(p->segs[i]);
    id = dlcs_xasprintf("%s%s%s%s/%s/%s", base, prefix, v == DLCS_IIIF_V2 ? "v2/" : "", segs[0],
                        segs[1], segs[2]);
    for (int i = 0; i < 3; i++)
        free(segs[i]);
    free(base);
    return id;
}

static int redirect_to_info(const struct _u_request *req, struct _u_response *res,
                            const struct dlcs_iiif_context *ctx, const char *prefix,
                            const struct dlcs_iiif_path *p)
{
    char *id = service_id(req, ctx, prefix, p, p->version);
    char *location = dlcs_xasprintf("%s/info.json", id);

    u_map_put(res->map_header, "Location", location);
    u_map_put(res->map_header, "Access-Control-Allow-Origin", "*");
    ulfius_set_empty_body_response(res, 303);
    free(location);
    free(id);
    return U_CALLBACK_COMPLETE;
}

static int send_info(const struct _u_request *req, struct _u_response *res,
                     const struct dlcs_iiif_context *ctx, const char *prefix,
                     const struct dlcs_iiif_path *p, enum dlcs_iiif_channel channel)
{
    struct dlcs_iiif_image img;
    struct dlcs_error err = {0};
    enum dlcs_iiif_version v = negotiated(req, p);
    char *id;
    json_t *info;
    const char *accept = u_map_get_case(req->map_header, "Accept");
    bool ld = v == DLCS_IIIF_V3 || (accept && strstr(accept, "application/ld+json"));

    if (dlcs_iiif_image_load(
            ctx, &(struct dlcs_iiif_image_ref){p->segs[0], p->segs[1], p->segs[2], channel, false},
            &img, &err) != DLCS_OK)
        return dlcs_iiif_fail_err(req, res, &err);
    cors_and_cache(res, ctx);
    if (!p->versioned)
        u_map_put(res->map_header, "Vary", "Accept"); /* the version comes from Accept */
    id = service_id(req, ctx, prefix, p, v);
    /* the body holds the id (base URL): caches must not hand one host's info.json to another */
    if (not_modified(req, res, &img, id)) {
        free(id);
        dlcs_iiif_image_release(&img);
        return U_CALLBACK_COMPLETE;
    }
    info = channel == DLCS_CHANNEL_IMAGE ? dlcs_iiif_info(&img, v, id, &ctx->limits)
                                         : dlcs_iiif_thumbs_info(&img, v, id);
    u_map_put(res->map_header, "Link",
              channel == DLCS_CHANNEL_IMAGE
                  ? (v == DLCS_IIIF_V3 ? "<http://iiif.io/api/image/3/level2.json>;rel=\"profile\""
                                       : "<http://iiif.io/api/image/2/level2.json>;rel=\"profile\"")
                  : (v == DLCS_IIIF_V3
                         ? "<http://iiif.io/api/image/3/level0.json>;rel=\"profile\""
                         : "<http://iiif.io/api/image/2/level0.json>;rel=\"profile\""));
    free(id);
    dlcs_iiif_image_release(&img);
    return dlcs_http_send_json(
        res, 200, info,
        !ld ? "application/json"
        : v == DLCS_IIIF_V3
            ? "application/ld+json;profile=\"http://iiif.io/api/image/3/context.json\""
            : "application/ld+json;profile=\"http://iiif.io/api/image/2/context.json\"");
}

/* A level-0 request must name a stored size exactly. */
static bool is_stored_size(const struct dlcs_iiif_image *img, const struct dlcs_iiif_plan *p)
{
    bool full = p->x == 0 && p->y == 0 && p->w == img->asset.width && p->h == img->asset.height;

    for (int i = 0; full && i < img->size_count; i++) {
        if (img->sizes[i][0] == p->out_w && img->sizes[i][1] == p->out_h && !p->mirror &&
            p->rotation == 0 && p->quality <= DLCS_QUALITY_COLOR && p->format == DLCS_FORMAT_JPG)
            return true;
    }
    return false;
}

static int send_image_bytes(struct _u_response *res, const struct dlcs_iiif_context *ctx,
                            const struct dlcs_iiif_plan *plan, void *data, size_t len)
{
    cors_and_cache(res, ctx);
    u_map_put(res->map_header, "Content-Type", dlcs_iiif_format_mime(plan->format));
    ulfius_set_binary_body_response(res, 200, data, len);
    g_free(data);
    return U_CALLBACK_COMPLETE;
}

static void link_headers(const struct _u_request *req, struct _u_response *res,
                         const struct dlcs_iiif_context *ctx, const char *prefix,
                         const struct dlcs_iiif_path *p, const struct dlcs_iiif_image *img,
                         const struct dlcs_iiif_plan *plan)
{
    char canon[256];
    char *id = service_id(req, ctx, prefix, p, p->version);
    char *link;

    dlcs_iiif_canonical(plan, p->version, (int)img->asset.width, (int)img->asset.height, canon,
                        sizeof canon);
    link = dlcs_xasprintf("<%s>;rel=\"profile\", <%s/%s>;rel=\"canonical\"",
                          image_service(p->version), id, canon);
    u_map_put(res->map_header, "Link", link);
    free(link);
    free(id);
}

/* One image request's fixed parts, for image_answer. */
struct image_call {
    const struct dlcs_iiif_context *ctx;
    const char *prefix;
    const struct dlcs_iiif_path *path;
    enum dlcs_iiif_channel channel;
    const struct dlcs_iiif_request *request;
    struct dlcs_iiif_plan *plan; /* out */
    void **data;                 /* out: the bytes (g_free) */
    size_t *len;
};

/*
 * Plan and produce one image request for the loaded 'img': 304, a failure, or the bytes. A
 * DLCS_ENOTFOUND from the render means the record read was older than a re-ingest's switch.
 */
static enum dlcs_status image_answer(const struct _u_request *req, struct _u_response *res,
                                     const struct image_call *ic, struct dlcs_iiif_image *img,
                                     bool *not_modified_sent, struct dlcs_error *err)
{
    struct dlcs_iiif_request r = *ic->request;
    struct dlcs_iiif_plan *plan = ic->plan;
    char tag[256];
    enum dlcs_status st;

    if (ic->channel == DLCS_CHANNEL_THUMBS && r.size == DLCS_SIZE_MAX && img->size_count > 0) {
        r.size = DLCS_SIZE_EXACT; /* level 0's "max" is the largest stored thumbnail */
        r.sw = img->sizes[0][0];
        r.sh = img->sizes[0][1];
    }
    st = dlcs_iiif_resolve(&r, (int)img->asset.width, (int)img->asset.height, &ic->ctx->limits,
                           plan, err);
    if (st == DLCS_OK && ic->channel == DLCS_CHANNEL_THUMBS && !is_stored_size(img, plan))
        st = dlcs_error_set(err, DLCS_ENOTFOUND,
                            "the thumbnails service has only the sizes its info.json lists");
    if (st == DLCS_OK && !dlcs_iiif_allowed(img, plan))
        st = dlcs_error_set(err, DLCS_EAUTH, "image '%s' needs authorisation", img->asset.id);
    if (st != DLCS_OK)
        return st;
    dlcs_iiif_canonical(plan, ic->path->version, (int)img->asset.width, (int)img->asset.height, tag,
                        sizeof tag);
    link_headers(req, res, ic->ctx, ic->prefix, ic->path, img, plan);
    if (not_modified(req, res, img, tag)) {
        cors_and_cache(res, ic->ctx);
        *not_modified_sent = true;
        return DLCS_OK;
    }
    return dlcs_iiif_render(
        ic->ctx, &(const struct dlcs_iiif_render_job){img, plan, dlcs_http_client_key(req)},
        ic->data, ic->len, err);
}

static int send_image(const struct _u_request *req, struct _u_response *res,
                      const struct dlcs_iiif_context *ctx, const char *prefix,
                      const struct dlcs_iiif_path *p, enum dlcs_iiif_channel channel)
{
    struct dlcs_iiif_request r;
    struct dlcs_iiif_plan plan;
    struct dlcs_iiif_image img;
    struct dlcs_error err = {0};
    void *data = NULL;
    size_t len = 0;
    bool sent_304 = false;
    const struct image_call ic = {ctx, prefix, p, channel, &r, &plan, &data, &len};
    enum dlcs_status st = DLCS_ENOTFOUND;

    /* syntax first: a malformed request is 400 whether or not the image exists */
    if (dlcs_iiif_parse(p->version, p->segs[3], p->segs[4], p->segs[5], p->segs[6], &r, &err) !=
        DLCS_OK)
        return dlcs_iiif_fail_err(req, res, &err);
    /* a record from the cache may name a generation a re-ingest has just replaced: once more */
    for (int attempt = 0; attempt < 2 && st == DLCS_ENOTFOUND && !sent_304; attempt++) {
        const struct dlcs_iiif_image_ref ref = {p->segs[0], p->segs[1], p->segs[2], channel,
                                                attempt > 0};

        dlcs_error_clear(&err);
        st = dlcs_iiif_image_load(ctx, &ref, &img, &err);
        if (st != DLCS_OK)
            return dlcs_iiif_fail_err(req, res, &err);
        st = image_answer(req, res, &ic, &img, &sent_304, &err);
        dlcs_iiif_image_release(&img);
    }
    if (st != DLCS_OK)
        return dlcs_iiif_fail_err(req, res, &err);
    if (sent_304)
        return U_CALLBACK_COMPLETE;
    return send_image_bytes(res, ctx, &plan, data, len);
}

static int dispatch(const struct _u_request *req, struct _u_response *res,
                    const struct dlcs_iiif_context *ctx, const char *prefix,
                    enum dlcs_iiif_channel channel)
{
    struct dlcs_iiif_path p;

    if (strcmp(req->http_verb, "OPTIONS") == 0)
        return dlcs_iiif_options(res);
    if (strcmp(req->http_verb, "GET") != 0 && strcmp(req->http_verb, "HEAD") != 0) {
        u_map_put(res->map_header, "Allow", "GET, HEAD, OPTIONS");
        return dlcs_iiif_fail(req, res, DLCS_EMETHOD, "only GET, HEAD and OPTIONS are served here");
    }
    /* the raw path, each segment decoded: %2D is '-', and %2F never splits an identifier */
    if (!dlcs_iiif_split_raw_path(req, prefix, &p) || p.count < 3)
        return dlcs_iiif_fail(req, res, DLCS_ENOTFOUND, "no such image");
    if (p.count == 3)
        return redirect_to_info(req, res, ctx, prefix, &p);
    if (p.count == 4 && strcmp(p.segs[3], "info.json") == 0)
        return send_info(req, res, ctx, prefix, &p, channel);
    if (p.count == 7)
        return send_image(req, res, ctx, prefix, &p, channel);
    return dlcs_iiif_fail(req, res, DLCS_EINVAL,
                          "an image request is {region}/{size}/{rotation}/{quality}.{format}");
}

static int on_image_service(const struct _u_request *req, struct _u_response *res, void *data)
{
    return dispatch(req, res, data, "/iiif-img/", DLCS_CHANNEL_IMAGE);
}

static int on_thumbs_service(const struct _u_request *req, struct _u_response *res, void *data)
{
    return dispatch(req, res, data, "/thumbs/", DLCS_CHANNEL_THUMBS);
}

/* Only storage without local files needs one (S3); a directory's files are read in place. */
static void open_disk_cache(struct dlcs_iiif_context *ctx, const struct dlcs_config *cfg,
                            struct dlcs_blobstore *blobs)
{
    const struct dlcs_disk_cache_settings set = {
        .dir = cfg->cache_dir,
        .scratch = cfg->scratch_dir,
        .max_bytes = (int64_t)cfg->cache_max_mb << 20,
        .max_object = (int64_t)cfg->cache_max_mb << 19, /* half: one object never fills it */
        .copy_after = cfg->cache_copy_after,
    };
    struct dlcs_error err = {0};
    char *probe = NULL;

    if (!blobs || dlcs_blob_local_path(blobs, "probe", &probe, NULL) == DLCS_OK) {
        free(probe);
        return;
    }
    ctx->disk = dlcs_disk_cache_new(&set, &err);
    if (!ctx->disk)
        dlcs_log(DLCS_LOG_ERROR, "render cache: %s (renders will fail)", err.message);
}

void dlcs_iiif_context_init(struct dlcs_iiif_context *ctx, const struct dlcs_config *cfg,
                            struct dlcs_store *store, struct dlcs_blobstore *blobs)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->cfg = cfg;
    ctx->store = store;
    ctx->blobs = blobs;
    ctx->limits.max_width = cfg->iiif_max_width;
    ctx->limits.max_height = cfg->iiif_max_height;
    ctx->limits.max_area = cfg->iiif_max_area;
    ctx->jpeg_quality = cfg->iiif_jpeg_quality;
    ctx->max_age = cfg->iiif_max_age;
    ctx->records = dlcs_iiif_cache_new(cfg->iiif_record_ttl_ms);
    ctx->renders = dlcs_slots_new(cfg->iiif_render_slots, cfg->iiif_render_wait_ms);
    ctx->renders_per_client =
        cfg->iiif_render_slots_per_client > 0
            ? cfg->iiif_render_slots_per_client
            : (cfg->iiif_render_slots / 2 > 1 ? cfg->iiif_render_slots / 2 : 1);
    ctx->render_timeout_ms = cfg->iiif_render_timeout_ms;
    open_disk_cache(ctx, cfg, blobs);
}

void dlcs_iiif_context_release(struct dlcs_iiif_context *ctx)
{
    dlcs_iiif_cache_free(ctx->records);
    dlcs_slots_free(ctx->renders);
    dlcs_disk_cache_free(ctx->disk);
    ctx->disk = NULL;
    ctx->records = NULL;
    ctx->renders = NULL;
}

enum dlcs_status dlcs_iiif_register(struct dlcs_http_server *http,
                                    const struct dlcs_iiif_context *ctx, struct dlcs_error *err)
{
    const struct dlcs_http_route routes[] = {
        {"*", "/iiif-img/*", on_image_service, ctx, DLCS_HTTP_BODY_NONE, NULL},
        {"*", "/thumbs/*", on_thumbs_service, ctx, DLCS_HTTP_BODY_NONE, NULL},
    };

    for (size_t i = 0; i < DLCS_ARRAY_LEN(routes); i++)
        if (dlcs_http_server_route(http, &routes[i], err) != DLCS_OK)
            return err->code;
    return dlcs_iiif_register_resources(http, ctx, err);
}
