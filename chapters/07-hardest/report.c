// report.c: what chapter 7 shows and leaves for the book (program.h).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ch2.h"
#include "plot.h"
#include "program.h"

// How the loss is shared out: the hardest hundred, the mistakes, and how few
// images carry half of it.
void loss_shares(Program *p, const Split *test, const double *probs) {
    Analysis *a = &p->a;
    int n = a->n, half = 0, unsure = 0, right = n - a->errors;
    double total = 0, top = 0, acc = 0, of_wrong = 0;
    for (int i = 0; i < n; i++) total += a->loss[i];
    for (int j = 0; j < n; j++) {
        double l = a->loss[a->order[j]];
        if (j < TOP_SHARE) top += l;
        acc += l;
        if (!half && acc >= total / 2) half = j + 1;
    }
    for (int i = 0; i < n; i++) {
        const double *y = probs + (size_t)i * C;
        if (answer(y) != test->labels[i]) of_wrong += a->loss[i];
        if (y[test->labels[i]] < 0.5) unsure++;
    }
    double median = n % 2 ? a->loss[a->order[n / 2]]
                          : (a->loss[a->order[n / 2 - 1]] + a->loss[a->order[n / 2]]) / 2;
    Values *v = &p->ch.values;
    values_set(v, "n_test", "%d", n);
    values_set(v, "mean_loss", "%.4f", total / n);
    values_set(v, "median_loss", "%.2g", median);
    values_set(v, "median_p", "%.4f", exp(-median));
    values_set(v, "errors", "%d", a->errors);
    values_set(v, "right", "%d", right);
    values_set(v, "top_share_n", "%d", TOP_SHARE);
    values_set(v, "top_share", "%.0f", 100 * top / total);
    values_set(v, "top_share_pct", "%.0f", 100.0 * TOP_SHARE / n);
    values_set(v, "wrong_share", "%.0f", 100 * of_wrong / total);
    values_set(v, "half_loss_n", "%d", half);
    values_set(v, "half_loss_pct", "%.1f", 100.0 * half / n);
    values_set(v, "unsure", "%d", unsure);
    // the hardest image's loss over the median's, to two significant digits:
    // 49845 is "about 50000"
    double ratio = a->loss[a->hardest[0]] / median, unit = pow(10, floor(log10(ratio)) - 1);
    values_set(v, "hardest1_over_median", "%.0f", round(ratio / unit) * unit);
    printf("      mean loss %.4f (the loop's test loss), median %.2g; %d mistakes carry %.0f%% of "
           "the loss,\n      the hardest %d images %.0f%%, and half of it sits on %d images\n",
           total / n, median, a->errors, 100 * of_wrong / total, TOP_SHARE, 100 * top / total,
           half);
}

// The sixteen hardest: hardest.tsv, a row each, and the numbers the book quotes.
int hardest_table(Program *p, const Split *test, const double *probs, Error *err) {
    const Analysis *a = &p->a;
    int S = p->E.sum[0].n, wrong = 0, wrong_all = 0, least = S, sure = 0;
    double p_max = 0;
    Tsv t;
    if (tsv_open(&t, chapter_file(&p->ch, "hardest.tsv"),
                 "rank\timage\tlabel\tanswer\tp_label\tp_answer\tloss\twrong_in\truns", err) != 0)
        return -1;
    for (int j = 0; j < HARDEST; j++) {
        int i = a->hardest[j], lab = test->labels[i];
        const double *y = probs + (size_t)i * C;
        tsv_int(&t, j + 1), tsv_int(&t, i), tsv_int(&t, lab), tsv_int(&t, answer(y));
        tsv_num(&t, y[lab]), tsv_num(&t, y[answer(y)]), tsv_num(&t, a->loss[i]);
        tsv_int(&t, p->wrong_in[i]), tsv_int(&t, S);
        wrong += answer(y) != lab, wrong_all += p->wrong_in[i] == S;
        if (p->wrong_in[i] < least) least = p->wrong_in[i];
        p_max = fmax(p_max, y[lab]), sure += y[answer(y)] > SURE_P;
    }
    int h1 = a->hardest[0];
    const double *y1 = probs + (size_t)h1 * C;
    Values *v = &p->ch.values;
    values_set(v, "hardest1_image", "%d", h1);
    values_set(v, "hardest1_label", "%d", test->labels[h1]);
    values_set(v, "hardest1_answer", "%d", answer(y1));
    values_set(v, "hardest1_p", "%.2g", y1[test->labels[h1]]);
    values_set(v, "hardest1_p_answer", "%.4f", y1[answer(y1)]);
    values_set(v, "hardest1_loss", "%.2f", a->loss[h1]);
    values_set(v, "hardest_last_loss", "%.2f", a->loss[a->hardest[HARDEST - 1]]);
    values_set(v, "hardest_max_p", "%.2g", p_max);
    values_set(v, "hardest_wrong", "%d", wrong);
    values_set(v, "hardest_wrong_all", "%d", wrong_all);
    values_set(v, "hardest_wrong_least", "%d", least);
    chapter_claim(&p->ch, "claim_hardest_all_wrong", wrong == HARDEST);
    chapter_claim(&p->ch, "claim_hardest_shared", S > 1 && least >= 2);
    values_set(v, "hardest_sure", "%d", sure);
    values_set(v, "sure_p", "%g", SURE_P);
    printf("      the %d hardest: %d answered wrongly, %d of them with p(answer) > %g; p(label) "
           "at most %.2g\n", HARDEST, wrong, sure, SURE_P, p_max);
    return tsv_close(&t, err);
}

