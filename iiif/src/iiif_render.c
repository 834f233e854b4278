/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Rendering an image request with libvips: the stored thumbnail when it is exactly right, a
 * larger stored thumbnail when one can be downscaled, else the pyramid page nearest above the
 * output size; then crop, resize, mirror, rotate, quality and encode.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <turbojpeg.h>

#include <vips/vips.h>

#include "dlcs/clock.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"
#include "dlcs/slots.h"

#include "disk_cache.h"
#include "iiif_internal.h"
#include "tiff_tiles.h"

/*
 * One TurboJPEG transformer per thread (handles are not thread-safe), made on first use and
 * destroyed when the connection closes or, at the latest, when its thread ends (a key
 * destructor: connections still open at shutdown never see their close notification).
 */
static pthread_key_t crop_key;
static pthread_once_t crop_once = PTHREAD_ONCE_INIT;

static void destroy_handle(void *h)
{
    tjDestroy(h);
}

static void make_crop_key(void)
{
    if (pthread_key_create(&crop_key, destroy_handle) != 0)
        abort(); /* at the first tile: nothing could work without it */
}

static tjhandle crop_handle(void)
{
    tjhandle h;

    pthread_once(&crop_once, make_crop_key);
    h = pthread_getspecific(crop_key);
    if (!h && (h = tjInitTransform()) != NULL)
        (void)pthread_setspecific(crop_key, h);
    return h;
}

void dlcs_iiif_thread_done(void)
{
    tjhandle h;

    pthread_once(&crop_once, make_crop_key);
    h = pthread_getspecific(crop_key);
    if (h) {
        tjDestroy(h);
        (void)pthread_setspecific(crop_key, NULL);
    }
    vips_thread_shutdown();
}

/* libvips' message names server files: it goes to the log, the answer says what failed. */
static enum dlcs_status vips_fail(struct dlcs_error *err, const char *what)
{
    char msg[512];

    (void)snprintf(msg, sizeof msg, "%s", vips_error_buffer());
    vips_error_clear();
    msg[strcspn(msg, "\n")] = '\0';
    dlcs_log(DLCS_LOG_ERROR, "%s: %s", what, msg);
    return dlcs_error_set(err, DLCS_EINTERNAL, "%s", what);
}

/*
 * A copy of 'in' that is this request's alone: built outside libvips' operation cache, so a
 * deadline set on it (progress signal, kill flag) can never reach another request that shares
 * the cached pipeline. NULL when libvips fails.
 */
static VipsImage *own_copy(VipsImage *in)
{
    VipsOperation *op = vips_operation_new("copy");
    VipsImage *out = NULL;

    if (!op)
        return NULL;
    g_object_set(op, "in", in, NULL);
    if (vips_object_build(VIPS_OBJECT(op)) == 0)
        g_object_get(op, "out", &out, NULL);
    vips_object_unref_outputs(VIPS_OBJECT(op));
    g_object_unref(op);
    return out;
}

static bool is_plain(const struct dlcs_iiif_plan *p, const struct dlcs_iiif_image *img)
{
    return p->x == 0 && p->y == 0 && p->w == img->asset.width && p->h == img->asset.height &&
           !p->mirror && p->rotation == 0 &&
           (p->quality == DLCS_QUALITY_DEFAULT || p->quality == DLCS_QUALITY_COLOR);
}

/* The smallest stored thumbnail at least as large as the output, or -1. */
static int thumb_for(const struct dlcs_iiif_image *img, const struct dlcs_iiif_plan *p)
{
    int best = -1;

    for (int i = 0; i < img->size_count; i++) {
        if (img->sizes[i][0] >= p->out_w && img->sizes[i][1] >= p->out_h)
            best = i; /* sizes are largest first: keep the last that is big enough */
    }
    return best;
}

static char *thumb_key(const struct dlcs_iiif_image *img, int i)
{
    char file[64];

    (void)snprintf(file, sizeof file, "thumbs/%dx%d.jpg", img->sizes[i][0], img->sizes[i][1]);
    return dlcs_iiif_blob_key(img, file);
}

/* False only when the object is certainly gone (a failing store is not "gone"). */
static bool blob_exists(const struct dlcs_iiif_context *ctx, const char *key)
{
    int64_t bytes = 0;

    return dlcs_blob_size(ctx->blobs, key, &bytes, NULL) != DLCS_ENOTFOUND;
}

/* Open the source: a stored thumbnail, or the pyramid page for the output's scale. Also
 * returns the factor from full-image coordinates to the source's. */
