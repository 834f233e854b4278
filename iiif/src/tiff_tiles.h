/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stored JPEG tiles of a pyramidal TIFF, sent as they are: the file's IFD chain is indexed
 * once (per level: size, tile size, tile offsets and byte counts, JPEGTables) and kept in a
 * bounded cache, so that a request for exactly one tile costs one read of its bytes and no
 * decode or encode (IIPImage 1.3 calls this "codec pass-through").
 *
 * The TIFF is a local file (read with pread; its index is rebuilt when the file is replaced)
 * or an object in blob storage, read by ranges (no local copy: S3). A blob's index is kept by
 * its key: derivatives are never rewritten under one key (each ingest generation writes its
 * own set), so a cached index cannot go stale; a deleted object just fails to read.
 */
#ifndef DLCS_TIFF_TILES_H
#define DLCS_TIFF_TILES_H

#include <stddef.h>
#include <stdint.h>

#include "dlcs/blobstore.h"
#include "dlcs/error.h"

struct dlcs_tiff_tile_request {
    const char *path;             /* a local file, or NULL: */
    struct dlcs_blobstore *blobs; /* the object 'key' in blob storage */
    const char *key;
    int level; /* pyramid page, 0 = full size */
    int tx, ty;
    int tile; /* the tile size the level must have */
};

struct dlcs_tiff_tile {
    void *jpeg; /* a standalone JPEG (g_free()) */
    size_t len;
    /* The stored JPEG is always tile x tile (TIFF pads edge tiles); this much of it is image.
     * The caller crops edge tiles. */
    int valid_w, valid_h;
};

/*
 * The stored JPEG of tile (tx, ty) at 'level', edge tiles included. DLCS_ENOTFOUND when the
 * tile cannot be passed through (other compression or tile size, no such level or tile): the
 * caller renders instead. DLCS_EUPSTREAM when the TIFF cannot be read. Thread-safe.
 */
enum dlcs_status dlcs_tiff_tile_get(const struct dlcs_tiff_tile_request *r,
                                    struct dlcs_tiff_tile *out,
                                    struct dlcs_error *err) DLCS_WARN_UNUSED;

/* Forget every cached index (at shutdown, and in tests). */
void dlcs_tiff_tiles_flush(void);

#endif /* DLCS_TIFF_TILES_H */
