// chain_log.h: what a student's net_forward or net_backward did with the
// layers it was given (judge/ch3.c). Their layers are the judge's, called
// back from the subject; each call is noted here with where each of its
// arrays lay, so that a test can say which step of the chain went wrong
// ("act_backward was given acts->a[0], the net input, where it wants the
// activation's output acts->h[0]") rather than only that a number did.
#ifndef WB_CHAIN_LOG_H
#define WB_CHAIN_LOG_H

enum { CHAIN_MAX_CALLS = 256, CHAIN_MAX_ARRAYS = 6 };

typedef struct {
    char op[24];   // "linear_forward", "act_backward"...: the Layers field it called
    int n;         // its array arguments, in the order of the Layers signature
    struct {
        char name[24];  // the argument of net_forward or net_backward whose memory it is:
                        // "acts->h[0]", "x", "grad->W[1]"; "" when none (NULL, or the
                        // student's own memory)
        long offset;    // the element it starts at, within that argument
    } array[CHAIN_MAX_ARRAYS];
    long ints[3];  // its whole-number arguments (B, C, OC; n; B, K...)
} ChainCall;

// The calls of the last net_forward or net_backward, in order; how many.
int chain_calls(const ChainCall **calls);

#endif
