// hidden_ch1.c: the hidden tests of chapter 1 (data loading), instructor only.
//
// Each test runs one function of ch1.h and the reference's on the same seeded
// random cases, edge cases first (see hidden.h), and compares what they write.
// Tolerances (|got - want| <= rtol |want| + atol): the mean 1e-12 relative,
// the sd 1e-9 relative, with an absolute part 1e-11 and 1e-13 of the largest
// |x| (a sum in another order); zscore 1e-9 and 1e-9; one_hot exactly;
// class_mean_image 1e-12 and 1e-12.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ch1.h"
#include "hidden/hidden.h"

REFERENCE(image_mean_sd);
REFERENCE(zscore);
REFERENCE(one_hot);
REFERENCE(class_mean_image);

// ---------------------------------------------------------------------------

static const HiddenCase MEAN_SD_CASES[] = {
    {"a single value", VALUES_NORMAL, 1, 1, "one value is its own mean, and its sd is 0"},
    {"an image of zeros", VALUES_ZEROS, 1, 784, "zeros have mean 0 and sd 0, not NaN"},
    {"pixels 0..255", VALUES_PIXELS, 1, 784, "the sd divides by n, not n - 1"},
    {"huge values (around 1e150)", VALUES_HUGE, 2, 1000,
     "squaring a value before dividing can overflow: square the deviations"},
    {"tiny values (around 1e-150)", VALUES_TINY, 2, 1000,
     "nothing should be rounded to zero or compared with a fixed small number"},
    {"a large mean with a small spread", VALUES_OFFSET, 2, 5000,
     "compute the sd from the deviations x[i] - mean, in a second pass, not from "
     "E[x^2] - E[x]^2"},
    {"random values", VALUES_NORMAL, 1, 5000, "the sd divides by n, not n - 1"},
};

static void mean_sd_trial(Trial *t) {
    size_t n = (size_t)t->n;
    double *x = hidden_input(t, "x", n, t->k->values);
    hidden_seal(t);
    double want[2], got[2] = {NAN, NAN};
    ref_image_mean_sd(&want[0], &want[1], x, t->n);
    image_mean_sd(&got[0], &got[1], x, t->n);
    hidden_check_arrays(t, "image_mean_sd");
    double scale = hidden_max_abs(x, n);
    hidden_compare(t, "image_mean_sd: the mean", &got[0], &want[0], 1, 1e-12, 1e-11 * scale);
    hidden_compare(t, "image_mean_sd: the sd", &got[1], &want[1], 1, 1e-9, 1e-13 * scale);
}

