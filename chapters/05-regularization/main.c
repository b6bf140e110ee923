// main.c: chapter 5, L1 and L2 regularization. Trains the study's 784-128-10
// tanh network with momentum for 8 epochs under each of the four penalties of
// its section 5 (L1 and L2, lambda 0.01 and 0.0001) and once without any, as
// the configs in this folder say; with --fast (the runs on the reference
// solutions, on the library's fast path) each with five seeds. The penalties'
// gradients are your exercises (ch5.h); the layers, the loss and the step are
// yours from chapters 2 to 4. It leaves the metrics, the tables (TSV), the
// figures and the numbers the book quotes (values.tsv, last) in the run folder.
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch2.h"
#include "ch3.h"
#include "ch4.h"
#include "ch5.h"
#include "chapter.h"
#include "experiment.h"
#include "program.h"

enum {
    STEPS = 8,
    BOOK_SEEDS = 5,      // seeds per experiment of the book's run (--fast, no --config)
    FEW = 256,           // the first pass over every function, on this many images
};

const StudySays STUDY[N_STUDY] = {
    {"l1-1e-2", "slower to converge, more accurate than λ = 10⁻⁴"},
    {"l1-1e-4", "faster, less accurate than λ = 10⁻²"},
    {"l2-1e-2", "slower to converge, more accurate than λ = 10⁻⁴"},
    {"l2-1e-4", "faster, less accurate than λ = 10⁻²; yet the most accurate of the four"},
};
static const char *const NO_PENALTY = "chapters/05-regularization/no-penalty.yaml";

//> ops
// The functions train() calls: yours, from chapters 2 to 5.
static const TrainOps OPS = {
    .cross_entropy = cross_entropy,     // chapter 2
    .count_correct = count_correct,
    .sgd_step = sgd_step,
    .net_forward = net_forward,         // chapter 3
    .net_backward = net_backward,
    .layers = {.linear_forward = linear_forward, .linear_backward = linear_backward,
               .act_forward = tanh_forward, .act_backward = tanh_backward,
               .softmax = softmax, .output_delta = output_delta},
    .momentum_step = momentum_step,     // chapter 4
    .should_stop = should_stop,
    .l1_gradient = l1_gradient,         // chapter 5
    .l2_gradient = l2_gradient,
};
//< ops

static double lambda_of(const Config *c) { return c->L1_penalty + c->L2_penalty; }

// ---------------------------------------------------------------------------
// Steps 1 and 2: the experiments, then the data they train on

static int read_experiments(Program *p, Mnist *data, Error *err) {
    Chapter *ch = &p->ch;
    chapter_step(ch, 1, "read the experiments");
    Experiments *E = &p->E;
    int n = ch->opt.config ? 1 : N_STUDY + 1;
    p->control = -1;
    for (int i = 0; i < n; i++) {
        const char *path = ch->opt.config ? ch->opt.config
                           : i < N_STUDY ? study_find(STUDY[i].name)->config : NO_PENALTY;
        Experiment *x = chapter_experiment(ch, E, path, NEEDS_HIDDEN | NEEDS_TANH, err);
        if (!x) return -1;
        const Config *c = &x->cfg;
        memcpy(x->key, x->name, sizeof x->name);  // values.tsv's keys: "l1-1e-2_mean"
        x->ops = OPS;
        x->seeds = chapter_seeds(ch, ch->opt.config ? 1 : BOOK_SEEDS, 1);
        x->note = i < N_STUDY && !ch->opt.config ? STUDY[i].says : "(not a run of the study)";
        if (c->L1_penalty > 0 && c->L2_penalty > 0)
            snprintf(x->label, sizeof x->label, "L1, λ = %g, and L2, λ = %g", c->L1_penalty,
                     c->L2_penalty);
        else if (lambda_of(c) > 0)
            snprintf(x->label, sizeof x->label, "L%d, λ = %g", c->L1_penalty > 0 ? 1 : 2,
                     lambda_of(c));
        else
            snprintf(x->label, sizeof x->label, "no penalty"), p->control = i;
    }
    return chapter_load_experiments(&p->ch, data, &p->E, err);  // and their data
}

