// cli.h: the command line every chapter program shares.
//
//   --data DIR      the four IDX files (default data/mnist)
//   --out DIR       where the run writes its TSVs, values and figures
//   --figures DIR   the gnuplot scripts (default figures)
//   --config FILE   an experiment config (chapters that train)
//   --seed N        the seed of the split and of everything random (default 1)
//   --limit N       use only the first N examples of each file (quick runs)
//   --norm image|split   per-image z-score (the study) or per-split statistics
//   --seeds N       train each experiment with seeds seed..seed+N-1 (default 1)
//   --max-epochs N  train at most N epochs whatever the config says (quick runs)
//   --fast          train on the library's fast path (train.h's TrainOptions), not
//                   on the exercises' functions: for the runs on the reference
//                   solutions (make chN SOLUTIONS=1, the book), never a student's own
//   --store DIR     keep each run on the fast path in DIR, under a hash of what
//                   made it (lib/runstore.h), for `make paper` to reuse
//   --code ID       the training code's name in those hashes (make gives a hash
//                   of the library and the reference solutions; default: this
//                   program's own bytes)
//   --quiet         no progress, no text plots
#ifndef WB_CLI_H
#define WB_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "dataset.h"
#include "error.h"

typedef struct {
    const char *prog;     // "ch1", for messages
    const char *data_dir, *out_dir, *figures_dir, *config;
    const char *store_dir, *code_id;   // --store, --code: NULL when not given
    uint64_t seed;
    bool seed_given;      // --seed was on the command line
    int limit;
    int seeds;            // how many seeds each experiment runs with (1)
    bool seeds_given;     // --seeds was on the command line
    int max_epochs;       // 0: the config's epochs
    Normalization norm;
    bool fast;            // --fast: the chapters that train take the fast path
    bool quiet;
    bool help;            // --help was given: usage printed, nothing else to do
} Options;

// Fills o from argv; prints usage for --help. An unknown option, a missing or
// malformed value is an error naming the option.
int cli_parse(Options *o, int argc, char **argv, const char *prog, const char *about,
              Error *err);

// *out = s, a whole number from lo to hi in decimal digits (no sign, no
// spaces), or an error naming the option opt, the range and s (s NULL: the
// option came without a value).
int cli_number(uint64_t *out, const char *opt, const char *s, uint64_t lo, uint64_t hi,
               Error *err);

// The same for an int option: *out = s, from lo to hi (both at least 0).
int cli_count(int *out, const char *opt, const char *s, int lo, int hi, Error *err);

// A config's `seed` key is the run's seed unless --seed was given: the
// command line wins, so one config can be rerun over several seeds.
void cli_take_config_seed(Options *o, uint64_t config_seed);

// The DataOptions these options ask for, with the study's 80/20 split.
DataOptions cli_data_options(const Options *o);

#endif
