// hidden_ch2.c: the hidden tests of chapter 2 (softmax regression), instructor only.
//
// Each test runs one function of ch2.h and the reference's on the same seeded
// random cases, edge cases first (see hidden.h), and compares what they write.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ch2.h"
#include "hidden/hidden.h"

REFERENCE(logits);
REFERENCE(softmax);
REFERENCE(cross_entropy);
REFERENCE(softmax_gradient);
REFERENCE(sgd_step);
REFERENCE(count_correct);

enum { TRIALS = 3 };

typedef struct {
    const char *label;  // the kind of case, all a student is told about it
    Values values;
    int n_lo, n_hi;     // the batch
    const char *hint;
} Case;

static int pick(Rng *r, int lo, int hi) { return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1)); }

static double *copy_of(const double *x, size_t n) {
    double *c = hidden_alloc(n, 0.0);
    memcpy(c, x, sizeof(double) * n);
    return c;
}

// ---------------------------------------------------------------------------

static const Case LOGITS_CASES[] = {
    {"a batch of one", VALUES_NORMAL, 1, 1, "n can be 1: every row is one example"},
    {"one class", VALUES_NORMAL, 1, 50, "classes can be 1: a is [n, 1]"},
    {"one pixel", VALUES_NORMAL, 1, 50, "dim can be 1"},
    {"zero images", VALUES_ZEROS, 1, 50, "x = 0 gives a = b, row by row"},
    {"huge pixels (around 1e150)", VALUES_HUGE, 1, 20, "add the bias to the product, row by row"},
    {"tiny pixels (around 1e-150)", VALUES_TINY, 1, 20, "the bias is added to every row"},
    {"random shapes", VALUES_NORMAL, 1, 200,
     "a[i,k] = b[k] + sum_j x[i,j] w[j,k]: w is [dim, classes], row-major"},
};

