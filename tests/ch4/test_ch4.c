// test_ch4.c: the graded tests of chapter 4 (momentum and early stopping).
//
// Each test checks one function of ch4.h by properties a hard-coded answer
// cannot meet. momentum_step: short sequences worked by hand; gamma = 0 is
// plain SGD whatever the velocity held; a constant gradient drives the
// velocity towards rate g / (1 - gamma) along the geometric series; nothing
// past `count` is touched; and long random sequences against the closed form
// computed here (the velocity as a weighted sum of all past gradients, not
// the recurrence). should_stop: histories worked by hand, ties, the patience
// boundaries, a history that improves only at its last epoch, and random
// histories against an independent rule (a counter of epochs since the last
// new best), with poison past the end of the history.
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ch4.h"
#include "graded.h"
#include "rng.h"

// ---------------------------------------------------------------------------
// Helpers

static double *alloc(size_t n) {
    double *p = malloc(sizeof(double) * (n ? n : 1));
    ck_assert_msg(p != NULL, "the test could not allocate %zu doubles", n);
    return p;
}

static double *random_array(Rng *r, size_t n, double scale) {
    double *x = alloc(n);
    for (size_t i = 0; i < n; i++) x[i] = scale * (2.0 * rng_uniform(r) - 1.0);
    return x;
}

// A random whole number in [lo, hi].
static int between(Rng *r, int lo, int hi) {
    return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

// A check that costs nothing when it holds: Check's ck_assert_msg reports
// every assertion that passes to the runner, and these tests make many.
#define CHECK(cond, ...)                              \
    do {                                              \
        if (!(cond)) ck_abort_msg(__VA_ARGS__);       \
    } while (0)

// |got - want| <= abs_tol + rel_tol * |want|, and got finite.
static int close_enough(double got, double want, double abs_tol, double rel_tol) {
    return isfinite(got) && fabs(got - want) <= abs_tol + rel_tol * fabs(want);
}

// ---------------------------------------------------------------------------
// momentum_step

GRADED_TEST(momentum_known) {
    // Two steps by hand, rate 0.5 and gamma 0.5 (exact in binary):
    //   v1 = 0.5 g1 = {0.5, 1, -0.5},            w1 = w0 - v1 = {0.5, -3, 1}
    //   v2 = 0.5 v1 + 0.5 g2 = {0.25+1, 0.5+0, -0.25+0.25} = {1.25, 0.5, 0},
    //   w2 = w1 - v2 = {-0.75, -3.5, 1}
    double w[3] = {1, -2, 0.5}, v[3] = {0, 0, 0};
    const double g1[3] = {1, 2, -1}, g2[3] = {2, 0, 0.5};
    const double w1[3] = {0.5, -3, 1}, v1[3] = {0.5, 1, -0.5};
    const double w2[3] = {-0.75, -3.5, 1}, v2[3] = {1.25, 0.5, 0};
    momentum_step(w, v, g1, 0.5, 0.5, 3);
    for (int i = 0; i < 3; i++)
        CHECK(v[i] == v1[i] && w[i] == w1[i],
                      "momentum_step, rate 0.5, gamma 0.5, from w = {1, -2, 0.5} and v = 0, "
                      "gradient {1, 2, -1}: at index %d expected v = %g and w = %g, got v = %.15g "
                      "and w = %.15g (v = gamma v + rate g first, then w = w - v)",
                      i, v1[i], w1[i], v[i], w[i]);
    momentum_step(w, v, g2, 0.5, 0.5, 3);
    for (int i = 0; i < 3; i++)
        CHECK(v[i] == v2[i] && w[i] == w2[i],
                      "momentum_step, second step, gradient {2, 0, 0.5}: at index %d expected "
                      "v = 0.5 x %g + 0.5 x %g = %g and w = %g, got v = %.15g and w = %.15g",
                      i, v1[i], g2[i], v2[i], w2[i], v[i], w[i]);
    // No gradient: the velocity decays by gamma each step, and the weight
    // keeps moving by it (it coasts).
    double cw = 10, cv = 1, zero = 0;
    const double want_w[3] = {9.25, 8.6875, 8.265625}, want_v[3] = {0.75, 0.5625, 0.421875};
    for (int k = 0; k < 3; k++) {
        momentum_step(&cw, &cv, &zero, 0.1, 0.75, 1);
        CHECK(cv == want_v[k] && cw == want_w[k],
                      "momentum_step with a zero gradient, gamma 0.75, from w = 10 and v = 1: "
                      "after step %d expected v = %g and w = %g, got v = %.15g and w = %.15g "
                      "(the velocity shrinks by gamma and the weight still moves by it)",
                      k + 1, want_v[k], want_w[k], cv, cw);
    }
}
END_GRADED_TEST

GRADED_TEST(momentum_gamma_zero_is_sgd) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 20; trial++) {
        int count = between(&r, 1, 400);
        double rate = pow(10.0, -4.0 * rng_uniform(&r));
        double *w = random_array(&r, (size_t)count, 5.0);
        double *v = random_array(&r, (size_t)count, 100.0);  // whatever it held: forgotten
        double *g = random_array(&r, (size_t)count, 5.0);
        double *before = alloc((size_t)count);
        memcpy(before, w, sizeof(double) * count);
        momentum_step(w, v, g, rate, 0.0, count);
        for (int i = 0; i < count; i++) {
            double want = before[i] - rate * g[i];
            CHECK(close_enough(w[i], want, 0, 1e-15),
                          "momentum_step with gamma 0 is sgd_step: rate %.6g, w[%d] was %.15g, "
                          "g[%d] is %.15g: expected w - rate g = %.15g, got %.15g (seed %lu)",
                          rate, i, before[i], i, g[i], want, w[i], seed);
            CHECK(close_enough(v[i], rate * g[i], 0, 1e-15),
                          "momentum_step with gamma 0: the velocity becomes rate g = %.15g at "
                          "index %d, got %.15g (seed %lu)", rate * g[i], i, v[i], seed);
        }
        free(w), free(v), free(g), free(before);
    }
}
END_GRADED_TEST

