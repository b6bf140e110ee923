// hidden_ch7.c: the hidden tests of chapter 7 (the hardest digits),
// instructor only.
//
// Each test runs one function of ch7.h and the reference's on the same seeded
// random cases, edge cases first (see hidden.h), and compares what they write.
// Tolerances: per_example_loss |got - want| <= 1e-12 |want| + 1e-300 (each
// loss a sum of at most a few hundred terms, none of them negative: only 0
// may be 0, and -ln(1 - 1e-15) is not 0); top_k's indices and
// confusion_matrix's counts exactly.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ch7.h"
#include "hidden/hidden.h"

REFERENCE(per_example_loss);
REFERENCE(top_k);
REFERENCE(confusion_matrix);

// Probabilities: rows of a softmax of random scores (some of them very sure
// of one class), into y [n, classes].
static void probabilities(Rng *r, double *y, int n, int classes) {
    for (int i = 0; i < n; i++) {
        double *yi = y + (size_t)i * classes, spread = rng_below(r, 5) == 0 ? 80.0 : 6.0;
        double m = -INFINITY, s = 0.0;
        for (int k = 0; k < classes; k++) m = fmax(m, yi[k] *= spread);
        for (int k = 0; k < classes; k++) s += yi[k] = exp(yi[k] - m);
        for (int k = 0; k < classes; k++) yi[k] /= s;
    }
}

// ---------------------------------------------------------------------------

enum {
    LOSS_ONE_CLASS = 2,
    LOSS_RIGHT,
    LOSS_WRONG,
    LOSS_TINY,
    LOSS_SOFT,
    LOSS_ZERO_TARGETS,
    LOSS_HUGE_TARGETS,
};
static const HiddenCase LOSS_CASES[] = {
    {"a batch of one", VALUES_NORMAL, 1, 1,
     "n can be 1: loss[0] = -sum_k t[0,k] ln(clip(y[0,k])), the row's own loss"},
    {"no rows at all", VALUES_NORMAL, 0, 0, "n can be 0: then nothing is written"},
    [LOSS_ONE_CLASS] = {"one class", VALUES_NORMAL, 1, 50,
                        "classes can be 1: y = 1 is clipped to 1 - 1e-15"},
    [LOSS_RIGHT] = {"certain and right", VALUES_NORMAL, 1, 100,
                    "a probability of 1 is clipped to 1 - 1e-15: the loss is about 1e-15, not 0; "
                    "and a probability of 0 where t is 0 costs 0, not NaN"},
    [LOSS_WRONG] = {"certain and wrong", VALUES_NORMAL, 1, 100,
                    "a probability of 0 is clipped to 1e-15: the row costs -ln(1e-15) = 34.54, not inf"},
    [LOSS_TINY] = {"tiny probabilities (around 1e-150)", VALUES_TINY, 1, 100,
                   "clip below at 1e-15 before ln: -ln(1e-150) is not what the contract asks"},
    [LOSS_SOFT] = {"soft targets", VALUES_NORMAL, 1, 200,
                   "t need not be one-hot: every t[i,k] weighs its -ln(clip(y[i,k]))"},
    [LOSS_ZERO_TARGETS] = {"all-zero targets", VALUES_ZEROS, 1, 100, "a row whose t is all 0 costs 0"},
    [LOSS_HUGE_TARGETS] = {"huge targets (around 1e150)", VALUES_HUGE, 1, 100,
                           "the same formula for any t: -sum_k t[i,k] ln(clip(y[i,k]))"},
    {"random rows", VALUES_NORMAL, 1, 2000,
     "one loss per row, not the mean: loss[i] = -sum_k t[i,k] ln(clip(y[i,k]))"},
};

