/* SPDX-License-Identifier: Apache-2.0 */
/* `dlcs serve` as a user runs it: help, start, logs, HTTP answers, clean stop, bad config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "harness.h"

static const char *binary;

static void help_lists_the_roles(void **state)
{
    const char *const args[] = {"--help", NULL};
    struct harness_proc p;
    char log[8192];

    (void)state;
    assert_int_equal(harness_start(binary, args, NULL, 0, &p), 0);
    assert_int_equal(harness_wait(&p, 5000), 0);
    harness_read_log(&p, log, sizeof log);
    for (const char *const *r = (const char *const[]){"serve", "api", "worker", "iiif", "ingest",
                                                      "DLCS_HTTP_PORT", "DLCS_DATA_DIR", NULL};
         *r; r++) {
        if (!strstr(log, *r))
            fail_msg("--help does not mention '%s':\n%s", *r, log);
    }
    harness_cleanup(&p);
}

static json_t *get_json(const struct harness_proc *p, const char *path, const char *const *headers,
                        long expect_status)
{
    struct harness_response *r = calloc(1, sizeof *r);
    json_t *j;

    assert_int_equal(harness_http(p, "GET", path, headers, NULL, r), 0);
    if (r->status != expect_status)
        fail_msg("GET %s: %ld, want %ld: %s", path, r->status, expect_status, r->body);
    j = json_loads(r->body, 0, NULL);
    assert_non_null(j);
    free(r);
    return j;
}

static void serve_starts_answers_and_stops_cleanly(void **state)
{
    const char *const args[] = {"serve", NULL};
    const char *const hdr[] = {"Host: dlcs.example:8080", NULL};
    struct harness_proc p;
    char log[16384], expect[128];
    json_t *j;

    (void)state;
    if (harness_start(binary, args, NULL, 1, &p) != 0) {
        harness_dump_log(&p);
        fail_msg("dlcs serve did not become ready");
    }
    harness_read_log(&p, log, sizeof log);
    (void)snprintf(expect, sizeof expect,
                   " level=info svc=serve msg=\"listening\" addr=127.0.0.1 port=%d ", p.port);
    if (!strstr(log, expect))
        fail_msg("no logfmt listening line '%s' in:\n%s", expect, log);

    j = get_json(&p, "/healthz", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
    json_decref(j);

    j = get_json(&p, "/", hdr, 200);
    assert_string_equal(json_string_value(json_object_get(j, "@type")), "vocab:EntryPoint");
    assert_string_equal(json_string_value(json_object_get(j, "@id")), "http://dlcs.example:8080/");
    assert_string_equal(json_string_value(json_object_get(j, "customers")),
                        "http://dlcs.example:8080/customers");
    json_decref(j);

    j = get_json(&p, "/no/such/thing", NULL, 404);
    assert_string_equal(json_string_value(json_object_get(j, "@type")), "Error");
    assert_int_equal(json_integer_value(json_object_get(j, "status")), 404);
    json_decref(j);

    assert_int_equal(harness_stop(&p), 0);
    harness_read_log(&p, log, sizeof log);
    assert_non_null(strstr(log, "msg=\"stopped\""));
    harness_cleanup(&p);
}

static void request_ids_are_echoed_and_logged(void **state)
{
    const char *const args[] = {"serve", NULL};
    const char *const hdr[] = {"X-Request-Id: trace-42", NULL};
    struct harness_proc p;
    struct harness_response *r = calloc(1, sizeof *r);
    char log[16384];

    (void)state;
    assert_int_equal(harness_start(binary, args, NULL, 1, &p), 0);
    assert_int_equal(harness_http(&p, "GET", "/missing", hdr, NULL, r), 0);
    assert_int_equal(r->status, 404);
    assert_non_null(strstr(r->headers, "X-Request-Id: trace-42"));
    assert_int_equal(harness_stop(&p), 0);
    harness_read_log(&p, log, sizeof log);
    assert_non_null(strstr(log, "req=trace-42 msg=\"no resource at '/missing'\" status=404"));
    free(r);
    harness_cleanup(&p);
}

static void public_url_setting_wins_over_host(void **state)
{
    const char *const args[] = {"serve", NULL};
    const char *const env[] = {"DLCS_PUBLIC_URL=https://api.dlcs.example/", NULL};
    struct harness_proc p;
    json_t *j;

    (void)state;
    assert_int_equal(harness_start(binary, args, env, 1, &p), 0);
    j = get_json(&p, "/", NULL, 200);
    assert_string_equal(json_string_value(json_object_get(j, "@id")), "https://api.dlcs.example/");
    json_decref(j);
    harness_cleanup(&p);
}

static void invalid_setting_stops_start_up_with_one_line(void **state)
{
    const char *const args[] = {"serve", NULL};
    const char *const env[] = {"DLCS_LOG_LEVEL=loud", NULL};
    struct harness_proc p;
    char log[4096];

    (void)state;
    assert_int_equal(harness_start(binary, args, env, 0, &p), 0);
    assert_int_equal(harness_wait(&p, 5000), 2);
    harness_read_log(&p, log, sizeof log);
    assert_non_null(strstr(log, "DLCS_LOG_LEVEL"));
    assert_int_equal(strchr(log, '\n') - log + 1, (long)strlen(log));
    harness_cleanup(&p);
}

static void port_in_use_is_a_clear_error(void **state)
{
    const char *const args[] = {"serve", NULL};
    struct harness_proc first, second;
    char env_port[64], log[8192];
    const char *env[] = {env_port, NULL};

    (void)state;
    assert_int_equal(harness_start(binary, args, NULL, 1, &first), 0);
    (void)snprintf(env_port, sizeof env_port, "DLCS_HTTP_PORT=%d", first.port);
    assert_int_equal(harness_start(binary, args, env, 0, &second), 0);
    assert_int_equal(harness_wait(&second, 5000), 1);
    harness_read_log(&second, log, sizeof log);
    assert_non_null(strstr(log, "cannot listen on 127.0.0.1"));
    harness_cleanup(&second);
    harness_cleanup(&first);
}

static void restart_keeps_the_data_directory(void **state)
{
    const char *const args[] = {"serve", NULL};
    struct harness_proc p;
    char log[16384];

    (void)state;
    assert_int_equal(harness_start(binary, args, NULL, 1, &p), 0);
    assert_int_equal(harness_stop(&p), 0);
    harness_read_log(&p, log, sizeof log);
    assert_non_null(strstr(log, "applied store schema migration 1"));
    /* a second start on the same directory must not migrate again */
    {
        char dir[256];
        struct harness_proc again;
        char data_env[300];
        const char *env[] = {data_env, NULL};

        memcpy(dir, p.dir, sizeof dir);
        (void)snprintf(data_env, sizeof data_env, "DLCS_DATA_DIR=%s/data", dir);
        assert_int_equal(harness_start(binary, args, env, 1, &again), 0);
        assert_int_equal(harness_stop(&again), 0);
        harness_read_log(&again, log, sizeof log);
        assert_null(strstr(log, "applied store schema migration"));
        harness_cleanup(&again);
    }
    harness_cleanup(&p);
}

