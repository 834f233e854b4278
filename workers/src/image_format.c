/* SPDX-License-Identifier: Apache-2.0 */
/* Format sniffing by magic bytes. */
#include "dlcs/image_format.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool starts(const unsigned char *h, size_t len, const void *magic, size_t n)
{
    return len >= n && memcmp(h, magic, n) == 0;
}

static bool is_heif_brand(const unsigned char *b)
{
    static const char *const brands[] = {"heic", "heix", "hevc", "hevx", "heim",
                                         "heis", "mif1", "msf1", "avif", "avis"};

    for (size_t i = 0; i < sizeof brands / sizeof brands[0]; i++) {
        if (memcmp(b, brands[i], 4) == 0)
            return true;
    }
    return false;
}

enum dlcs_image_format dlcs_image_format_sniff(const unsigned char *h, size_t len)
{
    static const unsigned char jp2[] = {0, 0, 0, 0x0c, 'j', 'P', ' ', ' ', 0x0d, 0x0a, 0x87, 0x0a};
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a};

    if (starts(h, len, "\xff\xd8\xff", 3))
        return DLCS_FMT_JPEG;
    if (starts(h, len, png, sizeof png))
        return DLCS_FMT_PNG;
    if (starts(h, len, "II*\0", 4) || starts(h, len, "MM\0*", 4) || starts(h, len, "II+\0", 4) ||
        starts(h, len, "MM\0+", 4))
        return DLCS_FMT_TIFF;
    if (starts(h, len, "GIF87a", 6) || starts(h, len, "GIF89a", 6))
        return DLCS_FMT_GIF;
    if (len >= 12 && memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WEBP", 4) == 0)
        return DLCS_FMT_WEBP;
    if (starts(h, len, jp2, sizeof jp2) || starts(h, len, "\xff\x4f\xff\x51", 4))
        return DLCS_FMT_JP2;
    if (starts(h, len, "%PDF-", 5))
        return DLCS_FMT_PDF;
    if (len >= 12 && memcmp(h + 4, "ftyp", 4) == 0 && is_heif_brand(h + 8))
        return DLCS_FMT_HEIF;
    return DLCS_FMT_UNKNOWN;
}

const char *dlcs_image_format_mime(enum dlcs_image_format f)
{
    static const char *const types[] = {NULL,        "image/jpeg",      "image/tiff",
                                        "image/png", "image/webp",      "image/gif",
                                        "image/jp2", "application/pdf", "image/heif"};

    return (size_t)f < sizeof types / sizeof types[0] ? types[f] : NULL;
}

const char *dlcs_image_format_name(enum dlcs_image_format f)
{
    static const char *const names[] = {"unknown", "jpeg", "tiff", "png", "webp",
                                        "gif",     "jp2",  "pdf",  "heif"};

    return (size_t)f < sizeof names / sizeof names[0] ? names[f] : "unknown";
}
