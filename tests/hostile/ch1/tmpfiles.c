// tmpfiles.c: one_hot leaves files in /tmp, /var/tmp and /dev/shm, to find
// them again in a later grading (a hidden test's inputs, say). It does its
// work too. Its tests must pass, and none of the files may exist once the
// grading has ended.
// replaces: one_hot
// expect: pass
// says: .
#include "hostile/hostile.h"
#include "hostile/syscalls.h"

static void leave_files(void) {
    const char *files[] = {"/tmp/wb-hostile-tmpfiles", "/var/tmp/wb-hostile-tmpfiles",
                           "/dev/shm/wb-hostile-tmpfiles"};
    for (int i = 0; i < 3; i++) {
        long fd = sys_open(files[i], O_WRONLY | O_CREAT, 0666);
        if (fd >= 0) sys_print((int)fd, "left behind\n"), sys_close((int)fd);
    }
}

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    MISBEHAVE("one_hot", leave_files());
    reference_one_hot(t, labels, n, classes);
}
