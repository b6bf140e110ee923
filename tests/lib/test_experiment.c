// test_experiment.c: the experiment runner (lib/experiment.h) and the tables
// it writes (lib/output.h's Tsv): the runs planned experiment by experiment,
// seed by seed, with their files; a short run trained side by side gives the
// same numbers as the same run trained alone; so does a run with early
// stopping finished inside the same run without it, to the bit, on either
// path, with a store or without (a scratch store, gone at the end); the
// summaries are the seeds' statistics; summary_put's keys and formats; a
// TSV's numbers read back to the very doubles written, its rows as long as
// its header; and tsv_print's table on the terminal.
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "experiment.h"
#include "linalg.h"
#include "output.h"
#include "suites.h"

#ifndef WB_NO_SOLUTIONS
#include "activations.h"
#endif

static char dir[64];

static void setup(void) {
    snprintf(dir, sizeof dir, "/tmp/wb-experiment-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(tsv_numbers_read_back) {
    char path[128];
    snprintf(path, sizeof path, "%s/t.tsv", dir);
    const double x[] = {0.1, 97.70999999999999, 1.0 / 3.0, 1e-300, -2.5};
    Tsv t;
    Error err = {{0}};
    ck_assert_int_eq(tsv_open(&t, path, "x\tn\tword", &err), 0);
    for (int i = 0; i < 5; i++) tsv_num(&t, x[i]), tsv_int(&t, i), tsv_text(&t, "a\tb");
    tsv_num(&t, NAN), tsv_int(&t, 5), tsv_text(&t, "");
    ck_assert_int_eq(tsv_close(&t, &err), 0);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char line[256];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "x\tn\tword\n");
    for (int i = 0; i < 5; i++) {
        ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
        char *tab = strchr(line, '\t');
        ck_assert_ptr_nonnull(tab);
        ck_assert_msg(strtod(line, NULL) == x[i], "row %d: %s does not read back as %.17g", i,
                      line, x[i]);
        ck_assert_str_eq(strchr(tab + 1, '\t'), "\ta b\n");  // the tab in a word: a space
    }
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_str_eq(line, "\t5\t\n");  // NaN: an empty field
    fclose(f);
    // A row cut short is refused, and nothing appears.
    snprintf(path, sizeof path, "%s/short.tsv", dir);
    ck_assert_int_eq(tsv_open(&t, path, "a\tb", &err), 0);
    tsv_int(&t, 1);
    ck_assert_int_ne(tsv_close(&t, &err), 0);
    ck_assert_int_ne(access(path, F_OK), 0);
}
END_TEST

