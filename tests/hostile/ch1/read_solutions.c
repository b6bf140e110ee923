// read_solutions.c: zscore tries to read the reference solutions and the
// hidden tests (where an attacker would guess they are) and print them into
// the report. Had it read anything, it would print it and get its answers
// wrong; finding nothing, it does its work. The files are outside the
// sandbox: its tests must pass, and no line of the solutions or the hidden
// tests may appear anywhere in the results.
// replaces: zscore
// expect: pass
// says: .
#include "hostile/hostile.h"
#include "hostile/syscalls.h"

static char buf[1 << 16];

// Prints the file at path; whether it could be read.
static int leak(const char *path) {
    long fd = sys_open(path, O_RDONLY, 0), got, any = 0;
    if (fd < 0) return 0;
    while ((got = sys_read((int)fd, buf, sizeof buf)) > 0) sys_write(1, buf, (size_t)got), any = 1;
    sys_close((int)fd);
    return (int)any;
}

void zscore(double *z, const double *x, int n) {
    int found = 0;
    MISBEHAVE("zscore", found = leak(HOSTILE_SOLUTION) | leak(HOSTILE_ROOT "/tests/hidden/ch1/hidden_ch1.c") |
                                leak("../../../solutions/ch1.c"));
    if (found) return;  // z left as it was: the test fails, and shows what was printed
    reference_zscore(z, x, n);
}
