// ch6.c (subject): chapter 6's functions, called as the judge's proxies send
// them (tests/judge/ch6.c: the same arguments in the same order).
#include "ch6.h"
#include "subject/subject.h"

static void serve_sigmoid_forward(Args *a) {
    sigmoid_forward(arg_ptr(a, 0), arg_ptr(a, 1), (int)arg_int(a, 2));
}

static void serve_relu_forward(Args *a) { relu_forward(arg_ptr(a, 0), arg_ptr(a, 1), (int)arg_int(a, 2)); }

static void serve_sigmoid_backward(Args *a) {
    sigmoid_backward(arg_ptr(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), (int)arg_int(a, 3));
}

static void serve_relu_backward(Args *a) {
    relu_backward(arg_ptr(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), (int)arg_int(a, 3));
}

const Served served[] = {
    {"sigmoid_forward", serve_sigmoid_forward},
    {"sigmoid_backward", serve_sigmoid_backward},
    {"relu_forward", serve_relu_forward},
    {"relu_backward", serve_relu_backward},
};
const int served_count = sizeof served / sizeof served[0];
