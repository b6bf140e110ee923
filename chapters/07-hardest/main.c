// main.c: chapter 7, the hardest digits. Trains the network of chapter 4
// (784-128-10, tanh, learning rate 0.001, batch 128, momentum 0.9, early
// stopping with patience 3: the study's section 4.2.4, as
// chapters/07-hardest/momentum-early-stop.yaml says) on your functions of
// chapters 2 to 4, once per seed, the runs side by side (lib/experiment.h).
// Then it passes the 10,000 test images through each trained network and,
// with this chapter's exercises, gives each image its own loss, finds the
// sixteen with the highest (the study's Figure 8), counts which digits are
// taken for which, and asks whether the hardest digits are the same from one
// seed to the next. It leaves the metrics, the tables (TSV), the figures and
// the numbers the book quotes (values.tsv, last) in the run folder.
//
//   build/bin/ch7-solutions --fast           the book's run: four seeds
//   build/bin/ch7-solutions --config FILE    another network of the same kind, one seed
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "ch1.h"
#include "ch7.h"
#include "chapter.h"
#include "experiment.h"
#include "network.h"
#include "program.h"

enum {
    STEPS = 7,
    FEW = 256,             // the first pass over every function, on this many images
    BOOK_SEEDS = 4,        // the book's run (--fast): enough to see whether a digit is
                           // hard for every network or only for one; two cores train
                           // four runs in the time of two
    YOUR_SEEDS = 2,        // on your functions: the fewest that can be compared
};
static const char *const DEFAULT_CONFIG = "chapters/07-hardest/momentum-early-stop.yaml";

// The study ran this network's settings twice, and reported each time
// (lib/study.c): in section 4.2.4 (momentum and early stopping) and again in
// section 6.2.1 (the tanh run of its activation experiments).
static const char *const STUDY_S4 = "momentum-early-stop", *const STUDY_S6 = "tanh";

// ---------------------------------------------------------------------------
// Steps 1 and 2: the experiment, then the data it trains on

