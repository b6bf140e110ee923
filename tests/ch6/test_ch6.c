// test_ch6.c: the graded tests of chapter 6 (activation functions).
//
// Each test checks functions of ch6.h by properties a hard-coded answer cannot
// meet: values worked out to 20 digits, a reference computed here in long
// double, the symmetry sigmoid(-x) = 1 - sigmoid(x), and each backward pass
// against central differences of the test's own forward pass (so that a
// backward pass is graded on its own, even while the forward pass is wrong),
// all on random inputs from graded_seed(). Outputs are filled with NaN
// beforehand, so that "forgot to write it" fails, and guard values after the
// end catch a write past it.
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ch6.h"
#include "graded.h"
#include "rng.h"

// ---------------------------------------------------------------------------
// Helpers

enum { GUARDS = 4 };
static const double GUARD = 12345.0;

// n doubles and GUARDS guard values after them.
static double *alloc(size_t n) {
    double *p = malloc(sizeof(double) * (n + GUARDS));
    ck_assert_msg(p != NULL, "the test could not allocate %zu doubles", n);
    for (size_t i = 0; i < GUARDS; i++) p[n + i] = GUARD;
    return p;
}

static void fill(double *x, size_t n, double v) {
    for (size_t i = 0; i < n; i++) x[i] = v;
}

static double *copy_of(const double *x, size_t n) {
    double *c = alloc(n);
    memcpy(c, x, sizeof(double) * n);
    return c;
}

// n numbers uniform in [-scale, scale].
static double *random_array(Rng *r, size_t n, double scale) {
    double *x = alloc(n);
    for (size_t i = 0; i < n; i++) x[i] = scale * (2.0 * rng_uniform(r) - 1.0);
    return x;
}

// A random whole number in [lo, hi].
static int between(Rng *r, int lo, int hi) {
    return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

// |got - want| <= abs_tol + rel_tol * |want|, and got finite.
static int close_enough(double got, double want, double abs_tol, double rel_tol) {
    return isfinite(got) && fabs(got - want) <= abs_tol + rel_tol * fabs(want);
}

static void check_guards(const double *p, int n, const char *fn, unsigned long seed) {
    for (int i = 0; i < GUARDS; i++)
        ck_assert_msg(p[n + i] == GUARD, "%s with n = %d wrote past the end of its output "
                      "(index %d) (seed %lu)", fn, n, n + i, seed);
}

// The test's own forward passes: the sigmoid in long double, and the rectifier.
static long double ref_sigmoid(long double x) {
    return x >= 0 ? 1.0L / (1.0L + expl(-x)) : expl(x) / (1.0L + expl(x));
}

static double ref_relu(double x) { return x > 0 ? x : 0.0; }

// ---------------------------------------------------------------------------
// sigmoid_forward

GRADED_TEST(sigmoid_forward_known) {
    // Worked out to 20 digits: 1 / (1 + e^-x). At ln 3 the answer is 3/4.
    const double x[10] = {0.0, 1.0, -1.0, -2.0, 0.5, 4.0, 10.0, -40.0, 1.0986122886681098,
                          -1.0986122886681098};
    const double want[10] = {0.5, 0.73105857863000487925, 0.26894142136999512075,
                             0.11920292202211755594, 0.62245933120185456464,
                             0.98201379003790844197, 0.99995460213129756561,
                             4.2483542552915889773e-18, 0.75, 0.25};
    double *out = alloc(10);
    fill(out, 10, NAN);
    sigmoid_forward(out, x, 10);
    for (int i = 0; i < 10; i++)
        ck_assert_msg(close_enough(out[i], want[i], 0, 1e-14),
                      "sigmoid_forward(%.17g): expected %.17g, got %.17g%s", x[i], want[i],
                      out[i], i == 7 ? " (far in the tail the answer is tiny, not 0: see ch6.h)"
                                     : "");
    check_guards(out, 10, "sigmoid_forward", 0);
    free(out);

    // Random inputs against the long double reference, out of place and in place.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 10; trial++) {
        int n = between(&r, 1, 300);
        double *x2 = random_array(&r, n, trial < 5 ? 8.0 : 60.0), *keep = copy_of(x2, n);
        double *y = alloc(n);
        fill(y, n, NAN);
        int in_place = trial % 2;
        double *dst = in_place ? x2 : y;
        sigmoid_forward(dst, x2, n);
        for (int i = 0; i < n; i++) {
            double w = (double)ref_sigmoid(keep[i]);
            ck_assert_msg(close_enough(dst[i], w, 0, 1e-14),
                          "sigmoid_forward%s, index %d of %d: sigmoid(%.17g) is %.17g, got %.17g "
                          "(seed %lu)", in_place ? " in place (out == inp)" : "", i, n, keep[i],
                          w, dst[i], seed);
            ck_assert_msg(in_place || x2[i] == keep[i],
                          "sigmoid_forward changed its input at index %d: %.17g became %.17g "
                          "(seed %lu)", i, keep[i], x2[i], seed);
        }
        check_guards(dst, n, "sigmoid_forward", seed);
        free(x2), free(keep), free(y);
    }
}
END_GRADED_TEST

