// main.c: chapter 5, L1 and L2 regularization. Trains the study's 784-128-10
// tanh network with momentum for 8 epochs under each of the four penalties of
// its section 5 (L1 and L2, lambda 0.01 and 0.0001) and once without any, as
// the configs in this folder say, each with several seeds (several runs at
// once when there are cores for them). The penalties' gradients are your
// exercises (ch5.h); the layers, the loss and the step are yours from
// chapters 2 to 4 (with --fast, the runs on the reference solutions, the
// library's fast path computes them all). It leaves the per-epoch metrics, the
// tables, the figures and the numbers the book quotes in the run folder.
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
    STEPS = 8,
    MAX_EXPERIMENTS = 8,
    DEFAULT_SEEDS = 5,   // seeds per experiment of the book's run (no --seeds, no --config)
    PATIENCE = 3,        // the study's E, for "when would early stopping have stopped"
    LIN_BINS = 120,      // the histogram of the weights, over [-LIN_MAX, LIN_MAX]
    LOG_BINS = 70,       // and of log10 |w|, over [LOG_MIN, LOG_MAX]
    MAX_PIXELS = 1024,   // the map of switched-off pixels: MNIST's 784 fit
    EDGE = 4,            // the map's border: the pixels within EDGE of an edge of the image
};
static const double LIN_MAX = 0.3;
static const double LOG_MIN = -7.0, LOG_MAX = 0.0;
static const double NEAR_ZERO = 1e-3;  // a weight this small counts as switched off

// The experiments, in the order the book shows them: the study's four
// (its section 5.1, panels a to d), then the same training without a penalty.
static const char *const DEFAULT_CONFIGS[] = {
    "chapters/05-regularization/l1-1e-2.yaml", "chapters/05-regularization/l1-1e-4.yaml",
    "chapters/05-regularization/l2-1e-2.yaml", "chapters/05-regularization/l2-1e-4.yaml",
    "chapters/05-regularization/no-penalty.yaml",
};
enum { N_DEFAULT = sizeof DEFAULT_CONFIGS / sizeof DEFAULT_CONFIGS[0] };

// What the study says about the four, in its words' substance (section 5.2);
// it printed no accuracy for any of them, and its figures did not survive.
typedef struct {
    const char *name, *says;
} StudyClaim;
static const StudyClaim STUDY[] = {
    {"l1-1e-2", "slower to converge, more accurate than $\\lambda = 10^{-4}$"},
    {"l1-1e-4", "faster, less accurate than $\\lambda = 10^{-2}$"},
    {"l2-1e-2", "slower to converge, more accurate than $\\lambda = 10^{-4}$"},
    {"l2-1e-4", "faster, less accurate than $\\lambda = 10^{-2}$; yet the most accurate of "
                "the four"},
    {"no-penalty", "(not a run of the study)"},
};

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

typedef struct {
    const char *path;
    char name[24];      // the config's file name without .yaml: "l1-1e-2"
    char label[48];     // "L1, lambda 0.01", for the terminal and the figures
    char label_md[96];  // the same for the book's tables
    char label_text[96];  // and for its prose: "L1, λ = 0.01"
    Config cfg;
} Experiment;

// What one training run hands back to the parent process.
typedef struct {
    TrainResult res;
    int n_layers;
    double abs_mean[NET_MAX_LAYERS];   // the weights of each layer, not the biases
    double max_abs[NET_MAX_LAYERS];
    double near_zero[NET_MAX_LAYERS];  // the share below NEAR_ZERO in size, in %
    double penalty_end;                // lambda C of the final weights (your penalty())
    double lin[LIN_BINS];              // the first layer's weights: share per bin, in %
    double logh[LOG_BINS];             // and of log10 |w|
    double pixel_off[MAX_PIXELS];      // per pixel, the % of hidden units whose weight
                                       // from it is below NEAR_ZERO in size
    // The first layer's sizes |w| cut in two where logh parts best (used_split):
    double hump;                       // the commonest size below the cut (a bin's centre)
    double used_split;                 // the cut
    double hump_share;                 // the % of the sizes below it
    double used_p10, used_p90;         // the 10th and 90th percentiles of the sizes above it
} Outcome;

// One experiment with one seed. The runs are jobs of lib/jobs.h: each fills
// in its out, and its whole Job comes back.
typedef struct {
    int exp;
    int seed_index;
    uint64_t seed;
    char metrics[4096];
    Outcome out;
    History hist;       // read back from its metrics, once every run is done
} Job;

typedef struct {
    Chapter ch;
    Experiment exp[MAX_EXPERIMENTS];
    int n_exp;
    int seeds;
    int workers;
    Job *jobs;
    int n_jobs;
    int n_train;
    const Mnist *data;
} Run;

static const StudyClaim *study_claim(const char *name) {
    for (size_t i = 0; i < sizeof STUDY / sizeof STUDY[0]; i++)
        if (strcmp(STUDY[i].name, name) == 0) return &STUDY[i];
    return NULL;
}

static int find_exp(const Run *run, const char *name) {
    for (int e = 0; e < run->n_exp; e++)
        if (strcmp(run->exp[e].name, name) == 0) return e;
    return -1;
}

// ---------------------------------------------------------------------------
// Step 1: the experiments

static void describe(Experiment *x) {
    const Config *c = &x->cfg;
    config_name(x->name, sizeof x->name, x->path);
    if (c->L1_penalty > 0 && c->L2_penalty > 0) {
        snprintf(x->label, sizeof x->label, "L1 %g + L2 %g", c->L1_penalty, c->L2_penalty);
        snprintf(x->label_md, sizeof x->label_md, "$L_1$, $\\lambda = %g$, and $L_2$, "
                 "$\\lambda = %g$", c->L1_penalty, c->L2_penalty);
        snprintf(x->label_text, sizeof x->label_text, "L1, λ = %g, and L2, λ = %g",
                 c->L1_penalty, c->L2_penalty);
    } else if (c->L1_penalty > 0 || c->L2_penalty > 0) {
        int k = c->L1_penalty > 0 ? 1 : 2;
        double lam = k == 1 ? c->L1_penalty : c->L2_penalty;
        snprintf(x->label, sizeof x->label, "L%d, lambda %g", k, lam);
        snprintf(x->label_md, sizeof x->label_md, "$L_%d$, $\\lambda = %g$", k, lam);
        snprintf(x->label_text, sizeof x->label_text, "L%d, λ = %g", k, lam);
    } else {
        snprintf(x->label, sizeof x->label, "no penalty");
        snprintf(x->label_md, sizeof x->label_md, "no penalty");
        snprintf(x->label_text, sizeof x->label_text, "no penalty");
    }
}

