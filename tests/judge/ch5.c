// ch5.c (judge): chapter 5's functions as the tests call them, each sending
// its call to the subject (see call.h). Same names and types as ch5.h.
#include "ch5.h"

#include "judge/call.h"

// l1_gradient and l2_gradient: g is added to, so it goes as it is.
static void penalty_gradient(const char *name, double *g, const double *w, double lambda, int count) {
    Call c;
    call_begin(&c, name);
    CALL_OUT(&c, g, count);
    CALL_IN(&c, w, count);
    call_double(&c, lambda);
    call_int(&c, count);
    call_run(&c);
}

void l1_gradient(double *g, const double *w, double lambda, int count) {
    penalty_gradient("l1_gradient", g, w, lambda, count);
}

void l2_gradient(double *g, const double *w, double lambda, int count) {
    penalty_gradient("l2_gradient", g, w, lambda, count);
}

double penalty(const double *w, double l1, double l2, int count) {
    Call c;
    call_begin(&c, "penalty");
    CALL_IN(&c, w, count);
    call_double(&c, l1);
    call_double(&c, l2);
    call_int(&c, count);
    return call_run_double(&c);
}
