/* SPDX-License-Identifier: Apache-2.0 */
/* Start, probe and stop the real dlcs binary for integration tests. */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

static void child(const char *binary, const char *const *args, const char *const *env,
                  const struct harness_proc *p, pid_t test)
{
    char buf[512];
    const char *argv[16] = {binary};
    size_t n = 1;
    int fd;

    /* a test that fails (or crashes) before its teardown takes its servers with it */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != test)
        _exit(127);
    fd = open(p->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    if (fd >= 0) {
        dup2(fd, STDERR_FILENO);
        dup2(fd, STDOUT_FILENO);
        close(fd);
    }
    setenv("DLCS_HTTP_PORT", "0", 1);
    setenv("DLCS_HTTP_BIND", "127.0.0.1", 1);
    (void)snprintf(buf, sizeof buf, "%s/port", p->dir);
    setenv("DLCS_PORT_FILE", buf, 1);
    (void)snprintf(buf, sizeof buf, "%s/data", p->dir);
    setenv("DLCS_DATA_DIR", buf, 1);
    for (; env && *env; env++)
        putenv((char *)*env);
    for (; args && *args && n < 15; args++)
        argv[n++] = *args;
    argv[n] = NULL;
    execv(binary, (char *const *)argv);
    _exit(127);
}

static int read_port(const struct harness_proc *p)
{
    char path[300];
    FILE *f;
    int port = 0;

    (void)snprintf(path, sizeof path, "%s/port", p->dir);
    f = fopen(path, "r");
    if (!f)
        return 0;
    if (fscanf(f, "%d", &port) != 1)
        port = 0;
    fclose(f);
    return port;
}

static int wait_ready(struct harness_proc *p)
{
    struct harness_response *r = calloc(1, sizeof *r);
    int ok = -1;

    for (int i = 0; i < 100 && ok != 0; i++) {
        if (!p->port)
            p->port = read_port(p);
        if (p->port && harness_http(p, "GET", "/readyz", NULL, NULL, r) == 0 && r->status == 200)
            ok = 0;
        else if (harness_wait(p, 100) >= 0)
            break; /* it exited */
    }
    free(r);
    return ok;
}

int harness_start(const char *binary, const char *const *args, const char *const *env, int ready,
                  struct harness_proc *p)
{
    const pid_t test = getpid();

    memset(p, 0, sizeof *p);
    (void)snprintf(p->dir, sizeof p->dir, "/tmp/dlcs-it-XXXXXX");
    if (!mkdtemp(p->dir))
        return -1;
    (void)snprintf(p->log_path, sizeof p->log_path, "%s/stderr.log", p->dir);
    p->pid = fork();
    if (p->pid < 0)
        return -1;
    if (p->pid == 0)
        child(binary, args, env, p, test);
    return ready ? wait_ready(p) : 0;
}

