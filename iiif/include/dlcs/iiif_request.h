/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The IIIF Image API request grammar, 3.0 and 2.1: parsing the {region}/{size}/{rotation}/
 * {quality}.{format} segments (syntax only: DLCS_EINVAL = 400, DLCS_EUNSUPPORTED = 501), and
 * resolving a parsed request against an image's size and the server's limits into the exact
 * pixels to produce (range errors: DLCS_EINVAL = 400).
 */
#ifndef DLCS_IIIF_REQUEST_H
#define DLCS_IIIF_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dlcs/error.h"

enum dlcs_iiif_version {
    DLCS_IIIF_V2 = 2,
    DLCS_IIIF_V3 = 3,
};

enum dlcs_iiif_region_kind {
    DLCS_REGION_FULL,
    DLCS_REGION_SQUARE,
    DLCS_REGION_PIXELS,
    DLCS_REGION_PERCENT,
};

enum dlcs_iiif_size_kind {
    DLCS_SIZE_MAX,      /* "max" (and 2.1's "full") */
    DLCS_SIZE_WIDTH,    /* "w," */
    DLCS_SIZE_HEIGHT,   /* ",h" */
    DLCS_SIZE_EXACT,    /* "w,h" */
    DLCS_SIZE_CONFINED, /* "!w,h" */
    DLCS_SIZE_PERCENT,  /* "pct:n" */
};

enum dlcs_iiif_quality {
    DLCS_QUALITY_DEFAULT,
    DLCS_QUALITY_COLOR,
    DLCS_QUALITY_GRAY,
    DLCS_QUALITY_BITONAL,
};

enum dlcs_iiif_format {
    DLCS_FORMAT_JPG,
    DLCS_FORMAT_PNG,
    DLCS_FORMAT_WEBP,
    DLCS_FORMAT_TIF,
    DLCS_FORMAT_GIF,
    DLCS_FORMAT_JP2,
};

struct dlcs_iiif_request {
    enum dlcs_iiif_version version;
    enum dlcs_iiif_region_kind region;
    double rx, ry, rw, rh; /* pixels or percent */
    enum dlcs_iiif_size_kind size;
    bool upscale; /* "^" */
    int sw, sh;   /* requested width/height, 0 = not given */
    double spct;
    bool mirror;
    double rotation; /* 0 <= rotation <= 360 */
    enum dlcs_iiif_quality quality;
    enum dlcs_iiif_format format;
};

/* Server-imposed limits on the output (info.json maxWidth, maxHeight, maxArea). */
struct dlcs_iiif_limits {
    int max_width, max_height;
    int64_t max_area;
};

/* What to produce: a region of the full image, scaled to out_w x out_h, then the rest. */
struct dlcs_iiif_plan {
    int x, y, w, h; /* the region, clipped to the image */
    int out_w, out_h;
    bool mirror;
    double rotation;
    enum dlcs_iiif_quality quality;
    enum dlcs_iiif_format format;
};

/*
 * Parse the four path segments ('quality_format' is "default.jpg"). DLCS_EINVAL names the
 * segment and what is wrong; DLCS_EUNSUPPORTED for valid IIIF that dlcs does not produce
 * (format "pdf").
 */
enum dlcs_status dlcs_iiif_parse(enum dlcs_iiif_version v, const char *region, const char *size,
                                 const char *rotation, const char *quality_format,
                                 struct dlcs_iiif_request *out,
                                 struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Resolve 'req' for an image of 'width' x 'height'. DLCS_EINVAL for a region outside the image
 * or empty, a size below 1 pixel, larger than the region without "^" (3.0), or above the
 * limits.
 */
enum dlcs_status dlcs_iiif_resolve(const struct dlcs_iiif_request *req, int width, int height,
                                   const struct dlcs_iiif_limits *limits,
                                   struct dlcs_iiif_plan *out,
                                   struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * The canonical form of a resolved request for the Link rel="canonical" header, relative:
 * "x,y,w,h/w,h/0/default.jpg" (3.0) or "x,y,w,h/w,/0/default.jpg" (2.1), with "full" and
 * "max" where they apply. Writes at most 'len' bytes into 'buf'.
 */
void dlcs_iiif_canonical(const struct dlcs_iiif_plan *p, enum dlcs_iiif_version v, int width,
                         int height, char *buf, size_t len);

/* File extension and media type of a format ("jpg", "image/jpeg"). Borrowed, static. */
const char *dlcs_iiif_format_ext(enum dlcs_iiif_format f);
const char *dlcs_iiif_format_mime(enum dlcs_iiif_format f);
const char *dlcs_iiif_quality_name(enum dlcs_iiif_quality q);

#endif /* DLCS_IIIF_REQUEST_H */
