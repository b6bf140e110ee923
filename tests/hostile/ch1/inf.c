// inf.c: image_mean_sd does its work, then divides by n - n, so that its mean
// and sd are inf. The grader must report the tests that reach it
// (image_mean_sd's, and zscore's, which calls it, and makes nan of it) as
// failed, saying what inf or nan is, and pass the others.
// replaces: image_mean_sd
// expect: fail
// says: inf is infinity|nan is 'not a number'
#include "hostile/hostile.h"

void image_mean_sd(double *mean, double *sd, const double *x, int n) {
    reference_image_mean_sd(mean, sd, x, n);
    MISBEHAVE("image_mean_sd", *mean = 1.0 / (n - n), *sd = *mean);
}
