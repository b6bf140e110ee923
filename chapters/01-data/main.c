// main.c: chapter 1, data loading. One pass from the IDX files to normalized,
// one-hot examples, printing each step, checking your exercises (ch1.h)
// against the library as it goes, and leaving its numbers and figures in
// the run folder for the book.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch1.h"
#include "chapter.h"
#include "dataset.h"
#include "idx.h"
#include "metrics.h"
#include "output.h"
#include "plot.h"

// The study's worked example (its section 1.3): one training image of a 5.
static const double STUDY_MEAN = 0.13714225924744897, STUDY_SD = 0.31112823799846606;

// 60000 as "60,000", the way the prose writes numbers.
static const char *thousands(char *buf, size_t len, int n) {
    if (n >= 1000) snprintf(buf, len, "%d,%03d", n / 1000, n % 1000);
    else snprintf(buf, len, "%d", n);
    return buf;
}

// A digit as text: darker characters for more ink.
static void print_digit(const uint8_t *img, int rows, int cols) {
    static const char shades[] = " .:-=+*#%@";
    for (int r = 0; r < rows; r++) {
        fputs("      ", stdout);
        for (int c = 0; c < cols; c++) putchar(shades[img[r * cols + c] * 9 / 255]);
        putchar('\n');
    }
}

// ---------------------------------------------------------------------------
// Steps 1 and 2: the files as they are

static int load_raw(Chapter *ch, IdxImages *im, IdxLabels *lb, Error *err) {
    chapter_step(ch, 1, "load the training files");
    char ip[4096], lp[4096];
    snprintf(ip, sizeof ip, "%s/%s", ch->opt.data_dir, MNIST_FILES[0]);
    snprintf(lp, sizeof lp, "%s/%s", ch->opt.data_dir, MNIST_FILES[1]);
    if (idx_read_images(im, ip, err) != 0) return -1;
    if (idx_read_labels(lb, lp, err) != 0) return -1;
    if (idx_check_pair(im, ip, lb, lp, err) != 0) return -1;
    printf("      %s: magic 0x%08x, %d images of %d x %d pixels\n", ip, IDX_MAGIC_IMAGES,
           im->count, im->rows, im->cols);
    printf("      %s: magic 0x%08x, %d labels\n", lp, IDX_MAGIC_LABELS, lb->count);
    char num[32];
    values_set(&ch->values, "train_files_count", "%s", thousands(num, sizeof num, im->count));
    values_set(&ch->values, "rows", "%d", im->rows);
    values_set(&ch->values, "cols", "%d", im->cols);

    chapter_step(ch, 2, "count the digits");
    int counts[MNIST_CLASSES] = {0};
    for (int i = 0; i < lb->count; i++) counts[lb->labels[i]]++;
    fputs("      ", stdout);
    for (int d = 0; d < MNIST_CLASSES; d++) printf("%d: %d%s", d, counts[d], d < 9 ? "  " : "\n");
    int lo = 0, hi = 0;
    for (int d = 1; d < MNIST_CLASSES; d++) {
        if (counts[d] < counts[lo]) lo = d;
        if (counts[d] > counts[hi]) hi = d;
    }
    values_set(&ch->values, "rarest_digit", "%d", lo);
    values_set(&ch->values, "rarest_count", "%d", counts[lo]);
    values_set(&ch->values, "commonest_digit", "%d", hi);
    values_set(&ch->values, "commonest_count", "%d", counts[hi]);
    return 0;
}

// ---------------------------------------------------------------------------
// Step 3: the study's worked example, on your image_mean_sd

