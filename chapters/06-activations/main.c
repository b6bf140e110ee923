// main.c: chapter 6, activation functions. Draws tanh, the logistic sigmoid
// and ReLU with their slopes, computed by your exercises (ch3.h's tanh, ch6.h's
// sigmoid and ReLU); then trains the study's 784-128-10 network once per
// activation, as the configs of its section 6 say (Szeto and Thomas; lib/study.c
// lists them), side by side (lib/experiment.h). With --fast (the runs on the
// reference solutions, on the library's fast path) each experiment runs with
// eight seeds, so that the spread between runs is measured, not guessed. It
// leaves the metrics, the tables (TSV), the figures and the numbers the book
// quotes (values.tsv, last) in the run folder.
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "chapter.h"
#include "experiment.h"
#include "program.h"

enum {
    STEPS = 7,
    BOOK_SEEDS = 8,       // the book's run (--fast): enough to measure the spread
    GRID_HALF = 120,      // the activations are drawn at x = i / GRID_STEPS, |i| <= GRID_HALF
    GRID_STEPS = 20,
    FEW = 256,            // the first pass over every function, on this many images
};

// The study's section 6 in the order the chapter runs it (program.h).
const char *const NAMES[N_STUDY] = {"tanh", "sigmoid", "relu", "relu-small-rate"};
const char *const STUDY_SECTION4 = "momentum-early-stop";

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
// Steps 1 and 2: the experiments, then the data they train on

