// main.c: chapter 6, activation functions. Draws tanh, the logistic sigmoid
// and ReLU with their slopes, computed by your exercises (ch3.h's tanh, ch6.h's
// sigmoid and ReLU); then trains the study's 784-128-10 network once per
// activation, as the configs in this folder say (Szeto and Thomas, section 6),
// each with several seeds so that the spread between runs is measured, not
// guessed. The runs are independent, so they go to as many processes as the
// machine has cores; with --fast (the runs on the reference solutions) they
// train on the library's fast path. It leaves the per-epoch metrics, the
// figures, the table of our results beside the study's and the numbers the
// book quotes in the run folder, values.tsv last.
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "ch2.h"
#include "ch3.h"
#include "ch4.h"
#include "ch5.h"
#include "ch6.h"
#include "chapter.h"
#include "config.h"
#include "dataset.h"
#include "jobs.h"
#include "linalg.h"
#include "metrics.h"
#include "output.h"
#include "plot.h"
#include "study.h"
#include "train.h"

enum {
    STEPS = 7,
    MAX_EXPERIMENTS = 4,
    DEFAULT_SEEDS = 8,    // the book's run: enough to measure the spread, in a few minutes
    GRID_HALF = 120,      // the activations are drawn at x = i / GRID_STEPS, |i| <= GRID_HALF
    GRID_STEPS = 20,
    SMOKE_IMAGES = 256,   // the short run of step 4
};

// The study's section 6, experiment by experiment, in the order the chapter
// runs them: their configs and what the study reports are lib/study.c's.
static const char *const STUDY_NAMES[MAX_EXPERIMENTS] = {"tanh", "sigmoid", "relu",
                                                         "relu-small-rate"};
// The study's section 4.2.4 ran the tanh experiment's very settings and
// reported another test accuracy, after another number of epochs.
static const char *const STUDY_SECTION4 = "momentum-early-stop";

typedef struct {
    char name[32];       // for file names: "relu-small-rate"
    char key[32];        // for values.tsv: "relu_small_rate"
    char label[64];      // for tables and figures: "ReLU, rate 0.0001"
    const char *path;
    Config cfg;
    int study;           // the study's run of this config: its index in STUDY_NAMES, or -1
} Experiment;

// What one training run finds.
typedef struct {
    TrainResult tr;
    long long preacts, zeros;  // hidden net inputs seen before and after training, and how
                               // many were exactly 0
    double slope0, slope;      // the mean slope of the hidden units, before and after
    int dead, hidden;          // hidden units that pass no gradient on any validation image
} JobResult;

// One experiment with one seed: a job of lib/jobs.h, whose whole Job comes back.
typedef struct {
    int exp;
    uint64_t seed;
    bool first;             // the experiment's first seed: its curves go in the book
    JobResult r;
} Job;

typedef struct {
    Chapter ch;
    int seeds;
    int n_exp;
    Experiment exp[MAX_EXPERIMENTS];
    Job *jobs;              // [n_exp * seeds], experiment by experiment
    int workers, finished;
    const Mnist *data;
} Run;

// The largest slope of each activation: tanh'(0) = 1, sigmoid'(0) = 1/4, and
// ReLU's 1 for every positive input.
static double max_slope(Activation a) { return a == ACT_SIGMOID ? 0.25 : 1.0; }

// A hidden unit whose slope stays at or below this share of the largest on
// every validation image passes back (almost) no gradient: for ReLU, a unit
// that is off for every image.
static const double DEAD_SLOPE = 0.01;

//> count-zeros
// How many of n net inputs are exactly 0: the only inputs at which ReLU's two
// possible derivatives, 0 and 1, differ.
static long long exact_zeros(const double *z, int n) {
    long long zeros = 0;
    for (int i = 0; i < n; i++) zeros += z[i] == 0.0;
    return zeros;
}
//< count-zeros

// ---------------------------------------------------------------------------
// Step 1: the experiments

// What the study reports for its experiment i (lib/study.c).
static const StudyExperiment *reported(int i) { return study_find(STUDY_NAMES[i]); }

// The study's experiment a config is, if any (else -1): the same network,
// training, activation and rate as its config (the epochs and the seed aside).
static int study_of(const Config *c) {
    for (int i = 0; i < MAX_EXPERIMENTS; i++) {
        const StudyExperiment *x = reported(i);
        Config s;
        Error err;
        if (config_load(&s, x->config, &err) != 0 || s.n_layers != c->n_layers) continue;
        bool same = s.activation == c->activation &&
                    fabs(s.learning_rate / c->learning_rate - 1) < 1e-9 &&
                    s.batch_size == c->batch_size && s.early_stop == c->early_stop &&
                    s.early_stop_epoch == c->early_stop_epoch && s.momentum == c->momentum &&
                    s.momentum_gamma == c->momentum_gamma && s.L1_penalty == c->L1_penalty &&
                    s.L2_penalty == c->L2_penalty;
        for (int l = 0; l < s.n_layers; l++) same &= s.layer_specs[l] == c->layer_specs[l];
        if (same) return i;
    }
    return -1;
}

