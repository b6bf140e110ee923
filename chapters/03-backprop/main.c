// main.c: chapter 3, backpropagation and the numerical gradient check. A
// 784-128-10 network (lib/net.h) computes its gradients by backpropagation
// (your net_forward and net_backward, built from your layers: ch3.h) and by
// central differences (your numerical_gradient), and the two are set side by
// side: the six weights of the study's Table 1, how the difference shrinks
// with epsilon, every weight of a small network, and what the check makes of
// four deliberate mistakes. The tables go to .tsv files, which the book and
// the terminal show.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "batch.h"
#include "ch2.h"  // softmax, from chapter 2
#include "ch3.h"
#include "chapter.h"
#include "measure.h"
#include "mistakes.h"
#include "study.h"
#include "yours.h"

enum { STEPS = 8, HIDDEN = 128, SMALL_HIDDEN = 16, SMALL_BATCH = 4, EPS_STEPS = 8 };

//> constants
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

// The 784-128-10 network on one training example, and what steps 4 to 6 take
// from it.
typedef struct {
    Batch bt;
    int label, rival;     // the example's class, and the most probable wrong one
    double y_label;       // the probability the network gives the true class
    int pixel;            // the pixel Table 1's first weight comes from
    double *w_in, *g_in;  // that weight and its gradient
    double diff[STUDY_TABLE1_ROWS];  // Table 1's differences
} One;

static void put(Chapter *ch, const char *key, int i, const char *fmt, double x) {
    char k[48];
    snprintf(k, sizeof k, "%s%d", key, i);
    values_set(&ch->values, k, fmt, x);
}

// ---------------------------------------------------------------------------
// Steps 3 and 4: the network, forward and backward on one example

static int one_example(Chapter *ch, One *o, const Split *tr, Error *err) {
    if (batch_create(&o->bt, tr, HIDDEN, 1, &LAYERS, ch->opt.seed, NET_INIT_SD, err) != 0)
        return -1;
    printf("      %d weights and biases; weights normal with mean 0 and sd %g, biases 0\n",
           o->bt.net.n_params, NET_INIT_SD);
    values_set(&ch->values, "init_sd", "%g", NET_INIT_SD);
    chapter_step(ch, 4, "forward and backward on one training example");
    double loss = batch_loss(&o->bt);
    batch_backprop(&o->bt);
    const double *y = o->bt.acts.h[1];
    o->label = tr->labels[0];
    int best = 0;
    for (int k = 1; k < MNIST_CLASSES; k++) best = y[k] > y[best] ? k : best;
    o->rival = o->label == 0 ? 1 : 0;
    for (int k = 0; k < MNIST_CLASSES; k++)
        if (k != o->label && y[k] > y[o->rival]) o->rival = k;
    o->y_label = y[o->label];
    printf("      training example 0, a %d: probability %.4f for a %d, %.4f for its favourite, "
           "a %d; loss %.4f\n", o->label, o->y_label, o->label, y[best], best, loss);
    Values *v = &ch->values;
    values_set(v, "params", "%d", o->bt.net.n_params);
    values_set(v, "hidden", "%d", HIDDEN);
    values_set(v, "eps", "%.0e", STUDY_EPSILON);
    values_set(v, "eps2", "%.0e", STUDY_EPSILON * STUDY_EPSILON);
    values_set(v, "seed", "%llu", (unsigned long long)ch->opt.seed);
    values_set(v, "example", "%d", 0);
    values_set(v, "label", "%d", o->label);
    values_set(v, "y_label", "%.4f", o->y_label);
    values_set(v, "y_best", "%.4f", y[best]);
    values_set(v, "best_class", "%d", best);
    values_set(v, "loss", "%.4f", loss);
    values_set(v, "uniform_loss", "%.4f", log(10.0));
    return 0;
}

// ---------------------------------------------------------------------------
// Step 5: the study's Table 1

