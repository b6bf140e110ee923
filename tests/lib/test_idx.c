// test_idx.c: the IDX reader on files the tests write themselves, good and bad.
//
// Every bad file must give -1, an empty output, and one message that starts
// with the file's path and says what is wrong. The files live in a fresh
// mkdtemp directory, made before and removed after the test case.
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "idx.h"
#include "suites.h"

enum { PATH_LEN = 4096 };

static char tmpdir[PATH_LEN];

// ---------------------------------------------------------------------------
// Helpers: writing small IDX files

// The file `name` inside the test directory.
//   out: out [PATH_LEN]
static void path_in(char *out, const char *name) {
    int n = snprintf(out, PATH_LEN, "%s/%s", tmpdir, name);
    ck_assert_msg(n > 0 && n < PATH_LEN, "path of %s too long", name);
}

static void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

// A header: the magic, then `ndims` sizes. Returns its length in bytes.
//   head: out [16];  dims: in [ndims]
static size_t make_header(uint8_t *head, uint32_t magic, const uint32_t *dims, int ndims) {
    put_be32(head, magic);
    for (int i = 0; i < ndims; i++) put_be32(head + 4 + 4 * i, dims[i]);
    return 4 + 4 * (size_t)ndims;
}

// Writes head then body to `path`, through gzip when `gz` is set (zlib's own
// writer, so the reader is tested against real .gz files).
static void write_idx(const char *path, int gz, const uint8_t *head, size_t head_len,
                      const uint8_t *body, size_t body_len) {
    if (gz) {
        gzFile f = gzopen(path, "wb");
        ck_assert_msg(f != NULL, "cannot create %s", path);
        if (head_len) ck_assert_int_eq(gzwrite(f, head, (unsigned)head_len), (int)head_len);
        if (body_len) ck_assert_int_eq(gzwrite(f, body, (unsigned)body_len), (int)body_len);
        ck_assert_msg(gzclose(f) == Z_OK, "cannot finish %s", path);
    } else {
        FILE *f = fopen(path, "wb");
        ck_assert_msg(f != NULL, "cannot create %s: %s", path, strerror(errno));
        if (head_len) ck_assert_uint_eq(fwrite(head, 1, head_len, f), head_len);
        if (body_len) ck_assert_uint_eq(fwrite(body, 1, body_len, f), body_len);
        ck_assert_msg(fclose(f) == 0, "cannot finish %s", path);
    }
}

// An images file of count images, rows x cols, plus `extra` bytes after the
// pixels (negative: that many fewer). Pixels follow a fixed pattern that
// gzip cannot squeeze to nothing.
//   pixels: out [count*rows*cols] when not NULL, what was written
static void write_images(const char *path, int gz, uint32_t magic, uint32_t count, uint32_t rows,
                         uint32_t cols, long extra, uint8_t *pixels) {
    uint8_t head[16];
    uint32_t dims[3] = {count, rows, cols};
    size_t head_len = make_header(head, magic, dims, 3);
    size_t n = (size_t)count * rows * cols;
    size_t len = (size_t)((long)n + extra);
    uint8_t *body = malloc(len ? len : 1);
    ck_assert_ptr_nonnull(body);
    uint32_t x = 12345;
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245u + 12345u;
        body[i] = (uint8_t)(x >> 24);
    }
    if (pixels) memcpy(pixels, body, n < len ? n : len);
    write_idx(path, gz, head, head_len, body, len);
    free(body);
}

static void write_labels(const char *path, int gz, uint32_t count, const uint8_t *labels,
                         size_t len) {
    uint8_t head[16];
    uint32_t dims[1] = {count};
    size_t head_len = make_header(head, IDX_MAGIC_LABELS, dims, 1);
    write_idx(path, gz, head, head_len, labels, len);
}

// Reads a whole file into a malloc'd buffer (to damage a .gz by hand).
//   n: out, the length
static uint8_t *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot read back %s", path);
    uint8_t *buf = malloc(1 << 20);
    ck_assert_ptr_nonnull(buf);
    *n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

// Removes a directory and everything in it (one level of subdirectories is all
// the tests make, but this does not depend on it).
static void remove_tree(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char p[PATH_LEN];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static void setup(void) {
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/test-idx-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
        fprintf(stderr, "test_idx: mkdtemp %s: %s\n", tmpdir, strerror(errno));
        exit(EXIT_FAILURE);
    }
}

static void teardown(void) { remove_tree(tmpdir); }