// tsv_print: words left and numbers right in columns as wide as their widest
// field, a fraction to 3 significant digits, an integer as written, an empty
// field as "-".
START_TEST(tsv_print_aligns) {
    char path[128], out[128];
    snprintf(path, sizeof path, "%s/show.tsv", dir);
    snprintf(out, sizeof out, "%s/show.txt", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("name\tacc\tn\nplain\t97.7123\t100\nmomentum\t\t7\nx\tnan\t123456789012\n", f);
    fclose(f);
    Error err = {{0}};
    f = fopen(out, "w+");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(tsv_print(f, path, "> ", &err), 0);
    rewind(f);
    const char *want[] = {"> name       acc             n\n", "> plain     97.7           100\n",
                          "> momentum     -             7\n", "> x          nan  123456789012\n"};
    char line[128];
    for (int i = 0; i < 4; i++) {
        ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
        ck_assert_str_eq(line, want[i]);
    }
    ck_assert_ptr_null(fgets(line, sizeof line, f));
    fclose(f);
    snprintf(path, sizeof path, "%s/none.tsv", dir);
    ck_assert_int_ne(tsv_print(stdout, path, "", &err), 0);  // a missing file: an error, not a crash
    ck_assert_ptr_nonnull(strstr(err.msg, "none.tsv"));
}
END_TEST

START_TEST(summary_keys_and_formats) {
    Summary s = {.n = 2, .acc = {97.125, 0.05, 97.1, 97.15}, .stop = {10.5, 2.1, 9, 12},
                 .kept = {7.5, 2.1, 6, 9}};  // mean, sd, min, max
    Values *v = calloc(1, sizeof *v);
    summary_put(v, "es", &s, &(SummaryKeys){{"mean", "sd", NULL, "max"}, {"stop", NULL, "last"},
                                            {NULL, "kept_min"}});
    const char *want[][2] = {{"es_mean", "97.12"}, {"es_sd", "0.05"}, {"es_max", "97.15"},
                             {"es_stop", "10.5"}, {"es_last", "12"}, {"es_kept_min", "6"}};
    ck_assert_int_eq(v->count, 6);
    for (int i = 0; i < 6; i++) {
        ck_assert_str_eq(v->key[i], want[i][0]);
        ck_assert_str_eq(v->value[i], want[i][1]);
    }
    s.n = 1;  // one seed has no spread
    summary_put(v, NULL, &s, &(SummaryKeys){{NULL, "sd"}, {NULL}, {NULL}});
    ck_assert_str_eq(v->key[6], "sd");
    ck_assert_str_eq(v->value[6], "–");
    free(v);
}
END_TEST

// The first 600 images of each MNIST file, split with seed 1; false (the
// test skipped, with a line saying so) where the data is not there.
static bool few_images(Mnist *data, const char *test) {
    Error err = {{0}};
    DataOptions dopt = {.dir = "data/mnist", .seed = 1, .val_fraction = 0.2, .limit = 600,
                        .norm = NORM_PER_IMAGE};
    if (mnist_load(data, &dopt, &err) == 0) return true;
    fprintf(stderr, "%s: no MNIST (%s): skipped\n", test, err.msg);
    return false;
}

// Two experiments on a few hundred images, with three seeds and one: the
// runs planned experiment by experiment, seed by seed; trained side by side
// (on the reference solutions, where the copy has them), each gives the
// numbers it gives trained alone, and the summaries are the seeds'; without
// the functions to train with, every run fails with the program's bug named.
START_TEST(runs_side_by_side) {
    static Experiments E;
    memset(&E, 0, sizeof E);
    Error err = {{0}};
    Mnist data = {0};
    if (!few_images(&data, "runs_side_by_side")) return;
    const char *configs[] = {"chapters/04-momentum/early-stop.yaml",
                             "chapters/04-momentum/momentum.yaml"};
    for (int i = 0; i < 2; i++) {
        Experiment *x = experiments_add(&E, configs[i], &err);
        ck_assert_msg(x != NULL, "%s", err.msg);
        x->cfg.epochs = 2, x->seeds = i ? 1 : 3;
#ifndef WB_NO_SOLUTIONS
        x->ops = chapter6_ops(x->cfg.activation);
#endif
    }
    ck_assert_ptr_null(experiments_add(&E, configs[0], &err));  // a name twice
    ck_assert_ptr_nonnull(strstr(err.msg, "a second experiment named early-stop"));
    ck_assert_str_eq(E.exp[1].key, "momentum");
    ck_assert_ptr_nonnull(E.exp[0].study);
    E.data = &data, E.dir = dir, E.seed = 5, E.workers = 2;
    ck_assert_int_eq(experiments_plan(&E, &err), 0);
    ck_assert_int_eq(E.n_runs, 4);
    ck_assert_str_eq(E.runs[0].file, "metrics-early-stop.tsv");
    ck_assert_str_eq(E.runs[2].file, "metrics-early-stop-seed7.tsv");
    ck_assert_int_eq(E.runs[3].exp, 1);
    ck_assert_int_eq(experiments_run_of(&E, 0, 2), 2);
    ck_assert_int_eq(experiments_run_of(&E, 1, 1), -1);
#ifndef WB_NO_SOLUTIONS
    ck_assert_msg(experiments_train(&E, &err) == 0, "%s", err.msg);
    double acc[3];
    for (int s = 0; s < 3; s++) {  // each early-stop run, alone, in this process
        Net net;
        TrainResult res;
        char path[128];
        snprintf(path, sizeof path, "%s/alone.tsv", dir);
        ck_assert_int_eq(net_from_config(&net, &E.exp[0].cfg, &err), 0);
        net_init(&net, 5 + (uint64_t)s, 0);
        ck_assert_int_eq(train(&res, &net, &E.exp[0].ops, &E.exp[0].cfg, &data, 5 + (uint64_t)s,
                               path, "alone", &err), 0);
        net_free(&net);
        ck_assert_msg(res.test_acc == E.runs[s].res.test_acc &&
                          res.epochs_run == E.runs[s].res.epochs_run,
                      "seed %d: %.17g%% alone, %.17g%% side by side", 5 + s, res.test_acc,
                      E.runs[s].res.test_acc);
        acc[s] = res.test_acc;
    }
    Stats want = stats_of(acc, 3);
    ck_assert(E.sum[0].n == 3 && E.sum[0].first == 0 && E.sum[0].acc.mean == want.mean &&
              E.sum[0].acc.sd == want.sd && E.sum[1].n == 1 && E.sum[1].first == 3);
    ck_assert_int_eq(experiments_read(&E, &err), 0);
    ck_assert_int_eq(E.hist[3].epochs, 2);
    // seed 6's run draws no curves: no training split measured
    ck_assert(isnan(E.hist[1].train_loss[1]) && !isnan(E.hist[0].train_loss[1]));

    // FIRST_SEEDS_ENDS: seed 6 measures the training split after its last
    // epoch only, and what it measures there is what a run measuring it after
    // every epoch does (measuring changes nothing in the training).
    E.train_metrics = FIRST_SEEDS_ENDS;
    ck_assert_msg(experiments_train(&E, &err) == 0, "%s", err.msg);
    History ends, every;
    char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, E.runs[1].file);
    ck_assert_msg(history_read(&ends, path, &err) == 0, "%s", err.msg);
    Net net;
    TrainResult res;
    snprintf(path, sizeof path, "%s/every.tsv", dir);
    ck_assert_int_eq(net_from_config(&net, &E.exp[0].cfg, &err), 0);
    net_init(&net, 6, 0);
    ck_assert_int_eq(
        train(&res, &net, &E.exp[0].ops, &E.exp[0].cfg, &data, 6, path, "every", &err), 0);
    net_free(&net);
    ck_assert_msg(history_read(&every, path, &err) == 0, "%s", err.msg);
    int last = ends.epochs;
    ck_assert_int_eq(last, every.epochs);
    for (int e = 0; e < last; e++)
        ck_assert_msg(isnan(ends.train_loss[e]) && isnan(ends.train_acc[e]) &&
                          ends.val_loss[e] == every.val_loss[e],
                      "epoch %d: training loss %g, validation loss %.17g against %.17g", e,
                      ends.train_loss[e], ends.val_loss[e], every.val_loss[e]);
    ck_assert_msg(ends.train_loss[last] == every.train_loss[last] &&
                      ends.train_acc[last] == every.train_acc[last],
                  "after the last epoch: %.17g against %.17g", ends.train_loss[last],
                  every.train_loss[last]);
    history_free(&ends), history_free(&every);
#endif
    for (int i = 0; i < 2; i++) E.exp[i].ops = (TrainOps){0};
    ck_assert_int_ne(experiments_train(&E, &err), 0);
    ck_assert_ptr_nonnull(strstr(err.msg, "the program gave no"));
    experiments_free(&E);
    mnist_free(&data);
}
END_TEST

