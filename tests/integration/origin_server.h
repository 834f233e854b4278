/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A loopback HTTP origin for ingest tests, on the project's own listener (port 0):
 *   /img/NAME            the fixture file NAME
 *   /auth/NAME           the same behind Basic auth user:secret (401 otherwise)
 *   /redirect/N/NAME     N redirects (302), then /img/NAME
 *   /hang/NAME           no answer for a minute (or until the server stops): a stuck origin
 *   /flaky/K/NAME        500 for the first K requests of NAME, then the file
 *   /slow/NAME           waits 2 s, then the file
 *   /status/CODE         answers CODE
 */
#ifndef DLCS_TEST_ORIGIN_SERVER_H
#define DLCS_TEST_ORIGIN_SERVER_H

struct origin_server;

/* Serve the files of 'dir'. NULL on failure. */
struct origin_server *origin_server_start(const char *dir);
int origin_server_port(const struct origin_server *s);
/* How many requests /slow/NAME (answered after 2 s) has begun to answer. */
int origin_server_slow_started(struct origin_server *s);
void origin_server_stop(struct origin_server *s);

#endif /* DLCS_TEST_ORIGIN_SERVER_H */
