/* SPDX-License-Identifier: Apache-2.0 */
/* Private to iiif/: IIIF Presentation 3.0 manifests and canvases of images. */
#ifndef DLCS_MANIFEST_H
#define DLCS_MANIFEST_H

#include <jansson.h>

#include "dlcs/iiif_server.h"

/*
 * The canvas of 'img' with id 'canvas_id' and 'label'; 'base' is the public base URL (no
 * trailing slash). New reference.
 */
json_t *dlcs_manifest_canvas_v3(const char *base, const struct dlcs_iiif_image *img,
                                const char *canvas_id, const char *label);

/* The same canvas in Presentation 2.1 (sc:Canvas with an oa:Annotation image). New ref. */
json_t *dlcs_manifest_canvas_v2(const char *base, const struct dlcs_iiif_image *img,
                                const char *canvas_id, const char *label);

/* The single-image manifest of 'img' (/iiif-manifest/{c}/{s}/{id}). New reference. */
json_t *dlcs_manifest_single_v3(const char *base, const struct dlcs_iiif_image *img);

#endif /* DLCS_MANIFEST_H */
