// rng.h: a small seedable random number generator.
//
// xoshiro256** (Blackman and Vigna, 2018), seeded through splitmix64 so that
// any 64-bit seed, even 0, gives a well-mixed state. It is fast, passes the
// usual statistical batteries, and above all is the same on every machine and
// compiler, which the C library's rand() is not: the same seed gives the same
// shuffle, the same initial weights and so the same book.
#ifndef WB_RNG_H
#define WB_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
    double spare;      // Box-Muller makes normals in pairs; the second waits here
    int has_spare;
} Rng;

void rng_seed(Rng *r, uint64_t seed);
uint64_t rng_next(Rng *r);            // 64 random bits
double rng_uniform(Rng *r);           // in [0, 1), 53 random bits
uint32_t rng_below(Rng *r, uint32_t n);  // uniform in 0..n-1, without modulo bias; n >= 1
double rng_normal(Rng *r);            // standard normal (mean 0, sd 1)

#endif
