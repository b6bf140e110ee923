// main.c: chapter 2, softmax regression. Trains the study's single-layer
// network (784 pixels and a bias, straight to 10 digits) with minibatch SGD on
// your exercises (ch2.h), as chapters/02-softmax/softmax.yaml says; then trains
// it twice more with the gradient averaged over the batch instead of summed,
// to show what the sum does to the learning rate. It leaves the per-epoch
// metrics, the figures and the numbers the book quotes in the run folder
// (report.c).
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ch2.h"
#include "chapter.h"
#include "config.h"
#include "dataset.h"
#include "linalg.h"
#include "metrics.h"
#include "model.h"
#include "plot.h"
#include "report.h"
#include "rng.h"
#include "study.h"

enum { STEPS = 7, EVAL_ROWS = 1000 };
// One row per epoch, the columns figures/curves.gp reads; accuracies in %.
static const char *const METRICS_COLUMNS = "epoch\ttrain_loss\tval_loss\ttrain_acc\tval_acc";
static const char *const DEFAULT_CONFIG = "chapters/02-softmax/softmax.yaml";

typedef struct {
    Chapter ch;
    Config cfg;
    const char *config_path;
    Model m;            // the model being trained
    Work wk, ev;        // the buffers of a training batch and of an evaluation
    int *order;         // the shuffled order of the training examples
} Run;

// ---------------------------------------------------------------------------
// Step 1: the experiment

static int read_config(Run *run, Error *err) {
    chapter_step(&run->ch, 1, "read the experiment");
    run->config_path = run->ch.opt.config ? run->ch.opt.config : DEFAULT_CONFIG;
    if (config_load(&run->cfg, run->config_path, err) != 0) return -1;
    cli_take_config_seed(&run->ch.opt, run->cfg.seed);
    if (run->ch.opt.max_epochs > 0 && run->cfg.epochs > run->ch.opt.max_epochs)
        run->cfg.epochs = run->ch.opt.max_epochs;  // --max-epochs: a quick run
    const Config *c = &run->cfg;
    if (c->n_layers != 2 || c->layer_specs[1] != MNIST_CLASSES)
        return error_set(err, "%s: layer_specs: softmax regression is one layer, [784, 10]; "
                              "hidden layers are chapter 3's", run->config_path);
    if (c->momentum || c->L1_penalty > 0 || c->L2_penalty > 0)
        return error_set(err, "%s: chapter 2 trains without momentum or penalties; they come "
                              "in chapters 4 and 5", run->config_path);
    printf("      %s: layers [%d, %d], learning rate %g, batch %d,\n      at most %d epochs, ",
           run->config_path, c->layer_specs[0], c->layer_specs[1], c->learning_rate,
           c->batch_size, c->epochs);
    if (c->early_stop)
        printf("early stopping after %d epochs without a better validation loss\n",
               c->early_stop_epoch);
    else
        printf("no early stopping\n");
    values_set(&run->ch.values, "learning_rate", "%g", c->learning_rate);
    values_set(&run->ch.values, "batch_size", "%d", c->batch_size);
    values_set(&run->ch.values, "max_epochs", "%d", c->epochs);
    values_set(&run->ch.values, "patience", "%d", c->early_stop_epoch);
    values_set(&run->ch.values, "early_stop", "%s", c->early_stop ? "true" : "false");
    // the study's own softmax run (lib/study.c): the epochs its figure shows
    values_set(&run->ch.values, "study_epochs", "%d", study_find("softmax")->stop_epoch);
    return 0;
}

// ---------------------------------------------------------------------------
// Evaluation: the mean loss and the accuracy (in %) of a whole split

//> evaluate
static void evaluate(double *loss, double *acc, const Split *s, const Model *m, Work *wk) {
    double total = 0.0;
    int correct = 0;
    for (int start = 0; start < s->n; start += wk->rows) {
        int b = s->n - start < wk->rows ? s->n - start : wk->rows;
        split_range(wk->x, wk->t, s, start, b);
        logits(wk->a, wk->x, m->w, m->b, b, m->dim, m->classes);
        softmax(wk->a, wk->a, b, m->classes);
        total += cross_entropy(wk->a, wk->t, b, m->classes) * b;
        correct += count_correct(wk->a, s->labels + start, b, m->classes);
    }
    *loss = total / s->n;
    *acc = 100.0 * correct / s->n;
}
//< evaluate

