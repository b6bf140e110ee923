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
#include "plot.h"

enum {
    STEPS = 7,
    HARDEST = 16,          // the digits in the grid, as in the study's Figure 8
    GRID_COLS = 4,
    TOP_SHARE = 100,       // "the hardest hundred"
    PAIRS = 6,             // the most confused pairs in the table
    FEW = 256,             // the first pass over every function, on this many images
    BOOK_SEEDS = 4,        // the book's run (--fast): enough to see whether a digit is
                           // hard for every network or only for one; two cores train
                           // four runs in the time of two
    YOUR_SEEDS = 2,        // on your functions: the fewest that can be compared
    C = MNIST_CLASSES,
};
static const char *const DEFAULT_CONFIG = "chapters/07-hardest/momentum-early-stop.yaml";

// A wrong answer counts as sure when the network gives it more than this.
static const double SURE_P = 0.9;

// The study ran this network's settings twice, and reported each time
// (lib/study.c): in section 4.2.4 (momentum and early stopping) and again in
// section 6.2.1 (the tanh run of its activation experiments).
static const char *const STUDY_S4 = "momentum-early-stop", *const STUDY_S6 = "tanh";

// The first seed's network on the test set.
typedef struct {
    int n;
    double *t;         // [n, 10] one-hot targets
    double *loss;      // [n] of the first seed's network
    int *order;        // [n] every test image, the highest loss first
    int hardest[HARDEST];
    int counts[C * C];
    int errors;
} Analysis;

typedef struct {
    Chapter ch;
    Experiments E;     // one experiment; run s is seed s's, its probabilities its own
    Analysis a;
    int *wrong_in;     // [n_test] how many of the runs answer each test image wrongly
} Program;

// Run s's probabilities for the test images: [n_test, 10].
static const double *probs_of(const Program *p, int s) { return experiments_out(&p->E, s); }

