// train.c: the network's bookkeeping and the training loop (see train.h).
#include "train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chapter.h"
#include "speed/fast.h"
#include "metrics.h"
#include "rng.h"

// ---------------------------------------------------------------------------
// The network

int net_from_config(Net *net, const Config *cfg, Error *err) {
    if (cfg->n_layers < 2) return error_set(err, "layer_specs: %d sizes make no network", cfg->n_layers);
    return net_create(net, cfg->n_layers - 1, cfg->layer_specs, err);
}

const char *train_missing_op(const TrainOps *ops, const Config *cfg) {
    if (!ops->net_forward) return "net_forward";
    if (!ops->net_backward) return "net_backward";
    if (!ops->layers.softmax) return "softmax";
    if (!ops->cross_entropy) return "cross_entropy";
    if (!ops->count_correct) return "count_correct";
    if (!ops->layers.linear_forward) return "linear_forward";
    if (!ops->layers.linear_backward) return "linear_backward";
    if (!ops->layers.output_delta) return "output_delta";
    if (cfg->n_layers > 2 && (!ops->layers.act_forward || !ops->layers.act_backward))
        return "the activation";
    if (cfg->momentum ? !ops->momentum_step : !ops->sgd_step)
        return cfg->momentum ? "momentum_step" : "sgd_step";
    if (cfg->early_stop && !ops->should_stop) return "should_stop";
    if (cfg->L1_penalty > 0 && !ops->l1_gradient) return "l1_gradient";
    if (cfg->L2_penalty > 0 && !ops->l2_gradient) return "l2_gradient";
    return NULL;
}

// ---------------------------------------------------------------------------
// A batch of at most cap examples, and what its passes leave

typedef struct {
    double *x, *t;    // [cap, 784], [cap, 10]
    Acts acts;        // the passes' layer by layer
    Net grad;         // the gradient, laid out as the net's params
} Work;

static void work_free(Work *w) {
    free(w->x), free(w->t);
    acts_free(&w->acts);
    net_free(&w->grad);
    memset(w, 0, sizeof *w);
}

static int work_create(Work *w, const Net *net, int cap, Error *err) {
    memset(w, 0, sizeof *w);
    int L = net->n_layers, in = net->sizes[0], out = net->sizes[L];
    w->x = error_calloc(err, (size_t)cap * in, sizeof(double), "a batch");
    w->t = error_calloc(err, (size_t)cap * out, sizeof(double), "a batch's targets");
    if (!w->x || !w->t || acts_create(&w->acts, net, cap, err) != 0 ||
        net_create(&w->grad, L, net->sizes, err) != 0) {
        work_free(w);
        return -1;
    }
    return 0;
}

// The probabilities of the B examples in w->x: the exercises' forward pass.
static const double *forward(Work *w, const Net *net, const TrainOps *ops, int B) {
    ops->net_forward(&w->acts, net, w->x, &ops->layers, B);
    return w->acts.h[net->n_layers - 1];
}

void net_evaluate(double *loss, double *acc, const Net *net, const TrainOps *ops,
                  const Split *s) {
    enum { CHUNK = 500 };
    Work w;
    Error err;
    if (work_create(&w, net, CHUNK, &err) != 0) {
        work_free(&w);
        *loss = *acc = NAN;
        return;
    }
    double sum = 0;
    long correct = 0;
    for (int start = 0; start < s->n; start += CHUNK) {
        int b = s->n - start < CHUNK ? s->n - start : CHUNK;
        split_range(w.x, w.t, s, start, b);
        const double *y = forward(&w, net, ops, b);
        sum += ops->cross_entropy(y, w.t, b, net->sizes[net->n_layers]) * b;
        correct += ops->count_correct(y, s->labels + start, b, net->sizes[net->n_layers]);
    }
    work_free(&w);
    *loss = sum / s->n;
    *acc = 100.0 * (double)correct / s->n;
}

