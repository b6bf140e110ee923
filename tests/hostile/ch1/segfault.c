// segfault.c: class_mean_image writes through a NULL pointer before its work.
// The grader must report its tests as crashed, naming the NULL pointer, and
// pass the others.
// replaces: class_mean_image
// expect: crash
// says: crashed in class_mean_image: segmentation fault \(SIGSEGV\) at address 0x0: a NULL pointer
#include "hostile/hostile.h"

// volatile, so that the compiler cannot see the NULL and turn the write into a trap
static double *volatile nowhere = NULL;

int class_mean_image(double *out, const uint8_t *pixels, const uint8_t *labels, int n, int dim,
                     int digit) {
    MISBEHAVE("class_mean_image", nowhere[0] = 1.0);
    return reference_class_mean_image(out, pixels, labels, n, dim, digit);
}