static int read_configs(Run *run, Error *err) {
    Chapter *ch = &run->ch;
    chapter_step(ch, 1, "read the experiments");
    run->n_exp = ch->opt.config ? 1 : MAX_EXPERIMENTS;
    for (int i = 0; i < run->n_exp; i++) {
        Experiment *e = &run->exp[i];
        e->path = ch->opt.config ? ch->opt.config : reported(i)->config;
        if (config_load(&e->cfg, e->path, err) != 0) return -1;
        if (ch->opt.max_epochs > 0 && ch->opt.max_epochs < e->cfg.epochs)
            e->cfg.epochs = ch->opt.max_epochs;
        config_name(e->name, sizeof e->name, e->path);
        for (int k = 0; e->name[k]; k++) e->key[k] = e->name[k] == '-' ? '_' : e->name[k];
        e->study = study_of(&e->cfg);
        const Config *c = &e->cfg;
        snprintf(e->label, sizeof e->label, "%s, rate %g", activation_name(c->activation),
                 c->learning_rate);
        printf("      %-45s %s hidden layer%s, rate %g, batch %d, %s, %s\n", e->path,
               activation_name(c->activation), c->n_layers > 3 ? "s" : "", c->learning_rate,
               c->batch_size,
               c->momentum ? "momentum" : "no momentum",
               c->early_stop ? "early stopping" : "no early stopping");
    }
    if (ch->opt.config) cli_take_config_seed(&ch->opt, run->exp[0].cfg.seed);
    const Config *c = &run->exp[0].cfg;
    values_set(&ch->values, "learning_rate", "%g", c->learning_rate);
    values_set(&ch->values, "batch_size", "%d", c->batch_size);
    values_set(&ch->values, "max_epochs", "%d", c->epochs);
    values_set(&ch->values, "patience", "%d", c->early_stop_epoch);
    values_set(&ch->values, "gamma", "%g", c->momentum_gamma);
    // The study sums the gradient over a batch: its step on the mean gradient
    // is rate x batch, and momentum makes a steady step 1 / (1 - gamma) longer.
    values_set(&ch->values, "mean_step", "%g", c->learning_rate * c->batch_size);
    values_set(&ch->values, "momentum_factor", "%g", 1.0 / (1.0 - c->momentum_gamma));
    values_set(&ch->values, "steady_step", "%g",
               c->learning_rate * c->batch_size / (1.0 - c->momentum_gamma));
    return 0;
}

// ---------------------------------------------------------------------------
// Step 3: the three activations and their slopes, from your functions

typedef void (*Forward)(double *out, const double *inp, int n);
typedef void (*Backward)(double *dinp, const double *dout, const double *out, int n);

//> slopes
// An activation's value at each x, and its slope there from its backward
// pass: with dout = 1, dinp is the derivative itself.
static void value_and_slope(double *f, double *df, const double *x, const double *ones, int n,
                            Forward forward, Backward backward) {
    forward(f, x, n);
    backward(df, ones, f, n);
}
//< slopes

