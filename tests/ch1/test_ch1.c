// test_ch1.c: the graded tests of chapter 1 (data loading).
//
// Each test checks one function of ch1.h by properties a hard-coded answer
// cannot meet: known small cases, invariants on seeded random inputs, and
// outputs filled with garbage beforehand so that "forgot to write it" fails.
// The reference values are computed here independently, in long double.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ch1.h"
#include "graded.h"
#include "rng.h"

static const double TOL = 1e-12;  // relative; the sums here lose far less than this

// n random values around `centre`, spread `spread`.
static double *random_vector(Rng *r, int n, double centre, double spread) {
    double *x = malloc(sizeof(double) * (size_t)n);
    for (int i = 0; i < n; i++) x[i] = centre + spread * (2.0 * rng_uniform(r) - 1.0);
    return x;
}

static void reference_mean_sd(double *mean, double *sd, const double *x, int n) {
    long double s = 0, ss = 0;
    for (int i = 0; i < n; i++) s += x[i];
    long double m = s / n;
    for (int i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
    *mean = (double)m;
    *sd = (double)sqrtl(ss / n);
}

#define ck_close(got, want, what, seed)                                                        \
    ck_assert_msg(fabs((got) - (want)) <= TOL * fmax(1.0, fabs(want)),                         \
                  "%s: expected %.15g, got %.15g (seed %lu)", (what), (double)(want),          \
                  (double)(got), (seed))

// ---------------------------------------------------------------------------
// image_mean_sd

GRADED_TEST(mean_sd_known) {
    // mean 5; deviations -3 -1 -1 -1 0 0 2 4; squares sum to 32; 32 / 8 = 4; sd 2
    const double x[8] = {2, 4, 4, 4, 5, 5, 7, 9};
    double mean = NAN, sd = NAN;
    image_mean_sd(&mean, &sd, x, 8);
    ck_assert_msg(fabs(mean - 5.0) < TOL, "mean of {2,4,4,4,5,5,7,9}: expected 5, got %.15g", mean);
    ck_assert_msg(fabs(sd - 2.0) < TOL,
                  "sd of {2,4,4,4,5,5,7,9}: expected 2 (divide by n = 8, not n - 1), got %.15g", sd);
    const double flat[5] = {0.25, 0.25, 0.25, 0.25, 0.25};
    image_mean_sd(&mean, &sd, flat, 5);
    ck_assert_msg(fabs(mean - 0.25) < TOL && sd == 0.0,
                  "a constant 0.25: expected mean 0.25 and sd 0, got mean %.15g and sd %.15g",
                  mean, sd);
}
END_GRADED_TEST

GRADED_TEST(mean_sd_random) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 20; trial++) {
        int n = 1 + (int)rng_below(&r, 1000);
        double *x = random_vector(&r, n, 200.0 * rng_uniform(&r) - 100.0, 1e-3 + rng_uniform(&r));
        double mean, sd, want_mean, want_sd;
        image_mean_sd(&mean, &sd, x, n);
        reference_mean_sd(&want_mean, &want_sd, x, n);
        ck_close(mean, want_mean, "mean of a random vector", seed);
        // sd is small beside the mean here: a one-pass formula loses digits and fails.
        ck_assert_msg(fabs(sd - want_sd) <= 1e-9 * want_sd + 1e-15,
                      "sd of a random vector of %d values (trial %d): expected %.15g, got %.15g "
                      "(seed %lu)", n, trial, want_sd, sd, seed);
        free(x);
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// zscore

GRADED_TEST(zscore_moments) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 20; trial++) {
        int n = 2 + (int)rng_below(&r, 784);
        double *x = random_vector(&r, n, 255.0 * rng_uniform(&r), 1.0 + 100 * rng_uniform(&r));
        double *z = malloc(sizeof(double) * (size_t)n);
        for (int i = 0; i < n; i++) z[i] = NAN;
        zscore(z, x, n);
        double mean, sd;
        reference_mean_sd(&mean, &sd, z, n);
        ck_assert_msg(fabs(mean) < 1e-9, "z-scores of %d random values: expected mean 0, got "
                      "%.3g (seed %lu)", n, mean, seed);
        ck_assert_msg(fabs(sd - 1.0) < 1e-9, "z-scores of %d random values: expected sd 1, got "
                      "%.15g (seed %lu)", n, sd, seed);
        // and each z is this x's own distance from the mean, in sds
        double xm, xs;
        reference_mean_sd(&xm, &xs, x, n);
        int i = (int)rng_below(&r, (uint32_t)n);
        ck_assert_msg(fabs(z[i] - (x[i] - xm) / xs) < 1e-9,
                      "z[%d]: expected %.15g, got %.15g (seed %lu)", i, (x[i] - xm) / xs, z[i], seed);
        free(x), free(z);
    }
}
END_GRADED_TEST

