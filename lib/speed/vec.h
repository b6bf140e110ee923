// vec.h: how the fast path's kernels are compiled, for lib/speed/fast.c and
// for the AXPY that tools/bench.c times as the machine's rate (the same code
// generation, so the rate is the kernels'). For speed only, like fast.c.
//
// Vectors of 8 doubles, through the compiler's vector extension (GCC, clang).
// Kernels (KERNEL) are compiled three times, for AVX-512, AVX2 and plain
// x86-64, and the processor picks at load time; elsewhere they are compiled
// once. (-DWB_FAST_PORTABLE compiles them once, for the build's own target: a
// way to try the plain x86-64 code on a processor that has more.)
#ifndef WB_SPEED_VEC_H
#define WB_SPEED_VEC_H

// a * b + c in one rounding where the processor has a fused multiply-add
// (AVX2, AVX-512): faster, and closer to the exact value. In ISO C mode GCC
// would round the product first; the plain x86-64 clone still does, so its
// numbers differ from the others' in the last bits, as another machine's do.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=fast")
#elif defined(__clang__)
#pragma clang fp contract(fast)
#endif

typedef double v8 __attribute__((vector_size(64)));

// (Not under ThreadSanitizer, whose runtime is not up yet when the loader
// runs the function that picks a clone.)
#if defined(__x86_64__) && defined(__ELF__) && defined(__has_attribute) && \
    !defined(__SANITIZE_THREAD__) && !defined(WB_FAST_PORTABLE)
#if __has_attribute(target_clones)
#define KERNEL __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define KERNEL_CLONES 1
#endif
#endif
#ifndef KERNEL
#define KERNEL
#endif

#endif