int harness_wait(struct harness_proc *p, int ms)
{
    int status;

    for (int waited = 0; p->pid > 0; waited += 10) {
        pid_t r = waitpid(p->pid, &status, WNOHANG);

        if (r == p->pid) {
            p->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        if (waited >= ms)
            return -1;
        sleep_ms(10);
    }
    return -1;
}

int harness_stop(struct harness_proc *p)
{
    int rc;

    if (p->pid <= 0)
        return -1;
    kill(p->pid, SIGTERM);
    /* a drain bounded by DLCS_DRAIN_MS, and pools closing on a slow store, fit in this */
    rc = harness_wait(p, 15000);
    if (rc < 0) {
        kill(p->pid, SIGKILL);
        rc = harness_wait(p, 5000);
    }
    return rc;
}

static bool unclean_exit; /* a server stopped by harness_stop_clean did not exit with 0 */

bool harness_stop_clean(struct harness_proc *p)
{
    int rc = harness_stop(p);

    if (rc == 0)
        return true;
    fprintf(stderr, "harness: the dlcs process exited with status %d (128+n: signal n)\n", rc);
    harness_dump_log(p);
    unclean_exit = true;
    return false;
}

int harness_result(int rc)
{
    return rc == 0 && unclean_exit ? 1 : rc;
}

void harness_cleanup(struct harness_proc *p)
{
    char cmd[300];

    if (p->pid > 0)
        (void)harness_stop(p);
    if (p->dir[0] && strncmp(p->dir, "/tmp/dlcs-it-", 13) == 0) {
        (void)snprintf(cmd, sizeof cmd, "rm -rf '%s'", p->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", p->dir);
    }
}

size_t harness_read_log(const struct harness_proc *p, char *buf, size_t cap)
{
    FILE *f = fopen(p->log_path, "r");
    size_t n = 0;

    if (f) {
        n = fread(buf, 1, cap - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
    return n;
}

void harness_dump_log(const struct harness_proc *p)
{
    char buf[16384];

    harness_read_log(p, buf, sizeof buf);
    fprintf(stderr, "---- dlcs stderr ----\n%s---------------------\n", buf);
}

struct sink {
    char *buf;
    size_t len, cap;
};

static size_t sink_write(char *data, size_t size, size_t n, void *arg)
{
    struct sink *s = arg;
    size_t len = size * n;
    size_t room = s->cap - 1 - s->len;

    memcpy(s->buf + s->len, data, len < room ? len : room);
    s->len += len < room ? len : room;
    s->buf[s->len] = '\0';
    return len;
}

/*
 * With DLCS_SCHEMA_SAMPLES set, every JSON object answer (but health checks) is kept there
 * ("<pid>-<n>-<status>.json") for the schemas.responses test, which validates each against the
 * schema of its @type.
 */
static void keep_sample(const char *url_path, const struct harness_response *r)
{
    static int n;
    const char *dir = getenv("DLCS_SCHEMA_SAMPLES");
    char path[600];
    FILE *f;

    if (!dir || r->body_len == 0 || r->body[0] != '{' || strncmp(url_path, "/readyz", 7) == 0 ||
        strncmp(url_path, "/healthz", 8) == 0) /* operations endpoints, not API resources */
        return;
    (void)snprintf(path, sizeof path, "%s/%d-%04d-%ld.json", dir, (int)getpid(), ++n, r->status);
    f = fopen(path, "w");
    if (!f || fwrite(r->body, 1, r->body_len, f) != r->body_len || fclose(f) != 0)
        fprintf(stderr, "harness: cannot keep the answer sample %s\n", path);
}

int harness_http(const struct harness_proc *p, const char *method, const char *path,
                 const char *const *headers, const char *body, struct harness_response *r)
{
    return harness_http_bytes(p, method, path, headers, body, body ? strlen(body) : 0, r);
}

int harness_http_bytes(const struct harness_proc *p, const char *method, const char *path,
                       const char *const *headers, const void *body, size_t len,
                       struct harness_response *r)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    struct sink bs = {r->body, 0, sizeof r->body}, hs = {r->headers, 0, sizeof r->headers};
    char url[1024];
    CURLcode rc;

    r->status = 0;
    r->body[0] = r->headers[0] = '\0';
    (void)snprintf(url, sizeof url, "http://127.0.0.1:%d%s", p->port, path);
    for (; headers && *headers; headers++)
        h = curl_slist_append(h, *headers);
    /*
     * Ask before sending a body, as curl itself does above 1 MiB: a body the server refuses
     * from its head is then never sent. Without it, libcurl may still be writing when the
     * server answers early and closes (libmicrohttpd has no lingering close), and the answer
     * is lost to "Failed sending data to the peer".
     */
    if (body && len > 0)
        h = curl_slist_append(h, "Expect: 100-continue");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &bs);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, sink_write);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &hs);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    }
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        fprintf(stderr, "harness: %s %s: %s\n", method, path, curl_easy_strerror(rc));
    r->body_len = bs.len;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
        keep_sample(path, r);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return rc == CURLE_OK ? 0 : -1;
}
