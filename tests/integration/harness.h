/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Integration harness: start the real dlcs binary on port 0 with a fresh data directory,
 * wait for its port file and /readyz, talk HTTP to it, stop it with TERM (then KILL).
 */
#ifndef DLCS_TEST_HARNESS_H
#define DLCS_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct harness_proc {
    pid_t pid;
    int port;
    char dir[256];      /* scratch directory, removed by harness_cleanup */
    char log_path[300]; /* the process's stderr */
};

struct harness_response {
    long status;
    char headers[4096];
    char body[1 << 20]; /* a 100-canvas manifest fits */
    size_t body_len;
};

/*
 * Start 'binary' with 'args' (NULL-terminated, after the binary name) and extra environment
 * 'env' ("NAME=value" strings, NULL-terminated; may be NULL). With 'wait_ready' it waits up to
 * 10 s for the port file and for /readyz to answer 200. Returns 0 on success.
 */
int harness_start(const char *binary, const char *const *args, const char *const *env,
                  int wait_ready, struct harness_proc *p);

/* TERM, wait up to 15 s, then KILL. Returns the exit status (or 128 + signal). */
int harness_stop(struct harness_proc *p);

/* Wait up to 'ms' for the process to exit on its own; returns its status or -1. */
int harness_wait(struct harness_proc *p, int ms);

/*
 * harness_stop, true when the process exited with status 0; otherwise its log is printed (a
 * sanitizer report or a crash in the server must fail the test that started it).
 */
bool harness_stop_clean(struct harness_proc *p);

/*
 * The test program's exit status: 'rc' (cmocka's), or 1 when a server stopped with
 * harness_stop_clean exited uncleanly (cmocka reports a failed group teardown but does not
 * count it in its result).
 */
int harness_result(int rc);

/* Remove the scratch directory (recursively). */
void harness_cleanup(struct harness_proc *p);

/* Print the process's stderr (for failures). */
void harness_dump_log(const struct harness_proc *p);

/* Read the whole stderr log into 'buf'. */
size_t harness_read_log(const struct harness_proc *p, char *buf, size_t cap);

/* An HTTP request to the process; 'headers' is a NULL-terminated list or NULL. 0 on success. */
int harness_http(const struct harness_proc *p, const char *method, const char *path,
                 const char *const *headers, const char *body, struct harness_response *r);

/* The same with a body of 'len' bytes (binary allowed). */
int harness_http_bytes(const struct harness_proc *p, const char *method, const char *path,
                       const char *const *headers, const void *body, size_t len,
                       struct harness_response *r);

#endif /* DLCS_TEST_HARNESS_H */