#ifndef WB_NO_SOLUTIONS
// A linear layer as a correct but slow student writes it: its own triple loop
// instead of matmul() (the grader accepts it; the training is many times slower).
static void slow_linear_forward(double *out, const double *inp, const double *W,
                                const double *bias, int B, int C, int OC) {
    for (int o = 0; o < OC; o++)
        for (int b = 0; b < B; b++) {
            double sum = bias[o];
            for (int c = 0; c < C; c++) sum += inp[(size_t)b * C + c] * W[(size_t)o * C + c];
            out[(size_t)b * OC + o] = sum;
        }
}

// What a run on slow functions prints before it trains: pace names the slow
// function (and only then), and says how long the runs will take.
static char *paced(const Experiments *E) {
    static char buf[4096];
    fflush(stdout);
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    int saved = dup(1);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(fileno(f), 1), 0);
    Error err = {{0}};
    int rc = experiments_pace(E, &err);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    ck_assert_msg(rc == 0, "%s", err.msg);
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

START_TEST(pace_names_a_slow_function) {
    static Experiments E;
    memset(&E, 0, sizeof E);
    Error err = {{0}};
    Mnist data = {0};
    if (!few_images(&data, "pace_names_a_slow_function")) return;
    Experiment *x = experiments_add(&E, "chapters/04-momentum/momentum.yaml", &err);
    ck_assert_msg(x != NULL, "%s", err.msg);
    x->ops = chapter6_ops(x->cfg.activation);
    E.data = &data, E.dir = dir, E.seed = 1, E.workers = 1;
    char *out = paced(&E);
    ck_assert_msg(strstr(out, "through your functions") && strstr(out, "1 run, 1 at a time: about"),
                  "%s", out);
    ck_assert_msg(!strstr(out, "will be slow"), "the reference named as slow:\n%s", out);
    // planned, a run with early stopping goes inside the run without it: no run of its own
    Experiment *y = experiments_add(&E, "chapters/04-momentum/momentum-early-stop.yaml", &err);
    ck_assert_msg(y != NULL, "%s", err.msg);
    y->ops = x->ops;
    ck_assert_msg(experiments_plan(&E, &err) == 0, "%s", err.msg);
    out = paced(&E);
    ck_assert_msg(strstr(out, "2 runs (1 of them finished inside others), 1 at a time: about"),
                  "%s", out);
    // (Without BLAS the reference's own products are such loops: nothing to name.)
    if (strcmp(matmul_backend(), "OpenBLAS") == 0) {
        x->ops.layers.linear_forward = slow_linear_forward;
        out = paced(&E);
        ck_assert_msg(strstr(out, "your linear_forward takes") &&
                          strstr(out, "the run will be slow"),
                      "a slow linear_forward not named:\n%s", out);
    }
    experiments_free(&E);
    mnist_free(&data);
}
END_TEST
#endif

