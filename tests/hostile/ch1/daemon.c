// daemon.c: one_hot starts a daemon (fork, setsid, by its own system calls)
// that waits until the test that started it has ended, and 5 s more, then
// kills every process it can, again and again, hoping to outlive its test
// and its grading and kill a classmate's tests. one_hot itself does its
// work. Its tests must pass, the daemon must be gone when the grading ends,
// and a classmate graded at the same time (grade-all) must score what it
// scores alone. (It waits for its own test to end, not for a fixed time
// from its start: that would kill its own test whenever a busy machine made
// the test slower than the delay. The 5 s after are the grader's time to end
// what a test leaves behind, which it does before the next test starts.)
// replaces: one_hot
// expect: pass
// says: .
#include "hostile/hostile.h"
#include "hostile/syscalls.h"

static void start_daemon(void) {
    long test = sys_getpid();
    long pid = sys_fork();
    if (pid != 0) return;
    sys_setsid();
    if (sys_fork() != 0) sys_exit(0);  // the daemon is the grandchild, an orphan
    while (sys_kill(test, 0) == 0) sys_nanosleep_ms(10);  // until its test has ended
    sys_nanosleep_ms(5000);
    for (;;) {
        sys_kill(-1, SIGKILL);
        sys_nanosleep_ms(10);
    }
}

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    MISBEHAVE("one_hot", start_daemon());
    reference_one_hot(t, labels, n, classes);
}
