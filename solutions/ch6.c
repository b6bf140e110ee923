// ch6.c: the reference solutions of chapter 6 (activation functions). The
// contract of each function is in chapters/06-activations/ch6.h.
#include "ch6.h"

#include <math.h>

void sigmoid_forward(double *out, const double *inp, int n) {
    for (int i = 0; i < n; i++) {
        double x = inp[i];
        // exp of a large positive number overflows; of a negative one it cannot.
        if (x >= 0) {
            out[i] = 1.0 / (1.0 + exp(-x));
        } else {
            double e = exp(x);
            out[i] = e / (1.0 + e);
        }
    }
}

void sigmoid_backward(double *dinp, const double *dout, const double *out, int n) {
    for (int i = 0; i < n; i++) dinp[i] = dout[i] * out[i] * (1.0 - out[i]);
}

void relu_forward(double *out, const double *inp, int n) {
    for (int i = 0; i < n; i++) out[i] = inp[i] > 0 ? inp[i] : 0.0;
}

void relu_backward(double *dinp, const double *dout, const double *out, int n) {
    for (int i = 0; i < n; i++) dinp[i] = out[i] > 0 ? dout[i] : 0.0;
}
