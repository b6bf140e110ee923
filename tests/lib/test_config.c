// test_config.c: the config reader takes what the study's configs hold and
// refuses everything else with the file, line, column, key and reason.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "suites.h"

static Config cfg;
static Error err;

// Parses text as the file "test.yaml" over a config of defaults.
static int parse(const char *text) {
    config_defaults(&cfg);
    memset(&err, 0, sizeof err);
    return config_parse(&cfg, text, strlen(text), "test.yaml", &err);
}

#define ck_accepted(text) ck_assert_msg(parse(text) == 0, "refused: %s", err.msg)

// The text is refused, and the one message holds every one of the words.
#define ck_refused(text, ...)                                                              \
    do {                                                                                   \
        ck_assert_msg(parse(text) == -1, "accepted: %s", text);                            \
        const char *words_[] = {__VA_ARGS__};                                              \
        for (size_t w_ = 0; w_ < sizeof words_ / sizeof words_[0]; w_++)                   \
            ck_assert_msg(strstr(err.msg, words_[w_]), "message \"%s\" lacks \"%s\"", err.msg, \
                          words_[w_]);                                                     \
    } while (0)

static int same_config(const Config *a, const Config *b) {
    if (a->n_layers != b->n_layers) return 0;
    for (int i = 0; i < a->n_layers; i++)
        if (a->layer_specs[i] != b->layer_specs[i]) return 0;
    return a->activation == b->activation && a->learning_rate == b->learning_rate &&
           a->batch_size == b->batch_size && a->epochs == b->epochs &&
           a->early_stop == b->early_stop && a->early_stop_epoch == b->early_stop_epoch &&
           a->L1_penalty == b->L1_penalty && a->L2_penalty == b->L2_penalty &&
           a->momentum == b->momentum && a->momentum_gamma == b->momentum_gamma &&
           a->seed == b->seed;
}