// The message starts with the path and contains the reason.
#define ck_assert_error(err, path, reason)                                                   \
    do {                                                                                     \
        ck_assert_msg(strncmp((err).msg, (path), strlen(path)) == 0,                         \
                      "message should start with the path %s: \"%s\"", (path), (err).msg);  \
        ck_assert_msg(strstr((err).msg, (reason)) != NULL,                                   \
                      "message should contain \"%s\": \"%s\"", (reason), (err).msg);         \
        ck_assert_msg(strchr((err).msg, '\n') == NULL, "message should be one line: \"%s\"", \
                      (err).msg);                                                            \
    } while (0)

// Reading images must fail, leave the output empty, and explain with `reason`.
#define ck_assert_images_fail(path, reason)                                                 \
    do {                                                                                    \
        IdxImages im_ = {7, 7, 7, NULL};                                                    \
        Error err_ = {{0}};                                                                 \
        ck_assert_msg(idx_read_images(&im_, (path), &err_) == -1, "%s should be refused", \
                      (path));                                                              \
        ck_assert_msg(im_.count == 0 && im_.rows == 0 && im_.cols == 0 && !im_.pixels,      \
                      "output should be left empty after a failure");                       \
        ck_assert_error(err_, (path), (reason));                                            \
    } while (0)

#define ck_assert_labels_fail(path, reason)                                                 \
    do {                                                                                    \
        IdxLabels lb_ = {7, NULL};                                                          \
        Error err_ = {{0}};                                                                 \
        ck_assert_msg(idx_read_labels(&lb_, (path), &err_) == -1, "%s should be refused", \
                      (path));                                                              \
        ck_assert_msg(lb_.count == 0 && !lb_.labels,                                        \
                      "output should be left empty after a failure");                       \
        ck_assert_error(err_, (path), (reason));                                            \
    } while (0)

// ---------------------------------------------------------------------------
// Good files read back exactly

START_TEST(test_images_raw_roundtrip) {
    char p[PATH_LEN];
    path_in(p, "good-images");
    uint8_t want[3 * 4 * 5];
    write_images(p, 0, IDX_MAGIC_IMAGES, 3, 4, 5, 0, want);
    IdxImages im;
    Error err = {{0}};
    ck_assert_msg(idx_read_images(&im, p, &err) == 0, "reading %s failed: %s", p, err.msg);
    ck_assert_int_eq(im.count, 3);
    ck_assert_int_eq(im.rows, 4);
    ck_assert_int_eq(im.cols, 5);
    ck_assert_msg(memcmp(im.pixels, want, sizeof want) == 0, "pixels differ from what was written");
    idx_free_images(&im);
    ck_assert_msg(im.pixels == NULL && im.count == 0, "idx_free_images should empty the struct");
}
END_TEST

START_TEST(test_images_gz_roundtrip) {
    char p[PATH_LEN], pgz[PATH_LEN];
    path_in(p, "gz-images");
    path_in(pgz, "gz-images.gz");
    uint8_t want[5 * 28 * 28];
    write_images(pgz, 1, IDX_MAGIC_IMAGES, 5, 28, 28, 0, want);
    // Asked for the plain name, the reader falls back to the .gz; asked for
    // the .gz by name, it reads it directly.
    const char *asks[2] = {p, pgz};
    for (int k = 0; k < 2; k++) {
        IdxImages im;
        Error err = {{0}};
        ck_assert_msg(idx_read_images(&im, asks[k], &err) == 0, "reading %s failed: %s", asks[k],
                      err.msg);
        ck_assert_int_eq(im.count, 5);
        ck_assert_int_eq(im.rows, 28);
        ck_assert_int_eq(im.cols, 28);
        ck_assert_msg(memcmp(im.pixels, want, sizeof want) == 0, "pixels of %s differ", asks[k]);
        idx_free_images(&im);
    }
}
END_TEST

START_TEST(test_raw_preferred_over_gz) {
    // Both present: the plain file is the one read (a bad .gz beside it is ignored).
    char p[PATH_LEN], pgz[PATH_LEN];
    path_in(p, "both-images");
    path_in(pgz, "both-images.gz");
    write_images(p, 0, IDX_MAGIC_IMAGES, 2, 3, 3, 0, NULL);
    write_idx(pgz, 0, (const uint8_t *)"junk", 4, NULL, 0);
    IdxImages im;
    Error err = {{0}};
    ck_assert_msg(idx_read_images(&im, p, &err) == 0, "reading %s failed: %s", p, err.msg);
    ck_assert_int_eq(im.count, 2);
    idx_free_images(&im);
}
END_TEST

