/* SPDX-License-Identifier: Apache-2.0 */
#include "mongo_server.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_proc.h"

/* Debian's interpreter: the one with python3-mockupdb and python3-mongomock. */
#define PYTHON "/usr/bin/python3"

int mongo_server_start(struct mongo_server *m)
{
    const char *real = getenv("DLCS_TEST_MONGODB_URI");

    memset(m, 0, sizeof *m);
    if (real && real[0]) {
        (void)snprintf(m->base, sizeof m->base, "%s", real);
        m->base[strcspn(m->base, "?")] = '\0';
        if (strlen(m->base) > 10 && m->base[strlen(m->base) - 1] == '/')
            m->base[strlen(m->base) - 1] = '\0';
        return 0;
    }
    m->pid = test_proc_start((char *const[]){PYTHON, DLCS_MONGO_FAKE, "0", NULL}, m->base,
                             sizeof m->base);
    if (m->pid < 0) {
        m->pid = 0;
        return -1;
    }
    return 0;
}

void mongo_server_uri(const struct mongo_server *m, const char *db, const char *options, char *buf,
                      size_t len)
{
    (void)snprintf(buf, len, "%s/%s%s%s", m->base, db, options[0] ? "?" : "", options);
}

bool mongo_server_freeze(const struct mongo_server *m, bool frozen)
{
    return test_proc_freeze(m->pid, frozen);
}

void mongo_server_stop(struct mongo_server *m)
{
    test_proc_stop(m->pid);
    m->pid = 0;
}
