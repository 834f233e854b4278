/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing IIIF image request segments, strictly: anything unexpected is a 400 naming it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/iiif_request.h"

/* A non-negative decimal: digits, optionally '.' and digits; no sign, exponent or spaces. */
static bool read_decimal(const char **p, double *out)
{
    const char *s = *p;
    char *end = NULL;
    int digits = 0;

    while (*s >= '0' && *s <= '9') {
        s++;
        digits++;
    }
    if (*s == '.') {
        s++;
        while (*s >= '0' && *s <= '9') {
            s++;
            digits++;
        }
        if (s[-1] == '.')
            return false;
    }
    if (digits == 0 || digits > 15)
        return false;
    errno = 0;
    *out = strtod(*p, &end);
    if (errno != 0 || end != s)
        return false;
    *p = s;
    return true;
}

/* A non-negative integer of at most 9 digits. */
static bool read_int(const char **p, int *out)
{
    const char *s = *p;
    long v = 0;

    if (*s < '0' || *s > '9')
        return false;
    while (*s >= '0' && *s <= '9' && s - *p < 10)
        v = v * 10 + (*s++ - '0');
    if (s - *p > 9)
        return false;
    *out = (int)v;
    *p = s;
    return true;
}

static bool read_four(const char *s, bool decimals, double v[4])
{
    for (int i = 0; i < 4; i++) {
        int n = 0;

        if (decimals ? !read_decimal(&s, &v[i]) : !read_int(&s, &n))
            return false;
        if (!decimals)
            v[i] = n;
        if (i < 3 && *s++ != ',')
            return false;
    }
    return *s == '\0';
}

static enum dlcs_status parse_region(const char *s, struct dlcs_iiif_request *r,
                                     struct dlcs_error *err)
{
    double v[4];

    if (strcmp(s, "full") == 0) {
        r->region = DLCS_REGION_FULL;
        return DLCS_OK;
    }
    if (strcmp(s, "square") == 0) {
        r->region = DLCS_REGION_SQUARE;
        return DLCS_OK;
    }
    if (strncmp(s, "pct:", 4) == 0 && read_four(s + 4, true, v)) {
        r->region = DLCS_REGION_PERCENT;
    } else if (read_four(s, false, v)) {
        r->region = DLCS_REGION_PIXELS;
    } else {
        return dlcs_error_set(err, DLCS_EINVAL,
                              "region '%s' is not full, square, x,y,w,h or pct:x,y,w,h", s);
    }
    r->rx = v[0];
    r->ry = v[1];
    r->rw = v[2];
    r->rh = v[3];
    if (r->rw <= 0 || r->rh <= 0)
        return dlcs_error_set(err, DLCS_EINVAL, "region '%s' has a zero width or height", s);
    if (r->region == DLCS_REGION_PERCENT && (r->rx > 100 || r->ry > 100))
        return dlcs_error_set(err, DLCS_EINVAL, "region '%s' starts beyond 100%%", s);
    return DLCS_OK;
}

static enum dlcs_status size_error(const char *s, struct dlcs_error *err)
{
    return dlcs_error_set(err, DLCS_EINVAL,
                          "size '%s' is not max, w, ,h w,h !w,h or pct:n (optionally with ^)", s);
}

static enum dlcs_status parse_wh(const char *s, const char *p, struct dlcs_iiif_request *r,
                                 struct dlcs_error *err)
{
    bool confined = *p == '!';

    if (confined)
        p++;
    if (*p != ',' && !read_int(&p, &r->sw))
        return size_error(s, err);
    if (*p++ != ',')
        return size_error(s, err);
    if (*p != '\0' && !read_int(&p, &r->sh))
        return size_error(s, err);
    if (*p != '\0')
        return size_error(s, err);
    if (confined && (r->sw == 0 || r->sh == 0))
        return size_error(s, err);
    if (r->sw == 0 && r->sh == 0)
        return size_error(s, err);
    r->size = confined         ? DLCS_SIZE_CONFINED
              : r->sw && r->sh ? DLCS_SIZE_EXACT
              : r->sw          ? DLCS_SIZE_WIDTH
                               : DLCS_SIZE_HEIGHT;
    return DLCS_OK;
}

