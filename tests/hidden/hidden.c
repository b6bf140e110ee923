// hidden.c: what every hidden test shares (see hidden.h).
#include "hidden/hidden.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hidden_rng(Rng *r, unsigned salt) {
    rng_seed(r, (uint64_t)graded_seed() * 0x9e3779b97f4a7c15ull + salt);
}

int hidden_size(Rng *r, int lo, int hi) {
    if (rng_below(r, 5) == 0) return lo;
    return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

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

double *hidden_alloc(size_t n, double fill) {
    double *x = malloc(sizeof(double) * (n + GUARDS));
    if (!x) ck_abort_msg("the hidden test could not allocate %zu doubles", n + GUARDS);
    for (size_t i = 0; i < n + GUARDS; i++) x[i] = fill;
    for (size_t i = n; i < n + GUARDS; i++) x[i] = -12345.678;
    return x;
}

// Each helper asserts once, on failure only: Check records every passing
// ck_assert too, and a million of them would overflow the test's output limit.
void hidden_check_guards(const char *function, const char *array, const double *x, size_t n,
                         const char *label) {
    size_t i = n;
    while (i < n + GUARDS && x[i] == -12345.678) i++;
    if (i < n + GUARDS)
        ck_abort_msg("%s wrote past the end of %s: index %zu of an array of %zu (%s, hidden "
                     "test, seed %lu). Hint: check the bounds of your loops against the sizes "
                     "in the contract", function, array, i, n, label, graded_seed());
}

static int close_enough(double got, double want, double rtol, double atol) {
    if (isnan(want)) return isnan(got);
    if (isinf(want)) return got == want;
    if (!isfinite(got)) return 0;
    return fabs(got - want) <= rtol * fabs(want) + atol;
}

// What a student may know of a mismatch: where, and how far off, never the
// values themselves (the reference's value, or even theirs, can give an
// input away: the mean of a single value is that value).
static void describe(char *buf, size_t size, double got, double want) {
    if (isnan(got) || isinf(got))
        snprintf(buf, size, "got %s where the reference's value is %s", isnan(got) ? "nan" : "inf",
                 isnan(want) ? "nan" : !isinf(want) ? "finite"
                 : isinf(got) ? "infinite, of the other sign" : "infinite");
    else if (!isfinite(want))
        snprintf(buf, size, "got a finite value where the reference's is %s",
                 isnan(want) ? "nan" : "infinite");
    else if (want == 0.0)
        snprintf(buf, size, "got %.2g where the reference's value is 0", got);
    else
        snprintf(buf, size, "off by %.2g relative to the reference's value%s",
                 fabs(got - want) / fabs(want), (got < 0) != (want < 0) ? ", with the wrong sign" : "");
}

void hidden_compare(const char *what, const double *got, const double *want, size_t n,
                    double rtol, double atol, const char *label, const char *hint) {
    size_t i = 0;
    while (i < n && close_enough(got[i], want[i], rtol, atol)) i++;
    if (i == n) return;
    char how[160];
    describe(how, sizeof how, got[i], want[i]);
    ck_abort_msg("%s differs from the reference at index %zu of %zu: %s (%s, hidden test, seed "
                 "%lu). Hint: %s", what, i, n, how, label, graded_seed(), hint);
}

void hidden_compare_int(const char *what, long got, long want, const char *label,
                        const char *hint) {
    if (got != want)
        ck_abort_msg("%s differs from the reference: %s by %ld (%s, hidden test, seed %lu). "
                     "Hint: %s", what, got > want ? "too large" : "too small",
                     got > want ? got - want : want - got, label, graded_seed(), hint);
}

void hidden_check_unchanged(const char *function, const char *array, const void *now,
                            const void *before, size_t bytes, const char *label) {
    const unsigned char *a = now, *b = before;
    size_t i = 0;
    while (i < bytes && a[i] == b[i]) i++;
    if (i < bytes)
        ck_abort_msg("%s changed its input %s (byte %zu), which it may only read (%s, hidden "
                     "test, seed %lu). Hint: an input is const in the contract: write your "
                     "results only to the outputs", function, array, i, label, graded_seed());
}

double hidden_max_abs(const double *x, size_t n) {
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        if (fabs(x[i]) > m) m = fabs(x[i]);
    return m;
}
