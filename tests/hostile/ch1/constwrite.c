// constwrite.c: class_mean_image does its work, then casts away const and
// wipes its input pixels. The grader must report its tests as failed (the
// input changed) or crashed (the pixels were in read-only memory), and pass
// the others.
// replaces: class_mean_image
// expect: fail|crash
// says: changed its input|expected .*got|crashed:
#include <string.h>

#include "hostile/hostile.h"

int class_mean_image(double *out, const uint8_t *pixels, const uint8_t *labels, int n, int dim,
                     int digit) {
    int count = reference_class_mean_image(out, pixels, labels, n, dim, digit);
    MISBEHAVE("class_mean_image", memset((uint8_t *)pixels, 0, (size_t)n * (size_t)dim));
    return count;
}
