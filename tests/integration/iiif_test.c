/* SPDX-License-Identifier: Apache-2.0 */
/*
 * IIIF delivery end to end: images registered and ingested through the real store and blob
 * ports, then `dlcs iiif` (the real binary) answering over HTTP. The test image has known
 * coloured quadrants, so regions, rotation, mirroring and qualities are checked pixel by pixel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <vips/vips.h>

#include "dlcs/adapters.h"
#include "dlcs/asset_blobs.h"
#include "dlcs/blobstore.h"
#include "dlcs/fs.h"
#include "dlcs/ingest.h"
#include "dlcs/mem.h"
#include "dlcs/store.h"

#include "fixtures.h"
#include "harness.h"

static const char *binary;
static char *scratch, *data_dir, *env_data;
static char *quad_prefix; /* the blob prefix of quad's served generation */
static struct harness_proc server;

/* 1200 x 800: red top-left, green top-right, blue bottom-left, white bottom-right. */
static int write_quadrants(const char *path)
{
    static const double colours[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};
    VipsImage *canvas = NULL, *q[4] = {0}, *tmp = NULL, *out = NULL;
    int rc = 0;

    vips_black(&canvas, 1200, 800, "bands", 3, NULL);
    for (int i = 0; i < 4; i++) {
        VipsImage *b = NULL, *l = NULL;
        double one[3] = {1, 1, 1};

        vips_black(&b, 600, 400, "bands", 3, NULL);
        vips_linear(b, &l, one, (double *)colours[i], 3, NULL);
        vips_cast_uchar(l, &q[i], NULL);
        g_object_unref(b);
        g_object_unref(l);
    }
    for (int i = 0; i < 4; i++) {
        rc |= vips_insert(canvas, q[i], &tmp, (i % 2) * 600, (i / 2) * 400, NULL);
        g_object_unref(canvas);
        g_object_unref(q[i]);
        canvas = tmp;
    }
    vips_copy(canvas, &out, "interpretation", VIPS_INTERPRETATION_sRGB, NULL);
    rc |= vips_image_write_to_file(out, path, NULL);
    g_object_unref(out);
    g_object_unref(canvas);
    return rc;
}

static void make_records(struct dlcs_store *store)
{
    struct dlcs_customer c;
    struct dlcs_space sp;
    struct dlcs_asset a[4];
    struct dlcs_registration reg = {a, 4, NULL, false, false, false, NULL};
    const char *ids[4] = {"quad", "restricted", "open400", "pending"};

    dlcs_entity_init(&dlcs_customer_entity, &c);
    c.name = dlcs_xstrdup("acme");
    c.display_name = dlcs_xstrdup("Acme");
    assert_int_equal(dlcs_store_insert(store, &dlcs_customer_entity, &c, NULL), DLCS_OK);
    dlcs_entity_init(&dlcs_space_entity, &sp);
    sp.customer = c.id;
    sp.name = dlcs_xstrdup("books");
    assert_int_equal(dlcs_store_insert(store, &dlcs_space_entity, &sp, NULL), DLCS_OK);
    for (int i = 0; i < 4; i++) {
        dlcs_entity_init(&dlcs_asset_entity, &a[i]);
        a[i].customer = c.id;
        a[i].space = sp.id;
        a[i].id = dlcs_xstrdup(ids[i]);
        a[i].origin = dlcs_xasprintf("file://%s/quad.jpg", scratch);
        a[i].media_type = dlcs_xstrdup("image/jpeg");
    }
    dlcs_strlist_push(&a[1].roles, "https://api.example/customers/1/roles/staff");
    a[2].max_unauthorised = 400;
    assert_int_equal(dlcs_store_register(store, &reg, NULL), DLCS_OK);
    for (int i = 0; i < 4; i++)
        dlcs_entity_release(&dlcs_asset_entity, &a[i]);
    dlcs_entity_release(&dlcs_customer_entity, &c);
    dlcs_entity_release(&dlcs_space_entity, &sp);
}

