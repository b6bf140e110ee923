// hidden_ch3.c: the hidden tests of chapter 3 (backpropagation and the
// gradient check), instructor only.
//
// Each test runs one function of ch3.h and the reference's on the same seeded
// random cases, edge cases first (see hidden.h), and compares what they write.
// Tolerances (|got - want| <= rtol |want| + atol): the linear layer's sums
// rtol 1e-9, with an absolute part 1e-12 of the size of their terms; tanh and
// its backward pass 1e-12 and 1e-15 (element by element); output_delta 1e-15
// (a subtraction); numerical_gradient 1e-6 and 1e-9 (a difference quotient,
// whose rounding depends on the order of its operations); net_forward and
// net_backward 1e-12 and 1e-12 (the same layers, the judge's, in the same
// order: the same numbers but for a chain that sums otherwise).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch3.h"
#include "hidden/hidden.h"

REFERENCE(linear_forward);
REFERENCE(linear_backward);
REFERENCE(tanh_forward);
REFERENCE(tanh_backward);
REFERENCE(output_delta);
REFERENCE(numerical_gradient);
REFERENCE(net_forward);
REFERENCE(net_backward);

// ---------------------------------------------------------------------------

enum { FORWARD_ONE_INPUT = 1, FORWARD_ONE_OUTPUT = 2 };
static const HiddenCase FORWARD_CASES[] = {
    {"a batch of one", VALUES_NORMAL, 1, 1, "B can be 1"},
    [FORWARD_ONE_INPUT] = {"one input", VALUES_NORMAL, 1, 40, "C can be 1"},
    [FORWARD_ONE_OUTPUT] = {"one output", VALUES_NORMAL, 1, 40, "OC can be 1"},
    {"zero inputs", VALUES_ZEROS, 1, 40, "inp = 0 gives out = bias, row by row"},
    {"huge inputs (around 1e150)", VALUES_HUGE, 1, 20, "out is overwritten: it held garbage"},
    {"tiny inputs (around 1e-150)", VALUES_TINY, 1, 20, "every row gets the bias"},
    {"random shapes", VALUES_NORMAL, 1, 64,
     "W is [OC, C], one row per output: out[b,o] = bias[o] + sum_c inp[b,c] W[o,c]"},
};

static void linear_forward_trial(Trial *t) {
    int B = t->n, C = t->c == FORWARD_ONE_INPUT ? 1 : hidden_pick(t->r, 1, 300);
    int OC = t->c == FORWARD_ONE_OUTPUT ? 1 : hidden_pick(t->r, 1, 64);
    size_t ni = (size_t)B * C, nw = (size_t)OC * C, no = (size_t)B * OC;
    double *inp = hidden_input(t, "inp", ni, t->k->values);
    double *W = hidden_input(t, "W", nw, VALUES_NORMAL);
    double *bias = hidden_input(t, "bias", (size_t)OC, VALUES_NORMAL);
    hidden_seal(t);
    double *want = hidden_output(t, NULL, no, NAN), *out = hidden_output(t, "out", no, hidden_garbage(t));
    ref_linear_forward(want, inp, W, bias, B, C, OC);
    linear_forward(out, inp, W, bias, B, C, OC);
    hidden_check_arrays(t, "linear_forward");
    double scale = 1.0 + C * hidden_max_abs(inp, ni) * hidden_max_abs(W, nw);
    hidden_compare(t, "linear_forward", out, want, no, 1e-9, 1e-12 * scale);
}

