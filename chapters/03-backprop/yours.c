// yours.c: step 2 of chapter 3 (yours.h).
#include "yours.h"

#include <math.h>
#include <stdio.h>

#include "batch.h"
#include "ch3.h"

#define EXPECT(ok, ...) do { if (!(ok)) chapter_wrong(ch, __VA_ARGS__); } while (0)

static bool near(double a, double b) { return fabs(a - b) <= 1e-12 * fmax(1.0, fabs(b)); }

static double square(void *w) { return *(double *)w * *(double *)w; }

// One example through a layer of two units, out = inp W^T + b, and back.
static void your_linear(const Chapter *ch) {
    const double inp[2] = {1, 2}, W[4] = {1, 0, -1, 1}, b[2] = {0.5, -0.5}, dout[2] = {1, -1};
    double out[2] = {NAN, NAN}, dinp[2] = {NAN, NAN}, db[2] = {NAN, NAN};
    double dW[4] = {NAN, NAN, NAN, NAN};
    linear_forward(out, inp, W, b, 1, 2, 2);
    EXPECT(near(out[0], 1.5) && near(out[1], 0.5),
           "linear_forward of {1, 2} by W = {1, 0; -1, 1}, b = {0.5, -0.5}: expected {1.5, 0.5}, "
           "got {%g, %g}", out[0], out[1]);
    linear_backward(dinp, dW, db, dout, inp, W, 1, 2, 2);
    EXPECT(near(dinp[0], 2) && near(dinp[1], -1) && near(dW[0], 1) && near(dW[1], 2) &&
               near(dW[2], -1) && near(dW[3], -2) && near(db[0], 1) && near(db[1], -1),
           "linear_backward of dout = {1, -1} on the same layer: expected dinp {2, -1}, dW {1, 2, "
           "-1, -2}, dbias {1, -1}; got {%g, %g}, {%g, %g, %g, %g}, {%g, %g}", dinp[0], dinp[1],
           dW[0], dW[1], dW[2], dW[3], db[0], db[1]);
}

static void your_tanh_delta_slope(const Chapter *ch) {
    double a[2] = {0, 1}, h[2] = {NAN, NAN}, dh[2] = {1, 1}, hh[2] = {0, 0.5};
    tanh_forward(h, a, 2);
    EXPECT(near(h[0], 0) && near(h[1], tanh(1.0)), "tanh_forward of {0, 1}: expected {0, %.15g}, "
           "got {%g, %.15g}", tanh(1.0), h[0], h[1]);
    tanh_backward(dh, dh, hh, 2);
    EXPECT(near(dh[0], 1) && near(dh[1], 0.75), "tanh_backward of dout {1, 1} at out {0, 0.5}: "
           "expected {1, 0.75} (1 - out^2), got {%g, %g}", dh[0], dh[1]);
    const double y[2] = {0.25, 0.75}, t[2] = {0, 1};
    double delta[2] = {NAN, NAN};
    output_delta(delta, y, t, 1, 2);
    EXPECT(near(delta[0], 0.25) && near(delta[1], -0.25), "output_delta of y {0.25, 0.75} and "
           "t {0, 1}: expected y - t = {0.25, -0.25}, got {%g, %g}", delta[0], delta[1]);
    double w = 3;
    double slope = numerical_gradient(&w, 0.1, square, &w);
    EXPECT(fabs(slope - 6) < 1e-9 && w == 3, "numerical_gradient of w^2 at w = 3, eps 0.1: "
           "expected 6 and w back at 3, got %.15g and w = %.17g", slope, w);
}

// A 784-2-10 network on two images: the passes run, y is a softmax, and the
// backward pass agrees with central differences on the output bias.
static int your_passes(const Chapter *ch, const Split *tr, const Layers *layers, Error *err) {
    Batch bt;
    if (batch_create(&bt, tr, 2, 2, layers, 7, 0.01, err) != 0) {
        batch_free(&bt);
        return -1;
    }
    batch_backprop(&bt);
    for (int b = 0; b < 2; b++) {
        double sum = 0;
        for (int k = 0; k < MNIST_CLASSES; k++) sum += bt.acts.h[1][b * MNIST_CLASSES + k];
        EXPECT(fabs(sum - 1) < 1e-9, "net_forward: row %d of the last layer's output, the "
               "probabilities, sums to %g, not 1: is it softmax's?", b, sum);
    }
    for (int k = 0; k < MNIST_CLASSES; k++) {
        double num = numerical_gradient(&bt.net.b[1][k], 1e-5, batch_loss, &bt);
        EXPECT(fabs(num - bt.grad.b[1][k]) < 1e-6, "net_backward: the gradient of the output "
               "bias %d is %g; central differences of your forward pass give %g", k,
               bt.grad.b[1][k], num);
    }
    batch_free(&bt);
    return 0;
}

int your_functions(const Chapter *ch, const Split *tr, const Layers *layers, Error *err) {
    your_linear(ch);
    your_tanh_delta_slope(ch);
    if (your_passes(ch, tr, layers, err) != 0) return -1;
    printf("      each gives the answer worked out by hand, and the passes agree with central "
           "differences\n");
    return 0;
}
