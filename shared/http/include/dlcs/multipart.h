/* SPDX-License-Identifier: Apache-2.0 */
/*
 * multipart/form-data bodies (RFC 7578): split a complete body into its parts. The parts
 * point into the caller's body (nothing is copied); they stay valid while the body does.
 */
#ifndef DLCS_MULTIPART_H
#define DLCS_MULTIPART_H

#include <stddef.h>

#include "dlcs/error.h"

#define DLCS_MULTIPART_MAX_PARTS 8

struct dlcs_part {
    char name[128];         /* the form field name, from Content-Disposition */
    char filename[256];     /* "" when the part is not a file */
    char content_type[128]; /* "" when the part did not say */
    const unsigned char *data;
    size_t len;
};

struct dlcs_multipart {
    struct dlcs_part parts[DLCS_MULTIPART_MAX_PARTS];
    size_t count;
};

/*
 * Parse 'body' ('len' bytes) sent with the Content-Type header value 'content_type' (which
 * carries the boundary). DLCS_EINVAL, with the reason, for a missing boundary, a malformed
 * part, a part without a name or more than DLCS_MULTIPART_MAX_PARTS parts.
 */
enum dlcs_status dlcs_multipart_parse(const char *content_type, const void *body, size_t len,
                                      struct dlcs_multipart *out,
                                      struct dlcs_error *err) DLCS_WARN_UNUSED;

/* The part named 'name', or NULL. */
const struct dlcs_part *dlcs_multipart_get(const struct dlcs_multipart *m, const char *name);

#endif /* DLCS_MULTIPART_H */
