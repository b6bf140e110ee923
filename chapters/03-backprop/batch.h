// batch.h: a network and one fixed batch of training examples, the thing
// chapter 3 checks: its loss as a function of the weights (for central
// differences) and its gradient by backpropagation (your two passes).
#ifndef WB_CH3_BATCH_H
#define WB_CH3_BATCH_H

#include "dataset.h"
#include "error.h"
#include "net.h"

typedef struct {
    Net net, grad;          // the weights, and the gradient of the loss
    Acts acts;              // what the forward pass keeps for the backward one
    double *x, *t;          // the batch: [B, 784] pixels, [B, 10] one-hot targets
    int B;
    const Layers *layers;   // the functions the passes are built from
} Batch;

// A network of the layer sizes {tr->dim, hidden, 10}, its weights drawn with
// seed (net_init, sd init_sd), on the first B examples of tr.
int batch_create(Batch *bt, const Split *tr, int hidden, int B, const Layers *layers,
                 uint64_t seed, double init_sd, Error *err);
void batch_free(Batch *bt);

// The loss of the batch at the weights as they are now (for numerical_gradient).
double batch_loss(void *batch);

// Backpropagation: the forward pass, then the backward one into bt->grad.
void batch_backprop(Batch *bt);

#endif
