// ch1.c (judge): chapter 1's functions as the tests call them, each sending
// its call to the subject (see call.h). Same names and types as ch1.h.
#include "ch1.h"

#include "judge/call.h"

void image_mean_sd(double *mean, double *sd, const double *x, int n) {
    Call c;
    call_begin(&c, "image_mean_sd");
    CALL_OUT(&c, mean, 1);
    CALL_OUT(&c, sd, 1);
    CALL_IN(&c, x, n);
    call_int(&c, n);
    call_run(&c);
}

void zscore(double *z, const double *x, int n) {
    Call c;
    call_begin(&c, "zscore");
    CALL_OUT(&c, z, n);
    CALL_IN(&c, x, n);
    call_int(&c, n);
    call_run(&c);
}

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    Call c;
    call_begin(&c, "one_hot");
    CALL_OUT(&c, t, (long)n * classes);
    CALL_IN(&c, labels, n);
    call_int(&c, n);
    call_int(&c, classes);
    call_run(&c);
}

int class_mean_image(double *out, const uint8_t *pixels, const uint8_t *labels, int n, int dim,
                     int digit) {
    Call c;
    call_begin(&c, "class_mean_image");
    CALL_OUT(&c, out, dim);
    CALL_IN(&c, pixels, (long)n * dim);
    CALL_IN(&c, labels, n);
    call_int(&c, n);
    call_int(&c, dim);
    call_int(&c, digit);
    return (int)call_run_int(&c);
}
