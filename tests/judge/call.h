// call.h: how the judge calls a student's function, which runs elsewhere.
//
// Grading is split in two, because a student's code cannot be trusted with
// its own verdict:
//
//   judge (trusted)      the Check suites of tests/chN/ and tests/hidden/chN/,
//                        their assertions and expected values, the reference
//                        solutions (hidden tests only), the runner
//                        (graded_main.c), which alone writes results
//   subject (untrusted)  a submission's object, linked with subject/subject.c
//                        and nothing else of the grader's, run in a sandbox
//                        (sandbox.h), one fresh process per test
//
// A test calls the contract's functions by their own names. In the judge
// those names are proxies (judge/chN.c): each describes its arguments to this
// file, which sends them to the subject, waits for the answer, and makes the
// call look to the test as if it had been made here:
//
//   void zscore(double *z, const double *x, int n) {
//       Call c;
//       call_begin(&c, "zscore");
//       CALL_OUT(&c, z, n);   // an array the function writes (it arrives as it was)
//       CALL_IN(&c, x, n);    // an array it may only read
//       call_int(&c, n);
//       call_run(&c);
//   }
//
// What the subject does to the arrays comes back, checked on the way in:
// a write before the start or past the end of an array (guard bytes on both
// sides), a change to an input, an allocation (no contract function
// allocates) each fail the test with a message that says so. Arrays that
// overlap (zscore(x, x, n)) are one block there as here. A crash, a loop, an
// exit(), a message it should not send, or silence ends the subject: the test
// fails with what happened, in a student's words, and the runner reports it
// (todo, crash, timeout, exit, memory, cpu, output). The subject never sees
// what the test expects.
//
// A function that takes a function (numerical_gradient's loss, a network's
// layers) gets callbacks: functions of the judge's that the subject's code
// can call while the call lasts. Every array they touch crosses both ways.
#ifndef WB_CALL_H
#define WB_CALL_H

#include <stddef.h>

#include "wire.h"

// ---------------------------------------------------------------------------
// Callbacks the judge provides

typedef struct CallbackArgs CallbackArgs;

// A callback: what it returns (0 for none) from the arguments the student's
// code gave it; ctx is the one given to call_callbacks.
typedef double (*CallbackFn)(CallbackArgs *a, void *ctx);
typedef struct {
    const char *op;  // the name the subject's stub calls it by (subject/chN.c)
    CallbackFn fn;
} Callback;

// In a CallbackFn: its i-th argument. An array must be exactly `count`
// elements of `size` bytes and, for an output, writable (an array the call
// may write, or one of the student's own): otherwise the test fails, naming
// the callback. NULL only where `null_ok`.
void *cb_in(CallbackArgs *a, int i, size_t count, size_t size, int null_ok);
void *cb_out(CallbackArgs *a, int i, size_t count, size_t size, int null_ok);
long cb_int(CallbackArgs *a, int i, long lo, long hi);  // fails the test outside [lo, hi]
double cb_double(CallbackArgs *a, int i);
// Where an array argument points: the name of the call's argument whose
// memory it is in, and its offset in elements from that argument's start;
// NULL when it is in none (the student's own memory).
const char *cb_origin(CallbackArgs *a, int i, size_t size, long *offset);

// ---------------------------------------------------------------------------
// A call

typedef struct {
    const char *function;
    int nargs;
    struct CallArg {
        WireArg kind;
        const char *name;
        const void *p;
        size_t count, size;  // elements and their size, for an array
        int out;             // the function may write it
        long i;
        double d;
        unsigned which;
        const Callback *cbs;
        int ncbs;
        void *ctx;
    } arg[WIRE_MAX_ARGS];
} Call;

void call_begin(Call *c, const char *function);
void call_in(Call *c, const char *name, const void *p, size_t count, size_t size);
void call_out(Call *c, const char *name, void *p, size_t count, size_t size);
void call_int(Call *c, long v);
void call_double(Call *c, double v);
// A set of callbacks: `which` says to the subject's stub what to build from
// them (the chapter's numbering, subject/chN.c).
void call_callbacks(Call *c, unsigned which, const Callback *cbs, int n, void *ctx);

// Makes the call: returns when the subject has answered and every check has
// passed; otherwise the test fails and does not return.
void call_run(Call *c);
long call_run_int(Call *c);
double call_run_double(Call *c);

// A count of elements that may be negative in a wrong call: 0 then.
#define CALL_COUNT(n) ((size_t)((n) > 0 ? (n) : 0))
#define CALL_IN(c, x, n) call_in((c), #x, (x), CALL_COUNT(n), sizeof *(x))
#define CALL_OUT(c, x, n) call_out((c), #x, (x), CALL_COUNT(n), sizeof *(x))

// ---------------------------------------------------------------------------
// For the runner (graded_main.c), in a test's process

typedef struct {
    double seconds;            // wall time the test may wait for its subject, in all
    unsigned cpu_seconds;      // the subject's processor time: the limit a loop meets
    size_t output_bytes;       // what it may print
    size_t memory_mib;         // memory beyond what it maps at the start; 0: no limit
    unsigned processes;        // 0: no limit (it does not have a user of its own)
} CallLimits;

// Before the test: where to note how the subject ended (one line the runner
// reads), where the subject's output goes, and its limits.
void call_test_begin(int note_fd, int output_fd, const CallLimits *lim);
// At its end: the subject is stopped (the zygote kills what it left).
void call_test_end(void);

#endif
