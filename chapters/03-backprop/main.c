// main.c: chapter 3, backpropagation and the numerical gradient check. A
// 784-128-10 network (lib/net.h) computes its gradients by backpropagation
// (your net_forward and net_backward, built from your layers: ch3.h) and by
// central differences (your numerical_gradient), and the two are set side by
// side: the six weights of the study's Table 1, how the difference shrinks
// with epsilon, every weight of a small network, and what the check makes of
// four deliberate mistakes.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch2.h"  // softmax and cross_entropy, from chapter 2
#include "ch3.h"
#include "chapter.h"
#include "dataset.h"
#include "metrics.h"
#include "net.h"
#include "output.h"

enum { STEPS = 8, HIDDEN = 128, SMALL_HIDDEN = 16, SMALL_BATCH = 4 };

//> constants
static const double EPS = 1e-2;          // the study's epsilon, for Table 1
static const double EPS_ALL = 1e-5;      // for every weight of the small network
static const double REL_FLOOR = 1e-6;    // relative errors divide by at least this
static const double REL_LIMIT = 1e-3;    // the largest relative error we accept
//< constants

//> init
// The study does not say how it started its weights. Its Table 1 does say
// that the network it checked gave the true class a probability of 0.1004
// (the output bias's gradient y - 1 is -0.8996): almost exactly 1/10, so its
// ten logits were nearly equal, which is what small initial weights give.
// So every weight here is drawn from a normal with mean 0 and standard
// deviation 0.01, seeded (net_init), and every bias starts at 0.
static const double NET_INIT_SD = 0.01;
//< init

//> layers
// What your net_forward and net_backward are built from: your layers,
// tanh, and chapter 2's softmax.
static const Layers LAYERS = {
    .linear_forward = linear_forward, .linear_backward = linear_backward,
    .act_forward = tanh_forward, .act_backward = tanh_backward,
    .softmax = softmax, .output_delta = output_delta,
};
//< layers

// A network, its gradient, and the activations of a batch of B examples.
typedef struct {
    Net net, grad;
    Acts acts;
    double *x, *t;   // [B, 784], [B, 10]
    int B;
    const Layers *layers;
} Batch;

static int batch_create(Batch *bt, const Split *tr, int hidden, int B, uint64_t seed, Error *err) {
    const int sizes[3] = {tr->dim, hidden, MNIST_CLASSES};
    *bt = (Batch){.B = B, .layers = &LAYERS};
    if (net_create(&bt->net, 2, sizes, err) != 0 || net_create(&bt->grad, 2, sizes, err) != 0 ||
        acts_create(&bt->acts, &bt->net, B, err) != 0)
        return -1;
    net_init(&bt->net, seed, NET_INIT_SD);
    bt->x = error_calloc(err, (size_t)B * tr->dim, sizeof(double), "a batch");
    bt->t = error_calloc(err, (size_t)B * MNIST_CLASSES, sizeof(double), "its targets");
    if (!bt->x || !bt->t) return -1;
    split_range(bt->x, bt->t, tr, 0, B);
    return 0;
}

static void batch_free(Batch *bt) {
    net_free(&bt->net), net_free(&bt->grad);
    acts_free(&bt->acts);
    free(bt->x), free(bt->t);
}

//> batch-loss
// The loss of one fixed batch as a function of the weights, for
// numerical_gradient: your forward pass on the weights as they are at the
// call, and the cross-entropy summed over the batch (chapter 2's is the mean).
static double batch_loss(void *batch) {
    Batch *bt = batch;
    net_forward(&bt->acts, &bt->net, bt->x, bt->layers, bt->B);
    return bt->B * cross_entropy(bt->acts.h[1], bt->t, bt->B, MNIST_CLASSES);
}
//< batch-loss

// Backpropagation on the batch: the forward pass, then the backward one.
static void backprop(Batch *bt) {
    net_forward(&bt->acts, &bt->net, bt->x, bt->layers, bt->B);
    net_backward(&bt->grad, &bt->acts, &bt->net, bt->x, bt->t, bt->layers, bt->B);
}

// The study's Table 1 (Szeto and Thomas, section 3.2), row by row: the
// gradient by backpropagation, the numerical one, and the absolute difference
// between the two. Its rows are two input-to-hidden weights, a hidden bias,
// two hidden-to-output weights and, last, the output bias.
static const double STUDY_BACKPROP[6] = {-1.2282e-3, -1.5063e-3, 3.0450e-3,
                                         1.7730e-2, 1.5636e-2, -8.9961e-1};
static const double STUDY_NUMERICAL[6] = {-1.2282e-3, -1.5062e-3, 3.0449e-3,
                                          1.7730e-2, 1.5636e-2, -8.9961e-1};
