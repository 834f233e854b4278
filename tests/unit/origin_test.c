/* SPDX-License-Identifier: Apache-2.0 */
/* The origin fetcher's pure parts: the address policy and the choice of credentials. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "dlcs/mem.h"
#include "dlcs/model.h"
#include "dlcs/origin.h"
#include "dlcs/s3_url.h"

#include "../../workers/src/origin_internal.h"
#include "cm.h"

static bool is_private(const char *text)
{
    struct sockaddr_storage ss;

    memset(&ss, 0, sizeof ss);
    if (strchr(text, ':')) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

        a->sin6_family = AF_INET6;
        assert_int_equal(inet_pton(AF_INET6, text, &a->sin6_addr), 1);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;

        a->sin_family = AF_INET;
        assert_int_equal(inet_pton(AF_INET, text, &a->sin_addr), 1);
    }
    return dlcs_origin_addr_is_private((const struct sockaddr *)&ss);
}

static void address_policy(void **state)
{
    static const struct {
        const char *addr;
        bool private;
    } rows[] = {
        {"127.0.0.1", true},
        {"127.9.9.9", true},
        {"10.1.2.3", true},
        {"172.16.0.1", true},
        {"172.31.255.255", true},
        {"172.32.0.1", false},
        {"192.168.1.1", true},
        {"169.254.169.254", true},
        {"100.64.0.1", true},
        {"0.0.0.0", true},
        {"224.0.0.1", true},
        {"255.255.255.255", true},
        {"8.8.8.8", false},
        {"93.184.216.34", false},
        {"::1", true},
        {"::", true},
        {"fe80::1", true},
        {"fd00::1", true},
        {"fc00::1", true},
        {"ff02::1", true},
        {"::ffff:127.0.0.1", true},
        {"::ffff:8.8.8.8", false},
        {"64:ff9b::10.0.0.1", true},
        {"::127.0.0.1", true}, /* IPv4-compatible */
        {"::169.254.169.254", true},
        {"::8.8.8.8", false},
        {"64:ff9b:1::8.8.8.8", true},  /* RFC 8215 local-use NAT64 */
        {"2002:7f00:1::", true},       /* 6to4 of 127.0.0.1 */
        {"2002:a9fe:a9fe::1", true},   /* 6to4 of 169.254.169.254 */
        {"2002:808:808::1", false},    /* 6to4 of 8.8.8.8 */
        {"2001:0:4136:e378::1", true}, /* Teredo */
        {"2001:4860:4860::8888", false},
    };

    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (is_private(rows[i].addr) != rows[i].private)
            fail_msg("%s: want private=%d", rows[i].addr, rows[i].private);
    }
}

static void strategies_first_match_by_order(void **state)
{
    struct dlcs_origin_strategy s[3];
    struct dlcs_origin_auth auth;
    struct dlcs_error err = {0};

    (void)state;
    for (int i = 0; i < 3; i++)
        dlcs_entity_init(&dlcs_origin_strategy_entity, &s[i]);
    s[0].regex = dlcs_xstrdup("^https://example\\.org/");
    s[0].strategy = dlcs_xstrdup("basic-http-authentication");
    s[0].credentials = dlcs_xstrdup("{\"user\":\"broad\",\"password\":\"p\"}");
    s[0].order = 5;
    s[1].regex = dlcs_xstrdup("^https://EXAMPLE\\.org/protected/");
    s[1].strategy = dlcs_xstrdup("basic-http-authentication");
    s[1].credentials = dlcs_xstrdup("{\"user\":\"narrow\",\"password\":\"p\"}");
    s[1].order = 1;
    s[2].regex = dlcs_xstrdup("^s3://masters/");
    s[2].strategy = dlcs_xstrdup("s3");
    s[2].credentials = dlcs_xstrdup("{\"accessKey\":\"AK\",\"secretKey\":\"SK\"}");

    assert_int_equal(dlcs_origin_auth_for("https://example.org/protected/a.tif", s, 3, &auth, NULL),
                     DLCS_OK);
    assert_string_equal(auth.user, "narrow"); /* order 1 wins; regexes ignore case */
    dlcs_origin_auth_release(&auth);
    assert_int_equal(dlcs_origin_auth_for("https://example.org/open/a.tif", s, 3, &auth, NULL),
                     DLCS_OK);
    assert_string_equal(auth.user, "broad");
    dlcs_origin_auth_release(&auth);
    assert_int_equal(dlcs_origin_auth_for("s3://masters/b/c.tif", s, 3, &auth, NULL), DLCS_OK);
    assert_string_equal(auth.strategy, "s3");
    assert_string_equal(auth.password, "SK");
    dlcs_origin_auth_release(&auth);
    assert_int_equal(dlcs_origin_auth_for("https://other.org/x", s, 3, &auth, NULL), DLCS_OK);
    assert_string_equal(auth.strategy, "default");
    assert_null(auth.user);
    dlcs_origin_auth_release(&auth);

    dlcs_str_replace(&s[1].credentials, "not json");
    assert_int_equal(dlcs_origin_auth_for("https://example.org/protected/a.tif", s, 3, &auth, &err),
                     DLCS_EINVAL);
    assert_non_null(strstr(err.message, "credentials"));
    dlcs_origin_auth_release(&auth);
    for (int i = 0; i < 3; i++)
        dlcs_entity_release(&dlcs_origin_strategy_entity, &s[i]);
}

