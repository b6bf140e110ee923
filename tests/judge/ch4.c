// ch4.c (judge): chapter 4's functions as the tests call them, each sending
// its call to the subject (see call.h). Same names and types as ch4.h.
#include "ch4.h"

#include "judge/call.h"

void momentum_step(double *w, double *v, const double *g, double rate, double gamma, int count) {
    Call c;
    call_begin(&c, "momentum_step");
    CALL_OUT(&c, w, count);
    CALL_OUT(&c, v, count);
    CALL_IN(&c, g, count);
    call_double(&c, rate);
    call_double(&c, gamma);
    call_int(&c, count);
    call_run(&c);
}

bool should_stop(const double *val_loss, int epochs, int patience) {
    Call c;
    call_begin(&c, "should_stop");
    CALL_IN(&c, val_loss, epochs);
    call_int(&c, epochs);
    call_int(&c, patience);
    return call_run_int(&c) != 0;
}
