// ch6.c: your exercises for chapter 6 (activation functions). The contract of
// each function is in chapters/06-activations/ch6.h; `make check-ch6` grades
// them and `make ch6` runs the chapter on them.
#include "ch6.h"

#include <math.h>

#include "exercise.h"

//> stub-sigmoid-forward
void sigmoid_forward(double *out, const double *inp, int n) {
    // TODO: 1 / (1 + e^-x), for each element. Take care of large inputs of
    // either sign: e^x overflows to inf beyond x = 709.78.
    (void)out, (void)inp, (void)n;
    TODO("sigmoid_forward");
}
//< stub-sigmoid-forward

void sigmoid_backward(double *dinp, const double *dout, const double *out, int n) {
    // TODO: the derivative from the output: out (1 - out).
    (void)dinp, (void)dout, (void)out, (void)n;
    TODO("sigmoid_backward");
}

void relu_forward(double *out, const double *inp, int n) {
    // TODO: max(0, x).
    (void)out, (void)inp, (void)n;
    TODO("relu_forward");
}

void relu_backward(double *dinp, const double *dout, const double *out, int n) {
    // TODO: pass the gradient where the output is positive, 0 elsewhere.
    (void)dinp, (void)dout, (void)out, (void)n;
    TODO("relu_backward");
}
