// ch3.c: your exercises for chapter 3 (backpropagation and the gradient
// check). The contract of each function is in chapters/03-backprop/ch3.h;
// `make check-ch3` grades them and `make ch3` runs the chapter on them.
#include "ch3.h"

#include <math.h>
#include <stddef.h>

#include "exercise.h"
#include "linalg.h"

void linear_forward(double *out, const double *inp, const double *W, const double *bias, int B,
                    int C, int OC) {
    // TODO: out = inp W^T with one matmul (lib/linalg.h; beta 0 overwrites
    // out), then add bias[o] to column o of every row.
    (void)out, (void)inp, (void)W, (void)bias, (void)B, (void)C, (void)OC;
    TODO("linear_forward");
}

void linear_backward(double *dinp, double *dW, double *dbias, const double *dout,
                     const double *inp, const double *W, int B, int C, int OC) {
    // TODO: dinp = dout W (only when dinp is not NULL), dW = dout^T inp, and
    // dbias[o] = the sum over the batch of dout[b, o]. Overwrite, do not add.
    (void)dinp, (void)dW, (void)dbias, (void)dout, (void)inp, (void)W, (void)B, (void)C, (void)OC;
    TODO("linear_backward");
}

void tanh_forward(double *out, const double *inp, int n) {
    // TODO: out[i] = tanh(inp[i]).
    (void)out, (void)inp, (void)n;
    TODO("tanh_forward");
}

void tanh_backward(double *dinp, const double *dout, const double *out, int n) {
    // TODO: dinp[i] = dout[i] * (1 - out[i]^2), from tanh's output, not its input.
    (void)dinp, (void)dout, (void)out, (void)n;
    TODO("tanh_backward");
}

void output_delta(double *delta, const double *y, const double *t, int B, int K) {
    // TODO: delta = y - t, element by element, over all B * K entries.
    (void)delta, (void)y, (void)t, (void)B, (void)K;
    TODO("output_delta");
}

//> stub-numerical-gradient
double numerical_gradient(double *w, double eps, double (*loss)(void *ctx), void *ctx) {
    // TODO: save *w; the loss at *w = saved + eps and at *w = saved - eps;
    // put the saved value back; return the difference over 2 eps.
    (void)w, (void)eps, (void)loss, (void)ctx;
    TODO("numerical_gradient");
}
//< stub-numerical-gradient

void net_forward(Acts *acts, const Net *net, const double *x, const Layers *layers, int B) {
    // TODO: for each layer l from the first: layers->linear_forward into
    // acts->a[l], from x for l = 0 and from acts->h[l - 1] after; then
    // layers->act_forward into acts->h[l], or, for the last layer,
    // layers->softmax (row by row: B rows of net->sizes[L] classes).
    (void)acts, (void)net, (void)x, (void)layers, (void)B;
    TODO("net_forward");
}

void net_backward(Net *grad, Acts *acts, const Net *net, const double *x, const double *t,
                  const Layers *layers, int B) {
    // TODO: layers->output_delta into acts->d[L - 1]; then from the last
    // layer down: layers->linear_backward into grad->W[l] and grad->b[l]
    // (and into acts->d[l - 1] when l > 0: NULL for the first layer), then,
    // when l > 0, layers->act_backward on acts->d[l - 1], in place, from
    // acts->h[l - 1], the activation's output.
    (void)grad, (void)acts, (void)net, (void)x, (void)t, (void)layers, (void)B;
    TODO("net_backward");
}