static int read_experiments(Program *p, Mnist *data, Error *err) {
    Chapter *ch = &p->ch;
    chapter_step(ch, 1, "read the experiments");
    Experiments *E = &p->E;
    for (int i = 0; i < (ch->opt.config ? 1 : N_STUDY); i++) {
        const char *path = ch->opt.config ? ch->opt.config : study_find(NAMES[i])->config;
        Experiment *x = chapter_experiment(ch, E, path, NEEDS_HIDDEN, err);
        if (!x) return -1;
        const Config *c = &x->cfg;
        snprintf(x->label, sizeof x->label, "%s, rate %g", activation_name(c->activation),
                 c->learning_rate);
        x->ops = chapter6_ops(c->activation);
        x->seeds = chapter_seeds(ch, BOOK_SEEDS, 1);
    }
    const Config *c = &E->exp[0].cfg;
    Values *v = &ch->values;
    values_set(v, "learning_rate", "%g", c->learning_rate);
    values_set(v, "batch_size", "%d", c->batch_size);
    values_set(v, "max_epochs", "%d", c->epochs);
    values_set(v, "patience", "%d", c->early_stop_epoch);
    values_set(v, "gamma", "%g", c->momentum_gamma);
    // The study sums the gradient over a batch: its step on the mean gradient
    // is rate x batch, and momentum makes a steady step 1 / (1 - gamma) longer.
    values_set(v, "mean_step", "%g", c->learning_rate * c->batch_size);
    values_set(v, "momentum_factor", "%g", 1.0 / (1.0 - c->momentum_gamma));
    values_set(v, "steady_step", "%g",
               c->learning_rate * c->batch_size / (1.0 - c->momentum_gamma));
    return chapter_load_experiments(&p->ch, data, &p->E, err);  // and their data
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

enum { N_GRID = 2 * GRID_HALF + 1, ZERO = GRID_HALF };
static const char *const ACT[3] = {"tanh", "sigmoid", "relu"};
static const Forward FW[3] = {tanh_forward, sigmoid_forward, relu_forward};
static const Backward BW[3] = {tanh_backward, sigmoid_backward, relu_backward};

// What the figure shows must be true: activation a's value at 0 and its
// slopes against central differences of its forward pass (away from ReLU's
// kink). Returns the largest difference.
static double check_slopes(const Program *p, int a, const double *x, const double *f,
                           const double *df) {
    static const double AT0[3] = {0.0, 0.5, 0.0}, SLOPE0[3] = {1.0, 0.25, 0.0};
    const Chapter *ch = &p->ch;
    if (!(fabs(f[ZERO] - AT0[a]) < 1e-12))
        chapter_wrong(ch, "%s(0) is %g, your function gave %.17g", ACT[a], AT0[a], f[ZERO]);
    if (!(fabs(df[ZERO] - SLOPE0[a]) < 1e-12))
        chapter_wrong(ch, "the slope of %s at 0 is %g%s, your backward pass gave %.17g", ACT[a],
                      SLOPE0[a], a == 2 ? " (this book's choice, see ch6.h)" : "", df[ZERO]);
    double worst = 0;
    for (int i = 0; i < N_GRID; i++) {
        if (i == ZERO) continue;
        const double h = 1e-5;
        double pm[2] = {x[i] + h, x[i] - h}, fp[2];
        FW[a](fp, pm, 2);
        double d = fabs(df[i] - (fp[0] - fp[1]) / (2 * h));
        if (!(d < 1e-6))
            chapter_wrong(ch, "at x = %g the backward pass of %s gives the slope %.10g, but its "
                              "forward pass rises at %.10g", x[i], ACT[a], df[i],
                          (fp[0] - fp[1]) / (2 * h));
        worst = fmax(worst, d);
    }
    return worst;
}

static int activations(Program *p, Error *err) {
    Chapter *ch = &p->ch;
    chapter_step(ch, 3, "tanh, sigmoid and ReLU, and their slopes from the backward passes");
    double x[N_GRID], ones[N_GRID], f[3][N_GRID], df[3][N_GRID], worst = 0;
    for (int i = 0; i < N_GRID; i++) x[i] = (double)(i - GRID_HALF) / GRID_STEPS, ones[i] = 1.0;
    for (int a = 0; a < 3; a++) {
        value_and_slope(f[a], df[a], x, ones, N_GRID, FW[a], BW[a]);
        worst = fmax(worst, check_slopes(p, a, x, f[a], df[a]));
    }
    // tanh is a sigmoid stretched and shifted: tanh(x) = 2 sigmoid(2x) - 1.
    double twice[N_GRID], s2[N_GRID], identity = 0.0;
    for (int i = 0; i < N_GRID; i++) twice[i] = 2.0 * x[i];
    sigmoid_forward(s2, twice, N_GRID);
    for (int i = 0; i < N_GRID; i++) identity = fmax(identity, fabs(f[0][i] - (2.0 * s2[i] - 1.0)));
    Tsv t;  // for figures/ch6-activations.gp
    if (tsv_open(&t, chapter_file(ch, "activations.tsv"),
                 "x\ttanh\ttanh_slope\tsigmoid\tsigmoid_slope\trelu\trelu_slope", err) != 0)
        return -1;
    for (int i = 0; i < N_GRID; i++) {
        tsv_fmt(&t, "%.4f", x[i]);
        for (int a = 0; a < 3; a++) tsv_fmt(&t, "%.10g", f[a][i]), tsv_fmt(&t, "%.10g", df[a][i]);
        if (i % (GRID_STEPS * 2) == 0)
            printf("      x = %4g: tanh %7.4f, slope %6.4f; sigmoid %6.4f, slope %6.4f; ReLU %4g, "
                   "slope %g\n", x[i], f[0][i], df[0][i], f[1][i], df[1][i], f[2][i], df[2][i]);
    }
    printf("      each slope agrees with central differences of its forward pass to %.0e;\n"
           "      tanh(x) and 2 sigmoid(2x) - 1 differ by at most %.1e\n", worst, identity);
    // The slopes the book quotes: at 0 and at x = 2 and 4 (saturation)
    for (int a = 0; a < 3; a++) {
        char key[48];
        snprintf(key, sizeof key, "slope_%s", ACT[a]);
        chapter_put(ch, key, "0", "%g", df[a][ZERO]);
        chapter_put(ch, key, "2", "%.3g", df[a][ZERO + 2 * GRID_STEPS]);
        chapter_put(ch, key, "4", "%.3g", df[a][ZERO + 4 * GRID_STEPS]);
    }
    values_set(&ch->values, "tanh_sigmoid_identity", "%.0e", fmax(identity, 1e-17));
    values_set(&ch->values, "slope_check", "%.0e", worst);
    return tsv_close(&t, err);
}

// ---------------------------------------------------------------------------
// Step 5: every run, and its hidden layer before and after training

// The hidden layer of a network on a split: the mean slope of its units (how
// much of the gradient the activation lets through, on average), how many
// units pass no gradient, or almost none, on every example, and how many of
// its net inputs are exactly 0 (added to r's counts).
static void hidden_stats(Hidden *r, const Net *net, const TrainOps *ops, Activation act,
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

//> hidden-hooks
// The hooks of each run, in its process: the hidden layer of the untrained
// network, and of the trained one.
static int hidden_before(void *out, Net *net, const Run *r, const Experiment *x, void *ctx,
                         Error *err) {
    (void)r, (void)err;
    Hidden *h = out;
    const Experiments *E = ctx;
    if (net->n_layers > 1) hidden_stats(h, net, &x->ops, x->cfg.activation, &E->data->val);
    h->slope0 = h->slope;
    return 0;
}

static int hidden_after(void *out, Net *net, const Run *r, const Experiment *x, void *ctx,
                        Error *err) {
    (void)r, (void)err;
    const Experiments *E = ctx;
    if (net->n_layers > 1) hidden_stats(out, net, &x->ops, x->cfg.activation, &E->data->val);
    return 0;
}
//< hidden-hooks

// ---------------------------------------------------------------------------
// Chapter 6's steps, after the command line: read and load the experiments,
// the activations and their slopes, a first pass, train, compare, draw

static int steps(void *ctx, Mnist *data, Error *err) {
    Program *p = ctx;
    Experiments *E = &p->E;
    Chapter *ch = &p->ch;
    if (read_experiments(p, data, err) != 0) return -1;
    values_set(&ch->values, "n_val", "%d", data->val.n);
    values_set(&ch->values, "n_test", "%d", data->test.n);
    if (activations(p, err) != 0) return -1;
    chapter_step(ch, 4, "a first pass over a few images with each activation: every function the "
                        "runs call");
    if (experiments_try(E, FEW, err) != 0) return -1;

    E->out_size = sizeof(Hidden), E->before = hidden_before, E->after = hidden_after, E->ctx = E;
    // the curves it draws are the validation split's: no run measures the whole training
    // split after its epochs (a quarter of an epoch's time on your functions)
    E->train_metrics = NO_SEED;
    char what[160];
    snprintf(what, sizeof what, "each experiment with seeds %llu to %llu (initial weights and "
             "batch order; the split stays)", (unsigned long long)E->seed,
             (unsigned long long)(E->seed + E->exp[0].seeds - 1));
    int rc = chapter_train(ch, E, 5, what, err);
    if (rc != 0) return rc;
    double epochs = 0, seconds = 0;
    for (int r = 0; r < E->n_runs; r++)
        epochs += E->runs[r].res.epochs_run, seconds += E->runs[r].res.seconds;
    values_set(&ch->values, "epochs_total", "%.0f", epochs);
    values_set(&ch->values, "epoch_s", "%.2f", seconds / epochs);

    chapter_step(ch, 6, "our test accuracies beside the study's");
    compare(p);
    if (experiments_write_results(E, chapter_file(ch, "results.tsv"),
                                  "max_slope\tslope0\tslope\tdead\thidden", more_columns, NULL,
                                  err) != 0 ||
        experiments_write_seeds(E, chapter_file(ch, "seeds.tsv"), err) != 0)
        return -1;
    chapter_step(ch, 7, "draw the activations and the training curves");
    if (draw_figures(p, err) != 0) return -1;
    char vars[900];
    compare_vars(E, vars, sizeof vars);
    return chapter_plot_text(ch, "ch6-compare", vars, "the validation loss of each experiment, "
                             "its first seed, epoch by epoch", err);
}

int main(int argc, char **argv) {
    static Program p = {.ch = {.number = 6, .title = "activation functions", .steps = STEPS,
                               .advice = "run `make check-ch6` (and check-ch3 for tanh) to see "
                                         "which property fails",
                               .reads_config = true}};
    return chapter_main(&p.ch, argc, argv, steps, &p);
}