#ifndef WB_NO_SOLUTIONS
// Experiment `name` (its config: early-stop.yaml's, copied under that name)
// over seeds 5 and 6 on the store, measuring the training split as
// train_metrics says; how many of its runs were taken up, and seed 5's
// test accuracy.
static int taken_up(double *acc, const Mnist *data, const RunStore *st, const char *name,
                    int train_metrics) {
    static Experiments E;
    memset(&E, 0, sizeof E);
    Error err = {{0}};
    char path[300];
    snprintf(path, sizeof path, "%s/%s.yaml", dir, name);
    if (access(path, F_OK) != 0) {
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(lib_slurp("chapters/04-momentum/early-stop.yaml"), f);
        fclose(f);
    }
    Experiment *x = experiments_add(&E, path, &err);
    ck_assert_msg(x != NULL, "%s", err.msg);
    x->cfg.epochs = 2, x->seeds = 2, x->store = st;
    x->ops = chapter6_ops(x->cfg.activation);
    E.data = data, E.dir = dir, E.seed = 5, E.workers = 2, E.fast = true, E.reuse = true;
    E.train_metrics = train_metrics;
    ck_assert_msg(experiments_train(&E, &err) == 0, "%s", err.msg);
    int n = 0;
    for (int r = 0; r < E.n_runs; r++) n += E.runs[r].reused;
    *acc = E.runs[0].res.test_acc;
    experiments_free(&E);
    return n;
}

// A few images (false, said, if there is no MNIST) and an empty store of runs on them.
static bool store_on_few_images(Mnist *data, RunStore *st, const char *test) {
    if (!few_images(data, test)) return false;
    Error err = {{0}};
    char store[128];
    snprintf(store, sizeof store, "%s/store", dir);
    ck_assert_msg(runstore_open(st, store, "test", NULL, data, &err) == 0, "%s", err.msg);
    return true;
}

