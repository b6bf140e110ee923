// net.c: chapter 3's network, put together from the exercises (see net.h).
#include "net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ch2.h"  // softmax and cross_entropy, from chapter 2
#include "ch3.h"
#include "rng.h"

// ---------------------------------------------------------------------------
// Parameters

static int net_alloc(Net *n, int in, int hidden, int out, Error *err) {
    *n = (Net){.in = in, .hidden = hidden, .out = out};
    n->count = hidden * in + hidden + out * hidden + out;
    n->params = error_calloc(err, (size_t)n->count, sizeof(double), "the network's parameters");
    if (!n->params) return -1;
    n->W1 = n->params;
    n->b1 = n->W1 + (size_t)hidden * in;
    n->W2 = n->b1 + hidden;
    n->b2 = n->W2 + (size_t)out * hidden;
    return 0;
}

int net_zeros(Net *n, int in, int hidden, int out, Error *err) {
    return net_alloc(n, in, hidden, out, err);
}

//> init
// The study does not say how it started its weights. Its Table 1 does say
// that the network it checked gave the true class a probability of 0.1004
// (the output bias's gradient y - 1 is -0.8996): almost exactly 1/10, so its
// ten logits were nearly equal, which is what small initial weights give.
// So every weight here is drawn from a normal with mean 0 and standard
// deviation 0.01, seeded, and every bias starts at 0.
const double NET_INIT_SD = 0.01;

int net_init(Net *n, int in, int hidden, int out, uint64_t seed, Error *err) {
    if (net_alloc(n, in, hidden, out, err) != 0) return -1;
    Rng r;
    rng_seed(&r, seed);
    for (size_t i = 0; i < (size_t)hidden * in; i++) n->W1[i] = NET_INIT_SD * rng_normal(&r);
    for (size_t i = 0; i < (size_t)out * hidden; i++) n->W2[i] = NET_INIT_SD * rng_normal(&r);
    return 0;
}
//< init

void net_free(Net *n) {
    free(n->params);
    *n = (Net){0};
}

int acts_alloc(Acts *a, const Net *n, int B, Error *err) {
    *a = (Acts){.B = B};
    size_t bh = (size_t)B * n->hidden, bo = (size_t)B * n->out;
    double *p = error_calloc(err, 4 * bh + 3 * bo, sizeof(double), "the activations");
    if (!p) return -1;
    a->a1 = p, a->h = p + bh, a->dh = p + 2 * bh, a->da1 = p + 3 * bh;
    a->a2 = p + 4 * bh, a->y = a->a2 + bo, a->da2 = a->y + bo;
    return 0;
}

void acts_free(Acts *a) {
    free(a->a1);
    *a = (Acts){0};
}

// ---------------------------------------------------------------------------
// The two passes

//> net-forward
void net_forward(Acts *a, const Net *n, const double *x, int B) {
    linear_forward(a->a1, x, n->W1, n->b1, B, n->in, n->hidden);      // a1 = x W1^T + b1
    tanh_forward(a->h, a->a1, B * n->hidden);                          // h = tanh(a1)
    linear_forward(a->a2, a->h, n->W2, n->b2, B, n->hidden, n->out);  // a2 = h W2^T + b2
    softmax(a->y, a->a2, B, n->out);                                   // y = softmax(a2)
}

// Chapter 2's cross_entropy is the mean over the batch; the study's E is the sum.
double net_loss(const Acts *a, const double *t, int B, int K) {
    return B * cross_entropy(a->y, t, B, K);
}
//< net-forward

//> net-backward
void net_backward(Net *grad, Acts *a, const Net *n, const double *x, const double *t, int B) {
    // The output layer: delta = y - t, then dW2, db2 and dE/dh from it.
    output_delta(a->da2, a->y, t, B, n->out);
    linear_backward(a->dh, grad->W2, grad->b2, a->da2, a->h, n->W2, B, n->hidden, n->out);
    // Back through tanh: the hidden delta, g'(a1) times the weighted output deltas.
    tanh_backward(a->da1, a->dh, a->h, B * n->hidden);
    // The hidden layer: dW1 and db1; nothing below it needs a derivative.
    linear_backward(NULL, grad->W1, grad->b1, a->da1, x, n->W1, B, n->in, n->hidden);
}
//< net-backward

const char *const BUG_NAMES[BUG_COUNT] = {
    "Derivative of tanh left out",
    "Derivative of tanh taken at its input",
    "Sign of the output delta flipped",
    "Output bias summed over one example",
};

//> net-backward-broken
void net_backward_broken(Net *grad, Acts *a, const Net *n, const double *x, const double *t,
                         int B, Bug bug) {
    if (bug == BUG_DELTA_SIGN)
        output_delta(a->da2, t, a->y, B, n->out);               // t - y: arguments swapped
    else
        output_delta(a->da2, a->y, t, B, n->out);
    linear_backward(a->dh, grad->W2, grad->b2, a->da2, a->h, n->W2, B, n->hidden, n->out);
    if (bug == BUG_BIAS_FIRST_EXAMPLE)                          // forgot the loop over b
        for (int o = 0; o < n->out; o++) grad->b2[o] = a->da2[o];
    if (bug == BUG_NO_TANH_DERIVATIVE)
        memcpy(a->da1, a->dh, sizeof(double) * (size_t)B * n->hidden);  // dE/da1 = dE/dh
    else if (bug == BUG_TANH_OF_INPUT)
        tanh_backward(a->da1, a->dh, a->a1, B * n->hidden);     // 1 - a1^2, not 1 - h^2
    else
        tanh_backward(a->da1, a->dh, a->h, B * n->hidden);
    linear_backward(NULL, grad->W1, grad->b1, a->da1, x, n->W1, B, n->in, n->hidden);
}
//< net-backward-broken

//> batch-loss
double batch_loss(void *batch) {
    Batch *bt = batch;
    net_forward(bt->acts, bt->net, bt->x, bt->B);
    return net_loss(bt->acts, bt->t, bt->B, bt->net->out);
}
//< batch-loss
