// fuzz_config.c: the config reader (lib/config.c) on any bytes, from memory.
//
// Besides "no crash, no leak, no undefined behaviour", config.h's promises:
//   - refused: *c is left exactly as it was, and the message is one line of
//     printable text (a hostile file cannot garble the terminal) that starts
//     with the file's name;
//   - accepted: every field is in its documented range, and config_print
//     writes YAML that config_parse reads back to the same Config.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

static const char NAME[] = "fuzz.yaml";

static void check_ranges(const Config *c) {
    if (c->n_layers < 2 || c->n_layers > CONFIG_MAX_LAYERS) fuzz_fail("accepted %d layers", c->n_layers);
    if (c->layer_specs[0] != 784 || c->layer_specs[c->n_layers - 1] != 10)
        fuzz_fail("accepted layers %d ... %d", c->layer_specs[0], c->layer_specs[c->n_layers - 1]);
    for (int i = 0; i < c->n_layers; i++)
        if (c->layer_specs[i] < 1 || c->layer_specs[i] > CONFIG_MAX_WIDTH)
            fuzz_fail("accepted a layer of %d", c->layer_specs[i]);
    if (c->activation != ACT_TANH && c->activation != ACT_SIGMOID && c->activation != ACT_RELU)
        fuzz_fail("accepted activation %d", (int)c->activation);
    if (!(c->learning_rate > 0) || !isfinite(c->learning_rate))
        fuzz_fail("accepted learning_rate %g", c->learning_rate);
    if (c->batch_size < 1 || c->batch_size > 60000) fuzz_fail("accepted batch_size %d", c->batch_size);
    if (c->epochs < 1 || c->epochs > 10000) fuzz_fail("accepted epochs %d", c->epochs);
    if (c->early_stop_epoch < 1 || c->early_stop_epoch > 10000)
        fuzz_fail("accepted early_stop_epoch %d", c->early_stop_epoch);
    if (!(c->L1_penalty >= 0) || !isfinite(c->L1_penalty)) fuzz_fail("accepted L1_penalty %g", c->L1_penalty);
    if (!(c->L2_penalty >= 0) || !isfinite(c->L2_penalty)) fuzz_fail("accepted L2_penalty %g", c->L2_penalty);
    if (!(c->momentum_gamma >= 0 && c->momentum_gamma < 1))
        fuzz_fail("accepted momentum_gamma %g", c->momentum_gamma);
}

// Field by field (the struct's padding is not the reader's business); the
// doubles by their bits, so that -0 and 0 count as different.
static int same(const Config *a, const Config *b) {
    if (a->n_layers != b->n_layers) return 0;
    for (int i = 0; i < a->n_layers; i++)
        if (a->layer_specs[i] != b->layer_specs[i]) return 0;
    const double da[] = {a->learning_rate, a->L1_penalty, a->L2_penalty, a->momentum_gamma};
    const double db[] = {b->learning_rate, b->L1_penalty, b->L2_penalty, b->momentum_gamma};
    return a->activation == b->activation && memcmp(da, db, sizeof da) == 0 &&
           a->batch_size == b->batch_size && a->epochs == b->epochs &&
           a->early_stop == b->early_stop && a->early_stop_epoch == b->early_stop_epoch &&
           a->momentum == b->momentum && a->seed == b->seed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Config c, before;
    memset(&c, 0xA5, sizeof c);  // not a config: any write to it shows
    before = c;
    Error err = {{0}};
    if (config_parse(&c, (const char *)data, size, NAME, &err) != 0) {
        if (memcmp(&c, &before, sizeof c) != 0) fuzz_fail("refused, but *c was changed: %s", err.msg);
        size_t len = strnlen(err.msg, sizeof err.msg);
        if (len == 0 || len == sizeof err.msg) fuzz_fail("refused with no message");
        if (strncmp(err.msg, NAME, strlen(NAME)) != 0) fuzz_fail("the message does not start with the name: %s", err.msg);
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)err.msg[i] < 0x20 || err.msg[i] == 0x7f)
                fuzz_fail("the message holds control character 0x%02x at %zu: %s",
                          (unsigned char)err.msg[i], i, err.msg);
        return 0;
    }
    check_ranges(&c);

    char *text = NULL;
    size_t text_len = 0;
    FILE *f = open_memstream(&text, &text_len);
    if (!f) fuzz_fail("open_memstream failed");
    config_print(f, &c);
    fclose(f);
    Config again;
    config_defaults(&again);
    Error err2 = {{0}};
    if (config_parse(&again, text, text_len, "printed", &err2) != 0)
        fuzz_fail("config_print wrote what config_parse refuses: %s\n%s", err2.msg, text);
    if (!same(&c, &again)) fuzz_fail("config_print and config_parse do not round-trip:\n%s", text);
    free(text);
    return 0;
}
