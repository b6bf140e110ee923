// main.c: chapter 2, softmax regression. Trains the study's single-layer
// network (784 pixels and a bias, straight to 10 digits) with minibatch SGD on
// your exercises (ch2.h), as chapters/02-softmax/softmax.yaml says; then trains
// it twice more with the gradient averaged over the batch instead of summed,
// to show what the sum does to the learning rate. It leaves the per-epoch
// metrics, the figures and the numbers the book quotes in the run folder.
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
#include "output.h"
#include "plot.h"
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
} Run;

// The model: one weight per pixel and digit, one bias per digit.
typedef struct {
    int dim, classes;
    double *w;  // [dim, classes]
    double *b;  // [classes]
} Model;

// The buffers of one batch, allocated once for the largest batch.
typedef struct {
    int rows;
    double *x, *t, *a, *da, *gw, *gb;  // [rows, dim], [rows, 10] x 3, [dim, 10], [10]
} Work;

// One training run: how it steps and when it stops.
typedef enum { GRAD_SUM, GRAD_MEAN } Reduction;
typedef struct {
    const char *tsv;    // its metrics, in the run folder
    const char *label;  // for the progress line
    double rate;
    Reduction reduce;   // the gradient summed over the batch (the study) or averaged
    int batch, epochs;
    bool early_stop;
    int patience;
} Plan;

typedef struct {
    int stop_epoch;     // the last epoch trained
    int best_epoch;     // the epoch whose weights are kept (0: the zero weights)
    bool stopped_early;
    double best_val_loss, best_val_acc, best_train_loss, best_train_acc;
    double test_loss, test_acc;
    double start_val_acc;  // of the untrained model
    double seconds;     // training and evaluation, not loading
    double *val_loss;   // [epochs + 1], by epoch, from 0
} Result;

static int model_alloc(Model *m, int dim, int classes, Error *err) {
    m->dim = dim, m->classes = classes;
    m->w = error_calloc(err, (size_t)dim * classes, sizeof(double), "the weights");
    m->b = error_calloc(err, (size_t)classes, sizeof(double), "the biases");
    return m->w && m->b ? 0 : -1;
}

static void model_free(Model *m) { free(m->w), free(m->b); }

static void model_copy(Model *to, const Model *from) {
    memcpy(to->w, from->w, sizeof(double) * (size_t)from->dim * from->classes);
    memcpy(to->b, from->b, sizeof(double) * (size_t)from->classes);
}

static int work_alloc(Work *wk, int rows, int dim, int classes, Error *err) {
    wk->rows = rows;
    wk->x = error_calloc(err, (size_t)rows * dim, sizeof(double), "a batch of images");
    wk->t = error_calloc(err, (size_t)rows * classes, sizeof(double), "a batch of targets");
    wk->a = error_calloc(err, (size_t)rows * classes, sizeof(double), "a batch of outputs");
    wk->da = error_calloc(err, (size_t)rows * classes, sizeof(double), "a batch of deltas");
    wk->gw = error_calloc(err, (size_t)dim * classes, sizeof(double), "the gradient");
    wk->gb = error_calloc(err, (size_t)classes, sizeof(double), "the gradient");
    return wk->x && wk->t && wk->a && wk->da && wk->gw && wk->gb ? 0 : -1;
}

static void work_free(Work *wk) {
    free(wk->x), free(wk->t), free(wk->a), free(wk->da), free(wk->gw), free(wk->gb);
}

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

