// main.c: chapter 4, momentum and early stopping. Trains the study's
// 784-128-10 tanh network (Szeto and Thomas, section 4) four ways, one config
// in this folder each: plain minibatch SGD for 100 epochs, with momentum
// (gamma 0.9), with early stopping (patience 3), and with both. Then a few
// epochs with the study's Algorithm 2 exactly as printed, to show what that
// rule does. The runs go side by side (lib/experiment.h); with --fast (the
// runs on the reference solutions) all but the printed rule's train on the
// library's fast path, each over five seeds. It
// leaves the metrics, the tables (TSV), the figures and the numbers the book
// quotes (values.tsv, last) in the run folder.
//
//   build/bin/ch4-solutions                       the four experiments
//   build/bin/ch4-solutions --config FILE         just one, any config of the study's form
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "chapter.h"
#include "experiment.h"
#include "network.h"
#include "program.h"

enum {
    STEPS = 7,
    PRINTED_EPOCHS = 3,   // the printed rule's short run
    FEW = 256,            // the first pass over every function, on this many images
    BOOK_SEEDS = 5,       // seeds of each experiment, with --fast: where the runs with
                          // early stopping stop moves from seed to seed, and they go
                          // inside the runs without it (lib/train.h), which need the
                          // same seeds for that
    YOUR_EPOCHS = 25,     // on your functions, every run stops here (--max-epochs says
                          // otherwise): where early stopping stops, and momentum's lowest
                          // validation loss and the rise after it, show by then, in a
                          // fraction of the time; the runs with early stopping stop here
                          // too, so that they are still the others cut short
                          // (lib/experiment.h's Run)
};

// The study's four (lib/study.c, program.h), and their keys in values.tsv.
const char *const NAMES[N_STUDY] = {"plain", "momentum", "early-stop", "momentum-early-stop"};
static const char *const KEYS[N_STUDY] = {"plain", "mom", "es", "both"};

// ---------------------------------------------------------------------------
// The study's Algorithm 2, as printed

//> printed-rule
// w <- w - (alpha Delta_end + gamma Delta_start): Delta_end is this batch's
// summed gradient, Delta_start the previous batch's, and Delta_0 = 0 at the
// start of each epoch. It has the signature of momentum_step, so the training
// loop can run it: `prev` (the loop's velocity buffer) keeps the previous
// batch's gradient. Nothing scales it by the learning rate.
static int printed_batches_per_epoch = 1;  // set before training
static long printed_calls = 0;

static void printed_momentum_step(double *w, double *prev, const double *g, double rate,
                                  double gamma, int count) {
    bool epoch_start = printed_calls++ % printed_batches_per_epoch == 0;
    for (int i = 0; i < count; i++) {
        double delta_start = epoch_start ? 0.0 : prev[i];
        w[i] -= rate * g[i] + gamma * delta_start;
        prev[i] = g[i];
    }
}
//< printed-rule

// Before each run, in its process: the printed rule counts its batches anew.
static int printed_start(void *out, Net *net, const Run *r, const Experiment *x, void *ctx,
                         Error *err) {
    (void)out, (void)net, (void)r, (void)err;
    const Experiments *E = ctx;
    printed_batches_per_epoch = (E->data->train.n + x->cfg.batch_size - 1) / x->cfg.batch_size;
    printed_calls = 0;
    return 0;
}

// ---------------------------------------------------------------------------
// Steps 1 and 2: the experiments, then the data they train on

