// fast.c: the training loop's fast path (see fast.h for what it does, and
// train.c for the plain path it stands beside). For speed only: nothing here
// is taught, and no chapter asks a student to read it.
//
// A batch takes two jobs, each shared out among the threads in units:
//   first, by tiles and shares: a unit is a tile of 4 of the batch's images
//     and a share of the first layer's units (columns), a share a thread;
//     the 4 images go through the share's columns together, over the pixels
//     where any of the 4 is not 0, and on through the share's part of
//     layer 1's sum;
//   step, by blocks and shares: each thread first takes the batch on from
//     the parts' sums, through softmax and back to the first layer's deltas
//     in its share, on its own (cheaper than fetching them from another
//     core); then a unit is a block of 16 rows of W0^T (16 pixels) and a
//     share: their gradient, 4 rows at a time over the batch's images that
//     have a pixel not 0 among those 4, and their step at once; one more
//     unit a share does the other layers' weights and the biases.
// A thread takes the units of its own share first, so each part of W0^T
// stays in one core's cache (see Pool and part_row). Every sum runs over
// the images in batch order (or, in the forward pass, over an image's pixels
// in order), and over the parts in order, whichever thread takes the unit,
// so the numbers are the same for any number of threads. The tiles add
// products 0 * w to those sums, which change nothing.
//
// Where the time goes (an AMD EPYC with AVX-512, 2 cores): the first
// layer's two products, forward and the weights' gradient, are most of an
// epoch. One image (or one pixel) at a time, each reads a row of 128
// doubles from the level-2 cache for every 16 multiply-adds and waits on
// that cache; in tiles of 4 x 4 vectors a row read serves 4 images (4
// pixels), and the multiply-adds, though many multiply a 0, keep the vector
// units busy instead. Next come the step's reading and writing of W0^T and
// its velocity (1.6 MB, more than a core's level-2 cache), the tiles'
// lists, and anything one core writes and another reads: a cache line
// passed between the two cores costs about 250 ns here.
#ifdef __linux__
#define _GNU_SOURCE  // sched_getaffinity: the processors this process may use
#endif

// This file is compiled once per kind of processor (vec.h), each copy with
// functions of its own, which isa.c calls through the copy's table (isa.h).
#define fast_unsupported SPEED_COPY(fast_unsupported)
#define fast_create SPEED_COPY(fast_create)
#define fast_free SPEED_COPY(fast_free)
#define fast_threads SPEED_COPY(fast_threads)
#define fast_share SPEED_COPY(fast_share)
#define fast_unshare SPEED_COPY(fast_unshare)
#define fast_load SPEED_COPY(fast_load)
#define fast_store SPEED_COPY(fast_store)
#define fast_step SPEED_COPY(fast_step)
#define fast_evaluate SPEED_COPY(fast_evaluate)
#include "isa.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vec.h"  // after the system headers: its pragma is for the kernels

// ---------------------------------------------------------------------------
// Vectors (vec.h: vd, of VL doubles, the processor's own)

// The arrays' layout goes by blocks of V doubles, whatever VL is (vec.h).
enum { V = 8 };
_Static_assert(V % VL == 0, "a block of the layout is a whole number of vectors");

#define INLINE static inline __attribute__((always_inline))
#define VEC(p) (*(vd *)(p))                 // p: aligned to a vector
#define CVEC(p) (*(const vd *)(p))
#define BLEND(m, a, b) ((vd)(((vdi)(a) & (vdi)(m)) | ((vdi)(b) & ~(vdi)(m))))  // m ? a : b
#define SIGN_BIT ((vdi){0} + INT64_MIN)

// *x = the VL bytes at p, as doubles. (Through the bits: a byte b in the low
// bits of 2^52's are the double 2^52 + b. GCC's own conversion of a vector
// of bytes goes one byte at a time.)
INLINE void bytes_to_vd(vd *x, const uint8_t *p) {
    uint64_t w = 0;
    memcpy(&w, p, VL);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);  // byte k the k-th lowest
#endif
#if VL == 8
    const vdu shift = {0, 8, 16, 24, 32, 40, 48, 56};
#elif VL == 4
    const vdu shift = {0, 8, 16, 24};
#else
    const vdu shift = {0, 8};
#endif
    vdu b = (((vdu){0} + w) >> shift & 0xff) | 0x4330000000000000u;
    *x = (vd)b - 0x1p52;
}

// A byte's value as a double, looked up: cheaper than converting it.
#define BYTES4(b) (b), (b) + 1, (b) + 2, (b) + 3
#define BYTES16(b) BYTES4(b), BYTES4((b) + 4), BYTES4((b) + 8), BYTES4((b) + 12)
#define BYTES64(b) BYTES16(b), BYTES16((b) + 16), BYTES16((b) + 32), BYTES16((b) + 48)
static const double BYTE_VALUE[256] = {BYTES64(0), BYTES64(64), BYTES64(128), BYTES64(192)};


// Whether the tiles are wide: 4 x 4 vectors of 8, which AVX-512's 32
// registers hold; with 16 registers (AVX2, plain x86-64) they are 4 x 2
// vectors. Either way each sum is taken in the same order: the numbers do
// not depend on it, only the speed. (WB_FAST_COPY=x86-64-v3 takes the
// narrow tiles' copy on a processor that has AVX-512, so that
// tests/lib/test_train.c can hold the two to the same bits: see isa.c.)
enum { WIDE_TILES = VL == 8 };

// Rows of doubles go through in chunks of NV = 8, 4, 2 and 1 vectors,
// FN(o0, NV, ...) taking doubles o0 .. o0 + NV*VL - 1, from lo to hi (whole
// vectors). NV is a constant in each call, so FN's loops over it unroll and
// its NV sums stay in registers while it runs down a list of rows.
#define CHUNKED_RANGE(lo, hi, FN, ...)                                          \
    do {                                                                        \
        int o0_ = (lo);                                                         \
        for (; o0_ + 8 * VL <= (hi); o0_ += 8 * VL) FN(o0_, 8, __VA_ARGS__);    \
        if (o0_ + 4 * VL <= (hi)) FN(o0_, 4, __VA_ARGS__), o0_ += 4 * VL;       \
        if (o0_ + 2 * VL <= (hi)) FN(o0_, 2, __VA_ARGS__), o0_ += 2 * VL;       \
        if (o0_ + VL <= (hi)) FN(o0_, 1, __VA_ARGS__);                          \
    } while (0)
#define CHUNKED(P, FN, ...) CHUNKED_RANGE(0, P, FN, __VA_ARGS__)
// The same for the tiles, whose 4 x NV sums must fit in the registers too:
// NV = 4, 2 and 1 when wide, else 2 and 1.
#define TILED(lo, hi, wide, FN, ...)                                                \
    do {                                                                            \
        int o0_ = (lo);                                                             \
        if (wide)                                                                   \
            for (; o0_ + 4 * VL <= (hi); o0_ += 4 * VL) FN(o0_, 4, __VA_ARGS__);    \
        for (; o0_ + 2 * VL <= (hi); o0_ += 2 * VL) FN(o0_, 2, __VA_ARGS__);        \
        if (o0_ + VL <= (hi)) FN(o0_, 1, __VA_ARGS__);                              \
    } while (0)
#define UNROLL _Pragma("GCC unroll 8")

// *y = exp(*y) for *y in [-708, 0], to an ulp or two: exp(x) = 2^k exp(r)
// with k the integer nearest x / ln 2 and |r| <= ln 2 / 2, where the Taylor
// series to r^13 is exact to 4e-18.
INLINE void exp_nonpositive(vd *y) {
    const double shifter = 0x1.8p52, log2e = 0x1.71547652b82fep0;
    const double ln2_hi = 0x1.62e42fee00000p-1, ln2_lo = 0x1.a39ef35793c76p-33;
    vd x = *y;
    vd k = (x * log2e + shifter) - shifter;  // adding 1.5 * 2^52 rounds to an integer
    vd r = (x - k * ln2_hi) - k * ln2_lo;
    static const double c[14] = {1.0 / 6227020800, 1.0 / 479001600, 1.0 / 39916800,
                                 1.0 / 3628800,    1.0 / 362880,    1.0 / 40320,
                                 1.0 / 5040,       1.0 / 720,       1.0 / 120,
                                 1.0 / 24,         1.0 / 6,         1.0 / 2,
                                 1.0,              1.0};
    vd p = (vd){0} + c[0];
#pragma GCC unroll 16
    for (int i = 1; i < 14; i++) p = p * r + c[i];
    vdi e = (__builtin_convertvector(k, vdi) + 1023) << 52;  // 2^k, as bits
    *y = p * (vd)e;
}
// *y = expm1(*y) = exp(*y) - 1 for *y in [-40, 0], to a few ulps of the
// result: near 0, exp(x) - 1 would lose the digits that matter, so there the
// Taylor series of expm1 itself (to x^14, exact to 1e-19 for |x| < 0.35).
INLINE void expm1_nonpositive(vd *y) {
    static const double inv_fact[15] = {1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120,
                                        1.0 / 720, 1.0 / 5040, 1.0 / 40320, 1.0 / 362880,
                                        1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600,
                                        1.0 / 6227020800, 1.0 / 87178291200};
    vd x = *y, e = x;
    exp_nonpositive(&e);
    e = e - 1.0;
    vd s = (vd){0} + inv_fact[14];
#pragma GCC unroll 16
    for (int i = 13; i >= 1; i--) s = s * x + inv_fact[i];
    s = s * x;
    *y = BLEND(x > -0.35, s, e);
}