// ---------------------------------------------------------------------------
// Step 3: your functions, before anything trains

static void check_close(const Program *p, const char *what, const double *got,
                        const double *want, const double *w, int n) {
    for (int i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= 1e-12))
            chapter_wrong(&p->ch, "%s: for w = %g, with 1 in g before the call, expected %.15g, "
                                  "got %.15g", what, w[i], want[i], got[i]);
}

static void check_penalties(Program *p) {
    enum { N = 5 };
    //> check-penalties
    const double w[N] = {-0.5, 0.0, 0.03, 2.0, -1e-9}, lambda = 0.1;
    double g1[N] = {1, 1, 1, 1, 1}, g2[N] = {1, 1, 1, 1, 1};  // the data's gradient, say
    l1_gradient(g1, w, lambda, N);
    l2_gradient(g2, w, lambda, N);
    double c = penalty(w, lambda, lambda, N);
    //< check-penalties
    double w1[N], w2[N], abs_sum = 0, sq_sum = 0;
    printf("      lambda = %g, and 1 in g before each call:\n      %-22s", lambda, "w");
    for (int i = 0; i < N; i++) {
        w1[i] = 1.0 + lambda * ((w[i] > 0) - (w[i] < 0));
        w2[i] = 1.0 + 2.0 * lambda * w[i];
        abs_sum += fabs(w[i]), sq_sum += w[i] * w[i];
        printf(" %10g", w[i]);
    }
    printf("\n      %-22s", "g after l1_gradient");
    for (int i = 0; i < N; i++) printf(" %10.6g", g1[i]);
    printf("\n      %-22s", "g after l2_gradient");
    for (int i = 0; i < N; i++) printf(" %10.6g", g2[i]);
    printf("\n");
    check_close(p, "l1_gradient, g + lambda sign(w)", g1, w1, w, N);
    check_close(p, "l2_gradient, g + 2 lambda w", g2, w2, w, N);
    double want = lambda * abs_sum + lambda * sq_sum;
    if (!(fabs(c - want) <= 1e-12))
        chapter_wrong(&p->ch, "penalty with l1 = l2 = %g: expected %.15g, got %.15g", lambda,
                      want, c);
    printf("      penalty(w, %g, %g) = %g: lambda sum |w| + lambda sum w^2\n", lambda, lambda, c);
    values_set(&p->ch.values, "check_lambda", "%g", lambda);
}

// ---------------------------------------------------------------------------
// Step 4: how strong a penalty per batch is

// x written out in decimals, with `sig` significant digits and no exponent
// ("0.000078" rather than "7.8e-05"): for numbers the book's prose quotes.
static void put_decimal(Program *p, const char *name, const char *what, double x, int sig) {
    int places = x > 0 ? sig - 1 - (int)floor(log10(x)) : 0;
    chapter_put(&p->ch, name, what, "%.*f", places < 0 ? 0 : places > 15 ? 15 : places, x);
}

// The settings the book quotes: the first experiment's.
static void put_settings(Program *p, int n_train) {
    const Config *c0 = &p->E.exp[0].cfg;
    Values *v = &p->ch.values;
    values_set(v, "batch_size", "%d", c0->batch_size);
    values_set(v, "learning_rate", "%g", c0->learning_rate);
    values_set(v, "mean_rate", "%g", c0->learning_rate * c0->batch_size);
    values_set(v, "gamma", "%g", c0->momentum_gamma);
    values_set(v, "boost", "%g", 1.0 / (1.0 - c0->momentum_gamma));
    values_set(v, "epochs", "%d", c0->epochs);
    values_set(v, "steps", "%d", (n_train + c0->batch_size - 1) / c0->batch_size);
    values_set(v, "init_sd1", "%.3f", 1.0 / sqrt(c0->layer_specs[0]));
    values_set(v, "init_sd2", "%.3f", 1.0 / sqrt(c0->layer_specs[1]));
    values_set(v, "patience", "%d", PATIENCE);
}

