// exit0.c: zscore calls exit(0) before its work. The grader must report
// zscore's tests as ending the program early (not as passed), and pass the
// others.
// replaces: zscore
// expect: exit
// says: called exit\(0\) before it returned
#include <stdlib.h>

#include "hostile/hostile.h"

void zscore(double *z, const double *x, int n) {
    MISBEHAVE("zscore", exit(0));
    reference_zscore(z, x, n);
}
