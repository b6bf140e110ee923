// append_results.c: one_hot tries to raise its grade where the results are
// written: it appends rows worth 50 points to the results files it can guess
// (HOSTILE_RESULTS: the grading's own, given by the test step), and
// overwrites the grader's report program, for every later grading. It does
// its work too. Its tests must pass, with their own points, the results hold
// no row of its making, and build/bin/grade-report is as it was.
// replaces: one_hot
// expect: pass
// says: .
#include "hostile/hostile.h"
#include "hostile/syscalls.h"

#ifndef HOSTILE_RESULTS
#define HOSTILE_RESULTS HOSTILE_ROOT "/build/grade"
#endif

static void tamper(void) {
    static const char row[] = "1\tone_hot_rows\tpass\t50\t50\t\t\t\tvisible\tbwrap\n";
    const char *files[] = {HOSTILE_RESULTS "/results.tsv", HOSTILE_ROOT "/build/grade/results.tsv",
                           "/tmp/results.tsv"};
    for (int i = 0; i < 3; i++) {
        long fd = sys_open(files[i], O_WRONLY | O_APPEND | O_CREAT, 0644);
        if (fd >= 0) sys_write((int)fd, row, sizeof row - 1), sys_close((int)fd);
    }
    long fd = sys_open(HOSTILE_ROOT "/build/bin/grade-report", O_WRONLY | O_TRUNC, 0);
    if (fd >= 0) sys_print((int)fd, "#!/bin/sh\necho 'total: 202/202 points'\n"), sys_close((int)fd);
}

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    MISBEHAVE("one_hot", tamper());
    reference_one_hot(t, labels, n, classes);
}
