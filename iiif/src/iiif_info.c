/* SPDX-License-Identifier: Apache-2.0 */
/* info.json documents: the level-2 image service and the level-0 thumbnails service. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "dlcs/iiif_server.h"

#define CONTEXT_V2 "http://iiif.io/api/image/2/context.json"
#define CONTEXT_V3 "http://iiif.io/api/image/3/context.json"
#define PROTOCOL   "http://iiif.io/api/image"

static json_t *sizes_array(const struct dlcs_iiif_image *img)
{
    json_t *a = json_array();

    for (int i = 0; i < img->size_count; i++)
        json_array_append_new(
            a, json_pack("{s:i,s:i}", "width", img->sizes[i][0], "height", img->sizes[i][1]));
    return a;
}

static int cmp_size(const void *a, const void *b)
{
    const int *x = a, *y = b;

    return x[0] != y[0] ? (x[0] > y[0]) - (x[0] < y[0]) : (x[1] > y[1]) - (x[1] < y[1]);
}

static bool within(const struct dlcs_iiif_limits *l, int w, int h)
{
    return (l->max_width <= 0 || w <= l->max_width) && (l->max_height <= 0 || h <= l->max_height) &&
           (l->max_area <= 0 || (int64_t)w * h <= l->max_area);
}

/*
 * The level-2 service's sizes: every pyramid level (each scale factor's size, the full size
 * included) merged with the stored thumbnail sizes, smallest first, within the limits.
 * Viewers built on OpenSeadragon up to 5 take 'sizes' for the pyramid's levels when it is
 * given; listing only the thumbnails made them draw a stretched top-left crop.
 */
static json_t *level2_sizes(const struct dlcs_iiif_image *img, const struct dlcs_iiif_limits *l)
{
    int all[16 + 32][2], n = 0;
    int64_t w = img->asset.width, h = img->asset.height;
    json_t *a = json_array();

    for (int i = 0; i < img->scale_factors && i < 31; i++) {
        int64_t d = (int64_t)1 << i;

        all[n][0] = (int)((w + d - 1) / d);
        all[n][1] = (int)((h + d - 1) / d);
        n++;
    }
    for (int i = 0; i < img->size_count && i < 16; i++) {
        all[n][0] = img->sizes[i][0];
        all[n][1] = img->sizes[i][1];
        n++;
    }
    qsort(all, (size_t)n, sizeof all[0], cmp_size);
    for (int i = 0; i < n; i++) {
        if ((i > 0 && all[i][0] == all[i - 1][0] && all[i][1] == all[i - 1][1]) ||
            !within(l, all[i][0], all[i][1]))
            continue;
        json_array_append_new(a, json_pack("{s:i,s:i}", "width", all[i][0], "height", all[i][1]));
    }
    return a;
}

static json_t *tiles_array(const struct dlcs_iiif_image *img)
{
    json_t *factors = json_array();

    for (int i = 0; i < img->scale_factors; i++)
        json_array_append_new(factors, json_integer(1 << i));
    return json_pack("[{s:i,s:i,s:o}]", "width", 256, "height", 256, "scaleFactors", factors);
}

static void add_limits(json_t *info, const struct dlcs_iiif_limits *l)
{
    if (l->max_width > 0)
        json_object_set_new(info, "maxWidth", json_integer(l->max_width));
    if (l->max_height > 0)
        json_object_set_new(info, "maxHeight", json_integer(l->max_height));
    if (l->max_area > 0)
        json_object_set_new(info, "maxArea", json_integer((json_int_t)l->max_area));
}

static json_t *info_v3(const struct dlcs_iiif_image *img, const char *id,
                       const struct dlcs_iiif_limits *limits)
{
    json_t *info =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "@context", CONTEXT_V3, "id", id, "type",
                  "ImageService3", "protocol", PROTOCOL, "profile", "level2", "width",
                  (json_int_t)img->asset.width, "height", (json_int_t)img->asset.height);

    add_limits(info, limits);
    json_object_set_new(info, "sizes", level2_sizes(img, limits));
    json_object_set_new(info, "tiles", tiles_array(img));
    json_object_set_new(info, "preferredFormats", json_pack("[s]", "jpg"));
    json_object_set_new(info, "extraQualities", json_pack("[s,s,s]", "color", "gray", "bitonal"));
    json_object_set_new(info, "extraFormats", json_pack("[s,s,s,s]", "webp", "tif", "gif", "jp2"));
    json_object_set_new(info, "extraFeatures",
                        json_pack("[s,s,s,s,s,s,s,s]", "mirroring", "rotationArbitrary",
                                  "sizeUpscaling", "canonicalLinkHeader", "profileLinkHeader",
                                  "cors", "jsonldMediaType", "baseUriRedirect"));
    return info;
}

static json_t *info_v2(const struct dlcs_iiif_image *img, const char *id,
                       const struct dlcs_iiif_limits *limits)
{
    json_t *extra =
        json_pack("{s:[s,s,s,s,s,s],s:[s,s,s,s],s:[s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s]}", "formats",
                  "jpg", "png", "webp", "tif", "gif", "jp2", "qualities", "default", "color",
                  "gray", "bitonal", "supports", "baseUriRedirect", "canonicalLinkHeader", "cors",
                  "jsonldMediaType", "mirroring", "profileLinkHeader", "regionByPct", "regionByPx",
                  "regionSquare", "rotationArbitrary", "rotationBy90s", "sizeAboveFull",
                  "sizeByConfinedWh", "sizeByDistortedWh", "sizeByH", "sizeByPct", "sizeByW");
    json_t *info =
        json_pack("{s:s,s:s,s:s,s:I,s:I}", "@context", CONTEXT_V2, "@id", id, "protocol", PROTOCOL,
                  "width", (json_int_t)img->asset.width, "height", (json_int_t)img->asset.height);

    add_limits(extra, limits);
    json_object_set_new(info, "profile",
                        json_pack("[s,o]", "http://iiif.io/api/image/2/level2.json", extra));
    json_object_set_new(info, "sizes", level2_sizes(img, limits));
    json_object_set_new(info, "tiles", tiles_array(img));
    return info;
}

json_t *dlcs_iiif_info(const struct dlcs_iiif_image *img, enum dlcs_iiif_version version,
                       const char *id, const struct dlcs_iiif_limits *limits)
{
    return version == DLCS_IIIF_V3 ? info_v3(img, id, limits) : info_v2(img, id, limits);
}

json_t *dlcs_iiif_thumbs_info(const struct dlcs_iiif_image *img, enum dlcs_iiif_version version,
                              const char *id)
{
    int w = img->size_count ? img->sizes[0][0] : 0, h = img->size_count ? img->sizes[0][1] : 0;

    if (version == DLCS_IIIF_V3)
        return json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:i,s:o,s:[s]}", "@context", CONTEXT_V3, "id",
                         id, "type", "ImageService3", "protocol", PROTOCOL, "profile", "level0",
                         "width", w, "height", h, "sizes", sizes_array(img), "preferredFormats",
                         "jpg");
    return json_pack("{s:s,s:s,s:s,s:i,s:i,s:[s,{s:[s],s:[s],s:[s]}],s:o}", "@context", CONTEXT_V2,
                     "@id", id, "protocol", PROTOCOL, "width", w, "height", h, "profile",
                     "http://iiif.io/api/image/2/level0.json", "formats", "jpg", "qualities",
                     "color", "supports", "sizeByWhListed", "sizes", sizes_array(img));
}
