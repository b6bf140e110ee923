// main.c: chapter 4, momentum and early stopping. Trains the study's
// 784-128-10 tanh network (Szeto and Thomas, section 4) four ways, one config
// in this folder each: plain minibatch SGD for 100 epochs, with momentum
// (gamma 0.9), with early stopping (patience 3), and with both; each with as
// many seeds as the point needs. Then it trains a few epochs with the study's
// Algorithm 2 exactly as printed, to show what that rule does. The runs are
// independent, so they run side by side, one process each, as many at once as
// there are cores; with --fast (the runs on the reference solutions), all but
// the printed rule's on the library's fast path. It leaves the per-epoch
// metrics, the figures, a table of ours beside the study's and the numbers the
// book quotes in the run folder.
//
//   build/bin/ch4-solutions                       the four experiments
//   build/bin/ch4-solutions --config FILE         just one, any config of the study's form
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ch2.h"
#include "ch3.h"
#include "ch4.h"
#include "network.h"
#include "chapter.h"
#include "config.h"
#include "dataset.h"
#include "jobs.h"
#include "metrics.h"
#include "output.h"
#include "plot.h"
#include "study.h"
#include "train.h"

enum {
    STEPS = 7,
    MAX_EXPERIMENTS = 4,
    MAX_JOBS = MAX_EXPERIMENTS * 100 + 1,  // --seeds is at most 100; one printed-rule run
    PRINTED_EPOCHS = 5,      // the printed rule's short run
    CHECK_EXAMPLES = 256,    // the quick pass over every function before the long runs
};

// How many seeds an experiment runs with when --seeds is not given: the
// early-stopping runs are short, so the book's run repeats them to show how
// much the stopping epoch and the accuracy move from seed to seed; the
// 100-epoch runs once each.
static const int BOOK_SEEDS_EARLY_STOP = 5;

// One experiment of section 4, and what the study reports for it (lib/study.c).
typedef struct {
    const char *name;      // NAME.yaml in this folder; NAME.tsv, curves-NAME.svg in the run
    const char *key;       // the prefix of its numbers in values.tsv
    const char *what;      // for the table
    const char *section;   // the study's section
    double study_acc;      // the study's test accuracy, % (NAN: none)
    int study_epochs;      // the epochs the study says it trained
} Experiment;

// The study's four, by their names in lib/study.c, and their keys here.
static const char *const STUDY_NAMES[MAX_EXPERIMENTS] = {"plain", "momentum", "early-stop",
                                                         "momentum-early-stop"};
static const char *const STUDY_KEYS[MAX_EXPERIMENTS] = {"plain", "mom", "es", "both"};

// A run: one experiment with one seed (exp = -1: the printed rule). The
// runs are jobs of lib/jobs.h, each sending its whole Job back.
typedef struct {
    int exp;
    uint64_t seed;
    char tsv[64];          // its metrics file, in the run folder
    TrainResult res;
    double wall;           // seconds, from the first weight drawn to the test accuracy
} Job;

typedef struct {
    Chapter ch;
    int n_exp;
    Experiment exp[MAX_EXPERIMENTS];
    Config cfg[MAX_EXPERIMENTS];
    char cfg_path[MAX_EXPERIMENTS][4096];
    char names[MAX_EXPERIMENTS][64];
    int seeds[MAX_EXPERIMENTS];
    int low_epoch[MAX_EXPERIMENTS];    // a run without early stopping: its lowest validation loss
    int would_stop[MAX_EXPERIMENTS];   // and where early stopping would have ended it
    Job jobs[MAX_JOBS];
    int n_jobs;
    int workers;
    const Mnist *data;
} Run;

// The study's experiment i, in lib/study.c's words and numbers, with its key.
static Experiment study_experiment(int i) {
    const StudyExperiment *x = study_find(STUDY_NAMES[i]);
    return (Experiment){x->name, STUDY_KEYS[i], x->what, x->section, x->acc, x->stop_epoch};
}

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

// ---------------------------------------------------------------------------
// Step 1: the experiments

static void describe(const Config *c) {
    printf("layers [");
    for (int l = 0; l < c->n_layers; l++) printf(l ? ", %d" : "%d", c->layer_specs[l]);
    printf("], %s, rate %g, batch %d, %d epochs", activation_name(c->activation),
           c->learning_rate, c->batch_size, c->epochs);
    if (c->momentum) printf(", momentum %g", c->momentum_gamma);
    if (c->early_stop) printf(", early stopping (patience %d)", c->early_stop_epoch);
    printf("\n");
}

