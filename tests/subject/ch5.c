// ch5.c (subject): chapter 5's functions, called as the judge's proxies send
// them (tests/judge/ch5.c: the same arguments in the same order).
#include "ch5.h"
#include "subject/subject.h"

static void serve_l1_gradient(Args *a) {
    l1_gradient(arg_ptr(a, 0), arg_ptr(a, 1), arg_double(a, 2), (int)arg_int(a, 3));
}

static void serve_l2_gradient(Args *a) {
    l2_gradient(arg_ptr(a, 0), arg_ptr(a, 1), arg_double(a, 2), (int)arg_int(a, 3));
}

static void serve_penalty(Args *a) {
    ret_double(a, penalty(arg_ptr(a, 0), arg_double(a, 1), arg_double(a, 2), (int)arg_int(a, 3)));
}

const Served served[] = {
    {"l1_gradient", serve_l1_gradient},
    {"l2_gradient", serve_l2_gradient},
    {"penalty", serve_penalty},
};
const int served_count = sizeof served / sizeof served[0];