static int activations(Run *run, Error *err) {
    Chapter *ch = &run->ch;
    chapter_step(ch, 3, "tanh, sigmoid and ReLU, and their slopes from the backward passes");
    enum { N = 2 * GRID_HALF + 1, ZERO = GRID_HALF };
    static const char *const NAMES[3] = {"tanh", "sigmoid", "relu"};
    static const Forward FW[3] = {tanh_forward, sigmoid_forward, relu_forward};
    static const Backward BW[3] = {tanh_backward, sigmoid_backward, relu_backward};
    double x[N], ones[N], f[3][N], df[3][N];
    for (int i = 0; i < N; i++) x[i] = (double)(i - GRID_HALF) / GRID_STEPS, ones[i] = 1.0;
    for (int a = 0; a < 3; a++) value_and_slope(f[a], df[a], x, ones, N, FW[a], BW[a]);

    // What the figure shows must be true: the values at 0 and the slopes
    // against central differences of the forward passes (away from ReLU's kink).
    static const double AT0[3] = {0.0, 0.5, 0.0}, SLOPE0[3] = {1.0, 0.25, 0.0};
    double worst[3] = {0};
    for (int a = 0; a < 3; a++) {
        if (!(fabs(f[a][ZERO] - AT0[a]) < 1e-12))
            chapter_wrong(ch, "%s(0) is %g, your function gave %.17g", NAMES[a], AT0[a],
                          f[a][ZERO]);
        if (!(fabs(df[a][ZERO] - SLOPE0[a]) < 1e-12))
            chapter_wrong(ch, "the slope of %s at 0 is %g%s, your backward pass gave %.17g",
                          NAMES[a], SLOPE0[a], a == 2 ? " (this book's choice, see ch6.h)" : "",
                          df[a][ZERO]);
        for (int i = 0; i < N; i++) {
            if (i == ZERO) continue;
            const double h = 1e-5;
            double pm[2] = {x[i] + h, x[i] - h}, fp[2];
            FW[a](fp, pm, 2);
            double d = fabs(df[a][i] - (fp[0] - fp[1]) / (2 * h));
            if (!(d < 1e-6))
                chapter_wrong(ch, "at x = %g the backward pass of %s gives the slope %.10g, but "
                                  "its forward pass rises at %.10g", x[i], NAMES[a], df[a][i],
                              (fp[0] - fp[1]) / (2 * h));
            worst[a] = fmax(worst[a], d);
        }
    }
    // tanh is a sigmoid stretched and shifted: tanh(x) = 2 sigmoid(2x) - 1.
    double twice[N], s2[N], identity = 0.0;
    for (int i = 0; i < N; i++) twice[i] = 2.0 * x[i];
    sigmoid_forward(s2, twice, N);
    for (int i = 0; i < N; i++) identity = fmax(identity, fabs(f[0][i] - (2.0 * s2[i] - 1.0)));

    OutFile o;
    if (out_open(&o, chapter_file(ch, "activations.tsv"), err) != 0) return -1;
    fprintf(o.f, "x\ttanh\ttanh_slope\tsigmoid\tsigmoid_slope\trelu\trelu_slope\n");
    for (int i = 0; i < N; i++)
        fprintf(o.f, "%.4f\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g\n", x[i], f[0][i], df[0][i],
                f[1][i], df[1][i], f[2][i], df[2][i]);
    if (out_commit(&o, err) != 0) return -1;

    printf("      %6s %10s %10s %10s %10s %10s %10s\n", "x", "tanh", "slope", "sigmoid", "slope",
           "ReLU", "slope");
    for (int i = 0; i < N; i += GRID_STEPS * 2)
        printf("      %6g %10.4f %10.4f %10.4f %10.4f %10.4f %10.4f\n", x[i], f[0][i], df[0][i],
               f[1][i], df[1][i], f[2][i], df[2][i]);
    printf("      each slope agrees with central differences of its forward pass to %.0e;\n"
           "      tanh(x) and 2 sigmoid(2x) - 1 differ by at most %.1e\n",
           fmax(worst[0], fmax(worst[1], worst[2])), identity);
    // The slopes the book quotes: at 0 and at x = 2 and 4 (saturation)
    int at2 = ZERO + 2 * GRID_STEPS, at4 = ZERO + 4 * GRID_STEPS;
    for (int a = 0; a < 3; a++) {
        char key[48];
        snprintf(key, sizeof key, "slope_%s_0", NAMES[a]);
        values_set(&ch->values, key, "%g", df[a][ZERO]);
        snprintf(key, sizeof key, "slope_%s_2", NAMES[a]);
        values_set(&ch->values, key, "%.3g", df[a][at2]);
        snprintf(key, sizeof key, "slope_%s_4", NAMES[a]);
        values_set(&ch->values, key, "%.3g", df[a][at4]);
    }
    values_set(&ch->values, "tanh_sigmoid_identity", "%.0e", fmax(identity, 1e-17));
    values_set(&ch->values, "slope_check", "%.0e", fmax(fmax(worst[0], worst[1]), worst[2]));
    return 0;
}

// ---------------------------------------------------------------------------
// One training run (in its own process when there are several cores)

