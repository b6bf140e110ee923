// program.h: chapter 6's program, shared by its files: main.c (the steps) and
// report.c (steps 6 and 7: ours beside the study's, and the figures).
#ifndef WB_CH6_PROGRAM_H
#define WB_CH6_PROGRAM_H

#include "activations.h"
#include "chapter.h"
#include "experiment.h"

// The study's section 6 in the order the chapter runs it (lib/study.c). Its
// section 4.2.4 ran the tanh experiment's very settings and reported another
// test accuracy, after another number of epochs.
enum { N_STUDY = 4 };
extern const char *const NAMES[N_STUDY];    // "tanh", "sigmoid", "relu", "relu-small-rate"
extern const char *const STUDY_SECTION4;    // "momentum-early-stop"

// What a run finds in its hidden layer, before and after training.
typedef struct {
    long long preacts, zeros;  // hidden net inputs seen, and how many were exactly 0
    double slope0, slope;      // the mean slope of the hidden units, before and after
    int dead, hidden;          // hidden units that pass no gradient on any validation image
} Hidden;

typedef struct {
    Chapter ch;
    Experiments E;
} Program;

// The largest slope of each activation: tanh'(0) = 1, sigmoid'(0) = 1/4, and
// ReLU's 1 for every positive input.
static inline double max_slope(Activation a) { return a == ACT_SIGMOID ? 0.25 : 1.0; }

// A hidden unit whose slope stays at or below this share of the largest on
// every validation image passes back (almost) no gradient: for ReLU, a unit
// that is off for every image.
static const double DEAD_SLOPE = 0.01;

// report.c: values.tsv's numbers of every experiment beside the study's, and
// the comparisons the chapter makes (step 6); results.tsv's own columns; the
// variables of figures/ch6-compare.gp; the figures (step 7).
void compare(Program *p);
void more_columns(Tsv *t, const Experiments *E, int e, void *ctx);
void compare_vars(const Experiments *E, char *vars, size_t size);
int draw_figures(Program *p, Error *err);

#endif