static int read_configs(Run *run, Error *err) {
    Chapter *ch = &run->ch;
    chapter_step(ch, 1, "read the experiments");
    int n = ch->opt.config ? 1 : N_DEFAULT;
    for (int i = 0; i < n; i++) {
        Experiment *x = &run->exp[i];
        x->path = ch->opt.config ? ch->opt.config : DEFAULT_CONFIGS[i];
        if (config_load(&x->cfg, x->path, err) != 0) return -1;
        Config *c = &x->cfg;
        if (c->n_layers < 3)
            return error_set(err, "%s: layer_specs: chapter 5 trains a network with a hidden "
                                  "layer, such as [784, 128, 10]; [784, 10] is chapter 2's",
                             x->path);
        if (c->activation != ACT_TANH)
            return error_set(err, "%s: activation: chapter 5 has tanh (chapter 3's); %s comes "
                                  "in chapter 6", x->path, activation_name(c->activation));
        if (ch->opt.max_epochs > 0 && c->epochs > ch->opt.max_epochs)
            c->epochs = ch->opt.max_epochs;
        describe(x);
        for (int j = 0; j < i; j++)
            if (strcmp(run->exp[j].name, x->name) == 0)
                return error_set(err, "%s: two experiments named %s", x->path, x->name);
        printf("      %s: %s; %s, rate %g, batch %d, %d epoch%s", x->path, x->label,
               activation_name(c->activation), c->learning_rate, c->batch_size, c->epochs,
               c->epochs == 1 ? "" : "s");
        if (c->momentum) printf(", momentum %g", c->momentum_gamma);
        if (c->early_stop) printf(", early stopping (patience %d)\n", c->early_stop_epoch);
        else printf(", no early stopping\n");
    }
    run->n_exp = n;
    cli_take_config_seed(&ch->opt, run->exp[0].cfg.seed);
    return 0;
}

// ---------------------------------------------------------------------------
// Step 3: your functions, before anything trains

static void check_close(const Run *run, const char *what, const double *got,
                        const double *want, const double *w, int n) {
    for (int i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= 1e-12))
            chapter_wrong(&run->ch, "%s: for w = %g, with 1 in g before the call, expected %.15g, "
                                    "got %.15g", what, w[i], want[i], got[i]);
}

static void check_penalties(Run *run) {
    Chapter *ch = &run->ch;
    chapter_step(ch, 3, "the penalties' gradients on five weights (your l1_gradient, l2_gradient, "
                        "penalty)");
    enum { N = 5 };
    //> check-penalties
    const double w[N] = {-0.5, 0.0, 0.03, 2.0, -1e-9}, lambda = 0.1;
    double g1[N] = {1, 1, 1, 1, 1}, g2[N] = {1, 1, 1, 1, 1};  // the data's gradient, say
    l1_gradient(g1, w, lambda, N);
    l2_gradient(g2, w, lambda, N);
    double c = penalty(w, lambda, lambda, N);
    //< check-penalties
    double w1[N], w2[N], abs_sum = 0, sq_sum = 0;
    for (int i = 0; i < N; i++) {
        w1[i] = 1.0 + lambda * ((w[i] > 0) - (w[i] < 0));
        w2[i] = 1.0 + 2.0 * lambda * w[i];
        abs_sum += fabs(w[i]), sq_sum += w[i] * w[i];
    }
    printf("      lambda = %g, and 1 in g before each call:\n", lambda);
    printf("      %-22s", "w");
    for (int i = 0; i < N; i++) printf(" %10g", w[i]);
    printf("\n      %-22s", "g after l1_gradient");
    for (int i = 0; i < N; i++) printf(" %10.6g", g1[i]);
    printf("\n      %-22s", "g after l2_gradient");
    for (int i = 0; i < N; i++) printf(" %10.6g", g2[i]);
    printf("\n");
    check_close(run, "l1_gradient, g + lambda sign(w)", g1, w1, w, N);
    check_close(run, "l2_gradient, g + 2 lambda w", g2, w2, w, N);
    double want = lambda * abs_sum + lambda * sq_sum;
    if (!(fabs(c - want) <= 1e-12))
        chapter_wrong(ch, "penalty with l1 = l2 = %g: expected %.15g, got %.15g", lambda, want, c);
    printf("      penalty(w, %g, %g) = %g: lambda sum |w| + lambda sum w^2\n", lambda, lambda, c);
    printf("      (the smallest weight, %g, gets the same L1 push as 2 does; its L2 push is "
           "%g)\n", w[4], 2.0 * lambda * w[4]);
    values_set(&ch->values, "check_lambda", "%g", lambda);
}

// Calls each of your functions that training needs once, on a few numbers,
// so that an unfinished one stops the program here, with one line, rather
// than in every training run at once. Nothing is checked; `make check-chN`
// does that.
static void touch_exercises(const Run *run) {
    bool momentum = false, plain = false, early = false;
    for (int e = 0; e < run->n_exp; e++) {
        momentum |= run->exp[e].cfg.momentum;
        plain |= !run->exp[e].cfg.momentum;
        early |= run->exp[e].cfg.early_stop;
    }
    double x[4] = {0.5, -1, 0.25, 2}, W[4] = {0.1, -0.2, 0.3, 0.4}, b[2] = {0, 0.1};
    double z[2], y[2], h[2], d[2], dW[4], db[2], dx[2], v[4] = {0}, t[2] = {0, 1};
    uint8_t label = 1;
    linear_forward(z, x, W, b, 1, 2, 2);
    tanh_forward(h, z, 2);
    softmax(y, h, 1, 2);
    (void)cross_entropy(y, t, 1, 2);
    (void)count_correct(y, &label, 1, 2);
    output_delta(d, y, t, 1, 2);
    linear_backward(dx, dW, db, d, x, W, 1, 2, 2);
    tanh_backward(dx, dx, h, 2);
    if (momentum) momentum_step(W, v, dW, 0.01, 0.9, 4);
    if (plain) sgd_step(W, dW, 0.01, 4);
    if (early) (void)should_stop(x, 3, 1);
}

// ---------------------------------------------------------------------------
// Step 4: how strong a penalty per batch is

