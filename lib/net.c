// net.c: a network's parameters and activations (see net.h).
#include "net.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

int net_create(Net *net, int n_layers, const int *sizes, Error *err) {
    memset(net, 0, sizeof *net);
    if (n_layers < 1 || n_layers > NET_MAX_LAYERS)
        return error_set(err, "a network of %d layers: it takes 1 to %d", n_layers, NET_MAX_LAYERS);
    size_t total = 0;
    for (int l = 0; l <= n_layers; l++) {
        if (sizes[l] < 1) return error_set(err, "a layer of %d units", sizes[l]);
        net->sizes[l] = sizes[l];
    }
    net->n_layers = n_layers;
    for (int l = 0; l < n_layers; l++) total += (size_t)sizes[l + 1] * sizes[l] + sizes[l + 1];
    net->params = error_calloc(err, total, sizeof(double), "the weights");
    if (!net->params) return -1;
    net->n_params = (int)total;
    double *p = net->params;
    for (int l = 0; l < n_layers; l++) {
        net->W[l] = p, p += (size_t)sizes[l + 1] * sizes[l];
        net->b[l] = p, p += sizes[l + 1];
    }
    return 0;
}

void net_free(Net *net) {
    free(net->params);
    memset(net, 0, sizeof *net);
}

void net_init(Net *net, uint64_t seed, double sd) {
    Rng rng;
    rng_seed(&rng, seed);
    for (int l = 0; l < net->n_layers; l++) {
        int fan_in = net->sizes[l], fan_out = net->sizes[l + 1];
        double s = sd > 0 ? sd : 1.0 / sqrt((double)fan_in);
        for (size_t i = 0; i < (size_t)fan_out * fan_in; i++) net->W[l][i] = s * rng_normal(&rng);
        memset(net->b[l], 0, sizeof(double) * fan_out);
    }
}

int acts_create(Acts *acts, const Net *net, int cap, Error *err) {
    memset(acts, 0, sizeof *acts);
    acts->cap = cap;
    for (int l = 0; l < net->n_layers; l++) {
        size_t n = (size_t)cap * net->sizes[l + 1];
        acts->a[l] = error_calloc(err, n, sizeof(double), "activations");
        acts->h[l] = error_calloc(err, n, sizeof(double), "activations");
        acts->d[l] = error_calloc(err, n, sizeof(double), "deltas");
        if (!acts->a[l] || !acts->h[l] || !acts->d[l]) {
            acts_free(acts);
            return -1;
        }
    }
    return 0;
}

void acts_free(Acts *acts) {
    for (int l = 0; l < NET_MAX_LAYERS; l++) free(acts->a[l]), free(acts->h[l]), free(acts->d[l]);
    memset(acts, 0, sizeof *acts);
}
