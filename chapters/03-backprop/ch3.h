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
//< ch3-contract

#endif
