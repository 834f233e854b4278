/* SPDX-License-Identifier: Apache-2.0 */
/* S3 addressing (path-style, virtual-hosted, key and query encoding) and reading its XML. */
#include <stdlib.h>
#include <string.h>

#include "dlcs/s3_url.h"
#include "dlcs/s3_xml.h"

#include "cm.h"

static void expect_url(const struct dlcs_s3_target *t, const char *key, const char *query,
                       const char *want)
{
    char *url = NULL;

    assert_int_equal(dlcs_s3_url(t, key, query, &url, NULL), DLCS_OK);
    assert_string_equal(url, want);
    free(url);
}

static void objects_are_addressed_path_style_or_virtual(void **state)
{
    struct dlcs_s3_target t = {"http://127.0.0.1:4569", "us-east-1", "derivatives", false};
    struct dlcs_s3_target aws = {NULL, "eu-west-2", "my.bucket", false};
    char *url = NULL;

    (void)state;
    expect_url(&t, "2/5/a b+c/image.tif", NULL,
               "http://127.0.0.1:4569/derivatives/2/5/a%20b%2Bc/image.tif");
    expect_url(&t, NULL, "list-type=2&prefix=2%2F5%2F",
               "http://127.0.0.1:4569/derivatives/?list-type=2&prefix=2%2F5%2F");
    t.virtual_style = true;
    t.endpoint = "https://localhost:9000/";
    expect_url(&t, "k", NULL, "https://derivatives.localhost:9000/k");
    expect_url(&aws, "x", NULL, "https://s3.eu-west-2.amazonaws.com/my.bucket/x");
    t.bucket = "Bad_Bucket";
    assert_int_equal(dlcs_s3_url(&t, "k", NULL, &url, NULL), DLCS_EINVAL);
    t.bucket = "ok-bucket";
    t.endpoint = "http://host/path";
    assert_int_equal(dlcs_s3_url(&t, "k", NULL, &url, NULL), DLCS_EINVAL);
    t.endpoint = "ftp://host";
    assert_int_equal(dlcs_s3_url(&t, "k", NULL, &url, NULL), DLCS_EINVAL);
    assert_null(url);
}

static void query_values_encode_every_reserved_byte(void **state)
{
    char *v = dlcs_s3_encode("a/b c+d=~_.-", false);

    (void)state;
    assert_string_equal(v, "a%2Fb%20c%2Bd%3D~_.-");
    free(v);
}

static void origins_split_into_bucket_and_key(void **state)
{
    char *bucket = NULL, *key = NULL;

    (void)state;
    assert_int_equal(dlcs_s3_split_origin("s3://my-bucket/a/b.jpg", &bucket, &key, NULL), DLCS_OK);
    assert_string_equal(bucket, "my-bucket");
    assert_string_equal(key, "a/b.jpg");
    free(bucket);
    free(key);
    assert_int_equal(dlcs_s3_split_origin("s3://my-bucket/a/../b", &bucket, &key, NULL),
                     DLCS_EINVAL);
    assert_int_equal(dlcs_s3_split_origin("s3://my-bucket/", &bucket, &key, NULL), DLCS_EINVAL);
    assert_int_equal(dlcs_s3_split_origin("s3://a@b/k", &bucket, &key, NULL), DLCS_EINVAL);
    assert_null(bucket);
}

static void xml_text_is_found_and_decoded(void **state)
{
    const char *doc = "<R><Key>a&amp;b&lt;&#x41;&#66;&quot;</Key><Key>two</Key>"
                      "<IsTruncated>false</IsTruncated></R>";
    const char *pos = NULL;
    char *k1 = dlcs_s3_xml_next(doc, "Key", &pos), *k2 = dlcs_s3_xml_next(doc, "Key", &pos);
    char *k3 = dlcs_s3_xml_next(doc, "Key", &pos), *t = dlcs_s3_xml_first(doc, "IsTruncated");
    char *esc = dlcs_s3_xml_escape("<a&\"b\">");

    (void)state;
    assert_string_equal(k1, "a&b<AB\"");
    assert_string_equal(k2, "two");
    assert_null(k3);
    assert_string_equal(t, "false");
    assert_null(dlcs_s3_xml_first(doc, "Missing"));
    assert_null(dlcs_s3_xml_first(NULL, "Key"));
    assert_string_equal(esc, "&lt;a&amp;&quot;b&quot;&gt;");
    free(k1);
    free(k2);
    free(t);
    free(esc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(objects_are_addressed_path_style_or_virtual),
        cmocka_unit_test(query_values_encode_every_reserved_byte),
        cmocka_unit_test(origins_split_into_bucket_and_key),
        cmocka_unit_test(xml_text_is_found_and_decoded),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
