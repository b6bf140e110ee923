// ch7.c (judge): chapter 7's functions as the tests call them, each sending
// its call to the subject (see call.h). Same names and types as ch7.h.
#include "ch7.h"

#include "judge/call.h"

void per_example_loss(double *loss, const double *y, const double *t, int n, int classes) {
    Call c;
    call_begin(&c, "per_example_loss");
    CALL_OUT(&c, loss, n);
    CALL_IN(&c, y, (long)n * classes);
    CALL_IN(&c, t, (long)n * classes);
    call_int(&c, n);
    call_int(&c, classes);
    call_run(&c);
}

void top_k(int *idx, const double *x, int n, int k) {
    Call c;
    call_begin(&c, "top_k");
    CALL_OUT(&c, idx, k);
    CALL_IN(&c, x, n);
    call_int(&c, n);
    call_int(&c, k);
    call_run(&c);
}

void confusion_matrix(int *counts, const double *y, const uint8_t *labels, int n, int classes) {
    Call c;
    call_begin(&c, "confusion_matrix");
    CALL_OUT(&c, counts, (long)classes * classes);
    CALL_IN(&c, y, (long)n * classes);
    CALL_IN(&c, labels, n);
    call_int(&c, n);
    call_int(&c, classes);
    call_run(&c);
}
