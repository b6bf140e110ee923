// runstore.h: finished training runs kept under a hash of what made them, so
// that nothing is trained twice. The book's chapter runs on the fast path
// leave theirs (--store) and take up those an earlier chapter left (chapter
// 6's tanh runs are chapter 4's momentum and early stopping, seed for seed),
// and `make paper` reuses any run it would train the same way
// (tools/paper/run.c): chapter 4's early-stopping runs are the study's.
//
// Two runs are the same run when these are the same: the effective config
// (as config_print writes it: comments and key order do not count), the
// seed, the data (the images and labels of the three splits, each image's
// normalization, and the normalization's kind) and the code that trains. The
// code goes by an id that the caller gives (make's: a hash of the library
// and of the reference solutions that every such program links), or else by
// the program's own bytes, which no other program shares.
//
// In DIR, a run is three files: STEM.metrics.tsv (its epochs, train.h's
// columns), STEM.net (its TrainResult and its trained weights, exactly, for
// a chapter to take up where the training would have left it) and STEM.tsv
// (its result, values.tsv's form, for people and make paper), written last:
// its presence says the run is finished. STEM is NAME-seedS-HASH (NAME the
// experiment that trained it, HASH 16 hexadecimal digits); a run is found by
// its HASH alone, whatever the NAME. The store holds the runs of one code:
// make empties it when the code's id changes.
#ifndef WB_RUNSTORE_H
#define WB_RUNSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "dataset.h"
#include "error.h"
#include "net.h"
#include "train.h"

typedef struct {
    char dir[1024];
    uint64_t base;   // the hash of the code and the data, every run's starts from
} RunStore;

// A store in dir (made if missing) for runs on data, trained by code_id's
// code (NULL or "": this program's own bytes, /proc/self/exe, else argv0's,
// if not NULL).
int runstore_open(RunStore *st, const char *dir, const char *code_id, const char *argv0,
                  const Mnist *data, Error *err);

// A store in dir for the runs of one training alone: experiments_train keeps
// there the runs it finishes inside others when no store of the program's
// keeps them. Any files an earlier, interrupted training left in dir go
// first. Nothing in it outlives the training, so its hashes are of the
// config and the seed only, not of the code or the data.
int runstore_scratch(RunStore *st, const char *dir, Error *err);

// Deletes the store: every file in its folder, then the folder.
void runstore_remove(const RunStore *st);

// The hash of a run of cfg with seed on the store's data.
uint64_t runstore_key(const RunStore *st, const Config *cfg, uint64_t seed);

// A new run's stem, NAME-seedS-HASH, in buf (STEM_MAX bytes).
enum { RUNSTORE_STEM_MAX = 96 };
void runstore_stem(char *buf, const char *name, uint64_t seed, uint64_t key);

// The stem of the finished run with that hash, whatever its name, into buf
// (RUNSTORE_STEM_MAX bytes); 1 if there is one, 0 if not, -1 with err if the
// store cannot be read.
int runstore_find(char *buf, const RunStore *st, uint64_t key, Error *err);

// Keeps a finished run under stem: its metrics file (copied, unless it is
// already DIR/STEM.metrics.tsv), its result and net's weights, then its
// experiment, seed and result in STEM.tsv. train_split: when its metrics
// measured the whole training split (train.h). Two processes may keep the
// same run at once: each file is whole either way.
int runstore_put(const RunStore *st, const char *stem, const char *experiment, uint64_t seed,
                 const char *metrics_path, const TrainResult *res, const Net *net,
                 TrainSplitMetrics train_split, Error *err);

// The run kept under stem, taken up as if it had just been trained: its result
// into res, its weights into net (initialized, of the run's sizes), and its
// metrics file copied to metrics_path. 1 when done; 0 when the run cannot
// stand in, and nothing was changed: it is not there or not finished, it has
// no weights of net's size, or its metrics measured the training split at
// other epochs than train_split says (the files would differ); -1 with err
// if a file cannot be read or written.
int runstore_get(const RunStore *st, const char *stem, TrainResult *res, Net *net,
                 const char *metrics_path, TrainSplitMetrics train_split, Error *err);

#endif
