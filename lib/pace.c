// pace.c: how long the runs will take on the exercises' functions, said
// before they start (experiments_pace, see experiment.h).
//
// On the plain path the student's functions do all the arithmetic, and the
// grader accepts a correct function however slow: a linear layer written as
// a triple loop passes, and trains thirty times slower than one that calls
// matmul(), as the reference solutions do. So before the long runs each
// function the training step calls is timed on one batch, beside the same
// work done the way the reference does it (the library's matmul() for the
// layers' products, one plain loop for the rest): its speed class. A function
// far slower than its class is named, with the whole run's estimated length
// and the ways to shorten it.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chapter.h"
#include "experiment.h"
#include "jobs.h"
#include "linalg.h"
#include "rng.h"

enum {
    SLOWER = 8,          // "far slower": this many times its class...
    EVAL_N = 2000,       // examples evaluated to time an evaluation: 4 of net_evaluate's
                         // chunks of 500
    TRIES = 4,           // timings of a piece of work, of which the fastest counts
};
static const double MATTERS = 0.2;   // ...and this share of a step, at least

// One batch of an experiment's network, and what the step works on.
typedef struct {
    const Experiment *x;
    const Split *train;
    int B;
    Net net, grad;
    Acts acts;
    double *x_in, *t, *v, *scratch;
    uint8_t *labels;
} Batch;

static void batch_free(Batch *b) {
    net_free(&b->net), net_free(&b->grad), acts_free(&b->acts);
    free(b->x_in), free(b->t), free(b->v), free(b->scratch), free(b->labels);
}

static int batch_make(Batch *b, const Experiment *x, const Split *train, Error *err) {
    memset(b, 0, sizeof *b);
    b->x = x, b->train = train;
    b->B = x->cfg.batch_size < train->n ? x->cfg.batch_size : train->n;
    if (net_from_config(&b->net, &x->cfg, err) != 0 ||
        net_from_config(&b->grad, &x->cfg, err) != 0 ||
        acts_create(&b->acts, &b->net, b->B, err) != 0)
        return -1;
    int in = b->net.sizes[0], out = b->net.sizes[b->net.n_layers];
    b->x_in = error_calloc(err, (size_t)b->B * in, sizeof(double), "a batch");
    b->t = error_calloc(err, (size_t)b->B * out, sizeof(double), "a batch's targets");
    b->v = error_calloc(err, (size_t)b->net.n_params, sizeof(double), "a velocity");
    b->scratch = error_calloc(err, (size_t)b->net.n_params, sizeof(double), "a scratch array");
    b->labels = error_calloc(err, (size_t)b->B, 1, "a batch's labels");
    int *idx = error_calloc(err, (size_t)b->B, sizeof(int), "a batch's examples");
    if (!b->x_in || !b->t || !b->v || !b->scratch || !b->labels || !idx) {
        free(idx);
        return -1;
    }
    net_init(&b->net, 1, 0);
    for (int i = 0; i < b->B; i++) idx[i] = i;
    split_batch(b->x_in, b->t, train, idx, b->B);
    memcpy(b->labels, train->labels, (size_t)b->B);
    free(idx);
    return 0;
}

// ---------------------------------------------------------------------------
// The work timed: what the step calls, and its speed class

// Each does its work once: with your functions (ref false) or as the
// reference does it (ref true).
typedef void (*Work)(Batch *b, bool ref);

static void linear_forward_all(Batch *b, bool ref) {
    const Net *n = &b->net;
    for (int l = 0; l < n->n_layers; l++) {
        const double *inp = l ? b->acts.h[l - 1] : b->x_in;
        if (ref) matmul(b->acts.a[l], inp, n->W[l], b->B, n->sizes[l + 1], n->sizes[l], false,
                        true, 1.0, 0.0);
        else b->x->ops.layers.linear_forward(b->acts.a[l], inp, n->W[l], n->b[l], b->B,
                                             n->sizes[l], n->sizes[l + 1]);
    }
}

static void linear_backward_all(Batch *b, bool ref) {
    const Net *n = &b->net;
    for (int l = 0; l < n->n_layers; l++) {
        const double *inp = l ? b->acts.h[l - 1] : b->x_in;
        double *dinp = l ? b->acts.d[l - 1] : NULL;
        int C = n->sizes[l], OC = n->sizes[l + 1];
        if (!ref) {
            b->x->ops.layers.linear_backward(dinp, b->grad.W[l], b->grad.b[l], b->acts.d[l], inp,
                                             n->W[l], b->B, C, OC);
            continue;
        }
        if (dinp) matmul(dinp, b->acts.d[l], n->W[l], b->B, C, OC, false, false, 1.0, 0.0);
        matmul(b->grad.W[l], b->acts.d[l], inp, OC, C, b->B, true, false, 1.0, 0.0);
    }
}