static const double STUDY_DIFF[6] = {6.6801e-9, 8.3850e-9, 9.6145e-8,
                                     6.8067e-9, 4.6279e-9, 1.2030e-6};
enum { STUDY_BIAS_ROW = 5 };  // the output bias's row

// ---------------------------------------------------------------------------
// Step 1: how far the darkest pixel of an image lies above its mean

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// The z-score of each training image's darkest pixel: the median over all
// images, and the median and 95th percentile over the images of a 1. The
// error of central differences on a weight from a pixel grows with the cube
// of that pixel's z-score (step 5), so these say how large it can get.
static int darkest_pixels(Chapter *ch, const Split *tr, Error *err) {
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
    double med = all[tr->n / 2], med1 = n1 ? ones[n1 / 2] : NAN;
    double p95 = n1 ? ones[(int)(0.95 * (n1 - 1))] : NAN;
    printf("      the darkest pixel of an image lies %.2f sds above its mean (the median);\n"
           "      for a 1, %.2f, and for one 1 in twenty, more than %.2f\n", med, med1, p95);
    values_set(&ch->values, "zmax_median", "%.1f", med);
    values_set(&ch->values, "zmax_one_median", "%.1f", med1);
    values_set(&ch->values, "zmax_one_p95", "%.1f", p95);
    free(all), free(ones);
    return 0;
}

// ---------------------------------------------------------------------------
// Step 2: your functions, one at a time, in the order the chapter has them:
// each on a case small enough to work by hand, so that the first unfinished
// or wrong one stops the run before anything depends on it

#define EXPECT(ok, ...) do { if (!(ok)) chapter_wrong(ch, __VA_ARGS__); } while (0)

static bool near(double a, double b) { return fabs(a - b) <= 1e-12 * fmax(1.0, fabs(b)); }

static double square(void *w) { return *(double *)w * *(double *)w; }

static void your_layers(const Chapter *ch) {
    // one example through a layer of two units: out = inp W^T + b
    const double inp[2] = {1, 2}, W[4] = {1, 0, -1, 1}, b[2] = {0.5, -0.5}, dout[2] = {1, -1};
    double out[2] = {NAN, NAN}, dinp[2] = {NAN, NAN}, dW[4] = {NAN, NAN, NAN, NAN}, db[2] = {NAN, NAN};
    linear_forward(out, inp, W, b, 1, 2, 2);
    EXPECT(near(out[0], 1.5) && near(out[1], 0.5),
           "linear_forward of {1, 2} by W = {1, 0; -1, 1}, b = {0.5, -0.5}: expected {1.5, 0.5}, "
           "got {%g, %g}", out[0], out[1]);
    linear_backward(dinp, dW, db, dout, inp, W, 1, 2, 2);
    EXPECT(near(dinp[0], 2) && near(dinp[1], -1) && near(dW[0], 1) && near(dW[1], 2) &&
               near(dW[2], -1) && near(dW[3], -2) && near(db[0], 1) && near(db[1], -1),
           "linear_backward of dout = {1, -1} on the same layer: expected dinp {2, -1}, dW {1, 2, "
           "-1, -2}, dbias {1, -1}; got {%g, %g}, {%g, %g, %g, %g}, {%g, %g}", dinp[0], dinp[1],
           dW[0], dW[1], dW[2], dW[3], db[0], db[1]);
    double a[2] = {0, 1}, h[2] = {NAN, NAN}, dh[2] = {1, 1}, hh[2] = {0, 0.5};
    tanh_forward(h, a, 2);
    EXPECT(near(h[0], 0) && near(h[1], tanh(1.0)), "tanh_forward of {0, 1}: expected {0, %.15g}, "
           "got {%g, %.15g}", tanh(1.0), h[0], h[1]);
    tanh_backward(dh, dh, hh, 2);
    EXPECT(near(dh[0], 1) && near(dh[1], 0.75), "tanh_backward of dout {1, 1} at out {0, 0.5}: "
           "expected {1, 0.75} (1 - out^2), got {%g, %g}", dh[0], dh[1]);
    const double y[2] = {0.25, 0.75}, t[2] = {0, 1};
    double delta[2] = {NAN, NAN};
    output_delta(delta, y, t, 1, 2);
    EXPECT(near(delta[0], 0.25) && near(delta[1], -0.25), "output_delta of y {0.25, 0.75} and "
           "t {0, 1}: expected y - t = {0.25, -0.25}, got {%g, %g}", delta[0], delta[1]);
    double w = 3;
    double slope = numerical_gradient(&w, 0.1, square, &w);
    EXPECT(fabs(slope - 6) < 1e-9 && w == 3, "numerical_gradient of w^2 at w = 3, eps 0.1: "
           "expected 6 and w back at 3, got %.15g and w = %.17g", slope, w);
}

