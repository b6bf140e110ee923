// ch5.h: the exercises of chapter 5 (L1 and L2 regularization).
//
// exercises/ch5.c (yours) and solutions/ch5.c (the reference) both implement
// exactly these functions; the chapter program and tests/ch5/ call only this
// header. The training loop (lib/train.c) adds them to each layer's weight
// gradient (not to the biases) before the step.
#ifndef WB_CH5_H
#define WB_CH5_H

//> ch5-penalties
// The gradient of the L1 penalty lambda * sum |w|, added to g:
//   g[i] += lambda * sign(w[i]),  with sign(0) = 0
//   g: in/out [count];  w: in [count]
void l1_gradient(double *g, const double *w, double lambda, int count);

// The gradient of the L2 penalty lambda * sum w^2, added to g:
//   g[i] += 2 * lambda * w[i]
//   g: in/out [count];  w: in [count]
void l2_gradient(double *g, const double *w, double lambda, int count);
//< ch5-penalties

#endif