// Writes len bytes to a new temporary file; path gets its name.
static void write_temp(char path[64], const char *text, size_t len) {
    snprintf(path, 64, "/tmp/wb-config-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_msg(fd >= 0, "mkstemp: %s", strerror(errno));
    FILE *f = fdopen(fd, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

// ---------------------------------------------------------------------------
// What is accepted

START_TEST(test_defaults) {
    Config c;
    config_defaults(&c);
    ck_assert_int_eq(c.n_layers, 3);
    ck_assert_int_eq(c.layer_specs[0], 784);
    ck_assert_int_eq(c.layer_specs[1], 128);
    ck_assert_int_eq(c.layer_specs[2], 10);
    ck_assert_int_eq(c.activation, ACT_TANH);
    ck_assert_double_eq(c.learning_rate, 0.001);
    ck_assert_int_eq(c.batch_size, 128);
    ck_assert_int_eq(c.epochs, 100);
    ck_assert(!c.early_stop);
    ck_assert_int_eq(c.early_stop_epoch, 3);
    ck_assert_double_eq(c.L1_penalty, 0);
    ck_assert_double_eq(c.L2_penalty, 0);
    ck_assert(!c.momentum);
    ck_assert_double_eq(c.momentum_gamma, 0.9);
    ck_assert_uint_eq(c.seed, 1);
}
END_TEST

START_TEST(test_empty_mapping_is_defaults) {
    Config d;
    config_defaults(&d);
    ck_accepted("{}\n");
    ck_assert(same_config(&cfg, &d));
    ck_accepted("# only some keys\nepochs: 7\n");
    ck_assert_int_eq(cfg.epochs, 7);
    ck_assert_int_eq(cfg.batch_size, 128);
}
END_TEST

START_TEST(test_full_config) {
    ck_accepted("layer_specs: [784, 256, 64, 10]\n"
                "activation: sigmoid\n"
                "learning_rate: 1e-4\n"
                "batch_size: 64\n"
                "epochs: 8\n"
                "early_stop: true\n"
                "early_stop_epoch: 5\n"
                "L1_penalty: 0.0001\n"
                "L2_penalty: 0.01\n"
                "momentum: yes\n"
                "momentum_gamma: 0.5\n"
                "seed: 42\n");
    ck_assert_int_eq(cfg.n_layers, 4);
    ck_assert_int_eq(cfg.layer_specs[1], 256);
    ck_assert_int_eq(cfg.layer_specs[2], 64);
    ck_assert_int_eq(cfg.layer_specs[3], 10);
    ck_assert_int_eq(cfg.activation, ACT_SIGMOID);
    ck_assert_double_eq(cfg.learning_rate, 1e-4);
    ck_assert_int_eq(cfg.batch_size, 64);
    ck_assert_int_eq(cfg.epochs, 8);
    ck_assert(cfg.early_stop);
    ck_assert_int_eq(cfg.early_stop_epoch, 5);
    ck_assert_double_eq(cfg.L1_penalty, 0.0001);
    ck_assert_double_eq(cfg.L2_penalty, 0.01);
    ck_assert(cfg.momentum);
    ck_assert_double_eq(cfg.momentum_gamma, 0.5);
    ck_assert_uint_eq(cfg.seed, 42);
}
END_TEST

START_TEST(test_study_style) {
    // As the study's Python wrote them: Capitalized booleans, a quoted name,
    // keys in any order, a block list.
    ck_accepted("# chapter 4: momentum and early stopping\n"
                "layer_specs:\n"
                "  - 784\n"
                "  - 128\n"
                "  - 10\n"
                "activation: \"tanh\"\n"
                "learning_rate: 0.001\n"
                "batch_size: 128\n"
                "epochs: 100\n"
                "early_stop: True\n"
                "early_stop_epoch: 3\n"
                "L2_penalty: 0\n"
                "L1_penalty: 0\n"
                "momentum: True\n"
                "momentum_gamma: 0.9\n");
    ck_assert_int_eq(cfg.n_layers, 3);
    ck_assert_int_eq(cfg.layer_specs[1], 128);
    ck_assert_int_eq(cfg.activation, ACT_TANH);
    ck_assert(cfg.early_stop);
    ck_assert(cfg.momentum);
    ck_assert_double_eq(cfg.momentum_gamma, 0.9);
}
END_TEST

START_TEST(test_booleans) {
    static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES"};
    static const char *const no[] = {"false", "False", "FALSE", "no", "No", "NO"};
    char text[64];
    for (int i = 0; i < 6; i++) {
        snprintf(text, sizeof text, "early_stop: %s\nmomentum: %s\n", yes[i], no[i]);
        ck_accepted(text);
        ck_assert(cfg.early_stop && !cfg.momentum);
        snprintf(text, sizeof text, "early_stop: %s\nmomentum: %s\n", no[i], yes[i]);
        ck_accepted(text);
        ck_assert(!cfg.early_stop && cfg.momentum);
    }
}
END_TEST

START_TEST(test_activations) {
    ck_accepted("activation: relu\n");
    ck_assert_int_eq(cfg.activation, ACT_RELU);
    ck_accepted("activation: RELU\n");
    ck_assert_int_eq(cfg.activation, ACT_RELU);
    ck_accepted("activation: 'ReLU'\n");
    ck_assert_int_eq(cfg.activation, ACT_RELU);
    ck_accepted("activation: Sigmoid\n");
    ck_assert_int_eq(cfg.activation, ACT_SIGMOID);
    ck_accepted("activation: TANH\n");
    ck_assert_int_eq(cfg.activation, ACT_TANH);
    ck_assert_str_eq(activation_name(ACT_TANH), "tanh");
    ck_assert_str_eq(activation_name(ACT_SIGMOID), "sigmoid");
    ck_assert_str_eq(activation_name(ACT_RELU), "ReLU");
    ck_refused("activation: softmax\n", "test.yaml:1:13:", "activation", "tanh, sigmoid or ReLU",
               "got softmax");
    ck_refused("activation: relu6\n", "activation", "got relu6");
    ck_refused("activation: [tanh]\n", "activation", "got a list");
}
END_TEST

// The study's softmax config says `activation: None`: no hidden layer, no
// activation. Python's None and YAML's nulls are accepted there, and refused
// where hidden layers need an activation (the defaults have one).
START_TEST(test_activation_none) {
    static const char *const nones[] = {"None", "none", "'None'", "null", "~", ""};
    char text[96];
    for (size_t i = 0; i < sizeof nones / sizeof nones[0]; i++) {
        snprintf(text, sizeof text, "layer_specs: [784, 10]\nactivation: %s\n", nones[i]);
        ck_accepted(text);
        ck_assert_int_eq(cfg.activation, ACT_NONE);
        ck_assert_int_eq(cfg.n_layers, 2);
    }
    ck_assert_str_eq(activation_name(ACT_NONE), "None");
    ck_refused("layer_specs: [784, 128, 10]\nactivation: None\n", "test.yaml:2:1:", "activation",
               "without hidden layers", "has 1");
    ck_refused("activation: None\n", "activation", "without hidden layers");
    ck_refused("activation: 'null'\n", "activation", "got the quoted string \"null\"");
    ck_accepted("activation: None\nlayer_specs: [784, 10]\n");
    ck_assert_int_eq(cfg.activation, ACT_NONE);
}
END_TEST

START_TEST(test_seed) {
    ck_accepted("seed: 0\n");
    ck_assert_uint_eq(cfg.seed, 0);
    ck_accepted("seed: 18446744073709551615\n");
    ck_assert(cfg.seed == UINT64_MAX);
    ck_refused("seed: -1\n", "test.yaml:1:7:", "seed", "whole number", "got -1");
    ck_refused("seed: 18446744073709551616\n", "seed", "whole number");
    ck_refused("seed: 1.5\n", "seed", "got 1.5");
}
END_TEST

START_TEST(test_print_round_trip) {
    ck_accepted("layer_specs: [784, 300, 100, 10]\nactivation: ReLU\nlearning_rate: 0.0001\n"
                "batch_size: 1\nepochs: 3\nearly_stop: yes\nearly_stop_epoch: 2\n"
                "L1_penalty: 1e-5\nL2_penalty: 0.1\nmomentum: true\nmomentum_gamma: 0.99\n"
                "seed: 18446744073709551615\n");
    Config before = cfg;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(f);
    config_print(f, &before);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_msg(strstr(text, "learning_rate: 0.0001\n"), "printed:\n%s", text);
    ck_assert_msg(strstr(text, "layer_specs: [784, 300, 100, 10]\n"), "printed:\n%s", text);
    ck_assert_msg(strstr(text, "activation: ReLU\n"), "printed:\n%s", text);
    ck_accepted(text);
    ck_assert(same_config(&cfg, &before));
    free(text);

    // The defaults print as the study writes them, and read back too.
    Config d;
    config_defaults(&d);
    f = open_memstream(&text, &len);
    config_print(f, &d);
    fclose(f);
    ck_assert_msg(strstr(text, "momentum_gamma: 0.9\n"), "printed:\n%s", text);
    ck_accepted(text);
    ck_assert(same_config(&cfg, &d));
    free(text);
}
END_TEST

START_TEST(test_one_explicit_document) {
    ck_accepted("---\nepochs: 5\n...\n");
    ck_assert_int_eq(cfg.epochs, 5);
    ck_accepted("%YAML 1.1\n---\nepochs: 6\n");
    ck_assert_int_eq(cfg.epochs, 6);
}
END_TEST

// ---------------------------------------------------------------------------
// Keys

START_TEST(test_unknown_key_near_miss) {
    ck_refused("epochs: 5\nlearning_rat: 0.1\n", "test.yaml:2:1:", "learning_rat", "unknown key",
               "did you mean learning_rate?");
    ck_refused("l1_penalty: 0\n", "l1_penalty", "unknown key", "did you mean L1_penalty?");
    ck_refused("early_stopping: true\n", "unknown key", "did you mean early_stop?");
    ck_refused("gamma: 0.5\n", "unknown key", "did you mean momentum_gamma?");
    ck_refused("epoch: 5\n", "did you mean epochs?");
    ck_refused("l2: 0.1\n", "did you mean L2_penalty?");
    ck_refused("lr: 0.1\n", "did you mean learning_rate?");
    ck_refused("patience: 3\n", "did you mean early_stop_epoch?");
}
END_TEST

START_TEST(test_unknown_key_far) {
    ck_refused("epochs: 5\nbatch_size: 3\ncolour: red\n", "test.yaml:3:1:", "colour", "unknown key",
               "the keys are layer_specs", "seed");
    ck_assert_ptr_null(strstr(err.msg, "did you mean"));
}
END_TEST

START_TEST(test_long_key_is_cut) {
    char text[600];
    memset(text, 'x', 500);
    strcpy(text + 500, ": 1\n");
    ck_refused(text, "test.yaml:1:1:", "unknown key", "...");
    ck_assert_uint_lt(strlen(err.msg), 300);
}
END_TEST

START_TEST(test_duplicate_key) {
    ck_refused("epochs: 5\nbatch_size: 3\nepochs: 6\n", "test.yaml:3:1:", "epochs", "twice",
               "first on line 1");
}
END_TEST

START_TEST(test_key_not_a_name) {
    ck_refused("epochs: 5\n? [a, b]\n: 1\n", "test.yaml:2:3:", "expected a key", "got a list");
    ck_refused("\"\": 5\n", "test.yaml:1:1:", "expected a key", "got the quoted string \"\"");
    ck_refused("? \n: 5\n", "test.yaml:", "expected a key", "got nothing");
}
END_TEST

// ---------------------------------------------------------------------------
// The shape of the file

START_TEST(test_top_not_a_mapping) {
    ck_refused("- 784\n- 10\n", "test.yaml:1:1:", "mapping", "got a list");
    ck_refused("hello\n", "test.yaml:1:1:", "mapping", "got hello");
    ck_refused("---\n", "test.yaml:", "mapping", "got nothing");
}
END_TEST

START_TEST(test_empty_file) {
    ck_refused("", "test.yaml:1:1:", "empty");
    ck_refused("# nothing but a comment\n\n", "test.yaml:", "empty");
    Error e = {{0}};
    ck_assert_int_eq(config_parse(&cfg, NULL, 0, "null.yaml", &e), -1);
    ck_assert_msg(strstr(e.msg, "null.yaml:1:1:") && strstr(e.msg, "empty"), "%s", e.msg);
}
END_TEST

START_TEST(test_multiple_documents) {
    ck_refused("epochs: 5\n---\nepochs: 6\n", "test.yaml:2:1:", "second", "document");
    ck_refused("epochs: 5\n...\n---\nepochs: 6\n", "test.yaml:3:1:", "second", "document");
}
END_TEST

START_TEST(test_anchors_aliases_tags) {
    ck_refused("learning_rate: &lr 0.01\nL2_penalty: *lr\n", "test.yaml:1:16:", "learning_rate",
               "anchor &lr", "not allowed");
    ck_refused("epochs: 5\nbatch_size: *size\n", "test.yaml:2:13:", "batch_size", "alias *size",
               "not allowed");
    ck_refused("epochs: !!int 5\n", "test.yaml:1:9:", "epochs", "tag", "not allowed");
    ck_refused("layer_specs: [784, !!int 128, 10]\n", "test.yaml:1:20:", "layer_specs", "tag");
    ck_refused("&top {epochs: 5}\n", "test.yaml:1:1:", "anchor &top");
    ck_refused("layer_specs: [784, *h, 10]\n", "test.yaml:1:20:", "layer_specs", "alias *h");
}
END_TEST

START_TEST(test_syntax_errors) {
    // The syntax error comes first, though "10 seed" reads as a bad layer size before it.
    ck_refused("epochs: 5\nlayer_specs: [784, 10\nseed: 3\n", "test.yaml:3:5:", "YAML syntax error",
               "did not find expected ',' or ']'", "flow sequence that starts at line 2, column 14");
    ck_refused("epochs: 0\nbatch_size: [1, 2\n", "test.yaml:3:1:", "YAML syntax error");
    ck_refused("epochs: 5\n  seed: 2\n", "test.yaml:2:7:", "YAML syntax error",
               "mapping values are not allowed");
    ck_refused("activation: \"tanh\n", "test.yaml:2:1:", "YAML syntax error", "end of stream");
    ck_refused("epochs: 5\n\tseed: 2\n", "test.yaml:2:1:", "YAML syntax error", "tab");
}
END_TEST

START_TEST(test_bad_bytes) {
    ck_refused("epochs: 5\nseed: \x01\n", "test.yaml:2:7:", "YAML syntax error", "control characters",
               "0x01");
    ck_refused("epochs: 5\nactivation: \xff\n", "test.yaml:2:13:", "YAML syntax error", "UTF-8");
    static const char nul[] = "epochs: 5\0\n";
    ck_assert_int_eq(config_parse(&cfg, nul, sizeof nul - 1, "nul.yaml", &err), -1);
    ck_assert_msg(strstr(err.msg, "nul.yaml:1:10:") && strstr(err.msg, "syntax"), "%s", err.msg);
}
END_TEST

// ---------------------------------------------------------------------------
// Values

START_TEST(test_learning_rate_range) {
    ck_refused("layer_specs: [784, 128, 10]\nactivation: tanh\nbatch_size: 128\nepochs: 100\n"
               "learning_rate: -0.1\n",
               "test.yaml:5:16:", "learning_rate", "positive");
    ck_assert_str_eq(err.msg, "test.yaml:5:16: learning_rate: must be a positive number, got -0.1");
    ck_refused("learning_rate: 0\n", "test.yaml:1:16:", "learning_rate", "positive", "got 0");
    ck_refused("learning_rate: -0.0\n", "learning_rate", "positive");
    ck_accepted("learning_rate: 1\n");
    ck_assert_double_eq(cfg.learning_rate, 1.0);
}
END_TEST

START_TEST(test_wrong_types) {
    ck_refused("learning_rate: [1, 2]\n", "test.yaml:1:16:", "learning_rate", "number", "got a list");
    ck_refused("epochs: {a: 1}\n", "test.yaml:1:9:", "epochs", "whole number", "got a mapping");
    ck_refused("epochs: 12.5\n", "epochs", "whole number", "got 12.5");
    ck_refused("epochs: 1e2\n", "epochs", "whole number", "got 1e2");
    ck_refused("early_stop: maybe\n", "test.yaml:1:13:", "early_stop", "true or false", "got maybe");
    ck_refused("momentum: 1\n", "momentum", "true or false", "got 1");
    ck_refused("momentum: on\n", "momentum", "true or false", "got on");
    ck_refused("momentum:\n  - true\n", "test.yaml:2:3:", "momentum", "true or false", "got a list");
}
END_TEST

START_TEST(test_quoted_numbers_are_strings) {
    ck_refused("learning_rate: \"0.001\"\n", "test.yaml:1:16:", "learning_rate", "number",
               "quoted string \"0.001\"");
    ck_refused("batch_size: '128'\n", "batch_size", "quoted string");
    ck_refused("early_stop: \"true\"\n", "early_stop", "true or false", "quoted string");
    ck_refused("epochs: |\n  5\n", "epochs", "block of text");
}
END_TEST

START_TEST(test_missing_values) {
    ck_refused("learning_rate:\nepochs: 5\n", "test.yaml:1:15:", "learning_rate", "got nothing");
    ck_refused("learning_rate: ~\n", "learning_rate", "got ~");
    ck_refused("momentum: null\n", "momentum", "got null");
    ck_refused("layer_specs:\n", "layer_specs", "must be a list", "got nothing");
}
END_TEST

START_TEST(test_trailing_junk) {
    static const char *const bad[] = {"0.01abc", "1e", "0x10", "1_000", "1.0.0", "--1", ".",
                                      "1e-3e2", "e5", "0.001 # fine", "1,5"};
    char text[64];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, "learning_rate: %s\n", bad[i]);
        if (strchr(bad[i], '#')) {
            ck_accepted(text);  // a comment is not junk
            continue;
        }
        ck_refused(text, "test.yaml:1:16:", "learning_rate", "positive number", "got ");
    }
    ck_refused("epochs: 10abc\n", "epochs", "whole number", "got 10abc");
    ck_refused("epochs: 0x10\n", "epochs", "whole number");
}
END_TEST

START_TEST(test_inf_nan) {
    static const char *const bad[] = {"inf", "nan", ".inf", "-.inf", ".NaN", "infinity", "INF", "NAN"};
    char text[64];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(text, sizeof text, "L2_penalty: %s\n", bad[i]);
        ck_refused(text, "test.yaml:1:13:", "L2_penalty", "number", bad[i]);
    }
}
END_TEST

