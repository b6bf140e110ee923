// ch3.c (subject): chapter 3's functions, called as the judge's proxies send
// them (tests/judge/ch3.c: the same arguments in the same order).
#include "ch3.h"
#include "subject/callbacks_ch3.h"
#include "subject/subject.h"

static void serve_linear_forward(Args *a) {
    linear_forward(arg_ptr(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), arg_ptr(a, 3), (int)arg_int(a, 4),
                   (int)arg_int(a, 5), (int)arg_int(a, 6));
}

static void serve_linear_backward(Args *a) {
    linear_backward(arg_ptr(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), arg_ptr(a, 3), arg_ptr(a, 4),
                    arg_ptr(a, 5), (int)arg_int(a, 6), (int)arg_int(a, 7), (int)arg_int(a, 8));
}

static void serve_tanh_forward(Args *a) { tanh_forward(arg_ptr(a, 0), arg_ptr(a, 1), (int)arg_int(a, 2)); }

static void serve_tanh_backward(Args *a) {
    tanh_backward(arg_ptr(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), (int)arg_int(a, 3));
}

static void serve_output_delta(Args *a) {
    output_delta(arg_ptr(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), (int)arg_int(a, 3), (int)arg_int(a, 4));
}

// The loss lives in the judge: each call of it is a callback.
static double loss(void *ctx) {
    (void)ctx;
    return subject_callback("loss", NULL, 0);
}

static void serve_numerical_gradient(Args *a) {
    (void)arg_callbacks(a, 2);  // CALLBACKS_LOSS: the only set this call takes
    ret_double(a, numerical_gradient(arg_ptr(a, 0), arg_double(a, 1), loss, NULL));
}

const Served served[] = {
    {"linear_forward", serve_linear_forward},
    {"linear_backward", serve_linear_backward},
    {"tanh_forward", serve_tanh_forward},
    {"tanh_backward", serve_tanh_backward},
    {"output_delta", serve_output_delta},
    {"numerical_gradient", serve_numerical_gradient},
};
const int served_count = sizeof served / sizeof served[0];
