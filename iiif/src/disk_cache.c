/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE /* nftw, utimensat */
#include "disk_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dlcs/fs.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"

#define RECENT_S  60   /* files used this recently are never evicted */
#define HOT_SLOTS 1024 /* images whose tile requests are counted */

struct hot {
    uint64_t hash;
    int count;
};

struct dlcs_disk_cache {
    char *dir;
    bool owned; /* a private directory, removed at the end */
    int64_t max_bytes, max_object;
    int copy_after;
    pthread_mutex_t mu;
    int64_t added; /* bytes fetched since the last scan */
    bool scanned;  /* a first scan done (a shared directory may be full already) */
    atomic_int_fast64_t fetched, hits;
    struct hot hot[HOT_SLOTS]; /* under mu */
};

struct dlcs_disk_cache *dlcs_disk_cache_new(const struct dlcs_disk_cache_settings *s,
                                            struct dlcs_error *err)
{
    struct dlcs_disk_cache *c;
    char *dir = NULL;

    if (s->dir && *s->dir) {
        if (dlcs_fs_mkdirs(s->dir, err) != DLCS_OK)
            return NULL;
        dir = dlcs_xstrdup(s->dir);
    } else {
        if (s->scratch && dlcs_fs_mkdirs(s->scratch, err) != DLCS_OK)
            return NULL;
        dir = dlcs_fs_scratch_dir(s->scratch, "dlcs-render-cache-", err);
        if (!dir)
            return NULL;
    }
    c = dlcs_xcalloc(1, sizeof *c);
    c->dir = dir;
    c->owned = !(s->dir && *s->dir);
    c->max_bytes = s->max_bytes;
    c->max_object = s->max_object;
    c->copy_after = s->copy_after;
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void dlcs_disk_cache_free(struct dlcs_disk_cache *c)
{
    if (!c)
        return;
    if (c->owned && dlcs_fs_remove_tree(c->dir, NULL) != DLCS_OK)
        dlcs_log(DLCS_LOG_WARN, "could not remove the private render cache");
    pthread_mutex_destroy(&c->mu);
    free(c->dir);
    free(c);
}

void dlcs_disk_cache_counts(const struct dlcs_disk_cache *c, int64_t *fetched, int64_t *hits)
{
    *fetched = atomic_load(&c->fetched);
    *hits = atomic_load(&c->hits);
}

/* ---- eviction ------------------------------------------------------------------------------ */

struct entry {
    char *path;
    time_t used;
    int64_t bytes;
};

/* nftw has no user pointer: one scan at a time, under the cache's mutex and the flock. */
static struct scan {
    struct entry *items;
    size_t count, cap;
    int64_t total;
} scan;

static int collect(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)ftw;
    if (flag != FTW_F || strstr(path, ".tmp-") || strcmp(path + strlen(path) - 6, "/.lock") == 0)
        return 0;
    if (scan.count == scan.cap) {
        scan.cap = scan.cap ? scan.cap * 2 : 256;
        scan.items = dlcs_xrealloc(scan.items, scan.cap * sizeof *scan.items);
    }
    scan.items[scan.count++] = (struct entry){dlcs_xstrdup(path), sb->st_mtime, sb->st_size};
    scan.total += sb->st_size;
    return 0;
}

static int oldest_first(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;

    return (x->used > y->used) - (x->used < y->used);
}

/* Remove least recently used files until the directory is under 90 % of its bound. */
static void evict(struct dlcs_disk_cache *c)
{
    char *lock_path = dlcs_xasprintf("%s/.lock", c->dir);
    int lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    time_t now = time(NULL);
    int64_t removed = 0;

    if (lock >= 0 && flock(lock, LOCK_EX) == 0) {
        memset(&scan, 0, sizeof scan);
        (void)nftw(c->dir, collect, 16, FTW_PHYS);
        qsort(scan.items, scan.count, sizeof *scan.items, oldest_first);
        for (size_t i = 0; i < scan.count && scan.total > c->max_bytes / 10 * 9; i++) {
            if (now - scan.items[i].used < RECENT_S)
                break; /* everything after it is newer still */
            if (unlink(scan.items[i].path) == 0) {
                scan.total -= scan.items[i].bytes;
                removed += scan.items[i].bytes;
            }
        }
        for (size_t i = 0; i < scan.count; i++)
            free(scan.items[i].path);
        free(scan.items);
        memset(&scan, 0, sizeof scan);
    }
    if (lock >= 0)
        close(lock); /* releases the flock */
    if (removed > 0)
        dlcs_log(DLCS_LOG_DEBUG, "render cache: evicted %lld bytes", (long long)removed);
    free(lock_path);
}

