/* SPDX-License-Identifier: Apache-2.0 */
/* The IIIF request grammar of 3.0 and 2.1, valid and invalid forms, from one table. */
#include <string.h>

#include "dlcs/iiif_request.h"

#include "cm.h"

#define V2  DLCS_IIIF_V2
#define V3  DLCS_IIIF_V3
#define OK  DLCS_OK
#define BAD DLCS_EINVAL
#define NO  DLCS_EUNSUPPORTED

/* Every row runs against a 1000 x 800 image with maxWidth/maxHeight 3000 and no maxArea. */
static const struct row {
    enum dlcs_iiif_version v;
    const char *region, *size, *rotation, *qf;
    enum dlcs_status want;
    int x, y, w, h, out_w, out_h; /* when OK */
    const char *canonical;        /* when OK; NULL = not checked */
} rows[] = {
    /* regions */
    {V3, "full", "max", "0", "default.jpg", OK, 0, 0, 1000, 800, 1000, 800,
     "full/max/0/default.jpg"},
    {V3, "square", "max", "0", "default.jpg", OK, 100, 0, 800, 800, 800, 800,
     "100,0,800,800/max/0/default.jpg"},
    {V3, "10,20,300,200", "max", "0", "default.jpg", OK, 10, 20, 300, 200, 300, 200, NULL},
    {V3, "900,700,300,300", "max", "0", "default.jpg", OK, 900, 700, 100, 100, 100, 100, NULL},
    {V3, "pct:10,10,50,50", "max", "0", "default.jpg", OK, 100, 80, 500, 400, 500, 400, NULL},
    {V3, "pct:0,0,100,100", "max", "0", "default.jpg", OK, 0, 0, 1000, 800, 1000, 800,
     "full/max/0/default.jpg"},
    {V3, "pct:12.5,0.5,1.25,10", "max", "0", "default.jpg", OK, 125, 4, 13, 80, 13, 80, NULL},
    {V3, "1000,0,10,10", "max", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0,
     NULL}, /* starts outside */
    {V3, "0,800,10,10", "max", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "0,0,0,10", "max", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL}, /* zero width */
    {V3, "0,0,10", "max", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "0,0,10,10,10", "max", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "-1,0,10,10", "max", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "0.5,0,10,10", "max", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0,
     NULL}, /* pixels are integers */
    {V3, "pct:101,0,10,10", "max", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "pct:1e2,0,10,10", "max", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "Full", "max", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "", "max", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    /* sizes, 3.0 */
    {V3, "full", "500,", "0", "default.jpg", OK, 0, 0, 1000, 800, 500, 400,
     "full/500,400/0/default.jpg"},
    {V3, "full", ",400", "0", "default.jpg", OK, 0, 0, 1000, 800, 500, 400, NULL},
    {V3, "full", "300,300", "0", "default.jpg", OK, 0, 0, 1000, 800, 300, 300, NULL},
    {V3, "full", "!500,500", "0", "default.jpg", OK, 0, 0, 1000, 800, 500, 400, NULL},
    {V3, "full", "!5000,5000", "0", "default.jpg", OK, 0, 0, 1000, 800, 1000, 800, NULL},
    {V3, "full", "^!2000,2000", "0", "default.jpg", OK, 0, 0, 1000, 800, 2000, 1600,
     "full/^2000,1600/0/default.jpg"},
    {V3, "full", "pct:50", "0", "default.jpg", OK, 0, 0, 1000, 800, 500, 400, NULL},
    {V3, "full", "pct:150", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0,
     NULL}, /* larger than the region without ^ */
    {V3, "full", "^pct:150", "0", "default.jpg", OK, 0, 0, 1000, 800, 1500, 1200, NULL},
    {V3, "full", "2000,", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "full", "^2000,", "0", "default.jpg", OK, 0, 0, 1000, 800, 2000, 1600, NULL},
    {V3, "full", "^4000,", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL}, /* above maxWidth */
    {V3, "full", "^max", "0", "default.jpg", OK, 0, 0, 1000, 800, 3000, 2400, NULL},
    {V3, "full", "full", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL}, /* 2.1 only */
    {V3, "full", "0,", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "full", ",", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "full", "!500,", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "full", "pct:0", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "full", "1,", "0", "default.jpg", OK, 0, 0, 1000, 800, 1, 1, NULL},
    {V3, "0,0,1000,1", "10,", "0", "default.jpg", OK, 0, 0, 1000, 1, 10, 1,
     NULL}, /* 10 x 0.01: the thin side keeps one pixel */
    /* arithmetic that would overflow an int is refused, never wrapped */
    {V3, "full", "^pct:2147483698", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "full", "^2147483647,", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "99999999999999999999,0,10,10", "max", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    /* the rotated bounding box is what the limits (3000 x 3000 here) bound */
    {V3, "full", "^2500,", "45", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "full", "^2500,", "90", "default.jpg", OK, 0, 0, 1000, 800, 2500, 2000, NULL},
    {V3, "full", "max", "45", "default.jpg", OK, 0, 0, 1000, 800, 1000, 800, NULL},
    {V3, "full", "500,x", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "full", "^^500,", "0", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    /* sizes, 2.1 */
    {V2, "full", "full", "0", "default.jpg", OK, 0, 0, 1000, 800, 1000, 800,
     "full/full/0/default.jpg"},
    {V2, "full", "max", "0", "default.jpg", OK, 0, 0, 1000, 800, 1000, 800, NULL},
    {V2, "full", "2000,", "0", "default.jpg", OK, 0, 0, 1000, 800, 2000, 1600,
     "full/2000,/0/default.jpg"},
    {V2, "full", "500,", "0", "native.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V2, "full", "500,", "0", "gray.png", OK, 0, 0, 1000, 800, 500, 400, "full/500,/0/gray.png"},
    /* rotation */
    {V3, "full", "max", "90", "default.jpg", OK, 0, 0, 1000, 800, 1000, 800,
     "full/max/90/default.jpg"},
    {V3, "full", "max", "!180", "default.jpg", OK, 0, 0, 1000, 800, 1000, 800,
     "full/max/!180/default.jpg"},
    {V3, "full", "max", "22.5", "default.jpg", OK, 0, 0, 1000, 800, 1000, 800,
     "full/max/22.5/default.jpg"},
    {V3, "full", "max", "360", "default.jpg", OK, 0, 0, 1000, 800, 1000, 800,
     "full/max/0/default.jpg"},
    {V3, "full", "max", "361", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "full", "max", "-90", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "full", "max", "!", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "full", "max", "90.", "default.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    /* quality and format */
    {V3, "full", "max", "0", "color.png", OK, 0, 0, 1000, 800, 1000, 800, NULL},
    {V3, "full", "max", "0", "bitonal.webp", OK, 0, 0, 1000, 800, 1000, 800, NULL},
    {V3, "full", "max", "0", "gray.tif", OK, 0, 0, 1000, 800, 1000, 800, NULL},
    {V3, "full", "max", "0", "default.gif", OK, 0, 0, 1000, 800, 1000, 800, NULL},
    {V3, "full", "max", "0", "default.jp2", OK, 0, 0, 1000, 800, 1000, 800, NULL},
    {V3, "full", "max", "0", "default.pdf", NO, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "full", "max", "0", "default.bmp", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "full", "max", "0", "grey.jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "full", "max", "0", "default", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "full", "max", "0", ".jpg", BAD, 0, 0, 0, 0, 0, 0, NULL},
    {V3, "full", "max", "0", "default.", BAD, 0, 0, 0, 0, 0, 0, NULL},
};

/* 1 x N and N x 1 images: every size form a viewer uses resolves to at least 1 px a side. */
static void extreme_aspect_ratios(void **state)
{
    static const char *const sizes[] = {"max", "!1024,1024", "200,", ",200", "pct:0.5", "!100,100"};
    const struct dlcs_iiif_limits limits = {10000, 10000, 100000000};

    (void)state;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (int tall = 0; tall < 2; tall++) {
            int w = tall ? 1 : 1048577, h = tall ? 1048577 : 1;
            struct dlcs_iiif_request req;
            struct dlcs_iiif_plan p;
            struct dlcs_error err = {0};

            assert_int_equal(
                dlcs_iiif_parse(DLCS_IIIF_V3, "full", sizes[i], "0", "default.jpg", &req, &err),
                DLCS_OK);
            bool across =
                (tall && strcmp(sizes[i], "200,") == 0) || (!tall && strcmp(sizes[i], ",200") == 0);

            /* 200 px across the 1 px side is an upscale: 400 without '^'; all else resolves */
            if (dlcs_iiif_resolve(&req, w, h, &limits, &p, &err) != DLCS_OK) {
                if (!across)
                    fail_msg("%s on %d x %d: %s", sizes[i], w, h, err.message);
                continue;
            }
            if (across)
                fail_msg("%s on %d x %d: an upscale without '^' was accepted", sizes[i], w, h);
            if (p.out_w < 1 || p.out_h < 1 || p.out_w > 10000 || p.out_h > 10000)
                fail_msg("%s on %d x %d gave %d x %d", sizes[i], w, h, p.out_w, p.out_h);
        }
    }
}

static void the_whole_grammar(void **state)
{
    const struct dlcs_iiif_limits limits = {3000, 3000, 0};

    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *r = &rows[i];
        struct dlcs_iiif_request req;
        struct dlcs_iiif_plan p;
        struct dlcs_error err = {0};
        enum dlcs_status st =
            dlcs_iiif_parse(r->v, r->region, r->size, r->rotation, r->qf, &req, &err);
        char canon[160];

        if (st == DLCS_OK)
            st = dlcs_iiif_resolve(&req, 1000, 800, &limits, &p, &err);
        if (st != r->want)
            fail_msg("row %zu v%d %s/%s/%s/%s: got %d (%s), want %d", i, r->v, r->region, r->size,
                     r->rotation, r->qf, st, err.message, r->want);
        if (st != DLCS_OK) {
            assert_true(err.message[0] != '\0');
            continue;
        }
        if (r->out_h == 0) /* rows that only check success */
            continue;
        if (p.x != r->x || p.y != r->y || p.w != r->w || p.h != r->h || p.out_w != r->out_w ||
            p.out_h != r->out_h)
            fail_msg("row %zu %s/%s: got %d,%d,%d,%d -> %dx%d", i, r->region, r->size, p.x, p.y,
                     p.w, p.h, p.out_w, p.out_h);
        dlcs_iiif_canonical(&p, r->v, 1000, 800, canon, sizeof canon);
        if (r->canonical && strcmp(canon, r->canonical) != 0)
            fail_msg("row %zu: canonical '%s', want '%s'", i, canon, r->canonical);
    }
}

static void max_area_shapes_max(void **state)
{
    const struct dlcs_iiif_limits limits = {0, 0, 100000};
    struct dlcs_iiif_request req;
    struct dlcs_iiif_plan p;

    (void)state;
    assert_int_equal(dlcs_iiif_parse(V3, "full", "max", "0", "default.jpg", &req, NULL), OK);
    assert_int_equal(dlcs_iiif_resolve(&req, 1000, 800, &limits, &p, NULL), OK);
    assert_true((long)p.out_w * p.out_h <= 100000);
    assert_int_equal(p.out_w, 353);
    assert_int_equal(dlcs_iiif_parse(V3, "full", "500,", "0", "default.jpg", &req, NULL), OK);
    assert_int_equal(dlcs_iiif_resolve(&req, 1000, 800, &limits, &p, NULL), BAD);
}

static void names_and_media_types(void **state)
{
    (void)state;
    assert_string_equal(dlcs_iiif_format_mime(DLCS_FORMAT_JPG), "image/jpeg");
    assert_string_equal(dlcs_iiif_format_mime(DLCS_FORMAT_JP2), "image/jp2");
    assert_string_equal(dlcs_iiif_format_ext(DLCS_FORMAT_WEBP), "webp");
    assert_string_equal(dlcs_iiif_quality_name(DLCS_QUALITY_BITONAL), "bitonal");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_whole_grammar),
        cmocka_unit_test(extreme_aspect_ratios),
        cmocka_unit_test(max_area_shapes_max),
        cmocka_unit_test(names_and_media_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
