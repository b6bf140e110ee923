// metrics.h: one TSV row per epoch, and a progress line for the person watching.
//
// The TSV (under build/runs/...) is what gnuplot draws and what the book
// quotes; it is written through output.h, so it appears only once complete.
// The progress line goes to stderr: rewritten in place on a terminal, one
// line per update otherwise (CI logs, pipes).
#ifndef WB_METRICS_H
#define WB_METRICS_H

#include <stdbool.h>

#include "error.h"
#include "output.h"

enum { METRICS_MAX_COLS = 16 };

typedef struct {
    OutFile out;
    int ncols;
} Metrics;

// columns: tab-separated header, e.g. "epoch\ttrain_loss\tval_loss".
int metrics_open(Metrics *m, const char *path, const char *columns, Error *err);
void metrics_row(Metrics *m, const double *values);  // ncols values
int metrics_close(Metrics *m, Error *err);          // the file appears now
void metrics_abort(Metrics *m);

// printf-style; quiet runs (--quiet) print nothing.
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void progress_done(void);  // ends an in-place line
extern bool progress_quiet;

#endif
