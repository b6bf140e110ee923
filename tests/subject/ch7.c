// ch7.c (subject): chapter 7's functions, called as the judge's proxies send
// them (tests/judge/ch7.c: the same arguments in the same order).
#include "ch7.h"
#include "subject/subject.h"

static void serve_per_example_loss(Args *a) {
    per_example_loss(arg_ptr(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), (int)arg_int(a, 3),
                     (int)arg_int(a, 4));
}

static void serve_top_k(Args *a) {
    top_k(arg_ptr(a, 0), arg_ptr(a, 1), (int)arg_int(a, 2), (int)arg_int(a, 3));
}

static void serve_confusion_matrix(Args *a) {
    confusion_matrix(arg_ptr(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), (int)arg_int(a, 3),
                     (int)arg_int(a, 4));
}

const Served served[] = {
    {"per_example_loss", serve_per_example_loss},
    {"top_k", serve_top_k},
    {"confusion_matrix", serve_confusion_matrix},
};
const int served_count = sizeof served / sizeof served[0];
