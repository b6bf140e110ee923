// run.c: paper-run, the training half of `make paper` (see paper.h).
//
// Trains each experiment of experiments.c once per seed, 1 to --seeds, on the
// reference solutions and the library's fast path, and leaves each finished
// run in OUT/runs/ (--runs) under a name that hashes its inputs
// (lib/runstore.h): the experiment's effective config, the seed, the data and
// its normalization, and the training code (--code, which make gives as a
// hash of the library and the solutions; else this program's own bytes), so
// that a change to any of them retrains. A run already there is reused
// unless --force, whoever trained it: the book's chapter runs leave theirs
// there too (their --store). The runs are independent: the library's runner
// (lib/experiment.h) trains them side by side, --jobs processes, longest
// first, one thread each, so that two cores train two runs at once.
//
// The split of the training files is seed 1's for every run, as in the
// chapters: the seeds vary the initial weights and the order of the batches.
//
//   paper-run --data DIR --out DIR [--runs DIR] [--code ID] [--seeds N] [--jobs N]
//             [--force] [--limit N] [--max-epochs N]
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "chapter.h"
#include "cli.h"
#include "experiment.h"
#include "jobs.h"
#include "metrics.h"
#include "output.h"
#include "paper.h"
#include "runstore.h"

enum { MAX_SEEDS = 100, MAX_RUNS = PAPER_MAX_EXPERIMENTS * MAX_SEEDS, MAX_JOBS = JOBS_MAX_WORKERS };

typedef struct {
    const char *data_dir, *out_dir, *runs_dir, *code_id;
    int seeds, jobs;
    int limit, max_epochs;   // quick runs (the tests): 0 for all
    bool force;
} Args;

// One (experiment, seed). Two experiments with the same settings (the study
// ran section 4.2.4's again as 6.2.1's tanh run) hash alike and share a run.
typedef struct {
    int exp;
    uint64_t seed;
    uint64_t hash;       // of its inputs
    char stem[RUNSTORE_STEM_MAX];   // NAME-seedS-HASH of the run that holds its numbers
    bool reused;         // finished before this invocation (by whichever program)
    int owner;           // the run that trains it: itself, or an earlier twin
} PaperRun;

// ---------------------------------------------------------------------------
// The runs, side by side

// The experiments of experiments.c as the runner's: each config, its data,
// the reference solutions' functions; its runs the todo list, each kept in
// the store of its data once trained.
static int train_all(Experiments *E, const Args *a, const PaperExperiment *exp, const Config *cfg,
                     int n_exp, const Mnist *const by_norm[2], const RunStore store[2],
                     const Run *todo, int n_todo, Error *err) {
    *E = (Experiments){.n_exp = n_exp, .dir = a->runs_dir, .fast = true, .train_metrics = NO_SEED,
                       .workers = a->jobs};
    for (int i = 0; i < n_exp; i++) {
        Experiment *x = &E->exp[i];
        int k = exp[i].norm == NORM_PER_SPLIT;
        snprintf(x->name, sizeof x->name, "%.47s", exp[i].name);
        x->cfg = cfg[i], x->ops = chapter6_ops(cfg[i].activation);
        x->data = by_norm[k], x->store = &store[k];
    }
    E->data = E->exp[0].data;
    if (n_todo == 0) return 0;
    E->runs = error_calloc(err, (size_t)n_todo, sizeof(Run), "the runs");
    if (!E->runs) return -1;
    memcpy(E->runs, todo, sizeof(Run) * (size_t)n_todo);
    E->n_runs = n_todo;
    int rc = experiments_train(E, err);
    if (rc > 0) return error_set(err, "a training process exited with status %d", rc);
    return rc;
}

// ---------------------------------------------------------------------------

