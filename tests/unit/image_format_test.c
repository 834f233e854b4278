/* SPDX-License-Identifier: Apache-2.0 */
/* Format sniffing and thumbnail sizes, from tables. */
#include <string.h>

#include "dlcs/image_format.h"
#include "dlcs/ingest.h"

#include "cm.h"

static void sniffing_by_magic_bytes(void **state)
{
    static const struct {
        const char *head;
        size_t len;
        enum dlcs_image_format want;
    } rows[] = {
        {"\xff\xd8\xff\xe0\0\x10JFIF", 10, DLCS_FMT_JPEG},
        {"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, DLCS_FMT_PNG},
        {"II*\0\x08\0\0\0", 8, DLCS_FMT_TIFF},
        {"MM\0*\0\0\0\x08", 8, DLCS_FMT_TIFF},
        {"II+\0\x08\0\0\0", 8, DLCS_FMT_TIFF},
        {"GIF89a\x01\0", 8, DLCS_FMT_GIF},
        {"RIFF\x10\0\0\0WEBPVP8 ", 16, DLCS_FMT_WEBP},
        {"\0\0\0\x0cjP  \r\n\x87\n", 12, DLCS_FMT_JP2},
        {"\xff\x4f\xff\x51\0\x2f", 6, DLCS_FMT_JP2},
        {"%PDF-1.7\n", 9, DLCS_FMT_PDF},
        {"\0\0\0\x18"
         "ftypheic\0\0\0\0",
         16, DLCS_FMT_HEIF},
        {"\0\0\0\x1c"
         "ftypavif\0\0\0\0",
         16, DLCS_FMT_HEIF},
        {"\0\0\0\x18"
         "ftypmp42\0\0\0\0",
         16, DLCS_FMT_UNKNOWN}, /* an MP4 video */
        {"RIFF\x10\0\0\0WAVEfmt ", 16, DLCS_FMT_UNKNOWN},
        {"<svg xmlns=", 11, DLCS_FMT_UNKNOWN}, /* never handed to the SVG loader */
        {"BM", 2, DLCS_FMT_UNKNOWN},
        {"\xff\xd8", 2, DLCS_FMT_UNKNOWN}, /* too short */
        {"", 0, DLCS_FMT_UNKNOWN},
    };

    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        enum dlcs_image_format got =
            dlcs_image_format_sniff((const unsigned char *)rows[i].head, rows[i].len);

        if (got != rows[i].want)
            fail_msg("row %zu: got %s, want %s", i, dlcs_image_format_name(got),
                     dlcs_image_format_name(rows[i].want));
    }
}

static void thumbnail_sizes(void **state)
{
    static const struct {
        const char *size;
        int ok;
        int w, h; /* for a 5000 x 2000 image; 0,0 = not made (would upscale) */
    } rows[] = {
        {"!1024,1024", 1, 1024, 410},
        {"!400,400", 1, 400, 160},
        {"2048,", 1, 2048, 819},
        {",250", 1, 625, 250},
        {"^,250", 1, 625, 250},
        {"^!1024,1024", 1, 1024, 410},
        {"300,300", 1, 300, 300},
        {"6000,", 1, 0, 0},
        {"!9000,9000", 1, 0, 0},
        {"max", 0, 0, 0},
        {"pct:50", 0, 0, 0},
        {"0,", 0, 0, 0},
        {",", 0, 0, 0},
        {"!100,", 0, 0, 0},
        {"!,100", 0, 0, 0},
        {"1024", 0, 0, 0},
        {"12345678,", 0, 0, 0},
        {"-5,", 0, 0, 0},
        {"100,x", 0, 0, 0},
        {"", 0, 0, 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct dlcs_thumb_size t;
        struct dlcs_error err = {0};
        enum dlcs_status st = dlcs_thumb_size_parse(rows[i].size, &t, &err);
        int w = 0, h = 0;
        bool made;

        if ((st == DLCS_OK) != rows[i].ok)
            fail_msg("row %zu '%s': parse gave %d (%s)", i, rows[i].size, st, err.message);
        if (!rows[i].ok) {
            assert_non_null(strstr(err.message, rows[i].size));
            continue;
        }
        made = dlcs_thumb_size_apply(&t, 5000, 2000, &w, &h);
        if (made != (rows[i].w != 0) || (made && (w != rows[i].w || h != rows[i].h)))
            fail_msg("row %zu '%s': got %d %dx%d", i, rows[i].size, made, w, h);
    }
}

static void policies_as_text_or_json(void **state)
{
    struct dlcs_thumb_size sizes[8];
    size_t n = 0;
    struct dlcs_error err = {0};

    (void)state;
    assert_int_equal(
        dlcs_thumb_policy_parse("!1024,1024 !400,400 !200,200 !100,100", sizes, 8, &n, NULL),
        DLCS_OK);
    assert_int_equal(n, 4);
    assert_int_equal(dlcs_thumb_policy_parse("[\"2048,\",\"^,250\"]", sizes, 8, &n, NULL), DLCS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(sizes[0].w, 2048);
    assert_int_equal(dlcs_thumb_policy_parse("!100,100 max", sizes, 8, &n, &err), DLCS_EINVAL);
    assert_non_null(strstr(err.message, "'max'"));
    dlcs_error_clear(&err);
    assert_int_equal(dlcs_thumb_policy_parse("1, 2, 3, 4, 5, 6, 7, 8, 9,", sizes, 8, &n, &err),
                     DLCS_EINVAL);
    assert_non_null(strstr(err.message, "at most 8"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sniffing_by_magic_bytes),
        cmocka_unit_test(thumbnail_sizes),
        cmocka_unit_test(policies_as_text_or_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
