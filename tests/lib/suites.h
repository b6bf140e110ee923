// suites.h: the Check suites of the shared library, one per lib/ module.
#ifndef WB_TEST_SUITES_H
#define WB_TEST_SUITES_H

#include <check.h>

Suite *idx_suite(void);
Suite *dataset_suite(void);
Suite *rng_suite(void);
Suite *linalg_suite(void);
Suite *config_suite(void);
Suite *metrics_suite(void);
Suite *train_suite(void);
Suite *study_suite(void);
Suite *experiment_suite(void);
Suite *runstore_suite(void);
Suite *jobs_suite(void);

// A test case whose time limit only catches a hang: Check's default (4 s of
// wall time) is for a quiet machine, and these also run under the sanitizers
// and valgrind, on machines busy with other work.
static inline TCase *lib_tcase(const char *name) {
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 600);
    return tc;
}

// A small text file's bytes (up to 4 KB), in a buffer of its own until the
// next call; NULL if it cannot be read.
#include <stdio.h>
static inline char *lib_slurp(const char *path) {
    static char buf[4096];
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

#endif
