// test_ch2.c: the graded tests of chapter 2 (softmax regression).
//
// Each test checks one function of ch2.h by properties a hard-coded answer
// cannot meet: known small cases, invariants on seeded random inputs (rows
// that sum to one, a shift that changes nothing), extreme inputs, and outputs
// filled with garbage beforehand so that "forgot to write it" fails. The
// gradient is held against central differences of the loss, computed here
// by an independent reference implementation in long double.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch2.h"
#include "graded.h"
#include "rng.h"

static const double TOL = 1e-12;  // relative, for sums of a few hundred terms

static double *alloc(size_t n, double fill) {
    double *p = malloc(sizeof(double) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) p[i] = fill;
    return p;
}

static double *random_matrix(Rng *r, size_t n, double spread) {
    double *p = alloc(n, 0.0);
    for (size_t i = 0; i < n; i++) p[i] = spread * (2.0 * rng_uniform(r) - 1.0);
    return p;
}

static int rand_in(Rng *r, int lo, int hi) {
    return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

static int close_to(double got, double want, double tol) {
    return fabs(got - want) <= tol * fmax(1.0, fabs(want));
}

// ---------------------------------------------------------------------------
// The reference: the same model, written out plainly, in long double.

static void ref_logits(long double *a, const double *x, const double *w, const double *b, int n,
                       int dim, int classes) {
    for (int i = 0; i < n; i++)
        for (int k = 0; k < classes; k++) {
            long double s = b[k];
            for (int j = 0; j < dim; j++) s += (long double)x[i * dim + j] * w[j * classes + k];
            a[i * classes + k] = s;
        }
}

static void ref_softmax(long double *y, const long double *a, int n, int classes) {
    for (int i = 0; i < n; i++) {
        long double m = a[i * classes];
        for (int k = 1; k < classes; k++) m = fmaxl(m, a[i * classes + k]);
        long double s = 0;
        for (int k = 0; k < classes; k++) s += expl(a[i * classes + k] - m);
        for (int k = 0; k < classes; k++) y[i * classes + k] = expl(a[i * classes + k] - m) / s;
    }
}

// The summed cross-entropy of softmax(x w + b), no clipping (the tests keep
// every probability well inside (1e-15, 1 - 1e-15)).
static long double ref_summed_loss(const double *x, const double *w, const double *b,
                                   const double *t, int n, int dim, int classes) {
    long double *a = calloc((size_t)n * classes, sizeof(long double));
    long double *y = calloc((size_t)n * classes, sizeof(long double));
    ref_logits(a, x, w, b, n, dim, classes);
    ref_softmax(y, a, n, classes);
    long double e = 0;
    for (int i = 0; i < n * classes; i++)
        if (t[i] != 0) e -= t[i] * logl(y[i]);
    free(a), free(y);
    return e;
}

// n rows of probabilities: the softmax of random logits, rounded to double.
static double *random_probabilities(Rng *r, int n, int classes, double spread) {
    double *a = random_matrix(r, (size_t)n * classes, spread), *y = alloc((size_t)n * classes, 0);
    long double *la = calloc((size_t)n * classes, sizeof(long double));
    long double *ly = calloc((size_t)n * classes, sizeof(long double));
    for (int i = 0; i < n * classes; i++) la[i] = a[i];
    ref_softmax(ly, la, n, classes);
    for (int i = 0; i < n * classes; i++) y[i] = (double)ly[i];
    free(a), free(la), free(ly);
    return y;
}

static double *random_one_hot(Rng *r, uint8_t *labels, int n, int classes) {
    double *t = alloc((size_t)n * classes, 0.0);
    for (int i = 0; i < n; i++) {
        int k = (int)rng_below(r, (uint32_t)classes);
        if (labels) labels[i] = (uint8_t)k;
        t[i * classes + k] = 1.0;
    }
    return t;
}

// ---------------------------------------------------------------------------
// logits

GRADED_TEST(logits_known) {
    // x = [[1, 2, 3], [0, -1, 0.5]], w = [[1, 0], [0, 1], [1, -1]], b = [10, 20]
    const double x[6] = {1, 2, 3, 0, -1, 0.5}, w[6] = {1, 0, 0, 1, 1, -1}, b[2] = {10, 20};
    const double want[4] = {14, 19, 10.5, 18.5};
    double a[4] = {NAN, NAN, NAN, NAN};
    logits(a, x, w, b, 2, 3, 2);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(fabs(a[i] - want[i]) < 1e-12,
                      "logits of a 2x3 batch, 3x2 weights, bias {10, 20}: at index %d (row %d, "
                      "class %d) expected %g, got %.15g (the bias is added once per row)",
                      i, i / 2, i % 2, want[i], a[i]);
}
END_GRADED_TEST

GRADED_TEST(logits_random) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 30; trial++) {
        int n = rand_in(&r, 1, 40), dim = rand_in(&r, 1, 60), classes = rand_in(&r, 1, 12);
        double *x = random_matrix(&r, (size_t)n * dim, 3.0);
        double *w = random_matrix(&r, (size_t)dim * classes, 1.0);
        double *b = random_matrix(&r, (size_t)classes, 5.0);
        double *a = alloc((size_t)n * classes, NAN);  // garbage that must be overwritten
        long double *want = calloc((size_t)n * classes, sizeof(long double));
        logits(a, x, w, b, n, dim, classes);
        ref_logits(want, x, w, b, n, dim, classes);
        for (int i = 0; i < n * classes; i++)
            ck_assert_msg(close_to(a[i], (double)want[i], 1e-11),
                          "logits with n=%d, dim=%d, classes=%d: at row %d, class %d expected "
                          "%.15g, got %.15g (seed %lu)", n, dim, classes, i / classes,
                          i % classes, (double)want[i], a[i], seed);
        free(x), free(w), free(b), free(a), free(want);
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// softmax

GRADED_TEST(softmax_known) {
    // exp of {0, ln 2, ln 3} is {1, 2, 3}: probabilities 1/6, 2/6, 3/6.
    double a[3] = {0, log(2.0), log(3.0)}, y[3] = {NAN, NAN, NAN};
    softmax(y, a, 1, 3);
    for (int k = 0; k < 3; k++)
        ck_assert_msg(fabs(y[k] - (k + 1) / 6.0) < TOL,
                      "softmax of {0, ln 2, ln 3}: at index %d expected %.15g, got %.15g", k,
                      (k + 1) / 6.0, y[k]);
    // two rows, each on its own: {5, 5} is {1/2, 1/2} whatever the other row holds
    double a2[4] = {5, 5, 0, 1}, y2[4] = {NAN, NAN, NAN, NAN};
    softmax(y2, a2, 2, 2);
    double e = exp(1.0);
    const double want[4] = {0.5, 0.5, 1 / (1 + e), e / (1 + e)};
    for (int i = 0; i < 4; i++)
        ck_assert_msg(fabs(y2[i] - want[i]) < TOL,
                      "softmax of rows {5, 5} and {0, 1}: at row %d, column %d expected %.15g, "
                      "got %.15g (each row is normalized on its own)", i / 2, i % 2, want[i],
                      y2[i]);
    double one = 123.0, yone = NAN;
    softmax(&yone, &one, 1, 1);
    ck_assert_msg(yone == 1.0, "softmax of a single class {123}: expected 1, got %.15g", yone);
}
END_GRADED_TEST

GRADED_TEST(softmax_rows_sum_to_one) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 30; trial++) {
        int n = rand_in(&r, 1, 50), classes = rand_in(&r, 2, 20);
        double spread = 50.0 * rng_uniform(&r);
        double *a = random_matrix(&r, (size_t)n * classes, spread);
        double *y = alloc((size_t)n * classes, 7.0);  // garbage
        long double *la = calloc((size_t)n * classes, sizeof(long double));
        long double *want = calloc((size_t)n * classes, sizeof(long double));
        for (int i = 0; i < n * classes; i++) la[i] = a[i];
        softmax(y, a, n, classes);
        ref_softmax(want, la, n, classes);
        for (int i = 0; i < n; i++) {
            double sum = 0.0;
            for (int k = 0; k < classes; k++) {
                double v = y[i * classes + k];
                ck_assert_msg(v >= 0.0 && v <= 1.0,
                              "softmax with %d classes, logits in [-%.3g, %.3g]: row %d, column "
                              "%d is %.15g, not a probability (seed %lu)", classes, spread,
                              spread, i, k, v, seed);
                ck_assert_msg(fabs(v - (double)want[i * classes + k]) <= 1e-13,
                              "softmax with %d classes: row %d, column %d expected %.15g, got "
                              "%.15g (seed %lu)", classes, i, k, (double)want[i * classes + k],
                              v, seed);
                sum += v;
            }
            ck_assert_msg(fabs(sum - 1.0) < 1e-12,
                          "softmax with %d classes: row %d sums to %.15g, expected 1 (seed %lu)",
                          classes, i, sum, seed);
        }
        free(a), free(y), free(la), free(want);
    }
}
END_GRADED_TEST

