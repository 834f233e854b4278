/* SPDX-License-Identifier: Apache-2.0 */
/* Resolving a parsed IIIF request against an image and limits; canonical request forms. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dlcs/iiif_request.h"

static int round_px(double v)
{
    return (int)lround(v);
}

static enum dlcs_status resolve_region(const struct dlcs_iiif_request *r, int W, int H,
                                       struct dlcs_iiif_plan *p, struct dlcs_error *err)
{
    double x = r->rx, y = r->ry, w = r->rw, h = r->rh;
    int side;

    switch (r->region) {
    case DLCS_REGION_FULL:
        p->x = p->y = 0;
        p->w = W;
        p->h = H;
        return DLCS_OK;
    case DLCS_REGION_SQUARE: /* the centred square of the shorter side */
        side = W < H ? W : H;
        p->x = (W - side) / 2;
        p->y = (H - side) / 2;
        p->w = p->h = side;
        return DLCS_OK;
    case DLCS_REGION_PERCENT:
        x = x * W / 100.0;
        y = y * H / 100.0;
        w = w * W / 100.0;
        h = h * H / 100.0;
        break;
    case DLCS_REGION_PIXELS:
        break;
    }
    p->x = round_px(x);
    p->y = round_px(y);
    if (p->x >= W || p->y >= H)
        return dlcs_error_set(err, DLCS_EINVAL, "the region starts outside the %d x %d image", W,
                              H);
    p->w = round_px(fmin(w, (double)(W - p->x)));
    p->h = round_px(fmin(h, (double)(H - p->y)));
    if (p->w < 1 || p->h < 1)
        return dlcs_error_set(err, DLCS_EINVAL, "the region is less than one pixel");
    return DLCS_OK;
}

/* The largest scale within the limits (0 = none). */
static double limit_scale(const struct dlcs_iiif_limits *l, int rw, int rh)
{
    double s = INFINITY;

    if (l->max_width > 0)
        s = fmin(s, (double)l->max_width / rw);
    if (l->max_height > 0)
        s = fmin(s, (double)l->max_height / rh);
    if (l->max_area > 0)
        s = fmin(s, sqrt((double)l->max_area / ((double)rw * rh)));
    return s;
}

static void scale_region(struct dlcs_iiif_plan *p, double s)
{
    p->out_w = round_px(p->w * s);
    p->out_h = round_px(p->h * s);
}

static void resolve_size(const struct dlcs_iiif_request *r, const struct dlcs_iiif_limits *l,
                         struct dlcs_iiif_plan *p)
{
    double s;

    switch (r->size) {
    case DLCS_SIZE_MAX:
        s = limit_scale(l, p->w, p->h);
        if (!r->upscale || isinf(s))
            s = fmin(s, 1.0);
        /* rounded down, so that the result stays within the limits it was fitted to */
        p->out_w = (int)floor(p->w * s + 1e-9);
        p->out_h = (int)floor(p->h * s + 1e-9);
        break;
    case DLCS_SIZE_WIDTH:
        p->out_w = r->sw;
        p->out_h = round_px((double)p->h * r->sw / p->w);
        break;
    case DLCS_SIZE_HEIGHT:
        p->out_h = r->sh;
        p->out_w = round_px((double)p->w * r->sh / p->h);
        break;
    case DLCS_SIZE_EXACT:
        p->out_w = r->sw;
        p->out_h = r->sh;
        break;
    case DLCS_SIZE_CONFINED:
        s = fmin((double)r->sw / p->w, (double)r->sh / p->h);
        if (!r->upscale)
            s = fmin(s, 1.0);
        scale_region(p, s);
        break;
    case DLCS_SIZE_PERCENT:
        scale_region(p, r->spct / 100.0);
        break;
    }
}

static enum dlcs_status check_size(const struct dlcs_iiif_request *r,
                                   const struct dlcs_iiif_limits *l, const struct dlcs_iiif_plan *p,
                                   struct dlcs_error *err)
{
    if (p->out_w < 1 || p->out_h < 1)
        return dlcs_error_set(err, DLCS_EINVAL, "the requested size is less than one pixel");
    if (r->version == DLCS_IIIF_V3 && !r->upscale && (p->out_w > p->w || p->out_h > p->h))
        return dlcs_error_set(err, DLCS_EINVAL,
                              "size %d x %d is larger than the %d x %d region; '^' asks for "
                              "upscaling",
                              p->out_w, p->out_h, p->w, p->h);
    if ((l->max_width > 0 && p->out_w > l->max_width) ||
        (l->max_height > 0 && p->out_h > l->max_height) ||
        (l->max_area > 0 && (int64_t)p->out_w * p->out_h > l->max_area))
        return dlcs_error_set(err, DLCS_EINVAL,
                              "size %d x %d is above this server's maxWidth %d, maxHeight %d or "
                              "maxArea %lld",
                              p->out_w, p->out_h, l->max_width, l->max_height,
                              (long long)l->max_area);
    return DLCS_OK;
}

enum dlcs_status dlcs_iiif_resolve(const struct dlcs_iiif_request *req, int width, int height,
                                   const struct dlcs_iiif_limits *limits,
                                   struct dlcs_iiif_plan *out, struct dlcs_error *err)
{
    memset(out, 0, sizeof *out);
    if (resolve_region(req, width, height, out, err) != DLCS_OK)
        return DLCS_EINVAL;
    resolve_size(req, limits, out);
    if (check_size(req, limits, out, err) != DLCS_OK)
        return DLCS_EINVAL;
    out->mirror = req->mirror;
    out->rotation = req->rotation == 360 ? 0 : req->rotation;
    out->quality = req->quality;
    out->format = req->format;
    return DLCS_OK;
}

void dlcs_iiif_canonical(const struct dlcs_iiif_plan *p, enum dlcs_iiif_version v, int width,
                         int height, char *buf, size_t len)
{
    char region[64], size[48], rotation[32];
    bool full = p->x == 0 && p->y == 0 && p->w == width && p->h == height;
    bool natural = p->out_w == p->w && p->out_h == p->h;

    if (full)
        (void)snprintf(region, sizeof region, "full");
    else
        (void)snprintf(region, sizeof region, "%d,%d,%d,%d", p->x, p->y, p->w, p->h);
    if (natural)
        (void)snprintf(size, sizeof size, "%s", v == DLCS_IIIF_V3 ? "max" : "full");
    else if (v == DLCS_IIIF_V3)
        (void)snprintf(size, sizeof size, "%s%d,%d", p->out_w > p->w ? "^" : "", p->out_w,
                       p->out_h);
    else
        (void)snprintf(size, sizeof size, "%d,", p->out_w);
    (void)snprintf(rotation, sizeof rotation, "%s%g", p->mirror ? "!" : "", p->rotation);
    (void)snprintf(buf, len, "%s/%s/%s/%s.%s", region, size, rotation,
                   dlcs_iiif_quality_name(p->quality), dlcs_iiif_format_ext(p->format));
}