// The study's four (or --config's one), then the printed rule, with the
// momentum experiment's settings for a few epochs.
static int read_experiments(Program *p, Mnist *data, Error *err) {
    Chapter *ch = &p->ch;
    chapter_step(ch, 1, "read the experiments");
    Experiments *E = &p->E;
    p->usual = p->printed = -1;
    for (int i = 0; i < (ch->opt.config ? 1 : N_STUDY); i++) {
        const char *path = ch->opt.config ? ch->opt.config : study_find(NAMES[i])->config;
        Experiment *x = chapter_experiment(ch, E, path,
                                           NEEDS_HIDDEN | NEEDS_TANH | NEEDS_NO_PENALTY, err);
        if (!x) return -1;
        snprintf(x->key, sizeof x->key, "run");
        for (int k = 0; k < N_STUDY; k++)
            if (strcmp(x->name, NAMES[k]) == 0) snprintf(x->key, sizeof x->key, "%s", KEYS[k]);
        if (x->study) snprintf(x->label, sizeof x->label, "%s", x->study->what);
        x->ops = chapter4_ops();
        x->seeds = chapter_seeds(ch, ch->opt.config ? 1 : BOOK_SEEDS, 1);
        if (!ch->opt.fast && !ch->opt.config && !ch->opt.max_epochs &&
            x->cfg.epochs > YOUR_EPOCHS) {
            printf("      on your functions, at most %d of its %d epochs (MAX_EPOCHS=%d for "
                   "them all)\n", YOUR_EPOCHS, x->cfg.epochs, x->cfg.epochs);
            x->cfg.epochs = YOUR_EPOCHS;
        }
        if (x->cfg.momentum && !x->cfg.early_stop) p->usual = i;
    }
    if (p->usual >= 0 && !ch->opt.config) {
        Experiment *x = &E->exp[p->printed = E->n_exp++];
        *x = E->exp[p->usual];
        snprintf(x->name, sizeof x->name, "printed"), snprintf(x->key, sizeof x->key, "printed");
        snprintf(x->label, sizeof x->label, "the printed rule");
        x->study = NULL, x->own_rule = true, x->seeds = 1;
        x->ops.momentum_step = printed_momentum_step;
        x->cfg.epochs = x->cfg.epochs < PRINTED_EPOCHS ? x->cfg.epochs : PRINTED_EPOCHS;
        E->before = printed_start, E->ctx = E;
    }
    const Config *c = &E->exp[0].cfg;
    values_set(&ch->values, "learning_rate", "%g", c->learning_rate);
    values_set(&ch->values, "batch_size", "%d", c->batch_size);
    values_set(&ch->values, "hidden", "%d", c->layer_specs[1]);
    values_set(&ch->values, "inputs", "%d", c->layer_specs[0]);
    values_set(&ch->values, "init_sd1", "%.3f", 1.0 / sqrt(c->layer_specs[0]));  // 1/sqrt(fan-in)
    values_set(&ch->values, "init_sd2", "%.3f", 1.0 / sqrt(c->layer_specs[1]));
    values_set(&ch->values, "max_epochs", "%d", c->epochs);
    values_set(&ch->values, "your_epochs", "%d", YOUR_EPOCHS);
    return chapter_load_experiments(&p->ch, data, &p->E, err);  // and their data
}

// ---------------------------------------------------------------------------
// Step 3: your functions on small cases, before the long runs

// A constant gradient of 1, at the first experiment's rate: how long each
// step is under the usual rule (your momentum_step) and under the printed one.
static int constant_gradient(Program *p, Error *err) {
    Chapter *ch = &p->ch;
    const Config *c = &p->E.exp[0].cfg;
    static const int SHOW[] = {1, 2, 3, 5, 10, 20, 50, 100};
    double rate = c->learning_rate, gamma = c->momentum_gamma > 0 ? c->momentum_gamma : 0.9;
    double limit = rate / (1 - gamma), w = 0, v = 0, g = 1, pw = 0, prev = 0;
    const double NEAR = 0.99;  // k99: the first step whose velocity is this share of the limit
    int k99 = 0, shown = 0;
    Tsv t;
    if (tsv_open(&t, chapter_file(ch, "steps.tsv"), "step\tusual\tprinted\tratio", err) != 0)
        return -1;
    printed_batches_per_epoch = 1000000, printed_calls = 0;
    for (int k = 1; k <= 100; k++) {
        double w_before = w, pw_before = pw, want = rate * (1 - pow(gamma, k)) / (1 - gamma);
        momentum_step(&w, &v, &g, rate, gamma, 1);
        printed_momentum_step(&pw, &prev, &g, rate, gamma, 1);
        if (!(fabs(v - want) <= 1e-12 * want) || !(fabs((w_before - w) - want) <= 1e-12 * want))
            chapter_wrong(ch, "momentum_step with a constant gradient 1, rate %g and gamma %g: "
                              "after %d steps the velocity is rate (1 - gamma^%d) / (1 - gamma) = "
                              "%.10g and the weight moves by it, got velocity %.10g and a move of "
                              "%.10g", rate, gamma, k, k, want, v, w_before - w);
        double step = pw_before - pw;
        if (!k99 && v >= NEAR * limit) k99 = k;
        if (k == SHOW[shown]) tsv_int(&t, SHOW[shown++]), tsv_num(&t, v), tsv_num(&t, step),
                              tsv_num(&t, step / v);
        if (k == 1) values_set(&ch->values, "step1", "%g", v);
        if (k == 2) values_set(&ch->values, "usual_step2", "%g", v),
                    values_set(&ch->values, "printed_step2", "%g", step);
    }
    printf("      a constant gradient 1, rate %g, gamma %g: your momentum_step's velocity grows "
           "towards\n      rate / (1 - gamma) = %g (%g%% of it after %d steps); the printed "
           "rule steps %g from the\n      second step on, %.0f times the usual rule's longest "
           "step\n", rate, gamma, limit, 100 * NEAR, k99, rate + gamma, (rate + gamma) / limit);
    Values *vs = &ch->values;
    values_set(vs, "gamma", "%g", gamma);
    values_set(vs, "usual_limit", "%g", limit);
    values_set(vs, "usual_k99", "%d", k99);
    values_set(vs, "usual_within_pct", "%g", 100 * (1 - NEAR));
    values_set(vs, "usual_factor", "%g", 1 / (1 - gamma));
    values_set(vs, "printed_step", "%g", rate + gamma);
    values_set(vs, "printed_over_usual", "%.0f", (rate + gamma) / limit);
    values_set(vs, "gamma_over_rate", "%.0f", gamma / rate);
    // Chapter 2: a summed gradient at rate r is an averaged one at rate r B.
    values_set(vs, "printed_mean_rate", "%.0f", (rate + gamma) * c->batch_size);
    return tsv_close(&t, err);
}