// What each penalty alone does to one weight, in a step, an epoch and the
// whole run: strength-l1.tsv (how far L1 moves it), strength-l2.tsv (what L2
// multiplies it by).
static int penalty_strength(Program *p, int n_train, Error *err) {
    Experiments *E = &p->E;
    Tsv t[2];
    if (tsv_open(&t[0], chapter_file(&p->ch, "strength-l1.tsv"),
                 "label\tper_mean\tstep\tepoch\tall", err) != 0)
        return -1;
    if (tsv_open(&t[1], chapter_file(&p->ch, "strength-l2.tsv"),
                 "label\tper_mean\tstep\tepoch\tall", err) != 0) {
        tsv_abort(&t[0]);
        return -1;
    }
    for (int e = 0; e < E->n_exp; e++) {
        const Experiment *x = &E->exp[e];
        const Config *c = &x->cfg;
        if (lambda_of(c) <= 0 || (c->L1_penalty > 0 && c->L2_penalty > 0)) continue;
        bool l1 = c->L1_penalty > 0;
        int steps = (n_train + c->batch_size - 1) / c->batch_size;
        double lam = lambda_of(c), per_mean = lam / c->batch_size;
        double boost = c->momentum ? 1.0 / (1.0 - c->momentum_gamma) : 1.0;
        double one, epoch, all;  // a distance (L1) or a factor (L2)
        //> strength
        if (c->L1_penalty > 0) {
            // L1: every step moves a weight by rate * lambda towards 0; with
            // momentum, once the velocity has built up, 1 / (1 - gamma) times that
            one = c->learning_rate * lam * boost;
            epoch = one * steps, all = epoch * c->epochs;
        } else {
            // L2: every step multiplies a weight by 1 - rate * 2 lambda; with
            // momentum, by 1 - rate * 2 lambda / (1 - gamma)
            one = 1.0 - c->learning_rate * 2.0 * lam * boost;
            epoch = pow(one, steps), all = pow(one, (double)steps * c->epochs);
        }
        //< strength
        Tsv *o = &t[!l1];  // L1's moves towards 0, as changes of the weight
        tsv_text(o, x->label), tsv_num(o, per_mean);
        tsv_num(o, l1 ? -one : one), tsv_num(o, l1 ? -epoch : epoch), tsv_num(o, l1 ? -all : all);
        printf("      %-14s lambda / B = %.2g; alone, the penalty %s a weight %s %.3g a step, %.3g "
               "an epoch, %.3g in %d epochs\n", x->label, per_mean, l1 ? "moves" : "multiplies",
               l1 ? "towards 0 by" : "by", one, epoch, all, c->epochs);
        put_decimal(p, x->name, "per_mean", per_mean, 2);
        // a library's "weight decay", added as decay * w to the mean gradient
        if (!l1) put_decimal(p, x->name, "decay", 2.0 * lam / c->batch_size, 2);
        chapter_put(&p->ch, x->name, l1 ? "pull_epoch" : "keep_epoch", l1 ? "%.3g" : "%.3f", epoch);
        chapter_put(&p->ch, x->name, l1 ? "pull_all" : "keep_all", l1 ? "%.2g" : "%.3f", all);
        // How close to 0 the L1 push keeps a weight that it has brought there:
        // back and forth across 0, the velocity needs about 1 / (1 - gamma)
        // steps to turn, each moving up to rate lambda boost.
        if (l1) chapter_put(&p->ch, x->name, "hop", "%.1g", c->learning_rate * lam * boost * boost);
    }
    if (tsv_close(&t[0], err) != 0) {
        tsv_abort(&t[1]);
        return -1;
    }
    return tsv_close(&t[1], err);
}

// ---------------------------------------------------------------------------
// Step 5: the runs, and what each leaves in its weights