// x written out in decimals, with `sig` significant digits and no exponent
// ("0.000078" rather than "7.8e-05"): for numbers the book's prose quotes.
static void put_decimal(Run *run, const char *name, const char *what, double x, int sig) {
    int places = x > 0 ? sig - 1 - (int)floor(log10(x)) : 0;
    char key[48];
    snprintf(key, sizeof key, "%s_%s", name, what);
    values_set(&run->ch.values, key, "%.*f", places < 0 ? 0 : places > 15 ? 15 : places, x);
}

static double lambda_of(const Config *c) { return c->L1_penalty + c->L2_penalty; }

// x as "7.8 \times 10^{-5}" for the book's tables (math mode), digits significant.
static const char *sci(char buf[48], double x, int digits) {
    if (x == 0 || !isfinite(x)) return snprintf(buf, 48, "%g", x), buf;
    int e = (int)floor(log10(fabs(x)));
    double m = x / pow(10.0, e);
    if (fabs(m) >= 9.9999) m /= 10, e++;  // rounding to digits can reach 10
    if (e >= -2 && e <= 2) snprintf(buf, 48, "%.*g", digits, x);
    else snprintf(buf, 48, "%.*g \\times 10^{%d}", digits, m, e);
    return buf;
}

static int penalty_strength(Run *run, Error *err) {
    Chapter *ch = &run->ch;
    chapter_step(ch, 4, "what lambda means when the penalty is added once per summed batch");
    OutFile md;
    if (out_open(&md, chapter_file(ch, "strength.md"), err) != 0) return -1;
    fprintf(md.f, "| Run | $\\lambda / B$ | The penalty alone: one step | One epoch "
                  "| All %d epochs |\n|:--|--:|--:|--:|--:|\n", run->exp[0].cfg.epochs);
    for (int e = 0; e < run->n_exp; e++) {
        const Experiment *x = &run->exp[e];
        const Config *c = &x->cfg;
        if (lambda_of(c) <= 0 || (c->L1_penalty > 0 && c->L2_penalty > 0)) continue;
        int steps = (run->n_train + c->batch_size - 1) / c->batch_size;
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
        bool l1 = c->L1_penalty > 0;
        char a[48], b[48], d[48], f[48];
        fprintf(md.f, "| %s | $%s$ | $%s%s$ | $%s%s$ | $%s%s$ |\n", x->label_md,
                sci(a, per_mean, 2), l1 ? "-" : "\\times ", sci(b, one, l1 ? 2 : 6),
                l1 ? "-" : "\\times ", l1 ? sci(d, epoch, 3) : (snprintf(d, 48, "%.3f", epoch), d),
                l1 ? "-" : "\\times ", l1 ? sci(f, all, 2) : (snprintf(f, 48, "%.3f", all), f));
        if (l1)
            printf("      %-18s lambda / B = %.2g; alone, the penalty moves a weight towards 0 by "
                   "%.3g a step, %.3g an epoch, %.3g in %d epochs\n", x->label, per_mean, one,
                   epoch, all, c->epochs);
        else
            printf("      %-18s lambda / B = %.2g; alone, the penalty multiplies a weight by "
                   "%.6g a step, %.3f an epoch, %.3f in %d epochs\n", x->label, per_mean, one,
                   epoch, all, c->epochs);
        put_decimal(run, x->name, "per_mean", per_mean, 2);
        // a library's "weight decay", added as decay * w to the mean gradient
        if (!l1) put_decimal(run, x->name, "decay", 2.0 * lam / c->batch_size, 2);
        chapter_put(ch, x->name, l1 ? "pull_epoch" : "keep_epoch", l1 ? "%.3g" : "%.3f", epoch);
        chapter_put(ch, x->name, l1 ? "pull_all" : "keep_all", l1 ? "%.2g" : "%.3f", all);
        if (l1) {
            // How close to 0 the L1 push keeps a weight that it has brought
            // there: back and forth across 0, the velocity needs about
            // 1 / (1 - gamma) steps to turn, each moving up to rate lambda boost.
            chapter_put(ch, x->name, "hop", "%.1g", c->learning_rate * lam * boost * boost);
        }
    }
    const Config *c0 = &run->exp[0].cfg;
    values_set(&ch->values, "batch_size", "%d", c0->batch_size);
    values_set(&ch->values, "learning_rate", "%g", c0->learning_rate);
    values_set(&ch->values, "mean_rate", "%g", c0->learning_rate * c0->batch_size);
    values_set(&ch->values, "gamma", "%g", c0->momentum_gamma);
    values_set(&ch->values, "boost", "%g", 1.0 / (1.0 - c0->momentum_gamma));
    values_set(&ch->values, "epochs", "%d", c0->epochs);
    values_set(&ch->values, "steps", "%d", (run->n_train + c0->batch_size - 1) / c0->batch_size);
    values_set(&ch->values, "init_sd1", "%.3f", 1.0 / sqrt(c0->layer_specs[0]));
    values_set(&ch->values, "init_sd2", "%.3f", 1.0 / sqrt(c0->layer_specs[1]));
    return out_commit(&md, err);
}

// ---------------------------------------------------------------------------
// Step 5: the training runs, several at once

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// The sizes of the n weights w, whose histogram of log10 |w| is o->logh: is
// there a group of small weights apart from the rest? Otsu's rule cuts the
// histogram in two where the two groups' mean log sizes lie furthest apart,
// weighted by the groups' shares (the largest variance between them). Then
// the commonest size below the cut, and the spread of the sizes above it.
static void two_groups(Outcome *o, const double *w, size_t n) {
    const double width = (LOG_MAX - LOG_MIN) / LOG_BINS;
    double all = 0, all_sum = 0;
    for (int k = 0; k < LOG_BINS; k++)
        all += o->logh[k], all_sum += o->logh[k] * (LOG_MIN + (k + 0.5) * width);
    int cut = 0;
    double best = -1, below = 0, below_sum = 0;
    for (int k = 1; k < LOG_BINS; k++) {  // the cut between bins k - 1 and k
        below += o->logh[k - 1], below_sum += o->logh[k - 1] * (LOG_MIN + (k - 0.5) * width);
        double above = all - below;
        if (below <= 0 || above <= 0) continue;
        double d = below_sum / below - (all_sum - below_sum) / above;
        if (below * above * d * d > best) best = below * above * d * d, cut = k;
    }
    o->hump = o->used_split = o->hump_share = o->used_p10 = o->used_p90 = NAN;
    if (cut == 0) return;
    int top = 0;
    for (int k = 1; k < cut; k++) top = o->logh[k] > o->logh[top] ? k : top;
    o->hump = pow(10.0, LOG_MIN + (top + 0.5) * width);
    o->used_split = pow(10.0, LOG_MIN + cut * width);
    double *a = malloc(sizeof(double) * n);
    if (!a) return;
    for (size_t i = 0; i < n; i++) a[i] = fabs(w[i]);
    qsort(a, n, sizeof(double), by_value);
    size_t first = 0;
    while (first < n && a[first] < o->used_split) first++;
    size_t m = n - first;
    o->hump_share = 100.0 * (double)first / (double)n;
    if (m > 0) {
        o->used_p10 = a[first + (size_t)(0.1 * (double)(m - 1))];
        o->used_p90 = a[first + (size_t)(0.9 * (double)(m - 1))];
    }
    free(a);
}

