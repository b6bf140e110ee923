// main.c: chapter 4, momentum and early stopping. Trains the study's
// 784-128-10 tanh network (Szeto and Thomas, section 4) four ways, one config
// in this folder each: plain minibatch SGD for 100 epochs, with momentum
// (gamma 0.9), with early stopping (patience 3), and with both; each with as
// many seeds as the point needs. Then it trains a few epochs with the study's
// Algorithm 2 exactly as printed, to show what that rule does. The runs are
// independent, so they run side by side, one process each, as many at once as
// there are cores. It leaves the per-epoch metrics, the figures, a table of
// ours beside the study's and the numbers the book quotes in the run folder.
//
//   build/bin/ch4-solutions                       the four experiments
//   build/bin/ch4-solutions --config FILE         just one, any config of the study's form
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

#include "ch2.h"
#include "ch3.h"
#include "ch4.h"
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
    MAX_EXPERIMENTS = 4,
    MAX_JOBS = MAX_EXPERIMENTS * 100 + 1,  // --seeds is at most 100; one printed-rule run
    PRINTED_EPOCHS = 5,      // the printed rule's short run
    CHECK_EXAMPLES = 256,    // the quick pass over every function before the long runs
};

// How many seeds an experiment runs with when --seeds is not given: the
// early-stopping runs are short, so the book's run repeats them to show how
// much the stopping epoch and the accuracy move from seed to seed; the
// 100-epoch runs once each.
static const int BOOK_SEEDS_EARLY_STOP = 5;

// One experiment of section 4, and what the study reports for it.
typedef struct {
    const char *name;      // NAME.yaml in this folder; NAME.tsv, curves-NAME.svg in the run
    const char *key;       // the prefix of its numbers in values.tsv
    const char *what;      // for the table
    const char *section;   // the study's section
    double study_acc;      // the study's test accuracy, % (NAN: none)
    int study_epochs;      // the epochs the study says it trained
} Experiment;

static const Experiment STUDY[MAX_EXPERIMENTS] = {
    {"plain", "plain", "plain SGD", "4.2.1", 97.68, 100},
    {"momentum", "mom", "momentum", "4.2.2", 96.88, 100},
    {"early-stop", "es", "early stopping", "4.2.3", 97.77, 26},
    {"momentum-early-stop", "both", "momentum and early stopping", "4.2.4", 96.62, 7},
};
static const char *const CONFIG_DIR = "chapters/04-momentum";

// A run: one experiment with one seed (exp = -1: the printed rule).
typedef struct {
    int exp;
    uint64_t seed;
    char tsv[64];          // its metrics file, in the run folder
    // What the run's process reports back:
    int rc;                // 0, or -1 with msg
    TrainResult res;
    double wall;           // seconds, from the first weight drawn to the test accuracy
    char msg[ERROR_LEN];
} Job;

typedef struct {
    Options opt;
    bool seeds_given;
    int n_exp;
    Experiment exp[MAX_EXPERIMENTS];
    Config cfg[MAX_EXPERIMENTS];
    char cfg_path[MAX_EXPERIMENTS][4096];
    char names[MAX_EXPERIMENTS][64];
    int seeds[MAX_EXPERIMENTS];
    int low_epoch[MAX_EXPERIMENTS];    // a run without early stopping: its lowest validation loss
    int would_stop[MAX_EXPERIMENTS];   // and where early stopping would have ended it
    Job jobs[MAX_JOBS];
    int n_jobs;
    int workers;
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
    return ts.tv_sec + ts.tv_nsec * 1e-9;
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
    fprintf(stderr, "%s: %s: run `make check-ch4` to see which property fails\n", run->opt.prog,
            msg);
    exit(1);
}