/* The URL an s3:// origin is fetched from (shared/s3, what dlcs_origin_fetch_s3 uses). */
static enum dlcs_status origin_url(const char *origin, const char *endpoint, char **url,
                                   struct dlcs_error *err)
{
    char *bucket = NULL, *key = NULL;
    enum dlcs_status st = dlcs_s3_split_origin(origin, &bucket, &key, err);

    *url = NULL;
    if (st == DLCS_OK) {
        const struct dlcs_s3_target t = {endpoint, "eu-west-1", bucket, false};

        st = dlcs_s3_url(&t, key, NULL, url, err);
    }
    free(bucket);
    free(key);
    return st;
}

static void s3_urls_are_path_style_and_encoded(void **state)
{
    struct dlcs_error err = {0};
    char *url = NULL;

    (void)state;
    assert_int_equal(origin_url("s3://masters/books/b1 0001.tif", NULL, &url, NULL), DLCS_OK);
    assert_string_equal(url, "https://s3.eu-west-1.amazonaws.com/masters/books/b1%200001.tif");
    free(url);
    assert_int_equal(origin_url("s3://bkt/k", "http://127.0.0.1:4569", &url, NULL), DLCS_OK);
    assert_string_equal(url, "http://127.0.0.1:4569/bkt/k");
    free(url);
    assert_int_equal(origin_url("s3://bucket-only", NULL, &url, &err), DLCS_EINVAL);
    assert_non_null(strstr(err.message, "s3://bucket/key"));
    /* nothing in a bucket or key may move the signed request elsewhere */
    for (const char *const *bad =
             (const char *const[]){"s3://b?x=1/k", "s3://evil@host/k", "s3://Bucket/k", "s3://ab/k",
                                   "s3://bkt/a/../other/k", "s3://bkt//k", "s3://bkt/./k",
                                   "s3://-bkt/k", NULL};
         *bad; bad++) {
        dlcs_error_clear(&err);
        if (origin_url(*bad, NULL, &url, &err) != DLCS_EINVAL)
            fail_msg("%s was accepted as %s", *bad, url ? url : "?");
    }
}

static void transient_statuses(void **state)
{
    (void)state;
    assert_true(dlcs_status_is_transient(DLCS_EUPSTREAM));
    assert_true(dlcs_status_is_transient(DLCS_EBUSY));
    assert_true(dlcs_status_is_transient(DLCS_ETIMEOUT));
    assert_false(dlcs_status_is_transient(DLCS_ENOTFOUND));
    assert_false(dlcs_status_is_transient(DLCS_EINVAL));
    assert_false(dlcs_status_is_transient(DLCS_ETOOLARGE));
    assert_false(dlcs_status_is_transient(DLCS_EFORBIDDEN));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(address_policy),
        cmocka_unit_test(strategies_first_match_by_order),
        cmocka_unit_test(s3_urls_are_path_style_and_encoded),
        cmocka_unit_test(transient_statuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
