// train.h: the loop that trains a network (chapters 4-7).
//
// The library holds the bookkeeping: the epochs and batches, the metrics, the
// weights kept by early stopping. The mathematics comes from the exercises,
// through the function pointers of TrainOps: each chapter program fills them
// with the functions of chapters 2 to N (yours, or the reference solutions),
// chapter 3's forward and backward passes through the network among them. So
// the library contains no answer to any exercise, and a later chapter trains
// with your own layers and your own backpropagation.
#ifndef WB_TRAIN_H
#define WB_TRAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "dataset.h"
#include "error.h"
#include "net.h"

// ---------------------------------------------------------------------------
// The network (lib/net.h), of a config's layer_specs

_Static_assert(NET_MAX_LAYERS + 1 == CONFIG_MAX_LAYERS, "a config's layers are a network's sizes");

// net_create with the config's layer_specs (params all zero).
int net_from_config(Net *net, const Config *cfg, Error *err);

// ---------------------------------------------------------------------------
// The exercises the loop calls

typedef struct {
    // chapter 2: the loss (the mean over rows), the number of right answers,
    // and the plain gradient step
    double (*cross_entropy)(const double *y, const double *t, int n, int classes);
    int (*count_correct)(const double *y, const uint8_t *labels, int n, int classes);
    void (*sgd_step)(double *w, const double *g, double rate, int count);
    // chapter 3: the forward and backward passes through the whole network,
    // and the functions they are built from (net.h's Layers: chapter 3's
    // layer and output delta, chapter 2's softmax, and the hidden activation,
    // chapter 3's tanh or chapter 6's sigmoid or ReLU)
    void (*net_forward)(Acts *acts, const Net *net, const double *x, const Layers *layers, int B);
    void (*net_backward)(Net *grad, Acts *acts, const Net *net, const double *x, const double *t,
                         const Layers *layers, int B);
    Layers layers;
    // chapter 4: momentum (used when the config says momentum: true), and the
    // early-stopping rule (used when it says early_stop: true): given the
    // validation losses after epochs 1..epochs (val_loss[0..epochs-1]), whether
    // to stop now
    void (*momentum_step)(double *w, double *v, const double *g, double rate, double gamma,
                          int count);
    bool (*should_stop)(const double *val_loss, int epochs, int patience);
    // chapter 5: the penalties' gradients, added to the weights' gradient
    // (used when L1_penalty or L2_penalty is above 0)
    void (*l1_gradient)(double *g, const double *w, double lambda, int count);
    void (*l2_gradient)(double *g, const double *w, double lambda, int count);
} TrainOps;

// Which operations a config needs that ops does not have: NULL when none,
// else the name of the first missing one (a chapter program's bug, not the
// student's).
const char *train_missing_op(const TrainOps *ops, const Config *cfg);

// ---------------------------------------------------------------------------
// The loop

typedef struct {
    int epochs_run;        // epochs trained (fewer than cfg->epochs when stopped early)
    int best_epoch;        // the epoch of the lowest validation loss, 1-based
    int kept_epoch;        // the epoch whose weights the net holds at the end
    bool stopped_early;
    double best_val_loss;
    double test_loss, test_acc;   // of the kept weights; accuracy in percent
    double val_acc;               // of the kept weights, in percent
    double seconds;               // wall time of the training epochs
    double epoch_seconds;         // the median over the epochs of one epoch's training
                                  // pass plus its validation pass (what `make bench` quotes)
    int fast_threads;             // 0: trained on the plain path; else on the fast path,
                                  // with that many threads (see TrainOptions)
} TrainResult;

// Trains net on data->train with the config's rule, seed for the batch order,
// writing one row per epoch (epoch 0 is the untrained net) to metrics_path:
//   epoch  train_loss  val_loss  train_acc  val_acc  train_s
// (train_s: the seconds of training so far, the evaluations left out)
// The training loss and accuracy are those of the net at the end of the
// epoch, measured on the whole training split, like the validation ones.
// With early_stop, training stops once should_stop says so and the net keeps
// the weights of the best epoch; without it, the last epoch's weights.
// label: a short name for the progress line ("momentum").
int train(TrainResult *res, Net *net, const TrainOps *ops, const Config *cfg, const Mnist *data,
          uint64_t seed, const char *metrics_path, const char *label, Error *err);