//> predict
// The network's probabilities for every example of split s, in order:
// probs[i * 10 + k] is the probability it gives digit k for example i. It is
// the training loop's forward pass, ops's net_forward on ops's layers, CHUNK
// examples at a time.
int net_predict(double *probs, const Net *net, const TrainOps *ops, const Split *s, Error *err) {
    enum { CHUNK = 500 };
    Work w;
    if (work_create(&w, net, CHUNK, err) != 0) {
        work_free(&w);
        return -1;
    }
    int K = net->sizes[net->n_layers];
    for (int start = 0; start < s->n; start += CHUNK) {
        int b = s->n - start < CHUNK ? s->n - start : CHUNK;
        split_range(w.x, NULL, s, start, b);
        const double *y = forward(&w, net, ops, b);
        memcpy(probs + (size_t)start * K, y, sizeof(double) * (size_t)b * K);
    }
    work_free(&w);
    return 0;
}
//< predict

// ---------------------------------------------------------------------------
// The loop

//> train-step
// One minibatch: forward, backward, the penalties, and the step.
static void train_step(Work *w, Net *net, double *velocity, const TrainOps *ops,
                       const Config *cfg, int B) {
    ops->net_forward(&w->acts, net, w->x, &ops->layers, B);
    ops->net_backward(&w->grad, &w->acts, net, w->x, w->t, &ops->layers, B);
    // The penalties apply to the weights, not to the biases (see chapter 5).
    for (int l = 0; l < net->n_layers; l++) {
        int count = net->sizes[l + 1] * net->sizes[l];
        if (cfg->L1_penalty > 0) ops->l1_gradient(w->grad.W[l], net->W[l], cfg->L1_penalty, count);
        if (cfg->L2_penalty > 0) ops->l2_gradient(w->grad.W[l], net->W[l], cfg->L2_penalty, count);
    }
    if (cfg->momentum)
        ops->momentum_step(net->params, velocity, w->grad.params, cfg->learning_rate,
                           cfg->momentum_gamma, net->n_params);
    else
        ops->sgd_step(net->params, w->grad.params, cfg->learning_rate, net->n_params);
}
//< train-step

