// program.h: chapter 7's program, shared by its files: main.c (the steps),
// yours.c (your functions checked, on small cases and against the training
// loop) and report.c (the tables, the numbers and the figures of steps 5 to 7).
#ifndef WB_CH7_PROGRAM_H
#define WB_CH7_PROGRAM_H

#include "chapter.h"
#include "experiment.h"

enum {
    HARDEST = 16,          // the digits in the grid, as in the study's Figure 8
    GRID_COLS = 4,
    TOP_SHARE = 100,       // "the hardest hundred"
    PAIRS = 6,             // the most confused pairs in the table
    C = MNIST_CLASSES,
};

// A wrong answer counts as sure when the network gives it more than this.
static const double SURE_P = 0.9;

// The first seed's network on the test set.
typedef struct {
    int n;
    double *t;         // [n, 10] one-hot targets
    double *loss;      // [n] of the first seed's network
    int *order;        // [n] every test image, the highest loss first
    int hardest[HARDEST];
    int counts[C * C];
    int errors;
} Analysis;

typedef struct {
    Chapter ch;
    Experiments E;     // one experiment; run s is seed s's, its probabilities its own
    Analysis a;
    int *wrong_in;     // [n_test] how many of the runs answer each test image wrongly
} Program;

// Run s's probabilities for the test images: [n_test, 10].
static inline const double *probs_of(const Program *p, int s) { return experiments_out(&p->E, s); }

// The digit a row of probabilities says: the first largest, as count_correct().
static inline int answer(const double *y) {
    int best = 0;
    for (int k = 1; k < C; k++)
        if (y[k] > y[best]) best = k;
    return best;
}

// yours.c: top_k's answer, before the program uses it (k distinct indices
// below n); step 3's small cases; your analysis of the test set against the
// training loop's numbers (the losses' mean, the right answers, the order).
void check_indices(const Program *p, const int *idx, int k, int n);
void small_cases(Program *p);
void check_analysis(Program *p, const TrainResult *res);

// report.c: how the loss is shared out; the sixteen hardest (a table and a
// grid of images); each digit, and the confusion matrix; every image's loss;
// the mistakes the seeds share; the figures.
void loss_shares(Program *p, const Split *test, const double *probs);
int hardest_table(Program *p, const Split *test, const double *probs, Error *err);
int hardest_grid(Program *p, const Split *test, const double *probs, Error *err);
int digits_table(Program *p, Error *err);
int loss_file(Program *p, const Split *test, const double *probs, Error *err);
void shared_mistakes(Program *p, const Split *test, const double *avg, int wrong_total);
int draw_figures(Program *p, Error *err);

#endif
