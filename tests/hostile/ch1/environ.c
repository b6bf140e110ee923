// environ.c: zscore reads its environment, where a grader's variables once
// led to the folder of submissions (GRADE_FORBID) and the workbook. Finding
// any variable that is not its own, it prints them all and gets its answers
// wrong. The subject's environment is empty but for PATH, LC_ALL and
// OPENBLAS_NUM_THREADS (and PWD, which bubblewrap sets): its tests must pass.
// replaces: zscore
// expect: pass
// says: .
#include <string.h>

#include "hostile/hostile.h"
#include "hostile/syscalls.h"

static char env[1 << 16];

// Whether the environment holds a variable other than those.
static int foreign(void) {
    long fd = sys_open("/proc/self/environ", O_RDONLY, 0), n = 0, got;
    if (fd < 0) return 0;
    while (n < (long)sizeof env - 1 && (got = sys_read((int)fd, env + n, sizeof env - 1 - (size_t)n)) > 0) n += got;
    sys_close((int)fd);
    int other = 0;
    for (long i = 0; i < n; i += (long)strlen(env + i) + 1) {
        const char *v = env + i;
        if (strncmp(v, "PATH=", 5) && strncmp(v, "LC_ALL=", 7) && strncmp(v, "PWD=", 4) &&
            strncmp(v, "OPENBLAS_NUM_THREADS=", 21)) {
            sys_print(1, v), sys_print(1, "\n");
            other = 1;
        }
    }
    return other;
}

void zscore(double *z, const double *x, int n) {
    int bad = 0;
    MISBEHAVE("zscore", bad = foreign());
    if (bad) return;
    reference_zscore(z, x, n);
}