// A made-up history of validation losses, and when your should_stop ends it.
static void made_up_history(Program *p) {
    //> history
    static const double HISTORY[] = {0.30, 0.20, 0.15, 0.16, 0.15, 0.17, 0.14, 0.13};
    //< history
    enum { N = sizeof HISTORY / sizeof HISTORY[0], PATIENCE = 3, WANT = 6 };
    int stop = 0;
    for (int e = 1; e <= N && !stop; e++)
        if (should_stop(HISTORY, e, PATIENCE)) stop = e;
    if (stop != WANT)
        chapter_wrong(&p->ch, "should_stop with patience %d on the validation losses 0.30 0.20 "
                              "0.15 0.16 0.15 0.17 0.14 0.13: the best is epoch 3's 0.15 (epoch "
                              "5's equal 0.15 is no new best), so the first epoch to stop after "
                              "is %d; your should_stop first said stop after epoch %d (0: never)",
                      PATIENCE, WANT, stop);
    printf("      validation losses 0.30 0.20 0.15 0.16 0.15 0.17 0.14 0.13, patience %d: your "
           "should_stop\n      stops after epoch %d (the best is epoch 3's 0.15; epoch 5 only "
           "equals it)\n", PATIENCE, stop);
    values_set(&p->ch.values, "history_stop", "%d", stop);
}

// ---------------------------------------------------------------------------
// Chapter 4's steps, after the command line: read and load the experiments,
// check your momentum_step and should_stop, train, compare, Algorithm 2, draw

static int steps(void *ctx, Mnist *data, Error *err) {
    Program *p = ctx;
    Chapter *ch = &p->ch;
    Experiments *E = &p->E;
    if (read_experiments(p, data, err) != 0) return -1;
    values_set(&ch->values, "batches_per_epoch", "%d",
               (data->train.n + E->exp[0].cfg.batch_size - 1) / E->exp[0].cfg.batch_size);
    Net net;  // the network's size, for the book
    if (net_from_config(&net, &E->exp[0].cfg, err) != 0) return -1;
    values_set(&ch->values, "params", "%d", net.n_params);
    values_set(&ch->values, "params_kb", "%.0f", net.n_params * sizeof(double) / 1000.0);
    net_free(&net);

    chapter_step(ch, 3, "your momentum_step and should_stop on small cases, then every function "
                        "at once");
    if (constant_gradient(p, err) != 0) return -1;
    made_up_history(p);
    if (experiments_try(E, FEW, err) != 0) return -1;
    int rc = chapter_train(ch, E, 4, NULL, err);
    if (rc != 0) return rc;
    values_set(&ch->values, "jobs", "%d", E->n_runs);

    chapter_step(ch, 5, "ours beside the study's");
    if (compare(p, err) != 0) return -1;
    chapter_step(ch, 6, p->printed >= 0 ? "the study's Algorithm 2 as printed, for a few epochs"
                                        : "the study's Algorithm 2 as printed: only with the four "
                                          "experiments, not with --config");
    if (p->printed >= 0) printed_report(p);
    chapter_step(ch, 7, "draw the curves");
    if (draw_figures(p, err) != 0) return -1;
    char vars[256], what[128];
    snprintf(vars, sizeof vars, "tsv='%s'; from=1", E->runs[E->sum[0].first].file);
    snprintf(what, sizeof what, "%s: the loss, epoch by epoch from epoch 1 (training and "
             "validation)", E->exp[0].name);
    return chapter_plot_text(ch, "curves", vars, what, err);
}

int main(int argc, char **argv) {
    static Program p = {.ch = {.number = 4, .title = "momentum and early stopping",
                               .steps = STEPS, .reads_config = true}};
    return chapter_main(&p.ch, argc, argv, steps, &p);
}