static void check_at_zero(Run *run, const Split *tr, Work *wk) {
    Chapter *ch = &run->ch;
    chapter_step(ch, 3, "the untrained model: all weights zero, as the study's Algorithm 1 starts");
    enum { B = 128 };
    int C = MNIST_CLASSES, dim = tr->dim, b = tr->n < B ? tr->n : B;
    Model zero = {.dim = dim, .classes = C};
    double *w = calloc((size_t)dim * C, sizeof(double)), bias[MNIST_CLASSES] = {0};
    if (!w) chapter_wrong(ch, "out of memory");
    zero.w = w, zero.b = bias;
    //> at-zero
    split_range(wk->x, wk->t, tr, 0, b);
    logits(wk->a, wk->x, zero.w, zero.b, b, dim, C);
    softmax(wk->a, wk->a, b, C);
    double loss = cross_entropy(wk->a, wk->t, b, C);
    softmax_gradient(wk->gw, wk->gb, wk->da, wk->x, wk->a, wk->t, b, dim, C);
    //< at-zero
    free(w);
    for (int i = 0; i < b * C; i++)
        if (!(fabs(wk->a[i] - 0.1) < 1e-12))
            chapter_wrong(ch, "with all weights zero every probability is 1/10, but softmax() "
                              "gave %g at row %d, column %d", wk->a[i], i / C, i % C);
    if (!(fabs(loss - log(10.0)) < 1e-12))
        chapter_wrong(ch, "with all weights zero the loss is ln 10 = %.6f, cross_entropy() gave "
                          "%.6f", log(10.0), loss);
    int count[MNIST_CLASSES] = {0};
    for (int i = 0; i < b; i++) count[tr->labels[i]]++;
    for (int k = 0; k < C; k++)
        if (!(fabs(wk->gb[k] - (0.1 * b - count[k])) < 1e-9))
            chapter_wrong(ch, "with all weights zero the bias gradient of digit %d is 0.1 x %d - "
                              "%d = %g (one tenth per image, less 1 per %d), softmax_gradient() "
                              "gave %g", k, b, count[k], 0.1 * b - count[k], k, wk->gb[k]);
    printf("      every probability is 1/10 and the loss is ln 10 = %.4f\n", loss);
    printf("      the gradient of the bias on the first %d images is 0.1 x %d less the count of "
           "each digit:\n      ", b, b);
    for (int k = 0; k < C; k++) printf("%d: %+.1f%s", k, wk->gb[k], k < C - 1 ? "  " : "\n");
    values_set(&run->ch.values, "zero_loss", "%.4f", loss);
    values_set(&run->ch.values, "zero_batch", "%d", b);
    int hi = 0, lo = 0;
    for (int k = 1; k < C; k++) {
        if (count[k] > count[hi]) hi = k;
        if (count[k] < count[lo]) lo = k;
    }
    values_set(&run->ch.values, "zero_common_digit", "%d", hi);
    values_set(&run->ch.values, "zero_common_count", "%d", count[hi]);
    values_set(&run->ch.values, "zero_common_gb", "%+.1f", wk->gb[hi]);
    values_set(&run->ch.values, "zero_rare_digit", "%d", lo);
    values_set(&run->ch.values, "zero_rare_count", "%d", count[lo]);
    values_set(&run->ch.values, "zero_rare_gb", "%+.1f", wk->gb[lo]);
}

// ---------------------------------------------------------------------------
// Steps 4 and 6: training, with early stopping

