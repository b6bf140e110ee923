// hidden_ch5.c: the hidden tests of chapter 5 (L1 and L2 regularization),
// instructor only.
//
// Each test runs one function of ch5.h and the reference's on the same seeded
// random cases, edge cases first (see hidden.h), and compares what they write.
// Tolerances (|got - want| <= rtol |want| + atol): the two gradients rtol
// 1e-14, atol 1e-15 times the size of what is added (the largest |g| and
// lambda, or 2 lambda |w|): one addition per element, as exact as the
// formula's own rounding. penalty rtol 1e-10, atol 0: a sum of terms that are
// none of them negative, in whatever order, so 0 only for 0.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ch5.h"
#include "hidden/hidden.h"

REFERENCE(l1_gradient);
REFERENCE(l2_gradient);
REFERENCE(penalty);

// The cases of both gradients: the same kinds of weights, their own hints.
enum { GRAD_ZEROS = 2, GRAD_LAMBDA_ZERO = 3, GRAD_BIG_G = 6 };

// One trial of l1_gradient or l2_gradient: g starts random (it must be added
// to), w of the case's kind; l2 says which.
static void gradient_trial(Trial *t, int l2) {
    const char *name = l2 ? "l2_gradient" : "l1_gradient";
    size_t count = (size_t)t->n;
    double lambda = t->c == GRAD_LAMBDA_ZERO ? 0.0 : pow(10.0, -6.0 + 6.0 * rng_uniform(t->r));
    double *w = hidden_input(t, "w", count, t->k->values);
    if (t->c == GRAD_ZEROS)  // +0 and -0, between ordinary weights
        for (size_t i = 0; i < count; i++)
            if (rng_below(t->r, 3)) w[i] = rng_below(t->r, 2) ? 0.0 : -0.0;
    double *g0 = hidden_input(t, NULL, count, VALUES_NORMAL);  // g before the call
    if (t->c == GRAD_BIG_G)
        for (size_t i = 0; i < count; i++) g0[i] *= 1e3;
    hidden_seal(t);
    double *want = hidden_copy(t, NULL, g0, count), *g = hidden_copy(t, "g", g0, count);
    if (l2) {
        ref_l2_gradient(want, w, lambda, t->n);
        l2_gradient(g, w, lambda, t->n);
    } else {
        ref_l1_gradient(want, w, lambda, t->n);
        l1_gradient(g, w, lambda, t->n);
    }
    hidden_check_arrays(t, name);
    double added = l2 ? 2.0 * lambda * hidden_max_abs(w, count) : lambda;
    hidden_compare(t, name, g, want, count, 1e-14, 1e-15 * (hidden_max_abs(g0, count) + added));
}

// ---------------------------------------------------------------------------

static const HiddenCase L1_CASES[] = {
    {"one weight", VALUES_NORMAL, 1, 1, "count can be 1: g[i] += lambda sign(w[i])"},
    {"no weights at all", VALUES_NORMAL, 0, 0, "count can be 0: then nothing changes"},
    [GRAD_ZEROS] = {"weights of exactly 0 (and -0)", VALUES_NORMAL, 1, 500,
                    "sign(0) = 0, for -0 too: a weight of 0 gets no push"},
    [GRAD_LAMBDA_ZERO] = {"a lambda of 0", VALUES_NORMAL, 1, 500,
                          "lambda = 0 adds nothing: g stays as it was"},
    {"huge weights (around 1e150)", VALUES_HUGE, 1, 500,
     "only the sign of w counts, not its size: lambda sign(w), not lambda w"},
    {"tiny weights (around 1e-150)", VALUES_TINY, 1, 500,
     "a tiny weight is not 0: compare w with 0 itself, not with a small number"},
    [GRAD_BIG_G] = {"a large gradient already in g", VALUES_NORMAL, 1, 2000,
                    "add to g: g[i] += lambda sign(w[i]), never g[i] = ..."},
    {"random blocks", VALUES_NORMAL, 1, 5000, "g[i] += lambda sign(w[i]), for i below count"},
};

static void l1_trial(Trial *t) { gradient_trial(t, 0); }