static void weight_stats(Outcome *o, const Net *net) {
    o->n_layers = net->n_layers;
    for (int l = 0; l < net->n_layers; l++) {
        size_t n = (size_t)net->sizes[l + 1] * net->sizes[l];
        double s = 0, m = 0;
        size_t small = 0;
        for (size_t i = 0; i < n; i++) {
            double a = fabs(net->W[l][i]);
            s += a, m = fmax(m, a), small += a < NEAR_ZERO;
        }
        o->abs_mean[l] = s / n, o->max_abs[l] = m, o->near_zero[l] = 100.0 * small / n;
    }
    size_t n = (size_t)net->sizes[1] * net->sizes[0];
    for (size_t i = 0; i < n; i++) {
        double w = net->W[0][i], a = fabs(w);
        int k = (int)floor((w + LIN_MAX) / (2 * LIN_MAX) * LIN_BINS);
        if (k >= 0 && k < LIN_BINS) o->lin[k] += 100.0 / n;
        double lg = a > 0 ? log10(a) : LOG_MIN;
        k = (int)floor((lg - LOG_MIN) / (LOG_MAX - LOG_MIN) * LOG_BINS);
        k = k < 0 ? 0 : k >= LOG_BINS ? LOG_BINS - 1 : k;  // the end bins take the rest
        o->logh[k] += 100.0 / n;
    }
    two_groups(o, net->W[0], n);
    int C = net->sizes[0], H = net->sizes[1];
    for (int c = 0; c < C && c < MAX_PIXELS; c++) {
        int off = 0;
        for (int h = 0; h < H; h++) off += fabs(net->W[0][(size_t)h * C + c]) < NEAR_ZERO;
        o->pixel_off[c] = 100.0 * off / H;
    }
}

//> run-one
// One experiment with one seed: a fresh network, trained as the config says
// (on the fast path with --fast: lib/fast.c computes the same rule).
static int run_one(void *result, int k, void *ctx, Error *err) {
    (void)k;
    const Run *run = ctx;
    Job *j = result;
    const Experiment *x = &run->exp[j->exp];
    Net net;
    if (net_from_config(&net, &x->cfg, err) != 0) return -1;
    net_init(&net, j->seed, 0);  // weights ~ N(0, 1/fan_in), biases 0
    char label[64];
    snprintf(label, sizeof label, "%s, seed %llu", x->name, (unsigned long long)j->seed);
    TrainOptions how = {.fast = run->ch.opt.fast, .threads = run->workers > 1 ? 1 : 0};
    int rc = train_with(&j->out.res, &net, &OPS, &x->cfg, run->data, j->seed, j->metrics, label,
                        &how, err);
    if (rc == 0) {
        weight_stats(&j->out, &net);
        j->out.penalty_end = 0;
        for (int l = 0; l < net.n_layers; l++)
            j->out.penalty_end += penalty(net.W[l], x->cfg.L1_penalty, x->cfg.L2_penalty,
                                          net.sizes[l + 1] * net.sizes[l]);
    }
    net_free(&net);
    return rc;
}
//< run-one

// In the parent, as each run ends: one line.
static void run_done(const void *result, int k, void *ctx) {
    (void)k;
    const Run *run = ctx;
    const Job *j = result;
    const TrainResult *r = &j->out.res;
    printf("      %-12s seed %-3llu test accuracy %6.2f%%  (%d epochs, %.1f s)\n",
           run->exp[j->exp].name, (unsigned long long)j->seed, r->test_acc, r->epochs_run,
           r->seconds);
    fflush(stdout);
}

static int plan_jobs(Run *run, Error *err) {
    Chapter *ch = &run->ch;
    run->n_jobs = run->n_exp * run->seeds;
    run->jobs = error_calloc(err, (size_t)run->n_jobs, sizeof(Job), "the runs");
    if (!run->jobs) return -1;
    if (run->seeds > 1 && make_dirs(chapter_file(ch, "seeds"), err) != 0) return -1;
    for (int e = 0, k = 0; e < run->n_exp; e++)
        for (int s = 0; s < run->seeds; s++, k++) {
            Job *j = &run->jobs[k];
            j->exp = e, j->seed_index = s, j->seed = ch->opt.seed + (uint64_t)s;
            const char *name = run->exp[e].name;
            // The first seed's metrics beside the figures; the others in seeds/.
            if (s == 0)
                snprintf(j->metrics, sizeof j->metrics, "%s/metrics-%s.tsv", ch->opt.out_dir,
                         name);
            else
                snprintf(j->metrics, sizeof j->metrics, "%s/seeds/metrics-%s-seed%llu.tsv",
                         ch->opt.out_dir, name, (unsigned long long)j->seed);
        }
    return 0;
}

// ---------------------------------------------------------------------------
// Step 6: the results over the seeds

static Job *job_of(Run *run, int e, int s) { return &run->jobs[e * run->seeds + s]; }

//> patience
// When a patience of PATIENCE epochs would have stopped this run: the first
// epoch that ends PATIENCE epochs without a new lowest validation loss, or 0
// if none does (the chapter 4 rule, applied afterwards to the curve).
static int patience_stop(const History *h) {
    int best = 1;
    for (int e = 2; e <= h->epochs; e++) {
        if (h->val_loss[e] < h->val_loss[best]) best = e;
        if (e - best >= PATIENCE) return e;
    }
    return 0;
}
//< patience

static int best_epoch(const History *h) {
    int best = 1;
    for (int e = 2; e <= h->epochs; e++)
        if (h->val_loss[e] < h->val_loss[best]) best = e;
    return best;
}