static int read_configs(Run *run, Error *err) {
    Chapter *ch = &run->ch;
    const Options *o = &ch->opt;
    chapter_step(ch, 1, "read the experiments");
    if (o->config) {
        // One config of the study's form. Its name picks the study's numbers
        // when it is one of ours.
        char *name = run->names[0];
        config_name(name, sizeof run->names[0], o->config);
        run->n_exp = 1;
        run->exp[0] = (Experiment){name, "run", name, "", NAN, 0};
        for (int e = 0; e < MAX_EXPERIMENTS; e++)
            if (strcmp(name, STUDY_NAMES[e]) == 0) run->exp[0] = study_experiment(e);
        snprintf(run->cfg_path[0], sizeof run->cfg_path[0], "%s", o->config);
    } else {
        run->n_exp = MAX_EXPERIMENTS;
        for (int e = 0; e < MAX_EXPERIMENTS; e++) {
            run->exp[e] = study_experiment(e);
            snprintf(run->cfg_path[e], sizeof run->cfg_path[e], "%s",
                     study_find(STUDY_NAMES[e])->config);
        }
    }
    for (int e = 0; e < run->n_exp; e++) {
        Config *c = &run->cfg[e];
        const char *path = run->cfg_path[e];
        if (config_load(c, path, err) != 0) return -1;
        if (e == 0) cli_take_config_seed(&ch->opt, c->seed);
        if (c->n_layers < 3)
            return error_set(err, "%s: layer_specs: chapter 4 trains a network with a hidden "
                                  "layer, such as [784, 128, 10]; [784, 10] is chapter 2's",
                             path);
        if (c->activation != ACT_TANH)
            return error_set(err, "%s: activation: %s comes in chapter 6; chapter 4 has "
                                  "chapter 3's tanh", path, activation_name(c->activation));
        if (c->L1_penalty > 0 || c->L2_penalty > 0)
            return error_set(err, "%s: %s: the penalties come in chapter 5; chapter 4 trains "
                                  "without them (0)", path,
                             c->L1_penalty > 0 ? "L1_penalty" : "L2_penalty");
        if (o->max_epochs > 0 && c->epochs > o->max_epochs) c->epochs = o->max_epochs;
        run->seeds[e] = o->seeds_given                 ? o->seeds
                        : !o->config && c->early_stop ? BOOK_SEEDS_EARLY_STOP
                                                       : 1;
        printf("      %s: ", path);
        describe(c);
    }
    Values *v = &ch->values;
    values_set(v, "learning_rate", "%g", run->cfg[0].learning_rate);
    values_set(v, "batch_size", "%d", run->cfg[0].batch_size);
    values_set(v, "hidden", "%d", run->cfg[0].layer_specs[1]);
    values_set(v, "max_epochs", "%d", run->cfg[0].epochs);
    return 0;
}

// ---------------------------------------------------------------------------
// Step 3: your functions on small cases, before the long runs

