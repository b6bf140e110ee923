// sleeps.c: one_hot sleeps for ever (by its own system call: the C
// library's sleep is refused), using no processor time, so that its tests
// would hold the grading up to the wall clock's limit, 5 times the
// processor time's, and a class's grading for as long as it has such tests.
// The grader must end each one once its subject has used almost no
// processor time over a couple of seconds of waiting, report it as timed
// out, and pass the others.
// replaces: one_hot
// expect: timeout
// says: used almost no processor time
#include "hostile/hostile.h"
#include "hostile/syscalls.h"

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    MISBEHAVE("one_hot", for (;;) sys_nanosleep_ms(1000000));
    reference_one_hot(t, labels, n, classes);
}
