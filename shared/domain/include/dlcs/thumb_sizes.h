/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Thumbnail sizes in IIIF size syntax and thumbnail policies (lists of them): parsed where a
 * policy is accepted (the API, the configuration) and applied where thumbnails are made.
 */
#ifndef DLCS_THUMB_SIZES_H
#define DLCS_THUMB_SIZES_H

#include <stdbool.h>
#include <stddef.h>

#include "dlcs/error.h"

#define DLCS_THUMB_POLICY_MAX 16 /* sizes in one policy */

/*
 * A thumbnail size: IIIF size syntax "w,", ",h", "!w,h" (fit inside), "w,h" (exact), each
 * optionally with a leading "^" (accepted, but dlcs never upscales: a size larger than the
 * image is skipped).
 */
struct dlcs_thumb_size {
    int w, h; /* 0 = unconstrained */
    bool confined;
};

/* Parse one size. DLCS_EINVAL naming the size for anything else ("max", "pct:", "0,"...). */
enum dlcs_status dlcs_thumb_size_parse(const char *s, struct dlcs_thumb_size *out,
                                       struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * The pixel size of 'size' for an image of 'width' x 'height' (IIIF rounding). False when it
 * would upscale or is degenerate, and the thumbnail is then not made.
 */
bool dlcs_thumb_size_apply(const struct dlcs_thumb_size *size, int width, int height, int *tw,
                           int *th);

/*
 * Parse a thumbnail policy: IIIF sizes separated by spaces or commas-in-JSON (a JSON array
 * string such as the reference's policyData, or "!1024,1024 !400,400"). Fills at most 'cap'
 * sizes into 'out' and '*count'. DLCS_EINVAL naming the bad size.
 */
enum dlcs_status dlcs_thumb_policy_parse(const char *policy, struct dlcs_thumb_size *out,
                                         size_t cap, size_t *count,
                                         struct dlcs_error *err) DLCS_WARN_UNUSED;

#endif /* DLCS_THUMB_SIZES_H */