// The hidden layer of a network on a split: the mean slope of its units (how
// much of the gradient the activation lets through, on average), how many
// units pass no gradient, or almost none, on every example, and how many of
// its net inputs are exactly 0 (added to r's counts).
static void hidden_stats(JobResult *r, const Net *net, const TrainOps *ops, Activation act,
                         const Split *s) {
    enum { CHUNK = 500 };
    int C = net->sizes[0], H = net->sizes[1];
    r->hidden = H;
    double *x = malloc(sizeof(double) * (size_t)CHUNK * C);
    double *h = malloc(sizeof(double) * (size_t)CHUNK * H);
    double *d = malloc(sizeof(double) * (size_t)CHUNK * H);
    double *ones = malloc(sizeof(double) * (size_t)CHUNK * H);
    char *alive = calloc((size_t)H, 1);
    if (!x || !h || !d || !ones || !alive) {
        r->slope = NAN, r->dead = -1;
        free(x), free(h), free(d), free(ones), free(alive);
        return;
    }
    for (int i = 0; i < CHUNK * H; i++) ones[i] = 1.0;
    double sum = 0.0, floor_slope = DEAD_SLOPE * max_slope(act);
    for (int start = 0; start < s->n; start += CHUNK) {
        int b = s->n - start < CHUNK ? s->n - start : CHUNK;
        split_range(x, NULL, s, start, b);
        ops->layers.linear_forward(h, x, net->W[0], net->b[0], b, C, H);
        r->zeros += exact_zeros(h, b * H), r->preacts += b * H;
        ops->layers.act_forward(h, h, b * H);
        ops->layers.act_backward(d, ones, h, b * H);
        for (int i = 0; i < b * H; i++) {
            sum += d[i];
            if (d[i] > floor_slope) alive[i % H] = 1;
        }
    }
    r->slope = sum / ((double)s->n * H);
    r->dead = 0;
    for (int j = 0; j < H; j++) r->dead += !alive[j];
    free(x), free(h), free(d), free(ones), free(alive);
}

// One run: the hidden layer before, training, and the hidden layer after.
static int run_one(void *result, int k, void *ctx, Error *err) {
    (void)k;
    const Run *run = ctx;
    Job *j = result;
    const Experiment *e = &run->exp[j->exp];
    JobResult *r = &j->r;
    char tsv[4200], label[96];
    if (j->first)
        snprintf(tsv, sizeof tsv, "%s/metrics-%s.tsv", run->ch.opt.out_dir, e->name);
    else
        snprintf(tsv, sizeof tsv, "%s/metrics-%s-seed%llu.tsv", run->ch.opt.out_dir, e->name,
                 (unsigned long long)j->seed);
    snprintf(label, sizeof label, "%s, seed %llu", e->label, (unsigned long long)j->seed);
    TrainOps ops = chapter6_ops(e->cfg.activation);
    Net net;
    if (net_from_config(&net, &e->cfg, err) != 0) return -1;
    //> init
    net_init(&net, j->seed, 0);  // weights ~ N(0, 1/fan_in), biases 0
    //< init
    bool hidden = net.n_layers > 1;
    if (hidden) hidden_stats(r, &net, &ops, e->cfg.activation, &run->data->val);
    r->slope0 = r->slope;
    // --fast: lib/fast.c's kernels train, one thread each when runs go side by
    // side; only the first seed's curves are drawn, so the others skip
    // measuring the whole training split after each epoch
    TrainOptions how = {.fast = run->ch.opt.fast, .threads = run->workers > 1 ? 1 : 0,
                        .skip_train_metrics = !j->first};
    int rc = train_with(&r->tr, &net, &ops, &e->cfg, run->data, j->seed, tsv, label, &how, err);
    if (rc == 0 && hidden) hidden_stats(r, &net, &ops, e->cfg.activation, &run->data->val);
    net_free(&net);
    return rc;
}

// ---------------------------------------------------------------------------
// Step 4: every function the runs call, on a few images, in this process

static int smoke(Run *run, const Mnist *data, Error *err) {
    Chapter *ch = &run->ch;
    chapter_step(ch, 4, "a first epoch on a few images with each activation: every function the "
                        "runs call");
    int n = SMOKE_IMAGES;
    Mnist few = first_examples(data, n);
    for (int i = 0; i < run->n_exp; i++) {
        Experiment *e = &run->exp[i];
        Config c = e->cfg;
        c.epochs = 1;
        if (c.batch_size > few.train.n) c.batch_size = few.train.n;
        TrainOps ops = chapter6_ops(c.activation);
        Net net;
        TrainResult tr;
        if (net_from_config(&net, &c, err) != 0) return -1;
        net_init(&net, ch->opt.seed, 0);
        char tsv[4200];
        snprintf(tsv, sizeof tsv, "%s/smoke.tsv", ch->opt.out_dir);
        bool was_quiet = progress_quiet;
        progress_quiet = true;
        int rc = train(&tr, &net, &ops, &c, &few, ch->opt.seed, tsv, e->name, err);
        progress_quiet = was_quiet;
        net_free(&net);
        remove(tsv);
        if (rc != 0) return -1;
        if (!isfinite(tr.test_loss))
            chapter_wrong(ch, "%s: one epoch on %d images gave a test loss of %g", e->label, n,
                          tr.test_loss);
        printf("      %-20s one epoch on %d images: test loss %.3f\n", e->label, few.train.n,
               tr.test_loss);
    }
    return 0;
}

