// main.c: chapter 7, the hardest digits. Trains the network of chapter 4
// (784-128-10, tanh, learning rate 0.001, batch 128, momentum 0.9, early
// stopping with patience 3: the study's section 4.2.4, as
// chapters/07-hardest/momentum-early-stop.yaml says) on your functions of
// chapters 2 to 4, once per seed, the runs side by side. Then it passes the
// 10,000 test images through each trained network and, with this chapter's
// exercises, gives each image its own loss, finds the sixteen with the
// highest (the study's Figure 8), counts which digits are taken for which,
// and asks whether the hardest digits are the same from one seed to the next.
// With --fast (the runs on the reference solutions) the training takes the
// library's fast path. It leaves the metrics, the figures, the tables and the
// numbers the book quotes in the run folder.
//
//   build/bin/ch7-solutions                  the book's run: four seeds
//   build/bin/ch7-solutions --config FILE    another network of the same kind, one seed
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ch1.h"
#include "ch2.h"
#include "ch3.h"
#include "ch4.h"
#include "ch7.h"
#include "network.h"
#include "chapter.h"
#include "config.h"
#include "dataset.h"
#include "jobs.h"
#include "metrics.h"
#include "output.h"
#include "plot.h"
#include "study.h"
#include "train.h"

enum {
    STEPS = 7,
    HARDEST = 16,          // the digits in the grid, as in the study's Figure 8
    GRID_COLS = 4,
    TOP_SHARE = 100,       // "the hardest hundred"
    PAIRS = 6,             // the most confused pairs in the table
    MAX_SEEDS = 100,       // --seeds at most
    CHECK_EXAMPLES = 256,  // the quick pass over every function before the long runs
    C = MNIST_CLASSES,
};

// The book's run trains with this many seeds (seed, seed + 1, ...): enough to
// see whether a digit is hard for every network or only for one. With two
// cores, four runs take the time of two.
static const int BOOK_SEEDS = 4;
static const char *const DEFAULT_CONFIG = "chapters/07-hardest/momentum-early-stop.yaml";

// A wrong answer counts as sure when the network gives it more than this.
static const double SURE_P = 0.9;

// The study ran this network's settings twice, and reported each time
// (lib/study.c): in section 4.2.4 (momentum and early stopping) and again in
// section 6.2.1 (the tanh run of its activation experiments).
static const char *const STUDY_S4 = "momentum-early-stop", *const STUDY_S6 = "tanh";

// What a run's process sends back (lib/jobs.h): this, then the test set's
// probabilities through the kept weights, [n_test, 10].
typedef struct {
    TrainResult res;
    double wall;           // seconds, from the first weight drawn to the probabilities
} Sent;

// One training run.
typedef struct {
    uint64_t seed;
    char tsv[96];          // its metrics, in the run folder
    TrainResult res;
    double wall;
    double *probs;         // [n_test, 10], in results
} Job;

typedef struct {
    Chapter ch;
    Config cfg;
    const char *config_path;
    char name[64];         // the config's base name: NAME.tsv, curves-NAME.svg
    int n_seeds, workers;
    Job jobs[MAX_SEEDS];
    char *results;         // [n_seeds, sizeof(Sent) + n_test * 10 doubles]
    const Mnist *data;
} Run;

// top_k's answer, before the program uses it: k distinct indices below n.
static void check_indices(const Run *run, const int *idx, int k, int n) {
    const Chapter *ch = &run->ch;
    unsigned char *seen = calloc((size_t)n, 1);
    if (!seen) chapter_wrong(ch, "out of memory");
    for (int j = 0; j < k; j++) {
        if (idx[j] < 0 || idx[j] >= n)
            chapter_wrong(ch, "top_k with n = %d and k = %d gave idx[%d] = %d, which is no index "
                              "of x", n, k, j, idx[j]);
        if (seen[idx[j]]++)
            chapter_wrong(ch, "top_k with n = %d and k = %d gave index %d twice (idx[%d])", n, k,
                          idx[j], j);
    }
    free(seen);
}

// The digit a row of probabilities says: the first largest, as count_correct().
static int answer(const double *y) {
    int best = 0;
    for (int k = 1; k < C; k++)
        if (y[k] > y[best]) best = k;
    return best;
}

// ---------------------------------------------------------------------------
// Step 1: the experiment

