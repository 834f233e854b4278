/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Conversion in a child process: the parent forks and execs the dlcs binary's hidden
 * `__convert` role with rlimits, reads one JSON line of result, and kills the child at the
 * deadline. Hostile images can crash decoders; here they only crash the child.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "dlcs/clock.h"
#include "dlcs/convert.h"
#include "dlcs/mem.h"
#include "dlcs/stop.h"

#define RESULT_MAX 8192

/* AddressSanitizer reserves terabytes of shadow address space: a cap on it cannot apply there */
#if defined(__SANITIZE_ADDRESS__)
#define ADDRESS_SPACE_CAP 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ADDRESS_SPACE_CAP 0
#endif
#endif
#ifndef ADDRESS_SPACE_CAP
#define ADDRESS_SPACE_CAP 1
#endif
#define ARGV_MAX 32

struct child_argv {
    char *v[ARGV_MAX];
    int n;
};

static void arg(struct child_argv *a, char *s)
{
    DLCS_ASSERT(a->n < ARGV_MAX - 1);
    a->v[a->n++] = s;
    a->v[a->n] = NULL;
}

static char *thumbs_arg(const struct dlcs_convert_options *o)
{
    char *s = dlcs_xstrdup("");

    for (size_t i = 0; i < o->thumb_count; i++) {
        const struct dlcs_thumb_size *t = &o->thumbs[i];
        char w[16] = "", h[16] = "", *next;

        /* IIIF syntax again: an unconstrained side is empty ("200," / ",200"), never 0 */
        if (t->w > 0)
            (void)snprintf(w, sizeof w, "%d", t->w);
        if (t->h > 0)
            (void)snprintf(h, sizeof h, "%d", t->h);
        next = dlcs_xasprintf("%s%s%s%s,%s", s, i ? " " : "", t->confined ? "!" : "", w, h);

        free(s);
        s = next;
    }
    return s;
}

static void build_argv(struct child_argv *a, const char *helper, const char *src,
                       const char *out_dir, const struct dlcs_convert_options *o)
{
    a->n = 0;
    arg(a, dlcs_xstrdup(helper));
    arg(a, dlcs_xstrdup("__convert"));
    arg(a, dlcs_xstrdup(src));
    arg(a, dlcs_xstrdup(out_dir));
    arg(a, dlcs_xasprintf("%lld", (long long)o->max_pixels));
    arg(a, dlcs_xasprintf("%d", o->timeout_ms));
    arg(a, dlcs_xasprintf("%lld", (long long)o->max_memory));
    arg(a, dlcs_xasprintf("%d", o->quality));
    arg(a, dlcs_xasprintf("%d", o->thumb_quality));
    arg(a, dlcs_xasprintf("%d", o->pdf_dpi));
    arg(a, dlcs_xasprintf("%d", o->make_jp2 ? 1 : 0));
    arg(a, dlcs_xasprintf("%d", o->concurrency));
    arg(a, thumbs_arg(o));
}

static void free_argv(struct child_argv *a)
{
    for (int i = 0; i < a->n; i++)
        free(a->v[i]);
}

/* In the child between fork and exec: only async-signal-safe calls. */
static _Noreturn void exec_child(const struct child_argv *a, int out_fd, int64_t max_memory)
{
    if (ADDRESS_SPACE_CAP && max_memory > 0) {
        /* address space, not resident memory: room for the libraries and thread stacks too */
        rlim_t cap = (rlim_t)max_memory + ((rlim_t)1 << 30);
        struct rlimit rl = {cap, cap};

        setrlimit(RLIMIT_AS, &rl);
    }
    dup2(out_fd, STDOUT_FILENO);
    close(out_fd);
    execv(a->v[0], a->v);
    _exit(127);
}

/* Read the child's stdout until EOF or the deadline. Returns bytes read, -1 on timeout. */
static ssize_t read_until(int fd, char *buf, size_t cap, int64_t deadline)
{
    size_t len = 0;

    for (;;) {
        int64_t left = deadline - dlcs_time_mono_ms();
        struct pollfd p = {fd, POLLIN, 0};
        ssize_t n;

        if (left <= 0 || dlcs_stop_requested())
            return -1; /* the caller kills the child */
        if (poll(&p, 1, (int)(left > 1000 ? 1000 : left)) <= 0)
            continue;
        n = read(fd, buf + len, cap - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == cap - 1)
            break;
    }
    buf[len] = '\0';
    return (ssize_t)len;
}