// ---------------------------------------------------------------------------
// Step 3: the model before it has learned anything

// With all weights zero every probability is 1/10, the loss ln 10, and the
// bias gradient of each digit one tenth per image less one per image of it.
static void check_at_zero(Run *run, const Split *tr) {
    Chapter *ch = &run->ch;
    Work *wk = &run->wk;
    int C = MNIST_CLASSES, dim = tr->dim, b = tr->n < 128 ? tr->n : 128;
    Model zero = run->m;
    memset(zero.w, 0, sizeof(double) * (size_t)dim * C), memset(zero.b, 0, sizeof(double) * C);
    //> at-zero
    split_range(wk->x, wk->t, tr, 0, b);
    logits(wk->a, wk->x, zero.w, zero.b, b, dim, C);
    softmax(wk->a, wk->a, b, C);
    double loss = cross_entropy(wk->a, wk->t, b, C);
    softmax_gradient(wk->gw, wk->gb, wk->da, wk->x, wk->a, wk->t, b, dim, C);
    //< at-zero
    for (int i = 0; i < b * C; i++)
        if (!(fabs(wk->a[i] - 0.1) < 1e-12))
            chapter_wrong(ch, "with all weights zero every probability is 1/10, but softmax() "
                              "gave %g at row %d, column %d", wk->a[i], i / C, i % C);
    if (!(fabs(loss - log(10.0)) < 1e-12))
        chapter_wrong(ch, "with all weights zero the loss is ln 10 = %.6f, cross_entropy() gave "
                          "%.6f", log(10.0), loss);
    int count[MNIST_CLASSES] = {0}, hi = 0, lo = 0;
    for (int i = 0; i < b; i++) count[tr->labels[i]]++;
    for (int k = 0; k < C; k++)
        if (!(fabs(wk->gb[k] - (0.1 * b - count[k])) < 1e-9))
            chapter_wrong(ch, "with all weights zero the bias gradient of digit %d is 0.1 x %d - "
                              "%d = %g (one tenth per image, less 1 per %d), softmax_gradient() "
                              "gave %g", k, b, count[k], 0.1 * b - count[k], k, wk->gb[k]);
    // One step down that gradient from zero: each bias becomes -rate x its gradient.
    double step[MNIST_CLASSES] = {0}, rate = run->cfg.learning_rate;
    sgd_step(step, wk->gb, rate, C);
    for (int k = 0; k < C; k++)
        if (!(fabs(step[k] + rate * wk->gb[k]) <= 1e-12 * fabs(rate * wk->gb[k])))
            chapter_wrong(ch, "one step of rate %g down the gradient takes the bias of digit %d "
                              "from 0 to -%g x (%g) = %g, sgd_step() gave %g", rate, k, rate,
                          wk->gb[k], -rate * wk->gb[k], step[k]);
    printf("      every probability is 1/10 and the loss is ln 10 = %.4f\n", loss);
    printf("      the gradient of the bias on the first %d images is 0.1 x %d less the count of "
           "each digit:\n      ", b, b);
    for (int k = 0; k < C; k++) printf("%d: %+.1f%s", k, wk->gb[k], k < C - 1 ? "  " : "\n");
    for (int k = 1; k < C; k++)
        hi = count[k] > count[hi] ? k : hi, lo = count[k] < count[lo] ? k : lo;
    values_set(&ch->values, "zero_loss", "%.4f", loss);
    values_set(&ch->values, "zero_batch", "%d", b);
    chapter_put(ch, "zero_common", "digit", "%d", hi);
    chapter_put(ch, "zero_common", "count", "%d", count[hi]);
    chapter_put(ch, "zero_common", "gb", "%+.1f", wk->gb[hi]);
    chapter_put(ch, "zero_rare", "digit", "%d", lo);
    chapter_put(ch, "zero_rare", "count", "%d", count[lo]);
    chapter_put(ch, "zero_rare", "gb", "%+.1f", wk->gb[lo]);
}

