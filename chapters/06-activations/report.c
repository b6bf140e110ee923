// report.c: steps 6 and 7 of chapter 6, ours beside the study's and the
// figures (program.h).
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "plot.h"
#include "program.h"

// Where x lies against the range of a spread, in words for the book.
static const char *where(double x, Stats s) {
    return x < s.min ? "below" : x > s.max ? "above" : "inside";
}

// values.tsv's numbers of experiment e, over its seeds, and beside the study's.
// Returns how many of its net inputs were exactly 0, over its seeds.
static long long put_experiment(Program *p, int e) {
    const Experiments *E = &p->E;
    const Experiment *x = &E->exp[e];
    const Summary *s = &E->sum[e];
    const TrainResult *t = &E->runs[s->first].res;
    const Hidden *h = experiments_out(E, s->first);
    long long preacts = 0, zeros = 0;
    for (int r = 0; r < E->n_runs; r++)
        if (E->runs[r].exp == e)
            preacts += ((Hidden *)experiments_out(E, r))->preacts,
                zeros += ((Hidden *)experiments_out(E, r))->zeros;
    Chapter *ch = &p->ch;
    const char *k = x->key;
    chapter_put(ch, k, "test_acc", "%.2f", t->test_acc);
    chapter_put(ch, k, "stop", "%d", t->epochs_run);
    chapter_put(ch, k, "kept", "%d", t->kept_epoch);
    summary_put(&ch->values, k, s, &(SummaryKeys){{"mean", "sd", "min", "max"},
                                                 {"stop_mean", "stop_min", "stop_max"}, {NULL}});
    chapter_put(ch, k, "hidden_slope0", "%.2f", h->slope0);
    chapter_put(ch, k, "hidden_slope", "%.2f", h->slope);
    chapter_put(ch, k, "dead", "%d", h->dead);
    chapter_put(ch, k, "preacts_millions", "%.0f", preacts / 1e6);
    chapter_put(ch, k, "zeros", "%lld", zeros);
    printf("      %-20s ours %.2f%% (stopped after %d, kept %d); over %d seeds %.2f ± %.2f%%, "
           "stopped after %.0f to %.0f", x->label, t->test_acc, t->epochs_run, t->kept_epoch,
           s->n, s->acc.mean, s->acc.sd, s->stop.min, s->stop.max);
    if (x->study) printf("; the study %.2f%%, after %d", x->study->acc, x->study->stop_epoch);
    if (x->cfg.activation == ACT_RELU)
        printf("; %lld of %.0f million net inputs exactly 0", zeros, preacts / 1e6);
    printf("\n");
    if (x->study) {
        chapter_put(ch, k, "study_acc", "%.2f", x->study->acc);
        chapter_put(ch, k, "study_stop", "%d", x->study->stop_epoch);
        chapter_put(ch, k, "gap", "%+.2f", t->test_acc - x->study->acc);
        chapter_put(ch, k, "mean_gap", "%+.2f", s->acc.mean - x->study->acc);
    }
    return zeros;
}

// The study ran the tanh experiment twice (sections 4.2.4 and 6.2.1) and
// reported accuracies this far apart: how many pairs of our runs of it are
// at least as far apart, and where its two numbers lie against our range.
static void twice(Program *p, int e) {
    const Experiments *E = &p->E;
    const StudyExperiment *s4 = study_find(STUDY_SECTION4), *s6 = E->exp[e].study;
    double gap = fabs(s6->acc - s4->acc);
    int pairs = 0, over = 0;
    for (int a = 0; a < E->n_runs; a++)
        for (int b = a + 1; b < E->n_runs; b++)
            if (E->runs[a].exp == e && E->runs[b].exp == e)
                pairs++, over += fabs(E->runs[a].res.test_acc - E->runs[b].res.test_acc) >= gap;
    Values *v = &p->ch.values;
    values_set(v, "pairs", "%d", pairs);
    values_set(v, "pairs_over_gap", "%d", over);
    values_set(v, "s4_where", "%s", where(s4->acc, E->sum[e].acc));
    values_set(v, "s6_where", "%s", where(s6->acc, E->sum[e].acc));
}

// The standard error of the difference of two means over S seeds each.
static double se_of_diff(const Stats *x, const Stats *y, int S) {
    return sqrt((x->sd * x->sd + y->sd * y->sd) / S);
}

