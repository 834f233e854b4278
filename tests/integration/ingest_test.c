/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ingest end to end over a real loopback HTTP origin: every input format, normalisation
 * (EXIF rotation, colour, alpha, depth, grey), the derivative's structure, thumbnails, and the
 * failure cases with their classification.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <vips/vips.h>

#include "dlcs/adapters.h"
#include "dlcs/blobstore.h"
#include "dlcs/clock.h"
#include "dlcs/fs.h"
#include "dlcs/ingest.h"
#include "dlcs/mem.h"
#include "dlcs/vips_setup.h"

#include "fixtures.h"
#include "origin_server.h"

static char *scratch;  /* everything this run writes */
static char *fixtures; /* the origin's files */
static char *blob_dir;
static struct origin_server *origin;
static struct dlcs_blobstore *blobs;
static struct dlcs_ingest_settings base;
static const char *helper; /* the dlcs binary: conversions run isolated, as in production */

static void settings_for_tests(struct dlcs_ingest_settings *s)
{
    static const char *const policy[] = {"!1024,1024", "!400,400", "!200,200", "!100,100"};

    memset(s, 0, sizeof *s);
    s->origin = (struct dlcs_origin_limits){
        .max_bytes = 64 << 20,
        .connect_timeout_ms = 2000,
        .timeout_ms = 800,
        .max_redirects = 5,
        .retries = 2,
        .retry_base_ms = 20,
        .allow_private = true,
        .file_root = fixtures,
    };
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(dlcs_thumb_size_parse(policy[i], &s->thumbs[i], NULL), DLCS_OK);
    s->convert = (struct dlcs_convert_options){
        .max_pixels = 100000000,
        .timeout_ms = 60000,
        .max_memory = 2048LL << 20,
        .quality = 85,
        .thumb_quality = 90,
        .pdf_dpi = 72,
        .thumbs = s->thumbs,
        .thumb_count = 4,
    };
    s->scratch_dir = dlcs_xasprintf("%s/work", scratch);
    s->convert_helper = helper;
}

static int global_setup(void **state)
{
    struct dlcs_error err = {0};

    (void)state;
    scratch = dlcs_fs_scratch_dir(NULL, "dlcs-ingest-test-", &err);
    fixtures = dlcs_xasprintf("%s/fixtures", scratch);
    blob_dir = dlcs_xasprintf("%s/blobs", scratch);
    if (!scratch || dlcs_fs_mkdirs(fixtures, &err) != DLCS_OK || fixtures_write(fixtures) != 0)
        return -1;
    origin = origin_server_start(fixtures);
    if (!origin || dlcs_blobstore_open(blob_dir, NULL, &blobs, &err) != DLCS_OK)
        return -1;
    settings_for_tests(&base);
    return 0;
}

static int global_teardown(void **state)
{
    (void)state;
    origin_server_stop(origin);
    dlcs_blobstore_free(blobs);
    free(base.scratch_dir);
    if (dlcs_fs_remove_tree(scratch, NULL) != DLCS_OK)
        fprintf(stderr, "could not remove %s\n", scratch);
    free(scratch);
    free(fixtures);
    free(blob_dir);
    return 0;
}

static char *url(const char *path)
{
    return dlcs_xasprintf("http://127.0.0.1:%d%s", origin_server_port(origin), path);
}

/* Ingest 'path' on the origin into blob prefix 'prefix'; returns the status. */
static enum dlcs_status ingest(const struct dlcs_ingest_settings *s, const char *path,
                               const struct dlcs_origin_auth *auth, const char *prefix,
                               struct dlcs_ingest_report *rep, struct dlcs_error *err)
{
    char *u = strstr(path, "://") ? dlcs_xstrdup(path) : url(path);
    enum dlcs_status st = dlcs_ingest_one(s, u, auth, blobs, prefix, rep, err);

    free(u);
    return st;
}

static void ingest_ok(const char *path, const char *prefix, struct dlcs_ingest_report *rep)
{
    struct dlcs_error err = {0};

    if (ingest(&base, path, NULL, prefix, rep, &err) != DLCS_OK)
        fail_msg("ingest %s: %s", path, err.message);
}

/* Tags of the first IFD of a little- or big-endian classic TIFF. */
struct tiff_facts {
    unsigned tile_w, tile_h, compression, ifds;
};

static unsigned rd(const unsigned char *p, int n, int le)
{
    unsigned v = 0;

    for (int i = 0; i < n; i++)
        v |= (unsigned)p[le ? i : n - 1 - i] << (8 * i);
    return v;
}

