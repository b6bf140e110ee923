// test_ch5.c: the graded tests of chapter 5 (L1 and L2 regularization).
//
// Each test checks one function of ch5.h by properties a hard-coded answer
// cannot meet: small cases worked by hand, seeded random blocks against a
// plain reference written here, the gradient *added* to whatever g already
// holds (never written over it), nothing touched past `count`, the weights
// left as they were, L2's gradient linear in lambda and in w, and the slope
// of lambda sum w^2 by central differences, computed here in long double.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch5.h"
#include "graded.h"
#include "rng.h"

// Like ck_assert_msg, but silent when it holds: Check records every passing
// ck_assert in the test's message file, and a test that checks a hundred
// thousand numbers would fill it past the grader's file-size limit.
#define CHECK(cond, ...)                         \
    do {                                         \
        if (!(cond)) ck_abort_msg(__VA_ARGS__);  \
    } while (0)

enum { GUARD = 3 };  // cells past the end of every array, which must stay as they are
static const double SENTINEL = -777.25;

static double *alloc(size_t n, double fill) {
    double *p = malloc(sizeof(double) * (n + GUARD));
    for (size_t i = 0; i < n + GUARD; i++) p[i] = i < n ? fill : SENTINEL;
    return p;
}

// dst = src, the guard cells included.
static void copy(double *dst, const double *src, int n) {
    memcpy(dst, src, sizeof(double) * ((size_t)(n > 0 ? n : 0) + GUARD));
}

static int rand_in(Rng *r, int lo, int hi) {
    return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

static double uniform(Rng *r, double lo, double hi) { return lo + (hi - lo) * rng_uniform(r); }

// Random weights as training leaves them: mostly small, of either sign, a few
// exactly 0 (L1 must leave those alone) and a few large.
static double *random_weights(Rng *r, int n) {
    double *w = alloc((size_t)n, 0.0);
    for (int i = 0; i < n; i++) {
        int kind = rand_in(r, 0, 9);
        w[i] = kind == 0 ? 0.0 : kind == 1 ? uniform(r, -3, 3) : uniform(r, -0.1, 0.1);
    }
    return w;
}

static double *random_gradient(Rng *r, int n) {
    double *g = alloc((size_t)n, 0.0);
    for (int i = 0; i < n; i++) g[i] = uniform(r, -5, 5);
    return g;
}

static double log_uniform(Rng *r, double lo, double hi) {
    return exp(uniform(r, log(lo), log(hi)));
}

static int close_to(double got, double want, double tol) {
    return fabs(got - want) <= tol * fmax(1.0, fabs(want));
}

static double sign_of(double x) { return (x > 0) - (x < 0); }

static void check_guards(const char *fn, const char *arr, const double *x, int n,
                         unsigned long seed) {
    for (int i = n; i < n + GUARD; i++)
        CHECK(x[i] == SENTINEL,
                      "%s with count %d changed %s[%d], past the end, from %g to %.15g (seed %lu)",
                      fn, n, arr, i, SENTINEL, x[i], seed);
}

static void check_unchanged(const char *fn, const double *w, const double *before, int n,
                            unsigned long seed) {
    for (int i = 0; i < n; i++)
        CHECK(memcmp(&w[i], &before[i], sizeof(double)) == 0,
                      "%s changed the weight w[%d] from %.15g to %.15g: w is read-only "
                      "(seed %lu)", fn, i, before[i], w[i], seed);
}

// ---------------------------------------------------------------------------
// l1_gradient

GRADED_TEST(l1_known) {
    // lambda 0.5: -0.5 for a negative weight, +0.5 for a positive one, 0 for 0,
    // however large or small the weight is.
    const double w[8] = {-2.0, -0.001, 0.0, 1e-300, 3.0, -0.0, 4.9e-324, -1e300};
    const double s[8] = {-1, -1, 0, 1, 1, 0, 1, -1};
    double g[8] = {10, 20, 30, 40, 50, 60, 70, 80};
    l1_gradient(g, w, 0.5, 8);
    for (int i = 0; i < 8; i++) {
        double want = 10.0 * (i + 1) + 0.5 * s[i];
        CHECK(g[i] == want,
                      "l1_gradient with lambda 0.5, g[%d] = %g before: for w[%d] = %g expected "
                      "g[%d] = %g + 0.5 x sign(w) = %g, got %.15g", i, 10.0 * (i + 1), i, w[i],
                      i, 10.0 * (i + 1), want, g[i]);
    }
}
END_GRADED_TEST

GRADED_TEST(l1_sign_of_zero) {
    // sign(0) = 0: a weight that is exactly 0 (or -0) gets no push, and g stays
    // exactly what it was, to the last bit.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 10; trial++) {
        int n = rand_in(&r, 1, 200);
        double *w = alloc((size_t)n, 0.0), *g = random_gradient(&r, n);
        for (int i = 0; i < n; i++) w[i] = rand_in(&r, 0, 1) ? 0.0 : -0.0;
        double *before = alloc((size_t)n, 0.0);
        copy(before, g, n);
        double lambda = log_uniform(&r, 1e-6, 10);
        l1_gradient(g, w, lambda, n);
        for (int i = 0; i < n; i++)
            CHECK(g[i] == before[i],
                          "l1_gradient with lambda %g: w[%d] is %s0, whose sign is 0, so g[%d] "
                          "should stay %.15g; got %.15g (seed %lu)", lambda, i,
                          signbit(w[i]) ? "-" : "", i, before[i], g[i], seed);
        free(w), free(g), free(before);
    }
}
END_GRADED_TEST

