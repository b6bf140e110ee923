// leak_hidden.c: zscore prints the inputs it is given, marked LEAK, and gets
// its answers wrong, so that a failing test shows what it printed. A public
// test's inputs are the student's to see; a hidden test's are not: the
// grader must keep no output of a hidden test, in any format.
// replaces: zscore
// expect: fail
// says: expected|differ
#include <stdio.h>

#include "hostile/hostile.h"

static void print_inputs(const double *x, int n) {
    printf("LEAK %d values:", n);
    for (int i = 0; i < n && i < 8; i++) printf(" %.17g", x[i]);
    printf("\n");
}

void zscore(double *z, const double *x, int n) {
    MISBEHAVE("zscore", print_inputs(x, n));
    reference_zscore(z, x, n);
    z[0] += 1.0 + x[0];  // wrong, and differently for different inputs
}
