// report.c: what a chapter 2 run shows and leaves for the book (report.h).
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "dataset.h"
#include "plot.h"

void result_print(const Result *r, const char *indent) {
    printf("%s%s %d; the best validation loss, %.4f, was epoch %d's\n", indent,
           r->stopped_early ? "stopped early after epoch" : "trained to the last epoch,",
           r->stop_epoch, r->best_val_loss, r->best_epoch);
    printf("%sthere: training accuracy %.2f%%, validation %.2f%%; with those weights, test "
           "accuracy %.2f%%\n", indent, r->best_train_acc, r->best_val_acc, r->test_acc);
}

void result_values(Chapter *ch, const char *prefix, const Result *r) {
    char key[48];
#define PUT(name, fmt, v) \
    (snprintf(key, sizeof key, "%s%s", prefix, name), values_set(&ch->values, key, fmt, v))
    PUT("stop_epoch", "%d", r->stop_epoch);
    PUT("best_epoch", "%d", r->best_epoch);
    PUT("stopped_early", "%s", r->stopped_early ? "yes" : "no");
    PUT("best_val_loss", "%.4f", r->best_val_loss);
    PUT("best_val_acc", "%.2f", r->best_val_acc);
    PUT("best_train_loss", "%.4f", r->best_train_loss);
    PUT("best_train_acc", "%.2f", r->best_train_acc);
    PUT("test_loss", "%.4f", r->test_loss);
    PUT("test_acc", "%.2f", r->test_acc);
    PUT("train_s", "%.1f", r->seconds);
#undef PUT
}

int draw_figures(Chapter *ch, const Config *cfg, const Model *best, const Result *r, Error *err) {
    char vars[512];
    snprintf(vars, sizeof vars, "tsv='metrics.tsv'; from=1; best=%d; "
             "title='Softmax regression, the study''s summed gradient (rate %g, batch %d)'",
             r->best_epoch, cfg->learning_rate, cfg->batch_size);
    const char *figs = ch->opt.figures_dir, *out = ch->opt.out_dir;
    int rc = plot_render_with(figs, "curves", "curves", out, vars, err);
    snprintf(vars, sizeof vars, "rate=%g; batch=%d", cfg->learning_rate,
             cfg->batch_size);
    if (rc == 0)
        rc = plot_render_with(figs, "ch2-batch", "ch2-batch", out, vars, err);
    // The weights of each digit, as an image: where ink raises that digit's score.
    int dim = best->dim, C = best->classes, side = (int)lround(sqrt(dim));
    double *img = malloc(sizeof(double) * (size_t)dim * C);
    if (!img) return error_set(err, "out of memory for the weight images");
    const char *caps[MNIST_CLASSES];
    char text[MNIST_CLASSES][12];
    double biggest = 0.0;
    for (int k = 0; k < C; k++) {
        for (int p = 0; p < dim; p++) {
            img[(size_t)k * dim + p] = best->w[(size_t)p * C + k];
            biggest = fmax(biggest, fabs(best->w[(size_t)p * C + k]));
        }
        snprintf(text[k], sizeof text[k], "%d", k);
        caps[k] = text[k];
    }
    char lpath[4096];
    snprintf(lpath, sizeof lpath, "%s/weights_labels.tsv", ch->opt.out_dir);
    if (rc == 0 && side * side == dim)
        rc = plot_write_grid(chapter_file(ch, "weights.dat"), lpath, img, C, side, side, 5,
                             caps, err);
    free(img);
    snprintf(vars, sizeof vars, "wmax=%.6g", biggest);
    if (rc == 0 && side * side == dim)
        rc = plot_render_with(figs, "ch2-weights", "ch2-weights", out, vars, err);
    if (rc == 0) printf("      %s/curves.svg, ch2-batch.svg, ch2-weights.svg (and .pdf)\n", out);
    values_set(&ch->values, "weight_max", "%.3f", biggest);
    return rc;
}
