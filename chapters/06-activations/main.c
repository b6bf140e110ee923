// main.c: chapter 6, activation functions. Draws tanh, the logistic sigmoid
// and ReLU with their slopes, computed by your exercises (ch3.h's tanh, ch6.h's
// sigmoid and ReLU); then trains the study's 784-128-10 network once per
// activation, as the configs in this folder say (Szeto and Thomas, section 6),
// each with several seeds so that the spread between runs is measured, not
// guessed. The runs are independent, so they go to as many processes as the
// machine has cores. It leaves the per-epoch metrics, the figures, the table of
// our results beside the study's and the numbers the book quotes in the run
// folder, values.tsv last.
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
#include "ch5.h"
#include "ch6.h"
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
    DEFAULT_SEEDS = 8,    // the book's run: enough to measure the spread, in a few minutes
    MAX_WORKERS = 8,
    GRID_HALF = 120,      // the activations are drawn at x = i / GRID_STEPS, |i| <= GRID_HALF
    GRID_STEPS = 20,
    SMOKE_IMAGES = 256,   // the short run of step 4
};

// The study's section 6, experiment by experiment, in the order the chapter
// runs them: the config, the test accuracy and the stopping epoch it reports.
typedef struct {
    const char *path;
    Activation activation;
    double rate;
    double acc;
    int stop;
} Study;

static const Study STUDY[MAX_EXPERIMENTS] = {
    {"chapters/06-activations/tanh.yaml", ACT_TANH, 0.001, 97.15, 10},
    {"chapters/06-activations/sigmoid.yaml", ACT_SIGMOID, 0.001, 97.66, 19},
    {"chapters/06-activations/relu.yaml", ACT_RELU, 0.001, 95.61, 5},
    {"chapters/06-activations/relu-small-rate.yaml", ACT_RELU, 0.0001, 97.56, 16},
};
// The study's section 4.2.4 ran the tanh experiment's very settings and
// reported another test accuracy, after 7 epochs.
static const double STUDY_SECTION4_ACC = 96.62;
static const int STUDY_SECTION4_STOP = 7;

typedef struct {
    char name[32];       // for file names: "relu-small-rate"
    char key[32];        // for values.tsv: "relu_small_rate"
    char label[64];      // for tables and figures: "ReLU, rate 0.0001"
    const char *path;
    Config cfg;
    int study;           // index into STUDY, or -1 for a config the study did not run
} Experiment;

// What one training run sends back from its process.
typedef struct {
    int status;             // 0, or -1 with msg set
    char msg[ERROR_LEN];
    TrainResult tr;
    long long preacts, zeros;  // pre-activations computed, and how many were exactly 0
    double slope0, slope;      // the mean slope of the hidden units, before and after
    int dead, hidden;          // hidden units that pass no gradient on any validation image
} JobResult;

typedef struct {
    int exp;
    uint64_t seed;
    int first;              // the experiment's first seed: its curves go in the book
    pid_t pid;
    int fd;
    bool done;
    JobResult r;
} Job;

typedef struct {
    Options opt;
    Values values;
    int seeds;
    int n_exp;
    Experiment exp[MAX_EXPERIMENTS];
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
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: %s: run `make check-ch6` (and check-ch3 for tanh) to see which "
                    "property fails\n", run->opt.prog, msg);
    exit(1);
}

// ---------------------------------------------------------------------------
// What the training loop calls: the functions of chapters 2 to 6

//> ops
static TrainOps chapter_ops(Activation activation) {
    TrainOps ops = {
        .softmax = softmax, .cross_entropy = cross_entropy,       // chapter 2
        .count_correct = count_correct, .sgd_step = sgd_step,
        .linear_forward = linear_forward,                         // chapter 3
        .linear_backward = linear_backward, .output_delta = output_delta,
        .momentum_step = momentum_step, .should_stop = should_stop,  // chapter 4
        .l1_gradient = l1_gradient, .l2_gradient = l2_gradient,   // chapter 5
    };
    switch (activation) {                                         // chapters 3 and 6
    case ACT_TANH: ops.act_forward = tanh_forward, ops.act_backward = tanh_backward; break;
    case ACT_SIGMOID:
        ops.act_forward = sigmoid_forward, ops.act_backward = sigmoid_backward;
        break;
    case ACT_RELU: ops.act_forward = relu_forward, ops.act_backward = relu_backward; break;
    }
    return ops;
}
//< ops

// The largest slope of each activation: tanh'(0) = 1, sigmoid'(0) = 1/4, and
// ReLU's 1 for every positive input.
static double max_slope(Activation a) { return a == ACT_SIGMOID ? 0.25 : 1.0; }

//> count-zeros
// The activation's forward pass, counting on the way how many of its inputs
// (the pre-activations) are exactly 0: the only inputs at which ReLU's two
// possible derivatives, 0 and 1, differ.
static void (*counted_act)(double *out, const double *inp, int n);
static long long preacts_seen, preacts_zero;

static void counting_forward(double *out, const double *inp, int n) {
    long long zeros = 0;
    for (int i = 0; i < n; i++) zeros += inp[i] == 0.0;
    preacts_zero += zeros, preacts_seen += n;
    counted_act(out, inp, n);  // after counting: out may be inp
}
//< count-zeros