static int train(Run *run, const Mnist *data, const Plan *plan, Model *best, Result *res,
                 Error *err) {
    const Split *tr = &data->train, *val = &data->val;
    int dim = tr->dim, C = MNIST_CLASSES, B = plan->batch;
    double t0 = wall_time();
    memset(res, 0, sizeof *res);
    Model m = {0};
    Work wk = {0}, ev = {0};
    Metrics mt;
    int *order = error_calloc(err, (size_t)tr->n, sizeof(int), "the shuffle");
    res->val_loss = error_calloc(err, (size_t)plan->epochs + 1, sizeof(double), "the history");
    if (!order || !res->val_loss || model_alloc(&m, dim, C, err) != 0 ||
        work_alloc(&wk, B, dim, C, err) != 0 || work_alloc(&ev, EVAL_ROWS, dim, C, err) != 0 ||
        metrics_open(&mt, chapter_file(&run->ch, plan->tsv), METRICS_COLUMNS, err) != 0) {
        free(order), model_free(&m), work_free(&wk), work_free(&ev);
        return -1;
    }
    // Epoch 0 is the untrained model: w = 0, the study's starting point.
    double row[5] = {0};
    evaluate(&row[1], &row[3], tr, &m, &ev);
    evaluate(&row[2], &row[4], val, &m, &ev);
    metrics_row(&mt, row);
    model_copy(best, &m);
    res->best_val_loss = row[2], res->best_val_acc = row[4];
    res->best_train_loss = row[1], res->best_train_acc = row[3];
    res->val_loss[0] = row[2], res->start_val_acc = row[4];
    Rng rng;
    rng_seed(&rng, run->ch.opt.seed);
    int bad = 0, rc = 0;
    for (int epoch = 1; epoch <= plan->epochs; epoch++) {
        //> sgd-epoch
        shuffle_indices(order, tr->n, rng_next(&rng));  // a new order every epoch
        for (int start = 0; start < tr->n; start += B) {
            int b = tr->n - start < B ? tr->n - start : B;
            split_batch(wk.x, wk.t, tr, order + start, b);
            logits(wk.a, wk.x, m.w, m.b, b, dim, C);
            softmax(wk.a, wk.a, b, C);
            softmax_gradient(wk.gw, wk.gb, wk.da, wk.x, wk.a, wk.t, b, dim, C);
            double rate = plan->reduce == GRAD_SUM ? plan->rate : plan->rate / b;
            sgd_step(m.w, wk.gw, rate, dim * C);
            sgd_step(m.b, wk.gb, rate, C);
        }
        //< sgd-epoch
        row[0] = epoch;
        evaluate(&row[1], &row[3], tr, &m, &ev);
        evaluate(&row[2], &row[4], val, &m, &ev);
        metrics_row(&mt, row);
        res->stop_epoch = epoch;
        res->val_loss[epoch] = row[2];
        progress("%s: epoch %d/%d  loss %.4f (validation %.4f)  accuracy %.2f%% (%.2f%%)",
                 plan->label, epoch, plan->epochs, row[1], row[2], row[3], row[4]);
        if (!isfinite(row[1]) || !isfinite(row[2])) {
            rc = error_set(err, "%s, epoch %d: the loss became %g: check softmax() and "
                                "softmax_gradient() with `make check-ch2`",
                           plan->label, epoch, row[2]);
            break;
        }
        //> early-stop
        if (row[2] < res->best_val_loss) {  // a new best: keep these weights
            model_copy(best, &m);
            res->best_epoch = epoch, res->best_val_loss = row[2], res->best_val_acc = row[4];
            res->best_train_loss = row[1], res->best_train_acc = row[3];
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
    if (rc == 0) rc = metrics_close(&mt, err);
    else metrics_abort(&mt);
    if (rc == 0) {
        //> test
        evaluate(&res->test_loss, &res->test_acc, &data->test, best, &ev);
        //< test
    }
    res->seconds = wall_time() - t0;
    free(order), model_free(&m), work_free(&wk), work_free(&ev);
    return rc;
}

static void report(const Result *r, const char *indent) {
    printf("%s%s %d; the best validation loss, %.4f, was epoch %d's\n", indent,
           r->stopped_early ? "stopped early after epoch" : "trained to the last epoch,",
           r->stop_epoch, r->best_val_loss, r->best_epoch);
    printf("%sthere: training accuracy %.2f%%, validation %.2f%%; with those weights, test "
           "accuracy %.2f%%\n", indent, r->best_train_acc, r->best_val_acc, r->test_acc);
}

// ---------------------------------------------------------------------------
// Step 7: pictures

static int draw(Run *run, const Model *best, const Result *r, Error *err) {
    chapter_step(&run->ch, 7, "draw the curves and the weights");
    char vars[512];
    snprintf(vars, sizeof vars, "tsv='metrics.tsv'; from=1; best=%d; "
             "title='Softmax regression, the study''s summed gradient (rate %g, batch %d)'",
             r->best_epoch, run->cfg.learning_rate, run->cfg.batch_size);
    const char *figs = run->ch.opt.figures_dir, *out = run->ch.opt.out_dir;
    int rc = plot_render_with(figs, "curves", "curves", out, vars, err);
    snprintf(vars, sizeof vars, "rate=%g; batch=%d", run->cfg.learning_rate,
             run->cfg.batch_size);
    if (rc == 0)
        rc = plot_render_with(figs, "ch2-batch", "ch2-batch", out, vars, err);
    // The weights of each digit, as an image: where ink raises that digit's score.
    int dim = best->dim, C = best->classes, side = (int)lround(sqrt(dim));
    double *img = malloc(sizeof(double) * (size_t)dim * C);
    if (!img) return error_set(err, "out of memory for the weight images");
    const char *caps[MNIST_CLASSES];
    char text[MNIST_CLASSES][12];
    double biggest = 0.0;
    for (int k = 0; k < C; k++) {
        for (int p = 0; p < dim; p++) {
            img[(size_t)k * dim + p] = best->w[(size_t)p * C + k];
            biggest = fmax(biggest, fabs(best->w[(size_t)p * C + k]));
        }
        snprintf(text[k], sizeof text[k], "%d", k);
        caps[k] = text[k];
    }
    char lpath[4096];
    snprintf(lpath, sizeof lpath, "%s/weights_labels.tsv", run->ch.opt.out_dir);
    if (rc == 0 && side * side == dim)
        rc = plot_write_grid(chapter_file(&run->ch, "weights.dat"), lpath, img, C, side, side, 5,
                             caps, err);
    free(img);
    snprintf(vars, sizeof vars, "wmax=%.6g", biggest);
    if (rc == 0 && side * side == dim)
        rc = plot_render_with(figs, "ch2-weights", "ch2-weights", out, vars, err);
    if (rc == 0) printf("      %s/curves.svg, ch2-batch.svg, ch2-weights.svg (and .pdf)\n", out);
    values_set(&run->ch.values, "weight_max", "%.3f", biggest);
    return rc;
}

static void result_values(Run *run, const char *prefix, const Result *r) {
    char key[48];
#define PUT(name, fmt, v) \
    (snprintf(key, sizeof key, "%s%s", prefix, name), values_set(&run->ch.values, key, fmt, v))
    PUT("stop_epoch", "%d", r->stop_epoch);
    PUT("best_epoch", "%d", r->best_epoch);
    PUT("stopped_early", "%s", r->stopped_early ? "yes" : "no");
    PUT("best_val_loss", "%.4f", r->best_val_loss);
    PUT("best_val_acc", "%.2f", r->best_val_acc);
    PUT("best_train_loss", "%.4f", r->best_train_loss);
    PUT("best_train_acc", "%.2f", r->best_train_acc);
    PUT("test_loss", "%.4f", r->test_loss);
    PUT("test_acc", "%.2f", r->test_acc);
    PUT("train_s", "%.1f", r->seconds);
#undef PUT
}

int main(int argc, char **argv) {
    Run run = {.ch = {.number = 2, .title = "softmax regression", .steps = STEPS}};
    int status;
    if (!chapter_begin(&run.ch, argc, argv, &status)) return status;
    Error err = {{0}};
    if (read_config(&run, &err) != 0) return chapter_end(&run.ch, -1, &err);
    const Config *c = &run.cfg;

    Mnist data = {0};
    if (chapter_load(&run.ch, &data, &err) != 0) return chapter_end(&run.ch, -1, &err);
    printf("      %d training, %d validation and %d test images of %d pixels (seed %llu)\n",
           data.train.n, data.val.n, data.test.n, data.train.dim,
           (unsigned long long)run.ch.opt.seed);
    Values *v = &run.ch.values;
    values_set(v, "n_train", "%d", data.train.n);
    values_set(v, "n_val", "%d", data.val.n);
    values_set(v, "n_test", "%d", data.test.n);
    values_set(v, "batches_per_epoch", "%d", (data.train.n + c->batch_size - 1) / c->batch_size);
    if (chapter_check_config(&run.ch, c, run.config_path, &data, &err) != 0) {
        mnist_free(&data);
        return chapter_end(&run.ch, -1, &err);
    }

    int rc = 0, dim = data.train.dim, C = MNIST_CLASSES;
    Work wk = {0};
    Model best = {0}, other = {0};
    Result main_run = {0}, mean_run = {0}, scaled_run = {0};
    if (work_alloc(&wk, c->batch_size < 128 ? 128 : c->batch_size, dim, C, &err) != 0 ||
        model_alloc(&best, dim, C, &err) != 0 || model_alloc(&other, dim, C, &err) != 0)
        rc = -1;
    if (rc == 0) check_at_zero(&run, &data.train, &wk);

    if (rc == 0) {
        chapter_step(&run.ch, 4, "train: minibatch SGD, the gradient summed over each batch (the "
                                 "study)");
        Plan plan = {.tsv = "metrics.tsv", .label = "summed", .rate = c->learning_rate,
                     .reduce = GRAD_SUM, .batch = c->batch_size, .epochs = c->epochs,
                     .early_stop = c->early_stop, .patience = c->early_stop_epoch};
        rc = train(&run, &data, &plan, &best, &main_run, &err);
        if (rc == 0) {
            int epochs = main_run.stop_epoch;
            printf("      %d epochs in %.1f s, %.0f ms each (%s products)\n", epochs,
                   main_run.seconds, 1000 * main_run.seconds / epochs, matmul_backend());
            values_set(v, "epoch_s", "%.3f", main_run.seconds / epochs);
        }
    }
    if (rc == 0) {
        chapter_step(&run.ch, 5, "test: the kept weights on the 10,000 test images");
        report(&main_run, "      ");
        result_values(&run, "", &main_run);
        values_set(v, "val_loss_epoch1", "%.4f", main_run.val_loss[1]);
        values_set(v, "zero_val_acc", "%.2f", main_run.start_val_acc);
        // The loss as a sum over the examples (one reading of the study's E):
        // the training split is 4 times the validation split, and so is its sum.
        values_set(v, "best_train_loss_sum", "%.0f",
                   main_run.best_train_loss * data.train.n);
        values_set(v, "best_val_loss_sum", "%.0f",
                   main_run.best_val_loss * data.val.n);
        values_set(v, "split_ratio", "%.0f", (double)data.train.n / data.val.n);
    }

    if (rc == 0) {
        chapter_step(&run.ch, 6, "again with the gradient averaged over each batch: the same "
                                 "rate, then the rate times the batch size");
        // Averaging divides each step by the batch size: at the same rate the
        // steps are `batch` times shorter, and for as many epochs as the
        // summed run needed, it gets much less far.
        Plan mean = {.tsv = "metrics_mean.tsv", .label = "averaged", .rate = c->learning_rate,
                     .reduce = GRAD_MEAN, .batch = c->batch_size, .epochs = main_run.stop_epoch,
                     .early_stop = false, .patience = c->early_stop_epoch};
        rc = train(&run, &data, &mean, &other, &mean_run, &err);
        if (rc == 0) {
            printf("      averaged, rate %g, %d epochs:\n", mean.rate, mean.epochs);
            report(&mean_run, "        ");
            result_values(&run, "mean_", &mean_run);
            values_set(v, "mean_final_val_loss", "%.4f",
                       mean_run.val_loss[mean_run.stop_epoch]);
        }
        // Averaging with the rate multiplied by the batch size is the study's
        // summed step again, as long as every batch is full (48,000 = 375 x
        // 128): a last, smaller batch would get a longer step than in the sum.
        Plan scaled = mean;
        scaled.tsv = "metrics_mean_scaled.tsv", scaled.label = "averaged, rate x batch";
        scaled.rate = c->learning_rate * c->batch_size;
        scaled.epochs = c->epochs, scaled.early_stop = c->early_stop;
        if (rc == 0) rc = train(&run, &data, &scaled, &other, &scaled_run, &err);
        if (rc == 0) {
            double diff = 0.0;
            int common = scaled_run.stop_epoch < main_run.stop_epoch ? scaled_run.stop_epoch
                                                                     : main_run.stop_epoch;
            for (int e = 0; e <= common; e++)
                diff = fmax(diff, fabs(scaled_run.val_loss[e] - main_run.val_loss[e]));
            printf("      averaged, rate %g x %d = %g:\n", c->learning_rate, c->batch_size,
                   scaled.rate);
            report(&scaled_run, "        ");
            printf("        its validation loss differs from the summed run's by at most %.3g",
                   diff);
            int last = data.train.n % c->batch_size;
            if (last)
                printf(" (the last batch of each epoch has %d images, and a step %.3g times the "
                       "summed run's)", last, (double)c->batch_size / last);
            printf("\n");
            result_values(&run, "scaled_", &scaled_run);
            values_set(v, "scaled_rate", "%g", scaled.rate);
            values_set(v, "scaled_max_diff", "%.3g", diff);
        }
    }

    if (rc == 0) rc = draw(&run, &best, &main_run, &err);
    if (rc == 0 && !run.ch.opt.quiet) {
        printf("\nthe loss, epoch by epoch from epoch 1 (training and validation):\n");
        rc = plot_text_with(run.ch.opt.figures_dir, "curves", "curves", run.ch.opt.out_dir,
                            "tsv='metrics.tsv'; from=1", &err);
    }
    work_free(&wk), model_free(&best), model_free(&other);
    free(main_run.val_loss), free(mean_run.val_loss), free(scaled_run.val_loss);
    mnist_free(&data);
    return chapter_end(&run.ch, rc, &err);
}
