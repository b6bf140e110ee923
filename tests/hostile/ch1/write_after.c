// write_after.c: one_hot writes one row too many, past the end of t. The
// grader must say so, naming the element, and pass the other tests.
// replaces: one_hot
// expect: fail
// says: wrote past the end of t: at element
#include "hostile/hostile.h"

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    reference_one_hot(t, labels, n, classes);
    MISBEHAVE("one_hot", t[(long)n * classes] = 1.0);
}