GRADED_TEST(l1_adds) {
    // The gradient already holds the loss's part; the penalty is added to it.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 20; trial++) {
        int n = rand_in(&r, 1, 300);
        double *w = random_weights(&r, n), *g = random_gradient(&r, n);
        double *before = alloc((size_t)n, 0.0);
        copy(before, g, n);
        double lambda = log_uniform(&r, 1e-5, 1);
        l1_gradient(g, w, lambda, n);
        for (int i = 0; i < n; i++) {
            double want = before[i] + lambda * sign_of(w[i]);
            CHECK(close_to(g[i], want, 1e-15),
                          "l1_gradient with lambda %g: g[%d] held %.15g and w[%d] = %.6g, so "
                          "expected %.15g (added to g, not written over it), got %.15g "
                          "(seed %lu)", lambda, i, before[i], i, w[i], want, g[i], seed);
        }
        free(w), free(g), free(before);
    }
}
END_GRADED_TEST

GRADED_TEST(l1_random) {
    // Random blocks against the reference, the weights untouched, nothing
    // written past count; lambda = 0 changes nothing.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 30; trial++) {
        int n = rand_in(&r, 1, 1000);
        double *w = random_weights(&r, n), *g = random_gradient(&r, n);
        double *g0 = alloc((size_t)n, 0.0), *w0 = alloc((size_t)n, 0.0);
        copy(g0, g, n), copy(w0, w, n);
        double lambda = trial == 0 ? 0.0 : log_uniform(&r, 1e-6, 3);
        l1_gradient(g, w, lambda, n);
        for (int i = 0; i < n; i++) {
            double want = g0[i] + lambda * sign_of(w0[i]);
            CHECK(close_to(g[i], want, 1e-15),
                          "l1_gradient with lambda %g on %d weights: at index %d (w = %.6g) "
                          "expected %.15g, got %.15g (seed %lu)", lambda, n, i, w0[i], want,
                          g[i], seed);
        }
        check_unchanged("l1_gradient", w, w0, n, seed);
        check_guards("l1_gradient", "g", g, n, seed);
        check_guards("l1_gradient", "w", w, n, seed);
        free(w), free(g), free(g0), free(w0);
    }
}
END_GRADED_TEST

