/* SPDX-License-Identifier: Apache-2.0 */
/* Test images: made with libvips, or byte by byte for PDF and the decompression bomb. */
#include "fixtures.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vips/vips.h>

/* w x h white RGB with a red top-left quadrant. */
static VipsImage *quadrants(int w, int h)
{
    VipsImage *black = NULL, *white = NULL, *rb = NULL, *red = NULL, *out = NULL, *tmp = NULL;
    double one[3] = {1, 1, 1}, redv[3] = {255, 0, 0};

    vips_black(&black, w, h, "bands", 3, NULL);
    vips_linear1(black, &tmp, 1, 255, NULL);
    vips_cast_uchar(tmp, &white, NULL);
    g_object_unref(tmp);
    g_object_unref(black);
    vips_black(&rb, w / 2, h / 2, "bands", 3, NULL);
    vips_linear(rb, &tmp, one, redv, 3, NULL);
    vips_cast_uchar(tmp, &red, NULL);
    g_object_unref(tmp);
    g_object_unref(rb);
    vips_insert(white, red, &out, 0, 0, NULL);
    g_object_unref(white);
    g_object_unref(red);
    vips_image_set_int(out, "interpretation", VIPS_INTERPRETATION_sRGB);
    out->Type = VIPS_INTERPRETATION_sRGB;
    return out;
}

static int save(VipsImage *img, const char *dir, const char *name, const char *opts)
{
    char path[600];
    int rc;

    (void)snprintf(path, sizeof path, "%s/%s%s", dir, name, opts ? opts : "");
    rc = vips_image_write_to_file(img, path, NULL);
    if (rc != 0)
        fprintf(stderr, "fixture %s: %s\n", name, vips_error_buffer());
    return rc;
}

static int write_bytes(const char *dir, const char *name, const void *data, size_t len)
{
    char path[600];
    FILE *f;
    int rc;

    (void)snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f)
        return -1;
    rc = fwrite(data, 1, len, f) == len ? 0 : -1;
    fclose(f);
    return rc;
}

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* A chunk: length, type+data, CRC over type+data. Returns bytes written. */
static size_t png_chunk(unsigned char *out, const char *type, const unsigned char *data,
                        uint32_t len)
{
    put32(out, len);
    memcpy(out + 4, type, 4);
    if (len)
        memcpy(out + 8, data, len);
    put32(out + 8 + len, crc32_of(out + 4, len + 4));
    return 12 + len;
}

/* A PNG header claiming 100000 x 100000 grey pixels, with a few bytes of "data". */
static int write_bomb(const char *dir)
{
    unsigned char buf[128], ihdr[13] = {0}, idat[4] = {0x78, 0x9c, 0x03, 0x00};
    size_t n = 8;

    memcpy(buf, "\x89PNG\r\n\x1a\n", 8);
    put32(ihdr, 100000);
    put32(ihdr + 4, 100000);
    ihdr[8] = 8; /* bit depth; colour type 0 (grey), no interlace */
    n += png_chunk(buf + n, "IHDR", ihdr, 13);
    n += png_chunk(buf + n, "IDAT", idat, 4);
    n += png_chunk(buf + n, "IEND", NULL, 0);
    return write_bytes(dir, "bomb.png", buf, n);
}

/* A one-page PDF, 200 x 100 pt, left half filled red. */
static int write_pdf(const char *dir)
{
    static const char *const objs[] = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>",
        "<< /Length 26 >>\nstream\n1 0 0 rg 0 0 100 100 re f\nendstream",
    };
    char buf[2048];
    long offs[4];
    int n = snprintf(buf, sizeof buf, "%%PDF-1.4\n");

    for (int i = 0; i < 4; i++) {
        offs[i] = n;
        n += snprintf(buf + n, sizeof buf - (size_t)n, "%d 0 obj\n%s\nendobj\n", i + 1, objs[i]);
    }
    {
        long xref = n;

        n += snprintf(buf + n, sizeof buf - (size_t)n, "xref\n0 5\n0000000000 65535 f \n");
        for (int i = 0; i < 4; i++)
            n += snprintf(buf + n, sizeof buf - (size_t)n, "%010ld 00000 n \n", offs[i]);
        n += snprintf(buf + n, sizeof buf - (size_t)n,
                      "trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n", xref);
    }
    return write_bytes(dir, "doc.pdf", buf, (size_t)n);
}

char *fixtures_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* truncated.jpg: the first half of photo.jpg; corrupt.jpg: a JPEG marker, then noise. */
static int write_broken(const char *dir)
{
    char path[600], *jpg;
    size_t len;
    unsigned char junk[4096];
    int rc;

    (void)snprintf(path, sizeof path, "%s/photo.jpg", dir);
    jpg = fixtures_read(path, &len);
    if (!jpg)
        return -1;
    rc = write_bytes(dir, "truncated.jpg", jpg, len / 2);
    free(jpg);
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 7919 + 13);
    memcpy(junk, "\xff\xd8\xff\xe0", 4);
    return rc | write_bytes(dir, "corrupt.jpg", junk, sizeof junk) |
           write_bytes(dir, "text.txt", "hello, not an image\n", 20);
}

