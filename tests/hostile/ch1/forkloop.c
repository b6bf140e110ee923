// forkloop.c: class_mean_image forks in a loop (making the system calls
// itself, past the grader's list of allowed calls), then never returns. The
// grader must report its tests as timed out, kill every child, and pass the
// other tests.
// replaces: class_mean_image
// expect: timeout
// says: did not finish within
#include "hostile/hostile.h"
#include "hostile/syscalls.h"

// At most 50 children, whether or not the sandbox's process limit stops it
// sooner. Each child sleeps; the parent spins. The grader must time the test
// out and kill them all.
static void fork_loop(void) {
    for (int i = 0; i < 50; i++) {
        long pid = sys_fork();
        if (pid < 0) break;
        if (pid == 0)
            for (;;) sys_nanosleep_ms(1000);
    }
    for (volatile int spin = 1; spin;) {}
}

int class_mean_image(double *out, const uint8_t *pixels, const uint8_t *labels, int n, int dim,
                     int digit) {
    MISBEHAVE("class_mean_image", fork_loop());
    return reference_class_mean_image(out, pixels, labels, n, dim, digit);
}