static int read_config(Run *run, Error *err) {
    Chapter *ch = &run->ch;
    chapter_step(ch, 1, "read the experiment");
    run->config_path = ch->opt.config ? ch->opt.config : DEFAULT_CONFIG;
    config_name(run->name, sizeof run->name, run->config_path);
    Config *c = &run->cfg;
    const char *path = run->config_path;
    if (config_load(c, path, err) != 0) return -1;
    cli_take_config_seed(&run->ch.opt, c->seed);
    if (c->n_layers < 3)
        return error_set(err, "%s: layer_specs: chapter 7 looks at a network with a hidden "
                              "layer, such as [784, 128, 10]; [784, 10] is chapter 2's", path);
    if (c->activation != ACT_TANH)
        return error_set(err, "%s: activation: chapter 7 trains chapter 4's network, with "
                              "chapter 3's tanh; %s is chapter 6's", path,
                         activation_name(c->activation));
    if (c->L1_penalty > 0 || c->L2_penalty > 0)
        return error_set(err, "%s: %s: chapter 7 trains chapter 4's network, without the "
                              "penalties of chapter 5 (0)", path,
                         c->L1_penalty > 0 ? "L1_penalty" : "L2_penalty");
    if (ch->opt.max_epochs > 0 && c->epochs > ch->opt.max_epochs)
        c->epochs = ch->opt.max_epochs;  // --max-epochs: a quick run
    run->n_seeds = ch->opt.seeds_given ? ch->opt.seeds : ch->opt.config ? 1 : BOOK_SEEDS;
    if (run->n_seeds > MAX_SEEDS) run->n_seeds = MAX_SEEDS;
    printf("      %s: layers [", path);
    for (int l = 0; l < c->n_layers; l++) printf(l ? ", %d" : "%d", c->layer_specs[l]);
    printf("], %s, rate %g, batch %d, at most %d epochs", activation_name(c->activation),
           c->learning_rate, c->batch_size, c->epochs);
    if (c->momentum) printf(", momentum %g", c->momentum_gamma);
    if (c->early_stop) printf(", early stopping (patience %d)", c->early_stop_epoch);
    printf("\n      %d seed%s, from %llu\n", run->n_seeds, run->n_seeds > 1 ? "s" : "",
           (unsigned long long)ch->opt.seed);
    Values *v = &ch->values;
    values_set(v, "learning_rate", "%g", c->learning_rate);
    values_set(v, "batch_size", "%d", c->batch_size);
    values_set(v, "hidden", "%d", c->layer_specs[1]);
    values_set(v, "max_epochs", "%d", c->epochs);
    values_set(v, "momentum", "%s", c->momentum ? "true" : "false");
    values_set(v, "gamma", "%g", c->momentum_gamma);
    values_set(v, "early_stop", "%s", c->early_stop ? "true" : "false");
    values_set(v, "patience", "%d", c->early_stop_epoch);
    values_set(v, "seed", "%llu", (unsigned long long)ch->opt.seed);
    values_set(v, "seeds", "%d", run->n_seeds);
    values_set(v, "last_seed", "%llu", (unsigned long long)(ch->opt.seed + run->n_seeds - 1));
    values_set(v, "hardest", "%d", HARDEST);
    return 0;
}

// The config against the data (chapter_check_config), and enough test
// images for the hardest sixteen.
static int check_against_data(const Run *run, const Mnist *data, Error *err) {
    if (chapter_check_config(&run->ch, &run->cfg, run->config_path, data, err) != 0) return -1;
    if (data->test.n < HARDEST)
        return error_set(err, "%s: %d test images, but the chapter shows the %d hardest: a "
                              "--limit of at least %d", MNIST_FILES[2], data->test.n, HARDEST,
                         HARDEST);
    return 0;
}

// ---------------------------------------------------------------------------
// Step 3: your functions on small cases, then every function at once

static void small_cases(Run *run) {
    Chapter *ch = &run->ch;
    // per_example_loss: three rows whose losses are ln 2, ln 4 and -ln(1e-15)
    // (a probability 0 is clipped), and their mean is cross_entropy()'s.
    const double y[9] = {0.5, 0.25, 0.25, 0.25, 0.5, 0.25, 0.0, 0.0, 1.0};
    const double t[9] = {1, 0, 0, 1, 0, 0, 0, 1, 0};
    const uint8_t labels[3] = {0, 0, 1};
    double loss[3];
    per_example_loss(loss, y, t, 3, 3);
    const double want[3] = {log(2.0), log(4.0), -log(1e-15)};
    for (int i = 0; i < 3; i++)
        if (!(fabs(loss[i] - want[i]) <= 1e-12 * want[i]))
            chapter_wrong(ch, "per_example_loss of the rows {0.5, 0.25, 0.25}, {0.25, 0.5, 0.25} "
                              "and {0, 0, 1} with the labels 0, 0, 1: row %d should lose %.6f, "
                              "got %.6f", i, want[i], loss[i]);
    printf("      per_example_loss: ln 2 = %.4f, ln 4 = %.4f and -ln(1e-15) = %.2f\n", loss[0],
           loss[1], loss[2]);
    // top_k: ties go to the lower index.
    const double x[8] = {0.3, 2.0, -1, 2.0, 0.7, 5.5, 0.7, 0.7};
    const int want_idx[5] = {5, 1, 3, 4, 6};
    int idx[5];
    top_k(idx, x, 8, 5);
    for (int j = 0; j < 5; j++)
        if (idx[j] != want_idx[j])
            chapter_wrong(ch, "top_k of {0.3, 2, -1, 2, 0.7, 5.5, 0.7, 0.7} with k = 5 should "
                              "give {5, 1, 3, 4, 6}, but idx[%d] = %d", j, idx[j]);
    printf("      top_k: the 5 largest of {0.3, 2, -1, 2, 0.7, 5.5, 0.7, 0.7} are at "
           "{5, 1, 3, 4, 6}\n");
    // confusion_matrix: the same three rows.
    int counts[9];
    confusion_matrix(counts, y, labels, 3, 3);
    const int want_counts[9] = {1, 1, 0, 0, 0, 1, 0, 0, 0};
    for (int c = 0; c < 9; c++)
        if (counts[c] != want_counts[c])
            chapter_wrong(ch, "confusion_matrix of the rows {0.5, 0.25, 0.25}, {0.25, 0.5, 0.25} "
                              "and {0, 0, 1} with the labels 0, 0, 1: label %d answered %d should "
                              "count %d, got %d", c / 3, c % 3, want_counts[c], counts[c]);
    printf("      confusion_matrix: label 0 answered 0 once and 1 once; label 1 answered 2 "
           "once\n");
    // Chapter 2's cross_entropy() is the mean of the same losses.
    double mean = (loss[0] + loss[1] + loss[2]) / 3, ce = cross_entropy(y, t, 3, 3);
    if (!(fabs(mean - ce) <= 1e-12 * ce))
        chapter_wrong(ch, "the mean of per_example_loss's three losses is %.10g, but "
                          "cross_entropy() of the same rows is %.10g: they must agree (run `make "
                          "check-ch2` too)", mean, ce);
    printf("      the mean of the three losses, %.4f, is your cross_entropy()'s\n", ce);
}

