// config.h: reading an experiment's config, a small YAML file.
//
// The keys are the study's own, so that a course's existing configs still
// work. A key that is missing takes the default in brackets, which is the
// study's chapter-4 network (a 784-128-10 tanh network trained with SGD):
//
//   layer_specs       [784, 128, 10]  layer sizes, input first: 784 pixels in,
//                                     10 digits out, 2 to 8 layers, each at most 4096
//   activation        tanh            of the hidden layers: tanh, sigmoid or ReLU
//                                     (any case: relu, RELU)
//   learning_rate     0.001           above 0
//   batch_size        128             1 to 60000 (MNIST's training images)
//   epochs            100             1 to 10000
//   early_stop        false           stop when the validation loss stops improving
//   early_stop_epoch  3               the patience: 1 to 10000 epochs
//   L1_penalty        0               0 or more
//   L2_penalty        0               0 or more
//   momentum          false
//   momentum_gamma    0.9             from 0 up to, not including, 1
//
// and one key that is the workbook's, not the study's:
//
//   seed              1               0 to 18446744073709551615; the same seed
//                                     gives the same run
//
// Booleans are true/false or yes/no, in lower case, Capitalized or UPPER case
// (the study's Python configs wrote `True`). Numbers are plain decimals such as
// 128, 0.001 or 1e-4; a quoted "0.001" is a string, not a number.
//
// Everything else is refused with one message of the form
// "path:LINE:COL: key: reason", e.g.
//   chapters/04-momentum/momentum.yaml:5:16: learning_rate: must be a positive number, got -0.1
// That covers: a top level that is not one mapping, an unknown key (with the
// nearest known key when it is a near-miss), a key given twice, a value of the
// wrong type or out of range, anchors, aliases and tags, more than one
// document, YAML syntax errors and files over 1 MiB. A file that is not valid
// YAML is reported as a syntax error before any key or value is looked at.
#ifndef WB_CONFIG_H
#define WB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

// ACT_NONE: the study's `activation: None`, a network without hidden layers
// (softmax regression), where no activation is ever used.
typedef enum { ACT_TANH, ACT_SIGMOID, ACT_RELU, ACT_NONE } Activation;

enum {
    CONFIG_MAX_LAYERS = 8,          // input, hidden layers and output together
    CONFIG_MAX_WIDTH = 4096,        // neurons in one layer
    CONFIG_MAX_BYTES = 1 << 20,     // a config is a few lines; this bounds the reader
};

typedef struct {
    int layer_specs[CONFIG_MAX_LAYERS];  // the first n_layers are used
    int n_layers;
    Activation activation;
    double learning_rate;
    int batch_size;
    int epochs;
    bool early_stop;
    int early_stop_epoch;  // the patience E
    double L1_penalty, L2_penalty;
    bool momentum;
    double momentum_gamma;
    uint64_t seed;  // the workbook's key, not the study's
} Config;

// Fills c with the defaults above.
void config_defaults(Config *c);

// Reads the YAML file at `path` over the defaults. On failure returns -1, err
// names the file, line, column, key and reason, and *c is left as it was.
int config_load(Config *c, const char *path, Error *err);

// The same from `len` bytes of text in memory; `name` stands for the file in
// messages. Used by the tests and the fuzzer.
int config_parse(Config *c, const char *text, size_t len, const char *name, Error *err);

// "tanh", "sigmoid", "ReLU" or "None", as the study writes them.
const char *activation_name(Activation a);

// Writes the effective config as YAML, one key per line, in the order above;
// config_parse reads it back to the same Config.
void config_print(FILE *f, const Config *c);

#endif
