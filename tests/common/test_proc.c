/* SPDX-License-Identifier: Apache-2.0 */
#include "test_proc.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static bool all_threads_stopped(pid_t pid)
{
    char path[64], line[512];
    DIR *d;
    struct dirent *e;
    bool stopped = true;

    (void)snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    d = opendir(path);
    if (!d)
        return false;
    while (stopped && (e = readdir(d)) != NULL) {
        char stat_path[384];
        FILE *f;
        const char *paren;

        if (e->d_name[0] == '.')
            continue;
        (void)snprintf(stat_path, sizeof stat_path, "%s/%s/stat", path, e->d_name);
        f = fopen(stat_path, "r");
        if (!f)
            continue;
        if (fgets(line, sizeof line, f) && (paren = strrchr(line, ')')) != NULL)
            stopped = paren[1] == ' ' && (paren[2] == 'T' || paren[2] == 't');
        fclose(f);
    }
    closedir(d);
    return stopped;
}

bool test_proc_freeze(pid_t pid, bool frozen)
{
    if (pid <= 0 || kill(pid, frozen ? SIGSTOP : SIGCONT) != 0)
        return false;
    for (int i = 0; frozen && i < 200 && !all_threads_stopped(pid); i++)
        (void)usleep(10 * 1000);
    return true;
}

void test_proc_stop(pid_t pid)
{
    if (pid <= 0)
        return;
    (void)kill(pid, SIGCONT);
    (void)kill(pid, SIGTERM);
    for (int i = 0; i < 50 && waitpid(pid, NULL, WNOHANG) == 0; i++)
        (void)usleep(100 * 1000);
    if (waitpid(pid, NULL, WNOHANG) == 0) {
        (void)kill(pid, SIGKILL);
        (void)waitpid(pid, NULL, 0);
    }
}