GRADED_TEST(softmax_shift_invariant) {
    // Adding the same constant to every logit of a row multiplies numerator
    // and denominator by the same exp(c): the probabilities do not change.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 20; trial++) {
        int n = rand_in(&r, 1, 30), classes = rand_in(&r, 2, 15);
        double *a = random_matrix(&r, (size_t)n * classes, 10.0);
        double *shifted = alloc((size_t)n * classes, 0.0);
        double *y = alloc((size_t)n * classes, NAN), *ys = alloc((size_t)n * classes, NAN);
        double *c = random_matrix(&r, (size_t)n, 1000.0);
        for (int i = 0; i < n * classes; i++) shifted[i] = a[i] + c[i / classes];
        softmax(y, a, n, classes);
        softmax(ys, shifted, n, classes);
        for (int i = 0; i < n * classes; i++)
            ck_assert_msg(fabs(y[i] - ys[i]) < 1e-10,
                          "softmax of row %d and of the same row plus %.6g: column %d gave "
                          "%.15g and %.15g, expected the same (seed %lu)", i / classes,
                          c[i / classes], i % classes, y[i], ys[i], seed);
        free(a), free(shifted), free(y), free(ys), free(c);
    }
}
END_GRADED_TEST

GRADED_TEST(softmax_extreme) {
    // Rows where exp() of a logit overflows (exp(710) is inf), underflows
    // (exp(-1000) is 0), or both; and tiny logits. Each row has 3 columns.
    // The largest logit is not always first: subtracting the row's FIRST
    // logit, rather than its largest, overflows on the last three rows.
    enum { ROWS = 10 };
    const double big = 1e308;
    const double a[ROWS * 3] = {
        big, 0, -big,         // one certain class
        1000, 999, 0,         // exp(1000) overflows
        710, 710, 710,        // all equal and all overflowing
        -1000, -1000, -1200,  // every exp underflows to 0
        -big, -big, -big,     // the most negative logits
        1e-300, -1e-300, 0,   // tiny: uniform, to the last digit
        big, big, 0,          // two equal huge logits
        0, 1000, 999,         // the largest in the middle
        -big, 0, big,         // ...at the end
        5, 750, 0,            // exp(750 - 5) overflows too
    };
    double e1 = exp(-1.0), u = 1.0 / 3.0;
    const double want[ROWS * 3] = {
        1, 0, 0,
        1 / (1 + e1), e1 / (1 + e1), 0,
        u, u, u,
        0.5, 0.5, 0,
        u, u, u,
        u, u, u,
        0.5, 0.5, 0,
        0, 1 / (1 + e1), e1 / (1 + e1),
        0, 0, 1,
        0, 1, 0,
    };
    double y[ROWS * 3];
    for (int i = 0; i < ROWS * 3; i++) y[i] = NAN;
    softmax(y, a, ROWS, 3);
    for (int i = 0; i < ROWS * 3; i++) {
        int row = i / 3;
        ck_assert_msg(isfinite(y[i]),
                      "softmax of the row {%g, %g, %g}: column %d is %g, expected a finite "
                      "%.15g (subtract the row's largest logit before exp())",
                      a[row * 3], a[row * 3 + 1], a[row * 3 + 2], i % 3, y[i], want[i]);
        ck_assert_msg(fabs(y[i] - want[i]) < 1e-12,
                      "softmax of the row {%g, %g, %g}: column %d expected %.15g, got %.15g",
                      a[row * 3], a[row * 3 + 1], a[row * 3 + 2], i % 3, want[i], y[i]);
    }
}
END_GRADED_TEST