static enum dlcs_status open_source(const struct dlcs_iiif_context *ctx,
                                    const struct dlcs_iiif_image *img,
                                    const struct dlcs_iiif_plan *p, VipsImage **src, double *factor,
                                    struct dlcs_error *err)
{
    int t = is_plain(p, img) ? thumb_for(img, p) : -1;
    char *key = t >= 0 ? thumb_key(img, t) : dlcs_iiif_blob_key(img, "image.tif");
    char *path = NULL;
    enum dlcs_status st = dlcs_disk_cache_path(ctx->disk, ctx->blobs, key, &path, err);
    int page = 0;

    if (st == DLCS_OK && t >= 0) {
        *factor = (double)img->sizes[t][0] / (double)img->asset.width;
        if (vips_jpegload(path, src, NULL) != 0)
            st = vips_fail(err, "cannot read a thumbnail");
    } else if (st == DLCS_OK) {
        double shrink = fmin((double)p->w / p->out_w, (double)p->h / p->out_h);

        while (page + 1 < img->scale_factors && (double)(1 << (page + 1)) <= shrink)
            page++;
        *factor = 1.0 / (1 << page);
        if (vips_tiffload(path, src, "page", page, NULL) != 0)
            st = dlcs_error_set(err, DLCS_EUPSTREAM, "cannot read the derivative of '%s'",
                                img->asset.id);
        vips_error_clear();
    }
    if (st != DLCS_OK && st != DLCS_ENOTFOUND && !blob_exists(ctx, key))
        st = dlcs_error_set(err, DLCS_ENOTFOUND, "the derivatives of '%s' were replaced",
                            img->asset.id);
    free(path);
    free(key);
    return st;
}

/* Replace '*img' with the result of 'call' (which writes 'next'). */
#define STEP(call)                                                                                 \
    do {                                                                                           \
        VipsImage *next = NULL;                                                                    \
        if ((call) != 0)                                                                           \
            return -1;                                                                             \
        g_object_unref(*img);                                                                      \
        *img = next;                                                                               \
    } while (0)

static int crop_and_scale(VipsImage **img, const struct dlcs_iiif_plan *p, double f)
{
    int x = (int)floor(p->x * f), y = (int)floor(p->y * f);
    int w = (int)ceil((p->x + p->w) * f) - x, h = (int)ceil((p->y + p->h) * f) - y;

    w = x + w > (*img)->Xsize ? (*img)->Xsize - x : w;
    h = y + h > (*img)->Ysize ? (*img)->Ysize - y : h;
    if (w < 1 || h < 1) {
        vips_error("dlcs", "empty region");
        return -1;
    }
    if (x != 0 || y != 0 || w != (*img)->Xsize || h != (*img)->Ysize)
        STEP(vips_extract_area(*img, &next, x, y, w, h, NULL));
    if (w != p->out_w || h != p->out_h)
        /* bilinear, as IIPImage: lanczos3 costs three times more for no visible gain on the
         * mild residual scales left after picking the right pyramid page or thumbnail */
        STEP(vips_resize(*img, &next, (double)p->out_w / w, "vscale", (double)p->out_h / h,
                         "kernel", VIPS_KERNEL_LINEAR, NULL));
    return 0;
}

static int orient(VipsImage **img, const struct dlcs_iiif_plan *p)
{
    static const VipsAngle right[] = {VIPS_ANGLE_D0, VIPS_ANGLE_D90, VIPS_ANGLE_D180,
                                      VIPS_ANGLE_D270};
    double turns = p->rotation / 90.0;

    if (p->mirror)
        STEP(vips_flip(*img, &next, VIPS_DIRECTION_HORIZONTAL, NULL));
    if (p->rotation == 0)
        return 0;
    if (turns == floor(turns)) {
        STEP(vips_rot(*img, &next, right[(int)turns % 4], NULL));
    } else {
        double white[3] = {255, 255, 255};
        VipsArrayDouble *bg = vips_array_double_new(white, (*img)->Bands);
        int rc;
        VipsImage *next = NULL;

        rc = vips_rotate(*img, &next, p->rotation, "background", bg, NULL);
        vips_area_unref(VIPS_AREA(bg));
        if (rc != 0)
            return -1;
        g_object_unref(*img);
        *img = next;
    }
    return 0;
}

static int apply_quality(VipsImage **img, enum dlcs_iiif_quality q)
{
    if (q == DLCS_QUALITY_GRAY || q == DLCS_QUALITY_BITONAL)
        STEP(vips_colourspace(*img, &next, VIPS_INTERPRETATION_B_W, NULL));
    if (q == DLCS_QUALITY_BITONAL)
        STEP(vips_relational_const1(*img, &next, VIPS_OPERATION_RELATIONAL_MOREEQ, 128, NULL));
    if (q == DLCS_QUALITY_COLOR && (*img)->Bands == 1)
        STEP(vips_colourspace(*img, &next, VIPS_INTERPRETATION_sRGB, NULL));
    return 0;
}

