// mistakes.c: step 8 of chapter 3, four deliberate mistakes in the backward
// pass and what the gradient check makes of them (mistakes.h).
#include "mistakes.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ch3.h"
#include "measure.h"

//> broken-layers
// Four deliberate mistakes, each made by giving your net_backward one broken
// function among its layers: the chain stays as it is, and each mistake is
// one a chain can make (forgetting a step, giving a step the wrong array).
typedef enum {
    BUG_NO_TANH_DERIVATIVE,  // dE/da taken to be dE/dh: tanh' forgotten
    BUG_TANH_OF_INPUT,       // 1 - a^2 instead of 1 - tanh(a)^2: the net input for the output
    BUG_DELTA_SIGN,          // t - y, the study's delta, used as a gradient
    BUG_BIAS_FIRST_EXAMPLE,  // the output bias's gradient from example 0 only
    BUG_COUNT
} Bug;
static const char *const BUG_NAMES[BUG_COUNT] = {
    "Derivative of tanh left out",
    "Derivative of tanh taken at its input",
    "Sign of the output delta flipped",
    "Output bias summed over one example",
};

static const Batch *broken_batch;  // the batch the broken functions work on

static void no_derivative(double *dinp, const double *dout, const double *out, int n) {
    (void)out;
    memmove(dinp, dout, sizeof(double) * (size_t)n);  // dE/da = dE/dh
}

static void derivative_at_input(double *dinp, const double *dout, const double *out, int n) {
    const Acts *acts = &broken_batch->acts;  // the net input a of the layer whose output h is out
    int l = 0;
    while (l < NET_MAX_LAYERS - 1 && acts->h[l] != out) l++;
    tanh_backward(dinp, dout, acts->h[l] == out ? acts->a[l] : out, n);
}

static void delta_flipped(double *delta, const double *y, const double *t, int B, int K) {
    output_delta(delta, t, y, B, K);  // t - y: the arguments swapped
}

static void bias_of_first_example(double *dinp, double *dW, double *dbias, const double *dout,
                                  const double *inp, const double *W, int B, int C, int OC) {
    linear_backward(dinp, dW, dbias, dout, inp, W, B, C, OC);
    const Net *net = &broken_batch->net;
    if (W == net->W[net->n_layers - 1])  // the output layer: forgot the loop over the examples
        for (int o = 0; o < OC; o++) dbias[o] = dout[o];
}

static Layers broken_layers(Bug bug, const Layers *yours) {
    Layers l = *yours;
    if (bug == BUG_NO_TANH_DERIVATIVE) l.act_backward = no_derivative;
    if (bug == BUG_TANH_OF_INPUT) l.act_backward = derivative_at_input;
    if (bug == BUG_DELTA_SIGN) l.output_delta = delta_flipped;
    if (bug == BUG_BIAS_FIRST_EXAMPLE) l.linear_backward = bias_of_first_example;
    return l;
}
//< broken-layers

int mistakes(Chapter *ch, Batch *bt, const double *numerical, double floor, double limit,
             Error *err) {
    Tsv t;
    if (tsv_open(&t, chapter_file(ch, "bugs.tsv"), "mistake\tW1\tb1\tW2\tb2\tflagged\tcount", err))
        return -1;
    broken_batch = bt;
    for (int bug = 0; bug < BUG_COUNT; bug++) {
        Layers layers = broken_layers((Bug)bug, bt->layers);
        batch_loss(bt);
        net_backward(&bt->grad, &bt->acts, &bt->net, bt->x, bt->t, &layers, bt->B);
        Compare c = compare_gradients(&bt->net, bt->grad.params, numerical, floor, limit);
        char prefix[32];
        snprintf(prefix, sizeof prefix, "bug%d_rel", bug + 1);
        tsv_text(&t, BUG_NAMES[bug]);
        for (int g = 0; g < COMPARE_ALL; g++) {
            tsv_num(&t, c.rel[g]);
            chapter_put(ch, prefix, COMPARE_NAMES[g], "%.1e", c.rel[g]);
        }
        tsv_int(&t, c.flagged[COMPARE_ALL]), tsv_int(&t, c.count[COMPARE_ALL]);
        snprintf(prefix, sizeof prefix, "bug%d", bug + 1);
        chapter_put(ch, prefix, "flagged", "%d", c.flagged[COMPARE_ALL]);
        if (bug == BUG_DELTA_SIGN) {  // every gradient -1 times the right one: 2 in every block
            bool two = true;
            for (int g = 0; g < COMPARE_ALL; g++) two = two && fabs(c.rel[g] - 2) < 1e-6;
            chapter_claim(ch, "claim_sign_two", two);
        }
        if (c.flagged[COMPARE_ALL] == 0) {
            tsv_abort(&t);
            return error_set(err, "the check did not catch the mistake \"%s\"", BUG_NAMES[bug]);
        }
    }
    if (tsv_close(&t, err) != 0 || chapter_show(ch, "bugs.tsv", err) != 0) return -1;
    // The second mistake's slope against the true one, at the batch's net inputs.
    double gap;
    batch_loss(bt);
    if (slope_gap_median(&gap, &bt->acts, bt->net.sizes[1], bt->B, err) != 0) return -1;
    printf("      1 - a^2 against 1 - tanh^2(a) at the batch's hidden net inputs: a median gap of "
           "%.2g%% of the true slope\n", gap);
    values_set(&ch->values, "bug2_slope_diff_pct", "%.2g", gap);
    return 0;
}
