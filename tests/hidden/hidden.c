// hidden.c: what every hidden test shares (see hidden.h).
//
// Each check asserts once, on failure only: Check records every passing
// ck_assert too, and a million of them would overflow the test's output limit.
#include "hidden/hidden.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { GUARD_BYTES = 32, GUARD_BYTE = 0xa5 };

void hidden_run(const HiddenCase *cases, size_t count, unsigned salt, void (*trial)(Trial *t)) {
    Rng r;
    rng_seed(&r, (uint64_t)graded_seed() * 0x9e3779b97f4a7c15ull + salt);
    for (size_t c = 0; c < count; c++) {
        for (int k = 0; k < HIDDEN_TRIALS; k++) {
            Trial t = {.r = &r, .k = &cases[c], .c = (int)c, .trial = k, .hint = cases[c].hint};
            t.n = hidden_size(&r, cases[c].lo, cases[c].hi);
            trial(&t);
            for (int i = 0; i < t.narrays; i++) free(t.arrays[i].data), free(t.arrays[i].copy);
        }
    }
}

int hidden_size(Rng *r, int lo, int hi) {
    if (rng_below(r, 5) == 0) return lo;
    return hidden_pick(r, lo, hi);
}

int hidden_pick(Rng *r, int lo, int hi) { return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1)); }

double hidden_garbage(const Trial *t) { return t->trial == 0 ? NAN : 1e300; }

void hidden_fill(Rng *r, double *x, size_t n, Values kind) {
    double centre = 1e4 * (2.0 * rng_uniform(r) - 1.0);
    double spread = pow(10.0, -3.0 + 5.0 * rng_uniform(r));  // 1e-3 .. 1e2
    for (size_t i = 0; i < n; i++) {
        double u = 2.0 * rng_uniform(r) - 1.0;
        switch (kind) {
        case VALUES_NORMAL: x[i] = u; break;
        case VALUES_PIXELS: x[i] = (double)rng_below(r, 256); break;
        case VALUES_HUGE: x[i] = 1e150 * u; break;
        case VALUES_TINY: x[i] = 1e-150 * u; break;
        case VALUES_ZEROS: x[i] = 0.0; break;
        case VALUES_OFFSET: x[i] = centre + spread * u; break;
        }
    }
}

// Every failure's message: what went wrong, then the case, the seed and a hint.
#define FAIL_WITH(t, hint, fmt)                                                              \
    do {                                                                                     \
        char what_[400];                                                                     \
        va_list ap_;                                                                         \
        va_start(ap_, fmt);                                                                  \
        vsnprintf(what_, sizeof what_, fmt, ap_);                                            \
        va_end(ap_);                                                                         \
        ck_abort_msg("%s (%s, hidden test, seed %lu). Hint: %s", what_, (t)->k->label,      \
                     graded_seed(), hint);                                                   \
    } while (0)

_Noreturn void hidden_fail(const Trial *t, const char *fmt, ...) { FAIL_WITH(t, t->hint, fmt); }

