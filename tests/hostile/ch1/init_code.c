// init_code.c: one_hot's file puts raw code in the .init section, which the
// loader runs before main. The grader must refuse the whole chapter before
// anything runs, naming the section.
// replaces: one_hot
// expect: refused
// says: section \.init
#include "hostile/hostile.h"

__asm__(".section .init\n\tnop\n\t.previous");

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    MISBEHAVE("one_hot", (void)0);
    reference_one_hot(t, labels, n, classes);
}
