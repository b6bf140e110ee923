// paper.h: `make paper`, the study's experiments rerun over several seeds.
//
// Two programs share this header. paper-run (run.c) trains every experiment
// below once per seed, on the fast path, two runs at a time, and keeps each
// finished run in a file named by the hash of everything that decides its
// numbers, so that running it again retrains only what changed. paper-report
// (report.c) reads those runs and writes the report, the TSV for scripts, and
// the numbers the book's appendices quote.
#ifndef WB_PAPER_H
#define WB_PAPER_H

#include <stdbool.h>

#include "config.h"
#include "dataset.h"
#include "error.h"

enum { PAPER_MAX_EXPERIMENTS = 32 };

typedef struct {
    char name[48];          // file stem and row of the tables: "momentum-early-stop"
    const char *config;     // the workbook's config of its settings
    const char *study;      // the study's experiment it stands beside (lib/study.h),
                            // NULL for the workbook's own
    const char *what;       // for the report: "momentum and early stopping"
    const char *why;        // the workbook's own: which question it answers
    Normalization norm;     // the study's per-image z-score, unless a variant says not
    double rate;            // > 0: instead of the config's learning rate
} PaperExperiment;

// The study's experiments in its order, then the workbook's variants. n gets
// the count. Fails only if the table outgrows PAPER_MAX_EXPERIMENTS.
int paper_experiments(PaperExperiment *out, int *n, Error *err);

// The experiment's config: its file, then the experiment's changes.
int paper_config(Config *cfg, const PaperExperiment *e, Error *err);

// The files of one run are lib/runstore.h's: RUNS/NAME-seedS-HASH.tsv (the
// result, written last) and .metrics.tsv beside it (one row per epoch).

// The index paper-run leaves for paper-report: OUT/runs.tsv, one row per
// (experiment, seed): experiment, seed, stem, reused (0/1); and OUT/run.tsv,
// the values of the invocation (seeds, runs, trained, reused, wall_s, ...).

#endif
