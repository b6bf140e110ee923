// bench.c: the program behind `make bench` (tools/bench.sh runs it). How fast
// the study's chapter-4 network trains: 784-128-10, tanh, batch 128, learning
// rate 0.001, momentum 0.9, in double precision, seed 1, on the plain path
// (train(): the exercises' functions, here the reference solutions of
// chapters 2-4) and on the fast path (train_with() and lib/speed/fast.c).
//
//   bench [--data DIR] [--out DIR] [--epochs N] [--plain-epochs N] [--threads N]
//
// An epoch is what the study's numpy code and PyTorch were timed on: the
// training pass over the 48,000 training images and the validation pass over
// the 12,000 validation images (not the evaluation of the training split that
// train() adds for its curves). Its time is the median over the epochs run.
// Each path trains in a process of its own, so that the peak memory (the
// largest resident set, getrusage's ru_maxrss) is that of one run.
//
// Beside the fast path's epoch it prints two estimates of the time an epoch
// cannot go under on the machine it runs on, both for the arithmetic an
// epoch cannot do without (the first layer over each image's non-zero
// pixels only, see limit_flop), on as many cores as the fast path has
// threads:
//   the limit: at the rate of this machine's vector multiply-adds on
//     registers alone (speed_peak_rate), which no kernel that does this
//     arithmetic can pass;
//   image by image: at the rate of an AXPY of a row of 128 doubles into 128
//     sums (speed_axpy_rate), the loop the fast path was first built on, which
//     reads a row of W0^T for each image. The fast path's tiles read a row
//     once for 4 images, and can beat it.
// Both estimates count every core as a whole one; the fast path on one
// thread (one_thread_s, as each of `make paper`'s runs trains) shows what the
// others add.
// The last line is for scripts (on one line):
//   figures: epoch_s= gflops= peak_rss_mb= limit_s= peak_gflops=
//            axpy_s= axpy_gflops= one_thread_s= plain_epoch_s=
// limit_s and axpy_s are the two estimates, peak_gflops and axpy_gflops the
// rates on one core.
#define _DEFAULT_SOURCE  // wait4
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "activations.h"
#include "chapter.h"
#include "cli.h"
#include "linalg.h"
#include "output.h"
#include "train.h"

#include "speed/fast.h"
#include "speed/rates.h"

typedef struct {
    int ok;
    double epoch_s, val_loss1, test_acc;
    int epochs, threads;
    int train_n, val_n;
    double train_nnz, val_nnz;  // the splits' non-zero pixels
    double peak_mb;  // filled in by the parent
} Outcome;

// ---------------------------------------------------------------------------
// The limit

// The arithmetic of an epoch that no method can skip, in FLOP (a multiply
// and an add are 2): per training image, the first layer forward and its
// weights' gradient over the image's non-zero pixels (2 x 128 a pixel each),
// the z-score's terms of both (2 x 128 each), 128 tanh (each about 30
// multiply-adds, as lib/speed/fast.c computes it), and the second layer forward,
// its delta and its weights' gradient (2 x 128 x 10 each); per validation
// image the forward alone; per batch of 128, the momentum step on the
// 101,770 weights (4 each).
static double limit_flop(const Outcome *o) {
    double hidden = 128, out = 10, tanh_flop = 60, params = 784 * 128 + 128 + 128 * 10 + 10;
    double train = 4 * hidden * o->train_nnz +
                   o->train_n * (2 * 2 * hidden + hidden * tanh_flop + 3 * 2 * hidden * out);
    double val = 2 * hidden * o->val_nnz +
                 o->val_n * (2 * hidden + hidden * tanh_flop + 2 * hidden * out);
    double batches = ceil(o->train_n / 128.0);
    return train + val + batches * 4 * params;
}

static double nonzero(const Split *s) {
    double n = 0;
    for (size_t i = 0; i < (size_t)s->n * s->dim; i++) n += s->pixels[i] != 0;
    return n;
}

// ---------------------------------------------------------------------------
// The runs

static Config bench_config(int epochs) {
    Config c;
    config_defaults(&c);  // 784-128-10, tanh, rate 0.001, batch 128
    c.momentum = true, c.momentum_gamma = 0.9;
    c.early_stop = false;
    c.epochs = epochs;
    return c;
}

// The validation loss after epoch 1, from a run's metrics.
static double first_val_loss(const char *tsv) {
    FILE *f = fopen(tsv, "r");
    double v = -1, e, tl;
    char line[512];
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "%lf %lf %lf", &e, &tl, &v) == 3 && e == 1) break;
    fclose(f);
    return v;
}

