/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IIIF Presentation 3.0 documents for images: one canvas per image (canvas size = image
 * size), its painting annotation a sized JPEG from the image service with the 3.0 and 2.1
 * services declared, a thumbnail from the level-0 thumbnails service, and the image's
 * metadata (string1..3, number1..3, tags). Named query manifests reuse the canvas builder.
 */
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>

#include "dlcs/mem.h"

#define P3_CONTEXT "http://iiif.io/api/presentation/3/context.json"

static json_t *lang_map(const char *lang, const char *text)
{
    return json_pack("{s:[s]}", lang, text);
}

static char *service_url(const char *base, const char *service, const struct dlcs_asset *a)
{
    return dlcs_xasprintf("%s/%s/%lld/%lld/%s", base, service, (long long)a->customer,
                          (long long)a->space, a->id);
}

/* A JPEG of w x h from 'service', with the services that can make other sizes. */
static json_t *image_body(const char *base, const struct dlcs_iiif_image *img, int w, int h,
                          bool thumbs)
{
    const struct dlcs_asset *a = &img->asset;
    char *v3 = service_url(base, thumbs ? "thumbs" : "iiif-img", a);
    char *v2 = service_url(base, thumbs ? "thumbs/v2" : "iiif-img/v2", a);
    char *jpg = dlcs_xasprintf("%s/full/%d,%d/0/default.jpg", v3, w, h);
    const char *profile = thumbs ? "level0" : "level2";
    json_t *body = json_pack("{s:s,s:s,s:s,s:i,s:i,s:[{s:s,s:s,s:s},{s:s,s:s,s:s}]}", "id", jpg,
                             "type", "Image", "format", "image/jpeg", "width", w, "height", h,
                             "service", "id", v3, "type", "ImageService3", "profile", profile,
                             "@id", v2, "@type", "ImageService2", "profile", profile);

    free(jpg);
    free(v2);
    free(v3);
    return body;
}

/* The size a canvas paints: the largest stored thumbnail (served without rendering), or the
 * whole image when there are none. */
static void painted_size(const struct dlcs_iiif_image *img, int *w, int *h)
{
    *w = img->size_count > 0 ? img->sizes[0][0] : (int)img->asset.width;
    *h = img->size_count > 0 ? img->sizes[0][1] : (int)img->asset.height;
}

const char *dlcs_manifest_field_text(const struct dlcs_asset *a, int field, char *buf, size_t cap)
{
    const char *strings[] = {a->string1, a->string2, a->string3};
    const int64_t numbers[] = {a->number1, a->number2, a->number3};

    buf[0] = '\0';
    if (field >= 1 && field <= 3)
        return strings[field - 1] ? strings[field - 1] : "";
    if (field >= 4 && field <= 6 && numbers[field - 4] != 0)
        (void)snprintf(buf, cap, "%lld", (long long)numbers[field - 4]);
    return buf;
}

static json_t *metadata(const struct dlcs_asset *a, const struct dlcs_manifest_labels *labels)
{
    static const char *const defaults[] = {"String 1", "String 2", "String 3",
                                           "Number 1", "Number 2", "Number 3"};
    json_t *m = json_array();
    char text[32];

    for (int f = 1; f <= 6; f++) {
        const char *value = dlcs_manifest_field_text(a, f, text, sizeof text);
        const char *label = labels && labels->field[f - 1] ? labels->field[f - 1] : defaults[f - 1];

        if (value[0])
            json_array_append_new(m, json_pack("{s:o,s:o}", "label", lang_map("en", label), "value",
                                               lang_map("none", value)));
    }
    for (size_t i = 0; i < a->tags.count; i++)
        json_array_append_new(m, json_pack("{s:o,s:o}", "label", lang_map("en", "Tag"), "value",
                                           lang_map("none", a->tags.items[i])));
    return m;
}

json_t *dlcs_manifest_canvas_v3(const char *base, const struct dlcs_iiif_image *img,
                                const char *canvas_id, const char *label,
                                const struct dlcs_manifest_labels *labels)
{
    const struct dlcs_asset *a = &img->asset;
    char *page = dlcs_xasprintf("%s/page", canvas_id);
    char *anno = dlcs_xasprintf("%s/page/image", canvas_id);
    int w, h;
    json_t *canvas, *painting, *meta;

    painted_size(img, &w, &h);
    painting =
        json_pack("{s:s,s:s,s:s,s:s,s:o}", "id", anno, "type", "Annotation", "motivation",
                  "painting", "target", canvas_id, "body", image_body(base, img, w, h, false));
    canvas = json_pack("{s:s,s:s,s:o,s:I,s:I,s:[{s:s,s:s,s:[o]}]}", "id", canvas_id, "type",
                       "Canvas", "label", lang_map("none", label), "width", (json_int_t)a->width,
                       "height", (json_int_t)a->height, "items", "id", page, "type",
                       "AnnotationPage", "items", painting);
    if (img->size_count > 0) {
        int t = img->size_count - 1; /* the smallest stored size */

        json_object_set_new(
            canvas, "thumbnail",
            json_pack("[o]", image_body(base, img, img->sizes[t][0], img->sizes[t][1], true)));
    }
    meta = metadata(a, labels);
    if (json_array_size(meta) > 0)
        json_object_set_new(canvas, "metadata", meta);
    else
        json_decref(meta);
    free(anno);
    free(page);
    return canvas;
}

