// dataset.c: loading, splitting and normalizing MNIST (see dataset.h).
#include "dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idx.h"
#include "rng.h"

const char *const MNIST_FILES[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

// ---------------------------------------------------------------------------
// The split

//> shuffle
void shuffle_indices(int *idx, int n, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    for (int i = 0; i < n; i++) idx[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)rng_below(&rng, (uint32_t)i + 1);
        int tmp = idx[i];
        idx[i] = idx[j];
        idx[j] = tmp;
    }
}
//< shuffle

static int split_alloc(Split *s, int n, int rows, int cols, Error *err) {
    s->n = n, s->rows = rows, s->cols = cols, s->dim = rows * cols;
    s->pixels = error_calloc(err, (size_t)n, (size_t)s->dim, "pixels");
    s->labels = error_calloc(err, (size_t)n, 1, "labels");
    s->mean = error_calloc(err, (size_t)n, sizeof(double), "means");
    s->inv_sd = error_calloc(err, (size_t)n, sizeof(double), "scales");
    return (s->pixels && s->labels && s->mean && s->inv_sd) ? 0 : -1;
}

static void split_free(Split *s) {
    free(s->pixels), free(s->labels), free(s->mean), free(s->inv_sd);
    memset(s, 0, sizeof *s);
}

// Copies examples order[0..n-1] of the files into s.
static void split_take(Split *s, const IdxImages *im, const IdxLabels *lb, const int *order) {
    for (int i = 0; i < s->n; i++) {
        int k = order ? order[i] : i;
        memcpy(s->pixels + (size_t)i * s->dim, im->pixels + (size_t)k * s->dim, (size_t)s->dim);
        s->labels[i] = lb->labels[k];
    }
}

// ---------------------------------------------------------------------------
// Normalization

// Sums of pixels and of their squares are exact in 64-bit integers (at most
// 784 * 255^2 per image), so the one-pass variance loses nothing here.
static void moments(double *mean, double *var, const uint8_t *p, size_t count) {
    uint64_t sum = 0, sumsq = 0;
    for (size_t i = 0; i < count; i++) sum += p[i], sumsq += (uint64_t)p[i] * p[i];
    double m = (double)sum / (double)count;
    *mean = m;
    *var = fmax(0.0, (double)sumsq / (double)count - m * m);
}

static void split_normalize(Split *s, Normalization norm) {
    if (norm == NORM_PER_IMAGE) {
        for (int i = 0; i < s->n; i++) {
            double mean, var;
            moments(&mean, &var, s->pixels + (size_t)i * s->dim, (size_t)s->dim);
            s->mean[i] = mean;
            s->inv_sd[i] = var > 0.0 ? 1.0 / sqrt(var) : 0.0;  // a blank image becomes zeros
        }
    } else {
        double mean, var;
        moments(&mean, &var, s->pixels, (size_t)s->n * s->dim);
        for (int i = 0; i < s->n; i++) {
            s->mean[i] = mean;
            s->inv_sd[i] = var > 0.0 ? 1.0 / sqrt(var) : 0.0;
        }
    }
}

//> batch
void split_batch(double *x, double *t, const Split *s, const int *idx, int b) {
    for (int i = 0; i < b; i++) {
        int k = idx ? idx[i] : i;
        const uint8_t *p = s->pixels + (size_t)k * s->dim;
        double mean = s->mean[k], scale = s->inv_sd[k];
        double *row = x + (size_t)i * s->dim;
        for (int j = 0; j < s->dim; j++) row[j] = (p[j] - mean) * scale;
        if (t) {
            memset(t + (size_t)i * MNIST_CLASSES, 0, MNIST_CLASSES * sizeof(double));
            t[(size_t)i * MNIST_CLASSES + s->labels[k]] = 1.0;
        }
    }
}
//< batch

void split_range(double *x, double *t, const Split *s, int start, int b) {
    Split view = *s;
    size_t off = (size_t)start;
    view.pixels += off * s->dim, view.labels += off, view.mean += off, view.inv_sd += off;
    split_batch(x, t, &view, NULL, b);
}

// ---------------------------------------------------------------------------
// Loading

static int load_pair(IdxImages *im, IdxLabels *lb, const char *dir, int which, Error *err) {
    char ipath[4096], lpath[4096];
    snprintf(ipath, sizeof ipath, "%s/%s", dir, MNIST_FILES[2 * which]);
    snprintf(lpath, sizeof lpath, "%s/%s", dir, MNIST_FILES[2 * which + 1]);
    if (idx_read_images(im, ipath, err) != 0) return -1;
    if (idx_read_labels(lb, lpath, err) != 0 || idx_check_pair(im, ipath, lb, lpath, err) != 0) {
        idx_free_images(im);
        idx_free_labels(lb);
        return -1;
    }
    return 0;
}

int mnist_load(Mnist *m, const DataOptions *opt, Error *err) {
    memset(m, 0, sizeof *m);
    m->norm = opt->norm;
    IdxImages im[2] = {{0}};
    IdxLabels lb[2] = {{0}};
    int *order = NULL, rc = -1;
    if (load_pair(&im[0], &lb[0], opt->dir, 0, err) != 0) goto done;
    if (load_pair(&im[1], &lb[1], opt->dir, 1, err) != 0) goto done;
    if (im[0].rows != im[1].rows || im[0].cols != im[1].cols) {
        error_set(err, "%s/%s: images are %dx%d but the training images are %dx%d", opt->dir,
                  MNIST_FILES[2], im[1].rows, im[1].cols, im[0].rows, im[0].cols);
        goto done;
    }
    int n_train_files = im[0].count, n_test = im[1].count;
    if (opt->limit > 0 && opt->limit < n_train_files) n_train_files = opt->limit;
    if (opt->limit > 0 && opt->limit < n_test) n_test = opt->limit;
    int n_val = (int)lround(n_train_files * opt->val_fraction);
    if (n_val < 1 || n_val >= n_train_files) {
        error_set(err, "%s/%s: %d training images cannot be split %.0f%% / %.0f%%", opt->dir,
                  MNIST_FILES[0], n_train_files, 100 * (1 - opt->val_fraction),
                  100 * opt->val_fraction);
        goto done;
    }
    order = error_calloc(err, (size_t)n_train_files, sizeof(int), "the shuffle");
    if (!order) goto done;
    shuffle_indices(order, n_train_files, opt->seed);
    int rows = im[0].rows, cols = im[0].cols;
    if (split_alloc(&m->train, n_train_files - n_val, rows, cols, err) != 0 ||
        split_alloc(&m->val, n_val, rows, cols, err) != 0 ||
        split_alloc(&m->test, n_test, rows, cols, err) != 0)
        goto done;
    split_take(&m->train, &im[0], &lb[0], order);
    split_take(&m->val, &im[0], &lb[0], order + m->train.n);
    split_take(&m->test, &im[1], &lb[1], NULL);
    split_normalize(&m->train, opt->norm);
    split_normalize(&m->val, opt->norm);
    split_normalize(&m->test, opt->norm);
    rc = 0;
done:
    for (int i = 0; i < 2; i++) idx_free_images(&im[i]), idx_free_labels(&lb[i]);
    free(order);
    if (rc != 0) mnist_free(m);
    return rc;
}

void mnist_free(Mnist *m) {
    split_free(&m->train);
    split_free(&m->val);
    split_free(&m->test);
}
