// ch7.h: the exercises of chapter 7 (the hardest digits).
//
// exercises/ch7.c (yours) and solutions/ch7.c (the reference) both implement
// exactly these functions; the chapter program and tests/ch7/ call only this
// header. Outputs come first, sizes last. No function allocates or prints.
//
// The chapter takes the network of chapter 4, trained, and looks at the test
// set one example at a time: how much each one costs (its own cross-entropy),
// which ones cost the most, and which digits the network takes for which.
#ifndef WB_CH7_H
#define WB_CH7_H

#include <stdint.h>

//> ch7-contract
//> ch7-per-example-loss
// The cross-entropy of each row on its own:
//   loss[i] = -sum_k t[i,k] ln(clip(y[i,k])),  clip(p) = min(max(p, 1e-15), 1 - 1e-15)
// the very terms whose mean chapter 2's cross_entropy() returns, clipped the
// same way, so that (loss[0] + ... + loss[n-1]) / n is cross_entropy(y, t, n,
// classes) up to rounding. With a one-hot row t[i], loss[i] is -ln of the
// probability given to the right digit: 0.69 for a coin toss, 34.54 at most.
// t is one-hot in this book, but any t must work with the same formula.
//   loss: out [n];  y: in [n, classes] (probabilities);  t: in [n, classes];  n >= 0
void per_example_loss(double *loss, const double *y, const double *t, int n, int classes);
//< ch7-per-example-loss

//> ch7-top-k
// The indices of the k largest of x[0..n-1], the largest first:
//   x[idx[0]] >= x[idx[1]] >= ... >= x[idx[k-1]],
// and no value left out is larger than x[idx[k-1]]. Equal values are taken in
// the order of their indices, the lower first, so the answer is always the
// first k entries of a stable sort of 0..n-1 by decreasing x, and a value
// equal to x[idx[k-1]] is left out only if its index is higher than every
// chosen index of that value. x is not changed; nothing past idx[k-1] is
// written; k = 0 writes nothing.
//   idx: out [k];  x: in [n], finite (any sign);  0 <= k <= n
void top_k(int *idx, const double *x, int n, int k);
//< ch7-top-k

//> ch7-confusion
// The confusion matrix of n predictions: counts[a * classes + b] is how many
// rows of y have label a and their largest probability in column b. The
// prediction is the FIRST largest entry of the row when several are equal,
// as in chapter 2's count_correct(), so the diagonal adds up to what
// count_correct() returns, and the whole matrix to n. Every entry is written:
// counts start from zero, whatever the array held.
//   counts: out [classes, classes];  y: in [n, classes];
//   labels: in [n], each below classes;  n >= 0
void confusion_matrix(int *counts, const double *y, const uint8_t *labels, int n, int classes);
//< ch7-confusion
//< ch7-contract

#endif