GRADED_TEST(momentum_constant_gradient) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 10; trial++) {
        int count = between(&r, 1, 20), steps = 300;
        double rate = pow(10.0, -3.0 * rng_uniform(&r));
        double gamma = trial == 0 ? 0.9 : 0.95 * rng_uniform(&r);
        double *w = random_array(&r, (size_t)count, 1.0), *v = alloc((size_t)count);
        double *g = random_array(&r, (size_t)count, 2.0), *w0 = alloc((size_t)count);
        memset(v, 0, sizeof(double) * count);
        memcpy(w0, w, sizeof(double) * count);
        double series = 0, moved = 0;  // 1 + gamma + ... + gamma^(k-1), and its sum over steps
        for (int k = 1; k <= steps; k++) {
            momentum_step(w, v, g, rate, gamma, count);
            series = series * gamma + 1;
            moved += series;
            for (int i = 0; i < count; i++) {
                double want_v = rate * g[i] * series, want_w = w0[i] - rate * g[i] * moved;
                CHECK(close_enough(v[i], want_v, 1e-15, 1e-11),
                              "momentum_step, the same gradient g = %.6g every step, rate %.6g, "
                              "gamma %.6g: after step %d the velocity is rate g (1 + gamma + "
                              "... + gamma^%d) = %.15g, got %.15g at index %d (seed %lu)",
                              g[i], rate, gamma, k, k - 1, want_v, v[i], i, seed);
                CHECK(close_enough(w[i], want_w, 1e-12, 1e-11),
                              "momentum_step, the same gradient every step, rate %.6g, gamma "
                              "%.6g: after step %d, w[%d] is %.15g less the sum of the "
                              "velocities, %.15g, got %.15g (seed %lu)",
                              rate, gamma, k, i, w0[i], want_w, w[i], seed);
            }
        }
        // After 300 steps the velocity has all but reached rate g / (1 - gamma).
        for (int i = 0; i < count; i++) {
            double limit = rate * g[i] / (1 - gamma);
            CHECK(close_enough(v[i], limit, 1e-15, 1e-6),
                          "momentum_step, the same gradient %d times, rate %.6g, gamma %.6g: "
                          "the velocity tends to rate g / (1 - gamma) = %.15g, got %.15g at "
                          "index %d (seed %lu)", steps, rate, gamma, limit, v[i], i, seed);
        }
        free(w), free(v), free(g), free(w0);
    }
}
END_GRADED_TEST

