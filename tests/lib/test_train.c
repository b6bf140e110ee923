// test_train.c: the training loop's fast path (lib/speed/fast.c, train_with() with
// .fast) against its plain path (train(), on the reference solutions): the
// same numbers, to rounding, for each activation, penalty and rule, after a
// few epochs on the first 2000 images of data/mnist (what --limit 2000 reads),
// and the same numbers, bit for bit, whatever the number of threads. And
// net_predict: on each of those networks, trained, its rows are probability
// distributions whose largest entries give net_evaluate's accuracy exactly.
//
// Tolerance: the two paths sum in different orders (the fast one skips the
// zero pixels, see lib/speed/fast.h), so they start apart by about 1e-16, and
// training lets that grow, step after step. After these runs (2 to 8
// epochs, 26 to 100 batches) the weights and losses agree to 3e-15 or
// better; the test allows TOL = 1e-12, relative to the larger of 1 and the
// value (1e-9 for the metrics files, which print 10 digits), and the
// accuracies within one image. On the full data the growth goes on: after
// the first epoch (375 batches) the two still agree to the 10 digits the
// metrics print; after the second, to about 1e-5; after the third, only to a
// few percent, as any two roundings of this training do (OpenBLAS on one
// thread and on two part as far): the trajectories part, not their
// statistics.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "speed/fast.h"
#include "suites.h"
#include "train.h"

#ifndef WB_NO_SOLUTIONS
#include "activations.h"

static const double TOL = 1e-12, TOL_PRINTED = 1e-9;
static Mnist data;
static char dir[64];

static void setup(void) {
    Error err = {{0}};
    DataOptions opt = {.dir = "data/mnist", .seed = 1, .val_fraction = 0.2, .limit = 2000,
                       .norm = NORM_PER_IMAGE};
    if (mnist_load(&data, &opt, &err) != 0) {
        fprintf(stderr, "test_train: needs the MNIST files in data/mnist (make data): %s\n",
                err.msg);
        exit(1);
    }
    progress_quiet = true;
    snprintf(dir, sizeof dir, "/tmp/wb-train-XXXXXX");
    if (!mkdtemp(dir)) exit(1);
}