START_TEST(test_overflow) {
    ck_refused("learning_rate: 1e999\n", "learning_rate", "got 1e999", "out of the range");
    ck_refused("learning_rate: 1e-400\n", "learning_rate", "out of the range");
    ck_refused("epochs: 99999999999999999999999\n", "epochs", "whole number");
    ck_refused("batch_size: 2147483648\n", "batch_size", "from 1 to 60000");
    ck_refused("epochs: 010\n", "epochs", "leading zeros");
}
END_TEST

START_TEST(test_integer_ranges) {
    ck_refused("batch_size: 0\n", "test.yaml:1:13:", "batch_size", "from 1 to 60000", "got 0");
    ck_refused("batch_size: 60001\n", "batch_size", "got 60001");
    ck_refused("epochs: 0\n", "epochs", "from 1 to 10000");
    ck_refused("epochs: -3\n", "epochs", "got -3");
    ck_refused("epochs: 10001\n", "epochs", "got 10001");
    ck_refused("early_stop_epoch: 0\n", "test.yaml:1:19:", "early_stop_epoch", "from 1 to 10000");
    ck_accepted("batch_size: 60000\nepochs: +1\nearly_stop_epoch: 10000\n");
    ck_assert_int_eq(cfg.batch_size, 60000);
    ck_assert_int_eq(cfg.epochs, 1);
    ck_assert_int_eq(cfg.early_stop_epoch, 10000);
}
END_TEST