// A constant gradient of 1, rate 0.001, gamma 0.9: how long each step is
// under the usual rule (your momentum_step) and under the printed one.
static int constant_gradient(Run *run, Error *err) {
    Chapter *ch = &run->ch;
    const Config *c = &run->cfg[0];
    double rate = c->learning_rate, gamma = c->momentum_gamma > 0 ? c->momentum_gamma : 0.9;
    static const int SHOW[] = {1, 2, 3, 5, 10, 20, 50, 100};
    enum { N_SHOW = sizeof SHOW / sizeof SHOW[0] };
    OutFile md;
    if (out_open(&md, chapter_file(ch, "steps.md"), err) != 0) return -1;
    fprintf(md.f, "| step | usual rule: $v$, the step | printed rule: the step "
                  "| printed / usual |\n|---:|---:|---:|---:|\n");
    double w = 0, v = 0, g = 1, pw = 0, prev = 0;
    printed_batches_per_epoch = 1000000, printed_calls = 0;
    int k_show = 0, k99 = 0;
    double limit = rate / (1 - gamma);
    const double NEAR = 0.99;  // k99: the first step whose velocity is this share of the limit
    for (int k = 1; k <= SHOW[N_SHOW - 1]; k++) {
        double w_before = w, pw_before = pw;
        momentum_step(&w, &v, &g, rate, gamma, 1);
        printed_momentum_step(&pw, &prev, &g, rate, gamma, 1);
        double want = rate * (1 - pow(gamma, k)) / (1 - gamma);
        if (!(fabs(v - want) <= 1e-12 * want) || !(fabs((w_before - w) - want) <= 1e-12 * want)) {
            out_abort(&md);
            chapter_wrong(ch, "momentum_step with a constant gradient 1, rate %g and gamma %g: "
                              "after %d steps the velocity is rate (1 - gamma^%d) / (1 - gamma) = "
                              "%.10g and the weight moves by it, got velocity %.10g and a move of "
                              "%.10g", rate, gamma, k, k, want, v, w_before - w);
        }
        if (!k99 && v >= NEAR * limit) k99 = k;
        double pstep = pw_before - pw;
        if (k_show < N_SHOW && k == SHOW[k_show]) {
            fprintf(md.f, "| %d | %.6f | %.6f | %.1f |\n", k, v, pstep, pstep / v);
            k_show++;
        }
        if (k == 1) values_set(&ch->values, "step1", "%g", v);
        if (k == 2) {
            values_set(&ch->values, "usual_step2", "%g", v);
            values_set(&ch->values, "printed_step2", "%g", pstep);
        }
    }
    fprintf(md.f, "\n: With a gradient that stays 1, learning rate %g and $\\gamma = %g$, the "
                  "length of each step: the usual rule's velocity grows towards "
                  "$\\alpha / (1 - \\gamma) = %g$, the printed rule's step is "
                  "$\\alpha + \\gamma = %g$ from the second step on. {#tbl:ch4-steps}\n",
            rate, gamma, limit, rate + gamma);
    if (out_commit(&md, err) != 0) return -1;
    printf("      a constant gradient 1, rate %g, gamma %g: your momentum_step's velocity grows "
           "towards\n      rate / (1 - gamma) = %g (%g%% of it after %d steps); the printed "
           "rule steps %g from the\n      second step on, %.0f times the usual rule's longest "
           "step\n", rate, gamma, limit, 100 * NEAR, k99, rate + gamma, (rate + gamma) / limit);
    values_set(&ch->values, "gamma", "%g", gamma);
    values_set(&ch->values, "usual_limit", "%g", limit);
    values_set(&ch->values, "usual_k99", "%d", k99);
    values_set(&ch->values, "usual_within_pct", "%g", 100 * (1 - NEAR));
    values_set(&ch->values, "usual_factor", "%g", 1 / (1 - gamma));
    values_set(&ch->values, "printed_step", "%g", rate + gamma);
    values_set(&ch->values, "printed_over_usual", "%.0f", (rate + gamma) / limit);
    values_set(&ch->values, "gamma_over_rate", "%.0f", gamma / rate);
    // Chapter 2: a summed gradient at rate r is an averaged one at rate r B.
    values_set(&ch->values, "printed_mean_rate", "%.0f", (rate + gamma) * c->batch_size);
    return 0;
}

// A made-up history of validation losses, and when your should_stop ends it.
static void made_up_history(Run *run) {
    Chapter *ch = &run->ch;
    //> history
    static const double HISTORY[] = {0.30, 0.20, 0.15, 0.16, 0.15, 0.17, 0.14, 0.13};
    //< history
    enum { N = sizeof HISTORY / sizeof HISTORY[0], PATIENCE = 3, WANT = 6 };
    int stop = 0;
    for (int e = 1; e <= N && !stop; e++)
        if (should_stop(HISTORY, e, PATIENCE)) stop = e;
    if (stop != WANT)
        chapter_wrong(ch, "should_stop with patience %d on the validation losses 0.30 0.20 0.15 "
                          "0.16 0.15 0.17 0.14 0.13: the best is epoch 3's 0.15 (epoch 5's equal "
                          "0.15 is no new best), so the first epoch to stop after is %d; your "
                          "should_stop first said stop after epoch %d (0: never)", PATIENCE, WANT,
                      stop);
    printf("      validation losses 0.30 0.20 0.15 0.16 0.15 0.17 0.14 0.13, patience %d: your "
           "should_stop\n      stops after epoch %d (the best is epoch 3's 0.15; epoch 5 only "
           "equals it)\n", PATIENCE, stop);
    values_set(&ch->values, "history_stop", "%d", stop);
}

// Every function the long runs call, on a couple of hundred images: an
// unfinished exercise stops the program here, with its one line, and a
// function that returns nonsense is caught before minutes of training.
static int quick_pass(Run *run, const Mnist *data, Error *err) {
    Chapter *ch = &run->ch;
    Mnist small = first_examples(data, CHECK_EXAMPLES);
    TrainOps ops = chapter4_ops();
    Config c = run->cfg[0];
    c.epochs = 2, c.batch_size = 32, c.early_stop = true, c.early_stop_epoch = 1;
    Net net;
    TrainResult res;
    if (net_from_config(&net, &c, err) != 0) return -1;
    net_init(&net, ch->opt.seed, 0);
    values_set(&ch->values, "params", "%d", net.n_params);
    values_set(&ch->values, "params_kb", "%.0f", net.n_params * sizeof(double) / 1000.0);
    int rc = 0;
    const char *tsv = chapter_file(ch, "check.tsv");
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        c.momentum = pass == 0;
        bool quiet = progress_quiet;
        progress_quiet = true;
        rc = train(&res, &net, &ops, &c, &small, ch->opt.seed, tsv, "check", err);
        progress_quiet = quiet;
        if (rc != 0) {
            Error why = *err;
            error_set(err, "a first pass over %d images, %s momentum: %s; run `make check-ch2`, "
                      "`make check-ch3` and `make check-ch4`", small.train.n,
                      c.momentum ? "with" : "without", why.msg);
        }
    }
    unlink(tsv);
    net_free(&net);
    if (rc == 0) printf("      every function ran on %d images, with and without momentum\n",
                        small.train.n);
    return rc;
}

