// jobs.c: independent runs side by side, one process each (see jobs.h).
//
// A worker process sends its result, then a Report, down a pipe of its own,
// and exits. The caller reads every pipe as data comes (a result may be
// larger than a pipe holds: chapter 7's are the test set's probabilities),
// and a pipe's end of file means its worker is done: then waitpid says how.
#include "jobs.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "metrics.h"

// What follows the result: how the job went.
typedef struct {
    int rc;
    Error err;
} Report;

typedef struct {
    pid_t pid;
    int fd;          // the read end of its pipe
    int job;
    size_t got;      // bytes read so far: the result's, then the report's
    Report report;
} Worker;

int jobs_workers(int n) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int w = cores < 1 ? 1 : cores > JOBS_MAX_WORKERS ? JOBS_MAX_WORKERS : (int)cores;
    return w < n ? w : n < 1 ? 1 : n;
}

// ---------------------------------------------------------------------------
// In the worker

static bool write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n, len -= (size_t)n;
    }
    return true;
}

_Noreturn static void work(int fd, char *result, JobRun run, int job, void *ctx, size_t size) {
    progress_quiet = true;  // one progress line on screen, not several at once
    Report rep = {0, {{0}}};
    rep.rc = run(result, job, ctx, &rep.err);
    bool sent = write_all(fd, result, size) && write_all(fd, &rep, sizeof rep);
    fflush(stdout), fflush(stderr);
    _exit(sent ? 0 : 1);  // _exit: the caller's atexit handlers and buffers are the caller's
}

// ---------------------------------------------------------------------------
// In the caller

// Reads what w has sent so far. False once its pipe is closed: it is done.
static bool drain(Worker *w, char *result, size_t size) {
    char spill[256];  // anything past the report, which a worker never sends
    for (;;) {
        char *to = spill;
        size_t room = sizeof spill;
        if (w->got < size) {
            to = result + w->got, room = size - w->got;
        } else if (w->got < size + sizeof w->report) {
            to = (char *)&w->report + (w->got - size), room = size + sizeof w->report - w->got;
        }
        ssize_t n = read(w->fd, to, room);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
        if (n <= 0) return false;
        w->got += (size_t)n;
    }
}

// Stops the workers still running: they are ours, by their ids.
static void stop(Worker *w, int busy) {
    for (int i = 0; i < busy; i++) kill(w[i].pid, SIGTERM);
    for (int i = 0; i < busy; i++) {
        while (waitpid(w[i].pid, NULL, 0) < 0 && errno == EINTR) {
        }
        close(w[i].fd);
    }
}

static int start(Worker *w, char *results, JobRun run, void *ctx, int job, size_t size,
                 Error *err) {
    int fds[2];
    if (pipe(fds) != 0) return error_set(err, "pipe: %s", strerror(errno));
    fflush(stdout), fflush(stderr);  // or the worker would print them again
    // stop() ends a worker with SIGTERM, and it must die of it, whatever
    // handler the caller has: Check's, inherited through fork, would pass the
    // signal on to the caller's own process group. So SIGTERM waits, blocked,
    // until the worker has its default action back (under load a worker can
    // be stopped before it has run a line of its own).
    sigset_t term, was;
    sigemptyset(&term), sigaddset(&term, SIGTERM);
    sigprocmask(SIG_BLOCK, &term, &was);
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        sigprocmask(SIG_SETMASK, &was, NULL);
        close(fds[0]);
        work(fds[1], results + (size_t)job * size, run, job, ctx, size);
    }
    sigprocmask(SIG_SETMASK, &was, NULL);
    if (pid < 0) {
        close(fds[0]), close(fds[1]);
        return error_set(err, "fork: %s", strerror(errno));
    }
    close(fds[1]);
    fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
    *w = (Worker){.pid = pid, .fd = fds[0], .job = job};
    return 0;
}

// After w's pipe has closed: 0 if its job ended well, else as jobs_run returns.
static int finish(Worker *w, size_t size, int n, Error *err) {
    close(w->fd);
    int status;
    while (waitpid(w->pid, &status, 0) < 0)
        if (errno != EINTR) return error_set(err, "waitpid: %s", strerror(errno));
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return error_set(err, "run %d of %d was killed by signal %d", w->job + 1, n,
                         WTERMSIG(status));
    if (w->got != size + sizeof w->report)
        return error_set(err, "run %d of %d sent %zu bytes of its %zu", w->job + 1, n, w->got,
                         size + sizeof w->report);
    if (w->report.rc != 0) {
        *err = w->report.err;
        return -1;
    }
    return 0;
}

int jobs_run(void *results, JobRun run, JobDone done, void *ctx, int n, size_t size,
             int workers, Error *err) {
    char *res = results;
    if (workers <= 1) {  // here, one after the other
        for (int j = 0; j < n; j++) {
            if (run(res + (size_t)j * size, j, ctx, err) != 0) return -1;
            if (done) done(res + (size_t)j * size, j, ctx);
        }
        return 0;
    }
    Worker w[JOBS_MAX_WORKERS];
    struct pollfd fds[JOBS_MAX_WORKERS];
    if (workers > JOBS_MAX_WORKERS) workers = JOBS_MAX_WORKERS;
    int next = 0, busy = 0;
    while (next < n || busy > 0) {
        if (next < n && busy < workers) {
            if (start(&w[busy], res, run, ctx, next, size, err) != 0) {
                stop(w, busy);
                return -1;
            }
            next++, busy++;
            continue;
        }
        for (int i = 0; i < busy; i++) fds[i] = (struct pollfd){.fd = w[i].fd, .events = POLLIN};
        if (poll(fds, (nfds_t)busy, -1) < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            stop(w, busy);
            return error_set(err, "poll: %s", strerror(e));
        }
        for (int i = busy - 1; i >= 0; i--) {  // from the end: a finished one is swapped out
            if (!fds[i].revents) continue;
            Worker *wk = &w[i];
            if (drain(wk, res + (size_t)wk->job * size, size)) continue;
            Worker ended = *wk;
            w[i] = w[--busy];
            int rc = finish(&ended, size, n, err);
            if (rc != 0) {
                stop(w, busy);
                return rc;
            }
            if (done) done(res + (size_t)ended.job * size, ended.job, ctx);
        }
    }
    return 0;
}