// The same with a hint of its own: the checks of hidden_check_arrays.
static _Noreturn void fail_array(const Trial *t, const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static _Noreturn void fail_array(const Trial *t, const char *hint, const char *fmt, ...) {
    FAIL_WITH(t, hint, fmt);
}

// ---------------------------------------------------------------------------
// Arrays

static void *add_array(Trial *t, const char *name, size_t count, size_t size, int input) {
    if (t->narrays == HIDDEN_ARRAYS)
        ck_abort_msg("hidden test bug: more than %d arrays in one trial", HIDDEN_ARRAYS);
    unsigned char *p = malloc(count * size + GUARD_BYTES);
    if (!p) ck_abort_msg("the hidden test could not allocate %zu bytes", count * size);
    memset(p + count * size, GUARD_BYTE, GUARD_BYTES);
    t->arrays[t->narrays++] = (struct HiddenArray){name, p, NULL, count, size, input};
    return p;
}

double *hidden_input(Trial *t, const char *name, size_t n, Values kind) {
    double *x = add_array(t, name, n, sizeof(double), 1);
    hidden_fill(t->r, x, n, kind);
    return x;
}

uint8_t *hidden_input_bytes(Trial *t, const char *name, size_t n) {
    uint8_t *x = add_array(t, name, n, 1, 1);
    memset(x, 0, n);
    return x;
}

double *hidden_output(Trial *t, const char *name, size_t n, double fill) {
    double *x = add_array(t, name, n, sizeof(double), 0);
    for (size_t i = 0; i < n; i++) x[i] = fill;
    return x;
}

int *hidden_output_int(Trial *t, const char *name, size_t n, int fill) {
    int *x = add_array(t, name, n, sizeof(int), 0);
    for (size_t i = 0; i < n; i++) x[i] = fill;
    return x;
}

double *hidden_copy(Trial *t, const char *name, const double *x, size_t n) {
    double *y = add_array(t, name, n, sizeof(double), 0);
    memcpy(y, x, sizeof(double) * n);
    return y;
}

void hidden_seal(Trial *t) {
    for (int i = 0; i < t->narrays; i++) {
        struct HiddenArray *a = &t->arrays[i];
        if (!a->input) continue;
        size_t bytes = a->count * a->size;
        free(a->copy);
        a->copy = malloc(bytes ? bytes : 1);
        if (!a->copy) ck_abort_msg("the hidden test could not allocate %zu bytes", bytes);
        memcpy(a->copy, a->data, bytes);
    }
}

void hidden_check_arrays(const Trial *t, const char *function) {
    for (int i = 0; i < t->narrays; i++) {
        const struct HiddenArray *a = &t->arrays[i];
        const unsigned char *p = a->data;
        const char *name = a->name ? a->name : "the reference's output";
        size_t bytes = a->count * a->size, g = 0;
        while (g < GUARD_BYTES && p[bytes + g] == GUARD_BYTE) g++;
        if (g < GUARD_BYTES)
            fail_array(t, "check the bounds of your loops against the sizes in the contract",
                       "%s wrote past the end of %s: at element %zu of an array of %zu", function,
                       name, a->count + g / a->size, a->count);
        if (!a->input) continue;
        if (!a->copy) ck_abort_msg("hidden test bug: input %s was never sealed", name);
        size_t b = 0;
        while (b < bytes && p[b] == ((const unsigned char *)a->copy)[b]) b++;
        if (b < bytes)
            fail_array(t, "an input is const in the contract: write your results only to the outputs",
                       "%s changed its input %s (element %zu of %zu), which it may only read",
                       function, name, b / a->size, a->count);
    }
}

// ---------------------------------------------------------------------------
// Comparing

// What a student may know of a mismatch: where, and how far off, never the
// values themselves (the reference's value, or even theirs, can give an
// input away: the mean of a single value is that value).
static void describe(char *buf, size_t size, double got, double want) {
    if (!isfinite(got))
        snprintf(buf, size, "got %s where the reference's value is finite",
                 isnan(got) ? "nan" : got > 0 ? "inf" : "-inf");
    else if (want == 0.0)
        snprintf(buf, size, "got a %s value where the reference's value is 0",
                 got > 0 ? "positive" : "negative");
    else
        snprintf(buf, size, "off by %.2g relative to the reference's value%s",
                 fabs(got - want) / fabs(want),
                 (got < 0) != (want < 0) && got != 0.0 ? ", with the wrong sign" : "");
}

void hidden_compare(const Trial *t, const char *what, const double *got, const double *want,
                    size_t n, double rtol, double atol) {
    size_t i = 0;
    while (i < n && isfinite(want[i]) && isfinite(got[i]) &&
           fabs(got[i] - want[i]) <= rtol * fabs(want[i]) + atol)
        i++;
    if (i == n) return;
    if (!isfinite(want[i]))
        ck_abort_msg("hidden test bug: the reference's %s is not finite at index %zu (%s, seed "
                     "%lu): tell the instructor", what, i, t->k->label, graded_seed());
    char how[160];
    describe(how, sizeof how, got[i], want[i]);
    if (n == 1) hidden_fail(t, "%s differs from the reference: %s", what, how);
    hidden_fail(t, "%s differs from the reference at index %zu of %zu: %s", what, i, n, how);
}

void hidden_compare_int(const Trial *t, const char *what, const int *got, const int *want,
                        size_t n) {
    size_t i = 0;
    while (i < n && got[i] == want[i]) i++;
    if (i == n) return;
    long d = (long)got[i] - want[i];
    const char *how = d > 0 ? "too large" : "too small";
    if (n == 1) hidden_fail(t, "%s differs from the reference: %s by %ld", what, how, labs(d));
    hidden_fail(t, "%s differs from the reference at index %zu of %zu: %s by %ld", what, i, n, how,
                labs(d));
}

double hidden_max_abs(const double *x, size_t n) {
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        if (fabs(x[i]) > m) m = fabs(x[i]);
    return m;
}
