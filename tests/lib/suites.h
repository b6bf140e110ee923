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

// A test case whose time limit only catches a hang: Check's default (4 s of
// wall time) is for a quiet machine, and these also run under the sanitizers
// and valgrind, on machines busy with other work.
static inline TCase *lib_tcase(const char *name) {
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 600);
    return tc;
}

#endif
