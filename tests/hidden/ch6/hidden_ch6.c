// hidden_ch6.c: the hidden tests of chapter 6 (activation functions),
// instructor only.
//
// Each test runs one function of ch6.h and the reference's on the same seeded
// random cases, edge cases first (see hidden.h), and compares what they write.
// Tolerances (|got - want| <= rtol |want| + atol): sigmoid_forward rtol 1e-12
// (the contract asks for a few units in the last digit, so far out in the
// tail too), atol 1e-300 (values past e^-690 may be 0); sigmoid_backward rtol
// 1e-12, atol 1e-15 of the largest |dout| (out - out^2 and out (1 - out)
// differ by that much); relu_forward and relu_backward exactly.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ch6.h"
#include "hidden/hidden.h"

REFERENCE(sigmoid_forward);
REFERENCE(sigmoid_backward);
REFERENCE(relu_forward);
REFERENCE(relu_backward);

typedef void Forward(double *out, const double *inp, int n);
typedef void Backward(double *dinp, const double *dout, const double *out, int n);

// One activation under test: the functions, how a case's inputs are made
// from the case's values, which case calls it in place, and the tolerances.
typedef struct {
    const char *name;
    Forward *forward, *ref_forward;
    Backward *backward, *ref_backward;  // for the backward tests
    void (*inputs)(Trial *t, double *x, size_t n);
    int in_place;
    double rtol, atol;  // atol of a backward pass: times the largest |dout|
} Activation;

// forward(out, inp) against the reference: in place in the case in_place.
static void forward_trial(Trial *t, const Activation *a) {
    size_t n = (size_t)t->n;
    double *inp = hidden_input(t, "inp", n, t->k->values);
    a->inputs(t, inp, n);
    hidden_seal(t);
    double *want = hidden_output(t, NULL, n, NAN), *out;
    a->ref_forward(want, inp, t->n);
    if (t->c == a->in_place) {
        out = hidden_copy(t, "out", inp, n);
        a->forward(out, out, t->n);
    } else {
        out = hidden_output(t, "out", n, hidden_garbage(t));
        a->forward(out, inp, t->n);
    }
    hidden_check_arrays(t, a->name);
    hidden_compare(t, a->name, out, want, n, a->rtol, a->atol);
}

// backward(dinp, dout, out) against the reference, out from the reference's
// forward pass over the case's inputs, dout of the case's values.
static void backward_trial(Trial *t, const Activation *a) {
    size_t n = (size_t)t->n;
    double *inp = hidden_input(t, NULL, n, VALUES_NORMAL);
    a->inputs(t, inp, n);
    double *out = hidden_input(t, "out", n, VALUES_ZEROS);
    a->ref_forward(out, inp, t->n);
    double *dout = hidden_input(t, "dout", n, t->k->values == VALUES_ZEROS ? VALUES_NORMAL : t->k->values);
    hidden_seal(t);
    double *want = hidden_output(t, NULL, n, NAN), *dinp;
    a->ref_backward(want, dout, out, t->n);
    if (t->c == a->in_place) {
        dinp = hidden_copy(t, "dinp", dout, n);
        a->backward(dinp, dinp, out, t->n);
    } else {
        dinp = hidden_output(t, "dinp", n, hidden_garbage(t));
        a->backward(dinp, dout, out, t->n);
    }
    hidden_check_arrays(t, a->name);
    hidden_compare(t, a->name, dinp, want, n, a->rtol, a->atol * hidden_max_abs(dout, n));
}

// ---------------------------------------------------------------------------
// The sigmoid

enum { SIG_HUGE = 2, SIG_TAILS = 4, SIG_WIDE = 5, SIG_IN_PLACE = 6 };
static const HiddenCase SIGMOID_FORWARD_CASES[] = {
    {"a single value", VALUES_NORMAL, 1, 1, "n can be 1: out[0] = 1 / (1 + exp(-inp[0]))"},
    {"zeros", VALUES_ZEROS, 1, 300, "sigmoid(0) = 1/2"},
    [SIG_HUGE] = {"huge inputs (around 1e150)", VALUES_HUGE, 1, 300,
                  "e^x overflows to inf for a huge x, and inf / inf is NaN: take exp of -|x| only"},
    {"tiny inputs (around 1e-150)", VALUES_TINY, 1, 300, "sigmoid(x) is about 1/2 + x/4 for a tiny x"},
    [SIG_TAILS] = {"the far tails (|x| from 30 to 745)", VALUES_NORMAL, 1, 300,
                   "far out in the negative tail the answer is small, not 0: 1 - sigmoid(-x) "
                   "rounds it away"},
    [SIG_WIDE] = {"inputs from -40 to 40", VALUES_NORMAL, 1, 3000,
                  "1 / (1 + exp(-x)), to a few units in the last digit"},
    [SIG_IN_PLACE] = {"in place (out and inp the same array)", VALUES_NORMAL, 1, 500,
                      "out may be inp: read each element before writing it"},
};