static int your_passes(const Chapter *ch, const Split *tr, Error *err) {
    // a 784-2-10 network on two images: the passes run, y is a softmax, and
    // the backward pass agrees with central differences on the output bias
    Batch bt;
    if (batch_create(&bt, tr, 2, 2, 7, err) != 0) {
        batch_free(&bt);
        return -1;
    }
    backprop(&bt);
    for (int b = 0; b < 2; b++) {
        double sum = 0;
        for (int k = 0; k < MNIST_CLASSES; k++) sum += bt.acts.h[1][b * MNIST_CLASSES + k];
        EXPECT(fabs(sum - 1) < 1e-9, "net_forward: row %d of the last layer's output, the "
               "probabilities, sums to %g, not 1: is it softmax's?", b, sum);
    }
    for (int k = 0; k < MNIST_CLASSES; k++) {
        double num = numerical_gradient(&bt.net.b[1][k], 1e-5, batch_loss, &bt);
        EXPECT(fabs(num - bt.grad.b[1][k]) < 1e-6, "net_backward: the gradient of the output "
               "bias %d is %g; central differences of your forward pass give %g", k,
               bt.grad.b[1][k], num);
    }
    batch_free(&bt);
    return 0;
}

// ---------------------------------------------------------------------------
// Step 4: one example, forward and backward

typedef struct {
    Batch bt;             // the 784-128-10 network, on one example
    int example;          // its index in the training split
    int label;
    double y_label;       // the probability it gives the true class
    double h0;            // the output of hidden unit 0
    double *w_in, *g_in;  // Table 1's first weight and its gradient, for step 6
} One;

static int one_example(Chapter *ch, One *o, const Split *tr) {
    chapter_step(ch, 4, "forward and backward on one training example");
    o->example = 0;
    o->label = tr->labels[o->example];
    Batch *bt = &o->bt;
    double loss = batch_loss(bt);
    net_backward(&bt->grad, &bt->acts, &bt->net, bt->x, bt->t, bt->layers, 1);
    const double *y = bt->acts.h[1];
    int best = 0;
    for (int k = 1; k < MNIST_CLASSES; k++) if (y[k] > y[best]) best = k;
    printf("      training example %d, a %d; the untrained network's probabilities:\n     ",
           o->example, o->label);
    for (int k = 0; k < MNIST_CLASSES; k++) printf(" %d: %.3f", k, y[k]);
    printf("\n      loss -ln y_%d = %.4f; dE/da2 = y - t is %.4f for the true class\n", o->label,
           loss, bt->acts.d[1][o->label]);
    values_set(&ch->values, "example", "%d", o->example);
    values_set(&ch->values, "label", "%d", o->label);
    o->y_label = y[o->label];
    o->h0 = bt->acts.h[0][0];
    values_set(&ch->values, "y_label", "%.4f", o->y_label);
    values_set(&ch->values, "y_best", "%.4f", y[best]);
    values_set(&ch->values, "best_class", "%d", best);
    values_set(&ch->values, "loss", "%.4f", loss);
    values_set(&ch->values, "uniform_loss", "%.4f", log(10.0));
    return 0;
}

// ---------------------------------------------------------------------------
// Step 5: the study's Table 1

typedef struct {
    const char *kind, *kind_md;  // "w_ij (input to hidden)", its math for the book
    char which[64];              // which weight, in words
    double *w, *g;               // the weight in net, its gradient in grad
} Pick;

// x as the study writes it, "-1.2282 \times 10^{-3}", for the book's tables.
static const char *sci(char buf[48], double x) {
    char e[32];
    snprintf(e, sizeof e, "%.4e", x);
    char *mark = strchr(e, 'e');
    if (!mark || !isfinite(x)) return snprintf(buf, 48, "\\text{%s}", e), buf;
    *mark = '\0';
    int exponent = atoi(mark + 1);
    if (exponent == 0) snprintf(buf, 48, "%s", e);
    else snprintf(buf, 48, "%s \\times 10^{%d}", e, exponent);
    return buf;
}

static int pixel_on(int p, int cols, char *buf, size_t size) {
    return snprintf(buf, size, "(%d, %d)", p / cols, p % cols);
}

//> pick
// The brightest pixel of the rows [r0, r1) of the image: the first in
// reading order when several share the largest value.
static int brightest(const uint8_t *img, int r0, int r1, int cols) {
    int best = r0 * cols;
    for (int p = r0 * cols; p < r1 * cols; p++) if (img[p] > img[best]) best = p;
    return best;
}
//< pick