// A split's loss and accuracy, on the fast path when there is one.
static void evaluate(double *loss, double *acc, const Net *net, const TrainOps *ops, Fast *fast,
                     const Split *s) {
    if (fast)
        fast_evaluate(loss, acc, fast, s);
    else
        net_evaluate(loss, acc, net, ops, s);
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// The median of x[0..n-1] (0 for none), sorted in scratch.
static double median(const double *x, int n, double *scratch) {
    if (n <= 0) return 0;
    memcpy(scratch, x, sizeof(double) * (size_t)n);
    qsort(scratch, (size_t)n, sizeof(double), by_value);
    return n % 2 ? scratch[n / 2] : (scratch[n / 2 - 1] + scratch[n / 2]) / 2;
}

// The early-stopping run that a run finishes on its way (TrainAlsoStopping),
// when it stops after epoch `epoch`: best (that epoch's best weights so far)
// measured as train_with measures the kept weights, done called with them in
// net; then net (and the fast path) back to the present weights, cur's
// scratch. res: the run's own so far.
static int finish_also_stopping(const TrainAlsoStopping *also, Metrics *mt, const TrainResult *res,
                                int epoch, const Config *cfg, const double *epoch_s, Net *net,
                                const TrainOps *ops, Fast *fast, const Mnist *data,
                                const double *best, double *cur, Error *err) {
    TrainResult r = *res;
    r.epochs_run = epoch, r.kept_epoch = r.best_epoch;
    r.stopped_early = epoch < cfg->epochs;
    r.epoch_seconds = median(epoch_s, epoch, cur);
    if (metrics_close(mt, err) != 0) return -1;
    memcpy(cur, net->params, sizeof(double) * net->n_params);
    memcpy(net->params, best, sizeof(double) * net->n_params);
    if (fast) fast_load(fast, net);
    evaluate(&r.test_loss, &r.test_acc, net, ops, fast, &data->test);
    double unused;
    evaluate(&unused, &r.val_acc, net, ops, fast, &data->val);
    int rc = also->done(&r, net, also->ctx, err);
    memcpy(net->params, cur, sizeof(double) * net->n_params);
    if (fast) fast_load(fast, net);
    return rc;
}

int train(TrainResult *res, Net *net, const TrainOps *ops, const Config *cfg, const Mnist *data,
          uint64_t seed, const char *metrics_path, const char *label, Error *err) {
    return train_with(res, net, ops, cfg, data, seed, metrics_path, label, NULL, err);
}

int train_with(TrainResult *res, Net *net, const TrainOps *ops, const Config *cfg,
               const Mnist *data, uint64_t seed, const char *metrics_path, const char *label,
               const TrainOptions *opt, Error *err) {
    memset(res, 0, sizeof *res);
    const char *missing = train_missing_op(ops, cfg);
    if (missing) return error_set(err, "train: the program gave no %s", missing);
    const Split *tr = &data->train;
    if (cfg->batch_size > tr->n)
        return error_set(err, "batch_size: %d is more than the %d training examples",
                         cfg->batch_size, tr->n);
    Work w;
    Metrics mt, also_mt;
    Fast *fast = NULL;
    int rc = -1, *order = NULL;
    double *velocity = NULL, *best = NULL, *val_hist = NULL, *epoch_s = NULL, *cur = NULL;
    bool metrics_ok = false;
    // the early-stopping run finished on the way, until it stops
    const TrainAlsoStopping *also = opt && !cfg->early_stop ? opt->also_stopping : NULL;
    bool also_ok = false;
    if (work_create(&w, net, cfg->batch_size, err) != 0) goto done;
    if (opt && opt->fast && !fast_unsupported(net, data)) {
        if (fast_create(&fast, net, cfg, data, opt->threads, err) != 0) goto done;
        res->fast_threads = fast_threads(fast);
    }
    order = error_calloc(err, (size_t)tr->n, sizeof(int), "the batch order");
    velocity = error_calloc(err, (size_t)net->n_params, sizeof(double), "the velocity");
    best = error_calloc(err, (size_t)net->n_params, sizeof(double), "the best weights");
    val_hist = error_calloc(err, (size_t)cfg->epochs + 1, sizeof(double), "the history");
    epoch_s = error_calloc(err, (size_t)cfg->epochs + 1, sizeof(double), "the history");
    cur = error_calloc(err, (size_t)net->n_params + (size_t)cfg->epochs + 1, sizeof(double),
                       "the scratch");
    if (!order || !velocity || !best || !val_hist || !epoch_s || !cur) goto done;
    static const char *const COLUMNS = "epoch\ttrain_loss\tval_loss\ttrain_acc\tval_acc\ttrain_s";
    if (metrics_open(&mt, metrics_path, COLUMNS, err) != 0) goto done;
    metrics_ok = true;
    if (also && metrics_open(&also_mt, also->metrics_path, COLUMNS, err) != 0) goto done;
    also_ok = also != NULL;

    Rng rng;
    rng_seed(&rng, seed ^ 0xB47C4E5ull);  // a stream of its own, apart from the init's
    for (int i = 0; i < tr->n; i++) order[i] = i;
    double tl = NAN, ta = NAN, vl, va, seconds = 0;
    TrainSplitMetrics measure = opt ? opt->train_split : TRAIN_SPLIT_EVERY_EPOCH;
    if (measure == TRAIN_SPLIT_EVERY_EPOCH) evaluate(&tl, &ta, net, ops, fast, tr);
    evaluate(&vl, &va, net, ops, fast, &data->val);
    metrics_row(&mt, (double[]){0, tl, vl, ta, va, 0});
    if (also_ok) metrics_row(&also_mt, (double[]){0, tl, vl, ta, va, 0});
    res->best_val_loss = INFINITY;
    memcpy(best, net->params, sizeof(double) * net->n_params);
    for (int epoch = 1; epoch <= cfg->epochs; epoch++) {
        double start = wall_time();
        // Algorithm 1: a new order every epoch, then batches of B in that order
        for (int i = tr->n - 1; i > 0; i--) {
            int j = (int)rng_below(&rng, (uint32_t)i + 1), tmp = order[i];
            order[i] = order[j], order[j] = tmp;
        }
        for (int j = 0; j < tr->n; j += cfg->batch_size) {
            int B = tr->n - j < cfg->batch_size ? tr->n - j : cfg->batch_size;
            if (fast) {  // the same step, by lib/speed/fast.c
                fast_step(fast, order + j, B);
                continue;
            }
            split_batch(w.x, w.t, tr, order + j, B);
            train_step(&w, net, velocity, ops, cfg, B);
        }
        if (fast) fast_store(fast, net);
        double trained = wall_time() - start;
        seconds += trained;
        evaluate(&vl, &va, net, ops, fast, &data->val);
        epoch_s[epoch - 1] = wall_time() - start;  // training, and the validation pass
        val_hist[epoch - 1] = vl;
        bool stop = isfinite(vl) && cfg->early_stop &&
                    ops->should_stop(val_hist, epoch, cfg->early_stop_epoch);
        bool last = stop || epoch == cfg->epochs || !isfinite(vl);
        // the early-stopping run's last epoch: should_stop says stop, or the run's last
        bool also_last = also_ok && isfinite(vl) &&
                         (epoch == cfg->epochs || ops->should_stop(val_hist, epoch, also->patience));
        bool own = measure == TRAIN_SPLIT_EVERY_EPOCH || (measure == TRAIN_SPLIT_AT_END && last);
        bool its = measure == TRAIN_SPLIT_EVERY_EPOCH || (measure == TRAIN_SPLIT_AT_END && also_last);
        if (own || its)
            evaluate(&tl, &ta, net, ops, fast, tr);
        else
            tl = ta = NAN;
        metrics_row(&mt, (double[]){epoch, own ? tl : NAN, vl, own ? ta : NAN, va, seconds});
        if (also_ok)
            metrics_row(&also_mt, (double[]){epoch, its ? tl : NAN, vl, its ? ta : NAN, va, seconds});
        progress("%s: epoch %d/%d  train loss %.4f  val loss %.4f  val acc %.2f%%  (%.2f s/epoch)",
                 label, epoch, cfg->epochs, tl, vl, va, seconds / epoch);
        res->epochs_run = epoch;
        if (!isfinite(vl)) {
            progress_done();
            error_set(err, "%s: the validation loss is %g after epoch %d: the training diverged "
                           "(learning_rate %g too large?)", label, vl, epoch, cfg->learning_rate);
            goto done;
        }
        if (vl < res->best_val_loss) {
            res->best_val_loss = vl, res->best_epoch = epoch;
            memcpy(best, net->params, sizeof(double) * net->n_params);
        }
        if (also_last) {
            res->seconds = seconds;
            also_ok = false;  // (closed, or to be aborted below)
            if (finish_also_stopping(also, &also_mt, res, epoch, cfg, epoch_s, net, ops, fast, data,
                                     best, cur, err) != 0)
                goto done;
        }
        if (stop) {
            res->stopped_early = epoch < cfg->epochs;
            break;
        }
    }
    progress_done();
    res->seconds = seconds;
    res->epoch_seconds = median(epoch_s, res->epochs_run, cur);
    res->kept_epoch = res->epochs_run;
    if (cfg->early_stop) {
        memcpy(net->params, best, sizeof(double) * net->n_params);
        res->kept_epoch = res->best_epoch;
        if (fast) fast_load(fast, net);
    }
    evaluate(&res->test_loss, &res->test_acc, net, ops, fast, &data->test);
    double unused;
    evaluate(&unused, &res->val_acc, net, ops, fast, &data->val);
    rc = metrics_close(&mt, err);
    metrics_ok = false;
done:
    if (metrics_ok) metrics_abort(&mt);
    if (also_ok) metrics_abort(&also_mt);
    work_free(&w);
    fast_free(fast);
    free(order), free(velocity), free(best), free(val_hist), free(epoch_s), free(cur);
    return rc;
}
