// weights.h: what the weights of a trained network look like, the numbers
// chapter 5 compares its penalties by: their sizes layer by layer, the
// distribution of the first layer's values and of their sizes on a log
// scale, the two groups those sizes fall into, and which inputs the hidden
// units ignore. Weights only: biases are left out, as the penalties leave
// them.
#ifndef WB_WEIGHTS_H
#define WB_WEIGHTS_H

#include "error.h"
#include "net.h"

enum {
    WEIGHTS_LIN_BINS = 120,    // the histogram of the values, over [-0.3, 0.3]
    WEIGHTS_LOG_BINS = 70,     // and of log10 |w|, over [-7, 0]
    WEIGHTS_MAX_INPUTS = 1024, // the inputs of the map of ignored inputs: MNIST's 784 fit
};

typedef struct {
    int n_layers;
    double abs_mean[NET_MAX_LAYERS];   // the weights of each layer
    double max_abs[NET_MAX_LAYERS];
    double small[NET_MAX_LAYERS];      // the share below `small` in size, in %
    double lin[WEIGHTS_LIN_BINS];      // the first layer's weights: the share per bin, in %
    double logh[WEIGHTS_LOG_BINS];     // and of log10 |w|
    double ignored[WEIGHTS_MAX_INPUTS];   // per input, the % of hidden units whose weight
                                          // from it is below `small` in size
    // The first layer's sizes |w| cut in two where logh parts best (Otsu's
    // rule), or NaN where it does not part:
    double hump;                       // the commonest size below the cut (a bin's centre)
    double used_split;                 // the cut
    double hump_share;                 // the % of the sizes below it
    double used_p10, used_p90;         // the 10th and 90th percentiles of the sizes above it
} WeightStats;

// The statistics of net's weights; a weight below `small` in size counts as
// switched off.
void weights_measure(WeightStats *o, const Net *net, double small);

// The histograms of n networks' first layers for gnuplot, a column each,
// headed by its label: lin_path the values (column "w", the bins' centres),
// log_path log10 |w| (column "log10_abs_w").
int weights_write_histograms(const char *lin_path, const char *log_path,
                             const WeightStats *const *w, const char *const *labels, int n,
                             Error *err);

#endif
