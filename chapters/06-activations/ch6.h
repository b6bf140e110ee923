// ch6.h: the exercises of chapter 6 (activation functions).
//
// exercises/ch6.c (yours) and solutions/ch6.c (the reference) both implement
// exactly these functions; the chapter program and tests/ch6/ call only this
// header. Like chapter 3's tanh, each backward pass works from what its
// forward pass wrote, which is all that any of them needs.
#ifndef WB_CH6_H
#define WB_CH6_H

//> ch6-sigmoid
// The logistic sigmoid, element by element: out[i] = 1 / (1 + exp(-inp[i])),
// finite and in [0, 1] for every finite input (-1000 gives 0, not NaN).
//   out: out [n];  inp: in [n]  (out may be inp)
void sigmoid_forward(double *out, const double *inp, int n);

// Its backward pass: dinp[i] = dout[i] * out[i] * (1 - out[i]).
//   dinp: out [n];  dout: in [n];  out: in [n], sigmoid_forward's output  (dinp may be dout)
void sigmoid_backward(double *dinp, const double *dout, const double *out, int n);
//< ch6-sigmoid

//> ch6-relu
// The rectifier: out[i] = max(0, inp[i]).
//   out: out [n];  inp: in [n]  (out may be inp)
void relu_forward(double *out, const double *inp, int n);

// Its backward pass: dinp[i] = dout[i] where out[i] > 0, else 0. At an input
// of exactly 0 the derivative is taken as 0 (the study writes 1; from the
// output alone 0 and a negative input look the same, and the choice almost
// never matters: see the chapter).
//   dinp: out [n];  dout: in [n];  out: in [n], relu_forward's output  (dinp may be dout)
void relu_backward(double *dinp, const double *dout, const double *out, int n);
//< ch6-relu

#endif