START_TEST(test_penalties) {
    ck_refused("L1_penalty: -0.001\n", "test.yaml:1:13:", "L1_penalty", "0 or a positive", "got -0.001");
    ck_refused("epochs: 3\nL2_penalty: -1\n", "test.yaml:2:13:", "L2_penalty", "0 or a positive");
    ck_accepted("L1_penalty: 0\nL2_penalty: 0.0001\n");
    ck_assert_double_eq(cfg.L2_penalty, 0.0001);
}
END_TEST

START_TEST(test_momentum_gamma) {
    ck_refused("momentum_gamma: 1\n", "test.yaml:1:17:", "momentum_gamma", "not including, 1", "got 1");
    ck_refused("momentum_gamma: 1.0\n", "momentum_gamma", "got 1.0");
    ck_refused("momentum_gamma: -0.1\n", "momentum_gamma", "got -0.1");
    ck_accepted("momentum_gamma: 0\n");
    ck_assert_double_eq(cfg.momentum_gamma, 0);
    ck_accepted("momentum_gamma: 0.99\n");
    ck_assert_double_eq(cfg.momentum_gamma, 0.99);
}
END_TEST

// ---------------------------------------------------------------------------
// layer_specs

START_TEST(test_layers_ends) {
    ck_refused("layer_specs: [785, 128, 10]\n", "test.yaml:1:15:", "layer_specs", "first layer",
               "784", "got 785");
    ck_refused("epochs: 1\nlayer_specs: [784, 128, 9]\n", "test.yaml:2:25:", "layer_specs", "last layer",
               "10", "got 9");
    ck_accepted("layer_specs: [784, 10]\n");
    ck_assert_int_eq(cfg.n_layers, 2);
}
END_TEST

