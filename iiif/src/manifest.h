/* SPDX-License-Identifier: Apache-2.0 */
/* Private to iiif/: IIIF Presentation 3.0 manifests and canvases of images. */
#ifndef DLCS_MANIFEST_H
#define DLCS_MANIFEST_H

#include <jansson.h>

#include "dlcs/iiif_server.h"

/* The labels of the metadata fields s1..s3, n1..n3 (NULL entries: "String 1" ... "Number 3"). */
struct dlcs_manifest_labels {
    const char *field[6];
};

/*
 * The canvas of 'img' with id 'canvas_id' and 'label' ('labels' may be NULL: the defaults); 'base'
 * is the public base URL (no trailing slash). New reference.
 */
json_t *dlcs_manifest_canvas_v3(const char *base, const struct dlcs_iiif_image *img,
                                const char *canvas_id, const char *label,
                                const struct dlcs_manifest_labels *labels);

/* The same canvas in Presentation 2.1 (sc:Canvas with an oa:Annotation image). New ref. */
json_t *dlcs_manifest_canvas_v2(const char *base, const struct dlcs_iiif_image *img,
                                const char *canvas_id, const char *label,
                                const struct dlcs_manifest_labels *labels);

/* The text of field 1..6 (s1..s3, n1..n3) of 'a' into 'buf'; "" when unset (0 or empty). */
const char *dlcs_manifest_field_text(const struct dlcs_asset *a, int field, char *buf, size_t cap);

/*
 * The single-image manifest of 'img' with id 'id' (/iiif-manifest/[v2/]{c}/{s}/{id}, spelt as
 * requested), in 3.0 or 2.1 ('v2'). New reference.
 */
json_t *dlcs_manifest_single(const char *base, const struct dlcs_iiif_image *img, const char *id,
                             bool v2);

#endif /* DLCS_MANIFEST_H */