static int table1(Chapter *ch, One *o, const Split *tr, Error *err) {
    chapter_step(ch, 5, "the study's Table 1: six weights, backprop against central differences");
    const Net *n = &o->bt.net;
    const Net *g = &o->bt.grad;
    const double *y = o->bt.acts.h[1];
    int in = n->sizes[0], hidden = n->sizes[1];
    const uint8_t *img = tr->pixels + (size_t)o->example * tr->dim;
    int half = tr->rows / 2, p1 = brightest(img, 0, half, tr->cols),
        p2 = brightest(img, half, tr->rows, tr->cols);
    int rival = o->label == 0 ? 1 : 0;  // the most probable wrong class
    for (int k = 0; k < MNIST_CLASSES; k++)
        if (k != o->label && y[k] > y[rival]) rival = k;

    Pick pick[6] = {
        {"w_ij (input to hidden)", "$w_{ij}$ (input to hidden)", "", &n->W[0][0 * in + p1],
         &g->W[0][0 * in + p1]},
        {"w_ij (input to hidden)", "$w_{ij}$ (input to hidden)", "", &n->W[0][1 * in + p2],
         &g->W[0][1 * in + p2]},
        {"w_bj (bias to hidden)", "$w_{bj}$ (bias to hidden)", "", &n->b[0][0], &g->b[0][0]},
        {"w_jk (hidden to output)", "$w_{jk}$ (hidden to output)", "",
         &n->W[1][o->label * hidden + 0], &g->W[1][o->label * hidden + 0]},
        {"w_jk (hidden to output)", "$w_{jk}$ (hidden to output)", "",
         &n->W[1][rival * hidden + 1], &g->W[1][rival * hidden + 1]},
        {"w_bk (bias to output)", "$w_{bk}$ (bias to output)", "", &n->b[1][o->label],
         &g->b[1][o->label]},
    };
    o->w_in = pick[0].w, o->g_in = pick[0].g;
    char px[32];
    pixel_on(p1, tr->cols, px, sizeof px);
    snprintf(pick[0].which, sizeof pick[0].which, "pixel %s to hidden 0", px);
    pixel_on(p2, tr->cols, px, sizeof px);
    snprintf(pick[1].which, sizeof pick[1].which, "pixel %s to hidden 1", px);
    snprintf(pick[2].which, sizeof pick[2].which, "into hidden 0");
    snprintf(pick[3].which, sizeof pick[3].which, "hidden 0 to output %d", o->label);
    snprintf(pick[4].which, sizeof pick[4].which, "hidden 1 to output %d", rival);
    snprintf(pick[5].which, sizeof pick[5].which, "into output %d", o->label);

    // The study's own table, as it printed it, for the book.
    OutFile md;
    if (out_open(&md, chapter_file(ch, "study-table1.md"), err) != 0) return -1;
    fprintf(md.f, "| Weight | Backprop | Central difference | Difference |\n"
                  "|:--|--:|--:|--:|\n");
    for (int i = 0; i < 6; i++) {
        char a[48], b[48], c[48];
        fprintf(md.f, "| %s | $%s$ | $%s$ | $%s$ |\n", pick[i].kind_md, sci(a, STUDY_BACKPROP[i]),
                sci(b, STUDY_NUMERICAL[i]), sci(c, STUDY_DIFF[i]));
    }
    if (out_commit(&md, err) != 0) return -1;
    // Its output bias: the gradient y - 1, its difference, and how many times
    // the larger of its two input-to-hidden differences that difference is.
    const double bias_grad = STUDY_BACKPROP[STUDY_BIAS_ROW];
    values_set(&ch->values, "study_bias_grad", "%.4f", bias_grad);
    values_set(&ch->values, "study_bias_grad5", "%.5f", bias_grad);
    values_set(&ch->values, "study_bias_diff", "%.4e", STUDY_DIFF[STUDY_BIAS_ROW]);
    values_set(&ch->values, "study_bias_over_inputs", "%.0f",
               STUDY_DIFF[STUDY_BIAS_ROW] / fmax(STUDY_DIFF[0], STUDY_DIFF[1]));

    if (out_open(&md, chapter_file(ch, "table1.md"), err) != 0) return -1;
    fprintf(md.f, "| Weight | Which | Backprop | Central difference | Difference "
                  "| The study's difference |\n|:--|:--|--:|--:|--:|--:|\n");
    printf("      %-24s %-24s %12s %12s %11s %11s\n", "weight", "which", "backprop", "numerical",
           "difference", "the study's");
    double worst = 0.0, diffs[6];
    int worst_row = 0;
    for (int i = 0; i < 6; i++) {
        //> table1-row
        double backprop = *pick[i].g;
        double numerical = numerical_gradient(pick[i].w, EPS, batch_loss, &o->bt);
        double diff = fabs(backprop - numerical);
        //< table1-row
        diffs[i] = diff;
        printf("      %-24s %-24s %12.4e %12.4e %11.4e %11.4e\n", pick[i].kind, pick[i].which,
               backprop, numerical, diff, STUDY_DIFF[i]);
        char a[48], b[48], c[48], d[48];
        fprintf(md.f, "| %s | %s | $%s$ | $%s$ | $%s$ | $%s$ |\n", pick[i].kind_md,
                pick[i].which, sci(a, backprop), sci(b, numerical), sci(c, diff),
                sci(d, STUDY_DIFF[i]));
        if (!(diff <= worst)) worst = diff, worst_row = i;  // a NaN counts as worst
        char key[32];
        snprintf(key, sizeof key, "t1_grad_%d", i + 1);
        values_set(&ch->values, key, "%.4e", backprop);
        snprintf(key, sizeof key, "t1_num_%d", i + 1);
        values_set(&ch->values, key, "%.4e", numerical);
        snprintf(key, sizeof key, "t1_diff_%d", i + 1);
        values_set(&ch->values, key, "%.4e", diff);
    }
    if (out_commit(&md, err) != 0) return -1;
    values_set(&ch->values, "pixel1", "(%d, %d)", p1 / tr->cols, p1 % tr->cols);
    values_set(&ch->values, "pixel2", "(%d, %d)", p2 / tr->cols, p2 % tr->cols);
    values_set(&ch->values, "pixel1_value", "%d", img[p1]);
    values_set(&ch->values, "pixel2_value", "%d", img[p2]);
    // The first weight and the hidden bias feed the same unit: along the
    // weight the loss is E(a1 + x w), so its third derivative, and with it the
    // error of central differences, is x^3 times the bias's.
    double z1 = o->bt.x[p1];
    values_set(&ch->values, "pixel1_z", "%.3f", z1);
    values_set(&ch->values, "pixel1_z3", "%.1f", z1 * z1 * z1);
    values_set(&ch->values, "ratio_w_b", "%.1f", diffs[0] / diffs[2]);
    // Likewise the weight from hidden unit 0 to the true class moves that
    // class's logit by h0 times its own change: h0^3 times the output bias's.
    values_set(&ch->values, "h0", "%.4f", o->h0);
    values_set(&ch->values, "h0_cubed", "%.2e", fabs(o->h0 * o->h0 * o->h0));
    values_set(&ch->values, "ratio_w2_b2", "%.2e", diffs[3] / diffs[5]);
    values_set(&ch->values, "rival", "%d", rival);
    values_set(&ch->values, "t1_worst", "%.1e", worst);
    printf("      the largest difference is %.1e, %s epsilon squared = %.0e\n", worst,
           worst <= EPS * EPS ? "within" : "NOT within", EPS * EPS);
    if (!(worst <= EPS * EPS)) {
        char what[256];
        snprintf(what, sizeof what, "the gradient of %s (%s) differs from central differences "
                 "by %.3g, more than epsilon squared = %.0e", pick[worst_row].kind,
                 pick[worst_row].which, worst, EPS * EPS);
        chapter_wrong(ch, "%s", what);
    }
    return 0;
}

