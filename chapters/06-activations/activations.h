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
        .softmax = softmax, .cross_entropy = cross_entropy,       // chapter 2
        .count_correct = count_correct, .sgd_step = sgd_step,
        .linear_forward = linear_forward,                         // chapter 3
        .linear_backward = linear_backward, .output_delta = output_delta,
        .momentum_step = momentum_step, .should_stop = should_stop,  // chapter 4
        .l1_gradient = l1_gradient, .l2_gradient = l2_gradient,   // chapter 5
    };
    switch (activation) {                                         // chapters 3 and 6
    case ACT_TANH: ops.act_forward = tanh_forward, ops.act_backward = tanh_backward; break;
    case ACT_SIGMOID:
        ops.act_forward = sigmoid_forward, ops.act_backward = sigmoid_backward;
        break;
    case ACT_RELU: ops.act_forward = relu_forward, ops.act_backward = relu_backward; break;
    }
    return ops;
}
//< ops

#endif