static void loss_trial(Trial *t) {
    int n = t->n, c = t->c, classes = c == LOSS_ONE_CLASS ? 1 : hidden_pick(t->r, 2, 12);
    size_t na = (size_t)n * classes;
    double *y = hidden_input(t, "y", na, VALUES_NORMAL);
    double *tt = hidden_input(t, "t", na, VALUES_ZEROS);
    probabilities(t->r, y, n, classes);
    for (int i = 0; i < n; i++) {
        int label = (int)rng_below(t->r, (uint32_t)classes);
        double *yi = y + (size_t)i * classes, *ti = tt + (size_t)i * classes;
        if (c == LOSS_RIGHT || c == LOSS_WRONG) {
            for (int k = 0; k < classes; k++) yi[k] = 0.0;
            yi[c == LOSS_RIGHT ? label : (label + 1) % classes] = 1.0;
        }
        if (c == LOSS_TINY) yi[label] = 1e-150 * rng_uniform(t->r);
        if (c == LOSS_SOFT) {  // a probability vector
            double s = 0;
            for (int k = 0; k < classes; k++) s += ti[k] = rng_uniform(t->r);
            for (int k = 0; k < classes; k++) ti[k] /= s;
        } else if (c == LOSS_HUGE_TARGETS) {
            ti[label] = 1e150 * rng_uniform(t->r);
        } else if (c != LOSS_ZERO_TARGETS) {
            ti[label] = 1.0;
        }
    }
    hidden_seal(t);
    double *want = hidden_output(t, NULL, (size_t)n, NAN);
    double *loss = hidden_output(t, "loss", (size_t)n, hidden_garbage(t));
    ref_per_example_loss(want, y, tt, n, classes);
    per_example_loss(loss, y, tt, n, classes);
    hidden_check_arrays(t, "per_example_loss");
    hidden_compare(t, "per_example_loss", loss, want, (size_t)n, 1e-12, 1e-300);
}