GRADED_TEST(softmax_in_place) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    int n = rand_in(&r, 2, 40), classes = 10;
    double *a = random_matrix(&r, (size_t)n * classes, 20.0);
    double *y = alloc((size_t)n * classes, NAN);
    softmax(y, a, n, classes);
    softmax(a, a, n, classes);  // the contract allows y == a
    for (int i = 0; i < n * classes; i++)
        ck_assert_msg(fabs(a[i] - y[i]) < 1e-15,
                      "softmax(a, a, ...) in place: row %d, column %d expected %.15g (as "
                      "softmax(y, a, ...) gives), got %.15g (seed %lu)", i / classes, i % classes,
                      y[i], a[i], seed);
    free(a), free(y);
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// cross_entropy

GRADED_TEST(cross_entropy_known) {
    // One row: -ln 0.5 = ln 2. Two rows, ln 2 and ln 4: their mean is 1.5 ln 2.
    const double y1[3] = {0.5, 0.25, 0.25}, t1[3] = {1, 0, 0};
    double got = cross_entropy(y1, t1, 1, 3);
    ck_assert_msg(fabs(got - log(2.0)) < TOL,
                  "cross_entropy of y = {0.5, 0.25, 0.25}, t = {1, 0, 0}: expected ln 2 = %.15g, "
                  "got %.15g", log(2.0), got);
    const double y2[6] = {0.5, 0.25, 0.25, 0.5, 0.25, 0.25}, t2[6] = {1, 0, 0, 0, 1, 0};
    got = cross_entropy(y2, t2, 2, 3);
    ck_assert_msg(fabs(got - 1.5 * log(2.0)) < TOL,
                  "cross_entropy of two rows whose losses are ln 2 and ln 4: expected their "
                  "mean, 1.5 ln 2 = %.15g, got %.15g (the mean over rows, not the sum)",
                  1.5 * log(2.0), got);
    // a target that is not one-hot: -(0.3 ln 0.2 + 0.7 ln 0.8)
    const double y3[2] = {0.2, 0.8}, t3[2] = {0.3, 0.7};
    double want = -(0.3 * log(0.2) + 0.7 * log(0.8));
    got = cross_entropy(y3, t3, 1, 2);
    ck_assert_msg(fabs(got - want) < TOL,
                  "cross_entropy of y = {0.2, 0.8}, t = {0.3, 0.7}: expected %.15g, got %.15g",
                  want, got);
}
END_GRADED_TEST

