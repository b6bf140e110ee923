// infinite_loop.c: one_hot never returns. The grader must report one_hot's
// tests as timed out, and pass the others.
// replaces: one_hot
// expect: timeout
// says: did not finish within
#include "hostile/hostile.h"

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    MISBEHAVE("one_hot", for (volatile int spin = 1; spin;) {});
    reference_one_hot(t, labels, n, classes);
}
