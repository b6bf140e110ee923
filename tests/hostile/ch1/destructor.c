// destructor.c: one_hot's file has a destructor, code that would run after
// main (it would rewrite the results, were it run by the grader). Nothing of a
// submission may run before or after main: the grader must refuse the whole
// chapter before anything runs.
// replaces: one_hot
// expect: refused
// says: before main or after it
#include "hostile/hostile.h"
#include "hostile/syscalls.h"

__attribute__((destructor)) static void rewrite_results(void) {
    long fd = sys_open(HOSTILE_ROOT "/build/grade/results.tsv", O_WRONLY | O_APPEND, 0);
    if (fd >= 0) sys_print((int)fd, "1\tone_hot_rows\tpass\t50\t50\t\t\t\tvisible\n");
}

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    MISBEHAVE("one_hot", (void)0);
    reference_one_hot(t, labels, n, classes);
}