// ---------------------------------------------------------------------------
// Step 6: how the difference depends on epsilon

//> one-sided
// The one-sided difference, for comparison: (E(w0 + eps) - E(w0)) / eps.
static double one_sided(double *w, double eps, double (*loss)(void *ctx), void *ctx) {
    const double w0 = *w;
    double at = loss(ctx);
    *w = w0 + eps;
    double plus = loss(ctx);
    *w = w0;
    return (plus - at) / eps;
}
//< one-sided

static int eps_sweep(Chapter *ch, One *o, Error *err) {
    chapter_step(ch, 6, "the difference against epsilon, for the output bias and an input weight");
    double *bias = &o->bt.net.b[1][o->label], exact = o->bt.grad.b[1][o->label], y = o->y_label;
    // Along this one bias, E(b) = -ln y(b), and its derivatives are
    // E' = y - 1, E'' = y (1 - y), E''' = y (1 - y) (1 - 2 y).
    double d2 = y * (1.0 - y), d3 = y * (1.0 - y) * (1.0 - 2.0 * y);
    OutFile md;
    if (out_open(&md, chapter_file(ch, "eps.md"), err) != 0) return -1;
    fprintf(md.f, "| $\\epsilon$ | Central: error | $\\frac{\\epsilon^2}{6} E'''$ "
                  "| One-sided: error | $\\frac{\\epsilon}{2} E''$ | Central, input weight: error "
                  "|\n|--:|--:|--:|--:|--:|--:|\n");
    printf("      %8s %14s %14s %14s %14s %14s\n", "epsilon", "central", "eps^2/6 E'''",
           "one-sided", "eps/2 E''", "input weight");
    for (int k = 1; k <= 8; k++) {
        double eps = pow(10.0, -k);
        double central = fabs(numerical_gradient(bias, eps, batch_loss, &o->bt) - exact);
        double onesided = fabs(one_sided(bias, eps, batch_loss, &o->bt) - exact);
        double input = fabs(numerical_gradient(o->w_in, eps, batch_loss, &o->bt) - *o->g_in);
        double pc = eps * eps / 6.0 * fabs(d3), po = eps / 2.0 * d2;
        printf("      %8.0e %14.3e %14.3e %14.3e %14.3e %14.3e\n", eps, central, pc, onesided, po,
               input);
        char a[48], b[48], c[48], d[48], e[48];
        fprintf(md.f, "| $10^{-%d}$ | $%s$ | $%s$ | $%s$ | $%s$ | $%s$ |\n", k, sci(a, central),
                sci(b, pc), sci(c, onesided), sci(d, po), sci(e, input));
        char key[32];
        snprintf(key, sizeof key, "central_%d", k);
        values_set(&ch->values, key, "%.1e", central);
        snprintf(key, sizeof key, "predicted_%d", k);
        values_set(&ch->values, key, "%.1e", pc);
        snprintf(key, sizeof key, "onesided_%d", k);
        values_set(&ch->values, key, "%.1e", onesided);
        snprintf(key, sizeof key, "input_%d", k);
        values_set(&ch->values, key, "%.1e", input);
    }
    // The study's own output bias: its gradient y - 1 gives its y, and so
    // the difference central differences must have made there.
    double grad = STUDY_BACKPROP[STUDY_BIAS_ROW], ys = 1.0 + grad;
    double study_pred = EPS * EPS / 6.0 * ys * (1 - ys) * (1 - 2 * ys);
    printf("      the study's output bias: y - 1 = %.5f, so y = %.5f and eps^2/6 E''' = %.4e;\n"
           "      the difference it reports is %.4e\n", grad, ys, study_pred,
           STUDY_DIFF[STUDY_BIAS_ROW]);
    values_set(&ch->values, "study_y", "%.5f", ys);
    values_set(&ch->values, "study_pred", "%.4e", study_pred);
    values_set(&ch->values, "d3", "%.4f", d3);
    values_set(&ch->values, "predicted_bias", "%.4e", EPS * EPS / 6.0 * fabs(d3));
    values_set(&ch->values, "d2", "%.4f", d2);
    return out_commit(&md, err);
}