START_TEST(test_layers_count) {
    ck_refused("layer_specs: [784]\n", "test.yaml:1:14:", "layer_specs", "at least 2", "got 1");
    ck_refused("layer_specs: []\n", "test.yaml:1:14:", "layer_specs", "at least 2", "got 0");
    ck_refused("layer_specs: [784, 1, 2, 3, 4, 5, 6, 7, 10]\n", "test.yaml:1:41:", "layer_specs",
               "more than 8");
    ck_accepted("layer_specs: [784, 1, 2, 3, 4, 5, 6, 10]\n");
    ck_assert_int_eq(cfg.n_layers, 8);
    ck_assert_int_eq(cfg.layer_specs[7], 10);
}
END_TEST

START_TEST(test_layer_sizes) {
    ck_refused("layer_specs: [784, 0, 10]\n", "test.yaml:1:20:", "layer_specs", "from 1 to 4096",
               "got 0");
    ck_refused("layer_specs: [784, -5, 10]\n", "layer_specs", "got -5");
    ck_refused("layer_specs: [784, 5000, 10]\n", "layer_specs", "got 5000");
    ck_refused("layer_specs: [784, 12.5, 10]\n", "layer_specs", "got 12.5");
    ck_refused("layer_specs: [784, \"128\", 10]\n", "layer_specs", "quoted string");
    ck_refused("layer_specs: [784, [128], 10]\n", "test.yaml:1:20:", "layer_specs", "got a list");
    ck_refused("layer_specs:\n  - 784\n  - abc\n  - 10\n", "test.yaml:3:5:", "layer_specs", "got abc");
}
END_TEST