// ---------------------------------------------------------------------------
// The fast path

// When a run measures the whole training split (the metrics' train_loss and
// train_acc columns; the validation split is measured after every epoch).
// Each measure is a forward pass over 48,000 images: a run that needs only
// the validation loss, or the training loss at its end, saves most of them.
typedef enum {
    TRAIN_SPLIT_EVERY_EPOCH,   // after every epoch, as train() does
    TRAIN_SPLIT_NEVER,         // never: the two columns are nan
    TRAIN_SPLIT_AT_END,        // after the last epoch trained only (nan before it)
} TrainSplitMetrics;

// A run with early stopping is the first epochs of the same run without it:
// the same initial weights, batches and steps, so the same validation losses,
// up to the epoch where should_stop says stop. A run without early stopping
// can therefore finish that run on its way (TrainOptions's also_stopping)
// instead of its being trained again: at that epoch (or at the last, if
// should_stop never says stop) it writes that run's metrics file, with the
// training split measured as its own (TRAIN_SPLIT_AT_END: there), measures
// the best weights so far on the test and validation splits as train()
// measures the kept ones, and hands that result and those weights to done.
// It then goes on as if nothing had happened: the same numbers to the bit
// (tests/lib/test_experiment.c holds both runs to that).
typedef int (*TrainStoppedFn)(const TrainResult *res, const Net *net, void *ctx, Error *err);
typedef struct {
    int patience;              // the early-stopping run's early_stop_epoch
    const char *metrics_path;  // its metrics file
    TrainStoppedFn done;       // its result, and net holding its kept weights; 0, or -1 with err
    void *ctx;                 // done's
} TrainAlsoStopping;

// How train_with() trains. Zero (or NULL) is train()'s plain path.
//
// fast: the library's own kernels (lib/speed/fast.h) instead of ops's layers,
// softmax, penalties and steps, from the images' non-zero pixels, on every
// core: on the project's 2-core machine, an epoch of the study's chapter-4
// network in a quarter of the time (`make bench`). The same arithmetic summed
// in another order, so the same numbers to rounding, a difference that
// training lets grow from epoch to epoch as it does any change of rounding
// (tests/lib/test_train.c says how far). ops must still be complete
// (train_missing_op), and should_stop still decides when to stop.
//
// It is meant for runs on the reference solutions (`make chN SOLUTIONS=1`,
// the book): with it, a program no longer trains on the student's functions.
// It computes the rules of the chapters' contracts, so a run that puts a
// function of its own into ops (chapter 4's printed momentum rule) must take
// the plain path. A network it cannot train (fast_unsupported) takes the
// plain path; the result says which path ran.
//
// also_stopping: see TrainAlsoStopping.
typedef struct {
    bool fast;
    int threads;   // the fast path's threads: 0 for one per processor, 1 when
                   // several runs go at once (one per core)
    TrainSplitMetrics train_split;
    const TrainAlsoStopping *also_stopping;   // NULL, or for a config without early_stop:
                                              // the run with it, finished on the way
} TrainOptions;

// train(), as opt says.
int train_with(TrainResult *res, Net *net, const TrainOps *ops, const Config *cfg,
               const Mnist *data, uint64_t seed, const char *metrics_path, const char *label,
               const TrainOptions *opt, Error *err);

// The mean loss and the accuracy (percent) of net on a split.
void net_evaluate(double *loss, double *acc, const Net *net, const TrainOps *ops, const Split *s);

// The softmax outputs of net for every example of a split, in order, through
// ops's functions (the plain path's forward pass, whichever path trained net).
//   probs: out [s->n, 10]
int net_predict(double *probs, const Net *net, const TrainOps *ops, const Split *s, Error *err);

#endif