static struct tiff_facts tiff_facts(const char *key)
{
    struct tiff_facts f = {0};
    char *path = dlcs_xasprintf("%s/%s", blob_dir, key);
    size_t len = 0;
    unsigned char *b = (unsigned char *)fixtures_read(path, &len);
    int le;
    unsigned off;

    assert_non_null(b);
    le = b[0] == 'I';
    off = rd(b + 4, 4, le);
    while (off && off + 2 < len) {
        unsigned n = rd(b + off, 2, le);

        for (unsigned i = 0; f.ifds == 0 && i < n; i++) {
            const unsigned char *e = b + off + 2 + 12 * i;
            unsigned tag = rd(e, 2, le), type = rd(e + 2, 2, le);
            unsigned val = type == 3 ? rd(e + 8, 2, le) : rd(e + 8, 4, le);

            if (tag == 322)
                f.tile_w = val;
            else if (tag == 323)
                f.tile_h = val;
            else if (tag == 259)
                f.compression = val;
        }
        f.ifds++;
        off = rd(b + off + 2 + 12 * n, 4, le);
    }
    free(b);
    free(path);
    return f;
}

/* A pixel of the derivative's full-resolution page. */
static void pixel(const char *prefix, int x, int y, double *v, int *bands)
{
    char *path = dlcs_xasprintf("%s/%s/image.tif", blob_dir, prefix);
    VipsImage *img = NULL;
    double *vec = NULL;
    int n = 0;

    assert_int_equal(vips_tiffload(path, &img, "page", 0, NULL), 0);
    assert_int_equal(vips_getpoint(img, &vec, &n, x, y, NULL), 0);
    *bands = n;
    for (int i = 0; i < n && i < 3; i++)
        v[i] = vec[i];
    g_free(vec);
    g_object_unref(img);
    free(path);
}

static void assert_red(const char *prefix, int x, int y)
{
    double v[3] = {0};
    int bands;

    pixel(prefix, x, y, v, &bands);
    assert_int_equal(bands, 3);
    if (!(v[0] > 200 && v[1] < 70 && v[2] < 70))
        fail_msg("%s at %d,%d: want red, got %.0f,%.0f,%.0f", prefix, x, y, v[0], v[1], v[2]);
}

static void assert_white(const char *prefix, int x, int y)
{
    double v[3] = {0};
    int bands;

    pixel(prefix, x, y, v, &bands);
    for (int i = 0; i < bands; i++) {
        if (v[i] < 220)
            fail_msg("%s at %d,%d: want white, got band %d = %.0f", prefix, x, y, i, v[i]);
    }
}

/* ---- the derivative ----------------------------------------------------------------------- */

static void jpeg_becomes_a_tiled_jpeg_pyramid_with_thumbnails(void **state)
{
    struct dlcs_ingest_report rep;
    struct tiff_facts f;
    void *sizes = NULL;
    size_t len = 0;

    (void)state;
    ingest_ok("/img/photo.jpg", "1/1/photo", &rep);
    assert_int_equal(rep.convert.format, DLCS_FMT_JPEG);
    assert_int_equal(rep.convert.width, 600);
    assert_int_equal(rep.convert.height, 400);
    f = tiff_facts("1/1/photo/image.tif");
    assert_int_equal(f.tile_w, 256);
    assert_int_equal(f.tile_h, 256);
    assert_int_equal(f.compression, 7); /* JPEG */
    assert_true(f.ifds >= 2);           /* a pyramid: 600x400 and smaller */
    assert_red("1/1/photo", 100, 100);
    assert_white("1/1/photo", 500, 300);
    /* 600x400 is never upscaled to 1024: three thumbnails, largest first */
    assert_int_equal(rep.convert.thumb_count, 3);
    assert_string_equal(rep.convert.thumbs[0].file, "thumbs/400x267.jpg");
    assert_string_equal(rep.convert.thumbs[2].file, "thumbs/100x67.jpg");
    assert_int_equal(dlcs_blob_get_bytes(blobs, "1/1/photo/sizes.json", 4096, &sizes, &len, NULL),
                     DLCS_OK);
    assert_string_equal(sizes,
                        "{\"width\":600,\"height\":400,\"sizes\":[{\"width\":400,\"height\":"
                        "267},{\"width\":200,\"height\":133},{\"width\":100,\"height\":67}]}");
    free(sizes);
    assert_int_equal(
        dlcs_blob_get_bytes(blobs, "1/1/photo/thumbs/200x133.jpg", 1 << 20, &sizes, &len, NULL),
        DLCS_OK);
    assert_memory_equal(sizes, "\xff\xd8\xff", 3);
    free(sizes);
    assert_true(rep.derivative_bytes > 1000);
}

