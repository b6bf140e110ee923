// allocates.c: one_hot does its work in a buffer of its own from malloc.
// The contract says that no function allocates: its tests must fail, saying
// so, and the others pass.
// replaces: one_hot
// expect: fail
// says: allocated memory
#include <stdlib.h>
#include <string.h>

#include "hostile/hostile.h"

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    double *scratch = NULL;
    size_t size = sizeof(double) * (size_t)n * (size_t)classes;
    MISBEHAVE("one_hot", scratch = malloc(size ? size : 1));
    if (!scratch) {
        reference_one_hot(t, labels, n, classes);
        return;
    }
    reference_one_hot(scratch, labels, n, classes);
    memcpy(t, scratch, size);
    free(scratch);
}
