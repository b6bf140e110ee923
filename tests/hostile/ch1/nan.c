// nan.c: image_mean_sd does its work, then returns NaN for the mean. The
// grader must report the tests that reach it (image_mean_sd's, and zscore's,
// which calls it) as failed, saying what nan is, and pass the others.
// replaces: image_mean_sd
// expect: fail
// says: nan is 'not a number'
#include <math.h>

#include "hostile/hostile.h"

void image_mean_sd(double *mean, double *sd, const double *x, int n) {
    reference_image_mean_sd(mean, sd, x, n);
    MISBEHAVE("image_mean_sd", *mean = NAN);
}
