// main.c: chapter 7, the hardest digits. Trains the network of chapter 4
// (784-128-10, tanh, learning rate 0.001, batch 128, momentum 0.9, early
// stopping with patience 3: the study's section 4.2.4, as
// chapters/07-hardest/momentum-early-stop.yaml says) on your functions of
// chapters 2 to 4, once per seed, the runs side by side. Then it passes the
// 10,000 test images through each trained network and, with this chapter's
// exercises, gives each image its own loss, finds the sixteen with the
// highest (the study's Figure 8), counts which digits are taken for which,
// and asks whether the hardest digits are the same from one seed to the next.
// It leaves the metrics, the figures, the tables and the numbers the book
// quotes in the run folder.
//
//   build/bin/ch7-solutions                  the book's run: four seeds
//   build/bin/ch7-solutions --config FILE    another network of the same kind, one seed
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ch1.h"
#include "ch2.h"
#include "ch3.h"
#include "ch4.h"
#include "ch7.h"
#include "cli.h"
#include "config.h"
#include "dataset.h"
#include "exercise.h"
#include "linalg.h"
#include "metrics.h"
#include "output.h"
#include "plot.h"
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

// The study's numbers for this network. It ran the same settings twice: in
// section 4.2.4 (momentum and early stopping) and again in section 6.2.1 (the
// tanh run of its activation experiments).
static const double STUDY_ACC = 96.62, STUDY_TANH_ACC = 97.15;
static const int STUDY_EPOCHS = 7, STUDY_TANH_EPOCHS = 10;

// One training run, and what its process hands back.
typedef struct {
    uint64_t seed;
    char tsv[96];          // its metrics, in the run folder
    int rc;                // 0, or -1 with msg
    TrainResult res;
    double wall;           // seconds, from the first weight drawn to the test probabilities
    char msg[ERROR_LEN];
    double *probs;         // [n_test, 10], the test set through the kept weights
} Job;

typedef struct {
    Options opt;
    Config cfg;
    const char *config_path;
    char name[64];         // the config's base name: NAME.tsv, curves-NAME.svg
    int n_seeds, workers;
    Job jobs[MAX_SEEDS];
    Values values;
    char path[4096];
} Run;

static const char *run_file(Run *run, const char *name) {
    snprintf(run->path, sizeof run->path, "%s/%s", run->opt.out_dir, name);
    return run->path;
}

static void step(int k, const char *what) {
    progress_done();
    printf("[%d/%d] %s\n", k, STEPS, what);
    fflush(stdout);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

// A chapter program that finds your function wrong stops here, with one line.
_Noreturn static void wrong(const Run *run, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
_Noreturn static void wrong(const Run *run, const char *fmt, ...) {
    progress_done();
    fflush(stdout);
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s: run `make check-ch7` to see which property fails\n", run->opt.prog,
            msg);
    exit(1);
}

static double mean_of(const double *x, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) s += x[i];
    return s / n;
}