// The activation, forward and backward, over every hidden unit of the batch.
static void activation(Batch *b, bool ref) {
    for (int l = 0; l + 1 < b->net.n_layers; l++) {
        int m = b->B * b->net.sizes[l + 1];
        double *a = b->acts.a[l], *h = b->acts.h[l], *d = b->acts.d[l];
        if (ref) {
            for (int i = 0; i < m; i++) h[i] = tanh(a[i]);
            for (int i = 0; i < m; i++) d[i] = d[i] * (1.0 - h[i] * h[i]);
        } else {
            b->x->ops.layers.act_forward(h, a, m);
            b->x->ops.layers.act_backward(d, d, h, m);
        }
    }
}

// The output layer: softmax, its delta, the loss and the count of right answers.
static void output(Batch *b, bool ref) {
    const TrainOps *ops = &b->x->ops;
    int L = b->net.n_layers, K = b->net.sizes[L], B = b->B;
    double *a = b->acts.a[L - 1], *y = b->acts.h[L - 1], *d = b->acts.d[L - 1], sum = 0;
    if (ref) {
        for (int i = 0; i < B * K; i++) y[i] = exp(a[i]), d[i] = y[i] - b->t[i], sum += log(y[i]);
        b->scratch[0] = sum;
        return;
    }
    ops->layers.softmax(y, a, B, K);
    ops->layers.output_delta(d, y, b->t, B, K);
    b->scratch[0] = ops->cross_entropy(y, b->t, B, K);
    b->scratch[1] = ops->count_correct(y, b->labels, B, K);
}

// The step over every parameter (on a copy of them), and the penalties.
static void update(Batch *b, bool ref) {
    const Config *c = &b->x->cfg;
    const TrainOps *ops = &b->x->ops;
    Net *n = &b->net;
    double *p = b->scratch, *g = b->grad.params;
    for (int l = 0; l < n->n_layers; l++) {
        int count = n->sizes[l + 1] * n->sizes[l];
        if (ref && (c->L1_penalty > 0 || c->L2_penalty > 0))
            for (int i = 0; i < count; i++) b->grad.W[l][i] += 0.01 * n->W[l][i];
        if (!ref && c->L1_penalty > 0)
            ops->l1_gradient(b->grad.W[l], n->W[l], c->L1_penalty, count);
        if (!ref && c->L2_penalty > 0)
            ops->l2_gradient(b->grad.W[l], n->W[l], c->L2_penalty, count);
    }
    if (ref)
        for (int i = 0; i < n->n_params; i++)
            b->v[i] = 0.9 * b->v[i] + 0.001 * g[i], p[i] -= b->v[i];
    else if (c->momentum)
        ops->momentum_step(p, b->v, g, c->learning_rate, c->momentum_gamma, n->n_params);
    else
        ops->sgd_step(p, g, c->learning_rate, n->n_params);
}

// The whole training step, as lib/train.c's train_step does it; and the
// evaluation of the training split's first EVAL_N examples, as net_evaluate
// evaluates a whole split after each epoch.
static void step(Batch *b, bool ref) {
    (void)ref;
    const TrainOps *ops = &b->x->ops;
    ops->net_forward(&b->acts, &b->net, b->x_in, &ops->layers, b->B);
    ops->net_backward(&b->grad, &b->acts, &b->net, b->x_in, b->t, &ops->layers, b->B);
    update(b, false);
}

static void evaluation(Batch *b, bool ref) {
    (void)ref;
    Split first = *b->train;
    first.n = first.n < EVAL_N ? first.n : EVAL_N;
    double loss, acc;
    net_evaluate(&loss, &acc, &b->net, &b->x->ops, &first);
}

// The parts of a step, timed one by one, and what their functions are called.
static const Work PARTS[] = {linear_forward_all, linear_backward_all, activation, output, update};
enum { N_PARTS = sizeof PARTS / sizeof PARTS[0] };

