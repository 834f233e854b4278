/* SPDX-License-Identifier: Apache-2.0 */
/* Indexing pyramidal TIFFs (classic and BigTIFF) and passing their JPEG tiles through. */
#include "tiff_tiles.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "dlcs/mem.h"

#define MAX_LEVELS   32
#define CACHE_SLOTS  128
#define MAX_IFD_TAGS 512
#define MAX_TILES    (1 << 22)
#define TABLES_MAX   65536
#define TILE_MAX     (16 << 20)

struct level {
    uint32_t width, height, tile_w, tile_h, compression;
    uint32_t tiles;
    uint64_t *offsets, *counts;
    unsigned char *tables; /* JPEGTables, NULL if none */
    uint32_t tables_len;
};

struct tiff_file {
    char *path;
    int fd;
    dev_t dev;
    ino_t ino;
    struct timespec mtime;
    off_t size;
    int levels;
    struct level level[MAX_LEVELS];
    int refs;
    uint64_t last_used;
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct tiff_file *cache[CACHE_SLOTS];
static uint64_t cache_clock;

/* ---- reading the file ---------------------------------------------------------------------- */

struct reader {
    int fd;
    bool le, big;
    off_t size;
};

static bool read_at(const struct reader *r, uint64_t off, void *buf, size_t len)
{
    unsigned char *p = buf;

    if (off > (uint64_t)r->size || len > (uint64_t)r->size - off)
        return false;
    while (len > 0) {
        ssize_t n = pread(r->fd, p, len, (off_t)off);

        if (n <= 0)
            return false;
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return true;
}

static uint64_t num(const struct reader *r, const unsigned char *p, int bytes)
{
    uint64_t v = 0;

    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)p[r->le ? i : bytes - 1 - i] << (8 * i);
    return v;
}

static int type_size(uint32_t type)
{
    switch (type) {
    case 1:
    case 2:
    case 6:
    case 7:
        return 1; /* BYTE ASCII SBYTE UNDEFINED */
    case 3:
    case 8:
        return 2; /* SHORT SSHORT */
    case 4:
    case 9:
    case 11:
    case 13:
        return 4; /* LONG SLONG FLOAT IFD */
    case 16:
    case 17:
    case 18:
        return 8; /* LONG8 SLONG8 IFD8 */
    default:
        return 0;
    }
}

/* The values of one entry as integers (SHORT, LONG, LONG8), 'count' of them, into 'out'. */
static bool entry_ints(const struct reader *r, const unsigned char *e, uint64_t **out,
                       uint64_t *count_out)
{
    uint32_t type = (uint32_t)num(r, e + 2, 2);
    uint64_t count = num(r, e + 4, r->big ? 8 : 4);
    int ts = type_size(type), inline_max = r->big ? 8 : 4;
    const unsigned char *vals = e + (r->big ? 12 : 8);
    unsigned char *buf = NULL;
    uint64_t *ints;

    if ((type != 3 && type != 4 && type != 16) || count == 0 || count > MAX_TILES)
        return false;
    if (count * (uint64_t)ts > (uint64_t)inline_max) {
        buf = dlcs_xmalloc((size_t)(count * (uint64_t)ts));
        if (!read_at(r, num(r, vals, inline_max), buf, (size_t)(count * (uint64_t)ts))) {
            free(buf);
            return false;
        }
        vals = buf;
    }
    ints = dlcs_xmalloc((size_t)count * sizeof *ints);
    for (uint64_t i = 0; i < count; i++)
        ints[i] = num(r, vals + i * (uint64_t)ts, ts);
    free(buf);
    *out = ints;
    *count_out = count;
    return true;
}

static bool entry_bytes(const struct reader *r, const unsigned char *e, unsigned char **out,
                        uint32_t *len)
{
    uint64_t count = num(r, e + 4, r->big ? 8 : 4);
    int inline_max = r->big ? 8 : 4;
    const unsigned char *vals = e + (r->big ? 12 : 8);

    if (count < 4 || count > TABLES_MAX)
        return false;
    *out = dlcs_xmalloc((size_t)count);
    *len = (uint32_t)count;
    if (count <= (uint64_t)inline_max) {
        memcpy(*out, vals, (size_t)count);
        return true;
    }
    return read_at(r, num(r, vals, inline_max), *out, (size_t)count);
}

static void level_free(struct level *l)
{
    free(l->offsets);
    free(l->counts);
    free(l->tables);
    memset(l, 0, sizeof *l);
}

static uint32_t first_int(const struct reader *r, const unsigned char *e)
{
    uint64_t *v = NULL, n = 0;
    uint32_t x = 0;

    if (entry_ints(r, e, &v, &n))
        x = (uint32_t)v[0];
    free(v);
    return x;
}

/* Read one IFD at 'off' into 'l'; '*next' gets the next IFD's offset. */
static bool read_ifd(const struct reader *r, uint64_t off, struct level *l, uint64_t *next)
{
    int entry = r->big ? 20 : 12, head = r->big ? 8 : 2;
    unsigned char hdr[8], *entries;
    uint64_t n, cnt = 0, cnt2 = 0;
    bool ok;

    if (!read_at(r, off, hdr, (size_t)head))
        return false;
    n = num(r, hdr, head);
    if (n == 0 || n > MAX_IFD_TAGS)
        return false;
    entries = dlcs_xmalloc((size_t)(n * (uint64_t)entry + 8));
    ok =
        read_at(r, off + (uint64_t)head, entries, (size_t)(n * (uint64_t)entry + (r->big ? 8 : 4)));
    for (uint64_t i = 0; ok && i < n; i++) {
        const unsigned char *e = entries + i * (uint64_t)entry;

        switch (num(r, e, 2)) {
        case 256:
            l->width = first_int(r, e);
            break;
        case 257:
            l->height = first_int(r, e);
            break;
        case 259:
            l->compression = first_int(r, e);
            break;
        case 322:
            l->tile_w = first_int(r, e);
            break;
        case 323:
            l->tile_h = first_int(r, e);
            break;
        case 324:
            ok = !l->offsets && entry_ints(r, e, &l->offsets, &cnt);
            break;
        case 325:
            ok = !l->counts && entry_ints(r, e, &l->counts, &cnt2);
            break;
        case 347:
            ok = !l->tables && entry_bytes(r, e, &l->tables, &l->tables_len);
            break;
        default:
            break;
        }
    }
    if (ok)
        *next = num(r, entries + n * (uint64_t)entry, r->big ? 8 : 4);
    free(entries);
    l->tiles = (uint32_t)cnt;
    return ok && cnt == cnt2 && l->offsets && l->tile_w > 0 && l->tile_h > 0;
}

static struct tiff_file *index_file(const char *path, struct dlcs_error *err)
{
    struct tiff_file *f = dlcs_xcalloc(1, sizeof *f);
    struct reader r = {-1, true, false, 0};
    unsigned char hdr[16];
    uint64_t off;
    struct stat sb;

