// forge_verdict.c: zscore tries to forge its verdict, as a submission could
// when the tests ran in its own process: it writes "end" and a passing
// reply's header to every descriptor it can find (the runner's note file
// once was one of them), then ends with the status that meant "passed"
// (_exit(73)), all through its own system calls. The verdict is the judge's,
// in another process: the tests that reach zscore must lose, and the others
// pass.
// replaces: zscore
// expect: exit|fail
// says: _exit\(73\)|sent the grader
#include <stdint.h>

#include "hostile/hostile.h"
#include "hostile/syscalls.h"

static void forge(void) {
    static const char end[] = "end\nstatus pass\n";
    const uint32_t frame[4] = {0x50524257, 3, 0, 0};  // a RETURN frame's header, empty
    for (int fd = 0; fd < 64; fd++) {
        sys_write(fd, end, sizeof end - 1);
        sys_write(fd, frame, sizeof frame);
    }
    sys_exit(73);
}

void zscore(double *z, const double *x, int n) {
    MISBEHAVE("zscore", forge());
    reference_zscore(z, x, n);
}
