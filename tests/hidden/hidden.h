// hidden.h: the instructor's hidden tests, which compare a submission with the
// reference solutions on seeded random shapes and inputs.
//
// tests/hidden/chN/*.c is a graded suite like tests/chN/ (see graded.h), with
// one difference: it calls both the submission's functions, by their contract
// names (the judge's proxies, which run them in the subject, as every graded
// test does), and the reference's, as ref_NAME. The hidden judge is linked
// with solutions/chN.c's object whose defined global symbols were renamed
// NAME -> ref_NAME by objcopy (the Makefile's rule for $(OBJ)/reference/chN.o),
// so the two never clash and the reference is the very object `make check-chN
// SOLUTIONS=1` tested; it is never linked into a program that runs a
// submission. A test declares the reference functions it calls with
// REFERENCE(name): same type, ref_ prefix.
//
// Hidden tests are shown to students only after the due date (Gradescope's
// "after_due_date"), and even then they must not give their inputs away: a
// failure says what kind of case it was ("a batch of one", "huge values"),
// the seed, the first index that differs, how far off it is, and a hint.
// Never print an input, nor the reference's value (the mean of one value is
// that value).
//
// How a hidden test is written. A table of cases (HiddenCase: the kind of
// case, its values, its sizes, a hint) and one function that runs one trial
// of one case; HIDDEN_RUN runs every case HIDDEN_TRIALS times, each trial
// with its own arrays, freed after it:
//
//   static void logits_trial(Trial *t) {
//       double *x = hidden_input(t, "x", nx, t->k->values);   // random, read-only
//       double *want = hidden_output(t, NULL, na, NAN);       // the reference's
//       double *a = hidden_output(t, "a", na, hidden_garbage(t));
//       hidden_seal(t);                 // the inputs, as they are now, must stay so
//       ref_logits(want, x, ...);
//       logits(a, x, ...);
//       hidden_check_arrays(t, "logits");  // inputs unchanged, nothing past an end
//       hidden_compare(t, "logits", a, want, na, 1e-9, 1e-12 * scale);
//   }
//   GRADED_TEST(hidden_logits) { HIDDEN_RUN(LOGITS_CASES, 21, logits_trial); } END_GRADED_TEST
//
// The stubs score zero on every hidden test because each trial calls the
// submission's function (a stub stops the process as unfinished: "todo")
// before it can fail on anything else.
#ifndef WB_HIDDEN_H
#define WB_HIDDEN_H

#include <stddef.h>
#include <stdint.h>

#include "graded.h"
#include "rng.h"

#define REFERENCE(name) extern __typeof__(name) ref_##name

// The kinds of values a case draws from.
typedef enum {
    VALUES_NORMAL,  // uniform in [-1, 1)
    VALUES_PIXELS,  // whole numbers 0..255, as MNIST's
    VALUES_HUGE,    // around +-1e150
    VALUES_TINY,    // around +-1e-150
    VALUES_ZEROS,   // all 0
    VALUES_OFFSET,  // a large mean (up to 1e4) with a small spread (down to 1e-3)
} Values;

// One kind of case of a hidden test.
typedef struct {
    const char *label;  // the kind of case, all a student is told about it
    Values values;      // what its main input holds
    int lo, hi;         // its size (the batch, or the length): hidden_size(lo, hi)
    const char *hint;   // where to look when it fails
} HiddenCase;

enum { HIDDEN_TRIALS = 3, HIDDEN_ARRAYS = 16 };

// One trial of one case: what the trial function gets.
typedef struct {
    Rng *r;               // the test's generator (one per test, see hidden_run)
    const HiddenCase *k;  // the case
    int c;                // its index in the table
    int trial;            // 0 .. HIDDEN_TRIALS - 1
    int n;                // a size drawn for this trial: hidden_size(r, k->lo, k->hi)
    const char *hint;     // k->hint; a test may point it elsewhere for one check
    // private: the trial's arrays (hidden_input, hidden_output, ...)
    struct HiddenArray {
        const char *name;  // NULL: the reference's
        void *data, *copy; // copy: an input's bytes at hidden_seal()
        size_t count, size;
        int input;
    } arrays[HIDDEN_ARRAYS];
    int narrays;
} Trial;

// Runs trial(t) HIDDEN_TRIALS times for each case, in order (edge cases first,
// by convention), with one generator seeded from graded_seed() and salt: two
// tests with different salts do not see the same numbers.
void hidden_run(const HiddenCase *cases, size_t count, unsigned salt, void (*trial)(Trial *t));
#define HIDDEN_RUN(cases, salt, trial) \
    hidden_run((cases), sizeof(cases) / sizeof((cases)[0]), (salt), (trial))

// Sizes: mostly uniform in lo..hi, but lo itself (a batch of one, a single
// pixel) one time in five.
int hidden_size(Rng *r, int lo, int hi);
// Uniform in lo..hi.
int hidden_pick(Rng *r, int lo, int hi);
// What an output holds before the call, which it must overwrite, never add to:
// NaN in the first trial, 1e300 in the others.
double hidden_garbage(const Trial *t);
void hidden_fill(Rng *r, double *x, size_t n, Values kind);

// The arrays of a trial, each followed by guard bytes that must stay as they
// were, each freed after the trial. name is the contract's name for it, as a
// failure names it; NULL for the reference's outputs.
//   hidden_input: n doubles of the given kind, which the functions may only read
//   hidden_input_bytes: n bytes, zeros, for the test to fill (labels)
//   hidden_output: n doubles, each `fill`
//   hidden_output_int: n ints, each `fill`
//   hidden_copy: an output (or an in/out array) that starts as a copy of x
double *hidden_input(Trial *t, const char *name, size_t n, Values kind);
uint8_t *hidden_input_bytes(Trial *t, const char *name, size_t n);
double *hidden_output(Trial *t, const char *name, size_t n, double fill);
int *hidden_output_int(Trial *t, const char *name, size_t n, int fill);
double *hidden_copy(Trial *t, const char *name, const double *x, size_t n);

// Takes a copy of every input as it is now (a test may change an input after
// drawing it: a blank image, a one-hot row): from here on the functions may
// only read them. Call it before the first call under test, and again after
// making new inputs.
void hidden_seal(Trial *t);
// After a call of `function`: fails if it changed an input (since the last
// hidden_seal) or wrote past the end of any array.
void hidden_check_arrays(const Trial *t, const char *function);

// Tolerance: got[i] passes when |got[i] - want[i]| <= rtol * |want[i]| + atol.
// A NaN or an infinity in got always fails (every case is built so that the
// reference's values are finite; a non-finite one is a bug of the test, said
// so). Fails, with the message described above, at the first index that does
// not pass; what names the function and, where it has several, the output.
void hidden_compare(const Trial *t, const char *what, const double *got, const double *want,
                    size_t n, double rtol, double atol);
// The same for whole numbers (counts, indices): they must be equal.
void hidden_compare_int(const Trial *t, const char *what, const int *got, const int *want,
                        size_t n);

// Fails with a message of the test's own, then "(the case, hidden test,
// seed S). Hint: t->hint".
_Noreturn void hidden_fail(const Trial *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

// The largest |x[i]|, for tolerances relative to an array's scale.
double hidden_max_abs(const double *x, size_t n);

#endif