static enum dlcs_status parse_size(enum dlcs_iiif_version v, const char *s,
                                   struct dlcs_iiif_request *r, struct dlcs_error *err)
{
    const char *p = s;

    r->sw = r->sh = 0;
    if (*p == '^') {
        r->upscale = true;
        p++;
    }
    if (strcmp(p, "max") == 0 || (v == DLCS_IIIF_V2 && !r->upscale && strcmp(p, "full") == 0)) {
        r->size = DLCS_SIZE_MAX;
        return DLCS_OK;
    }
    if (strncmp(p, "pct:", 4) == 0) {
        p += 4;
        if (!read_decimal(&p, &r->spct) || *p != '\0' || r->spct <= 0)
            return size_error(s, err);
        r->size = DLCS_SIZE_PERCENT;
        return DLCS_OK;
    }
    return parse_wh(s, p, r, err);
}

static enum dlcs_status parse_rotation(const char *s, struct dlcs_iiif_request *r,
                                       struct dlcs_error *err)
{
    const char *p = s;

    if (*p == '!') {
        r->mirror = true;
        p++;
    }
    if (!read_decimal(&p, &r->rotation) || *p != '\0' || r->rotation > 360)
        return dlcs_error_set(err, DLCS_EINVAL,
                              "rotation '%s' is not a number from 0 to 360, optionally after !", s);
    return DLCS_OK;
}

static const char *const quality_names[] = {"default", "color", "gray", "bitonal"};
static const char *const format_exts[] = {"jpg", "png", "webp", "tif", "gif", "jp2"};
static const char *const format_mimes[] = {"image/jpeg", "image/png", "image/webp",
                                           "image/tiff", "image/gif", "image/jp2"};

const char *dlcs_iiif_format_ext(enum dlcs_iiif_format f)
{
    return format_exts[f];
}

const char *dlcs_iiif_format_mime(enum dlcs_iiif_format f)
{
    return format_mimes[f];
}

const char *dlcs_iiif_quality_name(enum dlcs_iiif_quality q)
{
    return quality_names[q];
}

static enum dlcs_status parse_quality_format(const char *s, struct dlcs_iiif_request *r,
                                             struct dlcs_error *err)
{
    const char *dot = strrchr(s, '.');
    size_t qlen = dot ? (size_t)(dot - s) : 0;
    bool found = false;

    if (!dot || qlen == 0 || !dot[1])
        return dlcs_error_set(err, DLCS_EINVAL, "'%s' is not {quality}.{format}", s);
    for (size_t i = 0; i < DLCS_ARRAY_LEN(quality_names) && !found; i++) {
        if (strlen(quality_names[i]) == qlen && strncmp(s, quality_names[i], qlen) == 0) {
            r->quality = (enum dlcs_iiif_quality)i;
            found = true;
        }
    }
    if (!found)
        return dlcs_error_set(err, DLCS_EINVAL,
                              "quality '%.*s' is not default, color, gray or bitonal", (int)qlen,
                              s);
    for (size_t i = 0; i < DLCS_ARRAY_LEN(format_exts); i++) {
        if (strcmp(dot + 1, format_exts[i]) == 0) {
            r->format = (enum dlcs_iiif_format)i;
            return DLCS_OK;
        }
    }
    if (strcmp(dot + 1, "pdf") == 0)
        return dlcs_error_set(err, DLCS_EUNSUPPORTED, "format 'pdf' is not produced by dlcs");
    return dlcs_error_set(err, DLCS_EINVAL, "format '%s' is not jpg, png, webp, tif, gif or jp2",
                          dot + 1);
}

enum dlcs_status dlcs_iiif_parse(enum dlcs_iiif_version v, const char *region, const char *size,
                                 const char *rotation, const char *quality_format,
                                 struct dlcs_iiif_request *out, struct dlcs_error *err)
{
    memset(out, 0, sizeof *out);
    out->version = v;
    if (parse_region(region, out, err) != DLCS_OK || parse_size(v, size, out, err) != DLCS_OK ||
        parse_rotation(rotation, out, err) != DLCS_OK)
        return DLCS_EINVAL;
    return parse_quality_format(quality_format, out, err);
}