// ---------------------------------------------------------------------------
// Steps 4 and 6: training, with early stopping

// Epoch `epoch`'s row of metrics: the mean loss and the accuracy on the
// training and the validation split.
static void measure(double row[5], int epoch, const Mnist *data, Run *run) {
    row[0] = epoch;
    evaluate(&row[1], &row[3], &data->train, &run->m, &run->ev);
    evaluate(&row[2], &row[4], &data->val, &run->m, &run->ev);
}

// The model now is the best so far: keep its weights and its numbers.
static void keep(Model *best, Result *res, const Model *m, const double row[5]) {
    model_copy(best, m);
    res->best_epoch = (int)row[0], res->best_val_loss = row[2], res->best_val_acc = row[4];
    res->best_train_loss = row[1], res->best_train_acc = row[3];
}

static int train(Run *run, const Mnist *data, const Plan *plan, Model *best, Result *res,
                 Error *err) {
    const Split *tr = &data->train;
    Model m = run->m;
    Work wk = run->wk;
    int dim = tr->dim, C = MNIST_CLASSES, B = plan->batch, bad = 0, rc = 0;
    double t0 = wall_time(), row[5];
    *res = (Result){0};
    res->val_loss = error_calloc(err, (size_t)plan->epochs + 1, sizeof(double), "the history");
    Metrics mt;
    if (!res->val_loss ||
        metrics_open(&mt, chapter_file(&run->ch, plan->tsv), METRICS_COLUMNS, err) != 0)
        return -1;
    memset(m.w, 0, sizeof(double) * (size_t)dim * C), memset(m.b, 0, sizeof(double) * C);
    measure(row, 0, data, run);  // epoch 0: w = 0, the study's starting point
    metrics_row(&mt, row), keep(best, res, &m, row);
    res->val_loss[0] = row[2], res->start_val_acc = row[4];
    Rng rng;
    rng_seed(&rng, run->ch.opt.seed);
    for (int epoch = 1; epoch <= plan->epochs && rc == 0; epoch++) {
        //> sgd-epoch
        shuffle_indices(run->order, tr->n, rng_next(&rng));  // a new order every epoch
        for (int start = 0; start < tr->n; start += B) {
            int b = tr->n - start < B ? tr->n - start : B;
            split_batch(wk.x, wk.t, tr, run->order + start, b);
            logits(wk.a, wk.x, m.w, m.b, b, dim, C);
            softmax(wk.a, wk.a, b, C);
            softmax_gradient(wk.gw, wk.gb, wk.da, wk.x, wk.a, wk.t, b, dim, C);
            double rate = plan->reduce == GRAD_SUM ? plan->rate : plan->rate / b;
            sgd_step(m.w, wk.gw, rate, dim * C);
            sgd_step(m.b, wk.gb, rate, C);
        }
        //< sgd-epoch
        measure(row, epoch, data, run);
        metrics_row(&mt, row);
        res->stop_epoch = epoch, res->val_loss[epoch] = row[2];
        progress("%s: epoch %d/%d  loss %.4f (validation %.4f)  accuracy %.2f%% (%.2f%%)",
                 plan->label, epoch, plan->epochs, row[1], row[2], row[3], row[4]);
        if (!isfinite(row[1]) || !isfinite(row[2]))
            rc = error_set(err, "%s, epoch %d: the loss became %g: check softmax() and "
                           "softmax_gradient() with `make check-ch2`", plan->label, epoch, row[2]);
        //> early-stop
        if (row[2] < res->best_val_loss) {  // a new best: keep these weights
            keep(best, res, &m, row);
            bad = 0;
        } else {
            bad++;  // one more epoch without a new best
        }
        if (plan->early_stop && bad >= plan->patience) {
            res->stopped_early = true;
            break;
        }
        //< early-stop
    }
    progress_done();
    if (rc != 0) return metrics_abort(&mt), -1;
    //> test
    evaluate(&res->test_loss, &res->test_acc, &data->test, best, &run->ev);
    //< test
    res->seconds = wall_time() - t0;
    return metrics_close(&mt, err);
}

// ---------------------------------------------------------------------------
// Step 6: the gradient averaged over the batch instead of summed