static void note_added(struct dlcs_disk_cache *c, int64_t bytes)
{
    bool due;

    pthread_mutex_lock(&c->mu);
    c->added += bytes;
    due = !c->scanned || c->added > c->max_bytes / 10;
    if (due) {
        c->added = 0;
        c->scanned = true;
        evict(c);
    }
    pthread_mutex_unlock(&c->mu);
}

/* ---- lookups ------------------------------------------------------------------------------- */

/* The cached copy's path if it is there, its mtime touched when older than half the
 * eviction guard (a stat is cheaper than a metadata write on every tile). */
static char *cached(struct dlcs_disk_cache *c, const char *key)
{
    char *path = dlcs_xasprintf("%s/%s", c->dir, key);
    struct stat sb;

    if (stat(path, &sb) != 0 ||
        (time(NULL) - sb.st_mtime > RECENT_S / 2 && utimensat(AT_FDCWD, path, NULL, 0) != 0)) {
        free(path); /* absent (or evicted just now) */
        return NULL;
    }
    atomic_fetch_add(&c->hits, 1);
    return path;
}

char *dlcs_disk_cache_peek(struct dlcs_disk_cache *c, struct dlcs_blobstore *blobs, const char *key)
{
    char *path = NULL;

    if (dlcs_blob_local_path(blobs, key, &path, NULL) == DLCS_OK)
        return path;
    return c ? cached(c, key) : NULL;
}

enum dlcs_status dlcs_disk_cache_path(struct dlcs_disk_cache *c, struct dlcs_blobstore *blobs,
                                      const char *key, char **path, struct dlcs_error *err)
{
    enum dlcs_status st = dlcs_blob_local_path(blobs, key, path, err);
    struct stat sb;

    if (st != DLCS_EUNSUPPORTED || !c)
        return st;
    dlcs_error_clear(err);
    *path = cached(c, key);
    if (*path)
        return DLCS_OK;
    *path = dlcs_xasprintf("%s/%s", c->dir, key);
    st = dlcs_blob_get_file(blobs, key, *path, c->max_object, err);
    if (st == DLCS_OK && stat(*path, &sb) == 0) {
        atomic_fetch_add(&c->fetched, (int64_t)sb.st_size);
        note_added(c, (int64_t)sb.st_size);
    }
    if (st != DLCS_OK) {
        free(*path);
        *path = NULL;
    }
    return st;
}

/* FNV-1a: a slot for a key (a collision only resets a count). */
static uint64_t key_hash(const char *key)
{
    uint64_t h = 1469598103934665603ULL;

    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

bool dlcs_disk_cache_hot(struct dlcs_disk_cache *c, const char *key)
{
    uint64_t h = key_hash(key);
    struct hot *slot;
    bool now;

    if (!c || c->copy_after <= 0)
        return false;
    pthread_mutex_lock(&c->mu);
    slot = &c->hot[h % HOT_SLOTS];
    if (slot->hash != h)
        *slot = (struct hot){h, 0};
    now = ++slot->count == c->copy_after;
    pthread_mutex_unlock(&c->mu);
    return now;
}

char *dlcs_disk_cache_local(struct dlcs_disk_cache *c, struct dlcs_blobstore *blobs,
                            const char *key)
{
    char *path = dlcs_disk_cache_peek(c, blobs, key);

    if (!path && dlcs_disk_cache_hot(c, key) &&
        dlcs_disk_cache_path(c, blobs, key, &path, NULL) != DLCS_OK)
        path = NULL;
    return path;
}
