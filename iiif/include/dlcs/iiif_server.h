/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IIIF delivery: the Image API 3.0 and 2.1 service of every image (/iiif-img/...) and the
 * level-0 thumbnails service (/thumbs/...). Records come from the store port, pixels from the
 * blob storage port; nothing here is state another instance would need.
 */
#ifndef DLCS_IIIF_SERVER_H
#define DLCS_IIIF_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "dlcs/blobstore.h"
#include "dlcs/config.h"
#include "dlcs/error.h"
#include "dlcs/http_server.h"
#include "dlcs/iiif_request.h"
#include "dlcs/model.h"
#include "dlcs/store.h"

struct dlcs_iiif_cache;

/* What the delivery handlers read. Borrowed pointers; read-only once the server starts. */
struct dlcs_disk_cache;

struct dlcs_iiif_context {
    const struct dlcs_config *cfg;
    struct dlcs_store *store;     /* thread-safe */
    struct dlcs_blobstore *blobs; /* thread-safe */
    struct dlcs_iiif_limits limits;
    int jpeg_quality;                /* of rendered JPEGs */
    int max_age;                     /* Cache-Control max-age of images and info.json, seconds */
    struct dlcs_iiif_cache *records; /* owned: image records of the last TTL; thread-safe */
    struct dlcs_slots *renders;      /* owned: bounds concurrent libvips renders */
    int renders_per_client;          /* of them, one client's share */
    int render_timeout_ms;           /* a render is stopped past this */
    struct dlcs_disk_cache *disk;    /* owned: local copies of derivatives for renders (S3);
                                        NULL when it could not be made (renders then 503) */
};

/*
 * Fill 'ctx' from the configuration (limits, quality, cache lifetimes) and create its record
 * cache. Release with dlcs_iiif_context_release.
 */
void dlcs_iiif_context_init(struct dlcs_iiif_context *ctx, const struct dlcs_config *cfg,
                            struct dlcs_store *store, struct dlcs_blobstore *blobs);
void dlcs_iiif_context_release(struct dlcs_iiif_context *ctx);

/* Register the delivery endpoints on 'inst' (before the server starts). */
enum dlcs_status dlcs_iiif_register(struct dlcs_http_server *http,
                                    const struct dlcs_iiif_context *ctx,
                                    struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Called when an HTTP connection thread ends: releases its libvips state. */
void dlcs_iiif_thread_done(void);

/* What the handlers know about one image. */
struct dlcs_iiif_image {
    struct dlcs_asset asset; /* owned */
    int sizes[16][2];        /* stored thumbnail sizes, largest first */
    int size_count;
    int scale_factors; /* pyramid levels: 1, 2, ... 2^(scale_factors-1) */
    bool restricted;   /* roles or maxUnauthorised >= 0 */
};

/*
 * info.json of 'img' for 'version', with 'id' (the service's base URI, no trailing slash).
 * New reference.
 */
json_t *dlcs_iiif_info(const struct dlcs_iiif_image *img, enum dlcs_iiif_version version,
                       const char *id, const struct dlcs_iiif_limits *limits);

/* info.json of the level-0 thumbnails service. New reference. */
json_t *dlcs_iiif_thumbs_info(const struct dlcs_iiif_image *img, enum dlcs_iiif_version version,
                              const char *id);

#endif /* DLCS_IIIF_SERVER_H */