// The three activations and their derivatives, as solutions/ch3.c and
// ch6.c compute them; tanh through tanh|x| = -expm1(-2|x|) / (2 + expm1(-2|x|)).
INLINE void act_v(vd *y, Activation act) {
    vd x = *y;
    if (act == ACT_RELU) {
        *y = BLEND(x > 0.0, x, (vd){0});
        return;
    }
    vd a = (vd)((vdi)x & ~SIGN_BIT);  // |x|
    if (act == ACT_TANH) {
        a = BLEND(a > 20.0, (vd){0} + 20.0, a);  // tanh(20) is 1 in doubles; NaN stays NaN
        vd m = -2.0 * a;
        expm1_nonpositive(&m);
        vd t = -m / (2.0 + m);
        *y = (vd)(((vdi)t & ~SIGN_BIT) | ((vdi)x & SIGN_BIT));
    } else {  // sigmoid: 1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) below
        a = BLEND(a > 708.0, (vd){0} + 708.0, a);
        vd e = -a;
        exp_nonpositive(&e);
        *y = BLEND(x >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e));
    }
}

// *d = *d * act'(x) from h = act(x), in place.
INLINE void act_backward_v(vd *d, const vd *h, Activation act) {
    if (act == ACT_TANH)
        *d = *d * (1.0 - *h * *h);
    else if (act == ACT_SIGMOID)
        *d = *d * *h * (1.0 - *h);
    else
        *d = BLEND(*h > 0.0, *d, (vd){0});
}

// ---------------------------------------------------------------------------
// The data: where each image's pixels are not 0, once for each split
//
// A bit per pixel: 13 words of 64 bits an MNIST image, set where its byte is
// not 0. The union of a tile's pixels is then the OR of 4 such rows.

typedef struct {
    const Split *s;
    uint64_t *bits;   // [n, words]: image i's bit j is set where its pixel j is not 0
    int words;        // per image: dim / 64, rounded up
    bool shared;      // bits are fast_share's, not this Fast's own
} Sparse;

// fast_share's: each split's Sparse, and the pixels it was found from (a
// split is known by both). Filled before any thread or child starts, and
// read only after.
enum { MAX_SHARED = 3 * 4 };
static Sparse shared_sparse[MAX_SHARED];
static struct {
    const uint8_t *pixels;
    int n;
} shared_of[MAX_SHARED];
static int n_shared;

// Bit k set where byte k of the 8 at p is not 0. (Eight at a time: each
// run of the training builds these for 70,000 images, a byte at a time a
// twentieth of a second. The high bit of each byte of t is set where the
// byte is not 0; the multiply moves the 8 high bits, one a byte, into the
// top byte, each to its own bit, with no carries between them.)
static inline uint64_t nonzero_bits8(const uint8_t *p) {
    uint64_t x;
    memcpy(&x, p, sizeof x);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);  // byte k the k-th lowest
#endif
    const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
    uint64_t t = (((x & low7) + low7) | x) & ~low7;
    return (t >> 7) * 0x0102040810204080ull >> 56;
}

static int sparse_build(Sparse *sp, const Split *s, Error *err) {
    for (int i = 0; i < n_shared; i++)
        if (shared_sparse[i].s == s && shared_of[i].pixels == s->pixels && shared_of[i].n == s->n) {
            *sp = shared_sparse[i];
            sp->shared = true;
            return 0;
        }
    memset(sp, 0, sizeof *sp);
    sp->s = s;
    sp->words = (s->dim + 63) / 64;
    sp->bits = error_calloc(err, (size_t)s->n * sp->words + 1, sizeof(uint64_t),
                            "the images' non-zero pixels");
    if (!sp->bits) return -1;
    for (int i = 0; i < s->n; i++) {
        const uint8_t *p = s->pixels + (size_t)i * s->dim;
        uint64_t *b = sp->bits + (size_t)i * sp->words;
        int j = 0;
        for (; j + 8 <= s->dim; j += 8) b[j / 64] |= nonzero_bits8(p + j) << (j % 64);
        for (; j < s->dim; j++) b[j / 64] |= (uint64_t)(p[j] != 0) << (j % 64);
    }
    return 0;
}

static void sparse_free(Sparse *sp) {
    if (!sp->shared) free(sp->bits);
    memset(sp, 0, sizeof *sp);
}

bool fast_share(const Mnist *data) {
    const Split *splits[3] = {&data->train, &data->val, &data->test};
    for (int i = 0; i < 3; i++) {
        Sparse sp;
        Error unused;  // (the caller has nothing to say: each run finds its own)
        if (sparse_build(&sp, splits[i], &unused) != 0) return false;
        if (sp.shared) continue;  // there already
        if (n_shared == MAX_SHARED) {
            sparse_free(&sp);
            return false;
        }
        shared_of[n_shared].pixels = splits[i]->pixels, shared_of[n_shared].n = splits[i]->n;
        shared_sparse[n_shared++] = sp;
    }
    return true;
}

void fast_unshare(void) {
    for (int i = 0; i < n_shared; i++) sparse_free(&shared_sparse[i]);
    n_shared = 0;
}

// Asks for images img[0..n-1] of sp's split (their bytes and bits) to be on
// their way into the cache: a batch's images lie anywhere in the 37 MB of
// the training split, and would otherwise be waited for, line by line.
static void prefetch_images(const Sparse *sp, const int *img, int n) {
    const Split *s = sp->s;
    for (int a = 0; a < n; a++) {
        const char *p = (const char *)(s->pixels + (size_t)img[a] * s->dim);
        for (int o = 0; o < s->dim; o += 64) __builtin_prefetch(p + o);
        __builtin_prefetch(p + s->dim - 1);
        const char *b = (const char *)(sp->bits + (size_t)img[a] * sp->words);
        __builtin_prefetch(b);
        __builtin_prefetch(b + sizeof(uint64_t) * sp->words - 1);
    }
}

// ---------------------------------------------------------------------------
// The threads. The caller is thread 0; the others wait for a job. A job is
// a list of units of work (tiles of images, blocks of weights), which the
// threads take one at a time until none is left. Since what a unit
// computes does not depend on who takes it, neither do the numbers. A job
// is short (half a batch, well under a millisecond), so the threads spin a
// little before they sleep.
//
// A job's units may come in queues, one per share of the first layer's
// weights (see Fast's shares): thread t takes from queue t while it can.
// So each share's weights stay in the cache of one core from batch to
// batch, instead of passing between the cores, which takes longer than the
// arithmetic on them. A thread that the system has put aside for a while
// (the machine is busy) still has its units taken by the others, once
// they see that its queue does not move (see pool_take).

typedef enum { JOB_FIRST, JOB_STEP, JOB_EVALUATE } JobKind;

// (Each counter that threads write has a cache line of its own. A line
// written by one core and then read by another travels between them, which
// takes here about as long as a thousand multiply-adds; the counters are
// written at every unit.)
typedef struct {
    _Alignas(64) _Atomic uint64_t next;  // the job's number (high 32 bits), the queue's next unit
} Queue;

typedef struct {
    _Alignas(64) atomic_uint finished;   // units thread t has finished, all jobs together
    uint32_t stealing;                   // the last job in which it took from another queue
} Tally;

typedef struct {
    Queue queue[FAST_MAX_THREADS];
    Tally tally[FAST_MAX_THREADS];
    int n;                          // threads, the caller included
    pthread_t tid[FAST_MAX_THREADS];
    uint32_t gen;                   // the current job's number (the caller's copy)
    unsigned finished;              // the units of all jobs before it (the caller's count)
    // The current job in one word, so that a thread always sees a whole one:
    // its number (24 bits), kind (8), queues (8) and units in each (24).
    _Alignas(64) _Atomic uint64_t state;
    atomic_bool quit;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} Pool;

