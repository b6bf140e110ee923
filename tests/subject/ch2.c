// ch2.c (subject): chapter 2's functions, called as the judge's proxies send
// them (tests/judge/ch2.c: the same arguments in the same order).
#include "ch2.h"
#include "subject/subject.h"

static void serve_logits(Args *a) {
    logits(arg_ptr(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), arg_ptr(a, 3), (int)arg_int(a, 4),
           (int)arg_int(a, 5), (int)arg_int(a, 6));
}

static void serve_softmax(Args *a) {
    softmax(arg_ptr(a, 0), arg_ptr(a, 1), (int)arg_int(a, 2), (int)arg_int(a, 3));
}

static void serve_cross_entropy(Args *a) {
    ret_double(a, cross_entropy(arg_ptr(a, 0), arg_ptr(a, 1), (int)arg_int(a, 2), (int)arg_int(a, 3)));
}

static void serve_softmax_gradient(Args *a) {
    softmax_gradient(arg_ptr(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), arg_ptr(a, 3), arg_ptr(a, 4),
                     arg_ptr(a, 5), (int)arg_int(a, 6), (int)arg_int(a, 7), (int)arg_int(a, 8));
}

static void serve_sgd_step(Args *a) {
    sgd_step(arg_ptr(a, 0), arg_ptr(a, 1), arg_double(a, 2), (int)arg_int(a, 3));
}

static void serve_count_correct(Args *a) {
    ret_int(a, count_correct(arg_ptr(a, 0), arg_ptr(a, 1), (int)arg_int(a, 2), (int)arg_int(a, 3)));
}

const Served served[] = {
    {"logits", serve_logits},
    {"softmax", serve_softmax},
    {"cross_entropy", serve_cross_entropy},
    {"softmax_gradient", serve_softmax_gradient},
    {"sgd_step", serve_sgd_step},
    {"count_correct", serve_count_correct},
};
const int served_count = sizeof served / sizeof served[0];
