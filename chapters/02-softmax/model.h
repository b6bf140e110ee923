// model.h: chapter 2's model and its training runs: the weights, the buffers
// of a batch, and what a run is asked to do and what it did.
#ifndef WB_CH2_MODEL_H
#define WB_CH2_MODEL_H

#include <stdbool.h>

#include "error.h"

// The model: one weight per pixel and digit, one bias per digit.
typedef struct {
    int dim, classes;
    double *w;  // [dim, classes]
    double *b;  // [classes]
} Model;

// The buffers of one batch, allocated once for the largest batch.
typedef struct {
    int rows;
    double *x, *t, *a, *da, *gw, *gb;  // [rows, dim], [rows, 10] x 3, [dim, 10], [10]
} Work;

// One training run: how it steps and when it stops.
typedef enum { GRAD_SUM, GRAD_MEAN } Reduction;
typedef struct {
    const char *tsv;    // its metrics, in the run folder
    const char *label;  // for the progress line
    double rate;
    Reduction reduce;   // the gradient summed over the batch (the study) or averaged
    int batch, epochs;
    bool early_stop;
    int patience;
} Plan;

typedef struct {
    int stop_epoch;     // the last epoch trained
    int best_epoch;     // the epoch whose weights are kept (0: the zero weights)
    bool stopped_early;
    double best_val_loss, best_val_acc, best_train_loss, best_train_acc;
    double test_loss, test_acc;
    double start_val_acc;  // of the untrained model
    double seconds;     // training and evaluation, not loading
    double *val_loss;   // [epochs + 1], by epoch, from 0
} Result;

int model_alloc(Model *m, int dim, int classes, Error *err);
void model_free(Model *m);
void model_copy(Model *to, const Model *from);

int work_alloc(Work *wk, int rows, int dim, int classes, Error *err);
void work_free(Work *wk);

#endif
