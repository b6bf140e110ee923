// daemon.c: one_hot starts a daemon (fork, setsid, by its own system calls)
// that waits a moment, then kills every process it can, again and again,
// hoping to outlive its grading and kill a classmate's tests. one_hot itself
// does its work. Its tests must pass, the daemon must be gone when the
// grading ends, and a classmate graded at the same time (grade-all) must
// score what it scores alone.
// replaces: one_hot
// expect: pass
// says: .
#include "hostile/hostile.h"
#include "hostile/syscalls.h"

static void start_daemon(void) {
    long pid = sys_fork();
    if (pid != 0) return;
    sys_setsid();
    if (sys_fork() != 0) sys_exit(0);  // the daemon is the grandchild, an orphan
    sys_nanosleep_ms(300);
    for (;;) {
        sys_kill(-1, SIGKILL);
        sys_nanosleep_ms(10);
    }
}

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    MISBEHAVE("one_hot", start_daemon());
    reference_one_hot(t, labels, n, classes);
}