static void every_format_is_read_by_content(void **state)
{
    static const struct {
        const char *file;
        enum dlcs_image_format format;
        int w, h;
        int red_x, red_y; /* a point that must be red */
    } rows[] = {
        {"photo.webp", DLCS_FMT_WEBP, 600, 400, 100, 100},
        {"photo.gif", DLCS_FMT_GIF, 600, 400, 100, 100},
        {"photo.jp2", DLCS_FMT_JP2, 600, 400, 100, 100},
        {"photo.heic", DLCS_FMT_HEIF, 600, 400, 100, 100},
        {"pages.tif", DLCS_FMT_TIFF, 400, 300, 50, 50}, /* first page only */
        {"doc.pdf", DLCS_FMT_PDF, 200, 100, 50, 50},    /* at DLCS_PDF_DPI=72 */
        {"cmyk.jpg", DLCS_FMT_JPEG, 600, 400, 100, 100},
        {"deep.png", DLCS_FMT_PNG, 600, 400, 100, 100},
        {"alpha.png", DLCS_FMT_PNG, 600, 400, 100, 100},
    };

    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct dlcs_ingest_report rep;
        char path[128], prefix[64];

        (void)snprintf(path, sizeof path, "/img/%s", rows[i].file);
        (void)snprintf(prefix, sizeof prefix, "1/2/%s", rows[i].file);
        ingest_ok(path, prefix, &rep);
        if (rep.convert.format != rows[i].format || rep.convert.width != rows[i].w ||
            rep.convert.height != rows[i].h)
            fail_msg("%s: got %s %dx%d", rows[i].file, dlcs_image_format_name(rep.convert.format),
                     rep.convert.width, rep.convert.height);
        assert_red(prefix, rows[i].red_x, rows[i].red_y);
    }
}

static void alpha_is_flattened_on_white(void **state)
{
    struct dlcs_ingest_report rep;

    (void)state;
    ingest_ok("/img/alpha.png", "1/3/alpha", &rep);
    assert_red("1/3/alpha", 100, 100);   /* opaque red stays red */
    assert_white("1/3/alpha", 450, 100); /* transparent becomes white */
}

static void grey_stays_grey(void **state)
{
    struct dlcs_ingest_report rep;
    double v[3];
    int bands = 0;

    (void)state;
    ingest_ok("/img/grey.jpg", "1/3/grey", &rep);
    pixel("1/3/grey", 100, 100, v, &bands);
    assert_int_equal(bands, 1);
}

static void exif_rotated_jpeg_comes_out_upright(void **state)
{
    struct dlcs_ingest_report rep;

    (void)state;
    ingest_ok("/img/rotated.jpg", "1/3/rotated", &rep);
    /* stored 300x200 with orientation 6: displayed 200x300, stored top-left now top-right */
    assert_int_equal(rep.convert.width, 200);
    assert_int_equal(rep.convert.height, 300);
    assert_red("1/3/rotated", 150, 75);
    assert_white("1/3/rotated", 50, 75);
    assert_white("1/3/rotated", 150, 225);
}

static void optional_jp2_derivative(void **state)
{
    struct dlcs_ingest_settings s = base;
    struct dlcs_ingest_report rep;
    struct dlcs_error err = {0};
    void *jp2 = NULL;
    size_t len = 0;

    (void)state;
    s.convert.make_jp2 = true;
    assert_int_equal(ingest(&s, "/img/small.jpg", NULL, "1/4/jp2", &rep, &err), DLCS_OK);
    assert_true(rep.convert.has_jp2);
    assert_int_equal(dlcs_blob_get_bytes(blobs, "1/4/jp2/image.jp2", 1 << 24, &jp2, &len, NULL),
                     DLCS_OK);
    assert_memory_equal((char *)jp2 + 4, "jP  ", 4);
    free(jp2);
}

/* ---- origins ------------------------------------------------------------------------------ */