static int encode(VipsImage *img, enum dlcs_iiif_format f, int quality, void **out, size_t *len)
{
    switch (f) {
    case DLCS_FORMAT_JPG:
        return vips_jpegsave_buffer(img, out, len, "Q", quality, "strip", TRUE, NULL);
    case DLCS_FORMAT_PNG:
        return vips_pngsave_buffer(img, out, len, "compression", 1, "strip", TRUE, NULL);
    case DLCS_FORMAT_WEBP:
        return vips_webpsave_buffer(img, out, len, "Q", quality, "strip", TRUE, NULL);
    case DLCS_FORMAT_TIF:
        return vips_tiffsave_buffer(img, out, len, "compression",
                                    VIPS_FOREIGN_TIFF_COMPRESSION_DEFLATE, "strip", TRUE, NULL);
    case DLCS_FORMAT_GIF:
        return vips_gifsave_buffer(img, out, len, "strip", TRUE, NULL);
    case DLCS_FORMAT_JP2:
        return vips_jp2ksave_buffer(img, out, len, "Q", quality, NULL);
    }
    return -1;
}

/*
 * A stored object's bytes into a GLib buffer: one GET, or on storage without local files (S3)
 * the render cache's copy once there is one — an object asked for DLCS_CACHE_COPY_AFTER
 * times is copied there (a much-viewed thumbnail then costs no request).
 */
static bool read_stored(const struct dlcs_iiif_context *ctx, const char *key, void **data,
                        size_t *n)
{
    /* (only with a cache: a directory's thumbnails are read through the port, bounded) */
    char *path = ctx->disk ? dlcs_disk_cache_local(ctx->disk, ctx->blobs, key) : NULL;
    void *bytes = NULL;
    gsize got = 0;
    bool ok;

    if (path) {
        ok = g_file_get_contents(path, (gchar **)data, &got, NULL);
        *n = got;
        free(path);
        if (ok)
            return true;
    }
    ok = dlcs_blob_get_bytes(ctx->blobs, key, 64 << 20, &bytes, n, NULL) == DLCS_OK;
    if (ok)
        *data = g_memdup2(bytes, *n);
    free(bytes);
    return ok;
}

/* A request that is exactly a stored thumbnail: its bytes, as stored. */
static bool send_stored(const struct dlcs_iiif_context *ctx, const struct dlcs_iiif_image *img,
                        const struct dlcs_iiif_plan *p, void **out, size_t *len)
{
    void *data = NULL;
    size_t n = 0;
    char *key;
    bool done = false;

    if (!is_plain(p, img) || p->format != DLCS_FORMAT_JPG)
        return false;
    for (int i = 0; i < img->size_count && !done; i++) {
        if (img->sizes[i][0] != p->out_w || img->sizes[i][1] != p->out_h)
            continue;
        key = thumb_key(img, i);
        if (read_stored(ctx, key, &data, &n)) {
            *out = data; /* GLib-allocated, as the caller frees it */
            *len = n;
            done = true;
        }
        free(key);
    }
    return done;
}

/*
 * The image part of a padded edge tile, cropped losslessly in the DCT domain (the crop starts
 * at the tile's corner, an MCU boundary): no decode, no re-encode, no generation loss.
 */
static bool crop_tile(void *jpeg, size_t n, int w, int h, void **out, size_t *len)
{
    tjtransform t;
    unsigned char *dst = NULL;
    unsigned long dst_len = 0;
    tjhandle handle = crop_handle();
    bool ok;

    if (!handle)
        return false;
    memset(&t, 0, sizeof t);
    t.r.w = w;
    t.r.h = h;
    t.op = TJXOP_NONE;
    t.options = TJXOPT_CROP;
    ok = tjTransform(handle, jpeg, n, 1, &dst, &dst_len, &t, 0) == 0;
    if (ok) {
        *out = g_memdup2(dst, dst_len);
        *len = dst_len;
    }
    tjFree(dst);
    return ok;
}

/*
 * A request for exactly one stored tile at default quality: a full tile is the stored JPEG as
 * is (no decode, no encode); an edge tile is the stored JPEG cropped, cheaper than a render.
 */
