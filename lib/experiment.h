// experiment.h: experiments over seeds, trained side by side (chapters 4 to
// 7, and `make paper`).
//
// An experiment is a config of the study's form and what the program calls
// it; it runs with one seed or several. The runs do not depend on each other,
// so they train side by side, one process each (lib/jobs.h), as many at once
// as there are cores, the longest first. Each run writes its metrics file
// (lib/train.h) and sends back its TrainResult, and whatever the program's
// own hooks add to it; then each experiment is summed up over its seeds, once,
// here, for every program:
//
//   static Experiments E;                      // large: static, or allocated
//   if (!experiments_add(&E, "chapters/04-momentum/plain.yaml", err)) return -1;
//   E.data = &data, E.dir = out_dir, E.seed = 1, E.fast = opt.fast;
//   E.exp[0].ops = chapter4_ops();             // the functions that train it
//   if (experiments_train(&E, err) != 0) ...   // one line a run as it ends
//   E.sum[0].acc.mean, E.runs[E.sum[0].first].res.test_acc ...
//   experiments_write_results(&E, "results.tsv", err);   // for the book's tables
//   experiments_free(&E);
#ifndef WB_EXPERIMENT_H
#define WB_EXPERIMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chapter.h"
#include "config.h"
#include "dataset.h"
#include "error.h"
#include "output.h"
#include "runstore.h"
#include "study.h"
#include "train.h"

enum { EXPERIMENTS_MAX = 32, EXPERIMENT_MAX_SEEDS = 100 };
enum { FIRST_SEEDS = 0, ALL_SEEDS = 1, NO_SEED = 2, FIRST_SEEDS_ENDS = 3 };

// ---------------------------------------------------------------------------
// Numbers over seeds, and a run read back

typedef struct {
    double mean, sd, min, max;   // sd: the sample's, n - 1 in the denominator; 0 for one
} Stats;

Stats stats_of(const double *x, int n);

// The epochs of one training run, from the metrics file train() wrote.
typedef struct {
    int epochs;   // rows after epoch 0's
    double *train_loss, *val_loss, *train_acc, *val_acc;   // [epochs + 1], epoch 0 first
} History;

int history_read(History *h, const char *path, Error *err);
void history_free(History *h);

// The epoch of the lowest validation loss (the first of equal ones), 1-based.
int history_best_epoch(const History *h);

// ---------------------------------------------------------------------------
// The experiments

typedef struct {
    char name[48];        // its files (metrics-NAME.tsv): the config's file name, no .yaml
    char key[48];         // its keys in values.tsv and columns: the name, '-' made '_'
    char label[96];       // plain text, for tables, figures and the terminal (the name)
    char path[1024];      // its config file
    Config cfg;
    int seeds;            // it runs with seeds seed .. seed + seeds - 1 (1)
    const StudyExperiment *study;  // the study's experiment of the same name, or NULL
    TrainOps ops;         // the functions that train it: the program fills them in
    bool own_rule;        // it trains a rule of the program's own (chapter 4's printed
                          // momentum): never on the fast path, nor in experiments_try
                          // or the tables
    const Mnist *data;    // its data; NULL: the set's
    const char *note;     // a word on it for the tables, plain text (the study's claim,
                          // why a variant runs), or NULL
    const RunStore *store;   // where its runs on the fast path are kept once trained
                             // and their hooks done (runstore.h), for the other
                             // chapters and make paper to reuse; NULL: not kept. The
                             // store is for its data.
} Experiment;

// One experiment with one seed.
typedef struct {
    int exp;              // the experiment, an index into exp[]
    int seed_index;       // 0: its first seed, the run whose curves a chapter draws
    uint64_t seed;
    char file[128];       // its metrics file, in the set's dir: metrics-NAME[-seedS].tsv
    TrainResult res;
    double wall_s;        // from its first weight drawn to the end of its hooks (a run
                          // finished inside another: its epochs' training time there)
    bool reused;          // taken up from the store, not trained (Experiments' reuse, or
                          // finished inside another run)
    // Set by experiments_plan and experiments_train: a run with early
    // stopping whose run without it (the same config and seed otherwise, kept
    // in the same store or in none) is trained too is finished inside that
    // one (train.h's TrainAlsoStopping), which keeps it in the store (the
    // training's scratch store, where they have none), and then taken up from
    // there, after every other run, so that it is not trained twice.
    int finishes;         // the early-stopping run it finishes on its way, or -1
    int inside;           // the run it is finished inside, or -1
} Run;