// Where experiment e's validation accuracy levels off: the epoch at which
// its mean over the seeds (the curve of figures/ch5-compare.gp) is highest.
static int level_epoch(Run *run, int e) {
    int most = 0, level = 1;
    for (int s = 0; s < run->seeds; s++)
        most = job_of(run, e, s)->hist.epochs > most ? job_of(run, e, s)->hist.epochs : most;
    double top = -INFINITY;
    for (int ep = 1; ep <= most; ep++) {
        double sum = 0;
        int n = 0;
        for (int s = 0; s < run->seeds; s++) {
            const History *h = &job_of(run, e, s)->hist;
            if (ep <= h->epochs) sum += h->val_acc[ep], n++;
        }
        if (n && sum / n > top) top = sum / n, level = ep;
    }
    return level;
}

// The test accuracy of experiment e with every seed.
static void accuracies(Run *run, int e, double *acc) {
    for (int s = 0; s < run->seeds; s++) acc[s] = job_of(run, e, s)->out.res.test_acc;
}

// Experiment a's accuracy less b's, seed by seed (the same seed, the same
// initial weights and batch order): most of the luck of a seed cancels.
static Stats paired(Run *run, int a, int b) {
    double d[100];
    for (int s = 0; s < run->seeds; s++)
        d[s] = job_of(run, a, s)->out.res.test_acc - job_of(run, b, s)->out.res.test_acc;
    return stats_of(d, run->seeds);
}

static int results(Run *run, Error *err) {
    Chapter *ch = &run->ch;
    chapter_step(ch, 6, "the results, over the seeds");
    for (int k = 0; k < run->n_jobs; k++)
        if (history_read(&run->jobs[k].hist, run->jobs[k].metrics, err) != 0) return -1;
    int control = -1;
    for (int e = 0; e < run->n_exp; e++)
        if (lambda_of(&run->exp[e].cfg) <= 0) control = e;
    int S = run->seeds;
    bool vs = S > 1 && control >= 0;
    // results.md: the test accuracy; convergence.md: how the runs got there.
    OutFile md, cv;
    if (out_open(&md, chapter_file(ch, "results.md"), err) != 0) return -1;
    if (out_open(&cv, chapter_file(ch, "convergence.md"), err) != 0) {
        out_abort(&md);
        return -1;
    }
    fprintf(md.f, "| Run | Test accuracy, seed %llu |", (unsigned long long)ch->opt.seed);
    if (S > 1) fprintf(md.f, " Mean ± sd, %d seeds | Lowest, highest |", S);
    if (vs) fprintf(md.f, " Against no penalty, seed by seed |");
    fprintf(md.f, " The study |\n|:--|--:|%s%s:--|\n", S > 1 ? "--:|--:|" : "", vs ? "--:|" : "");
    fprintf(cv.f, "| Run | Validation accuracy after epoch 1 | Epoch of the lowest validation "
                  "loss | A patience of %d would stop at | Training loss at the end "
                  "| Validation loss at the end |\n|:--|--:|--:|--:|--:|--:|\n", PATIENCE);
    printf("      %-12s %8s %16s %14s %9s %s\n", "run", "seed 1", "mean +- sd", "lowest-highest",
           "best ep.", "patience 3 stops");
    for (int e = 0; e < run->n_exp; e++) {
        const char *name = run->exp[e].name;
        double acc[100], be[100], v1[100], tl[100], vl[100], ta[100], va[100];
        int stops = 0;
        char stopped[400] = "";
        accuracies(run, e, acc);
        for (int s = 0; s < S; s++) {
            const History *h = &job_of(run, e, s)->hist;
            be[s] = best_epoch(h);
            v1[s] = h->epochs >= 1 ? h->val_acc[1] : NAN;
            tl[s] = h->train_loss[h->epochs], vl[s] = h->val_loss[h->epochs];
            ta[s] = h->train_acc[h->epochs], va[s] = h->val_acc[h->epochs];
            int p = patience_stop(h);
            if (p) {
                stops++;
                size_t len = strlen(stopped);
                snprintf(stopped + len, sizeof stopped - len, "%s%d", len ? ", " : "", p);
            }
        }
        Stats a = stats_of(acc, S), b = stats_of(be, S), first = stats_of(v1, S);
        Stats t = stats_of(tl, S), v = stats_of(vl, S);
        printf("      %-12s %7.2f%% %8.2f +- %4.2f %6.2f-%6.2f %9.1f %d of %d%s%s%s\n", name,
               acc[0], a.mean, a.sd, a.min, a.max, b.mean, stops, S, stops ? " (epochs " : "",
               stopped, stops ? ")" : "");
        const StudyClaim *claim = study_claim(name);
        fprintf(md.f, "| %s | %.2f%% |", run->exp[e].label_md, acc[0]);
        if (S > 1) fprintf(md.f, " %.2f ± %.2f%% | %.2f, %.2f |", a.mean, a.sd, a.min, a.max);
        if (vs) {
            if (e == control) {
                fprintf(md.f, " |");
            } else {
                Stats d = paired(run, e, control);
                fprintf(md.f, " $%+.2f \\pm %.2f$ |", d.mean, d.sd);
                chapter_put(ch, name, "vs_none", "%+.2f", d.mean);
                chapter_put(ch, name, "vs_none_sd", "%.2f", d.sd);
            }
        }
        fprintf(md.f, " %s |\n", claim ? claim->says : "");
        char when[440];
        if (stops == 0) snprintf(when, sizeof when, "never, in %d epochs", run->exp[e].cfg.epochs);
        else if (S == 1) snprintf(when, sizeof when, "epoch %s", stopped);
        else snprintf(when, sizeof when, "%d of %d seeds: epoch%s %s", stops, S,
                      stops > 1 ? "s" : "", stopped);
        if (S > 1)
            fprintf(cv.f, "| %s | %.2f%% | %.1f | %s | %.4f ± %.4f | %.4f ± %.4f |\n",
                    run->exp[e].label_md, first.mean, b.mean, when, t.mean, t.sd, v.mean, v.sd);
        else
            fprintf(cv.f, "| %s | %.2f%% | %d | %s | %.4f | %.4f |\n", run->exp[e].label_md,
                    first.mean, (int)b.mean, when, t.mean, v.mean);
        chapter_put(ch, name, "mean", "%.2f", a.mean);
        chapter_put(ch, name, "best_epoch", "%.1f", b.mean);
        chapter_put(ch, name, "stops", "%d", stops);
        chapter_put(ch, name, "train_loss", "%.4f", t.mean);
        chapter_put(ch, name, "val_loss", "%.4f", v.mean);
        chapter_put(ch, name, "train_acc", "%.1f", stats_of(ta, S).mean);
        chapter_put(ch, name, "val_acc", "%.1f", stats_of(va, S).mean);
        chapter_put(ch, name, "level_epoch", "%d", level_epoch(run, e));
    }
    if (out_commit(&md, err) != 0) {
        out_abort(&cv);
        return -1;
    }
    if (out_commit(&cv, err) != 0) return -1;

    // The study's claims, in numbers: a larger lambda against a smaller one,
    // seed by seed, for each penalty; and which run is the most accurate.
    const char *pairs[2][3] = {{"l1", "l1-1e-2", "l1-1e-4"}, {"l2", "l2-1e-2", "l2-1e-4"}};
    for (int p = 0; p < 2; p++) {
        int big = find_exp(run, pairs[p][1]), small = find_exp(run, pairs[p][2]);
        if (big < 0 || small < 0) continue;
        Stats d = paired(run, big, small);
        double be_big = 0, be_small = 0;
        for (int s = 0; s < S; s++)
            be_big += best_epoch(&job_of(run, big, s)->hist),
                be_small += best_epoch(&job_of(run, small, s)->hist);
        int wins = 0;
        for (int s = 0; s < S; s++)
            wins += job_of(run, big, s)->out.res.test_acc > job_of(run, small, s)->out.res.test_acc;
        printf("      %s: lambda 1e-2 less lambda 1e-4, seed by seed: %+.2f +- %.2f points; "
               "higher with %d of %d seeds\n", pairs[p][0], d.mean, d.sd, wins, S);
        chapter_put(ch, pairs[p][0], "big_minus_small", "%+.2f", d.mean);
        chapter_put(ch, pairs[p][0], "big_minus_small_sd", "%.2f", d.sd);
        chapter_put(ch, pairs[p][0], "big_wins", "%d", wins);
    }
    int study4[4], n4 = 0;
    for (int i = 0; i < 4; i++) {
        int e = find_exp(run, STUDY[i].name);
        if (e >= 0) study4[n4++] = e;
    }
    if (n4 >= 2) {
        int order[4];
        double mean[4];
        for (int i = 0; i < n4; i++) {
            double acc[100];
            accuracies(run, study4[i], acc);
            mean[i] = stats_of(acc, S).mean;
            order[i] = i;
        }
        for (int i = 0; i < n4; i++)  // by mean accuracy, highest first
            for (int k = i + 1; k < n4; k++)
                if (mean[order[k]] > mean[order[i]]) {
                    int t = order[i];
                    order[i] = order[k], order[k] = t;
                }
        int first = study4[order[0]], second = study4[order[1]];
        Stats d = paired(run, first, second);
        int wins = 0;
        for (int s = 0; s < S; s++)
            wins += job_of(run, first, s)->out.res.test_acc >
                    job_of(run, second, s)->out.res.test_acc;
        printf("      the most accurate of the study's four: %s, then %s (%+.2f +- %.2f points, "
               "ahead with %d of %d seeds)\n", run->exp[first].label, run->exp[second].label,
               d.mean, d.sd, wins, S);
        values_set(&ch->values, "first_label", "%s", run->exp[first].label_text);
        values_set(&ch->values, "second_label", "%s", run->exp[second].label_text);
        values_set(&ch->values, "first_gap", "%.2f", d.mean);
        values_set(&ch->values, "first_gap_sd", "%.2f", d.sd);
        values_set(&ch->values, "first_wins", "%d", wins);
    }
    values_set(&ch->values, "seeds", "%d", S);
    values_set(&ch->values, "seed_last", "%llu", (unsigned long long)(ch->opt.seed + S - 1));
    // The study's numbers (lib/study.c): the run of its section 4.2.4 that
    // these start from, and the epochs it then trained with each penalty.
    const StudyExperiment *from = study_find("momentum-early-stop");
    values_set(&ch->values, "study_from_acc", "%.2f", from->acc);
    values_set(&ch->values, "study_from_epochs", "%d", from->stop_epoch);
    values_set(&ch->values, "study_epochs", "%d", study_find(STUDY[0].name)->stop_epoch);
    return 0;
}