GRADED_TEST(hidden_logits) {
    Rng r;
    hidden_rng(&r, 21);
    for (size_t c = 0; c < sizeof LOGITS_CASES / sizeof LOGITS_CASES[0]; c++) {
        const Case *k = &LOGITS_CASES[c];
        for (int trial = 0; trial < TRIALS; trial++) {
            int n = hidden_size(&r, k->n_lo, k->n_hi);
            int dim = c == 2 ? 1 : pick(&r, 1, 300), classes = c == 1 ? 1 : pick(&r, 1, 20);
            size_t nx = (size_t)n * dim, nw = (size_t)dim * classes, na = (size_t)n * classes;
            double *x = hidden_alloc(nx, 0), *w = hidden_alloc(nw, 0), *b = hidden_alloc((size_t)classes, 0);
            hidden_fill(&r, x, nx, k->values);
            hidden_fill(&r, w, nw, VALUES_NORMAL);
            hidden_fill(&r, b, (size_t)classes, VALUES_NORMAL);
            double *xc = copy_of(x, nx), *wc = copy_of(w, nw), *bc = copy_of(b, (size_t)classes);
            double *want = hidden_alloc(na, NAN), *a = hidden_alloc(na, NAN);
            ref_logits(want, x, w, b, n, dim, classes);
            logits(a, x, w, b, n, dim, classes);
            hidden_check_unchanged("logits", "x", x, xc, sizeof(double) * nx, k->label);
            hidden_check_unchanged("logits", "w", w, wc, sizeof(double) * nw, k->label);
            hidden_check_unchanged("logits", "b", b, bc, sizeof(double) * (size_t)classes, k->label);
            hidden_check_guards("logits", "a", a, na, k->label);
            double scale = 1.0 + dim * hidden_max_abs(x, nx) * hidden_max_abs(w, nw);
            hidden_compare("logits", a, want, na, 1e-9, 1e-12 * scale, k->label, k->hint);
            free(x), free(w), free(b), free(xc), free(wc), free(bc), free(want), free(a);
        }
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------

static const Case SOFTMAX_CASES[] = {
    {"a batch of one", VALUES_NORMAL, 1, 1, "n can be 1"},
    {"one class", VALUES_NORMAL, 1, 50, "with one class every probability is 1"},
    {"equal logits", VALUES_ZEROS, 1, 50, "equal logits give equal probabilities, 1/classes"},
    {"huge logits (around 1e150)", VALUES_HUGE, 1, 50,
     "subtract the row's largest logit before exp(): no exp() may overflow"},
    {"logits near +-1e308", VALUES_NORMAL, 1, 20,
     "subtract the row's largest logit before exp(), and compute a - m without overflow"},
    {"tiny logits (around 1e-150)", VALUES_TINY, 1, 50, "nearly equal logits: nearly 1/classes each"},
    {"random logits", VALUES_NORMAL, 1, 300, "each row is normalized on its own"},
    {"in place (y and a the same array)", VALUES_NORMAL, 1, 100,
     "y may be a: read a row's logits before writing its probabilities"},
};

GRADED_TEST(hidden_softmax) {
    Rng r;
    hidden_rng(&r, 22);
    for (size_t c = 0; c < sizeof SOFTMAX_CASES / sizeof SOFTMAX_CASES[0]; c++) {
        const Case *k = &SOFTMAX_CASES[c];
        int in_place = c == 7;
        for (int trial = 0; trial < TRIALS; trial++) {
            int n = hidden_size(&r, k->n_lo, k->n_hi), classes = c == 1 ? 1 : pick(&r, 2, 20);
            size_t na = (size_t)n * classes;
            double *a = hidden_alloc(na, 0);
            hidden_fill(&r, a, na, k->values);
            if (c == 4)  // a few logits near +1e308 or -1e308 in each row, the rest ordinary
                for (size_t i = 0; i < na; i++)
                    if (rng_below(&r, 3) == 0) a[i] = (rng_below(&r, 2) ? 1.0 : -1.0) * 1e308;
            if (c == 6)
                for (size_t i = 0; i < na; i++) a[i] *= 30.0;
            double *ac = copy_of(a, na), *want = hidden_alloc(na, NAN), *y = hidden_alloc(na, NAN);
            ref_softmax(want, a, n, classes);
            if (in_place) {
                memcpy(y, a, sizeof(double) * na);
                softmax(y, y, n, classes);
            } else {
                softmax(y, a, n, classes);
                hidden_check_unchanged("softmax", "a", a, ac, sizeof(double) * na, k->label);
            }
            hidden_check_guards("softmax", "y", y, na, k->label);
            hidden_compare("softmax", y, want, na, 1e-9, 1e-14, k->label, k->hint);
            free(a), free(ac), free(want), free(y);
        }
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------

static const Case CROSS_ENTROPY_CASES[] = {
    {"a batch of one", VALUES_NORMAL, 1, 1, "the mean over n rows, and n can be 1"},
    {"certain and right", VALUES_NORMAL, 1, 50,
     "a probability of 1 is clipped to 1 - 1e-15: the loss is tiny, not 0 and not NaN"},
    {"certain and wrong", VALUES_NORMAL, 1, 50,
     "a probability of 0 is clipped to 1e-15: each row costs -ln(1e-15) = 34.54, not inf"},
    {"soft targets", VALUES_NORMAL, 1, 100,
     "t need not be one-hot: every t[i,k] weighs its -ln(clip(y[i,k]))"},
    {"all-zero targets", VALUES_ZEROS, 1, 50, "a row whose t is all 0 costs nothing"},
    {"random rows", VALUES_NORMAL, 1, 500, "divide the sum by n: the mean, not the sum"},
};

GRADED_TEST(hidden_cross_entropy) {
    Rng r;
    hidden_rng(&r, 23);
    for (size_t c = 0; c < sizeof CROSS_ENTROPY_CASES / sizeof CROSS_ENTROPY_CASES[0]; c++) {
        const Case *k = &CROSS_ENTROPY_CASES[c];
        for (int trial = 0; trial < TRIALS; trial++) {
            int n = hidden_size(&r, k->n_lo, k->n_hi), classes = pick(&r, 2, 12);
            size_t na = (size_t)n * classes;
            double *y = hidden_alloc(na, 0), *t = hidden_alloc(na, 0);
            // probabilities: a softmax of random logits, or one-hot rows
            hidden_fill(&r, y, na, VALUES_NORMAL);
            for (size_t i = 0; i < na; i++) y[i] *= 8.0;
            ref_softmax(y, y, n, classes);
            for (int i = 0; i < n; i++) {
                int label = (int)rng_below(&r, (uint32_t)classes);
                double *yi = y + (size_t)i * classes, *ti = t + (size_t)i * classes;
                if (c == 1 || c == 2) {
                    for (int j = 0; j < classes; j++) yi[j] = 0.0;
                    yi[c == 1 ? label : (label + 1) % classes] = 1.0;
                }
                if (c == 3) {  // soft targets: a probability vector
                    double s = 0;
                    for (int j = 0; j < classes; j++) s += ti[j] = rng_uniform(&r);
                    for (int j = 0; j < classes; j++) ti[j] /= s;
                } else if (c != 4) {
                    ti[label] = 1.0;
                }
            }
            double *yc = copy_of(y, na), *tc = copy_of(t, na);
            double want = ref_cross_entropy(y, t, n, classes);
            double got = cross_entropy(y, t, n, classes);
            hidden_check_unchanged("cross_entropy", "y", y, yc, sizeof(double) * na, k->label);
            hidden_check_unchanged("cross_entropy", "t", t, tc, sizeof(double) * na, k->label);
            hidden_compare("cross_entropy", &got, &want, 1, 1e-9, 1e-13, k->label, k->hint);
            free(y), free(t), free(yc), free(tc);
        }
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------

static const Case GRADIENT_CASES[] = {
    {"a batch of one", VALUES_NORMAL, 1, 1, "summed over the batch: with n = 1, one example's"},
    {"one pixel", VALUES_NORMAL, 1, 50, "dim can be 1"},
    {"zero images", VALUES_ZEROS, 1, 50, "x = 0 makes gw 0, but not gb"},
    {"pixels 0..255", VALUES_PIXELS, 1, 100, "gw = x^T da, summed over the batch, not averaged"},
    {"random shapes", VALUES_NORMAL, 1, 200,
     "gw[j,k] = sum_i x[i,j] da[i,k]; gb[k] = sum_i da[i,k]; every output overwritten"},
};

GRADED_TEST(hidden_gradient) {
    Rng r;
    hidden_rng(&r, 24);
    for (size_t c = 0; c < sizeof GRADIENT_CASES / sizeof GRADIENT_CASES[0]; c++) {
        const Case *k = &GRADIENT_CASES[c];
        for (int trial = 0; trial < TRIALS; trial++) {
            int n = hidden_size(&r, k->n_lo, k->n_hi);
            int dim = c == 1 ? 1 : pick(&r, 1, 200), classes = pick(&r, 1, 12);
            size_t nx = (size_t)n * dim, na = (size_t)n * classes, nw = (size_t)dim * classes;
            double *x = hidden_alloc(nx, 0), *y = hidden_alloc(na, 0), *t = hidden_alloc(na, 0);
            hidden_fill(&r, x, nx, k->values);
            hidden_fill(&r, y, na, VALUES_NORMAL);
            for (size_t i = 0; i < na; i++) y[i] *= 5.0;
            ref_softmax(y, y, n, classes);
            for (int i = 0; i < n; i++) t[(size_t)i * classes + rng_below(&r, (uint32_t)classes)] = 1.0;
            double *xc = copy_of(x, nx), *yc = copy_of(y, na), *tc = copy_of(t, na);
            double *wgw = hidden_alloc(nw, NAN), *wgb = hidden_alloc((size_t)classes, NAN);
            double *wda = hidden_alloc(na, NAN);
            double fill = trial == 0 ? NAN : 1e300;  // garbage that must be overwritten, not added to
            double *gw = hidden_alloc(nw, fill), *gb = hidden_alloc((size_t)classes, fill);
            double *da = hidden_alloc(na, fill);
            ref_softmax_gradient(wgw, wgb, wda, x, y, t, n, dim, classes);
            softmax_gradient(gw, gb, da, x, y, t, n, dim, classes);
            hidden_check_unchanged("softmax_gradient", "x", x, xc, sizeof(double) * nx, k->label);
            hidden_check_unchanged("softmax_gradient", "y", y, yc, sizeof(double) * na, k->label);
            hidden_check_unchanged("softmax_gradient", "t", t, tc, sizeof(double) * na, k->label);
            hidden_check_guards("softmax_gradient", "gw", gw, nw, k->label);
            hidden_check_guards("softmax_gradient", "gb", gb, (size_t)classes, k->label);
            hidden_check_guards("softmax_gradient", "da", da, na, k->label);
            hidden_compare("softmax_gradient: da", da, wda, na, 1e-12, 1e-15, k->label, k->hint);
            double scale = n * (1.0 + hidden_max_abs(x, nx));
            hidden_compare("softmax_gradient: gw", gw, wgw, nw, 1e-9, 1e-13 * scale, k->label, k->hint);
            hidden_compare("softmax_gradient: gb", gb, wgb, (size_t)classes, 1e-9, 1e-13 * n, k->label,
                           k->hint);
            free(x), free(y), free(t), free(xc), free(yc), free(tc);
            free(wgw), free(wgb), free(wda), free(gw), free(gb), free(da);
        }
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------

static const Case SGD_CASES[] = {
    {"one weight", VALUES_NORMAL, 1, 1, "count can be 1"},
    {"no weights at all", VALUES_NORMAL, 0, 0, "count can be 0: then nothing changes"},
    {"a rate of 0", VALUES_NORMAL, 1, 500, "a rate of 0 leaves w as it is"},
    {"a huge rate", VALUES_NORMAL, 1, 500, "w - rate * g, whatever the rate"},
    {"random steps", VALUES_NORMAL, 1, 5000, "w[i] - rate * g[i]: minus, and only below count"},
};

GRADED_TEST(hidden_sgd_step) {
    Rng r;
    hidden_rng(&r, 25);
    for (size_t c = 0; c < sizeof SGD_CASES / sizeof SGD_CASES[0]; c++) {
        const Case *k = &SGD_CASES[c];
        for (int trial = 0; trial < TRIALS; trial++) {
            int count = hidden_size(&r, k->n_lo, k->n_hi);
            double rate = c == 2 ? 0.0 : c == 3 ? 1e6 : pow(10.0, -4.0 + 4.0 * rng_uniform(&r));
            double *w = hidden_alloc((size_t)count, 0), *g = hidden_alloc((size_t)count, 0);
            hidden_fill(&r, w, (size_t)count, VALUES_NORMAL);
            hidden_fill(&r, g, (size_t)count, VALUES_NORMAL);
            double *want = copy_of(w, (size_t)count), *gc = copy_of(g, (size_t)count);
            ref_sgd_step(want, g, rate, count);
            sgd_step(w, g, rate, count);
            hidden_check_unchanged("sgd_step", "g", g, gc, sizeof(double) * (size_t)count, k->label);
            hidden_check_guards("sgd_step", "w", w, (size_t)count, k->label);
            hidden_compare("sgd_step", w, want, (size_t)count, 1e-12, 1e-300, k->label, k->hint);
            free(w), free(g), free(want), free(gc);
        }
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------

static const Case COUNT_CASES[] = {
    {"a batch of one", VALUES_NORMAL, 1, 1, "n can be 1"},
    {"one class", VALUES_NORMAL, 1, 50, "with one class the prediction is always 0"},
    {"rows with ties", VALUES_NORMAL, 1, 300,
     "when several entries are equal and largest, the prediction is the first of them"},
    {"rows all equal", VALUES_ZEROS, 1, 300, "equal rows predict class 0"},
    {"negative scores", VALUES_NORMAL, 1, 300, "the largest entry can be negative: start from the "
     "row's first entry, not from 0"},
    {"random rows", VALUES_NORMAL, 1, 1000, "count the rows whose largest entry is at their label"},
};

GRADED_TEST(hidden_count_correct) {
    Rng r;
    hidden_rng(&r, 26);
    for (size_t c = 0; c < sizeof COUNT_CASES / sizeof COUNT_CASES[0]; c++) {
        const Case *k = &COUNT_CASES[c];
        for (int trial = 0; trial < TRIALS; trial++) {
            int n = hidden_size(&r, k->n_lo, k->n_hi), classes = c == 1 ? 1 : pick(&r, 2, 12);
            size_t na = (size_t)n * classes;
            double *y = hidden_alloc(na, 0);
            hidden_fill(&r, y, na, k->values);
            for (size_t i = 0; i < na; i++) {
                if (c == 2) y[i] = (double)rng_below(&r, 3) / 2.0;  // 0, 0.5 or 1: many ties
                if (c == 4) y[i] = -1.0 - fabs(y[i]);
            }
            uint8_t *labels = malloc((size_t)n), *lc = malloc((size_t)n);
            for (int i = 0; i < n; i++) labels[i] = (uint8_t)rng_below(&r, (uint32_t)classes);
            if (c == 3 || c == 2)  // make the first-of-the-ties rule matter
                for (int i = 0; i < n; i += 2) labels[i] = 0;
            memcpy(lc, labels, (size_t)n);
            double *yc = copy_of(y, na);
            int want = ref_count_correct(y, labels, n, classes);
            int got = count_correct(y, labels, n, classes);
            hidden_check_unchanged("count_correct", "y", y, yc, sizeof(double) * na, k->label);
            hidden_check_unchanged("count_correct", "labels", labels, lc, (size_t)n, k->label);
            hidden_compare_int("count_correct", got, want, k->label, k->hint);
            free(y), free(yc), free(labels), free(lc);
        }
    }
}
END_GRADED_TEST

const GradedSuite graded_suite = {
    2, "softmax regression (hidden tests)",
    (const GradedTest[]){
        {"hidden_logits", hidden_logits, 2,
         "logits against the reference: a batch of one, one class, one pixel, huge and tiny pixels"},
        {"hidden_softmax", hidden_softmax, 2,
         "softmax against the reference: one class, equal, huge and tiny logits, in place"},
        {"hidden_cross_entropy", hidden_cross_entropy, 2,
         "cross_entropy against the reference: certain rows, soft and all-zero targets"},
        {"hidden_gradient", hidden_gradient, 2,
         "softmax_gradient against the reference: a batch of one, one pixel, zero images"},
        {"hidden_sgd_step", hidden_sgd_step, 1,
         "sgd_step against the reference: no weights, a rate of 0, a huge rate"},
        {"hidden_count_correct", hidden_count_correct, 1,
         "count_correct against the reference: ties, one class, negative scores"},
    },
    6};
