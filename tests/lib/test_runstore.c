// test_runstore.c: a run's hash changes with each of its inputs and with nothing
// else; a run is found by its hash whatever its name, and only once finished;
// keeping one copies its metrics and writes its result last; taking one up
// gives back its result and weights exactly, or nothing; a scratch store
// starts empty, goes when removed, and refuses a link in its place.
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "net.h"
#include "runstore.h"
#include "suites.h"

static char dir[64];

static void setup(void) {
    snprintf(dir, sizeof dir, "/tmp/wb-runstore-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

// Three splits of two 4-pixel images each.
typedef struct {
    uint8_t pixels[3][8], labels[3][2];
    double mean[3][2], inv_sd[3][2];
    Mnist m;
} Tiny;

static void tiny(Tiny *t) {
    memset(t, 0, sizeof *t);
    Split *s[3] = {&t->m.train, &t->m.val, &t->m.test};
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < 8; i++) t->pixels[k][i] = (uint8_t)(10 * k + i);
        t->labels[k][0] = 1, t->labels[k][1] = 7;
        t->mean[k][0] = t->mean[k][1] = 0.5, t->inv_sd[k][0] = t->inv_sd[k][1] = 2.0;
        *s[k] = (Split){.n = 2, .dim = 4, .rows = 2, .cols = 2, .pixels = t->pixels[k],
                        .labels = t->labels[k], .mean = t->mean[k], .inv_sd = t->inv_sd[k]};
    }
    t->m.norm = NORM_PER_IMAGE;
}

static uint64_t key_of(const Tiny *t, const char *code, const Config *cfg, uint64_t seed) {
    RunStore st;
    Error err = {{0}};
    ck_assert_msg(runstore_open(&st, dir, code, NULL, &t->m, &err) == 0, "%s", err.msg);
    return runstore_key(&st, cfg, seed);
}

START_TEST(key_changes_with_each_input) {
    static Tiny t;
    tiny(&t);
    Config cfg;
    config_defaults(&cfg);
    uint64_t k = key_of(&t, "code", &cfg, 1);
    ck_assert_uint_eq(key_of(&t, "code", &cfg, 1), k);  // nothing else counts
    ck_assert_uint_ne(key_of(&t, "code", &cfg, 2), k);
    ck_assert_uint_ne(key_of(&t, "other code", &cfg, 1), k);
    Config c2 = cfg;
    c2.learning_rate *= 2;
    ck_assert_uint_ne(key_of(&t, "code", &c2, 1), k);
    t.pixels[2][5]++;  // a test image
    ck_assert_uint_ne(key_of(&t, "code", &cfg, 1), k);
    t.pixels[2][5]--;
    t.labels[1][0] = 2;  // a validation label
    ck_assert_uint_ne(key_of(&t, "code", &cfg, 1), k);
    t.labels[1][0] = 1;
    t.inv_sd[0][1] = 3.0;  // how a training image is normalized
    ck_assert_uint_ne(key_of(&t, "code", &cfg, 1), k);
    t.inv_sd[0][1] = 2.0;
    t.m.norm = NORM_PER_SPLIT;
    ck_assert_uint_ne(key_of(&t, "code", &cfg, 1), k);
    t.m.norm = NORM_PER_IMAGE;
    ck_assert_uint_eq(key_of(&t, "code", &cfg, 1), k);
}
END_TEST