// ---------------------------------------------------------------------------
// Step 1: the experiments

static void name_from_path(Experiment *e, const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t len = strcspn(base, ".");
    if (len == 0) base = "config", len = 6;
    if (len > sizeof e->name - 1) len = sizeof e->name - 1;
    for (size_t i = 0; i < len; i++) {
        char c = base[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        e->name[i] = ok ? c : '-';
        e->key[i] = ok ? c : '_';
    }
    e->name[len] = e->key[len] = '\0';
}

// The study's experiment a config is, if any: same network, same training,
// same activation and rate (the maximum number of epochs aside).
static int study_index(const Config *c) {
    bool same = c->n_layers == 3 && c->layer_specs[0] == 784 && c->layer_specs[1] == 128 &&
                c->layer_specs[2] == 10 && c->batch_size == 128 && c->early_stop &&
                c->early_stop_epoch == 3 && c->momentum && c->momentum_gamma == 0.9 &&
                c->L1_penalty == 0 && c->L2_penalty == 0;
    for (int i = 0; same && i < MAX_EXPERIMENTS; i++)
        if (STUDY[i].activation == c->activation && fabs(STUDY[i].rate / c->learning_rate - 1) < 1e-9)
            return i;
    return -1;
}

static int read_configs(Run *run, Error *err) {
    step(1, "read the experiments");
    run->n_exp = run->opt.config ? 1 : MAX_EXPERIMENTS;
    for (int i = 0; i < run->n_exp; i++) {
        Experiment *e = &run->exp[i];
        e->path = run->opt.config ? run->opt.config : STUDY[i].path;
        if (config_load(&e->cfg, e->path, err) != 0) return -1;
        if (run->opt.max_epochs > 0 && run->opt.max_epochs < e->cfg.epochs)
            e->cfg.epochs = run->opt.max_epochs;
        name_from_path(e, e->path);
        e->study = study_index(&e->cfg);
        const Config *c = &e->cfg;
        snprintf(e->label, sizeof e->label, "%s, rate %g", activation_name(c->activation),
                 c->learning_rate);
        printf("      %-45s %s hidden layer%s, rate %g, batch %d, %s, %s\n", e->path,
               activation_name(c->activation), c->n_layers > 3 ? "s" : "", c->learning_rate,
               c->batch_size,
               c->momentum ? "momentum" : "no momentum",
               c->early_stop ? "early stopping" : "no early stopping");
    }
    if (run->opt.config) cli_take_config_seed(&run->opt, run->exp[0].cfg.seed);
    const Config *c = &run->exp[0].cfg;
    values_set(&run->values, "learning_rate", "%g", c->learning_rate);
    values_set(&run->values, "batch_size", "%d", c->batch_size);
    values_set(&run->values, "max_epochs", "%d", c->epochs);
    values_set(&run->values, "patience", "%d", c->early_stop_epoch);
    values_set(&run->values, "gamma", "%g", c->momentum_gamma);
    // The study sums the gradient over a batch: its step on the mean gradient
    // is rate x batch, and momentum makes a steady step 1 / (1 - gamma) longer.
    values_set(&run->values, "mean_step", "%g", c->learning_rate * c->batch_size);
    values_set(&run->values, "momentum_factor", "%g", 1.0 / (1.0 - c->momentum_gamma));
    values_set(&run->values, "steady_step", "%g",
               c->learning_rate * c->batch_size / (1.0 - c->momentum_gamma));
    return 0;
}

// A config the data cannot satisfy is refused here, naming the file and key.
static int check_configs(const Run *run, const Mnist *data, Error *err) {
    for (int i = 0; i < run->n_exp; i++) {
        const Experiment *e = &run->exp[i];
        const Config *c = &e->cfg;
        if (c->layer_specs[0] != data->train.dim)
            return error_set(err, "%s: layer_specs: %d inputs, but the images have %d pixels",
                             e->path, c->layer_specs[0], data->train.dim);
        if (c->layer_specs[c->n_layers - 1] != MNIST_CLASSES)
            return error_set(err, "%s: layer_specs: %d outputs, but there are %d classes", e->path,
                             c->layer_specs[c->n_layers - 1], MNIST_CLASSES);
        if (c->batch_size > data->train.n)
            return error_set(err, "%s: batch_size: %d is more than the %d training images",
                             e->path, c->batch_size, data->train.n);
    }
    return 0;
}

// ---------------------------------------------------------------------------
// Step 3: the three activations and their slopes, from your functions

typedef void (*Forward)(double *out, const double *inp, int n);
typedef void (*Backward)(double *dinp, const double *dout, const double *out, int n);

//> slopes
// An activation's value at each x, and its slope there from its backward
// pass: with dout = 1, dinp is the derivative itself.
static void value_and_slope(double *f, double *df, const double *x, const double *ones, int n,
                            Forward forward, Backward backward) {
    forward(f, x, n);
    backward(df, ones, f, n);
}
//< slopes

static int activations(Run *run, Error *err) {
    step(3, "tanh, sigmoid and ReLU, and their slopes from the backward passes");
    enum { N = 2 * GRID_HALF + 1, ZERO = GRID_HALF };
    static const char *const NAMES[3] = {"tanh", "sigmoid", "relu"};
    static const Forward FW[3] = {tanh_forward, sigmoid_forward, relu_forward};
    static const Backward BW[3] = {tanh_backward, sigmoid_backward, relu_backward};
    double x[N], ones[N], f[3][N], df[3][N];
    for (int i = 0; i < N; i++) x[i] = (double)(i - GRID_HALF) / GRID_STEPS, ones[i] = 1.0;
    for (int a = 0; a < 3; a++) value_and_slope(f[a], df[a], x, ones, N, FW[a], BW[a]);

    // What the figure shows must be true: the values at 0 and the slopes
    // against central differences of the forward passes (away from ReLU's kink).
    static const double AT0[3] = {0.0, 0.5, 0.0}, SLOPE0[3] = {1.0, 0.25, 0.0};
    double worst[3] = {0};
    for (int a = 0; a < 3; a++) {
        if (!(fabs(f[a][ZERO] - AT0[a]) < 1e-12))
            wrong(run, "%s(0) is %g, your function gave %.17g", NAMES[a], AT0[a], f[a][ZERO]);
        if (!(fabs(df[a][ZERO] - SLOPE0[a]) < 1e-12))
            wrong(run, "the slope of %s at 0 is %g%s, your backward pass gave %.17g", NAMES[a],
                  SLOPE0[a], a == 2 ? " (this book's choice, see ch6.h)" : "", df[a][ZERO]);
        for (int i = 0; i < N; i++) {
            if (i == ZERO) continue;
            const double h = 1e-5;
            double pm[2] = {x[i] + h, x[i] - h}, fp[2];
            FW[a](fp, pm, 2);
            double d = fabs(df[a][i] - (fp[0] - fp[1]) / (2 * h));
            if (!(d < 1e-6))
                wrong(run, "at x = %g the backward pass of %s gives the slope %.10g, but its "
                           "forward pass rises at %.10g", x[i], NAMES[a], df[a][i],
                      (fp[0] - fp[1]) / (2 * h));
            worst[a] = fmax(worst[a], d);
        }
    }
    // tanh is a sigmoid stretched and shifted: tanh(x) = 2 sigmoid(2x) - 1.
    double twice[N], s2[N], identity = 0.0;
    for (int i = 0; i < N; i++) twice[i] = 2.0 * x[i];
    sigmoid_forward(s2, twice, N);
    for (int i = 0; i < N; i++) identity = fmax(identity, fabs(f[0][i] - (2.0 * s2[i] - 1.0)));

    OutFile o;
    if (out_open(&o, run_file(run, "activations.tsv"), err) != 0) return -1;
    fprintf(o.f, "x\ttanh\ttanh_slope\tsigmoid\tsigmoid_slope\trelu\trelu_slope\n");
    for (int i = 0; i < N; i++)
        fprintf(o.f, "%.4f\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g\n", x[i], f[0][i], df[0][i],
                f[1][i], df[1][i], f[2][i], df[2][i]);
    if (out_commit(&o, err) != 0) return -1;

    printf("      %6s %10s %10s %10s %10s %10s %10s\n", "x", "tanh", "slope", "sigmoid", "slope",
           "ReLU", "slope");
    for (int i = 0; i < N; i += GRID_STEPS * 2)
        printf("      %6g %10.4f %10.4f %10.4f %10.4f %10.4f %10.4f\n", x[i], f[0][i], df[0][i],
               f[1][i], df[1][i], f[2][i], df[2][i]);
    printf("      each slope agrees with central differences of its forward pass to %.0e;\n"
           "      tanh(x) and 2 sigmoid(2x) - 1 differ by at most %.1e\n",
           fmax(worst[0], fmax(worst[1], worst[2])), identity);
    // The slopes the book quotes: at 0 and at x = 2 and 4 (saturation)
    int at2 = ZERO + 2 * GRID_STEPS, at4 = ZERO + 4 * GRID_STEPS;
    for (int a = 0; a < 3; a++) {
        char key[48];
        snprintf(key, sizeof key, "slope_%s_0", NAMES[a]);
        values_set(&run->values, key, "%g", df[a][ZERO]);
        snprintf(key, sizeof key, "slope_%s_2", NAMES[a]);
        values_set(&run->values, key, "%.3g", df[a][at2]);
        snprintf(key, sizeof key, "slope_%s_4", NAMES[a]);
        values_set(&run->values, key, "%.3g", df[a][at4]);
    }
    values_set(&run->values, "tanh_sigmoid_identity", "%.0e", fmax(identity, 1e-17));
    values_set(&run->values, "slope_check", "%.0e", fmax(fmax(worst[0], worst[1]), worst[2]));
    return 0;
}

// ---------------------------------------------------------------------------
// One training run (in its own process when there are several cores)

// The hidden layer of a trained network on a split: the mean slope of its
// units (how much of the gradient the activation lets through, on average),
// and how many units pass no gradient, or almost none, on every example.
static void hidden_stats(JobResult *r, const Net *net, const TrainOps *ops, Activation act,
                         const Split *s) {
    enum { CHUNK = 500 };
    int C = net->sizes[0], H = net->sizes[1];
    r->hidden = H;
    double *x = malloc(sizeof(double) * (size_t)CHUNK * C);
    double *h = malloc(sizeof(double) * (size_t)CHUNK * H);
    double *d = malloc(sizeof(double) * (size_t)CHUNK * H);
    double *ones = malloc(sizeof(double) * (size_t)CHUNK * H);
    char *alive = calloc((size_t)H, 1);
    if (!x || !h || !d || !ones || !alive) {
        r->slope = NAN, r->dead = -1;
        free(x), free(h), free(d), free(ones), free(alive);
        return;
    }
    for (int i = 0; i < CHUNK * H; i++) ones[i] = 1.0;
    double sum = 0.0, floor_slope = 0.01 * max_slope(act);
    for (int start = 0; start < s->n; start += CHUNK) {
        int b = s->n - start < CHUNK ? s->n - start : CHUNK;
        split_range(x, NULL, s, start, b);
        ops->linear_forward(h, x, net->W[0], net->b[0], b, C, H);
        ops->act_forward(h, h, b * H);
        ops->act_backward(d, ones, h, b * H);
        for (int i = 0; i < b * H; i++) {
            sum += d[i];
            if (d[i] > floor_slope) alive[i % H] = 1;
        }
    }
    r->slope = sum / ((double)s->n * H);
    r->dead = 0;
    for (int j = 0; j < H; j++) r->dead += !alive[j];
    free(x), free(h), free(d), free(ones), free(alive);
}

static void run_job(const Run *run, const Experiment *e, uint64_t seed, bool first,
                    const Mnist *data, JobResult *r) {
    memset(r, 0, sizeof *r);
    char tsv[4200], label[96];
    if (first)
        snprintf(tsv, sizeof tsv, "%s/metrics-%s.tsv", run->opt.out_dir, e->name);
    else
        snprintf(tsv, sizeof tsv, "%s/metrics-%s-seed%llu.tsv", run->opt.out_dir, e->name,
                 (unsigned long long)seed);
    snprintf(label, sizeof label, "%s, seed %llu", e->label, (unsigned long long)seed);
    TrainOps ops = chapter_ops(e->cfg.activation);
    Net net;
    Error err = {{0}};
    if (net_create(&net, &e->cfg, &err) != 0) {
        r->status = -1;
        snprintf(r->msg, sizeof r->msg, "%s", err.msg);
        return;
    }
    //> init
    net_init(&net, seed, 0);  // weights ~ N(0, 1/fan_in), biases 0
    //< init
    bool hidden = net.n_layers > 1;
    if (hidden) hidden_stats(r, &net, &ops, e->cfg.activation, &data->val);
    r->slope0 = r->slope;
    counted_act = ops.act_forward;
    ops.act_forward = counting_forward;
    preacts_seen = preacts_zero = 0;
    if (train(&r->tr, &net, &ops, &e->cfg, data, seed, tsv, label, &err) != 0) {
        r->status = -1;
        snprintf(r->msg, sizeof r->msg, "%s", err.msg);
    } else {
        r->preacts = preacts_seen, r->zeros = preacts_zero;
        ops.act_forward = counted_act;
        if (hidden) hidden_stats(r, &net, &ops, e->cfg.activation, &data->val);
    }
    net_free(&net);
}

// ---------------------------------------------------------------------------
// Step 4: every function the runs call, on a few images, in this process

static int smoke(Run *run, const Mnist *data, Error *err) {
    step(4, "a first epoch on a few images with each activation: every function the runs call");
    Mnist few = *data;
    int n = SMOKE_IMAGES;
    if (few.train.n > n) few.train.n = n;
    if (few.val.n > n) few.val.n = n;
    if (few.test.n > n) few.test.n = n;
    for (int i = 0; i < run->n_exp; i++) {
        Experiment *e = &run->exp[i];
        Config c = e->cfg;
        c.epochs = 1;
        if (c.batch_size > few.train.n) c.batch_size = few.train.n;
        TrainOps ops = chapter_ops(c.activation);
        Net net;
        TrainResult tr;
        if (net_create(&net, &c, err) != 0) return -1;
        net_init(&net, run->opt.seed, 0);
        char tsv[4200];
        snprintf(tsv, sizeof tsv, "%s/smoke.tsv", run->opt.out_dir);
        bool was_quiet = progress_quiet;
        progress_quiet = true;
        int rc = train(&tr, &net, &ops, &c, &few, run->opt.seed, tsv, e->name, err);
        progress_quiet = was_quiet;
        net_free(&net);
        remove(tsv);
        if (rc != 0) return -1;
        if (!isfinite(tr.test_loss))
            wrong(run, "%s: one epoch on %d images gave a test loss of %g", e->label, n,
                  tr.test_loss);
        printf("      %-20s one epoch on %d images: test loss %.3f\n", e->label, few.train.n,
               tr.test_loss);
    }
    return 0;
}

// ---------------------------------------------------------------------------
// Step 5: every run, in parallel

static int workers_for(int jobs) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int w = cores > 0 ? (int)cores : 1;
    if (w > MAX_WORKERS) w = MAX_WORKERS;
    return w < jobs ? w : jobs;
}