// One run, in this (child) process.
static Outcome run(const char *data_dir, const char *out_dir, bool fast, int epochs,
                   int threads) {
    Outcome o = {0};
    Error err = {{0}};
    Mnist m;
    DataOptions dopt = {.dir = data_dir, .seed = 1, .val_fraction = 0.2, .norm = NORM_PER_IMAGE};
    if (mnist_load(&m, &dopt, &err) != 0) {
        error_print("bench", &err);
        return o;
    }
    Config c = bench_config(epochs);
    Net net;
    if (net_from_config(&net, &c, &err) != 0) {
        error_print("bench", &err);
        mnist_free(&m);
        return o;
    }
    net_init(&net, 1, 0);
    TrainOps ops = chapter6_ops(ACT_TANH);
    TrainOptions topt = {.fast = fast, .threads = threads};
    TrainResult res;
    char tsv[4200];
    // (fast.tsv and fast-one-thread.tsv apart: the same numbers, not the same times)
    const char *name = !fast ? "plain" : threads == 1 ? "fast-one-thread" : "fast";
    snprintf(tsv, sizeof tsv, "%s/%s.tsv", out_dir, name);
    if (train_with(&res, &net, &ops, &c, &m, 1, tsv, name, &topt, &err) != 0) {
        error_print("bench", &err);
    } else {
        o = (Outcome){.ok = 1, .epoch_s = res.epoch_seconds, .val_loss1 = first_val_loss(tsv),
                      .test_acc = res.test_acc, .epochs = res.epochs_run,
                      .threads = res.fast_threads, .train_n = m.train.n, .val_n = m.val.n,
                      .train_nnz = nonzero(&m.train), .val_nnz = nonzero(&m.val)};
    }
    net_free(&net);
    mnist_free(&m);
    return o;
}

// The same run in a child process; its peak memory from wait4().
static Outcome run_apart(const char *data_dir, const char *out_dir, bool fast, int epochs,
                         int threads) {
    Outcome o = {0};
    int fd[2];
    if (pipe(fd) != 0) return o;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) return o;
    if (pid == 0) {
        close(fd[0]);
        Outcome mine = run(data_dir, out_dir, fast, epochs, threads);
        ssize_t n = write(fd[1], &mine, sizeof mine);
        _exit(n == (ssize_t)sizeof mine ? 0 : 1);
    }
    close(fd[1]);
    size_t got = 0;
    while (got < sizeof o) {
        ssize_t n = read(fd[0], (char *)&o + got, sizeof o - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fd[0]);
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0 || got != sizeof o || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
        o.ok = 0;
#ifdef __APPLE__
    o.peak_mb = ru.ru_maxrss / 1048576.0;  // bytes there
#else
    o.peak_mb = ru.ru_maxrss / 1024.0;     // kilobytes on Linux
#endif
    return o;
}

// The processor's name, and whether it has AVX-512 (Linux; elsewhere unknown).
static void processor(char *buf, size_t size) {
    snprintf(buf, size, "an unknown processor");
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[4096], name[200] = "";  // short enough that name and its note fit in buf
    bool avx512 = false, flags = false;
    if (!f) return;
    while (fgets(line, sizeof line, f) && !(name[0] && flags)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        colon[strcspn(colon, "\n")] = '\0';
        if (strncmp(line, "model name", 10) == 0 && !name[0])
            snprintf(name, sizeof name, "%s", colon + 2);
        if (strncmp(line, "flags", 5) == 0 && !flags)
            flags = true, avx512 = strstr(colon, " avx512f") != NULL;
    }
    fclose(f);
    if (name[0]) snprintf(buf, size, "%s%s", name, avx512 ? " (AVX-512)" : flags ? " (no AVX-512)" : "");
}

