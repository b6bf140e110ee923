// dataset.h: MNIST as the chapters use it: split, normalized, one-hot.
//
// The images stay as the bytes the files hold (60,000 x 784 bytes is 47 MB;
// as doubles it would be 376 MB). Each example carries the two numbers that
// normalize it, and a batch is turned into doubles only when it is used:
//   x[p] = (pixel[p] - mean) * inv_sd
// With the study's per-image z-score, mean and sd are the image's own; with
// per-split statistics they are shared by every image of the split.
#ifndef WB_DATASET_H
#define WB_DATASET_H

#include <stdint.h>

#include "error.h"

enum { MNIST_CLASSES = 10 };

typedef enum {
    NORM_PER_IMAGE,  // the study's text: each image by its own mean and sd
    NORM_PER_SPLIT,  // each split by the mean and sd of all its pixels
} Normalization;

typedef struct {
    int n, dim;        // examples, pixels per example (rows * cols)
    int rows, cols;
    uint8_t *pixels;   // [n, dim]
    uint8_t *labels;   // [n]
    double *mean;      // [n] what each example's pixels are centred by
    double *inv_sd;    // [n] and then scaled by (0 for a blank image)
} Split;

typedef struct {
    Split train, val, test;
    Normalization norm;
} Mnist;

typedef struct {
    const char *dir;        // the four IDX files, raw or .gz
    uint64_t seed;          // of the shuffle before the split
    double val_fraction;    // of the training files held out for validation (0.2)
    int limit;              // 0: every example; else the first `limit` of each file
    Normalization norm;
} DataOptions;

// The names of the four files inside a data folder.
extern const char *const MNIST_FILES[4];  // train images, train labels, test images, test labels

// Reads dir's four files, checks them, shuffles the training files with the
// seed and splits off the validation set, and works out the normalization.
int mnist_load(Mnist *m, const DataOptions *opt, Error *err);
void mnist_free(Mnist *m);

// A batch of examples idx[0..b-1] of split s, normalized, and their one-hot
// targets (t may be NULL).
//   x: out [b, dim];  t: out [b, 10];  idx: in [b]
void split_batch(double *x, double *t, const Split *s, const int *idx, int b);

// The same for examples start..start+b-1, in order.
void split_range(double *x, double *t, const Split *s, int start, int b);

// The shuffle the split uses: Fisher-Yates from the end, with rng_below.
void shuffle_indices(int *idx, int n, uint64_t seed);

#endif
