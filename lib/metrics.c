// metrics.c: per-epoch TSV rows and the progress line (see metrics.h).
#include "metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool progress_quiet = false;
static bool progress_open = false;  // an in-place line is on the screen

int metrics_open(Metrics *m, const char *path, const char *columns, Error *err) {
    memset(m, 0, sizeof *m);
    m->ncols = 1;
    for (const char *c = columns; *c; c++) m->ncols += *c == '\t';
    if (m->ncols > METRICS_MAX_COLS)
        return error_set(err, "%s: %d columns, at most %d", path, m->ncols, METRICS_MAX_COLS);
    if (out_open(&m->out, path, err) != 0) return -1;
    fprintf(m->out.f, "%s\n", columns);
    return 0;
}

void metrics_row(Metrics *m, const double *values) {
    for (int i = 0; i < m->ncols; i++)
        fprintf(m->out.f, i ? "\t%.10g" : "%.10g", values[i]);
    fputc('\n', m->out.f);
}

int metrics_close(Metrics *m, Error *err) { return out_commit(&m->out, err); }

void metrics_abort(Metrics *m) { out_abort(&m->out); }

void progress(const char *fmt, ...) {
    if (progress_quiet) return;
    bool tty = isatty(STDERR_FILENO);
    va_list ap;
    va_start(ap, fmt);
    if (tty) fputs("\r\033[K", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (tty) {
        progress_open = true;
    } else {
        fputc('\n', stderr);
    }
    fflush(stderr);
}

void progress_done(void) {
    if (progress_open) fputc('\n', stderr);
    progress_open = false;
}