// Every function the long runs call, on a couple of hundred images: an
// unfinished exercise stops the program here, with its one line, before the
// runs start side by side.
static int quick_pass(Run *run, const Mnist *data, Error *err) {
    Chapter *ch = &run->ch;
    Mnist small = first_examples(data, CHECK_EXAMPLES);
    TrainOps ops = chapter4_ops();
    Config c = run->cfg;
    c.epochs = 2, c.batch_size = c.batch_size < 32 ? c.batch_size : 32;
    if (c.batch_size > small.train.n) c.batch_size = small.train.n;
    c.early_stop_epoch = 1;
    Net net;
    TrainResult res;
    if (net_from_config(&net, &c, err) != 0) return -1;
    net_init(&net, ch->opt.seed, 0);
    const char *tsv = chapter_file(ch, "check.tsv");
    bool quiet = progress_quiet;
    progress_quiet = true;
    int rc = train(&res, &net, &ops, &c, &small, ch->opt.seed, tsv, "check", err);
    progress_quiet = quiet;
    if (rc != 0) {
        Error why = *err;
        error_set(err, "a first pass over %d images: %s; run `make check-ch2`, `make check-ch3` "
                       "and `make check-ch4`", small.train.n, why.msg);
    }
    double *probs = rc == 0 ? error_calloc(err, (size_t)small.test.n * C, sizeof(double),
                                           "probabilities")
                            : NULL;
    if (rc == 0 && !probs) rc = -1;
    if (rc == 0) rc = net_predict(probs, &net, &ops, &small.test, err);
    if (rc == 0) {
        int right = count_correct(probs, small.test.labels, small.test.n, C);
        if (fabs(right - res.test_acc * small.test.n / 100.0) > 1.0 + 1e-6)
            chapter_wrong(ch, "the forward pass over %d test images got %d right (%.2f%%), but "
                              "the training loop measured %.2f%% with the same weights",
                          small.test.n, right, 100.0 * right / small.test.n, res.test_acc);
    }
    free(probs);
    unlink(tsv);
    net_free(&net);
    if (rc == 0) printf("      every function ran on %d images\n", small.train.n);
    return rc;
}

// ---------------------------------------------------------------------------
// Step 4: the runs, one process each, as many at once as there are cores

// One run, in its own process (lib/jobs.h): trains, then sends back what it
// found and the test set's probabilities through the kept weights.
static int run_one(void *result, int s, void *ctx, Error *err) {
    Run *run = ctx;
    const Job *job = &run->jobs[s];
    Sent *sent = result;
    double *probs = (double *)(sent + 1);
    double t0 = wall_time();
    TrainOps ops = chapter4_ops();
    char label[96];
    snprintf(label, sizeof label, "%s, seed %llu", run->name, (unsigned long long)job->seed);
    Net net;
    if (net_from_config(&net, &run->cfg, err) != 0) return -1;
    //> one-run
    net_init(&net, job->seed, 0);  // sd 0: 1/sqrt(fan_in), as in chapter 4
    // --fast: lib/fast.c's kernels train, one thread each when runs go side by
    // side; only the first seed's curves are drawn, so the others skip
    // measuring the whole training split after each epoch
    TrainOptions how = {.fast = run->ch.opt.fast, .threads = run->workers > 1 ? 1 : 0,
                        .skip_train_metrics = s > 0};
    int rc = train_with(&sent->res, &net, &ops, &run->cfg, run->data, job->seed,
                        chapter_file(&run->ch, job->tsv), label, &how, err);
    if (rc == 0) rc = net_predict(probs, &net, &ops, &run->data->test, err);
    //< one-run
    net_free(&net);
    sent->wall = wall_time() - t0;
    return rc;
}

// In the parent, as each run ends: its numbers, and one line.
static void run_done(const void *result, int s, void *ctx) {
    Run *run = ctx;
    const Sent *sent = result;
    Job *job = &run->jobs[s];
    job->res = sent->res, job->wall = sent->wall;
    const TrainResult *r = &job->res;
    progress_done();
    printf("      seed %-3llu %3d epochs, kept %3d: test accuracy %.2f%%  (%.0f s)\n",
           (unsigned long long)job->seed, r->epochs_run, r->kept_epoch, r->test_acc, job->wall);
    fflush(stdout);
}

static void seed_summary(Run *run) {
    double acc[MAX_SEEDS], ep[MAX_SEEDS], kept[MAX_SEEDS];
    int S = run->n_seeds;
    for (int s = 0; s < S; s++) {
        acc[s] = run->jobs[s].res.test_acc;
        ep[s] = run->jobs[s].res.epochs_run;
        kept[s] = run->jobs[s].res.kept_epoch;
    }
    Stats a = stats_of(acc, S), e = stats_of(ep, S);
    const StudyExperiment *s4 = study_find(STUDY_S4), *s6 = study_find(STUDY_S6);
    const Job *first = &run->jobs[0];
    const TrainResult *r = &first->res;
    Values *v = &run->ch.values;
    values_set(v, "test_acc", "%.2f", r->test_acc);
    values_set(v, "test_loss", "%.4f", r->test_loss);
    values_set(v, "val_acc", "%.2f", r->val_acc);
    values_set(v, "epochs", "%d", r->epochs_run);
    values_set(v, "kept", "%d", r->kept_epoch);
    values_set(v, "stopped_early", "%s", r->stopped_early ? "yes" : "no");
    values_set(v, "run_seconds", "%.0f", first->wall);
    values_set(v, "epoch_seconds", "%.2f", r->seconds / (r->epochs_run ? r->epochs_run : 1));
    values_set(v, "mean_acc", "%.2f", a.mean);
    values_set(v, "sd_acc", "%.2f", a.sd);
    values_set(v, "min_acc", "%.2f", a.min);
    values_set(v, "max_acc", "%.2f", a.max);
    values_set(v, "min_epochs", "%.0f", e.min);
    values_set(v, "max_epochs_run", "%.0f", e.max);
    values_set(v, "mean_epochs", "%.1f", e.mean);
    values_set(v, "mean_kept", "%.1f", stats_of(kept, S).mean);
    values_set(v, "study_acc", "%.2f", s4->acc);
    values_set(v, "study_epochs", "%d", s4->stop_epoch);
    values_set(v, "study_tanh_acc", "%.2f", s6->acc);
    values_set(v, "study_tanh_epochs", "%d", s6->stop_epoch);
    values_set(v, "study_gap", "%.2f", s6->acc - s4->acc);
    values_set(v, "gap", "%+.2f", r->test_acc - s4->acc);
    values_set(v, "mean_gap", "%+.2f", a.mean - s4->acc);
    values_set(v, "mean_gap_tanh", "%+.2f", a.mean - s6->acc);
    printf("      the study: %.2f%% after %d epochs (section %s), and %.2f%% after %d with the "
           "same settings (%s)\n", s4->acc, s4->stop_epoch, s4->section, s6->acc, s6->stop_epoch,
           s6->section);
    printf("      ours, seed %llu: %.2f%% (%d epochs, kept %d)", (unsigned long long)first->seed,
           r->test_acc, r->epochs_run, r->kept_epoch);
    if (S > 1)
        printf("; over %d seeds %.2f ± %.2f%% (%.2f to %.2f), %.0f to %.0f epochs", S, a.mean,
               a.sd, a.min, a.max, e.min, e.max);
    printf("\n");
}

