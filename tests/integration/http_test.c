/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The HTTP layer as an attacker and an odd client meet it, over raw sockets against the real
 * binary: bodies refused before they are read, memory that does not grow with an upload, one
 * Content-Length, no control characters in targets, 405 with Allow, HEAD and OPTIONS, every
 * multipart body answered, and a cap on the bodies held in memory at once.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "fixtures.h"
#include "harness.h"
#include "origin_server.h"

#define ADMIN     "aaaaaaaa:bbbbbbbbbbbbbbbb"
#define ADMIN_B64 "YWFhYWFhYWE6YmJiYmJiYmJiYmJiYmJiYg=="

static const char *binary;
static struct harness_proc server;
static char fixtures[256];

static int connect_server(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)server.port)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_true(fd >= 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void send_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

        if (n <= 0)
            return; /* the server may close after an early answer */
        p += n;
        len -= (size_t)n;
    }
}

/* Read what the server answers within 'ms' into 'buf'; the status code, or -1. */
static long read_answer(int fd, char *buf, size_t cap, int ms)
{
    size_t got = 0;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    char *end;

    buf[0] = '\0';
    while (got + 1 < cap && poll(&pfd, 1, ms) == 1) {
        ssize_t n = recv(fd, buf + got, cap - 1 - got, 0);

        if (n <= 0)
            break;
        got += (size_t)n;
        buf[got] = '\0';
        end = strstr(buf, "\r\n\r\n");
        if (end && !strstr(buf, "Content-Length:"))
            break;
        if (end && strstr(buf, "Content-Length:")) {
            size_t want = strtoul(strstr(buf, "Content-Length:") + 15, NULL, 10);

            if (got >= (size_t)(end + 4 - buf) + want)
                break;
        }
        ms = 2000;
    }
    if (strncmp(buf, "HTTP/1.", 7) != 0)
        return -1;
    return strtol(buf + 9, NULL, 10);
}

/* Send 'head' (and 'body_len' bytes of 'body') on a new connection; the answer's status. */
static long exchange(const char *head, const void *body, size_t body_len, char *answer, size_t cap)
{
    int fd = connect_server();
    long st;

    send_all(fd, head, strlen(head));
    if (body_len)
        send_all(fd, body, body_len);
    st = read_answer(fd, answer, cap, 5000);
    close(fd);
    return st;
}

static long ms_since(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* A body the route does not take, or one from no credentials, is answered before it is sent. */
static void bodies_are_refused_before_they_are_read(void **state)
{
    static const char *const heads[] = {
        "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 157286400\r\n\r\n",
        "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 700000\r\n\r\n",
        "PUT /customers/2/spaces/1/images/a HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
        "Content-Length: 157286400\r\n\r\n",
        "POST /customers HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=b\r\n"
        "Content-Length: 157286400\r\n\r\n",
        "PUT /customers/2/spaces/1/images/a HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
        "Authorization: Basic " ADMIN_B64 "\r\nContent-Length: 157286400\r\n\r\n",
    };
    static const long want[] = {405, 405, 401, 401, 413};
    char answer[8192];

    (void)state;
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        struct timespec t0;
        long st;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        st = exchange(heads[i], NULL, 0, answer, sizeof answer); /* no body sent at all */
        if (st != want[i])
            fail_msg("head %zu: %ld, want %ld (answered before the body): %s", i, st, want[i],
                     answer);
        if (ms_since(&t0) > 3000)
            fail_msg("head %zu: the answer waited for a body", i);
    }
    assert_non_null(strstr(answer, "DLCS_UPLOAD_MAX_BYTES")); /* the last one names its limit */
}

/* The server's anonymous resident memory, kB (heap and stacks, not file pages). */
static long rss_anon_kb(void)
{
    char path[64], line[256];
    long kb = -1;
    FILE *f;

    (void)snprintf(path, sizeof path, "/proc/%d/status", (int)server.pid);
    f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "RssAnon:", 8) == 0)
            kb = strtol(line + 8, NULL, 10);
    fclose(f);
    return kb;
}

