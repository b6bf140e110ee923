// test_study.c: the table of the study's reported numbers agrees with itself
// and with the workbook's configs: each experiment's config loads, its name
// finds it and nothing else does, its stopping epoch fits its config, and its
// accuracy is a percentage or NAN. (The numbers themselves are the study's;
// lib/study.c says where each comes from.) The config paths are relative to
// the workbook's folder, where test-lib runs.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "study.h"
#include "suites.h"

// Loads experiment i's config into *c, or fails the test with the reader's message.
static void load(Config *c, int i) {
    const StudyExperiment *x = &STUDY_EXPERIMENTS[i];
    Error err = {{0}};
    config_defaults(c);
    ck_assert_msg(config_load(c, x->config, &err) == 0,
                  "experiment %s: its config does not load (test-lib runs from the "
                  "workbook's folder): %s",
                  x->name, err.msg);
}

START_TEST(test_table_not_empty) {
    ck_assert_int_gt(STUDY_N_EXPERIMENTS, 0);
}
END_TEST

START_TEST(test_fields_present) {
    const StudyExperiment *x = &STUDY_EXPERIMENTS[_i];
    ck_assert_msg(x->name && x->name[0], "experiment %d has no name", _i);
    ck_assert_msg(x->config && x->config[0], "experiment %s has no config", x->name);
    ck_assert_msg(x->section && x->section[0], "experiment %s has no section", x->name);
    ck_assert_msg(x->what && x->what[0], "experiment %s has no description", x->name);
    ck_assert_msg(x->stop_epoch >= 0, "experiment %s: stop_epoch %d is negative", x->name,
                  x->stop_epoch);
}
END_TEST

START_TEST(test_config_loads) {
    Config c;
    load(&c, _i);
}
END_TEST

START_TEST(test_names_unique) {
    const char *name = STUDY_EXPERIMENTS[_i].name;
    for (int j = 0; j < STUDY_N_EXPERIMENTS; j++)
        ck_assert_msg(j == _i || strcmp(STUDY_EXPERIMENTS[j].name, name) != 0,
                      "experiments %d and %d are both named %s", _i, j, name);
}
END_TEST

START_TEST(test_find_each) {
    const StudyExperiment *x = &STUDY_EXPERIMENTS[_i];
    const StudyExperiment *found = study_find(x->name);
    ck_assert_msg(found == x, "study_find(\"%s\") returned %s, not experiment %d", x->name,
                  found ? found->name : "NULL", _i);
    // a copy of the name, not the table's own pointer, finds it too
    char copy[128];
    snprintf(copy, sizeof copy, "%s", x->name);
    ck_assert_ptr_eq(study_find(copy), x);
}
END_TEST

START_TEST(test_find_unknown) {
    const char *unknown[] = {"", "no-such-experiment", "Softmax", "softmax ", "momentum-early",
                             "momentum-early-stop-2", "l1", "ReLU"};
    for (size_t k = 0; k < sizeof unknown / sizeof unknown[0]; k++) {
        const StudyExperiment *found = study_find(unknown[k]);
        ck_assert_msg(found == NULL, "study_find(\"%s\") should be NULL, got experiment %s",
                      unknown[k], found ? found->name : "?");
    }
    // a prefix or an extension of every real name is no name either
    for (int i = 0; i < STUDY_N_EXPERIMENTS; i++) {
        char name[160];
        const char *real = STUDY_EXPERIMENTS[i].name;
        snprintf(name, sizeof name, "%s-x", real);
        ck_assert_msg(study_find(name) == NULL, "study_find(\"%s\") should be NULL", name);
        size_t len = strlen(real);
        snprintf(name, sizeof name, "%.*s", (int)(len - 1), real);
        const StudyExperiment *found = study_find(name);
        ck_assert_msg(found == NULL || strcmp(found->name, name) == 0,
                      "study_find(\"%s\") found %s, whose name is longer", name,
                      found ? found->name : "?");
    }
}
END_TEST

