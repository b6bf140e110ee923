// subject.h: the subject, the process that runs a student's functions for
// the judge (see judge/call.h for the whole design, wire.h for the frames).
//
// The subject binary is a submission's object linked with subject/subject.c
// (this program: it waits for calls and answers them), one chapter's table
// subject/chN.c, and lib/linalg.c (the products the contracts allow). It
// holds no test, no expected value and no reference: whatever it does, it can
// only send back numbers, which the judge checks.
//
// A chapter's table lists each contract function with a one-line function
// that makes the call from the arguments as they arrived:
//
//   static void serve_zscore(Args *a) { zscore(arg_ptr(a, 0), arg_ptr(a, 1), arg_int(a, 2)); }
//   const Served served[] = {{"zscore", serve_zscore}, ...};
//   const int served_count = sizeof served / sizeof served[0];
//
// Arguments come in the order the judge's proxy sent them (judge/chN.c).
#ifndef WB_SUBJECT_H
#define WB_SUBJECT_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

typedef struct Args Args;

// The i-th argument: a pointer into a region (or NULL), a whole number, a
// double, or the number of a set of callbacks (its meaning is the chapter's).
void *arg_ptr(Args *a, int i);
long arg_int(Args *a, int i);
double arg_double(Args *a, int i);
unsigned arg_callbacks(Args *a, int i);

// The value the function returned, when it returns one.
void ret_int(Args *a, long v);
void ret_double(Args *a, double v);

typedef struct {
    const char *name;
    void (*serve)(Args *a);
} Served;

extern const Served served[];  // the chapter's table (subject/chN.c)
extern const int served_count;

// ---------------------------------------------------------------------------
// Callbacks: a function the student's code calls that the judge provides (a
// loss for numerical_gradient, the layers of a network). A callback stub
// describes its arguments and waits for the judge's answer; an array that
// lies inside a region goes as a place in it, any other array as its bytes,
// and `out` arrays come back written.

typedef struct {
    WireArg kind;     // WARG_REGION for any array (inside a region or not), WARG_NULL,
                      // WARG_INT or WARG_DOUBLE
    const void *p;    // an array
    size_t bytes;
    int out;          // the judge's function writes it
    int64_t i;
    double d;
} CbArg;

// Calls op in the judge; returns what it returned (0 for a void function).
double subject_callback(const char *op, const CbArg *args, int n);

#define CB_ARRAY(ptr, count, is_out) \
    ((CbArg){WARG_REGION, (ptr), sizeof(*(ptr)) * (size_t)((count) > 0 ? (count) : 0), (is_out), 0, 0})
#define CB_INT(v) ((CbArg){WARG_INT, NULL, 0, 0, (v), 0})
#define CB_DOUBLE(v) ((CbArg){WARG_DOUBLE, NULL, 0, 0, 0, (v)})

#endif
