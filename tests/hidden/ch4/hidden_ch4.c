// hidden_ch4.c: the hidden tests of chapter 4 (momentum and early stopping),
// instructor only.
//
// Each test runs one function of ch4.h and the reference's on the same seeded
// random cases, edge cases first (see hidden.h), and compares what they write.
// Tolerances: momentum_step's v and w, |got - want| <= 1e-12 |want| + 1e-14
// times the size of the step's terms (the largest |w|, |v| and rate |g|
// before it): the same two operations per element in any order, never a sum
// over elements; a step is compared before the next starts from it.
// should_stop's answers must be equal.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ch4.h"
#include "hidden/hidden.h"

REFERENCE(momentum_step);
REFERENCE(should_stop);

// ---------------------------------------------------------------------------

enum { MOM_SGD = 2, MOM_FIRST = 3, MOM_RATE_ZERO = 5, MOM_TINY = 7, MOM_MANY = 8 };
static const HiddenCase MOMENTUM_CASES[] = {
    {"one weight", VALUES_NORMAL, 1, 1,
     "count can be 1: v[i] = gamma v[i] + rate g[i] first, then w[i] -= v[i]"},
    {"no weights at all", VALUES_NORMAL, 0, 0, "count can be 0: then nothing changes"},
    [MOM_SGD] = {"gamma = 0 (plain SGD)", VALUES_NORMAL, 1, 500,
                 "with gamma = 0, v = rate * g and w moves by -v: chapter 2's sgd_step"},
    [MOM_FIRST] = {"a first step (v all zeros)", VALUES_NORMAL, 1, 500,
                   "v starts at zeros: the first step moves w by -rate * g"},
    {"zero gradients", VALUES_ZEROS, 1, 500,
     "with g = 0 the velocity still moves the weights: v = gamma v, then w -= v"},
    [MOM_RATE_ZERO] = {"a rate of 0", VALUES_NORMAL, 1, 500,
                       "v = gamma v + 0 * g: the old velocity still moves w"},
    {"huge gradients (around 1e150)", VALUES_HUGE, 1, 500,
     "v[i] = gamma v[i] + rate g[i], then w[i] -= v[i], whatever their size"},
    [MOM_TINY] = {"tiny values (around 1e-150)", VALUES_TINY, 1, 500,
                  "nothing is rounded to zero or compared with a small number"},
    [MOM_MANY] = {"many steps in a row", VALUES_NORMAL, 1, 300,
                  "update v first, then move w by the new v: w[i] -= v[i], minus"},
};

static void momentum_trial(Trial *t) {
    size_t count = (size_t)t->n;
    Values kind = t->k->values == VALUES_ZEROS ? VALUES_NORMAL : t->k->values;
    double gamma = t->c == MOM_SGD ? 0.0 : 0.5 + 0.49 * rng_uniform(t->r);
    double rate = t->c == MOM_RATE_ZERO ? 0.0 : pow(10.0, -4.0 + 4.0 * rng_uniform(t->r));
    int steps = t->c == MOM_MANY ? hidden_pick(t->r, 2, 20) : 1;
    // the weights and the velocity before the first step: each run gets a copy
    double *w0 = hidden_input(t, NULL, count, t->c == MOM_TINY ? VALUES_TINY : VALUES_NORMAL);
    double *v0 = hidden_input(t, NULL, count, t->c == MOM_FIRST ? VALUES_ZEROS : kind);
    double *g = hidden_input(t, "g", count, VALUES_ZEROS);
    double *want_w = hidden_copy(t, NULL, w0, count), *want_v = hidden_copy(t, NULL, v0, count);
    double *w = hidden_copy(t, "w", w0, count), *v = hidden_copy(t, "v", v0, count);
    for (int s = 0; s < steps; s++) {
        hidden_fill(t->r, g, count, t->k->values);
        hidden_seal(t);
        double scale = hidden_max_abs(want_w, count) + hidden_max_abs(want_v, count) +
                       rate * hidden_max_abs(g, count);
        ref_momentum_step(want_w, want_v, g, rate, gamma, t->n);
        momentum_step(w, v, g, rate, gamma, t->n);
        hidden_check_arrays(t, "momentum_step");
        scale += hidden_max_abs(want_v, count);
        hidden_compare(t, "momentum_step: v", v, want_v, count, 1e-12, 1e-14 * scale);
        hidden_compare(t, "momentum_step: w", w, want_w, count, 1e-12, 1e-14 * scale);
    }
}