// ---------------------------------------------------------------------------
// Step 7: the weights the penalties leave

static int weights(Run *run, Error *err) {
    Chapter *ch = &run->ch;
    chapter_step(ch, 7, "the trained weights (the first seed's)");
    OutFile md;
    if (out_open(&md, chapter_file(ch, "weights.md"), err) != 0) return -1;
    fprintf(md.f, "| Run | Mean $|w|$, input to hidden | Below $10^{-3}$ | Largest $|w|$ "
                  "| Mean $|w|$, hidden to output | Largest $|w|$ | $\\lambda C$ at the end "
                  "| Summed loss of a batch |\n|:--|--:|--:|--:|--:|--:|--:|--:|\n");
    printf("      %-12s %12s %9s %9s %12s %9s %10s\n", "run", "mean |W1|", "W1 < 1e-3",
           "max |W1|", "mean |W2|", "max |W2|", "lambda C");
    for (int e = 0; e < run->n_exp; e++) {
        const Job *j = job_of(run, e, 0);
        const Outcome *o = &j->out;
        const Experiment *x = &run->exp[e];
        int last = o->n_layers - 1;
        double batch_loss = x->cfg.batch_size * j->hist.train_loss[j->hist.epochs];
        printf("      %-12s %12.4f %8.1f%% %9.3f %12.4f %9.3f %10.3g\n", x->name, o->abs_mean[0],
               o->near_zero[0], o->max_abs[0], o->abs_mean[last], o->max_abs[last],
               o->penalty_end);
        fprintf(md.f, "| %s | %.4f | %.1f%% | %.3f | %.4f | %.3f | %.3g | %.3g |\n", x->label_md,
                o->abs_mean[0], o->near_zero[0], o->max_abs[0], o->abs_mean[last],
                o->max_abs[last], o->penalty_end, batch_loss);
        chapter_put(ch, x->name, "w1_mean", "%.4f", o->abs_mean[0]);
        chapter_put(ch, x->name, "w1_zero", "%.1f", o->near_zero[0]);
        chapter_put(ch, x->name, "penalty", "%.3g", o->penalty_end);
        chapter_put(ch, x->name, "batch_loss", "%.3g", batch_loss);
        if (x->cfg.L1_penalty > 0 && !isnan(o->used_p90)) {
            printf("      %-12s the first layer's sizes part at %.2g: below, the commonest is "
                   "%.1g; above, 80%% lie between %.2g and %.2g\n", x->name, o->used_split,
                   o->hump, o->used_p10, o->used_p90);
            chapter_put(ch, x->name, "hump", "%.1g", o->hump);
            chapter_put(ch, x->name, "used_split", "%.1g", o->used_split);
            chapter_put(ch, x->name, "hump_share", "%.0f", o->hump_share);
            chapter_put(ch, x->name, "used_p10", "%.2g", o->used_p10);
            chapter_put(ch, x->name, "used_p90", "%.2g", o->used_p90);
        }
    }
    if (out_commit(&md, err) != 0) return -1;
    // The histograms, one column per run, for figures/ch5-weights.gp.
    OutFile lin, lg;
    if (out_open(&lin, chapter_file(ch, "weights-hist.tsv"), err) != 0) return -1;
    if (out_open(&lg, chapter_file(ch, "weights-log.tsv"), err) != 0) {
        out_abort(&lin);
        return -1;
    }
    fprintf(lin.f, "w"), fprintf(lg.f, "log10_abs_w");
    for (int e = 0; e < run->n_exp; e++)
        fprintf(lin.f, "\t%s", run->exp[e].label_text),
            fprintf(lg.f, "\t%s", run->exp[e].label_text);
    fprintf(lin.f, "\n"), fprintf(lg.f, "\n");
    for (int k = 0; k < LIN_BINS; k++) {
        fprintf(lin.f, "%.6g", -LIN_MAX + (k + 0.5) * 2 * LIN_MAX / LIN_BINS);
        for (int e = 0; e < run->n_exp; e++)
            fprintf(lin.f, "\t%.6g", job_of(run, e, 0)->out.lin[k]);
        fprintf(lin.f, "\n");
    }
    for (int k = 0; k < LOG_BINS; k++) {
        fprintf(lg.f, "%.6g", LOG_MIN + (k + 0.5) * (LOG_MAX - LOG_MIN) / LOG_BINS);
        for (int e = 0; e < run->n_exp; e++)
            fprintf(lg.f, "\t%.6g", job_of(run, e, 0)->out.logh[k]);
        fprintf(lg.f, "\n");
    }
    if (out_commit(&lin, err) != 0) {
        out_abort(&lg);
        return -1;
    }
    const Config *c0 = &run->exp[0].cfg;
    int nw = 0;
    for (int l = 0; l + 1 < c0->n_layers; l++) nw += c0->layer_specs[l] * c0->layer_specs[l + 1];
    if (nw >= 1000) values_set(&ch->values, "n_weights", "%d,%03d", nw / 1000, nw % 1000);
    else values_set(&ch->values, "n_weights", "%d", nw);
    int nb = 0;
    for (int l = 1; l < c0->n_layers; l++) nb += c0->layer_specs[l];
    values_set(&ch->values, "n_biases", "%d", nb);
    values_set(&ch->values, "near_zero", "%g", NEAR_ZERO);
    return out_commit(&lg, err);
}