START_TEST(test_layers_not_a_list) {
    ck_refused("layer_specs: 784\n", "test.yaml:1:14:", "layer_specs", "must be a list", "got 784");
    ck_refused("layer_specs: {a: 1}\n", "layer_specs", "got a mapping");
    ck_refused("layer_specs: \"784, 128, 10\"\n", "layer_specs", "quoted string");
}
END_TEST

// ---------------------------------------------------------------------------
// Failure leaves the config alone; files

START_TEST(test_refused_leaves_config) {
    Config c;
    config_defaults(&c);
    c.epochs = 77;
    Config before = c;
    Error e = {{0}};
    const char *text = "epochs: 5\nlayer_specs: [784, 300, 10]\nbatch_size: 0\n";
    ck_assert_int_eq(config_parse(&c, text, strlen(text), "x.yaml", &e), -1);
    ck_assert(same_config(&c, &before));
}
END_TEST

START_TEST(test_parse_too_large) {
    size_t n = (size_t)CONFIG_MAX_BYTES + 1;
    char *big = malloc(n);
    ck_assert_ptr_nonnull(big);
    memset(big, ' ', n);
    Error e = {{0}};
    ck_assert_int_eq(config_parse(&cfg, big, n, "big.yaml", &e), -1);
    ck_assert_msg(strstr(e.msg, "big.yaml") && strstr(e.msg, "1 MiB"), "%s", e.msg);
    free(big);
}
END_TEST

