// report.c: steps 5 to 7 of chapter 4: ours beside the study's, the printed
// rule beside the usual one, and the figures (program.h).
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ch4.h"
#include "plot.h"
#include "program.h"

// ---------------------------------------------------------------------------
// Step 5: ours beside the study's

// values.tsv's numbers of experiment e: its first seed's run, and its seeds.
static void put_experiment(Program *p, int e) {
    Chapter *ch = &p->ch;
    const Experiment *x = &p->E.exp[e];
    const Summary *s = &p->E.sum[e];
    const Run *first = &p->E.runs[s->first];
    const TrainResult *r = &first->res;
    const char *k = x->key;
    chapter_put(ch, k, "test_acc", "%.2f", r->test_acc);
    chapter_put(ch, k, "epochs", "%d", r->epochs_run);
    chapter_put(ch, k, "kept", "%d", r->kept_epoch);
    chapter_put(ch, k, "best_val_loss", "%.4f", r->best_val_loss);
    chapter_put(ch, k, "wall_s", "%.0f", first->wall_s);
    chapter_put(ch, k, "epoch_s", "%.2f", first->wall_s / r->epochs_run);
    if (x->study && !isnan(x->study->acc)) {
        chapter_put(ch, k, "study_acc", "%.2f", x->study->acc);
        chapter_put(ch, k, "study_epochs", "%d", x->study->stop_epoch);
        chapter_put(ch, k, "gap", "%+.2f", r->test_acc - x->study->acc);
    }
    printf("      %-28s ours %.2f%% (%d epochs, kept %d)", x->label, r->test_acc, r->epochs_run,
           r->kept_epoch);
    if (x->study) printf(", the study %.2f%%", x->study->acc);
    if (s->n < 2) {
        printf("\n");
        return;
    }
    printf("; over %d seeds %.2f ± %.2f%%\n", s->n, s->acc.mean, s->acc.sd);
    chapter_put(ch, k, "seeds", "%d", s->n);
    summary_put(&ch->values, k, s, &(SummaryKeys){{"mean_acc", "sd_acc", "min_acc", "max_acc"},
                                                 {NULL, "min_epochs", "max_epochs"},
                                                 {NULL, "min_kept", "max_kept"}});
    if (x->study && !isnan(x->study->acc))
        chapter_put(ch, k, "mean_gap", "%+.2f", s->acc.mean - x->study->acc);
}

// A run without early stopping, read again: where its validation loss was
// lowest, and where early stopping (the patience of the experiment with early
// stopping and the same momentum) would have ended it. That experiment's run
// with the same seed is this one cut short: the library finishes it inside
// this one, and tests/lib/test_experiment.c holds it to the run trained
// alone.
static void long_run(Program *p, int e) {
    const Experiments *E = &p->E;
    const Config *c = &E->exp[e].cfg;
    const History *full = &E->hist[E->sum[e].first];
    int best = history_best_epoch(full), would = 0, cut = -1, patience = 3;
    for (int f = 0; f < E->n_exp; f++)
        if (E->exp[f].cfg.early_stop && E->exp[f].cfg.momentum == c->momentum &&
            !E->exp[f].own_rule)
            patience = E->exp[f].cfg.early_stop_epoch, cut = f;
    // should_stop reads the losses after epochs 1..k: from val_loss[1] on
    for (int k = 1; k <= full->epochs && !would; k++)
        if (should_stop(full->val_loss + 1, k, patience)) would = k;
    const char *key = E->exp[e].key;
    chapter_put(&p->ch, key, "low_epoch", "%d", best);
    chapter_put(&p->ch, key, "low_val_loss", "%.4f", full->val_loss[best]);
    chapter_put(&p->ch, key, "last_val_loss", "%.4f", full->val_loss[full->epochs]);
    chapter_put(&p->ch, key, "last_train_loss", "%.4f", full->train_loss[full->epochs]);
    chapter_put(&p->ch, key, "last_train_acc", "%.2f", full->train_acc[full->epochs]);
    chapter_put(&p->ch, key, "would_stop", "%d", would);
    p->low[e] = best, p->would[e] = would;
    if (cut >= 0 && experiments_not_apart(E, E->sum[cut].first))
        printf("      %s's run is %s's first %d epochs, finished inside it, not trained again\n",
               E->exp[cut].name, E->exp[e].name, E->hist[E->sum[cut].first].epochs);
}

