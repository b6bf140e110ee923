// main.c: chapter 4, momentum and early stopping. Trains the study's
// 784-128-10 tanh network (Szeto and Thomas, section 4) four ways, one config
// in this folder each: plain minibatch SGD for 100 epochs, with momentum
// (gamma 0.9), with early stopping (patience 3), and with both. Then a few
// epochs with the study's Algorithm 2 exactly as printed, to show what that
// rule does. The runs go side by side (lib/experiment.h); with --fast (the
// runs on the reference solutions) all but the printed rule's train on the
// library's fast path, and those with early stopping over five seeds. It
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
#include "plot.h"

enum {
    STEPS = 7,
    PRINTED_EPOCHS = 5,   // the printed rule's short run
    FEW = 256,            // the first pass over every function, on this many images
    BOOK_SEEDS = 5,       // seeds of the runs with early stopping, with --fast: they are
                          // short, and where they stop moves from seed to seed
    YOUR_EPOCHS = 50,     // on your functions, the runs without early stopping stop here
                          // (--max-epochs says otherwise): their lowest validation loss
                          // and the rise after it show by then, in half the time
};

// The study's four (lib/study.c), and their keys in values.tsv.
static const char *const NAMES[] = {"plain", "momentum", "early-stop", "momentum-early-stop"};
static const char *const KEYS[] = {"plain", "mom", "es", "both"};
enum { N_STUDY = sizeof NAMES / sizeof NAMES[0] };

typedef struct {
    Chapter ch;
    Experiments E;
    int usual, printed;   // the experiments of momentum without early stopping and of
                          // the printed rule, or -1
    int low[EXPERIMENTS_MAX], would[EXPERIMENTS_MAX];   // a run without early stopping: its
                          // lowest validation loss, where early stopping would have ended it
} Program;

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
// Step 1: the experiments