// ---------------------------------------------------------------------------
// Step 4: the runs, one process each, as many at once as there are cores

// One run, in its own process (lib/jobs.h): job is the run's copy of its Job,
// which goes back to the parent once filled in.
static int run_one(void *result, int j, void *ctx, Error *err) {
    (void)j;
    Run *run = ctx;
    Job *job = result;
    double t0 = wall_time();
    TrainOps ops = chapter4_ops();
    Config c = job->exp >= 0 ? run->cfg[job->exp] : run->cfg[0];
    const char *name = job->exp >= 0 ? run->exp[job->exp].name : "printed rule";
    if (job->exp < 0) {
        // The printed rule, with the momentum experiment's settings, briefly.
        for (int e = 0; e < run->n_exp; e++)
            if (run->cfg[e].momentum) c = run->cfg[e];
        c.momentum = true, c.early_stop = false;
        c.epochs = c.epochs < PRINTED_EPOCHS ? c.epochs : PRINTED_EPOCHS;
        ops.momentum_step = printed_momentum_step;
        printed_batches_per_epoch = (run->data->train.n + c.batch_size - 1) / c.batch_size;
        printed_calls = 0;
    }
    char label[96];
    snprintf(label, sizeof label, "%s, seed %llu", name, (unsigned long long)job->seed);
    Net net;
    if (net_from_config(&net, &c, err) != 0) return -1;
    //> one-run
    net_init(&net, job->seed, 0);  // sd 0: 1/sqrt(fan_in)
    // --fast: lib/fast.c's kernels train, but not the printed rule, which is
    // no function of the contracts; one thread each when runs go side by side.
    // Only the first seed's curves are drawn: the others skip measuring the
    // whole training split after each epoch.
    TrainOptions how = {.fast = run->ch.opt.fast && job->exp >= 0,
                        .threads = run->workers > 1 ? 1 : 0,
                        .skip_train_metrics = job->seed != run->ch.opt.seed};
    int rc = train_with(&job->res, &net, &ops, &c, run->data, job->seed,
                        chapter_file(&run->ch, job->tsv), label, &how, err);
    //< one-run
    net_free(&net);
    job->wall = wall_time() - t0;
    return rc;
}

// In the parent, as each run ends: one line.
static void run_done(const void *result, int j, void *ctx) {
    (void)j;
    const Run *run = ctx;
    const Job *job = result;
    const TrainResult *r = &job->res;
    progress_done();
    printf("      %-28s seed %-3llu %3d epochs, kept %3d: test accuracy %.2f%%  (%.0f s)\n",
           job->exp >= 0 ? run->exp[job->exp].name : "the printed rule",
           (unsigned long long)job->seed, r->epochs_run, r->kept_epoch, r->test_acc, job->wall);
    fflush(stdout);
}

// ---------------------------------------------------------------------------
// Step 5: the numbers

static int first_job(const Run *run, int e) {
    for (int j = 0; j < run->n_jobs; j++)
        if (run->jobs[j].exp == e) return j;
    return -1;
}

// seeds.md: seed by seed, the experiments that ran with more than one.
static int write_seeds(Run *run, Error *err) {
    Chapter *ch = &run->ch;
    int multi[MAX_EXPERIMENTS], n_multi = 0, rows = 0;
    for (int e = 0; e < run->n_exp; e++)
        if (run->seeds[e] > 1) {
            multi[n_multi++] = e;
            rows = run->seeds[e] > rows ? run->seeds[e] : rows;
        }
    if (n_multi == 0) return 0;
    OutFile md;
    if (out_open(&md, chapter_file(ch, "seeds.md"), err) != 0) return -1;
    fprintf(md.f, "| seed |");
    for (int m = 0; m < n_multi; m++)
        fprintf(md.f, " %s: epochs (kept), test accuracy |", run->exp[multi[m]].what);
    fprintf(md.f, "\n|----------:|");  // the dashes set the relative widths
    for (int m = 0; m < n_multi; m++) fprintf(md.f, "------------------------------:|");
    fprintf(md.f, "\n");
    for (int k = 0; k < rows; k++) {
        fprintf(md.f, "| %llu |", (unsigned long long)(ch->opt.seed + k));
        for (int m = 0; m < n_multi; m++) {
            const Job *job = NULL;
            for (int j = 0; j < run->n_jobs; j++)
                if (run->jobs[j].exp == multi[m] && run->jobs[j].seed == ch->opt.seed + k)
                    job = &run->jobs[j];
            if (job)
                fprintf(md.f, " %d (%d), %.2f%% |", job->res.epochs_run, job->res.kept_epoch,
                        job->res.test_acc);
            else
                fprintf(md.f, " – |");
        }
        fprintf(md.f, "\n");
    }
    fprintf(md.f, "\n: The experiments run with several seeds, seed by seed: the epochs each "
                  "run trained, the epoch whose weights it kept, and their test accuracy. "
                  "{#tbl:ch4-seeds}\n");
    return out_commit(&md, err);
}

