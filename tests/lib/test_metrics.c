// test_metrics.c: outputs appear whole or not at all; values and rows are what was written.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics.h"
#include "output.h"
#include "suites.h"

static char dir[64];

static void setup(void) {
    snprintf(dir, sizeof dir, "/tmp/wb-metrics-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(file_appears_only_on_commit) {
    char path[128];
    snprintf(path, sizeof path, "%s/a.tsv", dir);
    OutFile o;
    Error err = {{0}};
    ck_assert_int_eq(out_open(&o, path, &err), 0);
    fputs("half", o.f);
    ck_assert_int_ne(access(path, F_OK), 0);
    out_abort(&o);
    ck_assert_int_ne(access(path, F_OK), 0);
    ck_assert_int_ne(access(o.part, F_OK), 0);
    ck_assert_int_eq(out_open(&o, path, &err), 0);
    fputs("whole\n", o.f);
    ck_assert_int_eq(out_commit(&o, &err), 0);
    ck_assert_str_eq(lib_slurp(path), "whole\n");
}
END_TEST

START_TEST(values_and_rows) {
    char path[128];
    Error err = {{0}};
    Values *v = calloc(1, sizeof *v);
    values_set(v, "b", "%d", 2);
    values_set(v, "a", "%.2f", 0.5);
    values_set(v, "b", "%d", 3);  // a key set twice keeps its place and its last value
    snprintf(path, sizeof path, "%s/values.tsv", dir);
    ck_assert_int_eq(values_write(v, path, &err), 0);
    ck_assert_str_eq(lib_slurp(path), "b\t3\na\t0.50\n");
    free(v);
    Metrics m;
    snprintf(path, sizeof path, "%s/m.tsv", dir);
    ck_assert_int_eq(metrics_open(&m, path, "epoch\tloss", &err), 0);
    metrics_row(&m, (double[]){1, 0.25});
    metrics_row(&m, (double[]){2, 0.125});
    ck_assert_int_eq(metrics_close(&m, &err), 0);
    ck_assert_str_eq(lib_slurp(path), "epoch\tloss\n1\t0.25\n2\t0.125\n");
}
END_TEST

START_TEST(make_dirs_nested_and_blocked) {
    char path[160];
    Error err = {{0}};
    snprintf(path, sizeof path, "%s/x/y/z", dir);
    ck_assert_int_eq(make_dirs(path, &err), 0);
    struct stat st;
    ck_assert(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
    ck_assert_int_eq(make_dirs(path, &err), 0);  // again: nothing to do
    snprintf(path, sizeof path, "%s/file", dir);
    FILE *f = fopen(path, "w");
    fclose(f);
    snprintf(path, sizeof path, "%s/file/sub", dir);
    ck_assert_int_eq(make_dirs(path, &err), -1);
    ck_assert_msg(strstr(err.msg, "not a directory") != NULL, "%s", err.msg);
}
END_TEST

Suite *metrics_suite(void) {
    Suite *s = suite_create("output");
    TCase *tc = lib_tcase("output");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, file_appears_only_on_commit);
    tcase_add_test(tc, values_and_rows);
    tcase_add_test(tc, make_dirs_nested_and_blocked);
    suite_add_tcase(s, tc);
    return s;
}
