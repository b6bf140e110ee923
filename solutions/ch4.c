// ch4.c: the reference solutions of chapter 4 (momentum and early stopping).
// The contract of each function is in chapters/04-momentum/ch4.h.
#include "ch4.h"

void momentum_step(double *w, double *v, const double *g, double rate, double gamma, int count) {
    for (int i = 0; i < count; i++) {
        v[i] = gamma * v[i] + rate * g[i];
        w[i] -= v[i];
    }
}

bool should_stop(const double *val_loss, int epochs, int patience) {
    int best = 0;
    for (int e = 1; e < epochs; e++)
        if (val_loss[e] < val_loss[best]) best = e;  // strictly lower: ties keep the first
    return (epochs - 1) - best >= patience;
}
