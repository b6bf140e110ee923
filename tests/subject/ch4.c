// ch4.c (subject): chapter 4's functions, called as the judge's proxies send
// them (tests/judge/ch4.c: the same arguments in the same order).
#include "ch4.h"
#include "subject/subject.h"

static void serve_momentum_step(Args *a) {
    momentum_step(arg_ptr(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), arg_double(a, 3), arg_double(a, 4),
                  (int)arg_int(a, 5));
}

static void serve_should_stop(Args *a) {
    ret_int(a, should_stop(arg_ptr(a, 0), (int)arg_int(a, 1), (int)arg_int(a, 2)));
}

const Served served[] = {
    {"momentum_step", serve_momentum_step},
    {"should_stop", serve_should_stop},
};
const int served_count = sizeof served / sizeof served[0];
