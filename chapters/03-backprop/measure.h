// measure.h: the numbers chapter 3 sets beside its gradient checks: how far
// an image's darkest pixel lies above its mean, how two gradients of a
// network differ, group by group, and how far one mistake's slope is from
// the true one.
#ifndef WB_CH3_MEASURE_H
#define WB_CH3_MEASURE_H

#include "dataset.h"
#include "error.h"
#include "net.h"

// The z-score of each training image's darkest pixel: its median over all
// images, and its median and 95th percentile over the images of a 1.
typedef struct {
    double median, one_median, one_p95;
} Darkest;
int darkest_pixels(Darkest *d, const Split *tr, Error *err);

// Two gradients of a network side by side, by parameter group: W1, b1, W2,
// b2, and all of them (COMPARE_ALL).
enum { COMPARE_GROUPS = 5, COMPARE_ALL = 4 };
extern const char *const COMPARE_NAMES[COMPARE_GROUPS];  // "W1" ... "all"
typedef struct {
    int count[COMPARE_GROUPS];
    double rel[COMPARE_GROUPS], diff[COMPARE_GROUPS];  // the largest relative error and difference
    int flagged[COMPARE_GROUPS];                       // relative errors above limit
} Compare;
double relative_error(double a, double b, double floor);
Compare compare_gradients(const Net *n, const double *backprop, const double *numerical,
                          double floor, double limit);

// Over every hidden unit and example of acts (layer 0, B examples): how far
// 1 - a^2 is from the true slope 1 - tanh^2(a), as a share of that slope.
// The median, in percent, into *median.
int slope_gap_median(double *median, const Acts *acts, int n_hidden, int B, Error *err);

#endif