static void sigmoid_inputs(Trial *t, double *x, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (t->c == SIG_TAILS) x[i] = (x[i] < 0 ? -1.0 : 1.0) * (30.0 + 715.0 * rng_uniform(t->r));
        if (t->c == SIG_WIDE || t->c == SIG_IN_PLACE) x[i] *= 40.0;
    }
}

static const Activation SIGMOID_FORWARD = {"sigmoid_forward", sigmoid_forward, ref_sigmoid_forward,
                                           NULL, NULL, sigmoid_inputs, SIG_IN_PLACE, 1e-12, 1e-300};

static void sigmoid_forward_trial(Trial *t) { forward_trial(t, &SIGMOID_FORWARD); }

GRADED_TEST(hidden_sigmoid_forward) { HIDDEN_RUN(SIGMOID_FORWARD_CASES, 61, sigmoid_forward_trial); }
END_GRADED_TEST

// The backward tests' cases pick the forward pass's inputs: their values are dout's.
enum { SIGB_SATURATED = 1, SIGB_HALF = 2, SIGB_IN_PLACE = 6 };
static const HiddenCase SIGMOID_BACKWARD_CASES[] = {
    {"a single value", VALUES_NORMAL, 1, 1,
     "n can be 1: dinp = dout out (1 - out), from the forward pass's output"},
    [SIGB_SATURATED] = {"saturated outputs (0 and 1)", VALUES_NORMAL, 1, 300,
                        "out (1 - out) is 0 where out is 0 or 1: the gradient is 0 there"},
    [SIGB_HALF] = {"outputs of 1/2 (inputs of 0)", VALUES_NORMAL, 1, 300,
                   "at out = 1/2 the derivative is 1/4: dinp = dout / 4"},
    {"huge gradients (around 1e150)", VALUES_HUGE, 1, 300,
     "dinp = dout out (1 - out), whatever the size of dout"},
    {"tiny gradients (around 1e-150)", VALUES_TINY, 1, 300, "no threshold: tiny gradients pass"},
    {"random values", VALUES_NORMAL, 1, 3000,
     "the derivative from the forward pass's output: out (1 - out), not sigmoid(out)"},
    [SIGB_IN_PLACE] = {"in place (dinp and dout the same array)", VALUES_NORMAL, 1, 500,
                       "dinp may be dout: read each element before writing it"},
};

static void sigmoid_backward_inputs(Trial *t, double *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        x[i] = t->c == SIGB_SATURATED ? x[i] * 1e150 : t->c == SIGB_HALF ? 0.0 : 20.0 * x[i];
}

static const Activation SIGMOID_BACKWARD = {"sigmoid_backward", NULL, ref_sigmoid_forward,
                                            sigmoid_backward, ref_sigmoid_backward,
                                            sigmoid_backward_inputs, SIGB_IN_PLACE, 1e-12, 1e-15};

static void sigmoid_backward_trial(Trial *t) { backward_trial(t, &SIGMOID_BACKWARD); }

