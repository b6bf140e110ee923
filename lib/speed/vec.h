// vec.h: how the fast path's kernels are compiled, for lib/speed/fast.c and
// lib/speed/rates.c. For speed only, like fast.c.
//
// Those two files are compiled once for each kind of x86-64 processor
// (mk/build.mk: x86-64-v4 with AVX-512, x86-64-v3 with AVX2 and fused
// multiply-adds, and plain x86-64), and lib/speed/isa.c picks the one this
// processor runs (elsewhere: once, for the build's own target). So each
// copy's vectors are the width of its processor's registers: vd, VL doubles.
// (GCC does not split a vector wider than the registers, 8 doubles on AVX2,
// into registers: it keeps every one in memory. Written in vectors of 8 and
// compiled for AVX2, the fast path was no faster than the plain path: the
// README's "Without AVX-512" has the measurements.)
//
// The fast path's arrays are laid out in blocks of 8 doubles (V in fast.c)
// whatever VL is, so that every copy sums the same numbers in the same
// order: a kernel takes a block as V / VL vectors.
#ifndef WB_SPEED_VEC_H
#define WB_SPEED_VEC_H

#include <stdint.h>

// a * b + c in one rounding where the processor has a fused multiply-add
// (x86-64-v3 and v4): faster, and closer to the exact value. In ISO C mode
// GCC would round the product first; the plain x86-64 copy, which has no
// such instruction, still does, so its numbers differ from the others' in
// the last bits, as another machine's do.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast")
#elif defined(__clang__)
#pragma clang fp contract(fast)
#endif

#if defined(__AVX512F__)
#define VL 8
#elif defined(__AVX__)
#define VL 4
#else
#define VL 2
#endif

typedef double vd __attribute__((vector_size(VL * sizeof(double))));
typedef int64_t vdi __attribute__((vector_size(VL * sizeof(double))));
typedef uint64_t vdu __attribute__((vector_size(VL * sizeof(double))));

#endif