//> pick
// The brightest pixel of the rows [r0, r1) of the image: the first in
// reading order when several share the largest value.
static int brightest(const uint8_t *img, int r0, int r1, int cols) {
    int best = r0 * cols;
    for (int p = r0 * cols; p < r1 * cols; p++) if (img[p] > img[best]) best = p;
    return best;
}
//< pick

// The study's table as it printed it, and what its output bias says.
static int study_table1(Chapter *ch, Error *err) {
    Tsv t;
    if (tsv_open(&t, chapter_file(ch, "study-table1.tsv"),
                 "weight\tbetween\tbackprop\tnumerical\tdiff", err) != 0)
        return -1;
    for (int i = 0; i < STUDY_TABLE1_ROWS; i++) {
        const StudyGradient *s = &STUDY_TABLE1[i];
        tsv_text(&t, s->weight), tsv_text(&t, s->between);
        tsv_num(&t, s->backprop), tsv_num(&t, s->numerical), tsv_num(&t, s->diff);
    }
    const StudyGradient *bias = &STUDY_TABLE1[STUDY_TABLE1_OUTPUT_BIAS];
    values_set(&ch->values, "study_bias_grad", "%.4f", bias->backprop);
    values_set(&ch->values, "study_bias_grad5", "%.5f", bias->backprop);
    values_set(&ch->values, "study_bias_diff", "%.4e", bias->diff);
    values_set(&ch->values, "study_bias_over_inputs", "%.0f",
               bias->diff / fmax(STUDY_TABLE1[0].diff, STUDY_TABLE1[1].diff));
    return tsv_close(&t, err);
}

// Our six weights, in the study's order, and the gradient check of each.
static int table1(Chapter *ch, One *o, const Split *tr, Error *err) {
    chapter_step(ch, 5, "the study's Table 1: six weights, backprop against central differences");
    if (study_table1(ch, err) != 0) return -1;
    Net *n = &o->bt.net, *g = &o->bt.grad;
    int in = n->sizes[0], hid = n->sizes[1], cols = tr->cols, half = tr->rows / 2;
    int p1 = brightest(tr->pixels, 0, half, cols), p2 = brightest(tr->pixels, half, tr->rows, cols);
    const int at[STUDY_TABLE1_ROWS][2] = {{0, 0 * in + p1}, {0, 1 * in + p2}, {1, 0},
        {2, o->label * hid + 0}, {2, o->rival * hid + 1}, {3, o->label}};
    double *const group[2][4] = {{n->W[0], n->b[0], n->W[1], n->b[1]},
                                 {g->W[0], g->b[0], g->W[1], g->b[1]}};
    char which[STUDY_TABLE1_ROWS][48];
    snprintf(which[0], 48, "pixel (%d, %d) to hidden 0", p1 / cols, p1 % cols);
    snprintf(which[1], 48, "pixel (%d, %d) to hidden 1", p2 / cols, p2 % cols);
    snprintf(which[2], 48, "into hidden 0");
    snprintf(which[3], 48, "hidden 0 to output %d", o->label);
    snprintf(which[4], 48, "hidden 1 to output %d", o->rival);
    snprintf(which[5], 48, "into output %d", o->label);
    Tsv t;
    if (tsv_open(&t, chapter_file(ch, "table1.tsv"),
                 "weight\tbetween\twhich\tbackprop\tnumerical\tdiff\tstudy_diff", err) != 0)
        return -1;
    for (int i = 0; i < STUDY_TABLE1_ROWS; i++) {
        double *w = &group[0][at[i][0]][at[i][1]], *grad = &group[1][at[i][0]][at[i][1]];
        //> table1-row
        double backprop = *grad;
        double numerical = numerical_gradient(w, STUDY_EPSILON, batch_loss, &o->bt);
        double diff = fabs(backprop - numerical);
        //< table1-row
        tsv_text(&t, STUDY_TABLE1[i].weight), tsv_text(&t, STUDY_TABLE1[i].between);
        tsv_text(&t, which[i]), tsv_num(&t, backprop), tsv_num(&t, numerical);
        tsv_num(&t, diff), tsv_num(&t, STUDY_TABLE1[i].diff);
        put(ch, "t1_grad_", i + 1, "%.4e", backprop);
        put(ch, "t1_num_", i + 1, "%.4e", numerical);
        put(ch, "t1_diff_", i + 1, "%.4e", diff);
        o->diff[i] = diff;
    }
    o->pixel = p1, o->w_in = &n->W[0][p1], o->g_in = &g->W[0][p1];
    values_set(&ch->values, "pixel1", "(%d, %d)", p1 / cols, p1 % cols);
    values_set(&ch->values, "pixel2", "(%d, %d)", p2 / cols, p2 % cols);
    values_set(&ch->values, "pixel1_value", "%d", tr->pixels[p1]);
    values_set(&ch->values, "pixel2_value", "%d", tr->pixels[p2]);
    values_set(&ch->values, "pixel1_z", "%.3f", o->bt.x[p1]);
    values_set(&ch->values, "rival", "%d", o->rival);
    return tsv_close(&t, err) != 0 || chapter_show(ch, "table1.tsv", err) != 0 ? -1 : 0;
}