GRADED_TEST(hidden_sigmoid_backward) { HIDDEN_RUN(SIGMOID_BACKWARD_CASES, 62, sigmoid_backward_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------
// The rectifier

enum { RELU_ZEROS = 1, RELU_NEGATIVE = 2, RELU_IN_PLACE = 6 };
static const HiddenCase RELU_FORWARD_CASES[] = {
    {"a single value", VALUES_NORMAL, 1, 1, "n can be 1: out = inp if inp > 0, else 0"},
    [RELU_ZEROS] = {"zeros (and -0)", VALUES_ZEROS, 1, 300, "max(0, 0) = 0"},
    [RELU_NEGATIVE] = {"negative inputs only", VALUES_NORMAL, 1, 300,
                       "anything not positive gives 0: out is overwritten, it held garbage"},
    {"huge inputs (around 1e150)", VALUES_HUGE, 1, 300,
     "a positive input passes unchanged, however large"},
    {"tiny inputs (around 1e-150)", VALUES_TINY, 1, 300,
     "a tiny positive input is positive: compare with 0 itself, not with a small number"},
    {"random values", VALUES_NORMAL, 1, 3000, "out[i] = inp[i] if inp[i] > 0, else 0: exactly"},
    [RELU_IN_PLACE] = {"in place (out and inp the same array)", VALUES_NORMAL, 1, 500,
                       "out may be inp"},
};

static void relu_inputs(Trial *t, double *x, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (t->c == RELU_ZEROS && rng_below(t->r, 2)) x[i] = -0.0;
        if (t->c == RELU_NEGATIVE) x[i] = -fabs(x[i]);
    }
}

static const Activation RELU_FORWARD = {"relu_forward", relu_forward, ref_relu_forward, NULL, NULL,
                                        relu_inputs, RELU_IN_PLACE, 0.0, 0.0};

static void relu_forward_trial(Trial *t) { forward_trial(t, &RELU_FORWARD); }

GRADED_TEST(hidden_relu_forward) { HIDDEN_RUN(RELU_FORWARD_CASES, 63, relu_forward_trial); }
END_GRADED_TEST

enum { RELUB_ZERO_OUT = 1, RELUB_NEGATIVE = 2, RELUB_TINY = 3, RELUB_IN_PLACE = 6 };
static const HiddenCase RELU_BACKWARD_CASES[] = {
    {"a single value", VALUES_NORMAL, 1, 1,
     "n can be 1: dinp = dout where out > 0, else 0 (out = 0 included)"},
    [RELUB_ZERO_OUT] = {"outputs of exactly 0 (inputs of 0)", VALUES_NORMAL, 1, 300,
                        "out = 0 gives 0: this book takes ReLU's derivative at 0 to be 0"},
    [RELUB_NEGATIVE] = {"negative inputs only", VALUES_NORMAL, 1, 300,
                        "where out is 0 write 0: dinp held garbage"},
    [RELUB_TINY] = {"tiny positive outputs (around 1e-150)", VALUES_NORMAL, 1, 300,
                    "a tiny positive out passes dout: compare with 0 itself, not a small number"},
    {"huge gradients (around 1e150)", VALUES_HUGE, 1, 300, "dinp[i] = dout[i] where out[i] > 0"},
    {"random values", VALUES_NORMAL, 1, 3000,
     "dinp[i] = dout[i] where out[i] > 0, else 0, from the forward pass's output"},
    [RELUB_IN_PLACE] = {"in place (dinp and dout the same array)", VALUES_NORMAL, 1, 500,
                        "dinp may be dout: where out is 0, dinp[i] = 0 overwrites dout[i]"},
};

static void relu_backward_inputs(Trial *t, double *x, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (t->c == RELUB_ZERO_OUT) x[i] = rng_below(t->r, 2) ? 0.0 : -0.0;
        if (t->c == RELUB_NEGATIVE) x[i] = -fabs(x[i]);
        if (t->c == RELUB_TINY) x[i] *= 1e-150;
    }
}

static const Activation RELU_BACKWARD = {"relu_backward", NULL, ref_relu_forward, relu_backward,
                                         ref_relu_backward, relu_backward_inputs, RELUB_IN_PLACE,
                                         0.0, 0.0};

static void relu_backward_trial(Trial *t) { backward_trial(t, &RELU_BACKWARD); }

GRADED_TEST(hidden_relu_backward) { HIDDEN_RUN(RELU_BACKWARD_CASES, 64, relu_backward_trial); }
END_GRADED_TEST

const GradedSuite graded_suite = {
    6, "activation functions (hidden tests)",
    (const GradedTest[]){
        {"hidden_sigmoid_forward", hidden_sigmoid_forward, 2,
         "sigmoid_forward against the reference: huge and tiny inputs, the far tails, in place"},
        {"hidden_sigmoid_backward", hidden_sigmoid_backward, 2,
         "sigmoid_backward against the reference: saturated outputs, huge and tiny gradients, in "
         "place"},
        {"hidden_relu_forward", hidden_relu_forward, 1,
         "relu_forward against the reference: zeros and -0, huge and tiny inputs, in place"},
        {"hidden_relu_backward", hidden_relu_backward, 2,
         "relu_backward against the reference: outputs of 0, tiny positive outputs, in place"},
    },
    4};
