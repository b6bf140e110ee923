// ch5.c: the reference solutions of chapter 5 (L1 and L2 regularization). The
// contract of each function is in chapters/05-regularization/ch5.h.
#include "ch5.h"

#include <math.h>

void l1_gradient(double *g, const double *w, double lambda, int count) {
    for (int i = 0; i < count; i++) g[i] += lambda * ((w[i] > 0) - (w[i] < 0));
}

void l2_gradient(double *g, const double *w, double lambda, int count) {
    for (int i = 0; i < count; i++) g[i] += 2.0 * lambda * w[i];
}

double penalty(const double *w, double l1, double l2, int count) {
    double abs_sum = 0.0, sq_sum = 0.0;
    for (int i = 0; i < count; i++) abs_sum += fabs(w[i]), sq_sum += w[i] * w[i];
    return l1 * abs_sum + l2 * sq_sum;
}
