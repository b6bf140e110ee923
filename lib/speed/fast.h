// fast.h: the training loop's fast path (see train.h, TrainOptions).
//
// For speed only: an optimization of lib/train.c, which no chapter teaches
// and no student needs to read. The algorithm is train.c's plain path (the
// one your exercises run on); this folder, lib/speed/, holds the same
// arithmetic rearranged for the machine, so that the book's and the study's
// many runs take minutes rather than hours.
//
// The same network, the same rule and the same batches as train()'s plain
// path, computed with the library's own kernels instead of the exercises'
// functions. Four things make it fast:
//
//   - the pixels' sparsity: four pixels in five of an MNIST image are 0, and
//     the z-score is an affine map of each image's bytes p, x = s (p - m 1),
//     so the first layer needs only the pixels that are not 0:
//       W x = s (W p) - s m (W 1)
//     and its weights' gradient sum_b d_b x_b^T likewise
//       sum_b s_b d_b p_b^T - (sum_b s_b m_b d_b) 1^T
//     (W 1, the sum of W's columns, is kept up to date as W changes);
//   - tiles: those products go 4 images (or 4 pixels) at a time, so that
//     each row of weights (or of deltas) read from the cache serves 4 of
//     them, over the pixels where any of the 4 is not 0;
//   - every core: a batch is cut into units (tiles of images, blocks of 16
//     rows of pixels), which the threads take as they come; the first
//     layer's weights are split by columns, a share for each thread, which
//     keeps each share in one core's cache;
//   - vectors as wide as the processor's (8 doubles with AVX-512, 4 with
//     AVX2: lib/speed/ is compiled once for each), tanh and sigmoid
//     included, computed from exp() to about 1e-16; no allocation once
//     training has started.
//
// The numbers are the plain path's to rounding: the sums are taken in
// another order, with fused multiply-adds where the processor has them, so
// they differ in the last bits, and training, being chaotic, lets that grow
// from epoch to epoch (see tests/lib/test_train.c for how far they agree).
// They do not depend on the number of threads: every sum is taken in the
// same order whatever the threads are.
#ifndef WB_FAST_H
#define WB_FAST_H

#include "../config.h"
#include "../dataset.h"
#include "../error.h"
#include "../train.h"

enum { FAST_MAX_THREADS = 8, FAST_MAX_COPIES = 3 };

typedef struct Fast Fast;

// Why the fast path cannot train this network on this data, or NULL if it can.
const char *fast_unsupported(const Net *net, const Mnist *data);

// The copies of the fast path that this processor runs (lib/speed/vec.h),
// as -march names them ("x86-64-v4", "x86-64-v3", "x86-64"; "native" off
// x86-64), the widest first; returns how many.
int fast_copies(const char *names[FAST_MAX_COPIES]);

// The copy that fast_create takes now (see there), or NULL if WB_FAST_COPY
// names one that this processor does not run.
const char *fast_copy(void);

// Sets up the fast path for net (its current weights), cfg's rule and the
// three splits of data, which must outlive it, in the widest copy, or the
// one that WB_FAST_COPY names in the environment (an error if this
// processor has no such copy). threads: 0 for one per processor this
// process may use (at most FAST_MAX_THREADS).
int fast_create(Fast **f, const Net *net, const Config *cfg, const Mnist *data, int threads,
                Error *err);
void fast_free(Fast *f);
int fast_threads(const Fast *f);

// Where the images of data's three splits are not 0, found once, for every
// fast path on data that this process (or a child it forks) creates until
// fast_unshare, in the copy that fast_create takes now: each would otherwise
// find it again, a tenth of a second a run (lib/experiment.c shares it
// before forking its runs). Whether it could: if not (out of memory, or too
// many splits shared), each run finds its own.
bool fast_share(const Mnist *data);
void fast_unshare(void);

// The weights: from a Net (after the loop restores the best ones), and back
// into it (at the end of each epoch). The velocity stays in f.
void fast_load(Fast *f, const Net *net);
void fast_store(const Fast *f, Net *net);

// One minibatch of data->train: examples idx[0..B-1], forward, backward and
// the step (with cfg's penalties and momentum). B <= cfg->batch_size.
void fast_step(Fast *f, const int *idx, int B);

// The mean loss and the accuracy (percent) on s, one of data's three splits.
void fast_evaluate(double *loss, double *acc, Fast *f, const Split *s);

#endif