GRADED_TEST(momentum_count) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 20; trial++) {
        int count = trial == 0 ? 0 : between(&r, 1, 300), extra = 3;
        int n = count + extra;
        double *w = random_array(&r, (size_t)n, 3.0), *v = random_array(&r, (size_t)n, 3.0);
        double *g = random_array(&r, (size_t)n, 3.0);
        double *w_before = alloc((size_t)n), *v_before = alloc((size_t)n);
        memcpy(w_before, w, sizeof(double) * n);
        memcpy(v_before, v, sizeof(double) * n);
        momentum_step(w, v, g, 0.01, 0.9, count);
        for (int i = count; i < n; i++)
            CHECK(w[i] == w_before[i] && v[i] == v_before[i],
                          "momentum_step with count %d changed index %d, past the end: w from "
                          "%.15g to %.15g, v from %.15g to %.15g (seed %lu)", count, i,
                          w_before[i], w[i], v_before[i], v[i], seed);
        if (count > 0)
            CHECK(w[count - 1] != w_before[count - 1],
                          "momentum_step with count %d left the last weight, index %d, as it "
                          "was (%.15g) (seed %lu)", count, count - 1, w[count - 1], seed);
        free(w), free(v), free(g), free(w_before), free(v_before);
    }
}
END_GRADED_TEST