static void basic_auth_strategy_right_and_wrong(void **state)
{
    struct dlcs_origin_strategy strategies[2];
    struct dlcs_origin_auth auth;
    struct dlcs_ingest_report rep;
    struct dlcs_error err = {0};
    char *u = url("/auth/small.jpg");

    (void)state;
    for (int i = 0; i < 2; i++)
        dlcs_entity_init(&dlcs_origin_strategy_entity, &strategies[i]);
    strategies[0].regex = dlcs_xstrdup("^https://elsewhere/");
    strategies[0].strategy = dlcs_xstrdup("basic-http-authentication");
    strategies[0].credentials = dlcs_xstrdup("{\"user\":\"x\",\"password\":\"y\"}");
    strategies[1].regex = dlcs_xstrdup("^http://127\\.0\\.0\\.1:[0-9]+/auth/");
    strategies[1].strategy = dlcs_xstrdup("basic-http-authentication");
    strategies[1].credentials = dlcs_xstrdup("{\"user\":\"user\",\"password\":\"secret\"}");
    assert_int_equal(dlcs_origin_auth_for(u, strategies, 2, &auth, NULL), DLCS_OK);
    assert_string_equal(auth.user, "user");
    assert_int_equal(ingest(&base, "/auth/small.jpg", &auth, "1/5/auth", &rep, &err), DLCS_OK);
    dlcs_origin_auth_release(&auth);

    dlcs_str_replace(&strategies[1].credentials, "{\"user\":\"user\",\"password\":\"wrong\"}");
    assert_int_equal(dlcs_origin_auth_for(u, strategies, 2, &auth, NULL), DLCS_OK);
    assert_int_equal(ingest(&base, "/auth/small.jpg", &auth, "1/5/auth2", &rep, &err), DLCS_EAUTH);
    assert_false(dlcs_status_is_transient(err.code));
    assert_non_null(strstr(err.message, "401"));
    assert_int_equal(rep.fetch.attempts, 1);
    dlcs_origin_auth_release(&auth);
    for (int i = 0; i < 2; i++)
        dlcs_entity_release(&dlcs_origin_strategy_entity, &strategies[i]);
    free(u);
}

static void redirects_are_followed_up_to_the_limit(void **state)
{
    struct dlcs_ingest_settings s = base;
    struct dlcs_ingest_report rep;
    struct dlcs_error err = {0};

    (void)state;
    ingest_ok("/redirect/3/small.jpg", "1/6/redirect", &rep);
    s.origin.max_redirects = 2;
    assert_int_equal(ingest(&s, "/redirect/3/small.jpg", NULL, "1/6/r2", &rep, &err), DLCS_EINVAL);
    assert_non_null(strstr(err.message, "redirects more than 2"));
}

static void not_found_is_permanent_and_not_retried(void **state)
{
    struct dlcs_ingest_report rep;
    struct dlcs_error err = {0};

    (void)state;
    assert_int_equal(ingest(&base, "/img/nothing.jpg", NULL, "1/7/nf", &rep, &err), DLCS_ENOTFOUND);
    assert_int_equal(rep.fetch.attempts, 1);
    assert_non_null(strstr(err.message, "/img/nothing.jpg"));
    assert_non_null(strstr(err.message, "404"));
}

static void server_errors_are_retried_until_success(void **state)
{
    struct dlcs_ingest_report rep;

    (void)state;
    ingest_ok("/flaky/2/small.jpg", "1/7/flaky", &rep); /* 500, 500, then the file */
    assert_int_equal(rep.fetch.attempts, 3);
    assert_int_equal(rep.convert.width, 300);
}

static void server_errors_past_the_retries_are_transient(void **state)
{
    struct dlcs_ingest_report rep;
    struct dlcs_error err = {0};

    (void)state;
    assert_int_equal(ingest(&base, "/status/503", NULL, "1/7/503", &rep, &err), DLCS_EUPSTREAM);
    assert_true(dlcs_status_is_transient(err.code));
    assert_int_equal(rep.fetch.attempts, 3);
    assert_non_null(strstr(err.message, "after 3 attempts"));
    assert_non_null(strstr(err.message, "503"));
    dlcs_error_clear(&err);
    assert_int_equal(ingest(&base, "/status/429", NULL, "1/7/429", &rep, &err), DLCS_EBUSY);
    assert_true(dlcs_status_is_transient(err.code));
}

static void slow_origin_hits_the_timeout(void **state)
{
    struct dlcs_ingest_settings s = base;
    struct dlcs_ingest_report rep;
    struct dlcs_error err = {0};
    int64_t t0 = dlcs_time_mono_ms();

    (void)state;
    s.origin.retries = 0;
    assert_int_equal(ingest(&s, "/slow/small.jpg", NULL, "1/7/slow", &rep, &err), DLCS_ETIMEOUT);
    assert_non_null(strstr(err.message, "timed out"));
    assert_true(dlcs_time_mono_ms() - t0 < 1900); /* the origin would answer after 2 s */
}

