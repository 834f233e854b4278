/* SPDX-License-Identifier: Apache-2.0 */
/*
 * S3 signing against the AWS documentation's known answers, the "GET Object" and "PUT
 * Object" examples of Signature Version 4 (examplebucket, 20130524T000000Z, the example key):
 * Signature=f0e8bdb8... and Signature=98ad7217... The request goes to a listener of the test's own
 * on loopback (CURLOPT_CONNECT_TO), which records what arrived: the signature is the one on the
 * wire, as libcurl computed it.
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "dlcs/s3_sign.h"

#include "cm.h"

struct listener {
    int fd;
    int port;
    char request[8192];
};

static void *answer_once(void *p)
{
    struct listener *l = p;
    int c = accept(l->fd, NULL, NULL);
    size_t got = 0;
    static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

    if (c < 0)
        return NULL;
    while (got < sizeof l->request - 1 && !strstr(l->request, "\r\n\r\n")) {
        ssize_t n = read(c, l->request + got, sizeof l->request - 1 - got);

        if (n <= 0)
            break;
        got += (size_t)n;
        l->request[got] = '\0';
    }
    { /* the body too, so that closing does not reset the connection before the reply */
        const char *cl = strcasestr(l->request, "content-length:");
        const char *end = strstr(l->request, "\r\n\r\n");
        size_t want = cl ? strtoul(cl + 15, NULL, 10) : 0,
               have = end ? got - (size_t)(end + 4 - l->request) : 0;

        while (have < want && got < sizeof l->request - 1) {
            ssize_t n = read(c, l->request + got, sizeof l->request - 1 - got);

            if (n <= 0)
                break;
            got += (size_t)n;
            have += (size_t)n;
            l->request[got] = '\0';
        }
    }
    if (write(c, reply, sizeof reply - 1) < 0)
        perror("s3_sign_test: answer");
    close(c);
    return NULL;
}

static int listen_loopback(struct listener *l)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;

    memset(l, 0, sizeof *l);
    l->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(l->fd, 1) != 0 ||
        getsockname(l->fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    l->port = ntohs(a.sin_port);
    return 0;
}

/* The value of header 'name' (lower case) in the recorded request, into 'out'. */
static void header_of(const char *request, const char *name, char *out, size_t len)
{
    const char *p = request;

    out[0] = '\0';
    while ((p = strstr(p, "\r\n")) != NULL) {
        p += 2;
        if (strncasecmp(p, name, strlen(name)) == 0 && p[strlen(name)] == ':') {
            const char *v = p + strlen(name) + 1, *end = strstr(v, "\r\n");

            while (*v == ' ')
                v++;
            (void)snprintf(out, len, "%.*s", (int)(end ? end - v : (long)strlen(v)), v);
            return;
        }
    }
}