// ---------------------------------------------------------------------------
// Step 5: the test set, one image at a time

typedef struct {
    int n;
    double *t;         // [n, 10] one-hot targets
    double *loss;      // [n] of the first seed's network
    int *order;        // [n] every test image, the highest loss first
    int hardest[HARDEST];
    int counts[C * C];
    int errors;
} Analysis;

//> per-image
// Each test image's own loss under the first seed's network, the sixteen
// with the highest, and what the network answered for every digit.
static void look_at_test_set(Analysis *a, const Split *test, const double *probs) {
    one_hot(a->t, test->labels, a->n, C);                  // chapter 1
    per_example_loss(a->loss, probs, a->t, a->n, C);       // loss[i] = -ln p(label of i)
    top_k(a->hardest, a->loss, a->n, HARDEST);             // the 16 highest, highest first
    top_k(a->order, a->loss, a->n, a->n);                  // all of them, in order
    confusion_matrix(a->counts, probs, test->labels, a->n, C);  // counts[true][answer]
}
//< per-image

static int hardest_table(Run *run, const Analysis *a, const Split *test, const double *probs,
                         const int *wrong_in, Error *err) {
    OutFile md;
    if (out_open(&md, chapter_file(&run->ch, "hardest.md"), err) != 0) return -1;
    int S = run->n_seeds;
    fprintf(md.f, "| rank | test image | label | answer | p(label) | p(answer) | loss |%s\n"
                  "|--:|--:|--:|--:|--:|--:|--:|%s\n",
            S > 1 ? " wrong in |" : "", S > 1 ? "--:|" : "");
    printf("      rank  image  label  answer  p(label)   p(answer)  loss%s\n",
           S > 1 ? "    wrong in" : "");
    for (int j = 0; j < HARDEST && j < a->n; j++) {
        int i = a->hardest[j];
        const double *y = probs + (size_t)i * C;
        int lab = test->labels[i], ans = answer(y);
        fprintf(md.f, "| %d | %d | %d | %d | %.2g | %.3f | %.2f |", j + 1, i, lab, ans, y[lab],
                y[ans], a->loss[i]);
        if (S > 1) fprintf(md.f, " %d of %d |", wrong_in[i], S);
        fprintf(md.f, "\n");
        printf("      %4d  %5d  %5d  %6d  %-9.2g  %9.3f  %5.2f", j + 1, i, lab, ans, y[lab],
               y[ans], a->loss[i]);
        if (S > 1) printf("    %d of %d", wrong_in[i], S);
        printf("\n");
    }
    fprintf(md.f, "\n: The %d test images with the highest loss under the network of seed "
                  "%llu, highest first. Test image: its place in the test file, counting from "
                  "0. Answer: the digit with the highest probability. p(label): the "
                  "probability the network gave the true digit, whose loss is $-\\ln$ of it.%s "
                  "{#tbl:ch7-hardest}\n",
            HARDEST, (unsigned long long)run->jobs[0].seed,
            S > 1 ? " Wrong in: how many of the runs, one per seed, answer it wrongly." : "");
    return out_commit(&md, err);
}

// The grid of the hardest digits: the pixels as they are in the file, and
// under each its label, the answer and the probability of the label.
static int hardest_grid(Run *run, const Analysis *a, const Split *test, const double *probs,
                        Error *err) {
    int dim = test->dim, n = a->n < HARDEST ? a->n : HARDEST;
    double *img = malloc(sizeof(double) * (size_t)dim * (n ? n : 1));
    if (!img) return error_set(err, "out of memory for the grid");
    char text[HARDEST][64];
    const char *caps[HARDEST];
    for (int j = 0; j < n; j++) {
        int i = a->hardest[j];
        const double *y = probs + (size_t)i * C;
        for (int p = 0; p < dim; p++) img[(size_t)j * dim + p] = test->pixels[(size_t)i * dim + p];
        int lab = test->labels[i], ans = answer(y);
        if (ans != lab)
            snprintf(text[j], sizeof text[j], "%d taken for %d\\np(%d) = %.2g", lab, ans, lab,
                     y[lab]);
        else
            snprintf(text[j], sizeof text[j], "%d, right\\np(%d) = %.2g", lab, lab, y[lab]);
        caps[j] = text[j];
    }
    char lpath[4200];
    snprintf(lpath, sizeof lpath, "%s/hardest_labels.tsv", run->ch.opt.out_dir);
    int rc = plot_write_grid(chapter_file(&run->ch, "hardest.dat"), lpath, img, n, test->rows,
                             test->cols, GRID_COLS, caps, err);
    free(img);
    return rc;
}