static void private_address_refused_unless_allowed(void **state)
{
    struct dlcs_ingest_settings s = base;
    struct dlcs_ingest_report rep;
    struct dlcs_error err = {0};

    (void)state;
    s.origin.allow_private = false;
    assert_int_equal(ingest(&s, "/img/small.jpg", NULL, "1/8/private", &rep, &err),
                     DLCS_EFORBIDDEN);
    assert_non_null(strstr(err.message, "127.0.0.1"));
    assert_non_null(strstr(err.message, "DLCS_ORIGIN_ALLOW_PRIVATE"));
    assert_int_equal(rep.fetch.attempts, 1);
    /* a host name that resolves to loopback is judged by its address, not its name */
    dlcs_error_clear(&err);
    {
        char *u = dlcs_xasprintf("http://localhost:%d/img/small.jpg", origin_server_port(origin));

        assert_int_equal(ingest(&s, u, NULL, "1/8/private2", &rep, &err), DLCS_EFORBIDDEN);
        free(u);
    }
}

static void file_origins_only_inside_the_root(void **state)
{
    struct dlcs_ingest_report rep;
    struct dlcs_error err = {0};
    char *inside = dlcs_xasprintf("file://%s/small.jpg", fixtures);
    char *escape = dlcs_xasprintf("file://%s/../blobs/x", fixtures);

    (void)state;
    assert_int_equal(ingest(&base, inside, NULL, "1/9/file", &rep, &err), DLCS_OK);
    assert_int_equal(ingest(&base, "file:///etc/passwd", NULL, "1/9/etc", &rep, &err),
                     DLCS_EFORBIDDEN);
    dlcs_error_clear(&err);
    assert_int_not_equal(ingest(&base, escape, NULL, "1/9/esc", &rep, &err), DLCS_OK);
    /* outside the root, a file that exists and one that does not get the same answer */
    {
        struct dlcs_error a = {0}, b = {0};

        assert_int_equal(ingest(&base, "file:///etc/hostname", NULL, "1/9/e1", &rep, &a),
                         DLCS_EFORBIDDEN);
        assert_int_equal(ingest(&base, "file:///etc/no-such-file-here", NULL, "1/9/e2", &rep, &b),
                         DLCS_EFORBIDDEN);
        assert_non_null(strstr(a.message, "outside the allowed directory"));
        assert_non_null(strstr(b.message, "outside the allowed directory"));
    }
    free(inside);
    free(escape);
}

static void origin_over_the_size_limit(void **state)
{
    struct dlcs_ingest_settings s = base;
    struct dlcs_ingest_report rep;
    struct dlcs_error err = {0};

    (void)state;
    s.origin.max_bytes = 1000;
    assert_int_equal(ingest(&s, "/img/photo.jpg", NULL, "1/9/big", &rep, &err), DLCS_ETOOLARGE);
    assert_non_null(strstr(err.message, "larger than 1000 bytes"));
}

/* ---- bad images --------------------------------------------------------------------------- */