// A small network with weights 0.5, 1.5, 2.5 ...
static void small_net(Net *net) {
    Error err = {{0}};
    ck_assert_msg(net_create(net, 2, (int[]){4, 3, 2}, &err) == 0, "%s", err.msg);
    for (int i = 0; i < net->n_params; i++) net->params[i] = i + 0.5;
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(found_by_hash_once_finished) {
    static Tiny t;
    tiny(&t);
    Config cfg;
    config_defaults(&cfg);
    RunStore st;
    Error err = {{0}};
    char sub[128], stem[RUNSTORE_STEM_MAX], found[RUNSTORE_STEM_MAX], path[512];
    snprintf(sub, sizeof sub, "%s/runs/deeper", dir);  // made when missing
    ck_assert_msg(runstore_open(&st, sub, "code", NULL, &t.m, &err) == 0, "%s", err.msg);
    uint64_t key = runstore_key(&st, &cfg, 3);
    ck_assert_int_eq(runstore_find(found, &st, key, &err), 0);

    // Kept by one program under its name: its metrics copied, its result last.
    runstore_stem(stem, "tanh", 3, key);
    char want[64];
    snprintf(want, sizeof want, "tanh-seed3-%016llx", (unsigned long long)key);
    ck_assert_str_eq(stem, want);
    snprintf(path, sizeof path, "%s/metrics-tanh.tsv", dir);
    write_file(path, "epoch\tval_loss\n0\t2.3\n");
    TrainResult res = {.epochs_run = 7, .kept_epoch = 4, .test_acc = 97.125};
    Net net;
    small_net(&net);
    ck_assert_msg(
        runstore_put(&st, stem, "tanh", 3, path, &res, &net, TRAIN_SPLIT_NEVER, &err) == 0, "%s",
        err.msg);
    net_free(&net);
    snprintf(path, sizeof path, "%s/%s.metrics.tsv", sub, stem);
    ck_assert_str_eq(lib_slurp(path), "epoch\tval_loss\n0\t2.3\n");
    snprintf(path, sizeof path, "%s/%s.tsv", sub, stem);
    ck_assert_ptr_nonnull(strstr(lib_slurp(path), "test_acc\t97.1250\n"));
    ck_assert_ptr_nonnull(strstr(lib_slurp(path), "kept_epoch\t4\n"));

    // Nothing else is left in the store: no temporary file.
    char cmd[300];
    snprintf(cmd, sizeof cmd, "test $(ls -A '%s' | wc -l) -eq 3", sub);
    ck_assert_msg(system(cmd) == 0, "more than the run's three files in %s", sub);

    // Found by another under its hash alone.
    ck_assert_int_eq(runstore_find(found, &st, key, &err), 1);
    ck_assert_str_eq(found, stem);
    ck_assert_int_eq(runstore_find(found, &st, key + 1, &err), 0);

    // A run whose result is missing is not finished: not found.
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(runstore_find(found, &st, key, &err), 0);
}
END_TEST

// A store in the test's folder, on the tiny data, and a run's metrics file
// there (its path into metrics) holding text.
static void store_with_metrics(RunStore *st, char *metrics, size_t size, const char *text) {
    static Tiny t;
    tiny(&t);
    Error err = {{0}};
    ck_assert_msg(runstore_open(st, dir, "code", NULL, &t.m, &err) == 0, "%s", err.msg);
    snprintf(metrics, size, "%s/m.tsv", dir);
    write_file(metrics, text);
}

// Two processes keeping the same run at once, over and over (make -j2 runs
// two chapters that train the same run): the result is always one of theirs,
// whole.
START_TEST(kept_at_once_stays_whole) {
    RunStore st;
    Error err = {{0}};
    char metrics[128], path[256], stem[RUNSTORE_STEM_MAX];
    store_with_metrics(&st, metrics, sizeof metrics, "epoch\tval_loss\n0\t2.3\n");
    runstore_stem(stem, "plain", 1, 42);
    pid_t kid[2];
    for (int k = 0; k < 2; k++) {
        kid[k] = fork();
        ck_assert_int_ge(kid[k], 0);
        if (kid[k] == 0) {
            TrainResult res = {.epochs_run = k ? 12345 : 7, .test_acc = k ? 11.0 : 99.5};
            Net net;
            small_net(&net);
            for (int i = 0; i < 300; i++)
                if (runstore_put(&st, stem, k ? "a-much-longer-experiment-name" : "x", 1, metrics,
                                 &res, &net, k ? TRAIN_SPLIT_AT_END : TRAIN_SPLIT_NEVER,
                                 &err) != 0)
                    _exit(1);
            _exit(0);
        }
    }
    for (int k = 0; k < 2; k++) {
        int status;
        ck_assert_int_eq(waitpid(kid[k], &status, 0), kid[k]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a writer failed");
    }
    snprintf(path, sizeof path, "%s/%s.tsv", dir, stem);
    const char *text = lib_slurp(path);
    ck_assert_ptr_nonnull(text);
    bool one = strstr(text, "experiment\tx\n") && strstr(text, "epochs_run\t7\n") &&
               !strstr(text, "longer"),
         other = strstr(text, "experiment\ta-much-longer-experiment-name\n") &&
                 strstr(text, "epochs_run\t12345\n") && !strstr(text, "\tx\n");
    ck_assert_msg(one != other && strstr(text, "fast_threads\t0\n"), "mixed:\n%s", text);
}
END_TEST

// A kept run taken up: its result and its weights exactly as they were kept
// (the TSV's numbers are rounded), its metrics where the program wants them;
// and refused, with nothing changed, where it cannot stand in for a run.
START_TEST(taken_up_exactly) {
    RunStore st;
    Error err = {{0}};
    char metrics[128], path[256], stem[RUNSTORE_STEM_MAX];
    store_with_metrics(&st, metrics, sizeof metrics, "epoch\ttrain_loss\n0\t2.3\n");
    runstore_stem(stem, "relu", 2, 7);
    TrainResult kept = {.epochs_run = 9, .best_epoch = 6, .kept_epoch = 6, .stopped_early = true,
                        .best_val_loss = 0.1 / 3, .test_loss = 2.0 / 7, .test_acc = 97.77,
                        .val_acc = 96.5, .seconds = 1.25, .epoch_seconds = 0.125,
                        .fast_threads = 1};
    Net net, back, other;
    small_net(&net);
    ck_assert_msg(runstore_put(&st, stem, "relu", 2, metrics, &kept, &net,
                               TRAIN_SPLIT_EVERY_EPOCH, &err) == 0,
                  "%s", err.msg);

    TrainResult res = {0};
    small_net(&back);
    for (int i = 0; i < back.n_params; i++) back.params[i] = -1;
    snprintf(path, sizeof path, "%s/taken.tsv", dir);
    ck_assert_int_eq(runstore_get(&st, stem, &res, &back, path, TRAIN_SPLIT_EVERY_EPOCH, &err), 1);
    ck_assert(res.epochs_run == 9 && res.best_epoch == 6 && res.kept_epoch == 6 &&
              res.stopped_early && res.fast_threads == 1);
    ck_assert(res.best_val_loss == kept.best_val_loss && res.test_loss == kept.test_loss &&
              res.test_acc == kept.test_acc && res.val_acc == kept.val_acc &&
              res.seconds == kept.seconds && res.epoch_seconds == kept.epoch_seconds);
    ck_assert_mem_eq(back.params, net.params, sizeof(double) * (size_t)net.n_params);
    ck_assert_str_eq(lib_slurp(path), "epoch\ttrain_loss\n0\t2.3\n");

    // Measured on the training split at other epochs than the program's run
    // would be: its metrics file would differ from the run's, so it trains.
    runstore_stem(stem, "relu", 3, 8);
    ck_assert_int_eq(
        runstore_put(&st, stem, "relu", 3, metrics, &kept, &net, TRAIN_SPLIT_AT_END, &err), 0);
    TrainSplitMetrics other_splits[] = {TRAIN_SPLIT_EVERY_EPOCH, TRAIN_SPLIT_NEVER};
    snprintf(path, sizeof path, "%s/not-taken.tsv", dir);
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < back.n_params; i++) back.params[i] = -1;
        res = (TrainResult){0};
        ck_assert_int_eq(runstore_get(&st, stem, &res, &back, path, other_splits[k], &err), 0);
        ck_assert_double_eq(back.params[0], -1);
        ck_assert_int_eq(res.epochs_run, 0);
        ck_assert_int_ne(access(path, F_OK), 0);
    }
    ck_assert_int_eq(runstore_get(&st, stem, &res, &back, path, TRAIN_SPLIT_AT_END, &err), 1);

    // Not finished (its result, written last, is missing): trains.
    char tsv_path[300], kept_tsv[300];
    snprintf(tsv_path, sizeof tsv_path, "%s/%s.tsv", dir, stem);
    snprintf(kept_tsv, sizeof kept_tsv, "%s/kept.tsv", dir);
    ck_assert_int_eq(rename(tsv_path, kept_tsv), 0);
    ck_assert_int_eq(runstore_get(&st, stem, &res, &back, path, TRAIN_SPLIT_AT_END, &err), 0);
    ck_assert_int_eq(rename(kept_tsv, tsv_path), 0);

    // Another network's weights, a file longer or cut short, or none: trains.
    ck_assert_msg(net_create(&other, 2, (int[]){4, 5, 2}, &err) == 0, "%s", err.msg);
    ck_assert_int_eq(runstore_get(&st, stem, &res, &other, path, TRAIN_SPLIT_AT_END, &err), 0);
    char net_path[300];
    snprintf(net_path, sizeof net_path, "%s/%s.net", dir, stem);
    FILE *f = fopen(net_path, "ab");  // longer than the weights: not one whole run
    ck_assert_ptr_nonnull(f);
    fputc('x', f);
    fclose(f);
    ck_assert_int_eq(runstore_get(&st, stem, &res, &back, path, TRAIN_SPLIT_AT_END, &err), 0);
    ck_assert_int_eq(truncate(net_path, 100), 0);
    ck_assert_int_eq(runstore_get(&st, stem, &res, &back, path, TRAIN_SPLIT_AT_END, &err), 0);
    ck_assert_int_eq(unlink(net_path), 0);
    ck_assert_int_eq(runstore_get(&st, stem, &res, &back, path, TRAIN_SPLIT_AT_END, &err), 0);
    net_free(&net), net_free(&back), net_free(&other);
}
END_TEST