// top_k's answer, before the program uses it: k distinct indices below n.
static void check_indices(const Program *p, const int *idx, int k, int n) {
    unsigned char *seen = calloc((size_t)n, 1);
    if (!seen) chapter_wrong(&p->ch, "out of memory");
    for (int j = 0; j < k; j++) {
        if (idx[j] < 0 || idx[j] >= n)
            chapter_wrong(&p->ch, "top_k with n = %d and k = %d gave idx[%d] = %d, which is no "
                                  "index of x", n, k, j, idx[j]);
        if (seen[idx[j]]++)
            chapter_wrong(&p->ch, "top_k with n = %d and k = %d gave index %d twice (idx[%d])", n,
                          k, idx[j], j);
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

static int read_experiment(Program *p, Error *err) {
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
    return 0;
}

// ---------------------------------------------------------------------------
// Step 3: your functions on small cases

static void small_cases(Program *p) {
    Chapter *ch = &p->ch;
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
    // top_k: ties go to the lower index.
    const double x[8] = {0.3, 2.0, -1, 2.0, 0.7, 5.5, 0.7, 0.7};
    const int want_idx[5] = {5, 1, 3, 4, 6};
    int idx[5];
    top_k(idx, x, 8, 5);
    for (int j = 0; j < 5; j++)
        if (idx[j] != want_idx[j])
            chapter_wrong(ch, "top_k of {0.3, 2, -1, 2, 0.7, 5.5, 0.7, 0.7} with k = 5 should "
                              "give {5, 1, 3, 4, 6}, but idx[%d] = %d", j, idx[j]);
    // confusion_matrix: the same three rows.
    int counts[9];
    confusion_matrix(counts, y, labels, 3, 3);
    const int want_counts[9] = {1, 1, 0, 0, 0, 1, 0, 0, 0};
    for (int c = 0; c < 9; c++)
        if (counts[c] != want_counts[c])
            chapter_wrong(ch, "confusion_matrix of the rows {0.5, 0.25, 0.25}, {0.25, 0.5, 0.25} "
                              "and {0, 0, 1} with the labels 0, 0, 1: label %d answered %d should "
                              "count %d, got %d", c / 3, c % 3, want_counts[c], counts[c]);
    // Chapter 2's cross_entropy() is the mean of the same losses.
    double mean = (loss[0] + loss[1] + loss[2]) / 3, ce = cross_entropy(y, t, 3, 3);
    if (!(fabs(mean - ce) <= 1e-12 * ce))
        chapter_wrong(ch, "the mean of per_example_loss's three losses is %.10g, but "
                          "cross_entropy() of the same rows is %.10g: they must agree (run `make "
                          "check-ch2` too)", mean, ce);
    printf("      per_example_loss: ln 2 = %.4f, ln 4 = %.4f and -ln(1e-15) = %.2f, their mean "
           "your cross_entropy()'s;\n      top_k: the 5 largest of {0.3, 2, -1, 2, 0.7, 5.5, "
           "0.7, 0.7} are at {5, 1, 3, 4, 6}; confusion_matrix: as counted by hand\n", loss[0],
           loss[1], loss[2]);
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

// Your answers against the training loop's: the losses' mean is its test
// loss, the confusion matrix's diagonal its right answers, every image
// counted once, the order really an order.
static void check_analysis(Program *p, const TrainResult *res) {
    Analysis *a = &p->a;
    const Chapter *ch = &p->ch;
    int n = a->n, right = 0, all = 0;
    double total = 0;
    check_indices(p, a->hardest, HARDEST, n);
    check_indices(p, a->order, n, n);
    for (int i = 0; i < n; i++) total += a->loss[i];
    if (!(fabs(total / n - res->test_loss) <= 1e-9 * fmax(1.0, res->test_loss)))
        chapter_wrong(ch, "the mean of per_example_loss over the %d test images is %.10g, but the "
                          "training loop's test loss (cross_entropy) is %.10g", n, total / n,
                      res->test_loss);
    for (int t = 0; t < C; t++)
        for (int q = 0; q < C; q++)
            all += a->counts[t * C + q], right += t == q ? a->counts[t * C + q] : 0;
    if (all != n)
        chapter_wrong(ch, "confusion_matrix counted %d images in all, but the test set has %d",
                      all, n);
    // (one image of slack: the loop may have summed in another order, and a
    // near tie gone the other way)
    if (fabs(right - res->test_acc * n / 100.0) > 1.0 + 1e-6)
        chapter_wrong(ch, "confusion_matrix's diagonal holds %d right answers (%.2f%%), but the "
                          "training loop measured %.2f%% (count_correct)", right,
                      100.0 * right / n, res->test_acc);
    for (int j = 1; j < n; j++)
        if (a->loss[a->order[j]] > a->loss[a->order[j - 1]])
            chapter_wrong(ch, "top_k over all %d test losses is out of order at place %d: %.6g "
                              "after %.6g", n, j, a->loss[a->order[j]], a->loss[a->order[j - 1]]);
    for (int j = 0; j < HARDEST && j < n; j++)
        if (a->hardest[j] != a->order[j])
            chapter_wrong(ch, "top_k with k = %d and with k = %d disagree at place %d: %d and %d",
                          HARDEST, n, j, a->hardest[j], a->order[j]);
    a->errors = n - right;
}

// How the loss is shared out: the hardest hundred, the mistakes, and how few
// images carry half of it.
static void loss_shares(Program *p, const Split *test, const double *probs) {
    Analysis *a = &p->a;
    int n = a->n, half = 0, unsure = 0, right = n - a->errors;
    double total = 0, top = 0, acc = 0, of_wrong = 0;
    for (int i = 0; i < n; i++) total += a->loss[i];
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
    Values *v = &p->ch.values;
    values_set(v, "n_test", "%d", n);
    values_set(v, "mean_loss", "%.4f", total / n);
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
    // the hardest image's loss over the median's, to two significant digits:
    // 49845 is "about 50000"
    double ratio = a->loss[a->hardest[0]] / median, unit = pow(10, floor(log10(ratio)) - 1);
    values_set(v, "hardest1_over_median", "%.0f", round(ratio / unit) * unit);
    printf("      mean loss %.4f (the loop's test loss), median %.2g; %d mistakes carry %.0f%% of "
           "the loss,\n      the hardest %d images %.0f%%, and half of it sits on %d images\n",
           total / n, median, a->errors, 100 * of_wrong / total, TOP_SHARE, 100 * top / total,
           half);
}

// The sixteen hardest: hardest.tsv, a row each, and the numbers the book quotes.
static int hardest_table(Program *p, const Split *test, const double *probs, Error *err) {
    const Analysis *a = &p->a;
    int S = p->E.sum[0].n, wrong = 0, wrong_all = 0, sure = 0;
    double p_max = 0;
    Tsv t;
    if (tsv_open(&t, chapter_file(&p->ch, "hardest.tsv"),
                 "rank\timage\tlabel\tanswer\tp_label\tp_answer\tloss\twrong_in\truns", err) != 0)
        return -1;
    for (int j = 0; j < HARDEST; j++) {
        int i = a->hardest[j], lab = test->labels[i];
        const double *y = probs + (size_t)i * C;
        tsv_int(&t, j + 1), tsv_int(&t, i), tsv_int(&t, lab), tsv_int(&t, answer(y));
        tsv_num(&t, y[lab]), tsv_num(&t, y[answer(y)]), tsv_num(&t, a->loss[i]);
        tsv_int(&t, p->wrong_in[i]), tsv_int(&t, S);
        wrong += answer(y) != lab, wrong_all += p->wrong_in[i] == S;
        p_max = fmax(p_max, y[lab]), sure += y[answer(y)] > SURE_P;
    }
    int h1 = a->hardest[0];
    const double *y1 = probs + (size_t)h1 * C;
    Values *v = &p->ch.values;
    values_set(v, "hardest1_image", "%d", h1);
    values_set(v, "hardest1_label", "%d", test->labels[h1]);
    values_set(v, "hardest1_answer", "%d", answer(y1));
    values_set(v, "hardest1_p", "%.2g", y1[test->labels[h1]]);
    values_set(v, "hardest1_p_answer", "%.4f", y1[answer(y1)]);
    values_set(v, "hardest1_loss", "%.2f", a->loss[h1]);
    values_set(v, "hardest_last_loss", "%.2f", a->loss[a->hardest[HARDEST - 1]]);
    values_set(v, "hardest_max_p", "%.2g", p_max);
    values_set(v, "hardest_wrong", "%d", wrong);
    values_set(v, "hardest_wrong_all", "%d", wrong_all);
    values_set(v, "hardest_sure", "%d", sure);
    values_set(v, "sure_p", "%g", SURE_P);
    printf("      the %d hardest: %d answered wrongly, %d of them with p(answer) > %g; p(label) "
           "at most %.2g\n", HARDEST, wrong, sure, SURE_P, p_max);
    return tsv_close(&t, err);
}

// The grid of the hardest digits: the pixels as they are in the file, and
// under each its label, the answer and the probability of the label.
static int hardest_grid(Program *p, const Split *test, const double *probs, Error *err) {
    const Analysis *a = &p->a;
    int dim = test->dim, n = a->n < HARDEST ? a->n : HARDEST;
    double *img = malloc(sizeof(double) * (size_t)dim * (n ? n : 1));
    if (!img) return error_set(err, "out of memory for the grid");
    char text[HARDEST][64];
    const char *caps[HARDEST];
    for (int j = 0; j < n; j++) {
        int i = a->hardest[j], lab = test->labels[i], ans = answer(probs + (size_t)i * C);
        double p_lab = probs[(size_t)i * C + lab];
        for (int px = 0; px < dim; px++)
            img[(size_t)j * dim + px] = test->pixels[(size_t)i * dim + px];
        if (ans != lab)
            snprintf(text[j], sizeof text[j], "%d taken for %d\np(%d) = %.2g", lab, ans, lab,
                     p_lab);
        else
            snprintf(text[j], sizeof text[j], "%d, right\np(%d) = %.2g", lab, lab, p_lab);
        caps[j] = text[j];
    }
    char labels[4200];
    snprintf(labels, sizeof labels, "%s/hardest_labels.tsv", p->ch.opt.out_dir);
    int rc = plot_write_grid(chapter_file(&p->ch, "hardest.dat"), labels, img, n, test->rows,
                             test->cols, GRID_COLS, caps, err);
    free(img);
    return rc;
}

// digits.tsv: each digit, how many, how many right, and what it is most
// often taken for; and confusion.tsv, the matrix, for gnuplot.
static int digits_table(Program *p, Error *err) {
    const int *cm = p->a.counts;
    Values *v = &p->ch.values;
    Tsv t;
    if (tsv_open(&t, chapter_file(&p->ch, "confusion.tsv"), "true\tanswer\tcount", err) != 0)
        return -1;
    for (int k = 0; k < C * C; k++) tsv_int(&t, k / C), tsv_int(&t, k % C), tsv_int(&t, cm[k]);
    if (tsv_close(&t, err) != 0 || tsv_open(&t, chapter_file(&p->ch, "digits.tsv"),
                                            "digit\timages\tright\tacc\twrong\toften\toften_count",
                                            err) != 0)
        return -1;
    int worst = 0, best = 0;
    double acc[C];
    for (int d = 0; d < C; d++) {
        int total = 0, often = -1;
        for (int q = 0; q < C; q++) {
            total += cm[d * C + q];
            if (q != d && (often < 0 || cm[d * C + q] > cm[d * C + often])) often = q;
        }
        int right = cm[d * C + d];
        acc[d] = total ? 100.0 * right / total : 0;
        worst = acc[d] < acc[worst] ? d : worst, best = acc[d] > acc[best] ? d : best;
        tsv_int(&t, d), tsv_int(&t, total), tsv_int(&t, right), tsv_num(&t, acc[d]);
        tsv_int(&t, total - right);
        if (cm[d * C + often] > 0) tsv_int(&t, often), tsv_int(&t, cm[d * C + often]);
        else tsv_text(&t, ""), tsv_text(&t, "");
        char key[32];
        snprintf(key, sizeof key, "digit%d_acc", d);
        values_set(v, key, "%.2f", acc[d]);
    }
    values_set(v, "worst_digit", "%d", worst);
    values_set(v, "worst_digit_acc", "%.2f", acc[worst]);
    values_set(v, "best_digit", "%d", best);
    values_set(v, "best_digit_acc", "%.2f", acc[best]);
    return tsv_close(&t, err);
}

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

// Every test image's loss, label and answer, for readers who want to look
// further (in the test file's order).
static int loss_file(Program *p, const Split *test, const double *probs, Error *err) {
    Tsv t;
    if (tsv_open(&t, chapter_file(&p->ch, "test-losses.tsv"), "image\tlabel\tanswer\tp_label\tloss",
                 err) != 0)
        return -1;
    for (int i = 0; i < p->a.n; i++) {
        const double *y = probs + (size_t)i * C;
        tsv_int(&t, i), tsv_int(&t, test->labels[i]), tsv_int(&t, answer(y));
        tsv_fmt(&t, "%.6g", y[test->labels[i]]), tsv_fmt(&t, "%.6g", p->a.loss[i]);
    }
    return tsv_close(&t, err);
}

// ---------------------------------------------------------------------------
// Step 6: the other seeds

// How many networks share which mistakes, and the network that averages them.
static void shared_mistakes(Program *p, const Split *test, const double *avg, int wrong_total) {
    int S = p->E.sum[0].n, n = p->a.n, any = 0, every = 0, first_alone = 0, first_every = 0;
    for (int i = 0; i < n; i++) {
        any += p->wrong_in[i] > 0, every += p->wrong_in[i] == S;
        if (answer(probs_of(p, 0) + (size_t)i * C) != test->labels[i])
            first_alone += p->wrong_in[i] == 1, first_every += p->wrong_in[i] == S;
    }
    int avg_right = count_correct(avg, test->labels, n, C);
    Values *v = &p->ch.values;
    values_set(v, "wrong_any", "%d", any);
    values_set(v, "wrong_every", "%d", every);
    values_set(v, "wrong_mean", "%.0f", (double)wrong_total / S);
    values_set(v, "wrong_every_pct", "%.0f", any ? 100.0 * every / any : 0.0);
    values_set(v, "first_alone", "%d", first_alone);
    values_set(v, "first_every", "%d", first_every);
    values_set(v, "average_acc", "%.2f", 100.0 * avg_right / n);
    values_set(v, "average_wrong", "%d", n - avg_right);
    if (S > 1)
        printf("      %d test images are wrong in at least one of the %d runs, %d in every one; "
               "of seed %llu's\n      %d mistakes, %d are made by no other run; the average of "
               "the %d networks: %.2f%% right\n", any, S, every, (unsigned long long)p->E.seed,
               p->a.errors, first_alone, S, 100.0 * avg_right / n);
}

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
// Step 7: pictures

static int draw(Program *p, Error *err) {
    const Run *r = &p->E.runs[0];
    const Config *c = &p->E.exp[0].cfg;
    char vars[768], name[96];
    snprintf(vars, sizeof vars,
             "tsv='%s'; best=%d; from=1; title='Chapter 4''s network: rate %g, batch %d, "
             "momentum %g, early stopping (E = %d), seed %llu'",
             r->file, r->res.kept_epoch, c->learning_rate, c->batch_size, c->momentum_gamma,
             c->early_stop_epoch, (unsigned long long)r->seed);
    snprintf(name, sizeof name, "curves-%s", p->E.exp[0].name);
    const char *figs = p->ch.opt.figures_dir, *out = p->ch.opt.out_dir;
    int rc = plot_render_with(figs, "curves", name, out, vars, err);
    if (rc == 0) rc = plot_render_with(figs, "ch7-hardest", "hardest", out, NULL, err);
    if (rc == 0) rc = plot_render_with(figs, "ch7-confusion", "confusion", out, NULL, err);
    if (rc == 0) printf("      %s/%s.svg, hardest.svg, confusion.svg (and .pdf)\n", out, name);
    snprintf(vars, sizeof vars, "tsv='%s'; from=1", r->file);
    return rc ? rc : chapter_plot_text(&p->ch, "curves", vars, "the loss, epoch by epoch from "
                                       "epoch 1 (training and validation)", err);
}

// ---------------------------------------------------------------------------
// The chapter's steps, after the command line

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
    if (read_experiment(p, err) != 0 || chapter_load_experiments(ch, data, E, err) != 0) return -1;
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
    return draw(p, err);
}

static int run_chapter(void *ctx, Mnist *data, Error *err) {
    Program *p = ctx;
    int rc = steps(p, data, err);
    free(p->a.t), free(p->a.loss), free(p->a.order), free(p->wrong_in);
    return rc;
}

int main(int argc, char **argv) {
    static Program p = {.ch = {.number = 7, .title = "the hardest digits", .steps = STEPS}};
    return chapter_main(&p.ch, argc, argv, run_chapter, &p);
}
