// measure.c: what chapter 3 measures beside its checks (measure.h).
#include "measure.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int darkest_pixels(Darkest *d, const Split *tr, Error *err) {
    double *all = error_calloc(err, (size_t)tr->n, sizeof(double), "z-scores");
    double *ones = error_calloc(err, (size_t)tr->n, sizeof(double), "z-scores");
    if (!all || !ones) {
        free(all), free(ones);
        return -1;
    }
    int n1 = 0;
    for (int i = 0; i < tr->n; i++) {
        const uint8_t *img = tr->pixels + (size_t)i * tr->dim;
        int top = 0;
        for (int p = 0; p < tr->dim; p++) top = img[p] > top ? img[p] : top;
        all[i] = (top - tr->mean[i]) * tr->inv_sd[i];
        if (tr->labels[i] == 1) ones[n1++] = all[i];
    }
    qsort(all, (size_t)tr->n, sizeof(double), by_value);
    qsort(ones, (size_t)n1, sizeof(double), by_value);
    d->median = all[tr->n / 2];
    d->one_median = n1 ? ones[n1 / 2] : NAN;
    d->one_p95 = n1 ? ones[(int)(0.95 * (n1 - 1))] : NAN;
    free(all), free(ones);
    return 0;
}

// ---------------------------------------------------------------------------

const char *const COMPARE_NAMES[COMPARE_GROUPS] = {"W1", "b1", "W2", "b2", "all"};

// Which of W1, b1, W2, b2 parameter i of n belongs to.
static int group_of(const Net *n, int i) {
    const double *p = n->params + i;
    return p < n->b[0] ? 0 : p < n->W[1] ? 1 : p < n->b[1] ? 2 : 3;
}

//> relative-error
double relative_error(double a, double b, double floor) {
    return fabs(a - b) / fmax(fmax(fabs(a), fabs(b)), floor);
}
//< relative-error

Compare compare_gradients(const Net *n, const double *backprop, const double *numerical,
                          double floor, double limit) {
    Compare c;
    memset(&c, 0, sizeof c);
    for (int i = 0; i < n->n_params; i++) {
        double rel = relative_error(backprop[i], numerical[i], floor);
        double d = fabs(backprop[i] - numerical[i]);
        const int gs[2] = {group_of(n, i), COMPARE_ALL};
        for (int j = 0; j < 2; j++) {
            int g = gs[j];
            c.count[g]++;
            if (!(rel <= c.rel[g])) c.rel[g] = rel;  // NaN sticks
            if (!(d <= c.diff[g])) c.diff[g] = d;
            c.flagged[g] += !(rel <= limit);
        }
    }
    return c;
}

// ---------------------------------------------------------------------------

int slope_gap_median(double *median, const Acts *acts, int n_hidden, int B, Error *err) {
    int n = B * n_hidden;
    double *gap = error_calloc(err, (size_t)n, sizeof(double), "the slopes");
    if (!gap) return -1;
    for (int i = 0; i < n; i++) {
        double a = acts->a[0][i], h = acts->h[0][i], slope = 1.0 - h * h;
        gap[i] = slope > 0 ? 100.0 * fabs((1.0 - a * a) - slope) / slope : INFINITY;
    }
    qsort(gap, (size_t)n, sizeof(double), by_value);
    *median = n % 2 ? gap[n / 2] : (gap[n / 2 - 1] + gap[n / 2]) / 2;
    free(gap);
    return 0;
}