// The confusion matrix, for gnuplot, and the per-digit and pair tables.
static int confusion_outputs(Run *run, const Analysis *a, Error *err) {
    Chapter *ch = &run->ch;
    const int *cm = a->counts;
    Values *v = &ch->values;
    OutFile o;
    if (out_open(&o, chapter_file(ch, "confusion.tsv"), err) != 0) return -1;
    fprintf(o.f, "true\tanswer\tcount\n");
    for (int t = 0; t < C; t++) {
        for (int p = 0; p < C; p++) fprintf(o.f, "%d\t%d\t%d\n", t, p, cm[t * C + p]);
    }
    if (out_commit(&o, err) != 0) return -1;

    // Each digit: how many, how many right, and what it is most often taken for.
    if (out_open(&o, chapter_file(ch, "digits.md"), err) != 0) return -1;
    fprintf(o.f, "| digit | test images | right | accuracy | wrong | most often taken for |\n"
                 "|--:|--:|--:|--:|--:|:--|\n");
    int worst = 0, best = 0;
    double acc[C];
    for (int t = 0; t < C; t++) {
        int total = 0, often = -1;
        for (int p = 0; p < C; p++) {
            total += cm[t * C + p];
            if (p != t && (often < 0 || cm[t * C + p] > cm[t * C + often])) often = p;
        }
        int right = cm[t * C + t];
        acc[t] = total ? 100.0 * right / total : 0;
        if (acc[t] < acc[worst]) worst = t;
        if (acc[t] > acc[best]) best = t;
        char taken[32] = "–";
        if (cm[t * C + often] > 0) snprintf(taken, sizeof taken, "%d (%d times)", often,
                                            cm[t * C + often]);
        fprintf(o.f, "| %d | %d | %d | %.2f%% | %d | %s |\n", t, total, right, acc[t],
                total - right, taken);
        char key[32];
        snprintf(key, sizeof key, "digit%d_acc", t);
        values_set(v, key, "%.2f", acc[t]);
    }
    fprintf(o.f, "\n: Each digit of the test set under the network of seed %llu: how many "
                 "there are, how many the network gets right, and the wrong answer it gives "
                 "most often for it. {#tbl:ch7-digits}\n",
            (unsigned long long)run->jobs[0].seed);
    if (out_commit(&o, err) != 0) return -1;
    values_set(v, "worst_digit", "%d", worst);
    values_set(v, "worst_digit_acc", "%.2f", acc[worst]);
    values_set(v, "best_digit", "%d", best);
    values_set(v, "best_digit_acc", "%.2f", acc[best]);

    //> pairs
    // The mistakes, one way (a taken for b) and both ways ({a, b}): your
    // top_k on the off-diagonal counts, the diagonal set below any count.
    double one_way[C * C], both_ways[C * C];
    for (int t = 0; t < C; t++)
        for (int p = 0; p < C; p++) {
            one_way[t * C + p] = t == p ? -1 : cm[t * C + p];
            both_ways[t * C + p] = t < p ? cm[t * C + p] + cm[p * C + t] : -1;
        }
    int top_one[1], top_pairs[PAIRS];
    top_k(top_one, one_way, C * C, 1);
    top_k(top_pairs, both_ways, C * C, PAIRS);
    //< pairs
    check_indices(run, top_one, 1, C * C);
    check_indices(run, top_pairs, PAIRS, C * C);
    int wt = top_one[0] / C, wp = top_one[0] % C;
    values_set(v, "worst_true", "%d", wt);
    values_set(v, "worst_answer", "%d", wp);
    values_set(v, "worst_count", "%d", cm[top_one[0]]);
    if (out_open(&o, chapter_file(ch, "pairs.md"), err) != 0) return -1;
    fprintf(o.f, "| digits | mistakes | $a$ taken for $b$ | $b$ taken for $a$ | share of all "
                 "mistakes |\n|:--|--:|--:|--:|--:|\n");
    int shown = 0, covered = 0;
    for (int j = 0; j < PAIRS; j++) {
        int k = top_pairs[j], x = k / C, y = k % C, ab = cm[x * C + y], ba = cm[y * C + x];
        if (ab + ba == 0) break;
        shown++, covered += ab + ba;
        fprintf(o.f, "| %d and %d | %d | %d | %d | %.1f%% |\n", x, y, ab + ba, ab, ba,
                a->errors ? 100.0 * (ab + ba) / a->errors : 0.0);
        if (j >= 3) goto printed;  // the first three in values.tsv
        char key[32];
        snprintf(key, sizeof key, "pair%d_a", j + 1);
        values_set(v, key, "%d", x);
        snprintf(key, sizeof key, "pair%d_b", j + 1);
        values_set(v, key, "%d", y);
        snprintf(key, sizeof key, "pair%d_count", j + 1);
        values_set(v, key, "%d", ab + ba);
        snprintf(key, sizeof key, "pair%d_ab", j + 1);
        values_set(v, key, "%d", ab);
        snprintf(key, sizeof key, "pair%d_ba", j + 1);
        values_set(v, key, "%d", ba);
    printed:
        printf("      %d and %d: %3d mistake%s (%d taken for %d %d times, %d for %d %d times)\n",
               x, y, ab + ba, ab + ba > 1 ? "s" : "", x, y, ab, y, x, ba);
    }
    fprintf(o.f, "\n: The %d pairs of digits the network of seed %llu confuses most often on the "
                 "test set, in either direction ($a$ the smaller digit). Together they make "
                 "%.0f%% of its %d mistakes; there are 45 pairs. {#tbl:ch7-pairs}\n",
            shown, (unsigned long long)run->jobs[0].seed,
            a->errors ? 100.0 * covered / a->errors : 0.0, a->errors);
    values_set(v, "pairs_shown", "%d", shown);
    values_set(v, "pairs_share", "%.0f", a->errors ? 100.0 * covered / a->errors : 0.0);
    return out_commit(&o, err);
}