START_TEST(test_labels_roundtrip) {
    uint8_t want[10] = {5, 0, 4, 1, 9, 2, 1, 3, 1, 4};
    for (int gz = 0; gz < 2; gz++) {
        char p[PATH_LEN];
        path_in(p, gz ? "labels.gz" : "labels");
        write_labels(p, gz, 10, want, sizeof want);
        IdxLabels lb;
        Error err = {{0}};
        ck_assert_msg(idx_read_labels(&lb, p, &err) == 0, "reading %s failed: %s", p, err.msg);
        ck_assert_int_eq(lb.count, 10);
        ck_assert_msg(memcmp(lb.labels, want, sizeof want) == 0, "labels of %s differ", p);
        idx_free_labels(&lb);
        ck_assert_msg(lb.labels == NULL && lb.count == 0, "idx_free_labels should empty the struct");
    }
}
END_TEST

START_TEST(test_check_pair) {
    char pi[PATH_LEN], pl[PATH_LEN];
    path_in(pi, "pair-images");
    path_in(pl, "pair-labels");
    write_images(pi, 0, IDX_MAGIC_IMAGES, 4, 2, 2, 0, NULL);
    uint8_t labels[4] = {1, 2, 3, 4};
    write_labels(pl, 0, 3, labels, 3);
    IdxImages im;
    IdxLabels lb;
    Error err = {{0}};
    ck_assert_msg(idx_read_images(&im, pi, &err) == 0, "%s", err.msg);
    ck_assert_msg(idx_read_labels(&lb, pl, &err) == 0, "%s", err.msg);
    ck_assert_msg(idx_check_pair(&im, pi, &lb, pl, &err) == -1, "4 images with 3 labels passed");
    ck_assert_error(err, pi, pl);
    ck_assert_error(err, pi, "4 images");
    ck_assert_error(err, pi, "3 labels");
    idx_free_labels(&lb);
    write_labels(pl, 0, 4, labels, 4);
    ck_assert_msg(idx_read_labels(&lb, pl, &err) == 0, "%s", err.msg);
    ck_assert_msg(idx_check_pair(&im, pi, &lb, pl, &err) == 0, "equal counts refused: %s", err.msg);
    idx_free_images(&im);
    idx_free_labels(&lb);
}
END_TEST

// ---------------------------------------------------------------------------
// Bad files: one clear message each

START_TEST(test_missing_file) {
    char p[PATH_LEN];
    path_in(p, "no-such-images");
    ck_assert_images_fail(p, "no such file");
    ck_assert_labels_fail(p, "no such file");
    path_in(p, "no-such-dir/train-images-idx3-ubyte");
    ck_assert_images_fail(p, "directory");
}
END_TEST

START_TEST(test_empty_file) {
    char p[PATH_LEN];
    path_in(p, "empty");
    write_idx(p, 0, NULL, 0, NULL, 0);
    ck_assert_images_fail(p, "empty file");
    ck_assert_labels_fail(p, "empty file");
    // An empty .gz stream is empty too.
    path_in(p, "empty.gz");
    write_idx(p, 1, NULL, 0, NULL, 0);
    ck_assert_images_fail(p, "empty file");
}
END_TEST

START_TEST(test_truncated_header) {
    char p[PATH_LEN];
    path_in(p, "short-header");
    uint8_t head[16];
    uint32_t dims[3] = {1, 28, 28};
    make_header(head, IDX_MAGIC_IMAGES, dims, 3);
    write_idx(p, 0, head, 7, NULL, 0);
    ck_assert_images_fail(p, "truncated header: expected 16 header bytes, found 7");
    make_header(head, IDX_MAGIC_LABELS, dims, 1);
    write_idx(p, 0, head, 6, NULL, 0);
    ck_assert_labels_fail(p, "truncated header: expected 8 header bytes, found 6");
    write_idx(p, 0, head, 3, NULL, 0);
    ck_assert_labels_fail(p, "truncated header");
}
END_TEST

