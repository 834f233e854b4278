/* SPDX-License-Identifier: Apache-2.0 */
/* Resolving a parsed IIIF request against an image and limits; canonical request forms. */
#include <math.h>
#include <stdint.h>
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
    if (!(x < W - 0.5) || !(y < H - 0.5)) /* in doubles: a huge x must not wrap an int */
        return dlcs_error_set(err, DLCS_EINVAL, "the region starts outside the %d x %d image", W,
                              H);
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

/*
 * Sizes are computed in doubles and checked before they become ints: a percentage of two
 * billion or a width of 4096 on a 1,048,577 x 1 image must be refused, never wrap around.
 */
struct out_size {
    double w, h;
};

/* At least one pixel on each side: extreme aspect ratios (N x 1) keep their thin side. */
static struct out_size at_least_one(double w, double h)
{
    return (struct out_size){fmax(w, 1.0), fmax(h, 1.0)};
}

static struct out_size resolve_size(const struct dlcs_iiif_request *r,
                                    const struct dlcs_iiif_limits *l,
                                    const struct dlcs_iiif_plan *p)
{
    double s;

    switch (r->size) {
    case DLCS_SIZE_MAX:
        s = limit_scale(l, p->w, p->h);
        if (!r->upscale || isinf(s))
            s = fmin(s, 1.0);
        /* rounded down, so that the result stays within the limits it was fitted to */
        return at_least_one(floor(p->w * s + 1e-9), floor(p->h * s + 1e-9));
    case DLCS_SIZE_WIDTH:
        return at_least_one(r->sw, round((double)p->h * r->sw / p->w));
    case DLCS_SIZE_HEIGHT:
        return at_least_one(round((double)p->w * r->sh / p->h), r->sh);
    case DLCS_SIZE_EXACT:
        return (struct out_size){r->sw, r->sh};
    case DLCS_SIZE_CONFINED:
        s = fmin((double)r->sw / p->w, (double)r->sh / p->h);
        if (!r->upscale)
            s = fmin(s, 1.0);
        return at_least_one(floor(p->w * s + 0.5), floor(p->h * s + 0.5));
    case DLCS_SIZE_PERCENT:
        return r->spct > 0
                   ? at_least_one(round(p->w * r->spct / 100.0), round(p->h * r->spct / 100.0))
                   : (struct out_size){0, 0};
    }
    return (struct out_size){0, 0};
}

/* The bounding box of 'o' turned by 'degrees': what is rendered, and what the limits bound. */
static struct out_size rotated(struct out_size o, double degrees)
{
    double rad = degrees * 3.14159265358979323846 / 180.0, c = fabs(cos(rad)), sn = fabs(sin(rad));

    if (fmod(degrees, 90.0) == 0.0)
        return fmod(degrees, 180.0) == 0.0 ? o : (struct out_size){o.h, o.w};
    return (struct out_size){ceil(o.w * c + o.h * sn), ceil(o.w * sn + o.h * c)};
}

static enum dlcs_status check_size(const struct dlcs_iiif_request *r,
                                   const struct dlcs_iiif_limits *l, const struct dlcs_iiif_plan *p,
                                   struct out_size o, struct dlcs_error *err)
{
    struct out_size box = rotated(o, r->rotation);

    if (o.w < 1 || o.h < 1)
        return dlcs_error_set(err, DLCS_EINVAL, "the requested size is less than one pixel");
    if (r->version == DLCS_IIIF_V3 && !r->upscale && (o.w > p->w || o.h > p->h))
        return dlcs_error_set(err, DLCS_EINVAL,
                              "size %.0f x %.0f is larger than the %d x %d region; '^' asks for "
                              "upscaling",
                              o.w, o.h, p->w, p->h);
    if (box.w > INT32_MAX / 2 || box.h > INT32_MAX / 2 ||
        (l->max_width > 0 && box.w > l->max_width) ||
        (l->max_height > 0 && box.h > l->max_height) ||
        (l->max_area > 0 && box.w * box.h > (double)l->max_area))
        return dlcs_error_set(err, DLCS_EINVAL,
                              "size %.0f x %.0f (%.0f x %.0f once rotated) is above this server's "
                              "maxWidth %d, maxHeight %d or maxArea %lld",
                              o.w, o.h, box.w, box.h, l->max_width, l->max_height,
                              (long long)l->max_area);
    return DLCS_OK;
}

enum dlcs_status dlcs_iiif_resolve(const struct dlcs_iiif_request *req, int width, int height,
                                   const struct dlcs_iiif_limits *limits,
                                   struct dlcs_iiif_plan *out, struct dlcs_error *err)
{
    struct out_size size;

    memset(out, 0, sizeof *out);
    if (resolve_region(req, width, height, out, err) != DLCS_OK)
        return DLCS_EINVAL;
    size = resolve_size(req, limits, out);
    if (check_size(req, limits, out, size, err) != DLCS_OK)
        return DLCS_EINVAL;
    out->out_w = (int)size.w;
    out->out_h = (int)size.h;
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
