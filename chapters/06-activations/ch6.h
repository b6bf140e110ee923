// ch6.h: the exercises of chapter 6 (activation functions).
//
// exercises/ch6.c (yours) and solutions/ch6.c (the reference) both implement
// exactly these functions; the chapter program and tests/ch6/ call only this
// header. The training loop (lib/train.c) calls them through TrainOps, as the
// hidden layer's act_forward and act_backward, where chapter 3's tanh was.
// Like chapter 3's tanh, each backward pass works from what its forward pass
// wrote, which is all that any of them needs.
#ifndef WB_CH6_H
#define WB_CH6_H

//> ch6-sigmoid
// The logistic sigmoid, element by element: out[i] = 1 / (1 + exp(-inp[i])),
// in [0, 1] for every finite input, however large: 1000 gives 1 and -1000
// gives 0 (never NaN: e^1000 overflows to inf, and inf / inf is NaN). Correct
// to a few units in the last digit wherever the answer is above 1e-300: far
// out in the tail it is small, not 0 (sigmoid(-40) = 4.25e-18). Below that
// (inputs under about -690) anything from 0 to 1e-300 is right.
//   out: out [n];  inp: in [n]  (out may be inp)
void sigmoid_forward(double *out, const double *inp, int n);

// Its backward pass, from what the forward pass wrote:
//   dinp[i] = dout[i] * out[i] * (1 - out[i]),  since sigmoid' = sigmoid (1 - sigmoid)
//   dinp: out [n];  dout: in [n];  out: in [n], sigmoid_forward's output  (dinp may be dout)
void sigmoid_backward(double *dinp, const double *dout, const double *out, int n);
//< ch6-sigmoid

//> ch6-relu
// The rectifier, element by element: out[i] = max(0, inp[i]), exactly: a
// positive input passes unchanged, anything else gives 0.
//   out: out [n];  inp: in [n]  (out may be inp)
void relu_forward(double *out, const double *inp, int n);

// Its backward pass: dinp[i] = dout[i] where out[i] > 0, else 0. ReLU has no
// derivative at 0, and this book takes 0 there, the only choice the output
// allows: an input of exactly 0 and a negative one both give out = 0. (The
// study writes 1 for x >= 0; the chapter shows why the choice almost never
// matters.)
//   dinp: out [n];  dout: in [n];  out: in [n], relu_forward's output  (dinp may be dout)
void relu_backward(double *dinp, const double *dout, const double *out, int n);
//< ch6-relu

#endif