/* Ingest the quadrants for 'id' and record the completion, as a worker would. */
static void ingest_and_complete(struct dlcs_store *store, struct dlcs_blobstore *blobs,
                                const struct dlcs_ingest_settings *s, const char *id)
{
    struct dlcs_ingest_report rep;
    struct dlcs_error err = {0};
    char *origin = dlcs_xasprintf("file://%s/quad.jpg", scratch);
    struct dlcs_asset a;
    struct dlcs_ingest_result r = {1, 1, id, 0, 0, NULL, 0, 0, 0, 0, 0, NULL};
    enum dlcs_completion outcome;
    char *prefix;

    dlcs_entity_init(&dlcs_asset_entity, &a);
    a.customer = a.space = 1;
    a.id = dlcs_xstrdup(id);
    assert_int_equal(dlcs_store_get(store, &dlcs_asset_entity, &a, NULL), DLCS_OK);
    r.generation = a.generation; /* where its job writes: that generation's own set */
    prefix = dlcs_asset_blob_prefix(&a, a.generation);
    dlcs_entity_release(&dlcs_asset_entity, &a);
    if (strcmp(id, "quad") == 0)
        quad_prefix = dlcs_xstrdup(prefix);
    if (dlcs_ingest_one(s, origin, NULL, blobs, prefix, &rep, &err) != DLCS_OK)
        fail_msg("ingest: %s", err.message);
    r.width = rep.convert.width;
    r.height = rep.convert.height;
    assert_int_equal(dlcs_store_complete(store, &r, &outcome, NULL), DLCS_OK);
    assert_int_equal(outcome, DLCS_COMPLETION_RECORDED);
    free(origin);
    free(prefix);
}

static int global_setup(void **state)
{
    struct dlcs_error err = {0};
    struct dlcs_store *store = NULL;
    struct dlcs_blobstore *blobs = NULL;
    struct dlcs_ingest_settings s;
    struct dlcs_config cfg;
    char *path, *url;
    const char *const args[] = {"iiif", NULL};
    const char *env[3];

    (void)state;
    scratch = dlcs_fs_scratch_dir(NULL, "dlcs-iiif-test-", &err);
    data_dir = dlcs_xasprintf("%s/data", scratch);
    path = dlcs_xasprintf("%s/quad.jpg", scratch);
    if (!scratch || write_quadrants(path) != 0 || dlcs_fs_mkdirs(data_dir, &err) != DLCS_OK)
        return -1;
    url = dlcs_xasprintf("sqlite://%s/dlcs.db?pool=2", data_dir);
    assert_int_equal(dlcs_store_open(url, NULL, &store, &err), DLCS_OK);
    free(url);
    url = dlcs_xasprintf("%s/blobs", data_dir);
    assert_int_equal(dlcs_blobstore_open(url, NULL, &blobs, &err), DLCS_OK);
    free(url);
    make_records(store);
    assert_int_equal(dlcs_config_load(&cfg, NULL, NULL, &err), DLCS_OK);
    dlcs_str_replace(&cfg.origin_file_root, scratch);
    dlcs_str_replace(&cfg.data_dir, scratch);
    assert_int_equal(dlcs_ingest_settings_init(&s, &cfg, &err), DLCS_OK);
    s.convert_helper = binary;
    ingest_and_complete(store, blobs, &s, "quad");
    ingest_and_complete(store, blobs, &s, "restricted");
    ingest_and_complete(store, blobs, &s, "open400");
    dlcs_ingest_settings_release(&s);
    dlcs_config_release(&cfg);
    dlcs_blobstore_free(blobs);
    dlcs_store_free(store);
    free(path);
    env_data = dlcs_xasprintf("DLCS_DATA_DIR=%s", data_dir);
    env[0] = env_data;
    env[1] = "DLCS_HTTP_TRUSTED_PROXIES=127.0.0.1"; /* the test is the proxy */
    env[2] = NULL;
    if (harness_start(binary, args, env, 1, &server) != 0) {
        harness_dump_log(&server);
        return -1;
    }
    return 0;
}

static int global_teardown(void **state)
{
    bool clean = harness_stop_clean(&server);

    (void)state;
    harness_cleanup(&server);
    if (dlcs_fs_remove_tree(scratch, NULL) != DLCS_OK)
        fprintf(stderr, "could not remove %s\n", scratch);
    free(scratch);
    free(data_dir);
    free(quad_prefix);
    free(env_data);
    return clean ? 0 : -1;
}

