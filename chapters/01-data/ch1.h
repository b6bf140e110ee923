// ch1.h: the exercises of chapter 1 (data loading).
//
// exercises/ch1.c (yours) and solutions/ch1.c (the reference) both implement
// exactly these functions; the chapter program and tests/ch1/ call only this
// header. Sizes come last, outputs first. No function allocates or prints.
#ifndef WB_CH1_H
#define WB_CH1_H

#include <stdint.h>

//> ch1-contract
// The mean and the standard deviation of n values, the standard deviation over
// n (not n - 1), as the study defines them for one image. It must stay
// accurate when sd is tiny beside the mean (the tests try sd = 0.001 around a
// mean of 100), which the one-pass formula E[x^2] - E[x]^2 is not.
//   mean, sd: out, one double each;  x: in [n]
void image_mean_sd(double *mean, double *sd, const double *x, int n);

// The z-score of one image: z[i] = (x[i] - mean) / sd, with this image's own
// mean and standard deviation. A blank image (sd == 0) gives all zeros.
//   z: out [n];  x: in [n]  (z and x may be the same array)
void zscore(double *z, const double *x, int n);

// One-hot targets: row i of t is all zeros but a 1 in column labels[i].
//   t: out [n, classes];  labels: in [n], each below classes
void one_hot(double *t, const uint8_t *labels, int n, int classes);

// The mean image of one digit: out[p] is the average of pixel p over the
// images whose label is `digit`. Returns how many there were; when there are
// none, out is all zeros and the result is 0.
//   out: out [dim];  pixels: in [n, dim];  labels: in [n]
int class_mean_image(double *out, const uint8_t *pixels, const uint8_t *labels, int n, int dim,
                     int digit);
//< ch1-contract

#endif
