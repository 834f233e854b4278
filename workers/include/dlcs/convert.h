/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Turning a source image file into the serving derivative: a tiled pyramidal TIFF
 * (JPEG-compressed, 256x256 tiles), thumbnails made from that pyramid (the source is decoded
 * once), a sizes document, and optionally a JPEG2000 derivative. Decoding is by content,
 * with limits on pixels, time and memory checked before and during the work.
 *
 * Threads: any thread may convert; a thread that called dlcs_convert must call
 * vips_thread_shutdown() before it exits (CONVENTIONS S9). dlcs_vips_init runs once first.
 */
#ifndef DLCS_CONVERT_H
#define DLCS_CONVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlcs/error.h"
#include "dlcs/image_format.h"
#include "dlcs/thumb_sizes.h"

#define DLCS_THUMBS_MAX 16

struct dlcs_convert_options {
    int64_t max_pixels; /* width x height of the decoded page; bigger = DLCS_ETOOLARGE */
    int timeout_ms;     /* the whole conversion; over = DLCS_ETOOLARGE (permanent) */
    int64_t max_memory; /* libvips' tracked memory in bytes during the job; 0 = no cap */
    int quality;        /* JPEG quality of the pyramid tiles */
    int thumb_quality;  /* JPEG quality of thumbnails */
    int pdf_dpi;        /* rendering resolution of PDF pages */
    bool make_jp2;      /* also write image.jp2 */
    int concurrency;    /* libvips threads in an isolated converter; 0 = cores */
    const struct dlcs_thumb_size *thumbs; /* the policy's sizes, any order */
    size_t thumb_count;
};

struct dlcs_thumb {
    int width, height;
    char file[64]; /* "thumbs/400x300.jpg", relative to the output directory */
};

struct dlcs_convert_result {
    enum dlcs_image_format format;
    int width, height;                         /* of the derivative (after EXIF rotation) */
    struct dlcs_thumb thumbs[DLCS_THUMBS_MAX]; /* largest first, no duplicates */
    size_t thumb_count;
    bool has_jp2;
    double ms_decode_and_pyramid, ms_thumbs, ms_jp2;
};

/*
 * Convert 'src' into 'out_dir' (which must exist): image.tif, thumbs/WxH.jpg, sizes.json and,
 * when asked, image.jp2. Permanent failures: DLCS_EINVAL (not an image we read, corrupt or
 * truncated), DLCS_ETOOLARGE (pixels, time or memory over the limits). The message names the
 * cause. On failure the files written so far are left for the caller's scratch cleanup.
 */
enum dlcs_status dlcs_convert(const char *src, const struct dlcs_convert_options *opt,
                              const char *out_dir, struct dlcs_convert_result *result,
                              struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * dlcs_convert in a child process: 'helper' is a dlcs binary, run as
 * `helper __convert SRC OUT_DIR [options]` with its address space capped at opt->max_memory
 * (when set) and killed at opt->timeout_ms. A decoder that crashes on a hostile or corrupt
 * file takes down only the child (Debian 12's libvips 8.14.1 also crashes when a pyramid save
 * fails partway, libvips #3411); the parent reports it as a permanent DLCS_EINVAL with the
 * last libvips message. Other statuses as dlcs_convert. Thread-safe.
 */
enum dlcs_status dlcs_convert_isolated(const char *helper, const char *src,
                                       const struct dlcs_convert_options *opt, const char *out_dir,
                                       struct dlcs_convert_result *result,
                                       struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * The child side: main() of `dlcs __convert` ('argv' from SRC on). Converts, writes the result
 * as one JSON line on stdout, and returns the exit status.
 */
int dlcs_convert_child_main(int argc, char **argv);

/* The sizes document for 'r': {"width","height","sizes":[{"width","height"},...]}. free(). */
char *dlcs_convert_sizes_json(const struct dlcs_convert_result *r);

#endif /* DLCS_CONVERT_H */
