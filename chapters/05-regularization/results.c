// results.c: step 6 of chapter 5, the results over the seeds (program.h).
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "program.h"

// Experiment a's accuracy less b's, seed by seed (the same seed, the same
// initial weights and batch order): most of the luck of a seed cancels.
// wins: how many seeds a is ahead with.
static Stats paired(const Experiments *E, int a, int b, int *wins) {
    double d[EXPERIMENT_MAX_SEEDS];
    int n = E->sum[a].n, ahead = 0;
    for (int s = 0; s < n; s++) {
        d[s] = run_of(E, a, s)->res.test_acc - run_of(E, b, s)->res.test_acc;
        ahead += d[s] > 0;
    }
    if (wins) *wins = ahead;
    return stats_of(d, n);
}

// Where experiment e's validation accuracy levels off: the epoch at which
// its mean over the seeds (the curve of figures/ch5-compare.gp) is highest.
static int level_epoch(const Experiments *E, int e) {
    int level = 1;
    double top = -INFINITY;
    for (int ep = 1, more = 1; more; ep++) {
        double sum = 0;
        int n = 0;
        for (int s = 0; s < E->sum[e].n; s++)
            if (ep <= hist_of(E, e, s)->epochs) sum += hist_of(E, e, s)->val_acc[ep], n++;
        if (n && sum / n > top) top = sum / n, level = ep;
        more = n > 0;
    }
    return level;
}

// How experiment e converged, over its seeds, into p->conv[e] and values.tsv.
void converge(Program *p, int e) {
    const Experiments *E = &p->E;
    Convergence *cv = &p->conv[e];
    int S = E->sum[e].n;
    double be[EXPERIMENT_MAX_SEEDS], v1[EXPERIMENT_MAX_SEEDS], tl[EXPERIMENT_MAX_SEEDS],
        vl[EXPERIMENT_MAX_SEEDS], ta[EXPERIMENT_MAX_SEEDS], va[EXPERIMENT_MAX_SEEDS];
    char stopped[380] = "";
    for (int s = 0; s < S; s++) {
        const History *h = hist_of(E, e, s);
        be[s] = history_best_epoch(h), v1[s] = h->epochs >= 1 ? h->val_acc[1] : NAN;
        tl[s] = h->train_loss[h->epochs], vl[s] = h->val_loss[h->epochs];
        ta[s] = h->train_acc[h->epochs], va[s] = h->val_acc[h->epochs];
        int stop = patience_stop(h);
        if (!stop) continue;
        size_t len = strlen(stopped);
        snprintf(stopped + len, sizeof stopped - len, "%s%d", len ? ", " : "", stop);
        cv->stops++;
    }
    cv->val1 = stats_of(v1, S).mean, cv->best = stats_of(be, S).mean;
    cv->train_loss = stats_of(tl, S), cv->val_loss = stats_of(vl, S);
    cv->train_acc = stats_of(ta, S), cv->val_acc = stats_of(va, S);
    if (cv->stops == 0)
        snprintf(cv->when, sizeof cv->when, "never, in %d epochs", E->exp[e].cfg.epochs);
    else if (S == 1) snprintf(cv->when, sizeof cv->when, "epoch %s", stopped);
    else snprintf(cv->when, sizeof cv->when, "%d of %d seeds: epoch%s %s", cv->stops, S,
                  cv->stops > 1 ? "s" : "", stopped);
    const char *k = E->exp[e].key;
    if (S > 1 && p->control >= 0 && e != p->control) {
        cv->vs_none = paired(E, e, p->control, NULL);
        chapter_put(&p->ch, k, "vs_none", "%+.2f", cv->vs_none.mean);
        chapter_put(&p->ch, k, "vs_none_sd", "%.2f", cv->vs_none.sd);
    } else {
        cv->vs_none.mean = cv->vs_none.sd = NAN;
    }
    chapter_put(&p->ch, k, "mean", "%.2f", E->sum[e].acc.mean);
    chapter_put(&p->ch, k, "best_epoch", "%.1f", cv->best);
    chapter_put(&p->ch, k, "stops", "%d", cv->stops);
    chapter_put(&p->ch, k, "train_loss", "%.4f", cv->train_loss.mean);
    chapter_put(&p->ch, k, "val_loss", "%.4f", cv->val_loss.mean);
    chapter_put(&p->ch, k, "train_acc", "%.1f", cv->train_acc.mean);
    chapter_put(&p->ch, k, "val_acc", "%.1f", cv->val_acc.mean);
    cv->level = level_epoch(E, e);
    chapter_put(&p->ch, k, "level_epoch", "%d", cv->level);
    printf("      %-14s %.2f%% with seed %llu, %.2f ± %.2f%% over %d; a patience of %d stops: "
           "%s\n",
           E->exp[e].label, run_of(E, e, 0)->res.test_acc, (unsigned long long)E->seed,
           E->sum[e].acc.mean, E->sum[e].acc.sd, S, PATIENCE, cv->when);
}