GRADED_TEST(momentum_random) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 10; trial++) {
        int count = between(&r, 1, 50), steps = between(&r, 1, 40);
        double rate = pow(10.0, -3.0 * rng_uniform(&r)), gamma = 0.99 * rng_uniform(&r);
        double *w = random_array(&r, (size_t)count, 1.0);
        double *v = random_array(&r, (size_t)count, 0.1);  // a velocity from earlier steps
        double *w0 = alloc((size_t)count), *v0 = alloc((size_t)count);
        double *g = alloc((size_t)steps * count);
        memcpy(w0, w, sizeof(double) * count);
        memcpy(v0, v, sizeof(double) * count);
        for (int k = 0; k < steps; k++)
            for (int i = 0; i < count; i++) g[k * count + i] = 4.0 * rng_uniform(&r) - 2.0;
        for (int k = 0; k < steps; k++) momentum_step(w, v, g + (size_t)k * count, rate, gamma,
                                                      count);
        // The closed form: v_k = gamma^k v_0 + rate sum_j gamma^(k-j) g_j, and
        // w_k = w_0 - (v_1 + ... + v_k); in long double, from the sums, not the
        // recurrence.
        for (int i = 0; i < count; i++) {
            long double moved = 0, vk = 0;
            for (int k = 1; k <= steps; k++) {
                vk = powl(gamma, k) * v0[i];
                for (int j = 1; j <= k; j++)
                    vk += (long double)rate * powl(gamma, k - j) * g[(size_t)(j - 1) * count + i];
                moved += vk;
            }
            double want_v = (double)vk, want_w = (double)(w0[i] - moved);
            CHECK(close_enough(v[i], want_v, 1e-13, 1e-10),
                          "momentum_step, %d random gradients, rate %.6g, gamma %.6g: the "
                          "velocity at index %d should be gamma^%d v0 + rate times the "
                          "gamma-weighted sum of the gradients = %.15g, got %.15g (seed %lu)",
                          steps, rate, gamma, i, steps, want_v, v[i], seed);
            CHECK(close_enough(w[i], want_w, 1e-12, 1e-10),
                          "momentum_step, %d random gradients, rate %.6g, gamma %.6g: w[%d] "
                          "should be its start less the sum of the velocities, %.15g, got "
                          "%.15g (seed %lu)", steps, rate, gamma, i, want_w, w[i], seed);
        }
        free(w), free(v), free(w0), free(v0), free(g);
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// should_stop

// Asks should_stop after every epoch of hist[0..n-1] and checks the answers
// against want ("nnnny": no four times, then yes).
static void check_history(const double *hist, int n, int patience, const char *want,
                          const char *what) {
    for (int e = 1; e <= n; e++) {
        bool got = should_stop(hist, e, patience);
        bool expected = want[e - 1] == 'y';
        CHECK(got == expected,
                      "should_stop, %s, patience %d: after epoch %d expected %s, got %s",
                      what, patience, e, expected ? "true (stop)" : "false (go on)",
                      got ? "true" : "false");
    }
}

GRADED_TEST(should_stop_known) {
    const double a[] = {0.9, 0.5, 0.6, 0.7, 0.8, 0.4};
    check_history(a, 6, 3, "nnnnyn", "losses 0.9 0.5 0.6 0.7 0.8 0.4 (best at epoch 2, "
                                     "then 6)");
    check_history(a, 6, 2, "nnnyyn", "losses 0.9 0.5 0.6 0.7 0.8 0.4 (best at epoch 2, "
                                     "then 6)");
    const double b[] = {1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4};
    check_history(b, 7, 1, "nnnnnnn", "losses falling every epoch");
    const double c[] = {0.5, 0.3, 0.4, 0.2, 0.25, 0.26, 0.27, 0.1};
    check_history(c, 8, 3, "nnnnnnyn", "losses 0.5 0.3 0.4 0.2 0.25 0.26 0.27 0.1");
}
END_GRADED_TEST

GRADED_TEST(should_stop_ties) {
    // A loss equal to the best is no new best: the first of equal losses counts.
    const double a[] = {0.5, 0.4, 0.4, 0.4, 0.4, 0.4};
    check_history(a, 6, 3, "nnnnyy", "losses 0.5 then 0.4 five times (the best is epoch 2's; "
                                     "equal losses are no new best)");
    const double b[] = {0.3, 0.3, 0.3};
    check_history(b, 3, 2, "nny", "losses 0.3 0.3 0.3");
    const double c[] = {0.7, 0.6, 0.65, 0.6, 0.62, 0.6};
    check_history(c, 6, 4, "nnnnny", "losses 0.7 0.6 0.65 0.6 0.62 0.6");
    check_history(c, 6, 3, "nnnnyy", "losses 0.7 0.6 0.65 0.6 0.62 0.6");
}
END_GRADED_TEST

GRADED_TEST(should_stop_patience_boundaries) {
    // Rising losses: the best is epoch 1's, and the run stops exactly when
    // `patience` epochs have followed it; never while epochs <= patience.
    double rising[40];
    for (int i = 0; i < 40; i++) rising[i] = 1.0 + 0.01 * i;
    for (int patience = 1; patience <= 30; patience++)
        for (int e = 1; e <= 40; e++) {
            bool got = should_stop(rising, e, patience), want = e > patience;
            CHECK(got == want,
                          "should_stop, losses rising every epoch from epoch 1's (the best), "
                          "patience %d, after epoch %d: expected %s, got %s", patience, e,
                          want ? "true (patience epochs without a new best)" :
                                 "false (fewer than patience epochs since the best)",
                          got ? "true" : "false");
        }
    // Patience longer than the whole history: never.
    const double flat[5] = {0.2, 0.2, 0.2, 0.2, 0.2};
    for (int e = 1; e <= 5; e++)
        CHECK(!should_stop(flat, e, 10),
                      "should_stop with patience 10 after epoch %d of 5: expected false, got "
                      "true", e);
    // A single epoch: nothing to compare with.
    const double one[1] = {3.0};
    CHECK(!should_stop(one, 1, 1),
                  "should_stop after epoch 1 with patience 1: expected false, got true");
}
END_GRADED_TEST

GRADED_TEST(should_stop_improves_last) {
    // Worse and worse, then a new best at the very last epoch: never stop there.
    double hist[30];
    for (int n = 2; n <= 30; n++) {
        for (int i = 0; i < n - 1; i++) hist[i] = 0.5 + 0.01 * i;
        hist[n - 1] = 0.4;
        for (int patience = 1; patience < n; patience++) {
            bool got = should_stop(hist, n, patience);
            CHECK(!got,
                          "should_stop, %d epochs, the last one a new best (0.4 after 0.5 and "
                          "higher), patience %d: expected false, got true (the last epoch "
                          "counts too)", n, patience);
        }
    }
}
END_GRADED_TEST

// The independent rule: walk the history, counting the epochs since the last
// strictly lower loss.
static bool ref_should_stop(const double *h, int epochs, int patience) {
    double best = h[0];
    int since = 0;
    for (int e = 1; e < epochs; e++) {
        if (h[e] < best) best = h[e], since = 0;
        else since++;
    }
    return since >= patience;
}

GRADED_TEST(should_stop_random) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 400; trial++) {
        int epochs = between(&r, 1, 60), patience = between(&r, 1, 12);
        double *h = alloc((size_t)epochs + 4);
        // A noisy falling curve on a coarse grid, so that equal losses happen.
        double level = 1.0;
        for (int e = 0; e < epochs; e++) {
            level *= 0.97;
            h[e] = round(40.0 * (level + 0.2 * rng_uniform(&r))) / 40.0;
        }
        for (int e = epochs; e < epochs + 4; e++) h[e] = -1e9;  // poison: never read it
        bool got = should_stop(h, epochs, patience), want = ref_should_stop(h, epochs, patience);
        CHECK(got == want,
                      "should_stop on a random history of %d epochs (trial %d), patience %d: "
                      "expected %s, got %s (seed %lu; the history is the test's, rerun with "
                      "--only should_stop_random --seed %lu)", epochs, trial, patience,
                      want ? "true" : "false", got ? "true" : "false", seed, seed);
        free(h);
    }
}
END_GRADED_TEST

