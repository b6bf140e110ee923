// devzero.c: one_hot's file includes /dev/zero, an endless file, to take the
// grading machine's memory while it compiles. The compiler has a memory
// limit: the chapter must not compile, quickly, and the machine go on.
// replaces: one_hot
// expect: compile
// says: does not compile
#include "hostile/hostile.h"

#include "/dev/zero"

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    MISBEHAVE("one_hot", (void)0);
    reference_one_hot(t, labels, n, classes);
}