GRADED_TEST(cross_entropy_clipping) {
    // Probabilities are clipped to [1e-15, 1 - 1e-15] before the log.
    const double lo = 1e-15, hi = 1.0 - 1e-15;
    const double cases[4][2] = {{0.0, 1.0}, {1e-300, 1.0}, {1.0, 0.0}, {1e-20, 1.0 - 1e-20}};
    for (int c = 0; c < 4; c++) {
        // y = {cases[c][0], cases[c][1]}, the target is class 0
        const double y[2] = {cases[c][0], cases[c][1]}, t[2] = {1, 0};
        double want = -log(fmin(fmax(y[0], lo), hi));
        double got = cross_entropy(y, t, 1, 2);
        ck_assert_msg(isfinite(got) && fabs(got - want) <= 1e-9 * want,
                      "cross_entropy of y = {%g, %.17g} with the target in column 0: expected "
                      "-ln(%.17g) = %.15g (the probability clipped to [1e-15, 1 - 1e-15]), got "
                      "%.15g", y[0], y[1], fmin(fmax(y[0], lo), hi), want, got);
    }
    // both ends at once, with a target that is half and half
    const double y[2] = {1.0, 0.0}, t[2] = {0.5, 0.5};
    double want = -0.5 * log(hi) - 0.5 * log(lo);
    double got = cross_entropy(y, t, 1, 2);
    ck_assert_msg(fabs(got - want) < 1e-12 * want,
                  "cross_entropy of y = {1, 0}, t = {0.5, 0.5}: expected %.15g, got %.15g", want,
                  got);
}
END_GRADED_TEST