// Every test image's loss, label and answer, for readers who want to look
// further (sorted by the test file's order).
static int loss_file(Run *run, const Analysis *a, const Split *test, const double *probs,
                     Error *err) {
    OutFile o;
    if (out_open(&o, chapter_file(&run->ch, "test-losses.tsv"), err) != 0) return -1;
    fprintf(o.f, "image\tlabel\tanswer\tp_label\tloss\n");
    for (int i = 0; i < a->n; i++) {
        const double *y = probs + (size_t)i * C;
        fprintf(o.f, "%d\t%d\t%d\t%.6g\t%.6g\n", i, test->labels[i], answer(y),
                y[test->labels[i]], a->loss[i]);
    }
    return out_commit(&o, err);
}

static int analyse(Run *run, Analysis *a, const Mnist *data, int *wrong_in, Error *err) {
    Chapter *ch = &run->ch;
    const Split *test = &data->test;
    const Job *job = &run->jobs[0];
    const double *probs = job->probs;
    Values *v = &ch->values;
    look_at_test_set(a, test, probs);
    int n = a->n;
    check_indices(run, a->hardest, HARDEST, n);
    check_indices(run, a->order, n, n);

    // The checks: the losses' mean is the loop's test loss, the diagonal its
    // right answers, every image counted once, the order really an order.
    double total = 0;
    for (int i = 0; i < n; i++) total += a->loss[i];
    double mean = total / n;
    if (!(fabs(mean - job->res.test_loss) <= 1e-9 * fmax(1.0, job->res.test_loss)))
        chapter_wrong(ch, "the mean of per_example_loss over the %d test images is %.10g, but the "
                          "training loop's test loss (cross_entropy) is %.10g", n, mean,
                      job->res.test_loss);
    int right = 0, all = 0;
    for (int t = 0; t < C; t++)
        for (int p = 0; p < C; p++) {
            all += a->counts[t * C + p];
            if (t == p) right += a->counts[t * C + p];
        }
    if (all != n)
        chapter_wrong(ch, "confusion_matrix counted %d images in all, but the test set has %d",
                      all, n);
    // (one image of slack: the loop may have summed in another order, and a
    // near tie gone the other way)
    if (fabs(right - job->res.test_acc * n / 100.0) > 1.0 + 1e-6)
        chapter_wrong(ch, "confusion_matrix's diagonal holds %d right answers (%.2f%%), but the "
                          "training loop measured %.2f%% (count_correct)", right,
                      100.0 * right / n, job->res.test_acc);
    for (int j = 1; j < n; j++)
        if (a->loss[a->order[j]] > a->loss[a->order[j - 1]])
            chapter_wrong(ch, "top_k over all %d test losses is out of order at place %d: %.6g "
                              "after %.6g", n, j, a->loss[a->order[j]], a->loss[a->order[j - 1]]);
    for (int j = 0; j < HARDEST && j < n; j++)
        if (a->hardest[j] != a->order[j])
            chapter_wrong(ch, "top_k with k = %d and with k = %d disagree at place %d: %d and %d",
                          HARDEST, n, j, a->hardest[j], a->order[j]);
    a->errors = n - right;

    // How the loss is shared out: the hardest hundred, the mistakes, and how
    // few images carry half of it.
    double top = 0, acc = 0, of_wrong = 0;
    int half = 0, unsure = 0;
    for (int j = 0; j < n; j++) {
        double l = a->loss[a->order[j]];
        if (j < TOP_SHARE) top += l;
        acc += l;
        if (!half && acc >= total / 2) half = j + 1;
    }
    for (int i = 0; i < n; i++) {
        const double *y = probs + (size_t)i * C;
        if (answer(y) != test->labels[i]) of_wrong += a->loss[i];
        if (y[test->labels[i]] < 0.5) unsure++;
    }
    double median = n % 2 ? a->loss[a->order[n / 2]]
                          : (a->loss[a->order[n / 2 - 1]] + a->loss[a->order[n / 2]]) / 2;
    values_set(v, "n_test", "%d", n);
    values_set(v, "mean_loss", "%.4f", mean);
    values_set(v, "median_loss", "%.2g", median);
    values_set(v, "median_p", "%.4f", exp(-median));
    values_set(v, "errors", "%d", a->errors);
    values_set(v, "right", "%d", right);
    values_set(v, "top_share_n", "%d", TOP_SHARE);
    values_set(v, "top_share", "%.0f", 100 * top / total);
    values_set(v, "top_share_pct", "%.0f", 100.0 * TOP_SHARE / n);
    values_set(v, "wrong_share", "%.0f", 100 * of_wrong / total);
    values_set(v, "half_loss_n", "%d", half);
    values_set(v, "half_loss_pct", "%.1f", 100.0 * half / n);
    values_set(v, "unsure", "%d", unsure);
    printf("      mean loss %.4f (the loop's test loss), median %.2g: half the images get "
           "p(label) > %.4f\n", mean, median, exp(-median));
    printf("      %d mistakes; they carry %.0f%% of the loss, the hardest %d images %.0f%%, and "
           "half of it sits on %d images (%.1f%%)\n", a->errors, 100 * of_wrong / total,
           TOP_SHARE, 100 * top / total, half, 100.0 * half / n);

    // The hardest sixteen.
    int wrong16 = 0, wrong16_all = 0, sure = 0;
    double p_max = 0;
    for (int j = 0; j < HARDEST; j++) {
        int i = a->hardest[j];
        const double *y = probs + (size_t)i * C;
        wrong16 += answer(y) != test->labels[i];
        wrong16_all += wrong_in[i] == run->n_seeds;
        p_max = fmax(p_max, y[test->labels[i]]);
        sure += y[answer(y)] > SURE_P;
    }
    int h1 = a->hardest[0];
    const double *y1 = probs + (size_t)h1 * C;
    values_set(v, "hardest1_image", "%d", h1);
    values_set(v, "hardest1_label", "%d", test->labels[h1]);
    values_set(v, "hardest1_answer", "%d", answer(y1));
    values_set(v, "hardest1_p", "%.2g", y1[test->labels[h1]]);
    values_set(v, "hardest1_p_answer", "%.4f", y1[answer(y1)]);
    values_set(v, "hardest1_loss", "%.2f", a->loss[h1]);
    values_set(v, "hardest_last_loss", "%.2f", a->loss[a->hardest[HARDEST - 1]]);
    values_set(v, "hardest_max_p", "%.2g", p_max);
    values_set(v, "hardest_wrong", "%d", wrong16);
    values_set(v, "hardest_wrong_all", "%d", wrong16_all);
    values_set(v, "hardest_sure", "%d", sure);
    values_set(v, "sure_p", "%g", SURE_P);
    // the ratio to two significant digits: 49845 is "about 50000"
    double ratio = a->loss[h1] / median, unit = pow(10, floor(log10(ratio)) - 1);
    values_set(v, "hardest1_over_median", "%.0f", round(ratio / unit) * unit);
    printf("      the %d hardest: %d answered wrongly, %d of them with p(answer) > %g; "
           "p(label) at most %.2g\n", HARDEST, wrong16, sure, SURE_P, p_max);
    int rc = hardest_table(run, a, test, probs, wrong_in, err);
    if (rc == 0) rc = hardest_grid(run, a, test, probs, err);
    if (rc == 0) rc = loss_file(run, a, test, probs, err);
    printf("      the pairs of digits most often confused:\n");
    if (rc == 0) rc = confusion_outputs(run, a, err);
    return rc;
}

