// fast.c: the training loop's fast path (see fast.h for what it does, and
// train.c for the plain path it stands beside). For speed only: nothing here
// is taught, and no chapter asks a student to read it.
//
// A batch takes two jobs, each shared out among the threads in units:
//   forward_backward, by images: a unit is a group of 16 of the batch's
//     images; each goes forward (the first layer from its non-zero pixels)
//     and backward to the deltas of the first layer, and the group's non-zero
//     pixels are listed by pixel (which images, and their s_b p_bj);
//   step, by weights: a unit is a block of 16 rows of W0^T (16 pixels): their
//     gradient, from those lists, and their step; one more unit does the
//     other layers and every bias.
// Every sum runs over the images in batch order, whichever thread takes the
// unit, so the numbers are the same for any number of threads.
#ifdef __linux__
#define _GNU_SOURCE  // sched_getaffinity: the processors this process may use
#endif
#include "fast.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

// ---------------------------------------------------------------------------
// Vectors of 8 doubles, through the compiler's vector extension (GCC, clang).
// Kernels are compiled three times, for AVX-512, AVX2 and plain x86-64, and
// the processor picks at load time; elsewhere they are compiled once.

typedef double v8 __attribute__((vector_size(64)));
typedef int64_t v8i __attribute__((vector_size(64)));
enum { V = 8 };

#define INLINE static inline __attribute__((always_inline))
#define VEC(p) (*(v8 *)(p))                 // p: 64-byte aligned
#define CVEC(p) (*(const v8 *)(p))
#define BLEND(m, a, b) ((v8)(((v8i)(a) & (v8i)(m)) | ((v8i)(b) & ~(v8i)(m))))  // m ? a : b
#define SIGN_BIT ((v8i){0} + INT64_MIN)

// (Not under ThreadSanitizer, whose runtime is not up yet when the loader
// runs the function that picks a clone.)
#if defined(__x86_64__) && defined(__ELF__) && defined(__has_attribute) && \
    !defined(__SANITIZE_THREAD__)
#if __has_attribute(target_clones)
#define KERNEL __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
#endif
#ifndef KERNEL
#define KERNEL
#endif

// Rows of P doubles go through in chunks of NV = 8, 4, 2 and 1 vectors,
// FN(o0, NV, ...) taking doubles o0 .. o0 + NV*V - 1. NV is a constant in each
// call, so FN's loops over it unroll and its NV sums stay in registers
// while it runs down a list of rows.
#define CHUNKED(P, FN, ...)                                                  \
    do {                                                                     \
        int o0_ = 0;                                                         \
        for (; o0_ + 8 * V <= (P); o0_ += 8 * V) FN(o0_, 8, __VA_ARGS__);    \
        if (o0_ + 4 * V <= (P)) FN(o0_, 4, __VA_ARGS__), o0_ += 4 * V;       \
        if (o0_ + 2 * V <= (P)) FN(o0_, 2, __VA_ARGS__), o0_ += 2 * V;       \
        if (o0_ + V <= (P)) FN(o0_, 1, __VA_ARGS__);                         \
    } while (0)
#define UNROLL _Pragma("GCC unroll 8")

// *y = exp(*y) for *y in [-708, 0], to an ulp or two: exp(x) = 2^k exp(r)
// with k the integer nearest x / ln 2 and |r| <= ln 2 / 2, where the Taylor
// series to r^13 is exact to 4e-18. (Vectors go by pointer: passed by value,
// they would change the calling convention from one clone to another.)
INLINE void exp_nonpositive(v8 *y) {
    const double shifter = 0x1.8p52, log2e = 0x1.71547652b82fep0;
    const double ln2_hi = 0x1.62e42fee00000p-1, ln2_lo = 0x1.a39ef35793c76p-33;
    v8 x = *y;
    v8 k = (x * log2e + shifter) - shifter;  // adding 1.5 * 2^52 rounds to an integer
    v8 r = (x - k * ln2_hi) - k * ln2_lo;
    static const double c[14] = {1.0 / 6227020800, 1.0 / 479001600, 1.0 / 39916800,
                                 1.0 / 3628800,    1.0 / 362880,    1.0 / 40320,
                                 1.0 / 5040,       1.0 / 720,       1.0 / 120,
                                 1.0 / 24,         1.0 / 6,         1.0 / 2,
                                 1.0,              1.0};
    v8 p = (v8){0} + c[0];
#pragma GCC unroll 16
    for (int i = 1; i < 14; i++) p = p * r + c[i];
    v8i e = (__builtin_convertvector(k, v8i) + 1023) << 52;  // 2^k, as bits
    *y = p * (v8)e;
}

// *y = expm1(*y) = exp(*y) - 1 for *y in [-40, 0], to a few ulps of the
// result: near 0, exp(x) - 1 would lose the digits that matter, so there the
// Taylor series of expm1 itself (to x^14, exact to 1e-19 for |x| < 0.35).
INLINE void expm1_nonpositive(v8 *y) {
    static const double inv_fact[15] = {1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120,
                                        1.0 / 720, 1.0 / 5040, 1.0 / 40320, 1.0 / 362880,
                                        1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600,
                                        1.0 / 6227020800, 1.0 / 87178291200};
    v8 x = *y, e = x;
    exp_nonpositive(&e);
    e = e - 1.0;
    v8 s = (v8){0} + inv_fact[14];
#pragma GCC unroll 16
    for (int i = 13; i >= 1; i--) s = s * x + inv_fact[i];
    s = s * x;
    *y = BLEND(x > -0.35, s, e);
}