// An experiment over its seeds.
typedef struct {
    int n;                // seeds
    int first;            // the run of its first seed, an index into runs[]
    Stats acc, stop, kept;   // test accuracy (%), epochs trained, epoch whose weights were kept
} Summary;

// A program's own work on a run, in the run's process: `before` once the
// network is initialized, `after` once it is trained (run->res filled in).
// out: the run's own bytes (out_size of them, zero at first), which come back
// to the program with the run. Returns 0, or -1 with err.
typedef int (*RunHook)(void *out, Net *net, const Run *run, const Experiment *x, void *ctx,
                       Error *err);

typedef struct Experiments {
    // Set by the program
    Experiment exp[EXPERIMENTS_MAX];
    int n_exp;
    const Mnist *data;    // what every experiment trains on unless it names its own
    const char *dir;      // where the metrics files go
    uint64_t seed;        // the first seed
    bool fast;            // train on the fast path (the runs on the reference solutions)
    int train_metrics;    // which runs measure the whole training split after each
                          // epoch: FIRST_SEEDS (0: those whose curves are drawn),
                          // ALL_SEEDS, NO_SEED (the others leave the columns nan),
                          // FIRST_SEEDS_ENDS (the others measure it after their
                          // last epoch only)
    size_t out_size;      // the bytes of a run's own, which its hooks fill in
    RunHook before, after;
    void *ctx;            // the hooks' ctx
    RunStore store;       // a chapter's --store, which its experiments keep their runs in
                          // (chapter_load_experiments)
    bool reuse;           // take a run up from its experiment's store when the store
                          // has it, with its weights, instead of training it (a
                          // chapter's --store; make paper plans its own reuse)
    // Set by experiments_plan and experiments_train
    Run *runs;            // [n_runs], experiment by experiment, seed by seed
    int n_runs, workers;
    char *outs;           // [n_runs, out_size]
    History *hist;        // [n_runs], after experiments_read
    Summary sum[EXPERIMENTS_MAX];
    double train_s;       // wall time of the training, all runs
    RunStore scratch;     // where experiments_train keeps the runs it finishes inside
                          // others for experiments without a store (runstore_scratch):
                          // DIR/.inside, for the training's length
} Experiments;

// Loads the config at path as the next experiment: name, key and label from
// its file name, one seed, the study's numbers if the study has an experiment
// of that name. NULL with err if the config is refused or the name is taken.
Experiment *experiments_add(Experiments *E, const char *path, Error *err);

// Step 2 of the chapters that train: chapter_load, each config checked
// against the data (chapter_check_config), the sizes of the splits on stdout
// and n_train in values.tsv, and E set to train on them: the data, the run
// folder, --seed and --fast.
int chapter_load_experiments(Chapter *ch, Mnist *data, Experiments *E, Error *err);

// Step 1 of the chapters that train: the config at path as the next
// experiment (experiments_add), refused unless it is what chapter
// ch->number's network `needs` (experiment_refuse), cut to --max-epochs, on
// stdout (experiment_describe); the first one's `seed` key is the run's
// seed unless --seed was given. ch->experiments is set to E, which
// chapter_main frees at the end.
Experiment *chapter_experiment(Chapter *ch, Experiments *E, const char *path, unsigned needs,
                               Error *err);

// Step "train" of the chapters: the runs planned; on your functions,
// experiments_pace; then "[k/steps] train: N runs, W at a time" (and more,
// if not NULL), every run trained, and train_s, workers and finished_inside (the runs
// finished inside others) in values.tsv.
// Returns as experiments_train.
int chapter_train(Chapter *ch, Experiments *E, int k, const char *more, Error *err);

// What a chapter's network must be, or the config is refused with the file,
// the key and the reason ("chapter 4 trains ... "): a hidden layer, chapter
// 3's tanh, no penalty of chapter 5.
enum { NEEDS_HIDDEN = 1, NEEDS_TANH = 2, NEEDS_NO_PENALTY = 4 };
int experiment_refuse(const Experiment *x, int chapter, unsigned needs, Error *err);

// The names under which an experiment's summary goes into values.tsv, each
// prefixed with "PREFIX_" (no prefix: NULL), NULL for a number left out:
// the test accuracy's mean, sd, min and max (%.2f; sd "–" for one seed),
// the epochs trained and kept, each mean (%.1f), min and max (%.0f).
typedef struct {
    const char *acc[4], *stop[3], *kept[3];
} SummaryKeys;
void summary_put(Values *v, const char *prefix, const Summary *s, const SummaryKeys *keys);