// ---------------------------------------------------------------------------
// Step 5: every run, in parallel

// In the parent, as each run ends: one line.
static void run_done(const void *result, int k, void *ctx) {
    (void)k;
    Run *run = ctx;
    const Job *j = result;
    const Experiment *e = &run->exp[j->exp];
    const TrainResult *t = &j->r.tr;
    progress_done();
    printf("      %2d/%-2d %-20s seed %-3llu test accuracy %6.2f%%, %s after epoch %d, kept %d "
           "(%.0f s)\n", ++run->finished, run->n_exp * run->seeds, e->label,
           (unsigned long long)j->seed, t->test_acc, t->stopped_early ? "stopped" : "ended",
           t->epochs_run, t->kept_epoch, t->seconds);
    fflush(stdout);
}

// Every run, as many at once as there are cores. Returns as jobs_run does.
static int run_all(Run *run, Job *jobs, int n, const Mnist *data, Error *err) {
    run->workers = jobs_workers(n);
    run->data = data;
    printf("      %d run%s (%d experiment%s x %d seed%s) on %d process%s\n", n, n > 1 ? "s" : "",
           run->n_exp, run->n_exp > 1 ? "s" : "", run->seeds, run->seeds > 1 ? "s" : "",
           run->workers, run->workers > 1 ? "es" : "");
    fflush(stdout);
    values_set(&run->ch.values, "workers", "%d", run->workers);
    int rc = jobs_run(jobs, run_one, run_done, run, n, sizeof(Job), run->workers, err);
    progress_done();
    return rc;
}

// ---------------------------------------------------------------------------
// Step 6: ours beside the study's

// Where x lies against the range of a spread, in words for the book.
static const char *where(double x, Stats s) {
    return x < s.min ? "below" : x > s.max ? "above" : "inside";
}