// The three activations and their derivatives, as solutions/ch3.c and
// ch6.c compute them; tanh through tanh|x| = -expm1(-2|x|) / (2 + expm1(-2|x|)).
INLINE void act_v(v8 *y, Activation act) {
    v8 x = *y;
    if (act == ACT_RELU) {
        *y = BLEND(x > 0.0, x, (v8){0});
        return;
    }
    v8 a = (v8)((v8i)x & ~SIGN_BIT);  // |x|
    if (act == ACT_TANH) {
        a = BLEND(a > 20.0, (v8){0} + 20.0, a);  // tanh(20) is 1 in doubles; NaN stays NaN
        v8 m = -2.0 * a;
        expm1_nonpositive(&m);
        v8 t = -m / (2.0 + m);
        *y = (v8)(((v8i)t & ~SIGN_BIT) | ((v8i)x & SIGN_BIT));
    } else {  // sigmoid: 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below
        a = BLEND(a > 708.0, (v8){0} + 708.0, a);
        v8 e = -a;
        exp_nonpositive(&e);
        *y = BLEND(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e));
    }
}

// *d = *d * act'(x) from h = act(x), in place.
INLINE void act_backward_v(v8 *d, const v8 *h, Activation act) {
    if (act == ACT_TANH)
        *d = *d * (1.0 - *h * *h);
    else if (act == ACT_SIGMOID)
        *d = *d * *h * (1.0 - *h);
    else
        *d = BLEND(*h > 0.0, *d, (v8){0});
}

// ---------------------------------------------------------------------------
// The data: each image's non-zero pixels, listed once

typedef struct {
    const Split *s;
    size_t *start;    // [n + 1]: image i's non-zero pixels are idx[start[i] .. start[i+1] - 1]
    uint16_t *idx;    // pixel numbers, ascending within each image
    int max_nnz;      // the most non-zero pixels of any image
} Sparse;

static int sparse_build(Sparse *sp, const Split *s, Error *err) {
    memset(sp, 0, sizeof *sp);
    sp->s = s;
    size_t total = 0;
    for (size_t i = 0; i < (size_t)s->n * s->dim; i++) total += s->pixels[i] != 0;
    sp->start = error_calloc(err, (size_t)s->n + 1, sizeof(size_t), "the sparse images");
    // (one more: the loop below writes every pixel's number, then keeps it or not)
    sp->idx = error_calloc(err, total + 1, sizeof(uint16_t), "the sparse images");
    if (!sp->start || !sp->idx) return -1;
    size_t k = 0;
    for (int i = 0; i < s->n; i++) {
        const uint8_t *p = s->pixels + (size_t)i * s->dim;
        sp->start[i] = k;
        for (int j = 0; j < s->dim; j++) {
            sp->idx[k] = (uint16_t)j;
            k += p[j] != 0;
        }
        int nnz = (int)(k - sp->start[i]);
        if (nnz > sp->max_nnz) sp->max_nnz = nnz;
    }
    sp->start[s->n] = k;
    return 0;
}

static void sparse_free(Sparse *sp) {
    free(sp->start), free(sp->idx);
    memset(sp, 0, sizeof *sp);
}

// ---------------------------------------------------------------------------
// The threads. The caller is thread 0; the others wait for a job. A job is
// a list of units of work (groups of images, blocks of weights), which the
// threads take one at a time, whichever is free first, until none is left.
// So a thread that the system has put aside for a while (the machine is
// busy) holds up at most one unit, not a fixed share of the job; and since
// what a unit computes does not depend on who takes it, neither do the
// numbers. A job is short (half a batch, well under a millisecond), so
// the threads spin a little before they sleep.

typedef enum { JOB_FORWARD_BACKWARD, JOB_STEP, JOB_EVALUATE } JobKind;

typedef struct {
    int n;                          // threads, the caller included
    pthread_t tid[FAST_MAX_THREADS];
    uint32_t gen;                   // the current job's number (the caller's copy)
    // The current job in one word, so that a thread always sees a whole one:
    // its number (24 bits), kind (8), units (16) and the next unit to take (16).
    _Atomic uint64_t state;
    atomic_int done;                // how many of its units are finished
    atomic_bool quit;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} Pool;

#define JOB_STATE(gen, kind, units) \
    (((uint64_t)(gen) & 0xffffff) << 40 | (uint64_t)(kind) << 32 | (uint64_t)(units) << 16)
static inline uint32_t job_gen(uint64_t st) { return (uint32_t)(st >> 40); }
static inline JobKind job_kind(uint64_t st) { return (JobKind)((st >> 32) & 0xff); }
static inline uint32_t job_units(uint64_t st) { return (uint32_t)(st >> 16) & 0xffff; }

enum { SPINS = 2000 };  // a few tens of microseconds of waiting before sleeping (or yielding)

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

