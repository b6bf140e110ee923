// bigalloc.c: zscore allocates 64 GiB and writes all of it before its work.
// The grader must report zscore's tests as out of memory, and pass the others.
// replaces: zscore
// expect: memory
// says: out of memory|too much memory
#include <stdlib.h>
#include <string.h>

#include "hostile/hostile.h"

// The pointer escapes into a volatile global, so that the compiler cannot
// drop the allocation and the writes as dead code: both must really happen.
static void *volatile keep;
static void hog(void) {
    size_t size = (size_t)64 << 30;
    char *p = malloc(size);
    memset(p, 1, size);
    keep = p;
}

void zscore(double *z, const double *x, int n) {
    MISBEHAVE("zscore", hog());
    reference_zscore(z, x, n);
}
