// rates.h: how fast this machine's vector units go, as the fast path's
// kernels are compiled (lib/speed/vec.h: in the copy that fast_create takes),
// for `make bench` (tools/bench.c), which puts its epoch beside the time
// these rates allow. For speed only.
#ifndef WB_SPEED_RATES_H
#define WB_SPEED_RATES_H

// Multiply-adds of vectors on registers alone, on one core, in FLOP/s: a
// rate that no kernel doing the same arithmetic can pass. 0 if the sums
// came out wrong.
double speed_peak_rate(void);

// An AXPY of a row of 128 doubles into 128 sums, for each of 150 rows drawn
// from a table of 784 (W0^T): the first layer of one image, a row read for
// each of its pixels, on one core, in FLOP/s. 0 if there was no memory.
double speed_axpy_rate(void);

#endif