// The next unit of job number gen, or -1 when there is none left (or the
// job is over: a thread late for it must take nothing from the next one).
static int pool_take(Pool *p, uint32_t gen) {
    uint64_t st = atomic_load_explicit(&p->state, memory_order_acquire);
    for (;;) {
        uint32_t next = (uint32_t)st & 0xffff;
        if (job_gen(st) != gen || next >= job_units(st)) return -1;
        if (atomic_compare_exchange_weak_explicit(&p->state, &st, st + 1, memory_order_acq_rel,
                                                  memory_order_acquire))
            return (int)next;
    }
}

static void pool_finished(Pool *p) { atomic_fetch_add_explicit(&p->done, 1, memory_order_release); }

static void run_job(Fast *f, JobKind kind, uint32_t gen, int t);

typedef struct {
    Fast *f;
    int t;
} WorkerArg;

static Pool *pool_of(Fast *f);

static void *worker(void *arg) {
    WorkerArg wa = *(WorkerArg *)arg;
    free(arg);
    Pool *p = pool_of(wa.f);
    uint32_t seen = 0;
    for (;;) {
        uint64_t st = atomic_load_explicit(&p->state, memory_order_acquire);
        for (int spin = 0; job_gen(st) == seen && spin < SPINS; spin++) {
            cpu_relax();
            st = atomic_load_explicit(&p->state, memory_order_acquire);
        }
        if (job_gen(st) == seen) {
            pthread_mutex_lock(&p->mu);
            while (job_gen(st = atomic_load_explicit(&p->state, memory_order_acquire)) == seen)
                pthread_cond_wait(&p->cv, &p->mu);
            pthread_mutex_unlock(&p->mu);
        }
        seen = job_gen(st);
        if (atomic_load(&p->quit)) return NULL;
        run_job(wa.f, job_kind(st), seen, wa.t);
    }
}

