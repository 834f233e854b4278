/* SPDX-License-Identifier: Apache-2.0 */
/* Child processes of the tests' own fakes and peers: freezing, thawing and stopping them. */
#ifndef DLCS_TEST_PROC_H
#define DLCS_TEST_PROC_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * SIGSTOP (frozen) or SIGCONT 'pid'. A freeze returns once every thread of it is stopped (a
 * SIGSTOP takes effect asynchronously: a thread on the other core could otherwise answer one
 * more request), at most 2 s. False when 'pid' is not a process of ours.
 */
bool test_proc_freeze(pid_t pid, bool frozen);

/* SIGCONT, SIGTERM, wait up to 5 s, then SIGKILL; reaped. NULL-safe for pid <= 0. */
void test_proc_stop(pid_t pid);

#endif /* DLCS_TEST_PROC_H */