START_TEST(test_load_file) {
    char path[64];
    const char *text = "epochs: 12\nactivation: ReLU\n";
    write_temp(path, text, strlen(text));
    Config c;
    Error e = {{0}};
    int rc = config_load(&c, path, &e);
    unlink(path);
    ck_assert_msg(rc == 0, "%s", e.msg);
    ck_assert_int_eq(c.epochs, 12);
    ck_assert_int_eq(c.activation, ACT_RELU);
    ck_assert_int_eq(c.batch_size, 128);  // the defaults come first
}
END_TEST

START_TEST(test_load_names_path) {
    char path[64], want[160];
    const char *text = "epochs: 12\nlearning_rate: -1\n";
    write_temp(path, text, strlen(text));
    Config c;
    Error e = {{0}};
    int rc = config_load(&c, path, &e);
    unlink(path);
    ck_assert_int_eq(rc, -1);
    snprintf(want, sizeof want, "%s:2:16: learning_rate: must be a positive number", path);
    ck_assert_msg(strstr(e.msg, want), "%s", e.msg);
}
END_TEST

START_TEST(test_load_missing_and_directory) {
    Config c;
    Error e = {{0}};
    ck_assert_int_eq(config_load(&c, "/nonexistent/wb/none.yaml", &e), -1);
    ck_assert_msg(strstr(e.msg, "/nonexistent/wb/none.yaml") && strstr(e.msg, strerror(ENOENT)),
                  "%s", e.msg);
    char dir[] = "/tmp/wb-config-dir-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    int rc = config_load(&c, dir, &e);
    rmdir(dir);
    ck_assert_int_eq(rc, -1);
    ck_assert_msg(strstr(e.msg, dir) && strstr(e.msg, strerror(EISDIR)), "%s", e.msg);
}
END_TEST

