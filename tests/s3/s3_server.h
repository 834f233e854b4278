/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The S3 a test runs against, started for the test and stopped with it:
 *   - S3_FAKE: the project's SigV4-checking fake (tests/s3/s3_fake.py), with failure
 *     injection and request counts;
 *   - S3_S3RVER: npm's s3rver 3.7.1 (tests/s3/node_modules), real S3 HTTP behaviour but no
 *     signature checks;
 *   - S3_REAL: the bucket DLCS_TEST_S3_URL names (s3://bucket?endpoint=...&region=...),
 *     credentials from the AWS_* environment; each test works under a fresh prefix.
 * A started server's credentials are put in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, so
 * the ambient S3 settings of the test process (and of the dlcs processes it starts) use them.
 */
#ifndef DLCS_TEST_S3_SERVER_H
#define DLCS_TEST_S3_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum s3_kind { S3_FAKE, S3_S3RVER, S3_REAL };

struct s3_server {
    enum s3_kind kind;
    pid_t pid;
    char endpoint[256]; /* http://127.0.0.1:PORT; the real one's from its URL */
    char bucket[64];
    char query[512];    /* endpoint=...&region=... for storage URLs */
    char data_dir[256]; /* s3rver's */
};

/* Start (or name) one. 0 on success; -1 with a message on stderr; 1: this kind is not
 * available here (S3_REAL without DLCS_TEST_S3_URL, S3_S3RVER without node_modules). */
int s3_server_start(struct s3_server *s, enum s3_kind kind, const char *bucket);

/* "s3://bucket/prefix?endpoint=...&region=...[&extra]" into 'buf'. */
void s3_server_storage_url(const struct s3_server *s, const char *prefix, const char *extra,
                           char *buf, size_t len);

/* The fake only: the next 'count' requests ('method' or NULL: any) answer 'status' 'code'. */
bool s3_server_fail(const struct s3_server *s, int count, int status, const char *code,
                    const char *method);

/* The fake only: one of its counters (GET /_fake/stats): a call's count ("GetObject") or
 * "uploads" still open; -1 when the stats cannot be read. */
int s3_server_count(const struct s3_server *s, const char *name);

/* Freeze (true) or thaw the server process: it stops answering (not for S3_REAL). */
bool s3_server_freeze(const struct s3_server *s, bool frozen);

void s3_server_stop(struct s3_server *s);

#endif /* DLCS_TEST_S3_SERVER_H */