/* Presentation 2.1: an image resource of w x h with its Image API 2.1 service. */
static json_t *image_resource_v2(const char *base, const struct dlcs_iiif_image *img, int w, int h,
                                 bool thumbs)
{
    char *svc = service_url(base, thumbs ? "thumbs/v2" : "iiif-img/v2", &img->asset);
    char *jpg = dlcs_xasprintf("%s/full/%d,%d/0/default.jpg", svc, w, h);
    json_t *r =
        json_pack("{s:s,s:s,s:s,s:i,s:i,s:{s:s,s:s,s:s}}", "@id", jpg, "@type", "dctypes:Image",
                  "format", "image/jpeg", "width", w, "height", h, "service", "@context",
                  "http://iiif.io/api/image/2/context.json", "@id", svc, "profile",
                  thumbs ? "http://iiif.io/api/image/2/level0.json"
                         : "http://iiif.io/api/image/2/level2.json");

    free(jpg);
    free(svc);
    return r;
}

/* Presentation 2.1 metadata: plain label/value pairs from the 3.0 language maps. */
static json_t *metadata_v2(const struct dlcs_asset *a, const struct dlcs_manifest_labels *labels)
{
    json_t *v3 = metadata(a, labels), *v2 = json_array(), *item;
    size_t i;

    json_array_foreach(v3, i, item)
    {
        json_t *label = json_array_get(json_object_get(json_object_get(item, "label"), "en"), 0);
        json_t *value = json_array_get(json_object_get(json_object_get(item, "value"), "none"), 0);

        json_array_append_new(v2, json_pack("{s:O,s:O}", "label", label, "value", value));
    }
    json_decref(v3);
    return v2;
}

json_t *dlcs_manifest_canvas_v2(const char *base, const struct dlcs_iiif_image *img,
                                const char *canvas_id, const char *label,
                                const struct dlcs_manifest_labels *labels)
{
    const struct dlcs_asset *a = &img->asset;
    char *anno = dlcs_xasprintf("%s/image", canvas_id);
    json_t *canvas, *meta;
    int w, h;

    painted_size(img, &w, &h);
    canvas = json_pack("{s:s,s:s,s:s,s:I,s:I,s:[{s:s,s:s,s:s,s:s,s:o}]}", "@id", canvas_id, "@type",
                       "sc:Canvas", "label", label, "width", (json_int_t)a->width, "height",
                       (json_int_t)a->height, "images", "@id", anno, "@type", "oa:Annotation",
                       "motivation", "sc:painting", "on", canvas_id, "resource",
                       image_resource_v2(base, img, w, h, false));
    if (img->size_count > 0) {
        int t = img->size_count - 1;

        json_object_set_new(canvas, "thumbnail",
                            image_resource_v2(base, img, img->sizes[t][0], img->sizes[t][1], true));
    }
    meta = metadata_v2(a, labels);
    if (json_array_size(meta) > 0)
        json_object_set_new(canvas, "metadata", meta);
    else
        json_decref(meta);
    free(anno);
    return canvas;
}

json_t *dlcs_manifest_single(const char *base, const struct dlcs_iiif_image *img, const char *id,
                             bool v2)
{
    const struct dlcs_asset *a = &img->asset;
    char *canvas_id = dlcs_xasprintf("%s/canvas/c/0", id);
    json_t *canvas = v2 ? dlcs_manifest_canvas_v2(base, img, canvas_id, a->id, NULL)
                        : dlcs_manifest_canvas_v3(base, img, canvas_id, a->id, NULL);
    json_t *m, *thumb = json_object_get(canvas, "thumbnail");
    char *seq;

    if (v2) {
        seq = dlcs_xasprintf("%s/sequence/s0", id);
        m = json_pack("{s:s,s:s,s:s,s:s,s:[{s:s,s:s,s:[o]}]}", "@context",
                      "http://iiif.io/api/presentation/2/context.json", "@id", id, "@type",
                      "sc:Manifest", "label", a->id, "sequences", "@id", seq, "@type",
                      "sc:Sequence", "canvases", canvas);
        free(seq);
    } else {
        m = json_pack("{s:s,s:s,s:s,s:o,s:[o]}", "@context", P3_CONTEXT, "id", id, "type",
                      "Manifest", "label", lang_map("none", a->id), "items", canvas);
    }
    if (thumb)
        json_object_set(m, "thumbnail", thumb);
    if (json_object_get(canvas, "metadata"))
        json_object_set(m, "metadata", json_object_get(canvas, "metadata"));
    free(canvas_id);
    return m;
}