GRADED_TEST(hidden_momentum) { HIDDEN_RUN(MOMENTUM_CASES, 41, momentum_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------

// Each trial draws one history of validation losses and one patience, and
// asks should_stop after every epoch of it, as the training loop does.
enum {
    STOP_ONE,
    STOP_WITHIN_PATIENCE,
    STOP_PATIENCE_ONE,
    STOP_TIES,
    STOP_CONSTANT,
    STOP_BEST_LAST,
    STOP_HUGE,
    STOP_TINY,
    STOP_TYPICAL,
    STOP_NOISY,
};
static const HiddenCase STOP_CASES[] = {
    [STOP_ONE] = {"a single epoch", VALUES_NORMAL, 1, 1,
                  "one epoch is never more than the patience: false"},
    [STOP_WITHIN_PATIENCE] = {"no more epochs than the patience", VALUES_NORMAL, 1, 20,
                              "false while epochs <= patience, whatever the losses"},
    [STOP_PATIENCE_ONE] = {"a patience of 1", VALUES_NORMAL, 2, 60,
                           "patience 1: stop as soon as the last epoch brings no new best"},
    [STOP_TIES] = {"equal losses (ties)", VALUES_NORMAL, 2, 60,
                   "a loss equal to the best is no new best: the first of equal lowest losses counts"},
    [STOP_CONSTANT] = {"a constant history", VALUES_NORMAL, 1, 60,
                       "equal losses: the best is the first epoch, so stop once patience epochs follow it"},
    [STOP_BEST_LAST] = {"a new best at the last epoch", VALUES_NORMAL, 2, 60,
                        "a new best at the last epoch means: go on"},
    [STOP_HUGE] = {"huge losses (around 1e150)", VALUES_HUGE, 1, 60,
                   "compare the losses with each other, as they are"},
    [STOP_TINY] = {"tiny losses (around 1e-150)", VALUES_TINY, 1, 60,
                   "a loss lower by a tiny amount is lower: compare with <, not with a threshold"},
    [STOP_TYPICAL] = {"a history that falls, then rises", VALUES_NORMAL, 5, 100,
                      "count the patience from the lowest loss so far, not from the last fall"},
    [STOP_NOISY] = {"noisy histories", VALUES_NORMAL, 1, 100,
                    "the lowest loss is the best, wherever it lies; stop when it is patience or more "
                    "epochs before the last"},
};

static void should_stop_trial(Trial *t) {
    int epochs = t->n, c = t->c;
    int patience = c == STOP_PATIENCE_ONE      ? 1
                   : c == STOP_WITHIN_PATIENCE ? hidden_pick(t->r, epochs, epochs + 5)
                                               : hidden_pick(t->r, 1, epochs + 2);
    double *loss = hidden_input(t, "val_loss", (size_t)epochs, t->k->values);
    for (int e = 0; e < epochs; e++) {
        loss[e] = fabs(loss[e]);
        if (c == STOP_TIES) loss[e] = 1.0 + (double)rng_below(t->r, 3);  // 1, 2 or 3
        if (c == STOP_CONSTANT) loss[e] = 0.25;
        if (c == STOP_TYPICAL)  // falls to a minimum, rises after it, with a little noise
            loss[e] = 2.0 / (1 + e) + 0.02 * e + 0.01 * loss[e];
    }
    if (c == STOP_BEST_LAST) {  // lower than every loss before it
        double m = loss[0];
        for (int e = 1; e < epochs - 1; e++) m = fmin(m, loss[e]);
        loss[epochs - 1] = m * rng_uniform(t->r);
    }
    hidden_seal(t);
    for (int e = 1; e <= epochs; e++) {
        bool want = ref_should_stop(loss, e, patience);
        bool got = should_stop(loss, e, patience);
        hidden_check_arrays(t, "should_stop");
        if (got != want)
            hidden_fail(t, "should_stop differs from the reference after epoch %d of %d: it returned "
                        "%s where the reference returns %s", e, epochs, got ? "true" : "false",
                        want ? "true" : "false");
    }
}

GRADED_TEST(hidden_should_stop) { HIDDEN_RUN(STOP_CASES, 42, should_stop_trial); }
END_GRADED_TEST

const GradedSuite graded_suite = {
    4, "momentum and early stopping (hidden tests)",
    (const GradedTest[]){
        {"hidden_momentum", hidden_momentum, 3,
         "momentum_step against the reference: no weights, gamma = 0, zero and huge gradients, "
         "many steps"},
        {"hidden_should_stop", hidden_should_stop, 3,
         "should_stop against the reference: one epoch, ties, a patience of 1, huge and tiny losses"},
    },
    2};
