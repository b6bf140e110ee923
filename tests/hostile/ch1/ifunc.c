// ifunc.c: one_hot's file defines an indirect function, whose resolver the
// loader runs while the program loads, before main. The grader must refuse
// the whole chapter before anything runs.
// replaces: one_hot
// expect: refused
// says: indirect function \(ifunc\)
#include "hostile/hostile.h"

typedef void OneHot(double *, const uint8_t *, int, int);
static OneHot *resolve(void) { return reference_one_hot; }
void early(double *t, const uint8_t *labels, int n, int classes) __attribute__((ifunc("resolve")));

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    MISBEHAVE("one_hot", (void)0);
    reference_one_hot(t, labels, n, classes);
}
