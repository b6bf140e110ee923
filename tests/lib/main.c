// main.c: runs every lib suite; Check prints its own summary line.
#include <stdlib.h>

#include "suites.h"

int main(void) {
    SRunner *sr = srunner_create(idx_suite());
    srunner_add_suite(sr, dataset_suite());
    srunner_add_suite(sr, rng_suite());
    srunner_add_suite(sr, linalg_suite());
    srunner_add_suite(sr, config_suite());
    srunner_add_suite(sr, metrics_suite());
    srunner_add_suite(sr, train_suite());
    srunner_add_suite(sr, study_suite());
    srunner_add_suite(sr, experiment_suite());
    srunner_add_suite(sr, runstore_suite());
    srunner_add_suite(sr, jobs_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
