/* SPDX-License-Identifier: Apache-2.0 */
/* Thumbnails (and the optional JP2) made from the pyramid, never from the source again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlcs/fs.h"
#include "dlcs/mem.h"

#include "convert_internal.h"

/* Compute the policy's pixel sizes for this image: largest first, no duplicates, no upscale. */
static void plan(const struct dlcs_convert_options *opt, struct dlcs_convert_result *r)
{
    for (size_t i = 0; i < opt->thumb_count && r->thumb_count < DLCS_THUMBS_MAX; i++) {
        int w, h;
        size_t at;
        bool dup = false;

        if (!dlcs_thumb_size_apply(&opt->thumbs[i], r->width, r->height, &w, &h))
            continue;
        for (size_t k = 0; k < r->thumb_count; k++)
            dup = dup || (r->thumbs[k].width == w && r->thumbs[k].height == h);
        if (dup)
            continue;
        at = r->thumb_count;
        while (at > 0 &&
               (int64_t)r->thumbs[at - 1].width * r->thumbs[at - 1].height < (int64_t)w * h) {
            r->thumbs[at] = r->thumbs[at - 1];
            at--;
        }
        r->thumbs[at].width = w;
        r->thumbs[at].height = h;
        r->thumb_count++;
    }
    for (size_t k = 0; k < r->thumb_count; k++)
        (void)snprintf(r->thumbs[k].file, sizeof r->thumbs[k].file, "thumbs/%dx%d.jpg",
                       r->thumbs[k].width, r->thumbs[k].height);
}

static enum dlcs_status make_one(const char *pyramid, const struct dlcs_thumb *t, int quality,
                                 const char *out_dir, struct dlcs_error *err)
{
    VipsImage *img = NULL;
    char *path = dlcs_xasprintf("%s/%s", out_dir, t->file);
    enum dlcs_status st = DLCS_OK;

    /* vips_thumbnail opens the pyramid page nearest above the target, not the full image */
    if (vips_thumbnail(pyramid, &img, t->width, "height", t->height, "size", VIPS_SIZE_FORCE,
                       NULL) != 0 ||
        vips_jpegsave(img, path, "Q", quality, "strip", TRUE, "optimize_coding", TRUE, NULL) != 0)
        st = dlcs_convert_vips_fail(err, DLCS_EINVAL, "cannot make a thumbnail");
    if (img)
        g_object_unref(img);
    free(path);
    return st;
}

enum dlcs_status dlcs_convert_thumbs(const char *pyramid, const struct dlcs_convert_options *opt,
                                     const char *out_dir, struct dlcs_convert_result *r,
                                     struct dlcs_error *err)
{
    char *dir = dlcs_xasprintf("%s/thumbs", out_dir);
    enum dlcs_status st = dlcs_fs_mkdirs(dir, err);

    free(dir);
    plan(opt, r);
    for (size_t i = 0; i < r->thumb_count && st == DLCS_OK; i++)
        st = make_one(pyramid, &r->thumbs[i], opt->thumb_quality, out_dir, err);
    return st;
}

enum dlcs_status dlcs_convert_jp2(const char *pyramid, const struct dlcs_convert_options *opt,
                                  const char *out_dir, struct dlcs_convert_guard *g,
                                  struct dlcs_error *err)
{
    VipsImage *img = NULL;
    char *path = dlcs_xasprintf("%s/image.jp2", out_dir);
    enum dlcs_status st = DLCS_OK;

    if (vips_tiffload(pyramid, &img, "page", 0, "access", VIPS_ACCESS_SEQUENTIAL, NULL) != 0) {
        st = dlcs_convert_vips_fail(err, DLCS_EINTERNAL, "cannot reopen the pyramid");
    } else {
        dlcs_convert_guard_watch(g, img);
        if (vips_jp2ksave(img, path, "tile_width", 256, "tile_height", 256, "Q", opt->quality,
                          NULL) != 0)
            st = dlcs_convert_guard_fail(g, opt, err, "cannot write the JPEG2000 derivative");
    }
    if (img)
        g_object_unref(img);
    free(path);
    return st;
}