/* A 24 MB authenticated upload goes to a scratch file as it arrives, not into memory. */
static void large_uploads_do_not_grow_memory(void **state)
{
    const size_t total = 24u << 20, first = 20u << 20;
    char *junk = malloc(total), head[512], answer[8192];
    long before, during, st;
    int fd;

    (void)state;
    memset(junk, 'x', total);
    (void)snprintf(head, sizeof head,
                   "PUT /customers/2/spaces/1/images/big HTTP/1.1\r\nHost: x\r\n"
                   "Content-Type: image/jpeg\r\nAuthorization: Basic " ADMIN_B64 "\r\n"
                   "Content-Length: %zu\r\n\r\n",
                   total);
    before = rss_anon_kb();
    fd = connect_server();
    send_all(fd, head, strlen(head));
    send_all(fd, junk, first);
    usleep(300 * 1000);
    during = rss_anon_kb();
    send_all(fd, junk + first, total - first);
    st = read_answer(fd, answer, sizeof answer, 30000);
    close(fd);
    free(junk);
    if (during - before > 8 * 1024)
        fail_msg("the server grew by %ld kB while receiving a 20 MB body", during - before);
    if (st < 400 || st == 413 || st == 503) /* refused as not an image, after it was stored */
        fail_msg("upload of a non-image: %ld: %s", st, answer);
}

static void framing_and_targets(void **state)
{
    char answer[8192];

    (void)state;
    assert_int_equal(exchange("POST /customers HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                              "Content-Length: 40\r\nAuthorization: Basic " ADMIN_B64 "\r\n\r\n{}",
                              NULL, 0, answer, sizeof answer),
                     400);
    assert_non_null(strstr(answer, "conflicting Content-Length"));
    assert_int_equal(exchange("PUT /customers/2/spaces/1/images/a%00b HTTP/1.1\r\nHost: x\r\n"
                              "Authorization: Basic " ADMIN_B64 "\r\nContent-Type: application/"
                              "json\r\nContent-Length: 2\r\n\r\n{}",
                              NULL, 0, answer, sizeof answer),
                     400);
    assert_non_null(strstr(answer, "control character"));
    assert_int_equal(exchange("GET /customers/2/spaces/1/images/a HTTP/1.1\r\nHost: x\r\n"
                              "Authorization: Basic " ADMIN_B64 "\r\n\r\n",
                              NULL, 0, answer, sizeof answer),
                     404); /* nothing was written as image 'a' */
    assert_int_equal(exchange("GET /iiif-img/2/1/a%1fb/info.json HTTP/1.1\r\nHost: x\r\n\r\n", NULL,
                              0, answer, sizeof answer),
                     400);
}

static void methods_head_and_options(void **state)
{
    char answer[8192];

    (void)state;
    assert_int_equal(exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", NULL, 0,
                              answer, sizeof answer),
                     405);
    assert_non_null(strstr(answer, "Allow: GET, HEAD, OPTIONS"));
    assert_int_equal(
        exchange("DELETE /customers HTTP/1.1\r\nHost: x\r\n\r\n", NULL, 0, answer, sizeof answer),
        405);
    assert_non_null(strstr(answer, "Allow: GET, HEAD, POST, OPTIONS"));
    assert_int_equal(
        exchange("HEAD /customers HTTP/1.1\r\nHost: x\r\nAuthorization: Basic " ADMIN_B64
                 "\r\n\r\n",
                 NULL, 0, answer, sizeof answer),
        200);
    assert_non_null(strstr(answer, "Content-Type: application/ld+json"));
    assert_null(strstr(answer, "\"member\"")); /* no body */
    assert_int_equal(exchange("OPTIONS /customers/2/spaces/1 HTTP/1.1\r\nHost: x\r\n\r\n", NULL, 0,
                              answer, sizeof answer),
                     204);
    assert_non_null(strstr(answer, "Allow: GET, HEAD, PUT, PATCH, DELETE, OPTIONS"));
    assert_int_equal(
        exchange("GET /nothing/here HTTP/1.1\r\nHost: x\r\n\r\n", NULL, 0, answer, sizeof answer),
        404);
}

/* An admin's JSON request; the status. */
static long admin_json(const char *method, const char *path, const char *json, char *answer,
                       size_t cap)
{
    char head[1024];

    (void)snprintf(head, sizeof head,
                   "%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   "Authorization: Basic " ADMIN_B64 "\r\nContent-Length: %zu\r\n\r\n",
                   method, path, strlen(json));
    return exchange(head, json, strlen(json), answer, cap);
}

/* Send a multipart upload with Content-Type 'ct' and body 'body'; the status. */
static long multipart(const char *id, const char *ct, const void *body, size_t len, char *answer,
                      size_t cap)
{
    char head[1024];

    (void)snprintf(head, sizeof head,
                   "PUT /customers/2/spaces/1/images/%s HTTP/1.1\r\nHost: x\r\nContent-Type: %s"
                   "\r\nAuthorization: Basic " ADMIN_B64 "\r\nContent-Length: %zu\r\n\r\n",
                   id, ct, len);
    return exchange(head, body, len, answer, cap);
}