static int read_experiment(Program *p, Mnist *data, Error *err) {
    Chapter *ch = &p->ch;
    chapter_step(ch, 1, "read the experiment");
    Experiment *x = chapter_experiment(ch, &p->E, ch->opt.config ? ch->opt.config : DEFAULT_CONFIG,
                                       NEEDS_HIDDEN | NEEDS_TANH | NEEDS_NO_PENALTY, err);
    if (!x) return -1;
    const Config *c = &x->cfg;
    x->ops = chapter4_ops();
    x->seeds = chapter_seeds(ch, ch->opt.config ? 1 : BOOK_SEEDS, ch->opt.config ? 1 : YOUR_SEEDS);
    if (x->seeds > EXPERIMENT_MAX_SEEDS) x->seeds = EXPERIMENT_MAX_SEEDS;
    printf("      %d seed%s, from %llu\n", x->seeds, x->seeds > 1 ? "s" : "",
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
    values_set(v, "seeds", "%d", x->seeds);
    values_set(v, "last_seed", "%llu", (unsigned long long)(ch->opt.seed + x->seeds - 1));
    values_set(v, "hardest", "%d", HARDEST);
    return chapter_load_experiments(&p->ch, data, &p->E, err);  // and their data
}

// ---------------------------------------------------------------------------
// Step 4: the runs

//> predict-test
// After each run, in its own process: the test set's probabilities through
// the weights it kept, which come back to the program with the run.
static int predict_test(void *out, Net *net, const Run *r, const Experiment *x, void *ctx,
                        Error *err) {
    (void)r;
    const Experiments *E = ctx;
    return net_predict(out, net, &x->ops, &E->data->test, err);
}
//< predict-test

// values.tsv's numbers of the runs, and the study's beside them.
static void put_runs(Program *p) {
    const Summary *s = &p->E.sum[0];
    const Run *first = &p->E.runs[s->first];
    const TrainResult *r = &first->res;
    const StudyExperiment *s4 = study_find(STUDY_S4), *s6 = study_find(STUDY_S6);
    Values *v = &p->ch.values;
    values_set(v, "test_acc", "%.2f", r->test_acc);
    values_set(v, "test_loss", "%.4f", r->test_loss);
    values_set(v, "val_acc", "%.2f", r->val_acc);
    values_set(v, "epochs", "%d", r->epochs_run);
    values_set(v, "kept", "%d", r->kept_epoch);
    values_set(v, "stopped_early", "%s", r->stopped_early ? "yes" : "no");
    values_set(v, "run_s", "%.0f", first->wall_s);
    values_set(v, "epoch_s", "%.2f", r->seconds / (r->epochs_run ? r->epochs_run : 1));
    summary_put(v, NULL, s, &(SummaryKeys){{"mean_acc", "sd_acc", "min_acc", "max_acc"},
                                          {"mean_epochs", "min_epochs", "max_epochs_run"},
                                          {"mean_kept", NULL, NULL}});
    values_set(v, "study_acc", "%.2f", s4->acc);
    values_set(v, "study_epochs", "%d", s4->stop_epoch);
    values_set(v, "study_tanh_acc", "%.2f", s6->acc);
    values_set(v, "study_tanh_epochs", "%d", s6->stop_epoch);
    values_set(v, "study_gap", "%.2f", s6->acc - s4->acc);
    values_set(v, "gap", "%+.2f", r->test_acc - s4->acc);
    values_set(v, "mean_gap", "%+.2f", s->acc.mean - s4->acc);
    values_set(v, "mean_gap_tanh", "%+.2f", s->acc.mean - s6->acc);
    printf("      the study: %.2f%% after %d epochs (section %s), and %.2f%% after %d with the "
           "same settings (%s); ours, over %d seed%s, %.2f ± %.2f%%\n", s4->acc, s4->stop_epoch,
           s4->section, s6->acc, s6->stop_epoch, s6->section, s->n, s->n > 1 ? "s" : "",
           s->acc.mean, s->acc.sd);
}

// ---------------------------------------------------------------------------
// Step 5: the test set, one image at a time

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

// pairs.tsv: the pairs of digits most often confused, either way.
static int pairs_table(Program *p, Error *err) {
    const int *cm = p->a.counts;
    int errors = p->a.errors;
    Values *v = &p->ch.values;
    //> pairs
    // The mistakes, one way (a taken for b) and both ways ({a, b}): your
    // top_k on the off-diagonal counts, the diagonal set below any count.
    double one_way[C * C], both_ways[C * C];
    for (int t = 0; t < C; t++)
        for (int q = 0; q < C; q++) {
            one_way[t * C + q] = t == q ? -1 : cm[t * C + q];
            both_ways[t * C + q] = t < q ? cm[t * C + q] + cm[q * C + t] : -1;
        }
    int top_one[1], top_pairs[PAIRS];
    top_k(top_one, one_way, C * C, 1);
    top_k(top_pairs, both_ways, C * C, PAIRS);
    //< pairs
    check_indices(p, top_one, 1, C * C);
    check_indices(p, top_pairs, PAIRS, C * C);
    values_set(v, "worst_true", "%d", top_one[0] / C);
    values_set(v, "worst_answer", "%d", top_one[0] % C);
    values_set(v, "worst_count", "%d", cm[top_one[0]]);
    Tsv t;
    if (tsv_open(&t, chapter_file(&p->ch, "pairs.tsv"), "a\tb\tmistakes\tab\tba\tshare", err) != 0)
        return -1;
    int shown = 0, covered = 0;
    for (int j = 0; j < PAIRS; j++) {
        int k = top_pairs[j], x = k / C, y = k % C, ab = cm[x * C + y], ba = cm[y * C + x];
        if (ab + ba == 0) break;
        shown++, covered += ab + ba;
        tsv_int(&t, x), tsv_int(&t, y), tsv_int(&t, ab + ba), tsv_int(&t, ab), tsv_int(&t, ba);
        tsv_num(&t, errors ? 100.0 * (ab + ba) / errors : 0.0);
        printf("      %d and %d: %3d mistake%s (%d taken for %d %d times, %d for %d %d times)\n",
               x, y, ab + ba, ab + ba > 1 ? "s" : "", x, y, ab, y, x, ba);
        if (j >= 3) continue;  // the first three in values.tsv
        char key[32];
        snprintf(key, sizeof key, "pair%d", j + 1);
        chapter_put(&p->ch, key, "a", "%d", x);
        chapter_put(&p->ch, key, "b", "%d", y);
        chapter_put(&p->ch, key, "count", "%d", ab + ba);
        chapter_put(&p->ch, key, "ab", "%d", ab);
        chapter_put(&p->ch, key, "ba", "%d", ba);
    }
    values_set(v, "pairs_shown", "%d", shown);
    values_set(v, "pairs_share", "%.0f", errors ? 100.0 * covered / errors : 0.0);
    return tsv_close(&t, err);
}

// ---------------------------------------------------------------------------
// Step 6: the other seeds

//> seeds
// Whether a digit is hard for every network or only for one: the sixteen
// hardest of each seed's network beside the first seed's, the images every
// network gets wrong, and the network that averages the probabilities of all.
static int other_seeds(Program *p, const Split *test, Error *err) {
    int S = p->E.sum[0].n, n = p->a.n;
    double *loss = error_calloc(err, (size_t)n, sizeof(double), "losses");
    double *avg = error_calloc(err, (size_t)n * C, sizeof(double), "the averaged network");
    if (!loss || !avg) {
        free(loss), free(avg);
        return -1;
    }
    double overlap[EXPERIMENT_MAX_SEEDS];
    int wrong_total = 0;
    for (int s = 0; s < S; s++) {
        const double *probs = probs_of(p, s);
        per_example_loss(loss, probs, p->a.t, n, C);
        int hard[HARDEST], same = 0;
        top_k(hard, loss, n, HARDEST);
        check_indices(p, hard, HARDEST, n);
        for (int j = 0; j < HARDEST; j++)
            for (int m = 0; m < HARDEST; m++) same += hard[j] == p->a.hardest[m];
        overlap[s] = same;
        for (int i = 0; i < n * C; i++) avg[i] += probs[i] / S;
        wrong_total += n - count_correct(probs, test->labels, n, C);
    }
    //< seeds
    if (S > 1) {
        Stats o = stats_of(overlap + 1, S - 1);
        values_set(&p->ch.values, "overlap_mean", "%.1f", o.mean);
        values_set(&p->ch.values, "overlap_min", "%.0f", o.min);
        values_set(&p->ch.values, "overlap_max", "%.0f", o.max);
        printf("      the other seeds' %d hardest share %.0f to %.0f with seed %llu's\n", HARDEST,
               o.min, o.max, (unsigned long long)p->E.seed);
    }
    shared_mistakes(p, test, avg, wrong_total);
    free(loss), free(avg);
    return 0;
}

// ---------------------------------------------------------------------------
// Chapter 7's steps, after the command line: read and load the experiment,
// check your functions, train, the hardest digits, the other seeds, draw

static int look(Program *p, const Split *test, Error *err) {
    Analysis *a = &p->a;
    const double *probs = probs_of(p, 0);
    a->n = test->n;
    a->t = error_calloc(err, (size_t)a->n * C, sizeof(double), "the targets");
    a->loss = error_calloc(err, (size_t)a->n, sizeof(double), "the losses");
    a->order = error_calloc(err, (size_t)a->n, sizeof(int), "the order");
    p->wrong_in = error_calloc(err, (size_t)a->n, sizeof(int), "the mistakes");
    if (!a->t || !a->loss || !a->order || !p->wrong_in) return -1;
    for (int s = 0; s < p->E.sum[0].n; s++)
        for (int i = 0; i < a->n; i++)
            p->wrong_in[i] += answer(probs_of(p, s) + (size_t)i * C) != test->labels[i];
    look_at_test_set(a, test, probs);
    check_analysis(p, &p->E.runs[0].res);
    loss_shares(p, test, probs);
    if (hardest_table(p, test, probs, err) != 0 || hardest_grid(p, test, probs, err) != 0 ||
        loss_file(p, test, probs, err) != 0 || digits_table(p, err) != 0)
        return -1;
    printf("      the pairs of digits most often confused:\n");
    return pairs_table(p, err);
}

static int steps(void *ctx, Mnist *data, Error *err) {
    Program *p = ctx;
    Chapter *ch = &p->ch;
    Experiments *E = &p->E;
    if (read_experiment(p, data, err) != 0) return -1;
    if (data->test.n < HARDEST)
        return error_set(err, "%s: %d test images, but the chapter shows the %d hardest: a "
                              "--limit of at least %d", MNIST_FILES[2], data->test.n, HARDEST,
                         HARDEST);
    chapter_step(ch, 3, "your per_example_loss, top_k and confusion_matrix on small cases, then "
                        "every function at once");
    small_cases(p);
    if (experiments_try(E, FEW, err) != 0) return -1;

    E->out_size = sizeof(double) * (size_t)data->test.n * C, E->after = predict_test, E->ctx = E;
    int rc = chapter_train(ch, E, 4, "chapter 4's network, a run per seed", err);
    if (rc != 0) return rc;
    put_runs(p);
    char what[160];

    snprintf(what, sizeof what, "the %d test images one by one, through seed %llu's network: "
             "the loss of each, the %d hardest, the confusion matrix", data->test.n,
             (unsigned long long)E->seed, HARDEST);
    chapter_step(ch, 5, what);
    if (look(p, &data->test, err) != 0) return -1;
    chapter_step(ch, 6, E->n_runs > 1 ? "the other seeds: are the hardest digits hard for every "
                                        "network?"
                                      : "the other seeds: none (--seeds 2 or more compares them)");
    if (other_seeds(p, &data->test, err) != 0) return -1;
    chapter_step(ch, 7, "draw the curves, the hardest digits and the confusion matrix");
    return draw_figures(p, err);
}

static int run_chapter(void *ctx, Mnist *data, Error *err) {
    Program *p = ctx;
    int rc = steps(p, data, err);
    free(p->a.t), free(p->a.loss), free(p->a.order), free(p->wrong_in);
    return rc;
}

int main(int argc, char **argv) {
    static Program p = {.ch = {.number = 7, .title = "the hardest digits", .steps = STEPS,
                               .reads_config = true}};
    return chapter_main(&p.ch, argc, argv, run_chapter, &p);
}