GRADED_TEST(hidden_l1_gradient) { HIDDEN_RUN(L1_CASES, 51, l1_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------

static const HiddenCase L2_CASES[] = {
    {"one weight", VALUES_NORMAL, 1, 1, "count can be 1: g[i] += 2 lambda w[i]"},
    {"no weights at all", VALUES_NORMAL, 0, 0, "count can be 0: then nothing changes"},
    [GRAD_ZEROS] = {"weights of exactly 0 (and -0)", VALUES_NORMAL, 1, 500,
                    "a weight of 0 adds 0 to its gradient"},
    [GRAD_LAMBDA_ZERO] = {"a lambda of 0", VALUES_NORMAL, 1, 500,
                          "lambda = 0 adds nothing: g stays as it was"},
    {"huge weights (around 1e150)", VALUES_HUGE, 1, 500,
     "2 lambda w[i], whatever the size of w: no square is needed"},
    {"tiny weights (around 1e-150)", VALUES_TINY, 1, 500,
     "2 lambda w[i] is tiny, not 0: no threshold"},
    [GRAD_BIG_G] = {"a large gradient already in g", VALUES_NORMAL, 1, 2000,
                    "add to g: g[i] += 2 lambda w[i], never g[i] = ..."},
    {"random blocks", VALUES_NORMAL, 1, 5000,
     "the derivative of lambda w^2 is 2 lambda w: mind the 2"},
};

static void l2_trial(Trial *t) { gradient_trial(t, 1); }

GRADED_TEST(hidden_l2_gradient) { HIDDEN_RUN(L2_CASES, 52, l2_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------

enum { PEN_L1_ONLY = 3, PEN_L2_ONLY = 4, PEN_TINY = 6 };
static const HiddenCase PENALTY_CASES[] = {
    {"one weight", VALUES_NORMAL, 1, 1, "count can be 1: l1 |w[0]| + l2 w[0]^2"},
    {"no weights at all", VALUES_NORMAL, 0, 0, "count can be 0: no weights cost 0"},
    {"weights of 0", VALUES_ZEROS, 1, 500, "weights of 0 cost nothing"},
    [PEN_L1_ONLY] = {"L1 alone (l2 = 0)", VALUES_NORMAL, 1, 2000,
                     "l1 sum |w[i]|: absolute values, not the weights themselves"},
    [PEN_L2_ONLY] = {"L2 alone (l1 = 0)", VALUES_NORMAL, 1, 2000,
                     "l2 sum w[i]^2: squares, with no factor 1/2 and no square root"},
    {"huge weights (around 1e150)", VALUES_HUGE, 1, 100,
     "l1 sum |w| + l2 sum w^2: each sum on its own, each times its lambda"},
    [PEN_TINY] = {"tiny weights (around 1e-150), L2 alone", VALUES_TINY, 1, 500,
                  "squares of tiny weights are tiny, not 0"},
    {"random blocks, both penalties", VALUES_NORMAL, 1, 5000,
     "returns l1 sum |w[i]| + l2 sum w[i]^2, over i below count"},
};

static void penalty_trial(Trial *t) {
    size_t count = (size_t)t->n;
    double l1 = t->c == PEN_L2_ONLY || t->c == PEN_TINY ? 0.0 : pow(10.0, -6.0 + 6.0 * rng_uniform(t->r));
    double l2 = t->c == PEN_L1_ONLY ? 0.0 : pow(10.0, -6.0 + 6.0 * rng_uniform(t->r));
    double *w = hidden_input(t, "w", count, t->k->values);
    hidden_seal(t);
    double want = ref_penalty(w, l1, l2, t->n);
    double got = penalty(w, l1, l2, t->n);
    hidden_check_arrays(t, "penalty");
    hidden_compare(t, "penalty", &got, &want, 1, 1e-10, 0.0);
}

GRADED_TEST(hidden_penalty) { HIDDEN_RUN(PENALTY_CASES, 53, penalty_trial); }
END_GRADED_TEST

const GradedSuite graded_suite = {
    5, "L1 and L2 regularization (hidden tests)",
    (const GradedTest[]){
        {"hidden_l1_gradient", hidden_l1_gradient, 2,
         "l1_gradient against the reference: weights of 0 and -0, huge and tiny weights, no "
         "weights"},
        {"hidden_l2_gradient", hidden_l2_gradient, 2,
         "l2_gradient against the reference: a lambda of 0, huge and tiny weights, a gradient "
         "already there"},
        {"hidden_penalty", hidden_penalty, 2,
         "penalty against the reference: no weights, L1 or L2 alone, huge and tiny weights"},
    },
    3};