const GradedSuite graded_suite = {
    4, "momentum and early stopping",
    (const GradedTest[]){
        {"momentum_known", momentum_known, 2,
         "momentum_step: two steps by hand; with no gradient the weight coasts"},
        {"momentum_gamma_zero_is_sgd", momentum_gamma_zero_is_sgd, 2,
         "momentum_step: gamma 0 is plain SGD, whatever the velocity held"},
        {"momentum_constant_gradient", momentum_constant_gradient, 2,
         "momentum_step: a constant gradient, the velocity towards rate g / (1 - gamma)"},
        {"momentum_count", momentum_count, 1, "momentum_step: nothing past count is touched"},
        {"momentum_random", momentum_random, 3,
         "momentum_step: random sequences against the closed form"},
        {"should_stop_known", should_stop_known, 2, "should_stop: histories worked by hand"},
        {"should_stop_ties", should_stop_ties, 2,
         "should_stop: an equal loss is no new best; the first of ties counts"},
        {"should_stop_patience_boundaries", should_stop_patience_boundaries, 2,
         "should_stop: exactly patience epochs after the best, never before"},
        {"should_stop_improves_last", should_stop_improves_last, 1,
         "should_stop: a new best at the last epoch never stops"},
        {"should_stop_random", should_stop_random, 3,
         "should_stop: random histories against an independent rule"},
    },
    10};
