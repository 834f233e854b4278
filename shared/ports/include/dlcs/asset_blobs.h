/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where an asset's objects live in blob storage, and how they are removed.
 *
 * Each ingest generation writes its own set: "{customer}/{space}/{id}/g{generation}/" holds
 * image.tif, image.jp2, thumbs/WxH.jpg and sizes.json (written last: the set is complete).
 * The record's 'served' names the generation delivery reads, so a re-ingest never touches
 * what is being served: the record switches to the new set in the completing write, and the
 * old set is removed after. Generations are unique per store (never reused, even after a
 * delete), so a set can only ever belong to one registration.
 *
 * Records ingested before generations had their own sets (served = 0, width > 0) keep the
 * old layout, "{customer}/{space}/{id}/image.tif" and so on, until their next ingest.
 *
 * Uploaded originals live apart, at "uploads/{customer}/{space}/{id}/{token}" (one per upload:
 * two uploads to one id never overwrite each other), named by the record's origin
 * "dlcs-upload:" + key. The older form "{customer}/{space}/{id}/origin" is still read.
 */
#ifndef DLCS_ASSET_BLOBS_H
#define DLCS_ASSET_BLOBS_H

#include <stdbool.h>
#include <stdint.h>

#include "dlcs/blobstore.h"
#include "dlcs/model.h"

/* The key prefix of generation 'generation' of 'a' (0: the old shared layout). New string. */
char *dlcs_asset_blob_prefix(const struct dlcs_asset *a, int64_t generation);

/* The prefix delivery reads for 'a' (its served generation's). New string. */
char *dlcs_asset_served_prefix(const struct dlcs_asset *a);

/* True when 'a' has a complete set of derivatives to deliver. */
bool dlcs_asset_is_served(const struct dlcs_asset *a);

/* A new upload origin for 'a' ("dlcs-upload:uploads/c/s/id/<uuid>"). New string. */
char *dlcs_asset_upload_origin_new(const struct dlcs_asset *a);

/* True when 'origin' is an upload origin that belongs to 'a' (either form, see above). */
bool dlcs_asset_upload_origin_owned(const struct dlcs_asset *a, const char *origin);

/* The blob key of an upload origin ("dlcs-upload:KEY"), or NULL when it is not one. Borrowed. */
const char *dlcs_asset_upload_key(const char *origin);

/* Remove the objects of one generation of 'a' (0: the old layout's derivatives). */
enum dlcs_status dlcs_asset_blobs_remove_generation(struct dlcs_blobstore *b,
                                                    const struct dlcs_asset *a, int64_t generation,
                                                    struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Remove the upload 'origin' names when it is one of 'a''s; DLCS_OK otherwise. */
enum dlcs_status dlcs_asset_blobs_remove_upload(struct dlcs_blobstore *b,
                                                const struct dlcs_asset *a, const char *origin,
                                                struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Remove everything the record 'a' (as it was when deleted) refers to: its served set, the
 * set of the generation it was ingesting, and its upload. Never anything of another
 * registration of the same id.
 */
enum dlcs_status dlcs_asset_blobs_remove(struct dlcs_blobstore *b, const struct dlcs_asset *a,
                                         struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_ASSET_BLOBS_H */