// Experiment a against b: the difference of their means, how many standard
// errors of that difference it is, and a's worst run against b's best.
static void versus(Program *p, int a, int b) {
    const Stats *x = &p->E.sum[a].acc, *y = &p->E.sum[b].acc;
    double diff = x->mean - y->mean, se = se_of_diff(x, y, p->E.sum[a].n);
    char key[48];
    snprintf(key, sizeof key, "%s_minus_%s", p->E.exp[a].key, p->E.exp[b].key);
    values_set(&p->ch.values, key, "%.2f", diff);
    chapter_put(&p->ch, key, "se", "%.1f", se > 0 ? diff / se : 0.0);
    snprintf(key, sizeof key, "%s_worst_vs_%s_best", p->E.exp[a].key, p->E.exp[b].key);
    values_set(&p->ch.values, key, "%s",
               x->min > y->max ? "above" : x->min < y->max ? "below" : "level with");
}

// The chapter's sentences about the four experiments over their seeds, each
// held to the runs (chapter_claim). e: the experiments of NAMES, in order.
static void sentences(Program *p, const int e[N_STUDY]) {
    const Experiments *E = &p->E;
    for (int i = 0; i < N_STUDY; i++)
        if (e[i] < 0 || E->sum[e[i]].n < 2) return;
    const Summary *tanh_ = &E->sum[e[0]], *sig = &E->sum[e[1]], *relu = &E->sum[e[2]],
                  *small = &E->sum[e[3]];
    const Hidden *ht = experiments_out(E, tanh_->first), *hs = experiments_out(E, sig->first),
                 *hr = experiments_out(E, relu->first);
    Chapter *ch = &p->ch;
    chapter_claim(ch, "claim_spreads",
                  fmin(tanh_->acc.sd, relu->acc.sd) > fmax(sig->acc.sd, small->acc.sd));
    bool sig_better =
        sig->acc.mean - tanh_->acc.mean > 2 * se_of_diff(&sig->acc, &tanh_->acc, sig->n);
    bool tanh_faster = tanh_->stop.mean < sig->stop.mean;
    chapter_claim(ch, "claim_sigmoid_better", sig_better);
    chapter_claim(ch, "claim_tanh_faster_not_half",
                  tanh_faster && tanh_->stop.mean > sig->stop.mean / 2);
    chapter_claim(ch, "claim_stops_overlap", tanh_->stop.max >= sig->stop.min);
    chapter_claim(ch, "claim_both_directions", sig_better && tanh_faster);
    // the slopes as shares of each activation's largest
    chapter_claim(ch, "claim_tanh_flat", ht->slope < ht->slope0 / 2);
    chapter_claim(ch, "claim_sigmoid_kept_more",
                  hs->slope / max_slope(ACT_SIGMOID) > ht->slope / max_slope(ACT_TANH));
    bool earliest = true, lowest = true;
    for (int i = 0; i < N_STUDY; i++)
        if (i != 2) {
            earliest = earliest && relu->stop.mean < E->sum[e[i]].stop.mean;
            lowest = lowest && relu->acc.mean < E->sum[e[i]].acc.mean;
        }
    chapter_claim(ch, "claim_relu_earliest_lowest", earliest && lowest);
    chapter_claim(ch, "claim_relu_mostly_off", hr->slope < 0.5);
    chapter_claim(ch, "claim_relu_slower_better",
                  small->stop.mean > relu->stop.mean && small->acc.mean > relu->acc.mean);
    double level = fmin(sig->acc.mean, small->acc.mean);
    chapter_claim(ch, "claim_ranking",
                  fabs(sig->acc.mean - small->acc.mean) < level - tanh_->acc.mean &&
                      tanh_->acc.mean > relu->acc.mean);
}