static long get(const char *path, const char *const *headers, struct harness_response *r)
{
    assert_int_equal(harness_http(&server, "GET", path, headers, NULL, r), 0);
    return r->status;
}

/* ---- the grammar over HTTP ---------------------------------------------------------------- */

static void status_codes(void **state)
{
    static const struct {
        const char *path;
        long status;
    } rows[] = {
        {"/iiif-img/1/1/quad/full/max/0/default.jpg", 200},
        {"/iiif-img/acme/1/quad/full/max/0/default.jpg", 200}, /* customer by name */
        {"/iiif-img/v2/1/1/quad/full/full/0/default.jpg", 200},
        {"/iiif-img/v3/1/1/quad/full/full/0/default.jpg", 400}, /* full is 2.1 only */
        {"/iiif-img/1/1/quad/0,0,100,100/50,/0/default.png", 200},
        {"/iiif-img/1/1/quad/pct:0,0,50,50/max/0/gray.jpg", 200},
        {"/iiif-img/1/1/quad/full/2000,/0/default.jpg", 400}, /* above the region, no ^ */
        {"/iiif-img/1/1/quad/full/^2000,/0/default.jpg", 200},
        /* the rotated bounding box (14,142 px) is over maxWidth: refused before any work */
        {"/iiif-img/1/1/quad/full/^10000,10000/45/default.gif", 400},
        {"/iiif-img/1/1/quad/full/^pct:2147483698/0/default.jpg", 400}, /* no int overflow */
        {"/iiif-img/1/1/quad/full/,4096/0/default.jpg", 400},
        {"/iiif-img/1/1/quad/full/^20000,/0/default.jpg", 400}, /* above maxWidth */
        {"/iiif-img/1/1/quad/5000,0,10,10/max/0/default.jpg", 400},
        {"/iiif-img/1/1/quad/full/max/0/default.pdf", 501},
        {"/iiif-img/1/1/quad/full/max/0/default.bmp", 400},
        {"/iiif-img/1/1/quad/full/max/0/native.jpg", 400},
        {"/iiif-img/1/1/quad/full/max/450/default.jpg", 400},
        {"/iiif-img/1/1/quad/full/max/0", 400},
        {"/iiif-img/1/1/nothing/full/max/0/default.jpg", 404},
        {"/iiif-img/9/1/quad/full/max/0/default.jpg", 404},
        {"/iiif-img/nobody/1/quad/full/max/0/default.jpg", 404},
        {"/iiif-img/1/1/pending/full/max/0/default.jpg", 404}, /* not ingested yet */
        {"/iiif-img/1/1/nothing/info.json", 404},
        {"/iiif-img/1/1/restricted/full/max/0/default.jpg", 401},
        {"/iiif-img/1/1/restricted/info.json", 200},
        {"/iiif-img/1/1/open400/full/400,/0/default.jpg", 200}, /* maxUnauthorised 400 */
        {"/iiif-img/1/1/open400/full/600,/0/default.jpg", 401},
        {"/iiif-img/1/1/open400/0,0,100,100/max/0/default.jpg", 401},
        {"/thumbs/1/1/quad/full/200,133/0/default.jpg", 200},
        {"/thumbs/1/1/quad/full/201,134/0/default.jpg", 404},
        {"/thumbs/v2/1/1/quad/full/200,/0/default.jpg", 200},
    };
    struct harness_response *r = calloc(1, sizeof *r);

    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (get(rows[i].path, NULL, r) != rows[i].status)
            fail_msg("%s: %ld, want %ld: %.300s", rows[i].path, r->status, rows[i].status, r->body);
    }
    free(r);
}

/* ---- pixels ------------------------------------------------------------------------------- */

static VipsImage *fetch_image(const char *path)
{
    struct harness_response *r = calloc(1, sizeof *r);
    VipsImage *img;

    if (get(path, NULL, r) != 200)
        fail_msg("%s: %ld %.200s", path, r->status, r->body);
    img = vips_image_new_from_buffer(r->body, r->body_len, "", NULL);
    if (!img)
        fail_msg("%s: the body does not decode: %s", path, vips_error_buffer());
    /* the buffer must outlive lazy decoding: copy the pixels into memory now */
    {
        VipsImage *mem = vips_image_copy_memory(img);

        g_object_unref(img);
        img = mem;
    }
    free(r);
    return img;
}

