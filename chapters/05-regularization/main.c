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
#include "plot.h"
#include "weights.h"

enum {
    STEPS = 8,
    BOOK_SEEDS = 5,      // seeds per experiment of the book's run (--fast, no --config)
    PATIENCE = 3,        // the study's E, for "when would early stopping have stopped"
    FEW = 256,           // the first pass over every function, on this many images
    EDGE = 4,            // the map's border: the pixels within EDGE of an edge of the image
};
static const double NEAR_ZERO = 1e-3;  // a weight this small counts as switched off

// The experiments in the book's order: the study's four (its section 5.1,
// panels a to d; their configs are lib/study.c's), and what its section 5.2
// says of each, for it printed no accuracy; then the same training without a
// penalty, which the study did not run.
static const struct { const char *name, *says; } STUDY[] = {
    {"l1-1e-2", "slower to converge, more accurate than λ = 10⁻⁴"},
    {"l1-1e-4", "faster, less accurate than λ = 10⁻²"},
    {"l2-1e-2", "slower to converge, more accurate than λ = 10⁻⁴"},
    {"l2-1e-4", "faster, less accurate than λ = 10⁻²; yet the most accurate of the four"},
};
enum { N_STUDY = sizeof STUDY / sizeof STUDY[0] };
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

// What a run finds in its trained weights, sent back with it.
typedef struct {
    WeightStats w;         // lib/weights.h: sizes, histograms, the pixels ignored
    double penalty_end;    // lambda C of the final weights (your penalty())
} Weights;

// An experiment over its seeds: how it converged.
typedef struct {
    Stats vs_none;        // its accuracy less the run without a penalty's, seed by seed
    double val1, best;    // the validation accuracy after epoch 1, the epoch of the lowest
                          // validation loss: means over the seeds
    int stops;            // the seeds a patience of PATIENCE would have stopped
    char when[420];       // and at which epochs, in words
    Stats train_loss, val_loss, train_acc, val_acc;   // at the end
} Convergence;

typedef struct {
    Chapter ch;
    Experiments E;
    int control;          // the experiment without a penalty, or -1
    Convergence conv[EXPERIMENTS_MAX];
} Program;

static double lambda_of(const Config *c) { return c->L1_penalty + c->L2_penalty; }

// The run of experiment e with its s-th seed, its history, its weights.
static const Run *run_of(const Experiments *E, int e, int s) {
    return &E->runs[experiments_run_of(E, e, s)];
}
static const History *hist_of(const Experiments *E, int e, int s) {
    return &E->hist[experiments_run_of(E, e, s)];
}
static const Weights *weights_of(const Experiments *E, int e) {
    return experiments_out(E, E->sum[e].first);
}

// ---------------------------------------------------------------------------
// Step 1: the experiments