static int results(Run *run, const Job *jobs, Error *err) {
    Chapter *ch = &run->ch;
    const StudyExperiment *reported_s4 = study_find(STUDY_SECTION4);  // the tanh run's twin
    chapter_step(ch, 6, "our test accuracies beside the study's");
    int S = run->seeds;
    OutFile md, sd, hd;
    if (out_open(&md, chapter_file(ch, "results.md"), err) != 0) return -1;
    if (out_open(&sd, chapter_file(ch, "seeds.md"), err) != 0) {
        out_abort(&md);
        return -1;
    }
    if (out_open(&hd, chapter_file(ch, "hidden.md"), err) != 0) {
        out_abort(&md), out_abort(&sd);
        return -1;
    }
    Stats accs[MAX_EXPERIMENTS];
    char zeros_text[1024] = "";
    double max_gap = 0, max_mean_gap = 0;
    int stops_n = 0, stops_inside = 0;  // the study's stopping epochs, and those inside our range
    fprintf(hd.f, "| Hidden layer | Rate | Largest slope | Mean slope, untrained | Mean slope, "
                  "trained | Units below %g%% of the largest slope on every validation image |\n"
                  "|:--|--:|--:|--:|--:|--:|\n", 100 * DEAD_SLOPE);
    values_set(&ch->values, "dead_slope_pct", "%g", 100 * DEAD_SLOPE);
    fprintf(md.f, "| Hidden layer | Rate | The study | Stopped | Ours, seed %llu | Stopped (kept) "
                  "| Ours, %d seeds: mean ± sd | Lowest – highest | Stopped |\n"
                  "|:--|--:|--:|--:|--:|--:|--:|--:|--:|\n",
            (unsigned long long)ch->opt.seed, S);
    fprintf(sd.f, "| Seed |");
    for (int i = 0; i < run->n_exp; i++) fprintf(sd.f, " %s |", run->exp[i].label);
    fprintf(sd.f, "\n|--:|");
    for (int i = 0; i < run->n_exp; i++) fprintf(sd.f, "--:|");
    fprintf(sd.f, "\n");
    for (int k = 0; k < S; k++) {
        fprintf(sd.f, "| %llu |", (unsigned long long)(ch->opt.seed + k));
        for (int i = 0; i < run->n_exp; i++) {
            const TrainResult *t = &jobs[i * S + k].r.tr;
            fprintf(sd.f, " %.2f%% (%d) |", t->test_acc, t->epochs_run);
        }
        fprintf(sd.f, "\n");
    }
    printf("      %-20s %8s %7s %8s %12s %16s %14s %10s\n", "", "study", "stop", "ours",
           "stop (kept)", "mean ± sd", "range", "stops");
    for (int i = 0; i < run->n_exp; i++) {
        Experiment *e = &run->exp[i];
        const Job *first = &jobs[i * S];
        const TrainResult *t = &first->r.tr;
        double acc[100], ep[100];
        long long preacts = 0, zeros = 0;
        for (int k = 0; k < S; k++) {
            acc[k] = jobs[i * S + k].r.tr.test_acc, ep[k] = jobs[i * S + k].r.tr.epochs_run;
            preacts += jobs[i * S + k].r.preacts, zeros += jobs[i * S + k].r.zeros;
        }
        Stats a = stats_of(acc, S), s = stats_of(ep, S);
        accs[i] = a;
        char study_acc[32] = "—", study_stop[32] = "—";
        if (e->study >= 0) {
            snprintf(study_acc, sizeof study_acc, "%.2f%%", reported(e->study)->acc);
            snprintf(study_stop, sizeof study_stop, "%d", reported(e->study)->stop_epoch);
        }
        fprintf(md.f, "| %s | %g | %s | %s | %.2f%% | %d (%d) | %.2f%% ± %.2f | %.2f%% – %.2f%% "
                      "| %.0f – %.0f |\n",
                activation_name(e->cfg.activation), e->cfg.learning_rate, study_acc, study_stop,
                t->test_acc, t->epochs_run, t->kept_epoch, a.mean, a.sd, a.min, a.max, s.min,
                s.max);
        printf("      %-20s %8s %7s %7.2f%% %7d (%2d) %9.2f ± %.2f %6.2f–%.2f %5.0f–%.0f\n",
               e->label, study_acc, study_stop, t->test_acc, t->epochs_run, t->kept_epoch, a.mean,
               a.sd, a.min, a.max, s.min, s.max);
        fprintf(hd.f, "| %s | %g | %g | %.2f | %.2f | %d of %d |\n",
                activation_name(e->cfg.activation), e->cfg.learning_rate,
                max_slope(e->cfg.activation), first->r.slope0, first->r.slope, first->r.dead,
                first->r.hidden);
        chapter_put(ch, e->key, "test_acc", "%.2f", t->test_acc);
        chapter_put(ch, e->key, "stop", "%d", t->epochs_run);
        chapter_put(ch, e->key, "kept", "%d", t->kept_epoch);
        chapter_put(ch, e->key, "mean", "%.2f", a.mean);
        chapter_put(ch, e->key, "sd", "%.2f", a.sd);
        chapter_put(ch, e->key, "min", "%.2f", a.min);
        chapter_put(ch, e->key, "max", "%.2f", a.max);
        chapter_put(ch, e->key, "stop_mean", "%.1f", s.mean);
        chapter_put(ch, e->key, "stop_min", "%.0f", s.min);
        chapter_put(ch, e->key, "stop_max", "%.0f", s.max);
        chapter_put(ch, e->key, "hidden_slope0", "%.2f", first->r.slope0);
        chapter_put(ch, e->key, "hidden_slope", "%.2f", first->r.slope);
        chapter_put(ch, e->key, "dead", "%d", first->r.dead);
        chapter_put(ch, e->key, "preacts_millions", "%.0f", preacts / 1e6);
        chapter_put(ch, e->key, "zeros", "%lld", zeros);
        if (e->cfg.activation == ACT_RELU) {
            size_t used = strlen(zeros_text);
            snprintf(zeros_text + used, sizeof zeros_text - used,
                     "      %s: %lld of the %.0f million net inputs of the hidden layer were "
                     "exactly 0\n", e->label, zeros, preacts / 1e6);
        }
        if (e->study == 0) {
            // The study ran this very setting twice (sections 4.2.4 and 6.2.1)
            // and reported accuracies this far apart: how many pairs of our
            // runs are at least as far apart?
            double gap = fabs(reported(0)->acc - reported_s4->acc);
            int pairs = 0, over = 0;
            for (int p = 0; p < S; p++)
                for (int q = p + 1; q < S; q++) pairs++, over += fabs(acc[p] - acc[q]) >= gap;
            values_set(&ch->values, "pairs", "%d", pairs);
            values_set(&ch->values, "pairs_over_gap", "%d", over);
            values_set(&ch->values, "s4_where", "%s", where(reported_s4->acc, a));
            values_set(&ch->values, "s6_where", "%s", where(reported(0)->acc, a));
        }
        if (e->study >= 0) {
            const StudyExperiment *x = reported(e->study);
            chapter_put(ch, e->key, "study_acc", "%.2f", x->acc);
            chapter_put(ch, e->key, "study_stop", "%d", x->stop_epoch);
            stops_n++, stops_inside += x->stop_epoch >= s.min && x->stop_epoch <= s.max;
            max_gap = fmax(max_gap, fabs(t->test_acc - x->acc));
            max_mean_gap = fmax(max_mean_gap, fabs(a.mean - x->acc));
            chapter_put(ch, e->key, "gap", "%+.2f", t->test_acc - x->acc);
            chapter_put(ch, e->key, "mean_gap", "%+.2f", a.mean - x->acc);
        }
    }
    if (out_commit(&md, err) != 0) {
        out_abort(&sd), out_abort(&hd);
        return -1;
    }
    if (out_commit(&sd, err) != 0) {
        out_abort(&hd);
        return -1;
    }
    if (out_commit(&hd, err) != 0) return -1;
    printf("%s", zeros_text);
    values_set(&ch->values, "max_gap", "%.2f", max_gap);
    values_set(&ch->values, "max_mean_gap", "%.2f", max_mean_gap);
    values_set(&ch->values, "study_stops_n", "%d", stops_n);
    values_set(&ch->values, "study_stops_inside", "%d", stops_inside);
    // Two experiments compared: the difference of their means, and how many
    // standard errors of that difference it is.
    for (int i = 0; i < run->n_exp; i++)
        for (int k = 0; k < run->n_exp; k++) {
            int p = run->exp[i].study, q = run->exp[k].study;
            if (!((p == 1 && q == 0) || (p == 3 && q == 2)) || S < 2) continue;
            double diff = accs[i].mean - accs[k].mean;
            double se = sqrt((accs[i].sd * accs[i].sd + accs[k].sd * accs[k].sd) / S);
            char key[48];
            snprintf(key, sizeof key, "%s_minus_%s", run->exp[i].key, run->exp[k].key);
            values_set(&ch->values, key, "%.2f", diff);
            snprintf(key, sizeof key, "%s_minus_%s_se", run->exp[i].key, run->exp[k].key);
            values_set(&ch->values, key, "%.1f", se > 0 ? diff / se : 0.0);
            // and run for run: the one's worst against the other's best
            snprintf(key, sizeof key, "%s_worst_vs_%s_best", run->exp[i].key, run->exp[k].key);
            values_set(&ch->values, key, "%s", accs[i].min > accs[k].max   ? "above"
                                               : accs[i].min < accs[k].max ? "below"
                                                                           : "level with");
        }
    values_set(&ch->values, "seeds", "%d", S);
    values_set(&ch->values, "seed_first", "%llu", (unsigned long long)ch->opt.seed);
    values_set(&ch->values, "seed_last", "%llu", (unsigned long long)(ch->opt.seed + S - 1));
    values_set(&ch->values, "study_s4_acc", "%.2f", reported_s4->acc);
    values_set(&ch->values, "study_s4_stop", "%d", reported_s4->stop_epoch);
    values_set(&ch->values, "study_s4_s6_diff", "%.2f",
               fabs(reported(0)->acc - reported_s4->acc));
    // The study's ReLU at the smaller rate trained this many times as many
    // epochs as at the larger one (its section 6.2.3).
    values_set(&ch->values, "study_relu_stop_ratio", "%.1f",
               (double)reported(3)->stop_epoch / reported(2)->stop_epoch);
    return 0;
}