// Which count the study's stopping epoch could be: ours as trained, and as
// kept (min to max over the seeds).
static const char *which_count(int study, const Summary *s) {
    bool trained = study >= s->stop.min && study <= s->stop.max;
    bool kept = study >= s->kept.min && study <= s->kept.max;
    if (trained && kept) return "both, so our runs cannot tell which the study counts";
    if (kept) return "the epochs kept only, so it may well count the epochs kept";
    if (trained) return "the epochs trained only, so it may well count the epochs trained";
    return "neither, so it is outside our range whichever it counts";
}

// The sentences of the chapter that say what the runs show, each held to the
// runs (chapter_claim): the seed-1 runs of the four experiments, and their seeds.
static void claims(Program *p) {
    const Experiments *E = &p->E;
    int plain = experiments_find(E, NAMES[0]), mom = experiments_find(E, NAMES[1]);
    int es = experiments_find(E, NAMES[2]), both = experiments_find(E, NAMES[3]);
    if (plain < 0 || mom < 0 || es < 0 || both < 0) return;
    Chapter *ch = &p->ch;
    const int four[] = {plain, mom, es, both};
    double gap[4], widest = 0;
    bool close = true;
    for (int i = 0; i < 4; i++) {
        const Experiment *x = &E->exp[four[i]];
        gap[i] = x->study ? fabs(E->runs[E->sum[four[i]].first].res.test_acc - x->study->acc) : NAN;
        close = close && gap[i] < 1.0;
        if (gap[i] > widest) widest = gap[i];
    }
    chapter_claim(ch, "claim_within_a_point", close);
    chapter_claim(ch, "claim_mom_gap_widest", gap[1] == widest);
    const History *hp = &E->hist[E->sum[plain].first], *hm = &E->hist[E->sum[mom].first];
    chapter_claim(ch, "claim_mom_trains_lower",
                  hm->train_loss[hm->epochs] < hp->train_loss[hp->epochs]);
    chapter_claim(ch, "claim_mom_low_sooner", p->low[mom] < p->low[plain]);
    chapter_claim(ch, "claim_mom_val_higher",
                  hm->val_loss[p->low[mom]] > hp->val_loss[p->low[plain]] &&
                      hm->val_loss[hm->epochs] > hp->val_loss[hp->epochs]);
    const TrainResult *rp = &E->runs[E->sum[plain].first].res, *re = &E->runs[E->sum[es].first].res;
    chapter_claim(ch, "claim_es_as_good", re->test_acc >= rp->test_acc);
    chapter_claim(ch, "claim_es_before_low", re->kept_epoch < p->low[plain]);
    const Summary *se = &E->sum[es], *sb = &E->sum[both];
    if (se->n < 2 || sb->n < 2 || !E->exp[es].study || !E->exp[both].study) return;
    int study_es = E->exp[es].study->stop_epoch;
    chapter_claim(ch, "claim_es_study_inside",
                  study_es >= se->stop.min && study_es <= se->stop.max);
    values_set(&ch->values, "both_study_counts", "%s",
               which_count(E->exp[both].study->stop_epoch, sb));
    chapter_claim(ch, "claim_mom_stops_sooner", sb->stop.mean < se->stop.mean);
    chapter_claim(ch, "claim_mom_costs", sb->acc.mean < se->acc.mean);
}

int compare(Program *p, Error *err) {
    Experiments *E = &p->E;
    double es_mean[2] = {NAN, NAN};  // the runs with early stopping, without and with momentum
    for (int e = 0; e < E->n_exp; e++) {
        if (E->exp[e].own_rule) continue;
        put_experiment(p, e);
        if (E->exp[e].cfg.early_stop && E->sum[e].n > 1)
            es_mean[E->exp[e].cfg.momentum] = E->sum[e].acc.mean;
    }
    if (!isnan(es_mean[0]) && !isnan(es_mean[1]))  // what momentum costs in accuracy
        values_set(&p->ch.values, "momentum_cost", "%.2f", es_mean[0] - es_mean[1]);
    if (experiments_read(E, err) != 0) return -1;
    for (int e = 0; e < E->n_exp; e++)
        if (!E->exp[e].cfg.early_stop && !E->exp[e].own_rule) long_run(p, e);
    claims(p);
    if (experiments_write_results(E, chapter_file(&p->ch, "results.tsv"), NULL, NULL, NULL,
                                  err) != 0)
        return -1;
    return experiments_write_seeds(E, chapter_file(&p->ch, "seeds.tsv"), err);
}

// ---------------------------------------------------------------------------
// Step 6: the printed rule, beside the usual one with the same seed