static int summarize(Run *run, Error *err) {
    Chapter *ch = &run->ch;
    chapter_step(ch, 5, "ours beside the study's");
    OutFile md;
    if (out_open(&md, chapter_file(&run->ch, "results.md"), err) != 0) return -1;
    // The dashes of the separator line set the columns' relative widths.
    fprintf(md.f, "| run | test accuracy: the study | ours, seed %llu | ours, mean ± sd "
                  "(seeds) | epochs: the study | ours, seed %llu (kept) | wall time |\n"
                  "|:----------------------|----------:|---------:|-------------------:"
                  "|---------:|---------:|--------:|\n",
            (unsigned long long)run->ch.opt.seed, (unsigned long long)run->ch.opt.seed);
    for (int e = 0; e < run->n_exp; e++) {
        int j0 = first_job(run, e);
        const Job *first = &run->jobs[j0];
        const TrainResult *r = &first->res;
        double acc[128] = {0}, ep[128] = {0}, kept[128] = {0};
        int n = 0;
        for (int j = 0; j < run->n_jobs; j++)
            if (run->jobs[j].exp == e) {
                acc[n] = run->jobs[j].res.test_acc;
                ep[n] = run->jobs[j].res.epochs_run;
                kept[n] = run->jobs[j].res.kept_epoch;
                n++;
            }
        Stats a = stats_of(acc, n), es = stats_of(ep, n), ks = stats_of(kept, n);
        const Experiment *x = &run->exp[e];
        const char *key = x->key;
        chapter_put(ch, key, "test_acc", "%.2f", r->test_acc);
        chapter_put(ch, key, "epochs", "%d", r->epochs_run);
        chapter_put(ch, key, "kept", "%d", r->kept_epoch);
        chapter_put(ch, key, "best_val_loss", "%.4f", r->best_val_loss);
        chapter_put(ch, key, "wall", "%.0f", first->wall);
        chapter_put(ch, key, "epoch_s", "%.2f", first->wall / r->epochs_run);
        if (!isnan(x->study_acc)) {
            chapter_put(ch, key, "study_acc", "%.2f", x->study_acc);
            chapter_put(ch, key, "study_epochs", "%d", x->study_epochs);
            chapter_put(ch, key, "gap", "%+.2f", r->test_acc - x->study_acc);
        }
        if (n > 1) {
            chapter_put(ch, key, "seeds", "%d", n);
            chapter_put(ch, key, "mean_acc", "%.2f", a.mean);
            chapter_put(ch, key, "sd_acc", "%.2f", a.sd);
            chapter_put(ch, key, "min_acc", "%.2f", a.min);
            chapter_put(ch, key, "max_acc", "%.2f", a.max);
            chapter_put(ch, key, "min_epochs", "%.0f", es.min);
            chapter_put(ch, key, "max_epochs", "%.0f", es.max);
            chapter_put(ch, key, "min_kept", "%.0f", ks.min);
            chapter_put(ch, key, "max_kept", "%.0f", ks.max);
            if (!isnan(x->study_acc))
                chapter_put(ch, key, "mean_gap", "%+.2f", a.mean - x->study_acc);
        }
        char study_acc[32] = "–", study_ep[32] = "–", seeds_col[128] = "–";
        if (!isnan(x->study_acc)) {
            snprintf(study_acc, sizeof study_acc, "%.2f%%", x->study_acc);
            snprintf(study_ep, sizeof study_ep, "%d", x->study_epochs);
        }
        if (n > 1)
            snprintf(seeds_col, sizeof seeds_col, "%.2f ± %.2f%% (%d)", a.mean, a.sd, n);
        fprintf(md.f, "| %s%s%s%s | %s | %.2f%% | %s | %s | %d (%d) | %.0f s |\n", x->what,
                x->section[0] ? " (" : "", x->section, x->section[0] ? ")" : "", study_acc,
                r->test_acc, seeds_col, study_ep, r->epochs_run, r->kept_epoch, first->wall);
        printf("      %-28s the study %s, ours %.2f%% (%d epochs, kept %d)", x->what,
               study_acc, r->test_acc, r->epochs_run, r->kept_epoch);
        if (n > 1) printf("; over %d seeds %.2f ± %.2f%%", n, a.mean, a.sd);
        printf("\n");
    }
    if (ch->opt.config)
        fprintf(md.f, "\n: The run of %s (learning rate %g, batch %d), seed %llu, beside the "
                      "study's numbers where it is one of the study's experiments. The wall "
                      "time is the seed-%llu run's. {#tbl:ch4-results}\n", run->cfg_path[0],
                run->cfg[0].learning_rate, run->cfg[0].batch_size,
                (unsigned long long)ch->opt.seed, (unsigned long long)ch->opt.seed);
    else
        fprintf(md.f, "\n: The four runs of the study's section 4 (tanh, learning rate %g, batch "
                      "%d): the test accuracy the study reports beside ours, with seed %llu and "
                      "over several seeds, whose number is in brackets (the initial weights and "
                      "the order of the batches change; the split does not). Epochs: how many "
                      "were trained, and in brackets the epoch whose weights were kept. The wall "
                      "time is the seed-%llu run's, with %d run%s side by side. "
                      "{#tbl:ch4-results}\n",
                run->cfg[0].learning_rate, run->cfg[0].batch_size,
                (unsigned long long)ch->opt.seed, (unsigned long long)ch->opt.seed, run->workers,
                run->workers > 1 ? "s" : "");
    if (out_commit(&md, err) != 0) return -1;

    // What momentum costs in accuracy: the experiments with early stopping,
    // without and with momentum, each over its seeds.
    double mean_es[2] = {NAN, NAN};
    for (int e = 0; e < run->n_exp; e++) {
        if (!run->cfg[e].early_stop || run->seeds[e] < 2) continue;
        double sum = 0;
        int n = 0;
        for (int j = 0; j < run->n_jobs; j++)
            if (run->jobs[j].exp == e) sum += run->jobs[j].res.test_acc, n++;
        mean_es[run->cfg[e].momentum ? 1 : 0] = sum / n;
    }
    if (!isnan(mean_es[0]) && !isnan(mean_es[1]))
        values_set(&ch->values, "momentum_cost", "%.2f", mean_es[0] - mean_es[1]);

    if (write_seeds(run, err) != 0) return -1;

    // The 100-epoch runs, read again: where their validation loss was lowest,
    // where early stopping would have ended them, and whether the runs with
    // early stopping are the same runs, cut short.
    int rc = 0;
    for (int e = 0; e < run->n_exp && rc == 0; e++) {
        const Config *c = &run->cfg[e];
        if (c->early_stop) continue;
        History full, cut;
        rc = history_read(&full, chapter_file(ch, run->jobs[first_job(run, e)].tsv), err);
        if (rc != 0) break;
        int best = 1, would = 0;
        for (int k = 2; k <= full.epochs; k++)
            if (full.val_loss[k] < full.val_loss[best]) best = k;
        int patience = 3;
        for (int f = 0; f < run->n_exp; f++)
            if (run->cfg[f].early_stop && run->cfg[f].momentum == c->momentum)
                patience = run->cfg[f].early_stop_epoch;
        // should_stop reads the losses after epochs 1..k: from val_loss[1] on
        for (int k = 1; k <= full.epochs && !would; k++)
            if (should_stop(full.val_loss + 1, k, patience)) would = k;
        const char *key = run->exp[e].key;
        chapter_put(ch, key, "low_epoch", "%d", best);
        chapter_put(ch, key, "low_val_loss", "%.4f", full.val_loss[best]);
        chapter_put(ch, key, "last_val_loss", "%.4f", full.val_loss[full.epochs]);
        chapter_put(ch, key, "last_train_loss", "%.4f", full.train_loss[full.epochs]);
        chapter_put(ch, key, "last_train_acc", "%.2f", full.train_acc[full.epochs]);
        chapter_put(ch, key, "would_stop", "%d", would);
        run->low_epoch[e] = best, run->would_stop[e] = would;
        // The run with early stopping and the same momentum, same seed.
        for (int f = 0; f < run->n_exp && rc == 0; f++) {
            if (!run->cfg[f].early_stop || run->cfg[f].momentum != c->momentum) continue;
            int jf = first_job(run, f);
            if (run->jobs[jf].seed != run->jobs[first_job(run, e)].seed) continue;
            if ((rc = history_read(&cut, chapter_file(ch, run->jobs[jf].tsv), err)) != 0) break;
            double diff = 0;
            int common = cut.epochs < full.epochs ? cut.epochs : full.epochs;
            for (int k = 1; k <= common; k++)
                diff = fmax(diff, fabs(cut.val_loss[k] - full.val_loss[k]));
            chapter_put(ch, run->exp[f].key, "prefix_diff", "%.3g", diff);
            printf("      %s trained %d epochs, and they are %s's first %d: the validation "
                   "losses differ by at most %.3g\n", run->exp[f].name, cut.epochs,
                   run->exp[e].name, common, diff);
            history_free(&cut);
        }
        history_free(&full);
    }
    return rc;
}

