// ch4.h: the exercises of chapter 4 (momentum and early stopping).
//
// exercises/ch4.c (yours) and solutions/ch4.c (the reference) both implement
// exactly these functions; the chapter program and tests/ch4/ call only this
// header. The training loop (lib/train.c) calls them through TrainOps.
#ifndef WB_CH4_H
#define WB_CH4_H

#include <stdbool.h>

//> ch4-momentum
// One step of gradient descent with momentum, the usual rule (the study's
// Algorithm 2 prints another; the chapter compares them):
//   v[i] = gamma * v[i] + rate * g[i]
//   w[i] = w[i] - v[i]
//   w: in/out [count];  v: in/out [count], the velocity (all zeros before the
//   first step);  g: in [count], the gradient.  gamma = 0 is plain SGD.
void momentum_step(double *w, double *v, const double *g, double rate, double gamma, int count);
//< ch4-momentum

//> ch4-should-stop
// Early stopping with patience. val_loss[0..epochs-1] are the validation
// losses after epochs 1..epochs. True when the lowest of them (the first one,
// if several are equal) lies `patience` or more epochs before the last: that
// many epochs in a row have brought no new best. False while epochs <= patience.
//   val_loss: in [epochs];  epochs >= 1;  patience >= 1
bool should_stop(const double *val_loss, int epochs, int patience);
//< ch4-should-stop

#endif