static void the_aws_get_object_example_signs_as_documented(void **state)
{
    const struct dlcs_s3_key key = {"AKIAIOSFODNN7EXAMPLE",
                                    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1"};
    struct listener l;
    struct curl_slist *headers = NULL, *route = NULL;
    char connect_to[128], auth[512], sha[128];
    pthread_t t;
    CURL *c = curl_easy_init();

    (void)state;
    assert_non_null(c);
    assert_int_equal(listen_loopback(&l), 0);
    assert_int_equal(pthread_create(&t, NULL, answer_once, &l), 0);
    (void)snprintf(connect_to, sizeof connect_to, "examplebucket.s3.amazonaws.com:80:127.0.0.1:%d",
                   l.port);
    route = curl_slist_append(route, connect_to);
    headers = curl_slist_append(headers, "Range: bytes=0-9");
    headers = curl_slist_append(headers, "x-amz-date: 20130524T000000Z"); /* the example's time */
    dlcs_s3_sign(c, &key, NULL, &headers);
    curl_easy_setopt(c, CURLOPT_URL, "http://examplebucket.s3.amazonaws.com/test.txt");
    curl_easy_setopt(c, CURLOPT_CONNECT_TO, route);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    pthread_join(t, NULL);
    header_of(l.request, "authorization", auth, sizeof auth);
    header_of(l.request, "x-amz-content-sha256", sha, sizeof sha);
    assert_string_equal(sha, DLCS_S3_EMPTY_SHA256);
    assert_non_null(strstr(auth, "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
                                 "aws4_request"));
    assert_non_null(strstr(auth, "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date"));
    assert_non_null(
        strstr(auth, "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
    curl_slist_free_all(headers);
    curl_slist_free_all(route);
    curl_easy_cleanup(c);
    close(l.fd);
}

struct body {
    const char *data;
    size_t left;
};

static size_t read_body(char *buf, size_t size, size_t n, void *p)
{
    struct body *b = p;
    size_t take = size * n < b->left ? size * n : b->left;

    memcpy(buf, b->data, take);
    b->data += take;
    b->left -= take;
    return take;
}

static void the_aws_put_object_example_signs_as_documented(void **state)
{
    const struct dlcs_s3_key key = {"AKIAIOSFODNN7EXAMPLE",
                                    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1"};
    static const char payload[] = "Welcome to Amazon S3.";
    struct body body = {payload, sizeof payload - 1};
    struct listener l;
    struct curl_slist *headers = NULL, *route = NULL;
    char connect_to[128], auth[512], sha[128];
    gchar *hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, payload, -1);
    pthread_t t;
    CURL *c = curl_easy_init();

    (void)state;
    assert_string_equal(hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    assert_int_equal(listen_loopback(&l), 0);
    assert_int_equal(pthread_create(&t, NULL, answer_once, &l), 0);
    (void)snprintf(connect_to, sizeof connect_to, "examplebucket.s3.amazonaws.com:80:127.0.0.1:%d",
                   l.port);
    route = curl_slist_append(route, connect_to);
    headers = curl_slist_append(headers, "Date: Fri, 24 May 2013 00:00:00 GMT");
    headers = curl_slist_append(headers, "x-amz-date: 20130524T000000Z");
    headers = curl_slist_append(headers, "x-amz-storage-class: REDUCED_REDUNDANCY");
    dlcs_s3_sign(c, &key, hash, &headers);
    /* libcurl signs the path as given: the key goes encoded (as dlcs_s3_encode sends it), which
     * is its canonical form; "test$file.text" raw would be signed unencoded and not match */
    curl_easy_setopt(c, CURLOPT_URL, "http://examplebucket.s3.amazonaws.com/test%24file.text");
    curl_easy_setopt(c, CURLOPT_CONNECT_TO, route);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(c, CURLOPT_READDATA, &body);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)(sizeof payload - 1));
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    pthread_join(t, NULL);
    header_of(l.request, "authorization", auth, sizeof auth);
    header_of(l.request, "x-amz-content-sha256", sha, sizeof sha);
    assert_string_equal(sha, hash);
    assert_non_null(strstr(l.request, "Welcome to Amazon S3."));
    assert_non_null(strstr(
        auth, "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class"));
    assert_non_null(
        strstr(auth, "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"));
    g_free(hash);
    curl_slist_free_all(headers);
    curl_slist_free_all(route);
    curl_easy_cleanup(c);
    close(l.fd);
}

/* Without a key the request goes unsigned (a public bucket), still with its payload hash. */
static void no_key_no_signature(void **state)
{
    const struct dlcs_s3_key none = {NULL, NULL, NULL};
    struct curl_slist *headers = NULL;
    CURL *c = curl_easy_init();

    (void)state;
    dlcs_s3_sign(c, &none, "UNSIGNED-PAYLOAD", &headers);
    assert_non_null(headers);
    assert_string_equal(headers->data, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
    assert_null(headers->next);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_aws_get_object_example_signs_as_documented),
        cmocka_unit_test(the_aws_put_object_example_signs_as_documented),
        cmocka_unit_test(no_key_no_signature),
    };
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