GRADED_TEST(cross_entropy_random) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 20; trial++) {
        int n = rand_in(&r, 1, 200), classes = rand_in(&r, 2, 12);
        double *y = random_probabilities(&r, n, classes, 8.0);
        double *t = random_one_hot(&r, NULL, n, classes);
        long double sum = 0;
        for (int i = 0; i < n * classes; i++)
            if (t[i] != 0) sum -= logl(fminl(fmaxl(y[i], 1e-15L), 1.0L - 1e-15L));
        double want = (double)(sum / n), got = cross_entropy(y, t, n, classes);
        ck_assert_msg(close_to(got, want, 1e-12),
                      "cross_entropy of %d random rows of %d classes: expected the mean %.15g, "
                      "got %.15g (seed %lu)", n, classes, want, got, seed);
        // The same rows twice over: the mean does not change.
        double *y2 = alloc((size_t)2 * n * classes, 0), *t2 = alloc((size_t)2 * n * classes, 0);
        size_t bytes = sizeof(double) * n * classes;
        memcpy(y2, y, bytes), memcpy(y2 + n * classes, y, bytes);
        memcpy(t2, t, bytes), memcpy(t2 + n * classes, t, bytes);
        double twice = cross_entropy(y2, t2, 2 * n, classes);
        ck_assert_msg(close_to(twice, want, 1e-12),
                      "cross_entropy of a batch and of the same batch twice over should be the "
                      "same mean %.15g, got %.15g for the doubled batch (seed %lu)", want, twice,
                      seed);
        free(y), free(t), free(y2), free(t2);
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// softmax_gradient

GRADED_TEST(gradient_known) {
    // one example x = {1, 2}, two classes, y = {0.25, 0.75}, target class 0:
    // da = y - t = {-0.75, 0.75}; gw = x^T da; gb = da
    const double x[2] = {1, 2}, y[2] = {0.25, 0.75}, t[2] = {1, 0};
    double gw[4] = {NAN, NAN, NAN, NAN}, gb[2] = {NAN, NAN}, da[2] = {NAN, NAN};
    softmax_gradient(gw, gb, da, x, y, t, 1, 2, 2);
    const double want_da[2] = {-0.75, 0.75}, want_gw[4] = {-0.75, 0.75, -1.5, 1.5};
    for (int k = 0; k < 2; k++) {
        ck_assert_msg(fabs(da[k] - want_da[k]) < TOL,
                      "y = {0.25, 0.75}, t = {1, 0}: da[%d] expected y - t = %g, got %.15g", k,
                      want_da[k], da[k]);
        ck_assert_msg(fabs(gb[k] - want_da[k]) < TOL,
                      "y = {0.25, 0.75}, t = {1, 0}: gb[%d] expected %g, got %.15g", k,
                      want_da[k], gb[k]);
    }
    for (int i = 0; i < 4; i++)
        ck_assert_msg(fabs(gw[i] - want_gw[i]) < TOL,
                      "x = {1, 2}, y = {0.25, 0.75}, t = {1, 0}: gw[%d][%d] expected x[%d] * "
                      "da[%d] = %g, got %.15g", i / 2, i % 2, i / 2, i % 2, want_gw[i], gw[i]);
}
END_GRADED_TEST

GRADED_TEST(gradient_central_differences) {
    // The gradient must be the slope of the summed loss: for each weight and
    // bias, (E(w + h) - E(w - h)) / 2h, with E computed by the reference.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    const double h = 1e-5;
    for (int trial = 0; trial < 8; trial++) {
        int n = rand_in(&r, 1, 12), dim = rand_in(&r, 1, 9), classes = rand_in(&r, 2, 6);
        double *x = random_matrix(&r, (size_t)n * dim, 2.0);
        double *w = random_matrix(&r, (size_t)dim * classes, 0.7);
        double *b = random_matrix(&r, (size_t)classes, 0.5);
        double *t = random_one_hot(&r, NULL, n, classes);
        long double *la = calloc((size_t)n * classes, sizeof(long double));
        long double *ly = calloc((size_t)n * classes, sizeof(long double));
        ref_logits(la, x, w, b, n, dim, classes);
        ref_softmax(ly, la, n, classes);
        double *y = alloc((size_t)n * classes, 0);
        for (int i = 0; i < n * classes; i++) y[i] = (double)ly[i];
        double *gw = alloc((size_t)dim * classes, NAN), *gb = alloc((size_t)classes, NAN);
        double *da = alloc((size_t)n * classes, NAN);
        softmax_gradient(gw, gb, da, x, y, t, n, dim, classes);
        for (int p = 0; p < dim * classes + classes; p++) {
            int is_bias = p >= dim * classes;
            double *v = is_bias ? &b[p - dim * classes] : &w[p];
            double keep = *v;
            *v = keep + h;
            long double up = ref_summed_loss(x, w, b, t, n, dim, classes);
            *v = keep - h;
            long double down = ref_summed_loss(x, w, b, t, n, dim, classes);
            *v = keep;
            double numeric = (double)((up - down) / (2 * h));
            double got = is_bias ? gb[p - dim * classes] : gw[p];
            char which[32];
            if (is_bias) snprintf(which, sizeof which, "b[%d]", p - dim * classes);
            else snprintf(which, sizeof which, "w[%d][%d]", p / classes, p % classes);
            ck_assert_msg(fabs(got - numeric) <= 1e-6 * fmax(1.0, fabs(numeric)),
                          "n=%d examples, dim=%d, classes=%d: the gradient of the summed loss "
                          "with respect to %s is %.10g by central differences, "
                          "softmax_gradient gave %.10g (seed %lu)", n, dim, classes, which,
                          numeric, got, seed);
        }
        free(x), free(w), free(b), free(t), free(la), free(ly), free(y), free(gw), free(gb),
            free(da);
    }
}
END_GRADED_TEST

GRADED_TEST(gradient_sums_over_batch) {
    // The batch's gradient is the sum of its examples' gradients (not their
    // mean), and da is exactly y - t; every output is overwritten.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 10; trial++) {
        int n = rand_in(&r, 2, 30), dim = rand_in(&r, 1, 40), classes = rand_in(&r, 2, 10);
        double *x = random_matrix(&r, (size_t)n * dim, 2.0);
        double *y = random_probabilities(&r, n, classes, 3.0);
        double *t = random_one_hot(&r, NULL, n, classes);
        double *gw = alloc((size_t)dim * classes, NAN), *gb = alloc((size_t)classes, NAN);
        double *da = alloc((size_t)n * classes, NAN);
        double *gw1 = alloc((size_t)dim * classes, NAN), *gb1 = alloc((size_t)classes, NAN);
        double *da1 = alloc((size_t)classes, NAN);
        long double *sw = calloc((size_t)dim * classes, sizeof(long double));
        long double *sb = calloc((size_t)classes, sizeof(long double));
        softmax_gradient(gw, gb, da, x, y, t, n, dim, classes);
        for (int i = 0; i < n * classes; i++)
            ck_assert_msg(da[i] == y[i] - t[i],
                          "da at row %d, column %d: expected y - t = %.17g, got %.17g (seed %lu)",
                          i / classes, i % classes, y[i] - t[i], da[i], seed);
        for (int i = 0; i < n; i++) {
            softmax_gradient(gw1, gb1, da1, x + i * dim, y + i * classes, t + i * classes, 1, dim,
                             classes);
            for (int p = 0; p < dim * classes; p++) sw[p] += gw1[p];
            for (int k = 0; k < classes; k++) sb[k] += gb1[k];
        }
        for (int p = 0; p < dim * classes; p++)
            ck_assert_msg(close_to(gw[p], (double)sw[p], 1e-12),
                          "a batch of %d: gw[%d][%d] expected the sum of the %d examples' "
                          "gradients, %.15g, got %.15g (%s) (seed %lu)", n, p / classes,
                          p % classes, n, (double)sw[p], gw[p],
                          close_to(gw[p] * n, (double)sw[p], 1e-12) ? "that is their mean"
                                                                      : "neither sum nor mean",
                          seed);
        for (int k = 0; k < classes; k++)
            ck_assert_msg(close_to(gb[k], (double)sb[k], 1e-12),
                          "a batch of %d: gb[%d] expected the sum over the batch, %.15g, got "
                          "%.15g (seed %lu)", n, k, (double)sb[k], gb[k], seed);
        free(x), free(y), free(t), free(gw), free(gb), free(da), free(gw1), free(gb1), free(da1),
            free(sw), free(sb);
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// sgd_step

GRADED_TEST(sgd_step_rule) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 20; trial++) {
        int count = rand_in(&r, 1, 500);
        double rate = pow(10.0, -4.0 * rng_uniform(&r));
        // two sentinels past the end that must stay as they are
        double *w = random_matrix(&r, (size_t)count + 2, 5.0);
        double *g = random_matrix(&r, (size_t)count + 2, 5.0);
        double *before = alloc((size_t)count + 2, 0);
        memcpy(before, w, sizeof(double) * (count + 2));
        sgd_step(w, g, rate, count);
        for (int i = 0; i < count; i++) {
            double want = before[i] - rate * g[i];
            ck_assert_msg(close_to(w[i], want, 1e-14),
                          "sgd_step with rate %.6g: w[%d] was %.15g, g[%d] is %.15g, expected "
                          "w - rate g = %.15g, got %.15g (seed %lu)", rate, i, before[i], i,
                          g[i], want, w[i], seed);
        }
        for (int i = count; i < count + 2; i++)
            ck_assert_msg(w[i] == before[i],
                          "sgd_step with count %d changed w[%d], past the end, from %.15g to "
                          "%.15g (seed %lu)", count, i, before[i], w[i], seed);
        free(w), free(g), free(before);
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// count_correct

GRADED_TEST(count_correct_known) {
    const double y[12] = {
        0.1, 0.7, 0.2,  // predicts 1
        0.5, 0.2, 0.3,  // predicts 0
        0.3, 0.3, 0.4,  // predicts 2
        0.4, 0.2, 0.4,  // a tie between 0 and 2: the first, 0
    };
    const uint8_t labels[4] = {1, 2, 2, 0};
    int got = count_correct(y, labels, 4, 3);
    ck_assert_msg(got == 3, "count_correct of 4 rows predicting 1, 0, 2 and (a tie of 0 and 2) "
                            "0, labels 1, 2, 2, 0: expected 3, got %d", got);
    const uint8_t tie_second[1] = {2};
    got = count_correct(y + 9, tie_second, 1, 3);
    ck_assert_msg(got == 0, "count_correct of {0.4, 0.2, 0.4} with label 2: the tie goes to the "
                            "first largest, 0, so expected 0 correct, got %d", got);
    const double flat[10] = {0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1};
    const uint8_t zero[1] = {0};
    got = count_correct(flat, zero, 1, 10);
    ck_assert_msg(got == 1, "count_correct of ten equal probabilities with label 0: the first "
                            "largest is 0, so expected 1 correct, got %d", got);
}
END_GRADED_TEST

GRADED_TEST(count_correct_random) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 20; trial++) {
        int n = rand_in(&r, 1, 300), classes = rand_in(&r, 2, 10);
        double *y = random_probabilities(&r, n, classes, 4.0);
        uint8_t *labels = malloc((size_t)n);
        int want = 0;
        for (int i = 0; i < n; i++) {
            labels[i] = (uint8_t)rng_below(&r, (uint32_t)classes);
            int best = 0;
            for (int k = 1; k < classes; k++)
                if (y[i * classes + k] > y[i * classes + best]) best = k;
            want += best == labels[i];
        }
        int got = count_correct(y, labels, n, classes);
        ck_assert_msg(got == want, "count_correct of %d random rows of %d classes: expected %d, "
                                   "got %d (seed %lu)", n, classes, want, got, seed);
        free(y), free(labels);
    }
}
END_GRADED_TEST