static void stop_children(Job *jobs, int n) {
    for (int i = 0; i < n; i++)
        if (jobs[i].pid > 0 && !jobs[i].done) kill(jobs[i].pid, SIGTERM);
    for (int i = 0; i < n; i++)
        if (jobs[i].pid > 0 && !jobs[i].done) {
            while (waitpid(jobs[i].pid, NULL, 0) < 0 && errno == EINTR) {
            }
            close(jobs[i].fd);
            jobs[i].done = true;
        }
}

static void job_line(const Run *run, const Job *j, int finished, int total) {
    const Experiment *e = &run->exp[j->exp];
    const TrainResult *t = &j->r.tr;
    progress_done();
    printf("      %2d/%-2d %-20s seed %-3llu test accuracy %6.2f%%, %s after epoch %d, kept %d "
           "(%.0f s)\n", finished, total, e->label, (unsigned long long)j->seed, t->test_acc,
           t->stopped_early ? "stopped" : "ended", t->epochs_run, t->kept_epoch, t->seconds);
    fflush(stdout);
}

// Returns 0, -1 with err set, or EXERCISE_UNFINISHED when a run met a stub
// (its process has printed the stub's line).
static int run_all(Run *run, Job *jobs, int n, const Mnist *data, Error *err) {
    int workers = workers_for(n);
    printf("      %d run%s (%d experiment%s x %d seed%s) on %d process%s\n", n, n > 1 ? "s" : "",
           run->n_exp, run->n_exp > 1 ? "s" : "", run->seeds, run->seeds > 1 ? "s" : "",
           workers, workers > 1 ? "es" : "");
    fflush(stdout);
    values_set(&run->values, "workers", "%d", workers);
    if (workers <= 1) {  // here, with the progress line of each epoch
        for (int i = 0; i < n; i++) {
            run_job(run, &run->exp[jobs[i].exp], jobs[i].seed, jobs[i].first, data, &jobs[i].r);
            jobs[i].done = true;
            if (jobs[i].r.status != 0) return error_set(err, "%s", jobs[i].r.msg);
            job_line(run, &jobs[i], i + 1, n);
        }
        progress_done();
        return 0;
    }
    int started = 0, finished = 0, running = 0;
    while (finished < n) {
        while (running < workers && started < n) {
            Job *j = &jobs[started++];
            int fd[2];
            if (pipe(fd) != 0) {
                stop_children(jobs, started - 1);
                return error_set(err, "pipe: %s", strerror(errno));
            }
            fflush(stdout), fflush(stderr);
            pid_t pid = fork();
            if (pid < 0) {
                close(fd[0]), close(fd[1]);
                stop_children(jobs, started - 1);
                return error_set(err, "fork: %s", strerror(errno));
            }
            if (pid == 0) {
                close(fd[0]);
                progress_quiet = true;
                JobResult r;
                run_job(run, &run->exp[j->exp], j->seed, j->first, data, &r);
                ssize_t put = write(fd[1], &r, sizeof r);
                _exit(put == (ssize_t)sizeof r && r.status == 0 ? 0 : 1);
            }
            close(fd[1]);
            j->pid = pid, j->fd = fd[0];
            running++;
        }
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) continue;
            stop_children(jobs, started);
            return error_set(err, "waitpid: %s", strerror(errno));
        }
        Job *j = NULL;
        for (int i = 0; i < started; i++)
            if (jobs[i].pid == pid && !jobs[i].done) j = &jobs[i];
        if (!j) continue;  // not one of the runs
        running--, finished++;
        j->done = true;
        ssize_t got = read(j->fd, &j->r, sizeof j->r);
        close(j->fd);
        if (WIFEXITED(status) && WEXITSTATUS(status) == EXERCISE_UNFINISHED) {
            stop_children(jobs, started);
            return EXERCISE_UNFINISHED;
        }
        if (got == (ssize_t)sizeof j->r && j->r.status != 0) {
            stop_children(jobs, started);
            return error_set(err, "%s", j->r.msg);
        }
        if (got != (ssize_t)sizeof j->r || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            stop_children(jobs, started);
            return error_set(err, "the run of %s with seed %llu ended abnormally (%s %d)",
                             run->exp[j->exp].label, (unsigned long long)j->seed,
                             WIFSIGNALED(status) ? "signal" : "status",
                             WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        }
        job_line(run, j, finished, n);
    }
    progress_done();
    return 0;
}