static bool send_tile(const struct dlcs_iiif_context *ctx, const struct dlcs_iiif_image *img,
                      const struct dlcs_iiif_plan *p, void **out, size_t *len)
{
    char *key, *path;
    struct dlcs_tiff_tile_request req;
    struct dlcs_tiff_tile tile = {0};
    int step = 256, level;
    bool done = false;

    if (p->format != DLCS_FORMAT_JPG || p->quality > DLCS_QUALITY_COLOR || p->mirror ||
        p->rotation != 0 || p->out_w > 256 || p->out_h > 256)
        return false;
    for (level = 0; level < img->scale_factors; level++) {
        step = 256 << level;
        if (p->x % step == 0 && p->y % step == 0 &&
            p->out_w == (p->w + (1 << level) - 1) >> level &&
            p->out_h == (p->h + (1 << level) - 1) >> level && (p->w == step || p->out_w < 256) &&
            (p->h == step || p->out_h < 256))
            break;
    }
    if (level == img->scale_factors)
        return false;
    key = dlcs_iiif_blob_key(img, "image.tif");
    /* a local file when there is one (a directory, or a cached copy), else by ranges */
    path = dlcs_disk_cache_local(ctx->disk, ctx->blobs, key);
    req = (struct dlcs_tiff_tile_request){
        path, path ? NULL : ctx->blobs, key, level, p->x / step, p->y / step, 256};
    if (dlcs_tiff_tile_get(&req, &tile, NULL) == DLCS_OK) {
        if (tile.valid_w == p->out_w && tile.valid_h == p->out_h && tile.valid_w == 256 &&
            tile.valid_h == 256) {
            *out = tile.jpeg;
            *len = tile.len;
            tile.jpeg = NULL;
            done = true;
        } else if (tile.valid_w == p->out_w && tile.valid_h == p->out_h) {
            done = crop_tile(tile.jpeg, tile.len, tile.valid_w, tile.valid_h, out, len);
        }
    }
    g_free(tile.jpeg);
    free(path);
    free(key);
    return done;
}

/* Past the deadline, libvips stops computing the image (the save then fails). */
static void on_eval(VipsImage *image, VipsProgress *progress, void *data)
{
    const int64_t *deadline = data;

    (void)progress;
    if (dlcs_time_mono_ms() > *deadline)
        vips_image_set_kill(image, TRUE);
}

/* Crop, scale, turn, colour and encode 'im' (taken) before 'deadline'. */
static enum dlcs_status render_pixels(const struct dlcs_iiif_context *ctx, VipsImage *im,
                                      const struct dlcs_iiif_plan *p, double factor, void **out,
                                      size_t *len, struct dlcs_error *err)
{
    int64_t deadline = dlcs_time_mono_ms() + ctx->render_timeout_ms;
    VipsImage *own = NULL;
    enum dlcs_status st = DLCS_OK;

    if (crop_and_scale(&im, p, factor) != 0 || orient(&im, p) != 0 ||
        apply_quality(&im, p->quality) != 0) {
        st = vips_fail(err, "cannot render the image");
    } else if (ctx->render_timeout_ms > 0 && !(own = own_copy(im))) {
        st = vips_fail(err, "cannot render the image");
    } else {
        if (own) {
            vips_image_set_progress(own, TRUE);
            g_signal_connect(own, "eval", G_CALLBACK(on_eval), &deadline);
        }
        if (encode(own ? own : im, p->format, ctx->jpeg_quality, out, len) != 0)
            st = dlcs_time_mono_ms() > deadline
                     ? dlcs_error_set(err, DLCS_EBUSY,
                                      "the render took longer than DLCS_IIIF_RENDER_TIMEOUT_MS "
                                      "(%d ms); try a smaller size",
                                      ctx->render_timeout_ms)
                     : vips_fail(err, "cannot render the image");
    }
    if (own)
        g_object_unref(own); /* its signal handler and 'deadline' go with it */
    g_object_unref(im);
    return st;
}

enum dlcs_status dlcs_iiif_render(const struct dlcs_iiif_context *ctx,
                                  const struct dlcs_iiif_render_job *job, void **out, size_t *len,
                                  struct dlcs_error *err)
{
    const struct dlcs_iiif_image *img = job->img;
    const struct dlcs_iiif_plan *p = job->plan;
    VipsImage *im = NULL;
    double factor = 1;
    enum dlcs_status st;

    *out = NULL;
    *len = 0;
    if (send_tile(ctx, img, p, out, len) || send_stored(ctx, img, p, out, len))
        return DLCS_OK;
    if (ctx->renders && !dlcs_slots_take_for(ctx->renders, job->client, ctx->renders_per_client))
        return dlcs_error_set(err, DLCS_EBUSY,
                              "every render slot this client may use is busy; try again shortly");
    st = open_source(ctx, img, p, &im, &factor, err);
    if (st == DLCS_OK)
        st = render_pixels(ctx, im, p, factor, out, len, err);
    else if (im)
        g_object_unref(im);
    if (ctx->renders)
        dlcs_slots_give_for(ctx->renders, job->client);
    return st;
}
