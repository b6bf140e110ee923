// batch.c: a network on one fixed batch (batch.h).
#include "batch.h"

#include <stdlib.h>

#include "ch2.h"  // cross_entropy, from chapter 2
#include "ch3.h"

int batch_create(Batch *bt, const Split *tr, int hidden, int B, const Layers *layers,
                 uint64_t seed, double init_sd, Error *err) {
    const int sizes[3] = {tr->dim, hidden, MNIST_CLASSES};
    *bt = (Batch){.B = B, .layers = layers};
    if (net_create(&bt->net, 2, sizes, err) != 0 || net_create(&bt->grad, 2, sizes, err) != 0 ||
        acts_create(&bt->acts, &bt->net, B, err) != 0)
        return -1;
    net_init(&bt->net, seed, init_sd);
    bt->x = error_calloc(err, (size_t)B * tr->dim, sizeof(double), "a batch");
    bt->t = error_calloc(err, (size_t)B * MNIST_CLASSES, sizeof(double), "its targets");
    if (!bt->x || !bt->t) return -1;
    split_range(bt->x, bt->t, tr, 0, B);
    return 0;
}

void batch_free(Batch *bt) {
    net_free(&bt->net), net_free(&bt->grad);
    acts_free(&bt->acts);
    free(bt->x), free(bt->t);
}

//> batch-loss
// The loss of one fixed batch as a function of the weights, for
// numerical_gradient: your forward pass on the weights as they are at the
// call, and the cross-entropy summed over the batch (chapter 2's is the mean).
double batch_loss(void *batch) {
    Batch *bt = batch;
    net_forward(&bt->acts, &bt->net, bt->x, bt->layers, bt->B);
    return bt->B * cross_entropy(bt->acts.h[1], bt->t, bt->B, MNIST_CLASSES);
}
//< batch-loss

void batch_backprop(Batch *bt) {
    net_forward(&bt->acts, &bt->net, bt->x, bt->layers, bt->B);
    net_backward(&bt->grad, &bt->acts, &bt->net, bt->x, bt->t, bt->layers, bt->B);
}
