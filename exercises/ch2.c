// ch2.c: your exercises for chapter 2 (softmax regression). The contract of
// each function is in chapters/02-softmax/ch2.h; `make check-ch2` grades them
// and `make ch2` runs the chapter on them.
#include "ch2.h"

#include <math.h>
#include <string.h>

#include "exercise.h"
#include "linalg.h"

void logits(double *a, const double *x, const double *w, const double *b, int n, int dim,
            int classes) {
    // TODO: copy b into every row of a, then add x w on top with one matmul()
    // (beta = 1 keeps what a already holds).
    (void)a, (void)x, (void)w, (void)b, (void)n, (void)dim, (void)classes;
    TODO("logits");
}

//> stub-softmax
void softmax(double *y, const double *a, int n, int classes) {
    // TODO: for each row, find its largest logit m, then exp(a - m), then
    // divide by their sum. Read a[i,k] before you write y[i,k] (y may be a).
    (void)y, (void)a, (void)n, (void)classes;
    TODO("softmax");
}
//< stub-softmax

double cross_entropy(const double *y, const double *t, int n, int classes) {
    // TODO: clip each probability to [1e-15, 1 - 1e-15], add up -t ln(p)
    // over the whole batch, and return the mean over the n rows.
    (void)y, (void)t, (void)n, (void)classes;
    TODO("cross_entropy");
}

void softmax_gradient(double *gw, double *gb, double *da, const double *x, const double *y,
                      const double *t, int n, int dim, int classes) {
    // TODO: da = y - t; gw = x^T da with one matmul() (trans_a = true);
    // gb = the column sums of da. Sums over the batch, not means.
    (void)gw, (void)gb, (void)da, (void)x, (void)y, (void)t, (void)n, (void)dim, (void)classes;
    TODO("softmax_gradient");
}

void sgd_step(double *w, const double *g, double rate, int count) {
    // TODO: w[i] -= rate * g[i] for the first count entries.
    (void)w, (void)g, (void)rate, (void)count;
    TODO("sgd_step");
}

int count_correct(const double *y, const uint8_t *labels, int n, int classes) {
    // TODO: for each row, the column of its first largest entry; count the
    // rows where that column is the label.
    (void)y, (void)labels, (void)n, (void)classes;
    TODO("count_correct");
}
