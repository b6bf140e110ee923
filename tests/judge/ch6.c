// ch6.c (judge): chapter 6's functions as the tests call them, each sending
// its call to the subject (see call.h). Same names and types as ch6.h.
#include "ch6.h"

#include "judge/call.h"

// An activation's forward pass: out may be inp.
static void forward(const char *name, double *out, const double *inp, int n) {
    Call c;
    call_begin(&c, name);
    CALL_OUT(&c, out, n);
    CALL_IN(&c, inp, n);
    call_int(&c, n);
    call_run(&c);
}

// Its backward pass, from the forward pass's output: dinp may be dout.
static void backward(const char *name, double *dinp, const double *dout, const double *out, int n) {
    Call c;
    call_begin(&c, name);
    CALL_OUT(&c, dinp, n);
    CALL_IN(&c, dout, n);
    CALL_IN(&c, out, n);
    call_int(&c, n);
    call_run(&c);
}

void sigmoid_forward(double *out, const double *inp, int n) { forward("sigmoid_forward", out, inp, n); }
void relu_forward(double *out, const double *inp, int n) { forward("relu_forward", out, inp, n); }

void sigmoid_backward(double *dinp, const double *dout, const double *out, int n) {
    backward("sigmoid_backward", dinp, dout, out, n);
}

void relu_backward(double *dinp, const double *dout, const double *out, int n) {
    backward("relu_backward", dinp, dout, out, n);
}