// ---------------------------------------------------------------------------
// Step 7: pictures

// The variables of figures/ch6-compare.gp: the first seed's metrics of every
// experiment, and their names.
static void compare_vars(const Run *run, char *vars, size_t size) {
    char files[400] = "", titles[400] = "";
    for (int i = 0; i < run->n_exp; i++) {
        size_t fl = strlen(files), tl = strlen(titles);
        snprintf(files + fl, sizeof files - fl, "%smetrics-%s.tsv", i ? " " : "",
                 run->exp[i].name);
        snprintf(titles + tl, sizeof titles - tl, "%s\"%s\"", i ? " " : "", run->exp[i].label);
    }
    snprintf(vars, size, "files='%s'; titles='%s'", files, titles);
}

static int draw(Run *run, const Job *jobs, Error *err) {
    Chapter *ch = &run->ch;
    chapter_step(ch, 7, "draw the activations and the training curves");
    const char *figs = ch->opt.figures_dir, *out = ch->opt.out_dir;
    int rc = plot_render_with(figs, "ch6-activations", "ch6-activations", out, NULL, err);
    char vars[900];
    for (int i = 0; i < run->n_exp && rc == 0; i++) {
        const Experiment *e = &run->exp[i];
        const Job *j = &jobs[i * run->seeds];
        char name[64];
        snprintf(name, sizeof name, "curves-%s", e->name);
        snprintf(vars, sizeof vars, "tsv='metrics-%s.tsv'; from=1; best=%d; "
                 "title='%s hidden layer, rate %g, seed %llu: stopped after epoch %d'",
                 e->name, j->r.tr.kept_epoch, activation_name(e->cfg.activation),
                 e->cfg.learning_rate, (unsigned long long)j->seed, j->r.tr.epochs_run);
        rc = plot_render_with(figs, "curves", name, out, vars, err);
    }
    compare_vars(run, vars, sizeof vars);
    if (rc == 0) rc = plot_render_with(figs, "ch6-compare", "ch6-compare", out, vars, err);
    if (rc == 0)
        printf("      %s/ch6-activations.svg, curves-*.svg, ch6-compare.svg (and .pdf)\n", out);
    return rc;
}

