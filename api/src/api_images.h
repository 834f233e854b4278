/* SPDX-License-Identifier: Apache-2.0 */
/* Private to api/: images (assets) as the API shows and takes them, and their listings. */
#ifndef DLCS_API_IMAGES_H
#define DLCS_API_IMAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "dlcs/blobstore.h"
#include "dlcs/model.h"
#include "dlcs/store.h"

#include "api_internal.h"

/* The Image resource: fields, @id, imageService, thumbnailImageService, batch link. New ref. */
json_t *dlcs_api_asset_json(const struct api_call *call, const struct dlcs_asset *a);

/* Decode the body into 'a' (initialised); '*sent' gets the presence mask. */
enum dlcs_status dlcs_api_asset_from_body(struct api_call *call, struct dlcs_asset *a,
                                          uint64_t *sent,
                                          const struct dlcs_asset *stored) DLCS_WARN_UNUSED;

/*
 * Drop from 'body' what a client sends back unchanged from a GET answer of 'stored' (may be
 * NULL: nothing is dropped): read-only fields and links whose value equals the answer's. A
 * changed read-only field stays, and is refused naming it. Family codes become letters.
 */
void dlcs_api_strip_unchanged(const struct api_call *call, json_t *body,
                              const struct dlcs_asset *stored);

/* Bytes uploaded with a registration; they point into the request body. */
struct dlcs_upload {
    bool present;
    const void *bytes;
    size_t len;
    const char *file;     /* the spooled body holding exactly 'bytes', or NULL (borrowed) */
    char media_type[128]; /* the bytes' Content-Type, lowercased, without parameters */
};

/*
 * Decode a registration body (JSON, a raw image body or multipart/form-data with "metadata"
 * and "file" parts) into 'a' (initialised); '*sent' gets the presence mask. For an upload,
 * 'up' is filled and mediaType defaults to the bytes' Content-Type; dlcs_api_asset_prepare
 * then points the origin at the upload's blob, and dlcs_api_upload_store writes it.
 */
enum dlcs_status dlcs_api_registration_body(struct api_call *call, struct dlcs_asset *a,
                                            uint64_t *sent, struct dlcs_upload *up,
                                            const struct dlcs_asset *stored) DLCS_WARN_UNUSED;

/* Store uploaded bytes (if any) where the prepared asset's origin points. */
enum dlcs_status dlcs_api_upload_store(struct api_call *call, struct dlcs_asset *a,
                                       const struct dlcs_upload *up) DLCS_WARN_UNUSED;

/*
 * With an upload ('up' present) point a's origin at a new upload blob of its own (and count
 * its size); otherwise refuse an origin in the upload scheme that is not one of a's own (no
 * reading another image's bytes).
 */
enum dlcs_status dlcs_api_asset_origin_check(struct api_call *call, struct dlcs_asset *a,
                                             const struct dlcs_upload *up) DLCS_WARN_UNUSED;

/* DLCS_EINVAL unless the thumbs policy a's channels name (if any) exists for the customer. */
enum dlcs_status dlcs_api_asset_check_policies(struct api_call *call,
                                               struct dlcs_asset *a) DLCS_WARN_UNUSED;

/*
 * Register through the store and remove the uploaded originals that the registered assets'
 * previous records named and the new ones do not (read in the registration's own write).
 */
enum dlcs_status dlcs_api_register_assets(struct api_call *call,
                                          struct dlcs_registration *reg) DLCS_WARN_UNUSED;

/* Delete an image's record, then exactly the blobs that record named. */
enum dlcs_status dlcs_api_asset_delete(struct api_call *call, int64_t customer, int64_t space,
                                       const char *id) DLCS_WARN_UNUSED;

/*
 * Make 'a' a complete registration for the path's customer/space/id ('path'): origin and an
 * image mediaType required; the space's default tags, roles and maxUnauthorised applied to
 * fields not sent (the reference stores these defaults and ignores them: here they apply).
 * With an upload ('up' non-NULL and present) the origin becomes the upload's blob; an origin
 * sent in the upload scheme must name this asset's own upload (never another's bytes).
 */
enum dlcs_status dlcs_api_asset_prepare(struct api_call *call, struct dlcs_asset *a, uint64_t sent,
                                        const struct dlcs_asset *path,
                                        const struct dlcs_upload *up) DLCS_WARN_UNUSED;

/* GET .../spaces/{s}/images and GET .../allImages: paged, filtered, ordered listings. */
int dlcs_api_list_space_images(const struct _u_request *req, struct _u_response *res, void *data);
int dlcs_api_list_all_images(const struct _u_request *req, struct _u_response *res, void *data);

/* GET .../queue/batches/{b}/images (its current members) and /assets (every member ever). */
int dlcs_api_list_batch_images(const struct _u_request *req, struct _u_response *res, void *data);
int dlcs_api_list_batch_assets(const struct _u_request *req, struct _u_response *res, void *data);

#endif /* DLCS_API_IMAGES_H */
