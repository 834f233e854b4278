/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A bounded read-through disk cache of derivatives, for what needs a local file (libvips
 * renders) when blob storage has none (S3). Where the storage has local paths (a directory),
 * they are used as they are and nothing is copied.
 *
 * A cached object is the file <dir>/<key>, written atomically (a reader never sees part of
 * one); keys never change content (each ingest generation writes its own set), so a cached
 * copy is never stale. Least recently used files are evicted (a hit touches the file's mtime)
 * once the directory holds more than its bound: a process rescans the directory (under an
 * flock, so two processes sharing it take turns) after it has added a tenth of the bound. Files
 * used in the last minute are never evicted, so a path handed out stays openable long enough
 * for libvips to open it; an open file survives its eviction (Linux).
 *
 * With no directory configured the cache is a private one under the scratch directory,
 * removed when the cache is freed. Thread-safe.
 */
#ifndef DLCS_IIIF_DISK_CACHE_H
#define DLCS_IIIF_DISK_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "dlcs/blobstore.h"
#include "dlcs/error.h"

struct dlcs_disk_cache;

struct dlcs_disk_cache_settings {
    const char *dir;     /* DLCS_CACHE_DIR, or NULL: private under 'scratch' */
    const char *scratch; /* parent of a private cache (NULL: $TMPDIR or /tmp) */
    int64_t max_bytes;   /* DLCS_CACHE_MAX_MB */
    int64_t max_object;  /* larger objects are refused (DLCS_ETOOLARGE) */
    int copy_after;      /* tile requests by ranges before an image is copied; 0: never */
};

/* NULL with 'err' set when the directory cannot be made. */
struct dlcs_disk_cache *dlcs_disk_cache_new(const struct dlcs_disk_cache_settings *s,
                                            struct dlcs_error *err);

/* NULL-safe; a private cache's directory is removed. */
void dlcs_disk_cache_free(struct dlcs_disk_cache *c);

/*
 * A local path of object 'key' of 'blobs' (new string): the storage's own, else the cached
 * copy, fetched on a miss. DLCS_ENOTFOUND when the object is absent.
 */
enum dlcs_status dlcs_disk_cache_path(struct dlcs_disk_cache *c, struct dlcs_blobstore *blobs,
                                      const char *key, char **path,
                                      struct dlcs_error *err) DLCS_WARN_UNUSED;

/* A local path only if one is there without fetching (the storage's own or a cached copy);
 * NULL otherwise. New string. */
char *dlcs_disk_cache_peek(struct dlcs_disk_cache *c, struct dlcs_blobstore *blobs,
                           const char *key);

/*
 * Count one tile request read by ranges for 'key': true exactly once, when the image has had
 * enough of them that a local copy pays (a viewer is zooming around it) — the caller then
 * fetches it with dlcs_disk_cache_path and later tiles are read from the copy.
 */
bool dlcs_disk_cache_hot(struct dlcs_disk_cache *c, const char *key);

/*
 * A local path for reading 'key' repeatedly (tiles, stored thumbnails): the storage's own or
 * a cached copy when there is one; else, once the key is hot, a copy fetched now (a viewer is
 * zooming around it); else NULL, and the caller reads from the storage itself. New string.
 */
char *dlcs_disk_cache_local(struct dlcs_disk_cache *c, struct dlcs_blobstore *blobs,
                            const char *key);

/* Bytes this process has fetched into the cache, and hits served from it (for metrics). */
void dlcs_disk_cache_counts(const struct dlcs_disk_cache *c, int64_t *fetched, int64_t *hits);

#endif /* DLCS_IIIF_DISK_CACHE_H */
