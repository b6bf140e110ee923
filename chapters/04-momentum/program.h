// program.h: chapter 4's program, shared by its files: main.c (the steps)
// and report.c (steps 5 to 7: ours beside the study's, the printed rule
// beside the usual one, and the figures).
#ifndef WB_CH4_PROGRAM_H
#define WB_CH4_PROGRAM_H

#include "chapter.h"
#include "experiment.h"

// The study's four experiments, by name: plain, momentum, early stopping, both.
enum { N_STUDY = 4 };
extern const char *const NAMES[N_STUDY];

typedef struct {
    Chapter ch;
    Experiments E;
    int usual, printed;   // the experiments of momentum without early stopping and of
                          // the printed rule, or -1
    int low[EXPERIMENTS_MAX], would[EXPERIMENTS_MAX];   // a run without early stopping: its
                          // lowest validation loss, where early stopping would have ended it
} Program;

// report.c: values.tsv's numbers and results.tsv, every experiment beside
// the study's (step 5); the printed rule's run beside the usual one with
// the same seed (step 6); the figures (step 7).
int compare(Program *p, Error *err);
void printed_report(Program *p);
int draw_figures(Program *p, Error *err);

#endif