GRADED_TEST(hidden_mean_sd) { HIDDEN_RUN(MEAN_SD_CASES, 11, mean_sd_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------

enum { ZSCORE_BLANK = 1, ZSCORE_IN_PLACE = 7 };
static const HiddenCase ZSCORE_CASES[] = {
    {"a single pixel", VALUES_PIXELS, 1, 1, "one pixel has sd 0: a blank image gives zeros"},
    [ZSCORE_BLANK] = {"a blank image", VALUES_PIXELS, 1, 784,
                      "every pixel the same: sd is 0, and the contract asks for zeros"},
    {"an image of zeros", VALUES_ZEROS, 1, 784, "sd is 0: zeros, not NaN"},
    {"pixels 0..255", VALUES_PIXELS, 2, 784, "each image uses its own mean and sd"},
    {"huge values (around 1e150)", VALUES_HUGE, 2, 784,
     "squaring a value before dividing can overflow: square the deviations"},
    {"tiny values (around 1e-150)", VALUES_TINY, 2, 784,
     "compare sd with 0 itself, not with a small threshold: a tiny sd is not zero"},
    {"a large mean with a small spread", VALUES_OFFSET, 2, 784,
     "the sd must come from the deviations x[i] - mean"},
    [ZSCORE_IN_PLACE] = {"in place (z and x the same array)", VALUES_PIXELS, 1, 784,
                         "z and x may be the same array: compute the mean and sd before writing z"},
};

static void zscore_trial(Trial *t) {
    size_t n = (size_t)t->n;
    double *x = hidden_input(t, "x", n, t->k->values);
    if (t->c == ZSCORE_BLANK)
        for (size_t i = 1; i < n; i++) x[i] = x[0];
    hidden_seal(t);
    double *want = hidden_output(t, NULL, n, NAN);
    ref_zscore(want, x, t->n);
    double *z;
    if (t->c == ZSCORE_IN_PLACE) {
        z = hidden_copy(t, "z", x, n);
        zscore(z, z, t->n);
    } else {
        z = hidden_output(t, "z", n, NAN);
        zscore(z, x, t->n);
    }
    hidden_check_arrays(t, "zscore");
    hidden_compare(t, "zscore", z, want, n, 1e-9, 1e-9);
}

GRADED_TEST(hidden_zscore) { HIDDEN_RUN(ZSCORE_CASES, 12, zscore_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------

enum { ONE_HOT_ONE_CLASS = 1, ONE_HOT_MANY = 3 };
static const HiddenCase ONE_HOT_CASES[] = {
    {"a batch of one", VALUES_NORMAL, 1, 1, "write every entry of the row, zeros included"},
    [ONE_HOT_ONE_CLASS] = {"one class", VALUES_NORMAL, 1, 50, "with one class every row is just [1]"},
    {"ten classes", VALUES_NORMAL, 1, 3000, "zero every entry first: t holds garbage on entry"},
    [ONE_HOT_MANY] = {"up to 256 classes", VALUES_NORMAL, 1, 300,
                      "row i starts at i * classes, whatever the number of classes"},
};

static void one_hot_trial(Trial *t) {
    int classes = t->c == ONE_HOT_ONE_CLASS ? 1 : t->c == ONE_HOT_MANY ? hidden_pick(t->r, 2, 256) : 10;
    size_t size = (size_t)t->n * (size_t)classes;
    uint8_t *labels = hidden_input_bytes(t, "labels", (size_t)t->n);
    for (int i = 0; i < t->n; i++) labels[i] = (uint8_t)rng_below(t->r, (uint32_t)classes);
    hidden_seal(t);
    double *want = hidden_output(t, NULL, size, NAN);
    double *got = hidden_output(t, "t", size, hidden_garbage(t));
    ref_one_hot(want, labels, t->n, classes);
    one_hot(got, labels, t->n, classes);
    hidden_check_arrays(t, "one_hot");
    hidden_compare(t, "one_hot", got, want, size, 0.0, 0.0);
}

GRADED_TEST(hidden_one_hot) { HIDDEN_RUN(ONE_HOT_CASES, 13, one_hot_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------

enum { MEAN_ONE, MEAN_OTHER, MEAN_ONE_PIXEL, MEAN_WHITE, MEAN_BLACK, MEAN_ABSENT, MEAN_ALL, MEAN_MNIST };
static const HiddenCase CLASS_MEAN_CASES[] = {
    [MEAN_ONE] = {"a batch of one image, of that digit", VALUES_PIXELS, 1, 1,
                  "the mean of one image is that image"},
    [MEAN_OTHER] = {"a batch of one image, of another digit", VALUES_PIXELS, 1, 1,
                    "no image of the digit: out is all zeros and the result 0"},
    [MEAN_ONE_PIXEL] = {"images of one pixel", VALUES_PIXELS, 1, 500, "dim can be 1"},
    [MEAN_WHITE] = {"many white images (every pixel 255)", VALUES_PIXELS, 300, 1000,
                    "add up the pixels in a double: a small integer type overflows"},
    [MEAN_BLACK] = {"black images (every pixel 0)", VALUES_ZEROS, 1, 500, "zeros average to zeros"},
    [MEAN_ABSENT] = {"a digit that does not appear", VALUES_PIXELS, 1, 500,
                     "no image of the digit: out is all zeros (it held garbage) and the result 0"},
    [MEAN_ALL] = {"every image of the digit", VALUES_PIXELS, 1, 500, "divide by how many there were"},
    [MEAN_MNIST] = {"MNIST-sized images", VALUES_PIXELS, 1, 1000, "image i starts at pixels + i * dim"},
};

static void class_mean_trial(Trial *t) {
    int c = t->c, n = t->n;
    int dim = c == MEAN_ONE_PIXEL ? 1 : c == MEAN_MNIST ? 784 : hidden_pick(t->r, 1, 100);
    int digit = (int)rng_below(t->r, 10);
    size_t size = (size_t)n * (size_t)dim;
    uint8_t *pixels = hidden_input_bytes(t, "pixels", size);
    uint8_t *labels = hidden_input_bytes(t, "labels", (size_t)n);
    for (size_t i = 0; i < size; i++)
        pixels[i] = c == MEAN_WHITE ? 255 : c == MEAN_BLACK ? 0 : (uint8_t)rng_below(t->r, 256);
    for (int i = 0; i < n; i++) {
        int label = (int)rng_below(t->r, 10);
        if (c == MEAN_ONE || c == MEAN_WHITE || c == MEAN_ALL) label = digit;
        if ((c == MEAN_OTHER || c == MEAN_ABSENT) && label == digit) label = (digit + 1) % 10;
        labels[i] = (uint8_t)label;
    }
    hidden_seal(t);
    double *want = hidden_output(t, NULL, (size_t)dim, NAN);
    double *out = hidden_output(t, "out", (size_t)dim, NAN);
    int want_count = ref_class_mean_image(want, pixels, labels, n, dim, digit);
    int count = class_mean_image(out, pixels, labels, n, dim, digit);
    hidden_check_arrays(t, "class_mean_image");
    hidden_compare_int(t, "class_mean_image: the number of images of the digit", &count,
                       &want_count, 1);
    hidden_compare(t, "class_mean_image", out, want, (size_t)dim, 1e-12, 1e-12);
}

GRADED_TEST(hidden_class_mean) { HIDDEN_RUN(CLASS_MEAN_CASES, 14, class_mean_trial); }
END_GRADED_TEST

const GradedSuite graded_suite = {
    1, "data loading (hidden tests)",
    (const GradedTest[]){
        {"hidden_mean_sd", hidden_mean_sd, 2,
         "image_mean_sd against the reference: single values, zeros, huge and tiny values"},
        {"hidden_zscore", hidden_zscore, 3,
         "zscore against the reference: blank images, huge and tiny values, in place"},
        {"hidden_one_hot", hidden_one_hot, 1,
         "one_hot against the reference: a batch of one, one class, up to 256 classes"},
        {"hidden_class_mean", hidden_class_mean, 2,
         "class_mean_image against the reference: one image, white and black images, absent "
         "digits"},
    },
    4};