    f->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (f->fd < 0 || fstat(f->fd, &sb) != 0) {
        if (f->fd >= 0)
            close(f->fd);
        free(f);
        (void)dlcs_error_set(err, DLCS_EUPSTREAM, "cannot open the derivative");
        return NULL;
    }
    f->path = dlcs_xstrdup(path);
    f->dev = sb.st_dev;
    f->ino = sb.st_ino;
    f->mtime = sb.st_mtim;
    f->size = sb.st_size;
    r.fd = f->fd;
    r.size = sb.st_size;
    if (read_at(&r, 0, hdr, 16) && (hdr[0] == 'I' || hdr[0] == 'M')) {
        r.le = hdr[0] == 'I';
        r.big = num(&r, hdr + 2, 2) == 43;
        off = r.big ? num(&r, hdr + 8, 8) : num(&r, hdr + 4, 4);
        while (off && f->levels < MAX_LEVELS && read_ifd(&r, off, &f->level[f->levels], &off))
            f->levels++;
    }
    return f;
}

static void file_free(struct tiff_file *f)
{
    if (!f)
        return;
    for (int i = 0; i < MAX_LEVELS; i++)
        level_free(&f->level[i]);
    if (f->fd >= 0)
        close(f->fd);
    free(f->path);
    free(f);
}

/* ---- the cache ----------------------------------------------------------------------------- */

static bool still_same(const struct tiff_file *f, const struct stat *sb)
{
    return f->dev == sb->st_dev && f->ino == sb->st_ino && f->size == sb->st_size &&
           f->mtime.tv_sec == sb->st_mtim.tv_sec && f->mtime.tv_nsec == sb->st_mtim.tv_nsec;
}

static void release(struct tiff_file *f)
{
    bool drop;

    pthread_mutex_lock(&cache_mu);
    drop = --f->refs == 0;
    pthread_mutex_unlock(&cache_mu);
    if (drop)
        file_free(f);
}

/* A counted reference to the index of 'path' (reindexed when the file was replaced). */
static struct tiff_file *acquire(const char *path, struct dlcs_error *err)
{
    struct stat sb;
    struct tiff_file *f = NULL, *fresh;
    int slot = -1, oldest = 0;