// The chapter's sentences about these runs, each held to them (chapter_claim):
// the strong L1 penalty stands apart, the seeds tell the other settings
// neither from each other nor from no penalty, and the study's conclusions
// do not hold. big_minus_small: for L1 and L2, the larger lambda against the
// smaller, seed by seed; first_tie: the study's most accurate run is not
// ahead of the next by more than the seeds spread.
static void sentences(Program *p, const Stats big_minus_small[2], bool first_tie) {
    const Experiments *E = &p->E;
    const Convergence *c = p->conv;
    int l1b = experiments_find(E, STUDY[0].name), l1s = experiments_find(E, STUDY[1].name);
    int l2b = experiments_find(E, STUDY[2].name), l2s = experiments_find(E, STUDY[3].name);
    int none = p->control;
    if (l1b < 0 || l1s < 0 || l2b < 0 || l2s < 0 || none < 0 || E->sum[none].n < 2) return;
    Chapter *ch = &p->ch;
    const int rest[] = {l1s, l2b, l2s, none};   // the settings other than strong L1
    double closest = INFINITY, farthest = -INFINITY, nearest_vs = 0, narrowest = INFINITY;
    int level_min = INT_MAX;
    for (int i = 0; i < 4; i++) {
        const Stats *a = &E->sum[rest[i]].acc;
        closest = fmin(closest, a->mean), farthest = fmax(farthest, a->mean);
        narrowest = fmin(narrowest, a->max - a->min);
        if (rest[i] != none) nearest_vs = fmax(nearest_vs, fabs(c[rest[i]].vs_none.mean));
        if (c[rest[i]].level < level_min) level_min = c[rest[i]].level;
    }
    double l1_vs = fabs(c[l1b].vs_none.mean);
    chapter_claim(ch, "claim_l1_apart", l1_vs > c[l1b].vs_none.sd && l1_vs > 2 * nearest_vs);
    chapter_claim(ch, "claim_seeds_wider", narrowest > farthest - closest);
    const StudyExperiment *from = study_find("momentum-early-stop");
    bool near = true;
    for (int e = 0; e < E->n_exp; e++) near = near && fabs(E->sum[e].acc.mean - from->acc) < 1.0;
    chapter_claim(ch, "claim_near_study", near);
    chapter_claim(ch, "claim_l1_levels_off", c[l1b].level < level_min &&
                                                 level_min >= E->exp[none].cfg.epochs - 2);
    double gap_none = c[none].train_acc.mean - c[none].val_acc.mean;
    chapter_claim(ch, "claim_overfits", gap_none > 0);
    chapter_claim(ch, "claim_l1_holds_back",
                  c[l1b].train_acc.mean - c[l1b].val_acc.mean < gap_none &&
                      c[l1b].train_loss.mean > c[none].train_loss.mean);
    bool sooner = c[l1b].best < c[l1s].best, worse = big_minus_small[0].mean < 0;
    bool l2_tie = fabs(big_minus_small[1].mean) < big_minus_small[1].sd;
    chapter_claim(ch, "claim_l1_sooner", sooner);
    chapter_claim(ch, "claim_l1_less_accurate", worse);
    chapter_claim(ch, "claim_l2_tie", l2_tie);
    chapter_claim(ch, "claim_l2_lower_loss", c[l2b].val_loss.mean < c[none].val_loss.mean);
    chapter_claim(ch, "claim_l2_small_none", fabs(c[l2s].vs_none.mean) < c[l2s].vs_none.sd);
    chapter_claim(ch, "claim_neither", sooner && worse && l2_tie && first_tie);
}