static void bad_images_are_permanent_errors(void **state)
{
    static const struct {
        const char *file;
        enum dlcs_status status;
        const char *message;
    } rows[] = {
        {"truncated.jpg", DLCS_EINVAL, "origin '"},
        {"corrupt.jpg", DLCS_EINVAL, "origin '"},
        {"text.txt", DLCS_EINVAL, "not an image dlcs reads"},
        {"bomb.png", DLCS_ETOOLARGE, "100000 x 100000 pixels"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct dlcs_ingest_report rep;
        struct dlcs_error err = {0};
        char path[64];
        int64_t t0 = dlcs_time_mono_ms();
        enum dlcs_status st;

        (void)snprintf(path, sizeof path, "/img/%s", rows[i].file);
        st = ingest(&base, path, NULL, "1/10/bad", &rep, &err);
        if (st != rows[i].status || !strstr(err.message, rows[i].message))
            fail_msg("%s: got %d '%s'", rows[i].file, st, err.message);
        assert_false(dlcs_status_is_transient(st));
        assert_true(dlcs_time_mono_ms() - t0 < 5000); /* the bomb is refused from its header */
    }
}

static void pixel_limit_is_a_setting(void **state)
{
    struct dlcs_ingest_settings s = base;
    struct dlcs_ingest_report rep;
    struct dlcs_error err = {0};

    (void)state;
    s.convert.max_pixels = 600 * 400 - 1;
    assert_int_equal(ingest(&s, "/img/photo.jpg", NULL, "1/10/px", &rep, &err), DLCS_ETOOLARGE);
    assert_non_null(strstr(err.message, "DLCS_INGEST_MAX_PIXELS"));
}

static void conversion_time_limit(void **state)
{
    struct dlcs_ingest_settings s = base;
    struct dlcs_ingest_report rep;
    struct dlcs_error err = {0};

    (void)state;
    s.convert.timeout_ms = 1; /* past before the pyramid is half written */
    assert_int_equal(ingest(&s, "/img/photo.jpg", NULL, "1/10/time", &rep, &err), DLCS_ETOOLARGE);
    assert_non_null(strstr(err.message, "DLCS_INGEST_TIMEOUT_MS"));
}

/* ---- the command line -------------------------------------------------------------------- */

/* Run `dlcs ingest ORIGIN --out DIR` with test settings; returns the exit status, fills 'out'. */
static int run_cli(const char *origin_url, char *out, size_t cap)
{
    char *cmd = dlcs_xasprintf("DLCS_LOG_LEVEL=error DLCS_DATA_DIR='%s/cli' "
                               "DLCS_ORIGIN_FILE_ROOT='%s' DLCS_ORIGIN_ALLOW_PRIVATE=1 "
                               "DLCS_ORIGIN_RETRIES=0 '%s' ingest '%s' --out '%s/cli-out' 2>&1",
                               scratch, fixtures, helper, origin_url, scratch);
    FILE *p = popen(cmd, "r");
    size_t n = p ? fread(out, 1, cap - 1, p) : 0;
    int status = p ? pclose(p) : -1;

    out[n] = '\0';
    free(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void cli_prints_sizes_files_and_timings(void **state)
{
    char out[8192];
    char *ok = dlcs_xasprintf("file://%s/small.jpg", fixtures);
    char *bad = dlcs_xasprintf("file://%s/text.txt", fixtures);
    char *busy = url("/status/503");

    (void)state;
    if (run_cli(ok, out, sizeof out) != 0)
        fail_msg("dlcs ingest failed:\n%s", out);
    assert_non_null(strstr(out, "width    300\n"));
    assert_non_null(strstr(out, "height   200\n"));
    assert_non_null(strstr(out, "/cli-out/image.tif ("));
    assert_non_null(strstr(out, "/cli-out/thumbs/200x133.jpg"));
    assert_non_null(strstr(out, "decode+pyramid"));
    assert_int_equal(run_cli(bad, out, sizeof out), 1); /* permanent */
    assert_non_null(strstr(out, "ingest failed (permanent)"));
    assert_int_equal(run_cli(busy, out, sizeof out), 75); /* transient: try again later */
    assert_non_null(strstr(out, "ingest failed (transient)"));
    free(ok);
    free(bad);
    free(busy);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jpeg_becomes_a_tiled_jpeg_pyramid_with_thumbnails),
        cmocka_unit_test(every_format_is_read_by_content),
        cmocka_unit_test(alpha_is_flattened_on_white),
        cmocka_unit_test(grey_stays_grey),
        cmocka_unit_test(exif_rotated_jpeg_comes_out_upright),
        cmocka_unit_test(optional_jp2_derivative),
        cmocka_unit_test(basic_auth_strategy_right_and_wrong),
        cmocka_unit_test(redirects_are_followed_up_to_the_limit),
        cmocka_unit_test(not_found_is_permanent_and_not_retried),
        cmocka_unit_test(server_errors_are_retried_until_success),
        cmocka_unit_test(server_errors_past_the_retries_are_transient),
        cmocka_unit_test(slow_origin_hits_the_timeout),
        cmocka_unit_test(private_address_refused_unless_allowed),
        cmocka_unit_test(file_origins_only_inside_the_root),
        cmocka_unit_test(origin_over_the_size_limit),
        cmocka_unit_test(bad_images_are_permanent_errors),
        cmocka_unit_test(pixel_limit_is_a_setting),
        cmocka_unit_test(conversion_time_limit),
        cmocka_unit_test(cli_prints_sizes_files_and_timings),
    };
    struct dlcs_error err = {0};
    int rc;

    if (argc < 2) {
        fprintf(stderr, "usage: ingest_test PATH_TO_DLCS\n");
        return 2;
    }
    helper = argv[1];
    if (dlcs_vips_init("ingest_test", 0, 50, &err) != DLCS_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, global_setup, global_teardown);
    curl_global_cleanup();
    vips_shutdown();
    return rc;
}
