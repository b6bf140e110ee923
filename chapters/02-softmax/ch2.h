// ch2.h: the exercises of chapter 2 (softmax regression).
//
// exercises/ch2.c (yours) and solutions/ch2.c (the reference) both implement
// exactly these functions; the chapter program and tests/ch2/ call only this
// header. Sizes come last, outputs first. No function allocates or prints.
//
// The model: n examples x (one per row, dim pixels each), weights w with one
// column per class, a bias b per class.
//   logits         a = x w + b                         [n, classes]
//   probabilities  y = softmax(a), row by row          [n, classes]
//   loss           E = -sum_i sum_k t_ik ln y_ik       (t: one-hot targets)
#ifndef WB_CH2_H
#define WB_CH2_H

#include <stdint.h>

//> ch2-contract
//> ch2-logits
// The logits of a batch: a[i,k] = b[k] + sum_j x[i,j] w[j,k]. The product
// goes through matmul() (lib/linalg.h).
//   a: out [n, classes];  x: in [n, dim];  w: in [dim, classes];  b: in [classes]
void logits(double *a, const double *x, const double *w, const double *b, int n, int dim,
            int classes);
//< ch2-logits

//> ch2-softmax
// Softmax of each row: y[i,k] = exp(a[i,k]) / sum_j exp(a[i,j]), computed as
// exp(a[i,k] - m) / sum_j exp(a[i,j] - m) with m the largest a[i,j] of the
// row, so that no exp() overflows: every row of y is finite, and sums to 1,
// for any finite a (1e308 and -1e308 included).
//   y: out [n, classes];  a: in [n, classes]  (y may be a: in place is allowed)
void softmax(double *y, const double *a, int n, int classes);
//< ch2-softmax

//> ch2-cross-entropy
// The cross-entropy of a batch, the MEAN over its n rows of
//   -sum_k t[i,k] ln(clip(y[i,k])),   clip(p) = min(max(p, 1e-15), 1 - 1e-15),
// which keeps ln() finite when a probability is 0 or 1 (a one-hot row costs
// at most -ln(1e-15) = 34.54).
// t is one-hot in this book, but any t must work with the same formula.
//   y: in [n, classes] (probabilities);  t: in [n, classes];  n >= 1
double cross_entropy(const double *y, const double *t, int n, int classes);
//< ch2-cross-entropy

//> ch2-gradient
// The gradient of the batch's SUMMED cross-entropy (n * cross_entropy()),
// for y = softmax(x w + b), with respect to w and b:
//   da[i,k] = y[i,k] - t[i,k]                 (the gradient at the logits)
//   gw[j,k] = sum_i x[i,j] da[i,k]            (x transposed times da: matmul)
//   gb[k]   = sum_i da[i,k]
// Summed over the batch, not averaged, as the study's Algorithm 1 does. The
// study's delta, t - y, is -da: descending this gradient adds rate * delta * x.
//   gw: out [dim, classes];  gb: out [classes];  da: out [n, classes]
//   x: in [n, dim];  y, t: in [n, classes]
void softmax_gradient(double *gw, double *gb, double *da, const double *x, const double *y,
                      const double *t, int n, int dim, int classes);
//< ch2-gradient

//> ch2-sgd-step
// One step downhill: w[i] = w[i] - rate * g[i] for i < count; nothing else
// is touched.
//   w: in and out [count];  g: in [count]
void sgd_step(double *w, const double *g, double rate, int count);
//< ch2-sgd-step

//> ch2-count-correct
// How many rows of y have their largest entry in the column of their label.
// The prediction is the FIRST largest entry when several are equal (so a
// model whose rows are all equal predicts 0 every time).
//   y: in [n, classes];  labels: in [n]
int count_correct(const double *y, const uint8_t *labels, int n, int classes);
//< ch2-count-correct
//< ch2-contract

#endif