// ---------------------------------------------------------------------------
// Step 6: the printed rule

static int printed_report(Run *run, const Job *job, Error *err) {
    Chapter *ch = &run->ch;
    chapter_step(ch, 6, "the study's Algorithm 2 as printed, for a few epochs");
    int usual = -1;
    for (int e = 0; e < run->n_exp; e++)
        if (run->cfg[e].momentum && !run->cfg[e].early_stop) usual = e;
    History h, u = {0};
    if (history_read(&h, chapter_file(ch, job->tsv), err) != 0) return -1;
    if (usual >= 0 &&
        history_read(&u, chapter_file(ch, run->jobs[first_job(run, usual)].tsv), err) != 0) {
        history_free(&h);
        return -1;
    }
    const TrainResult *r = &job->res;
    int last = h.epochs;
    printf("      as printed, %d epochs: validation loss %.2f after epoch 1, %.2f after epoch "
           "%d;\n      test accuracy %.2f%%", r->epochs_run, h.val_loss[1], h.val_loss[last],
           last, r->test_acc);
    if (usual >= 0 && u.epochs >= last)
        printf(" (the usual rule, same seed: validation loss %.4f after epoch %d)",
               u.val_loss[last], last);
    printf("\n");
    Values *v = &ch->values;
    values_set(v, "printed_epochs", "%d", r->epochs_run);
    values_set(v, "printed_test_acc", "%.2f", r->test_acc);
    values_set(v, "printed_val_loss1", "%.1f", h.val_loss[1]);
    values_set(v, "printed_val_loss_last", "%.1f", h.val_loss[last]);
    values_set(v, "printed_wall", "%.0f", job->wall);
    if (usual >= 0 && u.epochs >= last)
        values_set(v, "usual_val_loss_at_printed", "%.3f", u.val_loss[last]);
    history_free(&h), history_free(&u);
    return 0;
}

