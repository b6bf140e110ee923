// graded.h: how a chapter's graded Check suite is declared.
//
// A chapter's tests live in tests/chN/ and end with one table:
//
//   GRADED_TEST(softmax_rows_sum_to_one) { ...ck_assert... } END_GRADED_TEST
//   const GradedSuite graded_suite = {2, "softmax regression", (const GradedTest[]){
//       {"softmax_rows_sum_to_one", softmax_rows_sum_to_one, 2, "each row of softmax sums to 1"},
//   }, 1};
//
// tests/graded_main.c runs the table: each test in its own forked process
// (always: the environment cannot switch it off), under CPU, memory, file-size
// and process limits and a wall-clock timeout, its output captured.
//
// Why END_GRADED_TEST: in Check's fork mode a test whose code calls exit(0)
// counts as passed. A graded test passes only by reaching its last line, which
// exits with GRADED_PASS_STATUS; any other exit, including the student's
// exit(0) or _exit(0), is a failure.
#ifndef WB_GRADED_H
#define WB_GRADED_H

#include <check.h>
#include <stdbool.h>

enum { GRADED_PASS_STATUS = 73 };

typedef struct {
    const char *name;    // unique within the chapter; the runner's --only takes it
    const TTest *test;   // a GRADED_TEST
    int points;
    const char *what;    // one line a student understands: what is being checked
} GradedTest;

typedef struct {
    int chapter;
    const char *title;
    const GradedTest *tests;
    int count;
} GradedSuite;

// Each graded suite file defines exactly one of these.
extern const GradedSuite graded_suite;

_Noreturn void graded_reached_end(void);

#define GRADED_TEST(name) START_TEST(name)
#define END_GRADED_TEST \
    graded_reached_end(); \
    END_TEST

// The seed a randomized test used, printed in its failure message so that a
// student can rerun exactly that case (`build/bin/check-chN --seed S`).
unsigned long graded_seed(void);

#endif
