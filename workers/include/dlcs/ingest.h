/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One ingest: fetch the origin into a scratch directory, convert it, and store the results
 * through the blob storage port under a prefix ("{customer}/{space}/{id}"):
 * image.tif, thumbs/WxH.jpg, sizes.json (written last), image.jp2 when asked.
 */
#ifndef DLCS_INGEST_H
#define DLCS_INGEST_H

#include <stddef.h>

#include "dlcs/blobstore.h"
#include "dlcs/config.h"
#include "dlcs/convert.h"
#include "dlcs/origin.h"

/* Everything an ingest needs to know, from the configuration. Read-only once filled. */
struct dlcs_ingest_settings {
    struct dlcs_origin_limits origin; /* strings borrowed from the config and environment */
    struct dlcs_convert_options convert;
    struct dlcs_thumb_size thumbs[DLCS_THUMB_POLICY_MAX]; /* the default policy */
    char *scratch_dir;                                    /* owned */
    const char *convert_helper; /* a dlcs binary for isolated conversion (see convert.h);
                                   NULL converts in this process */
};

/*
 * Fill 's' from 'cfg' (which must outlive 's'). DLCS_EINVAL naming DLCS_THUMB_SIZES when the
 * default policy does not parse. Release with dlcs_ingest_settings_release.
 */
enum dlcs_status dlcs_ingest_settings_init(struct dlcs_ingest_settings *s,
                                           const struct dlcs_config *cfg,
                                           struct dlcs_error *err) DLCS_WARN_UNUSED;
void dlcs_ingest_settings_release(struct dlcs_ingest_settings *s);

struct dlcs_ingest_report {
    struct dlcs_fetch_result fetch;
    struct dlcs_convert_result convert;
    int64_t derivative_bytes; /* image.tif and image.jp2 as stored */
    int64_t thumbnail_bytes;  /* the thumbnails as stored */
    double ms_fetch, ms_store, ms_total;
};

/*
 * Fetch 'origin' (credentials 'auth', may be NULL), convert it with 's' and store the files
 * under 'prefix' in 'blobs' ('prefix' NULL = at the top). Scratch files are always removed.
 * Errors are classified as origin.h says (dlcs_status_is_transient); the message names the
 * origin or the step and the cause.
 */
enum dlcs_status dlcs_ingest_one(const struct dlcs_ingest_settings *s, const char *origin,
                                 const struct dlcs_origin_auth *auth, struct dlcs_blobstore *blobs,
                                 const char *prefix, struct dlcs_ingest_report *report,
                                 struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_INGEST_H */
