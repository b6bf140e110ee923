// ch2.c: the reference solutions of chapter 2 (softmax regression). The
// contract of each function is in chapters/02-softmax/ch2.h.
#include "ch2.h"

#include <math.h>
#include <string.h>

#include "linalg.h"

void logits(double *a, const double *x, const double *w, const double *b, int n, int dim,
            int classes) {
    // Each row starts as the bias; the product is added on top (beta = 1).
    for (int i = 0; i < n; i++) memcpy(a + (size_t)i * classes, b, sizeof(double) * classes);
    matmul(a, x, w, n, classes, dim, false, false, 1.0, 1.0);
}

void softmax(double *y, const double *a, int n, int classes) {
    for (int i = 0; i < n; i++) {
        const double *ai = a + (size_t)i * classes;
        double *yi = y + (size_t)i * classes;
        double m = ai[0];
        for (int k = 1; k < classes; k++) m = fmax(m, ai[k]);
        // Every a - m is at most 0, so exp() stays in (0, 1]; the largest is
        // exp(0) = 1, so the sum is at least 1. Reading ai[k] before writing
        // yi[k] makes y == a safe.
        double sum = 0.0;
        for (int k = 0; k < classes; k++) {
            yi[k] = exp(ai[k] - m);
            sum += yi[k];
        }
        for (int k = 0; k < classes; k++) yi[k] /= sum;
    }
}

double cross_entropy(const double *y, const double *t, int n, int classes) {
    const double lo = 1e-15, hi = 1.0 - 1e-15;
    double total = 0.0;
    for (size_t i = 0; i < (size_t)n * classes; i++) {
        if (t[i] == 0.0) continue;  // 0 * ln(p) is 0, and skipping saves the log
        double p = fmin(fmax(y[i], lo), hi);
        total -= t[i] * log(p);
    }
    return total / n;
}

void softmax_gradient(double *gw, double *gb, double *da, const double *x, const double *y,
                      const double *t, int n, int dim, int classes) {
    for (size_t i = 0; i < (size_t)n * classes; i++) da[i] = y[i] - t[i];
    // gw = x^T da: x is stored [n, dim], so op(x) = x^T is [dim, n].
    matmul(gw, x, da, dim, classes, n, true, false, 1.0, 0.0);
    for (int k = 0; k < classes; k++) gb[k] = 0.0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < classes; k++) gb[k] += da[(size_t)i * classes + k];
}

void sgd_step(double *w, const double *g, double rate, int count) {
    for (int i = 0; i < count; i++) w[i] -= rate * g[i];
}

int count_correct(const double *y, const uint8_t *labels, int n, int classes) {
    int correct = 0;
    for (int i = 0; i < n; i++) {
        const double *yi = y + (size_t)i * classes;
        int best = 0;
        for (int k = 1; k < classes; k++)
            if (yi[k] > yi[best]) best = k;
        correct += best == labels[i];
    }
    return correct;
}
