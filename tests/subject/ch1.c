// ch1.c (subject): chapter 1's functions, called as the judge's proxies send
// them (tests/judge/ch1.c: the same arguments in the same order).
#include "ch1.h"
#include "subject/subject.h"

static void serve_image_mean_sd(Args *a) {
    image_mean_sd(arg_ptr(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), (int)arg_int(a, 3));
}

static void serve_zscore(Args *a) { zscore(arg_ptr(a, 0), arg_ptr(a, 1), (int)arg_int(a, 2)); }

static void serve_one_hot(Args *a) {
    one_hot(arg_ptr(a, 0), arg_ptr(a, 1), (int)arg_int(a, 2), (int)arg_int(a, 3));
}

static void serve_class_mean_image(Args *a) {
    ret_int(a, class_mean_image(arg_ptr(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), (int)arg_int(a, 3),
                                (int)arg_int(a, 4), (int)arg_int(a, 5)));
}

const Served served[] = {
    {"image_mean_sd", serve_image_mean_sd},
    {"zscore", serve_zscore},
    {"one_hot", serve_one_hot},
    {"class_mean_image", serve_class_mean_image},
};
const int served_count = sizeof served / sizeof served[0];
