/* SPDX-License-Identifier: Apache-2.0 */
/* Source image -> pyramidal TIFF + thumbnails (+ JP2) with libvips, under limits. */
#include "dlcs/convert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vips/vips.h>

#include "dlcs/clock.h"
#include "dlcs/fs.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"

#include "convert_internal.h"

/* Record the current libvips error as ours, and clear it (the buffer is process-wide). */
enum dlcs_status dlcs_convert_vips_fail(struct dlcs_error *err, enum dlcs_status st,
                                        const char *what)
{
    char msg[200];

    (void)snprintf(msg, sizeof msg, "%s", vips_error_buffer());
    vips_error_clear();
    msg[strcspn(msg, "\n")] = '\0';
    return dlcs_error_set(err, st, "%s: %s", what, msg[0] ? msg : "libvips failed");
}

volatile sig_atomic_t dlcs_convert_limit_hit;

static void on_eval(VipsImage *image, VipsProgress *progress, void *data)
{
    struct dlcs_convert_guard *g = data;

    (void)progress;
    if (dlcs_time_mono_ms() > g->deadline_ms) {
        g->timed_out = true;
        dlcs_convert_limit_hit = 1;
        vips_image_set_kill(image, TRUE);
    } else if (g->max_memory > 0 && (int64_t)vips_tracked_get_mem() > g->max_memory) {
        g->over_memory = true;
        dlcs_convert_limit_hit = 2;
        vips_image_set_kill(image, TRUE);
    }
}

void dlcs_convert_guard_watch(struct dlcs_convert_guard *g, VipsImage *image)
{
    vips_image_set_progress(image, TRUE);
    g_signal_connect(image, "eval", G_CALLBACK(on_eval), g);
}

enum dlcs_status dlcs_convert_guard_fail(const struct dlcs_convert_guard *g,
                                         const struct dlcs_convert_options *opt,
                                         struct dlcs_error *err, const char *what)
{
    if (g->timed_out) {
        vips_error_clear();
        return dlcs_error_set(err, DLCS_ETOOLARGE,
                              "%s: conversion took longer than %d ms (DLCS_INGEST_TIMEOUT_MS)",
                              what, opt->timeout_ms);
    }
    if (g->over_memory) {
        vips_error_clear();
        return dlcs_error_set(err, DLCS_ETOOLARGE,
                              "%s: conversion used more than %lld MiB (DLCS_INGEST_MAX_MEMORY_MB)",
                              what, (long long)(opt->max_memory >> 20));
    }
    return dlcs_convert_vips_fail(err, DLCS_EINVAL, what);
}

static enum dlcs_status write_pyramid(VipsImage *img, const char *path, int quality,
                                      struct dlcs_convert_guard *g,
                                      const struct dlcs_convert_options *opt,
                                      struct dlcs_error *err)
{
    /* classic TIFF holds 4 GiB: estimate the JPEG tiles generously and go BigTIFF past that */
    gboolean big = (double)img->Xsize * img->Ysize * img->Bands > 8.0e9;

    VipsTarget *target = vips_target_new_to_file(path);
    int rc;

    if (!target)
        return dlcs_convert_vips_fail(err, DLCS_EINTERNAL, "cannot create the pyramid file");
    dlcs_convert_guard_watch(g, img);
    /* our own reference on the target: libvips 8.14.1 otherwise frees it before libtiff's
     * final flush when a decode error stops the save, and crashes */
    rc = vips_tiffsave_target(img, target, "tile", TRUE, "tile_width", 256, "tile_height", 256,
                              "pyramid", TRUE, "compression", VIPS_FOREIGN_TIFF_COMPRESSION_JPEG,
                              "Q", quality, "strip", TRUE, "bigtiff", big, NULL);
    g_object_unref(target);
    if (rc != 0)
        return dlcs_convert_guard_fail(g, opt, err, "cannot write the pyramid");
    return DLCS_OK;
}

enum dlcs_status dlcs_convert(const char *src, const struct dlcs_convert_options *opt,
                              const char *out_dir, struct dlcs_convert_result *r,
                              struct dlcs_error *err)
{
    struct dlcs_convert_guard g = {dlcs_time_mono_ms() + opt->timeout_ms, opt->max_memory, false,
                                   false};
    VipsImage *img = NULL;
    char *pyramid = dlcs_xasprintf("%s/image.tif", out_dir);
    int64_t t0 = dlcs_time_mono_ms();
    enum dlcs_status st;

    memset(r, 0, sizeof *r);
    st = dlcs_convert_open(src, opt, &r->format, &img, err);
    if (st == DLCS_OK) {
        r->width = img->Xsize;
        r->height = img->Ysize;
        st = write_pyramid(img, pyramid, opt->quality, &g, opt, err);
    }
    if (img)
        g_object_unref(img);
    r->ms_decode_and_pyramid = (double)(dlcs_time_mono_ms() - t0);
    t0 = dlcs_time_mono_ms();
    if (st == DLCS_OK && t0 > g.deadline_ms)
        st = dlcs_error_set(err, DLCS_ETOOLARGE,
                            "conversion took longer than %d ms (DLCS_INGEST_TIMEOUT_MS)",
                            opt->timeout_ms);
    if (st == DLCS_OK)
        st = dlcs_convert_thumbs(pyramid, opt, out_dir, r, err);
    r->ms_thumbs = (double)(dlcs_time_mono_ms() - t0);
    t0 = dlcs_time_mono_ms();
    if (st == DLCS_OK && opt->make_jp2)
        st = dlcs_convert_jp2(pyramid, opt, out_dir, &g, err);
    r->has_jp2 = st == DLCS_OK && opt->make_jp2;
    r->ms_jp2 = (double)(dlcs_time_mono_ms() - t0);
    free(pyramid);
    return st;
}

char *dlcs_convert_sizes_json(const struct dlcs_convert_result *r)
{
    char *out = dlcs_xasprintf("{\"width\":%d,\"height\":%d,\"sizes\":[", r->width, r->height);

    for (size_t i = 0; i < r->thumb_count; i++) {
        char *next = dlcs_xasprintf("%s%s{\"width\":%d,\"height\":%d}", out, i ? "," : "",
                                    r->thumbs[i].width, r->thumbs[i].height);

        free(out);
        out = next;
    }
    {
        char *done = dlcs_xasprintf("%s]}", out);

        free(out);
        return done;
    }
}