GRADED_TEST(sigmoid_forward_extreme) {
    // exp overflows past 709.78: written the wrong way round, e^x / (1 + e^x)
    // at x = 1000 is inf / inf = NaN. The answers here are exactly 0 or 1, and
    // every output is finite and in [0, 1].
    const double x[8] = {1000.0, -1000.0, 1e308, -1e308, 710.0, -710.0, 745.5, -745.5};
    double *out = alloc(8);
    fill(out, 8, NAN);
    sigmoid_forward(out, x, 8);
    for (int i = 0; i < 8; i++) {
        double want = x[i] > 0 ? 1.0 : 0.0;
        ck_assert_msg(isfinite(out[i]) && out[i] >= 0.0 && out[i] <= 1.0,
                      "sigmoid_forward(%g): expected a number in [0, 1], got %.17g (exp of a "
                      "large number overflows: see ch6.h)", x[i], out[i]);
        ck_assert_msg(fabs(out[i] - want) <= 1e-300,
                      "sigmoid_forward(%g): expected %g, got %.17g", x[i], want, out[i]);
    }
    check_guards(out, 8, "sigmoid_forward", 0);
    // In place, a random mixture of huge and ordinary inputs.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    int n = between(&r, 20, 200);
    double *v = alloc(n);
    for (int i = 0; i < n; i++) {
        double mag = pow(10.0, 308.0 * rng_uniform(&r));
        v[i] = rng_uniform(&r) < 0.5 ? -mag : mag;
    }
    double *keep = copy_of(v, n);
    sigmoid_forward(v, v, n);
    for (int i = 0; i < n; i++)
        ck_assert_msg(close_enough(v[i], (double)ref_sigmoid(keep[i]), 1e-300, 1e-14),
                      "sigmoid_forward in place, index %d: sigmoid(%.17g) is %.17g, got %.17g "
                      "(seed %lu)", i, keep[i], (double)ref_sigmoid(keep[i]), v[i], seed);
    check_guards(v, n, "sigmoid_forward", seed);
    free(out), free(v), free(keep);
}
END_GRADED_TEST