// A scratch store starts empty, whatever an interrupted training left there,
// and is gone once removed; a link in its place is refused, and what it
// points to is left as it was.
START_TEST(scratch_starts_empty_and_goes) {
    char path[200], scratch[128], victim[128];
    Error err = {{0}};
    RunStore st;
    snprintf(scratch, sizeof scratch, "%s/.inside", dir);
    ck_assert_int_eq(mkdir(scratch, 0777), 0);
    snprintf(path, sizeof path, "%s/left-seed1-0000000000000000.tsv", scratch);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    ck_assert_msg(runstore_scratch(&st, scratch, &err) == 0, "%s", err.msg);
    ck_assert_int_ne(access(path, F_OK), 0);
    ck_assert_int_eq(access(scratch, W_OK), 0);
    runstore_remove(&st);
    ck_assert_int_ne(access(scratch, F_OK), 0);

    snprintf(victim, sizeof victim, "%s/victim", dir);
    ck_assert_int_eq(mkdir(victim, 0777), 0);
    snprintf(path, sizeof path, "%s/keep.tsv", victim);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    ck_assert_int_eq(symlink(victim, scratch), 0);
    ck_assert_int_eq(runstore_scratch(&st, scratch, &err), -1);
    ck_assert_msg(strstr(err.msg, scratch) && strstr(err.msg, "link"), "%s", err.msg);
    ck_assert_int_eq(access(path, F_OK), 0);
}
END_TEST

