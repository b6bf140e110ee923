// rates.c: the two rates of rates.h, in this copy of lib/speed/ (vec.h).
// For speed only: compiled once per kind of processor, as fast.c is, so
// that the rates are those of the kernels' own instructions.
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "../chapter.h"  // wall_time
#include "isa.h"

#include "vec.h"  // after the system headers: its pragma is for the kernels

// The rate of once(ctx), which returns the FLOP it did, on one core, in
// FLOP/s: the best of a few tries of about 0.05 s each (the machine may be
// busy with other work, and the fastest try is the one that work slowed
// least).
static double best_rate(double (*once)(void *), void *ctx) {
    double best = 0;
    for (int attempt = 0; attempt < 5; attempt++) {
        double flop = 0, start = wall_time(), t;
        do flop += once(ctx);
        while ((t = wall_time() - start) < 0.05);
        if (flop / t > best) best = flop / t;
    }
    return best;
}

enum { AXPY_ROWS = 784, AXPY_COLS = 128, AXPY_PER_SUM = 150, AXPY_SETS = 64 };

// sums[128] = sum over k < 150 of a[k] * table[rows[k]], a row at a time: the
// first layer of one image, W0 p over its ~150 non-zero pixels, with a table
// the size of W0^T (784 x 128). Returns the FLOP. (With 16 registers, the
// 128 sums do not all fit: as in such a loop anywhere, some wait in memory.)
static double axpy_rows(double *sums, const double *table, const uint16_t *rows,
                        const double *a) {
    vd acc[AXPY_COLS / VL];
    for (int q = 0; q < AXPY_COLS / VL; q++) acc[q] = (vd){0};
    for (int k = 0; k < AXPY_PER_SUM; k++) {
        const vd *r = (const vd *)(table + (size_t)rows[k] * AXPY_COLS);
        for (int q = 0; q < AXPY_COLS / VL; q++) acc[q] += a[k] * r[q];
    }
    for (int q = 0; q < AXPY_COLS / VL; q++) ((vd *)sums)[q] = acc[q];
    return 2.0 * AXPY_COLS * AXPY_PER_SUM;
}

typedef struct {
    double *table, *sums, a[AXPY_PER_SUM];
    uint16_t *rows;  // [AXPY_SETS, AXPY_PER_SUM]: different row lists
    double check;    // the sums' total, so that none is left out
} Axpy;

static double axpy_100(void *ctx) {  // 100 images' first layers
    Axpy *x = ctx;
    double flop = 0;
    for (int s = 0; s < 100; s++)
        flop += axpy_rows(x->sums, x->table, x->rows + (size_t)(s % AXPY_SETS) * AXPY_PER_SUM, x->a),
            x->check += x->sums[s % AXPY_COLS];
    return flop;
}

// The rate of axpy_rows on one core, in FLOP/s (best_rate), or 0 if there
// is no memory for it.
static double axpy_rate(void) {
    Axpy x = {0};
    x.rows = malloc(sizeof(uint16_t) * AXPY_SETS * AXPY_PER_SUM);
    if (posix_memalign((void **)&x.table, 64, sizeof(double) * AXPY_ROWS * AXPY_COLS) != 0 ||
        posix_memalign((void **)&x.sums, 64, sizeof(double) * AXPY_COLS) != 0 || !x.rows) {
        free(x.table), free(x.sums), free(x.rows);
        return 0;
    }
    uint64_t r = 88172645463325252ull;  // xorshift: the same rows on every run
    for (int i = 0; i < AXPY_SETS * AXPY_PER_SUM; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        x.rows[i] = (uint16_t)(r % AXPY_ROWS);
    }
    for (int i = 0; i < AXPY_ROWS * AXPY_COLS; i++) x.table[i] = 1e-3 * (i % 1000);
    for (int k = 0; k < AXPY_PER_SUM; k++) x.a[k] = 1.0 / (k + 1);
    double best = best_rate(axpy_100, &x);
    free(x.table), free(x.sums), free(x.rows);
    return isfinite(x.check) ? best : 0;
}

// PEAK_SUMS independent sums of vectors, each multiplied and added to
// PEAK_ROUNDS times. A multiply-add waits for the one before it in its sum (4
// cycles or so), so it takes as many sums as the processor can start in
// that time (8 on 2 units) to keep its vector units busy; 12 fit in the
// 16 registers of AVX2 and plain x86-64, and in AVX-512's 32. x and y are
// read as the program runs, so that the compiler cannot work the sums out;
// each tends to y / (1 - x) = 2.
enum { PEAK_SUMS = 12, PEAK_ROUNDS = 10000 };
typedef struct {
    volatile double x, y;
    double check;
} Peak;

static double multiply_adds(void *ctx) {
    Peak *p = ctx;
    vd acc[PEAK_SUMS], vx = (vd){0} + p->x, vy = (vd){0} + p->y;
    for (int k = 0; k < PEAK_SUMS; k++) acc[k] = (vd){0} + k;
    for (long i = 0; i < PEAK_ROUNDS; i++)
        _Pragma("GCC unroll 16") for (int k = 0; k < PEAK_SUMS; k++) acc[k] = acc[k] * vx + vy;
    for (int k = 0; k < PEAK_SUMS; k++)
        for (int l = 0; l < VL; l++) p->check += acc[k][l];
    return 2.0 * VL * PEAK_SUMS * PEAK_ROUNDS;
}

// The rate of multiply_adds on one core, in FLOP/s (best_rate).
static double peak_rate(void) {
    Peak p = {.x = 0.5, .y = 1.0};
    double best = best_rate(multiply_adds, &p);
    return isfinite(p.check) ? best : 0;
}

const SpeedRates SPEED_COPY(speed_rates) = {.peak = peak_rate, .axpy = axpy_rate};