// A chapter's --store: a run one program kept, another takes up under any
// name when it measures the training split at the same epochs, with the same
// numbers; one measured at other epochs is trained again and kept under the
// program's own name, where the next run of that program takes it up.
START_TEST(runs_taken_up_from_the_store) {
    Mnist data = {0};
    RunStore st;
    if (!store_on_few_images(&data, &st, "runs_taken_up_from_the_store")) return;
    double first, again;
    ck_assert_int_eq(taken_up(&first, &data, &st, "kept", ALL_SEEDS), 0);
    ck_assert_int_eq(taken_up(&again, &data, &st, "twin", ALL_SEEDS), 2);
    ck_assert(again == first);
    // seed 5 measures every epoch, as kept; seed 6 at its end only: trained
    ck_assert_int_eq(taken_up(&again, &data, &st, "other", FIRST_SEEDS_ENDS), 1);
    ck_assert_int_eq(taken_up(&again, &data, &st, "other", FIRST_SEEDS_ENDS), 2);
    ck_assert(again == first);
    mnist_free(&data);
}
END_TEST
#endif

#ifndef WB_NO_SOLUTIONS
// The same run trained alone, in this process, on the fast path or the
// plain one: its result, weights (into net, initialized) and history.
static void alone(TrainResult *res, Net *net, History *h, const Experiment *x, const Mnist *data,
                  uint64_t seed, bool fast, TrainSplitMetrics split) {
    Error err = {{0}};
    char path[128];
    snprintf(path, sizeof path, "%s/alone.tsv", dir);
    ck_assert_int_eq(net_from_config(net, &x->cfg, &err), 0);
    net_init(net, seed, 0);
    TrainOptions how = {.fast = fast, .threads = 1, .train_split = split};
    ck_assert_msg(train_with(res, net, &x->ops, &x->cfg, data, seed, path, "alone", &how, &err) == 0,
                  "%s", err.msg);
    ck_assert_msg(history_read(h, path, &err) == 0, "%s", err.msg);
}

static bool same_number(double a, double b) { return a == b || (isnan(a) && isnan(b)); }

// Run r of E against the same run trained alone: the same result and metrics
// file to the bit (the times apart), and, from st if not NULL, the same
// weights.
static void same_as_alone(const Experiments *E, int r, const RunStore *st, const Mnist *data,
                          TrainSplitMetrics split) {
    const Run *run = &E->runs[r];
    const Experiment *x = &E->exp[run->exp];
    TrainResult want, got;
    Net a, b;
    History ha, hb;
    Error err = {{0}};
    char path[4400];
    alone(&want, &a, &ha, x, data, run->seed, E->fast, split);
    ck_assert_msg(history_read(&hb, experiments_path(path, sizeof path, E, run), &err) == 0, "%s",
                  err.msg);
    if (st) {
        char stem[RUNSTORE_STEM_MAX];
        ck_assert_int_eq(runstore_find(stem, st, runstore_key(st, &x->cfg, run->seed), &err), 1);
        ck_assert_int_eq(net_from_config(&b, &x->cfg, &err), 0);
        snprintf(path, sizeof path, "%s/kept.tsv", dir);
        ck_assert_msg(runstore_get(st, stem, &got, &b, path, split, &err) == 1, "%s", err.msg);
        ck_assert(got.test_loss == want.test_loss);
        ck_assert_msg(memcmp(a.params, b.params, sizeof(double) * (size_t)a.n_params) == 0,
                      "%s, seed %llu: other weights than alone", x->name,
                      (unsigned long long)run->seed);
        net_free(&b);
    }
    const TrainResult *res = &run->res;
    ck_assert_msg(res->epochs_run == want.epochs_run && res->kept_epoch == want.kept_epoch &&
                      res->best_epoch == want.best_epoch &&
                      res->stopped_early == want.stopped_early &&
                      res->best_val_loss == want.best_val_loss &&
                      res->test_loss == want.test_loss && res->test_acc == want.test_acc &&
                      res->val_acc == want.val_acc,
                  "%s, seed %llu: %d epochs (kept %d), test loss %.17g; alone %d (kept %d), %.17g",
                  x->name, (unsigned long long)run->seed, res->epochs_run, res->kept_epoch,
                  res->test_loss, want.epochs_run, want.kept_epoch, want.test_loss);
    ck_assert_int_eq(ha.epochs, hb.epochs);
    for (int e = 0; e <= ha.epochs; e++)
        ck_assert_msg(same_number(ha.train_loss[e], hb.train_loss[e]) &&
                          same_number(ha.train_acc[e], hb.train_acc[e]) &&
                          ha.val_loss[e] == hb.val_loss[e] && ha.val_acc[e] == hb.val_acc[e],
                      "%s, seed %llu, epoch %d: training loss %.17g, validation loss %.17g; "
                      "alone %.17g, %.17g", x->name, (unsigned long long)run->seed, e,
                      hb.train_loss[e], hb.val_loss[e], ha.train_loss[e], ha.val_loss[e]);
    net_free(&a), history_free(&ha), history_free(&hb);
}

