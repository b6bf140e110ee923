// model.c: chapter 2's model and buffers (model.h).
#include "model.h"

#include <stdlib.h>
#include <string.h>

int model_alloc(Model *m, int dim, int classes, Error *err) {
    m->dim = dim, m->classes = classes;
    m->w = error_calloc(err, (size_t)dim * classes, sizeof(double), "the weights");
    m->b = error_calloc(err, (size_t)classes, sizeof(double), "the biases");
    return m->w && m->b ? 0 : -1;
}

void model_free(Model *m) { free(m->w), free(m->b); }

void model_copy(Model *to, const Model *from) {
    memcpy(to->w, from->w, sizeof(double) * (size_t)from->dim * from->classes);
    memcpy(to->b, from->b, sizeof(double) * (size_t)from->classes);
}

int work_alloc(Work *wk, int rows, int dim, int classes, Error *err) {
    wk->rows = rows;
    wk->x = error_calloc(err, (size_t)rows * dim, sizeof(double), "a batch of images");
    wk->t = error_calloc(err, (size_t)rows * classes, sizeof(double), "a batch of targets");
    wk->a = error_calloc(err, (size_t)rows * classes, sizeof(double), "a batch of outputs");
    wk->da = error_calloc(err, (size_t)rows * classes, sizeof(double), "a batch of deltas");
    wk->gw = error_calloc(err, (size_t)dim * classes, sizeof(double), "the gradient");
    wk->gb = error_calloc(err, (size_t)classes, sizeof(double), "the gradient");
    return wk->x && wk->t && wk->a && wk->da && wk->gw && wk->gb ? 0 : -1;
}

void work_free(Work *wk) {
    free(wk->x), free(wk->t), free(wk->a), free(wk->da), free(wk->gw), free(wk->gb);
}
