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
// (always: the environment cannot switch it off). A suite is a judge: it
// calls the contract's functions by their names, and those are proxies
// (tests/judge/chN.c) that make each call in the subject, the student's code
// in a sandboxed process of its own (tests/judge/call.h). The test's own code,
// its checks and its verdict never share a process with the student's.
//
// Why END_GRADED_TEST: a graded test passes only by reaching its last line,
// which notes it and exits with GRADED_PASS_STATUS. So a test must not
// `return` early: the runner reports that as an error in the test.
//
// A failure message is all a student sees of a failing check: write it as
// "what: expected X, got Y (seed S)", naming the index or row where it helps.
//
// Check records every ck_assert that passes (its file and line) in a file
// that grows with every check, so a check inside a loop over a big array is
// slow and the record useless: _mark_point is a no-op below. Finding the first
// bad element in a plain loop and asserting once gives the clearer message,
// as tests/hidden/hidden.c does.
#ifndef WB_GRADED_H
#define WB_GRADED_H

#include <check.h>
#include <stdbool.h>

#undef mark_point
#define _mark_point(file, line) ((void)0)
#define mark_point() ((void)0)

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

// GRADED_TEST opens the test function's body and END_GRADED_TEST closes it, so
// `GRADED_TEST(x) { ... } END_GRADED_TEST` puts graded_reached_end() inside the
// function, after the test's own block. Unlike Check's START_TEST, `name` is a
// one-element array rather than a pointer variable, so the table can use it in
// a constant initializer.
#define GRADED_TEST(name)                                                         \
    static void name##_fn(int _i CK_ATTRIBUTE_UNUSED);                            \
    static const TTest name[1] = {{"" #name, name##_fn, __FILE__, __LINE__}};     \
    static void name##_fn(int _i CK_ATTRIBUTE_UNUSED) {
#define END_GRADED_TEST \
    graded_reached_end(); \
    }

// The seed of this run (--seed S, default 1), for randomized tests to seed
// their Rng with and print in their failure messages, so that a student can
// rerun exactly that case: `make check-chN ONLY=NAME GRADE_SEED=S`.
unsigned long graded_seed(void);

#endif