// The grid of the hardest digits: the pixels as they are in the file, and
// under each its label, the answer and the probability of the label.
int hardest_grid(Program *p, const Split *test, const double *probs, Error *err) {
    const Analysis *a = &p->a;
    int dim = test->dim, n = a->n < HARDEST ? a->n : HARDEST;
    double *img = malloc(sizeof(double) * (size_t)dim * (n ? n : 1));
    if (!img) return error_set(err, "out of memory for the grid");
    char text[HARDEST][64];
    const char *caps[HARDEST];
    for (int j = 0; j < n; j++) {
        int i = a->hardest[j], lab = test->labels[i], ans = answer(probs + (size_t)i * C);
        double p_lab = probs[(size_t)i * C + lab];
        for (int px = 0; px < dim; px++)
            img[(size_t)j * dim + px] = test->pixels[(size_t)i * dim + px];
        if (ans != lab)
            snprintf(text[j], sizeof text[j], "%d taken for %d\np(%d) = %.2g", lab, ans, lab,
                     p_lab);
        else
            snprintf(text[j], sizeof text[j], "%d, right\np(%d) = %.2g", lab, lab, p_lab);
        caps[j] = text[j];
    }
    char labels[4200];
    snprintf(labels, sizeof labels, "%s/hardest_labels.tsv", p->ch.opt.out_dir);
    int rc = plot_write_grid(chapter_file(&p->ch, "hardest.dat"), labels, img, n, test->rows,
                             test->cols, GRID_COLS, caps, err);
    free(img);
    return rc;
}

// digits.tsv: each digit, how many, how many right, and what it is most
// often taken for; and confusion.tsv, the matrix, for gnuplot.
int digits_table(Program *p, Error *err) {
    const int *cm = p->a.counts;
    Values *v = &p->ch.values;
    Tsv t;
    if (tsv_open(&t, chapter_file(&p->ch, "confusion.tsv"), "true\tanswer\tcount", err) != 0)
        return -1;
    for (int k = 0; k < C * C; k++) tsv_int(&t, k / C), tsv_int(&t, k % C), tsv_int(&t, cm[k]);
    if (tsv_close(&t, err) != 0 || tsv_open(&t, chapter_file(&p->ch, "digits.tsv"),
                                            "digit\timages\tright\tacc\twrong\toften\toften_count",
                                            err) != 0)
        return -1;
    int worst = 0, best = 0;
    double acc[C];
    for (int d = 0; d < C; d++) {
        int total = 0, often = -1;
        for (int q = 0; q < C; q++) {
            total += cm[d * C + q];
            if (q != d && (often < 0 || cm[d * C + q] > cm[d * C + often])) often = q;
        }
        int right = cm[d * C + d];
        acc[d] = total ? 100.0 * right / total : 0;
        worst = acc[d] < acc[worst] ? d : worst, best = acc[d] > acc[best] ? d : best;
        tsv_int(&t, d), tsv_int(&t, total), tsv_int(&t, right), tsv_num(&t, acc[d]);
        tsv_int(&t, total - right);
        if (cm[d * C + often] > 0) tsv_int(&t, often), tsv_int(&t, cm[d * C + often]);
        else tsv_text(&t, ""), tsv_text(&t, "");
        char key[32];
        snprintf(key, sizeof key, "digit%d_acc", d);
        values_set(v, key, "%.2f", acc[d]);
    }
    values_set(v, "worst_digit", "%d", worst);
    values_set(v, "worst_digit_acc", "%.2f", acc[worst]);
    values_set(v, "best_digit", "%d", best);
    values_set(v, "best_digit_acc", "%.2f", acc[best]);
    return tsv_close(&t, err);
}

