// callbacks_ch3.h: the sets of callbacks chapter 3's calls carry (see
// judge/call.h, call_callbacks): the judge's proxy names one, and the
// subject's table builds the function pointers the contract asks for.
#ifndef WB_CALLBACKS_CH3_H
#define WB_CALLBACKS_CH3_H

enum {
    CALLBACKS_LOSS = 1,    // numerical_gradient's loss(ctx): op "loss", no arguments
    CALLBACKS_LAYERS = 2,  // net_forward's and net_backward's Layers (net.h): an op per
                           // field, named as the field, its arguments as its signature
};

#endif