GRADED_TEST(hidden_linear_forward) { HIDDEN_RUN(FORWARD_CASES, 31, linear_forward_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------

enum { BACKWARD_NO_DINP = 0, BACKWARD_ONE_INPUT = 2, BACKWARD_ONE_OUTPUT = 3 };
static const HiddenCase BACKWARD_CASES[] = {
    [BACKWARD_NO_DINP] = {"no dinp (the first layer)", VALUES_NORMAL, 1, 40,
                          "dinp may be NULL: then write dW and dbias only"},
    {"a batch of one", VALUES_NORMAL, 1, 1, "B can be 1: the sums have one term"},
    [BACKWARD_ONE_INPUT] = {"one input", VALUES_NORMAL, 1, 40, "C can be 1"},
    [BACKWARD_ONE_OUTPUT] = {"one output", VALUES_NORMAL, 1, 40, "OC can be 1"},
    {"zero deltas", VALUES_ZEROS, 1, 40, "dout = 0 gives zero gradients: overwrite, never add"},
    {"random shapes", VALUES_NORMAL, 1, 64,
     "dinp = dout W, dW = dout^T inp, dbias = the column sums of dout, summed over the batch"},
};

static void linear_backward_trial(Trial *t) {
    int B = t->n, C = t->c == BACKWARD_ONE_INPUT ? 1 : hidden_pick(t->r, 1, 200);
    int OC = t->c == BACKWARD_ONE_OUTPUT ? 1 : hidden_pick(t->r, 1, 40);
    size_t ni = (size_t)B * C, nw = (size_t)OC * C, no = (size_t)B * OC;
    double *dout = hidden_input(t, "dout", no, t->k->values);
    double *inp = hidden_input(t, "inp", ni, VALUES_NORMAL);
    double *W = hidden_input(t, "W", nw, VALUES_NORMAL);
    hidden_seal(t);
    double *wdinp = hidden_output(t, NULL, ni, NAN), *wdW = hidden_output(t, NULL, nw, NAN);
    double *wdbias = hidden_output(t, NULL, (size_t)OC, NAN);
    double *dinp = hidden_output(t, "dinp", ni, hidden_garbage(t));
    double *dW = hidden_output(t, "dW", nw, hidden_garbage(t));
    double *dbias = hidden_output(t, "dbias", (size_t)OC, hidden_garbage(t));
    int no_dinp = t->c == BACKWARD_NO_DINP;
    ref_linear_backward(no_dinp ? NULL : wdinp, wdW, wdbias, dout, inp, W, B, C, OC);
    linear_backward(no_dinp ? NULL : dinp, dW, dbias, dout, inp, W, B, C, OC);
    hidden_check_arrays(t, "linear_backward");
    double s_in = 1.0 + OC * hidden_max_abs(dout, no) * hidden_max_abs(W, nw);
    double s_w = 1.0 + B * hidden_max_abs(dout, no) * hidden_max_abs(inp, ni);
    if (!no_dinp) hidden_compare(t, "linear_backward: dinp", dinp, wdinp, ni, 1e-9, 1e-12 * s_in);
    hidden_compare(t, "linear_backward: dW", dW, wdW, nw, 1e-9, 1e-12 * s_w);
    hidden_compare(t, "linear_backward: dbias", dbias, wdbias, (size_t)OC, 1e-9, 1e-12 * B);
}

GRADED_TEST(hidden_linear_backward) { HIDDEN_RUN(BACKWARD_CASES, 32, linear_backward_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------

enum { TANH_WIDE = 4, TANH_IN_PLACE = 5 };
static const HiddenCase TANH_CASES[] = {
    {"a single value", VALUES_NORMAL, 1, 1, "n can be 1"},
    {"huge inputs (around 1e150)", VALUES_HUGE, 1, 200,
     "tanh of a huge number is +-1, not NaN: exp() of it overflows"},
    {"tiny inputs (around 1e-150)", VALUES_TINY, 1, 200, "tanh(x) is about x for tiny x"},
    {"zeros", VALUES_ZEROS, 1, 200, "tanh(0) = 0; the derivative there is dout"},
    [TANH_WIDE] = {"inputs from -20 to 20", VALUES_NORMAL, 1, 2000, "tanh saturates to +-1 past about 19"},
    [TANH_IN_PLACE] = {"in place", VALUES_NORMAL, 1, 500,
                       "out may be inp, and dinp may be dout: read each element before writing it"},
};

static void tanh_trial(Trial *t) {
    size_t n = (size_t)t->n;
    int in_place = t->c == TANH_IN_PLACE;
    double *inp = hidden_input(t, "inp", n, t->k->values);
    if (t->c == TANH_WIDE || in_place)
        for (size_t i = 0; i < n; i++) inp[i] *= 20.0;
    double *dout = hidden_input(t, "dout", n, VALUES_NORMAL);
    hidden_seal(t);
    double *want = hidden_output(t, NULL, n, NAN), *out;
    ref_tanh_forward(want, inp, t->n);
    if (in_place) {
        out = hidden_copy(t, "out", inp, n);
        tanh_forward(out, out, t->n);
    } else {
        out = hidden_output(t, "out", n, NAN);
        tanh_forward(out, inp, t->n);
    }
    hidden_check_arrays(t, "tanh_forward");
    hidden_compare(t, "tanh_forward", out, want, n, 1e-12, 1e-15);

    // the backward pass, from the reference's forward output
    double *wdinp = hidden_output(t, NULL, n, NAN), *dinp;
    ref_tanh_backward(wdinp, dout, want, t->n);
    if (in_place) {
        dinp = hidden_copy(t, "dinp", dout, n);
        tanh_backward(dinp, dinp, want, t->n);
    } else {
        dinp = hidden_output(t, "dinp", n, NAN);
        tanh_backward(dinp, dout, want, t->n);
    }
    hidden_check_arrays(t, "tanh_backward");
    t->hint = "dinp = dout (1 - out^2), from the forward pass's output, not its input";
    hidden_compare(t, "tanh_backward", dinp, wdinp, n, 1e-12, 1e-15);
}

GRADED_TEST(hidden_tanh) { HIDDEN_RUN(TANH_CASES, 33, tanh_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------

enum { DELTA_ONE_CLASS = 1, DELTA_SOFT = 2, DELTA_IN_PLACE = 3 };
static const HiddenCase DELTA_CASES[] = {
    {"a batch of one", VALUES_NORMAL, 1, 1, "B can be 1"},
    [DELTA_ONE_CLASS] = {"one class", VALUES_NORMAL, 1, 50, "K can be 1"},
    [DELTA_SOFT] = {"soft targets", VALUES_NORMAL, 1, 100, "delta = y - t, whatever t holds"},
    [DELTA_IN_PLACE] = {"in place (delta and y the same array)", VALUES_NORMAL, 1, 100, "delta may be y"},
    {"random batches", VALUES_NORMAL, 1, 500, "delta = y - t: y minus t, not t minus y"},
};

static void output_delta_trial(Trial *t) {
    int B = t->n, K = t->c == DELTA_ONE_CLASS ? 1 : hidden_pick(t->r, 2, 12);
    size_t n = (size_t)B * K;
    double *y = hidden_input(t, "y", n, VALUES_NORMAL);
    double *tt = hidden_input(t, "t", n, VALUES_NORMAL);
    for (size_t i = 0; i < n; i++) {
        y[i] = fabs(y[i]);
        tt[i] = t->c == DELTA_SOFT ? fabs(tt[i]) : (rng_below(t->r, (uint32_t)K) == 0);
    }
    hidden_seal(t);
    double *want = hidden_output(t, NULL, n, NAN), *delta;
    ref_output_delta(want, y, tt, B, K);
    if (t->c == DELTA_IN_PLACE) {
        delta = hidden_copy(t, "delta", y, n);
        output_delta(delta, delta, tt, B, K);
    } else {
        delta = hidden_output(t, "delta", n, NAN);
        output_delta(delta, y, tt, B, K);
    }
    hidden_check_arrays(t, "output_delta");
    hidden_compare(t, "output_delta", delta, want, n, 1e-15, 1e-300);
}

GRADED_TEST(hidden_output_delta) { HIDDEN_RUN(DELTA_CASES, 34, output_delta_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------

// A smooth loss of many weights: sum_i a_i sin(w_i) + b_i w_i^2. It notes
// whether a weight other than the one under test ever moved.
typedef struct {
    double *w;
    const double *orig, *a, *b;
    int n, which, others_moved;
} SmoothLoss;

static double net_loss(void *ctx) {
    SmoothLoss *m = ctx;
    double e = 0.0;
    for (int i = 0; i < m->n; i++) {
        if (i != m->which && memcmp(&m->w[i], &m->orig[i], sizeof(double)) != 0) m->others_moved = 1;
        e += m->a[i] * sin(m->w[i]) + m->b[i] * m->w[i] * m->w[i];
    }
    return e;
}

enum { GRADIENT_ZERO_WEIGHT = 1, GRADIENT_LARGE_EPS = 2, GRADIENT_SMALL_EPS = 3 };
static const HiddenCase GRADIENT_CASES[] = {
    {"one weight", VALUES_NORMAL, 1, 1, "perturb *w alone, by +eps and -eps"},
    [GRADIENT_ZERO_WEIGHT] = {"a weight of 0", VALUES_ZEROS, 1, 50,
                              "w0 - eps is negative here: that is fine"},
    [GRADIENT_LARGE_EPS] = {"a large eps", VALUES_NORMAL, 1, 50,
                            "(loss at w0 + eps - loss at w0 - eps) / (2 eps): central, not one-sided"},
    [GRADIENT_SMALL_EPS] = {"a small eps", VALUES_NORMAL, 1, 50,
                            "divide by 2 eps, and put w0 back bit for bit"},
    {"many weights", VALUES_NORMAL, 50, 500, "only *w may change; every other weight stays"},
};

static void numerical_gradient_trial(Trial *t) {
    size_t n = (size_t)t->n;
    double *w = hidden_input(t, NULL, n, VALUES_NORMAL);  // the weights as drawn
    SmoothLoss m = {.n = t->n, .a = hidden_input(t, NULL, n, VALUES_NORMAL),
             .b = hidden_input(t, NULL, n, VALUES_NORMAL)};
    for (size_t i = 0; i < n; i++) w[i] *= 3.0;
    m.which = (int)rng_below(t->r, (uint32_t)m.n);
    if (t->c == GRADIENT_ZERO_WEIGHT) w[m.which] = 0.0;
    hidden_seal(t);
    m.orig = w;
    m.w = hidden_copy(t, "the network's weights", w, n);
    double eps = t->c == GRADIENT_LARGE_EPS   ? 0.1
                 : t->c == GRADIENT_SMALL_EPS ? 1e-7
                                              : pow(10.0, -2.0 - 3.0 * rng_uniform(t->r));
    double want = ref_numerical_gradient(&m.w[m.which], eps, net_loss, &m);
    m.w[m.which] = w[m.which];
    double got = numerical_gradient(&m.w[m.which], eps, net_loss, &m);
    hidden_check_arrays(t, "numerical_gradient");
    if (m.others_moved || memcmp(m.w, w, sizeof(double) * n) != 0) {
        if (memcmp(&m.w[m.which], &w[m.which], sizeof(double)) != 0) {
            t->hint = "save w0 and assign it back at the end";
            hidden_fail(t, "numerical_gradient did not put the weight back bit for bit");
        }
        hidden_fail(t, "numerical_gradient changed a weight other than the one it was given");
    }
    hidden_compare(t, "numerical_gradient", &got, &want, 1, 1e-6, 1e-9);
}

GRADED_TEST(hidden_numerical_gradient) { HIDDEN_RUN(GRADIENT_CASES, 35, numerical_gradient_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------
// The chain, on the reference's layers (and a softmax of the test's own)

static void stable_softmax(double *y, const double *a, int n, int K) {
    for (int i = 0; i < n; i++) {
        double top = a[i * K];
        for (int k = 1; k < K; k++) top = fmax(top, a[i * K + k]);
        double sum = 0.0;
        for (int k = 0; k < K; k++) sum += y[i * K + k] = exp(a[i * K + k] - top);
        for (int k = 0; k < K; k++) y[i * K + k] /= sum;
    }
}

static const Layers REF_LAYERS = {ref_linear_forward, ref_linear_backward, ref_tanh_forward,
                                  ref_tanh_backward, stable_softmax, ref_output_delta};

enum { CHAIN_ONE_LAYER, CHAIN_TWO, CHAIN_DEEP, CHAIN_ONE, CHAIN_MNIST, CHAIN_LARGE };
static const HiddenCase CHAIN_CASES[] = {
    [CHAIN_ONE_LAYER] = {"a single layer (softmax regression)", VALUES_NORMAL, 1, 6,
                         "with one layer there is no activation: softmax comes right after it, "
                         "and its linear_backward has no dinp"},
    [CHAIN_TWO] = {"two layers", VALUES_NORMAL, 1, 6, "the hidden layer's input is x; the "
                   "output layer's is the hidden layer's h"},
    [CHAIN_DEEP] = {"four or five layers", VALUES_NORMAL, 1, 5,
                    "loop over n_layers: no number of layers is written in the chain"},
    [CHAIN_ONE] = {"a batch of one", VALUES_NORMAL, 1, 1, "B can be 1"},
    [CHAIN_MNIST] = {"784 inputs, 16 hidden units, 10 outputs", VALUES_PIXELS, 1, 3,
                     "layer l takes sizes[l] inputs to sizes[l + 1] outputs"},
    [CHAIN_LARGE] = {"large weights (saturated units)", VALUES_NORMAL, 1, 6,
                     "the activation's slope comes from its output h, which is near +-1 here"},
};

typedef struct {
    Net net, grad, ref_grad;
    Acts acts, ref_acts;
    double *x, *t;
    int B;
} ChainTrial;

static void chain_trial_free(ChainTrial *c) {
    net_free(&c->net), net_free(&c->grad), net_free(&c->ref_grad);
    acts_free(&c->acts), acts_free(&c->ref_acts);
    free(c->x), free(c->t);
}

// A random network for case t, its batch, and its arrays full of garbage.
static ChainTrial chain_trial(Trial *t) {
    ChainTrial c = {.B = t->n};
    int L = t->c == CHAIN_ONE_LAYER ? 1 : t->c == CHAIN_DEEP ? hidden_pick(t->r, 4, 5) : 2;
    int sizes[NET_MAX_LAYERS + 1];
    for (int l = 0; l <= L; l++) sizes[l] = hidden_pick(t->r, 1, 12);
    sizes[L] = hidden_pick(t->r, 2, 10);
    if (t->c == CHAIN_MNIST) sizes[0] = 784, sizes[1] = 16, sizes[2] = 10;
    Error err;
    if (net_create(&c.net, L, sizes, &err) || net_create(&c.grad, L, sizes, &err) ||
        net_create(&c.ref_grad, L, sizes, &err) || acts_create(&c.acts, &c.net, c.B, &err) ||
        acts_create(&c.ref_acts, &c.net, c.B, &err))
        ck_abort_msg("the hidden test could not make its network: %s", err.msg);
    hidden_fill(t->r, c.net.params, (size_t)c.net.n_params, VALUES_NORMAL);
    if (t->c == CHAIN_LARGE)
        for (int i = 0; i < c.net.n_params; i++) c.net.params[i] *= 20.0;
    c.x = malloc(sizeof(double) * (size_t)c.B * sizes[0]);
    c.t = calloc((size_t)c.B * sizes[L], sizeof(double));
    if (!c.x || !c.t) ck_abort_msg("the hidden test could not allocate its batch");
    hidden_fill(t->r, c.x, (size_t)c.B * sizes[0], t->k->values);
    if (t->k->values == VALUES_PIXELS)
        for (int i = 0; i < c.B * sizes[0]; i++) c.x[i] = (c.x[i] - 33.0) / 78.0;
    for (int b = 0; b < c.B; b++) c.t[b * sizes[L] + (int)rng_below(t->r, (uint32_t)sizes[L])] = 1.0;
    double g = hidden_garbage(t);
    for (int l = 0; l < L; l++) {
        size_t n = (size_t)c.B * sizes[l + 1];
        for (size_t i = 0; i < n; i++) c.acts.a[l][i] = c.acts.h[l][i] = c.acts.d[l][i] = g;
    }
    for (int i = 0; i < c.grad.n_params; i++) c.grad.params[i] = g;
    return c;
}

static void net_forward_trial(Trial *t) {
    ChainTrial c = chain_trial(t);
    int L = c.net.n_layers;
    ref_net_forward(&c.ref_acts, &c.net, c.x, &REF_LAYERS, c.B);
    net_forward(&c.acts, &c.net, c.x, &REF_LAYERS, c.B);
    for (int l = 0; l < L; l++) {
        size_t n = (size_t)c.B * c.net.sizes[l + 1];
        char what[64];
        snprintf(what, sizeof what, "net_forward: acts->a[%d]", l);
        hidden_compare(t, what, c.acts.a[l], c.ref_acts.a[l], n, 1e-12, 1e-12);
        snprintf(what, sizeof what, "net_forward: acts->h[%d]", l);
        hidden_compare(t, what, c.acts.h[l], c.ref_acts.h[l], n, 1e-12, 1e-12);
    }
    chain_trial_free(&c);
}

GRADED_TEST(hidden_net_forward) { HIDDEN_RUN(CHAIN_CASES, 36, net_forward_trial); }
END_GRADED_TEST

static void net_backward_trial(Trial *t) {
    ChainTrial c = chain_trial(t);
    int L = c.net.n_layers;
    ref_net_forward(&c.ref_acts, &c.net, c.x, &REF_LAYERS, c.B);
    for (int l = 0; l < L; l++) {
        size_t n = sizeof(double) * (size_t)c.B * c.net.sizes[l + 1];
        memcpy(c.acts.a[l], c.ref_acts.a[l], n), memcpy(c.acts.h[l], c.ref_acts.h[l], n);
    }
    ref_net_backward(&c.ref_grad, &c.ref_acts, &c.net, c.x, c.t, &REF_LAYERS, c.B);
    net_backward(&c.grad, &c.acts, &c.net, c.x, c.t, &REF_LAYERS, c.B);
    for (int l = L - 1; l >= 0; l--) {
        int C = c.net.sizes[l], OC = c.net.sizes[l + 1];
        char what[64];
        snprintf(what, sizeof what, "net_backward: acts->d[%d]", l);
        hidden_compare(t, what, c.acts.d[l], c.ref_acts.d[l], (size_t)c.B * OC, 1e-12, 1e-12);
        snprintf(what, sizeof what, "net_backward: grad->W[%d]", l);
        hidden_compare(t, what, c.grad.W[l], c.ref_grad.W[l], (size_t)OC * C, 1e-12, 1e-12);
        snprintf(what, sizeof what, "net_backward: grad->b[%d]", l);
        hidden_compare(t, what, c.grad.b[l], c.ref_grad.b[l], (size_t)OC, 1e-12, 1e-12);
    }
    chain_trial_free(&c);
}

GRADED_TEST(hidden_net_backward) { HIDDEN_RUN(CHAIN_CASES, 37, net_backward_trial); }
END_GRADED_TEST

const GradedSuite graded_suite = {
    3, "backpropagation and the gradient check (hidden tests)",
    (const GradedTest[]){
        {"hidden_linear_forward", hidden_linear_forward, 2,
         "linear_forward against the reference: a batch of one, one input or output, garbage in out"},
        {"hidden_linear_backward", hidden_linear_backward, 2,
         "linear_backward against the reference: dinp NULL, a batch of one, zero deltas"},
        {"hidden_tanh", hidden_tanh, 2,
         "tanh_forward and tanh_backward against the reference: huge, tiny and zero inputs, in place"},
        {"hidden_output_delta", hidden_output_delta, 1,
         "output_delta against the reference: a batch of one, one class, soft targets, in place"},
        {"hidden_numerical_gradient", hidden_numerical_gradient, 1,
         "numerical_gradient against the reference: one weight, a weight of 0, large and small eps"},
        {"hidden_net_forward", hidden_net_forward, 2,
         "net_forward against the reference: one layer, five layers, a batch of one, 784-16-10"},
        {"hidden_net_backward", hidden_net_backward, 2,
         "net_backward against the reference: one layer, five layers, saturated units, 784-16-10"},
    },
    7};