GRADED_TEST(zscore_scale_free) {
    // z-scores do not change when every pixel is scaled and shifted: the study's
    // numbers on [0, 1] pixels and ours on 0..255 give the same z.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    int n = 784;
    double *x = random_vector(&r, n, 0.5, 0.5), *y = malloc(sizeof(double) * n);
    double *zx = malloc(sizeof(double) * n), *zy = malloc(sizeof(double) * n);
    double a = 1.0 + 300.0 * rng_uniform(&r), b = 50.0 * rng_uniform(&r);
    for (int i = 0; i < n; i++) y[i] = a * x[i] + b;
    for (int i = 0; i < n; i++) zx[i] = zy[i] = NAN;  // "forgot to write it" must fail
    zscore(zx, x, n);
    zscore(zy, y, n);
    for (int i = 0; i < n; i++)
        ck_assert_msg(fabs(zx[i] - zy[i]) < 1e-9,
                      "z of x and of %.3g x + %.3g differ at index %d: %.15g vs %.15g (seed %lu)",
                      a, b, i, zx[i], zy[i], seed);
    // ...and are z-scores at all: a constant output would agree with itself.
    double mean, sd;
    reference_mean_sd(&mean, &sd, zx, n);
    ck_assert_msg(fabs(mean) < 1e-9 && fabs(sd - 1.0) < 1e-9,
                  "z of x: expected mean 0 and sd 1, got mean %.3g and sd %.15g (seed %lu)", mean,
                  sd, seed);
    free(x), free(y), free(zx), free(zy);
}
END_GRADED_TEST