static const char *part_name(char *buf, size_t size, int part, const Experiment *x) {
    char act[16];
    snprintf(act, sizeof act, "%s", activation_name(x->cfg.activation));
    for (char *c = act; *c; c++) *c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
    const char *step = x->cfg.momentum ? "momentum_step" : "sgd_step";
    switch (part) {
    case 0: return "linear_forward";
    case 1: return "linear_backward";
    case 2: snprintf(buf, size, "%s_forward and %s_backward", act, act); return buf;
    case 3: return "softmax, output_delta, cross_entropy and count_correct";
    default:
        snprintf(buf, size, "%s%s", step, x->cfg.L1_penalty > 0 || x->cfg.L2_penalty > 0
                                              ? " and the penalties' gradients" : "");
        return buf;
    }
}

// Seconds of processor time this process has used. What a piece of work
// costs in it is what the comparisons below go by: on a busy machine the
// other processes make the work wait for a core, which the wall clock
// counts, by a different amount for each piece (under test-busy beside a
// CI run, a slow function went unnamed that way), but they do not add to
// its processor time.
static double cpu_time(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

// Seconds of processor time per doing of the work, over enough doings to
// take 5 ms of it, or a quarter of a second on the wall clock (a function
// that sleeps or waits uses little processor time, however long it takes).
static double timed(Batch *b, Work w, bool ref) {
    double t0 = cpu_time(), w0 = wall_time(), t;
    int n = 0;
    do w(b, ref), n++;
    while ((t = cpu_time() - t0) < 0.005 && wall_time() - w0 < 0.25 && n < 1000);
    return t / n;
}

// Seconds per doing of your work as this machine runs it now, its other
// processes and all, over a tenth of a second: what a run will take is what
// the estimate should say, on a busy machine too.
static double timed_now(Batch *b, Work w) {
    double t0 = wall_time(), t;
    int n = 0;
    do w(b, false), n++;
    while ((t = wall_time() - t0) < 0.1 && n < 10000);
    return t / n;
}

// A step and an evaluation (per example) of yours timed in each of the
// processes that will train side by side, all at once: they share the cores
// with each other and with whatever else the machine is doing.
static int time_now(void *result, int k, void *ctx, Error *err) {
    (void)k, (void)err;
    double *t = result;
    Batch *b = ctx;
    step(b, false), evaluation(b, false);  // untimed: a new process's first writes copy pages
    t[0] = timed_now(b, step);
    t[1] = timed_now(b, evaluation) / (b->train->n < EVAL_N ? b->train->n : EVAL_N);
    return 0;
}

// Yours and its class, each the fastest of a few tries taken in turn: what a
// busy machine still adds to processor time (through the caches it shares)
// it only ever adds.
static void timed_both(double *yours, double *class, Batch *b, Work w) {
    *yours = *class = INFINITY;
    for (int k = 0; k < TRIES; k++)
        *yours = fmin(*yours, timed(b, w, false)), *class = fmin(*class, timed(b, w, true));
}

// ---------------------------------------------------------------------------
// The runs' length

// "1 min 40 s", "25 s", "2 h 05 min"
static const char *duration(char *buf, size_t size, double s) {
    if (s < 60) snprintf(buf, size, "%.0f s", s);
    else if (s < 3600) snprintf(buf, size, "%d min %02d s", (int)s / 60, (int)s % 60);
    else snprintf(buf, size, "%d h %02d min", (int)s / 3600, (int)s % 3600 / 60);
    return buf;
}

// The wall time of jobs of these lengths, longest first, each to the worker
// that frees up first (as lib/jobs.h hands them out).
static double makespan(double *job_s, int n, int workers) {
    double busy[JOBS_MAX_WORKERS] = {0};
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && job_s[j] > job_s[j - 1]; j--) {
            double t = job_s[j];
            job_s[j] = job_s[j - 1], job_s[j - 1] = t;
        }
    for (int i = 0; i < n; i++) {
        int w = 0;
        for (int k = 1; k < workers; k++) w = busy[k] < busy[w] ? k : w;
        busy[w] += job_s[i];
    }
    double most = 0;
    for (int k = 0; k < workers; k++) most = fmax(most, busy[k]);
    return most;
}