static void assert_layout(const char *path, int w, int h, const char *tl_tr_bl_br)
{
    VipsImage *img = fetch_image(path);
    char got[5] = {fixtures_colour_at(img, w / 4, h / 4), fixtures_colour_at(img, 3 * w / 4, h / 4),
                   fixtures_colour_at(img, w / 4, 3 * h / 4),
                   fixtures_colour_at(img, 3 * w / 4, 3 * h / 4), 0};

    if (img->Xsize != w || img->Ysize != h || strcmp(got, tl_tr_bl_br) != 0)
        fail_msg("%s: %dx%d '%s', want %dx%d '%s'", path, img->Xsize, img->Ysize, got, w, h,
                 tl_tr_bl_br);
    g_object_unref(img);
}

static void regions_sizes_rotation_mirroring(void **state)
{
    (void)state;
    assert_layout("/iiif-img/1/1/quad/full/300,/0/default.jpg", 300, 200, "rgbw");
    assert_layout("/iiif-img/1/1/quad/0,0,600,400/60,/0/default.png", 60, 40, "rrrr");
    assert_layout("/iiif-img/1/1/quad/600,400,600,400/60,/0/default.png", 60, 40, "wwww");
    assert_layout("/iiif-img/1/1/quad/pct:50,0,50,50/60,/0/default.png", 60, 40, "gggg");
    assert_layout("/iiif-img/1/1/quad/300,200,600,400/120,/0/default.png", 120, 80, "rgbw");
    assert_layout("/iiif-img/1/1/quad/full/300,/90/default.png", 200, 300, "brwg");
    assert_layout("/iiif-img/1/1/quad/full/300,/180/default.png", 300, 200, "wbgr");
    assert_layout("/iiif-img/1/1/quad/full/300,/!0/default.png", 300, 200, "grwb");
    assert_layout("/iiif-img/1/1/quad/full/300,/!90/default.png", 200, 300,
                  "wgbr"); /* mirror, then turn */
    assert_layout("/iiif-img/1/1/quad/square/100,/0/default.png", 100, 100, "rgbw");
    assert_layout("/iiif-img/1/1/quad/full/!150,150/0/default.png", 150, 100, "rgbw");
    assert_layout("/iiif-img/1/1/quad/full/^2400,/0/default.jpg", 2400, 1600, "rgbw");
}

static void qualities(void **state)
{
    VipsImage *gray = fetch_image("/iiif-img/1/1/quad/full/120,/0/gray.png");
    VipsImage *bitonal = fetch_image("/iiif-img/1/1/quad/full/120,/0/bitonal.png");
    double *v = NULL;
    int n = 0;

    (void)state;
    assert_int_equal(gray->Bands, 1);
    assert_int_equal(fixtures_colour_at(gray, 90, 60), 'w');
    assert_int_equal(bitonal->Bands, 1);
    for (int x = 5; x < 120; x += 10) {
        assert_int_equal(vips_getpoint(bitonal, &v, &n, x, 20, NULL), 0);
        assert_true(v[0] == 0 || v[0] == 255);
        g_free(v);
    }
    assert_int_equal(fixtures_colour_at(bitonal, 100, 60), 'w');
    assert_int_equal(fixtures_colour_at(bitonal, 20, 60), 'k'); /* blue is dark */
    g_object_unref(gray);
    g_object_unref(bitonal);
}

static void every_format_decodes(void **state)
{
    static const char *const formats[] = {"jpg", "png", "webp", "tif", "gif", "jp2"};

    (void)state;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        char path[128];

        (void)snprintf(path, sizeof path, "/iiif-img/1/1/quad/full/120,/0/default.%s", formats[i]);
        assert_layout(path, 120, 80, "rgbw");
    }
}

/* ---- info.json and HTTP ------------------------------------------------------------------- */

static json_t *get_json(const char *path, const char *const *headers, char *ctype, size_t len)
{
    struct harness_response *r = calloc(1, sizeof *r);
    json_t *j;
    const char *ct;

    if (get(path, headers, r) != 200)
        fail_msg("%s: %ld", path, r->status);
    ct = strstr(r->headers, "Content-Type: ");
    (void)snprintf(ctype, len, "%.*s", ct ? (int)strcspn(ct + 14, "\r\n") : 0, ct ? ct + 14 : "");
    j = json_loads(r->body, 0, NULL);
    assert_non_null(j);
    assert_non_null(strstr(r->headers, "Access-Control-Allow-Origin: *"));
    free(r);
    return j;
}