// ---------------------------------------------------------------------------
// Step 8: pictures

// The mean over the seeds of each run's validation curves, for ch5-compare.gp,
// and each seed's test accuracy, for ch5-seeds.gp.
static int write_curves(Run *run, Error *err) {
    Chapter *ch = &run->ch;
    OutFile o;
    if (out_open(&o, chapter_file(ch, "compare.tsv"), err) != 0) return -1;
    int most = 0;
    for (int k = 0; k < run->n_jobs; k++)
        most = run->jobs[k].hist.epochs > most ? run->jobs[k].hist.epochs : most;
    fprintf(o.f, "epoch");
    for (int e = 0; e < run->n_exp; e++)
        fprintf(o.f, "\t%s\t%s", run->exp[e].label_text, run->exp[e].label_text);
    fprintf(o.f, "\n");
    for (int ep = 0; ep <= most; ep++) {
        fprintf(o.f, "%d", ep);
        for (int e = 0; e < run->n_exp; e++) {
            double loss = 0, acc = 0;
            int n = 0;
            for (int s = 0; s < run->seeds; s++) {
                const History *h = &job_of(run, e, s)->hist;
                if (ep <= h->epochs) loss += h->val_loss[ep], acc += h->val_acc[ep], n++;
            }
            if (n) fprintf(o.f, "\t%.6g\t%.6g", loss / n, acc / n);
            else fprintf(o.f, "\tNaN\tNaN");
        }
        fprintf(o.f, "\n");
    }
    if (out_commit(&o, err) != 0) return -1;
    if (out_open(&o, chapter_file(ch, "seeds.tsv"), err) != 0) return -1;
    // block 0: one point per run and seed; block 1: each run's mean
    fprintf(o.f, "# x\ttest_acc\tseed\n");
    for (int e = 0; e < run->n_exp; e++)
        for (int s = 0; s < run->seeds; s++) {
            double spread = run->seeds > 1 ? 0.5 * s / (run->seeds - 1) - 0.25 : 0.0;
            fprintf(o.f, "%.4f\t%.4f\t%llu\n", e + spread, job_of(run, e, s)->out.res.test_acc,
                    (unsigned long long)job_of(run, e, s)->seed);
        }
    fprintf(o.f, "\n\n# x\tmean\tlabel\n");
    for (int e = 0; e < run->n_exp; e++) {
        double acc[100];
        accuracies(run, e, acc);
        fprintf(o.f, "%d\t%.4f\t%s\n", e, stats_of(acc, run->seeds).mean, run->exp[e].label_text);
    }
    return out_commit(&o, err);
}

// For each run, a 28 x 28 map: how many of the hidden units ignore each pixel.
static int pixel_maps(Run *run, Error *err) {
    Chapter *ch = &run->ch;
    int dim = run->exp[0].cfg.layer_specs[0], side = (int)lround(sqrt(dim));
    if (side * side != dim || dim > MAX_PIXELS) return 0;  // not square images: no map
    double *img = error_calloc(err, (size_t)run->n_exp * dim, sizeof(double), "the pixel maps");
    if (!img) return -1;
    const char *caps[MAX_EXPERIMENTS];
    for (int e = 0; e < run->n_exp; e++) {
        const double *off = job_of(run, e, 0)->out.pixel_off;
        memcpy(img + (size_t)e * dim, off, sizeof(double) * dim);
        caps[e] = run->exp[e].label_text;
        // the mean share over the frame of pixels within EDGE of the border,
        // and over the rest, the middle of the image
        double edge = 0, middle = 0;
        int n_edge = 0;
        for (int p = 0; p < dim; p++) {
            int r = p / side, c = p % side;
            bool on_edge = r < EDGE || c < EDGE || r >= side - EDGE || c >= side - EDGE;
            if (on_edge) edge += off[p], n_edge++;
            else middle += off[p];
        }
        if (run->exp[e].cfg.L1_penalty > 0 && n_edge < dim) {
            chapter_put(ch, run->exp[e].name, "edge_off", "%.0f", edge / n_edge);
            chapter_put(ch, run->exp[e].name, "middle_off", "%.0f", middle / (dim - n_edge));
        }
    }
    values_set(&ch->values, "edge_px", "%d", EDGE);
    char labels[4200];
    snprintf(labels, sizeof labels, "%s/pixels_labels.tsv", ch->opt.out_dir);
    int rc = plot_write_grid(chapter_file(ch, "pixels.dat"), labels, img, run->n_exp, side, side,
                             run->n_exp, caps, err);
    free(img);
    char vars[64];
    snprintf(vars, sizeof vars, "n=%d; limit='%g'", run->n_exp, NEAR_ZERO);
    if (rc == 0)
        rc = plot_render_with(ch->opt.figures_dir, "ch5-pixels", "ch5-pixels", ch->opt.out_dir,
                              vars, err);
    return rc;
}