// Runs a job of `units` units (at most 65535) on every thread; returns once
// all are finished.
static void pool_run(Pool *p, Fast *f, JobKind kind, int units) {
    atomic_store_explicit(&p->done, 0, memory_order_relaxed);
    p->gen = (p->gen + 1) & 0xffffff;
    atomic_store_explicit(&p->state, JOB_STATE(p->gen, kind, units), memory_order_release);
    if (p->n > 1) {  // wakes those already asleep
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    run_job(f, kind, p->gen, 0);
    for (int spin = 0; atomic_load_explicit(&p->done, memory_order_acquire) < units; spin++)
        if (spin < SPINS) cpu_relax();
        else sched_yield();
}

static int pool_start(Pool *p, Fast *f, int n, Error *err) {
    atomic_init(&p->state, 0);
    atomic_init(&p->done, 0);
    atomic_init(&p->quit, false);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->gen = 0;
    p->n = 1;
    for (int t = 1; t < n; t++) {
        WorkerArg *wa = malloc(sizeof *wa);
        if (!wa) return error_set(err, "fast path: out of memory for a thread");
        *wa = (WorkerArg){f, t};
        int rc = pthread_create(&p->tid[t], NULL, worker, wa);
        if (rc != 0) {
            free(wa);
            return error_set(err, "fast path: cannot start a thread (%s)", strerror(rc));
        }
        p->n++;
    }
    return 0;
}

static void pool_stop(Pool *p) {
    if (p->n > 1) {
        atomic_store(&p->quit, true);
        p->gen = (p->gen + 1) & 0xffffff;
        atomic_store_explicit(&p->state, JOB_STATE(p->gen, 0, 0), memory_order_release);
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        for (int t = 1; t < p->n; t++) pthread_join(p->tid[t], NULL);
    }
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    p->n = 0;
}

static int processors(void) {
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

// ---------------------------------------------------------------------------
// The state

enum {
    BLOCK = 16,        // rows of W0^T (pixels) in one unit of the step
    MAX_GROUPS = 64,   // groups of images in one batch, at most
    EVAL_UNIT = 250,   // images in one unit of an evaluation
};

typedef struct {      // what thread t works with
    double *colsum;   // [P1]: W0's columns summed (W0 1), for the forward pass
    double *c;        // [P1]: sum over the batch of s_b m_b d0_b, for the step
    double *eval[NET_MAX_LAYERS];  // one image's activations, for fast_evaluate
    double *grad;     // [max P]: one row of a gradient
} Lane;

typedef struct {      // the non-zero pixels of one group of a batch's images, by pixel
    int *start;       // [D + 1]: pixel j's entries are start[j] .. start[j+1] - 1
    int *fill;        // [D]
    int *row;         // the batch row of each entry
    double *coef;     // and its s_b p_bj
} Group;

struct Fast {
    int L;                           // weight layers
    int n[CONFIG_MAX_LAYERS];        // layer sizes, n[0] the pixels
    int P[CONFIG_MAX_LAYERS];        // n[l] rounded up to a whole number of vectors
    int D, K;                        // pixels, classes
    Activation act;
    bool momentum;
    double rate, gamma, l1, l2;
    // Layer 0 transposed, one row of P[1] per pixel (W0T[j * P1 + o] = W0[o, j]),
    // and the others as the Net has them, rows padded to P[l] (W[l][o * P[l] + c]),
    // with their transposes for the forward pass. Padding is zero throughout.
    double *W0T, *V0T;               // [D, P1]: weights, velocity
    double *W[NET_MAX_LAYERS], *WT[NET_MAX_LAYERS], *VW[NET_MAX_LAYERS];
    double *b[NET_MAX_LAYERS], *vb[NET_MAX_LAYERS];  // [P[l+1]]
    int nblocks;
    double *colsum_block;            // [nblocks, P1]: each block's rows of W0T summed
    // the data
    const Mnist *data;
    Sparse sp[3];                    // train, val, test
    // a batch: its images, cut into groups of `group` (the last one smaller)
    int cap;                         // its most images
    const int *idx;                  // its images, and how many
    int B, group, ngroups;
    Group groups[MAX_GROUPS];
    double *h[NET_MAX_LAYERS];       // [cap, P[l+1]]: each layer's output; h[L-1] is y
    double *d[NET_MAX_LAYERS];       // [cap, P[l+1]]: the loss's gradient at layer l's linear output
    // an evaluation
    const Sparse *eval_sp;
    double *loss;                    // [n of the largest split]: each image's loss
    uint8_t *right;                  // [n]: 1 if it was classified right
    Lane lane[FAST_MAX_THREADS];
    Pool pool;
    void *mem[128];                  // every block allocated, for fast_free
    int n_mem;
};

static Pool *pool_of(Fast *f) { return &f->pool; }

static double *fast_alloc(Fast *f, size_t count, Error *err) {
    if (f->n_mem == (int)(sizeof f->mem / sizeof f->mem[0])) {
        error_set(err, "fast path: too many blocks");
        return NULL;
    }
    size_t bytes = (count ? count : 1) * sizeof(double);
    bytes = (bytes + 63) / 64 * 64;
    void *p = NULL;
    if (posix_memalign(&p, 64, bytes) != 0) {
        error_set(err, "out of memory: %zu bytes for the fast path", bytes);
        return NULL;
    }
    memset(p, 0, bytes);
    f->mem[f->n_mem++] = p;
    return p;
}

static int round_v(int n) { return (n + V - 1) / V * V; }

const char *fast_unsupported(const Net *net, const Mnist *data) {
    if (net->n_layers < 1) return "a network without layers";
    if (net->sizes[net->n_layers] != MNIST_CLASSES) return "an output layer of other than 10 units";
    const Split *s[3] = {&data->train, &data->val, &data->test};
    for (int i = 0; i < 3; i++)
        if (s[i]->dim != net->sizes[0]) return "inputs of another size than the images";
    if (net->sizes[0] > UINT16_MAX) return "images of more than 65535 pixels";
    return NULL;
}

// ---------------------------------------------------------------------------
// The weights in and out

static void colsum_blocks(Fast *f, int k) {  // block k's rows of W0T, summed in order
    int P1 = f->P[1], j1 = (k + 1) * BLOCK < f->D ? (k + 1) * BLOCK : f->D;
    double *cs = f->colsum_block + (size_t)k * P1;
    memset(cs, 0, sizeof(double) * P1);
    for (int j = k * BLOCK; j < j1; j++)
        for (int o = 0; o < P1; o++) cs[o] += f->W0T[(size_t)j * P1 + o];
}

void fast_load(Fast *f, const Net *net) {
    int P1 = f->P[1];
    for (int o = 0; o < f->n[1]; o++)
        for (int j = 0; j < f->D; j++) f->W0T[(size_t)j * P1 + o] = net->W[0][(size_t)o * f->D + j];
    for (int l = 0; l < f->L; l++) memcpy(f->b[l], net->b[l], sizeof(double) * f->n[l + 1]);
    for (int l = 1; l < f->L; l++) {
        int C = f->n[l], OC = f->n[l + 1];
        for (int o = 0; o < OC; o++)
            for (int c = 0; c < C; c++) {
                double w = net->W[l][(size_t)o * C + c];
                f->W[l][(size_t)o * f->P[l] + c] = w;
                f->WT[l][(size_t)c * f->P[l + 1] + o] = w;
            }
    }
    for (int k = 0; k < f->nblocks; k++) colsum_blocks(f, k);
}

void fast_store(const Fast *f, Net *net) {
    int P1 = f->P[1];
    for (int o = 0; o < f->n[1]; o++)
        for (int j = 0; j < f->D; j++) net->W[0][(size_t)o * f->D + j] = f->W0T[(size_t)j * P1 + o];
    for (int l = 0; l < f->L; l++) memcpy(net->b[l], f->b[l], sizeof(double) * f->n[l + 1]);
    for (int l = 1; l < f->L; l++) {
        int C = f->n[l], OC = f->n[l + 1];
        for (int o = 0; o < OC; o++)
            memcpy(net->W[l] + (size_t)o * C, f->W[l] + (size_t)o * f->P[l], sizeof(double) * C);
    }
}

// ---------------------------------------------------------------------------
// Forward, one image

// W0 1 from the blocks' sums, in block order (the same sum on every thread).
static void colsum_total(const Fast *f, double *colsum) {
    int P1 = f->P[1];
    memset(colsum, 0, sizeof(double) * P1);
    for (int k = 0; k < f->nblocks; k++)
        for (int o = 0; o < P1; o++) colsum[o] += f->colsum_block[(size_t)k * P1 + o];
}

// The first layer's linear output for image i of sp's split, into z [P1]:
//   z = s (W0 p) - s m (W0 1) + b0,  W0 p summed over the non-zero pixels only.
INLINE void first_layer_chunk(int o0, const int NV, const Fast *f, const double *colsum,
                              const uint8_t *p, const uint16_t *nz, int count, double scale,
                              double shift, double *z) {
    const size_t P1 = (size_t)f->P[1];
    const double *w = f->W0T + o0;
    v8 acc[8];
    UNROLL for (int q = 0; q < NV; q++) acc[q] = (v8){0};
    for (int k = 0; k < count; k++) {
        const double *row = w + nz[k] * P1;
        double pv = p[nz[k]];
        UNROLL for (int q = 0; q < NV; q++) acc[q] += pv * CVEC(row + q * V);
    }
    UNROLL for (int q = 0; q < NV; q++) {
        int o = o0 + q * V;
        VEC(z + o) = (scale * acc[q] - shift * CVEC(colsum + o)) + CVEC(f->b[0] + o);
    }
}

INLINE void first_layer(const Fast *f, const double *colsum, const Sparse *sp, int i, double *z) {
    const Split *s = sp->s;
    double scale = s->inv_sd[i], shift = s->mean[i] * scale;
    CHUNKED(f->P[1], first_layer_chunk, f, colsum, s->pixels + (size_t)i * s->dim,
            sp->idx + sp->start[i], (int)(sp->start[i + 1] - sp->start[i]), scale, shift, z);
}

// A dense layer l: z [P[l+1]] = inp [n[l]] W^T + b, a sum of the rows of W^T.
INLINE void dense_chunk(int o0, const int NV, const Fast *f, int l, const double *inp,
                        double *z) {
    const size_t P = (size_t)f->P[l + 1];
    const double *wt = f->WT[l] + o0;
    v8 acc[8];
    UNROLL for (int q = 0; q < NV; q++) acc[q] = (v8){0};
    for (int c = 0; c < f->n[l]; c++) {
        double x = inp[c];
        UNROLL for (int q = 0; q < NV; q++) acc[q] += x * CVEC(wt + c * P + q * V);
    }
    UNROLL for (int q = 0; q < NV; q++) VEC(z + o0 + q * V) = acc[q] + CVEC(f->b[l] + o0 + q * V);
}

// Softmax over the K outputs, as solutions/ch2.c computes it.
INLINE void softmax_row(double *y, int K) {
    double m = y[0];
    for (int k = 1; k < K; k++) m = fmax(m, y[k]);
    double sum = 0.0;
    for (int k = 0; k < K; k++) {
        y[k] = exp(y[k] - m);
        sum += y[k];
    }
    for (int k = 0; k < K; k++) y[k] /= sum;
}

// Image i through the whole network: out[l] [P[l+1]] gets layer l's output.
KERNEL static void forward_image(const Fast *f, const double *colsum, const Sparse *sp, int i,
                                 double *const *out) {
    first_layer(f, colsum, sp, i, out[0]);
    for (int l = 0; l < f->L; l++) {
        if (l > 0) CHUNKED(f->P[l + 1], dense_chunk, f, l, out[l - 1], out[l]);
        if (l < f->L - 1) {
            int n = f->n[l + 1], P = f->P[l + 1];
            for (int o = 0; o < P; o += V) act_v(&VEC(out[l] + o), f->act);
            for (int o = n; o < P; o++) out[l][o] = 0.0;  // padding stays 0 (sigmoid(0) is not)
        } else {
            softmax_row(out[l], f->K);
        }
    }
}

// ---------------------------------------------------------------------------
// Training: forward and backward, by images

// d[l-1] = (d[l] W[l]) * act'(h[l-1]) for batch row r: the rows of W[l], weighted.
INLINE void delta_chunk(int c0, const int NV, const Fast *f, int l, int r) {
    const size_t P = (size_t)f->P[l];
    const double *dout = f->d[l] + (size_t)r * f->P[l + 1], *w = f->W[l] + c0;
    const double *h = f->h[l - 1] + r * P + c0;
    double *din = f->d[l - 1] + r * P + c0;
    v8 acc[8];
    UNROLL for (int q = 0; q < NV; q++) acc[q] = (v8){0};
    for (int o = 0; o < f->n[l + 1]; o++) {
        double g = dout[o];
        UNROLL for (int q = 0; q < NV; q++) acc[q] += g * CVEC(w + o * P + q * V);
    }
    UNROLL for (int q = 0; q < NV; q++) {
        act_backward_v(&acc[q], &CVEC(h + q * V), f->act);
        VEC(din + q * V) = acc[q];
    }
}

// Batch row r, after forward_image: the deltas of every layer, down to d[0][r].
KERNEL static void backward_image(Fast *f, int r, int label) {
    int L = f->L;
    double *y = f->h[L - 1] + (size_t)r * f->P[L], *dl = f->d[L - 1] + (size_t)r * f->P[L];
    for (int k = 0; k < f->K; k++) dl[k] = y[k] - (k == label ? 1.0 : 0.0);
    for (int l = L - 1; l >= 1; l--) CHUNKED(f->P[l], delta_chunk, f, l, r);
}

// Lists the non-zero pixels of batch rows r0 .. r1-1 by pixel, into g:
// count, place, fill, in batch order.
static void group_by_pixel(const Fast *f, Group *g, int r0, int r1) {
    const Sparse *sp = &f->sp[0];
    const Split *s = sp->s;
    int *restrict start = g->start, *restrict fill = g->fill, *restrict row = g->row;
    double *restrict coef = g->coef;
    const uint16_t *restrict idx = sp->idx;
    memset(start, 0, sizeof(int) * (f->D + 1));
    for (int r = r0; r < r1; r++) {
        int i = f->idx[r];
        for (size_t k = sp->start[i]; k < sp->start[i + 1]; k++) start[idx[k] + 1]++;
    }
    for (int j = 0; j < f->D; j++) start[j + 1] += start[j], fill[j] = start[j];
    for (int r = r0; r < r1; r++) {
        int i = f->idx[r];
        const uint8_t *restrict p = s->pixels + (size_t)i * s->dim;
        double scale = s->inv_sd[i];
        for (size_t k = sp->start[i]; k < sp->start[i + 1]; k++) {
            int j = idx[k], e = fill[j]++;
            row[e] = r;
            coef[e] = scale * p[j];
        }
    }
}

// Units: the groups of the batch's images. Each image forward and back to
// d[0], and the group's pixels listed for the step.
static void forward_backward(Fast *f, uint32_t gen, int t) {
    Lane *ln = &f->lane[t];
    int u = pool_take(&f->pool, gen);
    if (u < 0) return;
    colsum_total(f, ln->colsum);
    double *out[NET_MAX_LAYERS];
    do {
        int r0 = u * f->group, r1 = r0 + f->group < f->B ? r0 + f->group : f->B;
        group_by_pixel(f, &f->groups[u], r0, r1);
        for (int r = r0; r < r1; r++) {
            int i = f->idx[r];
            for (int l = 0; l < f->L; l++) out[l] = f->h[l] + (size_t)r * f->P[l + 1];
            forward_image(f, ln->colsum, &f->sp[0], i, out);
            backward_image(f, r, f->sp[0].s->labels[i]);
        }
        pool_finished(&f->pool);
    } while ((u = pool_take(&f->pool, gen)) >= 0);
}

// ---------------------------------------------------------------------------
// Training: the step, by weights

// The step on one row of weights w [n] (velocity v) from its gradient g,
// penalties first, in the order and the arithmetic of solutions/ch4.c, ch5.c.
INLINE void step_row(const Fast *f, double *w, double *v, double *g, int n, bool penalize) {
    if (penalize && f->l1 > 0)
        for (int i = 0; i < n; i++) g[i] += f->l1 * ((w[i] > 0) - (w[i] < 0));
    if (penalize && f->l2 > 0)
        for (int i = 0; i < n; i++) g[i] += 2.0 * f->l2 * w[i];
    if (f->momentum) {
        for (int i = 0; i < n; i += V) {
            VEC(v + i) = f->gamma * CVEC(v + i) + f->rate * CVEC(g + i);
            VEC(w + i) -= CVEC(v + i);
        }
    } else {
        for (int i = 0; i < n; i += V) VEC(w + i) -= f->rate * CVEC(g + i);
    }
}

// Row j of W0^T's gradient: over the batch's images b with p_bj > 0 (the
// groups in order: the images in batch order), s_b p_bj d0_b; minus c.
INLINE void first_layer_row_chunk(int o0, const int NV, const Fast *f, const Lane *me, int j,
                                  double *g) {
    const size_t P1 = (size_t)f->P[1];
    const double *d0 = f->d[0] + o0;
    v8 acc[8];
    UNROLL for (int q = 0; q < NV; q++) acc[q] = -CVEC(me->c + o0 + q * V);
    for (int u = 0; u < f->ngroups; u++) {
        const Group *gr = &f->groups[u];
        const int *row = gr->row;
        const double *coef = gr->coef;
        for (int e = gr->start[j]; e < gr->start[j + 1]; e++) {
            const double *d = d0 + row[e] * P1;
            double a = coef[e];
            UNROLL for (int q = 0; q < NV; q++) acc[q] += a * CVEC(d + q * V);
        }
    }
    UNROLL for (int q = 0; q < NV; q++) VEC(g + o0 + q * V) = acc[q];
}

// Unit 1 + k: rows k*16 .. k*16+15 of W0^T, their step, and their sum for W0 1.
KERNEL static void first_layer_rows(Fast *f, const Lane *me, int k) {
    int P1 = f->P[1], j1 = (k + 1) * BLOCK < f->D ? (k + 1) * BLOCK : f->D;
    double *g = me->grad, *cs = f->colsum_block + (size_t)k * P1;
    for (int o = 0; o < P1; o += V) VEC(cs + o) = (v8){0};
    for (int j = k * BLOCK; j < j1; j++) {
        CHUNKED(P1, first_layer_row_chunk, f, me, j, g);
        double *w = f->W0T + (size_t)j * P1;
        step_row(f, w, f->V0T + (size_t)j * P1, g, P1, true);
        for (int o = 0; o < P1; o += V) VEC(cs + o) += CVEC(w + o);
    }
}

// Row o of W[l]'s gradient: sum over the batch of d[l][b, o] h[l-1][b]; or,
// with l = 0 (h NULL), bias l's gradient: sum over the batch of d[l][b].
INLINE void batch_sum_chunk(int c0, const int NV, const Fast *f, int l, int o, double *g) {
    const size_t P = (size_t)f->P[l + 1], C = (size_t)f->P[l];
    v8 acc[8];
    UNROLL for (int q = 0; q < NV; q++) acc[q] = (v8){0};
    if (o >= 0) {
        const double *h = f->h[l - 1] + c0, *d = f->d[l] + o;
        for (int b = 0; b < f->B; b++) {
            double x = d[b * P];
            UNROLL for (int q = 0; q < NV; q++) acc[q] += x * CVEC(h + b * C + q * V);
        }
    } else {
        const double *d = f->d[l] + c0;
        for (int b = 0; b < f->B; b++) UNROLL for (int q = 0; q < NV; q++) acc[q] += CVEC(d + b * P + q * V);
    }
    UNROLL for (int q = 0; q < NV; q++) VEC(g + c0 + q * V) = acc[q];
}

// Unit 0: the other layers' weights, and every bias.
KERNEL static void other_weights(Fast *f, const Lane *me) {
    double *g = me->grad;
    for (int l = 0; l < f->L; l++) {
        int P = f->P[l + 1], C = f->P[l];
        for (int o = 0; l > 0 && o < f->n[l + 1]; o++) {
            CHUNKED(C, batch_sum_chunk, f, l, o, g);
            step_row(f, f->W[l] + (size_t)o * C, f->VW[l] + (size_t)o * C, g, C, true);
            for (int c = 0; c < f->n[l]; c++) f->WT[l][(size_t)c * P + o] = f->W[l][(size_t)o * C + c];
        }
        CHUNKED(P, batch_sum_chunk, f, l, -1, g);
        step_row(f, f->b[l], f->vb[l], g, P, false);
    }
}

// Units: 0 for the other layers and the biases, 1 + k for block k of W0^T.
static void step(Fast *f, uint32_t gen, int t) {
    Lane *me = &f->lane[t];
    int u = pool_take(&f->pool, gen);
    if (u < 0) return;
    // c = sum over the batch of s_b m_b d0_b, which every row of W0^T needs
    int P1 = f->P[1];
    const Split *s = f->sp[0].s;
    for (int o = 0; o < P1; o += V) VEC(me->c + o) = (v8){0};
    for (int r = 0; r < f->B; r++) {
        double sm = s->inv_sd[f->idx[r]] * s->mean[f->idx[r]];
        for (int o = 0; o < P1; o += V) VEC(me->c + o) += sm * CVEC(f->d[0] + (size_t)r * P1 + o);
    }
    do {
        if (u == 0)
            other_weights(f, me);
        else
            first_layer_rows(f, me, u - 1);
        pool_finished(&f->pool);
    } while ((u = pool_take(&f->pool, gen)) >= 0);
}

void fast_step(Fast *f, const int *idx, int B) {
    f->idx = idx, f->B = B;
    f->ngroups = (B + f->group - 1) / f->group;
    pool_run(&f->pool, f, JOB_FORWARD_BACKWARD, f->ngroups);
    pool_run(&f->pool, f, JOB_STEP, 1 + f->nblocks);
}

// ---------------------------------------------------------------------------
// Evaluation

// Units: EVAL_UNIT images at a time.
static void evaluate(Fast *f, uint32_t gen, int t) {
    Lane *ln = &f->lane[t];
    int u = pool_take(&f->pool, gen);
    if (u < 0) return;  // (nothing of the job may be read before a unit is taken)
    const Sparse *sp = f->eval_sp;
    colsum_total(f, ln->colsum);
    const double lo = 1e-15, hi = 1.0 - 1e-15;
    do {
        int i1 = (u + 1) * EVAL_UNIT < sp->s->n ? (u + 1) * EVAL_UNIT : sp->s->n;
        for (int i = u * EVAL_UNIT; i < i1; i++) {
            forward_image(f, ln->colsum, sp, i, ln->eval);
            const double *y = ln->eval[f->L - 1];
            int label = sp->s->labels[i], best = 0;
            for (int k = 1; k < f->K; k++)
                if (y[k] > y[best]) best = k;
            f->loss[i] = -log(fmin(fmax(y[label], lo), hi));
            f->right[i] = best == label;
        }
        pool_finished(&f->pool);
    } while ((u = pool_take(&f->pool, gen)) >= 0);
}

static void run_job(Fast *f, JobKind kind, uint32_t gen, int t) {
    if (kind == JOB_FORWARD_BACKWARD)
        forward_backward(f, gen, t);
    else if (kind == JOB_STEP)
        step(f, gen, t);
    else
        evaluate(f, gen, t);
}

void fast_evaluate(double *loss, double *acc, Fast *f, const Split *s) {
    f->eval_sp = NULL;
    for (int i = 0; i < 3; i++)
        if (f->sp[i].s == s) f->eval_sp = &f->sp[i];
    if (!f->eval_sp || s->n == 0) {
        *loss = *acc = NAN;
        return;
    }
    pool_run(&f->pool, f, JOB_EVALUATE, (s->n + EVAL_UNIT - 1) / EVAL_UNIT);
    double sum = 0;
    long right = 0;
    for (int i = 0; i < s->n; i++) sum += f->loss[i], right += f->right[i];
    *loss = sum / s->n;
    *acc = 100.0 * (double)right / s->n;
}

// ---------------------------------------------------------------------------
// Setting up

int fast_threads(const Fast *f) { return f->pool.n; }

int fast_create(Fast **out, const Net *net, const Config *cfg, const Mnist *data, int threads,
                Error *err) {
    *out = NULL;
    const char *why = fast_unsupported(net, data);
    if (why) return error_set(err, "the fast path cannot train %s", why);
    Fast *f = calloc(1, sizeof *f);
    if (!f) return error_set(err, "out of memory for the fast path");
    f->L = net->n_layers;
    for (int l = 0; l <= f->L; l++) f->n[l] = net->sizes[l], f->P[l] = round_v(net->sizes[l]);
    f->D = f->n[0], f->K = f->n[f->L];
    f->act = cfg->activation;
    f->momentum = cfg->momentum;
    f->rate = cfg->learning_rate, f->gamma = cfg->momentum_gamma;
    f->l1 = cfg->L1_penalty, f->l2 = cfg->L2_penalty;
    f->data = data;
    f->cap = cfg->batch_size;
    f->nblocks = (f->D + BLOCK - 1) / BLOCK;
    if (threads <= 0) threads = processors();
    if (threads > FAST_MAX_THREADS) threads = FAST_MAX_THREADS;
    if (threads > f->cap) threads = f->cap;
    if (threads < 1) threads = 1;

    const Split *splits[3] = {&data->train, &data->val, &data->test};
    int biggest = 0, P1 = f->P[1], Pmax = 0;
    for (int i = 0; i < 3; i++) {
        if (sparse_build(&f->sp[i], splits[i], err) != 0) goto fail;
        if (splits[i]->n > biggest) biggest = splits[i]->n;
    }
    for (int l = 1; l <= f->L; l++) Pmax = f->P[l] > Pmax ? f->P[l] : Pmax;
    if (!(f->W0T = fast_alloc(f, (size_t)f->D * P1, err))) goto fail;
    if (!(f->V0T = fast_alloc(f, (size_t)f->D * P1, err))) goto fail;
    if (!(f->colsum_block = fast_alloc(f, (size_t)f->nblocks * P1, err))) goto fail;
    for (int l = 0; l < f->L; l++) {
        size_t rows = (size_t)f->cap * f->P[l + 1];
        if (!(f->b[l] = fast_alloc(f, f->P[l + 1], err))) goto fail;
        if (!(f->vb[l] = fast_alloc(f, f->P[l + 1], err))) goto fail;
        if (!(f->h[l] = fast_alloc(f, rows, err))) goto fail;
        if (!(f->d[l] = fast_alloc(f, rows, err))) goto fail;
        if (l > 0) {
            if (!(f->W[l] = fast_alloc(f, (size_t)f->n[l + 1] * f->P[l], err))) goto fail;
            if (!(f->VW[l] = fast_alloc(f, (size_t)f->n[l + 1] * f->P[l], err))) goto fail;
            if (!(f->WT[l] = fast_alloc(f, (size_t)f->n[l] * f->P[l + 1], err))) goto fail;
        }
    }
    f->loss = fast_alloc(f, (size_t)biggest, err);
    f->right = (uint8_t *)fast_alloc(f, (size_t)biggest / sizeof(double) + 1, err);
    if (!f->loss || !f->right) goto fail;
    // groups of at least 16 images, at most MAX_GROUPS of them
    f->group = (f->cap + MAX_GROUPS - 1) / MAX_GROUPS;
    if (f->group < 16) f->group = 16;
    int groups = (f->cap + f->group - 1) / f->group;
    size_t entries = (size_t)f->group * (size_t)(f->sp[0].max_nnz ? f->sp[0].max_nnz : 1);
    int *starts = (int *)fast_alloc(f, (size_t)groups * (f->D + 1) / 2 + 1, err);
    int *fills = (int *)fast_alloc(f, (size_t)groups * f->D / 2 + 1, err);
    int *rows = (int *)fast_alloc(f, (size_t)groups * entries / 2 + 1, err);
    double *coefs = fast_alloc(f, (size_t)groups * entries, err);
    if (!starts || !fills || !rows || !coefs) goto fail;
    for (int u = 0; u < groups; u++)
        f->groups[u] = (Group){starts + (size_t)u * (f->D + 1), fills + (size_t)u * f->D,
                               rows + (size_t)u * entries, coefs + (size_t)u * entries};
    for (int t = 0; t < threads; t++) {
        Lane *ln = &f->lane[t];
        if (!(ln->colsum = fast_alloc(f, P1, err)) || !(ln->c = fast_alloc(f, P1, err)) ||
            !(ln->grad = fast_alloc(f, Pmax, err)))
            goto fail;
        for (int l = 0; l < f->L; l++)
            if (!(ln->eval[l] = fast_alloc(f, f->P[l + 1], err))) goto fail;
    }
    if (pool_start(&f->pool, f, threads, err) != 0) {
        pool_stop(&f->pool);
        goto fail;
    }
    fast_load(f, net);
    *out = f;
    return 0;
fail:
    for (int i = 0; i < 3; i++) sparse_free(&f->sp[i]);
    for (int i = 0; i < f->n_mem; i++) free(f->mem[i]);
    free(f);
    return -1;
}

void fast_free(Fast *f) {
    if (!f) return;
    pool_stop(&f->pool);
    for (int i = 0; i < 3; i++) sparse_free(&f->sp[i]);
    for (int i = 0; i < f->n_mem; i++) free(f->mem[i]);
    free(f);
}