static void info_json_v3(void **state)
{
    const char *const hdr[] = {"Host: images.example", NULL};
    char ctype[160];
    json_t *j = get_json("/iiif-img/1/1/quad/info.json", hdr, ctype, sizeof ctype);
    json_t *tiles = json_array_get(json_object_get(j, "tiles"), 0);

    (void)state;
    assert_string_equal(ctype,
                        "application/ld+json;profile=\"http://iiif.io/api/image/3/context.json\"");
    assert_string_equal(json_string_value(json_object_get(j, "@context")),
                        "http://iiif.io/api/image/3/context.json");
    assert_string_equal(json_string_value(json_object_get(j, "id")),
                        "http://images.example/iiif-img/1/1/quad");
    assert_string_equal(json_string_value(json_object_get(j, "type")), "ImageService3");
    assert_string_equal(json_string_value(json_object_get(j, "profile")), "level2");
    assert_int_equal(json_integer_value(json_object_get(j, "width")), 1200);
    assert_int_equal(json_integer_value(json_object_get(j, "height")), 800);
    /* the 4 pyramid levels (1200, 600, 300, 150 wide) and the 4 thumbnails, smallest first */
    assert_int_equal(json_array_size(json_object_get(j, "sizes")), 8);
    assert_int_equal(json_integer_value(
                         json_object_get(json_array_get(json_object_get(j, "sizes"), 0), "width")),
                     100);
    assert_int_equal(json_integer_value(
                         json_object_get(json_array_get(json_object_get(j, "sizes"), 7), "width")),
                     1200);
    assert_int_equal(json_integer_value(json_object_get(tiles, "width")), 256);
    assert_int_equal(json_array_size(json_object_get(tiles, "scaleFactors")), 4); /* 1..8 */
    assert_non_null(json_object_get(j, "maxWidth"));
    json_decref(j);
}

static bool has_size(const json_t *sizes, int w, int h)
{
    for (size_t i = 0; i < json_array_size(sizes); i++) {
        const json_t *s = json_array_get(sizes, i);

        if (json_integer_value(json_object_get(s, "width")) == w &&
            json_integer_value(json_object_get(s, "height")) == h)
            return true;
    }
    return false;
}

/*
 * OpenSeadragon <= 5 (Mirador 4) takes 'sizes' for the pyramid's levels: every level of the
 * stored pyramid (a 1200 px image, inside the 1,025-4,096 px range that was drawn wrongly)
 * must be listed, the full size included, in 3.0 and 2.1, ascending.
 */
static void info_sizes_are_the_pyramid_levels(void **state)
{
    char *tif = dlcs_xasprintf("%s/blobs/%s/image.tif", data_dir, quad_prefix);
    json_t *v3 = get_json("/iiif-img/1/1/quad/info.json", NULL, NULL, 0);
    json_t *v2 = get_json("/iiif-img/v2/1/1/quad/info.json", NULL, NULL, 0);
    VipsImage *first = vips_image_new_from_file(tif, NULL);
    int pages;

    (void)state;
    assert_non_null(first);
    pages = vips_image_get_n_pages(first);
    assert_true(pages >= 4);
    for (int page = 0; page < pages; page++) {
        VipsImage *level = vips_image_new_from_file(tif, "page", page, NULL);

        assert_non_null(level);
        if (!has_size(json_object_get(v3, "sizes"), level->Xsize, level->Ysize) ||
            !has_size(json_object_get(v2, "sizes"), level->Xsize, level->Ysize))
            fail_msg("pyramid level %d (%d x %d) is not in info.json sizes", page, level->Xsize,
                     level->Ysize);
        g_object_unref(level);
    }
    for (size_t i = 1; i < json_array_size(json_object_get(v3, "sizes")); i++)
        assert_true(json_integer_value(json_object_get(
                        json_array_get(json_object_get(v3, "sizes"), i - 1), "width")) <=
                    json_integer_value(
                        json_object_get(json_array_get(json_object_get(v3, "sizes"), i), "width")));
    g_object_unref(first);
    json_decref(v3);
    json_decref(v2);
    free(tif);
}