START_TEST(test_stop_epoch_within_epochs) {
    const StudyExperiment *x = &STUDY_EXPERIMENTS[_i];
    Config c;
    load(&c, _i);
    if (x->stop_epoch == 0) return;  // the study gives none
    ck_assert_msg(x->stop_epoch <= c.epochs,
                  "experiment %s: the study stops at epoch %d, but %s trains only %d epochs",
                  x->name, x->stop_epoch, x->config, c.epochs);
}
END_TEST

START_TEST(test_no_early_stop_runs_all_epochs) {
    const StudyExperiment *x = &STUDY_EXPERIMENTS[_i];
    Config c;
    load(&c, _i);
    if (c.early_stop) return;
    ck_assert_msg(x->stop_epoch == c.epochs,
                  "experiment %s: %s has no early stopping, so it trains all %d epochs, "
                  "but the table's stop_epoch is %d",
                  x->name, x->config, c.epochs, x->stop_epoch);
}
END_TEST

START_TEST(test_accuracy_is_percent_or_nan) {
    const StudyExperiment *x = &STUDY_EXPERIMENTS[_i];
    ck_assert_msg(isnan(x->acc) || (x->acc > 0.0 && x->acc < 100.0),
                  "experiment %s: accuracy %g is neither NAN nor a percentage in (0, 100)",
                  x->name, x->acc);
}
END_TEST

// Table 1 as transcribed holds together: each row's two gradients agree to
// within epsilon squared, as the study's check found, and their printed
// difference is within that too; the kinds come in the study's order; the
// output bias's gradient is y - 1 for a y in (0, 1); and its difference is
// the one the central difference's error term predicts from that y,
// eps^2/6 y (1 - y) (1 - 2y), to the four digits the study printed.
START_TEST(test_table1_consistent) {
    const char *const kinds[STUDY_TABLE1_ROWS] = {"ij", "ij", "bj", "jk", "jk", "bk"};
    double eps2 = STUDY_EPSILON * STUDY_EPSILON;
    for (int i = 0; i < STUDY_TABLE1_ROWS; i++) {
        const StudyGradient *g = &STUDY_TABLE1[i];
        ck_assert_msg(strcmp(g->weight, kinds[i]) == 0 && g->between && *g->between,
                      "Table 1 row %d: weight %s, expected %s", i + 1, g->weight, kinds[i]);
        ck_assert_msg(fabs(g->backprop - g->numerical) <= eps2 && g->diff > 0 && g->diff <= eps2,
                      "Table 1 row %d: %g and %g (difference %g) do not agree within %g", i + 1,
                      g->backprop, g->numerical, g->diff, eps2);
    }
    const StudyGradient *b = &STUDY_TABLE1[STUDY_TABLE1_OUTPUT_BIAS];
    double y = 1 + b->backprop, predicted = eps2 / 6 * y * (1 - y) * (1 - 2 * y);
    ck_assert_msg(y > 0 && y < 1, "Table 1: the output bias's gradient %g is not y - 1", b->backprop);
    ck_assert_msg(fabs(predicted - b->diff) < 1e-4 * b->diff,
                  "Table 1: the output bias's difference %g, the error term predicts %g", b->diff,
                  predicted);
}
END_TEST

Suite *study_suite(void) {
    Suite *s = suite_create("study");
    TCase *table = lib_tcase("table");
    int n = STUDY_N_EXPERIMENTS;
    tcase_add_test(table, test_table_not_empty);
    tcase_add_loop_test(table, test_fields_present, 0, n);
    tcase_add_loop_test(table, test_names_unique, 0, n);
    tcase_add_loop_test(table, test_find_each, 0, n);
    tcase_add_test(table, test_find_unknown);
    tcase_add_loop_test(table, test_accuracy_is_percent_or_nan, 0, n);
    tcase_add_test(table, test_table1_consistent);
    suite_add_tcase(s, table);
    TCase *configs = lib_tcase("configs");
    tcase_add_loop_test(configs, test_config_loads, 0, n);
    tcase_add_loop_test(configs, test_stop_epoch_within_epochs, 0, n);
    tcase_add_loop_test(configs, test_no_early_stop_runs_all_epochs, 0, n);
    suite_add_tcase(s, configs);
    return s;
}