GRADED_TEST(sigmoid_forward_symmetry) {
    // sigmoid(-x) = 1 - sigmoid(x): the curve turns into itself about (0, 1/2).
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 10; trial++) {
        int n = between(&r, 1, 300);
        double *x = random_array(&r, n, 30.0), *neg = alloc(n), *s = alloc(n), *sn = alloc(n);
        for (int i = 0; i < n; i++) neg[i] = -x[i];
        fill(s, n, NAN), fill(sn, n, NAN);
        sigmoid_forward(s, x, n);
        sigmoid_forward(sn, neg, n);
        for (int i = 0; i < n; i++) {
            ck_assert_msg(isfinite(s[i]) && s[i] >= 0 && s[i] <= 1,
                          "sigmoid_forward(%.17g): expected a number in [0, 1], got %.17g "
                          "(seed %lu)", x[i], s[i], seed);
            ck_assert_msg(fabs(sn[i] - (1.0 - s[i])) <= 5e-16,
                          "sigmoid(-x) must be 1 - sigmoid(x): sigmoid(%.17g) = %.17g, but "
                          "sigmoid(%.17g) = %.17g (index %d, seed %lu)", x[i], s[i], neg[i],
                          sn[i], i, seed);
            // It rises: of two inputs, the larger never gives the smaller output
            // (but for a rounding).
            if (i > 0) {
                int lo = x[i] < x[i - 1] ? i : i - 1, hi = lo == i ? i - 1 : i;
                ck_assert_msg(s[lo] <= s[hi] * (1 + 4e-16),
                              "sigmoid rises, but sigmoid(%.17g) = %.17g is more than "
                              "sigmoid(%.17g) = %.17g (seed %lu)", x[lo], s[lo], x[hi], s[hi],
                              seed);
            }
        }
        free(x), free(neg), free(s), free(sn);
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// sigmoid_backward

GRADED_TEST(sigmoid_backward_numerical) {
    // Known values: the slope is 1/4 at the middle (out = 1/2) and 0 where
    // the curve is flat (out = 0 or 1).
    const double out0[4] = {0.5, 0.0, 1.0, 0.75}, dout0[4] = {2.0, 3.0, -4.0, 1.0};
    const double want0[4] = {0.5, 0.0, 0.0, 0.1875};
    double *d0 = alloc(4);
    fill(d0, 4, NAN);
    sigmoid_backward(d0, dout0, out0, 4);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(close_enough(d0[i], want0[i], 1e-15, 0),
                      "sigmoid_backward with out = %g, dout = %g: expected %g, got %.17g "
                      "(the slope comes from the output: out (1 - out))", out0[i], dout0[i],
                      want0[i], d0[i]);
    check_guards(d0, 4, "sigmoid_backward", 0);
    free(d0);

    // Random inputs: out from the test's sigmoid, and the slope against
    // central differences of that same sigmoid, (s(x + h) - s(x - h)) / 2h,
    // computed in long double (its error is about h^2 / 100, far below the
    // tolerance).
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    const long double h = 1e-5L;
    for (int trial = 0; trial < 10; trial++) {
        int n = between(&r, 1, 200);
        double *x = random_array(&r, n, 8.0), *dout = random_array(&r, n, 3.0);
        double *out = alloc(n), *dinp = alloc(n);
        for (int i = 0; i < n; i++) out[i] = (double)ref_sigmoid(x[i]);
        double *keep_out = copy_of(out, n), *keep_dout = copy_of(dout, n);
        fill(dinp, n, NAN);
        int in_place = trial % 2;
        if (in_place) memcpy(dinp, dout, sizeof(double) * n);
        sigmoid_backward(dinp, in_place ? dinp : dout, out, n);
        for (int i = 0; i < n; i++) {
            long double slope = (ref_sigmoid(x[i] + h) - ref_sigmoid(x[i] - h)) / (2 * h);
            double want = (double)(keep_dout[i] * slope);
            ck_assert_msg(close_enough(dinp[i], want, 1e-12, 1e-8),
                          "sigmoid_backward%s at x = %.10g (out = %.10g), dout = %.10g, index %d: "
                          "central differences give %.12g, got %.12g (seed %lu)",
                          in_place ? " in place (dinp == dout)" : "", x[i], out[i], keep_dout[i],
                          i, want, dinp[i], seed);
            ck_assert_msg(out[i] == keep_out[i] && (in_place || dout[i] == keep_dout[i]),
                          "sigmoid_backward changed one of its inputs at index %d (seed %lu)", i,
                          seed);
        }
        check_guards(dinp, n, "sigmoid_backward", seed);
        // dout scales the answer: 3 dout gives 3 times as much, 0 gives 0.
        double *d3 = alloc(n), *three = alloc(n), *zero = alloc(n), *dz = alloc(n);
        for (int i = 0; i < n; i++) three[i] = 3.0 * keep_dout[i], zero[i] = 0.0;
        fill(d3, n, NAN), fill(dz, n, NAN);
        sigmoid_backward(d3, three, out, n);
        sigmoid_backward(dz, zero, out, n);
        for (int i = 0; i < n; i++) {
            ck_assert_msg(close_enough(d3[i], 3.0 * dinp[i], 1e-15, 1e-13),
                          "sigmoid_backward: dout three times larger should give three times "
                          "%.17g, got %.17g (index %d, seed %lu)", dinp[i], d3[i], i, seed);
            ck_assert_msg(dz[i] == 0.0,
                          "sigmoid_backward: dout = 0 should give 0, got %.17g (index %d, seed "
                          "%lu)", dz[i], i, seed);
        }
        free(x), free(dout), free(out), free(dinp), free(keep_out), free(keep_dout);
        free(d3), free(three), free(zero), free(dz);
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// relu_forward

GRADED_TEST(relu_forward_values) {
    // Known values: negatives and zero give exactly 0, positives pass
    // unchanged, down to the smallest double and up to the largest.
    const double x[9] = {-2.0, 0.0, 3.5, 1e308, -1e308, 5e-324, -5e-324, 0.25, -0.25};
    const double want[9] = {0.0, 0.0, 3.5, 1e308, 0.0, 5e-324, 0.0, 0.25, 0.0};
    double *out = alloc(9);
    fill(out, 9, NAN);
    relu_forward(out, x, 9);
    for (int i = 0; i < 9; i++)
        ck_assert_msg(out[i] == want[i], "relu_forward(%g): expected %g, got %.17g", x[i],
                      want[i], out[i]);
    check_guards(out, 9, "relu_forward", 0);
    free(out);

    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 10; trial++) {
        int n = between(&r, 1, 300);
        double *v = random_array(&r, n, 5.0), *keep = NULL, *y = alloc(n);
        for (int i = 0; i < n; i += 7) v[i] = 0.0;  // some exact zeros
        keep = copy_of(v, n);
        fill(y, n, NAN);
        int in_place = trial % 2;
        double *dst = in_place ? v : y;
        relu_forward(dst, v, n);
        for (int i = 0; i < n; i++) {
            ck_assert_msg(dst[i] == ref_relu(keep[i]),
                          "relu_forward%s, index %d of %d: max(0, %.17g) is %.17g, got %.17g "
                          "(seed %lu)", in_place ? " in place (out == inp)" : "", i, n, keep[i],
                          ref_relu(keep[i]), dst[i], seed);
            ck_assert_msg(in_place || v[i] == keep[i],
                          "relu_forward changed its input at index %d (seed %lu)", i, seed);
        }
        check_guards(dst, n, "relu_forward", seed);
        free(v), free(keep), free(y);
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// relu_backward

GRADED_TEST(relu_backward_numerical) {
    // Known values: the gradient passes where the output is positive and is
    // stopped where it is 0, which is also what an input of exactly 0 gives
    // (the choice ch6.h makes: from the output alone, 0 and a negative input
    // look the same).
    const double out0[5] = {2.0, 0.0, 5e-324, 0.0, 1e300}, dout0[5] = {1.5, 7.0, -3.0, -2.0, 4.0};
    const double want0[5] = {1.5, 0.0, -3.0, 0.0, 4.0};
    double *d0 = alloc(5);
    fill(d0, 5, NAN);
    relu_backward(d0, dout0, out0, 5);
    for (int i = 0; i < 5; i++)
        ck_assert_msg(d0[i] == want0[i], "relu_backward with out = %g, dout = %g: expected %g, "
                      "got %.17g", out0[i], dout0[i], want0[i], d0[i]);
    check_guards(d0, 5, "relu_backward", 0);
    free(d0);

    // Random inputs away from the kink (|x| >= 1e-3): the slope by central
    // differences of the test's own rectifier, with a step well inside that.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    const double h = 1e-6;
    for (int trial = 0; trial < 10; trial++) {
        int n = between(&r, 1, 200);
        double *x = random_array(&r, n, 4.0), *dout = random_array(&r, n, 3.0);
        for (int i = 0; i < n; i++)
            if (fabs(x[i]) < 1e-3) x[i] = x[i] < 0 ? -1e-3 : 1e-3;
        double *out = alloc(n), *dinp = alloc(n);
        for (int i = 0; i < n; i++) out[i] = ref_relu(x[i]);
        double *keep_out = copy_of(out, n), *keep_dout = copy_of(dout, n);
        fill(dinp, n, NAN);
        int in_place = trial % 2;
        if (in_place) memcpy(dinp, dout, sizeof(double) * n);
        relu_backward(dinp, in_place ? dinp : dout, out, n);
        for (int i = 0; i < n; i++) {
            double slope = (ref_relu(x[i] + h) - ref_relu(x[i] - h)) / (2 * h);
            double want = keep_dout[i] * slope;
            ck_assert_msg(close_enough(dinp[i], want, 1e-12, 1e-8),
                          "relu_backward%s at x = %.10g (out = %.10g), dout = %.10g, index %d: "
                          "central differences give %.12g, got %.12g (seed %lu)",
                          in_place ? " in place (dinp == dout)" : "", x[i], out[i], keep_dout[i],
                          i, want, dinp[i], seed);
            ck_assert_msg(out[i] == keep_out[i] && (in_place || dout[i] == keep_dout[i]),
                          "relu_backward changed one of its inputs at index %d (seed %lu)", i,
                          seed);
        }
        check_guards(dinp, n, "relu_backward", seed);
        // dout scales the answer: 3 dout gives 3 times as much, 0 gives 0.
        double *d3 = alloc(n), *three = alloc(n), *zero = alloc(n), *dz = alloc(n);
        for (int i = 0; i < n; i++) three[i] = 3.0 * keep_dout[i], zero[i] = 0.0;
        fill(d3, n, NAN), fill(dz, n, NAN);
        relu_backward(d3, three, out, n);
        relu_backward(dz, zero, out, n);
        for (int i = 0; i < n; i++) {
            ck_assert_msg(d3[i] == 3.0 * dinp[i],
                          "relu_backward: dout three times larger should give three times "
                          "%.17g, got %.17g (index %d, seed %lu)", dinp[i], d3[i], i, seed);
            ck_assert_msg(dz[i] == 0.0,
                          "relu_backward: dout = 0 should give 0, got %.17g (index %d, seed %lu)",
                          dz[i], i, seed);
        }
        free(x), free(dout), free(out), free(dinp), free(keep_out), free(keep_dout);
        free(d3), free(three), free(zero), free(dz);
    }
}
END_GRADED_TEST

const GradedSuite graded_suite = {
    6, "activation functions",
    (const GradedTest[]){
        {"sigmoid_forward_known", sigmoid_forward_known, 2,
         "sigmoid_forward: values to 14 digits, random inputs, in place"},
        {"sigmoid_forward_extreme", sigmoid_forward_extreme, 1,
         "sigmoid_forward: inputs of +-1000 and +-1e308 give 1 and 0, not NaN"},
        {"sigmoid_forward_symmetry", sigmoid_forward_symmetry, 1,
         "sigmoid_forward: sigmoid(-x) = 1 - sigmoid(x), and it rises"},
        {"sigmoid_backward_numerical", sigmoid_backward_numerical, 3,
         "sigmoid_backward: against central differences, in place, scaled by dout"},
        {"relu_forward_values", relu_forward_values, 2,
         "relu_forward: exact values and zeros, random inputs, in place"},
        {"relu_backward_numerical", relu_backward_numerical, 3,
         "relu_backward: against central differences away from 0, in place, scaled by dout"},
    },
    6};
