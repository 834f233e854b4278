/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MongoDB a test runs against: the real server DLCS_TEST_MONGODB_URI names (a base URI
 * without a database, e.g. mongodb://127.0.0.1:27017), or else the project's wire-compatible
 * fake (tests/mongo/mongo_fake.py) started for the test and stopped with it.
 */
#ifndef DLCS_TEST_MONGO_SERVER_H
#define DLCS_TEST_MONGO_SERVER_H

#include <stdbool.h>
#include <sys/types.h>

struct mongo_server {
    pid_t pid;      /* the fake's; 0 with a real server */
    char base[256]; /* mongodb://host:port */
};

/* Start (or name) the server. 0 on success. */
int mongo_server_start(struct mongo_server *m);

/* A URI of database 'db' on it, with 'options' ("" or "a=1&b=2") into 'buf'. */
void mongo_server_uri(const struct mongo_server *m, const char *db, const char *options, char *buf,
                      size_t len);

/* Freeze (true) or thaw the fake: it stops answering, as a server that cannot be reached. */
bool mongo_server_freeze(const struct mongo_server *m, bool frozen);

void mongo_server_stop(struct mongo_server *m);

#endif /* DLCS_TEST_MONGO_SERVER_H */
