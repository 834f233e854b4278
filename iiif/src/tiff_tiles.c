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
    char *id;                     /* the path, or the blob key */
    struct dlcs_blobstore *blobs; /* NULL for a local file */
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

/* Blocks of a blob read while indexing: IFDs and their arrays sit close together, so a few
 * ranged reads of 64 KiB serve the dozens of small reads an index takes. */
#define BLOCK_SIZE   65536
#define INDEX_BLOCKS 64

struct block_cache {
    uint64_t start[INDEX_BLOCKS];
    size_t len[INDEX_BLOCKS];
    unsigned char *data[INDEX_BLOCKS];
    int count;
};

struct reader {
    const struct tiff_file *f;
    bool le, big;
    struct block_cache *blocks; /* blob sources while indexing, else NULL */
};

static bool read_file(int fd, uint64_t off, unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = pread(fd, p, len, (off_t)off);

        if (n <= 0)
            return false;
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return true;
}

static bool read_blob(const struct tiff_file *f, uint64_t off, unsigned char *p, size_t len)
{
    size_t got = 0;

    return dlcs_blob_read_range(f->blobs, f->id, (int64_t)off, len, p, &got, NULL) == DLCS_OK &&
           got == len;
}

/* The block holding 'off' (read and kept on first use), or NULL when the cache is full. */
static const unsigned char *block_at(const struct reader *r, uint64_t off, size_t *avail)
{
    struct block_cache *bc = r->blocks;
    uint64_t start = off - off % BLOCK_SIZE;
    size_t len = (uint64_t)r->f->size - start < BLOCK_SIZE ? (size_t)((uint64_t)r->f->size - start)
                                                           : BLOCK_SIZE;
    int i;

    for (i = 0; i < bc->count && bc->start[i] != start; i++)
        ;
    if (i == bc->count) {
        if (bc->count == INDEX_BLOCKS)
            return NULL;
        bc->data[i] = dlcs_xmalloc(len);
        if (!read_blob(r->f, start, bc->data[i], len)) {
            free(bc->data[i]);
            return NULL;
        }
        bc->start[i] = start;
        bc->len[i] = len;
        bc->count++;
    }
    *avail = bc->len[i] - (size_t)(off - start);
    return bc->data[i] + (off - start);
}