// ---------------------------------------------------------------------------
// Step 6: the other seeds

//> seeds
// Whether a digit is hard for every network or only for one: the sixteen
// hardest of each seed's network beside the first seed's, the images every
// network gets wrong, and the network that averages the probabilities of all.
static int other_seeds(Run *run, const Analysis *a, const Split *test, int *wrong_in,
                       Error *err) {
    int S = run->n_seeds, n = a->n;
    double *loss = error_calloc(err, (size_t)n, sizeof(double), "losses");
    double *avg = error_calloc(err, (size_t)n * C, sizeof(double), "the averaged network");
    if (!loss || !avg) {
        free(loss), free(avg);
        return -1;
    }
    double overlap[MAX_SEEDS];
    int wrong_total = 0;
    for (int s = 0; s < S; s++) {
        const double *probs = run->jobs[s].probs;
        per_example_loss(loss, probs, a->t, n, C);
        int hard[HARDEST];
        top_k(hard, loss, n, HARDEST);
        check_indices(run, hard, HARDEST, n);
        int same = 0;
        for (int j = 0; j < HARDEST; j++)
            for (int m = 0; m < HARDEST; m++) same += hard[j] == a->hardest[m];
        overlap[s] = same;
        for (int i = 0; i < n * C; i++) avg[i] += probs[i] / S;
        wrong_total += n - count_correct(probs, test->labels, n, C);
        if (s > 0)
            printf("      seed %-3llu its %d hardest share %d with seed %llu's\n",
                   (unsigned long long)run->jobs[s].seed, HARDEST, same,
                   (unsigned long long)run->jobs[0].seed);
    }
    //< seeds
    int any = 0, every = 0, first_alone = 0, first_every = 0;
    for (int i = 0; i < n; i++) {
        any += wrong_in[i] > 0, every += wrong_in[i] == S;
        if (answer(run->jobs[0].probs + (size_t)i * C) != test->labels[i])
            first_alone += wrong_in[i] == 1, first_every += wrong_in[i] == S;
    }
    int avg_right = count_correct(avg, test->labels, n, C);
    Values *v = &run->ch.values;
    double lo = HARDEST, hi = 0, sum = 0;
    for (int s = 1; s < S; s++) {
        lo = fmin(lo, overlap[s]), hi = fmax(hi, overlap[s]);
        sum += overlap[s];
    }
    if (S > 1) {
        values_set(v, "overlap_mean", "%.1f", sum / (S - 1));
        values_set(v, "overlap_min", "%.0f", lo);
        values_set(v, "overlap_max", "%.0f", hi);
    }
    values_set(v, "wrong_any", "%d", any);
    values_set(v, "wrong_every", "%d", every);
    values_set(v, "wrong_mean", "%.0f", (double)wrong_total / S);
    values_set(v, "wrong_every_pct", "%.0f", any ? 100.0 * every / any : 0.0);
    values_set(v, "first_alone", "%d", first_alone);
    values_set(v, "first_every", "%d", first_every);
    values_set(v, "average_acc", "%.2f", 100.0 * avg_right / n);
    values_set(v, "average_wrong", "%d", n - avg_right);
    if (S > 1) {
        printf("      %d test images are wrong in at least one of the %d runs, %d in every one "
               "(a run gets %.0f wrong)\n", any, S, every, (double)wrong_total / S);
        printf("      of seed %llu's %d mistakes, %d are made by no other run and %d by every "
               "run\n", (unsigned long long)run->jobs[0].seed, a->errors, first_alone,
               first_every);
        printf("      the average of the %d networks' probabilities: %.2f%% right (%d wrong)\n",
               S, 100.0 * avg_right / n, n - avg_right);
    }
    free(loss), free(avg);
    return 0;
}

// ---------------------------------------------------------------------------
// Step 7: pictures

