// ch5.c: the reference solutions of chapter 5 (L1 and L2 regularization). The
// contract of each function is in chapters/05-regularization/ch5.h.
#include "ch5.h"

void l1_gradient(double *g, const double *w, double lambda, int count) {
    for (int i = 0; i < count; i++) g[i] += lambda * ((w[i] > 0) - (w[i] < 0));
}

void l2_gradient(double *g, const double *w, double lambda, int count) {
    for (int i = 0; i < count; i++) g[i] += 2.0 * lambda * w[i];
}