START_TEST(test_truncated_pixels) {
    char p[PATH_LEN];
    path_in(p, "short-pixels");
    write_images(p, 0, IDX_MAGIC_IMAGES, 3, 4, 5, -50, NULL);
    ck_assert_images_fail(p, "expected 60 pixel bytes after the header");
    ck_assert_images_fail(p, "found 10");
    ck_assert_images_fail(p, "truncated");
    // The same, compressed: the gzip stream is whole, the data inside is short.
    path_in(p, "short-pixels.gz");
    write_images(p, 1, IDX_MAGIC_IMAGES, 3, 4, 5, -50, NULL);
    ck_assert_images_fail(p, "expected 60 pixel bytes after the header (3 images of 4x5), found 10");
}
END_TEST

START_TEST(test_truncated_labels) {
    char p[PATH_LEN];
    path_in(p, "short-labels");
    uint8_t labels[3] = {1, 2, 3};
    write_labels(p, 0, 10, labels, 3);
    ck_assert_labels_fail(p, "expected 10 label bytes after the header (10 labels), found 3");
}
END_TEST

START_TEST(test_trailing_bytes) {
    char p[PATH_LEN];
    path_in(p, "long-pixels");
    write_images(p, 0, IDX_MAGIC_IMAGES, 3, 4, 5, 5, NULL);
    ck_assert_images_fail(p, "5 bytes after the last image");
    path_in(p, "long-pixels.gz");
    write_images(p, 1, IDX_MAGIC_IMAGES, 3, 4, 5, 70000, NULL);
    ck_assert_images_fail(p, "70000 bytes after the last image");
    path_in(p, "long-labels");
    uint8_t labels[4] = {1, 2, 3, 4};
    write_labels(p, 0, 3, labels, 4);
    ck_assert_labels_fail(p, "1 byte after the last label");
}
END_TEST

START_TEST(test_wrong_magic) {
    char p[PATH_LEN];
    path_in(p, "bad-magic");
    write_images(p, 0, 0x00000804, 1, 2, 2, 0, NULL);
    ck_assert_images_fail(p, "bad magic number 0x00000804, expected 0x00000803");
    write_images(p, 0, 0x03080000, 1, 2, 2, 0, NULL);
    ck_assert_images_fail(p, "byte-swapped");
    // A text file, e.g. an error page saved in place of the download.
    write_idx(p, 0, (const uint8_t *)"<!DOCTYPE html>\n", 16, NULL, 0);
    ck_assert_images_fail(p, "magic");
    ck_assert_labels_fail(p, "\"<!DO\"");
}
END_TEST

START_TEST(test_labels_given_as_images) {
    char p[PATH_LEN];
    path_in(p, "labels-not-images");
    uint8_t labels[4] = {1, 2, 3, 4};
    write_labels(p, 0, 4, labels, 4);
    ck_assert_images_fail(p, "this is a labels file, not images");
    ck_assert_images_fail(p, "0x00000801");
    ck_assert_images_fail(p, "0x00000803");
    path_in(p, "images-not-labels");
    write_images(p, 0, IDX_MAGIC_IMAGES, 1, 2, 2, 0, NULL);
    ck_assert_labels_fail(p, "this is an images file, not labels");
}
END_TEST

START_TEST(test_bad_dimensions) {
    char p[PATH_LEN];
    path_in(p, "zero-rows");
    write_images(p, 0, IDX_MAGIC_IMAGES, 2, 0, 28, 0, NULL);
    ck_assert_images_fail(p, "rows is 0");
    path_in(p, "wide");
    write_images(p, 0, IDX_MAGIC_IMAGES, 1, 1, 10001, 0, NULL);
    ck_assert_images_fail(p, "cols is 10001");
    path_in(p, "zero-count");
    write_images(p, 0, IDX_MAGIC_IMAGES, 0, 28, 28, 0, NULL);
    ck_assert_images_fail(p, "count is 0");
    write_labels(p, 0, 0, NULL, 0);
    ck_assert_labels_fail(p, "count is 0");
}
END_TEST

START_TEST(test_absurd_count) {
    // Headers promising more than any machine holds: refused from the header
    // alone (no overflow, no giant allocation), or by what the file lacks.
    char p[PATH_LEN];
    path_in(p, "huge");
    uint8_t head[16];
    uint32_t dims[3] = {0xffffffffu, 10000, 10000};
    write_idx(p, 0, head, make_header(head, IDX_MAGIC_IMAGES, dims, 3), NULL, 0);
    ck_assert_images_fail(p, "count 4294967295");
    dims[0] = 0x7fffffffu;
    write_idx(p, 0, head, make_header(head, IDX_MAGIC_IMAGES, dims, 3), NULL, 0);
    ck_assert_images_fail(p, "more than this reader accepts");
    dims[0] = 0x7fffffffu;
    write_idx(p, 0, head, make_header(head, IDX_MAGIC_LABELS, dims, 1), (const uint8_t *)"\1", 1);
    ck_assert_labels_fail(p, "expected 2147483647 label bytes after the header");
}
END_TEST

