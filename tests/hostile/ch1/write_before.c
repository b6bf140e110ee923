// write_before.c: zscore writes one element before the start of its output,
// z[-1], which would corrupt a public test's own variables if the two shared
// a process. The grader must say so, and pass the other tests.
// replaces: zscore
// expect: fail
// says: wrote before the start of z: at element -1
#include "hostile/hostile.h"

void zscore(double *z, const double *x, int n) {
    reference_zscore(z, x, n);
    MISBEHAVE("zscore", z[-1] = 0.0);
}