static int parse_args(Args *a, int argc, char **argv, Error *err) {
    *a = (Args){.data_dir = "data/mnist", .out_dir = "build/paper", .seeds = 5,
                .jobs = jobs_workers(MAX_JOBS)};
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(o, "--force") == 0) {
            a->force = true;
            continue;
        }
        if (strcmp(o, "--help") == 0) {
            printf("usage: paper-run [--data DIR] [--out DIR] [--runs DIR] [--code ID] "
                   "[--seeds N] [--jobs N] [--force]\n"
                   "  trains the study's experiments with seeds 1..N (default 5) into RUNS "
                   "(default OUT/runs),\n  reusing finished runs unless --force, and indexes "
                   "them in OUT; --code: the training\n  code's name in the runs' hashes "
                   "(default: this program's bytes); --jobs: runs at\n  once (default: one "
                   "per core); --limit N, --max-epochs N: quick runs on the first N\n  images "
                   "of each file, or at most N epochs\n");
            exit(0);
        }
        int rc = 0;
        if (strcmp(o, "--data") == 0 && v) a->data_dir = v;
        else if (strcmp(o, "--out") == 0 && v) a->out_dir = v;
        else if (strcmp(o, "--runs") == 0 && v) a->runs_dir = v;
        else if (strcmp(o, "--code") == 0 && v && *v) a->code_id = v;
        else if (strcmp(o, "--seeds") == 0) rc = cli_count(&a->seeds, o, v, 1, MAX_SEEDS, err);
        else if (strcmp(o, "--jobs") == 0) rc = cli_count(&a->jobs, o, v, 1, MAX_JOBS, err);
        else if (strcmp(o, "--limit") == 0) rc = cli_count(&a->limit, o, v, 1, 60000, err);
        else if (strcmp(o, "--max-epochs") == 0)
            rc = cli_count(&a->max_epochs, o, v, 1, 10000, err);
        else return error_set(err, "%s: unknown option or missing value (see --help)", o);
        if (rc != 0) return rc;
        i++;
    }
    return 0;
}

// Writes OUT/runs.tsv (which run holds each experiment's numbers for each seed)
// and OUT/run.tsv (this invocation).
static int write_index(const Args *a, const PaperExperiment *exp, const PaperRun *runs, int n_runs,
                       int trained, int inside, int reused, double wall, Error *err) {
    char path[4200];
    snprintf(path, sizeof path, "%s/runs.tsv", a->out_dir);
    OutFile o;
    if (out_open(&o, path, err) != 0) return -1;
    fprintf(o.f, "experiment\tseed\trun\treused\n");
    for (int i = 0; i < n_runs; i++)
        fprintf(o.f, "%s\t%llu\t%s\t%d\n", exp[runs[i].exp].name,
                (unsigned long long)runs[i].seed, runs[i].stem, runs[i].reused);
    if (out_commit(&o, err) != 0) return -1;
    Values v = {0};
    values_set(&v, "seeds", "%d", a->seeds);
    values_set(&v, "runs", "%d", n_runs);
    values_set(&v, "trained", "%d", trained);
    values_set(&v, "finished_inside", "%d", inside);   // of those (experiment.h)
    values_set(&v, "reused", "%d", reused);
    values_set(&v, "jobs", "%d", a->jobs);
    values_set(&v, "wall_s", "%.1f", wall);
    values_set(&v, "data", "%s", a->data_dir);
    snprintf(path, sizeof path, "%s/run.tsv", a->out_dir);
    return values_write(&v, path, err);
}

// The runs of every experiment and seed, each named by the hash of its inputs;
// a twin (the same settings under another name) shares an earlier run's, and a
// run the store has (under any name) is reused unless --force. The ones to
// train go into todo. Returns how many were reused, or -1 with err.
static int plan(PaperRun *runs, int *n_runs, Run *todo, int *n_todo, const Args *a,
                const PaperExperiment *exp, const Config *cfg, int n_exp,
                const RunStore store[2], Error *err) {
    int reused = 0;
    *n_runs = *n_todo = 0;
    for (int i = 0; i < n_exp; i++)
        for (int s = 1; s <= a->seeds; s++) {
            PaperRun *r = &runs[*n_runs];
            *r = (PaperRun){.exp = i, .seed = (uint64_t)s, .owner = *n_runs};
            const RunStore *st = &store[exp[i].norm == NORM_PER_SPLIT];  // of its data
            r->hash = runstore_key(st, &cfg[i], r->seed);
            runstore_stem(r->stem, exp[i].name, r->seed, r->hash);
            for (int j = 0; j < *n_runs && r->owner == *n_runs; j++)
                if (runs[j].hash == r->hash) {  // a twin: its numbers are that run's
                    r->owner = j;
                    memcpy(r->stem, runs[j].stem, sizeof r->stem);
                    r->reused = runs[j].reused;
                }
            if (r->owner == *n_runs && !a->force) {
                int found = runstore_find(r->stem, st, r->hash, err);
                if (found < 0) return -1;
                r->reused = found;
            }
            if (r->owner == *n_runs && !r->reused) {
                Run *t = &todo[(*n_todo)++];
                *t = (Run){.exp = i, .seed_index = s - 1, .seed = r->seed};
                snprintf(t->file, sizeof t->file, "%s.metrics.tsv", r->stem);
            }
            reused += r->reused && r->owner == *n_runs;
            (*n_runs)++;
        }
    return reused;
}

