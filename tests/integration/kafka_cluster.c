/* SPDX-License-Identifier: Apache-2.0 */
#include "kafka_cluster.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int kafka_cluster_start(struct kafka_cluster *c, const char *binary, const char *prefix)
{
    char t1[128], t2[128], t3[128], line[1200];
    int in[2], out[2];
    FILE *f;

    memset(c, 0, sizeof *c);
    (void)snprintf(t1, sizeof t1, "%singest:4", prefix);
    (void)snprintf(t2, sizeof t2, "%singest-priority:2", prefix);
    (void)snprintf(t3, sizeof t3, "%singest-dead:1", prefix);
    if (pipe(in) != 0 || pipe(out) != 0)
        return -1;
    c->pid = fork();
    if (c->pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execl(binary, binary, "-b", "3", "-t", t1, "-t", t2, "-t", t3, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    c->control = fdopen(in[1], "w");
    f = fdopen(out[0], "r");
    if (!c->control || !f || !fgets(line, sizeof line, f) || strncmp(line, "BOOTSTRAP ", 10) != 0)
        return -1;
    line[strcspn(line, "\n")] = '\0';
    (void)snprintf(c->bootstrap, sizeof c->bootstrap, "%.1000s", line + 10);
    fclose(f); /* its answers to commands are not needed */
    return 0;
}

void kafka_cluster_broker(struct kafka_cluster *c, const char *what, int broker)
{
    fprintf(c->control, "%s %d\n", what, broker);
    fflush(c->control);
}

void kafka_cluster_stop(struct kafka_cluster *c)
{
    if (c->control)
        fclose(c->control);
    if (c->pid > 0)
        waitpid(c->pid, NULL, 0);
    memset(c, 0, sizeof *c);
}

int kafka_cluster_count(const struct kafka_cluster *c, const char *topic, const char *key_prefix,
                        int distinct)
{
    char cmd[1600], line[2048], (*seen)[64] = calloc(4096, 64);
    int n = 0, nseen = 0;
    FILE *p;

    (void)snprintf(cmd, sizeof cmd, "kcat -b '%s' -C -t '%s' -o beginning -e -q -f '%%k\\n'",
                   c->bootstrap, topic);
    p = seen ? popen(cmd, "r") : NULL;
    if (p == NULL) {
        free(seen);
        return -1;
    }
    while (fgets(line, sizeof line, p)) {
        int dup = 0;

        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, key_prefix, strlen(key_prefix)) != 0)
            continue;
        for (int i = 0; distinct && i < nseen && !dup; i++)
            dup = strcmp(seen[i], line) == 0;
        if (dup)
            continue;
        if (nseen < 4096)
            (void)snprintf(seen[nseen++], 64, "%.60s", line);
        n++;
    }
    free(seen);
    return pclose(p) == 0 ? n : -1;
}

int kafka_cluster_wait_count(const struct kafka_cluster *c, const struct kafka_count_wait *w)
{
    int n = -1;

    for (int waited = 0;; waited += 200) {
        n = kafka_cluster_count(c, w->topic, w->key_prefix, w->distinct);
        if (n >= w->want || waited >= w->timeout_ms)
            return n;
        (void)nanosleep(&(struct timespec){.tv_nsec = 200000000}, NULL);
    }
}