// A run with early stopping is finished inside the same run without it (and
// taken up from the store after it), instead of being trained again: each is
// what it is trained alone, to the bit, its result, weights and metrics,
// whether it measures the training split after every epoch (seed 5) or after
// its last (seed 6), and whether it stops early or runs to the end. st: the
// experiments' store, or NULL for none (the training's scratch store, gone
// when it ends), on the fast path or the plain one.
static void inside_case(const Mnist *data, const RunStore *st, bool fast) {
    Error err = {{0}};
    static Experiments E;
    memset(&E, 0, sizeof E);
    const char *configs[] = {"chapters/04-momentum/momentum-early-stop.yaml",
                             "chapters/04-momentum/momentum.yaml",
                             "chapters/04-momentum/early-stop.yaml"};
    for (int i = 0; i < 3; i++) {
        Experiment *x = experiments_add(&E, configs[i], &err);
        ck_assert_msg(x != NULL, "%s", err.msg);
        // a rate at which a few hundred images overfit within the epochs
        x->cfg.epochs = 8, x->cfg.learning_rate = 0.01, x->cfg.early_stop_epoch = 1;
        x->seeds = 2, x->store = st;
        x->ops = chapter6_ops(x->cfg.activation);
    }
    E.data = data, E.dir = dir, E.seed = 5, E.workers = 2, E.fast = fast;
    E.train_metrics = FIRST_SEEDS_ENDS;
    ck_assert_msg(experiments_train(&E, &err) == 0, "%s", err.msg);
    // momentum-early-stop inside momentum; early-stop has no run without it
    ck_assert(E.runs[0].inside == 2 && E.runs[1].inside == 3 && E.runs[2].finishes == 0 &&
              E.runs[3].finishes == 1 && E.runs[4].inside < 0 && E.runs[5].inside < 0);
    ck_assert(E.runs[0].reused && E.runs[1].reused && !E.runs[2].reused && !E.runs[4].reused);
    ck_assert_int_eq(experiments_inside(&E), 2);
    char scratch[128];
    snprintf(scratch, sizeof scratch, "%s/.inside", dir);
    ck_assert_msg(access(scratch, F_OK) != 0, "%s is left after the training", scratch);
    for (int e = 0; e < E.n_exp; e++) ck_assert_ptr_eq(E.exp[e].store, st);
    bool stopped = false;
    for (int r = 0; r < 4; r++) {
        same_as_alone(&E, r, st, data, E.runs[r].seed_index ? TRAIN_SPLIT_AT_END
                                                            : TRAIN_SPLIT_EVERY_EPOCH);
        stopped |= E.runs[r].res.stopped_early;
    }
    ck_assert_msg(stopped, "no run stopped early: the test tests nothing of it");
    experiments_free(&E);
}

START_TEST(early_stopping_inside_the_run_without_it) {
    Mnist data = {0};
    RunStore st;
    if (!store_on_few_images(&data, &st, "early_stopping_inside_the_run_without_it")) return;
    inside_case(&data, &st, true);
    mnist_free(&data);
}
END_TEST