static double sd_of(const double *x, int n) {
    if (n < 2) return 0;
    double m = mean_of(x, n), s = 0;
    for (int i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
    return sqrt(s / (n - 1));
}

// top_k's answer, before the program uses it: k distinct indices below n.
static void check_indices(const Run *run, const int *idx, int k, int n) {
    unsigned char *seen = calloc((size_t)n, 1);
    if (!seen) wrong(run, "out of memory");
    for (int j = 0; j < k; j++) {
        if (idx[j] < 0 || idx[j] >= n)
            wrong(run, "top_k with n = %d and k = %d gave idx[%d] = %d, which is no index of x",
                  n, k, j, idx[j]);
        if (seen[idx[j]]++)
            wrong(run, "top_k with n = %d and k = %d gave index %d twice (idx[%d])", n, k,
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

//> ops
// The training loop of lib/train.h calls your functions of chapters 2 to 4:
// the network of chapter 4, exactly.
static TrainOps chapter_ops(void) {
    return (TrainOps){
        .softmax = softmax, .cross_entropy = cross_entropy, .count_correct = count_correct,
        .sgd_step = sgd_step,                                        // chapter 2
        .linear_forward = linear_forward, .linear_backward = linear_backward,
        .output_delta = output_delta,
        .act_forward = tanh_forward, .act_backward = tanh_backward,  // chapter 3
        .momentum_step = momentum_step, .should_stop = should_stop,  // chapter 4
    };
}
//< ops

//> predict
// The network's probabilities for every example of split s, in order:
// probs[i * 10 + k] is the probability it gives digit k for example i. It is
// the training loop's forward pass, on your functions, CHUNK examples at a
// time: a linear layer and tanh (in place) for each hidden layer, then the
// last linear layer and softmax (in place) straight into probs.
static int predict(double *probs, const Net *net, const TrainOps *ops, const Split *s,
                   Error *err) {
    enum { CHUNK = 500 };
    int L = net->n_layers, K = net->sizes[L], widest = 1;
    for (int l = 1; l < L; l++) widest = net->sizes[l] > widest ? net->sizes[l] : widest;
    double *x = error_calloc(err, (size_t)CHUNK * net->sizes[0], sizeof(double), "a chunk");
    double *h[2] = {error_calloc(err, (size_t)CHUNK * widest, sizeof(double), "activations"),
                    error_calloc(err, (size_t)CHUNK * widest, sizeof(double), "activations")};
    if (!x || !h[0] || !h[1]) {
        free(x), free(h[0]), free(h[1]);
        return -1;
    }
    for (int start = 0; start < s->n; start += CHUNK) {
        int B = s->n - start < CHUNK ? s->n - start : CHUNK;
        split_range(x, NULL, s, start, B);
        const double *inp = x;
        for (int l = 0; l < L; l++) {
            int in = net->sizes[l], out = net->sizes[l + 1];
            double *z = l == L - 1 ? probs + (size_t)start * K : h[l % 2];
            ops->linear_forward(z, inp, net->W[l], net->b[l], B, in, out);
            if (l < L - 1)
                ops->act_forward(z, z, B * out);
            else
                ops->softmax(z, z, B, out);
            inp = z;
        }
    }
    free(x), free(h[0]), free(h[1]);
    return 0;
}
//< predict

// ---------------------------------------------------------------------------
// Step 1: the experiment

static const char *base_name(const char *path, char *buf, size_t size) {
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    snprintf(buf, size, "%s", b);
    char *dot = strrchr(buf, '.');
    if (dot && dot != buf) *dot = '\0';
    for (char *c = buf; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_'))
            *c = '_';
    return buf;
}

static int read_config(Run *run, Error *err) {
    step(1, "read the experiment");
    run->config_path = run->opt.config ? run->opt.config : DEFAULT_CONFIG;
    base_name(run->config_path, run->name, sizeof run->name);
    Config *c = &run->cfg;
    const char *path = run->config_path;
    if (config_load(c, path, err) != 0) return -1;
    cli_take_config_seed(&run->opt, c->seed);
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
    if (run->opt.max_epochs > 0 && c->epochs > run->opt.max_epochs)
        c->epochs = run->opt.max_epochs;  // --max-epochs: a quick run
    run->n_seeds = run->opt.seeds_given ? run->opt.seeds : run->opt.config ? 1 : BOOK_SEEDS;
    if (run->n_seeds > MAX_SEEDS) run->n_seeds = MAX_SEEDS;
    printf("      %s: layers [", path);
    for (int l = 0; l < c->n_layers; l++) printf(l ? ", %d" : "%d", c->layer_specs[l]);
    printf("], %s, rate %g, batch %d, at most %d epochs", activation_name(c->activation),
           c->learning_rate, c->batch_size, c->epochs);
    if (c->momentum) printf(", momentum %g", c->momentum_gamma);
    if (c->early_stop) printf(", early stopping (patience %d)", c->early_stop_epoch);
    printf("\n      %d seed%s, from %llu\n", run->n_seeds, run->n_seeds > 1 ? "s" : "",
           (unsigned long long)run->opt.seed);
    Values *v = &run->values;
    values_set(v, "learning_rate", "%g", c->learning_rate);
    values_set(v, "batch_size", "%d", c->batch_size);
    values_set(v, "hidden", "%d", c->layer_specs[1]);
    values_set(v, "max_epochs", "%d", c->epochs);
    values_set(v, "momentum", "%s", c->momentum ? "true" : "false");
    values_set(v, "gamma", "%g", c->momentum_gamma);
    values_set(v, "early_stop", "%s", c->early_stop ? "true" : "false");
    values_set(v, "patience", "%d", c->early_stop_epoch);
    values_set(v, "seed", "%llu", (unsigned long long)run->opt.seed);
    values_set(v, "seeds", "%d", run->n_seeds);
    values_set(v, "last_seed", "%llu", (unsigned long long)(run->opt.seed + run->n_seeds - 1));
    values_set(v, "hardest", "%d", HARDEST);
    return 0;
}

// The config against the data: the sizes of the first and last layers, and
// a batch no larger than the training split.
static int check_against_data(const Run *run, const Mnist *data, Error *err) {
    const Config *c = &run->cfg;
    const char *path = run->config_path;
    if (c->layer_specs[0] != data->train.dim)
        return error_set(err, "%s: layer_specs: %d inputs, but the images have %d pixels", path,
                         c->layer_specs[0], data->train.dim);
    if (c->layer_specs[c->n_layers - 1] != C)
        return error_set(err, "%s: layer_specs: %d outputs, but there are %d digits", path,
                         c->layer_specs[c->n_layers - 1], C);
    if (c->batch_size > data->train.n)
        return error_set(err, "%s: batch_size: %d is more than the %d training examples", path,
                         c->batch_size, data->train.n);
    if (data->test.n < HARDEST)
        return error_set(err, "%s: %d test images, but the chapter shows the %d hardest: a "
                              "--limit of at least %d", MNIST_FILES[2], data->test.n, HARDEST,
                         HARDEST);
    return 0;
}

// ---------------------------------------------------------------------------
// Step 3: your functions on small cases, then every function at once

static void small_cases(Run *run) {
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
            wrong(run, "per_example_loss of the rows {0.5, 0.25, 0.25}, {0.25, 0.5, 0.25} and "
                       "{0, 0, 1} with the labels 0, 0, 1: row %d should lose %.6f, got %.6f",
                  i, want[i], loss[i]);
    printf("      per_example_loss: ln 2 = %.4f, ln 4 = %.4f and -ln(1e-15) = %.2f\n", loss[0],
           loss[1], loss[2]);
    // top_k: ties go to the lower index.
    const double x[8] = {0.3, 2.0, -1, 2.0, 0.7, 5.5, 0.7, 0.7};
    const int want_idx[5] = {5, 1, 3, 4, 6};
    int idx[5];
    top_k(idx, x, 8, 5);
    for (int j = 0; j < 5; j++)
        if (idx[j] != want_idx[j])
            wrong(run, "top_k of {0.3, 2, -1, 2, 0.7, 5.5, 0.7, 0.7} with k = 5 should give "
                       "{5, 1, 3, 4, 6}, but idx[%d] = %d", j, idx[j]);
    printf("      top_k: the 5 largest of {0.3, 2, -1, 2, 0.7, 5.5, 0.7, 0.7} are at "
           "{5, 1, 3, 4, 6}\n");
    // confusion_matrix: the same three rows.
    int counts[9];
    confusion_matrix(counts, y, labels, 3, 3);
    const int want_counts[9] = {1, 1, 0, 0, 0, 1, 0, 0, 0};
    for (int c = 0; c < 9; c++)
        if (counts[c] != want_counts[c])
            wrong(run, "confusion_matrix of the rows {0.5, 0.25, 0.25}, {0.25, 0.5, 0.25} and "
                       "{0, 0, 1} with the labels 0, 0, 1: label %d answered %d should count "
                       "%d, got %d", c / 3, c % 3, want_counts[c], counts[c]);
    printf("      confusion_matrix: label 0 answered 0 once and 1 once; label 1 answered 2 "
           "once\n");
    // Chapter 2's cross_entropy() is the mean of the same losses.
    double mean = (loss[0] + loss[1] + loss[2]) / 3, ce = cross_entropy(y, t, 3, 3);
    if (!(fabs(mean - ce) <= 1e-12 * ce))
        wrong(run, "the mean of per_example_loss's three losses is %.10g, but cross_entropy() "
                   "of the same rows is %.10g: they must agree (run `make check-ch2` too)",
              mean, ce);
    printf("      the mean of the three losses, %.4f, is your cross_entropy()'s\n", ce);
}

// Every function the long runs call, on a couple of hundred images: an
// unfinished exercise stops the program here, with its one line, before the
// runs start side by side.
static int quick_pass(Run *run, const Mnist *data, Error *err) {
    Mnist small = *data;  // views of the first examples: nothing to free
    small.train.n = data->train.n < CHECK_EXAMPLES ? data->train.n : CHECK_EXAMPLES;
    small.val.n = data->val.n < CHECK_EXAMPLES ? data->val.n : CHECK_EXAMPLES;
    small.test.n = data->test.n < CHECK_EXAMPLES ? data->test.n : CHECK_EXAMPLES;
    TrainOps ops = chapter_ops();
    Config c = run->cfg;
    c.epochs = 2, c.batch_size = c.batch_size < 32 ? c.batch_size : 32;
    if (c.batch_size > small.train.n) c.batch_size = small.train.n;
    c.early_stop_epoch = 1;
    Net net;
    TrainResult res;
    if (net_create(&net, &c, err) != 0) return -1;
    net_init(&net, run->opt.seed, 0);
    const char *tsv = run_file(run, "check.tsv");
    bool quiet = progress_quiet;
    progress_quiet = true;
    int rc = train(&res, &net, &ops, &c, &small, run->opt.seed, tsv, "check", err);
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
    if (rc == 0) rc = predict(probs, &net, &ops, &small.test, err);
    if (rc == 0) {
        int right = count_correct(probs, small.test.labels, small.test.n, C);
        if (fabs(right - res.test_acc * small.test.n / 100.0) > 1.0 + 1e-6)
            wrong(run, "the forward pass over %d test images got %d right (%.2f%%), but the "
                       "training loop measured %.2f%% with the same weights",
                  small.test.n, right, 100.0 * right / small.test.n, res.test_acc);
    }
    free(probs);
    unlink(tsv);
    net_free(&net);
    if (rc == 0) printf("      every function ran on %d images\n", small.train.n);
    return rc;
}

// ---------------------------------------------------------------------------
// Step 4: the runs, one process each, as many at once as there are cores.
// A run's process writes its Job and its test probabilities to a file in the
// run folder, which the parent reads and removes.

static void job_file(Run *run, const Job *job, char *buf, size_t size) {
    snprintf(buf, size, "%s/.job-seed%llu.bin", run->opt.out_dir,
             (unsigned long long)job->seed);
}

static void job_run(Run *run, const Mnist *data, Job *job, double *probs) {
    double t0 = now();
    Error err = {{0}};
    TrainOps ops = chapter_ops();
    Net net;
    char label[96];
    snprintf(label, sizeof label, "%s, seed %llu", run->name, (unsigned long long)job->seed);
    job->rc = net_create(&net, &run->cfg, &err);
    if (job->rc == 0) {
        //> one-run
        net_init(&net, job->seed, 0);  // sd 0: 1/sqrt(fan_in), as in chapter 4
        job->rc = train(&job->res, &net, &ops, &run->cfg, data, job->seed,
                        run_file(run, job->tsv), label, &err);
        if (job->rc == 0) job->rc = predict(probs, &net, &ops, &data->test, &err);
        //< one-run
        net_free(&net);
    }
    job->wall = now() - t0;
    snprintf(job->msg, sizeof job->msg, "%s", err.msg);
}

// In the worker process: train, then write the Job and the probabilities.
_Noreturn static void worker(Run *run, const Mnist *data, Job *job) {
    if (run->workers > 1) progress_quiet = true;  // one line at a time on screen
    size_t n = (size_t)data->test.n * C;
    double *probs = job->probs;  // this process's copy of the parent's buffer
    job_run(run, data, job, probs);
    char path[4200];
    job_file(run, job, path, sizeof path);
    OutFile o;
    Error err;
    int ok = out_open(&o, path, &err) == 0;
    if (ok) {
        fwrite(job, sizeof *job, 1, o.f);
        fwrite(probs, sizeof(double), n, o.f);
        ok = out_commit(&o, &err) == 0;
    }
    fflush(stdout);
    fflush(stderr);
    _exit(ok ? 0 : 1);
}

// In the parent: read what a finished worker wrote.
static int collect(Run *run, Job *job, int status, size_t n_probs, Error *err) {
    if (WIFEXITED(status) && WEXITSTATUS(status) == EXERCISE_UNFINISHED) {
        fflush(stdout);
        exit(EXERCISE_UNFINISHED);  // the worker has said which exercise
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return error_set(err, "the run with seed %llu %s %d", (unsigned long long)job->seed,
                         WIFSIGNALED(status) ? "was killed by signal" : "ended with status",
                         WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    char path[4200];
    job_file(run, job, path, sizeof path);
    FILE *f = fopen(path, "rb");
    if (!f) return error_set(err, "%s: %s", path, strerror(errno));
    double *probs = job->probs;
    bool ok = fread(job, sizeof *job, 1, f) == 1 && fread(probs, sizeof(double), n_probs, f) ==
                                                        n_probs;
    job->probs = probs;
    fclose(f);
    unlink(path);
    if (!ok) return error_set(err, "%s: the run's results are cut short", path);
    if (job->rc != 0) return error_set(err, "the run with seed %llu: %s",
                                       (unsigned long long)job->seed, job->msg);
    return 0;
}

static int run_jobs(Run *run, const Mnist *data, Error *err) {
    struct {
        pid_t pid;
        int job;
    } w[64];
    int next = 0, busy = 0, rc = 0;
    size_t n_probs = (size_t)data->test.n * C;
    fflush(stdout);
    fflush(stderr);
    while ((next < run->n_seeds && rc == 0) || busy > 0) {
        if (rc == 0 && next < run->n_seeds && busy < run->workers) {
            pid_t pid = fork();
            if (pid < 0) {
                rc = error_set(err, "fork: %s", strerror(errno));
                continue;
            }
            if (pid == 0) worker(run, data, &run->jobs[next]);
            w[busy].pid = pid, w[busy].job = next++, busy++;
            continue;
        }
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            rc = error_set(err, "waitpid: %s", strerror(errno));
            break;
        }
        int i = 0;
        while (i < busy && w[i].pid != pid) i++;
        if (i == busy) continue;
        Job *job = &run->jobs[w[i].job];
        w[i] = w[--busy];
        Error e2;
        if (collect(run, job, status, n_probs, &e2) != 0) {
            if (rc == 0) *err = e2, rc = -1;
            for (int k = 0; k < busy; k++) kill(w[k].pid, SIGTERM);  // their results are moot
        } else {
            const TrainResult *r = &job->res;
            progress_done();
            printf("      seed %-3llu %3d epochs, kept %3d: test accuracy %.2f%%  (%.0f s)\n",
                   (unsigned long long)job->seed, r->epochs_run, r->kept_epoch, r->test_acc,
                   job->wall);
            fflush(stdout);
        }
    }
    return rc;
}

static void seed_summary(Run *run) {
    double acc[MAX_SEEDS], ep[MAX_SEEDS], kept[MAX_SEEDS];
    int S = run->n_seeds;
    for (int s = 0; s < S; s++) {
        acc[s] = run->jobs[s].res.test_acc;
        ep[s] = run->jobs[s].res.epochs_run;
        kept[s] = run->jobs[s].res.kept_epoch;
    }
    double lo = acc[0], hi = acc[0], elo = ep[0], ehi = ep[0];
    for (int s = 1; s < S; s++) {
        lo = fmin(lo, acc[s]), hi = fmax(hi, acc[s]);
        elo = fmin(elo, ep[s]), ehi = fmax(ehi, ep[s]);
    }
    const Job *first = &run->jobs[0];
    const TrainResult *r = &first->res;
    Values *v = &run->values;
    values_set(v, "test_acc", "%.2f", r->test_acc);
    values_set(v, "test_loss", "%.4f", r->test_loss);
    values_set(v, "val_acc", "%.2f", r->val_acc);
    values_set(v, "epochs", "%d", r->epochs_run);
    values_set(v, "kept", "%d", r->kept_epoch);
    values_set(v, "stopped_early", "%s", r->stopped_early ? "yes" : "no");
    values_set(v, "run_seconds", "%.0f", first->wall);
    values_set(v, "epoch_seconds", "%.2f", r->seconds / (r->epochs_run ? r->epochs_run : 1));
    values_set(v, "mean_acc", "%.2f", mean_of(acc, S));
    values_set(v, "sd_acc", "%.2f", sd_of(acc, S));
    values_set(v, "min_acc", "%.2f", lo);
    values_set(v, "max_acc", "%.2f", hi);
    values_set(v, "min_epochs", "%.0f", elo);
    values_set(v, "max_epochs_run", "%.0f", ehi);
    values_set(v, "mean_epochs", "%.1f", mean_of(ep, S));
    values_set(v, "mean_kept", "%.1f", mean_of(kept, S));
    values_set(v, "study_acc", "%.2f", STUDY_ACC);
    values_set(v, "study_epochs", "%d", STUDY_EPOCHS);
    values_set(v, "study_tanh_acc", "%.2f", STUDY_TANH_ACC);
    values_set(v, "study_tanh_epochs", "%d", STUDY_TANH_EPOCHS);
    values_set(v, "study_gap", "%.2f", STUDY_TANH_ACC - STUDY_ACC);
    values_set(v, "gap", "%+.2f", r->test_acc - STUDY_ACC);
    values_set(v, "mean_gap", "%+.2f", mean_of(acc, S) - STUDY_ACC);
    values_set(v, "mean_gap_tanh", "%+.2f", mean_of(acc, S) - STUDY_TANH_ACC);
    printf("      the study: %.2f%% after %d epochs (section 4.2.4), and %.2f%% after %d with "
           "the same settings (6.2.1)\n", STUDY_ACC, STUDY_EPOCHS, STUDY_TANH_ACC,
           STUDY_TANH_EPOCHS);
    printf("      ours, seed %llu: %.2f%% (%d epochs, kept %d)", (unsigned long long)first->seed,
           r->test_acc, r->epochs_run, r->kept_epoch);
    if (S > 1)
        printf("; over %d seeds %.2f ± %.2f%% (%.2f to %.2f), %.0f to %.0f epochs", S,
               mean_of(acc, S), sd_of(acc, S), lo, hi, elo, ehi);
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
    if (out_open(&md, run_file(run, "hardest.md"), err) != 0) return -1;
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
    snprintf(lpath, sizeof lpath, "%s/hardest_labels.tsv", run->opt.out_dir);
    int rc = plot_write_grid(run_file(run, "hardest.dat"), lpath, img, n, test->rows, test->cols,
                             GRID_COLS, caps, err);
    free(img);
    return rc;
}

// The confusion matrix, for gnuplot, and the per-digit and pair tables.
static int confusion_outputs(Run *run, const Analysis *a, Error *err) {
    const int *cm = a->counts;
    Values *v = &run->values;
    OutFile o;
    if (out_open(&o, run_file(run, "confusion.tsv"), err) != 0) return -1;
    fprintf(o.f, "true\tanswer\tcount\n");
    for (int t = 0; t < C; t++) {
        for (int p = 0; p < C; p++) fprintf(o.f, "%d\t%d\t%d\n", t, p, cm[t * C + p]);
    }
    if (out_commit(&o, err) != 0) return -1;

    // Each digit: how many, how many right, and what it is most often taken for.
    if (out_open(&o, run_file(run, "digits.md"), err) != 0) return -1;
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
    if (out_open(&o, run_file(run, "pairs.md"), err) != 0) return -1;
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
    if (out_open(&o, run_file(run, "test-losses.tsv"), err) != 0) return -1;
    fprintf(o.f, "image\tlabel\tanswer\tp_label\tloss\n");
    for (int i = 0; i < a->n; i++) {
        const double *y = probs + (size_t)i * C;
        fprintf(o.f, "%d\t%d\t%d\t%.6g\t%.6g\n", i, test->labels[i], answer(y),
                y[test->labels[i]], a->loss[i]);
    }
    return out_commit(&o, err);
}

static int analyse(Run *run, Analysis *a, const Mnist *data, int *wrong_in, Error *err) {
    const Split *test = &data->test;
    const Job *job = &run->jobs[0];
    const double *probs = job->probs;
    Values *v = &run->values;
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
        wrong(run, "the mean of per_example_loss over the %d test images is %.10g, but the "
                   "training loop's test loss (cross_entropy) is %.10g", n, mean,
              job->res.test_loss);
    int right = 0, all = 0;
    for (int t = 0; t < C; t++)
        for (int p = 0; p < C; p++) {
            all += a->counts[t * C + p];
            if (t == p) right += a->counts[t * C + p];
        }
    if (all != n)
        wrong(run, "confusion_matrix counted %d images in all, but the test set has %d", all, n);
    // (one image of slack: the loop may have summed in another order, and a
    // near tie gone the other way)
    if (fabs(right - job->res.test_acc * n / 100.0) > 1.0 + 1e-6)
        wrong(run, "confusion_matrix's diagonal holds %d right answers (%.2f%%), but the "
                   "training loop measured %.2f%% (count_correct)", right, 100.0 * right / n,
              job->res.test_acc);
    for (int j = 1; j < n; j++)
        if (a->loss[a->order[j]] > a->loss[a->order[j - 1]])
            wrong(run, "top_k over all %d test losses is out of order at place %d: %.6g after "
                       "%.6g", n, j, a->loss[a->order[j]], a->loss[a->order[j - 1]]);
    for (int j = 0; j < HARDEST && j < n; j++)
        if (a->hardest[j] != a->order[j])
            wrong(run, "top_k with k = %d and with k = %d disagree at place %d: %d and %d",
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
        sure += y[answer(y)] > 0.9;
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
    // the ratio to two significant digits: 49845 is "about 50000"
    double ratio = a->loss[h1] / median, unit = pow(10, floor(log10(ratio)) - 1);
    values_set(v, "hardest1_over_median", "%.0f", round(ratio / unit) * unit);
    printf("      the %d hardest: %d answered wrongly, %d of them with p(answer) > 0.9; "
           "p(label) at most %.2g\n", HARDEST, wrong16, sure, p_max);
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
    Values *v = &run->values;
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
    step(7, "draw the curves, the hardest digits and the confusion matrix");
    const Job *job = &run->jobs[0];
    const Config *c = &run->cfg;
    char vars[768], name[96];
    snprintf(vars, sizeof vars,
             "tsv='%s'; best=%d; from=1; title='Chapter 4''s network: rate %g, batch %d, "
             "momentum %g, early stopping (E = %d), seed %llu'",
             job->tsv, job->res.kept_epoch, c->learning_rate, c->batch_size, c->momentum_gamma,
             c->early_stop_epoch, (unsigned long long)job->seed);
    snprintf(name, sizeof name, "curves-%s", run->name);
    const char *figs = run->opt.figures_dir, *out = run->opt.out_dir;
    int rc = plot_render_with(figs, "curves", name, out, vars, err);
    if (rc == 0) rc = plot_render_with(figs, "ch7-hardest", "hardest", out, NULL, err);
    if (rc == 0) rc = plot_render_with(figs, "ch7-confusion", "confusion", out, NULL, err);
    if (rc == 0) printf("      %s/%s.svg, hardest.svg, confusion.svg (and .pdf)\n", out, name);
    return rc;
}

// ---------------------------------------------------------------------------

int main(int argc, char **argv) {
    Run *run = calloc(1, sizeof *run);
    Error err = {{0}};
    exercise_chapter = 7;
    double t_start = now();
    if (!run) {
        fprintf(stderr, "ch7: out of memory\n");
        return 1;
    }
    if (cli_parse(&run->opt, argc, argv, "ch7", "chapter 7, the hardest digits", &err) != 0) {
        error_print("ch7", &err);
        free(run);
        return 2;
    }
    if (run->opt.help) {
        free(run);
        return 0;
    }
    progress_quiet = run->opt.quiet;
    printf("chapter 7: the hardest digits, from %s\n", run->opt.data_dir);
    if (make_dirs(run->opt.out_dir, &err) != 0 || read_config(run, &err) != 0) {
        error_print("ch7", &err);
        free(run);
        return 1;
    }

    step(2, "load MNIST, split 80/20, z-score each image");
    Mnist data = {0};
    DataOptions dopt = cli_data_options(&run->opt);
    if (mnist_load(&data, &dopt, &err) != 0 || check_against_data(run, &data, &err) != 0) {
        mnist_free(&data);
        error_print("ch7", &err);
        free(run);
        return 1;
    }
    printf("      %d training, %d validation and %d test images (seed %llu)\n", data.train.n,
           data.val.n, data.test.n, (unsigned long long)run->opt.seed);
    values_set(&run->values, "n_train", "%d", data.train.n);

    step(3, "your per_example_loss, top_k and confusion_matrix on small cases, then every "
            "function at once");
    small_cases(run);
    int rc = quick_pass(run, &data, &err);

    int n = data.test.n, S = run->n_seeds;
    Analysis a = {.n = n};
    int *wrong_in = NULL;
    if (rc == 0) {
        for (int s = 0; s < S && rc == 0; s++) {
            Job *job = &run->jobs[s];
            job->seed = run->opt.seed + (uint64_t)s;
            if (s == 0)
                snprintf(job->tsv, sizeof job->tsv, "%s.tsv", run->name);
            else
                snprintf(job->tsv, sizeof job->tsv, "%s-seed%llu.tsv", run->name,
                         (unsigned long long)job->seed);
            job->probs = error_calloc(&err, (size_t)n * C, sizeof(double), "probabilities");
            if (!job->probs) rc = -1;
        }
        a.t = error_calloc(&err, (size_t)n * C, sizeof(double), "the targets");
        a.loss = error_calloc(&err, (size_t)n, sizeof(double), "the losses");
        a.order = error_calloc(&err, (size_t)n, sizeof(int), "the order");
        wrong_in = error_calloc(&err, (size_t)n, sizeof(int), "the mistakes");
        if (!a.t || !a.loss || !a.order || !wrong_in) rc = -1;
    }
    if (rc == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        run->workers = cores < 1 ? 1 : cores > 64 ? 64 : (int)cores;
        if (run->workers > S) run->workers = S;
        char what[160];
        snprintf(what, sizeof what, "train chapter 4's network: %d run%s, %d at a time%s", S,
                 S > 1 ? "s" : "", run->workers,
                 run->workers > 1 ? " (each in its own process)" : "");
        step(4, what);
        double t0 = now();
        rc = run_jobs(run, &data, &err);
        values_set(&run->values, "train_seconds", "%.0f", now() - t0);
        values_set(&run->values, "workers", "%d", run->workers);
        if (rc == 0) seed_summary(run);
    }
    if (rc == 0) {
        for (int s = 0; s < S; s++)
            for (int i = 0; i < n; i++)
                wrong_in[i] += answer(run->jobs[s].probs + (size_t)i * C) != data.test.labels[i];
        char what[160];
        snprintf(what, sizeof what, "the %d test images one by one, through seed %llu's "
                 "network: the loss of each, the %d hardest, the confusion matrix", n,
                 (unsigned long long)run->jobs[0].seed, HARDEST);
        step(5, what);
        rc = analyse(run, &a, &data, wrong_in, &err);
    }
    if (rc == 0) {
        step(6, S > 1 ? "the other seeds: are the hardest digits hard for every network?"
                      : "the other seeds: none (--seeds 2 or more compares them)");
        rc = other_seeds(run, &a, &data.test, wrong_in, &err);
    }
    if (rc == 0) rc = draw(run, &err);
    if (rc == 0 && !run->opt.quiet) {
        char vars[256];
        snprintf(vars, sizeof vars, "tsv='%s'; from=1", run->jobs[0].tsv);
        printf("\nthe loss, epoch by epoch from epoch 1 (training and validation):\n");
        rc = plot_text_with(run->opt.figures_dir, "curves", "curves", run->opt.out_dir, vars,
                            &err);
    }
    double total = now() - t_start;
    values_set(&run->values, "total_seconds", "%.0f", total);
    values_set(&run->values, "blas", "%s", matmul_backend());
    // values.tsv comes last: its presence says the whole run finished.
    if (rc == 0) rc = values_write(&run->values, run_file(run, "values.tsv"), &err);
    for (int s = 0; s < MAX_SEEDS; s++) free(run->jobs[s].probs);
    free(a.t), free(a.loss), free(a.order), free(wrong_in);
    mnist_free(&data);
    if (rc != 0) {
        progress_done();
        error_print("ch7", &err);
        free(run);
        return 1;
    }
    printf("done in %.0f s: %s/values.tsv\n", total, run->opt.out_dir);
    free(run);
    return 0;
}