// Averaging divides each step by the batch size: at the same rate the steps
// are `batch` times shorter, and for as many epochs as the summed run
// needed, it gets much less far. Averaging with the rate multiplied by the
// batch size is the study's summed step again, as long as every batch is full
// (48,000 = 375 x 128): a last, smaller batch would get a longer step.
static int averaged(Run *run, const Mnist *data, const Result *summed, Model *other,
                    Result *mean, Result *scaled, Error *err) {
    const Config *c = &run->cfg;
    Plan p = {.tsv = "metrics_mean.tsv", .label = "averaged", .rate = c->learning_rate,
              .reduce = GRAD_MEAN, .batch = c->batch_size, .epochs = summed->stop_epoch,
              .early_stop = false, .patience = c->early_stop_epoch};
    if (train(run, data, &p, other, mean, err) != 0) return -1;
    printf("      averaged, rate %g, %d epochs:\n", p.rate, p.epochs);
    result_print(mean, "        ");
    result_values(&run->ch, "mean_", mean);
    values_set(&run->ch.values, "mean_final_val_loss", "%.4f", mean->val_loss[mean->stop_epoch]);
    chapter_claim(&run->ch, "claim_mean_worse",
                  mean->val_loss[mean->stop_epoch] > summed->val_loss[1]);

    p.tsv = "metrics_mean_scaled.tsv", p.label = "averaged, rate x batch";
    p.rate = c->learning_rate * c->batch_size, p.epochs = c->epochs, p.early_stop = c->early_stop;
    if (train(run, data, &p, other, scaled, err) != 0) return -1;
    double diff = 0.0;
    int common = scaled->stop_epoch < summed->stop_epoch ? scaled->stop_epoch : summed->stop_epoch;
    for (int e = 0; e <= common; e++)
        diff = fmax(diff, fabs(scaled->val_loss[e] - summed->val_loss[e]));
    printf("      averaged, rate %g x %d = %g:\n", c->learning_rate, c->batch_size, p.rate);
    result_print(scaled, "        ");
    printf("        its validation loss differs from the summed run's by at most %.3g", diff);
    int last = data->train.n % c->batch_size;
    if (last)
        printf(" (the last batch of each epoch has %d images, and a step %.3g times the summed "
               "run's)", last, (double)c->batch_size / last);
    printf("\n");
    result_values(&run->ch, "scaled_", scaled);
    values_set(&run->ch.values, "scaled_rate", "%g", p.rate);
    values_set(&run->ch.values, "scaled_max_diff", "%.3g", diff);
    chapter_claim(&run->ch, "claim_scaled_same",
                  diff == 0 && scaled->stop_epoch == summed->stop_epoch);
    return 0;
}

// ---------------------------------------------------------------------------

// Steps 4 and 5: the study's run, and its kept weights on the test images.
static int summed(Run *run, const Mnist *data, Model *best, Result *r, Error *err) {
    const Config *c = &run->cfg;
    Plan plan = {.tsv = "metrics.tsv", .label = "summed", .rate = c->learning_rate,
                 .reduce = GRAD_SUM, .batch = c->batch_size, .epochs = c->epochs,
                 .early_stop = c->early_stop, .patience = c->early_stop_epoch};
    if (train(run, data, &plan, best, r, err) != 0) return -1;
    printf("      %d epochs in %.1f s, %.0f ms each (%s products)\n", r->stop_epoch, r->seconds,
           1000 * r->seconds / r->stop_epoch, matmul_backend());
    chapter_step(&run->ch, 5, "test: the kept weights on the 10,000 test images");
    result_print(r, "      ");
    Values *v = &run->ch.values;
    result_values(&run->ch, "", r);
    values_set(v, "epoch_s", "%.3f", r->seconds / r->stop_epoch);
    values_set(v, "val_loss_epoch1", "%.4f", r->val_loss[1]);
    // the first epoch: most of the way from ln 10 down to the best loss
    chapter_claim(&run->ch, "claim_first_epoch",
                  log(10.0) - r->val_loss[1] > 0.8 * (log(10.0) - r->best_val_loss));
    // at the kept weights: the two splits' losses within 5% of each other
    chapter_claim(&run->ch, "claim_no_overfit",
                  fabs(r->best_train_loss - r->best_val_loss) < 0.05 * r->best_val_loss);
    values_set(v, "zero_val_acc", "%.2f", r->start_val_acc);
    // The loss as a sum over the examples (one reading of the study's E):
    // the training split is 4 times the validation split, and so is its sum.
    values_set(v, "best_train_loss_sum", "%.0f", r->best_train_loss * data->train.n);
    values_set(v, "best_val_loss_sum", "%.0f", r->best_val_loss * data->val.n);
    values_set(v, "split_ratio", "%.0f", (double)data->train.n / data->val.n);
    return 0;
}

