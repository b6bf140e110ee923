// ch5.h: the exercises of chapter 5 (L1 and L2 regularization).
//
// exercises/ch5.c (yours) and solutions/ch5.c (the reference) both implement
// exactly these functions; the chapter program and tests/ch5/ call only this
// header. The training loop (lib/train.c) adds the two gradients to each
// layer's weight gradient, not to the biases, once per batch, after the
// backward pass has summed the loss's gradient over the batch and before the
// step. No function allocates or prints.
#ifndef WB_CH5_H
#define WB_CH5_H

//> ch5-penalties
// The gradient of the L1 penalty lambda * sum |w[i]|, added to g:
//   g[i] += lambda * sign(w[i]),  with sign(0) = 0
// (|w| has no derivative at 0; 0 is the choice that leaves a weight that is
// exactly 0 where it is). Adds to what g holds: it never overwrites it.
//   g: in/out [count];  w: in [count];  lambda >= 0
void l1_gradient(double *g, const double *w, double lambda, int count);

// The gradient of the L2 penalty lambda * sum w[i]^2, added to g:
//   g[i] += 2 * lambda * w[i]
// Adds to what g holds: it never overwrites it.
//   g: in/out [count];  w: in [count];  lambda >= 0
void l2_gradient(double *g, const double *w, double lambda, int count);
//< ch5-penalties

//> ch5-penalty
// The penalty itself, the lambda C of the study's J = E + lambda C, for one
// block of weights with both kinds at once:
//   returns l1 * sum |w[i]|  +  l2 * sum w[i]^2
// Its gradient with respect to w[i] is what l1_gradient and l2_gradient add.
//   w: in [count];  l1, l2 >= 0;  count >= 0 (0 weights: 0)
double penalty(const double *w, double l1, double l2, int count);
//< ch5-penalty

#endif
