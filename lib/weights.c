// weights.c: what the weights of a trained network look like (see weights.h).
#include "weights.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

static const double LIN_MAX = 0.3, LOG_MIN = -7.0, LOG_MAX = 0.0;

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// The sizes of the n weights w, whose histogram of log10 |w| is o->logh: is
// there a group of small weights apart from the rest? Otsu's rule cuts the
// histogram in two where the two groups' mean log sizes lie furthest apart,
// weighted by the groups' shares (the largest variance between them). Then
// the commonest size below the cut, and the spread of the sizes above it.
static void two_groups(WeightStats *o, const double *w, size_t n) {
    const double width = (LOG_MAX - LOG_MIN) / WEIGHTS_LOG_BINS;
    double all = 0, all_sum = 0;
    for (int k = 0; k < WEIGHTS_LOG_BINS; k++)
        all += o->logh[k], all_sum += o->logh[k] * (LOG_MIN + (k + 0.5) * width);
    int cut = 0;
    double best = -1, below = 0, below_sum = 0;
    for (int k = 1; k < WEIGHTS_LOG_BINS; k++) {  // the cut between bins k - 1 and k
        below += o->logh[k - 1], below_sum += o->logh[k - 1] * (LOG_MIN + (k - 0.5) * width);
        double above = all - below;
        if (below <= 0 || above <= 0) continue;
        double d = below_sum / below - (all_sum - below_sum) / above;
        if (below * above * d * d > best) best = below * above * d * d, cut = k;
    }
    o->hump = o->used_split = o->hump_share = o->used_p10 = o->used_p90 = NAN;
    if (cut == 0) return;
    int top = 0;
    for (int k = 1; k < cut; k++) top = o->logh[k] > o->logh[top] ? k : top;
    o->hump = pow(10.0, LOG_MIN + (top + 0.5) * width);
    o->used_split = pow(10.0, LOG_MIN + cut * width);
    double *a = malloc(sizeof(double) * n);
    if (!a) return;
    for (size_t i = 0; i < n; i++) a[i] = fabs(w[i]);
    qsort(a, n, sizeof(double), by_value);
    size_t first = 0;
    while (first < n && a[first] < o->used_split) first++;
    size_t m = n - first;
    o->hump_share = 100.0 * (double)first / (double)n;
    if (m > 0) {
        o->used_p10 = a[first + (size_t)(0.1 * (double)(m - 1))];
        o->used_p90 = a[first + (size_t)(0.9 * (double)(m - 1))];
    }
    free(a);
}

void weights_measure(WeightStats *o, const Net *net, double small) {
    memset(o, 0, sizeof *o);
    o->n_layers = net->n_layers;
    for (int l = 0; l < net->n_layers; l++) {
        size_t n = (size_t)net->sizes[l + 1] * net->sizes[l];
        double s = 0, m = 0;
        size_t few = 0;
        for (size_t i = 0; i < n; i++) {
            double a = fabs(net->W[l][i]);
            s += a, m = fmax(m, a), few += a < small;
        }
        o->abs_mean[l] = s / n, o->max_abs[l] = m, o->small[l] = 100.0 * few / n;
    }
    size_t n = (size_t)net->sizes[1] * net->sizes[0];
    for (size_t i = 0; i < n; i++) {
        double w = net->W[0][i], a = fabs(w);
        int k = (int)floor((w + LIN_MAX) / (2 * LIN_MAX) * WEIGHTS_LIN_BINS);
        if (k >= 0 && k < WEIGHTS_LIN_BINS) o->lin[k] += 100.0 / n;
        double lg = a > 0 ? log10(a) : LOG_MIN;
        k = (int)floor((lg - LOG_MIN) / (LOG_MAX - LOG_MIN) * WEIGHTS_LOG_BINS);
        // the end bins take the rest
        k = k < 0 ? 0 : k >= WEIGHTS_LOG_BINS ? WEIGHTS_LOG_BINS - 1 : k;
        o->logh[k] += 100.0 / n;
    }
    two_groups(o, net->W[0], n);
    int C = net->sizes[0], H = net->sizes[1];
    for (int c = 0; c < C && c < WEIGHTS_MAX_INPUTS; c++) {
        int off = 0;
        for (int h = 0; h < H; h++) off += fabs(net->W[0][(size_t)h * C + c]) < small;
        o->ignored[c] = 100.0 * off / H;
    }
}

int weights_write_histograms(const char *lin_path, const char *log_path,
                             const WeightStats *const *w, const char *const *labels, int n,
                             Error *err) {
    for (int log = 0; log < 2; log++) {
        char head[4096];
        snprintf(head, sizeof head, "%s", log ? "log10_abs_w" : "w");
        for (int e = 0; e < n; e++)
            snprintf(head + strlen(head), sizeof head - strlen(head), "\t%s", labels[e]);
        Tsv t;
        if (tsv_open(&t, log ? log_path : lin_path, head, err) != 0) return -1;
        for (int k = 0; k < (log ? WEIGHTS_LOG_BINS : WEIGHTS_LIN_BINS); k++) {
            tsv_fmt(&t, "%.6g", log ? LOG_MIN + (k + 0.5) * (LOG_MAX - LOG_MIN) / WEIGHTS_LOG_BINS
                                    : -LIN_MAX + (k + 0.5) * 2 * LIN_MAX / WEIGHTS_LIN_BINS);
            for (int e = 0; e < n; e++) tsv_fmt(&t, "%.6g", log ? w[e]->logh[k] : w[e]->lin[k]);
        }
        if (tsv_close(&t, err) != 0) return -1;
    }
    return 0;
}
