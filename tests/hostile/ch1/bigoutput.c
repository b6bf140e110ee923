// bigoutput.c: one_hot prints 10 MB, then does its work. The grader must
// report one_hot's tests as printing too much, and pass the others.
// replaces: one_hot
// expect: output
// says: printed more than [0-9]+ MiB of output
#include <stdio.h>

#include "hostile/hostile.h"

static void chatter(void) {
    for (int i = 0; i < (10 << 20) / 64; i++)
        printf("one_hot is working very hard on this row, believe me ........\n");
}

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    MISBEHAVE("one_hot", chatter());
    reference_one_hot(t, labels, n, classes);
}