// The value of key k of experiment e in values.tsv: "plain_test_acc".
static void put(Run *run, int e, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(Run *run, int e, const char *name, const char *fmt, ...) {
    char key[48], text[208];
    snprintf(key, sizeof key, "%s_%s", run->exp[e].key, name);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    values_set(&run->values, key, "%s", text);
}

//> ops
// The training loop of lib/train.h calls your functions of chapters 2 to 4.
static TrainOps chapter_ops(void) {
    return (TrainOps){
        .softmax = softmax, .cross_entropy = cross_entropy, .count_correct = count_correct,
        .sgd_step = sgd_step,                                   // chapter 2
        .linear_forward = linear_forward, .linear_backward = linear_backward,
        .output_delta = output_delta,
        .act_forward = tanh_forward, .act_backward = tanh_backward,  // chapter 3
        .momentum_step = momentum_step, .should_stop = should_stop,  // this chapter
    };
}
//< ops

// ---------------------------------------------------------------------------
// The study's Algorithm 2, as printed

//> printed-rule
// w <- w - (alpha Delta_end + gamma Delta_start): Delta_end is this batch's
// summed gradient, Delta_start the previous batch's, and Delta_0 = 0 at the
// start of each epoch. It has the signature of momentum_step, so the training
// loop can run it: `prev` (the loop's velocity buffer) keeps the previous
// batch's gradient. Nothing scales it by the learning rate.
static int printed_batches_per_epoch = 1;  // set before training
static long printed_calls = 0;

static void printed_momentum_step(double *w, double *prev, const double *g, double rate,
                                  double gamma, int count) {
    bool epoch_start = printed_calls++ % printed_batches_per_epoch == 0;
    for (int i = 0; i < count; i++) {
        double delta_start = epoch_start ? 0.0 : prev[i];
        w[i] -= rate * g[i] + gamma * delta_start;
        prev[i] = g[i];
    }
}
//< printed-rule

// ---------------------------------------------------------------------------
// Step 1: the experiments

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

static void describe(const Config *c) {
    printf("layers [");
    for (int l = 0; l < c->n_layers; l++) printf(l ? ", %d" : "%d", c->layer_specs[l]);
    printf("], %s, rate %g, batch %d, %d epochs", activation_name(c->activation),
           c->learning_rate, c->batch_size, c->epochs);
    if (c->momentum) printf(", momentum %g", c->momentum_gamma);
    if (c->early_stop) printf(", early stopping (patience %d)", c->early_stop_epoch);
    printf("\n");
}

static int read_configs(Run *run, Error *err) {
    step(1, "read the experiments");
    run->seeds_given = false;
    run->seeds_given = run->opt.seeds_given;
    if (run->opt.config) {
        // One config of the study's form. Its name picks the study's numbers
        // when it is one of ours.
        char name[64];
        base_name(run->opt.config, name, sizeof name);
        run->n_exp = 1;
        run->exp[0] = (Experiment){name, "run", name, "", NAN, 0};
        for (int e = 0; e < MAX_EXPERIMENTS; e++)
            if (strcmp(name, STUDY[e].name) == 0) run->exp[0] = STUDY[e];
        snprintf(run->names[0], sizeof run->names[0], "%s", name);
        run->exp[0].name = run->names[0];
        snprintf(run->cfg_path[0], sizeof run->cfg_path[0], "%s", run->opt.config);
    } else {
        run->n_exp = MAX_EXPERIMENTS;
        for (int e = 0; e < MAX_EXPERIMENTS; e++) {
            run->exp[e] = STUDY[e];
            snprintf(run->cfg_path[e], sizeof run->cfg_path[e], "%s/%s.yaml", CONFIG_DIR,
                     STUDY[e].name);
        }
    }
    for (int e = 0; e < run->n_exp; e++) {
        Config *c = &run->cfg[e];
        const char *path = run->cfg_path[e];
        if (config_load(c, path, err) != 0) return -1;
        if (e == 0) cli_take_config_seed(&run->opt, c->seed);
        if (c->n_layers < 3)
            return error_set(err, "%s: layer_specs: chapter 4 trains a network with a hidden "
                                  "layer, such as [784, 128, 10]; [784, 10] is chapter 2's",
                             path);
        if (c->activation != ACT_TANH)
            return error_set(err, "%s: activation: %s comes in chapter 6; chapter 4 has "
                                  "chapter 3's tanh", path, activation_name(c->activation));
        if (c->L1_penalty > 0 || c->L2_penalty > 0)
            return error_set(err, "%s: %s: the penalties come in chapter 5; chapter 4 trains "
                                  "without them (0)", path,
                             c->L1_penalty > 0 ? "L1_penalty" : "L2_penalty");
        if (run->opt.max_epochs > 0 && c->epochs > run->opt.max_epochs)
            c->epochs = run->opt.max_epochs;
        run->seeds[e] = run->seeds_given ? run->opt.seeds
                        : !run->opt.config && c->early_stop ? BOOK_SEEDS_EARLY_STOP
                                                            : 1;
        printf("      %s: ", path);
        describe(c);
    }
    values_set(&run->values, "learning_rate", "%g", run->cfg[0].learning_rate);
    values_set(&run->values, "batch_size", "%d", run->cfg[0].batch_size);
    values_set(&run->values, "hidden", "%d", run->cfg[0].layer_specs[1]);
    values_set(&run->values, "max_epochs", "%d", run->cfg[0].epochs);
    return 0;
}

// The config against the data: the sizes of the first and last layers, and
// a batch no larger than the training split.
static int check_against_data(const Run *run, const Mnist *data, Error *err) {
    for (int e = 0; e < run->n_exp; e++) {
        const Config *c = &run->cfg[e];
        const char *path = run->cfg_path[e];
        if (c->layer_specs[0] != data->train.dim)
            return error_set(err, "%s: layer_specs: %d inputs, but the images have %d pixels",
                             path, c->layer_specs[0], data->train.dim);
        if (c->layer_specs[c->n_layers - 1] != MNIST_CLASSES)
            return error_set(err, "%s: layer_specs: %d outputs, but there are %d digits", path,
                             c->layer_specs[c->n_layers - 1], MNIST_CLASSES);
        if (c->batch_size > data->train.n)
            return error_set(err, "%s: batch_size: %d is more than the %d training examples",
                             path, c->batch_size, data->train.n);
    }
    return 0;
}

// ---------------------------------------------------------------------------
// Step 3: your functions on small cases, before the long runs

// A constant gradient of 1, rate 0.001, gamma 0.9: how long each step is
// under the usual rule (your momentum_step) and under the printed one.
static int constant_gradient(Run *run, Error *err) {
    const Config *c = &run->cfg[0];
    double rate = c->learning_rate, gamma = c->momentum_gamma > 0 ? c->momentum_gamma : 0.9;
    static const int SHOW[] = {1, 2, 3, 5, 10, 20, 50, 100};
    enum { N_SHOW = sizeof SHOW / sizeof SHOW[0] };
    OutFile md;
    if (out_open(&md, run_file(run, "steps.md"), err) != 0) return -1;
    fprintf(md.f, "| step | usual rule: $v$, the step | printed rule: the step "
                  "| printed / usual |\n|---:|---:|---:|---:|\n");
    double w = 0, v = 0, g = 1, pw = 0, prev = 0;
    printed_batches_per_epoch = 1000000, printed_calls = 0;
    int k_show = 0, k99 = 0;
    double limit = rate / (1 - gamma);
    for (int k = 1; k <= SHOW[N_SHOW - 1]; k++) {
        double w_before = w, pw_before = pw;
        momentum_step(&w, &v, &g, rate, gamma, 1);
        printed_momentum_step(&pw, &prev, &g, rate, gamma, 1);
        double want = rate * (1 - pow(gamma, k)) / (1 - gamma);
        if (!(fabs(v - want) <= 1e-12 * want) || !(fabs((w_before - w) - want) <= 1e-12 * want)) {
            out_abort(&md);
            wrong(run, "momentum_step with a constant gradient 1, rate %g and gamma %g: after "
                       "%d steps the velocity is rate (1 - gamma^%d) / (1 - gamma) = %.10g and "
                       "the weight moves by it, got velocity %.10g and a move of %.10g",
                  rate, gamma, k, k, want, v, w_before - w);
        }
        if (!k99 && v >= 0.99 * limit) k99 = k;
        double pstep = pw_before - pw;
        if (k_show < N_SHOW && k == SHOW[k_show]) {
            fprintf(md.f, "| %d | %.6f | %.6f | %.1f |\n", k, v, pstep, pstep / v);
            k_show++;
        }
        if (k == 1) values_set(&run->values, "step1", "%g", v);
        if (k == 2) {
            values_set(&run->values, "usual_step2", "%g", v);
            values_set(&run->values, "printed_step2", "%g", pstep);
        }
    }
    fprintf(md.f, "\n: With a gradient that stays 1, learning rate %g and $\\gamma = %g$, the "
                  "length of each step: the usual rule's velocity grows towards "
                  "$\\alpha / (1 - \\gamma) = %g$, the printed rule's step is "
                  "$\\alpha + \\gamma = %g$ from the second step on. {#tbl:ch4-steps}\n",
            rate, gamma, limit, rate + gamma);
    if (out_commit(&md, err) != 0) return -1;
    printf("      a constant gradient 1, rate %g, gamma %g: your momentum_step's velocity grows "
           "towards\n      rate / (1 - gamma) = %g (99%% of it after %d steps); the printed "
           "rule steps %g from the\n      second step on, %.0f times the usual rule's longest "
           "step\n", rate, gamma, limit, k99, rate + gamma, (rate + gamma) / limit);
    values_set(&run->values, "gamma", "%g", gamma);
    values_set(&run->values, "usual_limit", "%g", limit);
    values_set(&run->values, "usual_k99", "%d", k99);
    values_set(&run->values, "usual_factor", "%g", 1 / (1 - gamma));
    values_set(&run->values, "printed_step", "%g", rate + gamma);
    values_set(&run->values, "printed_over_usual", "%.0f", (rate + gamma) / limit);
    values_set(&run->values, "gamma_over_rate", "%.0f", gamma / rate);
    // Chapter 2: a summed gradient at rate r is an averaged one at rate r B.
    values_set(&run->values, "printed_mean_rate", "%.0f", (rate + gamma) * c->batch_size);
    return 0;
}

// A made-up history of validation losses, and when your should_stop ends it.
static void made_up_history(Run *run) {
    //> history
    static const double HISTORY[] = {0.30, 0.20, 0.15, 0.16, 0.15, 0.17, 0.14, 0.13};
    //< history
    enum { N = sizeof HISTORY / sizeof HISTORY[0], PATIENCE = 3, WANT = 6 };
    int stop = 0;
    for (int e = 1; e <= N && !stop; e++)
        if (should_stop(HISTORY, e, PATIENCE)) stop = e;
    if (stop != WANT)
        wrong(run, "should_stop with patience %d on the validation losses 0.30 0.20 0.15 0.16 "
                   "0.15 0.17 0.14 0.13: the best is epoch 3's 0.15 (epoch 5's equal 0.15 is "
                   "no new best), so the first epoch to stop after is %d; your should_stop "
                   "first said stop after epoch %d (0: never)", PATIENCE, WANT, stop);
    printf("      validation losses 0.30 0.20 0.15 0.16 0.15 0.17 0.14 0.13, patience %d: your "
           "should_stop\n      stops after epoch %d (the best is epoch 3's 0.15; epoch 5 only "
           "equals it)\n", PATIENCE, stop);
    values_set(&run->values, "history_stop", "%d", stop);
}

// Every function the long runs call, on a couple of hundred images: an
// unfinished exercise stops the program here, with its one line, and a
// function that returns nonsense is caught before minutes of training.
static int quick_pass(Run *run, const Mnist *data, Error *err) {
    Mnist small = *data;  // views of the first examples: nothing to free
    small.train.n = data->train.n < CHECK_EXAMPLES ? data->train.n : CHECK_EXAMPLES;
    small.val.n = data->val.n < CHECK_EXAMPLES ? data->val.n : CHECK_EXAMPLES;
    small.test.n = data->test.n < CHECK_EXAMPLES ? data->test.n : CHECK_EXAMPLES;
    TrainOps ops = chapter_ops();
    Config c = run->cfg[0];
    c.epochs = 2, c.batch_size = 32, c.early_stop = true, c.early_stop_epoch = 1;
    Net net;
    TrainResult res;
    if (net_create(&net, &c, err) != 0) return -1;
    net_init(&net, run->opt.seed, 0);
    values_set(&run->values, "params", "%d", net.n_params);
    values_set(&run->values, "params_kb", "%.0f", net.n_params * sizeof(double) / 1000.0);
    int rc = 0;
    const char *tsv = run_file(run, "check.tsv");
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        c.momentum = pass == 0;
        bool quiet = progress_quiet;
        progress_quiet = true;
        rc = train(&res, &net, &ops, &c, &small, run->opt.seed, tsv, "check", err);
        progress_quiet = quiet;
        if (rc != 0) {
            Error why = *err;
            error_set(err, "a first pass over %d images, %s momentum: %s; run `make check-ch2`, "
                      "`make check-ch3` and `make check-ch4`", small.train.n,
                      c.momentum ? "with" : "without", why.msg);
        }
    }
    unlink(tsv);
    net_free(&net);
    if (rc == 0) printf("      every function ran on %d images, with and without momentum\n",
                        small.train.n);
    return rc;
}

