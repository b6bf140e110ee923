// abort.c: image_mean_sd calls abort() before its work. The grader must report
// the tests that reach it (image_mean_sd's, and zscore's, which calls it) as
// crashed by abort, and pass the others.
// replaces: image_mean_sd
// expect: crash
// says: crashed in (image_mean_sd|zscore): abort \(SIGABRT\)
#include <stdlib.h>

#include "hostile/hostile.h"

void image_mean_sd(double *mean, double *sd, const double *x, int n) {
    MISBEHAVE("image_mean_sd", abort());
    reference_image_mean_sd(mean, sd, x, n);
}