/* Run 'args' to its end with 'env'; its exit status, its output in 'log'. */
static int run_to_end(const char *const *args, const char *const *env, char *log, size_t cap,
                      struct harness_proc *p)
{
    int rc;

    assert_int_equal(harness_start(binary, args, env, 0, p), 0);
    rc = harness_wait(p, 10000);
    harness_read_log(p, log, cap);
    return rc;
}

/* --print-config shows the effective store, storage, queue and an absolute data directory. */
static void print_config_shows_effective_values(void **state)
{
    const char *const args[] = {"--print-config", NULL};
    const char *const env[] = {"DLCS_DATA_DIR=relative-data", NULL};
    const char *const bad[] = {"DLCS_QUEUE=rabbit://x", NULL};
    char log[32768], cwd[512], expect[800];
    struct harness_proc p;

    (void)state;
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(run_to_end(args, env, log, sizeof log, &p), 0);
    (void)snprintf(expect, sizeof expect, "DLCS_STORE=sqlite://%s/relative-data/dlcs.db\n", cwd);
    if (!strstr(log, expect) || !strstr(log, "DLCS_QUEUE=embedded\n") ||
        !strstr(log, "DLCS_STORAGE=file://") || !strstr(log, "DLCS_SCRATCH_DIR=/"))
        fail_msg("want '%s' and the other effective values in:\n%s", expect, log);
    harness_cleanup(&p);
    assert_int_equal(run_to_end(args, bad, log, sizeof log, &p), 2);
    assert_non_null(strstr(log, "DLCS_QUEUE 'rabbit://x': unknown adapter"));
    harness_cleanup(&p);
}

/* A client command never creates a store where there is none. */
static void keys_refuse_to_create_a_store(void **state)
{
    const char *const args[] = {"keys", "create", "--admin", NULL};
    char log[8192], dir[300], env_dir[340], db[340];
    const char *env[] = {env_dir, NULL};
    struct harness_proc p;

    (void)state;
    (void)snprintf(dir, sizeof dir, "/tmp/dlcs-keys-XXXXXX");
    assert_non_null(mkdtemp(dir));
    (void)snprintf(env_dir, sizeof env_dir, "DLCS_DATA_DIR=%s/nothing-here", dir);
    assert_int_equal(run_to_end(args, env, log, sizeof log, &p), 1);
    assert_non_null(strstr(log, "no store at"));
    (void)snprintf(db, sizeof db, "%s/nothing-here", dir);
    assert_int_not_equal(access(db, F_OK), 0);
    harness_cleanup(&p);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(help_lists_the_roles),
        cmocka_unit_test(serve_starts_answers_and_stops_cleanly),
        cmocka_unit_test(request_ids_are_echoed_and_logged),
        cmocka_unit_test(public_url_setting_wins_over_host),
        cmocka_unit_test(invalid_setting_stops_start_up_with_one_line),
        cmocka_unit_test(port_in_use_is_a_clear_error),
        cmocka_unit_test(restart_keeps_the_data_directory),
        cmocka_unit_test(print_config_shows_effective_values),
        cmocka_unit_test(keys_refuse_to_create_a_store),
    };
    int rc;

    if (argc < 2) {
        fprintf(stderr, "usage: serve_test PATH_TO_DLCS\n");
        return 2;
    }
    binary = argv[1];
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