static int draw(Run *run, Error *err) {
    Chapter *ch = &run->ch;
    chapter_step(ch, 8, "draw the curves, the seeds and the weights");
    const char *figs = ch->opt.figures_dir, *out = ch->opt.out_dir;
    char vars[900], name[64];
    int rc = write_curves(run, err);
    for (int e = 0; rc == 0 && e < run->n_exp; e++) {
        const Experiment *x = &run->exp[e];
        const Job *j = job_of(run, e, 0);
        snprintf(vars, sizeof vars, "tsv='metrics-%s.tsv'; low=%d; stop=%d; patience=%d; "
                 "title='%s (seed %llu)'", x->name, best_epoch(&j->hist), patience_stop(&j->hist),
                 PATIENCE, x->label_text, (unsigned long long)j->seed);
        snprintf(name, sizeof name, "curves-%s", x->name);
        rc = plot_render_with(figs, "ch5-curves", name, out, vars, err);
    }
    snprintf(vars, sizeof vars, "n=%d; seeds=%d", run->n_exp, run->seeds);
    if (rc == 0) rc = plot_render_with(figs, "ch5-compare", "ch5-compare", out, vars, err);
    if (rc == 0) rc = plot_render_with(figs, "ch5-seeds", "ch5-seeds", out, vars, err);
    if (rc == 0) rc = plot_render_with(figs, "ch5-weights", "ch5-weights", out, vars, err);
    if (rc == 0) rc = pixel_maps(run, err);
    if (rc == 0)
        printf("      %s/curves-*.svg, ch5-compare.svg, ch5-seeds.svg, ch5-weights.svg, "
               "ch5-pixels.svg (and .pdf)\n", out);
    return rc;
}

// ---------------------------------------------------------------------------

// --seeds N; without it, the chapter's experiments run with DEFAULT_SEEDS
// seeds each, and one config of your own (--config) with one, to be quick.
static int seeds_asked(const Options *o) {
    if (o->seeds_given) return o->seeds;
    return o->config ? 1 : DEFAULT_SEEDS;
}

// The chapter's steps, after the command line.
static int steps(Run *run, Mnist *data, Error *err) {
    Chapter *ch = &run->ch;
    if (read_configs(run, err) != 0) return -1;
    if (chapter_load(ch, data, err) != 0) return -1;
    for (int e = 0; e < run->n_exp; e++)
        if (chapter_check_config(ch, &run->exp[e].cfg, run->exp[e].path, data, err) != 0)
            return -1;
    run->n_train = data->train.n;
    printf("      %d training, %d validation and %d test images of %d pixels (seed %llu)\n",
           data->train.n, data->val.n, data->test.n, data->train.dim,
           (unsigned long long)ch->opt.seed);
    values_set(&ch->values, "n_train", "%d", data->train.n);

    check_penalties(run);
    touch_exercises(run);
    if (penalty_strength(run, err) != 0) return -1;

    run->workers = jobs_workers(run->n_exp * run->seeds);
    run->data = data;
    char what[160];
    snprintf(what, sizeof what, "train: %d experiment%s x %d seed%s (%llu to %llu), %d at "
             "a time", run->n_exp, run->n_exp > 1 ? "s" : "", run->seeds,
             run->seeds > 1 ? "s" : "", (unsigned long long)ch->opt.seed,
             (unsigned long long)(ch->opt.seed + run->seeds - 1), run->workers);
    chapter_step(ch, 5, what);
    double t0 = wall_time();
    if (plan_jobs(run, err) != 0) return -1;
    int rc = jobs_run(run->jobs, run_one, run_done, run, run->n_jobs, sizeof(Job), run->workers,
                      err);
    if (rc != 0) return rc;
    double cpu = 0, wall = wall_time() - t0;
    for (int k = 0; k < run->n_jobs; k++) cpu += run->jobs[k].out.res.seconds;
    printf("      %d runs in %.1f s (%.1f s of training, %.2f s per epoch)\n", run->n_jobs, wall,
           cpu, cpu / (run->n_jobs * run->exp[0].cfg.epochs));
    values_set(&ch->values, "train_seconds", "%.0f", wall);
    values_set(&ch->values, "epoch_seconds", "%.2f", cpu / (run->n_jobs * run->exp[0].cfg.epochs));
    values_set(&ch->values, "workers", "%d", run->workers);

    if (results(run, err) != 0 || weights(run, err) != 0 || draw(run, err) != 0) return -1;
    if (!ch->opt.quiet) {
        printf("\nthe validation accuracy, epoch by epoch, the mean over the seeds:\n");
        char vars[64];
        snprintf(vars, sizeof vars, "n=%d; seeds=%d", run->n_exp, run->seeds);
        return plot_text_with(ch->opt.figures_dir, "ch5-compare", "ch5-compare", ch->opt.out_dir,
                              vars, err);
    }
    return 0;
}

// Everything after the command line.
static int run_chapter(void *ctx, Mnist *data, Error *err) {
    Run *run = ctx;
    run->seeds = seeds_asked(&run->ch.opt);
    int rc = steps(run, data, err);
    for (int k = 0; k < run->n_jobs; k++) history_free(&run->jobs[k].hist);
    free(run->jobs);
    return rc;
}

int main(int argc, char **argv) {
    static Run run = {.ch = {.number = 5, .title = "L1 and L2 regularization", .steps = STEPS}};
    return chapter_main(&run.ch, argc, argv, run_chapter, &run);
}