static void teardown(void) {
    char path[128];
    const char *names[] = {"plain.tsv", "fast.tsv", "one.tsv", "three.tsv"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
    mnist_free(&data);
}

// The experiments: the study's network with each activation, rule and
// penalty, a deeper and a shallower one, an odd batch size, early stopping.
typedef struct {
    const char *name;
    int layers[5], n_layers;
    Activation act;
    bool momentum, early_stop;
    double l1, l2, rate;
    int batch, epochs;
} Case;

static const Case CASES[] = {
    {"tanh, momentum (chapter 4)", {784, 128, 10}, 3, ACT_TANH, true, false, 0, 0, 1e-3, 128, 2},
    {"tanh, plain SGD, early stop", {784, 128, 10}, 3, ACT_TANH, false, true, 0, 0, 1e-3, 128, 4},
    // (this one stops after epoch 6 of 8 and keeps the weights of epoch 5)
    {"tanh, momentum, early stop", {784, 128, 10}, 3, ACT_TANH, true, true, 0, 0, 1e-3, 128, 8},
    {"sigmoid, L2, momentum", {784, 128, 10}, 3, ACT_SIGMOID, true, false, 0, 1e-3, 1e-3, 128, 2},
    {"ReLU, L1, batch 97", {784, 128, 10}, 3, ACT_RELU, true, false, 1e-3, 0, 1e-4, 97, 2},
    {"tanh, two hidden layers of 50 and 20", {784, 50, 20, 10}, 4, ACT_TANH, true, false, 1e-4,
     1e-4, 1e-3, 64, 2},
    {"softmax regression (784-10)", {784, 10}, 2, ACT_TANH, false, false, 0, 0, 1e-3, 128, 2},
};

static Config case_config(const Case *c) {
    Config cfg;
    config_defaults(&cfg);
    cfg.n_layers = c->n_layers;
    for (int l = 0; l < c->n_layers; l++) cfg.layer_specs[l] = c->layers[l];
    cfg.activation = c->act;
    cfg.momentum = c->momentum;
    cfg.early_stop = c->early_stop;
    cfg.early_stop_epoch = 1;
    cfg.L1_penalty = c->l1, cfg.L2_penalty = c->l2;
    cfg.learning_rate = c->rate;
    cfg.batch_size = c->batch;
    cfg.epochs = c->epochs;
    return cfg;
}

static void train_one(Net *net, TrainResult *res, const Config *cfg, const TrainOptions *opt,
                      const char *name) {
    Error err = {{0}};
    char path[128];
    snprintf(path, sizeof path, "%s/%s.tsv", dir, name);
    ck_assert_msg(net_from_config(net, cfg, &err) == 0, "%s", err.msg);
    net_init(net, 7, 0);
    TrainOps ops = chapter6_ops(cfg->activation);
    ck_assert_msg(train_with(res, net, &ops, cfg, &data, 7, path, name, opt, &err) == 0, "%s",
                  err.msg);
}

static double rel_diff(double a, double b) { return fabs(a - b) / fmax(1.0, fabs(b)); }

// Each epoch's row of two metrics files: the losses within TOL_PRINTED, the
// accuracies within one image.
static void same_metrics(const char *a_name, const char *b_name, const Case *c) {
    char pa[128], pb[128], la[256], lb[256];
    snprintf(pa, sizeof pa, "%s/%s.tsv", dir, a_name);
    snprintf(pb, sizeof pb, "%s/%s.tsv", dir, b_name);
    FILE *fa = fopen(pa, "r"), *fb = fopen(pb, "r");
    ck_assert_ptr_nonnull(fa);
    ck_assert_ptr_nonnull(fb);
    int rows = 0;
    while (fgets(la, sizeof la, fa) && fgets(lb, sizeof lb, fb)) {
        double a[6], b[6];
        if (sscanf(la, "%lf %lf %lf %lf %lf %lf", &a[0], &a[1], &a[2], &a[3], &a[4], &a[5]) != 6)
            continue;  // the header
        ck_assert_int_eq(sscanf(lb, "%lf %lf %lf %lf %lf %lf", &b[0], &b[1], &b[2], &b[3], &b[4],
                                &b[5]), 6);
        rows++;
        for (int k = 1; k <= 2; k++)
            ck_assert_msg(rel_diff(a[k], b[k]) <= TOL_PRINTED,
                          "%s: epoch %.0f, %s loss: fast %.10g, plain %.10g", c->name, a[0],
                          k == 1 ? "training" : "validation", a[k], b[k]);
        ck_assert_msg(fabs(a[3] - b[3]) <= 100.0 / data.train.n + 1e-9 &&
                          fabs(a[4] - b[4]) <= 100.0 / data.val.n + 1e-9,
                      "%s: epoch %.0f, accuracies: fast %g%% and %g%%, plain %g%% and %g%%",
                      c->name, a[0], a[3], a[4], b[3], b[4]);
    }
    fclose(fa), fclose(fb);
    ck_assert_int_ge(rows, 2);
}

// The fast path of one copy (lib/speed/vec.h: WB_FAST_COPY) against the
// plain path's run, rp and plain.
static void fast_copy_equals_plain(const Case *c, const char *copy, const Net *plain,
                                   const TrainResult *rp) {
    Config cfg = case_config(c);
    Net fast;
    TrainResult rf;
    ck_assert_int_eq(setenv("WB_FAST_COPY", copy, 1), 0);
    TrainOptions opt = {.fast = true, .threads = 2};
    train_one(&fast, &rf, &cfg, &opt, "fast");
    ck_assert_int_eq(unsetenv("WB_FAST_COPY"), 0);
    ck_assert_msg(rp->fast_threads == 0 && rf.fast_threads == 2,
                  "%s (%s): the paths that ran: plain %d threads, fast %d", c->name, copy,
                  rp->fast_threads, rf.fast_threads);
    double worst = 0;
    int at = 0;
    for (int i = 0; i < plain->n_params; i++) {
        double d = rel_diff(fast.params[i], plain->params[i]);
        if (d > worst) worst = d, at = i;
    }
    ck_assert_msg(worst <= TOL, "%s (%s): weight %d after training: fast %.17g, plain %.17g",
                  c->name, copy, at, fast.params[at], plain->params[at]);
    ck_assert_int_eq(rf.epochs_run, rp->epochs_run);
    ck_assert_int_eq(rf.kept_epoch, rp->kept_epoch);
    ck_assert_msg(rel_diff(rf.test_loss, rp->test_loss) <= TOL &&
                      rel_diff(rf.best_val_loss, rp->best_val_loss) <= TOL,
                  "%s (%s): test loss fast %.17g plain %.17g; best validation loss fast %.17g "
                  "plain %.17g", c->name, copy, rf.test_loss, rp->test_loss, rf.best_val_loss,
                  rp->best_val_loss);
    ck_assert_msg(fabs(rf.test_acc - rp->test_acc) <= 100.0 / data.test.n + 1e-9,
                  "%s (%s): test accuracy fast %g%%, plain %g%%", c->name, copy, rf.test_acc,
                  rp->test_acc);
    same_metrics("fast", "plain", c);
    net_free(&fast);
}

// Every copy of the fast path that this processor runs (on an x86-64 with
// AVX2: x86-64-v3's, vectors of 4 with fused multiply-adds, and plain
// x86-64's, vectors of 2 without) against the plain path.
START_TEST(fast_equals_plain) {
    const Case *c = &CASES[_i];
    Config cfg = case_config(c);
    Net plain;
    TrainResult rp;
    train_one(&plain, &rp, &cfg, NULL, "plain");
    const char *copies[FAST_MAX_COPIES];
    int n = fast_copies(copies);
    ck_assert_int_ge(n, 1);
    ck_assert_str_eq(fast_copy(), copies[0]);  // (the widest, with WB_FAST_COPY unset)
    for (int k = 0; k < n; k++) fast_copy_equals_plain(c, copies[k], &plain, &rp);
    net_free(&plain);
}
END_TEST

// A copy that this processor does not run (or that does not exist) is an
// error that names it, not a crash or a quiet fall back to another.
START_TEST(unknown_copy_is_an_error) {
    Config cfg = case_config(&CASES[0]);
    Net net;
    Error err = {{0}};
    ck_assert_int_eq(net_from_config(&net, &cfg, &err), 0);
    net_init(&net, 1, 0);
    ck_assert_int_eq(setenv("WB_FAST_COPY", "x86-64-v9", 1), 0);
    ck_assert_ptr_null(fast_copy());
    Fast *f = NULL;
    int rc = fast_create(&f, &net, &cfg, &data, 1, &err);
    ck_assert_int_eq(unsetenv("WB_FAST_COPY"), 0);
    ck_assert_int_ne(rc, 0);
    ck_assert_ptr_null(f);
    ck_assert_msg(strstr(err.msg, "WB_FAST_COPY=x86-64-v9") && strstr(err.msg, "no such copy"),
                  "the error: %s", err.msg);
    net_free(&net);
}
END_TEST

// One thread or three: the same units of work, whoever takes them, the same
// sums in the same order: the same bits. And narrow tiles or wide ones: on
// a processor with AVX-512, the one thread's run takes x86-64-v3's copy
// (WB_FAST_COPY), tiles of 4 images by 2 vectors of 4, as a processor
// without AVX-512 does; the three threads' x86-64-v4's, tiles of 4 images
// by 4 vectors of 8. (Where the processor has AVX2 only, both take v3's.)
START_TEST(threads_change_nothing) {
    Config cfg = case_config(&CASES[_i]);
    Net one, three;
    TrainResult r1, r3;
    TrainOptions o1 = {.fast = true, .threads = 1}, o3 = {.fast = true, .threads = 3};
    const char *copies[FAST_MAX_COPIES];
    int n = fast_copies(copies);
    for (int k = 0; k < n; k++)
        if (strcmp(copies[k], "x86-64-v3") == 0)
            ck_assert_int_eq(setenv("WB_FAST_COPY", copies[k], 1), 0);
    train_one(&one, &r1, &cfg, &o1, "one");
    ck_assert_int_eq(unsetenv("WB_FAST_COPY"), 0);
    train_one(&three, &r3, &cfg, &o3, "three");
    ck_assert_int_eq(r1.fast_threads, 1);
    ck_assert_int_eq(r3.fast_threads, 3);
    for (int i = 0; i < one.n_params; i++)
        ck_assert_msg(one.params[i] == three.params[i],
                      "%s: weight %d: one thread %.17g, three threads %.17g", CASES[_i].name, i,
                      one.params[i], three.params[i]);
    ck_assert(r1.test_loss == r3.test_loss);
    net_free(&one);
    net_free(&three);
}
END_TEST

// net_predict on a trained network, for the validation and the test split:
// every row is a probability distribution, and the rows' largest entries give
// exactly the accuracy net_evaluate measures (the same forward pass, the
// same functions, the same chunks: the same bits, so the same answers).
//
// Tolerance: a row is ten positive numbers divided by their sum, each
// rounded once, so it sums to 1 within a few units of the last place (about
// 1e-16 each); TOL_SUM = 1e-13 leaves room for that and for nothing else.
// The entries must lie in [0, 1] exactly, and the accuracy must be equal,
// not close: a single image answered differently changes it by 100 / n.
static const double TOL_SUM = 1e-13;

START_TEST(predict_matches_evaluate) {
    const Case *c = &CASES[_i];
    Config cfg = case_config(c);
    Net net;
    TrainResult res;
    train_one(&net, &res, &cfg, NULL, "plain");
    TrainOps ops = chapter6_ops(cfg.activation);
    int K = net.sizes[net.n_layers];
    const Split *splits[2] = {&data.val, &data.test};
    const char *names[2] = {"validation", "test"};
    for (int k = 0; k < 2; k++) {
        const Split *s = splits[k];
        ck_assert_int_gt(s->n, 0);
        double *probs = malloc(sizeof(double) * (size_t)s->n * K);
        ck_assert_ptr_nonnull(probs);
        for (size_t i = 0; i < (size_t)s->n * K; i++) probs[i] = NAN;  // garbage to overwrite
        Error err = {{0}};
        ck_assert_msg(net_predict(probs, &net, &ops, s, &err) == 0, "%s: %s", c->name, err.msg);
        int correct = 0;
        for (int i = 0; i < s->n; i++) {
            const double *y = probs + (size_t)i * K;
            double sum = 0;
            int best = 0;
            for (int j = 0; j < K; j++) {
                ck_assert_msg(y[j] >= 0.0 && y[j] <= 1.0,
                              "%s, %s split: row %d, entry %d is %.17g, expected a probability "
                              "in [0, 1]", c->name, names[k], i, j, y[j]);
                sum += y[j];
                if (y[j] > y[best]) best = j;  // the first largest, as count_correct takes it
            }
            ck_assert_msg(fabs(sum - 1.0) <= TOL_SUM,
                          "%s, %s split: row %d sums to %.17g, expected 1 within %g", c->name,
                          names[k], i, sum, TOL_SUM);
            correct += best == s->labels[i];
        }
        double loss, acc;
        net_evaluate(&loss, &acc, &net, &ops, s);
        double from_rows = 100.0 * (double)correct / s->n;
        ck_assert_msg(from_rows == acc,
                      "%s, %s split: the rows' largest entries give %.17g%% (%d of %d right), "
                      "net_evaluate %.17g%%", c->name, names[k], from_rows, correct, s->n, acc);
        free(probs);
    }
    net_free(&net);
}
END_TEST

Suite *train_suite(void) {
    Suite *s = suite_create("train");
    TCase *tc = lib_tcase("fast path");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    int n = (int)(sizeof CASES / sizeof CASES[0]);
    tcase_add_loop_test(tc, fast_equals_plain, 0, n);
    tcase_add_loop_test(tc, threads_change_nothing, 0, n);
    tcase_add_test(tc, unknown_copy_is_an_error);
    suite_add_tcase(s, tc);
    TCase *tp = lib_tcase("net_predict");
    tcase_add_unchecked_fixture(tp, setup, teardown);
    tcase_add_loop_test(tp, predict_matches_evaluate, 0, n);
    suite_add_tcase(s, tp);
    return s;
}

#else  // a student copy: no reference solutions to compare with

Suite *train_suite(void) { return suite_create("train"); }

#endif