    if (stat(path, &sb) != 0) {
        (void)dlcs_error_set(err, DLCS_EUPSTREAM, "no derivative");
        return NULL;
    }
    pthread_mutex_lock(&cache_mu);
    for (int i = 0; i < CACHE_SLOTS && !f; i++) {
        if (cache[i] && strcmp(cache[i]->path, path) == 0 && still_same(cache[i], &sb)) {
            f = cache[i];
            f->refs++;
            f->last_used = ++cache_clock;
        }
    }
    pthread_mutex_unlock(&cache_mu);
    if (f)
        return f;
    fresh = index_file(path, err); /* outside the lock: it reads the file */
    if (!fresh)
        return NULL;
    fresh->refs = 2; /* the cache's and the caller's */
    pthread_mutex_lock(&cache_mu);
    fresh->last_used = ++cache_clock;
    for (int i = 0; i < CACHE_SLOTS && slot < 0; i++) {
        if (!cache[i] || strcmp(cache[i]->path, path) == 0)
            slot = i;
        else if (cache[i]->last_used < cache[oldest]->last_used)
            oldest = i;
    }
    if (slot < 0)
        slot = oldest;
    f = cache[slot];
    cache[slot] = fresh;
    pthread_mutex_unlock(&cache_mu);
    if (f)
        release(f); /* the evicted entry: freed when its last user is done */
    return fresh;
}

void dlcs_tiff_tiles_flush(void)
{
    for (int i = 0; i < CACHE_SLOTS; i++) {
        struct tiff_file *f;

        pthread_mutex_lock(&cache_mu);
        f = cache[i];
        cache[i] = NULL;
        pthread_mutex_unlock(&cache_mu);
        if (f)
            release(f);
    }
}

/* ---- a standalone JPEG from an abbreviated tile --------------------------------------------- */

static enum dlcs_status assemble(const struct tiff_file *f, const struct level *l, uint32_t i,
                                 void **out, size_t *len, struct dlcs_error *err)
{
    struct reader r = {f->fd, true, false, f->size};
    uint64_t n = l->counts[i];
    size_t tables = l->tables ? l->tables_len - 2 : 0; /* the tables without their EOI */
    unsigned char *buf;

    if (n < 4 || n > TILE_MAX)
        return dlcs_error_set(err, DLCS_ENOTFOUND, "tile not stored");
    buf = g_malloc(tables + (size_t)n);
    if (tables)
        memcpy(buf, l->tables, tables);
    if (!read_at(&r, l->offsets[i], buf + tables, (size_t)n)) {
        g_free(buf);
        return dlcs_error_set(err, DLCS_EUPSTREAM, "cannot read a tile");
    }
    if (tables) { /* drop the tile's own SOI: one stream, tables first */
        memmove(buf + tables, buf + tables + 2, (size_t)n - 2);
        n -= 2;
    }
    if (buf[0] != 0xff || buf[1] != 0xd8) {
        g_free(buf);
        return dlcs_error_set(err, DLCS_ENOTFOUND, "not a JPEG tile");
    }
    *out = buf;
    *len = tables + (size_t)n;
    return DLCS_OK;
}

enum dlcs_status dlcs_tiff_tile_jpeg_padded(const char *path, int level, int tx, int ty, int tile,
                                            void **out, size_t *len, int *valid_w, int *valid_h,
                                            struct dlcs_error *err)
{
    struct tiff_file *f = acquire(path, err);
    const struct level *l;
    uint32_t across, index;
    enum dlcs_status st;

    *out = NULL;
    *len = 0;
    if (!f)
        return DLCS_EUPSTREAM;
    l = level >= 0 && level < f->levels ? &f->level[level] : NULL;
    if (!l || l->compression != 7 || l->tile_w != (uint32_t)tile || l->tile_h != (uint32_t)tile ||
        tx < 0 || ty < 0 || (uint32_t)tx * (uint32_t)tile >= l->width ||
        (uint32_t)ty * (uint32_t)tile >= l->height) {
        release(f);
        return dlcs_error_set(err, DLCS_ENOTFOUND, "not a stored JPEG tile");
    }
    across = (l->width + l->tile_w - 1) / l->tile_w;
    index = (uint32_t)ty * across + (uint32_t)tx;
    *valid_w = (int)(l->width - (uint32_t)tx * (uint32_t)tile);
    *valid_h = (int)(l->height - (uint32_t)ty * (uint32_t)tile);
    *valid_w = *valid_w > tile ? tile : *valid_w;
    *valid_h = *valid_h > tile ? tile : *valid_h;
    st = index < l->tiles ? assemble(f, l, index, out, len, err)
                          : dlcs_error_set(err, DLCS_ENOTFOUND, "no such tile");
    release(f);
    return st;
}

enum dlcs_status dlcs_tiff_tile_jpeg(const char *path, int level, int tx, int ty, int tile,
                                     void **out, size_t *len, struct dlcs_error *err)
{
    int vw = 0, vh = 0;
    enum dlcs_status st =
        dlcs_tiff_tile_jpeg_padded(path, level, tx, ty, tile, out, len, &vw, &vh, err);

    if (st == DLCS_OK && (vw != tile || vh != tile)) {
        g_free(*out);
        *out = NULL;
        *len = 0;
        return dlcs_error_set(err, DLCS_ENOTFOUND, "an edge tile");
    }
    return st;
}
