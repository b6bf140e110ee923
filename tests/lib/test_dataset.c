// test_dataset.c: the split and the normalization, on small IDX files made here.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "dataset.h"
#include "suites.h"

static char dir[64];

static void put_be32(gzFile f, uint32_t v) {
    unsigned char b[4] = {v >> 24, v >> 16, v >> 8, v};
    gzwrite(f, b, 4);
}

// n images of 4x5 pixels: image i is filled with a ramp scaled by (i % 7);
// image 3 is blank. Labels are i % 10. gzip = 1 writes name.gz instead.
static void write_set(const char *images, const char *labels, int n, int gzip) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s%s", dir, images, gzip ? ".gz" : "");
    gzFile f = gzopen(path, gzip ? "wb" : "wbT");
    put_be32(f, 0x803), put_be32(f, (uint32_t)n), put_be32(f, 4), put_be32(f, 5);
    for (int i = 0; i < n; i++)
        for (int p = 0; p < 20; p++) {
            unsigned char v = i == 3 ? 9 : (unsigned char)((p * 12 * (i % 7 + 1)) % 256);
            gzwrite(f, &v, 1);
        }
    gzclose(f);
    snprintf(path, sizeof path, "%s/%s%s", dir, labels, gzip ? ".gz" : "");
    f = gzopen(path, gzip ? "wb" : "wbT");
    put_be32(f, 0x801), put_be32(f, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        unsigned char v = (unsigned char)(i % 10);
        gzwrite(f, &v, 1);
    }
    gzclose(f);
}

static void setup(void) {
    snprintf(dir, sizeof dir, "/tmp/wb-dataset-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    write_set(MNIST_FILES[0], MNIST_FILES[1], 50, 0);
    write_set(MNIST_FILES[2], MNIST_FILES[3], 20, 1);  // the test files gzipped
}

static void teardown(void) {
    char path[128];
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, MNIST_FILES[i]);
        unlink(path);
        snprintf(path, sizeof path, "%s/%s.gz", dir, MNIST_FILES[i]);
        unlink(path);
    }
    rmdir(dir);
}

START_TEST(shuffle_is_a_seeded_permutation) {
    enum { N = 1000 };
    int a[N], b[N], c[N], seen[N] = {0};
    shuffle_indices(a, N, 5), shuffle_indices(b, N, 5), shuffle_indices(c, N, 6);
    int fixed = 0, same_as_c = 0;
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(a[i], b[i]);
        ck_assert(a[i] >= 0 && a[i] < N);
        seen[a[i]]++;
        fixed += a[i] == i;
        same_as_c += a[i] == c[i];
    }
    for (int i = 0; i < N; i++) ck_assert_int_eq(seen[i], 1);
    ck_assert_int_lt(fixed, 10);  // a random permutation fixes about one point
    ck_assert_int_lt(same_as_c, 10);
}
END_TEST

START_TEST(split_sizes_and_contents) {
    Mnist m;
    Error err = {{0}};
    DataOptions opt = {.dir = dir, .seed = 1, .val_fraction = 0.2, .norm = NORM_PER_IMAGE};
    ck_assert_msg(mnist_load(&m, &opt, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(m.train.n, 40);
    ck_assert_int_eq(m.val.n, 10);
    ck_assert_int_eq(m.test.n, 20);
    ck_assert_int_eq(m.train.dim, 20);
    // train and val together hold each label exactly as often as the file did
    int counts[10] = {0};
    for (int i = 0; i < m.train.n; i++) counts[m.train.labels[i]]++;
    for (int i = 0; i < m.val.n; i++) counts[m.val.labels[i]]++;
    for (int d = 0; d < 10; d++) ck_assert_int_eq(counts[d], 5);
    // the test split keeps the file's order
    for (int i = 0; i < m.test.n; i++) ck_assert_int_eq(m.test.labels[i], i % 10);
    mnist_free(&m);
    opt.limit = 30;
    ck_assert_msg(mnist_load(&m, &opt, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(m.train.n + m.val.n, 30);
    ck_assert_int_eq(m.val.n, 6);
    ck_assert_int_eq(m.test.n, 20);
    mnist_free(&m);
}
END_TEST

START_TEST(per_image_zscore) {
    Mnist m;
    Error err = {{0}};
    DataOptions opt = {.dir = dir, .seed = 2, .val_fraction = 0.2, .norm = NORM_PER_IMAGE};
    ck_assert_msg(mnist_load(&m, &opt, &err) == 0, "%s", err.msg);
    double x[20], t[10];
    int blank = 0;
    for (int i = 0; i < m.train.n; i++) {
        split_batch(x, t, &m.train, &i, 1);
        double sum = 0, sumsq = 0, tsum = 0;
        for (int p = 0; p < 20; p++) sum += x[p], sumsq += x[p] * x[p];
        for (int k = 0; k < 10; k++) tsum += t[k];
        ck_assert_double_eq(tsum, 1.0);
        ck_assert_double_eq(t[m.train.labels[i]], 1.0);
        if (sumsq == 0) {  // the blank image becomes zeros, not NaN
            blank++;
            continue;
        }
        ck_assert_double_eq_tol(sum / 20, 0.0, 1e-12);
        ck_assert_double_eq_tol(sumsq / 20, 1.0, 1e-12);
    }
    ck_assert_int_le(blank, 1);
    mnist_free(&m);
}
END_TEST

START_TEST(per_split_zscore) {
    Mnist m;
    Error err = {{0}};
    DataOptions opt = {.dir = dir, .seed = 2, .val_fraction = 0.2, .norm = NORM_PER_SPLIT};
    ck_assert_msg(mnist_load(&m, &opt, &err) == 0, "%s", err.msg);
    const Split *s = &m.test;
    double *x = malloc(sizeof(double) * s->n * s->dim);
    split_range(x, NULL, s, 0, s->n);
    double sum = 0, sumsq = 0;
    for (int i = 0; i < s->n * s->dim; i++) sum += x[i], sumsq += x[i] * x[i];
    ck_assert_double_eq_tol(sum / (s->n * s->dim), 0.0, 1e-12);
    ck_assert_double_eq_tol(sumsq / (s->n * s->dim), 1.0, 1e-12);
    free(x);
    mnist_free(&m);
}
END_TEST

START_TEST(missing_folder_names_the_file) {
    Mnist m;
    Error err = {{0}};
    DataOptions opt = {.dir = "/nonexistent/mnist", .seed = 1, .val_fraction = 0.2};
    ck_assert_int_eq(mnist_load(&m, &opt, &err), -1);
    ck_assert_msg(strstr(err.msg, "/nonexistent/mnist/train-images-idx3-ubyte") != NULL, "%s",
                  err.msg);
}
END_TEST

Suite *dataset_suite(void) {
    Suite *s = suite_create("dataset");
    TCase *tc = lib_tcase("dataset");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, shuffle_is_a_seeded_permutation);
    tcase_add_test(tc, split_sizes_and_contents);
    tcase_add_test(tc, per_image_zscore);
    tcase_add_test(tc, per_split_zscore);
    tcase_add_test(tc, missing_folder_names_the_file);
    suite_add_tcase(s, tc);
    return s;
}
