/* SPDX-License-Identifier: Apache-2.0 */
/* Test images made with libvips (and by hand where libvips cannot write the format). */
#ifndef DLCS_TEST_FIXTURES_H
#define DLCS_TEST_FIXTURES_H

#include <stddef.h>

#include <vips/vips.h>

/*
 * Write every fixture into 'dir': photo.jpg (600x400, red top-left quadrant on white),
 * rotated.jpg (the same 300x200 with EXIF orientation 6), pages.tif (two 400x300 pages),
 * alpha.png (RGBA, transparent right half), deep.png (16-bit RGB), grey.jpg, cmyk.jpg,
 * photo.webp, photo.gif, photo.jp2, photo.heic, doc.pdf (200x100 pt, red left half),
 * bomb.png (claims 100000 x 100000), truncated.jpg, corrupt.jpg, text.txt, small.jpg (300x200).
 * Returns 0 on success.
 */
int fixtures_write(const char *dir);

/* The colour at (x, y) as 'r', 'g', 'b', 'w' (white), 'k' (black) or '?' (also when the point
 * cannot be read). */
char fixtures_colour_at(VipsImage *img, int x, int y);

/* Read a whole file (free()); NULL if absent. */
char *fixtures_read(const char *path, size_t *len);

#endif /* DLCS_TEST_FIXTURES_H */
