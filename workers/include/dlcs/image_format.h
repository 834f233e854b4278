/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What an image is, judged by its first bytes (never by its name or Content-Type)
 * (thumbnail sizes are in dlcs/thumb_sizes.h).
 */
#ifndef DLCS_IMAGE_FORMAT_H
#define DLCS_IMAGE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "dlcs/error.h"

enum dlcs_image_format {
    DLCS_FMT_UNKNOWN = 0,
    DLCS_FMT_JPEG,
    DLCS_FMT_TIFF,
    DLCS_FMT_PNG,
    DLCS_FMT_WEBP,
    DLCS_FMT_GIF,
    DLCS_FMT_JP2, /* JP2 box format or a bare J2K codestream */
    DLCS_FMT_PDF,
    DLCS_FMT_HEIF, /* HEIC and AVIF */
};

/* Bytes of the head that dlcs_image_format_sniff looks at, at most. */
#define DLCS_SNIFF_BYTES 32

/* The format of an image whose first 'len' bytes are 'head'. */
enum dlcs_image_format dlcs_image_format_sniff(const unsigned char *head, size_t len);

/* "jpeg", "tiff", ... or "unknown". Borrowed, static. */
const char *dlcs_image_format_name(enum dlcs_image_format f);

/* "image/jpeg", "image/tiff", ..., "application/pdf"; NULL for unknown. Borrowed, static. */
const char *dlcs_image_format_mime(enum dlcs_image_format f);

#endif /* DLCS_IMAGE_FORMAT_H */
