// include_solutions.c: one_hot's file includes the reference solutions by
// their full path. The compiler sees the contract's headers and the file,
// nothing else: the chapter must not compile, and no line of the solutions
// may appear in the compiler's message.
// replaces: one_hot
// expect: compile
// says: does not compile
#include "hostile/hostile.h"

#include HOSTILE_SOLUTION

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    MISBEHAVE("one_hot", (void)0);
    reference_one_hot(t, labels, n, classes);
}
