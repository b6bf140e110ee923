// ch3.c: the reference solutions of chapter 3 (backpropagation and the
// gradient check). The contract of each function is in chapters/03-backprop/ch3.h.
#include "ch3.h"

#include <math.h>
#include <stddef.h>

#include "linalg.h"

void linear_forward(double *out, const double *inp, const double *W, const double *bias, int B,
                    int C, int OC) {
    // out = inp W^T: [B, C] times [C, OC]; beta 0 overwrites whatever out held.
    matmul(out, inp, W, B, OC, C, false, true, 1.0, 0.0);
    for (int b = 0; b < B; b++) {
        double *row = out + (size_t)b * OC;
        for (int o = 0; o < OC; o++) row[o] += bias[o];
    }
}

void linear_backward(double *dinp, double *dW, double *dbias, const double *dout,
                     const double *inp, const double *W, int B, int C, int OC) {
    // dinp = dout W: [B, OC] times [OC, C]. Each input feeds every output unit,
    // so its derivative sums the deltas of all of them, weighted.
    if (dinp) matmul(dinp, dout, W, B, C, OC, false, false, 1.0, 0.0);
    // dW = dout^T inp: [OC, B] times [B, C], the sum over the batch of each
    // example's outer product delta x^T.
    matmul(dW, dout, inp, OC, C, B, true, false, 1.0, 0.0);
    // The bias is a weight on an input that is always 1.
    for (int o = 0; o < OC; o++) dbias[o] = 0.0;
    for (int b = 0; b < B; b++)
        for (int o = 0; o < OC; o++) dbias[o] += dout[(size_t)b * OC + o];
}

void tanh_forward(double *out, const double *inp, int n) {
    for (int i = 0; i < n; i++) out[i] = tanh(inp[i]);
}

void tanh_backward(double *dinp, const double *dout, const double *out, int n) {
    for (int i = 0; i < n; i++) dinp[i] = dout[i] * (1.0 - out[i] * out[i]);
}

void output_delta(double *delta, const double *y, const double *t, int B, int K) {
    for (size_t i = 0; i < (size_t)B * K; i++) delta[i] = y[i] - t[i];
}

double numerical_gradient(double *w, double eps, double (*loss)(void *ctx), void *ctx) {
    const double w0 = *w;
    *w = w0 + eps;
    double plus = loss(ctx);
    *w = w0 - eps;
    double minus = loss(ctx);
    *w = w0;
    return (plus - minus) / (2.0 * eps);
}

// The layers in order, each reading what the one before it wrote.
void net_forward(Acts *acts, const Net *net, const double *x, const Layers *layers, int B) {
    int L = net->n_layers;
    const double *inp = x;
    for (int l = 0; l < L; l++) {
        int C = net->sizes[l], OC = net->sizes[l + 1];
        layers->linear_forward(acts->a[l], inp, net->W[l], net->b[l], B, C, OC);
        if (l < L - 1)
            layers->act_forward(acts->h[l], acts->a[l], B * OC);
        else
            layers->softmax(acts->h[l], acts->a[l], B, OC);
        inp = acts->h[l];
    }
}

// The same layers backwards: each linear layer hands the gradient at its
// input to the activation below it, which carries it through to that layer's
// linear output.
void net_backward(Net *grad, Acts *acts, const Net *net, const double *x, const double *t,
                  const Layers *layers, int B) {
    int L = net->n_layers;
    layers->output_delta(acts->d[L - 1], acts->h[L - 1], t, B, net->sizes[L]);
    for (int l = L - 1; l >= 0; l--) {
        int C = net->sizes[l], OC = net->sizes[l + 1];
        const double *inp = l > 0 ? acts->h[l - 1] : x;
        layers->linear_backward(l > 0 ? acts->d[l - 1] : NULL, grad->W[l], grad->b[l], acts->d[l],
                                inp, net->W[l], B, C, OC);
        if (l > 0) layers->act_backward(acts->d[l - 1], acts->d[l - 1], acts->h[l - 1], B * C);
    }
}
