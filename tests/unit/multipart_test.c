/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include "dlcs/multipart.h"

#include "cm.h"

#define CT "multipart/form-data; boundary=XyZ"

static const char two_parts[] =
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"metadata\"\r\n"
    "Content-Type: application/json\r\n"
    "\r\n"
    "{\"string1\":\"b1\"}\r\n"
    "--XyZ\r\n"
    "Content-Disposition: form-data; name=\"file\"; filename=\"page 1.jpg\"\r\n"
    "Content-Type: image/jpeg\r\n"
    "\r\n"
    "\xff\xd8\0\r\n--X\xff\xd9\r\n"
    "--XyZ--\r\n";

static void parts_are_split_with_their_headers(void **state)
{
    struct dlcs_multipart m;
    struct dlcs_error err = {0};
    const struct dlcs_part *meta, *file;

    (void)state;
    assert_int_equal(dlcs_multipart_parse(CT, two_parts, sizeof two_parts - 1, &m, &err), DLCS_OK);
    assert_int_equal(m.count, 2);
    meta = dlcs_multipart_get(&m, "metadata");
    file = dlcs_multipart_get(&m, "file");
    assert_non_null(meta);
    assert_non_null(file);
    assert_null(dlcs_multipart_get(&m, "other"));
    assert_string_equal(meta->content_type, "application/json");
    assert_int_equal(meta->len, strlen("{\"string1\":\"b1\"}"));
    assert_memory_equal(meta->data, "{\"string1\":\"b1\"}", meta->len);
    assert_string_equal(file->filename, "page 1.jpg");
    assert_string_equal(file->content_type, "image/jpeg");
    /* binary data, a NUL and a near-boundary inside the file survive */
    assert_int_equal(file->len, 10);
    assert_memory_equal(file->data, "\xff\xd8\0\r\n--X\xff\xd9", 10);
}

static void quoted_boundary_and_preamble(void **state)
{
    static const char body[] = "preamble\r\n--a b\r\n"
                               "content-disposition: form-data; name=x\r\n\r\n"
                               "1\r\n--a b--";
    struct dlcs_multipart m;
    struct dlcs_error err = {0};

    (void)state;
    assert_int_equal(dlcs_multipart_parse("multipart/form-data; boundary=\"a b\"", body,
                                          sizeof body - 1, &m, &err),
                     DLCS_OK);
    assert_int_equal(m.count, 1);
    assert_string_equal(m.parts[0].name, "x");
    assert_int_equal(m.parts[0].len, 1);
}

static void expect_invalid(const char *ct, const char *body, const char *why)
{
    struct dlcs_multipart m;
    struct dlcs_error err = {0};

    assert_int_equal(dlcs_multipart_parse(ct, body, strlen(body), &m, &err), DLCS_EINVAL);
    if (!strstr(err.message, why))
        fail_msg("'%s' does not say '%s'", err.message, why);
}

static void malformed_bodies_are_refused(void **state)
{
    (void)state;
    expect_invalid("multipart/form-data", "--XyZ--", "no boundary");
    expect_invalid(CT, "nothing here", "no boundary delimiter");
    expect_invalid(CT, "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nabc",
                   "part 1 is not closed");
    expect_invalid(CT, "--XyZ\r\nContent-Disposition: form-data\r\n\r\nabc\r\n--XyZ--",
                   "part 1 has no Content-Disposition name");
    expect_invalid(CT, "--XyZ\r\nContent-Disposition: form-data; name=a", "no end of headers");
    expect_invalid(CT, "--XyZjunk", "does not start with CRLF");
}

static void too_many_parts_are_refused(void **state)
{
    static const char one[] = "--XyZ\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nv\r\n";
    char body[4096];
    size_t n = 0;

    (void)state;
    for (int i = 0; i < DLCS_MULTIPART_MAX_PARTS + 1; i++, n += sizeof one - 1)
        memcpy(body + n, one, sizeof one - 1);
    memcpy(body + n, "--XyZ--", sizeof "--XyZ--");
    expect_invalid(CT, body, "more than 8 parts");
}

/* An empty body (NULL, 0) is an error, not undefined behaviour; any case of "boundary=". */
static void empty_bodies_and_boundary_spellings(void **state)
{
    static const char one_char[] = "--Z\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n"
                                   "abc\r\n--Z--\r\n";
    struct dlcs_multipart m;
    struct dlcs_error err = {0};

    (void)state;
    assert_int_equal(dlcs_multipart_parse(CT, NULL, 0, &m, &err), DLCS_EINVAL);
    assert_non_null(strstr(err.message, "empty"));
    dlcs_error_clear(&err);
    assert_int_equal(dlcs_multipart_parse("multipart/form-data; BOUNDARY=Z", one_char,
                                          sizeof one_char - 1, &m, &err),
                     DLCS_OK);
    assert_int_equal(m.count, 1);
    assert_int_equal(m.parts[0].len, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parts_are_split_with_their_headers),
        cmocka_unit_test(quoted_boundary_and_preamble),
        cmocka_unit_test(malformed_bodies_are_refused),
        cmocka_unit_test(too_many_parts_are_refused),
        cmocka_unit_test(empty_bodies_and_boundary_spellings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