static int read_experiments(Program *p, Error *err) {
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
    return 0;
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
static int patience_stop(const History *h) {
    int best = 1;
    for (int e = 2; e <= h->epochs; e++) {
        if (h->val_loss[e] < h->val_loss[best]) best = e;
        if (e - best >= PATIENCE) return e;
    }
    return 0;
}
//< patience

// Experiment a's accuracy less b's, seed by seed (the same seed, the same
// initial weights and batch order): most of the luck of a seed cancels.
// wins: how many seeds a is ahead with.
static Stats paired(const Experiments *E, int a, int b, int *wins) {
    double d[EXPERIMENT_MAX_SEEDS];
    int n = E->sum[a].n, ahead = 0;
    for (int s = 0; s < n; s++) {
        d[s] = run_of(E, a, s)->res.test_acc - run_of(E, b, s)->res.test_acc;
        ahead += d[s] > 0;
    }
    if (wins) *wins = ahead;
    return stats_of(d, n);
}

// Where experiment e's validation accuracy levels off: the epoch at which
// its mean over the seeds (the curve of figures/ch5-compare.gp) is highest.
static int level_epoch(const Experiments *E, int e) {
    int level = 1;
    double top = -INFINITY;
    for (int ep = 1, more = 1; more; ep++) {
        double sum = 0;
        int n = 0;
        for (int s = 0; s < E->sum[e].n; s++)
            if (ep <= hist_of(E, e, s)->epochs) sum += hist_of(E, e, s)->val_acc[ep], n++;
        if (n && sum / n > top) top = sum / n, level = ep;
        more = n > 0;
    }
    return level;
}

// How experiment e converged, over its seeds, into p->conv[e] and values.tsv.
static void converge(Program *p, int e) {
    const Experiments *E = &p->E;
    Convergence *cv = &p->conv[e];
    int S = E->sum[e].n;
    double be[EXPERIMENT_MAX_SEEDS], v1[EXPERIMENT_MAX_SEEDS], tl[EXPERIMENT_MAX_SEEDS],
        vl[EXPERIMENT_MAX_SEEDS], ta[EXPERIMENT_MAX_SEEDS], va[EXPERIMENT_MAX_SEEDS];
    char stopped[380] = "";
    for (int s = 0; s < S; s++) {
        const History *h = hist_of(E, e, s);
        be[s] = history_best_epoch(h), v1[s] = h->epochs >= 1 ? h->val_acc[1] : NAN;
        tl[s] = h->train_loss[h->epochs], vl[s] = h->val_loss[h->epochs];
        ta[s] = h->train_acc[h->epochs], va[s] = h->val_acc[h->epochs];
        int stop = patience_stop(h);
        if (!stop) continue;
        size_t len = strlen(stopped);
        snprintf(stopped + len, sizeof stopped - len, "%s%d", len ? ", " : "", stop);
        cv->stops++;
    }
    cv->val1 = stats_of(v1, S).mean, cv->best = stats_of(be, S).mean;
    cv->train_loss = stats_of(tl, S), cv->val_loss = stats_of(vl, S);
    cv->train_acc = stats_of(ta, S), cv->val_acc = stats_of(va, S);
    if (cv->stops == 0)
        snprintf(cv->when, sizeof cv->when, "never, in %d epochs", E->exp[e].cfg.epochs);
    else if (S == 1) snprintf(cv->when, sizeof cv->when, "epoch %s", stopped);
    else snprintf(cv->when, sizeof cv->when, "%d of %d seeds: epoch%s %s", cv->stops, S,
                  cv->stops > 1 ? "s" : "", stopped);
    const char *k = E->exp[e].key;
    if (S > 1 && p->control >= 0 && e != p->control) {
        cv->vs_none = paired(E, e, p->control, NULL);
        chapter_put(&p->ch, k, "vs_none", "%+.2f", cv->vs_none.mean);
        chapter_put(&p->ch, k, "vs_none_sd", "%.2f", cv->vs_none.sd);
    } else {
        cv->vs_none.mean = cv->vs_none.sd = NAN;
    }
    chapter_put(&p->ch, k, "mean", "%.2f", E->sum[e].acc.mean);
    chapter_put(&p->ch, k, "best_epoch", "%.1f", cv->best);
    chapter_put(&p->ch, k, "stops", "%d", cv->stops);
    chapter_put(&p->ch, k, "train_loss", "%.4f", cv->train_loss.mean);
    chapter_put(&p->ch, k, "val_loss", "%.4f", cv->val_loss.mean);
    chapter_put(&p->ch, k, "train_acc", "%.1f", cv->train_acc.mean);
    chapter_put(&p->ch, k, "val_acc", "%.1f", cv->val_acc.mean);
    chapter_put(&p->ch, k, "level_epoch", "%d", level_epoch(E, e));
    printf("      %-14s %.2f%% with seed %llu, %.2f ± %.2f%% over %d; a patience of %d stops: "
           "%s\n",
           E->exp[e].label, run_of(E, e, 0)->res.test_acc, (unsigned long long)E->seed,
           E->sum[e].acc.mean, E->sum[e].acc.sd, S, PATIENCE, cv->when);
}

static int find_exp(const Experiments *E, const char *name) {
    for (int e = 0; e < E->n_exp; e++)
        if (strcmp(E->exp[e].name, name) == 0) return e;
    return -1;
}

// The study's claims, in numbers: for each penalty, the larger lambda against
// the smaller, seed by seed; and which of its four runs is the most accurate.
static void claims(Program *p) {
    const Experiments *E = &p->E;
    for (int k = 0; k < 2; k++) {
        int big = find_exp(E, STUDY[2 * k].name), small = find_exp(E, STUDY[2 * k + 1].name), wins;
        if (big < 0 || small < 0) continue;
        Stats d = paired(E, big, small, &wins);
        const char *key = k ? "l2" : "l1";
        chapter_put(&p->ch, key, "big_minus_small", "%+.2f", d.mean);
        chapter_put(&p->ch, key, "big_minus_small_sd", "%.2f", d.sd);
        chapter_put(&p->ch, key, "big_wins", "%d", wins);
    }
    int order[N_STUDY], n = 0;
    for (int i = 0; i < N_STUDY; i++)
        if ((order[n] = find_exp(E, STUDY[i].name)) >= 0) n++;
    if (n < 2) return;
    for (int i = 0; i < n; i++)  // by mean accuracy, highest first
        for (int k = i + 1; k < n; k++)
            if (E->sum[order[k]].acc.mean > E->sum[order[i]].acc.mean) {
                int t = order[i];
                order[i] = order[k], order[k] = t;
            }
    int wins;
    Stats d = paired(E, order[0], order[1], &wins);
    printf("      the most accurate of the study's four: %s, then %s (%+.2f ± %.2f points, ahead "
           "with %d of %d seeds)\n", E->exp[order[0]].label, E->exp[order[1]].label, d.mean,
           d.sd, wins, E->sum[order[0]].n);
    Values *v = &p->ch.values;
    values_set(v, "first_label", "%s", E->exp[order[0]].label);
    values_set(v, "second_label", "%s", E->exp[order[1]].label);
    values_set(v, "first_gap", "%.2f", d.mean);
    values_set(v, "first_gap_sd", "%.2f", d.sd);
    values_set(v, "first_wins", "%d", wins);
}

// results.tsv's own columns: how each experiment converged, and its first
// seed's weights.
static void more_columns(Tsv *t, const Experiments *E, int e, void *ctx) {
    const Program *p = ctx;
    const Convergence *cv = &p->conv[e];
    const WeightStats *w = &weights_of(E, e)->w;
    int last = w->n_layers - 1;
    const History *h = hist_of(E, e, 0);
    tsv_num(t, cv->vs_none.mean), tsv_num(t, cv->vs_none.sd), tsv_num(t, cv->val1);
    tsv_num(t, cv->best), tsv_text(t, cv->when), tsv_num(t, cv->train_loss.mean);
    tsv_num(t, cv->train_loss.sd), tsv_num(t, cv->val_loss.mean), tsv_num(t, cv->val_loss.sd);
    tsv_num(t, w->abs_mean[0]), tsv_num(t, w->small[0]), tsv_num(t, w->max_abs[0]);
    tsv_num(t, w->abs_mean[last]), tsv_num(t, w->max_abs[last]);
    tsv_num(t, weights_of(E, e)->penalty_end);
    tsv_num(t, E->exp[e].cfg.batch_size * h->train_loss[h->epochs]);
}
static const char *const MORE_COLUMNS = "vs_none\tvs_none_sd\tval1\tbest_epoch\twould_stop\t"
    "train_loss\ttrain_loss_sd\tval_loss\tval_loss_sd\tw1_mean\tw1_zero\tw1_max\tw2_mean\t"
    "w2_max\tpenalty\tbatch_loss";

// ---------------------------------------------------------------------------
// Step 7: the weights the penalties leave (the first seed's)

static int weights(Program *p, Error *err) {
    const Experiments *E = &p->E;
    const WeightStats *w[EXPERIMENTS_MAX];
    const char *labels[EXPERIMENTS_MAX];
    for (int e = 0; e < E->n_exp; e++) {
        const WeightStats *o = w[e] = &weights_of(E, e)->w;
        const char *k = labels[e] = E->exp[e].key;
        const History *h = hist_of(E, e, 0);
        double lambda_c = weights_of(E, e)->penalty_end;
        chapter_put(&p->ch, k, "w1_mean", "%.4f", o->abs_mean[0]);
        chapter_put(&p->ch, k, "w1_zero", "%.1f", o->small[0]);
        chapter_put(&p->ch, k, "penalty", "%.3g", lambda_c);
        chapter_put(&p->ch, k, "batch_loss", "%.3g",
                    E->exp[e].cfg.batch_size * h->train_loss[h->epochs]);
        printf("      %-14s mean |W1| %.4f, %.1f%% below %g, lambda C %.3g\n", E->exp[e].label,
               o->abs_mean[0], o->small[0], NEAR_ZERO, lambda_c);
        labels[e] = E->exp[e].label;
        if (E->exp[e].cfg.L1_penalty <= 0 || isnan(o->used_p90)) continue;
        chapter_put(&p->ch, k, "hump", "%.1g", o->hump);
        chapter_put(&p->ch, k, "used_split", "%.1g", o->used_split);
        chapter_put(&p->ch, k, "hump_share", "%.0f", o->hump_share);
        chapter_put(&p->ch, k, "used_p10", "%.2g", o->used_p10);
        chapter_put(&p->ch, k, "used_p90", "%.2g", o->used_p90);
    }
    // The histograms, a column per experiment, for figures/ch5-weights.gp.
    char lin[4200];
    snprintf(lin, sizeof lin, "%s", chapter_file(&p->ch, "weights-hist.tsv"));
    if (weights_write_histograms(lin, chapter_file(&p->ch, "weights-log.tsv"), w, labels, E->n_exp,
                                 err) != 0)
        return -1;
    const Config *c0 = &E->exp[0].cfg;
    int nw = 0, nb = 0;
    for (int l = 0; l + 1 < c0->n_layers; l++)
        nw += c0->layer_specs[l] * c0->layer_specs[l + 1], nb += c0->layer_specs[l + 1];
    if (nw >= 1000) values_set(&p->ch.values, "n_weights", "%d,%03d", nw / 1000, nw % 1000);
    else values_set(&p->ch.values, "n_weights", "%d", nw);
    values_set(&p->ch.values, "n_biases", "%d", nb);
    values_set(&p->ch.values, "near_zero", "%g", NEAR_ZERO);
    return 0;
}

// ---------------------------------------------------------------------------
// Step 8: pictures

// For each experiment, a 28 x 28 map: how many of the hidden units ignore each pixel.
static int pixel_maps(Program *p, Error *err) {
    const Experiments *E = &p->E;
    int dim = E->exp[0].cfg.layer_specs[0], side = (int)lround(sqrt(dim));
    if (side * side != dim || dim > WEIGHTS_MAX_INPUTS) return 0;  // not square images: no map
    double *img = error_calloc(err, (size_t)E->n_exp * dim, sizeof(double), "the pixel maps");
    if (!img) return -1;
    const char *caps[EXPERIMENTS_MAX];
    for (int e = 0; e < E->n_exp; e++) {
        const double *off = weights_of(E, e)->w.ignored;
        memcpy(img + (size_t)e * dim, off, sizeof(double) * dim);
        caps[e] = E->exp[e].label;
        // the mean share over the frame of pixels within EDGE of the border,
        // and over the rest, the middle of the image
        double edge = 0, middle = 0;
        int n_edge = 0;
        for (int px = 0; px < dim; px++) {
            int r = px / side, c = px % side;
            bool on_edge = r < EDGE || c < EDGE || r >= side - EDGE || c >= side - EDGE;
            if (on_edge) edge += off[px], n_edge++;
            else middle += off[px];
        }
        if (E->exp[e].cfg.L1_penalty > 0 && n_edge < dim) {
            chapter_put(&p->ch, E->exp[e].key, "edge_off", "%.0f", edge / n_edge);
            chapter_put(&p->ch, E->exp[e].key, "middle_off", "%.0f", middle / (dim - n_edge));
        }
    }
    values_set(&p->ch.values, "edge_px", "%d", EDGE);
    char labels[4200], vars[64];
    snprintf(labels, sizeof labels, "%s/pixels_labels.tsv", p->ch.opt.out_dir);
    int rc = plot_write_grid(chapter_file(&p->ch, "pixels.dat"), labels, img, E->n_exp, side, side,
                             E->n_exp, caps, err);
    free(img);
    snprintf(vars, sizeof vars, "n=%d; limit='%g'", E->n_exp, NEAR_ZERO);
    return rc ? rc : plot_render_with(p->ch.opt.figures_dir, "ch5-pixels", "ch5-pixels",
                                      p->ch.opt.out_dir, vars, err);
}

static int draw(Program *p, Error *err) {
    const Experiments *E = &p->E;
    const char *figs = p->ch.opt.figures_dir, *out = p->ch.opt.out_dir;
    char vars[900], name[64];
    int rc = experiments_write_curves(E, chapter_file(&p->ch, "compare.tsv"), err);
    if (rc == 0) rc = experiments_write_accuracies(E, chapter_file(&p->ch, "seeds.tsv"), err);
    for (int e = 0; rc == 0 && e < E->n_exp; e++) {
        const History *h = hist_of(E, e, 0);
        snprintf(vars, sizeof vars, "tsv='%s'; low=%d; stop=%d; patience=%d; title='%s (seed "
                 "%llu)'",
                 run_of(E, e, 0)->file, history_best_epoch(h), patience_stop(h), PATIENCE,
                 E->exp[e].label, (unsigned long long)E->seed);
        snprintf(name, sizeof name, "curves-%s", E->exp[e].name);
        rc = plot_render_with(figs, "ch5-curves", name, out, vars, err);
    }
    snprintf(vars, sizeof vars, "n=%d; seeds=%d", E->n_exp, E->sum[0].n);
    if (rc == 0) rc = plot_render_with(figs, "ch5-compare", "ch5-compare", out, vars, err);
    if (rc == 0) rc = plot_render_with(figs, "ch5-seeds", "ch5-seeds", out, vars, err);
    if (rc == 0) rc = plot_render_with(figs, "ch5-weights", "ch5-weights", out, vars, err);
    if (rc == 0) rc = pixel_maps(p, err);
    if (rc == 0)
        printf("      %s/curves-*.svg, ch5-compare.svg, ch5-seeds.svg, ch5-weights.svg, "
               "ch5-pixels.svg (and .pdf)\n", out);
    return rc ? rc : chapter_plot_text(&p->ch, "ch5-compare", vars, "the validation accuracy, "
                                       "epoch by epoch, the mean over the seeds", err);
}

// ---------------------------------------------------------------------------
// The chapter's steps, after the command line

static int steps(void *ctx, Mnist *data, Error *err) {
    Program *p = ctx;
    Chapter *ch = &p->ch;
    Experiments *E = &p->E;
    if (read_experiments(p, err) != 0 || chapter_load_experiments(ch, data, E, err) != 0) return -1;
    chapter_step(ch, 3, "the penalties' gradients on five weights (your l1_gradient, l2_gradient, "
                        "penalty), then every function at once");
    check_penalties(p);
    if (experiments_try(E, FEW, err) != 0) return -1;
    chapter_step(ch, 4, "what lambda means when the penalty is added once per summed batch");
    put_settings(p, data->train.n);
    if (penalty_strength(p, data->train.n, err) != 0) return -1;

    // every seed's training curve: the chapter quotes their mean at the end
    E->out_size = sizeof(Weights), E->after = weigh, E->ctx = p, E->train_metrics = ALL_SEEDS;
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
    if (weights(p, err) != 0 ||
        experiments_write_results(E, chapter_file(ch, "results.tsv"), MORE_COLUMNS, more_columns, p,
                                  err) != 0)
        return -1;
    chapter_step(ch, 8, "draw the curves, the seeds and the weights");
    return draw(p, err);
}

int main(int argc, char **argv) {
    static Program p = {.ch = {.number = 5, .title = "L1 and L2 regularization", .steps = STEPS}};
    return chapter_main(&p.ch, argc, argv, steps, &p);
}