// ---------------------------------------------------------------------------
// Step 7: pictures

static int draw(Run *run, Error *err) {
    Chapter *ch = &run->ch;
    const Options *o = &ch->opt;
    chapter_step(ch, 7, "draw the curves");
    char vars[1024], name[96];
    int rc = 0;
    for (int e = 0; e < run->n_exp && rc == 0; e++) {
        const Job *job = &run->jobs[first_job(run, e)];
        const Config *c = &run->cfg[e];
        char what[128] = "", marks[256];
        if (c->momentum) snprintf(what, sizeof what, ", momentum %g", c->momentum_gamma);
        if (c->early_stop)
            snprintf(what + strlen(what), sizeof what - strlen(what),
                     ", early stopping (E = %d)", c->early_stop_epoch);
        // With early stopping: the epoch kept and the epoch it stopped after.
        // Without: the lowest validation loss, and where patience E would
        // have stopped the run (E from the experiment with early stopping).
        if (c->early_stop)
            snprintf(marks, sizeof marks, "mark1=%d; label1='kept: epoch %d'; mark2=%d; "
                     "label2='stopped after epoch %d'", job->res.kept_epoch, job->res.kept_epoch,
                     job->res.stopped_early ? job->res.epochs_run : 0, job->res.epochs_run);
        else
            snprintf(marks, sizeof marks, "mark1=%d; label1='lowest validation loss: epoch %d'; "
                     "mark2=%d; label2='early stopping would stop after epoch %d'",
                     run->low_epoch[e], run->low_epoch[e], run->would_stop[e],
                     run->would_stop[e]);
        snprintf(vars, sizeof vars, "tsv='%s'; %s; title='%s: rate %g, batch %d%s (seed %llu)'",
                 job->tsv, marks, run->exp[e].what, c->learning_rate, c->batch_size, what,
                 (unsigned long long)job->seed);
        snprintf(name, sizeof name, "curves-%s", run->exp[e].name);
        rc = plot_render_with(o->figures_dir, "ch4-curves", name, o->out_dir, vars, err);
    }
    // The printed rule beside the usual one, with the same settings and seed.
    int usual = -1;
    for (int e = 0; e < run->n_exp; e++)
        if (run->cfg[e].momentum && !run->cfg[e].early_stop) usual = e;
    for (int j = 0; j < run->n_jobs && rc == 0 && usual >= 0; j++) {
        const Job *job = &run->jobs[j];
        if (job->exp >= 0) continue;
        snprintf(vars, sizeof vars, "usual='%s'; epochs=%d; title='Momentum as the study''s "
                 "Algorithm 2 prints it, and the usual rule: rate %g, gamma %g (seed %llu)'",
                 run->jobs[first_job(run, usual)].tsv, job->res.epochs_run,
                 run->cfg[usual].learning_rate, run->cfg[usual].momentum_gamma,
                 (unsigned long long)job->seed);
        rc = plot_render_with(o->figures_dir, "ch4-printed", "printed", o->out_dir, vars, err);
    }
    if (rc == 0) printf("      %s/curves-*.svg%s (and .pdf)\n", o->out_dir,
                        usual >= 0 && !o->config ? ", printed.svg" : "");
    return rc;
}

