/* SPDX-License-Identifier: Apache-2.0 */
#include "s3_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "dlcs/fs.h"

#include "test_proc.h"

#define PYTHON      "/usr/bin/python3"
#define NODE        "/usr/bin/node"
#define FAKE_KEY    "dlcs-test-key"
#define FAKE_SECRET "dlcs-test-secret"

static int start_fake(struct s3_server *s)
{
    s->pid =
        test_proc_start((char *const[]){PYTHON, DLCS_S3_FAKE, "--access-key", FAKE_KEY,
                                        "--secret-key", FAKE_SECRET, "--bucket", s->bucket, NULL},
                        s->endpoint, sizeof s->endpoint);
    if (s->pid < 0) {
        s->pid = 0;
        return -1;
    }
    setenv("AWS_ACCESS_KEY_ID", FAKE_KEY, 1);
    setenv("AWS_SECRET_ACCESS_KEY", FAKE_SECRET, 1);
    return 0;
}

static int free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t n = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &n) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static bool port_answers(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;

    if (fd >= 0)
        close(fd);
    return ok;
}

static int start_s3rver(struct s3_server *s)
{
    char port_text[16];
    int port = free_port();
    struct stat sb;

    if (stat(DLCS_S3RVER, &sb) != 0)
        return 1;
    (void)snprintf(s->data_dir, sizeof s->data_dir, "/tmp/dlcs-s3rver-XXXXXX");
    if (port < 0 || !mkdtemp(s->data_dir))
        return -1;
    (void)snprintf(port_text, sizeof port_text, "%d", port);
    s->pid = test_proc_start((char *const[]){NODE, DLCS_S3RVER, "--silent", "-d", s->data_dir, "-a",
                                             "127.0.0.1", "-p", port_text, "--configure-bucket",
                                             s->bucket, NULL},
                             NULL, 0);
    if (s->pid < 0) {
        s->pid = 0;
        return -1;
    }
    for (int i = 0; i < 200 && !port_answers(port); i++)
        (void)usleep(50 * 1000);
    if (!port_answers(port)) {
        fprintf(stderr, "s3rver did not start on port %d\n", port);
        s3_server_stop(s);
        return -1;
    }
    (void)snprintf(s->endpoint, sizeof s->endpoint, "http://127.0.0.1:%d", port);
    setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
    return 0;
}

/* DLCS_TEST_S3_URL=s3://bucket?endpoint=...&region=...: the bucket, and a fresh prefix. */
static int start_real(struct s3_server *s)
{
    const char *url = getenv("DLCS_TEST_S3_URL");
    const char *b, *q;

    if (!url || strncmp(url, "s3://", 5) != 0)
        return 1;
    b = url + 5;
    q = strchr(b, '?');
    (void)snprintf(s->bucket, sizeof s->bucket, "%.*s", (int)(q ? q - b : (long)strlen(b)), b);
    s->bucket[strcspn(s->bucket, "/")] = '\0';
    (void)snprintf(s->query, sizeof s->query, "%s", q ? q + 1 : "");
    return 0;
}

int s3_server_start(struct s3_server *s, enum s3_kind kind, const char *bucket)
{
    int rc;

    memset(s, 0, sizeof *s);
    s->kind = kind;
    (void)snprintf(s->bucket, sizeof s->bucket, "%s", bucket);
    if (kind == S3_REAL)
        return start_real(s);
    rc = kind == S3_FAKE ? start_fake(s) : start_s3rver(s);
    if (rc == 0)
        (void)snprintf(s->query, sizeof s->query, "endpoint=%s&region=us-east-1", s->endpoint);
    return rc;
}

void s3_server_storage_url(const struct s3_server *s, const char *prefix, const char *extra,
                           char *buf, size_t len)
{
    static unsigned run;
    char fresh[64] = "";

    if (s->kind == S3_REAL) /* a shared bucket: every test under its own prefix */
        (void)snprintf(fresh, sizeof fresh, "dlcs-test-%ld-%d-%u/", (long)time(NULL), getpid(),
                       run++);
    (void)snprintf(buf, len, "s3://%s/%s%s%s%s%s%s", s->bucket, fresh, prefix,
                   s->query[0] ? "?" : "", s->query, extra && extra[0] ? "&" : "",
                   extra ? extra : "");
}

static size_t to_buffer(char *p, size_t size, size_t n, void *data)
{
    char **cursor = data; /* [0] = write position, [1] = end */

    for (size_t i = 0; i < size * n && cursor[0] + 1 < cursor[1]; i++)
        *cursor[0]++ = p[i];
    *cursor[0] = '\0';
    return size * n;
}

static bool control(const struct s3_server *s, const char *path, const char *body, char *out,
                    size_t len)
{
    char url[512], *cursor[2] = {out, out ? out + len : NULL};
    CURL *c;
    long status = 0;
    bool ok;

    if (s->kind != S3_FAKE)
        return false;
    c = curl_easy_init();
    (void)snprintf(url, sizeof url, "%s%s", s->endpoint, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    if (out) {
        out[0] = '\0';
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_buffer);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, cursor);
    }
    ok = curl_easy_perform(c) == CURLE_OK &&
         curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK && status < 300;
    curl_easy_cleanup(c);
    return ok;
}

bool s3_server_fail(const struct s3_server *s, int count, int status, const char *code,
                    const char *method)
{
    char body[256];

    (void)snprintf(body, sizeof body, "{\"count\": %d, \"status\": %d, \"code\": \"%s\"%s%s%s}",
                   count, status, code, method ? ", \"method\": \"" : "", method ? method : "",
                   method ? "\"" : "");
    return control(s, "/_fake/fail", body, NULL, 0);
}

int s3_server_count(const struct s3_server *s, const char *name)
{
    char stats[4096], pattern[80];
    const char *at;

    if (!control(s, "/_fake/stats", NULL, stats, sizeof stats))
        return -1;
    (void)snprintf(pattern, sizeof pattern, "\"%s\": ", name);
    at = strstr(stats, pattern);
    return at ? (int)strtol(at + strlen(pattern), NULL, 10) : 0;
}

bool s3_server_freeze(const struct s3_server *s, bool frozen)
{
    return test_proc_freeze(s->pid, frozen);
}

void s3_server_stop(struct s3_server *s)
{
    test_proc_stop(s->pid);
    s->pid = 0;
    if (s->data_dir[0] && dlcs_fs_remove_tree(s->data_dir, NULL) != DLCS_OK)
        fprintf(stderr, "could not remove %s\n", s->data_dir);
    s->data_dir[0] = '\0';
}