// ---------------------------------------------------------------------------

// The chapter's steps, after the command line.
static int steps(Run *run, Mnist *data, Error *err) {
    Chapter *ch = &run->ch;
    if (read_configs(run, err) != 0) return -1;
    if (chapter_load(ch, data, err) != 0) return -1;
    for (int i = 0; i < run->n_exp; i++)
        if (chapter_check_config(ch, &run->exp[i].cfg, run->exp[i].path, data, err) != 0)
            return -1;
    printf("      %d training, %d validation and %d test images (split seed %llu)\n",
           data->train.n, data->val.n, data->test.n, (unsigned long long)ch->opt.seed);
    values_set(&ch->values, "n_train", "%d", data->train.n);
    values_set(&ch->values, "n_val", "%d", data->val.n);
    values_set(&ch->values, "n_test", "%d", data->test.n);

    if (activations(run, err) != 0 || smoke(run, data, err) != 0) return -1;

    int n_jobs = run->n_exp * run->seeds;
    Job *jobs = run->jobs = calloc((size_t)n_jobs, sizeof *jobs);
    if (!jobs) return error_set(err, "out of memory for %d runs", n_jobs);
    char what[200];
    if (run->seeds > 1)
        snprintf(what, sizeof what, "train: %d experiment%s, each with seeds %llu to %llu "
                 "(initial weights and batch order; the split stays)", run->n_exp,
                 run->n_exp > 1 ? "s" : "", (unsigned long long)ch->opt.seed,
                 (unsigned long long)(ch->opt.seed + run->seeds - 1));
    else
        snprintf(what, sizeof what, "train: %d experiment%s with seed %llu", run->n_exp,
                 run->n_exp > 1 ? "s" : "", (unsigned long long)ch->opt.seed);
    chapter_step(ch, 5, what);
    for (int i = 0; i < run->n_exp; i++)
        for (int k = 0; k < run->seeds; k++)
            jobs[i * run->seeds + k] = (Job){.exp = i, .seed = ch->opt.seed + k, .first = k == 0};
    double t_train = wall_time();
    int rc = run_all(run, jobs, n_jobs, data, err);
    if (rc != 0) return rc;
    values_set(&ch->values, "train_seconds", "%.0f", wall_time() - t_train);
    double epochs = 0, seconds = 0;
    for (int i = 0; i < n_jobs; i++)
        epochs += jobs[i].r.tr.epochs_run, seconds += jobs[i].r.tr.seconds;
    printf("      %.0f epochs in all, %.2f s each (training only, %s products)\n", epochs,
           seconds / epochs, matmul_backend());
    values_set(&ch->values, "epochs_total", "%.0f", epochs);
    values_set(&ch->values, "epoch_seconds", "%.2f", seconds / epochs);

    if (results(run, jobs, err) != 0 || draw(run, jobs, err) != 0) return -1;
    if (!ch->opt.quiet) {
        printf("\nthe validation loss of each experiment (seed %llu), epoch by epoch:\n",
               (unsigned long long)ch->opt.seed);
        char vars[900];
        compare_vars(run, vars, sizeof vars);
        return plot_text_with(ch->opt.figures_dir, "ch6-compare", "ch6-compare", ch->opt.out_dir,
                              vars, err);
    }
    return 0;
}

// Everything after the command line.
static int run_chapter(void *ctx, Mnist *data, Error *err) {
    Run *run = ctx;
    // The book's run measures the spread over several seeds; --seeds N says how many.
    run->seeds = run->ch.opt.seeds_given ? run->ch.opt.seeds : DEFAULT_SEEDS;
    int rc = steps(run, data, err);
    values_set(&run->ch.values, "total_minutes", "%.1f", (wall_time() - run->ch.start) / 60);
    free(run->jobs);
    return rc;
}

int main(int argc, char **argv) {
    static Run run = {.ch = {.number = 6, .title = "activation functions", .steps = STEPS,
                             .advice = "run `make check-ch6` (and check-ch3 for tanh) to see "
                                       "which property fails"}};
    return chapter_main(&run.ch, argc, argv, run_chapter, &run);
}