// ---------------------------------------------------------------------------
// Steps 7 and 8: every weight of a small network, right and wrong

static const char *const GROUP_NAMES[4] = {"W1", "b1", "W2", "b2"};
static const char *const GROUP_MD[4] = {"$W_1$ (input to hidden)", "$b_1$ (bias to hidden)",
                                        "$W_2$ (hidden to output)", "$b_2$ (bias to output)"};

typedef struct {
    int count[5];          // per group, and all
    double rel[5], diff[5]; // the largest relative error and absolute difference
    int flagged[5];        // how many relative errors are above REL_LIMIT
} Compare;

// Which of W1, b1, W2, b2 parameter i of n belongs to.
static int group_of(const Net *n, int i) {
    const double *p = n->params + i;
    return p < n->b[0] ? 0 : p < n->W[1] ? 1 : p < n->b[1] ? 2 : 3;
}

//> relative-error
static double relative_error(double a, double b) {
    return fabs(a - b) / fmax(fmax(fabs(a), fabs(b)), REL_FLOOR);
}
//< relative-error

static Compare compare(const Net *n, const double *backprop, const double *numerical) {
    Compare c;
    memset(&c, 0, sizeof c);
    for (int i = 0; i < n->n_params; i++) {
        double rel = relative_error(backprop[i], numerical[i]);
        double d = fabs(backprop[i] - numerical[i]);
        int gs[2] = {group_of(n, i), 4};
        for (int j = 0; j < 2; j++) {
            int g = gs[j];
            c.count[g]++;
            if (!(rel <= c.rel[g])) c.rel[g] = rel;  // NaN sticks
            if (!(d <= c.diff[g])) c.diff[g] = d;
            c.flagged[g] += !(rel <= REL_LIMIT);
        }
    }
    return c;
}

typedef struct {
    Batch bt;            // the 784-16-10 network, on SMALL_BATCH examples
    double *numerical;   // its gradient by central differences
} Small;

static void small_free(Small *s) {
    batch_free(&s->bt);
    free(s->numerical);
}