GRADED_TEST(zscore_blank_and_in_place) {
    double blank[6] = {7, 7, 7, 7, 7, 7}, z[6] = {NAN, NAN, NAN, NAN, NAN, NAN};
    zscore(z, blank, 6);
    for (int i = 0; i < 6; i++)
        ck_assert_msg(z[i] == 0.0, "a blank image (sd 0): expected all zeros, got %g at index %d",
                      z[i], i);
    double x[4] = {1, 2, 3, 4};  // mean 2.5, sd sqrt(1.25)
    zscore(x, x, 4);
    double s = sqrt(1.25);
    const double want[4] = {-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s};
    for (int i = 0; i < 4; i++)
        ck_assert_msg(fabs(x[i] - want[i]) < 1e-12,
                      "zscore(x, x, 4) in place on {1,2,3,4}: expected %.15g at index %d, got "
                      "%.15g", want[i], i, x[i]);
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// one_hot

GRADED_TEST(one_hot_rows) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    const int sizes[3] = {10, 3, 1};
    for (int s = 0; s < 3; s++) {
        int classes = sizes[s], n = 1 + (int)rng_below(&r, 300);
        uint8_t *labels = malloc((size_t)n);
        double *t = malloc(sizeof(double) * (size_t)n * classes);
        for (int i = 0; i < n; i++) labels[i] = (uint8_t)rng_below(&r, (uint32_t)classes);
        for (int i = 0; i < n * classes; i++) t[i] = 42.0;  // garbage that must be overwritten
        one_hot(t, labels, n, classes);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < classes; k++) {
                double want = k == labels[i] ? 1.0 : 0.0;
                ck_assert_msg(t[i * classes + k] == want,
                              "one_hot with %d classes: row %d (label %d), column %d: expected "
                              "%g, got %g (seed %lu)", classes, i, labels[i], k, want,
                              t[i * classes + k], seed);
            }
        free(labels), free(t);
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// class_mean_image

GRADED_TEST(class_mean_known) {
    // three 2x2 images: two 7s and a 1
    const uint8_t pixels[12] = {0, 10, 20, 30, 255, 255, 0, 0, 100, 50, 60, 10};
    const uint8_t labels[3] = {7, 1, 7};
    double out[4] = {NAN, NAN, NAN, NAN};
    int count = class_mean_image(out, pixels, labels, 3, 4, 7);
    const double want[4] = {50, 30, 40, 20};
    ck_assert_msg(count == 2, "two images are labelled 7: expected 2, got %d", count);
    for (int p = 0; p < 4; p++)
        ck_assert_msg(fabs(out[p] - want[p]) < 1e-12,
                      "mean of the 7s, pixel %d: expected %g, got %g", p, want[p], out[p]);
    count = class_mean_image(out, pixels, labels, 3, 4, 1);
    ck_assert_msg(count == 1 && out[0] == 255 && out[3] == 0,
                  "mean of the single 1: expected 1 image equal to it, got %d and pixels "
                  "%g..%g", count, out[0], out[3]);
}
END_GRADED_TEST

GRADED_TEST(class_mean_random) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    int n = 50 + (int)rng_below(&r, 200), dim = 1 + (int)rng_below(&r, 100);
    uint8_t *pixels = malloc((size_t)n * dim), *labels = malloc((size_t)n);
    for (int i = 0; i < n * dim; i++) pixels[i] = (uint8_t)rng_below(&r, 256);
    for (int i = 0; i < n; i++) labels[i] = (uint8_t)rng_below(&r, 9);  // no 9s at all
    double *out = malloc(sizeof(double) * dim);
    for (int d = 0; d < 10; d++) {
        for (int p = 0; p < dim; p++) out[p] = NAN;
        int count = class_mean_image(out, pixels, labels, n, dim, d), want_count = 0;
        for (int i = 0; i < n; i++) want_count += labels[i] == d;
        ck_assert_msg(count == want_count, "digit %d appears %d times, got %d (seed %lu)", d,
                      want_count, count, seed);
        for (int p = 0; p < dim; p++) {
            long double sum = 0;
            for (int i = 0; i < n; i++) if (labels[i] == d) sum += pixels[i * dim + p];
            double want = want_count ? (double)(sum / want_count) : 0.0;
            ck_assert_msg(fabs(out[p] - want) < 1e-9,
                          "mean image of digit %d%s, pixel %d: expected %.12g, got %.12g (seed "
                          "%lu)", d, want_count ? "" : " (none in the set: all zeros)", p, want,
                          out[p], seed);
        }
    }
    free(pixels), free(labels), free(out);
}
END_GRADED_TEST

const GradedSuite graded_suite = {
    1, "data loading",
    (const GradedTest[]){
        {"mean_sd_known", mean_sd_known, 2, "image_mean_sd: a known vector, and a constant one"},
        {"mean_sd_random", mean_sd_random, 2, "image_mean_sd: random vectors, sd small beside the mean"},
        {"zscore_moments", zscore_moments, 3, "zscore: mean 0, sd 1, each z its own distance in sds"},
        {"zscore_scale_free", zscore_scale_free, 1, "zscore: unchanged by scaling and shifting pixels"},
        {"zscore_blank_and_in_place", zscore_blank_and_in_place, 2, "zscore: a blank image, and z == x"},
        {"one_hot_rows", one_hot_rows, 2, "one_hot: a single 1 per row, in the label's column"},
        {"class_mean_known", class_mean_known, 2, "class_mean_image: a small known case"},
        {"class_mean_random", class_mean_random, 2, "class_mean_image: random images, an absent digit"},
    },
    8};
