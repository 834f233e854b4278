/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stored JPEG tiles of a pyramidal TIFF, sent as they are: the file's IFD chain is indexed
 * once (per level: size, tile size, tile offsets and byte counts, JPEGTables) and kept in a
 * bounded cache of open files, so that a request for exactly one full tile costs one pread
 * and no decode or encode (IIPImage 1.3 calls this "codec pass-through").
 */
#ifndef DLCS_TIFF_TILES_H
#define DLCS_TIFF_TILES_H

#include <stddef.h>
#include <stdint.h>

#include "dlcs/error.h"

/*
 * If level 'level' of the pyramidal TIFF at 'path' is JPEG-compressed with 'tile'-sized tiles
 * and tile (tx, ty) is a full tile (not cut by the image edge), write a standalone JPEG of it
 * into a new buffer ('*out', g_free()) and return DLCS_OK. DLCS_ENOTFOUND when the tile cannot
 * be passed through (other compression, edge tile, no such level): the caller renders instead.
 * DLCS_EUPSTREAM when the file cannot be read. Thread-safe.
 */
enum dlcs_status dlcs_tiff_tile_jpeg(const char *path, int level, int tx, int ty, int tile,
                                     void **out, size_t *len,
                                     struct dlcs_error *err) DLCS_WARN_UNUSED;

/*
 * Like dlcs_tiff_tile_jpeg, for any tile of the level, edge tiles included: the stored JPEG
 * is always 'tile' x 'tile' (TIFF pads edge tiles), and '*valid_w' x '*valid_h' says how much
 * of it is image. The caller crops edge tiles.
 */
enum dlcs_status dlcs_tiff_tile_jpeg_padded(const char *path, int level, int tx, int ty, int tile,
                                            void **out, size_t *len, int *valid_w, int *valid_h,
                                            struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Close every cached file (at shutdown, and in tests). */
void dlcs_tiff_tiles_flush(void);

#endif /* DLCS_TIFF_TILES_H */