START_TEST(bad_places_named) {
    static Tiny t;
    tiny(&t);
    RunStore st;
    Error err = {{0}};
    char path[128];
    snprintf(path, sizeof path, "%s/file", dir);
    write_file(path, "not a folder");
    ck_assert_int_eq(runstore_open(&st, path, "code", NULL, &t.m, &err), -1);
    ck_assert_msg(strstr(err.msg, "file") != NULL, "%s", err.msg);
    // A metrics file that is not there: the error names it, no result appears.
    ck_assert_int_eq(runstore_open(&st, dir, "code", NULL, &t.m, &err), 0);
    TrainResult res = {0};
    snprintf(path, sizeof path, "%s/missing.tsv", dir);
    Net net;
    small_net(&net);
    ck_assert_int_eq(
        runstore_put(&st, "x-seed1-0000000000000001", "x", 1, path, &res, &net, TRAIN_SPLIT_NEVER,
                     &err),
        -1);
    net_free(&net);
    ck_assert_msg(strstr(err.msg, "missing.tsv") != NULL, "%s", err.msg);
    snprintf(path, sizeof path, "%s/x-seed1-0000000000000001.tsv", dir);
    ck_assert_int_ne(access(path, F_OK), 0);
}
END_TEST

Suite *runstore_suite(void) {
    Suite *s = suite_create("runstore");
    TCase *tc = lib_tcase("runstore");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, key_changes_with_each_input);
    tcase_add_test(tc, found_by_hash_once_finished);
    tcase_add_test(tc, kept_at_once_stays_whole);
    tcase_add_test(tc, taken_up_exactly);
    tcase_add_test(tc, bad_places_named);
    tcase_add_test(tc, scratch_starts_empty_and_goes);
    suite_add_tcase(s, tc);
    return s;
}
