// ch5.c: your exercises for chapter 5 (L1 and L2 regularization). The contract
// of each function is in chapters/05-regularization/ch5.h; `make check-ch5`
// grades them and `make ch5` runs the chapter on them.
#include "ch5.h"

#include "exercise.h"

void l1_gradient(double *g, const double *w, double lambda, int count) {
    // TODO: add lambda times the sign of each weight (0 for a weight of 0).
    (void)g, (void)w, (void)lambda, (void)count;
    TODO("l1_gradient");
}

void l2_gradient(double *g, const double *w, double lambda, int count) {
    // TODO: add 2 lambda times each weight.
    (void)g, (void)w, (void)lambda, (void)count;
    TODO("l2_gradient");
}