// The study's claims, in numbers: for each penalty, the larger lambda against
// the smaller, seed by seed; and which of its four runs is the most accurate;
// then the chapter's sentences.
void claims(Program *p) {
    const Experiments *E = &p->E;
    Stats big_minus_small[2] = {{NAN, NAN, NAN, NAN}, {NAN, NAN, NAN, NAN}};
    for (int k = 0; k < 2; k++) {
        int big = experiments_find(E, STUDY[2 * k].name);
        int small = experiments_find(E, STUDY[2 * k + 1].name), wins;
        if (big < 0 || small < 0) continue;
        Stats d = big_minus_small[k] = paired(E, big, small, &wins);
        const char *key = k ? "l2" : "l1";
        chapter_put(&p->ch, key, "big_minus_small", "%+.2f", d.mean);
        chapter_put(&p->ch, key, "big_minus_small_sd", "%.2f", d.sd);
        chapter_put(&p->ch, key, "big_wins", "%d", wins);
    }
    int order[N_STUDY], n = 0;
    for (int i = 0; i < N_STUDY; i++)
        if ((order[n] = experiments_find(E, STUDY[i].name)) >= 0) n++;
    if (n < 2) return;
    for (int i = 0; i < n; i++)  // by mean accuracy, highest first
        for (int k = i + 1; k < n; k++)
            if (E->sum[order[k]].acc.mean > E->sum[order[i]].acc.mean) {
                int t = order[i];
                order[i] = order[k], order[k] = t;
            }
    int wins;
    Stats d = paired(E, order[0], order[1], &wins);
    printf("      the most accurate of the study's four: %s, then %s (%+.2f ± %.2f points, ahead "
           "with %d of %d seeds)\n", E->exp[order[0]].label, E->exp[order[1]].label, d.mean,
           d.sd, wins, E->sum[order[0]].n);
    Values *v = &p->ch.values;
    values_set(v, "first_label", "%s", E->exp[order[0]].label);
    values_set(v, "second_label", "%s", E->exp[order[1]].label);
    values_set(v, "first_gap", "%.2f", d.mean);
    values_set(v, "first_gap_sd", "%.2f", d.sd);
    values_set(v, "first_wins", "%d", wins);
    chapter_claim(&p->ch, "claim_first_tie", fabs(d.mean) < d.sd);
    sentences(p, big_minus_small, fabs(d.mean) < d.sd);
}

// results.tsv's own columns: how each experiment converged, and its first
// seed's weights.
void more_columns(Tsv *t, const Experiments *E, int e, void *ctx) {
    const Program *p = ctx;
    const Convergence *cv = &p->conv[e];
    const WeightStats *w = &weights_of(E, e)->w;
    int last = w->n_layers - 1;
    const History *h = hist_of(E, e, 0);
    tsv_num(t, cv->vs_none.mean), tsv_num(t, cv->vs_none.sd), tsv_num(t, cv->val1);
    tsv_num(t, cv->best), tsv_text(t, cv->when), tsv_num(t, cv->train_loss.mean);
    tsv_num(t, cv->train_loss.sd), tsv_num(t, cv->val_loss.mean), tsv_num(t, cv->val_loss.sd);
    tsv_num(t, w->abs_mean[0]), tsv_num(t, w->small[0]), tsv_num(t, w->max_abs[0]);
    tsv_num(t, w->abs_mean[last]), tsv_num(t, w->max_abs[last]);
    tsv_num(t, weights_of(E, e)->penalty_end);
    tsv_num(t, E->exp[e].cfg.batch_size * h->train_loss[h->epochs]);
}
const char *const MORE_COLUMNS = "vs_none\tvs_none_sd\tval1\tbest_epoch\twould_stop\t"
    "train_loss\ttrain_loss_sd\tval_loss\tval_loss_sd\tw1_mean\tw1_zero\tw1_max\tw2_mean\t"
    "w2_max\tpenalty\tbatch_loss";
