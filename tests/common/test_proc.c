/* SPDX-License-Identifier: Apache-2.0 */
#include "test_proc.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
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

/* In the child: never outlive the test, stdout to 'out_fd', no other descriptor kept. */
static _Noreturn void exec_child(char *const argv[], int out_fd)
{
    (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(out_fd, 1);
    for (int fd = 3; fd < 1024; fd++) /* no pipe of the test's (a control pipe) kept open */
        close(fd);
    execv(argv[0], argv);
    _exit(127);
}

pid_t test_proc_start(char *const argv[], char *ready, size_t len)
{
    char line[512];
    int out[2] = {-1, -1};
    pid_t pid;
    FILE *f;

    if (ready ? pipe(out) != 0 : (out[1] = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
        return -1;
    pid = fork();
    if (pid == 0)
        exec_child(argv, out[1]);
    close(out[1]);
    if (pid < 0 || !ready)
        return pid;
    f = fdopen(out[0], "r");
    if (!f || !fgets(line, sizeof line, f) || strncmp(line, "READY ", 6) != 0) {
        fprintf(stderr, "%s did not say READY\n", argv[1] ? argv[1] : argv[0]);
        if (f)
            fclose(f);
        test_proc_stop(pid);
        return -1;
    }
    fclose(f);
    line[strcspn(line, "\n")] = '\0';
    (void)snprintf(ready, len, "%s", line + 6);
    return pid;
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