// ---------------------------------------------------------------------------
// Step 4: the runs, one process each, as many at once as there are cores

static void job_run(Run *run, const Mnist *data, Job *job) {
    double t0 = now();
    Error err = {{0}};
    TrainOps ops = chapter_ops();
    Config c = job->exp >= 0 ? run->cfg[job->exp] : run->cfg[0];
    const char *label = job->exp >= 0 ? run->exp[job->exp].name : "printed rule";
    if (job->exp < 0) {
        // The printed rule, with the momentum experiment's settings, briefly.
        for (int e = 0; e < run->n_exp; e++)
            if (run->cfg[e].momentum) c = run->cfg[e];
        c.momentum = true, c.early_stop = false;
        c.epochs = c.epochs < PRINTED_EPOCHS ? c.epochs : PRINTED_EPOCHS;
        ops.momentum_step = printed_momentum_step;
        printed_batches_per_epoch = (data->train.n + c.batch_size - 1) / c.batch_size;
        printed_calls = 0;
    }
    Net net;
    char lbl[96];
    snprintf(lbl, sizeof lbl, "%s, seed %llu", label, (unsigned long long)job->seed);
    job->rc = net_create(&net, &c, &err);
    if (job->rc == 0) {
        //> one-run
        net_init(&net, job->seed, 0);  // sd 0: 1/sqrt(fan_in)
        job->rc = train(&job->res, &net, &ops, &c, data, job->seed, run_file(run, job->tsv),
                        lbl, &err);
        //< one-run
        net_free(&net);
    }
    job->wall = now() - t0;
    snprintf(job->msg, sizeof job->msg, "%s", err.msg);
}

