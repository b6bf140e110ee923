// program.h: chapter 5's program, shared by its files: main.c (the steps),
// results.c (step 6: how each experiment converged over its seeds, and the
// study's claims in numbers) and report.c (steps 7 and 8: the trained
// weights, and the figures).
#ifndef WB_CH5_PROGRAM_H
#define WB_CH5_PROGRAM_H

#include "chapter.h"
#include "experiment.h"
#include "weights.h"

enum {
    PATIENCE = 3,        // the study's E, for "when would early stopping have stopped"
    EDGE = 4,            // the map's border: the pixels within EDGE of an edge of the image
    N_STUDY = 4,         // the study's experiments, STUDY[]
};
static const double NEAR_ZERO = 1e-3;  // a weight this small counts as switched off

// The experiments in the book's order: the study's four (its section 5.1,
// panels a to d; their configs are lib/study.c's), and what its section 5.2
// says of each, for it printed no accuracy; then the same training without a
// penalty, which the study did not run (main.c).
typedef struct {
    const char *name, *says;
} StudySays;
extern const StudySays STUDY[N_STUDY];

// What a run finds in its trained weights, sent back with it.
typedef struct {
    WeightStats w;         // lib/weights.h: sizes, histograms, the pixels ignored
    double penalty_end;    // lambda C of the final weights (your penalty())
} Weights;

// An experiment over its seeds: how it converged.
typedef struct {
    Stats vs_none;        // its accuracy less the run without a penalty's, seed by seed
    double val1, best;    // the validation accuracy after epoch 1, the epoch of the lowest
                          // validation loss: means over the seeds
    int stops;            // the seeds a patience of PATIENCE would have stopped
    char when[420];       // and at which epochs, in words
    Stats train_loss, val_loss, train_acc, val_acc;   // at the end
    int level;            // the epoch its mean validation accuracy is highest at
} Convergence;

typedef struct {
    Chapter ch;
    Experiments E;
    int control;          // the experiment without a penalty, or -1
    Convergence conv[EXPERIMENTS_MAX];
} Program;

// The run of experiment e with its s-th seed, its history, its weights.
static inline const Run *run_of(const Experiments *E, int e, int s) {
    return &E->runs[experiments_run_of(E, e, s)];
}
static inline const History *hist_of(const Experiments *E, int e, int s) {
    return &E->hist[experiments_run_of(E, e, s)];
}
static inline const Weights *weights_of(const Experiments *E, int e) {
    return experiments_out(E, E->sum[e].first);
}

// When a patience of PATIENCE epochs would have stopped a run (main.c).
int patience_stop(const History *h);

// results.c: how experiment e converged, over its seeds, into p->conv[e] and
// values.tsv; the study's claims, in numbers; results.tsv's own columns.
void converge(Program *p, int e);
void claims(Program *p);
extern const char *const MORE_COLUMNS;
void more_columns(Tsv *t, const Experiments *E, int e, void *ctx);

// report.c: the first seed's weights, in values.tsv and the histograms'
// TSV files; the curves, the seeds, the weights and the pixel maps drawn.
int report_weights(Program *p, Error *err);
int draw_figures(Program *p, Error *err);

#endif
