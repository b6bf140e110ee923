// net.h: chapter 3's network, 784-128-10, tanh then softmax, put together
// from the layer functions of ch3.h. The chapter program uses it to compare
// backpropagation with central differences, on this network and on a small one.
#ifndef WB_CH3_NET_H
#define WB_CH3_NET_H

#include <stdint.h>

#include "error.h"

//> net-types
// The parameters of a network in one array, so that "every weight" is one
// loop; W1, b1, W2, b2 point into it. The gradient has the same shape, so
// it is a Net too: grad.W1[o * in + c] is dE/dW1[o, c].
typedef struct {
    int in, hidden, out;   // 784, 128, 10
    int count;             // hidden * in + hidden + out * hidden + out
    double *params;        // [count]
    double *W1, *b1;       // [hidden, in], [hidden]
    double *W2, *b2;       // [out, hidden], [out]
} Net;

// What the forward pass leaves behind for the backward pass, for B examples.
typedef struct {
    int B;
    double *a1, *h;        // [B, hidden]: hidden pre-activations, h = tanh(a1)
    double *a2, *y;        // [B, out]: logits, y = softmax(a2)
    double *dh, *da1;      // [B, hidden]: dE/dh, dE/da1
    double *da2;           // [B, out]: dE/da2 = y - t
} Acts;
//< net-types

// A network of the given sizes: weights drawn with `seed` from a normal with
// mean 0 and sd NET_INIT_SD, biases zero (net_init); or all zeros (net_zeros,
// for gradients).
extern const double NET_INIT_SD;
int net_init(Net *n, int in, int hidden, int out, uint64_t seed, Error *err);
int net_zeros(Net *n, int in, int hidden, int out, Error *err);
void net_free(Net *n);

int acts_alloc(Acts *a, const Net *n, int B, Error *err);
void acts_free(Acts *a);

// The forward pass of B examples x [B, in], and the loss it gives against
// one-hot targets t [B, out]: the cross-entropy summed over the examples.
void net_forward(Acts *a, const Net *n, const double *x, int B);
double net_loss(const Acts *a, const double *t, int B, int K);

// The backward pass: every dE/dparameter, summed over the B examples, into
// grad (same sizes as n). Needs the Acts of net_forward on the same x.
void net_backward(Net *grad, Acts *a, const Net *n, const double *x, const double *t, int B);

// The same pass with one deliberate mistake, to see what the check makes of it.
typedef enum {
    BUG_NO_TANH_DERIVATIVE,  // dE/da1 taken to be dE/dh: tanh' forgotten
    BUG_TANH_OF_INPUT,       // 1 - a1^2 instead of 1 - tanh(a1)^2
    BUG_DELTA_SIGN,          // t - y, the study's delta, used as a gradient
    BUG_BIAS_FIRST_EXAMPLE,  // the output bias's gradient from example 0 only
    BUG_COUNT
} Bug;
extern const char *const BUG_NAMES[BUG_COUNT];
void net_backward_broken(Net *grad, Acts *a, const Net *n, const double *x, const double *t,
                         int B, Bug bug);

// The loss of one fixed batch as a function of the weights, for
// numerical_gradient: it reads net's params as they are at the call.
typedef struct {
    const Net *net;
    Acts *acts;
    const double *x, *t;   // [B, in], [B, out]
    int B;
} Batch;
double batch_loss(void *batch);

#endif