START_TEST(test_label_above_nine) {
    char p[PATH_LEN];
    path_in(p, "label-12");
    uint8_t labels[5] = {0, 9, 12, 3, 200};
    write_labels(p, 0, 5, labels, 5);
    ck_assert_labels_fail(p, "label 12 at index 2 is above 9");
    path_in(p, "label-200.gz");
    labels[2] = 1;
    write_labels(p, 1, 5, labels, 5);
    ck_assert_labels_fail(p, "label 200 at index 4 is above 9");
}
END_TEST

START_TEST(test_corrupt_gzip) {
    // A valid gzip header, then bytes that are not deflate data.
    char p[PATH_LEN];
    path_in(p, "garbage.gz");
    uint8_t bad[64] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    memset(bad + 10, 0xff, sizeof bad - 10);
    write_idx(p, 0, bad, sizeof bad, NULL, 0);
    ck_assert_images_fail(p, "corrupt gzip data");
    ck_assert_labels_fail(p, "corrupt gzip data");
}
END_TEST

START_TEST(test_gzip_cut_in_half) {
    char p[PATH_LEN];
    path_in(p, "half.gz");
    write_images(p, 1, IDX_MAGIC_IMAGES, 20, 28, 28, 0, NULL);
    size_t n;
    uint8_t *whole = slurp(p, &n);
    ck_assert_msg(n > 1000, "the .gz should be big enough to cut (%zu bytes)", n);
    write_idx(p, 0, whole, n / 2, NULL, 0);
    ck_assert_images_fail(p, "corrupt gzip data: the compressed file is cut short");
    // Cut inside the 8-byte trailer: all the data is there but the check is not.
    write_idx(p, 0, whole, n - 3, NULL, 0);
    ck_assert_images_fail(p, "gzip");
    // A damaged CRC in the trailer.
    whole[n - 8] ^= 0x55;
    write_idx(p, 0, whole, n, NULL, 0);
    ck_assert_images_fail(p, "corrupt gzip data");
    free(whole);
}
END_TEST

START_TEST(test_directory) {
    char p[PATH_LEN];
    path_in(p, "a-directory");
    ck_assert_msg(mkdir(p, 0755) == 0, "mkdir %s: %s", p, strerror(errno));
    ck_assert_images_fail(p, "is a directory");
    ck_assert_labels_fail(p, "is a directory");
}
END_TEST

START_TEST(test_unreadable) {
    // root reads a chmod 000 file anyway (CI runs the tests as root), so the
    // case can only be checked as another user; as root it is skipped.
    if (geteuid() == 0) return;
    char p[PATH_LEN];
    path_in(p, "unreadable");
    write_images(p, 0, IDX_MAGIC_IMAGES, 1, 2, 2, 0, NULL);
    ck_assert_int_eq(chmod(p, 0), 0);
    ck_assert_images_fail(p, "cannot open");
    ck_assert_images_fail(p, strerror(EACCES));
}
END_TEST

Suite *idx_suite(void) {
    Suite *s = suite_create("idx");
    TCase *tc = lib_tcase("idx");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_images_raw_roundtrip);
    tcase_add_test(tc, test_images_gz_roundtrip);
    tcase_add_test(tc, test_raw_preferred_over_gz);
    tcase_add_test(tc, test_labels_roundtrip);
    tcase_add_test(tc, test_check_pair);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_empty_file);
    tcase_add_test(tc, test_truncated_header);
    tcase_add_test(tc, test_truncated_pixels);
    tcase_add_test(tc, test_truncated_labels);
    tcase_add_test(tc, test_trailing_bytes);
    tcase_add_test(tc, test_wrong_magic);
    tcase_add_test(tc, test_labels_given_as_images);
    tcase_add_test(tc, test_bad_dimensions);
    tcase_add_test(tc, test_absurd_count);
    tcase_add_test(tc, test_label_above_nine);
    tcase_add_test(tc, test_corrupt_gzip);
    tcase_add_test(tc, test_gzip_cut_in_half);
    tcase_add_test(tc, test_directory);
    tcase_add_test(tc, test_unreadable);
    suite_add_tcase(s, tc);
    return s;
}
