// experiments.c: what `make paper` runs (see paper.h).
#include <stdio.h>

#include "paper.h"
#include "study.h"

// The workbook's own runs: each varies one of the study's experiments to test
// something the study says, or leaves unsaid (the errata appendix quotes them).
static const PaperExperiment VARIANTS[] = {
    {"per-split-z-score", "chapters/04-momentum/momentum-early-stop.yaml", NULL,
     "momentum and early stopping, per-split z-score",
     "the study's text z-scores each image by its own statistics; common practice "
     "z-scores all images of a split by the split's",
     NORM_PER_SPLIT, 0},
    {"loss-as-printed", "chapters/04-momentum/early-stop.yaml", NULL,
     "early stopping, rate 0.01",
     "the loss as printed sums over k twice, which multiplies the gradient by the "
     "number of classes: the same as ten times the study's learning rate",
     NORM_PER_IMAGE, 0.01},
    {"momentum-small-rate", "chapters/04-momentum/momentum-early-stop.yaml", NULL,
     "momentum and early stopping, rate 0.0001",
     "with a gradient summed over the batch, momentum's steps are B / (1 − γ) times the "
     "learning rate on the mean gradient; a rate ten times smaller, which the study "
     "tried only for ReLU",
     NORM_PER_IMAGE, 0.0001},
    {"no-penalty", "chapters/05-regularization/no-penalty.yaml", NULL,
     "momentum, 8 epochs, no penalty",
     "the study's section 5 gives no run without a penalty to compare its four with",
     NORM_PER_IMAGE, 0},
};

int paper_experiments(PaperExperiment *out, int *n, Error *err) {
    int nv = (int)(sizeof VARIANTS / sizeof VARIANTS[0]);
    if (STUDY_N_EXPERIMENTS + nv > PAPER_MAX_EXPERIMENTS)
        return error_set(err, "paper: %d experiments, more than PAPER_MAX_EXPERIMENTS (%d)",
                         STUDY_N_EXPERIMENTS + nv, PAPER_MAX_EXPERIMENTS);
    *n = 0;
    for (int i = 0; i < STUDY_N_EXPERIMENTS; i++) {
        const StudyExperiment *s = &STUDY_EXPERIMENTS[i];
        PaperExperiment e = {.config = s->config, .study = s->name, .what = s->what,
                             .norm = NORM_PER_IMAGE};
        snprintf(e.name, sizeof e.name, "%s", s->name);
        out[(*n)++] = e;
    }
    for (int i = 0; i < nv; i++) out[(*n)++] = VARIANTS[i];
    return 0;
}

int paper_config(Config *cfg, const PaperExperiment *e, Error *err) {
    config_defaults(cfg);
    if (config_load(cfg, e->config, err) != 0) return -1;
    if (e->rate > 0) cfg->learning_rate = e->rate;
    return 0;
}
