// nocompile.c: one_hot is missing a semicolon. The grader must score every
// test of the chapter zero with status "compile" and the compiler's message.
// replaces: one_hot
// expect: compile
// says: does not compile: .*error: expected .*;.* before
#include "hostile/hostile.h"

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    reference_one_hot(t, labels, n, classes)
}