// The study's four (or --config's one), then the printed rule, with the
// momentum experiment's settings for a few epochs.
static int read_experiments(Program *p, Error *err) {
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
        x->seeds = chapter_seeds(ch, x->cfg.early_stop && !ch->opt.config ? BOOK_SEEDS : 1, 1);
        if (!ch->opt.fast && !ch->opt.config && !ch->opt.max_epochs && !x->cfg.early_stop &&
            x->cfg.epochs > YOUR_EPOCHS) {
            printf("      on your functions, %d of its %d epochs (MAX_EPOCHS=%d for them all)\n",
                   YOUR_EPOCHS, x->cfg.epochs, x->cfg.epochs);
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
    values_set(&ch->values, "max_epochs", "%d", c->epochs);
    return 0;
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
// Step 5: ours beside the study's

// values.tsv's numbers of experiment e: its first seed's run, and its seeds.
static void put_experiment(Program *p, int e) {
    Chapter *ch = &p->ch;
    const Experiment *x = &p->E.exp[e];
    const Summary *s = &p->E.sum[e];
    const Run *first = &p->E.runs[s->first];
    const TrainResult *r = &first->res;
    const char *k = x->key;
    chapter_put(ch, k, "test_acc", "%.2f", r->test_acc);
    chapter_put(ch, k, "epochs", "%d", r->epochs_run);
    chapter_put(ch, k, "kept", "%d", r->kept_epoch);
    chapter_put(ch, k, "best_val_loss", "%.4f", r->best_val_loss);
    chapter_put(ch, k, "wall_s", "%.0f", first->wall_s);
    chapter_put(ch, k, "epoch_s", "%.2f", first->wall_s / r->epochs_run);
    if (x->study && !isnan(x->study->acc)) {
        chapter_put(ch, k, "study_acc", "%.2f", x->study->acc);
        chapter_put(ch, k, "study_epochs", "%d", x->study->stop_epoch);
        chapter_put(ch, k, "gap", "%+.2f", r->test_acc - x->study->acc);
    }
    printf("      %-28s ours %.2f%% (%d epochs, kept %d)", x->label, r->test_acc, r->epochs_run,
           r->kept_epoch);
    if (x->study) printf(", the study %.2f%%", x->study->acc);
    if (s->n < 2) {
        printf("\n");
        return;
    }
    printf("; over %d seeds %.2f ± %.2f%%\n", s->n, s->acc.mean, s->acc.sd);
    chapter_put(ch, k, "seeds", "%d", s->n);
    summary_put(&ch->values, k, s, &(SummaryKeys){{"mean_acc", "sd_acc", "min_acc", "max_acc"},
                                                 {NULL, "min_epochs", "max_epochs"},
                                                 {NULL, "min_kept", "max_kept"}});
    if (x->study && !isnan(x->study->acc))
        chapter_put(ch, k, "mean_gap", "%+.2f", s->acc.mean - x->study->acc);
}

// A run without early stopping, read again: where its validation loss was
// lowest, where early stopping (the patience of the experiment with early
// stopping and the same momentum) would have ended it, and whether that
// experiment's run with the same seed is the same run, cut short.
static void long_run(Program *p, int e) {
    const Experiments *E = &p->E;
    const Config *c = &E->exp[e].cfg;
    const History *full = &E->hist[E->sum[e].first];
    int best = history_best_epoch(full), would = 0, cut = -1, patience = 3;
    for (int f = 0; f < E->n_exp; f++)
        if (E->exp[f].cfg.early_stop && E->exp[f].cfg.momentum == c->momentum &&
            !E->exp[f].own_rule)
            patience = E->exp[f].cfg.early_stop_epoch, cut = f;
    // should_stop reads the losses after epochs 1..k: from val_loss[1] on
    for (int k = 1; k <= full->epochs && !would; k++)
        if (should_stop(full->val_loss + 1, k, patience)) would = k;
    const char *key = E->exp[e].key;
    chapter_put(&p->ch, key, "low_epoch", "%d", best);
    chapter_put(&p->ch, key, "low_val_loss", "%.4f", full->val_loss[best]);
    chapter_put(&p->ch, key, "last_val_loss", "%.4f", full->val_loss[full->epochs]);
    chapter_put(&p->ch, key, "last_train_loss", "%.4f", full->train_loss[full->epochs]);
    chapter_put(&p->ch, key, "last_train_acc", "%.2f", full->train_acc[full->epochs]);
    chapter_put(&p->ch, key, "would_stop", "%d", would);
    p->low[e] = best, p->would[e] = would;
    if (cut < 0) return;
    const History *short_run = &E->hist[E->sum[cut].first];
    double diff = 0;
    int common = short_run->epochs < full->epochs ? short_run->epochs : full->epochs;
    for (int k = 1; k <= common; k++)
        diff = fmax(diff, fabs(short_run->val_loss[k] - full->val_loss[k]));
    chapter_put(&p->ch, E->exp[cut].key, "prefix_diff", "%.3g", diff);
    printf("      %s trained %d epochs, and they are %s's first %d: the validation losses differ "
           "by at most %.3g\n", E->exp[cut].name, short_run->epochs, E->exp[e].name, common, diff);
}

static int compare(Program *p, Error *err) {
    Experiments *E = &p->E;
    double es_mean[2] = {NAN, NAN};  // the runs with early stopping, without and with momentum
    for (int e = 0; e < E->n_exp; e++) {
        if (E->exp[e].own_rule) continue;
        put_experiment(p, e);
        if (E->exp[e].cfg.early_stop && E->sum[e].n > 1)
            es_mean[E->exp[e].cfg.momentum] = E->sum[e].acc.mean;
    }
    if (!isnan(es_mean[0]) && !isnan(es_mean[1]))  // what momentum costs in accuracy
        values_set(&p->ch.values, "momentum_cost", "%.2f", es_mean[0] - es_mean[1]);
    if (experiments_read(E, err) != 0) return -1;
    for (int e = 0; e < E->n_exp; e++)
        if (!E->exp[e].cfg.early_stop && !E->exp[e].own_rule) long_run(p, e);
    if (experiments_write_results(E, chapter_file(&p->ch, "results.tsv"), NULL, NULL, NULL,
                                  err) != 0)
        return -1;
    return experiments_write_seeds(E, chapter_file(&p->ch, "seeds.tsv"), err);
}

// ---------------------------------------------------------------------------
// Step 6: the printed rule, beside the usual one with the same seed

static void printed_report(Program *p) {
    const Experiments *E = &p->E;
    const Run *r = &E->runs[E->sum[p->printed].first];
    const History *h = &E->hist[E->sum[p->printed].first], *u = &E->hist[E->sum[p->usual].first];
    int last = h->epochs;
    printf("      as printed, %d epochs: validation loss %.2f after epoch 1, %.2f after epoch "
           "%d;\n      test accuracy %.2f%% (the usual rule, same seed: validation loss %.4f "
           "after epoch %d)\n", r->res.epochs_run, h->val_loss[1], h->val_loss[last], last,
           r->res.test_acc, u->val_loss[last < u->epochs ? last : u->epochs], last);
    Values *v = &p->ch.values;
    values_set(v, "printed_epochs", "%d", r->res.epochs_run);
    values_set(v, "printed_test_acc", "%.2f", r->res.test_acc);
    values_set(v, "printed_val_loss1", "%.1f", h->val_loss[1]);
    values_set(v, "printed_val_loss_last", "%.1f", h->val_loss[last]);
    values_set(v, "printed_wall_s", "%.0f", r->wall_s);
    if (u->epochs >= last) values_set(v, "usual_val_loss_at_printed", "%.3f", u->val_loss[last]);
}

// ---------------------------------------------------------------------------
// Step 7: pictures

// Each experiment's curves, its first seed's. With early stopping: the epoch
// kept and the epoch it stopped after. Without: the lowest validation loss,
// and where the patience E would have stopped the run.
static int draw(Program *p, Error *err) {
    const Experiments *E = &p->E;
    const Options *o = &p->ch.opt;
    char vars[1024], name[96], marks[256], what[128];
    int rc = 0;
    for (int e = 0; e < E->n_exp && rc == 0; e++) {
        const Experiment *x = &E->exp[e];
        const TrainResult *r = &E->runs[E->sum[e].first].res;
        const Config *c = &x->cfg;
        if (x->own_rule) continue;
        if (c->early_stop)
            snprintf(marks, sizeof marks, "mark1=%d; label1='kept: epoch %d'; mark2=%d; "
                     "label2='stopped after epoch %d'", r->kept_epoch, r->kept_epoch,
                     r->stopped_early ? r->epochs_run : 0, r->epochs_run);
        else
            snprintf(marks, sizeof marks, "mark1=%d; label1='lowest validation loss: epoch %d'; "
                     "mark2=%d; label2='early stopping would stop after epoch %d'", p->low[e],
                     p->low[e], p->would[e], p->would[e]);
        what[0] = '\0';
        if (c->momentum) snprintf(what, sizeof what, ", momentum %g", c->momentum_gamma);
        if (c->early_stop) snprintf(what + strlen(what), sizeof what - strlen(what),
                                    ", early stopping (E = %d)", c->early_stop_epoch);
        snprintf(vars, sizeof vars, "tsv='%s'; %s; title='%s: rate %g, batch %d%s (seed %llu)'",
                 E->runs[E->sum[e].first].file, marks, x->label, c->learning_rate, c->batch_size,
                 what, (unsigned long long)E->seed);
        snprintf(name, sizeof name, "curves-%s", x->name);
        rc = plot_render_with(o->figures_dir, "ch4-curves", name, o->out_dir, vars, err);
    }
    if (rc == 0 && p->printed >= 0) {  // the printed rule beside the usual one
        const Experiment *u = &E->exp[p->usual];
        const Run *pr = &E->runs[E->sum[p->printed].first];
        snprintf(vars, sizeof vars, "printed='%s'; usual='%s'; epochs=%d; title='Momentum as the "
                 "study''s Algorithm 2 prints it, and the usual rule: rate %g, gamma %g (seed "
                 "%llu)'",
                 pr->file, E->runs[E->sum[p->usual].first].file, pr->res.epochs_run,
                 u->cfg.learning_rate, u->cfg.momentum_gamma, (unsigned long long)E->seed);
        rc = plot_render_with(o->figures_dir, "ch4-printed", "printed", o->out_dir, vars, err);
    }
    if (rc == 0) printf("      %s/curves-*.svg%s (and .pdf)\n", o->out_dir,
                        p->printed >= 0 ? ", printed.svg" : "");
    return rc;
}

// ---------------------------------------------------------------------------
// The chapter's steps, after the command line

static int steps(void *ctx, Mnist *data, Error *err) {
    Program *p = ctx;
    Chapter *ch = &p->ch;
    Experiments *E = &p->E;
    if (read_experiments(p, err) != 0 || chapter_load_experiments(ch, data, E, err) != 0) return -1;
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
    if (draw(p, err) != 0) return -1;
    char vars[256], what[128];
    snprintf(vars, sizeof vars, "tsv='%s'; from=1", E->runs[E->sum[0].first].file);
    snprintf(what, sizeof what, "%s: the loss, epoch by epoch from epoch 1 (training and "
             "validation)", E->exp[0].name);
    return chapter_plot_text(ch, "curves", vars, what, err);
}

int main(int argc, char **argv) {
    static Program p = {.ch = {.number = 4, .title = "momentum and early stopping",
                               .steps = STEPS}};
    return chapter_main(&p.ch, argc, argv, steps, &p);
}