static char *multipart_body(const char *boundary, const void *file, size_t file_len, size_t *len)
{
    char *b = malloc(file_len + 1024);
    int n = snprintf(b, 1024,
                     "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.jpg\"\r\n"
                     "Content-Type: image/jpeg\r\n\r\n",
                     boundary);
    int m;

    memcpy(b + n, file, file_len);
    m = snprintf(b + (size_t)n + file_len, 128, "\r\n--%s--\r\n", boundary);
    *len = (size_t)n + file_len + (size_t)m;
    return b;
}

static void every_multipart_body_is_answered(void **state)
{
    char path[300], answer[8192];
    size_t len, body_len;
    char *jpg, *body;

    (void)state;
    (void)snprintf(path, sizeof path, "%s/photo.jpg", fixtures);
    jpg = fixtures_read(path, &len);
    assert_non_null(jpg);
    body = multipart_body("Z", jpg, len, &body_len);
    assert_int_equal(
        multipart("m1", "multipart/form-data; BOUNDARY=Z", body, body_len, answer, sizeof answer),
        201);
    assert_int_equal(multipart("m2", "multipart/form-data;boundary=\"Z\"", body, body_len, answer,
                               sizeof answer),
                     201);
    assert_int_equal(multipart("m3", "multipart/form-data", body, body_len, answer, sizeof answer),
                     400);
    assert_non_null(strstr(answer, "boundary"));
    assert_int_equal(
        multipart("m4", "multipart/form-data; boundary=Z", "", 0, answer, sizeof answer), 400);
    assert_non_null(strstr(answer, "empty"));
    free(body);
    free(jpg);
}

/* An HTTP/1.0 GET (the answer ends at EOF); the status, the body at 'body'. */
static long get_10(const char *target, char *answer, size_t cap, const char **body)
{
    char head[2048];
    int fd = connect_server();
    size_t got = 0;
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    ssize_t n;

    (void)snprintf(head, sizeof head, "GET %s HTTP/1.0\r\nHost: x\r\n\r\n", target);
    send_all(fd, head, strlen(head));
    while (got + 1 < cap && poll(&pfd, 1, 5000) == 1 &&
           (n = recv(fd, answer + got, cap - 1 - got, 0)) > 0)
        got += (size_t)n;
    answer[got] = '\0';
    close(fd);
    *body = strstr(answer, "\r\n\r\n") ? strstr(answer, "\r\n\r\n") + 4 : "";
    return strncmp(answer, "HTTP/1.", 7) == 0 ? strtol(answer + 9, NULL, 10) : -1;
}

/* Text from the URL reaches JSON only escaped: a crafted link cannot add keys to a manifest. */
static void request_text_never_breaks_json(void **state)
{
    static const char *const targets[] = {"/iiif-resource/v2/acme/byspace/1/\"},\"evil\":\"x",
                                          "/iiif-resource/acme/byspace/1/\"},\"evil\":\"x",
                                          "/iiif-resource/v2/acme/byspace/1/<script>"};
    static char answer[1 << 20];
    const char *body;

    (void)state;
    assert_int_equal(admin_json("POST", "/customers/2/namedQueries",
                                "{\"name\":\"byspace\",\"template\":\"space=p1\"}", answer,
                                sizeof answer),
                     201);
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        json_t *m;
        const char *id;

        assert_int_equal(get_10(targets[i], answer, sizeof answer, &body), 200);
        m = json_loads(body, 0, NULL);
        if (!m)
            fail_msg("%s: the manifest is not JSON: %.300s", targets[i], body);
        assert_null(json_object_get(m, "evil"));
        id = json_string_value(json_object_get(m, i == 1 ? "id" : "@id"));
        assert_non_null(id);
        if (strpbrk(id, "\"<> "))
            fail_msg("%s: id '%s' is not a URL", targets[i], id);
        json_decref(m);
    }
}