// Every test image's loss, label and answer, for readers who want to look
// further (in the test file's order).
int loss_file(Program *p, const Split *test, const double *probs, Error *err) {
    Tsv t;
    if (tsv_open(&t, chapter_file(&p->ch, "test-losses.tsv"), "image\tlabel\tanswer\tp_label\tloss",
                 err) != 0)
        return -1;
    for (int i = 0; i < p->a.n; i++) {
        const double *y = probs + (size_t)i * C;
        tsv_int(&t, i), tsv_int(&t, test->labels[i]), tsv_int(&t, answer(y));
        tsv_fmt(&t, "%.6g", y[test->labels[i]]), tsv_fmt(&t, "%.6g", p->a.loss[i]);
    }
    return tsv_close(&t, err);
}

// How many networks share which mistakes, and the network that averages them.
void shared_mistakes(Program *p, const Split *test, const double *avg, int wrong_total) {
    int S = p->E.sum[0].n, n = p->a.n, any = 0, every = 0, first_alone = 0, first_every = 0;
    for (int i = 0; i < n; i++) {
        any += p->wrong_in[i] > 0, every += p->wrong_in[i] == S;
        if (answer(probs_of(p, 0) + (size_t)i * C) != test->labels[i])
            first_alone += p->wrong_in[i] == 1, first_every += p->wrong_in[i] == S;
    }
    int avg_right = count_correct(avg, test->labels, n, C), hardest_every = 0;
    for (int j = 0; j < HARDEST; j++) hardest_every += p->wrong_in[p->a.hardest[j]] == S;
    Values *v = &p->ch.values;
    // every run's mistakes: less than half as often in every run as the hardest are
    chapter_claim(&p->ch, "claim_mistakes_shared_less",
                  any > 0 && 2.0 * every / any < (double)hardest_every / HARDEST);
    chapter_claim(&p->ch, "claim_average_helps",
                  S > 1 && 100.0 * avg_right / n > p->E.sum[0].acc.max);
    values_set(v, "wrong_any", "%d", any);
    values_set(v, "wrong_every", "%d", every);
    values_set(v, "wrong_mean", "%.0f", (double)wrong_total / S);
    values_set(v, "wrong_every_pct", "%.0f", any ? 100.0 * every / any : 0.0);
    values_set(v, "first_alone", "%d", first_alone);
    values_set(v, "first_every", "%d", first_every);
    values_set(v, "average_acc", "%.2f", 100.0 * avg_right / n);
    values_set(v, "average_wrong", "%d", n - avg_right);
    if (S > 1)
        printf("      %d test images are wrong in at least one of the %d runs, %d in every one; "
               "of seed %llu's\n      %d mistakes, %d are made by no other run; the average of "
               "the %d networks: %.2f%% right\n", any, S, every, (unsigned long long)p->E.seed,
               p->a.errors, first_alone, S, 100.0 * avg_right / n);
}

// Step 7: pictures.
int draw_figures(Program *p, Error *err) {
    const Run *r = &p->E.runs[0];
    const Config *c = &p->E.exp[0].cfg;
    char vars[768], name[96];
    snprintf(vars, sizeof vars,
             "tsv='%s'; best=%d; from=1; title='Chapter 4''s network: rate %g, batch %d, "
             "momentum %g, early stopping (E = %d), seed %llu'",
             r->file, r->res.kept_epoch, c->learning_rate, c->batch_size, c->momentum_gamma,
             c->early_stop_epoch, (unsigned long long)r->seed);
    snprintf(name, sizeof name, "curves-%s", p->E.exp[0].name);
    const char *figs = p->ch.opt.figures_dir, *out = p->ch.opt.out_dir;
    int rc = plot_render_with(figs, "curves", name, out, vars, err);
    if (rc == 0) rc = plot_render_with(figs, "ch7-hardest", "hardest", out, NULL, err);
    if (rc == 0) rc = plot_render_with(figs, "ch7-confusion", "confusion", out, NULL, err);
    if (rc == 0) printf("      %s/%s.svg, hardest.svg, confusion.svg (and .pdf)\n", out, name);
    snprintf(vars, sizeof vars, "tsv='%s'; from=1", r->file);
    return rc ? rc : chapter_plot_text(&p->ch, "curves", vars, "the loss, epoch by epoch from "
                                       "epoch 1 (training and validation)", err);
}