typedef struct {
    pid_t pid;
    int fd;
    int job;
} Worker;

// Reads what a finished worker wrote: its whole Job.
static int collect(Run *run, Worker *w, int status, Error *err) {
    Job *job = &run->jobs[w->job];
    size_t got = 0;
    while (got < sizeof *job) {
        ssize_t n = read(w->fd, (char *)job + got, sizeof *job - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(w->fd);
    const char *what = job->exp >= 0 ? run->exp[job->exp].name : "the printed rule";
    if (WIFEXITED(status) && WEXITSTATUS(status) == EXERCISE_UNFINISHED) {
        fflush(stdout);
        exit(EXERCISE_UNFINISHED);  // the worker has said which exercise
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || got != sizeof *job)
        return error_set(err, "the run of %s, seed %llu, %s %d", what,
                         (unsigned long long)job->seed,
                         WIFSIGNALED(status) ? "was killed by signal" : "ended with status",
                         WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    return 0;
}

static int run_jobs(Run *run, const Mnist *data, Error *err) {
    Worker w[64];
    int next = 0, busy = 0, rc = 0;
    fflush(stdout);
    fflush(stderr);
    while ((next < run->n_jobs && rc == 0) || busy > 0) {
        if (rc == 0 && next < run->n_jobs && busy < run->workers) {
            int fds[2];
            if (pipe(fds) != 0) {
                rc = error_set(err, "pipe: %s", strerror(errno));
                continue;
            }
            pid_t pid = fork();
            if (pid < 0) {
                close(fds[0]), close(fds[1]);
                rc = error_set(err, "fork: %s", strerror(errno));
                continue;
            }
            if (pid == 0) {
                close(fds[0]);
                if (run->workers > 1) progress_quiet = true;  // one line at a time on screen
                Job *job = &run->jobs[next];
                job_run(run, data, job);
                const char *p = (const char *)job;
                size_t left = sizeof *job;
                while (left > 0) {
                    ssize_t n = write(fds[1], p, left);
                    if (n < 0 && errno == EINTR) continue;
                    if (n <= 0) _exit(1);
                    p += n, left -= (size_t)n;
                }
                fflush(stdout);
                fflush(stderr);
                _exit(0);
            }
            close(fds[1]);
            w[busy++] = (Worker){pid, fds[0], next++};
            continue;
        }
        // Wait for any worker; read its report (it is small enough for the pipe).
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
        Worker done = w[i];
        w[i] = w[--busy];
        Error e2;
        if (collect(run, &done, status, &e2) != 0) {
            if (rc == 0) *err = e2, rc = -1;
        } else {
            Job *job = &run->jobs[done.job];
            if (job->rc != 0 && rc == 0) {
                snprintf(err->msg, sizeof err->msg, "%s", job->msg);
                rc = -1;
            }
            if (job->rc == 0) {
                const TrainResult *r = &job->res;
                progress_done();
                printf("      %-28s seed %-3llu %3d epochs, kept %3d: test accuracy %.2f%%  "
                       "(%.0f s)\n",
                       job->exp >= 0 ? run->exp[job->exp].name : "the printed rule",
                       (unsigned long long)job->seed, r->epochs_run, r->kept_epoch, r->test_acc,
                       job->wall);
                fflush(stdout);
            }
        }
        if (rc != 0)  // stop the other runs: their results would not be used
            for (int k = 0; k < busy; k++) kill(w[k].pid, SIGTERM);
    }
    return rc;
}

// ---------------------------------------------------------------------------
// Step 5: the numbers

typedef struct {
    int n;
    double val_loss[10001];
} History;

// The validation losses of a metrics file, epoch 1 on.
static int read_history(History *h, const char *path, Error *err) {
    FILE *f = fopen(path, "r");
    if (!f) return error_set(err, "%s: %s", path, strerror(errno));
    char line[1024];
    h->n = 0;
    if (!fgets(line, sizeof line, f)) line[0] = 0;  // the header
    while (fgets(line, sizeof line, f) && h->n < 10000) {
        double epoch, tl, vl;
        if (sscanf(line, "%lf %lf %lf", &epoch, &tl, &vl) == 3 && epoch >= 1)
            h->val_loss[h->n++] = vl;
    }
    fclose(f);
    return 0;
}

static int first_job(const Run *run, int e) {
    for (int j = 0; j < run->n_jobs; j++)
        if (run->jobs[j].exp == e) return j;
    return -1;
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

static void min_max(const double *x, int n, double *lo, double *hi) {
    *lo = *hi = x[0];
    for (int i = 1; i < n; i++) *lo = fmin(*lo, x[i]), *hi = fmax(*hi, x[i]);
}

// seeds.md: seed by seed, the experiments that ran with more than one.
static int write_seeds(Run *run, Error *err) {
    int multi[MAX_EXPERIMENTS], n_multi = 0, rows = 0;
    for (int e = 0; e < run->n_exp; e++)
        if (run->seeds[e] > 1) {
            multi[n_multi++] = e;
            rows = run->seeds[e] > rows ? run->seeds[e] : rows;
        }
    if (n_multi == 0) return 0;
    OutFile md;
    if (out_open(&md, run_file(run, "seeds.md"), err) != 0) return -1;
    fprintf(md.f, "| seed |");
    for (int m = 0; m < n_multi; m++)
        fprintf(md.f, " %s: epochs (kept), test accuracy |", run->exp[multi[m]].what);
    fprintf(md.f, "\n|----------:|");  // the dashes set the relative widths
    for (int m = 0; m < n_multi; m++) fprintf(md.f, "------------------------------:|");
    fprintf(md.f, "\n");
    for (int k = 0; k < rows; k++) {
        fprintf(md.f, "| %llu |", (unsigned long long)(run->opt.seed + k));
        for (int m = 0; m < n_multi; m++) {
            const Job *job = NULL;
            for (int j = 0; j < run->n_jobs; j++)
                if (run->jobs[j].exp == multi[m] && run->jobs[j].seed == run->opt.seed + k)
                    job = &run->jobs[j];
            if (job)
                fprintf(md.f, " %d (%d), %.2f%% |", job->res.epochs_run, job->res.kept_epoch,
                        job->res.test_acc);
            else
                fprintf(md.f, " – |");
        }
        fprintf(md.f, "\n");
    }
    fprintf(md.f, "\n: The experiments run with several seeds, seed by seed: the epochs each "
                  "run trained, the epoch whose weights it kept, and their test accuracy. "
                  "{#tbl:ch4-seeds}\n");
    return out_commit(&md, err);
}

static int summarize(Run *run, Error *err) {
    step(5, "ours beside the study's");
    OutFile md;
    if (out_open(&md, run_file(run, "results.md"), err) != 0) return -1;
    // The dashes of the separator line set the columns' relative widths.
    fprintf(md.f, "| run | test accuracy: the study | ours, seed %llu | ours, mean ± sd "
                  "(seeds) | epochs: the study | ours, seed %llu (kept) | wall time |\n"
                  "|:----------------------|----------:|---------:|-------------------:"
                  "|---------:|---------:|--------:|\n",
            (unsigned long long)run->opt.seed, (unsigned long long)run->opt.seed);
    for (int e = 0; e < run->n_exp; e++) {
        int j0 = first_job(run, e);
        const Job *first = &run->jobs[j0];
        const TrainResult *r = &first->res;
        double acc[128] = {0}, ep[128] = {0}, kept[128] = {0};
        int n = 0;
        for (int j = 0; j < run->n_jobs; j++)
            if (run->jobs[j].exp == e) {
                acc[n] = run->jobs[j].res.test_acc;
                ep[n] = run->jobs[j].res.epochs_run;
                kept[n] = run->jobs[j].res.kept_epoch;
                n++;
            }
        double lo, hi, elo, ehi, klo, khi;
        min_max(acc, n, &lo, &hi);
        min_max(ep, n, &elo, &ehi);
        min_max(kept, n, &klo, &khi);
        const Experiment *x = &run->exp[e];
        put(run, e, "test_acc", "%.2f", r->test_acc);
        put(run, e, "epochs", "%d", r->epochs_run);
        put(run, e, "kept", "%d", r->kept_epoch);
        put(run, e, "best_val_loss", "%.4f", r->best_val_loss);
        put(run, e, "wall", "%.0f", first->wall);
        put(run, e, "epoch_s", "%.2f", first->wall / r->epochs_run);
        if (!isnan(x->study_acc)) {
            put(run, e, "study_acc", "%.2f", x->study_acc);
            put(run, e, "gap", "%+.2f", r->test_acc - x->study_acc);
        }
        if (n > 1) {
            put(run, e, "seeds", "%d", n);
            put(run, e, "mean_acc", "%.2f", mean_of(acc, n));
            put(run, e, "sd_acc", "%.2f", sd_of(acc, n));
            put(run, e, "min_acc", "%.2f", lo);
            put(run, e, "max_acc", "%.2f", hi);
            put(run, e, "min_epochs", "%.0f", elo);
            put(run, e, "max_epochs", "%.0f", ehi);
            put(run, e, "min_kept", "%.0f", klo);
            put(run, e, "max_kept", "%.0f", khi);
            if (!isnan(x->study_acc))
                put(run, e, "mean_gap", "%+.2f", mean_of(acc, n) - x->study_acc);
        }
        char study_acc[32] = "–", study_ep[32] = "–", seeds_col[128] = "–";
        if (!isnan(x->study_acc)) {
            snprintf(study_acc, sizeof study_acc, "%.2f%%", x->study_acc);
            snprintf(study_ep, sizeof study_ep, "%d", x->study_epochs);
        }
        if (n > 1)
            snprintf(seeds_col, sizeof seeds_col, "%.2f ± %.2f%% (%d)", mean_of(acc, n),
                     sd_of(acc, n), n);
        fprintf(md.f, "| %s%s%s%s | %s | %.2f%% | %s | %s | %d (%d) | %.0f s |\n", x->what,
                x->section[0] ? " (" : "", x->section, x->section[0] ? ")" : "", study_acc,
                r->test_acc, seeds_col, study_ep, r->epochs_run, r->kept_epoch, first->wall);
        printf("      %-28s the study %s, ours %.2f%% (%d epochs, kept %d)", x->what,
               study_acc, r->test_acc, r->epochs_run, r->kept_epoch);
        if (n > 1) printf("; over %d seeds %.2f ± %.2f%%", n, mean_of(acc, n), sd_of(acc, n));
        printf("\n");
    }
    if (run->opt.config)
        fprintf(md.f, "\n: The run of %s (learning rate %g, batch %d), seed %llu, beside the "
                      "study's numbers where it is one of the study's experiments. The wall "
                      "time is the seed-%llu run's. {#tbl:ch4-results}\n", run->cfg_path[0],
                run->cfg[0].learning_rate, run->cfg[0].batch_size,
                (unsigned long long)run->opt.seed, (unsigned long long)run->opt.seed);
    else
    fprintf(md.f, "\n: The four runs of the study's section 4 (tanh, learning rate %g, batch %d): "
                  "the test accuracy the study reports beside ours, with seed %llu and over "
                  "several seeds, whose number is in brackets (the initial weights and the "
                  "order of the batches change; the split does not). Epochs: how many were "
                  "trained, and in brackets the epoch "
                  "whose weights were kept. The wall time is the seed-%llu run's, with %d "
                  "run%s side by side. "
                  "{#tbl:ch4-results}\n",
            run->cfg[0].learning_rate, run->cfg[0].batch_size, (unsigned long long)run->opt.seed,
            (unsigned long long)run->opt.seed, run->workers, run->workers > 1 ? "s" : "");
    if (out_commit(&md, err) != 0) return -1;

    // What momentum costs in accuracy: the experiments with early stopping,
    // without and with momentum, each over its seeds.
    double mean_es[2] = {NAN, NAN};
    for (int e = 0; e < run->n_exp; e++) {
        if (!run->cfg[e].early_stop || run->seeds[e] < 2) continue;
        double sum = 0;
        int n = 0;
        for (int j = 0; j < run->n_jobs; j++)
            if (run->jobs[j].exp == e) sum += run->jobs[j].res.test_acc, n++;
        mean_es[run->cfg[e].momentum ? 1 : 0] = sum / n;
    }
    if (!isnan(mean_es[0]) && !isnan(mean_es[1]))
        values_set(&run->values, "momentum_cost", "%.2f", mean_es[0] - mean_es[1]);

    if (write_seeds(run, err) != 0) return -1;

    // The 100-epoch runs, read again: where their validation loss was lowest,
    // where early stopping would have ended them, and whether the runs with
    // early stopping are the same runs, cut short.
    History *full = malloc(sizeof *full), *cut = malloc(sizeof *cut);
    if (!full || !cut) {
        free(full), free(cut);
        return error_set(err, "out of memory for the histories");
    }
    int rc = 0;
    for (int e = 0; e < run->n_exp && rc == 0; e++) {
        const Config *c = &run->cfg[e];
        if (c->early_stop) continue;
        rc = read_history(full, run_file(run, run->jobs[first_job(run, e)].tsv), err);
        if (rc != 0) break;
        int best = 0, would = 0;
        for (int k = 1; k < full->n; k++)
            if (full->val_loss[k] < full->val_loss[best]) best = k;
        int patience = 3;
        for (int f = 0; f < run->n_exp; f++)
            if (run->cfg[f].early_stop && run->cfg[f].momentum == c->momentum)
                patience = run->cfg[f].early_stop_epoch;
        for (int k = 1; k <= full->n && !would; k++)
            if (should_stop(full->val_loss, k, patience)) would = k;
        put(run, e, "low_epoch", "%d", best + 1);
        put(run, e, "low_val_loss", "%.4f", full->val_loss[best]);
        put(run, e, "last_val_loss", "%.4f", full->val_loss[full->n - 1]);
        put(run, e, "would_stop", "%d", would);
        run->low_epoch[e] = best + 1, run->would_stop[e] = would;
        // The run with early stopping and the same momentum, same seed.
        for (int f = 0; f < run->n_exp; f++) {
            if (!run->cfg[f].early_stop || run->cfg[f].momentum != c->momentum) continue;
            int jf = first_job(run, f);
            if (run->jobs[jf].seed != run->jobs[first_job(run, e)].seed) continue;
            if ((rc = read_history(cut, run_file(run, run->jobs[jf].tsv), err)) != 0) break;
            double diff = 0;
            int common = cut->n < full->n ? cut->n : full->n;
            for (int k = 0; k < common; k++)
                diff = fmax(diff, fabs(cut->val_loss[k] - full->val_loss[k]));
            put(run, f, "prefix_diff", "%.3g", diff);
            printf("      %s trained %d epochs, and they are %s's first %d: the validation "
                   "losses differ by at most %.3g\n", run->exp[f].name, cut->n, run->exp[e].name,
                   common, diff);
        }
    }
    free(full), free(cut);
    return rc;
}

// ---------------------------------------------------------------------------
// Step 6: the printed rule

static int printed_report(Run *run, const Job *job, Error *err) {
    step(6, "the study's Algorithm 2 as printed, for a few epochs");
    History *h = malloc(sizeof *h), *u = malloc(sizeof *u);
    if (!h || !u) {
        free(h), free(u);
        return error_set(err, "out of memory for a history");
    }
    int usual = -1;
    for (int e = 0; e < run->n_exp; e++)
        if (run->cfg[e].momentum && !run->cfg[e].early_stop) usual = e;
    int rc = read_history(h, run_file(run, job->tsv), err);
    if (rc == 0 && usual >= 0)
        rc = read_history(u, run_file(run, run->jobs[first_job(run, usual)].tsv), err);
    if (rc == 0) {
        const TrainResult *r = &job->res;
        int last = h->n;
        printf("      as printed, %d epochs: validation loss %.2f after epoch 1, %.2f after epoch "
               "%d;\n      test accuracy %.2f%%", r->epochs_run, h->val_loss[0],
               h->val_loss[last - 1], last, r->test_acc);
        if (usual >= 0 && u->n >= last)
            printf(" (the usual rule, same seed: validation loss %.4f after epoch %d)",
                   u->val_loss[last - 1], last);
        printf("\n");
        values_set(&run->values, "printed_epochs", "%d", r->epochs_run);
        values_set(&run->values, "printed_test_acc", "%.2f", r->test_acc);
        values_set(&run->values, "printed_val_loss1", "%.1f", h->val_loss[0]);
        values_set(&run->values, "printed_val_loss_last", "%.1f", h->val_loss[last - 1]);
        values_set(&run->values, "printed_wall", "%.0f", job->wall);
        if (usual >= 0 && u->n >= last)
            values_set(&run->values, "usual_val_loss_at_printed", "%.3f", u->val_loss[last - 1]);
    }
    free(h), free(u);
    return rc;
}

// ---------------------------------------------------------------------------
// Step 7: pictures

static int draw(Run *run, Error *err) {
    step(7, "draw the curves");
    char vars[1024], name[96];
    int rc = 0;
    for (int e = 0; e < run->n_exp && rc == 0; e++) {
        const Job *job = &run->jobs[first_job(run, e)];
        const Config *c = &run->cfg[e];
        char what[128] = "", marks[256];
        if (c->momentum) snprintf(what, sizeof what, ", momentum %g", c->momentum_gamma);
        if (c->early_stop)
            snprintf(what + strlen(what), sizeof what - strlen(what),
                     ", early stopping (E = %d)", c->early_stop_epoch);
        // With early stopping: the epoch kept and the epoch it stopped after.
        // Without: the lowest validation loss, and where patience E would
        // have stopped the run (E from the experiment with early stopping).
        if (c->early_stop)
            snprintf(marks, sizeof marks, "mark1=%d; label1='kept: epoch %d'; mark2=%d; "
                     "label2='stopped after epoch %d'", job->res.kept_epoch, job->res.kept_epoch,
                     job->res.stopped_early ? job->res.epochs_run : 0, job->res.epochs_run);
        else
            snprintf(marks, sizeof marks, "mark1=%d; label1='lowest validation loss: epoch %d'; "
                     "mark2=%d; label2='early stopping would stop after epoch %d'",
                     run->low_epoch[e], run->low_epoch[e], run->would_stop[e],
                     run->would_stop[e]);
        snprintf(vars, sizeof vars, "tsv='%s'; %s; title='%s: rate %g, batch %d%s (seed %llu)'",
                 job->tsv, marks, run->exp[e].what, c->learning_rate, c->batch_size, what,
                 (unsigned long long)job->seed);
        snprintf(name, sizeof name, "curves-%s", run->exp[e].name);
        rc = plot_render_with(run->opt.figures_dir, "ch4-curves", name, run->opt.out_dir, vars,
                              err);
    }
    // The printed rule beside the usual one, with the same settings and seed.
    int usual = -1;
    for (int e = 0; e < run->n_exp; e++)
        if (run->cfg[e].momentum && !run->cfg[e].early_stop) usual = e;
    for (int j = 0; j < run->n_jobs && rc == 0 && usual >= 0; j++) {
        const Job *job = &run->jobs[j];
        if (job->exp >= 0) continue;
        snprintf(vars, sizeof vars, "usual='%s'; epochs=%d; title='Momentum as the study''s "
                 "Algorithm 2 prints it, and the usual rule: rate %g, gamma %g (seed %llu)'",
                 run->jobs[first_job(run, usual)].tsv, job->res.epochs_run,
                 run->cfg[usual].learning_rate, run->cfg[usual].momentum_gamma,
                 (unsigned long long)job->seed);
        rc = plot_render_with(run->opt.figures_dir, "ch4-printed", "printed", run->opt.out_dir,
                              vars, err);
    }
    if (rc == 0) printf("      %s/curves-*.svg%s (and .pdf)\n", run->opt.out_dir,
                        usual >= 0 && !run->opt.config ? ", printed.svg" : "");
    return rc;
}

// ---------------------------------------------------------------------------

static void add_job(Run *run, int exp, uint64_t seed) {
    Job *j = &run->jobs[run->n_jobs++];
    memset(j, 0, sizeof *j);
    j->exp = exp, j->seed = seed;
    if (exp < 0)
        snprintf(j->tsv, sizeof j->tsv, "printed.tsv");
    else if (seed == run->opt.seed)
        snprintf(j->tsv, sizeof j->tsv, "%s.tsv", run->exp[exp].name);
    else
        snprintf(j->tsv, sizeof j->tsv, "%s-seed%llu.tsv", run->exp[exp].name,
                 (unsigned long long)seed);
}

int main(int argc, char **argv) {
    Run *run = calloc(1, sizeof *run);
    Error err = {{0}};
    exercise_chapter = 4;
    double t_start = now();
    if (!run) {
        fprintf(stderr, "ch4: out of memory\n");
        return 1;
    }
    if (cli_parse(&run->opt, argc, argv, "ch4", "chapter 4, momentum and early stopping",
                  &err) != 0) {
        error_print("ch4", &err);
        free(run);
        return 2;
    }
    if (run->opt.help) {
        free(run);
        return 0;
    }
    progress_quiet = run->opt.quiet;
    printf("chapter 4: momentum and early stopping, from %s\n", run->opt.data_dir);
    if (make_dirs(run->opt.out_dir, &err) != 0 || read_configs(run, &err) != 0) {
        error_print("ch4", &err);
        free(run);
        return 1;
    }

    step(2, "load MNIST, split 80/20, z-score each image");
    Mnist data = {0};
    DataOptions dopt = cli_data_options(&run->opt);
    if (mnist_load(&data, &dopt, &err) != 0 || check_against_data(run, &data, &err) != 0) {
        mnist_free(&data);
        error_print("ch4", &err);
        free(run);
        return 1;
    }
    printf("      %d training, %d validation and %d test images (seed %llu)\n", data.train.n,
           data.val.n, data.test.n, (unsigned long long)run->opt.seed);
    values_set(&run->values, "n_train", "%d", data.train.n);
    values_set(&run->values, "batches_per_epoch", "%d",
               (data.train.n + run->cfg[0].batch_size - 1) / run->cfg[0].batch_size);

    step(3, "your momentum_step and should_stop on small cases, then every function at once");
    int rc = constant_gradient(run, &err);
    if (rc == 0) made_up_history(run);
    if (rc == 0) rc = quick_pass(run, &data, &err);

    // The jobs: the longest first, so that the short ones fill in beside them.
    bool with_printed = !run->opt.config;
    if (rc == 0) {
        for (int e = 0; e < run->n_exp; e++)
            if (!run->cfg[e].early_stop) add_job(run, e, run->opt.seed);
        if (with_printed) add_job(run, -1, run->opt.seed);
        for (int e = 0; e < run->n_exp; e++)
            for (int s = 0; s < run->seeds[e]; s++)
                if (run->cfg[e].early_stop || s > 0) add_job(run, e, run->opt.seed + s);
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        run->workers = cores < 1 ? 1 : cores > 64 ? 64 : (int)cores;
        if (run->workers > run->n_jobs) run->workers = run->n_jobs;
        char what[160];
        snprintf(what, sizeof what, "train: %d run%s, %d at a time%s", run->n_jobs,
                 run->n_jobs > 1 ? "s" : "", run->workers,
                 run->workers > 1 ? " (each in its own process)" : "");
        step(4, what);
        double t0 = now();
        rc = run_jobs(run, &data, &err);
        values_set(&run->values, "train_wall", "%.0f", now() - t0);
        values_set(&run->values, "workers", "%d", run->workers);
        values_set(&run->values, "jobs", "%d", run->n_jobs);
    }
    if (rc == 0) rc = summarize(run, &err);
    if (rc == 0 && with_printed)
        for (int j = 0; j < run->n_jobs && rc == 0; j++)
            if (run->jobs[j].exp < 0) rc = printed_report(run, &run->jobs[j], &err);
    if (rc == 0 && !with_printed)
        step(6, "the study's Algorithm 2 as printed: only with the four experiments, not "
                "with --config");
    if (rc == 0) rc = draw(run, &err);
    if (rc == 0 && !run->opt.quiet) {
        const Job *job = &run->jobs[first_job(run, 0)];
        char vars[256];
        snprintf(vars, sizeof vars, "tsv='%s'; from=1", job->tsv);
        printf("\n%s: the loss, epoch by epoch from epoch 1 (training and validation):\n",
               run->exp[0].name);
        rc = plot_text_with(run->opt.figures_dir, "curves", "curves", run->opt.out_dir, vars,
                            &err);
    }
    double total = now() - t_start;
    values_set(&run->values, "total_seconds", "%.0f", total);
    values_set(&run->values, "blas", "%s", matmul_backend());
    // values.tsv comes last: its presence says the whole run finished.
    if (rc == 0) rc = values_write(&run->values, run_file(run, "values.tsv"), &err);
    mnist_free(&data);
    if (rc != 0) {
        progress_done();
        error_print("ch4", &err);
        free(run);
        return 1;
    }
    printf("done in %.0f s: %s/values.tsv\n", total, run->opt.out_dir);
    free(run);
    return 0;
}