// Every difference within epsilon squared, and why two of them are larger.
static void table1_verdict(Chapter *ch, const One *o) {
    double worst = 0.0, eps2 = STUDY_EPSILON * STUDY_EPSILON, z = o->bt.x[o->pixel];
    int row = 0;
    for (int i = 0; i < STUDY_TABLE1_ROWS; i++)
        if (!(o->diff[i] <= worst)) worst = o->diff[i], row = i;  // a NaN counts as worst
    printf("      the largest difference is %.1e, %s epsilon squared = %.0e\n", worst,
           worst <= eps2 ? "within" : "NOT within", eps2);
    if (!(worst <= eps2))
        chapter_wrong(ch, "the gradient of the weight %s differs from central differences by %.3g, "
                      "more than epsilon squared = %.0e", STUDY_TABLE1[row].between, worst, eps2);
    values_set(&ch->values, "t1_worst", "%.1e", worst);
    // The first weight and the hidden bias feed the same unit: along the
    // weight the loss is E(a1 + x w), so its third derivative, and with it the
    // error of central differences, is x^3 times the bias's. Likewise the
    // weight from hidden unit 0 to the true class: h0^3 times the output bias's.
    double h0 = o->bt.acts.h[0][0];
    values_set(&ch->values, "pixel1_z3", "%.1f", z * z * z);
    values_set(&ch->values, "ratio_w_b", "%.1f", o->diff[0] / o->diff[2]);
    values_set(&ch->values, "h0", "%.4f", h0);
    values_set(&ch->values, "h0_cubed", "%.2e", fabs(h0 * h0 * h0));
    values_set(&ch->values, "ratio_w2_b2", "%.2e", o->diff[3] / o->diff[5]);
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

// Along the output bias of the true class, E(b) = -ln y(b), whose derivatives
// are E' = y - 1, E'' = y (1 - y), E''' = y (1 - y) (1 - 2 y): the errors
// central and one-sided differences should make, beside those they make.
static int epsilon_sweep(Chapter *ch, One *o, Error *err) {
    double *bias = &o->bt.net.b[1][o->label], exact = o->bt.grad.b[1][o->label], y = o->y_label;
    double d2 = y * (1.0 - y), d3 = y * (1.0 - y) * (1.0 - 2.0 * y);
    Tsv t;
    if (tsv_open(&t, chapter_file(ch, "eps.tsv"),
                 "eps_exp\tcentral\tcentral_predicted\tone_sided\tone_sided_predicted\tinput", err))
        return -1;
    _Static_assert(EPS_STEPS >= 6, "the claims below read the errors down to 10^-6");
    double central_at[EPS_STEPS + 1], predicted_at[EPS_STEPS + 1];
    bool taylor = true;  // both errors within 5% of their predictions, down to 10^-4
    for (int k = 1; k <= EPS_STEPS; k++) {
        double eps = pow(10.0, -k);
        double central = fabs(numerical_gradient(bias, eps, batch_loss, &o->bt) - exact);
        double onesided = fabs(one_sided(bias, eps, batch_loss, &o->bt) - exact);
        double input = fabs(numerical_gradient(o->w_in, eps, batch_loss, &o->bt) - *o->g_in);
        double pc = eps * eps / 6.0 * fabs(d3), po = eps / 2.0 * d2;
        tsv_int(&t, -k), tsv_num(&t, central), tsv_num(&t, pc), tsv_num(&t, onesided);
        tsv_num(&t, po), tsv_num(&t, input);
        put(ch, "central_", k, "%.1e", central);
        put(ch, "predicted_", k, "%.1e", pc);
        put(ch, "onesided_", k, "%.1e", onesided);
        put(ch, "input_", k, "%.1e", input);
        central_at[k] = central, predicted_at[k] = pc;
        if (k <= 4)
            taylor = taylor && fabs(central / pc - 1) < 0.05 && fabs(onesided / po - 1) < 0.05;
    }
    // Below 10^-4 the central error leaves its prediction, stops falling, and at
    // the smallest epsilon has grown back above its level at 10^-5.
    chapter_claim(ch, "claim_taylor", taylor && central_at[5] > 2 * predicted_at[5]);
    chapter_claim(ch, "claim_rounding", central_at[6] > central_at[5] / 2 &&
                                            central_at[EPS_STEPS] > central_at[5]);
    values_set(&ch->values, "d3", "%.4f", d3);
    values_set(&ch->values, "predicted_bias", "%.4e", STUDY_EPSILON * STUDY_EPSILON / 6 * fabs(d3));
    values_set(&ch->values, "d2", "%.4f", d2);
    return tsv_close(&t, err) != 0 || chapter_show(ch, "eps.tsv", err) != 0 ? -1 : 0;
}

static int epsilon(Chapter *ch, One *o, const Split *tr, Error *err) {
    chapter_step(ch, 6, "the difference against epsilon, for the output bias and an input weight");
    // The study's own output bias: its gradient y - 1 gives its y, and so the
    // difference central differences must have made there.
    const StudyGradient *s = &STUDY_TABLE1[STUDY_TABLE1_OUTPUT_BIAS];
    double ys = 1.0 + s->backprop;
    double pred = STUDY_EPSILON * STUDY_EPSILON / 6.0 * ys * (1 - ys) * (1 - 2 * ys);
    printf("      the study's output bias: y = %.5f, so eps^2/6 E''' = %.4e; it reports %.4e\n",
           ys, pred, s->diff);
    values_set(&ch->values, "study_y", "%.5f", ys);
    values_set(&ch->values, "study_pred", "%.4e", pred);
    // How large the error on a weight from a pixel can get: it grows with
    // the cube of the pixel's z-score.
    Darkest d;
    if (darkest_pixels(&d, tr, err) != 0) return -1;
    printf("      an image's darkest pixel lies %.2f sds above its mean (the median); for a 1, "
           "%.2f, and for one 1 in twenty, more than %.2f\n", d.median, d.one_median, d.one_p95);
    values_set(&ch->values, "zmax_median", "%.1f", d.median);
    values_set(&ch->values, "zmax_one_median", "%.1f", d.one_median);
    values_set(&ch->values, "zmax_one_p95", "%.1f", d.one_p95);
    return epsilon_sweep(ch, o, err);
}

// ---------------------------------------------------------------------------
// Steps 7 and 8: every weight of a small network, right and wrong

static int every_weight(Chapter *ch, Batch *bt, double *numerical, Error *err) {
    double start = wall_time();
    //> every-weight
    for (int i = 0; i < bt->net.n_params; i++)
        numerical[i] = numerical_gradient(&bt->net.params[i], EPS_ALL, batch_loss, bt);
    batch_backprop(bt);
    Compare c = compare_gradients(&bt->net, bt->grad.params, numerical, REL_FLOOR, REL_LIMIT);
    //< every-weight
    values_set(&ch->values, "small_check_s", "%.2f", wall_time() - start);
    Tsv t;
    if (tsv_open(&t, chapter_file(ch, "check.tsv"), "group\tcount\trel\tdiff", err) != 0)
        return -1;
    for (int g = 0; g < COMPARE_GROUPS; g++) {
        tsv_text(&t, COMPARE_NAMES[g]), tsv_int(&t, c.count[g]);
        tsv_num(&t, c.rel[g]), tsv_num(&t, c.diff[g]);
        chapter_put(ch, "all_rel", COMPARE_NAMES[g], "%.1e", c.rel[g]);
    }
    if (tsv_close(&t, err) != 0 || chapter_show(ch, "check.tsv", err) != 0) return -1;
    values_set(&ch->values, "small_count", "%d", c.count[COMPARE_ALL]);
    values_set(&ch->values, "small_hidden", "%d", SMALL_HIDDEN);
    values_set(&ch->values, "small_batch", "%d", SMALL_BATCH);
    values_set(&ch->values, "eps_all", "%.0e", EPS_ALL);
    values_set(&ch->values, "rel_limit", "%.0e", REL_LIMIT);
    values_set(&ch->values, "rel_floor", "%.0e", REL_FLOOR);
    values_set(&ch->values, "all_abs", "%.1e", c.diff[COMPARE_ALL]);
    printf("      the largest relative error is %.1e, %s the limit %.0e\n", c.rel[COMPARE_ALL],
           c.flagged[COMPARE_ALL] == 0 ? "within" : "NOT within", REL_LIMIT);
    if (c.flagged[COMPARE_ALL] != 0)
        chapter_wrong(ch, "%d of the %d gradients of the small network differ from central "
                      "differences by more than %.0e (relative)", c.flagged[COMPARE_ALL],
                      c.count[COMPARE_ALL], REL_LIMIT);
    return 0;
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
    Batch small = {0};
    double *numerical = NULL;
    DataOptions dopt = cli_data_options(&ch.opt);

    chapter_step(&ch, 1, "load MNIST and split it");
    int rc = mnist_load(&m, &dopt, &err);
    if (rc == 0 && m.train.n < SMALL_BATCH)
        rc = error_set(&err, "only %d training examples: this chapter needs %d", m.train.n,
                       SMALL_BATCH);
    if (rc == 0) {
        printf("      %d training examples (seed %llu); this chapter uses the first %d\n",
               m.train.n, (unsigned long long)ch.opt.seed, SMALL_BATCH);
        chapter_step(&ch, 2, "your functions, one at a time");
        rc = your_functions(&ch, &m.train, &LAYERS, &err);
    }
    if (rc == 0) {
        chapter_step(&ch, 3, "the network: 128 tanh units, then softmax; weights from --seed");
        rc = one_example(&ch, &one, &m.train, &err);
    }
    if (rc == 0 && (rc = table1(&ch, &one, &m.train, &err)) == 0) table1_verdict(&ch, &one);
    if (rc == 0) rc = epsilon(&ch, &one, &m.train, &err);
    if (rc == 0) {
        chapter_step(&ch, 7, "every weight of a network of 16 tanh units, on a batch of 4 digits");
        rc = batch_create(&small, &m.train, SMALL_HIDDEN, SMALL_BATCH, &LAYERS, ch.opt.seed,
                          NET_INIT_SD, &err);
        numerical = rc == 0 ? error_calloc(&err, (size_t)small.net.n_params, sizeof(double),
                                           "the gradient") : NULL;
        rc = numerical ? every_weight(&ch, &small, numerical, &err) : -1;
    }
    if (rc == 0) {
        chapter_step(&ch, 8, "four deliberate mistakes in the backward pass, and what the check "
                             "sees");
        rc = mistakes(&ch, &small, numerical, REL_FLOOR, REL_LIMIT, &err);
    }
    free(numerical);
    batch_free(&small), batch_free(&one.bt);
    mnist_free(&m);
    return chapter_end(&ch, rc, &err);
}
