// inf.c: image_mean_sd divides the sum by n - n, so its mean is inf; zscore, which calls it, fails too.
// expect: fail
#include "ch1.h"

#include <math.h>
#include <string.h>

#include "hostile/hostile.h"

void image_mean_sd(double *mean, double *sd, const double *x, int n) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += x[i];
    double m = sum / n;
    // A second pass over the deviations, rather than sum of squares minus the
    // squared mean, so that no precision is lost when sd is small beside mean.
    double ss = 0.0;
    for (int i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
    *mean = m;
    *sd = sqrt(ss / n);
    MISBEHAVE("image_mean_sd", *mean = sum / (n - n), *sd = *mean);
}

void zscore(double *z, const double *x, int n) {
    double mean, sd;
    image_mean_sd(&mean, &sd, x, n);
    for (int i = 0; i < n; i++) z[i] = sd > 0.0 ? (x[i] - mean) / sd : 0.0;
}

void one_hot(double *t, const uint8_t *labels, int n, int classes) {
    memset(t, 0, sizeof(double) * (size_t)n * (size_t)classes);
    for (int i = 0; i < n; i++) t[(size_t)i * classes + labels[i]] = 1.0;
}

int class_mean_image(double *out, const uint8_t *pixels, const uint8_t *labels, int n, int dim,
                     int digit) {
    memset(out, 0, sizeof(double) * (size_t)dim);
    int count = 0;
    for (int i = 0; i < n; i++) {
        if (labels[i] != digit) continue;
        const uint8_t *img = pixels + (size_t)i * dim;
        for (int p = 0; p < dim; p++) out[p] += img[p];
        count++;
    }
    if (count > 0)
        for (int p = 0; p < dim; p++) out[p] /= count;
    return count;
}
