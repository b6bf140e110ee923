// cli.c: parsing the shared command line (see cli.h).
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(const char *prog, const char *about) {
    printf("%s: %s\n\n"
           "usage: %s [--data DIR] [--out DIR] [--seed N] [--seeds N] [--limit N] [--max-epochs N]\n"
           "       %*s [--norm image|split] [--config FILE] [--figures DIR] [--fast]"
           " [--quiet]\n"
           "       %*s [--store DIR [--code ID]]\n\n"
           "  --data DIR      the four MNIST IDX files, raw or .gz (default data/mnist)\n"
           "  --out DIR       where this run writes its results (default build/runs/%s)\n"
           "  --seed N        seed of the split and of everything random (default 1)\n"
           "  --limit N       only the first N examples of each file, for a quick run\n"
           "  --norm image    z-score each image by its own mean and sd (the study; default)\n"
           "  --norm split    z-score each split by the statistics of all its pixels\n"
           "  --config FILE   an experiment config (YAML, the study's keys)\n"
           "  --seeds N       run each experiment with N seeds, from --seed on (default 1)\n"
           "  --max-epochs N  at most N epochs per run, whatever the config says\n"
           "  --figures DIR   the gnuplot scripts (default figures)\n"
           "  --fast          train on the library's fast path, not on the exercises'\n"
           "                  functions: for runs on the reference solutions\n"
           "  --quiet         no progress lines and no text plots\n"
           "  --store DIR     keep each run on the fast path in DIR (for make paper and the\n"
           "                  other chapters), and take up a run kept there instead of\n"
           "                  training it again\n"
           "  --code ID       names the training code in those runs' hashes (make's: a hash\n"
           "                  of the library and the solutions; default: this program)\n",
           prog, about, prog, (int)strlen(prog), "", (int)strlen(prog), "", prog);
}

int cli_number(uint64_t *out, const char *opt, const char *s, uint64_t lo, uint64_t hi,
               Error *err) {
    char *end = NULL;
    errno = 0;
    unsigned long long v = s ? strtoull(s, &end, 10) : 0;
    if (!s || !isdigit((unsigned char)*s) || *end != '\0' || errno == ERANGE || v < lo || v > hi)
        return error_set(err, "%s: expected a whole number from %llu to %llu, got %s%s%s", opt,
                         (unsigned long long)lo, (unsigned long long)hi, s ? "'" : "",
                         s ? s : "nothing", s ? "'" : "");
    *out = v;
    return 0;
}

int cli_count(int *out, const char *opt, const char *s, int lo, int hi, Error *err) {
    uint64_t v;
    if (cli_number(&v, opt, s, (uint64_t)lo, (uint64_t)hi, err) != 0) return -1;
    *out = (int)v;
    return 0;
}

int cli_parse(Options *o, int argc, char **argv, const char *prog, const char *about,
              Error *err) {
    static char default_out[256];
    snprintf(default_out, sizeof default_out, "build/runs/%s", prog);
    *o = (Options){.prog = prog, .data_dir = "data/mnist", .out_dir = default_out,
                   .figures_dir = "figures", .seed = 1, .norm = NORM_PER_IMAGE,
                   .seeds = 1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(prog, about);
            o->help = true;
            return 0;
        }
        if (strcmp(a, "--quiet") == 0) {
            o->quiet = true;
            continue;
        }
        if (strcmp(a, "--fast") == 0) {
            o->fast = true;
            continue;
        }
        static const char *const with_value[] = {"--data", "--out", "--figures", "--config",
                                                 "--seed", "--limit", "--norm", "--seeds",
                                                 "--max-epochs", "--store", "--code"};
        int k = -1;
        for (int j = 0; j < 11; j++) if (strcmp(a, with_value[j]) == 0) k = j;
        if (k < 0)
            return error_set(err, "unknown option '%s' (%s --help lists the options)", a, prog);
        if (i + 1 >= argc || argv[i + 1][0] == '\0')
            return error_set(err, "%s needs a value (%s --help lists the options)", a, prog);
        const char *v = argv[++i];
        switch (k) {
        case 0: o->data_dir = v; break;
        case 1: o->out_dir = v; break;
        case 2: o->figures_dir = v; break;
        case 3: o->config = v; break;
        case 4:
            if (cli_number(&o->seed, a, v, 0, UINT64_MAX, err) != 0) return -1;
            o->seed_given = true;
            break;
        case 5:
            if (cli_count(&o->limit, a, v, 0, 100000000, err) != 0) return -1;
            break;
        case 6:
            if (strcmp(v, "image") == 0) o->norm = NORM_PER_IMAGE;
            else if (strcmp(v, "split") == 0) o->norm = NORM_PER_SPLIT;
            else return error_set(err, "--norm: expected 'image' or 'split', got '%s'", v);
            break;
        case 7:
            if (cli_count(&o->seeds, a, v, 1, 100, err) != 0) return -1;
            o->seeds_given = true;
            break;
        case 8:
            if (cli_count(&o->max_epochs, a, v, 1, 100000, err) != 0) return -1;
            break;
        case 9: o->store_dir = v; break;
        case 10: o->code_id = v; break;
        }
    }
    if (o->store_dir && !o->fast)
        return error_set(err, "--store keeps the runs of the fast path: it needs --fast");
    if (o->code_id && !o->store_dir)
        return error_set(err, "--code names the code of the runs --store keeps: it needs --store");
    return 0;
}

void cli_take_config_seed(Options *o, uint64_t config_seed) {
    if (!o->seed_given) o->seed = config_seed;
}

DataOptions cli_data_options(const Options *o) {
    return (DataOptions){.dir = o->data_dir, .seed = o->seed, .val_fraction = 0.2,
                         .limit = o->limit, .norm = o->norm};
}
