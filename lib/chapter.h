// chapter.h: what every chapter program does the same way.
//
// A chapter program parses the shared command line, says which chapter
// runs, makes its run folder, loads the data, works through numbered steps,
// stops with one line when it finds an exercise's answer wrong, and writes
// values.tsv last, its presence saying the whole run finished:
//
//   Chapter ch = {.number = 4, .title = "momentum and early stopping", .steps = 7};
//   int status;
//   if (!chapter_begin(&ch, argc, argv, &status)) return status;
//   ...                                  // chapter_step(&ch, 1, "read the experiments") ...
//   return chapter_end(&ch, rc, &err);
//
// or, for the chapters that train, all of main at once:
//
//   return chapter_main(&run.ch, argc, argv, run_chapter, &run);
#ifndef WB_CHAPTER_H
#define WB_CHAPTER_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "config.h"
#include "dataset.h"
#include "error.h"
#include "output.h"

typedef struct {
    // set by the program, before chapter_begin
    int number;              // 4
    const char *title;       // "momentum and early stopping"
    int steps;               // the steps it prints as [k/steps]
    const char *advice;      // what chapter_wrong adds; NULL for the usual
                             // "run `make check-chN` to see which property fails"
    bool reads_config;       // it trains from configs: --config FILE is one (else
                             // chapter_begin refuses --config, not to ignore it)
    // set by chapter_begin
    char prog[8];            // "ch4", for messages
    Options opt;
    double start;            // wall_time() when the program started
    Values values;           // what values.tsv will hold
    char path[4096];         // chapter_file's answer
    struct Experiments *experiments;   // what the chapter trains (lib/experiment.h), or
                                       // NULL: chapter_main frees it at the end
} Chapter;

// Seconds on a clock that only moves forward: differences are wall time.
double wall_time(void);

// ---------------------------------------------------------------------------
// The start and the end

// Parses the command line (--help prints the usage), prints "chapter N:
// title, from DIR" and makes the run folder. False when main should return
// *status now: 0 after --help, 2 for a bad command line, 1 when the run
// folder cannot be made; the reason is printed.
bool chapter_begin(Chapter *ch, int argc, char **argv, int *status);

// chapter_begin, then run(ctx, data, err), which loads the data
// (chapter_load), does the chapter's steps and returns chapter_end's rc;
// then the data and the experiments freed, and chapter_end. ctx: the
// program's own state.
int chapter_main(Chapter *ch, int argc, char **argv,
                 int (*run)(void *ctx, Mnist *data, Error *err), void *ctx);

// Step 2 of the chapters that train: the data of --data, split 80/20 with
// --seed, normalized as --norm says.
int chapter_load(Chapter *ch, Mnist *data, Error *err);

// The status main returns. rc 0: writes values.tsv (the total time and the
// products' backend added) and says where; rc < 0: prints err; rc > 0: a
// status some process has already explained (an unfinished exercise's 3).
int chapter_end(Chapter *ch, int rc, const Error *err);

// ---------------------------------------------------------------------------
// Along the way

// "[k/steps] what", after any progress line.
void chapter_step(const Chapter *ch, int k, const char *what);

// out_dir/name, in ch->path: valid until the next call.
const char *chapter_file(Chapter *ch, const char *name);

// An exercise gave an answer the program can see is wrong: one line on
// stderr, "chN: what: run `make check-chN` to see which property fails",
// and exit status 1.
_Noreturn void chapter_wrong(const Chapter *ch, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

// Unless --quiet: a blank line, "what:", and the figure figures/SCRIPT.gp draws
// from the run folder with these variables, as text (gnuplot's dumb terminal).
int chapter_plot_text(const Chapter *ch, const char *script, const char *vars, const char *what,
                      Error *err);

// values.tsv's key "prefix_name": chapter_put(ch, "plain", "test_acc", "%.2f", acc).
void chapter_put(Chapter *ch, const char *prefix, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

// The table the run has just written to its folder (name: "table1.tsv"), on
// stdout, as the student reads it (tsv_print).
int chapter_show(Chapter *ch, const char *name, Error *err);

// ---------------------------------------------------------------------------
// Experiments

// A config's file name without its folder and extension, for the names of
// the files a run writes: "chapters/04-momentum/plain.yaml" -> "plain".
// Characters other than letters, digits, '-' and '_' become '_'.
const char *config_name(char *buf, size_t size, const char *path);

// The config against the data: as many inputs as the images have pixels, as
// many outputs as there are digits, a batch no larger than the training split.
int chapter_check_config(const Chapter *ch, const Config *c, const char *path,
                         const Mnist *data, Error *err);

// The first n examples of each split of data, as views of data's own: for a
// quick pass over every function before the long runs. Nothing to free.
Mnist first_examples(const Mnist *data, int n);

// How many seeds an experiment runs with: --seeds N; else, on the fast path
// (the runs on the reference solutions, the book's), `book`; else, on your
// functions, `yours`: what the chapter needs to show on them, and soon done.
int chapter_seeds(const Chapter *ch, int book, int yours);

// values.tsv's key for a sentence of the book about this run (values_claim).
static inline void chapter_claim(Chapter *ch, const char *key, bool holds) {
    values_claim(&ch->values, key, holds);
}

#endif
