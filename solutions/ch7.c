// ch7.c: the reference solutions of chapter 7 (the hardest digits). The
// contract of each function is in chapters/07-hardest/ch7.h.
#include "ch7.h"

#include <math.h>
#include <stddef.h>

void per_example_loss(double *loss, const double *y, const double *t, int n, int classes) {
    const double lo = 1e-15, hi = 1.0 - 1e-15;
    for (int i = 0; i < n; i++) {
        const double *yi = y + (size_t)i * classes, *ti = t + (size_t)i * classes;
        double sum = 0.0;
        for (int k = 0; k < classes; k++) {
            if (ti[k] == 0.0) continue;  // 0 * ln(p) is 0, as in cross_entropy()
            sum -= ti[k] * log(fmin(fmax(yi[k], lo), hi));
        }
        loss[i] = sum;
    }
}

void top_k(int *idx, const double *x, int n, int k) {
    // idx[0..m-1] holds the k largest seen so far, in order. Each new index
    // goes in below every value at least as large as its own: an equal value
    // seen earlier (a lower index) stays in front of it.
    int m = 0;
    for (int i = 0; i < n && k > 0; i++) {
        if (m == k && !(x[i] > x[idx[k - 1]])) continue;  // not among the k largest
        int p = m < k ? m++ : k - 1;                      // the last place, or a new one
        while (p > 0 && x[i] > x[idx[p - 1]]) {
            idx[p] = idx[p - 1];
            p--;
        }
        idx[p] = i;
    }
}

void confusion_matrix(int *counts, const double *y, const uint8_t *labels, int n, int classes) {
    for (int c = 0; c < classes * classes; c++) counts[c] = 0;
    for (int i = 0; i < n; i++) {
        const double *yi = y + (size_t)i * classes;
        int best = 0;
        for (int k = 1; k < classes; k++)
            if (yi[k] > yi[best]) best = k;  // strictly larger: ties keep the first
        counts[labels[i] * classes + best]++;
    }
}