/* X-Forwarded-* from a client that is not a configured proxy never reaches a public id. */
static void forwarded_headers_need_a_trusted_proxy(void **state)
{
    static char answer[1 << 16];
    char *body;

    (void)state;
    assert_int_equal(exchange("GET /iiif-img/2/1/m1/info.json HTTP/1.1\r\nHost: dlcs.example\r\n"
                              "X-Forwarded-Host: evil.example\r\nX-Forwarded-Proto: https\r\n\r\n",
                              NULL, 0, answer, sizeof answer),
                     200);
    body = strstr(answer, "\r\n\r\n");
    assert_non_null(body);
    assert_null(strstr(body, "evil.example"));
    assert_non_null(strstr(body, "\"http://dlcs.example/iiif-img/2/1/m1\""));
    assert_int_equal(exchange("GET /iiif-img/2/1/m1/info.json HTTP/1.1\r\nHost: a\"b\r\n\r\n", NULL,
                              0, answer, sizeof answer),
                     200);
    assert_non_null(strstr(answer, "\"http://localhost/iiif-img/2/1/m1\""));
}

/* Delivery identifiers are percent-decoded segments: %6D is 'm', %2F never splits the path. */
static void delivery_identifiers_are_decoded(void **state)
{
    static char answer[1 << 16];
    const char *body;
    json_t *info;

    (void)state;
    assert_int_equal(get_10("/iiif-img/2/1/%6D1/info.json", answer, sizeof answer, &body), 200);
    info = json_loads(body, 0, NULL);
    assert_non_null(info);
    assert_non_null(strstr(json_string_value(json_object_get(info, "id")), "/iiif-img/2/1/m1"));
    json_decref(info);
    assert_non_null(strstr(answer, "Vary: Accept"));
    assert_int_equal(
        get_10("/iiif-img/2/1/m1%2Fx/full/max/0/default.jpg", answer, sizeof answer, &body), 404);
    assert_int_equal(get_10("/thumbs/2/1/%6D1/info.json", answer, sizeof answer, &body), 200);
    assert_int_equal(exchange("POST /iiif-img/2/1/m1/info.json HTTP/1.1\r\nHost: x\r\n"
                              "Content-Length: 0\r\n\r\n",
                              NULL, 0, answer, sizeof answer),
                     405);
    assert_non_null(strstr(answer, "Allow: GET, HEAD, OPTIONS"));
}

/* A connection to the server from another loopback address (another client). */
static int connect_from(const char *source)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)server.port)};
    struct sockaddr_in from = {.sin_family = AF_INET};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    inet_pton(AF_INET, source, &from.sin_addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&from, sizeof from), 0);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

/*
 * Renders are shared between clients: while one client's costly render runs, its next one is
 * refused at once (503 + Retry-After), and another client still gets its render.
 */
static void renders_are_shared_between_clients(void **state)
{
    static const char slow[] =
        "GET /iiif-img/2/1/m1/full/^9000,/0/default.png HTTP/1.1\r\nHost: x\r\n\r\n";
    static const char again[] =
        "GET /iiif-img/2/1/m1/full/^4000,/0/default.png HTTP/1.1\r\nHost: x\r\n\r\n";
    static const char small[] =
        "GET /iiif-img/2/1/m1/full/61,/0/default.png HTTP/1.1\r\nHost: x\r\n\r\n";
    static char answer[1 << 16];
    int first = connect_server(), other;
    struct timespec pause = {0, 300 * 1000000L};

    (void)state;
    send_all(first, slow, strlen(slow));
    nanosleep(&pause, NULL); /* the 9000 x 6000 PNG takes seconds */
    assert_int_equal(exchange(again, NULL, 0, answer, sizeof answer), 503);
    assert_non_null(strstr(answer, "Retry-After: "));
    assert_non_null(strstr(answer, "this client may use"));
    other = connect_from("127.0.0.2");
    send_all(other, small, strlen(small));
    assert_int_equal(read_answer(other, answer, sizeof answer, 10000), 200);
    close(other);
    close(first);
}

/* Bodies held in memory are capped across connections: past the cap, 503 + Retry-After. */
static void buffered_bodies_are_capped(void **state)
{
    const char *head = "POST /customers HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       "Authorization: Basic " ADMIN_B64 "\r\nContent-Length: 60000\r\n\r\n";
    char answer[8192];
    int first = connect_server();
    struct pollfd pfd = {.fd = first, .events = POLLIN};

    (void)state;
    send_all(first, head, strlen(head));
    send_all(first, "{", 1);
    assert_int_equal(poll(&pfd, 1, 500), 0); /* admitted, waiting for the rest of its body */
    assert_int_equal(exchange(head, NULL, 0, answer, sizeof answer), 503);
    assert_non_null(strstr(answer, "Retry-After: "));
    close(first);
    usleep(200 * 1000); /* the first connection's reservation is released when it closes */
    assert_int_equal(exchange("POST /customers HTTP/1.1\r\nHost: x\r\nContent-Type: "
                              "application/json\r\nAuthorization: Basic " ADMIN_B64
                              "\r\nContent-Length: 2\r\n\r\n{}",
                              NULL, 0, answer, sizeof answer),
                     400); /* admitted again: {} lacks the required fields */
}

