/* SPDX-License-Identifier: Apache-2.0 */
#include "mongo_server.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_proc.h"

/* Debian's interpreter: the one with python3-mockupdb and python3-mongomock. */
#define PYTHON "/usr/bin/python3"

int mongo_server_start(struct mongo_server *m)
{
    const char *real = getenv("DLCS_TEST_MONGODB_URI");
    char line[512];
    int out[2];
    FILE *f;

    memset(m, 0, sizeof *m);
    if (real && real[0]) {
        (void)snprintf(m->base, sizeof m->base, "%s", real);
        m->base[strcspn(m->base, "?")] = '\0';
        if (strlen(m->base) > 10 && m->base[strlen(m->base) - 1] == '/')
            m->base[strlen(m->base) - 1] = '\0';
        return 0;
    }
    if (pipe(out) != 0)
        return -1;
    m->pid = fork();
    if (m->pid == 0) {
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives the test */
        dup2(out[1], 1);
        for (int fd = 3; fd < 1024; fd++) /* no pipe of the test's (a control pipe) kept open */
            close(fd);
        execl(PYTHON, PYTHON, DLCS_MONGO_FAKE, "0", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    f = fdopen(out[0], "r");
    if (!f || !fgets(line, sizeof line, f) || strncmp(line, "READY ", 6) != 0) {
        if (f)
            fclose(f);
        mongo_server_stop(m);
        return -1;
    }
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    (void)snprintf(m->base, sizeof m->base, "%.200s", line + 6);
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
