// sandbox.c: runs one command in a sandbox (tests/judge/sandbox.h), with
// limits and a time limit: what tools/grade.sh compiles, checks and links a
// submission with, so that the compiler sees the submitted file and the
// contract's headers and nothing else.
//
//   sandbox --isolation none|uid|bwrap [--uid N] [--bind HOST:INSIDE]...
//           [--bind-rw HOST:INSIDE]... [--chdir DIR] [--memory MIB] [--cpu S]
//           [--file-size MIB] [--processes N] [--timeout S] -- PROGRAM ARGS...
//
// Outside bwrap a path INSIDE a bind stands for its HOST path (--chdir, and
// PROGRAM). Exit status: PROGRAM's; 124 when it ran out of time (said on
// stderr); 128 + N when signal N ended it; 125 for a wrong command line.
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "judge/sandbox.h"

enum { MAX_BINDS = 16 };

static volatile sig_atomic_t stop_signal;
static void on_signal(int sig) { stop_signal = sig; }

static int usage(const char *why) {
    fprintf(stderr, "sandbox: %s\nusage: sandbox --isolation none|uid|bwrap [--uid N] "
                    "[--bind HOST:INSIDE]... [--bind-rw HOST:INSIDE]... [--chdir DIR] [--memory MIB] "
                    "[--cpu S] [--file-size MIB] [--processes N] [--timeout S] -- PROGRAM ARGS...\n", why);
    return 125;
}

static int number(const char *s, unsigned long *v) {
    char *end;
    errno = 0;
    *v = strtoul(s, &end, 10);
    return !errno && *s && !*end && s[0] != '-';
}

int main(int argc, char **argv) {
    SandboxConfig c = {.how = ISOLATION_NONE};
    Bind binds[MAX_BINDS];
    SandboxRun r = {.binds = binds, .keep_fds = 3};
    unsigned long timeout = 0, v;
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i += 2) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val) return usage("an option without its value");
        if (strcmp(a, "--isolation") == 0) {
            int k = 0;
            while (k < 3 && strcmp(val, ISOLATION_NAME[k]) != 0) k++;
            if (k == 3) return usage("--isolation takes none, uid or bwrap");
            c.how = (Isolation)k;
        } else if (strcmp(a, "--bind") == 0 || strcmp(a, "--bind-rw") == 0) {
            char *colon = strchr(val, ':');
            if (!colon || r.nbinds == MAX_BINDS) return usage("--bind takes HOST:INSIDE");
            *colon = '\0';
            binds[r.nbinds++] = (Bind){val, colon + 1, strcmp(a, "--bind-rw") == 0};
        } else if (strcmp(a, "--chdir") == 0) {
            r.chdir = val;
        } else if (!number(val, &v)) {
            return usage("a limit that is not a whole number");
        } else if (strcmp(a, "--uid") == 0) {
            c.uid = (uid_t)v, c.gid = (gid_t)v;
        } else if (strcmp(a, "--memory") == 0) {
            r.memory_bytes = (size_t)v << 20;
        } else if (strcmp(a, "--cpu") == 0) {
            r.cpu_seconds = (unsigned)v;
        } else if (strcmp(a, "--file-size") == 0) {
            r.file_bytes = (size_t)v << 20;
        } else if (strcmp(a, "--processes") == 0) {
            r.processes = (unsigned)v;
        } else if (strcmp(a, "--timeout") == 0) {
            timeout = v;
        } else {
            return usage("an option it does not know");
        }
    }
    if (i + 1 >= argc) return usage("no program to run");
    if (c.how != ISOLATION_NONE && c.uid == 0 && (c.how == ISOLATION_UID || geteuid() == 0))
        return usage("this isolation needs a user to run as: --uid N");

    struct sigaction sa = {.sa_handler = on_signal};  // no SA_RESTART: waitpid returns
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGALRM, SIGTERM, SIGINT, SIGHUP};
    for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++) sigaction(sigs[k], &sa, NULL);

    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("sandbox: fork");
        return 125;
    }
    if (pid == 0) {
        for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++) signal(sigs[k], SIG_DFL);
        sandbox_exec(&c, &r, argv + i + 1);
    }
    if (timeout) alarm((unsigned)timeout);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            perror("sandbox: waitpid");
            return 125;
        }
        if (!stop_signal) continue;
        // Out of time, or told to stop: the run ends, all of it.
        if (c.how == ISOLATION_UID) sandbox_kill_user(&c);
        else if (c.how == ISOLATION_NONE) kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        if (stop_signal == SIGALRM) {
            fprintf(stderr, "sandbox: %s ran out of time (%lu s)\n", argv[i + 1], timeout);
            return 124;
        }
        return 128 + stop_signal;
    }
    if (c.how == ISOLATION_UID) sandbox_kill_user(&c);  // whatever it left running
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return WEXITSTATUS(st);
}
