// ch5.c: your exercises for chapter 5 (L1 and L2 regularization). The contract
// of each function is in chapters/05-regularization/ch5.h; `make check-ch5`
// grades them and `make ch5` runs the chapter on them.
#include "ch5.h"

#include "exercise.h"

//> stub-l1
void l1_gradient(double *g, const double *w, double lambda, int count) {
    // TODO: add lambda times the sign of each weight to g (0 for a weight of
    // 0); add to g[i], do not overwrite it.
    (void)g, (void)w, (void)lambda, (void)count;
    TODO("l1_gradient");
}
//< stub-l1

void l2_gradient(double *g, const double *w, double lambda, int count) {
    // TODO: add 2 lambda times each weight to g; add, do not overwrite.
    (void)g, (void)w, (void)lambda, (void)count;
    TODO("l2_gradient");
}

double penalty(const double *w, double l1, double l2, int count) {
    // TODO: sum |w[i]| and w[i]^2 over the block, and return l1 times the
    // first plus l2 times the second.
    (void)w, (void)l1, (void)l2, (void)count;
    TODO("penalty");
}
