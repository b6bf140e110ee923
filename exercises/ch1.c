// ch1.c: your exercises for chapter 1 (data loading). The contract of each
// function is in chapters/01-data/ch1.h; `make check-ch1` grades them and
// `make ch1` runs the chapter on them.
#include "ch1.h"

#include <math.h>

#include "exercise.h"

void image_mean_sd(double *mean, double *sd, const double *x, int n) {
    // TODO: the mean of x, then the standard deviation over n.
    (void)mean, (void)sd, (void)x, (void)n;
    TODO("image_mean_sd");
}

void zscore(double *z, const double *x, int n) {
    // TODO: use image_mean_sd, then (x - mean) / sd; all zeros when sd is 0.
    (void)z, (void)x, (void)n;
    TODO("zscore");
}

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    // TODO: zero every row of t, then put a 1 in the column of its label.
    (void)t, (void)labels, (void)n, (void)classes;
    TODO("one_hot");
}

int class_mean_image(double *out, const uint8_t *pixels, const uint8_t *labels, int n, int dim,
                     int digit) {
    // TODO: add up the images labelled `digit`, then divide by how many there were.
    (void)out, (void)pixels, (void)labels, (void)n, (void)dim, (void)digit;
    TODO("class_mean_image");
}
