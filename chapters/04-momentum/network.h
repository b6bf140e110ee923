// network.h: chapter 4's network as the training loop sees it, your functions
// of chapters 2 to 4 in lib/train.h's TrainOps. Chapter 7 trains the same
// network, through the same table.
#ifndef WB_CH4_NETWORK_H
#define WB_CH4_NETWORK_H

#include "ch2.h"
#include "ch3.h"
#include "ch4.h"
#include "train.h"

//> ops
// The training loop of lib/train.h calls your functions of chapters 2 to 4.
static inline TrainOps chapter4_ops(void) {
    return (TrainOps){
        .cross_entropy = cross_entropy, .count_correct = count_correct,
        .sgd_step = sgd_step,                                        // chapter 2
        .net_forward = net_forward, .net_backward = net_backward,    // chapter 3
        .layers = {.linear_forward = linear_forward, .linear_backward = linear_backward,
                   .act_forward = tanh_forward, .act_backward = tanh_backward,
                   .softmax = softmax, .output_delta = output_delta},
        .momentum_step = momentum_step, .should_stop = should_stop,  // chapter 4
    };
}
//< ops

#endif
