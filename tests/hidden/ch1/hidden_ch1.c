// hidden_ch1.c: the hidden tests of chapter 1 (data loading), instructor only.
//
// Each test runs one function of ch1.h and the reference's on the same seeded
// random cases, edge cases first (see hidden.h), and compares what they write.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ch1.h"
#include "hidden/hidden.h"

REFERENCE(image_mean_sd);
REFERENCE(zscore);
REFERENCE(one_hot);
REFERENCE(class_mean_image);

enum { TRIALS = 3 };

typedef struct {
    const char *label;  // the kind of case, all a student is told about it
    Values values;
    int lo, hi;         // its sizes
    const char *hint;
} Case;

// ---------------------------------------------------------------------------

static const Case MEAN_SD_CASES[] = {
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

GRADED_TEST(hidden_mean_sd) {
    Rng r;
    hidden_rng(&r, 11);
    for (size_t c = 0; c < sizeof MEAN_SD_CASES / sizeof MEAN_SD_CASES[0]; c++) {
        const Case *k = &MEAN_SD_CASES[c];
        for (int trial = 0; trial < TRIALS; trial++) {
            int n = hidden_size(&r, k->lo, k->hi);
            double *x = hidden_alloc((size_t)n, 0.0), *copy = hidden_alloc((size_t)n, 0.0);
            hidden_fill(&r, x, (size_t)n, k->values);
            memcpy(copy, x, sizeof(double) * (size_t)n);
            double want[2], got[2] = {NAN, NAN};
            ref_image_mean_sd(&want[0], &want[1], x, n);
            image_mean_sd(&got[0], &got[1], x, n);
            hidden_check_unchanged("image_mean_sd", "x", x, copy, sizeof(double) * (size_t)n,
                                   k->label);
            double scale = hidden_max_abs(x, (size_t)n);
            hidden_compare("image_mean_sd: the mean", &got[0], &want[0], 1, 1e-12, 1e-11 * scale,
                           k->label, k->hint);
            hidden_compare("image_mean_sd: the sd", &got[1], &want[1], 1, 1e-9, 1e-13 * scale,
                           k->label, k->hint);
            free(x), free(copy);
        }
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------

static const Case ZSCORE_CASES[] = {
    {"a single pixel", VALUES_PIXELS, 1, 1, "one pixel has sd 0: a blank image gives zeros"},
    {"a blank image", VALUES_PIXELS, 1, 784,
     "every pixel the same: sd is 0, and the contract asks for zeros"},
    {"an image of zeros", VALUES_ZEROS, 1, 784, "sd is 0: zeros, not NaN"},
    {"pixels 0..255", VALUES_PIXELS, 2, 784, "each image uses its own mean and sd"},
    {"huge values (around 1e150)", VALUES_HUGE, 2, 784,
     "squaring a value before dividing can overflow: square the deviations"},
    {"tiny values (around 1e-150)", VALUES_TINY, 2, 784,
     "compare sd with 0 itself, not with a small threshold: a tiny sd is not zero"},
    {"a large mean with a small spread", VALUES_OFFSET, 2, 784,
     "the sd must come from the deviations x[i] - mean"},
    {"in place (z and x the same array)", VALUES_PIXELS, 1, 784,
     "z and x may be the same array: compute the mean and sd before writing z"},
};

GRADED_TEST(hidden_zscore) {
    Rng r;
    hidden_rng(&r, 12);
    for (size_t c = 0; c < sizeof ZSCORE_CASES / sizeof ZSCORE_CASES[0]; c++) {
        const Case *k = &ZSCORE_CASES[c];
        int blank = c == 1, in_place = c == 7;
        for (int trial = 0; trial < TRIALS; trial++) {
            int n = hidden_size(&r, k->lo, k->hi);
            double *x = hidden_alloc((size_t)n, 0.0), *copy = hidden_alloc((size_t)n, 0.0);
            double *want = hidden_alloc((size_t)n, NAN), *z = hidden_alloc((size_t)n, NAN);
            hidden_fill(&r, x, (size_t)n, k->values);
            if (blank)
                for (int i = 1; i < n; i++) x[i] = x[0];
            memcpy(copy, x, sizeof(double) * (size_t)n);
            ref_zscore(want, x, n);
            if (in_place) {
                memcpy(z, x, sizeof(double) * (size_t)n);
                zscore(z, z, n);
            } else {
                zscore(z, x, n);
                hidden_check_unchanged("zscore", "x", x, copy, sizeof(double) * (size_t)n,
                                       k->label);
            }
            hidden_check_guards("zscore", "z", z, (size_t)n, k->label);
            hidden_compare("zscore", z, want, (size_t)n, 1e-9, 1e-9, k->label, k->hint);
            free(x), free(copy), free(want), free(z);
        }
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------

static const Case ONE_HOT_CASES[] = {
    {"a batch of one", VALUES_NORMAL, 1, 1, "write every entry of the row, zeros included"},
    {"one class", VALUES_NORMAL, 1, 50, "with one class every row is just [1]"},
    {"ten classes", VALUES_NORMAL, 1, 3000,
     "zero every entry first: t holds garbage on entry"},
    {"up to 256 classes", VALUES_NORMAL, 1, 300,
     "row i starts at i * classes, whatever the number of classes"},
};

GRADED_TEST(hidden_one_hot) {
    Rng r;
    hidden_rng(&r, 13);
    for (size_t c = 0; c < sizeof ONE_HOT_CASES / sizeof ONE_HOT_CASES[0]; c++) {
        const Case *k = &ONE_HOT_CASES[c];
        for (int trial = 0; trial < TRIALS; trial++) {
            int n = hidden_size(&r, k->lo, k->hi);
            int classes = c == 1 ? 1 : c == 3 ? 2 + (int)rng_below(&r, 255) : 10;
            size_t size = (size_t)n * (size_t)classes;
            uint8_t *labels = malloc((size_t)n), *copy = malloc((size_t)n);
            for (int i = 0; i < n; i++) labels[i] = (uint8_t)rng_below(&r, (uint32_t)classes);
            memcpy(copy, labels, (size_t)n);
            double *want = hidden_alloc(size, NAN), *t = hidden_alloc(size, trial ? 1e300 : NAN);
            ref_one_hot(want, labels, n, classes);
            one_hot(t, labels, n, classes);
            hidden_check_unchanged("one_hot", "labels", labels, copy, (size_t)n, k->label);
            hidden_check_guards("one_hot", "t", t, size, k->label);
            hidden_compare("one_hot", t, want, size, 0.0, 0.0, k->label, k->hint);
            free(labels), free(copy), free(want), free(t);
        }
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------

static const Case CLASS_MEAN_CASES[] = {
    {"a batch of one image, of that digit", VALUES_PIXELS, 1, 1,
     "the mean of one image is that image"},
    {"a batch of one image, of another digit", VALUES_PIXELS, 1, 1,
     "no image of the digit: out is all zeros and the result 0"},
    {"images of one pixel", VALUES_PIXELS, 1, 500, "dim can be 1"},
    {"many white images (every pixel 255)", VALUES_PIXELS, 300, 1000,
     "add up the pixels in a double: a small integer type overflows"},
    {"black images (every pixel 0)", VALUES_ZEROS, 1, 500, "zeros average to zeros"},
    {"a digit that does not appear", VALUES_PIXELS, 1, 500,
     "no image of the digit: out is all zeros (it held garbage) and the result 0"},
    {"every image of the digit", VALUES_PIXELS, 1, 500, "divide by how many there were"},
    {"MNIST-sized images", VALUES_PIXELS, 1, 1000, "image i starts at pixels + i * dim"},
};

GRADED_TEST(hidden_class_mean) {
    Rng r;
    hidden_rng(&r, 14);
    for (size_t c = 0; c < sizeof CLASS_MEAN_CASES / sizeof CLASS_MEAN_CASES[0]; c++) {
        const Case *k = &CLASS_MEAN_CASES[c];
        for (int trial = 0; trial < TRIALS; trial++) {
            int n = hidden_size(&r, k->lo, k->hi);
            int dim = c == 2 ? 1 : c == 7 ? 784 : 1 + (int)rng_below(&r, 100);
            int digit = (int)rng_below(&r, 10);
            size_t size = (size_t)n * (size_t)dim;
            uint8_t *pixels = malloc(size), *labels = malloc((size_t)n);
            uint8_t *pixels_copy = malloc(size), *labels_copy = malloc((size_t)n);
            for (size_t i = 0; i < size; i++)
                pixels[i] = c == 3 ? 255 : c == 4 ? 0 : (uint8_t)rng_below(&r, 256);
            for (int i = 0; i < n; i++) {
                int label = (int)rng_below(&r, 10);
                if (c == 0 || c == 3 || c == 6) label = digit;
                if ((c == 1 || c == 5) && label == digit) label = (digit + 1) % 10;
                labels[i] = (uint8_t)label;
            }
            memcpy(pixels_copy, pixels, size);
            memcpy(labels_copy, labels, (size_t)n);
            double *want = hidden_alloc((size_t)dim, NAN), *out = hidden_alloc((size_t)dim, NAN);
            int want_count = ref_class_mean_image(want, pixels, labels, n, dim, digit);
            int count = class_mean_image(out, pixels, labels, n, dim, digit);
            hidden_check_unchanged("class_mean_image", "pixels", pixels, pixels_copy, size,
                                   k->label);
            hidden_check_unchanged("class_mean_image", "labels", labels, labels_copy,
                                   (size_t)n, k->label);
            hidden_compare_int("class_mean_image: the number of images of the digit", count,
                               want_count, k->label, k->hint);
            hidden_check_guards("class_mean_image", "out", out, (size_t)dim, k->label);
            hidden_compare("class_mean_image", out, want, (size_t)dim, 1e-12, 1e-12, k->label,
                           k->hint);
            free(pixels), free(labels), free(pixels_copy), free(labels_copy), free(want),
                free(out);
        }
    }
}
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
