/* SPDX-License-Identifier: Apache-2.0 */
/* The child side of isolated conversion: `dlcs __convert SRC OUT_DIR options...`. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <vips/vips.h>

#include "dlcs/convert.h"
#include "dlcs/log.h"
#include "dlcs/mem.h"
#include "dlcs/vips_setup.h"

#include "convert_internal.h"

#define CHILD_ARGS 11

/* Report a crash as a result line, with the last libvips message, then exit. The lookup of
 * that message may block if the crash held libvips' lock: alarm() bounds that. */
static void on_crash(int sig)
{
    static char line[1024];
    const char *msg;
    size_t n = 0;

    alarm(2);
    if (dlcs_convert_limit_hit) { /* a limit stopped the save, and libvips crashed unwinding it */
        n = (size_t)snprintf(line, sizeof line,
                             "{\"status\":%d,\"message\":\"conversion stopped: over "
                             "DLCS_INGEST_%s\"}\n",
                             (int)DLCS_ETOOLARGE,
                             dlcs_convert_limit_hit == 1 ? "TIMEOUT_MS" : "MAX_MEMORY_MB");
        (void)!write(STDOUT_FILENO, line, n);
        _exit(70);
    }
    msg = vips_error_buffer();
    n += (size_t)snprintf(line, sizeof line,
                          "{\"status\":%d,\"message\":\"cannot convert: ", (int)DLCS_EINVAL);
    for (; msg && *msg && n < sizeof line - 64; msg++) {
        char c = *msg;

        if (c == '"' || c == '\\')
            line[n++] = '\\';
        line[n++] = (c < 0x20) ? ' ' : c;
    }
    n += (size_t)snprintf(line + n, sizeof line - n, " (signal %d)\"}\n", sig);
    (void)!write(STDOUT_FILENO, line, n);
    _exit(70);
}

static void catch_crashes(void)
{
    static char alt[65536];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
    struct sigaction sa;
    const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

    sigaltstack(&ss, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_crash;
    sa.sa_flags = (int)(SA_ONSTACK | SA_RESETHAND);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
}

static long long num(const char *s)
{
    return strtoll(s, NULL, 10);
}

static void print_result(enum dlcs_status st, const struct dlcs_convert_result *r,
                         const struct dlcs_error *err)
{
    json_t *j = json_object();
    json_t *thumbs = json_array();
    char *text;

    json_object_set_new(j, "status", json_integer(st));
    if (st != DLCS_OK) {
        json_object_set_new(j, "message", json_string(err->message));
    } else {
        json_object_set_new(j, "format", json_integer(r->format));
        json_object_set_new(j, "width", json_integer(r->width));
        json_object_set_new(j, "height", json_integer(r->height));
        json_object_set_new(j, "jp2", json_boolean(r->has_jp2));
        json_object_set_new(j, "ms_pyramid", json_real(r->ms_decode_and_pyramid));
        json_object_set_new(j, "ms_thumbs", json_real(r->ms_thumbs));
        json_object_set_new(j, "ms_jp2", json_real(r->ms_jp2));
        for (size_t i = 0; i < r->thumb_count; i++)
            json_array_append_new(thumbs,
                                  json_pack("[ii]", r->thumbs[i].width, r->thumbs[i].height));
    }
    json_object_set_new(j, "thumbs", thumbs);
    text = json_dumps(j, JSON_COMPACT);
    if (text) {
        printf("%s\n", text);
        free(text);
    }
    fflush(stdout);
    json_decref(j);
}

int dlcs_convert_child_main(int argc, char **argv)
{
    struct dlcs_thumb_size thumbs[DLCS_THUMBS_MAX];
    struct dlcs_convert_options o = {0};
    struct dlcs_convert_result r;
    struct dlcs_error err = {0};
    enum dlcs_status st = DLCS_OK;
    char *copy, *save = NULL;

    if (argc != CHILD_ARGS) {
        fprintf(stderr, "dlcs __convert: internal role, started by ingest workers\n");
        return 2;
    }
    o = (struct dlcs_convert_options){num(argv[2]),
                                      (int)num(argv[3]),
                                      num(argv[4]),
                                      (int)num(argv[5]),
                                      (int)num(argv[6]),
                                      (int)num(argv[7]),
                                      num(argv[8]) != 0,
                                      (int)num(argv[9]),
                                      thumbs,
                                      0};
    copy = dlcs_xstrdup(argv[10]);
    for (char *t = strtok_r(copy, " ", &save);
         t && st == DLCS_OK && o.thumb_count < DLCS_THUMBS_MAX; t = strtok_r(NULL, " ", &save))
        st = dlcs_thumb_size_parse(t, &thumbs[o.thumb_count++], &err);
    free(copy);
    catch_crashes();
    dlcs_log_set_service("convert");
    dlcs_log_route_libraries();
    if (st == DLCS_OK)
        st = dlcs_vips_init("dlcs", o.concurrency, 0, &err);
    if (st == DLCS_OK)
        st = dlcs_convert(argv[0], &o, argv[1], &r, &err);
    print_result(st, &r, &err);
    return st == DLCS_OK ? 0 : 1;
}