static int every_weight(Chapter *ch, Small *s, const Split *tr, Error *err) {
    char title[160];
    snprintf(title, sizeof title, "every weight of a %d-%d-%d network, on a batch of %d digits",
             tr->dim, SMALL_HIDDEN, MNIST_CLASSES, SMALL_BATCH);
    chapter_step(ch, 7, title);
    Batch *bt = &s->bt;
    if (batch_create(bt, tr, SMALL_HIDDEN, SMALL_BATCH, ch->opt.seed, err) != 0) return -1;
    s->numerical = error_calloc(err, (size_t)bt->net.n_params, sizeof(double), "the gradient");
    if (!s->numerical) return -1;

    //> every-weight
    for (int i = 0; i < bt->net.n_params; i++)
        s->numerical[i] = numerical_gradient(&bt->net.params[i], EPS_ALL, batch_loss, bt);
    backprop(bt);
    Compare c = compare(&bt->net, bt->grad.params, s->numerical);
    //< every-weight

    OutFile md;
    if (out_open(&md, chapter_file(ch, "check.md"), err) != 0) return -1;
    fprintf(md.f, "| Parameters | How many | Largest relative error | Largest absolute difference "
                  "|\n|:--|--:|--:|--:|\n");
    printf("      %-4s %8s %14s %14s\n", "", "weights", "relative", "absolute");
    for (int g = 0; g < 5; g++) {
        const char *name = g < 4 ? GROUP_NAMES[g] : "all";
        printf("      %-4s %8d %14.2e %14.2e\n", name, c.count[g], c.rel[g], c.diff[g]);
        char a[48], b[48];
        fprintf(md.f, "| %s | %d | $%s$ | $%s$ |\n", g < 4 ? GROUP_MD[g] : "all", c.count[g],
                sci(a, c.rel[g]), sci(b, c.diff[g]));
        char key[32];
        snprintf(key, sizeof key, "all_rel_%s", name);
        values_set(&ch->values, key, "%.1e", c.rel[g]);
    }
    if (out_commit(&md, err) != 0) return -1;
    values_set(&ch->values, "small_count", "%d", c.count[4]);
    values_set(&ch->values, "small_hidden", "%d", SMALL_HIDDEN);
    values_set(&ch->values, "small_batch", "%d", SMALL_BATCH);
    values_set(&ch->values, "eps_all", "%.0e", EPS_ALL);
    values_set(&ch->values, "rel_limit", "%.0e", REL_LIMIT);
    values_set(&ch->values, "rel_floor", "%.0e", REL_FLOOR);
    values_set(&ch->values, "all_abs", "%.1e", c.diff[4]);
    printf("      the largest relative error is %.1e, %s the limit %.0e\n", c.rel[4],
           c.flagged[4] == 0 ? "within" : "NOT within", REL_LIMIT);
    if (c.flagged[4] != 0) {
        char what[256];
        snprintf(what, sizeof what, "%d of the %d gradients of the small network differ from "
                 "central differences by more than %.0e (relative)", c.flagged[4], c.count[4],
                 REL_LIMIT);
        chapter_wrong(ch, "%s", what);
    }
    return 0;
}

// The second mistake, 1 - a^2 in place of 1 - tanh^2(a): how far it is from
// the true slope at the net inputs of the check, for every hidden unit and
// example of the batch, as a share of the true slope. The median, in percent.
static int slope_gap(Chapter *ch, Small *s, Error *err) {
    int n = SMALL_BATCH * s->bt.net.sizes[1];
    double *gap = error_calloc(err, (size_t)n, sizeof(double), "the slopes");
    if (!gap) return -1;
    batch_loss(&s->bt);  // the net inputs a and outputs h of the hidden layer
    for (int i = 0; i < n; i++) {
        double a = s->bt.acts.a[0][i], h = s->bt.acts.h[0][i], slope = 1.0 - h * h;
        gap[i] = slope > 0 ? 100.0 * fabs((1.0 - a * a) - slope) / slope : INFINITY;
    }
    qsort(gap, (size_t)n, sizeof(double), by_value);
    double median = n % 2 ? gap[n / 2] : (gap[n / 2 - 1] + gap[n / 2]) / 2;
    printf("      1 - a^2 against 1 - tanh^2(a) at the batch's %d hidden net inputs: a median gap "
           "of %.2g%% of the true slope\n", n, median);
    values_set(&ch->values, "bug2_slope_diff_pct", "%.2g", median);
    free(gap);
    return 0;
}

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

static Layers broken_layers(Bug bug) {
    Layers l = LAYERS;
    if (bug == BUG_NO_TANH_DERIVATIVE) l.act_backward = no_derivative;
    if (bug == BUG_TANH_OF_INPUT) l.act_backward = derivative_at_input;
    if (bug == BUG_DELTA_SIGN) l.output_delta = delta_flipped;
    if (bug == BUG_BIAS_FIRST_EXAMPLE) l.linear_backward = bias_of_first_example;
    return l;
}
//< broken-layers