void printed_report(Program *p) {
    const Experiments *E = &p->E;
    const Run *r = &E->runs[E->sum[p->printed].first];
    const History *h = &E->hist[E->sum[p->printed].first], *u = &E->hist[E->sum[p->usual].first];
    int last = h->epochs;
    printf("      as printed, %d epochs: validation loss %.2f after epoch 1, %.2f after epoch "
           "%d;\n      test accuracy %.2f%% (the usual rule, same seed: validation loss %.4f "
           "after epoch %d)\n", r->res.epochs_run, h->val_loss[1], h->val_loss[last], last,
           r->res.test_acc, u->val_loss[last < u->epochs ? last : u->epochs], last);
    Values *v = &p->ch.values;
    values_set(v, "printed_epochs", "%d", r->res.epochs_run);
    values_set(v, "printed_test_acc", "%.2f", r->res.test_acc);
    values_set(v, "printed_val_loss1", "%.1f", h->val_loss[1]);
    values_set(v, "printed_val_loss_last", "%.1f", h->val_loss[last]);
    values_set(v, "printed_wall_s", "%.0f", r->wall_s);
    if (u->epochs >= last) values_set(v, "usual_val_loss_at_printed", "%.3f", u->val_loss[last]);
    // the errata's sentence: far (ten points) below what the study reports with momentum
    const StudyExperiment *mom = E->exp[p->usual].study;
    if (mom) chapter_claim(&p->ch, "claim_printed_fails", r->res.test_acc < mom->acc - 10);
    chapter_claim(&p->ch, "claim_printed_worse_than_guessing", h->val_loss[1] > 2 * log(10.0));
    chapter_claim(&p->ch, "claim_printed_mostly_wrong", r->res.test_acc < 50);
}

// ---------------------------------------------------------------------------
// Step 7: pictures

// Each experiment's curves, its first seed's. With early stopping: the epoch
// kept and the epoch it stopped after. Without: the lowest validation loss,
// and where the patience E would have stopped the run.
int draw_figures(Program *p, Error *err) {
    const Experiments *E = &p->E;
    const Options *o = &p->ch.opt;
    char vars[1024], name[96], marks[256], what[128];
    int rc = 0;
    for (int e = 0; e < E->n_exp && rc == 0; e++) {
        const Experiment *x = &E->exp[e];
        const TrainResult *r = &E->runs[E->sum[e].first].res;
        const Config *c = &x->cfg;
        if (x->own_rule) continue;
        if (c->early_stop)
            snprintf(marks, sizeof marks, "mark1=%d; label1='kept: epoch %d'; mark2=%d; "
                     "label2='stopped after epoch %d'", r->kept_epoch, r->kept_epoch,
                     r->stopped_early ? r->epochs_run : 0, r->epochs_run);
        else
            snprintf(marks, sizeof marks, "mark1=%d; label1='lowest validation loss: epoch %d'; "
                     "mark2=%d; label2='early stopping would stop after epoch %d'", p->low[e],
                     p->low[e], p->would[e], p->would[e]);
        what[0] = '\0';
        if (c->momentum) snprintf(what, sizeof what, ", momentum %g", c->momentum_gamma);
        if (c->early_stop) snprintf(what + strlen(what), sizeof what - strlen(what),
                                    ", early stopping (E = %d)", c->early_stop_epoch);
        snprintf(vars, sizeof vars, "tsv='%s'; %s; title='%s: rate %g, batch %d%s (seed %llu)'",
                 E->runs[E->sum[e].first].file, marks, x->label, c->learning_rate, c->batch_size,
                 what, (unsigned long long)E->seed);
        snprintf(name, sizeof name, "curves-%s", x->name);
        rc = plot_render_with(o->figures_dir, "ch4-curves", name, o->out_dir, vars, err);
    }
    if (rc == 0 && p->printed >= 0) {  // the printed rule beside the usual one
        const Experiment *u = &E->exp[p->usual];
        const Run *pr = &E->runs[E->sum[p->printed].first];
        snprintf(vars, sizeof vars, "printed='%s'; usual='%s'; epochs=%d; title='Momentum as the "
                 "study''s Algorithm 2 prints it, and the usual rule: rate %g, gamma %g (seed "
                 "%llu)'",
                 pr->file, E->runs[E->sum[p->usual].first].file, pr->res.epochs_run,
                 u->cfg.learning_rate, u->cfg.momentum_gamma, (unsigned long long)E->seed);
        rc = plot_render_with(o->figures_dir, "ch4-printed", "printed", o->out_dir, vars, err);
    }
    if (rc == 0) printf("      %s/curves-*.svg%s (and .pdf)\n", o->out_dir,
                        p->printed >= 0 ? ", printed.svg" : "");
    return rc;
}
