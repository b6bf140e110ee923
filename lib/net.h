// net.h: a network of fully connected layers, what its forward pass leaves
// for the backward pass, and the functions both passes are built from.
//
// The passes themselves are chapter 3's exercises (ch3.h: net_forward,
// net_backward): this file only holds the network. Chapter 3 checks them on
// 784-128-10 and 784-16-10 networks; the training loop (lib/train.h) trains
// networks of any depth with them in chapters 4 to 7.
#ifndef WB_NET_H
#define WB_NET_H

#include <stdint.h>

#include "error.h"

enum {
    NET_MAX_LAYERS = 7,   // weight layers
};

//> net-types
// Every weight and bias in one array, so that "every parameter" is one loop;
// layer l's weights W[l] and biases b[l] point into it, one row per output
// unit: W[l][o * sizes[l] + c] is the weight from input c to unit o, as in
// ch3.h's linear layer. A gradient has the same shape, so it is a Net too.
typedef struct {
    int n_layers;                    // L weight layers
    int sizes[NET_MAX_LAYERS + 1];   // sizes[0] inputs ... sizes[L] outputs
    int n_params;
    double *params;                  // [n_params]
    double *W[NET_MAX_LAYERS];       // [sizes[l+1], sizes[l]]
    double *b[NET_MAX_LAYERS];       // [sizes[l+1]]
} Net;

// What the forward pass of a batch of up to `cap` examples leaves for the
// backward pass, and what the backward pass leaves, layer by layer (rows are
// examples): each layer's linear output, its activation's output (for the
// last layer, softmax's: the probabilities), and the loss's gradient with
// respect to the linear output.
typedef struct {
    int cap;
    double *a[NET_MAX_LAYERS];       // [cap, sizes[l+1]]  a[l] = input W[l]^T + b[l]
    double *h[NET_MAX_LAYERS];       // [cap, sizes[l+1]]  h[l] = act(a[l]); h[L-1] = softmax(a[L-1])
    double *d[NET_MAX_LAYERS];       // [cap, sizes[l+1]]  d[l] = dE/da[l]
} Acts;

// The functions the passes are made of: chapter 3's layer and output delta,
// chapter 2's softmax, and the hidden layers' activation (chapter 3's tanh,
// or chapter 6's sigmoid or ReLU), whose backward pass works from its output.
typedef struct {
    void (*linear_forward)(double *out, const double *inp, const double *W, const double *bias,
                           int B, int C, int OC);
    void (*linear_backward)(double *dinp, double *dW, double *dbias, const double *dout,
                            const double *inp, const double *W, int B, int C, int OC);
    void (*act_forward)(double *out, const double *inp, int n);
    void (*act_backward)(double *dinp, const double *dout, const double *out, int n);
    void (*softmax)(double *y, const double *a, int n, int classes);
    void (*output_delta)(double *delta, const double *y, const double *t, int B, int K);
} Layers;
//< net-types

// A network of n_layers layers with sizes[0..n_layers] units, every
// parameter 0 (a gradient starts so).
int net_create(Net *net, int n_layers, const int *sizes, Error *err);
void net_free(Net *net);

// Weights from a normal distribution with standard deviation sd, or
// 1/sqrt(fan_in) when sd <= 0; biases zero. Seeded: the same seed, the same
// net. The weights are drawn layer by layer, row by row.
void net_init(Net *net, uint64_t seed, double sd);

// The activations of a batch of up to cap examples through net.
int acts_create(Acts *acts, const Net *net, int cap, Error *err);
void acts_free(Acts *acts);

#endif
