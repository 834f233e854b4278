/* SPDX-License-Identifier: Apache-2.0 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "dlcs/log.h"

#include "cm.h"

static int fds[2];

static int setup(void **state)
{
    (void)state;
    if (pipe(fds) != 0)
        return -1;
    dlcs_log_set_fd(fds[1]);
    dlcs_log_set_level(DLCS_LOG_INFO);
    dlcs_log_set_service("test");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dlcs_log_set_fd(2);
    close(fds[0]);
    close(fds[1]);
    return 0;
}

static size_t drain(char *buf, size_t cap)
{
    ssize_t n;

    close(fds[1]);
    n = read(fds[0], buf, cap - 1);
    buf[n > 0 ? n : 0] = '\0';
    if (pipe(fds) == 0)
        dlcs_log_set_fd(fds[1]);
    return n > 0 ? (size_t)n : 0;
}

static void one_logfmt_line_with_service_request_and_escaping(void **state)
{
    char buf[4096];

    (void)state;
    dlcs_log_set_request("abc-123 \"x\"");
    dlcs_log_kv(DLCS_LOG_WARN, "port=80", "cannot read \"%s\"\nnow", "a1");
    dlcs_log_set_request(NULL);
    drain(buf, sizeof buf);
    assert_non_null(strstr(
        buf, " level=warn svc=test req=abc-123x msg=\"cannot read \\\"a1\\\" now\" port=80\n"));
    assert_memory_equal(buf, "ts=", 3);
    assert_int_equal(strchr(buf, '\n') - buf + 1, (long)strlen(buf)); /* exactly one line */
}

static int evaluated;

static int side_effect(void)
{
    evaluated = 1;
    return 1;
}

static void disabled_levels_do_not_evaluate_arguments(void **state)
{
    char buf[256];

    (void)state;
    dlcs_log(DLCS_LOG_DEBUG, "%d", side_effect());
    assert_int_equal(evaluated, 0);
    assert_int_equal(drain(buf, sizeof buf), 0);
}

static void library_logs_are_routed(void **state)
{
    char buf[4096];

    (void)state;
    dlcs_log_route_libraries();
    g_warning("vips said %d", 42);
    drain(buf, sizeof buf);
    assert_non_null(strstr(buf, "level=warn"));
    assert_non_null(strstr(buf, "msg=\"vips said 42\""));
}

static void *spam(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++) /* 4 x 100 lines stay under the 64 KiB pipe buffer */
        dlcs_log(DLCS_LOG_INFO, "line %d from a thread with a long enough message to matter", i);
    return NULL;
}

static void threads_never_interleave_lines(void **state)
{
    pthread_t t[4];
    char buf[65536 * 4];
    size_t total = 0;
    ssize_t n;

    (void)state;
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, spam, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    close(fds[1]);
    while ((n = read(fds[0], buf + total, sizeof buf - 1 - total)) > 0)
        total += (size_t)n;
    buf[total] = '\0';
    if (pipe(fds) == 0)
        dlcs_log_set_fd(fds[1]);
    for (char *line = buf, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        assert_non_null(end);
        assert_memory_equal(line, "ts=", 3);
        assert_non_null(strstr(line, "from a thread"));
        assert_true(strstr(line, "from a thread") < end);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_logfmt_line_with_service_request_and_escaping),
        cmocka_unit_test(disabled_levels_do_not_evaluate_arguments),
        cmocka_unit_test(library_logs_are_routed),
        cmocka_unit_test(threads_never_interleave_lines),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
