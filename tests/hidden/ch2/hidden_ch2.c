// hidden_ch2.c: the hidden tests of chapter 2 (softmax regression), instructor only.
//
// Each test runs one function of ch2.h and the reference's on the same seeded
// random cases, edge cases first (see hidden.h), and compares what they write.
// Tolerances (|got - want| <= rtol |want| + atol): rtol 1e-9 for whatever sums
// over a batch or a row (logits, softmax, cross_entropy, the gradients), with
// an absolute part scaled to the sum's terms (1e-12 or 1e-13 of them), 1e-12
// for da and sgd_step, which compute each element alone; counts exactly.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ch2.h"
#include "hidden/hidden.h"

REFERENCE(logits);
REFERENCE(softmax);
REFERENCE(cross_entropy);
REFERENCE(softmax_gradient);
REFERENCE(sgd_step);
REFERENCE(count_correct);

// ---------------------------------------------------------------------------

enum { LOGITS_ONE_CLASS = 1, LOGITS_ONE_PIXEL = 2 };
static const HiddenCase LOGITS_CASES[] = {
    {"a batch of one", VALUES_NORMAL, 1, 1, "n can be 1: every row is one example"},
    [LOGITS_ONE_CLASS] = {"one class", VALUES_NORMAL, 1, 50, "classes can be 1: a is [n, 1]"},
    [LOGITS_ONE_PIXEL] = {"one pixel", VALUES_NORMAL, 1, 50, "dim can be 1"},
    {"zero images", VALUES_ZEROS, 1, 50, "x = 0 gives a = b, row by row"},
    {"huge pixels (around 1e150)", VALUES_HUGE, 1, 20, "add the bias to the product, row by row"},
    {"tiny pixels (around 1e-150)", VALUES_TINY, 1, 20, "the bias is added to every row"},
    {"random shapes", VALUES_NORMAL, 1, 200,
     "a[i,k] = b[k] + sum_j x[i,j] w[j,k]: w is [dim, classes], row-major"},
};

static void logits_trial(Trial *t) {
    int n = t->n, dim = t->c == LOGITS_ONE_PIXEL ? 1 : hidden_pick(t->r, 1, 300);
    int classes = t->c == LOGITS_ONE_CLASS ? 1 : hidden_pick(t->r, 1, 20);
    size_t nx = (size_t)n * dim, nw = (size_t)dim * classes, na = (size_t)n * classes;
    double *x = hidden_input(t, "x", nx, t->k->values);
    double *w = hidden_input(t, "w", nw, VALUES_NORMAL);
    double *b = hidden_input(t, "b", (size_t)classes, VALUES_NORMAL);
    hidden_seal(t);
    double *want = hidden_output(t, NULL, na, NAN), *a = hidden_output(t, "a", na, NAN);
    ref_logits(want, x, w, b, n, dim, classes);
    logits(a, x, w, b, n, dim, classes);
    hidden_check_arrays(t, "logits");
    double scale = 1.0 + dim * hidden_max_abs(x, nx) * hidden_max_abs(w, nw);
    hidden_compare(t, "logits", a, want, na, 1e-9, 1e-12 * scale);
}