static void parse_thumbs(const json_t *arr, struct dlcs_convert_result *r)
{
    const json_t *t;
    size_t i;

    json_array_foreach(arr, i, t)
    {
        if (r->thumb_count == DLCS_THUMBS_MAX)
            break;
        r->thumbs[r->thumb_count].width = (int)json_integer_value(json_array_get(t, 0));
        r->thumbs[r->thumb_count].height = (int)json_integer_value(json_array_get(t, 1));
        (void)snprintf(r->thumbs[r->thumb_count].file, sizeof r->thumbs[0].file, "thumbs/%dx%d.jpg",
                       r->thumbs[r->thumb_count].width, r->thumbs[r->thumb_count].height);
        r->thumb_count++;
    }
}

static enum dlcs_status parse_result(const char *text, struct dlcs_convert_result *r,
                                     struct dlcs_error *err)
{
    json_t *j = json_loads(text, JSON_DISABLE_EOF_CHECK, NULL);
    enum dlcs_status st;

    if (!json_is_object(j)) {
        json_decref(j);
        return dlcs_error_set(err, DLCS_EINTERNAL, "the converter gave no result");
    }
    st = (enum dlcs_status)json_integer_value(json_object_get(j, "status"));
    if (st != DLCS_OK) {
        (void)dlcs_error_set(err, st, "%s", json_string_value(json_object_get(j, "message")));
    } else {
        r->format = (enum dlcs_image_format)json_integer_value(json_object_get(j, "format"));
        r->width = (int)json_integer_value(json_object_get(j, "width"));
        r->height = (int)json_integer_value(json_object_get(j, "height"));
        r->has_jp2 = json_is_true(json_object_get(j, "jp2"));
        r->ms_decode_and_pyramid = json_number_value(json_object_get(j, "ms_pyramid"));
        r->ms_thumbs = json_number_value(json_object_get(j, "ms_thumbs"));
        r->ms_jp2 = json_number_value(json_object_get(j, "ms_jp2"));
        parse_thumbs(json_object_get(j, "thumbs"), r);
    }
    json_decref(j);
    return st;
}

static enum dlcs_status judge_exit(int status, bool timed_out, const char *text,
                                   const struct dlcs_convert_options *opt,
                                   struct dlcs_convert_result *r, struct dlcs_error *err)
{
    if (timed_out && dlcs_stop_requested()) /* transient: the job goes back to the queue */
        return dlcs_error_set(err, DLCS_EBUSY, "the conversion was stopped (shutting down)");
    if (timed_out)
        return dlcs_error_set(err, DLCS_ETOOLARGE,
                              "conversion took longer than %d ms (DLCS_INGEST_TIMEOUT_MS)",
                              opt->timeout_ms);
    if (text[0])
        return parse_result(text, r, err);
    if (WIFSIGNALED(status))
        return dlcs_error_set(err, DLCS_EINVAL,
                              "the converter died on signal %d (corrupt image, or over "
                              "DLCS_INGEST_MAX_MEMORY_MB)",
                              WTERMSIG(status));
    return dlcs_error_set(err, DLCS_EINTERNAL, "the converter exited with status %d",
                          WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

enum dlcs_status dlcs_convert_isolated(const char *helper, const char *src,
                                       const struct dlcs_convert_options *opt, const char *out_dir,
                                       struct dlcs_convert_result *r, struct dlcs_error *err)
{
    struct child_argv a;
    char *text = dlcs_xmalloc(RESULT_MAX);
    int fds[2], status = 0;
    bool timed_out = false;
    pid_t pid;
    enum dlcs_status st;

    memset(r, 0, sizeof *r);
    text[0] = '\0';
    if (pipe2(fds, O_CLOEXEC) != 0) {
        free(text);
        return dlcs_error_set(err, DLCS_EUPSTREAM, "cannot make a pipe for the converter");
    }
    build_argv(&a, helper, src, out_dir, opt);
    pid = fork();
    if (pid == 0)
        exec_child(&a, fds[1], opt->max_memory);
    close(fds[1]);
    if (pid > 0) {
        /* a little past the child's own deadline, so that it can report its own timeout */
        timed_out =
            read_until(fds[0], text, RESULT_MAX, dlcs_time_mono_ms() + opt->timeout_ms + 250) < 0;
        if (timed_out)
            kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    close(fds[0]);
    free_argv(&a);
    st = pid < 0 ? dlcs_error_set(err, DLCS_EUPSTREAM, "cannot start the converter")
                 : judge_exit(status, timed_out, text, opt, r, err);
    free(text);
    return st;
}
