// ch2.c (judge): chapter 2's functions as the tests call them, each sending
// its call to the subject (see call.h). Same names and types as ch2.h.
#include "ch2.h"

#include "judge/call.h"

void logits(double *a, const double *x, const double *w, const double *b, int n, int dim,
            int classes) {
    Call c;
    call_begin(&c, "logits");
    CALL_OUT(&c, a, (long)n * classes);
    CALL_IN(&c, x, (long)n * dim);
    CALL_IN(&c, w, (long)dim * classes);
    CALL_IN(&c, b, classes);
    call_int(&c, n);
    call_int(&c, dim);
    call_int(&c, classes);
    call_run(&c);
}

void softmax(double *y, const double *a, int n, int classes) {
    Call c;
    call_begin(&c, "softmax");
    CALL_OUT(&c, y, (long)n * classes);
    CALL_IN(&c, a, (long)n * classes);
    call_int(&c, n);
    call_int(&c, classes);
    call_run(&c);
}

double cross_entropy(const double *y, const double *t, int n, int classes) {
    Call c;
    call_begin(&c, "cross_entropy");
    CALL_IN(&c, y, (long)n * classes);
    CALL_IN(&c, t, (long)n * classes);
    call_int(&c, n);
    call_int(&c, classes);
    return call_run_double(&c);
}

void softmax_gradient(double *gw, double *gb, double *da, const double *x, const double *y,
                      const double *t, int n, int dim, int classes) {
    Call c;
    call_begin(&c, "softmax_gradient");
    CALL_OUT(&c, gw, (long)dim * classes);
    CALL_OUT(&c, gb, classes);
    CALL_OUT(&c, da, (long)n * classes);
    CALL_IN(&c, x, (long)n * dim);
    CALL_IN(&c, y, (long)n * classes);
    CALL_IN(&c, t, (long)n * classes);
    call_int(&c, n);
    call_int(&c, dim);
    call_int(&c, classes);
    call_run(&c);
}

void sgd_step(double *w, const double *g, double rate, int count) {
    Call c;
    call_begin(&c, "sgd_step");
    CALL_OUT(&c, w, count);
    CALL_IN(&c, g, count);
    call_double(&c, rate);
    call_int(&c, count);
    call_run(&c);
}

int count_correct(const double *y, const uint8_t *labels, int n, int classes) {
    Call c;
    call_begin(&c, "count_correct");
    CALL_IN(&c, y, (long)n * classes);
    CALL_IN(&c, labels, n);
    call_int(&c, n);
    call_int(&c, classes);
    return (int)call_run_int(&c);
}
