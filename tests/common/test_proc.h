/* SPDX-License-Identifier: Apache-2.0 */
/* Child processes of the tests' own fakes and peers: freezing, thawing and stopping them. */
#ifndef DLCS_TEST_PROC_H
#define DLCS_TEST_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * SIGSTOP (frozen) or SIGCONT 'pid'. A freeze returns once every thread of it is stopped (a
 * SIGSTOP takes effect asynchronously: a thread on the other core could otherwise answer one
 * more request), at most 2 s. False when 'pid' is not a process of ours.
 */
bool test_proc_freeze(pid_t pid, bool frozen);

/*
 * Start 'argv' (argv[0] a path; NULL-terminated) as a child that never outlives the test and
 * keeps no descriptor of the test's but 0-2: with 'ready' (a buffer of 'len'), its stdout is
 * read until the line "READY <address>", whose address is copied there (a fake's way of saying
 * it listens); without, stdout goes to /dev/null. Its pid, or -1 (a child that did not say
 * READY is stopped).
 */
pid_t test_proc_start(char *const argv[], char *ready, size_t len);

/* SIGCONT, SIGTERM, wait up to 5 s, then SIGKILL; reaped. NULL-safe for pid <= 0. */
void test_proc_stop(pid_t pid);

#endif /* DLCS_TEST_PROC_H */