static void info_json_v2_by_path_and_by_accept(void **state)
{
    const char *const accept[] = {
        "Accept: application/ld+json;profile=\"http://iiif.io/api/image/2/context.json\"", NULL};
    char ctype[160];
    json_t *a = get_json("/iiif-img/v2/1/1/quad/info.json", NULL, ctype, sizeof ctype);
    json_t *b;

    (void)state;
    assert_string_equal(ctype, "application/json");
    assert_string_equal(json_string_value(json_object_get(a, "@context")),
                        "http://iiif.io/api/image/2/context.json");
    assert_non_null(strstr(json_string_value(json_object_get(a, "@id")), "/iiif-img/v2/1/1/quad"));
    assert_string_equal(json_string_value(json_array_get(json_object_get(a, "profile"), 0)),
                        "http://iiif.io/api/image/2/level2.json");
    b = get_json("/iiif-img/1/1/quad/info.json", accept, ctype, sizeof ctype);
    assert_string_equal(json_string_value(json_object_get(b, "@context")),
                        "http://iiif.io/api/image/2/context.json");
    assert_non_null(strstr(ctype, "application/ld+json"));
    json_decref(a);
    json_decref(b);
}

static void thumbs_service_is_level0(void **state)
{
    char ctype[160];
    json_t *j = get_json("/thumbs/1/1/quad/info.json", NULL, ctype, sizeof ctype);

    (void)state;
    assert_string_equal(json_string_value(json_object_get(j, "profile")), "level0");
    assert_int_equal(json_integer_value(json_object_get(j, "width")), 1024);
    assert_int_equal(json_array_size(json_object_get(j, "sizes")), 4);
    json_decref(j);
    /* Image API 3.0 requires 'max' at every level: the largest stored thumbnail */
    assert_layout("/thumbs/1/1/quad/full/max/0/default.jpg", 1024, 683, "rgbw");
}

static void base_uri_redirects_to_info(void **state)
{
    struct harness_response *r = calloc(1, sizeof *r);
    const char *const hdr[] = {"X-Forwarded-Proto: https", "X-Forwarded-Host: dlcs.example", NULL};

    (void)state;
    assert_int_equal(get("/iiif-img/1/1/quad", hdr, r), 303);
    assert_non_null(
        strstr(r->headers, "Location: https://dlcs.example/iiif-img/1/1/quad/info.json"));
    free(r);
}

static void caching_headers_and_304(void **state)
{
    struct harness_response *r = calloc(1, sizeof *r);
    char etag[128], inm[160];
    const char *e;
    const char *hdr[] = {inm, NULL};

    (void)state;
    assert_int_equal(get("/iiif-img/1/1/quad/full/100,/0/default.jpg", NULL, r), 200);
    assert_non_null(strstr(r->headers, "Cache-Control: public, max-age="));
    assert_non_null(strstr(r->headers, "Last-Modified: "));
    assert_non_null(strstr(r->headers, "rel=\"canonical\""));
    assert_non_null(strstr(r->headers, "/iiif-img/1/1/quad/full/100,67/0/default.jpg>"));
    assert_non_null(strstr(r->headers, "<http://iiif.io/api/image/3/level2.json>;rel=\"profile\""));
    e = strstr(r->headers, "ETag: ");
    assert_non_null(e);
    (void)snprintf(etag, sizeof etag, "%.*s", (int)strcspn(e + 6, "\r\n"), e + 6);
    (void)snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    assert_int_equal(get("/iiif-img/1/1/quad/full/100,/0/default.jpg", hdr, r), 304);
    assert_int_equal(r->body_len, 0);
    free(r);
}

static void options_and_head(void **state)
{
    struct harness_response *r = calloc(1, sizeof *r);

    (void)state;
    assert_int_equal(
        harness_http(&server, "OPTIONS", "/iiif-img/1/1/quad/info.json", NULL, NULL, r), 0);
    assert_int_equal(r->status, 204);
    assert_non_null(strstr(r->headers, "Access-Control-Allow-Methods: GET, HEAD, OPTIONS"));
    assert_int_equal(
        harness_http(&server, "HEAD", "/iiif-img/1/1/quad/full/100,/0/default.jpg", NULL, NULL, r),
        0);
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->headers, "Content-Type: image/jpeg"));
    assert_int_equal(r->body_len, 0);
    free(r);
}

