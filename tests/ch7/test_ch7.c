// test_ch7.c: the graded tests of chapter 7 (the hardest digits).
//
// Each test checks one function of ch7.h by properties a hard-coded answer
// cannot meet. per_example_loss: values worked by hand, the clipping at both
// ends, and random batches against a reference in long double, whose mean is
// the batch's cross-entropy and whose rows do not depend on one another.
// top_k: a case by hand, the edges (k = 0, k = n, all values equal, negative
// values), and random arrays full of repeated values against a stable sort
// done here with qsort. confusion_matrix: a case by hand with ties, and random
// predictions against a count done here, into an array full of garbage.
// Every output has guard values after its end that must stay as they were.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch7.h"
#include "graded.h"
#include "rng.h"

// ---------------------------------------------------------------------------
// Helpers

enum { GUARD = 4 };             // guard entries after each output
static const double POISON = -7.25e10;  // what a guard holds
static const int IPOISON = -777;

static void *alloc(size_t n, size_t size) {
    void *p = malloc((n ? n : 1) * size);
    ck_assert_msg(p != NULL, "the test could not allocate %zu bytes", n * size);
    return p;
}

// A random whole number in [lo, hi].
static int between(Rng *r, int lo, int hi) {
    return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

// A check that costs nothing when it holds (Check reports every assertion
// that passes to the runner, and these tests make many).
#define CHECK(cond, ...)                        \
    do {                                        \
        if (!(cond)) ck_abort_msg(__VA_ARGS__); \
    } while (0)

// |got - want| <= abs_tol + rel_tol * |want|, and got finite.
static int close_enough(double got, double want, double abs_tol, double rel_tol) {
    return isfinite(got) && fabs(got - want) <= abs_tol + rel_tol * fabs(want);
}

// Rows of random probabilities (a softmax of random scores), some of them
// very sure of one class, so that the clipping matters now and then.
static double *random_probabilities(Rng *r, int n, int classes) {
    double *y = alloc((size_t)n * classes, sizeof(double));
    for (int i = 0; i < n; i++) {
        double *yi = y + (size_t)i * classes, spread = rng_uniform(r) < 0.2 ? 80.0 : 6.0;
        double m = -INFINITY, s = 0;
        for (int k = 0; k < classes; k++) {
            yi[k] = spread * (2 * rng_uniform(r) - 1);
            m = fmax(m, yi[k]);
        }
        for (int k = 0; k < classes; k++) yi[k] = exp(yi[k] - m), s += yi[k];
        for (int k = 0; k < classes; k++) yi[k] /= s;
    }
    return y;
}

// ---------------------------------------------------------------------------
// per_example_loss

static double clip(double p) { return fmin(fmax(p, 1e-15), 1.0 - 1e-15); }

GRADED_TEST(per_example_loss_known) {
    // Four rows of three classes, one-hot targets:
    //   row 0: p = 0.5 on the label       -> ln 2
    //   row 1: p = 0.25                   -> ln 4 = 2 ln 2
    //   row 2: p = 1 on the label         -> -ln(1 - 1e-15), about 1e-15, not 0
    //   row 3: p = 0 on the label         -> -ln(1e-15) = 34.538776394910684
    const double y[12] = {0.5, 0.25, 0.25, 0.25, 0.25, 0.5, 0, 1, 0, 1, 0, 0};
    const double t[12] = {1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
    const double want[4] = {log(2.0), 2 * log(2.0), -log(1.0 - 1e-15), 34.538776394910684};
    double loss[4 + GUARD];
    for (int i = 0; i < 4 + GUARD; i++) loss[i] = POISON;
    per_example_loss(loss, y, t, 4, 3);
    for (int i = 0; i < 4; i++)
        CHECK(close_enough(loss[i], want[i], 1e-30, 1e-12),
              "per_example_loss of rows {0.5, 0.25, 0.25}, {0.25, 0.25, 0.5}, {0, 1, 0}, "
              "{1, 0, 0} with the labels 0, 0, 1, 2: at row %d expected %.15g, got %.15g "
              "(one loss per row, -ln of the clipped probability of the label)",
              i, want[i], loss[i]);
    for (int i = 4; i < 4 + GUARD; i++)
        CHECK(loss[i] == POISON, "per_example_loss with n = 4 wrote loss[%d], past the end "
              "(it held %g, now %.15g)", i, POISON, loss[i]);
    // A target that is not one-hot: -(0.3 ln 0.2 + 0.7 ln 0.8).
    const double y2[2] = {0.2, 0.8}, t2[2] = {0.3, 0.7};
    double got = POISON, w2 = -(0.3 * log(0.2) + 0.7 * log(0.8));
    per_example_loss(&got, y2, t2, 1, 2);
    CHECK(close_enough(got, w2, 0, 1e-12),
          "per_example_loss of y = {0.2, 0.8}, t = {0.3, 0.7}: expected -(0.3 ln 0.2 + 0.7 ln "
          "0.8) = %.15g, got %.15g (the same formula for any t)", w2, got);
    // n = 0: nothing written.
    double none[GUARD] = {POISON, POISON, POISON, POISON};
    per_example_loss(none, y, t, 0, 3);
    for (int i = 0; i < GUARD; i++)
        CHECK(none[i] == POISON, "per_example_loss with n = 0 wrote loss[%d] = %.15g", i,
              none[i]);
}
END_GRADED_TEST

GRADED_TEST(per_example_loss_clipping) {
    // The probability of the label, at and around both clipping bounds.
    const double ps[] = {0.0, 1e-300, 1e-20, 1e-16, 1e-15, 2e-15, 1e-10,
                         0.5, 1 - 1e-10, 1 - 2e-15, 1 - 1e-16, 1.0};
    enum { N = sizeof ps / sizeof ps[0] };
    double y[2 * N], t[2 * N], loss[N + GUARD];
    for (int i = 0; i < N; i++) {
        y[2 * i] = 1.0 - ps[i], y[2 * i + 1] = ps[i];  // the label is column 1
        t[2 * i] = 0, t[2 * i + 1] = 1;
    }
    for (int i = 0; i < N + GUARD; i++) loss[i] = POISON;
    per_example_loss(loss, y, t, N, 2);
    for (int i = 0; i < N; i++) {
        double want = -log(clip(ps[i]));
        CHECK(close_enough(loss[i], want, 1e-30, 1e-9),
              "per_example_loss, the label given probability %.17g (row %d): expected "
              "-ln(%.17g) = %.15g, the probability clipped to [1e-15, 1 - 1e-15] as in chapter "
              "2, got %.15g", ps[i], i, clip(ps[i]), want, loss[i]);
    }
    // Both ends at once, with a target of half and half.
    const double yb[2] = {1.0, 0.0}, tb[2] = {0.5, 0.5};
    double got = POISON, want = -0.5 * log(1.0 - 1e-15) - 0.5 * log(1e-15);
    per_example_loss(&got, yb, tb, 1, 2);
    CHECK(close_enough(got, want, 0, 1e-12),
          "per_example_loss of y = {1, 0}, t = {0.5, 0.5}: expected %.15g, got %.15g", want, got);
}
END_GRADED_TEST

GRADED_TEST(per_example_loss_random) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 30; trial++) {
        int n = between(&r, 1, 300), classes = between(&r, 2, 12);
        double *y = random_probabilities(&r, n, classes);
        double *t = alloc((size_t)n * classes, sizeof(double));
        for (int i = 0; i < n * classes; i++) t[i] = 0;
        for (int i = 0; i < n; i++) t[(size_t)i * classes + between(&r, 0, classes - 1)] = 1;
        double *loss = alloc((size_t)n + GUARD, sizeof(double));
        for (int i = 0; i < n + GUARD; i++) loss[i] = POISON;
        per_example_loss(loss, y, t, n, classes);
        long double sum = 0;
        for (int i = 0; i < n; i++) {
            long double want = 0;
            for (int k = 0; k < classes; k++)
                if (t[(size_t)i * classes + k] != 0)
                    want -= logl(clip(y[(size_t)i * classes + k]));  // clipped as doubles
            sum += want;
            CHECK(close_enough(loss[i], (double)want, 1e-30, 1e-12),
                  "per_example_loss of %d random rows of %d classes: row %d expected %.15g, got "
                  "%.15g (seed %lu)", n, classes, i, (double)want, loss[i], seed);
        }
        for (int i = n; i < n + GUARD; i++)
            CHECK(loss[i] == POISON, "per_example_loss with n = %d wrote loss[%d], past the end "
                  "(seed %lu)", n, i, seed);
        // Their mean is the batch's cross-entropy, chapter 2's loss.
        long double mean = 0;
        for (int i = 0; i < n; i++) mean += loss[i];
        mean /= n;
        CHECK(close_enough((double)mean, (double)(sum / n), 0, 1e-12),
              "per_example_loss of %d random rows: the mean of the losses should be the batch's "
              "cross-entropy %.15g, got %.15g (seed %lu)", n, (double)(sum / n), (double)mean,
              seed);
        // Rows are independent: the losses of the last rows alone are the same.
        int skip = between(&r, 0, n - 1), m = n - skip;
        double *part = alloc((size_t)m, sizeof(double));
        per_example_loss(part, y + (size_t)skip * classes, t + (size_t)skip * classes, m, classes);
        for (int i = 0; i < m; i++)
            CHECK(part[i] == loss[skip + i],
                  "per_example_loss: the loss of a row must not depend on the other rows: rows "
                  "%d..%d alone gave %.17g for row %d, the whole batch gave %.17g (seed %lu)",
                  skip, n - 1, part[i], skip + i, loss[skip + i], seed);
        free(y), free(t), free(loss), free(part);
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// top_k

// The reference: a stable sort of the indices by decreasing value, by qsort
// with the index as the tie-breaker.
static const double *sort_x;
static int by_value_then_index(const void *a, const void *b) {
    int i = *(const int *)a, j = *(const int *)b;
    if (sort_x[i] > sort_x[j]) return -1;
    if (sort_x[i] < sort_x[j]) return 1;
    return (i > j) - (i < j);
}

static void ref_order(int *order, const double *x, int n) {
    for (int i = 0; i < n; i++) order[i] = i;
    sort_x = x;
    qsort(order, (size_t)n, sizeof(int), by_value_then_index);
}

// Runs top_k and compares it with the sort's first k; describes x in what
// (seed 0: a fixed case, no seed to quote).
static void check_top_k(const double *x, int n, int k, const char *what, unsigned long seed_n) {
    char seed[32] = "a fixed case";
    if (seed_n) snprintf(seed, sizeof seed, "seed %lu", seed_n);
    int *idx = alloc((size_t)k + GUARD, sizeof(int)), *order = alloc((size_t)n, sizeof(int));
    double *copy = alloc((size_t)n, sizeof(double));
    memcpy(copy, x, sizeof(double) * n);
    for (int i = 0; i < k + GUARD; i++) idx[i] = IPOISON;
    top_k(idx, x, n, k);
    ref_order(order, x, n);
    for (int j = 0; j < k; j++) {
        CHECK(idx[j] >= 0 && idx[j] < n,
              "top_k of %s (n = %d, k = %d): idx[%d] = %d is not an index of x (%s)", what,
              n, k, j, idx[j], seed);
        CHECK(idx[j] == order[j],
              "top_k of %s (n = %d, k = %d): idx[%d] expected %d (x = %.17g), got %d (x = "
              "%.17g); the k largest, largest first, equal values by lower index first (%s)",
              what, n, k, j, order[j], x[order[j]], idx[j], x[idx[j]], seed);
    }
    for (int j = k; j < k + GUARD; j++)
        CHECK(idx[j] == IPOISON, "top_k of %s (n = %d, k = %d) wrote idx[%d] = %d, past the end "
              "(%s)", what, n, k, j, idx[j], seed);
    for (int i = 0; i < n; i++)
        CHECK(memcmp(&copy[i], &x[i], sizeof(double)) == 0,
              "top_k of %s (n = %d, k = %d) changed x[%d] from %.17g to %.17g: x is read only "
              "(%s)", what, n, k, i, copy[i], x[i], seed);
    free(idx), free(order), free(copy);
}

GRADED_TEST(top_k_known) {
    //            0    1    2    3    4    5    6    7
    double x[] = {0.3, 2.0, -1, 2.0, 0.7, 5.5, 0.7, 0.7};
    // by decreasing value: 5 (5.5), 1 and 3 (2.0), 4, 6, 7 (0.7), 0 (0.3), 2 (-1)
    const int want[] = {5, 1, 3, 4, 6, 7, 0, 2};
    for (int k = 0; k <= 8; k++) {
        int idx[8 + GUARD];
        for (int i = 0; i < 8 + GUARD; i++) idx[i] = IPOISON;
        top_k(idx, x, 8, k);
        for (int j = 0; j < k; j++)
            CHECK(idx[j] == want[j],
                  "top_k of {0.3, 2, -1, 2, 0.7, 5.5, 0.7, 0.7} with k = %d: expected "
                  "{5, 1, 3, 4, 6, 7, 0, 2} cut to %d, but idx[%d] = %d, not %d (equal values go "
                  "lower index first)", k, k, j, idx[j], want[j]);
        for (int j = k; j < 8 + GUARD; j++)
            CHECK(idx[j] == IPOISON,
                  "top_k with k = %d wrote idx[%d] = %d: only idx[0..k-1] may be written", k, j,
                  idx[j]);
    }
}
END_GRADED_TEST

GRADED_TEST(top_k_edges) {
    // k = 0 writes nothing; k = n is the whole stable sort.
    double one[1] = {-3.5};
    check_top_k(one, 1, 0, "{-3.5}", 0);
    check_top_k(one, 1, 1, "{-3.5}", 0);
    // All equal: 0, 1, 2, ... whatever k.
    double same[50];
    for (int i = 0; i < 50; i++) same[i] = 0.25;
    for (int k = 0; k <= 50; k += 7) check_top_k(same, 50, k, "50 times 0.25", 0);
    check_top_k(same, 50, 50, "50 times 0.25", 0);
    // All negative, rising: the last index first. A "taken" mark of -1 or 0
    // breaks here.
    double neg[40];
    for (int i = 0; i < 40; i++) neg[i] = -1000.0 + i;
    for (int k = 0; k <= 40; k += 5) check_top_k(neg, 40, k, "-1000, -999, ..., -961", 0);
    // Falling, with the largest first: the identity order.
    double fall[30];
    for (int i = 0; i < 30; i++) fall[i] = 30.0 - i;
    check_top_k(fall, 30, 30, "30, 29, ..., 1", 0);
    // The same values in two runs: a tie at the boundary keeps the lower index.
    double two[12] = {1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3};
    for (int k = 0; k <= 12; k++) check_top_k(two, 12, k, "{1, 2, 3} four times", 0);
    // Values that differ only in their last bits, and zeros of both signs
    // (equal values: -0.0 == 0.0).
    double fine[6] = {1.0, nextafter(1.0, 2.0), 0.0, -0.0, nextafter(1.0, 0.0), 0.0};
    for (int k = 0; k <= 6; k++) check_top_k(fine, 6, k, "{1, 1 + ulp, 0, -0, 1 - ulp, 0}", 0);
}
END_GRADED_TEST

GRADED_TEST(top_k_random) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 60; trial++) {
        int n = trial < 50 ? between(&r, 1, 400) : between(&r, 1000, 3000);
        int k = trial % 5 == 0 ? n : trial % 5 == 1 ? 0 : between(&r, 0, n < 40 ? n : 40);
        if (trial % 5 == 2) k = between(&r, 0, n);
        // Values on a coarse grid, so that many repeat, of either sign.
        double *x = alloc((size_t)n, sizeof(double));
        int levels = between(&r, 1, 30);
        for (int i = 0; i < n; i++) x[i] = (double)between(&r, -levels, levels) / 4.0;
        char what[64];
        snprintf(what, sizeof what, "random values from %d levels", 2 * levels + 1);
        check_top_k(x, n, k, what, seed);
        free(x);
    }
    // And continuous values, where no two are equal.
    for (int trial = 0; trial < 20; trial++) {
        int n = between(&r, 1, 2000), k = between(&r, 0, n < 100 ? n : 100);
        double *x = alloc((size_t)n, sizeof(double));
        for (int i = 0; i < n; i++) x[i] = 1e3 * (2 * rng_uniform(&r) - 1);
        check_top_k(x, n, k, "random values in [-1000, 1000]", seed);
        free(x);
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// confusion_matrix

GRADED_TEST(confusion_known) {
    // Six rows of three classes:
    //   label 0, row {0.7, 0.2, 0.1}   -> predicted 0
    //   label 0, row {0.1, 0.1, 0.8}   -> predicted 2
    //   label 1, row {0.4, 0.4, 0.2}   -> a tie: the first, 0
    //   label 2, row {0.2, 0.4, 0.4}   -> a tie: the first, 1
    //   label 2, row {1/3, 1/3, 1/3}   -> all equal: 0
    //   label 1, row {0.0, 1.0, 0.0}   -> 1
    const double y[18] = {0.7, 0.2, 0.1, 0.1, 0.1, 0.8, 0.4, 0.4, 0.2,
                          0.2, 0.4, 0.4, 1 / 3.0, 1 / 3.0, 1 / 3.0, 0, 1, 0};
    const uint8_t labels[6] = {0, 0, 1, 2, 2, 1};
    const int want[9] = {1, 0, 1,   // label 0: once right, once taken for 2
                         1, 1, 0,   // label 1: once 0 (a tie), once right
                         1, 1, 0};  // label 2: 0 (all equal), 1 (a tie)
    int counts[9 + GUARD];
    for (int i = 0; i < 9; i++) counts[i] = 1000 + i;  // garbage: counts start from zero
    for (int i = 9; i < 9 + GUARD; i++) counts[i] = IPOISON;
    confusion_matrix(counts, y, labels, 6, 3);
    for (int i = 0; i < 9; i++)
        CHECK(counts[i] == want[i],
              "confusion_matrix of six rows worked by hand (see the test): counts[%d] (label %d, "
              "predicted %d) expected %d, got %d (start from zero; a tie goes to the first "
              "column)", i, i / 3, i % 3, want[i], counts[i]);
    for (int i = 9; i < 9 + GUARD; i++)
        CHECK(counts[i] == IPOISON, "confusion_matrix with 3 classes wrote counts[%d] = %d, past "
              "the 3 x 3 entries", i, counts[i]);
    // n = 0: all zeros.
    for (int i = 0; i < 9; i++) counts[i] = 5;
    confusion_matrix(counts, y, labels, 0, 3);
    for (int i = 0; i < 9; i++)
        CHECK(counts[i] == 0, "confusion_matrix with n = 0: counts[%d] expected 0, got %d", i,
              counts[i]);
}
END_GRADED_TEST

GRADED_TEST(confusion_random) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 40; trial++) {
        int n = between(&r, 1, 2000), classes = between(&r, 2, 12), cc = classes * classes;
        double *y = alloc((size_t)n * classes, sizeof(double));
        uint8_t *labels = alloc((size_t)n, 1);
        // Coarse probabilities, so that ties are frequent.
        for (int i = 0; i < n * classes; i++) y[i] = between(&r, 0, 4) / 4.0;
        for (int i = 0; i < n; i++) labels[i] = (uint8_t)between(&r, 0, classes - 1);
        int *counts = alloc((size_t)cc + GUARD, sizeof(int));
        int *want = alloc((size_t)cc, sizeof(int));
        for (int c = 0; c < cc; c++) counts[c] = between(&r, -50, 50), want[c] = 0;
        for (int c = cc; c < cc + GUARD; c++) counts[c] = IPOISON;
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int k = 0; k < classes; k++)
                if (y[(size_t)i * classes + k] > y[(size_t)i * classes + best]) best = k;
            want[labels[i] * classes + best]++;
        }
        confusion_matrix(counts, y, labels, n, classes);
        long total = 0;
        for (int c = 0; c < cc; c++) total += counts[c];
        CHECK(total == n, "confusion_matrix of %d random rows of %d classes: the counts add up "
              "to %ld, not to n = %d (start from zero; one count per row) (seed %lu)", n, classes,
              total, n, seed);
        for (int c = 0; c < cc; c++)
            CHECK(counts[c] == want[c],
                  "confusion_matrix of %d random rows of %d classes: label %d predicted %d "
                  "expected %d, got %d (the first largest probability is the prediction) "
                  "(seed %lu)", n, classes, c / classes, c % classes, want[c], counts[c], seed);
        for (int c = cc; c < cc + GUARD; c++)
            CHECK(counts[c] == IPOISON, "confusion_matrix with %d classes wrote counts[%d], past "
                  "the end (seed %lu)", classes, c, seed);
        free(y), free(labels), free(counts), free(want);
    }
}
END_GRADED_TEST

const GradedSuite graded_suite = {
    7, "the hardest digits",
    (const GradedTest[]){
        {"per_example_loss_known", per_example_loss_known, 2,
         "per_example_loss: one loss per row, worked by hand"},
        {"per_example_loss_clipping", per_example_loss_clipping, 2,
         "per_example_loss: probabilities clipped to [1e-15, 1 - 1e-15], as in chapter 2"},
        {"per_example_loss_random", per_example_loss_random, 2,
         "per_example_loss: random rows against a reference; their mean is the cross-entropy"},
        {"top_k_known", top_k_known, 2, "top_k: a case by hand, every k from 0 to n"},
        {"top_k_edges", top_k_edges, 2,
         "top_k: k = 0, k = n, all values equal, negative values, ties at the boundary"},
        {"top_k_random", top_k_random, 3, "top_k: random arrays against a stable sort"},
        {"confusion_known", confusion_known, 2,
         "confusion_matrix: a case by hand, ties to the first column, counts from zero"},
        {"confusion_random", confusion_random, 3,
         "confusion_matrix: random predictions against an independent count"},
    },
    8};