//> after-run
// After each run, in its own process: the sizes of its weights, layer by
// layer, the histograms of the first layer's, which pixels the hidden units
// ignore (lib/weights.h), and the penalty lambda C of the final weights.
static int weigh(void *out, Net *net, const Run *r, const Experiment *x, void *ctx, Error *err) {
    (void)r, (void)ctx, (void)err;
    Weights *o = out;
    weights_measure(&o->w, net, NEAR_ZERO);
    for (int l = 0; l < net->n_layers; l++)
        o->penalty_end += penalty(net->W[l], x->cfg.L1_penalty, x->cfg.L2_penalty,
                                  net->sizes[l + 1] * net->sizes[l]);
    return 0;
}
//< after-run

// ---------------------------------------------------------------------------
// Step 6: the results over the seeds

//> patience
// When a patience of PATIENCE epochs would have stopped this run: the first
// epoch that ends PATIENCE epochs without a new lowest validation loss, or 0
// if none does (the chapter 4 rule, applied afterwards to the curve).
int patience_stop(const History *h) {
    int best = 1;
    for (int e = 2; e <= h->epochs; e++) {
        if (h->val_loss[e] < h->val_loss[best]) best = e;
        if (e - best >= PATIENCE) return e;
    }
    return 0;
}
//< patience

// ---------------------------------------------------------------------------
// Chapter 5's steps, after the command line: read and load the experiments,
// check your penalties, lambda's meaning, train, the results, the weights, draw

static int steps(void *ctx, Mnist *data, Error *err) {
    Program *p = ctx;
    Chapter *ch = &p->ch;
    Experiments *E = &p->E;
    if (read_experiments(p, data, err) != 0) return -1;
    chapter_step(ch, 3, "the penalties' gradients on five weights (your l1_gradient, l2_gradient, "
                        "penalty), then every function at once");
    check_penalties(p);
    if (experiments_try(E, FEW, err) != 0) return -1;
    chapter_step(ch, 4, "what lambda means when the penalty is added once per summed batch");
    put_settings(p, data->train.n);
    if (penalty_strength(p, data->train.n, err) != 0) return -1;

    // the first seed's training curves; every seed's loss on the training split after its
    // last epoch, whose mean the chapter quotes
    E->out_size = sizeof(Weights), E->after = weigh, E->ctx = p;
    E->train_metrics = FIRST_SEEDS_ENDS;
    char what[64];
    snprintf(what, sizeof what, "%d experiments x %d seeds", E->n_exp, E->exp[0].seeds);
    int rc = chapter_train(ch, E, 5, what, err);
    if (rc != 0) return rc;
    double cpu = 0;
    for (int r = 0; r < E->n_runs; r++) cpu += E->runs[r].res.seconds;
    values_set(&ch->values, "epoch_s", "%.2f", cpu / (E->n_runs * E->exp[0].cfg.epochs));

    chapter_step(ch, 6, "the results, over the seeds");
    if (experiments_read(E, err) != 0) return -1;
    for (int e = 0; e < E->n_exp; e++) converge(p, e);
    claims(p);
    values_set(&ch->values, "seeds", "%d", E->sum[0].n);
    values_set(&ch->values, "seed_last", "%llu", (unsigned long long)(E->seed + E->sum[0].n - 1));
    // The study's numbers (lib/study.c): the run of its section 4.2.4 that
    // these start from, and the epochs it then trained with each penalty.
    const StudyExperiment *from = study_find("momentum-early-stop");
    values_set(&ch->values, "study_from_acc", "%.2f", from->acc);
    values_set(&ch->values, "study_from_epochs", "%d", from->stop_epoch);
    values_set(&ch->values, "study_epochs", "%d", study_find(STUDY[0].name)->stop_epoch);
    chapter_step(ch, 7, "the trained weights (the first seed's)");
    if (report_weights(p, err) != 0 ||
        experiments_write_results(E, chapter_file(ch, "results.tsv"), MORE_COLUMNS, more_columns, p,
                                  err) != 0)
        return -1;
    chapter_step(ch, 8, "draw the curves, the seeds and the weights");
    return draw_figures(p, err);
}

int main(int argc, char **argv) {
    static Program p = {.ch = {.number = 5, .title = "L1 and L2 regularization", .steps = STEPS,
                               .reads_config = true}};
    return chapter_main(&p.ch, argc, argv, steps, &p);
}