static void stored_thumbnail_is_served_as_stored(void **state)
{
    struct harness_response *r = calloc(1, sizeof *r);
    char *path = dlcs_xasprintf("%s/blobs/%s/thumbs/400x267.jpg", data_dir, quad_prefix);
    FILE *f = fopen(path, "rb");
    char *stored = malloc(1 << 20);
    size_t n = f ? fread(stored, 1, 1 << 20, f) : 0;

    (void)state;
    assert_int_equal(get("/iiif-img/1/1/quad/full/!400,400/0/default.jpg", NULL, r), 200);
    assert_int_equal(r->body_len, n);
    assert_memory_equal(r->body, stored, n);
    if (f)
        fclose(f);
    free(stored);
    free(path);
    free(r);
}

/* Largest absolute difference between two decoded images of the same size. */
static double max_diff(VipsImage *a, VipsImage *b)
{
    VipsImage *d = NULL, *ad = NULL;
    double m = 1e9;

    assert_int_equal(a->Xsize, b->Xsize);
    assert_int_equal(a->Ysize, b->Ysize);
    if (vips_subtract(a, b, &d, NULL) == 0 && vips_abs(d, &ad, NULL) == 0)
        assert_int_equal(vips_max(ad, &m, NULL), 0);
    if (ad)
        g_object_unref(ad);
    if (d)
        g_object_unref(d);
    return m;
}

static void stored_tiles_pass_through_with_exact_sizes(void **state)
{
    static const struct {
        const char *region_size;
        int w, h;
    } rows[] = {
        {"256,256,256,256/256,", 256, 256},  /* a full tile, sent as stored */
        {"512,0,512,512/256,", 256, 256},    /* level 1 */
        {"1024,768,176,32/176,", 176, 32},   /* an edge tile, cropped losslessly */
        {"1024,512,176,256/176,", 176, 256}, /* right edge */
        {"0,0,1200,800/150,", 150, 100},     /* the top level: one tile, cut */
    };

    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char jpg[160], png[160];
        VipsImage *a, *b;

        (void)snprintf(jpg, sizeof jpg, "/iiif-img/1/1/quad/%s/0/default.jpg", rows[i].region_size);
        (void)snprintf(png, sizeof png, "/iiif-img/1/1/quad/%s/0/default.png", rows[i].region_size);
        a = fetch_image(jpg);
        b = fetch_image(png); /* rendered: decoded from the same stored tiles */
        if (a->Xsize != rows[i].w || a->Ysize != rows[i].h)
            fail_msg("%s: %dx%d", jpg, a->Xsize, a->Ysize);
        if (i + 1 < sizeof rows / sizeof rows[0] && max_diff(a, b) > 2)
            fail_msg("%s differs from its render by %.0f", jpg, max_diff(a, b));
        g_object_unref(a);
        g_object_unref(b);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_codes),
        cmocka_unit_test(regions_sizes_rotation_mirroring),
        cmocka_unit_test(qualities),
        cmocka_unit_test(every_format_decodes),
        cmocka_unit_test(info_json_v3),
        cmocka_unit_test(info_json_v2_by_path_and_by_accept),
        cmocka_unit_test(info_sizes_are_the_pyramid_levels),
        cmocka_unit_test(thumbs_service_is_level0),
        cmocka_unit_test(base_uri_redirects_to_info),
        cmocka_unit_test(caching_headers_and_304),
        cmocka_unit_test(options_and_head),
        cmocka_unit_test(stored_thumbnail_is_served_as_stored),
        cmocka_unit_test(stored_tiles_pass_through_with_exact_sizes),
    };
    int rc;

    if (argc < 2) {
        fprintf(stderr, "usage: iiif_test PATH_TO_DLCS\n");
        return 2;
    }
    binary = argv[1];
    if (VIPS_INIT(argv[0]) != 0)
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = harness_result(cmocka_run_group_tests(tests, global_setup, global_teardown));
    curl_global_cleanup();
    vips_shutdown();
    return rc;
}