GRADED_TEST(l1_count) {
    // Only the first count entries: count 0 touches nothing, count 1 one.
    double w[1 + GUARD] = {2.0, 5.0, -5.0, 5.0}, g[1 + GUARD] = {1.0, 1.0, 1.0, 1.0};
    l1_gradient(g, w, 0.25, 0);
    for (int i = 0; i < 1 + GUARD; i++)
        CHECK(g[i] == 1.0, "l1_gradient with count 0 changed g[%d] from 1 to %.15g", i,
                      g[i]);
    l1_gradient(g, w, 0.25, 1);
    CHECK(g[0] == 1.25, "l1_gradient with count 1, w[0] = 2, lambda 0.25, g[0] = 1: "
                  "expected 1.25, got %.15g", g[0]);
    for (int i = 1; i < 1 + GUARD; i++)
        CHECK(g[i] == 1.0, "l1_gradient with count 1 changed g[%d], past the end, from "
                      "1 to %.15g", i, g[i]);
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// l2_gradient

GRADED_TEST(l2_known) {
    // lambda 0.25: g += 0.5 w
    const double w[6] = {-2.0, 0.0, 0.5, 3.0, -0.0, 1e-3};
    double g[6] = {1, 2, 3, 4, 5, 6};
    const double want[6] = {0.0, 2.0, 3.25, 5.5, 5.0, 6.0005};
    l2_gradient(g, w, 0.25, 6);
    for (int i = 0; i < 6; i++)
        CHECK(close_to(g[i], want[i], 1e-15),
                      "l2_gradient with lambda 0.25, g[%d] = %d before, w[%d] = %g: expected "
                      "g + 2 lambda w = %.15g, got %.15g", i, i + 1, i, w[i], want[i], g[i]);
}
END_GRADED_TEST

GRADED_TEST(l2_adds) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 20; trial++) {
        int n = rand_in(&r, 1, 300);
        double *w = random_weights(&r, n), *g = random_gradient(&r, n);
        double *before = alloc((size_t)n, 0.0);
        copy(before, g, n);
        double lambda = log_uniform(&r, 1e-5, 1);
        l2_gradient(g, w, lambda, n);
        for (int i = 0; i < n; i++) {
            double want = before[i] + 2.0 * lambda * w[i];
            CHECK(close_to(g[i], want, 1e-14),
                          "l2_gradient with lambda %g: g[%d] held %.15g and w[%d] = %.6g, so "
                          "expected %.15g (added to g, not written over it), got %.15g "
                          "(seed %lu)", lambda, i, before[i], i, w[i], want, g[i], seed);
        }
        free(w), free(g), free(before);
    }
}
END_GRADED_TEST

GRADED_TEST(l2_linear) {
    // From g = 0: the result for lambda a + b is the sum of those for a and
    // for b, and scaling every weight by c scales the result by c.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 20; trial++) {
        int n = rand_in(&r, 1, 300);
        double a = log_uniform(&r, 1e-4, 1), b = log_uniform(&r, 1e-4, 1);
        double c = uniform(&r, -4, 4);
        double *w = random_weights(&r, n), *cw = alloc((size_t)n, 0.0);
        for (int i = 0; i < n; i++) cw[i] = c * w[i];
        double *ga = alloc((size_t)n, 0.0), *gb = alloc((size_t)n, 0.0);
        double *gab = alloc((size_t)n, 0.0), *gc = alloc((size_t)n, 0.0);
        l2_gradient(ga, w, a, n);
        l2_gradient(gb, w, b, n);
        l2_gradient(gab, w, a + b, n);
        l2_gradient(gc, cw, a, n);
        for (int i = 0; i < n; i++) {
            CHECK(fabs(gab[i] - (ga[i] + gb[i])) <= 1e-14 * fmax(1e-300, fabs(gab[i])) +
                                                              1e-300,
                          "l2_gradient is not linear in lambda: at index %d (w = %.6g), lambda "
                          "%g gives %.15g and %g gives %.15g, which add to %.15g, but lambda "
                          "%g gives %.15g (seed %lu)", i, w[i], a, ga[i], b, gb[i],
                          ga[i] + gb[i], a + b, gab[i], seed);
            CHECK(fabs(gc[i] - c * ga[i]) <= 1e-14 * fmax(1e-300, fabs(gc[i])) + 1e-300,
                          "l2_gradient is not linear in w: at index %d, w = %.6g gives %.15g, "
                          "so %g w should give %.15g, got %.15g (seed %lu)", i, w[i], ga[i], c,
                          c * ga[i], gc[i], seed);
            CHECK(close_to(ga[i], 2.0 * a * w[i], 1e-15),
                          "l2_gradient from g = 0 with lambda %g: at index %d, w = %.6g, "
                          "expected 2 lambda w = %.15g, got %.15g (seed %lu)", a, i, w[i],
                          2.0 * a * w[i], ga[i], seed);
        }
        free(w), free(cw), free(ga), free(gb), free(gab), free(gc);
    }
}
END_GRADED_TEST