static int draw(Run *run, Error *err) {
    Chapter *ch = &run->ch;
    chapter_step(ch, 7, "draw the curves, the hardest digits and the confusion matrix");
    const Job *job = &run->jobs[0];
    const Config *c = &run->cfg;
    char vars[768], name[96];
    snprintf(vars, sizeof vars,
             "tsv='%s'; best=%d; from=1; title='Chapter 4''s network: rate %g, batch %d, "
             "momentum %g, early stopping (E = %d), seed %llu'",
             job->tsv, job->res.kept_epoch, c->learning_rate, c->batch_size, c->momentum_gamma,
             c->early_stop_epoch, (unsigned long long)job->seed);
    snprintf(name, sizeof name, "curves-%s", run->name);
    const char *figs = ch->opt.figures_dir, *out = ch->opt.out_dir;
    int rc = plot_render_with(figs, "curves", name, out, vars, err);
    if (rc == 0) rc = plot_render_with(figs, "ch7-hardest", "hardest", out, NULL, err);
    if (rc == 0) rc = plot_render_with(figs, "ch7-confusion", "confusion", out, NULL, err);
    if (rc == 0) printf("      %s/%s.svg, hardest.svg, confusion.svg (and .pdf)\n", out, name);
    return rc;
}

// ---------------------------------------------------------------------------

// The chapter's steps, after the command line; run_chapter frees a and *wrong_out.
static int steps(Run *run, Mnist *data, Analysis *a, int **wrong_out, Error *err) {
    Chapter *ch = &run->ch;
    if (read_config(run, err) != 0) return -1;
    if (chapter_load(ch, data, err) != 0 || check_against_data(run, data, err) != 0) return -1;
    printf("      %d training, %d validation and %d test images (seed %llu)\n", data->train.n,
           data->val.n, data->test.n, (unsigned long long)ch->opt.seed);
    values_set(&ch->values, "n_train", "%d", data->train.n);

    chapter_step(ch, 3, "your per_example_loss, top_k and confusion_matrix on small cases, then "
                        "every function at once");
    small_cases(run);
    if (quick_pass(run, data, err) != 0) return -1;

    int n = data->test.n, S = run->n_seeds;
    size_t size = sizeof(Sent) + sizeof(double) * (size_t)n * C;
    run->results = error_calloc(err, (size_t)S, size, "the runs' probabilities");
    if (!run->results) return -1;
    for (int s = 0; s < S; s++) {
        Job *job = &run->jobs[s];
        job->seed = ch->opt.seed + (uint64_t)s;
        if (s == 0)
            snprintf(job->tsv, sizeof job->tsv, "%s.tsv", run->name);
        else
            snprintf(job->tsv, sizeof job->tsv, "%s-seed%llu.tsv", run->name,
                     (unsigned long long)job->seed);
        job->probs = (double *)(run->results + (size_t)s * size + sizeof(Sent));
    }
    a->n = n;
    a->t = error_calloc(err, (size_t)n * C, sizeof(double), "the targets");
    a->loss = error_calloc(err, (size_t)n, sizeof(double), "the losses");
    a->order = error_calloc(err, (size_t)n, sizeof(int), "the order");
    int *wrong_in = *wrong_out = error_calloc(err, (size_t)n, sizeof(int), "the mistakes");
    if (!a->t || !a->loss || !a->order || !wrong_in) return -1;

    run->workers = jobs_workers(S);
    run->data = data;
    char what[160];
    snprintf(what, sizeof what, "train chapter 4's network: %d run%s, %d at a time%s", S,
             S > 1 ? "s" : "", run->workers, run->workers > 1 ? " (each in its own process)" : "");
    chapter_step(ch, 4, what);
    double t0 = wall_time();
    int rc = jobs_run(run->results, run_one, run_done, run, S, size, run->workers, err);
    if (rc != 0) return rc;
    values_set(&ch->values, "train_seconds", "%.0f", wall_time() - t0);
    values_set(&ch->values, "workers", "%d", run->workers);
    seed_summary(run);

    for (int s = 0; s < S; s++)
        for (int i = 0; i < n; i++)
            wrong_in[i] += answer(run->jobs[s].probs + (size_t)i * C) != data->test.labels[i];
    snprintf(what, sizeof what, "the %d test images one by one, through seed %llu's network: "
             "the loss of each, the %d hardest, the confusion matrix", n,
             (unsigned long long)run->jobs[0].seed, HARDEST);
    chapter_step(ch, 5, what);
    if (analyse(run, a, data, wrong_in, err) != 0) return -1;
    chapter_step(ch, 6, S > 1 ? "the other seeds: are the hardest digits hard for every network?"
                              : "the other seeds: none (--seeds 2 or more compares them)");
    if (other_seeds(run, a, &data->test, wrong_in, err) != 0) return -1;
    if (draw(run, err) != 0) return -1;
    if (!ch->opt.quiet) {
        char vars[256];
        snprintf(vars, sizeof vars, "tsv='%s'; from=1", run->jobs[0].tsv);
        printf("\nthe loss, epoch by epoch from epoch 1 (training and validation):\n");
        return plot_text_with(ch->opt.figures_dir, "curves", "curves", ch->opt.out_dir, vars,
                              err);
    }
    return 0;
}

// Everything after the command line.
static int run_chapter(void *ctx, Mnist *data, Error *err) {
    Run *run = ctx;
    Analysis a = {0};
    int *wrong_in = NULL;
    int rc = steps(run, data, &a, &wrong_in, err);
    free(run->results);
    free(a.t), free(a.loss), free(a.order), free(wrong_in);
    return rc;
}

int main(int argc, char **argv) {
    static Run run = {.ch = {.number = 7, .title = "the hardest digits", .steps = STEPS}};
    return chapter_main(&run.ch, argc, argv, run_chapter, &run);
}