/* Customer 2 "acme" with space 1 on 'server'; false (the answer in 'answer') otherwise. */
static bool make_acme(char *answer, size_t cap)
{
    return admin_json("POST", "/customers", "{\"name\":\"acme\",\"displayName\":\"Acme\"}", answer,
                      cap) == 201 &&
           admin_json("PUT", "/customers/2/spaces/1", "{\"name\":\"one\"}", answer, cap) == 201;
}

/*
 * A customer whose immediate-ingest share is in use (a PUT stuck on an origin that never
 * answers) is told 503 from the head of its next upload: the upload's bytes never travel.
 */
static void a_busy_customers_upload_is_refused_from_its_head(void **state)
{
    const char *const args[] = {"serve", NULL};
    const char *const env[] = {"DLCS_BOOTSTRAP_ADMIN=" ADMIN,
                               "DLCS_ORIGIN_ALLOW_PRIVATE=1",
                               "DLCS_IMMEDIATE_SLOTS=2",
                               "DLCS_IMMEDIATE_SLOTS_PER_CUSTOMER=1",
                               "DLCS_WORKERS=0",
                               NULL};
    struct origin_server *origin = origin_server_start(fixtures);
    struct harness_proc busy, keep = server;
    char json[128], stuck[600], answer[8192];
    struct timespec pause = {0, 500 * 1000000L};
    int held;

    (void)state;
    assert_non_null(origin);
    assert_int_equal(harness_start(binary, args, env, 1, &busy), 0);
    server = busy; /* admin_json and exchange talk to 'server' */
    assert_true(make_acme(answer, sizeof answer));
    (void)snprintf(json, sizeof json, "{\"origin\":\"http://127.0.0.1:%d/hang/p.jpg\"}",
                   origin_server_port(origin));
    (void)snprintf(stuck, sizeof stuck,
                   "PUT /customers/2/spaces/1/images/stuck HTTP/1.1\r\nHost: x\r\n"
                   "Authorization: Basic " ADMIN_B64 "\r\nContent-Type: application/json\r\n"
                   "Content-Length: %zu\r\n\r\n%s",
                   strlen(json), json);
    held = connect_server();
    send_all(held, stuck, strlen(stuck));
    nanosleep(&pause, NULL); /* its immediate ingest holds the customer's one slot now */
    assert_int_equal(exchange("PUT /customers/2/spaces/1/images/big HTTP/1.1\r\nHost: x\r\n"
                              "Authorization: Basic " ADMIN_B64 "\r\nContent-Type: image/jpeg\r\n"
                              "Content-Length: 50000000\r\n\r\n",
                              NULL, 0, answer, sizeof answer),
                     503);
    assert_non_null(strstr(answer, "Retry-After: "));
    assert_non_null(strstr(answer, "immediate-ingest slot"));
    close(held);
    server = keep;
    assert_true(harness_stop_clean(&busy)); /* the stuck fetch is interrupted */
    harness_cleanup(&busy);
    origin_server_stop(origin);
}

/* Start a second server, with workers, for the shutdown test; its port into *p. */
static int start_worker_server(struct harness_proc *p)
{
    const char *const args[] = {"serve", NULL};
    const char *const env[] = {
        "DLCS_BOOTSTRAP_ADMIN=" ADMIN,  "DLCS_ORIGIN_ALLOW_PRIVATE=1", "DLCS_WORKERS=1",
        "DLCS_WORKER_ID=shutdown-test", "DLCS_DRAIN_MS=1000",          NULL};

    return harness_start(binary, args, env, 1, p);
}

/*
 * SIGTERM while an origin never answers: past the drain bound (DLCS_DRAIN_MS, 1 s here) the
 * fetch is given up within a second, the process exits cleanly in bounded time, and the job
 * goes back to the queue (no error is recorded).
 */