void compare(Program *p) {
    const Experiments *E = &p->E;
    double max_gap = 0, max_mean_gap = 0;
    int stops_n = 0, stops_inside = 0;  // the study's stopping epochs, and those inside our range
    long long relu_zeros = 0;           // ReLU's net inputs exactly 0, in every run
    int by_name[N_STUDY];
    for (int i = 0; i < N_STUDY; i++) by_name[i] = -1;
    for (int e = 0; e < E->n_exp; e++) {
        const StudyExperiment *x = E->exp[e].study;
        long long zeros = put_experiment(p, e);
        if (E->exp[e].cfg.activation == ACT_RELU) relu_zeros += zeros;
        for (int i = 0; i < N_STUDY; i++)
            if (x && strcmp(x->name, NAMES[i]) == 0) by_name[i] = e;
        if (!x) continue;
        const Stats *stop = &E->sum[e].stop;
        stops_n++, stops_inside += x->stop_epoch >= stop->min && x->stop_epoch <= stop->max;
        max_gap = fmax(max_gap, fabs(E->runs[E->sum[e].first].res.test_acc - x->acc));
        max_mean_gap = fmax(max_mean_gap, fabs(E->sum[e].acc.mean - x->acc));
    }
    if (by_name[0] >= 0) twice(p, by_name[0]);
    if (E->sum[0].n > 1 && by_name[0] >= 0 && by_name[1] >= 0) versus(p, by_name[1], by_name[0]);
    if (E->sum[0].n > 1 && by_name[2] >= 0 && by_name[3] >= 0) versus(p, by_name[3], by_name[2]);
    sentences(p, by_name);
    Values *v = &p->ch.values;
    values_set(v, "dead_slope_pct", "%g", 100 * DEAD_SLOPE);
    values_set(v, "max_gap", "%.2f", max_gap);
    values_set(v, "max_mean_gap", "%.2f", max_mean_gap);
    chapter_claim(&p->ch, "claim_all_reproduce", stops_n > 0 && max_gap < 1.0);
    chapter_claim(&p->ch, "claim_relu_no_zeros", relu_zeros == 0);
    values_set(v, "study_stops_n", "%d", stops_n);
    values_set(v, "study_stops_inside", "%d", stops_inside);
    values_set(v, "seeds", "%d", E->sum[0].n);
    values_set(v, "seed_first", "%llu", (unsigned long long)E->seed);
    values_set(v, "seed_last", "%llu", (unsigned long long)(E->seed + E->sum[0].n - 1));
    const StudyExperiment *s4 = study_find(STUDY_SECTION4), *s6 = study_find(NAMES[0]);
    values_set(v, "study_s4_acc", "%.2f", s4->acc);
    values_set(v, "study_s4_stop", "%d", s4->stop_epoch);
    values_set(v, "study_s4_s6_diff", "%.2f", fabs(s6->acc - s4->acc));
    // The study's ReLU at the smaller rate trained this many times as many
    // epochs as at the larger one (its section 6.2.3).
    values_set(v, "study_relu_stop_ratio", "%.1f",
               (double)study_find(NAMES[3])->stop_epoch / study_find(NAMES[2])->stop_epoch);
}

// results.tsv's own columns: the hidden layer of each experiment's first seed.
void more_columns(Tsv *t, const Experiments *E, int e, void *ctx) {
    (void)ctx;
    const Hidden *h = experiments_out(E, E->sum[e].first);
    tsv_num(t, max_slope(E->exp[e].cfg.activation)), tsv_num(t, h->slope0);
    tsv_num(t, h->slope), tsv_int(t, h->dead), tsv_int(t, h->hidden);
}

// ---------------------------------------------------------------------------
// Step 7: pictures

// The variables of figures/ch6-compare.gp: the first seed's metrics of every
// experiment, and their names.
void compare_vars(const Experiments *E, char *vars, size_t size) {
    char files[400] = "", titles[400] = "";
    for (int e = 0; e < E->n_exp; e++) {
        size_t fl = strlen(files), tl = strlen(titles);
        snprintf(files + fl, sizeof files - fl, "%s%s", e ? " " : "",
                 E->runs[E->sum[e].first].file);
        snprintf(titles + tl, sizeof titles - tl, "%s\"%s\"", e ? " " : "", E->exp[e].label);
    }
    snprintf(vars, size, "files='%s'; titles='%s'", files, titles);
}

int draw_figures(Program *p, Error *err) {
    const Experiments *E = &p->E;
    const char *figs = p->ch.opt.figures_dir, *out = p->ch.opt.out_dir;
    int rc = plot_render_with(figs, "ch6-activations", "ch6-activations", out, NULL, err);
    char vars[900], name[64];
    for (int e = 0; e < E->n_exp && rc == 0; e++) {
        const Experiment *x = &E->exp[e];
        const Run *r = &E->runs[E->sum[e].first];
        snprintf(name, sizeof name, "curves-%s", x->name);
        snprintf(vars, sizeof vars, "tsv='%s'; from=1; best=%d; title='%s hidden layer, rate %g, "
                 "seed %llu: stopped after epoch %d'", r->file, r->res.kept_epoch,
                 activation_name(x->cfg.activation), x->cfg.learning_rate,
                 (unsigned long long)r->seed, r->res.epochs_run);
        rc = plot_render_with(figs, "curves", name, out, vars, err);
    }
    compare_vars(E, vars, sizeof vars);
    if (rc == 0) rc = plot_render_with(figs, "ch6-compare", "ch6-compare", out, vars, err);
    if (rc == 0)
        printf("      %s/ch6-activations.svg, curves-*.svg, ch6-compare.svg (and .pdf)\n", out);
    return rc;
}