static void worked_example(Chapter *ch, const IdxImages *im, const IdxLabels *lb) {
    chapter_step(ch, 3, "the study's worked example: the mean and sd of one digit");
    int dim = im->rows * im->cols;
    double *x = malloc(sizeof(double) * (size_t)dim);
    if (!x) { fprintf(stderr, "%s: out of memory\n", ch->opt.prog); exit(1); }
    // The study does not say which 5 it took. Its numbers are those of pixels
    // scaled to [0, 1] (on 0..255 they would be 255 times larger), so look
    // for the 5 whose mean and sd, on that scale, come nearest to them.
    int best = -1;
    double best_mean = 0, best_sd = 0, best_dist = INFINITY;
    for (int i = 0; i < im->count; i++) {
        if (lb->labels[i] != 5) continue;
        //> worked-example
        const uint8_t *pixels = im->pixels + (size_t)i * dim;
        for (int p = 0; p < dim; p++) x[p] = pixels[p] / 255.0;
        double mean, sd;
        image_mean_sd(&mean, &sd, x, dim);
        //< worked-example
        double dist = hypot(mean - STUDY_MEAN, sd - STUDY_SD);
        if (dist < best_dist) best = i, best_dist = dist, best_mean = mean, best_sd = sd;
    }
    free(x);
    if (best < 0) {
        printf("      no 5 among these images\n");
        return;
    }
    if (!ch->opt.quiet) print_digit(im->pixels + (size_t)best * dim, im->rows, im->cols);
    // A mean of 784 whole numbers from 0 to 255, divided by 255, times 784 * 255
    // is their sum: a whole number. The study's is not.
    double study_sum = STUDY_MEAN * dim * 255.0;
    printf("      nearest 5, training image %d: mean %.17g, sd %.17g\n", best, best_mean, best_sd);
    printf("      the study:                   mean %.17g, sd %.17g\n", STUDY_MEAN, STUDY_SD);
    printf("      the study's mean x %d x 255 = %.4f, not a whole number: no image of byte\n"
           "      pixels gives exactly its mean\n", dim, study_sum);
    values_set(&ch->values, "example_index", "%d", best);
    values_set(&ch->values, "example_mean", "%.17g", best_mean);
    values_set(&ch->values, "example_sd", "%.17g", best_sd);
    values_set(&ch->values, "example_mean_diff", "%.1e", fabs(best_mean - STUDY_MEAN));
    values_set(&ch->values, "example_sd_diff", "%.1e", fabs(best_sd - STUDY_SD));
    values_set(&ch->values, "example_mean_255", "%.4f", best_mean * 255.0);
    values_set(&ch->values, "example_sd_255", "%.4f", best_sd * 255.0);
    values_set(&ch->values, "study_pixel_sum", "%.4f", study_sum);
    values_set(&ch->values, "study_mean", "%.17g", STUDY_MEAN);
    values_set(&ch->values, "study_sd", "%.17g", STUDY_SD);
}

// ---------------------------------------------------------------------------
// Step 4: split and z-score, yours against the library's

static void zscore_check(Chapter *ch, const Mnist *m) {
    chapter_step(ch, 4, "split 80/20 and z-score each image");
    const Split *tr = &m->train;
    printf("      %d training and %d validation images (seed %llu), %d test images\n", tr->n,
           m->val.n, (unsigned long long)ch->opt.seed, m->test.n);
    values_set(&ch->values, "n_train", "%d", tr->n);
    values_set(&ch->values, "n_val", "%d", m->val.n);
    values_set(&ch->values, "n_test", "%d", m->test.n);
    char num[32];
    values_set(&ch->values, "test_count", "%s", thousands(num, sizeof num, m->test.n));

    double *mine = malloc(sizeof(double) * tr->dim), *lib = malloc(sizeof(double) * tr->dim);
    if (!mine || !lib) { fprintf(stderr, "%s: out of memory\n", ch->opt.prog); exit(1); }
    double max_diff = 0.0, zmin = INFINITY, zmax = -INFINITY, outside = 0;
    for (int i = 0; i < tr->n; i++) {
        for (int p = 0; p < tr->dim; p++) mine[p] = tr->pixels[(size_t)i * tr->dim + p];
        zscore(mine, mine, tr->dim);
        split_range(lib, NULL, tr, i, 1);
        for (int p = 0; p < tr->dim; p++) {
            double z = m->norm == NORM_PER_IMAGE ? mine[p] : lib[p];
            if (m->norm == NORM_PER_IMAGE) max_diff = fmax(max_diff, fabs(mine[p] - lib[p]));
            zmin = fmin(zmin, z), zmax = fmax(zmax, z);
            outside += fabs(z) > 1.0;
        }
    }
    free(mine);
    free(lib);
    double frac = 100.0 * outside / ((double)tr->n * tr->dim);
    if (m->norm == NORM_PER_IMAGE) {
        printf("      your zscore() and the library's agree to %.1e on every training image\n",
               max_diff);
        if (!(max_diff < 1e-9))
            chapter_wrong(ch, "your zscore() differs from the library's by %.3g", max_diff);
    }
    printf("      z-scores range from %.3f to %.3f; %.1f%% of them lie outside [-1, 1]\n", zmin,
           zmax, frac);
    values_set(&ch->values, "zscore_max_diff", "%.1e", max_diff);
    values_set(&ch->values, "z_min", "%.2f", zmin);
    values_set(&ch->values, "z_max", "%.2f", zmax);
    values_set(&ch->values, "z_outside_pct", "%.1f", frac);
}

// ---------------------------------------------------------------------------
// Step 5: one-hot targets, checked row by row