GRADED_TEST(hidden_logits) { HIDDEN_RUN(LOGITS_CASES, 21, logits_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------

enum { SOFTMAX_ONE_CLASS = 1, SOFTMAX_EXTREME = 4, SOFTMAX_RANDOM = 6, SOFTMAX_IN_PLACE = 7 };
static const HiddenCase SOFTMAX_CASES[] = {
    {"a batch of one", VALUES_NORMAL, 1, 1, "n can be 1"},
    [SOFTMAX_ONE_CLASS] = {"one class", VALUES_NORMAL, 1, 50, "with one class every probability is 1"},
    {"equal logits", VALUES_ZEROS, 1, 50, "equal logits give equal probabilities, 1/classes"},
    {"huge logits (around 1e150)", VALUES_HUGE, 1, 50,
     "subtract the row's largest logit before exp(): no exp() may overflow"},
    [SOFTMAX_EXTREME] = {"logits near +-1e308", VALUES_NORMAL, 1, 20,
                         "subtract the row's largest logit before exp(), and compute a - m without overflow"},
    {"tiny logits (around 1e-150)", VALUES_TINY, 1, 50, "nearly equal logits: nearly 1/classes each"},
    [SOFTMAX_RANDOM] = {"random logits", VALUES_NORMAL, 1, 300, "each row is normalized on its own"},
    [SOFTMAX_IN_PLACE] = {"in place (y and a the same array)", VALUES_NORMAL, 1, 100,
                          "y may be a: read a row's logits before writing its probabilities"},
};

static void softmax_trial(Trial *t) {
    int n = t->n, classes = t->c == SOFTMAX_ONE_CLASS ? 1 : hidden_pick(t->r, 2, 20);
    size_t na = (size_t)n * classes;
    double *a = hidden_input(t, "a", na, t->k->values);
    for (size_t i = 0; i < na; i++) {
        if (t->c == SOFTMAX_EXTREME && rng_below(t->r, 3) == 0)  // a few near +-1e308, the rest ordinary
            a[i] = (rng_below(t->r, 2) ? 1.0 : -1.0) * 1e308;
        if (t->c == SOFTMAX_RANDOM) a[i] *= 30.0;
    }
    hidden_seal(t);
    double *want = hidden_output(t, NULL, na, NAN), *y;
    ref_softmax(want, a, n, classes);
    if (t->c == SOFTMAX_IN_PLACE) {
        y = hidden_copy(t, "y", a, na);
        softmax(y, y, n, classes);
    } else {
        y = hidden_output(t, "y", na, NAN);
        softmax(y, a, n, classes);
    }
    hidden_check_arrays(t, "softmax");
    hidden_compare(t, "softmax", y, want, na, 1e-9, 1e-14);
}

GRADED_TEST(hidden_softmax) { HIDDEN_RUN(SOFTMAX_CASES, 22, softmax_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------

enum { CE_RIGHT = 1, CE_WRONG = 2, CE_SOFT = 3, CE_ZERO_TARGETS = 4 };
static const HiddenCase CROSS_ENTROPY_CASES[] = {
    {"a batch of one", VALUES_NORMAL, 1, 1, "the mean over n rows, and n can be 1"},
    [CE_RIGHT] = {"certain and right", VALUES_NORMAL, 1, 50,
                  "a probability of 1 is clipped to 1 - 1e-15: the loss is tiny, not 0 and not NaN"},
    [CE_WRONG] = {"certain and wrong", VALUES_NORMAL, 1, 50,
                  "a probability of 0 is clipped to 1e-15: each row costs -ln(1e-15) = 34.54, not inf"},
    [CE_SOFT] = {"soft targets", VALUES_NORMAL, 1, 100,
                 "t need not be one-hot: every t[i,k] weighs its -ln(clip(y[i,k]))"},
    [CE_ZERO_TARGETS] = {"all-zero targets", VALUES_ZEROS, 1, 50, "a row whose t is all 0 costs nothing"},
    {"random rows", VALUES_NORMAL, 1, 500, "divide the sum by n: the mean, not the sum"},
};

static void cross_entropy_trial(Trial *t) {
    int n = t->n, c = t->c, classes = hidden_pick(t->r, 2, 12);
    size_t na = (size_t)n * classes;
    // probabilities: a softmax of random logits, or one-hot rows
    double *y = hidden_input(t, "y", na, VALUES_NORMAL);
    double *tt = hidden_input(t, "t", na, VALUES_ZEROS);
    for (size_t i = 0; i < na; i++) y[i] *= 8.0;
    ref_softmax(y, y, n, classes);
    for (int i = 0; i < n; i++) {
        int label = (int)rng_below(t->r, (uint32_t)classes);
        double *yi = y + (size_t)i * classes, *ti = tt + (size_t)i * classes;
        if (c == CE_RIGHT || c == CE_WRONG) {
            for (int j = 0; j < classes; j++) yi[j] = 0.0;
            yi[c == CE_RIGHT ? label : (label + 1) % classes] = 1.0;
        }
        if (c == CE_SOFT) {  // a probability vector
            double s = 0;
            for (int j = 0; j < classes; j++) s += ti[j] = rng_uniform(t->r);
            for (int j = 0; j < classes; j++) ti[j] /= s;
        } else if (c != CE_ZERO_TARGETS) {
            ti[label] = 1.0;
        }
    }
    hidden_seal(t);
    double want = ref_cross_entropy(y, tt, n, classes);
    double got = cross_entropy(y, tt, n, classes);
    hidden_check_arrays(t, "cross_entropy");
    hidden_compare(t, "cross_entropy", &got, &want, 1, 1e-9, 1e-13);
}

GRADED_TEST(hidden_cross_entropy) { HIDDEN_RUN(CROSS_ENTROPY_CASES, 23, cross_entropy_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------

enum { GRADIENT_ONE_PIXEL = 1 };
static const HiddenCase GRADIENT_CASES[] = {
    {"a batch of one", VALUES_NORMAL, 1, 1, "summed over the batch: with n = 1, one example's"},
    [GRADIENT_ONE_PIXEL] = {"one pixel", VALUES_NORMAL, 1, 50, "dim can be 1"},
    {"zero images", VALUES_ZEROS, 1, 50, "x = 0 makes gw 0, but not gb"},
    {"pixels 0..255", VALUES_PIXELS, 1, 100, "gw = x^T da, summed over the batch, not averaged"},
    {"random shapes", VALUES_NORMAL, 1, 200,
     "gw[j,k] = sum_i x[i,j] da[i,k]; gb[k] = sum_i da[i,k]; every output overwritten"},
};

static void gradient_trial(Trial *t) {
    int n = t->n, dim = t->c == GRADIENT_ONE_PIXEL ? 1 : hidden_pick(t->r, 1, 200);
    int classes = hidden_pick(t->r, 1, 12);
    size_t nx = (size_t)n * dim, na = (size_t)n * classes, nw = (size_t)dim * classes;
    double *x = hidden_input(t, "x", nx, t->k->values);
    double *y = hidden_input(t, "y", na, VALUES_NORMAL);
    double *tt = hidden_input(t, "t", na, VALUES_ZEROS);
    for (size_t i = 0; i < na; i++) y[i] *= 5.0;
    ref_softmax(y, y, n, classes);
    for (int i = 0; i < n; i++) tt[(size_t)i * classes + rng_below(t->r, (uint32_t)classes)] = 1.0;
    hidden_seal(t);
    double *wgw = hidden_output(t, NULL, nw, NAN), *wgb = hidden_output(t, NULL, (size_t)classes, NAN);
    double *wda = hidden_output(t, NULL, na, NAN);
    double *gw = hidden_output(t, "gw", nw, hidden_garbage(t));
    double *gb = hidden_output(t, "gb", (size_t)classes, hidden_garbage(t));
    double *da = hidden_output(t, "da", na, hidden_garbage(t));
    ref_softmax_gradient(wgw, wgb, wda, x, y, tt, n, dim, classes);
    softmax_gradient(gw, gb, da, x, y, tt, n, dim, classes);
    hidden_check_arrays(t, "softmax_gradient");
    hidden_compare(t, "softmax_gradient: da", da, wda, na, 1e-12, 1e-15);
    double scale = n * (1.0 + hidden_max_abs(x, nx));
    hidden_compare(t, "softmax_gradient: gw", gw, wgw, nw, 1e-9, 1e-13 * scale);
    hidden_compare(t, "softmax_gradient: gb", gb, wgb, (size_t)classes, 1e-9, 1e-13 * n);
}

GRADED_TEST(hidden_gradient) { HIDDEN_RUN(GRADIENT_CASES, 24, gradient_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------

enum { SGD_RATE_ZERO = 2, SGD_RATE_HUGE = 3 };
static const HiddenCase SGD_CASES[] = {
    {"one weight", VALUES_NORMAL, 1, 1, "count can be 1"},
    {"no weights at all", VALUES_NORMAL, 0, 0, "count can be 0: then nothing changes"},
    [SGD_RATE_ZERO] = {"a rate of 0", VALUES_NORMAL, 1, 500, "a rate of 0 leaves w as it is"},
    [SGD_RATE_HUGE] = {"a huge rate", VALUES_NORMAL, 1, 500, "w - rate * g, whatever the rate"},
    {"random steps", VALUES_NORMAL, 1, 5000, "w[i] - rate * g[i]: minus, and only below count"},
};

static void sgd_trial(Trial *t) {
    size_t count = (size_t)t->n;
    double rate = t->c == SGD_RATE_ZERO ? 0.0
                  : t->c == SGD_RATE_HUGE ? 1e6
                                         : pow(10.0, -4.0 + 4.0 * rng_uniform(t->r));
    double *w0 = hidden_input(t, NULL, count, VALUES_NORMAL);  // the weights before the step
    double *g = hidden_input(t, "g", count, VALUES_NORMAL);
    hidden_seal(t);
    double *want = hidden_copy(t, NULL, w0, count), *w = hidden_copy(t, "w", w0, count);
    ref_sgd_step(want, g, rate, t->n);
    sgd_step(w, g, rate, t->n);
    hidden_check_arrays(t, "sgd_step");
    hidden_compare(t, "sgd_step", w, want, count, 1e-12, 1e-300);
}

GRADED_TEST(hidden_sgd_step) { HIDDEN_RUN(SGD_CASES, 25, sgd_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------

enum { COUNT_ONE_CLASS = 1, COUNT_TIES = 2, COUNT_EQUAL = 3, COUNT_NEGATIVE = 4 };
static const HiddenCase COUNT_CASES[] = {
    {"a batch of one", VALUES_NORMAL, 1, 1, "n can be 1"},
    [COUNT_ONE_CLASS] = {"one class", VALUES_NORMAL, 1, 50, "with one class the prediction is always 0"},
    [COUNT_TIES] = {"rows with ties", VALUES_NORMAL, 1, 300,
                    "when several entries are equal and largest, the prediction is the first of them"},
    [COUNT_EQUAL] = {"rows all equal", VALUES_ZEROS, 1, 300, "equal rows predict class 0"},
    [COUNT_NEGATIVE] = {"negative scores", VALUES_NORMAL, 1, 300,
                        "the largest entry can be negative: start from the row's first entry, not from 0"},
    {"random rows", VALUES_NORMAL, 1, 1000, "count the rows whose largest entry is at their label"},
};

static void count_trial(Trial *t) {
    int n = t->n, c = t->c, classes = c == COUNT_ONE_CLASS ? 1 : hidden_pick(t->r, 2, 12);
    size_t na = (size_t)n * classes;
    double *y = hidden_input(t, "y", na, t->k->values);
    for (size_t i = 0; i < na; i++) {
        if (c == COUNT_TIES) y[i] = (double)rng_below(t->r, 3) / 2.0;  // 0, 0.5 or 1: many ties
        if (c == COUNT_NEGATIVE) y[i] = -1.0 - fabs(y[i]);
    }
    uint8_t *labels = hidden_input_bytes(t, "labels", (size_t)n);
    for (int i = 0; i < n; i++) labels[i] = (uint8_t)rng_below(t->r, (uint32_t)classes);
    if (c == COUNT_EQUAL || c == COUNT_TIES)  // make the first-of-the-ties rule matter
        for (int i = 0; i < n; i += 2) labels[i] = 0;
    hidden_seal(t);
    int want = ref_count_correct(y, labels, n, classes);
    int got = count_correct(y, labels, n, classes);
    hidden_check_arrays(t, "count_correct");
    hidden_compare_int(t, "count_correct", &got, &want, 1);
}

GRADED_TEST(hidden_count_correct) { HIDDEN_RUN(COUNT_CASES, 26, count_trial); }
END_GRADED_TEST

const GradedSuite graded_suite = {
    2, "softmax regression (hidden tests)",
    (const GradedTest[]){
        {"hidden_logits", hidden_logits, 2,
         "logits against the reference: a batch of one, one class, one pixel, huge and tiny pixels"},
        {"hidden_softmax", hidden_softmax, 2,
         "softmax against the reference: one class, equal, huge and tiny logits, in place"},
        {"hidden_cross_entropy", hidden_cross_entropy, 2,
         "cross_entropy against the reference: certain rows, soft and all-zero targets"},
        {"hidden_gradient", hidden_gradient, 2,
         "softmax_gradient against the reference: a batch of one, one pixel, zero images"},
        {"hidden_sgd_step", hidden_sgd_step, 1,
         "sgd_step against the reference: no weights, a rate of 0, a huge rate"},
        {"hidden_count_correct", hidden_count_correct, 1,
         "count_correct against the reference: ties, one class, negative scores"},
    },
    6};