// How long one run of x takes at a step of step_s and an evaluation of eval_s
// per example: its epochs (one that stops early, about 20), each its steps
// and the evaluation of the validation split; the evaluations of the
// training split it makes (after every epoch and before the first, or after
// its last); and the validation and test splits before the first epoch and
// after the last (lib/train.c).
static double run_length(const Experiment *x, const Mnist *data, double step_s, double eval_s,
                         int B, TrainSplitMetrics train_split) {
    const Config *c = &x->cfg;
    double epochs = c->early_stop ? (c->epochs < 20 ? c->epochs : 20) : c->epochs;
    double steps = ceil((double)data->train.n / B);
    double train_evals = train_split == TRAIN_SPLIT_EVERY_EPOCH ? epochs + 1
                         : train_split == TRAIN_SPLIT_AT_END ? 1 : 0;
    double examples = (epochs + 2) * data->val.n + data->test.n + train_evals * data->train.n;
    return epochs * steps * step_s + examples * eval_s;
}

int experiments_pace(const Experiments *E, Error *err) {
    double job_s[EXPERIMENTS_MAX * EXPERIMENT_MAX_SEEDS], your_step = 0;
    int n = 0, inside = 0, your_batch = 0, slow_part = -1, slow_exp = 0;
    double slow_s = 0, slow_class = 0;
    int runs = 0;
    for (int e = 0; e < E->n_exp; e++) runs += E->exp[e].seeds;
    int workers = E->workers > 0 ? E->workers : jobs_workers(runs);
    for (int e = 0; e < E->n_exp; e++) {
        const Experiment *x = &E->exp[e];
        const Mnist *data = x->data ? x->data : E->data;
        bool own[EXPERIMENT_MAX_SEEDS];  // its runs that train epochs of their own (see Run)
        int n_own = 0;
        for (int s = 0; s < x->seeds; s++) {
            int r = experiments_run_of(E, e, s);
            n_own += own[s] = r < 0 || E->runs[r].inside < 0;
        }
        inside += x->seeds - n_own;
        if (n_own == 0) continue;  // its functions are the run's it goes inside, timed there
        Batch b;
        if (batch_make(&b, x, &data->train, err) != 0) {
            batch_free(&b);
            return -1;
        }
        double t[JOBS_MAX_WORKERS][2], step_s = 0, eval_s = 0;
        if (jobs_run(t, time_now, NULL, &b, workers, sizeof t[0], workers, err) != 0) {
            batch_free(&b);
            return -1;
        }
        for (int k = 0; k < workers; k++)
            step_s += t[k][0] / workers, eval_s += t[k][1] / workers;
        // A part's share of the step, both timed the same way (processor time,
        // the fastest of a few tries): step_s above is the step in wall time
        // as a loaded machine runs it now, which is what the estimate needs.
        double step_best = INFINITY;
        for (int k = 0; k < TRIES; k++) step_best = fmin(step_best, timed(&b, step, false));
        for (int w = 0; w < N_PARTS; w++) {
            double yours, class;
            timed_both(&yours, &class, &b, PARTS[w]);
            if (yours > SLOWER * class && yours > MATTERS * step_best &&
                yours - class > slow_s - slow_class)
                slow_part = w, slow_exp = e, slow_s = yours, slow_class = class;
        }
        if (!your_batch) your_step = step_s, your_batch = b.B;
        for (int s = 0; s < x->seeds; s++)
            if (own[s])
                job_s[n++] = run_length(x, data, step_s, eval_s, b.B,
                                        experiments_train_split(E, s));
        batch_free(&b);
    }
    double total = makespan(job_s, n, workers);
    char t[32], name[96];
    printf("      a training step on a batch of %d through your functions: %.1f ms\n",
           your_batch, 1e3 * your_step);
    if (slow_part >= 0) {
        const char *what = part_name(name, sizeof name, slow_part, &E->exp[slow_exp]);
        printf("      your %s take%s %.1f ms a batch, %.0f times the same work done as the "
               "reference\n      does it (%s): the run will be slow\n", what,
               strchr(what, ' ') ? "" : "s", 1e3 * slow_s, slow_s / slow_class,
               slow_part <= 1 ? "matmul() for the products" : "one plain loop");
    }
    char within[64] = "";
    if (inside) snprintf(within, sizeof within, " (%d of them finished inside others)", inside);
    printf("      %d run%s%s, %d at a time: about %s%s%s\n", n + inside,
           n + inside > 1 ? "s" : "", within, workers, duration(t, sizeof t, total),
           total > 120 ? "; --max-epochs N (MAX_EPOCHS=N)" : "",
           total > 120 && n + inside > E->n_exp ? " or --seeds 1 (SEEDS=1) shortens it"
           : total > 120 ? " shortens it" : "");
    fflush(stdout);
    return 0;
}
