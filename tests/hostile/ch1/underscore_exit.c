// underscore_exit.c: one_hot calls _exit(0), which skips atexit handlers,
// before its work. The grader must report one_hot's tests as ending the
// program early (not as passed), and pass the others.
// replaces: one_hot
// expect: exit
// says: called _exit\(0\) before it returned
#include <unistd.h>

#include "hostile/hostile.h"

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    MISBEHAVE("one_hot", _exit(0));
    reference_one_hot(t, labels, n, classes);
}
