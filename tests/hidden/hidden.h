// hidden.h: the instructor's hidden tests, which compare a submission with the
// reference solutions on seeded random shapes and inputs.
//
// tests/hidden/chN/*.c is a graded suite like tests/chN/ (see graded.h), with
// one difference: it calls both the submission's functions, by their contract
// names, and the reference's, as ref_NAME. tools/grade.sh links it with the
// submission's object and with solutions/chN.c's object whose defined global
// symbols were renamed NAME -> ref_NAME by objcopy (the Makefile's rule for
// $(OBJ)/reference/chN.o), so the two never clash and the reference is the
// very object `make check-chN SOLUTIONS=1` tested. A test declares the
// reference functions it calls with REFERENCE(name): same type, ref_ prefix.
//
// Hidden tests are shown to students only after the due date (Gradescope's
// "after_due_date"), and even then they must not give their inputs away: a
// failure says what kind of case it was ("a batch of one", "huge values"),
// the seed, the first index that differs, both values there, and a hint.
// Never print an input.
#ifndef WB_HIDDEN_H
#define WB_HIDDEN_H

#include <stddef.h>
#include <stdint.h>

#include "graded.h"
#include "rng.h"

#define REFERENCE(name) extern __typeof__(name) ref_##name

// The generator of one hidden test: graded_seed() mixed with the test's own
// salt, so that two tests do not see the same numbers.
void hidden_rng(Rng *r, unsigned salt);

// Sizes: mostly uniform in lo..hi, but lo itself (a batch of one, a single
// pixel) one time in five.
int hidden_size(Rng *r, int lo, int hi);

// The kinds of values a case draws from.
typedef enum {
    VALUES_NORMAL,  // uniform in [-1, 1)
    VALUES_PIXELS,  // whole numbers 0..255, as MNIST's
    VALUES_HUGE,    // around +-1e150
    VALUES_TINY,    // around +-1e-150
    VALUES_ZEROS,   // all 0
    VALUES_OFFSET,  // a large mean (up to 1e4) with a small spread (down to 1e-3)
} Values;
void hidden_fill(Rng *r, double *x, size_t n, Values kind);

// Arrays with guard cells after the end: hidden_alloc(n) has room for n
// doubles and GUARDS more, which hidden_check_guards() checks afterwards.
enum { GUARDS = 4 };
double *hidden_alloc(size_t n, double fill);
void hidden_check_guards(const char *function, const char *array, const double *x, size_t n,
                         const char *label);

// Fails, with the message described above, at the first index where got and
// want differ by more than rtol * |want| + atol (a NaN matches only a NaN,
// an infinity only itself). label names the kind of case, hint says what to
// look at. The seed goes into the message.
void hidden_compare(const char *what, const double *got, const double *want, size_t n,
                    double rtol, double atol, const char *label, const char *hint);
void hidden_compare_int(const char *what, long got, long want, const char *label,
                        const char *hint);

// Fails when a function changed an input it may only read.
void hidden_check_unchanged(const char *function, const char *array, const void *now,
                            const void *before, size_t bytes, const char *label);

// The largest |x[i]|, for tolerances relative to an array's scale.
double hidden_max_abs(const double *x, size_t n);

#endif
