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

#include "chapter.h"
#include "experiment.h"
#include "jobs.h"
#include "linalg.h"
#include "rng.h"

enum {
    SLOWER = 8,          // "far slower": this many times its class...
    CHUNK = 500,         // (the examples net_evaluate passes at once)
};
static const double MATTERS = 0.2;   // ...and this share of a step, at least

// One batch of an experiment's network, and what the step works on.
typedef struct {
    const Experiment *x;
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
    b->x = x, b->B = x->cfg.batch_size < train->n ? x->cfg.batch_size : train->n;
    if (net_from_config(&b->net, &x->cfg, err) != 0 || net_from_config(&b->grad, &x->cfg, err) != 0 ||
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

typedef enum {
    STEP, FORWARD, LINEAR_FORWARD, LINEAR_BACKWARD, ACTIVATION, SOFTMAX, LOSS, UPDATE, PENALTY,
    N_WORK
} Work;

// Does the work once: yours (ref false) or its class (ref true).
static void work(Batch *b, Work w, bool ref) {
    const TrainOps *ops = &b->x->ops;
    const Config *c = &b->x->cfg;
    Net *n = &b->net;
    int B = b->B, L = n->n_layers, K = n->sizes[L];
    switch (w) {
    case STEP:  // the whole training step, as lib/train.c's train_step
        ops->net_forward(&b->acts, n, b->x_in, &ops->layers, B);
        ops->net_backward(&b->grad, &b->acts, n, b->x_in, b->t, &ops->layers, B);
        work(b, PENALTY, false), work(b, UPDATE, false);
        break;
    case FORWARD:
        ops->net_forward(&b->acts, n, b->x_in, &ops->layers, B);
        break;
    case LINEAR_FORWARD:
        for (int l = 0; l < L; l++) {
            const double *inp = l ? b->acts.h[l - 1] : b->x_in;
            if (ref) matmul(b->acts.a[l], inp, n->W[l], B, n->sizes[l + 1], n->sizes[l], false,
                            true, 1.0, 0.0);
            else ops->layers.linear_forward(b->acts.a[l], inp, n->W[l], n->b[l], B, n->sizes[l],
                                            n->sizes[l + 1]);
        }
        break;
    case LINEAR_BACKWARD:
        for (int l = 0; l < L; l++) {
            const double *inp = l ? b->acts.h[l - 1] : b->x_in;
            double *dinp = l ? b->acts.d[l - 1] : NULL;
            int C = n->sizes[l], OC = n->sizes[l + 1];
            if (!ref) {
                ops->layers.linear_backward(dinp, b->grad.W[l], b->grad.b[l], b->acts.d[l], inp,
                                            n->W[l], B, C, OC);
                continue;
            }
            if (dinp) matmul(dinp, b->acts.d[l], n->W[l], B, C, OC, false, false, 1.0, 0.0);
            matmul(b->grad.W[l], b->acts.d[l], inp, OC, C, B, true, false, 1.0, 0.0);
        }
        break;
    case ACTIVATION:  // forward and backward over every hidden unit of the batch
        for (int l = 0; l + 1 < L; l++) {
            int m = B * n->sizes[l + 1];
            double *a = b->acts.a[l], *h = b->acts.h[l], *d = b->acts.d[l];
            if (ref) {
                for (int i = 0; i < m; i++) h[i] = tanh(a[i]);
                for (int i = 0; i < m; i++) d[i] = d[i] * (1.0 - h[i] * h[i]);
            } else {
                ops->layers.act_forward(h, a, m);
                ops->layers.act_backward(d, d, h, m);
            }
        }
        break;
    case SOFTMAX: {
        double *a = b->acts.a[L - 1], *y = b->acts.h[L - 1];
        if (ref) for (int i = 0; i < B * K; i++) y[i] = exp(a[i] - a[i - i % K]);
        else ops->layers.softmax(y, a, B, K);
        break;
    }
    case LOSS: {  // the output's delta, the loss and the count of right answers
        const double *y = b->acts.h[L - 1];
        double *d = b->acts.d[L - 1], sum = 0;
        if (ref) {
            for (int i = 0; i < B * K; i++) d[i] = y[i] - b->t[i], sum += log(y[i] + 1e-15);
            b->scratch[0] = sum;
        } else {
            ops->layers.output_delta(d, y, b->t, B, K);
            b->scratch[0] = ops->cross_entropy(y, b->t, B, K);
            b->scratch[1] = ops->count_correct(y, b->labels, B, K);
        }
        break;
    }
    case UPDATE: {  // the step over every parameter, on a copy of them
        double *p = b->scratch, *g = b->grad.params;
        if (ref)
            for (int i = 0; i < n->n_params; i++) b->v[i] = 0.9 * b->v[i] + 0.001 * g[i],
                                                   p[i] -= b->v[i];
        else if (c->momentum)
            ops->momentum_step(p, b->v, g, c->learning_rate, c->momentum_gamma, n->n_params);
        else
            ops->sgd_step(p, g, c->learning_rate, n->n_params);
        break;
    }
    case PENALTY:
        for (int l = 0; l < L; l++) {
            int count = n->sizes[l + 1] * n->sizes[l];
            if (ref) {
                if (c->L1_penalty > 0 || c->L2_penalty > 0)
                    for (int i = 0; i < count; i++) b->grad.W[l][i] += 0.01 * n->W[l][i];
                continue;
            }
            if (c->L1_penalty > 0) ops->l1_gradient(b->grad.W[l], n->W[l], c->L1_penalty, count);
            if (c->L2_penalty > 0) ops->l2_gradient(b->grad.W[l], n->W[l], c->L2_penalty, count);
        }
        break;
    case N_WORK:
        break;
    }
}

// Seconds per doing of the work, over enough doings to take 5 ms.
static double timed(Batch *b, Work w, bool ref) {
    double t0 = wall_time(), t;
    int n = 0;
    do work(b, w, ref), n++;
    while ((t = wall_time() - t0) < 0.005 && n < 1000);
    return t / n;
}

// Yours and its class, each the fastest of a few tries taken in turn: on a
// busy machine the other processes only ever add time.
static void timed_both(double *yours, double *class, Batch *b, Work w) {
    *yours = *class = INFINITY;
    for (int k = 0; k < 4; k++)
        *yours = fmin(*yours, timed(b, w, false)), *class = fmin(*class, timed(b, w, true));
}

// What the slot's function is called, for the message.
static const char *work_name(char *buf, size_t size, Work w, const Experiment *x) {
    static const char *const NAMES[N_WORK] = {"", "", "linear_forward", "linear_backward", "",
                                               "softmax", "output_delta, cross_entropy and "
                                               "count_correct", "", ""};
    char act[16];
    snprintf(act, sizeof act, "%s", activation_name(x->cfg.activation));
    for (char *p = act; *p; p++) *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    if (w == ACTIVATION) snprintf(buf, size, "%s_forward and %s_backward", act, act);
    else if (w == UPDATE) snprintf(buf, size, "%s", x->cfg.momentum ? "momentum_step" : "sgd_step");
    else if (w == PENALTY) snprintf(buf, size, "l1_gradient or l2_gradient");
    else snprintf(buf, size, "%s", NAMES[w]);
    return buf;
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

// How long one run of x takes at a step of step_s and a forward pass of
// forward_s per batch: its epochs (one that stops early, about 20), each its
// steps and the evaluation of the validation split (and of the training
// split, where its curves are drawn).
static double run_length(const Experiment *x, const Mnist *data, double step_s, double forward_s,
                         int B, bool curves) {
    const Config *c = &x->cfg;
    double epochs = c->early_stop ? (c->epochs < 20 ? c->epochs : 20) : c->epochs;
    double steps = ceil((double)data->train.n / B);
    double examples = data->val.n + (curves ? data->train.n : 0);
    return epochs * (steps * step_s + examples / B * forward_s);
}

int experiments_pace(const Experiments *E, Error *err) {
    double job_s[EXPERIMENTS_MAX * EXPERIMENT_MAX_SEEDS], your_step = 0;
    int n = 0, slow_work = -1, slow_exp = 0;
    double slow_s = 0, slow_class = 0;
    for (int e = 0; e < E->n_exp; e++) {
        const Experiment *x = &E->exp[e];
        const Mnist *data = x->data ? x->data : E->data;
        Batch b;
        if (batch_make(&b, x, &data->train, err) != 0) {
            batch_free(&b);
            return -1;
        }
        double step, forward, unused;
        timed_both(&step, &unused, &b, STEP), timed_both(&forward, &unused, &b, FORWARD);
        for (Work w = LINEAR_FORWARD; w < N_WORK; w++) {
            double yours, class;
            timed_both(&yours, &class, &b, w);
            if (yours > SLOWER * class && yours > MATTERS * step && yours - class > slow_s - slow_class)
                slow_work = w, slow_exp = e, slow_s = yours, slow_class = class;
        }
        if (e == 0) your_step = step;
        for (int s = 0; s < x->seeds; s++)
            job_s[n++] = run_length(x, data, step, forward, b.B,
                                    E->train_metrics == ALL_SEEDS ||
                                        (E->train_metrics == FIRST_SEEDS && s == 0));
        batch_free(&b);
    }
    int workers = E->workers > 0 ? E->workers : jobs_workers(n);
    double total = makespan(job_s, n, workers);
    char t[32], name[96];
    printf("      a training step on a batch of %d through your functions: %.1f ms\n",
           E->exp[0].cfg.batch_size, 1e3 * your_step);
    if (slow_work >= 0)
        printf("      %s take%s %.1f ms a batch, %.0f times the same work done as the reference "
               "does it\n      (%s): the run will be slow\n",
               work_name(name, sizeof name, (Work)slow_work, &E->exp[slow_exp]),
               strchr(name, ' ') ? "" : "s", 1e3 * slow_s, slow_s / slow_class,
               slow_work <= LINEAR_BACKWARD ? "matmul() for the products" : "one plain loop");
    printf("      %d run%s, %d at a time: about %s%s\n", n, n > 1 ? "s" : "", workers,
           duration(t, sizeof t, total),
           total > 120 ? "; --max-epochs N (MAX_EPOCHS=N) or --seeds 1 (SEEDS=1) shortens it"
                       : "");
    fflush(stdout);
    return 0;
}
