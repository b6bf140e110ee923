// mistakes.h: step 8 of chapter 3.
#ifndef WB_CH3_MISTAKES_H
#define WB_CH3_MISTAKES_H

#include "batch.h"
#include "chapter.h"

// Four deliberate mistakes, each one of bt's layers replaced by a broken
// function, and the gradient check of each against numerical (bt's gradient
// by central differences, relative errors with floor and limit: measure.h):
// the largest relative error of each parameter group and how many gradients
// are flagged, into bugs.tsv and values.tsv. A mistake the check does not
// catch fails the run.
int mistakes(Chapter *ch, Batch *bt, const double *numerical, double floor, double limit,
             Error *err);

#endif
