// ch3.h: the exercises of chapter 3 (backpropagation and the gradient check).
//
// exercises/ch3.c (yours) and solutions/ch3.c (the reference) both implement
// exactly these functions; the chapter program and tests/ch3/ call only this
// header. Outputs come first, sizes last. No function allocates or prints.
//
// Matrices are row-major (lib/linalg.h): row b of an [B, C] array starts at
// b * C. A layer's weights are stored one row per output unit, W[o * C + c]
// being the weight from input c to output o, as in llm.c.
#ifndef WB_CH3_H
#define WB_CH3_H

#include "net.h"

//> ch3-contract
//> ch3-linear-forward
// A fully connected layer, for each of B examples:
//   out[b, o] = bias[o] + sum over c of inp[b, c] * W[o, c]
//   out: out [B, OC];  inp: in [B, C];  W: in [OC, C];  bias: in [OC]
void linear_forward(double *out, const double *inp, const double *W, const double *bias, int B,
                    int C, int OC);
//< ch3-linear-forward

//> ch3-linear-backward
// Its backward pass. Given dout[b, o], the derivative of the loss with respect
// to out[b, o], it writes the derivatives with respect to the layer's input,
// weights and bias. dW and dbias are summed over the B examples (the study sums
// the gradient over a batch, it does not average it). Every output is
// overwritten, never added to. dinp may be NULL: the first layer of a network
// needs no derivative with respect to the pixels.
//   dinp: out [B, C] or NULL;  dW: out [OC, C];  dbias: out [OC]
//   dout: in [B, OC];  inp: in [B, C], what the forward pass read;  W: in [OC, C]
void linear_backward(double *dinp, double *dW, double *dbias, const double *dout,
                     const double *inp, const double *W, int B, int C, int OC);
//< ch3-linear-backward

//> ch3-tanh
// tanh, element by element: out[i] = tanh(inp[i]), which lies in [-1, 1]
// for every finite input, however large (1e300 gives 1, not NaN).
//   out: out [n];  inp: in [n]  (out may be inp)
void tanh_forward(double *out, const double *inp, int n);

// Its backward pass, from what the forward pass wrote:
//   dinp[i] = dout[i] * (1 - out[i]^2),  since tanh'(a) = 1 - tanh(a)^2
//   dinp: out [n];  dout: in [n];  out: in [n], tanh_forward's output  (dinp may be dout)
void tanh_backward(double *dinp, const double *dout, const double *out, int n);
//< ch3-tanh

//> ch3-output-delta
// The output delta of softmax followed by cross-entropy: the derivative of
// E = -sum_k t[b, k] ln y[b, k] with respect to the logits, for each example:
//   delta[b, k] = y[b, k] - t[b, k]
//   delta: out [B, K];  y: in [B, K], softmax's output;  t: in [B, K], one-hot
//   (delta may be y)
void output_delta(double *delta, const double *y, const double *t, int B, int K);
//< ch3-output-delta

//> ch3-numerical-gradient
// The slope of a loss with respect to the one weight *w, by central
// differences. loss(ctx) computes the loss from the weights as they are at
// the call (ctx says which network and which examples). With w0 the value of
// *w on entry, the result is
//   (loss(ctx) with *w = w0 + eps  -  loss(ctx) with *w = w0 - eps) / (2 eps)
// Only *w changes; every other weight stays as it is. On return *w holds w0
// again, bit for bit: save it and put it back (w0 + eps - eps is not always w0
// in floating point).
//   w: in/out, one weight inside whatever ctx describes;  eps > 0
double numerical_gradient(double *w, double eps, double (*loss)(void *ctx), void *ctx);
//< ch3-numerical-gradient

//> ch3-net-forward
// The forward pass of a whole network (net.h) for B examples, from its first
// layer to its last, with L = net->n_layers and each step one call of
// `layers`:
//   acts->a[l] = layer l's linear output (layers->linear_forward, with
//                net->W[l] and net->b[l]) of its input: x for the first
//                layer, acts->h[l - 1] for the others;
//   acts->h[l] = the activation of a[l] (layers->act_forward) for a hidden
//                layer, l < L - 1; for the last, the softmax of a[L - 1]
//                (layers->softmax): the probabilities y.
// Rows 0 .. B-1 of every a[l] and h[l] are written, and nothing else.
//   acts: out (a, h), B <= acts->cap;  net: in;  x: in [B, net->sizes[0]]
void net_forward(Acts *acts, const Net *net, const double *x, const Layers *layers, int B);
//< ch3-net-forward

//> ch3-net-backward
// The backward pass, after net_forward on the same x: the gradient of the
// batch's SUMMED cross-entropy E with respect to every weight and bias, into
// grad (a Net of the same sizes: grad->W[l], grad->b[l]), and acts->d[l] =
// dE/da[l] for every layer, from the last layer down:
//   acts->d[L - 1] = the output delta of y = acts->h[L - 1] and the targets t
//                    (layers->output_delta);
//   then for each layer l from L - 1 down to 0, with d[l] known:
//     layers->linear_backward gives grad->W[l] and grad->b[l] from d[l] and
//     the layer's input (x, or acts->h[l - 1]), and, for l > 0, dE/dh[l - 1],
//     the gradient at the layer's input, into acts->d[l - 1]. The first
//     layer's input is the pixels, which need no gradient: its dinp is NULL.
//     For l > 0, layers->act_backward then turns d[l - 1] from dE/dh[l - 1]
//     into dE/da[l - 1], in place, from the activation's OUTPUT h[l - 1].
// Every parameter of grad is overwritten; a, h, net, x and t only read.
//   grad: out;  acts: in (a, h) and out (d);  net: in;  x: in [B, net->sizes[0]];
//   t: in [B, net->sizes[L]], one-hot;  B <= acts->cap
void net_backward(Net *grad, Acts *acts, const Net *net, const double *x, const double *t,
                  const Layers *layers, int B);
//< ch3-net-backward
//< ch3-contract

#endif
