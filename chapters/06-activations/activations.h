// activations.h: the networks of chapter 6 as the training loop sees them:
// your functions of chapters 2 to 6 in lib/train.h's TrainOps, with the
// hidden activation the config asks for. `make paper`, `make bench` and the
// fast path's test train on the same table linked with the reference
// solutions.
#ifndef WB_CH6_ACTIVATIONS_H
#define WB_CH6_ACTIVATIONS_H

#include "ch2.h"
#include "ch3.h"
#include "ch4.h"
#include "ch5.h"
#include "ch6.h"
#include "config.h"
#include "train.h"

//> ops
static inline TrainOps chapter6_ops(Activation activation) {
    TrainOps ops = {
        .cross_entropy = cross_entropy, .count_correct = count_correct,   // chapter 2
        .sgd_step = sgd_step,
        .net_forward = net_forward, .net_backward = net_backward,         // chapter 3
        .layers = {.linear_forward = linear_forward, .linear_backward = linear_backward,
                   .softmax = softmax, .output_delta = output_delta},
        .momentum_step = momentum_step, .should_stop = should_stop,       // chapter 4
        .l1_gradient = l1_gradient, .l2_gradient = l2_gradient,           // chapter 5
    };
    Layers *l = &ops.layers;
    switch (activation) {                                                 // chapters 3 and 6
    case ACT_TANH: l->act_forward = tanh_forward, l->act_backward = tanh_backward; break;
    case ACT_SIGMOID: l->act_forward = sigmoid_forward, l->act_backward = sigmoid_backward; break;
    case ACT_RELU: l->act_forward = relu_forward, l->act_backward = relu_backward; break;
    case ACT_NONE: break;  // no hidden layer: nothing to activate
    }
    return ops;
}
//< ops

#endif