// ---------------------------------------------------------------------------

static void add_job(Run *run, int exp, uint64_t seed) {
    Job *j = &run->jobs[run->n_jobs++];
    memset(j, 0, sizeof *j);
    j->exp = exp, j->seed = seed;
    if (exp < 0)
        snprintf(j->tsv, sizeof j->tsv, "printed.tsv");
    else if (seed == run->ch.opt.seed)
        snprintf(j->tsv, sizeof j->tsv, "%s.tsv", run->exp[exp].name);
    else
        snprintf(j->tsv, sizeof j->tsv, "%s-seed%llu.tsv", run->exp[exp].name,
                 (unsigned long long)seed);
}

// Everything after the command line.
static int run_chapter(void *ctx, Mnist *data, Error *err) {
    Run *run = ctx;
    Chapter *ch = &run->ch;
    if (read_configs(run, err) != 0) return -1;
    if (chapter_load(ch, data, err) != 0) return -1;
    for (int e = 0; e < run->n_exp; e++)
        if (chapter_check_config(ch, &run->cfg[e], run->cfg_path[e], data, err) != 0) return -1;
    printf("      %d training, %d validation and %d test images (seed %llu)\n", data->train.n,
           data->val.n, data->test.n, (unsigned long long)ch->opt.seed);
    values_set(&ch->values, "n_train", "%d", data->train.n);
    values_set(&ch->values, "batches_per_epoch", "%d",
               (data->train.n + run->cfg[0].batch_size - 1) / run->cfg[0].batch_size);

    chapter_step(ch, 3, "your momentum_step and should_stop on small cases, then every function "
                        "at once");
    if (constant_gradient(run, err) != 0) return -1;
    made_up_history(run);
    if (quick_pass(run, data, err) != 0) return -1;

    // The jobs: the longest first, so that the short ones fill in beside them.
    bool with_printed = !ch->opt.config;
    for (int e = 0; e < run->n_exp; e++)
        if (!run->cfg[e].early_stop) add_job(run, e, ch->opt.seed);
    if (with_printed) add_job(run, -1, ch->opt.seed);
    for (int e = 0; e < run->n_exp; e++)
        for (int s = 0; s < run->seeds[e]; s++)
            if (run->cfg[e].early_stop || s > 0) add_job(run, e, ch->opt.seed + s);
    run->workers = jobs_workers(run->n_jobs);
    run->data = data;
    char what[160];
    snprintf(what, sizeof what, "train: %d run%s, %d at a time%s", run->n_jobs,
             run->n_jobs > 1 ? "s" : "", run->workers,
             run->workers > 1 ? " (each in its own process)" : "");
    chapter_step(ch, 4, what);
    double t0 = wall_time();
    int rc = jobs_run(run->jobs, run_one, run_done, run, run->n_jobs, sizeof(Job), run->workers,
                      err);
    if (rc != 0) return rc;
    values_set(&ch->values, "train_wall", "%.0f", wall_time() - t0);
    values_set(&ch->values, "workers", "%d", run->workers);
    values_set(&ch->values, "jobs", "%d", run->n_jobs);

    if (summarize(run, err) != 0) return -1;
    if (!with_printed)
        chapter_step(ch, 6, "the study's Algorithm 2 as printed: only with the four experiments, "
                            "not with --config");
    for (int j = 0; j < run->n_jobs; j++)
        if (run->jobs[j].exp < 0 && printed_report(run, &run->jobs[j], err) != 0) return -1;
    if (draw(run, err) != 0) return -1;
    if (!ch->opt.quiet) {
        char vars[256];
        snprintf(vars, sizeof vars, "tsv='%s'; from=1", run->jobs[first_job(run, 0)].tsv);
        printf("\n%s: the loss, epoch by epoch from epoch 1 (training and validation):\n",
               run->exp[0].name);
        return plot_text_with(ch->opt.figures_dir, "curves", "curves", ch->opt.out_dir, vars,
                              err);
    }
    return 0;
}

int main(int argc, char **argv) {
    static Run run = {.ch = {.number = 4, .title = "momentum and early stopping", .steps = STEPS}};
    return chapter_main(&run.ch, argc, argv, run_chapter, &run);
}