// lambda sum w^2 in long double: the penalty whose slope l2_gradient must be.
static long double ref_l2_penalty(const double *w, double lambda, int n) {
    long double s = 0;
    for (int i = 0; i < n; i++) s += (long double)w[i] * w[i];
    return lambda * s;
}

GRADED_TEST(l2_central_differences) {
    // Nudge each weight by h both ways: (C(w + h) - C(w - h)) / 2h, with
    // C = lambda sum w^2, is the slope the gradient must match.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    const double h = 1e-4;
    for (int trial = 0; trial < 10; trial++) {
        int n = rand_in(&r, 1, 60);
        double lambda = log_uniform(&r, 1e-4, 2);
        double *w = random_weights(&r, n), *g = alloc((size_t)n, 0.0);
        l2_gradient(g, w, lambda, n);
        for (int i = 0; i < n; i++) {
            double w0 = w[i];
            w[i] = w0 + h;
            long double up = ref_l2_penalty(w, lambda, n);
            w[i] = w0 - h;
            long double down = ref_l2_penalty(w, lambda, n);
            w[i] = w0;
            // the steps as they really are, w0 + h and w0 - h being rounded
            long double hp = (long double)(w0 + h) - w0, hm = w0 - (long double)(w0 - h);
            double slope = (double)((up - down) / (hp + hm));
            CHECK(fabs(g[i] - slope) <= 1e-7 * fmax(1.0, fabs(slope)),
                          "l2_gradient with lambda %g on %d weights: at index %d (w = %.6g) the "
                          "slope of lambda sum w^2 by central differences is %.12g, your "
                          "gradient %.12g (seed %lu)", lambda, n, i, w0, slope, g[i], seed);
        }
        free(w), free(g);
    }
}
END_GRADED_TEST

GRADED_TEST(l2_random) {
    // Random blocks against the reference, the weights untouched, nothing
    // written past count; count 0 touches nothing.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 30; trial++) {
        int n = trial == 0 ? 0 : rand_in(&r, 1, 1000);
        double *w = random_weights(&r, n), *g = random_gradient(&r, n);
        double *g0 = alloc((size_t)n, 0.0), *w0 = alloc((size_t)n, 0.0);
        copy(g0, g, n), copy(w0, w, n);
        double lambda = log_uniform(&r, 1e-6, 3);
        l2_gradient(g, w, lambda, n);
        for (int i = 0; i < n; i++) {
            double want = g0[i] + 2.0 * lambda * w0[i];
            CHECK(close_to(g[i], want, 1e-14),
                          "l2_gradient with lambda %g on %d weights: at index %d (w = %.6g) "
                          "expected %.15g, got %.15g (seed %lu)", lambda, n, i, w0[i], want,
                          g[i], seed);
        }
        check_unchanged("l2_gradient", w, w0, n, seed);
        check_guards("l2_gradient", "g", g, n, seed);
        check_guards("l2_gradient", "w", w, n, seed);
        free(w), free(g), free(g0), free(w0);
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// penalty

GRADED_TEST(penalty_known) {
    const double w[4] = {-2.0, 0.0, 0.5, 3.0};  // sum |w| = 5.5, sum w^2 = 13.25
    double got = penalty(w, 0.1, 0.0, 4);
    CHECK(close_to(got, 0.55, 1e-15),
                  "penalty of {-2, 0, 0.5, 3} with l1 = 0.1, l2 = 0: expected 0.1 x 5.5 = 0.55, "
                  "got %.15g", got);
    got = penalty(w, 0.0, 0.01, 4);
    CHECK(close_to(got, 0.1325, 1e-15),
                  "penalty of {-2, 0, 0.5, 3} with l1 = 0, l2 = 0.01: expected 0.01 x 13.25 = "
                  "0.1325, got %.15g", got);
    got = penalty(w, 0.1, 0.01, 4);
    CHECK(close_to(got, 0.6825, 1e-15),
                  "penalty of {-2, 0, 0.5, 3} with l1 = 0.1, l2 = 0.01: expected 0.55 + 0.1325 "
                  "= 0.6825, got %.15g", got);
    got = penalty(w, 0.1, 0.01, 0);
    CHECK(got == 0.0, "penalty of no weights (count 0): expected 0, got %.15g", got);
    got = penalty(w, 0.1, 0.01, 1);
    CHECK(close_to(got, 0.24, 1e-15),
                  "penalty of the first weight only, -2 (count 1), l1 = 0.1, l2 = 0.01: "
                  "expected 0.2 + 0.04 = 0.24, got %.15g", got);
}
END_GRADED_TEST

GRADED_TEST(penalty_random) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 30; trial++) {
        int n = rand_in(&r, 1, 2000);
        double *w = random_weights(&r, n), *w0 = alloc((size_t)n, 0.0);
        copy(w0, w, n);
        double l1 = rand_in(&r, 0, 3) ? log_uniform(&r, 1e-6, 1) : 0.0;
        double l2 = rand_in(&r, 0, 3) ? log_uniform(&r, 1e-6, 1) : 0.0;
        long double a = 0, s = 0;
        for (int i = 0; i < n; i++) a += fabsl((long double)w[i]), s += (long double)w[i] * w[i];
        double want = (double)(l1 * a + l2 * s), got = penalty(w, l1, l2, n);
        CHECK(close_to(got, want, 1e-12),
                      "penalty of %d random weights with l1 = %g, l2 = %g: expected %.15g, got "
                      "%.15g (seed %lu)", n, l1, l2, want, got, seed);
        check_unchanged("penalty", w, w0, n, seed);
        free(w), free(w0);
    }
}
END_GRADED_TEST