#define JOB_STATE(gen, kind, queues, per)                                           \
    (((uint64_t)(gen) & 0xffffff) << 40 | (uint64_t)(kind) << 32 | (uint64_t)(queues) << 24 | \
     (uint64_t)(per))
static inline uint32_t job_gen(uint64_t st) { return (uint32_t)(st >> 40); }
static inline JobKind job_kind(uint64_t st) { return (JobKind)((st >> 32) & 0xff); }
static inline int job_queues(uint64_t st) { return (int)((st >> 24) & 0xff); }
static inline uint32_t job_per_queue(uint64_t st) { return (uint32_t)st & 0xffffff; }

enum { SPINS = 2000 };  // a few tens of microseconds of waiting before sleeping (or yielding)

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

// Takes unit v of queue q if it is still next; returns whether it did.
static bool take(Pool *p, int q, uint64_t *v) {
    return atomic_compare_exchange_weak_explicit(&p->queue[q].next, v, *v + 1,
                                                 memory_order_relaxed, memory_order_relaxed);
}

// The next unit of job number gen for thread t, numbered queue by queue, or
// -1 when there is none left (or the job is over: a thread late for it must
// take nothing from the next one). First from t's own queue; then from
// another only once that queue's thread has made no progress for a while:
// a unit taken from another share brings that share's weights to this core,
// and back again after, which costs more than waiting the few microseconds
// the other thread needs to finish its own (on a quiet machine the shares
// end together). Once a thread has taken from another queue in a job, it
// goes on taking without waiting.
static int pool_take(Pool *p, uint32_t gen, int t) {
    uint64_t st = atomic_load_explicit(&p->state, memory_order_acquire);
    if (job_gen(st) != gen) return -1;
    int queues = job_queues(st), own = t % queues;
    uint32_t per = job_per_queue(st);
    uint64_t v = atomic_load_explicit(&p->queue[own].next, memory_order_relaxed);
    while ((uint32_t)(v >> 32) == gen && (uint32_t)v < per)
        if (take(p, own, &v)) return own * (int)per + (int)(uint32_t)v;
    uint32_t seen[FAST_MAX_THREADS];
    for (int q = 0; q < queues; q++) seen[q] = UINT32_MAX;
    for (int spin = 0;; spin++) {
        bool left = false, eager = p->tally[t].stealing == gen;
        for (int k = 1; k < queues; k++) {
            int q = (own + k) % queues;
            v = atomic_load_explicit(&p->queue[q].next, memory_order_relaxed);
            if ((uint32_t)(v >> 32) != gen || (uint32_t)v >= per) continue;
            left = true;
            if ((uint32_t)v != seen[q]) seen[q] = (uint32_t)v, spin = 0;  // its thread is at it
            if ((eager || spin >= SPINS) && take(p, q, &v)) {
                p->tally[t].stealing = gen;
                return q * (int)per + (int)(uint32_t)v;
            }
        }
        if (!left) return -1;
        cpu_relax();
    }
}

// Thread t has finished a unit. (It alone writes its tally.)
static void pool_finished(Pool *p, int t) {
    atomic_uint *c = &p->tally[t].finished;
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
                          memory_order_release);
}

// Whether all units of the jobs so far are finished.
static bool pool_idle(Pool *p) {
    unsigned sum = 0;
    for (int t = 0; t < p->n; t++)
        sum += atomic_load_explicit(&p->tally[t].finished, memory_order_acquire);
    return sum == p->finished;
}

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