static int write_colour_variants(const char *dir, VipsImage *photo)
{
    VipsImage *grey = NULL, *cmyk = NULL, *deep = NULL, *tmp = NULL;
    int rc = 0;

    rc |= vips_colourspace(photo, &grey, VIPS_INTERPRETATION_B_W, NULL);
    rc |= grey ? save(grey, dir, "grey.jpg", NULL) : -1;
    rc |= vips_colourspace(photo, &cmyk, VIPS_INTERPRETATION_CMYK, NULL);
    rc |= cmyk ? save(cmyk, dir, "cmyk.jpg", NULL) : -1;
    rc |= vips_colourspace(photo, &deep, VIPS_INTERPRETATION_RGB16, NULL);
    rc |= deep ? save(deep, dir, "deep.png", "[bitdepth=16]") : -1;
    (void)tmp;
    if (grey)
        g_object_unref(grey);
    if (cmyk)
        g_object_unref(cmyk);
    if (deep)
        g_object_unref(deep);
    return rc;
}

static int write_alpha(const char *dir, VipsImage *photo)
{
    VipsImage *alpha = NULL, *a1 = NULL, *a0 = NULL, *mask = NULL, *rgba = NULL;
    int w = photo->Xsize, h = photo->Ysize, rc;

    /* alpha 255 on the left half, 0 on the right */
    vips_black(&a0, w, h, NULL);
    vips_black(&mask, w / 2, h, NULL);
    vips_linear1(mask, &a1, 1, 255, NULL);
    vips_insert(a0, a1, &alpha, 0, 0, NULL);
    g_object_unref(mask);
    g_object_unref(a0);
    g_object_unref(a1);
    mask = alpha;
    vips_cast_uchar(mask, &alpha, NULL);
    g_object_unref(mask);
    vips_bandjoin2(photo, alpha, &rgba, NULL);
    g_object_unref(alpha);
    rc = save(rgba, dir, "alpha.png", NULL);
    g_object_unref(rgba);
    return rc;
}

static int write_pages(const char *dir)
{
    VipsImage *tall = quadrants(400, 600);
    VipsImage *copy = NULL;
    int rc;

    vips_copy(tall, &copy, NULL);
    vips_image_set_int(copy, "page-height", 300);
    rc = save(copy, dir, "pages.tif", NULL);
    g_object_unref(copy);
    g_object_unref(tall);
    return rc;
}

static int write_rotated(const char *dir)
{
    VipsImage *img = quadrants(300, 200), *copy = NULL;
    int rc;

    vips_copy(img, &copy, NULL);
    vips_image_set_int(copy, VIPS_META_ORIENTATION, 6);
    rc = save(copy, dir, "rotated.jpg", NULL);
    g_object_unref(copy);
    rc |= save(img, dir, "small.jpg", NULL);
    g_object_unref(img);
    return rc;
}

int fixtures_write(const char *dir)
{
    VipsImage *photo = quadrants(600, 400);
    int rc = 0;

    rc |= save(photo, dir, "photo.jpg", NULL);
    rc |= save(photo, dir, "photo.webp", NULL);
    rc |= save(photo, dir, "photo.gif", NULL);
    rc |= save(photo, dir, "photo.jp2", NULL);
    rc |= save(photo, dir, "photo.heic", NULL);
    rc |= write_colour_variants(dir, photo);
    rc |= write_alpha(dir, photo);
    g_object_unref(photo);
    rc |= write_pages(dir);
    rc |= write_rotated(dir);
    rc |= write_pdf(dir);
    rc |= write_bomb(dir);
    rc |= write_broken(dir);
    return rc;
}

char fixtures_colour_at(VipsImage *img, int x, int y)
{
    double *v = NULL;
    int n = 0;
    char c = '?';

    if (vips_getpoint(img, &v, &n, x, y, NULL) != 0)
        return '?';
    if (n == 1)
        c = v[0] > 200 ? 'w' : v[0] < 50 ? 'k' : '?';
    else if (v[0] > 200 && v[1] < 60 && v[2] < 60)
        c = 'r';
    else if (v[0] < 60 && v[1] > 200 && v[2] < 60)
        c = 'g';
    else if (v[0] < 60 && v[1] < 60 && v[2] > 200)
        c = 'b';
    else if (v[0] > 200 && v[1] > 200 && v[2] > 200)
        c = 'w';
    g_free(v);
    return c;
}
