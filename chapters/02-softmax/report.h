// report.h: what a chapter 2 run shows and leaves for the book: a training
// run's result on the terminal and in values.tsv, and the figures.
#ifndef WB_CH2_REPORT_H
#define WB_CH2_REPORT_H

#include "chapter.h"
#include "model.h"

// Where the run stopped, its best epoch, and the kept weights' accuracies.
void result_print(const Result *r, const char *indent);
// The same in values.tsv, each key after prefix ("mean_stop_epoch").
void result_values(Chapter *ch, const char *prefix, const Result *r);
// The curves of metrics.tsv, the summed and averaged steps, and the weights
// of each digit as an image (best's), under the run folder.
int draw_figures(Chapter *ch, const Config *cfg, const Model *best, const Result *r, Error *err);

#endif