// Runs a job of `queues` queues of `per` units each on every thread;
// returns once all are finished.
static void pool_run(Pool *p, Fast *f, JobKind kind, int queues, int per) {
    p->finished += (unsigned)(queues * per);
    p->gen = (p->gen + 1) & 0xffffff;
    for (int q = 0; q < queues; q++)
        atomic_store_explicit(&p->queue[q].next, (uint64_t)p->gen << 32, memory_order_relaxed);
    atomic_store_explicit(&p->state, JOB_STATE(p->gen, kind, queues, per), memory_order_release);
    if (p->n > 1) {  // wakes those already asleep
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    run_job(f, kind, p->gen, 0);
    for (int spin = 0; !pool_idle(p); spin++)
        if (spin < SPINS) cpu_relax();
        else sched_yield();
}

static int pool_start(Pool *p, Fast *f, int n, Error *err) {
    for (int q = 0; q < FAST_MAX_THREADS; q++) atomic_init(&p->queue[q].next, 0);
    for (int t = 0; t < FAST_MAX_THREADS; t++)
        atomic_init(&p->tally[t].finished, 0), p->tally[t].stealing = UINT32_MAX;
    p->finished = 0;
    atomic_init(&p->state, 0);
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
        atomic_store_explicit(&p->state, JOB_STATE(p->gen, 0, 0, 0), memory_order_release);
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
    TILE = 4,          // images that go through the first layer together
    QUAD = 4,          // rows of W0^T (pixels) whose gradients are summed together
    BLOCK = 16,        // rows of W0^T in one unit of the step: 4 quads
    QUADS = BLOCK / QUAD,
    SLAB = 4 * V,      // columns of the first layer in a part (in a tile's 4 x 4 vectors)
    MAX_PARTS = 16,    // parts of the first layer, at most
    EVAL_UNIT = 256,   // images in one unit of an evaluation (a whole number of tiles)
    AHEAD = 8,         // entries of a tile that the kernel asks the cache for ahead
};

// (What a thread writes as it works lies in blocks of its own, away from
// what the others write: two threads writing one cache line would pass it
// back and forth between their cores at every write.)

typedef struct {      // the first layer's input for a tile of TILE images: the
                      // pixels where any of them is not 0 (tile_union says how many),
    uint16_t *j;      // [D]: those pixels, ascending,
    uint32_t *x;      // [D]: and the images' bytes there, image a's in bits 8a .. 8a+7
} Tile;               // (a few bytes a pixel, so that the list stays in the level-1 cache)

typedef struct {      // what thread t works with
    double *colsum;   // [P1]: W0's columns summed (W0 1), for the forward pass
    double *c;        // [P1]: sum over the batch of s_b m_b d0_b, for the step
    double *grad;     // [max P]: a row of a gradient
    Tile tile;
    // a block of the step: for each of its quads, the batch rows with a
    // pixel not 0 in it, in order, and their 4 pixels there times s_b
    int *qrow;        // [QUADS, cap]
    double *qx;       // [QUADS, cap, QUAD]
    int *qn;          // [QUADS]: how many
    // The thread's own copy of the batch past the first layer (see
    // rest_batch): each layer's output h[l] and delta d[l], l >= 1,
    // [cap, P[l+1]], and the first layer's delta d0 [cap, P1], in parts.
    double *h[NET_MAX_LAYERS], *d[NET_MAX_LAYERS], *d0;
    // an evaluation: a tile's outputs, [TILE, P[l+1]] (the first layer's in
    // parts), layer 1's partial sums [parts, TILE, P2], and its images, and
    // those in tile order
    double *eval[NET_MAX_LAYERS], *z2;
    int *order;       // [2, EVAL_UNIT]
    // the job for which each of these was last done (a thread does only the
    // parts it works on): colsum's part q [q], c's and d0's [MAX_PARTS + q],
    // rest_batch [2 * MAX_PARTS]
    uint64_t *have;
} Lane;

struct Fast {
    FastHead head;                   // this copy's table (isa.h)
    int L;                           // weight layers
    int n[CONFIG_MAX_LAYERS];        // layer sizes, n[0] the pixels
    int P[CONFIG_MAX_LAYERS];        // n[l] rounded up to a whole number of vectors
    int D, K;                        // pixels, classes
    Activation act;
    bool momentum;
    double rate, gamma, l1, l2;
    // Layer 0 transposed, a row of P[1] per pixel (W0T[j, o] = W0[o, j]), and
    // the others as the Net has them, rows padded to P[l] (W[l][o * P[l] + c]),
    // with their transposes for the forward pass. W0T and W[1], whose columns
    // are the first layer's units, lie in parts (see part_row); the others
    // row after row. Padding is zero throughout.
    double *W0T, *V0T;               // [D, P1]: weights, velocity
    double *W[NET_MAX_LAYERS], *WT[NET_MAX_LAYERS], *VW[NET_MAX_LAYERS];
    double *b[NET_MAX_LAYERS], *vb[NET_MAX_LAYERS];  // [P[l+1]]
    struct {                         // for l >= 1, the weights after the step (see other_weights)
        double *W[NET_MAX_LAYERS], *WT[NET_MAX_LAYERS], *b[NET_MAX_LAYERS];
    } next;
    int nblocks;
    double *colsum_block;            // [nblocks, P1], in parts: each block's rows of W0T summed
    // The first layer's columns (its units) in parts of a slab (the last
    // part takes what is left past MAX_PARTS): part q is columns part[q] ..
    // part[q+1] - 1. Their number depends on the network only, not on the
    // threads (see forward_rest). Thread t works on the parts of share t:
    // parts share[t] .. share[t+1] - 1.
    int parts, part[MAX_PARTS + 1];
    int shares, share[FAST_MAX_THREADS + 1];
    uint64_t job;                    // the current job's number
    // the data
    const Mnist *data;
    Sparse sp[3];                    // train, val, test
    const uint64_t *zero_bits;       // [words] and [D]: an image of zeros, which fills
    const uint8_t *zero_row;         // the tiles that the batch leaves short
    // a batch: its images, in tiles of TILE (the last one may be short)
    int cap;                         // its most images
    const int *idx;                  // its images, and how many
    int B, ntiles;
    int *tiled, *tiled_img;          // [cap]: its rows in tile order (see tile_order), their images
    double *scale, *shift;           // [cap]: each row's s_b, and s_b m_b
    uint8_t *xb[FAST_MAX_THREADS];   // [nblocks, cap, BLOCK] a share: its bytes (see file_by_block)
    double *h0;                      // [cap, P1], in parts: the first layer's output
    double *z2;                      // [parts, cap, P2]: layer 1's partial sums (see forward_rest)
    // an evaluation
    const Sparse *eval_sp;
    double *loss;                    // [n of the largest split]: each image's loss
    uint8_t *right;                  // [n]: 1 if it was classified right
    Lane lane[FAST_MAX_THREADS];
    Pool pool;                       // (aligned to cache lines, as Fast is)
    void *mem[512];                  // every block allocated, for fast_free
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

// The same for `bytes` bytes of anything else.
static void *fast_alloc_bytes(Fast *f, size_t bytes, Error *err) {
    return fast_alloc(f, (bytes + sizeof(double) - 1) / sizeof(double), err);
}

static int round_v(int n) { return (n + V - 1) / V * V; }

static int min_int(int a, int b) { return a < b ? a : b; }

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
// The parts
//
// A matrix whose columns are the first layer's units (W0^T and its
// velocity, h[0] and d[0], W1 and its velocity, the blocks' sums of W0^T)
// lies in parts, one after the other: part q holds columns part[q] ..
// part[q+1]-1 of every row. So what one thread writes lies apart from what
// the others do: were the parts side by side in each row, the processor's
// prefetcher, reading ahead along a row, would keep fetching the other
// part's lines, taking them from the core that writes them, and the two
// cores would pass them back and forth (a step of W0 then takes ten times
// as long on 2 threads as on 1).

static int part_width(const Fast *f, int q) { return f->part[q + 1] - f->part[q]; }

// Row r of part q of such a matrix m of `rows` rows: its columns part[q] ...
static double *part_row(const Fast *f, double *m, int rows, int q, int r) {
    return m + (size_t)rows * f->part[q] + (size_t)r * part_width(f, q);
}

static int part_of(const Fast *f, int o) {  // the part of column o
    int q = 0;
    while (o >= f->part[q + 1]) q++;
    return q;
}

// Element (r, o) of such a matrix.
static double *part_at(const Fast *f, double *m, int rows, int r, int o) {
    int q = part_of(f, o);
    return part_row(f, m, rows, q, r) + (o - f->part[q]);
}

// ---------------------------------------------------------------------------
// The weights in and out

static void colsum_blocks(Fast *f, int k) {  // block k's rows of W0T, summed in order
    for (int q = 0; q < f->parts; q++) {
        int w = part_width(f, q);
        double *cs = part_row(f, f->colsum_block, f->nblocks, q, k);
        memset(cs, 0, sizeof(double) * w);
        for (int j = k * BLOCK; j < min_int((k + 1) * BLOCK, f->D); j++) {
            const double *row = part_row(f, f->W0T, f->D, q, j);
            for (int o = 0; o < w; o++) cs[o] += row[o];
        }
    }
}

// W[l][o, c] as the Net has it, here.
static double *weight_at(const Fast *f, int l, int o, int c) {
    if (l == 0) return part_at(f, f->W0T, f->D, c, o);
    if (l == 1) return part_at(f, f->W[1], f->n[2], o, c);
    return f->W[l] + (size_t)o * f->P[l] + c;
}

void fast_load(Fast *f, const Net *net) {
    for (int l = 0; l < f->L; l++) {
        int C = f->n[l], OC = f->n[l + 1];
        memcpy(f->b[l], net->b[l], sizeof(double) * OC);
        for (int o = 0; o < OC; o++)
            for (int c = 0; c < C; c++) {
                double w = net->W[l][(size_t)o * C + c];
                *weight_at(f, l, o, c) = w;
                if (l > 0) f->WT[l][(size_t)c * f->P[l + 1] + o] = w;
            }
    }
    for (int k = 0; k < f->nblocks; k++) colsum_blocks(f, k);
}

void fast_store(const Fast *f, Net *net) {
    for (int l = 0; l < f->L; l++) {
        int C = f->n[l], OC = f->n[l + 1];
        memcpy(net->b[l], f->b[l], sizeof(double) * OC);
        for (int o = 0; o < OC; o++)
            for (int c = 0; c < C; c++) net->W[l][(size_t)o * C + c] = *weight_at(f, l, o, c);
    }
}

// ---------------------------------------------------------------------------
// Forward, a tile of images

// Part q's columns of W0 1, from the blocks' sums in block order (the same
// sums on every thread), once a job.
static void colsum_part(const Fast *f, const Lane *ln, int q) {
    if (ln->have[q] == f->job) return;
    ln->have[q] = f->job;
    int lo = f->part[q], w = part_width(f, q);
    double *cs = ln->colsum + lo;
    for (int o = 0; o < w; o++) cs[o] = 0.0;
    for (int k = 0; k < f->nblocks; k++) {
        const double *b = part_row(f, f->colsum_block, f->nblocks, q, k);
        for (int o = 0; o < w; o++) cs[o] += b[o];
    }
}

// Images img[0..na-1] of sp's split, na <= TILE (images of zeros fill the
// tile): the pixels where any of them is not 0, and their bytes there.
// Returns how many pixels.
INLINE int tile_union(const Fast *f, const Sparse *sp, const int *img, int na, const Tile *t) {
    const Split *s = sp->s;
    const uint64_t *bits[TILE];
    const uint8_t *px[TILE];
    for (int a = 0; a < TILE; a++) {
        bits[a] = a < na ? sp->bits + (size_t)img[a] * sp->words : f->zero_bits;
        px[a] = a < na ? s->pixels + (size_t)img[a] * s->dim : f->zero_row;
    }
    _Static_assert(TILE <= 4, "a tile's bytes at a pixel fit in 32 bits");
    uint16_t *restrict tj = t->j;
    uint32_t *restrict tx = t->x;
    int n = 0;
    for (int w = 0; w < sp->words; w++) {
        uint64_t m = 0;
        UNROLL for (int a = 0; a < TILE; a++) m |= bits[a][w];
        for (; m; m &= m - 1, n++) {
            int j = w * 64 + __builtin_ctzll(m);
            uint32_t x = 0;
            UNROLL for (int a = 0; a < TILE; a++) x |= (uint32_t)px[a][j] << 8 * a;
            tj[n] = (uint16_t)j, tx[n] = x;
        }
    }
    return n;
}

// The first layer's linear output for the tile's images a < na, doubles
// o0 .. o0 + NV*VL - 1 of part q, into their rows z[a] (given at the part's
// first column):
//   z_a = s_a (W0 p_a) - s_a m_a (W0 1) + b0,
// W0 p_a summed over the tile's pixels, in order. Each row of W0^T read
// serves the 4 images; where an image's pixel is 0, its product is 0 and
// leaves its sum as it was.
INLINE void first_layer_chunk(int o0, const int NV, const Fast *f, int q, const Tile *t, int n,
                              const double *colsum, const double *scale, const double *shift,
                              int na, double *const *z) {
    const size_t ws = (size_t)part_width(f, q);
    const double *w = part_row(f, f->W0T, f->D, q, 0) + (o0 - f->part[q]);
    vd acc[TILE][4];
    UNROLL for (int a = 0; a < TILE; a++) UNROLL for (int v = 0; v < NV; v++) acc[a][v] = (vd){0};
    for (int e = 0; e < n; e++) {
        const double *row = w + t->j[e] * ws;
        const double *ahead = w + t->j[e + AHEAD] * ws;  // (t->j is padded)
        for (int v = 0; v < NV * VL; v += V) __builtin_prefetch(ahead + v);  // a line each
        uint32_t bytes = t->x[e];
        UNROLL for (int a = 0; a < TILE; a++) {
            double x = BYTE_VALUE[bytes >> 8 * a & 0xff];
            UNROLL for (int v = 0; v < NV; v++) acc[a][v] += x * CVEC(row + v * VL);
        }
    }
    UNROLL for (int a = 0; a < TILE; a++) {
        if (a >= na) break;
        double *za = z[a] + (o0 - f->part[q]);
        UNROLL for (int v = 0; v < NV; v++) {
            int o = o0 + v * VL;
            VEC(za + v * VL) =
                (scale[a] * acc[a][v] - shift[a] * CVEC(colsum + o)) + CVEC(f->b[0] + o);
        }
    }
}

// Layer 1's partial sum over part q of its inputs (h, at the part's first
// column), doubles o0 .. o0 + NV*VL - 1 of z: the rows of W1^T, weighted.
INLINE void partial_chunk(int o0, const int NV, const Fast *f, int q, const double *h, double *z) {
    const size_t P2 = (size_t)f->P[2];
    const double *wt = f->WT[1] + (size_t)f->part[q] * P2 + o0;
    int n = min_int(f->part[q + 1], f->n[1]) - f->part[q];
    vd acc[8];
    UNROLL for (int v = 0; v < NV; v++) acc[v] = (vd){0};
    for (int c = 0; c < n; c++) {
        double x = h[c];
        UNROLL for (int v = 0; v < NV; v++) acc[v] += x * CVEC(wt + c * P2 + v * VL);
    }
    UNROLL for (int v = 0; v < NV; v++) VEC(z + o0 + v * VL) = acc[v];
}

// Images img[0..na-1] of sp's split (na <= TILE), parts q0 .. q1-1 of the
// first layer (colsum's must be summed): the linear output, into rows
// row[a] of h (of `rows` rows, in parts), and when other layers follow,
// its activation there, and layer 1's partial sums over each part, into
// z2 [parts, rows, P2].
static void first_layer_tile(const Fast *f, const Lane *ln, const Sparse *sp, const int *img,
                             int na, int q0, int q1, double *h, int rows, const int *row,
                             double *z2) {
    const Split *s = sp->s;
    double scale[TILE] = {0}, shift[TILE] = {0};
    for (int a = 0; a < na; a++)
        scale[a] = s->inv_sd[img[a]], shift[a] = s->mean[img[a]] * scale[a];
    int n = tile_union(f, sp, img, na, &ln->tile);
    for (int q = q0; q < q1; q++) {
        int lo = f->part[q], hi = f->part[q + 1];
        double *zq[TILE] = {0};
        for (int a = 0; a < na; a++) zq[a] = part_row(f, h, rows, q, row[a]);
        TILED(lo, hi, WIDE_TILES, first_layer_chunk, f, q, &ln->tile, n, ln->colsum, scale, shift,
              na, zq);
        if (f->L == 1) continue;  // the output layer: softmax follows, image by image
        for (int a = 0; a < na; a++) {
            for (int o = 0; o < hi - lo; o += VL) act_v(&VEC(zq[a] + o), f->act);
            for (int o = f->n[1] > lo ? f->n[1] : lo; o < hi; o++) zq[a][o - lo] = 0.0;  // padding
            CHUNKED(f->P[2], partial_chunk, f, q, zq[a],   // stays 0 (sigmoid(0) is not)
                    z2 + ((size_t)q * rows + row[a]) * f->P[2]);
        }
    }
}

// A dense layer l >= 2: z [P[l+1]] = inp [n[l]] W^T + b, a sum of the rows of W^T.
INLINE void dense_chunk(int o0, const int NV, const Fast *f, int l, const double *inp,
                        double *z) {
    const size_t P = (size_t)f->P[l + 1];
    const double *wt = f->WT[l] + o0;
    vd acc[8];
    UNROLL for (int q = 0; q < NV; q++) acc[q] = (vd){0};
    for (int c = 0; c < f->n[l]; c++) {
        double x = inp[c];
        UNROLL for (int q = 0; q < NV; q++) acc[q] += x * CVEC(wt + c * P + q * VL);
    }
    UNROLL for (int q = 0; q < NV; q++) VEC(z + o0 + q * VL) = acc[q] + CVEC(f->b[l] + o0 + q * VL);
}

// Softmax over the K outputs of y [P], as solutions/ch2.c computes it, the
// exponentials in vectors (below exp(-708), 1e-308, they are taken as that:
// beside the largest, exp(0) = 1, nothing that small counts). The padding
// after K is left 0.
INLINE void softmax_row(double *y, int K, int P) {
    double m = y[0];
    for (int k = 1; k < K; k++) m = fmax(m, y[k]);
    for (int o = 0; o < P; o += VL) {
        vd x = CVEC(y + o) - m;
        x = BLEND(x < -708.0, (vd){0} - 708.0, x);
        x = BLEND(x > 0.0, (vd){0}, x);  // the padding's, which is not kept
        exp_nonpositive(&x);
        VEC(y + o) = x;
    }
    double sum = 0.0;
    for (int k = 0; k < K; k++) sum += y[k];
    for (int k = 0; k < K; k++) y[k] /= sum;
    for (int k = K; k < P; k++) y[k] = 0.0;
}

// One image through the layers after the first: out[l] gets layer l's
// output, softmax's the last. Layer 1's is b1 plus the partial sums of
// first_layer_tile, part after part (z2 + q * z2_part): each thread sums
// its own parts of W1 h, and the parts are the same however many threads
// there are, so the sum is too. (For a network of one layer, out[0] holds
// the first layer's linear output, and softmax takes it in place.)
INLINE void forward_rest(const Fast *f, const double *z2, size_t z2_part, double *const *out) {
    if (f->L > 1) {
        for (int o = 0; o < f->P[2]; o += VL) {
            vd z = CVEC(f->b[1] + o);
            for (int q = 0; q < f->parts; q++) z += CVEC(z2 + q * z2_part + o);
            VEC(out[1] + o) = z;
        }
        if (f->L > 2) {
            for (int o = 0; o < f->P[2]; o += VL) act_v(&VEC(out[1] + o), f->act);
            for (int o = f->n[2]; o < f->P[2]; o++) out[1][o] = 0.0;
        }
    }
    for (int l = 2; l < f->L; l++) {
        int P = f->P[l + 1];
        CHUNKED(P, dense_chunk, f, l, out[l - 1], out[l]);
        if (l < f->L - 1) {
            for (int o = 0; o < P; o += VL) act_v(&VEC(out[l] + o), f->act);
            for (int o = f->n[l + 1]; o < P; o++) out[l][o] = 0.0;
        }
    }
    softmax_row(out[f->L - 1], f->K, f->P[f->L]);
}

// ---------------------------------------------------------------------------
// Training: forward

// Images img[0..n-1] in tile order: by label (stably), so that a tile's
// images, mostly of one digit, have fewer pixels among them (about 10%
// fewer on MNIST than 4 images drawn at random): order[e] is the e-th.
static void tile_order(const Split *s, const int *img, int n, int *order) {
    int start[MNIST_CLASSES + 1] = {0};
    for (int i = 0; i < n; i++) start[min_int(s->labels[img[i]], MNIST_CLASSES - 1) + 1]++;
    for (int k = 0; k < MNIST_CLASSES; k++) start[k + 1] += start[k];
    for (int i = 0; i < n; i++) order[start[min_int(s->labels[img[i]], MNIST_CLASSES - 1)]++] = i;
}

// Batch row r's bytes, filed by block of pixels into share t's copy, for the
// step's lists (read there in order, from this core's cache):
// xb[t][k, r] = pixels k*BLOCK .. k*BLOCK + BLOCK-1 (the last block's
// missing ones stay 0).
static void file_by_block(const Fast *f, int t, int r) {
    const Split *s = f->sp[0].s;
    const uint8_t *p = s->pixels + (size_t)f->idx[r] * s->dim;
    uint8_t *xb = f->xb[t] + (size_t)r * BLOCK;
    const size_t stride = (size_t)f->cap * BLOCK;
    int k = 0;
    for (; (k + 1) * BLOCK <= f->D; k++) memcpy(xb + k * stride, p + k * BLOCK, BLOCK);
    if (k < f->nblocks) memcpy(xb + k * stride, p + k * BLOCK, (size_t)(f->D - k * BLOCK));
}

// Units (share s, tile u): the first layer's columns of share s's parts for
// the batch's tile u, its rows tiled[4u ..], and layer 1's partial sums.
static void first_layer_job(Fast *f, uint32_t gen, int t) {
    const Lane *ln = &f->lane[t];
    const Sparse *sp = &f->sp[0];
    int u;
    while ((u = pool_take(&f->pool, gen, t)) >= 0) {
        int s = u / f->ntiles, e0 = u % f->ntiles * TILE, q0 = f->share[s], q1 = f->share[s + 1];
        int na = min_int(TILE, f->B - e0), e1 = e0 + na;
        // the next two tiles' images, on their way while this one is computed
        prefetch_images(sp, f->tiled_img + e1, min_int(2 * TILE, f->B - e1));
        for (int q = q0; q < q1; q++) colsum_part(f, ln, q);
        first_layer_tile(f, ln, sp, f->tiled_img + e0, na, q0, q1, f->h0, f->cap,
                         f->tiled + e0, f->z2);
        for (int a = 0; a < na; a++) file_by_block(f, s, f->tiled[e0 + a]);
        pool_finished(&f->pool, t);
    }
}

// ---------------------------------------------------------------------------
// Training: backward, and the step, by weights

// din = (dout W) * act'(h) for one image, doubles c0 .. c0 + NV*VL - 1: the
// rows of W (W + o * ws, at column c0), weighted by dout; h and din at c0.
INLINE void delta_chunk(int c0, const int NV, const Fast *f, int l, const double *dout,
                        const double *w, size_t ws, const double *h, double *din) {
    (void)c0;
    vd acc[8];
    UNROLL for (int q = 0; q < NV; q++) acc[q] = (vd){0};
    for (int o = 0; o < f->n[l + 1]; o++) {
        double g = dout[o];
        UNROLL for (int q = 0; q < NV; q++) acc[q] += g * CVEC(w + o * ws + q * VL);
    }
    UNROLL for (int q = 0; q < NV; q++) {
        act_backward_v(&acc[q], &CVEC(h + q * VL), f->act);
        VEC(din + q * VL) = acc[q];
    }
}

// (delta_chunk at column c0 of arrays given at column lo.)
#define DELTA_AT(c0, NV, f, l, dout, w, ws, h, din, lo) \
    delta_chunk(c0, NV, f, l, dout, (w) + ((c0) - (lo)), ws, (h) + ((c0) - (lo)), (din) + ((c0) - (lo)))

// The batch past the first layer, on this thread, once a job: every
// image's other layers forward and the deltas back to d[1] (or for a
// network of one layer, its output's delta d0), into the thread's own
// copies. Every thread of the step needs them, and computing them is
// cheaper than fetching them from the core that would.
static void rest_batch(Fast *f, const Lane *me) {
    if (me->have[2 * MAX_PARTS] == f->job) return;
    me->have[2 * MAX_PARTS] = f->job;
    const uint8_t *labels = f->sp[0].s->labels;
    int L = f->L;
    for (int r = 0; r < f->B; r++) {
        double *out[NET_MAX_LAYERS], *dl;
        if (L == 1) {  // softmax in d0's row, then y - t there
            out[0] = dl = part_row(f, me->d0, f->cap, 0, r);
            memcpy(dl, part_row(f, f->h0, f->cap, 0, r), sizeof(double) * f->P[1]);
        } else {
            for (int l = 1; l < L; l++) out[l] = me->h[l] + (size_t)r * f->P[l + 1];
            dl = me->d[L - 1] + (size_t)r * f->P[L];
        }
        forward_rest(f, f->z2 + (size_t)r * f->P[2], (size_t)f->cap * f->P[2], out);
        int label = labels[f->idx[r]];
        for (int k = 0; k < f->K; k++) dl[k] = out[L - 1][k] - (k == label ? 1.0 : 0.0);
        for (int l = L - 1; l >= 2; l--) {
            size_t P = (size_t)f->P[l];
            CHUNKED(f->P[l], DELTA_AT, f, l, me->d[l] + (size_t)r * f->P[l + 1], f->W[l], P,
                    me->h[l - 1] + r * P, me->d[l - 1] + r * P, 0);
        }
    }
}

// Part q's columns of d0 = (d1 W1) * act'(h0) for the batch (from
// rest_batch's d1; for a network of one layer, rest_batch gave d0), and of
// c = sum over the batch of s_b m_b d0_b, which every row of W0^T's
// gradient needs: on this thread, once a job.
static void part_batch(const Fast *f, const Lane *me, int q) {
    if (me->have[MAX_PARTS + q] == f->job) return;
    me->have[MAX_PARTS + q] = f->job;
    int lo = f->part[q], w = part_width(f, q);
    for (int r = 0; f->L > 1 && r < f->B; r++)
        CHUNKED_RANGE(lo, f->part[q + 1], DELTA_AT, f, 1, me->d[1] + (size_t)r * f->P[2],
                      part_row(f, f->W[1], f->n[2], q, 0), (size_t)w,
                      part_row(f, f->h0, f->cap, q, r), part_row(f, me->d0, f->cap, q, r), lo);
    double *c = me->c + lo;
    for (int o = 0; o < w; o += VL) VEC(c + o) = (vd){0};
    for (int r = 0; r < f->B; r++) {
        double sm = f->shift[r];
        const double *d = part_row(f, me->d0, f->cap, q, r);
        for (int o = 0; o < w; o += VL) VEC(c + o) += sm * CVEC(d + o);
    }
}

// The step on a vector of weights w (velocity v) from their gradient g,
// penalties first, in the order and the arithmetic of solutions/ch4.c, ch5.c.
INLINE void step_v(const Fast *f, vd *w, vd *v, const vd *gradient, bool penalize) {
    vd g = *gradient;
    if (penalize && f->l1 > 0)
        g += f->l1 * (BLEND(*w > 0.0, (vd){0} + 1.0, (vd){0}) - BLEND(*w < 0.0, (vd){0} + 1.0, (vd){0}));
    if (penalize && f->l2 > 0) g += 2.0 * f->l2 * *w;
    if (f->momentum) {
        *v = f->gamma * *v + f->rate * g;
        *w -= *v;
    } else {
        *w -= f->rate * g;
    }
}

// The same for a row of n weights (a whole number of vectors).
INLINE void step_row(const Fast *f, double *w, double *v, const double *g, int n, bool penalize) {
    for (int i = 0; i < n; i += VL) step_v(f, &VEC(w + i), &VEC(v + i), &CVEC(g + i), penalize);
}

// Block k's quads: for each, the batch rows with a pixel not 0 among its
// QUAD, in order, and those pixels times s_b (from share t's copy of the
// batch's bytes). (Each row's entry is written; the count moves past only
// those kept, so there is nothing to mispredict.)
INLINE void block_lists(const Fast *f, const Lane *me, int k, int t) {
    _Static_assert(BLOCK % VL == 0 && QUADS == 4 && QUAD * QUADS == BLOCK, "a block: 4 quads");
    const size_t cap = (size_t)f->cap;
    const uint8_t *xb = f->xb[t] + (size_t)k * cap * BLOCK;
    int *restrict row = me->qrow;
    double *restrict qx = me->qx;
    int n0 = 0, n1 = 0, n2 = 0, n3 = 0;
    for (int r = 0; r < f->B; r++) {
        const uint8_t *px = xb + (size_t)r * BLOCK;
        double scale = f->scale[r];
        vd x[BLOCK / VL];
        UNROLL for (int i = 0; i < BLOCK / VL; i++) bytes_to_vd(&x[i], px + i * VL), x[i] *= scale;
        uint32_t any[QUADS];
        memcpy(any, px, sizeof any);
        const double *xq = (const double *)x;
        memcpy(qx + (0 * cap + n0) * QUAD, xq + 0 * QUAD, sizeof(double) * QUAD);
        memcpy(qx + (1 * cap + n1) * QUAD, xq + 1 * QUAD, sizeof(double) * QUAD);
        memcpy(qx + (2 * cap + n2) * QUAD, xq + 2 * QUAD, sizeof(double) * QUAD);
        memcpy(qx + (3 * cap + n3) * QUAD, xq + 3 * QUAD, sizeof(double) * QUAD);
        row[0 * cap + n0] = r, row[1 * cap + n1] = r, row[2 * cap + n2] = r, row[3 * cap + n3] = r;
        n0 += any[0] != 0, n1 += any[1] != 0, n2 += any[2] != 0, n3 += any[3] != 0;
    }
    me->qn[0] = n0, me->qn[1] = n1, me->qn[2] = n2, me->qn[3] = n3;
}

// Rows k*BLOCK .. k*BLOCK + BLOCK-1 of W0^T, doubles o0 .. o0 + NV*VL - 1 of
// part p, a quad at a time: their gradient, -c and then over the quad's
// batch rows b in order, s_b p_bj d0_b (each row of d0 read serves the 4
// pixels), and at once their step, and their sum for W0 1.
INLINE void block_chunk(int o0, const int NV, const Fast *f, int p, const Lane *me, int k) {
    const size_t ds = (size_t)part_width(f, p);
    const int lo = f->part[p], j0 = k * BLOCK, j1 = min_int(j0 + BLOCK, f->D);
    const double *d0 = part_row(f, me->d0, f->cap, p, 0) + (o0 - lo);
    vd cs[4];
    UNROLL for (int v = 0; v < NV; v++) cs[v] = (vd){0};
    for (int q = 0; q < QUADS; q++) {
        const int *row = me->qrow + (size_t)q * f->cap;
        const double *x = me->qx + (size_t)q * f->cap * QUAD;
        vd acc[QUAD][4];
        UNROLL for (int a = 0; a < QUAD; a++)
            UNROLL for (int v = 0; v < NV; v++) acc[a][v] = -CVEC(me->c + o0 + v * VL);
        for (int e = 0; e < me->qn[q]; e++) {
            const double *d = d0 + (size_t)row[e] * ds, *xe = x + (size_t)e * QUAD;
            UNROLL for (int a = 0; a < QUAD; a++)
                UNROLL for (int v = 0; v < NV; v++) acc[a][v] += xe[a] * CVEC(d + v * VL);
        }
        UNROLL for (int a = 0; a < QUAD; a++) {
            int j = j0 + q * QUAD + a;
            if (j >= j1) break;
            double *w = part_row(f, f->W0T, f->D, p, j) + (o0 - lo);
            double *vel = part_row(f, f->V0T, f->D, p, j) + (o0 - lo);
            UNROLL for (int v = 0; v < NV; v++) {
                step_v(f, &VEC(w + v * VL), &VEC(vel + v * VL), &acc[a][v], true);
                cs[v] += CVEC(w + v * VL);
            }
        }
    }
    double *sum = part_row(f, f->colsum_block, f->nblocks, p, k) + (o0 - lo);
    UNROLL for (int v = 0; v < NV; v++) VEC(sum + v * VL) = cs[v];
}

// Rows k*BLOCK .. k*BLOCK + BLOCK-1 of W0^T, share s's columns (their c's
// summed): their gradient, their step, and their sum for W0 1.
static void first_layer_rows(Fast *f, const Lane *me, int k, int s) {
    // the rows' velocity, which no other unit uses, on its way meanwhile
    for (int p = f->share[s]; p < f->share[s + 1]; p++)
        for (int j = k * BLOCK; j < min_int(k * BLOCK + BLOCK, f->D); j++) {
            const char *v = (const char *)part_row(f, f->V0T, f->D, p, j);
            for (int o = 0; o < part_width(f, p); o += V) __builtin_prefetch(v + o * sizeof(double));
        }
    block_lists(f, me, k, s);
    for (int p = f->share[s]; p < f->share[s + 1]; p++)
        TILED(f->part[p], f->part[p + 1], WIDE_TILES, block_chunk, f, p, me, k);
}

// g[c0 ..] = sum over the batch of x_b h_b[c0 ..], x_b = x[b * xs] (or 1,
// x NULL: a bias's gradient), h_b = h + b * hs, given at column lo.
INLINE void batch_sum_chunk(int c0, const int NV, const Fast *f, const double *x, size_t xs,
                            const double *h, size_t hs, int lo, double *g) {
    h += c0 - lo;
    vd acc[8];
    UNROLL for (int q = 0; q < NV; q++) acc[q] = (vd){0};
    for (int b = 0; b < f->B; b++) {
        double xb = x ? x[b * xs] : 1.0;
        UNROLL for (int q = 0; q < NV; q++) acc[q] += xb * CVEC(h + b * hs + q * VL);
    }
    UNROLL for (int q = 0; q < NV; q++) VEC(g + c0 + q * VL) = acc[q];
}

// Unit (share s, 0): the share's columns of the weights that meet the
// first layer's output (bias 0, and the columns of W1), and on share 0 the
// rest: the later layers' weights, and their biases. Those of the later
// layers go to f->next: every thread's rest_batch and part_batch read the
// present ones while the step is going on.
static void other_weights(Fast *f, const Lane *me, int s) {
    double *g = me->grad;
    for (int p = f->share[s]; p < f->share[s + 1]; p++) {
        int lo = f->part[p], hi = f->part[p + 1], w = part_width(f, p);
        CHUNKED_RANGE(lo, hi, batch_sum_chunk, f, NULL, 0, part_row(f, me->d0, f->cap, p, 0),
                      (size_t)w, lo, g);
        step_row(f, f->b[0] + lo, f->vb[0] + lo, g + lo, w, false);
        if (f->L == 1) continue;
        const double *h = part_row(f, f->h0, f->cap, p, 0);
        for (int o = 0; o < f->n[2]; o++) {
            double *row = part_row(f, f->next.W[1], f->n[2], p, o);
            memcpy(row, part_row(f, f->W[1], f->n[2], p, o), sizeof(double) * w);
            CHUNKED_RANGE(lo, hi, batch_sum_chunk, f, me->d[1] + o, (size_t)f->P[2], h, (size_t)w,
                          lo, g);
            step_row(f, row, part_row(f, f->VW[1], f->n[2], p, o), g + lo, w, true);
            for (int c = lo; c < min_int(hi, f->n[1]); c++)
                f->next.WT[1][(size_t)c * f->P[2] + o] = row[c - lo];
        }
    }
    if (s > 0) return;
    for (int l = 1; l < f->L; l++) {
        int P = f->P[l + 1], C = f->P[l];
        for (int o = 0; l > 1 && o < f->n[l + 1]; o++) {
            double *row = f->next.W[l] + (size_t)o * C;
            memcpy(row, f->W[l] + (size_t)o * C, sizeof(double) * C);
            CHUNKED(C, batch_sum_chunk, f, me->d[l] + o, (size_t)P, me->h[l - 1], (size_t)C, 0, g);
            step_row(f, row, f->VW[l] + (size_t)o * C, g, C, true);
            for (int c = 0; c < f->n[l]; c++) f->next.WT[l][(size_t)c * P + o] = row[c];
        }
        memcpy(f->next.b[l], f->b[l], sizeof(double) * P);
        CHUNKED(P, batch_sum_chunk, f, NULL, 0, me->d[l], (size_t)P, 0, g);
        step_row(f, f->next.b[l], f->vb[l], g, P, false);
    }
}

// Units (share s, 0): other_weights; (share s, 1 + k): block k of W0^T, the
// share's columns. Each thread first does the rest of the batch (forward
// past the first layer, and back) on its own, and the share's d0 and c.
static void step_job(Fast *f, uint32_t gen, int t) {
    const Lane *me = &f->lane[t];
    int u;
    while ((u = pool_take(&f->pool, gen, t)) >= 0) {
        int s = u / (f->nblocks + 1), k = u % (f->nblocks + 1) - 1;
        rest_batch(f, me);
        for (int p = f->share[s]; p < f->share[s + 1]; p++) part_batch(f, me, p);
        if (k < 0)
            other_weights(f, me, s);
        else
            first_layer_rows(f, me, k, s);
        pool_finished(&f->pool, t);
    }
}

// A job on the pool, under a number of its own (see Lane's have).
static void run(Fast *f, JobKind kind, int queues, int per) {
    f->job++;
    pool_run(&f->pool, f, kind, queues, per);
}

void fast_step(Fast *f, const int *idx, int B) {
    f->idx = idx, f->B = B;
    f->ntiles = (B + TILE - 1) / TILE;
    const Split *s = f->sp[0].s;
    tile_order(s, idx, B, f->tiled);
    for (int e = 0; e < B; e++) f->tiled_img[e] = idx[f->tiled[e]];
    for (int r = 0; r < B; r++) f->scale[r] = s->inv_sd[idx[r]], f->shift[r] = s->mean[idx[r]] * f->scale[r];
    prefetch_images(&f->sp[0], f->tiled_img, min_int(2 * TILE, B));  // (see first_layer_job)
    run(f, JOB_FIRST, f->shares, f->ntiles);
    run(f, JOB_STEP, f->shares, f->nblocks + 1);
    for (int l = 1; l < f->L; l++) {  // the step's later weights, now the present ones
        double *w = f->W[l], *wt = f->WT[l], *b = f->b[l];
        f->W[l] = f->next.W[l], f->WT[l] = f->next.WT[l], f->b[l] = f->next.b[l];
        f->next.W[l] = w, f->next.WT[l] = wt, f->next.b[l] = b;
    }
}

// ---------------------------------------------------------------------------
// Evaluation

// Images img[0..na-1] of the evaluated split (na <= TILE) forward: their
// loss, and whether they are classified right.
static void evaluate_tile(Fast *f, const Lane *ln, const int *img, int na) {
    const Sparse *sp = f->eval_sp;
    const double lo = 1e-15, hi = 1.0 - 1e-15;
    size_t P2 = f->L > 1 ? (size_t)f->P[2] : 0;
    static const int rows[TILE] = {0, 1, 2, 3};
    first_layer_tile(f, ln, sp, img, na, 0, f->parts, ln->eval[0], TILE, rows, ln->z2);
    for (int a = 0; a < na; a++) {
        double *out[NET_MAX_LAYERS];  // (out[0], for a network of one layer: one part)
        for (int l = 0; l < f->L; l++) out[l] = ln->eval[l] + (size_t)a * f->P[l + 1];
        forward_rest(f, ln->z2 + a * P2, TILE * P2, out);
        const double *y = out[f->L - 1];
        int label = sp->s->labels[img[a]], best = 0;
        for (int k = 1; k < f->K; k++)
            if (y[k] > y[best]) best = k;
        f->loss[img[a]] = -log(fmin(fmax(y[label], lo), hi));
        f->right[img[a]] = best == label;
    }
}

// Units: EVAL_UNIT images at a time, in tiles (in tile order).
static void evaluate(Fast *f, uint32_t gen, int t) {
    const Lane *ln = &f->lane[t];
    int u;
    while ((u = pool_take(&f->pool, gen, t)) >= 0) {
        for (int q = 0; q < f->parts; q++) colsum_part(f, ln, q);
        int i0 = u * EVAL_UNIT, n = min_int(EVAL_UNIT, f->eval_sp->s->n - i0);
        int *img = ln->order, *order = ln->order + EVAL_UNIT;
        for (int i = 0; i < n; i++) img[i] = i0 + i;
        tile_order(f->eval_sp->s, img, n, order);
        for (int e = 0; e < n; e++) order[e] += i0;  // (the images, in tile order)
        for (int e = 0; e < n; e += TILE) evaluate_tile(f, ln, order + e, min_int(TILE, n - e));
        pool_finished(&f->pool, t);
    }
}

static void run_job(Fast *f, JobKind kind, uint32_t gen, int t) {
    if (kind == JOB_FIRST)
        first_layer_job(f, gen, t);
    else if (kind == JOB_STEP)
        step_job(f, gen, t);
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
    run(f, JOB_EVALUATE, 1, (s->n + EVAL_UNIT - 1) / EVAL_UNIT);
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
    Fast *f = NULL;  // (aligned, for its pool's cache lines)
    if (posix_memalign((void **)&f, 64, sizeof *f) != 0)
        return error_set(err, "out of memory for the fast path");
    memset(f, 0, sizeof *f);
    f->head.copy = &SPEED_COPY(speed_fast);
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
    // parts of whole slabs, whatever the threads; shares of whole parts
    int slabs = (f->P[1] + SLAB - 1) / SLAB;
    f->parts = min_int(slabs, MAX_PARTS);
    for (int q = 0; q <= f->parts; q++) f->part[q] = min_int(q * slabs / f->parts * SLAB, f->P[1]);
    f->shares = min_int(threads, f->parts);
    for (int t = 0; t <= f->shares; t++) f->share[t] = t * f->parts / f->shares;

    const Split *splits[3] = {&data->train, &data->val, &data->test};
    int biggest = 0, P1 = f->P[1], Pmax = 0;
    for (int i = 0; i < 3; i++) {
        if (sparse_build(&f->sp[i], splits[i], err) != 0) goto fail;
        if (splits[i]->n > biggest) biggest = splits[i]->n;
    }
    for (int l = 1; l <= f->L; l++) Pmax = f->P[l] > Pmax ? f->P[l] : Pmax;
    if (!(f->zero_bits = fast_alloc_bytes(f, sizeof(uint64_t) * f->sp[0].words, err))) goto fail;
    if (!(f->zero_row = fast_alloc_bytes(f, (size_t)f->D, err))) goto fail;
    if (!(f->W0T = fast_alloc(f, (size_t)f->D * P1, err))) goto fail;
    if (!(f->V0T = fast_alloc(f, (size_t)f->D * P1, err))) goto fail;
    if (!(f->colsum_block = fast_alloc(f, (size_t)f->nblocks * P1, err))) goto fail;
    if (!(f->h0 = fast_alloc(f, (size_t)f->cap * P1, err))) goto fail;
    if (f->L > 1 && !(f->z2 = fast_alloc(f, (size_t)f->parts * f->cap * f->P[2], err))) goto fail;
    for (int l = 0; l < f->L; l++) {
        if (!(f->b[l] = fast_alloc(f, f->P[l + 1], err))) goto fail;
        if (!(f->vb[l] = fast_alloc(f, f->P[l + 1], err))) goto fail;
        if (l > 0) {
            if (!(f->W[l] = fast_alloc(f, (size_t)f->n[l + 1] * f->P[l], err))) goto fail;
            if (!(f->VW[l] = fast_alloc(f, (size_t)f->n[l + 1] * f->P[l], err))) goto fail;
            if (!(f->WT[l] = fast_alloc(f, (size_t)f->n[l] * f->P[l + 1], err))) goto fail;
            if (!(f->next.b[l] = fast_alloc(f, f->P[l + 1], err))) goto fail;
            if (!(f->next.W[l] = fast_alloc(f, (size_t)f->n[l + 1] * f->P[l], err))) goto fail;
            if (!(f->next.WT[l] = fast_alloc(f, (size_t)f->n[l] * f->P[l + 1], err))) goto fail;
        }
    }
    f->loss = fast_alloc(f, (size_t)biggest, err);
    f->right = fast_alloc_bytes(f, (size_t)biggest, err);
    f->tiled = fast_alloc_bytes(f, sizeof(int) * f->cap, err);
    f->tiled_img = fast_alloc_bytes(f, sizeof(int) * f->cap, err);
    f->scale = fast_alloc(f, (size_t)f->cap, err);
    f->shift = fast_alloc(f, (size_t)f->cap, err);
    if (!f->loss || !f->right || !f->tiled || !f->tiled_img || !f->scale || !f->shift) goto fail;
    for (int t = 0; t < f->shares; t++)
        if (!(f->xb[t] = fast_alloc_bytes(f, (size_t)f->nblocks * f->cap * BLOCK, err))) goto fail;
    for (int t = 0; t < threads; t++) {
        Lane *ln = &f->lane[t];
        if (!(ln->colsum = fast_alloc(f, P1, err)) || !(ln->c = fast_alloc(f, P1, err)) ||
            !(ln->grad = fast_alloc(f, (size_t)Pmax, err)) ||
            !(ln->tile.j = fast_alloc_bytes(f, sizeof(uint16_t) * (f->D + AHEAD), err)) ||
            !(ln->tile.x = fast_alloc_bytes(f, sizeof(uint32_t) * f->D, err)) ||
            !(ln->qrow = fast_alloc_bytes(f, sizeof(int) * QUADS * f->cap, err)) ||
            !(ln->qx = fast_alloc(f, (size_t)QUADS * f->cap * QUAD, err)) ||
            !(ln->qn = fast_alloc_bytes(f, sizeof(int) * QUADS, err)) ||
            !(ln->have = fast_alloc_bytes(f, sizeof(uint64_t) * (2 * MAX_PARTS + 1), err)) ||
            !(ln->d0 = fast_alloc(f, (size_t)f->cap * P1, err)) ||
            !(ln->order = fast_alloc_bytes(f, sizeof(int) * 2 * EVAL_UNIT, err)))
            goto fail;
        if (f->L > 1 && !(ln->z2 = fast_alloc(f, (size_t)f->parts * TILE * f->P[2], err))) goto fail;
        for (int l = 0; l < f->L; l++) {
            if (!(ln->eval[l] = fast_alloc(f, (size_t)TILE * f->P[l + 1], err))) goto fail;
            if (l > 0 && (!(ln->h[l] = fast_alloc(f, (size_t)f->cap * f->P[l + 1], err)) ||
                          !(ln->d[l] = fast_alloc(f, (size_t)f->cap * f->P[l + 1], err))))
                goto fail;
        }
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

const SpeedFast SPEED_COPY(speed_fast) = {
    .unsupported = fast_unsupported, .create = fast_create, .free = fast_free,
    .threads = fast_threads,         .share = fast_share,   .unshare = fast_unshare,
    .load = fast_load,               .store = fast_store,   .step = fast_step,
    .evaluate = fast_evaluate,
};