static int load(Run *run, Mnist *data, Error *err) {
    if (chapter_load(&run->ch, data, err) != 0) return -1;
    const Split *tr = &data->train;
    printf("      %d training, %d validation and %d test images of %d pixels (seed %llu)\n", tr->n,
           data->val.n, data->test.n, tr->dim, (unsigned long long)run->ch.opt.seed);
    Values *v = &run->ch.values;
    values_set(v, "n_train", "%d", tr->n);
    values_set(v, "n_val", "%d", data->val.n);
    values_set(v, "n_test", "%d", data->test.n);
    int B = run->cfg.batch_size;
    values_set(v, "batches_per_epoch", "%d", (tr->n + B - 1) / B);
    if (chapter_check_config(&run->ch, &run->cfg, run->config_path, data, err) != 0) return -1;
    int rows = B < 128 ? 128 : B;  // check_at_zero takes 128
    run->order = error_calloc(err, (size_t)tr->n, sizeof(int), "the shuffle");
    return !run->order || model_alloc(&run->m, tr->dim, MNIST_CLASSES, err) != 0 ||
           work_alloc(&run->wk, rows, tr->dim, MNIST_CLASSES, err) != 0 ||
           work_alloc(&run->ev, EVAL_ROWS, tr->dim, MNIST_CLASSES, err) != 0 ? -1 : 0;
}

int main(int argc, char **argv) {
    Run run = {.ch = {.number = 2, .title = "softmax regression", .steps = STEPS,
                      .reads_config = true}};
    int status;
    if (!chapter_begin(&run.ch, argc, argv, &status)) return status;
    Error err = {{0}};
    Mnist data = {0};
    Model best = {0}, other = {0};
    Result main_run = {0}, mean_run = {0}, scaled_run = {0};
    int rc = read_config(&run, &err);
    if (rc == 0) rc = load(&run, &data, &err);
    if (rc == 0) rc = model_alloc(&best, data.train.dim, MNIST_CLASSES, &err) != 0 ||
                      model_alloc(&other, data.train.dim, MNIST_CLASSES, &err) != 0 ? -1 : 0;
    if (rc == 0) {
        chapter_step(&run.ch, 3, "the untrained model: all weights zero, as the study's "
                                 "Algorithm 1 starts");
        check_at_zero(&run, &data.train);
        chapter_step(&run.ch, 4, "train: minibatch SGD, the gradient summed over each batch "
                                 "(the study)");
        rc = summed(&run, &data, &best, &main_run, &err);
    }
    if (rc == 0) {
        chapter_step(&run.ch, 6, "again with the gradient averaged over each batch: the same "
                                 "rate, then the rate times the batch size");
        rc = averaged(&run, &data, &main_run, &other, &mean_run, &scaled_run, &err);
    }
    if (rc == 0) {
        chapter_step(&run.ch, 7, "draw the curves and the weights");
        rc = draw_figures(&run.ch, &run.cfg, &best, &main_run, &err);
    }
    if (rc == 0)
        rc = chapter_plot_text(&run.ch, "curves", "tsv='metrics.tsv'; from=1",
                               "the loss, epoch by epoch from epoch 1 (training and validation)",
                               &err);
    model_free(&run.m), work_free(&run.wk), work_free(&run.ev), free(run.order);
    model_free(&best), model_free(&other);
    free(main_run.val_loss), free(mean_run.val_loss), free(scaled_run.val_loss);
    mnist_free(&data);
    return chapter_end(&run.ch, rc, &err);
}
