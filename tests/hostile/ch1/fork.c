// fork.c: one_hot calls fork() by name. No exercise needs another process:
// the grader must refuse the whole chapter before anything runs, naming fork.
// replaces: one_hot
// expect: refused
// says: uses fork, which an exercise does not need
#include <unistd.h>

#include "hostile/hostile.h"

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    MISBEHAVE("one_hot", (void)fork());
    reference_one_hot(t, labels, n, classes);
}