GRADED_TEST(penalty_slope) {
    // Your penalty's slope along each weight, by central differences, is
    // l1 sign(w) + 2 l2 w: the two gradients belong to this penalty.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    const double h = 1e-4;  // no weight is within h of the kink at 0
    for (int trial = 0; trial < 10; trial++) {
        int n = rand_in(&r, 1, 40);
        double l1 = log_uniform(&r, 1e-3, 1), l2 = log_uniform(&r, 1e-3, 1);
        double *w = alloc((size_t)n, 0.0);
        for (int i = 0; i < n; i++)  // at least 1e-2 from 0, where |w| has a kink
            w[i] = (rand_in(&r, 0, 1) ? 1 : -1) * uniform(&r, 0.01, 2);
        for (int i = 0; i < n; i++) {
            double w0 = w[i];
            w[i] = w0 + h;
            double up = penalty(w, l1, l2, n);
            w[i] = w0 - h;
            double down = penalty(w, l1, l2, n);
            w[i] = w0;
            double slope = (up - down) / (2 * h), want = l1 * sign_of(w0) + 2 * l2 * w0;
            CHECK(fabs(slope - want) <= 1e-6 * fmax(1.0, fabs(want)),
                          "penalty with l1 = %g, l2 = %g on %d weights: along w[%d] = %.6g its "
                          "slope by central differences is %.10g, expected l1 sign(w) + 2 l2 w "
                          "= %.10g (seed %lu)", l1, l2, n, i, w0, slope, want, seed);
        }
        free(w);
    }
}
END_GRADED_TEST

const GradedSuite graded_suite = {
    5, "L1 and L2 regularization",
    (const GradedTest[]){
        {"l1_known", l1_known, 2, "l1_gradient: known values, lambda sign(w) added"},
        {"l1_sign_of_zero", l1_sign_of_zero, 2, "l1_gradient: a weight of 0 (or -0) gets no push"},
        {"l1_adds", l1_adds, 2, "l1_gradient: adds to g, does not overwrite it"},
        {"l1_random", l1_random, 2,
         "l1_gradient: random blocks against a reference, w untouched, nothing past count"},
        {"l1_count", l1_count, 1, "l1_gradient: count 0 and count 1"},
        {"l2_known", l2_known, 2, "l2_gradient: known values, 2 lambda w added"},
        {"l2_adds", l2_adds, 2, "l2_gradient: adds to g, does not overwrite it"},
        {"l2_linear", l2_linear, 2, "l2_gradient: linear in lambda and in w"},
        {"l2_central_differences", l2_central_differences, 3,
         "l2_gradient: the slope of lambda sum w^2, by central differences"},
        {"l2_random", l2_random, 1,
         "l2_gradient: random blocks against a reference, w untouched, nothing past count"},
        {"penalty_known", penalty_known, 2, "penalty: known values, l1 and l2 alone and together"},
        {"penalty_random", penalty_random, 1, "penalty: random blocks against a reference"},
        {"penalty_slope", penalty_slope, 2,
         "penalty: its slope is l1 sign(w) + 2 l2 w, by central differences"},
    },
    13};
