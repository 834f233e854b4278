/* SPDX-License-Identifier: Apache-2.0 */
/* Opening a source by content with an explicit loader, and normalising it for the pyramid. */
#include <stdio.h>
#include <string.h>

#include "dlcs/image_format.h"

#include "convert_internal.h"

static enum dlcs_status sniff(const char *src, enum dlcs_image_format *fmt, struct dlcs_error *err)
{
    unsigned char head[DLCS_SNIFF_BYTES];
    FILE *f = fopen(src, "rb");
    size_t n;

    if (!f)
        return dlcs_error_set(err, DLCS_EINTERNAL, "cannot open the fetched file");
    n = fread(head, 1, sizeof head, f);
    fclose(f);
    *fmt = dlcs_image_format_sniff(head, n);
    if (*fmt == DLCS_FMT_UNKNOWN)
        return dlcs_error_set(err, DLCS_EINVAL,
                              "not an image dlcs reads (JPEG, TIFF, PNG, WebP, GIF, JPEG2000, PDF, "
                              "HEIF): %zu bytes starting %02x %02x %02x %02x",
                              n, n > 0 ? head[0] : 0, n > 1 ? head[1] : 0, n > 2 ? head[2] : 0,
                              n > 3 ? head[3] : 0);
    return DLCS_OK;
}

/* Only the loader the content calls for: never ImageMagick, SVG, matrix or other untrusted
 * loaders that libvips would otherwise pick by itself. First page or frame only. */
static int load(const char *src, enum dlcs_image_format fmt, int dpi, VipsAccess access,
                VipsImage **out)
{
    const VipsFailOn fail = VIPS_FAIL_ON_TRUNCATED;

    switch (fmt) {
    case DLCS_FMT_JPEG:
        return vips_jpegload(src, out, "access", access, "fail_on", fail, NULL);
    case DLCS_FMT_TIFF:
        return vips_tiffload(src, out, "page", 0, "access", access, "fail_on", fail, NULL);
    case DLCS_FMT_PNG:
        return vips_pngload(src, out, "access", access, "fail_on", fail, NULL);
    case DLCS_FMT_WEBP:
        return vips_webpload(src, out, "page", 0, "access", access, "fail_on", fail, NULL);
    case DLCS_FMT_GIF:
        return vips_gifload(src, out, "page", 0, "access", access, "fail_on", fail, NULL);
    case DLCS_FMT_JP2:
        return vips_jp2kload(src, out, "page", 0, "access", access, "fail_on", fail, NULL);
    case DLCS_FMT_PDF:
        return vips_pdfload(src, out, "page", 0, "dpi", (double)dpi, "access", access, "fail_on",
                            fail, NULL);
    case DLCS_FMT_HEIF:
        return vips_heifload(src, out, "page", 0, "access", access, "fail_on", fail, NULL);
    case DLCS_FMT_UNKNOWN:
        break;
    }
    vips_error("dlcs", "no loader");
    return -1;
}

static int orientation_of(VipsImage *img)
{
    int o = 1;

    if (vips_image_get_typeof(img, VIPS_META_ORIENTATION) &&
        vips_image_get_int(img, VIPS_META_ORIENTATION, &o) != 0)
        o = 1;
    return o;
}

/* Replace '*img' by the result of a step; on failure '*img' is kept for the caller to free. */
#define STEP(call, what)                                                                           \
    do {                                                                                           \
        VipsImage *next_ = NULL;                                                                   \
        if ((call) != 0)                                                                           \
            return dlcs_convert_vips_fail(err, DLCS_EINVAL, (what));                               \
        g_object_unref(*img);                                                                      \
        *img = next_;                                                                              \
    } while (0)

static bool is_grey(VipsImage *img)
{
    VipsInterpretation i = vips_image_guess_interpretation(img);

    return i == VIPS_INTERPRETATION_B_W || i == VIPS_INTERPRETATION_GREY16;
}

/* Orientation, colour, alpha and depth, in that order. */
static enum dlcs_status normalise(VipsImage **img, struct dlcs_error *err)
{
    if (orientation_of(*img) != 1)
        STEP(vips_autorot(*img, &next_, NULL), "cannot apply the EXIF orientation");
    if (is_grey(*img)) {
        STEP(vips_colourspace(*img, &next_, VIPS_INTERPRETATION_B_W, NULL),
             "cannot convert to 8-bit grey");
    } else if (vips_image_get_typeof(*img, VIPS_META_ICC_NAME)) {
        /* the embedded profile (RGB, CMYK...) to sRGB, 8 bits */
        STEP(vips_icc_transform(*img, &next_, "srgb", "embedded", TRUE, "intent",
                                VIPS_INTENT_PERCEPTUAL, "depth", 8, NULL),
             "cannot convert the embedded ICC profile to sRGB");
    } else if (vips_image_guess_interpretation(*img) != VIPS_INTERPRETATION_sRGB ||
               (*img)->BandFmt != VIPS_FORMAT_UCHAR) {
        STEP(vips_colourspace(*img, &next_, VIPS_INTERPRETATION_sRGB, NULL),
             "cannot convert to sRGB");
    }
    if (vips_image_hasalpha(*img)) {
        double white[3] = {255, 255, 255};
        VipsArrayDouble *bg = vips_array_double_new(white, (*img)->Bands == 2 ? 1 : 3);
        int rc;
        VipsImage *next_ = NULL;

        rc = vips_flatten(*img, &next_, "background", bg, NULL);
        vips_area_unref(VIPS_AREA(bg));
        if (rc != 0)
            return dlcs_convert_vips_fail(err, DLCS_EINVAL, "cannot flatten the alpha channel");
        g_object_unref(*img);
        *img = next_;
    }
    if ((*img)->BandFmt != VIPS_FORMAT_UCHAR)
        STEP(vips_cast_uchar(*img, &next_, NULL), "cannot cast to 8 bits");
    return DLCS_OK;
}

enum dlcs_status dlcs_convert_open(const char *src, const struct dlcs_convert_options *opt,
                                   enum dlcs_image_format *format, VipsImage **out,
                                   struct dlcs_error *err)
{
    VipsImage *img = NULL;
    enum dlcs_status st;
    double pixels;

    *out = NULL;
    st = sniff(src, format, err);
    if (st != DLCS_OK)
        return st;
    /* the header alone: a decompression bomb is refused before a pixel is decoded */
    if (load(src, *format, opt->pdf_dpi, VIPS_ACCESS_SEQUENTIAL, &img) != 0)
        return dlcs_convert_vips_fail(err, DLCS_EINVAL, "cannot read the image header");
    pixels = (double)img->Xsize * img->Ysize;
    if (pixels > (double)opt->max_pixels) {
        st = dlcs_error_set(err, DLCS_ETOOLARGE,
                            "the image is %d x %d pixels, over the limit of %lld "
                            "(DLCS_INGEST_MAX_PIXELS)",
                            img->Xsize, img->Ysize, (long long)opt->max_pixels);
        g_object_unref(img);
        return st;
    }
    if (orientation_of(img) != 1) { /* rotation reads out of order: reopen for random access */
        g_object_unref(img);
        img = NULL;
        if (load(src, *format, opt->pdf_dpi, VIPS_ACCESS_RANDOM, &img) != 0)
            return dlcs_convert_vips_fail(err, DLCS_EINVAL, "cannot read the image");
    }
    st = normalise(&img, err);
    if (st != DLCS_OK) {
        g_object_unref(img);
        return st;
    }
    *out = img;
    return DLCS_OK;
}