static int whole_number(const char *opt, const char *s, int min) {
    int v;
    Error err = {{0}};
    if (cli_count(&v, opt, s, min, 1000, &err) != 0) {
        error_print("bench", &err);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv) {
    const char *data_dir = "data/mnist", *out_dir = "build/bench";
    int epochs = 7, plain_epochs = 3, threads = 0;
    for (int i = 1; i < argc; i += 2) {  // every option takes a value
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0) {
            printf("usage: bench [--data DIR] [--out DIR] [--epochs N] [--plain-epochs N] "
                   "[--threads N]\n  --epochs N        epochs of the fast path (default 7)\n"
                   "  --plain-epochs N  epochs of the plain path (default 3; 0: not run)\n"
                   "  --threads N       the fast path's threads (default 0: one per "
                   "processor)\n");
            return 0;
        }
        if (!v) {
            fprintf(stderr, "bench: unknown option or missing value: %s (see --help)\n", a);
            return 2;
        }
        if (strcmp(a, "--data") == 0) data_dir = v;
        else if (strcmp(a, "--out") == 0) out_dir = v;
        else if (strcmp(a, "--epochs") == 0) epochs = whole_number(a, v, 1);
        else if (strcmp(a, "--plain-epochs") == 0) plain_epochs = whole_number(a, v, 0);
        else if (strcmp(a, "--threads") == 0) threads = whole_number(a, v, 0);
        else {
            fprintf(stderr, "bench: unknown option %s (see --help)\n", a);
            return 2;
        }
    }
    Error err = {{0}};
    if (make_dirs(out_dir, &err) != 0) {
        error_print("bench", &err);
        return 1;
    }
    char cpu[256];
    processor(cpu, sizeof cpu);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    printf("bench: the study's chapter-4 network: 784-128-10, tanh, batch 128, learning rate\n"
           "       0.001, momentum 0.9, double precision, seed 1, data from %s\n"
           "       on %s, %ld processor%s; products: %s\n",
           data_dir, cpu, cores, cores == 1 ? "" : "s", matmul_backend());

    Outcome plain = {0}, fast = {0};
    if (plain_epochs > 0) {
        printf("plain path (train(): the reference solutions' functions), %d epochs ...\n",
               plain_epochs);
        plain = run_apart(data_dir, out_dir, false, plain_epochs, 0);
        if (!plain.ok) return fprintf(stderr, "bench: the plain run failed\n"), 1;
    }
    printf("fast path (train_with() and lib/speed/fast.c), %d epochs ...\n", epochs);
    fast = run_apart(data_dir, out_dir, true, epochs, threads);
    if (!fast.ok) return fprintf(stderr, "bench: the fast run failed\n"), 1;
    Outcome one = fast;
    if (fast.threads > 1) {
        printf("fast path on one thread, %d epochs ...\n", epochs);
        one = run_apart(data_dir, out_dir, true, epochs, 1);
        if (!one.ok) return fprintf(stderr, "bench: the one-thread fast run failed\n"), 1;
    }

    // The dense arithmetic of one epoch: per training image, the forward
    // products 2(784*128 + 128*10), the weights' gradients as much again, and
    // the hidden layer's delta 2*128*10; per validation image, the forward.
    double fwd = 2.0 * (784 * 128 + 128 * 10);
    double flop = fast.train_n * (2 * fwd + 2.0 * 128 * 10) + fast.val_n * fwd;
    printf("\none epoch = the training pass (%d images) + the validation pass (%d images),\n"
           "%.1f GFLOP of dense arithmetic (the fast path skips the zero pixels: its GFLOP/s\n"
           "are those of the dense work it stands in for)\n\n",
           fast.train_n, fast.val_n, flop / 1e9);
    if (plain.ok)
        printf("  plain path  %8.3f s per epoch (median of %d)  %6.1f GFLOP/s  peak %4.0f MB\n",
               plain.epoch_s, plain.epochs, flop / plain.epoch_s / 1e9, plain.peak_mb);
    const char *copy = fast_copy();
    printf("  fast path   %8.3f s per epoch (median of %d)  %6.1f GFLOP/s  peak %4.0f MB"
           "  (%d thread%s)\n"
           "              (compiled for %s: lib/speed/vec.h)\n",
           fast.epoch_s, fast.epochs, flop / fast.epoch_s / 1e9, fast.peak_mb, fast.threads,
           fast.threads == 1 ? "" : "s", copy ? copy : "none");
    if (fast.threads > 1)
        printf("  on one thread %6.3f s per epoch: %d threads make it %.2f times as fast\n"
               "              (each of `make paper`'s runs trains on one)\n",
               one.epoch_s, fast.threads, one.epoch_s / fast.epoch_s);
    // (measured after the runs, so that it is not in their way)
    double need = limit_flop(&fast), peak = speed_peak_rate(), axpy = speed_axpy_rate();
    double limit = peak > 0 ? need / (peak * fast.threads) : NAN;
    double by_image = axpy > 0 ? need / (axpy * fast.threads) : NAN;
    printf("  limit about %8.3f s per epoch: the %.2f GFLOP of an epoch that no method can\n"
           "              skip (the zero pixels skipped) at %.1f GFLOP/s a core, on %d core%s: the\n"
           "              rate of this machine's vector multiply-adds on registers alone\n",
           limit, need / 1e9, peak / 1e9, fast.threads, fast.threads == 1 ? "" : "s");
    printf("  image by image %5.3f s per epoch: the same at %.1f GFLOP/s a core, an AXPY of\n"
           "              128 doubles from a 784 x 128 table, a row read for each image (the\n"
           "              fast path's tiles read it once for 4 images)\n",
           by_image, axpy / 1e9);
    if (plain.ok) {
        char a[32], b[32];  // as the metrics files keep them
        snprintf(a, sizeof a, "%.10g", fast.val_loss1);
        snprintf(b, sizeof b, "%.10g", plain.val_loss1);
        printf("  the fast path runs %.1f times as fast; the validation loss after epoch 1:\n"
               "  %s on the fast path, %s on the plain one\n  (%s)\n",
               plain.epoch_s / fast.epoch_s, a, b,
               strcmp(a, b) == 0 ? "the same to the 10 digits the metrics keep"
                                 : "apart by rounding, which training lets grow");
    }
    printf("figures: epoch_s=%.3f gflops=%.1f peak_rss_mb=%.0f limit_s=%.3f peak_gflops=%.1f "
           "axpy_s=%.3f axpy_gflops=%.1f one_thread_s=%.3f",
           fast.epoch_s, flop / fast.epoch_s / 1e9, fast.peak_mb, limit, peak / 1e9, by_image,
           axpy / 1e9, one.epoch_s);
    if (plain.ok) printf(" plain_epoch_s=%.3f", plain.epoch_s);
    printf("\n");
    return 0;
}
