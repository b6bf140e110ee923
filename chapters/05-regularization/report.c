// report.c: steps 7 and 8 of chapter 5, the weights the penalties leave (the
// first seed's) and the figures (program.h).
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "program.h"

int report_weights(Program *p, Error *err) {
    const Experiments *E = &p->E;
    const WeightStats *w[EXPERIMENTS_MAX];
    const char *labels[EXPERIMENTS_MAX];
    for (int e = 0; e < E->n_exp; e++) {
        const WeightStats *o = w[e] = &weights_of(E, e)->w;
        const char *k = labels[e] = E->exp[e].key;
        const History *h = hist_of(E, e, 0);
        double lambda_c = weights_of(E, e)->penalty_end;
        chapter_put(&p->ch, k, "w1_mean", "%.4f", o->abs_mean[0]);
        chapter_put(&p->ch, k, "w1_zero", "%.1f", o->small[0]);
        chapter_put(&p->ch, k, "penalty", "%.3g", lambda_c);
        chapter_put(&p->ch, k, "batch_loss", "%.3g",
                    E->exp[e].cfg.batch_size * h->train_loss[h->epochs]);
        if (strcmp(E->exp[e].name, STUDY[0].name) == 0)   // the strong L1 penalty
            chapter_claim(&p->ch, "claim_penalty_most",
                          lambda_c > E->exp[e].cfg.batch_size * h->train_loss[h->epochs]);
        printf("      %-14s mean |W1| %.4f, %.1f%% below %g, lambda C %.3g\n", E->exp[e].label,
               o->abs_mean[0], o->small[0], NEAR_ZERO, lambda_c);
        labels[e] = E->exp[e].label;
        if (E->exp[e].cfg.L1_penalty <= 0 || isnan(o->used_p90)) continue;
        chapter_put(&p->ch, k, "hump", "%.1g", o->hump);
        chapter_put(&p->ch, k, "used_split", "%.1g", o->used_split);
        chapter_put(&p->ch, k, "hump_share", "%.0f", o->hump_share);
        chapter_put(&p->ch, k, "used_p10", "%.2g", o->used_p10);
        chapter_put(&p->ch, k, "used_p90", "%.2g", o->used_p90);
    }
    // The histograms, a column per experiment, for figures/ch5-weights.gp.
    char lin[4200];
    snprintf(lin, sizeof lin, "%s", chapter_file(&p->ch, "weights-hist.tsv"));
    if (weights_write_histograms(lin, chapter_file(&p->ch, "weights-log.tsv"), w, labels, E->n_exp,
                                 err) != 0)
        return -1;
    const Config *c0 = &E->exp[0].cfg;
    int nw = 0, nb = 0;
    for (int l = 0; l + 1 < c0->n_layers; l++)
        nw += c0->layer_specs[l] * c0->layer_specs[l + 1], nb += c0->layer_specs[l + 1];
    if (nw >= 1000) values_set(&p->ch.values, "n_weights", "%d,%03d", nw / 1000, nw % 1000);
    else values_set(&p->ch.values, "n_weights", "%d", nw);
    values_set(&p->ch.values, "n_biases", "%d", nb);
    values_set(&p->ch.values, "near_zero", "%g", NEAR_ZERO);
    return 0;
}

// ---------------------------------------------------------------------------
// Step 8: pictures

// For each experiment, a 28 x 28 map: how many of the hidden units ignore each pixel.
static int pixel_maps(Program *p, Error *err) {
    const Experiments *E = &p->E;
    int dim = E->exp[0].cfg.layer_specs[0], side = (int)lround(sqrt(dim));
    if (side * side != dim || dim > WEIGHTS_MAX_INPUTS) return 0;  // not square images: no map
    double *img = error_calloc(err, (size_t)E->n_exp * dim, sizeof(double), "the pixel maps");
    if (!img) return -1;
    const char *caps[EXPERIMENTS_MAX];
    for (int e = 0; e < E->n_exp; e++) {
        const double *off = weights_of(E, e)->w.ignored;
        memcpy(img + (size_t)e * dim, off, sizeof(double) * dim);
        caps[e] = E->exp[e].label;
        // the mean share over the frame of pixels within EDGE of the border,
        // and over the rest, the middle of the image
        double edge = 0, middle = 0;
        int n_edge = 0;
        for (int px = 0; px < dim; px++) {
            int r = px / side, c = px % side;
            bool on_edge = r < EDGE || c < EDGE || r >= side - EDGE || c >= side - EDGE;
            if (on_edge) edge += off[px], n_edge++;
            else middle += off[px];
        }
        if (E->exp[e].cfg.L1_penalty > 0 && n_edge < dim) {
            chapter_put(&p->ch, E->exp[e].key, "edge_off", "%.0f", edge / n_edge);
            chapter_put(&p->ch, E->exp[e].key, "middle_off", "%.0f", middle / (dim - n_edge));
        }
    }
    values_set(&p->ch.values, "edge_px", "%d", EDGE);
    char labels[4200], vars[64];
    snprintf(labels, sizeof labels, "%s/pixels_labels.tsv", p->ch.opt.out_dir);
    int rc = plot_write_grid(chapter_file(&p->ch, "pixels.dat"), labels, img, E->n_exp, side, side,
                             E->n_exp, caps, err);
    free(img);
    snprintf(vars, sizeof vars, "n=%d; limit='%g'", E->n_exp, NEAR_ZERO);
    return rc ? rc : plot_render_with(p->ch.opt.figures_dir, "ch5-pixels", "ch5-pixels",
                                      p->ch.opt.out_dir, vars, err);
}

int draw_figures(Program *p, Error *err) {
    const Experiments *E = &p->E;
    const char *figs = p->ch.opt.figures_dir, *out = p->ch.opt.out_dir;
    char vars[900], name[64];
    int rc = experiments_write_curves(E, chapter_file(&p->ch, "compare.tsv"), err);
    if (rc == 0) rc = experiments_write_accuracies(E, chapter_file(&p->ch, "seeds.tsv"), err);
    for (int e = 0; rc == 0 && e < E->n_exp; e++) {
        const History *h = hist_of(E, e, 0);
        snprintf(vars, sizeof vars, "tsv='%s'; low=%d; stop=%d; patience=%d; title='%s (seed "
                 "%llu)'",
                 run_of(E, e, 0)->file, history_best_epoch(h), patience_stop(h), PATIENCE,
                 E->exp[e].label, (unsigned long long)E->seed);
        snprintf(name, sizeof name, "curves-%s", E->exp[e].name);
        rc = plot_render_with(figs, "ch5-curves", name, out, vars, err);
    }
    snprintf(vars, sizeof vars, "n=%d; seeds=%d", E->n_exp, E->sum[0].n);
    if (rc == 0) rc = plot_render_with(figs, "ch5-compare", "ch5-compare", out, vars, err);
    if (rc == 0) rc = plot_render_with(figs, "ch5-seeds", "ch5-seeds", out, vars, err);
    if (rc == 0) rc = plot_render_with(figs, "ch5-weights", "ch5-weights", out, vars, err);
    if (rc == 0) rc = pixel_maps(p, err);
    if (rc == 0)
        printf("      %s/curves-*.svg, ch5-compare.svg, ch5-seeds.svg, ch5-weights.svg, "
               "ch5-pixels.svg (and .pdf)\n", out);
    return rc ? rc : chapter_plot_text(&p->ch, "ch5-compare", vars, "the validation accuracy, "
                                       "epoch by epoch, the mean over the seeds", err);
}