// The data, both ways it can be normalized (as the experiments need them; the
// split is seed 1's), and a store of runs in RUNS for each.
static int load_data(Mnist data[2], RunStore store[2], const Args *a, const PaperExperiment *exp,
                     int n_exp, const char *argv0, Error *err) {
    bool need[2] = {false, false};
    for (int i = 0; i < n_exp; i++) need[exp[i].norm == NORM_PER_SPLIT] = true;
    for (int k = 0; k < 2; k++) {
        if (!need[k]) continue;
        DataOptions dopt = {.dir = a->data_dir, .seed = 1, .val_fraction = 0.2,
                            .limit = a->limit, .norm = k ? NORM_PER_SPLIT : NORM_PER_IMAGE};
        if (mnist_load(&data[k], &dopt, err) != 0 ||
            runstore_open(&store[k], a->runs_dir, a->code_id, argv0, &data[k], err) != 0)
            return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    double t0 = wall_time();
    Args a;
    Error err = {{0}};
    static PaperExperiment exp[PAPER_MAX_EXPERIMENTS];
    static Config cfg[PAPER_MAX_EXPERIMENTS];
    static PaperRun runs[MAX_RUNS];
    static Run todo[MAX_RUNS];
    static Experiments E;
    Mnist data[2];
    memset(data, 0, sizeof data);
    int n_exp = 0, n_runs = 0, n_todo = 0, rc = -1;
    char dir[4200];
    static RunStore store[2];
    if (parse_args(&a, argc, argv, &err) != 0) {
        error_print("paper-run", &err);
        return 2;
    }
    if (paper_experiments(exp, &n_exp, &err) != 0) goto fail;
    for (int i = 0; i < n_exp; i++) {
        if (paper_config(&cfg[i], &exp[i], &err) != 0) goto fail;
        if (a.max_epochs && cfg[i].epochs > a.max_epochs) cfg[i].epochs = a.max_epochs;
    }
    if (a.runs_dir) snprintf(dir, sizeof dir, "%s", a.runs_dir);
    else snprintf(dir, sizeof dir, "%s/runs", a.out_dir);
    a.runs_dir = dir;
    if (make_dirs(dir, &err) != 0 || make_dirs(a.out_dir, &err) != 0 ||
        load_data(data, store, &a, exp, n_exp, argv[0], &err) != 0)
        goto fail;
    int reused = plan(runs, &n_runs, todo, &n_todo, &a, exp, cfg, n_exp, store, &err);
    if (reused < 0) goto fail;
    progress_quiet = true;  // one line per run is enough
    fprintf(stderr, "paper: %d experiments x %d seed%s: %d to train, %d reused%s (%s/)\n",
            n_exp, a.seeds, a.seeds > 1 ? "s" : "", n_todo, reused,
            a.force ? " (--force)" : "", dir);
    const Mnist *by_norm[2] = {&data[0], &data[1]};
    if (train_all(&E, &a, exp, cfg, n_exp, by_norm, store, todo, n_todo, &err) != 0) goto fail;
    double wall = wall_time() - t0;
    int inside = experiments_inside(&E);
    if (write_index(&a, exp, runs, n_runs, n_todo, inside, reused, wall, &err) != 0) goto fail;
    fprintf(stderr, "paper: %d runs trained (%d of them inside others), %d reused, in %.1f s\n",
            n_todo, inside, reused, wall);
    rc = 0;
fail:
    if (rc != 0) error_print("paper-run", &err);
    experiments_free(&E);
    mnist_free(&data[0]);
    mnist_free(&data[1]);
    return rc == 0 ? 0 : 1;
}