// So are they on the plain path, which the exercises train on, and with no
// store of the program's: the training keeps them in a scratch store of its
// own, and deletes it when it ends.
START_TEST(early_stopping_inside_on_the_plain_path) {
    Mnist data = {0};
    if (!few_images(&data, "early_stopping_inside_on_the_plain_path")) return;
    inside_case(&data, NULL, false);
    mnist_free(&data);
}
END_TEST

// A run folder too long for the scratch store is one error naming it, before
// anything trains.
START_TEST(scratch_store_path_too_long) {
    static Experiments E;
    memset(&E, 0, sizeof E);
    static char longdir[1100];
    memset(longdir, 'd', sizeof longdir - 1);
    longdir[0] = '/';
    Error err = {{0}};
    const char *configs[] = {"chapters/04-momentum/momentum.yaml",
                             "chapters/04-momentum/momentum-early-stop.yaml"};
    for (int i = 0; i < 2; i++) {
        Experiment *x = experiments_add(&E, configs[i], &err);
        ck_assert_msg(x != NULL, "%s", err.msg);
        x->ops = chapter6_ops(x->cfg.activation);
    }
    E.dir = longdir, E.seed = 1, E.workers = 1;
    ck_assert_int_eq(experiments_train(&E, &err), -1);
    // cut in the middle, so that the reason stays: the folder's length, and
    // the longest that leaves room for "/.inside" in the store's folder
    char reason[96];
    snprintf(reason, sizeof reason, "ddd: path too long (%zu characters, at most %zu)",
             sizeof longdir - 1, sizeof E.scratch.dir - sizeof "/.inside");
    ck_assert_msg(strncmp(err.msg, "/ddd", 4) == 0 && strstr(err.msg, "ddd...ddd") &&
                      strstr(err.msg, reason),
                  "%s (expected ...%s)", err.msg, reason);
    ck_assert_int_eq(E.runs[1].inside, 0);
    experiments_free(&E);
}
END_TEST
#endif

// Which runs measure the whole training split, as experiment.h says of
// train_metrics: the training takes it from here, and so does pace.c's
// estimate of how long the runs take.
START_TEST(train_split_by_seed) {
    Experiments E = {0};
    const struct {
        int metrics;
        TrainSplitMetrics first, later;
    } want[] = {
        {FIRST_SEEDS, TRAIN_SPLIT_EVERY_EPOCH, TRAIN_SPLIT_NEVER},
        {ALL_SEEDS, TRAIN_SPLIT_EVERY_EPOCH, TRAIN_SPLIT_EVERY_EPOCH},
        {NO_SEED, TRAIN_SPLIT_NEVER, TRAIN_SPLIT_NEVER},
        {FIRST_SEEDS_ENDS, TRAIN_SPLIT_EVERY_EPOCH, TRAIN_SPLIT_AT_END},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        E.train_metrics = want[i].metrics;
        ck_assert_int_eq(experiments_train_split(&E, 0), want[i].first);
        ck_assert_int_eq(experiments_train_split(&E, 1), want[i].later);
        ck_assert_int_eq(experiments_train_split(&E, 4), want[i].later);
    }
}
END_TEST

Suite *experiment_suite(void) {
    Suite *s = suite_create("experiment");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, tsv_numbers_read_back);
#ifndef WB_NO_SOLUTIONS
    tcase_add_test(tc, pace_names_a_slow_function);
#endif
    tcase_add_test(tc, tsv_print_aligns);
    tcase_add_test(tc, summary_keys_and_formats);
    tcase_add_test(tc, train_split_by_seed);
    tcase_add_test(tc, runs_side_by_side);
#ifndef WB_NO_SOLUTIONS
    tcase_add_test(tc, runs_taken_up_from_the_store);
    tcase_add_test(tc, early_stopping_inside_the_run_without_it);
    tcase_add_test(tc, early_stopping_inside_on_the_plain_path);
    tcase_add_test(tc, scratch_store_path_too_long);
#endif
    suite_add_tcase(s, tc);
    return s;
}
