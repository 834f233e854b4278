/* SPDX-License-Identifier: Apache-2.0 */
/* Private to workers/: the steps of a conversion. */
#ifndef DLCS_CONVERT_INTERNAL_H
#define DLCS_CONVERT_INTERNAL_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <vips/vips.h>

#include "dlcs/convert.h"

/* Time and memory limits, watched while libvips computes pixels. */
struct dlcs_convert_guard {
    int64_t deadline_ms; /* monotonic */
    int64_t max_memory;
    bool timed_out, over_memory;
};

/*
 * Which limit (if any) this process's guard last stopped libvips for: 0 none, 1 time,
 * 2 memory. Read by the isolated converter's crash handler, because libvips 8.14.1 can crash
 * while unwinding the stopped save (libvips #3411); hence a sig_atomic_t.
 */
extern volatile sig_atomic_t dlcs_convert_limit_hit;

/* Watch 'image' (the one a sink computes) against the guard's limits. */
void dlcs_convert_guard_watch(struct dlcs_convert_guard *g, VipsImage *image);

/* Turn a failed libvips call into our error: a limit that fired, or the libvips message. */
enum dlcs_status dlcs_convert_guard_fail(const struct dlcs_convert_guard *g,
                                         const struct dlcs_convert_options *opt,
                                         struct dlcs_error *err, const char *what);

/* Record the current libvips error as 'st' with context 'what', and clear it. */
enum dlcs_status dlcs_convert_vips_fail(struct dlcs_error *err, enum dlcs_status st,
                                        const char *what);

/*
 * Sniff 'src', check its pixel count from the header (before any decoding), and build the
 * normalised image: first page, EXIF orientation applied, sRGB (or 8-bit grey), no alpha
 * (flattened on white), 8 bits per sample. '*out' is owned by the caller (g_object_unref).
 */
enum dlcs_status dlcs_convert_open(const char *src, const struct dlcs_convert_options *opt,
                                   enum dlcs_image_format *format, VipsImage **out,
                                   struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Thumbnails from the pyramid at 'pyramid' into out_dir/thumbs/, listed in 'r'. */
enum dlcs_status dlcs_convert_thumbs(const char *pyramid, const struct dlcs_convert_options *opt,
                                     const char *out_dir, struct dlcs_convert_result *r,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/* image.jp2 from the pyramid's full-resolution page. */
enum dlcs_status dlcs_convert_jp2(const char *pyramid, const struct dlcs_convert_options *opt,
                                  const char *out_dir, struct dlcs_convert_guard *g,
                                  struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_CONVERT_INTERNAL_H */
