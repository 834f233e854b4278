/* SPDX-License-Identifier: Apache-2.0 */
/* Private to api/: images (assets) as the API shows and takes them, and their listings. */
#ifndef DLCS_API_IMAGES_H
#define DLCS_API_IMAGES_H

#include "dlcs/model.h"

#include "api_internal.h"

/* The Image resource: fields, @id, imageService, thumbnailImageService, batch link. New ref. */
json_t *dlcs_api_asset_json(const struct api_call *call, const struct dlcs_asset *a);

/* Decode the body into 'a' (initialised); '*sent' gets the presence mask. */
enum dlcs_status dlcs_api_asset_from_body(struct api_call *call, struct dlcs_asset *a,
                                          uint64_t *sent) DLCS_WARN_UNUSED;

/*
 * Make 'a' a complete registration for the path's customer/space/id ('path'): origin and an
 * image mediaType required; the space's default tags, roles and maxUnauthorised applied to
 * fields not sent (the reference stores these defaults and ignores them: here they apply).
 */
enum dlcs_status dlcs_api_asset_prepare(struct api_call *call, struct dlcs_asset *a, uint64_t sent,
                                        const struct dlcs_asset *path) DLCS_WARN_UNUSED;

/* GET .../spaces/{s}/images and GET .../allImages: paged, filtered, ordered listings. */
int dlcs_api_list_space_images(const struct _u_request *req, struct _u_response *res, void *data);
int dlcs_api_list_all_images(const struct _u_request *req, struct _u_response *res, void *data);

/* GET .../queue/batches/{b}/images (its current members) and /assets (every member ever). */
int dlcs_api_list_batch_images(const struct _u_request *req, struct _u_response *res, void *data);
int dlcs_api_list_batch_assets(const struct _u_request *req, struct _u_response *res, void *data);

#endif /* DLCS_API_IMAGES_H */