static int broken(Chapter *ch, Small *s, Error *err) {
    chapter_step(ch, 8, "four deliberate mistakes in the backward pass, and what the check sees");
    Batch *bt = &s->bt;
    OutFile md;
    if (out_open(&md, chapter_file(ch, "bugs.md"), err) != 0) return -1;
    fprintf(md.f, "| The mistake | $W_1$ | $b_1$ | $W_2$ | $b_2$ | Gradients flagged |\n"
                  "|:--|--:|--:|--:|--:|--:|\n");
    printf("      largest relative error of each group, and how many of the %d are above %.0e\n",
           bt->net.n_params, REL_LIMIT);
    printf("      %-40s %9s %9s %9s %9s %8s\n", "", "W1", "b1", "W2", "b2", "flagged");
    broken_batch = bt;
    for (int bug = 0; bug < BUG_COUNT; bug++) {
        Layers layers = broken_layers((Bug)bug);
        batch_loss(bt);
        net_backward(&bt->grad, &bt->acts, &bt->net, bt->x, bt->t, &layers, bt->B);
        Compare c = compare(&bt->net, bt->grad.params, s->numerical);
        printf("      %-40s %9.1e %9.1e %9.1e %9.1e %8d\n", BUG_NAMES[bug], c.rel[0], c.rel[1],
               c.rel[2], c.rel[3], c.flagged[4]);
        fprintf(md.f, "| %s |", BUG_NAMES[bug]);
        for (int g = 0; g < 4; g++) {
            char a[48];
            fprintf(md.f, " $%s$ |", sci(a, c.rel[g]));
            char key[32];
            snprintf(key, sizeof key, "bug%d_rel_%s", bug + 1, GROUP_NAMES[g]);
            values_set(&ch->values, key, "%.1e", c.rel[g]);
        }
        fprintf(md.f, " %d of %d |\n", c.flagged[4], c.count[4]);
        char key[32];
        snprintf(key, sizeof key, "bug%d_flagged", bug + 1);
        values_set(&ch->values, key, "%d", c.flagged[4]);
        if (c.flagged[4] == 0) {
            out_abort(&md);
            return error_set(err, "the check did not catch the mistake \"%s\"", BUG_NAMES[bug]);
        }
    }
    if (out_commit(&md, err) != 0) return -1;
    return slope_gap(ch, s, err);
}

// ---------------------------------------------------------------------------

int main(int argc, char **argv) {
    Chapter ch = {.number = 3, .title = "backpropagation and the gradient check",
                  .steps = STEPS, .advice = "run `make check-ch3` to see which exercise is wrong"};
    int status;
    if (!chapter_begin(&ch, argc, argv, &status)) return status;
    Error err = {{0}};

    Mnist m = {0};
    One one = {0};
    Small small = {0};
    DataOptions dopt = cli_data_options(&ch.opt);
    chapter_step(&ch, 1, "load MNIST and split it");
    int rc = mnist_load(&m, &dopt, &err);
    if (rc == 0 && m.train.n < SMALL_BATCH)
        rc = error_set(&err, "only %d training examples: this chapter needs %d", m.train.n,
                       SMALL_BATCH);
    if (rc == 0) {
        printf("      %d training examples (seed %llu); this chapter uses the first %d\n",
               m.train.n, (unsigned long long)ch.opt.seed, SMALL_BATCH);
        rc = darkest_pixels(&ch, &m.train, &err);
    }
    if (rc == 0) {
        chapter_step(&ch, 2, "your functions, one at a time");
        your_layers(&ch);
        rc = your_passes(&ch, &m.train, &err);
        if (rc == 0) printf("      each gives the answer worked out by hand, and the passes agree "
                            "with central differences\n");
    }
    if (rc == 0) {
        char title[160];
        snprintf(title, sizeof title, "a %d-%d-%d network, tanh then softmax, weights from "
                 "seed %llu", m.train.dim, HIDDEN, MNIST_CLASSES,
                 (unsigned long long)ch.opt.seed);
        chapter_step(&ch, 3, title);
        rc = batch_create(&one.bt, &m.train, HIDDEN, 1, ch.opt.seed, &err);
    }
    if (rc == 0) {
        printf("      %d weights and biases; weights normal with mean 0 and sd %g, biases 0\n",
               one.bt.net.n_params, NET_INIT_SD);
        values_set(&ch.values, "params", "%d", one.bt.net.n_params);
        values_set(&ch.values, "hidden", "%d", HIDDEN);
        values_set(&ch.values, "eps", "%.0e", EPS);
        values_set(&ch.values, "eps2", "%.0e", EPS * EPS);
        values_set(&ch.values, "seed", "%llu", (unsigned long long)ch.opt.seed);
        rc = one_example(&ch, &one, &m.train);
    }
    if (rc == 0) rc = table1(&ch, &one, &m.train, &err);
    if (rc == 0) rc = eps_sweep(&ch, &one, &err);
    if (rc == 0) rc = every_weight(&ch, &small, &m.train, &err);
    if (rc == 0) rc = broken(&ch, &small, &err);
    small_free(&small);
    batch_free(&one.bt);
    mnist_free(&m);
    return chapter_end(&ch, rc, &err);
}