static bool read_at(const struct reader *r, uint64_t off, void *buf, size_t len)
{
    unsigned char *p = buf;

    if (off > (uint64_t)r->f->size || len > (uint64_t)r->f->size - off)
        return false;
    if (!r->f->blobs)
        return read_file(r->f->fd, off, p, len);
    while (len > 0 && r->blocks && len <= 4 * BLOCK_SIZE) {
        size_t avail = 0;
        const unsigned char *b = block_at(r, off, &avail);

        if (!b)
            break; /* cache full or unreadable: read directly */
        avail = avail < len ? avail : len;
        memcpy(p, b, avail);
        p += avail;
        off += avail;
        len -= avail;
    }
    return len == 0 || read_blob(r->f, off, p, len);
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

/* Open the source: a local file (and its identity, to see it replaced) or a blob's size. */
static bool open_source(struct tiff_file *f, const struct dlcs_tiff_tile_request *req,
                        struct dlcs_error *err)
{
    struct stat sb;
    int64_t size = 0;
    enum dlcs_status st;

    f->fd = -1;
    if (req->blobs) {
        f->blobs = req->blobs;
        f->id = dlcs_xstrdup(req->key);
        st = dlcs_blob_size(req->blobs, req->key, &size, err);
        f->size = (off_t)size;
        return st == DLCS_OK;
    }
    f->id = dlcs_xstrdup(req->path);
    f->fd = open(req->path, O_RDONLY | O_CLOEXEC);
    if (f->fd < 0 || fstat(f->fd, &sb) != 0) {
        (void)dlcs_error_set(err, DLCS_EUPSTREAM, "cannot open the derivative");
        return false;
    }
    f->dev = sb.st_dev;
    f->ino = sb.st_ino;
    f->mtime = sb.st_mtim;
    f->size = sb.st_size;
    return true;
}

static void file_free(struct tiff_file *f);

static struct tiff_file *index_file(const struct dlcs_tiff_tile_request *req,
                                    struct dlcs_error *err)
{
    struct tiff_file *f = dlcs_xcalloc(1, sizeof *f);
    struct block_cache blocks = {.count = 0};
    struct reader r = {f, true, false, req->blobs ? &blocks : NULL};
    unsigned char hdr[16];
    uint64_t off;

    if (!open_source(f, req, err)) {
        file_free(f);
        return NULL;
    }
    if (read_at(&r, 0, hdr, 16) && (hdr[0] == 'I' || hdr[0] == 'M')) {
        r.le = hdr[0] == 'I';
        r.big = num(&r, hdr + 2, 2) == 43;
        off = r.big ? num(&r, hdr + 8, 8) : num(&r, hdr + 4, 4);
        while (off && f->levels < MAX_LEVELS && read_ifd(&r, off, &f->level[f->levels], &off))
            f->levels++;
    }
    for (int i = 0; i < blocks.count; i++)
        free(blocks.data[i]);
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
    free(f->id);
    free(f);
}

/* ---- the cache ----------------------------------------------------------------------------- */

static bool same_source(const struct tiff_file *f, const struct dlcs_tiff_tile_request *req)
{
    return req->blobs ? f->blobs == req->blobs && strcmp(f->id, req->key) == 0
                      : !f->blobs && strcmp(f->id, req->path) == 0;
}

/* The cached index answers for 'req': the same blob key and storage (whose objects never
 * change), or the same local file, not replaced since it was indexed. */
static bool answers_for(const struct tiff_file *f, const struct dlcs_tiff_tile_request *req,
                        const struct stat *sb)
{
    return same_source(f, req) &&
           (req->blobs ||
            (f->dev == sb->st_dev && f->ino == sb->st_ino && f->size == sb->st_size &&
             f->mtime.tv_sec == sb->st_mtim.tv_sec && f->mtime.tv_nsec == sb->st_mtim.tv_nsec));
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

/* A counted reference to the index of the request's TIFF (a replaced file is reindexed). */
static struct tiff_file *acquire(const struct dlcs_tiff_tile_request *req, struct dlcs_error *err)
{
    struct stat sb;
    struct tiff_file *f = NULL, *fresh;
    int slot = -1, oldest = 0;

    memset(&sb, 0, sizeof sb);
    if (!req->blobs && stat(req->path, &sb) != 0) {
        (void)dlcs_error_set(err, DLCS_EUPSTREAM, "no derivative");
        return NULL;
    }
    pthread_mutex_lock(&cache_mu);
    for (int i = 0; i < CACHE_SLOTS && !f; i++) {
        if (cache[i] && answers_for(cache[i], req, &sb)) {
            f = cache[i];
            f->refs++;
            f->last_used = ++cache_clock;
        }
    }
    pthread_mutex_unlock(&cache_mu);
    if (f)
        return f;
    fresh = index_file(req, err); /* outside the lock: it reads the TIFF */
    if (!fresh)
        return NULL;
    fresh->refs = 2; /* the cache's and the caller's */
    pthread_mutex_lock(&cache_mu);
    fresh->last_used = ++cache_clock;
    for (int i = 0; i < CACHE_SLOTS && slot < 0; i++) {
        if (!cache[i] || same_source(cache[i], req))
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
    struct reader r = {f, true, false, NULL};
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

enum dlcs_status dlcs_tiff_tile_get(const struct dlcs_tiff_tile_request *r,
                                    struct dlcs_tiff_tile *out, struct dlcs_error *err)
{
    struct tiff_file *f;
    const struct level *l;
    uint32_t across, index, tile = (uint32_t)r->tile;
    enum dlcs_status st;

    memset(out, 0, sizeof *out);
    if ((!r->blobs && !r->path) || (r->blobs && !r->key))
        DLCS_BUG("a tile request names no TIFF");
    f = acquire(r, err);
    if (!f)
        return DLCS_EUPSTREAM;
    l = r->level >= 0 && r->level < f->levels ? &f->level[r->level] : NULL;
    if (!l || l->compression != 7 || l->tile_w != tile || l->tile_h != tile || r->tx < 0 ||
        r->ty < 0 || (uint32_t)r->tx * tile >= l->width || (uint32_t)r->ty * tile >= l->height) {
        release(f);
        return dlcs_error_set(err, DLCS_ENOTFOUND, "not a stored JPEG tile");
    }
    across = (l->width + l->tile_w - 1) / l->tile_w;
    index = (uint32_t)r->ty * across + (uint32_t)r->tx;
    out->valid_w = (int)(l->width - (uint32_t)r->tx * tile);
    out->valid_h = (int)(l->height - (uint32_t)r->ty * tile);
    out->valid_w = out->valid_w > r->tile ? r->tile : out->valid_w;
    out->valid_h = out->valid_h > r->tile ? r->tile : out->valid_h;
    st = index < l->tiles ? assemble(f, l, index, &out->jpeg, &out->len, err)
                          : dlcs_error_set(err, DLCS_ENOTFOUND, "no such tile");
    release(f);
    return st;
}
