// ch7.c: your exercises for chapter 7 (the hardest digits). The contract of
// each function is in chapters/07-hardest/ch7.h; `make check-ch7` grades them
// and `make ch7` runs the chapter on them.
#include "ch7.h"

#include <math.h>

#include "exercise.h"

void per_example_loss(double *loss, const double *y, const double *t, int n, int classes) {
    // TODO: for each row i, clip each y[i,k] to [1e-15, 1 - 1e-15] and add up
    // -t[i,k] ln(y[i,k]) over k into loss[i]. No mean: one loss per row.
    (void)loss, (void)y, (void)t, (void)n, (void)classes;
    TODO("per_example_loss");
}

//> stub-top-k
void top_k(int *idx, const double *x, int n, int k) {
    // TODO: keep idx[0..m-1] sorted, largest first, as you go through x; put
    // each new index below every value at least as large as its own, so that
    // equal values keep their order. Beware of a "taken" mark such as -1: x
    // may be negative.
    (void)idx, (void)x, (void)n, (void)k;
    TODO("top_k");
}
//< stub-top-k

void confusion_matrix(int *counts, const double *y, const uint8_t *labels, int n, int classes) {
    // TODO: set all classes x classes counts to zero; then, for each row, find
    // the column of its first largest probability and add 1 at
    // counts[label * classes + column].
    (void)counts, (void)y, (void)labels, (void)n, (void)classes;
    TODO("confusion_matrix");
}
