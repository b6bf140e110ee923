// sandbox.h: where a submission's code runs, and where it is compiled (see
// call.h for the whole design).
//
// Three kinds of isolation:
//
//   bwrap  Debian's bubblewrap: new user, PID, network, IPC, UTS and mount
//          namespaces; a read-only view of the system's programs and
//          libraries and of the few paths the run needs (its binds), nothing
//          else of the file system (no workbook, no solutions, no tests, no
//          other submission); a private, empty /tmp; an empty environment.
//          Run by root, it first becomes `uid`, a user of its own, so that
//          the process limit binds. When the sandbox's first process ends,
//          the kernel takes every other with it.
//   uid    for machines without namespaces (some containers forbid them):
//          the run becomes `uid`, a user id no one else has, in its folder;
//          the grader keeps its secrets unreadable to that user
//          (tools/grade.sh), and every process of that user is killed when
//          the run ends. Needs root.
//   none   the run is whoever runs the grader, with the limits only: right for
//          a student's own `make check-chN`, not for grading someone else's
//          code (tools/grade.sh warns that it trusted it).
//
// The runner (graded_main.c) starts one zygote per run of a suite
// (subject/subject.c) and each test asks it for a fresh process; the grader
// compiles and links a submission in the same kind of sandbox, with
// build/bin/sandbox (tools/sandbox.c).
#ifndef WB_SANDBOX_H
#define WB_SANDBOX_H

#include <stddef.h>
#include <sys/types.h>

#include "wire.h"

typedef enum { ISOLATION_NONE, ISOLATION_UID, ISOLATION_BWRAP } Isolation;

extern const char *const ISOLATION_NAME[];  // "none", "uid", "bwrap"

typedef struct {
    Isolation how;
    const char *subject;  // the subject binary (the zygote's program)
    uid_t uid;            // uid, and bwrap run by root: the user to become
    gid_t gid;
} SandboxConfig;

// A path of the host seen inside a bwrap sandbox. Outside bwrap a path
// inside one of them stands for its host path.
typedef struct {
    const char *host, *inside;
    int writable;
} Bind;

typedef struct {
    const Bind *binds;
    int nbinds;
    const char *chdir;          // inside
    size_t memory_bytes;        // RLIMIT_AS; 0: none
    unsigned cpu_seconds;       // RLIMIT_CPU; 0: none
    size_t file_bytes;          // RLIMIT_FSIZE; 0: none
    unsigned processes;         // RLIMIT_NPROC, when the run has a user of its own; 0: none
    int keep_fds;               // descriptors 0 .. keep_fds-1 stay open, the rest are closed
} SandboxRun;

// In a child about to become the sandboxed program: its user, its limits,
// its view, an empty environment (but PATH, LC_ALL=C and
// OPENBLAS_NUM_THREADS=1); then argv. Does not return: exits 126 (cannot
// set it up) or 127 (cannot run argv[0]), saying why on stderr.
_Noreturn void sandbox_exec(const SandboxConfig *c, const SandboxRun *r, char *const argv[]);

// Kills every process of the sandbox's user (uid: what a run leaves behind).
void sandbox_kill_user(const SandboxConfig *c);

// In the runner: starts the zygote. 0, or -1 with a message in err.
int sandbox_start(const SandboxConfig *c, char *err, size_t len);
// In the runner, between tests: starts it again if it has ended (a test's
// code may kill it). 0 when it is running.
int sandbox_ensure(char *err, size_t len);
// In the runner, at the end: stops the zygote and, in uid mode, every
// process of its user.
void sandbox_stop(void);

// In a test process: a fresh process for this test's calls, its output to
// output_fd. On success, *calls and *replies are the pipes to it and *ctl
// the zygote's control socket for it (close it to end the test).
typedef struct {
    int calls, replies, ctl;
    long pid;  // as the zygote sees it (in its own PID namespace, for bwrap)
} Subject;
int subject_start(Subject *s, int output_fd, const SpawnMsg *limits, char *err, size_t len);

#endif