const GradedSuite graded_suite = {
    2, "softmax regression",
    (const GradedTest[]){
        {"logits_known", logits_known, 2, "logits: a small known case, the bias once per row"},
        {"logits_random", logits_random, 3, "logits: random shapes against a reference"},
        {"softmax_known", softmax_known, 2, "softmax: known rows, each row on its own"},
        {"softmax_rows_sum_to_one", softmax_rows_sum_to_one, 2,
         "softmax: probabilities whose rows sum to 1"},
        {"softmax_shift_invariant", softmax_shift_invariant, 2,
         "softmax: adding a constant to a row changes nothing"},
        {"softmax_extreme", softmax_extreme, 3,
         "softmax: huge and tiny logits stay finite and right"},
        {"softmax_in_place", softmax_in_place, 1, "softmax: y == a gives the same result"},
        {"cross_entropy_known", cross_entropy_known, 2,
         "cross_entropy: known values, the mean over rows"},
        {"cross_entropy_clipping", cross_entropy_clipping, 2,
         "cross_entropy: probabilities clipped to [1e-15, 1 - 1e-15]"},
        {"cross_entropy_random", cross_entropy_random, 2,
         "cross_entropy: random batches against a reference"},
        {"gradient_known", gradient_known, 2, "softmax_gradient: one example by hand"},
        {"gradient_central_differences", gradient_central_differences, 5,
         "softmax_gradient: the slope of the summed loss, by central differences"},
        {"gradient_sums_over_batch", gradient_sums_over_batch, 2,
         "softmax_gradient: summed over the batch; da = y - t"},
        {"sgd_step_rule", sgd_step_rule, 2, "sgd_step: w - rate g, nothing past count"},
        {"count_correct_known", count_correct_known, 2,
         "count_correct: known rows, ties to the first"},
        {"count_correct_random", count_correct_random, 1,
         "count_correct: random rows against a reference"},
    },
    16};