// "      PATH: layers [784, 128, 10], tanh, rate 0.001, batch 128, 100 epochs, momentum
// 0.9, early stopping (patience 3)", on stdout.
void experiment_describe(const Experiment *x);

// The runs of every experiment, their files named, in E->runs; which of them
// experiments_train will finish inside others (see Run); and how many train
// at once (E->workers: one per core, unless the program set it).
// experiments_train plans them itself when the program has not.
int experiments_plan(Experiments *E, Error *err);

// Each experiment once on the first n examples of each split, in this process,
// 2 epochs: every function the long runs call runs once, so that an unfinished
// or broken exercise stops the program here, with one line, not in every run
// at once. Not the experiments of the program's own rules.
int experiments_try(const Experiments *E, int n, Error *err);

// Before training on the exercises' functions (not --fast): times them on one
// batch beside the speed of the reference solutions' kind of code, names a
// function far slower than that, and says how long the runs will take and how
// to shorten them. Prints only; it fails only where the functions do. After
// experiments_plan, whose runs finished inside others it counts as taking no
// time of their own; before it, as trained apart.
int experiments_pace(const Experiments *E, Error *err);

// When a run of the given seed (0: an experiment's first) measures the whole
// training split, as E's train_metrics says.
TrainSplitMetrics experiments_train_split(const Experiments *E, int seed_index);

// Trains every run, as many at once as there are cores, the longest first,
// one line each on stdout as it ends; then the summaries. A run with early
// stopping is finished inside the same run without it where both are trained
// (see Run).
int experiments_train(Experiments *E, Error *err);

// Whether a run is the first epochs of another of E's runs, and was not
// trained apart: finished inside it, or taken up from a store (where such a
// run was finished inside another, or trained to the same bits); and how
// many runs are.
bool experiments_not_apart(const Experiments *E, int run);
int experiments_inside(const Experiments *E);

// Every run's history, from its metrics file, into E->hist.
int experiments_read(Experiments *E, Error *err);

// E->sum from the runs' results (experiments_train calls it).
void experiments_summarize(Experiments *E);

// The experiment named `name` (its config's file name, Experiment.name), or -1.
int experiments_find(const Experiments *E, const char *name);

// The run of experiment e with its seed_index-th seed, or -1; its own bytes.
int experiments_run_of(const Experiments *E, int e, int seed_index);
void *experiments_out(const Experiments *E, int run);

// DIR/FILE of a run, in buf.
const char *experiments_path(char *buf, size_t size, const Experiments *E, const Run *r);

void experiments_free(Experiments *E);

// ---------------------------------------------------------------------------
// The tables the book renders (its {.table} blocks), and scripts read

// One row per experiment:
//   name key label note activation rate section study_acc study_stop seeds
//   acc epochs kept wall_s mean sd min max stop_mean stop_min stop_max
//   kept_mean kept_min kept_max stops
// acc, epochs, kept and wall_s are its first seed's; the study's numbers are
// empty where the study gives none, and sd where there is one seed; stops is
// the epochs in words: "10 (7)" (trained, kept) when every seed agrees, else
// "9.8 (6.8), 7–13" (the means, and the range of the epochs trained).
// more: NULL, or the program's own columns ("slope\tdead"), whose fields
// fill(t, E, e, ctx) writes for experiment e (tsv_num, tsv_text).
typedef void (*MoreColumns)(Tsv *t, const Experiments *E, int e, void *ctx);
int experiments_write_results(const Experiments *E, const char *path, const char *more,
                              MoreColumns fill, void *ctx, Error *err);

// One row per seed, a group of columns per experiment, empty where it did not
// run with that seed:  seed  KEY_acc KEY_stop KEY_kept ...
int experiments_write_seeds(const Experiments *E, const char *path, Error *err);

// The mean over its seeds of each experiment's validation curves (after
// experiments_read), for gnuplot: a row per epoch from 0, two columns per
// experiment, both headed by its label: the loss and the accuracy (NaN
// where none of its runs trained that epoch).
int experiments_write_curves(const Experiments *E, const char *path, Error *err);

// Every run's test accuracy, for a strip chart: block 0, a row per run at x
// = its experiment's index, spread over +-0.25 by seed (x, test_acc, seed);
// block 1, a row per experiment, its mean (x, mean, label).
int experiments_write_accuracies(const Experiments *E, const char *path, Error *err);

#endif