static void sigterm_interrupts_a_stuck_fetch(void **state)
{
    struct harness_proc w;
    struct origin_server *origin = origin_server_start(fixtures);
    struct harness_proc keep = server;
    char body[512], answer[8192];
    struct timespec t0, pause = {1, 0};
    int rc;

    (void)state;
    assert_non_null(origin);
    assert_int_equal(start_worker_server(&w), 0);
    server = w; /* admin_json talks to 'server' */
    assert_true(make_acme(answer, sizeof answer));
    (void)snprintf(body, sizeof body,
                   "{\"member\":[{\"space\":1,\"id\":\"stuck\",\"origin\":"
                   "\"http://127.0.0.1:%d/hang/photo.jpg\"}]}",
                   origin_server_port(origin));
    assert_int_equal(admin_json("POST", "/customers/2/queue", body, answer, sizeof answer), 201);
    nanosleep(&pause, NULL); /* the worker is inside the fetch now */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    kill(w.pid, SIGTERM);
    rc = harness_wait(&w, 10000);
    if (rc != 0 || ms_since(&t0) > 5000) {
        harness_dump_log(&w);
        fail_msg("SIGTERM during a fetch: exit %d after %ld ms", rc, ms_since(&t0));
    }
    /* restarted on the same data: the image is still waiting for its ingest, with no error */
    {
        const char *const args[] = {"serve", NULL};
        char data_env[400];
        const char *const env[] = {"DLCS_BOOTSTRAP_ADMIN=" ADMIN, "DLCS_WORKERS=0", data_env, NULL};
        struct harness_proc again;

        (void)snprintf(data_env, sizeof data_env, "DLCS_DATA_DIR=%s/data", w.dir);
        assert_int_equal(harness_start(binary, args, env, 1, &again), 0);
        server = again;
        assert_int_equal(exchange("GET /customers/2/spaces/1/images/stuck HTTP/1.1\r\nHost: x\r\n"
                                  "Authorization: Basic " ADMIN_B64 "\r\n\r\n",
                                  NULL, 0, answer, sizeof answer),
                         200);
        assert_non_null(strstr(answer, "\"ingesting\":true"));
        assert_null(strstr(answer, "shutting down"));
        assert_true(harness_stop_clean(&again));
        harness_cleanup(&again);
    }
    server = keep;
    harness_cleanup(&w);
    origin_server_stop(origin);
}

static int global_setup(void **state)
{
    const char *const args[] = {"serve", NULL};
    const char *const env[] = {"DLCS_BOOTSTRAP_ADMIN=" ADMIN,
                               "DLCS_HTTP_MAX_BODY=65536",
                               "DLCS_IIIF_RENDER_SLOTS=2",
                               "DLCS_IIIF_RENDER_SLOTS_PER_CLIENT=1",
                               "DLCS_HTTP_MAX_BUFFERED=100000",
                               "DLCS_UPLOAD_MAX_BYTES=67108864",
                               "DLCS_WORKERS=0",
                               NULL};
    char answer[8192];

    (void)state;
    (void)snprintf(fixtures, sizeof fixtures, "/tmp/dlcs-http-fixtures-XXXXXX");
    if (!mkdtemp(fixtures) || fixtures_write(fixtures) != 0)
        return -1;
    if (harness_start(binary, args, env, 1, &server) != 0) {
        harness_dump_log(&server);
        return -1;
    }
    if (!make_acme(answer, sizeof answer)) {
        fprintf(stderr, "setup: %s\n", answer);
        return -1;
    }
    return 0;
}

static int global_teardown(void **state)
{
    char cmd[300];
    bool clean = harness_stop_clean(&server);

    (void)state;
    harness_cleanup(&server);
    (void)snprintf(cmd, sizeof cmd, "rm -rf '%s'", fixtures);
    (void)!system(cmd);
    return clean ? 0 : -1;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bodies_are_refused_before_they_are_read),
        cmocka_unit_test(a_busy_customers_upload_is_refused_from_its_head),
        cmocka_unit_test(large_uploads_do_not_grow_memory),
        cmocka_unit_test(framing_and_targets),
        cmocka_unit_test(methods_head_and_options),
        cmocka_unit_test(every_multipart_body_is_answered),
        cmocka_unit_test(request_text_never_breaks_json),
        cmocka_unit_test(delivery_identifiers_are_decoded),
        cmocka_unit_test(forwarded_headers_need_a_trusted_proxy),
        cmocka_unit_test(buffered_bodies_are_capped),
        cmocka_unit_test(renders_are_shared_between_clients),
        cmocka_unit_test(sigterm_interrupts_a_stuck_fetch),
    };

    if (argc != 2) {
        fprintf(stderr, "usage: %s DLCS_BINARY\n", argv[0]);
        return 2;
    }
    binary = argv[1];
    return harness_result(cmocka_run_group_tests(tests, global_setup, global_teardown));
}