GRADED_TEST(hidden_per_example_loss) { HIDDEN_RUN(LOSS_CASES, 71, loss_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------

enum { TOP_NONE, TOP_ONE, TOP_ALL, TOP_FIRST, TOP_TIES, TOP_EQUAL, TOP_NEGATIVE, TOP_SIGNED_ZEROS };
static const HiddenCase TOP_K_CASES[] = {
    [TOP_NONE] = {"k = 0", VALUES_NORMAL, 1, 50, "k = 0 writes nothing at all"},
    [TOP_ONE] = {"a single value", VALUES_NORMAL, 1, 1, "n can be 1: k is 0 or 1"},
    [TOP_ALL] = {"k = n (the whole array)", VALUES_NORMAL, 1, 300,
                 "k can be n: every index, largest value first, equal values by index"},
    [TOP_FIRST] = {"k = 1", VALUES_NORMAL, 1, 500, "k = 1: the index of the first largest value"},
    [TOP_TIES] = {"many equal values", VALUES_NORMAL, 1, 500,
                  "equal values are taken in the order of their indices, the lower first"},
    [TOP_EQUAL] = {"all values equal", VALUES_ZEROS, 1, 300, "all equal: the answer is 0, 1, ..., k-1"},
    [TOP_NEGATIVE] = {"negative values only", VALUES_NORMAL, 1, 300,
                      "the values can all be negative: no mark such as -1 or a start from 0"},
    [TOP_SIGNED_ZEROS] = {"zeros of both signs", VALUES_ZEROS, 1, 300,
                          "-0 and 0 are equal: their order is by index"},
    {"huge values (around 1e150)", VALUES_HUGE, 1, 500, "compare the values as they are"},
    {"tiny values (around 1e-150)", VALUES_TINY, 1, 500,
     "tiny values are not equal: compare them as they are, with no threshold"},
    {"random arrays", VALUES_NORMAL, 1, 2000,
     "the first k entries of a stable sort of 0..n-1 by decreasing x"},
};

static void top_k_trial(Trial *t) {
    int n = t->n, c = t->c;
    int k = c == TOP_NONE ? 0 : c == TOP_ALL ? n : c == TOP_FIRST ? 1 : hidden_pick(t->r, 0, n);
    double *x = hidden_input(t, "x", (size_t)n, t->k->values);
    for (int i = 0; i < n; i++) {
        if (c == TOP_TIES) x[i] = (double)rng_below(t->r, 5) / 4.0;  // 0, 0.25, ..., 1
        if (c == TOP_NEGATIVE) x[i] = -1.0 - fabs(x[i]);
        if (c == TOP_SIGNED_ZEROS) x[i] = rng_below(t->r, 2) ? 0.0 : -0.0;
    }
    hidden_seal(t);
    int *want = hidden_output_int(t, NULL, (size_t)k, -1);
    int *idx = hidden_output_int(t, "idx", (size_t)k, t->trial ? 1 << 30 : -1);
    ref_top_k(want, x, n, k);
    top_k(idx, x, n, k);
    hidden_check_arrays(t, "top_k");
    hidden_compare_int(t, "top_k: idx", idx, want, (size_t)k);
}

GRADED_TEST(hidden_top_k) { HIDDEN_RUN(TOP_K_CASES, 72, top_k_trial); }
END_GRADED_TEST

// ---------------------------------------------------------------------------

enum { CONF_ONE_CLASS = 2, CONF_TIES, CONF_EQUAL, CONF_MANY_CLASSES, CONF_TINY };
static const HiddenCase CONFUSION_CASES[] = {
    {"a batch of one", VALUES_NORMAL, 1, 1, "n can be 1: one count of 1, every other 0"},
    {"no predictions at all", VALUES_NORMAL, 0, 0,
     "n can be 0: every count is 0, and counts held garbage"},
    [CONF_ONE_CLASS] = {"one class", VALUES_NORMAL, 1, 100, "classes can be 1: the matrix is [n]"},
    [CONF_TIES] = {"rows with ties", VALUES_NORMAL, 1, 500,
                   "the prediction is the FIRST largest entry of the row, as in count_correct()"},
    [CONF_EQUAL] = {"rows all equal", VALUES_ZEROS, 1, 300, "a row of equal entries predicts class 0"},
    [CONF_MANY_CLASSES] = {"up to 255 classes", VALUES_NORMAL, 1, 300,
                           "counts[a * classes + b]: row a is the label, column b the prediction"},
    [CONF_TINY] = {"tiny probabilities (around 1e-150)", VALUES_TINY, 1, 300,
                   "compare the entries as they are: tiny ones are not equal"},
    {"MNIST-sized batches", VALUES_NORMAL, 100, 5000,
     "every count is written: start from zero, whatever counts held"},
};

static void confusion_trial(Trial *t) {
    int n = t->n, c = t->c;
    int classes = c == CONF_ONE_CLASS ? 1 : c == CONF_MANY_CLASSES ? hidden_pick(t->r, 2, 255) : 10;
    size_t na = (size_t)n * classes, nc = (size_t)classes * classes;
    double *y = hidden_input(t, "y", na, t->k->values);
    if (c == CONF_TIES)
        for (size_t i = 0; i < na; i++) y[i] = (double)rng_below(t->r, 3) / 2.0;  // 0, 0.5 or 1
    else if (t->k->values == VALUES_NORMAL)
        probabilities(t->r, y, n, classes);
    else
        for (size_t i = 0; i < na; i++) y[i] = fabs(y[i]);
    uint8_t *labels = hidden_input_bytes(t, "labels", (size_t)n);
    for (int i = 0; i < n; i++) labels[i] = (uint8_t)rng_below(t->r, (uint32_t)classes);
    hidden_seal(t);
    int *want = hidden_output_int(t, NULL, nc, -1);
    int *counts = hidden_output_int(t, "counts", nc, t->trial ? 1000000 : -1);
    ref_confusion_matrix(want, y, labels, n, classes);
    confusion_matrix(counts, y, labels, n, classes);
    hidden_check_arrays(t, "confusion_matrix");
    hidden_compare_int(t, "confusion_matrix: counts", counts, want, nc);
}

GRADED_TEST(hidden_confusion_matrix) { HIDDEN_RUN(CONFUSION_CASES, 73, confusion_trial); }
END_GRADED_TEST

const GradedSuite graded_suite = {
    7, "the hardest digits (hidden tests)",
    (const GradedTest[]){
        {"hidden_per_example_loss", hidden_per_example_loss, 2,
         "per_example_loss against the reference: no rows, certain rows, tiny probabilities, soft "
         "and huge targets"},
        {"hidden_top_k", hidden_top_k, 3,
         "top_k against the reference: k = 0, k = n, ties, signed zeros, negative, huge and tiny "
         "values"},
        {"hidden_confusion_matrix", hidden_confusion_matrix, 2,
         "confusion_matrix against the reference: no predictions, ties, one class, up to 255 "
         "classes"},
    },
    3};