START_TEST(test_load_too_large) {
    size_t n = (size_t)CONFIG_MAX_BYTES + 1;
    char *big = malloc(n);
    ck_assert_ptr_nonnull(big);
    memset(big, '#', n);
    char path[64];
    write_temp(path, big, n);
    free(big);
    Config c;
    Error e = {{0}};
    int rc = config_load(&c, path, &e);
    unlink(path);
    ck_assert_int_eq(rc, -1);
    ck_assert_msg(strstr(e.msg, path) && strstr(e.msg, "1 MiB"), "%s", e.msg);
}
END_TEST

Suite *config_suite(void) {
    Suite *s = suite_create("config");
    TCase *ok = lib_tcase("accepted");
    tcase_add_test(ok, test_defaults);
    tcase_add_test(ok, test_empty_mapping_is_defaults);
    tcase_add_test(ok, test_full_config);
    tcase_add_test(ok, test_study_style);
    tcase_add_test(ok, test_booleans);
    tcase_add_test(ok, test_activations);
    tcase_add_test(ok, test_activation_none);
    tcase_add_test(ok, test_seed);
    tcase_add_test(ok, test_print_round_trip);
    tcase_add_test(ok, test_one_explicit_document);
    suite_add_tcase(s, ok);

    TCase *shape = lib_tcase("keys and shape");
    tcase_add_test(shape, test_unknown_key_near_miss);
    tcase_add_test(shape, test_unknown_key_far);
    tcase_add_test(shape, test_long_key_is_cut);
    tcase_add_test(shape, test_duplicate_key);
    tcase_add_test(shape, test_key_not_a_name);
    tcase_add_test(shape, test_top_not_a_mapping);
    tcase_add_test(shape, test_empty_file);
    tcase_add_test(shape, test_multiple_documents);
    tcase_add_test(shape, test_anchors_aliases_tags);
    tcase_add_test(shape, test_syntax_errors);
    tcase_add_test(shape, test_bad_bytes);
    suite_add_tcase(s, shape);

    TCase *values = lib_tcase("values");
    tcase_add_test(values, test_learning_rate_range);
    tcase_add_test(values, test_wrong_types);
    tcase_add_test(values, test_quoted_numbers_are_strings);
    tcase_add_test(values, test_missing_values);
    tcase_add_test(values, test_trailing_junk);
    tcase_add_test(values, test_inf_nan);
    tcase_add_test(values, test_overflow);
    tcase_add_test(values, test_integer_ranges);
    tcase_add_test(values, test_penalties);
    tcase_add_test(values, test_momentum_gamma);
    tcase_add_test(values, test_layers_ends);
    tcase_add_test(values, test_layers_count);
    tcase_add_test(values, test_layer_sizes);
    tcase_add_test(values, test_layers_not_a_list);
    suite_add_tcase(s, values);

    TCase *files = lib_tcase("files");
    tcase_add_test(files, test_refused_leaves_config);
    tcase_add_test(files, test_parse_too_large);
    tcase_add_test(files, test_load_file);
    tcase_add_test(files, test_load_names_path);
    tcase_add_test(files, test_load_missing_and_directory);
    tcase_add_test(files, test_load_too_large);
    suite_add_tcase(s, files);
    return s;
}