static void one_hot_check(Chapter *ch, const Split *tr) {
    chapter_step(ch, 5, "one-hot targets");
    double *t = malloc(sizeof(double) * (size_t)tr->n * MNIST_CLASSES);
    if (!t) { fprintf(stderr, "%s: out of memory\n", ch->opt.prog); exit(1); }
    one_hot(t, tr->labels, tr->n, MNIST_CLASSES);
    for (int i = 0; i < tr->n; i++) {
        double sum = 0.0;
        for (int k = 0; k < MNIST_CLASSES; k++) sum += t[(size_t)i * MNIST_CLASSES + k];
        if (sum != 1.0 || t[(size_t)i * MNIST_CLASSES + tr->labels[i]] != 1.0)
            chapter_wrong(ch, "your one_hot() row %d (label %d) is not a single 1 in column %d", i,
                          tr->labels[i], tr->labels[i]);
    }
    for (int i = 0; i < 3; i++) {
        printf("      label %d ->", tr->labels[i]);
        for (int k = 0; k < MNIST_CLASSES; k++) printf(" %.0f", t[(size_t)i * MNIST_CLASSES + k]);
        putchar('\n');
    }
    printf("      all %d rows hold a single 1, in the column of their label\n", tr->n);
    free(t);
}

// ---------------------------------------------------------------------------
// Step 6: pictures: sixteen digits, and the average of each class

static int draw(Chapter *ch, const Split *tr, Error *err) {
    chapter_step(ch, 6, "draw sample digits and the mean image of each digit");
    enum { SAMPLES = 16 };
    int dim = tr->dim;
    double *img = malloc(sizeof(double) * (size_t)dim * SAMPLES);
    if (!img) return error_set(err, "out of memory for the figures");
    char captions[SAMPLES][12];
    const char *caps[SAMPLES];
    for (int k = 0; k < SAMPLES && k < tr->n; k++) {
        for (int p = 0; p < dim; p++) img[(size_t)k * dim + p] = tr->pixels[(size_t)k * dim + p];
        snprintf(captions[k], sizeof captions[k], "%d", tr->labels[k]);
        caps[k] = captions[k];
    }
    int n_samples = tr->n < SAMPLES ? tr->n : SAMPLES;
    char lpath[4096];
    snprintf(lpath, sizeof lpath, "%s/digits_labels.tsv", ch->opt.out_dir);
    int rc = plot_write_grid(chapter_file(ch, "digits.dat"), lpath, img, n_samples, tr->rows,
                             tr->cols, 8, caps, err);
    for (int d = 0; rc == 0 && d < MNIST_CLASSES; d++) {
        int count = class_mean_image(img + (size_t)d * dim, tr->pixels, tr->labels, tr->n, dim, d);
        snprintf(captions[d], sizeof captions[d], "%d", d);
        caps[d] = captions[d];
        char key[32];
        snprintf(key, sizeof key, "train_count_%d", d);
        values_set(&ch->values, key, "%d", count);
    }
    snprintf(lpath, sizeof lpath, "%s/means_labels.tsv", ch->opt.out_dir);
    if (rc == 0)
        rc = plot_write_grid(chapter_file(ch, "means.dat"), lpath, img, MNIST_CLASSES, tr->rows,
                             tr->cols, 5, caps, err);
    free(img);
    if (rc == 0) rc = plot_render(ch->opt.figures_dir, "digits", ch->opt.out_dir, err);
    if (rc == 0) rc = plot_render(ch->opt.figures_dir, "means", ch->opt.out_dir, err);
    if (rc == 0) printf("      %s/digits.svg and means.svg (and .pdf)\n", ch->opt.out_dir);
    return rc;
}

int main(int argc, char **argv) {
    Chapter ch = {.number = 1, .title = "data loading", .steps = 6};
    int status;
    if (!chapter_begin(&ch, argc, argv, &status)) return status;
    Error err = {{0}};
    IdxImages im = {0};
    IdxLabels lb = {0};
    Mnist m = {0};
    int rc = load_raw(&ch, &im, &lb, &err);
    if (rc == 0) worked_example(&ch, &im, &lb);
    idx_free_images(&im);
    idx_free_labels(&lb);
    DataOptions dopt = cli_data_options(&ch.opt);
    if (rc == 0) rc = mnist_load(&m, &dopt, &err);
    if (rc == 0) {
        zscore_check(&ch, &m);
        one_hot_check(&ch, &m.train);
        rc = draw(&ch, &m.train, &err);
    }
    mnist_free(&m);
    return chapter_end(&ch, rc, &err);
}
