// forkloop.c: class_mean_image forks in a loop, then never returns. The
// grader must report its tests as timed out, kill every child, and pass the
// other tests.
// replaces: class_mean_image
// expect: timeout
// says: did not finish within
#include <unistd.h>

#include "hostile/hostile.h"

// At most 50 children, whether or not the grader's process limit stops it
// sooner: RLIMIT_NPROC does not bind root, and this test must not hurt the
// machine it runs on if the grader fails to leave root. Each child sleeps; the
// parent spins. The grader must time the test out and kill them all.
static void fork_loop(void) {
    for (int i = 0; i < 50; i++) {
        pid_t pid = fork();
        if (pid < 0) break;
        if (pid == 0)
            for (;;) pause();
    }
    for (volatile int spin = 1; spin;) {}
}

int class_mean_image(double *out, const uint8_t *pixels, const uint8_t *labels, int n, int dim,
                     int digit) {
    MISBEHAVE("class_mean_image", fork_loop());
    return reference_class_mean_image(out, pixels, labels, n, dim, digit);
}