// ---------------------------------------------------------------------------
// Step 6: ours beside the study's

typedef struct {
    double mean, sd, min, max;
} Spread;

static Spread spread(const double *v, int n) {
    Spread s = {0, 0, v[0], v[0]};
    for (int i = 0; i < n; i++) {
        s.mean += v[i] / n;
        s.min = fmin(s.min, v[i]), s.max = fmax(s.max, v[i]);
    }
    for (int i = 0; i < n && n > 1; i++) s.sd += (v[i] - s.mean) * (v[i] - s.mean) / (n - 1);
    s.sd = sqrt(s.sd);
    return s;
}

// Where x lies against the range of a spread, in words for the book.
static const char *where(double x, Spread s) {
    return x < s.min ? "below" : x > s.max ? "above" : "inside";
}

static void put(Run *run, const Experiment *e, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(Run *run, const Experiment *e, const char *what, const char *fmt, ...) {
    char key[48], value[200];
    snprintf(key, sizeof key, "%s_%s", e->key, what);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(value, sizeof value, fmt, ap);
    va_end(ap);
    values_set(&run->values, key, "%s", value);
}

static int results(Run *run, const Job *jobs, Error *err) {
    step(6, "our test accuracies beside the study's");
    int S = run->seeds;
    OutFile md, sd, hd;
    if (out_open(&md, run_file(run, "results.md"), err) != 0) return -1;
    if (out_open(&sd, run_file(run, "seeds.md"), err) != 0) {
        out_abort(&md);
        return -1;
    }
    if (out_open(&hd, run_file(run, "hidden.md"), err) != 0) {
        out_abort(&md), out_abort(&sd);
        return -1;
    }
    Spread accs[MAX_EXPERIMENTS];
    char zeros_text[1024] = "";
    double max_gap = 0, max_mean_gap = 0;
    fprintf(hd.f, "| Hidden layer | Rate | Largest slope | Mean slope, untrained | Mean slope, "
                  "trained | Units below 1%% of the largest slope on every validation image |\n"
                  "|:--|--:|--:|--:|--:|--:|\n");
    fprintf(md.f, "| Hidden layer | Rate | The study | Stopped | Ours, seed %llu | Stopped (kept) "
                  "| Ours, %d seeds: mean ± sd | Lowest – highest | Stopped |\n"
                  "|:--|--:|--:|--:|--:|--:|--:|--:|--:|\n",
            (unsigned long long)run->opt.seed, S);
    fprintf(sd.f, "| Seed |");
    for (int i = 0; i < run->n_exp; i++) fprintf(sd.f, " %s |", run->exp[i].label);
    fprintf(sd.f, "\n|--:|");
    for (int i = 0; i < run->n_exp; i++) fprintf(sd.f, "--:|");
    fprintf(sd.f, "\n");
    for (int k = 0; k < S; k++) {
        fprintf(sd.f, "| %llu |", (unsigned long long)(run->opt.seed + k));
        for (int i = 0; i < run->n_exp; i++) {
            const TrainResult *t = &jobs[i * S + k].r.tr;
            fprintf(sd.f, " %.2f%% (%d) |", t->test_acc, t->epochs_run);
        }
        fprintf(sd.f, "\n");
    }
    printf("      %-20s %8s %7s %8s %12s %16s %14s %10s\n", "", "study", "stop", "ours",
           "stop (kept)", "mean ± sd", "range", "stops");
    for (int i = 0; i < run->n_exp; i++) {
        Experiment *e = &run->exp[i];
        const Job *first = &jobs[i * S];
        const TrainResult *t = &first->r.tr;
        double acc[100], ep[100];
        long long preacts = 0, zeros = 0;
        for (int k = 0; k < S; k++) {
            acc[k] = jobs[i * S + k].r.tr.test_acc, ep[k] = jobs[i * S + k].r.tr.epochs_run;
            preacts += jobs[i * S + k].r.preacts, zeros += jobs[i * S + k].r.zeros;
        }
        Spread a = spread(acc, S), s = spread(ep, S);
        accs[i] = a;
        char study_acc[32] = "—", study_stop[32] = "—";
        if (e->study >= 0) {
            snprintf(study_acc, sizeof study_acc, "%.2f%%", STUDY[e->study].acc);
            snprintf(study_stop, sizeof study_stop, "%d", STUDY[e->study].stop);
        }
        fprintf(md.f, "| %s | %g | %s | %s | %.2f%% | %d (%d) | %.2f%% ± %.2f | %.2f%% – %.2f%% "
                      "| %.0f – %.0f |\n",
                activation_name(e->cfg.activation), e->cfg.learning_rate, study_acc, study_stop,
                t->test_acc, t->epochs_run, t->kept_epoch, a.mean, a.sd, a.min, a.max, s.min,
                s.max);
        printf("      %-20s %8s %7s %7.2f%% %7d (%2d) %9.2f ± %.2f %6.2f–%.2f %5.0f–%.0f\n",
               e->label, study_acc, study_stop, t->test_acc, t->epochs_run, t->kept_epoch, a.mean,
               a.sd, a.min, a.max, s.min, s.max);
        fprintf(hd.f, "| %s | %g | %g | %.2f | %.2f | %d of %d |\n",
                activation_name(e->cfg.activation), e->cfg.learning_rate,
                max_slope(e->cfg.activation), first->r.slope0, first->r.slope, first->r.dead,
                first->r.hidden);
        put(run, e, "test_acc", "%.2f", t->test_acc);
        put(run, e, "stop", "%d", t->epochs_run);
        put(run, e, "kept", "%d", t->kept_epoch);
        put(run, e, "mean", "%.2f", a.mean);
        put(run, e, "sd", "%.2f", a.sd);
        put(run, e, "min", "%.2f", a.min);
        put(run, e, "max", "%.2f", a.max);
        put(run, e, "stop_mean", "%.1f", s.mean);
        put(run, e, "stop_min", "%.0f", s.min);
        put(run, e, "stop_max", "%.0f", s.max);
        put(run, e, "hidden_slope0", "%.2f", first->r.slope0);
        put(run, e, "hidden_slope", "%.2f", first->r.slope);
        put(run, e, "dead", "%d", first->r.dead);
        put(run, e, "preacts_millions", "%.0f", preacts / 1e6);
        put(run, e, "zeros", "%lld", zeros);
        if (e->cfg.activation == ACT_RELU) {
            size_t used = strlen(zeros_text);
            snprintf(zeros_text + used, sizeof zeros_text - used,
                     "      %s: %lld of the %.0f million net inputs of the hidden layer were "
                     "exactly 0\n", e->label, zeros, preacts / 1e6);
        }
        if (e->study == 0) {
            // The study ran this very setting twice (sections 4.2.4 and 6.2.1)
            // and reported accuracies this far apart: how many pairs of our
            // runs are at least as far apart?
            double gap = fabs(STUDY[0].acc - STUDY_SECTION4_ACC);
            int pairs = 0, over = 0;
            for (int p = 0; p < S; p++)
                for (int q = p + 1; q < S; q++) pairs++, over += fabs(acc[p] - acc[q]) >= gap;
            values_set(&run->values, "pairs", "%d", pairs);
            values_set(&run->values, "pairs_over_gap", "%d", over);
            values_set(&run->values, "s4_where", "%s", where(STUDY_SECTION4_ACC, a));
            values_set(&run->values, "s6_where", "%s", where(STUDY[0].acc, a));
        }
        if (e->study >= 0) {
            put(run, e, "study_acc", "%.2f", STUDY[e->study].acc);
            put(run, e, "study_stop", "%d", STUDY[e->study].stop);
            max_gap = fmax(max_gap, fabs(t->test_acc - STUDY[e->study].acc));
            max_mean_gap = fmax(max_mean_gap, fabs(a.mean - STUDY[e->study].acc));
            put(run, e, "gap", "%+.2f", t->test_acc - STUDY[e->study].acc);
            put(run, e, "mean_gap", "%+.2f", a.mean - STUDY[e->study].acc);
        }
    }
    if (out_commit(&md, err) != 0) {
        out_abort(&sd), out_abort(&hd);
        return -1;
    }
    if (out_commit(&sd, err) != 0) {
        out_abort(&hd);
        return -1;
    }
    if (out_commit(&hd, err) != 0) return -1;
    printf("%s", zeros_text);
    values_set(&run->values, "max_gap", "%.2f", max_gap);
    values_set(&run->values, "max_mean_gap", "%.2f", max_mean_gap);
    // Two experiments compared: the difference of their means, and how many
    // standard errors of that difference it is.
    for (int i = 0; i < run->n_exp; i++)
        for (int k = 0; k < run->n_exp; k++) {
            int p = run->exp[i].study, q = run->exp[k].study;
            if (!((p == 1 && q == 0) || (p == 3 && q == 2)) || S < 2) continue;
            double diff = accs[i].mean - accs[k].mean;
            double se = sqrt((accs[i].sd * accs[i].sd + accs[k].sd * accs[k].sd) / S);
            char key[48];
            snprintf(key, sizeof key, "%s_minus_%s", run->exp[i].key, run->exp[k].key);
            values_set(&run->values, key, "%.2f", diff);
            snprintf(key, sizeof key, "%s_minus_%s_se", run->exp[i].key, run->exp[k].key);
            values_set(&run->values, key, "%.1f", se > 0 ? diff / se : 0.0);
        }
    values_set(&run->values, "seeds", "%d", S);
    values_set(&run->values, "seed_first", "%llu", (unsigned long long)run->opt.seed);
    values_set(&run->values, "seed_last", "%llu", (unsigned long long)(run->opt.seed + S - 1));
    values_set(&run->values, "study_s4_acc", "%.2f", STUDY_SECTION4_ACC);
    values_set(&run->values, "study_s4_stop", "%d", STUDY_SECTION4_STOP);
    values_set(&run->values, "study_s4_s6_diff", "%.2f", fabs(STUDY[0].acc - STUDY_SECTION4_ACC));
    return 0;
}

// ---------------------------------------------------------------------------
// Step 7: pictures

// The variables of figures/ch6-compare.gp: the first seed's metrics of every
// experiment, and their names.
static void compare_vars(const Run *run, char *vars, size_t size) {
    char files[400] = "", titles[400] = "";
    for (int i = 0; i < run->n_exp; i++) {
        size_t fl = strlen(files), tl = strlen(titles);
        snprintf(files + fl, sizeof files - fl, "%smetrics-%s.tsv", i ? " " : "",
                 run->exp[i].name);
        snprintf(titles + tl, sizeof titles - tl, "%s\"%s\"", i ? " " : "", run->exp[i].label);
    }
    snprintf(vars, size, "files='%s'; titles='%s'", files, titles);
}

static int draw(Run *run, const Job *jobs, Error *err) {
    step(7, "draw the activations and the training curves");
    const char *figs = run->opt.figures_dir, *out = run->opt.out_dir;
    int rc = plot_render_with(figs, "ch6-activations", "ch6-activations", out, NULL, err);
    char vars[900];
    for (int i = 0; i < run->n_exp && rc == 0; i++) {
        const Experiment *e = &run->exp[i];
        const Job *j = &jobs[i * run->seeds];
        char name[64];
        snprintf(name, sizeof name, "curves-%s", e->name);
        snprintf(vars, sizeof vars, "tsv='metrics-%s.tsv'; from=1; best=%d; "
                 "title='%s hidden layer, rate %g, seed %llu: stopped after epoch %d'",
                 e->name, j->r.tr.kept_epoch, activation_name(e->cfg.activation),
                 e->cfg.learning_rate, (unsigned long long)j->seed, j->r.tr.epochs_run);
        rc = plot_render_with(figs, "curves", name, out, vars, err);
    }
    compare_vars(run, vars, sizeof vars);
    if (rc == 0) rc = plot_render_with(figs, "ch6-compare", "ch6-compare", out, vars, err);
    if (rc == 0)
        printf("      %s/ch6-activations.svg, curves-*.svg, ch6-compare.svg (and .pdf)\n", out);
    return rc;
}

// ---------------------------------------------------------------------------


int main(int argc, char **argv) {
    Run run;
    memset(&run, 0, sizeof run);
    Error err = {{0}};
    exercise_chapter = 6;
    double t_start = now();
    if (cli_parse(&run.opt, argc, argv, "ch6", "chapter 6, activation functions", &err) != 0) {
        error_print("ch6", &err);
        return 2;
    }
    if (run.opt.help) return 0;
    progress_quiet = run.opt.quiet;
    // The book's run measures the spread over several seeds; --seeds N says how many.
    run.seeds = run.opt.seeds_given ? run.opt.seeds : DEFAULT_SEEDS;
    printf("chapter 6: activation functions, from %s\n", run.opt.data_dir);
    if (make_dirs(run.opt.out_dir, &err) != 0 || read_configs(&run, &err) != 0) {
        error_print("ch6", &err);
        return 1;
    }

    step(2, "load MNIST, split 80/20, z-score each image");
    Mnist data = {0};
    DataOptions dopt = cli_data_options(&run.opt);
    if (mnist_load(&data, &dopt, &err) != 0 || check_configs(&run, &data, &err) != 0) {
        mnist_free(&data);
        error_print("ch6", &err);
        return 1;
    }
    printf("      %d training, %d validation and %d test images (split seed %llu)\n",
           data.train.n, data.val.n, data.test.n, (unsigned long long)run.opt.seed);
    values_set(&run.values, "n_train", "%d", data.train.n);
    values_set(&run.values, "n_val", "%d", data.val.n);
    values_set(&run.values, "n_test", "%d", data.test.n);

    int rc = activations(&run, &err);
    if (rc == 0) rc = smoke(&run, &data, &err);

    int n_jobs = run.n_exp * run.seeds;
    Job *jobs = calloc((size_t)n_jobs, sizeof *jobs);
    if (!jobs && rc == 0) rc = error_set(&err, "out of memory for %d runs", n_jobs);
    double t_train = now();
    if (rc == 0) {
        char what[200];
        if (run.seeds > 1)
            snprintf(what, sizeof what, "train: %d experiment%s, each with seeds %llu to %llu "
                     "(initial weights and batch order; the split stays)", run.n_exp,
                     run.n_exp > 1 ? "s" : "", (unsigned long long)run.opt.seed,
                     (unsigned long long)(run.opt.seed + run.seeds - 1));
        else
            snprintf(what, sizeof what, "train: %d experiment%s with seed %llu", run.n_exp,
                     run.n_exp > 1 ? "s" : "", (unsigned long long)run.opt.seed);
        step(5, what);
        for (int i = 0; i < run.n_exp; i++)
            for (int k = 0; k < run.seeds; k++)
                jobs[i * run.seeds + k] = (Job){.exp = i, .seed = run.opt.seed + k,
                                                .first = k == 0, .fd = -1};
        rc = run_all(&run, jobs, n_jobs, &data, &err);
        values_set(&run.values, "train_seconds", "%.0f", now() - t_train);
        double epochs = 0, seconds = 0;
        for (int i = 0; i < n_jobs && rc == 0; i++)
            epochs += jobs[i].r.tr.epochs_run, seconds += jobs[i].r.tr.seconds;
        if (rc == 0) {
            printf("      %.0f epochs in all, %.2f s each (training only, %s products)\n", epochs,
                   seconds / epochs, matmul_backend());
            values_set(&run.values, "epochs_total", "%.0f", epochs);
            values_set(&run.values, "epoch_seconds", "%.2f", seconds / epochs);
        }
    }
    if (rc == EXERCISE_UNFINISHED) {
        free(jobs);
        mnist_free(&data);
        return EXERCISE_UNFINISHED;
    }
    if (rc == 0) rc = results(&run, jobs, &err);
    if (rc == 0) rc = draw(&run, jobs, &err);
    if (rc == 0 && !run.opt.quiet) {
        printf("\nthe validation loss of each experiment (seed %llu), epoch by epoch:\n",
               (unsigned long long)run.opt.seed);
        char vars[900];
        compare_vars(&run, vars, sizeof vars);
        rc = plot_text_with(run.opt.figures_dir, "ch6-compare", "ch6-compare", run.opt.out_dir,
                            vars, &err);
    }
    double total = now() - t_start;
    values_set(&run.values, "total_seconds", "%.0f", total);
    values_set(&run.values, "total_minutes", "%.1f", total / 60);
    values_set(&run.values, "blas", "%s", matmul_backend());
    // values.tsv comes last: its presence says the whole run finished.
    if (rc == 0) rc = values_write(&run.values, run_file(&run, "values.tsv"), &err);
    free(jobs);
    mnist_free(&data);
    if (rc != 0) {
        progress_done();
        error_print("ch6", &err);
        return 1;
    }
    printf("done in %.1f s: %s/values.tsv\n", total, run.opt.out_dir);
    return 0;
}
