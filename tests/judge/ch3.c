// ch3.c (judge): chapter 3's functions as the tests call them, each sending
// its call to the subject (see call.h). Same names and types as ch3.h.
#include "ch3.h"

#include <stdio.h>
#include <string.h>

#include "judge/call.h"
#include "judge/chain_log.h"
#include "subject/callbacks_ch3.h"

void linear_forward(double *out, const double *inp, const double *W, const double *bias, int B,
                    int C, int OC) {
    Call c;
    call_begin(&c, "linear_forward");
    CALL_OUT(&c, out, (long)B * OC);
    CALL_IN(&c, inp, (long)B * C);
    CALL_IN(&c, W, (long)OC * C);
    CALL_IN(&c, bias, OC);
    call_int(&c, B);
    call_int(&c, C);
    call_int(&c, OC);
    call_run(&c);
}

void linear_backward(double *dinp, double *dW, double *dbias, const double *dout,
                     const double *inp, const double *W, int B, int C, int OC) {
    Call c;
    call_begin(&c, "linear_backward");
    CALL_OUT(&c, dinp, (long)B * C);  // may be NULL: it goes as NULL
    CALL_OUT(&c, dW, (long)OC * C);
    CALL_OUT(&c, dbias, OC);
    CALL_IN(&c, dout, (long)B * OC);
    CALL_IN(&c, inp, (long)B * C);
    CALL_IN(&c, W, (long)OC * C);
    call_int(&c, B);
    call_int(&c, C);
    call_int(&c, OC);
    call_run(&c);
}

void tanh_forward(double *out, const double *inp, int n) {
    Call c;
    call_begin(&c, "tanh_forward");
    CALL_OUT(&c, out, n);
    CALL_IN(&c, inp, n);
    call_int(&c, n);
    call_run(&c);
}

void tanh_backward(double *dinp, const double *dout, const double *out, int n) {
    Call c;
    call_begin(&c, "tanh_backward");
    CALL_OUT(&c, dinp, n);
    CALL_IN(&c, dout, n);
    CALL_IN(&c, out, n);
    call_int(&c, n);
    call_run(&c);
}

void output_delta(double *delta, const double *y, const double *t, int B, int K) {
    Call c;
    call_begin(&c, "output_delta");
    CALL_OUT(&c, delta, (long)B * K);
    CALL_IN(&c, y, (long)B * K);
    CALL_IN(&c, t, (long)B * K);
    call_int(&c, B);
    call_int(&c, K);
    call_run(&c);
}

// The loss numerical_gradient calls: the test's own, run here, on the weight
// as the subject has it at that moment (the call's array w is copied in first).
typedef struct {
    double (*loss)(void *ctx);
    void *ctx;
} Loss;

static double loss_callback(CallbackArgs *a, void *ctx) {
    (void)a;
    const Loss *l = ctx;
    return l->loss(l->ctx);
}

double numerical_gradient(double *w, double eps, double (*loss)(void *ctx), void *ctx) {
    static const Callback cbs[] = {{"loss", loss_callback}};
    Loss l = {loss, ctx};
    Call c;
    call_begin(&c, "numerical_gradient");
    CALL_OUT(&c, w, 1);
    call_double(&c, eps);
    call_callbacks(&c, CALLBACKS_LOSS, cbs, 1, &l);
    return call_run_double(&c);
}

// ---------------------------------------------------------------------------
// The chain: net_forward and net_backward, whose layers are the test's own,
// called back from the subject, and noted (chain_log.h)

static ChainCall chain[CHAIN_MAX_CALLS];
static int nchain;

int chain_calls(const ChainCall **calls) {
    *calls = chain;
    return nchain;
}

// Notes a callback: arrays i0.. (as many as n, each of `size` bytes an element)
// and whole numbers.
static void note_call(CallbackArgs *a, const char *op, int n, const long *ints, int nints) {
    if (nchain == CHAIN_MAX_CALLS) return;
    ChainCall *c = &chain[nchain++];
    memset(c, 0, sizeof *c);
    snprintf(c->op, sizeof c->op, "%s", op);
    c->n = n;
    for (int i = 0; i < n; i++) {
        long offset = 0;
        const char *name = cb_origin(a, i, sizeof(double), &offset);
        if (name) snprintf(c->array[i].name, sizeof c->array[i].name, "%s", name);
        c->array[i].offset = offset;
    }
    for (int i = 0; i < nints && i < 3; i++) c->ints[i] = ints[i];
}

enum { MAX_UNITS = 1 << 20 };  // no layer of a test is near this

static double cb_linear_forward(CallbackArgs *a, void *ctx) {
    const Layers *l = ctx;
    long B = cb_int(a, 4, 0, MAX_UNITS), C = cb_int(a, 5, 1, MAX_UNITS), OC = cb_int(a, 6, 1, MAX_UNITS);
    double *out = cb_out(a, 0, (size_t)(B * OC), sizeof(double), 0);
    const double *inp = cb_in(a, 1, (size_t)(B * C), sizeof(double), 0);
    const double *W = cb_in(a, 2, (size_t)(OC * C), sizeof(double), 0);
    const double *bias = cb_in(a, 3, (size_t)OC, sizeof(double), 0);
    note_call(a, "linear_forward", 4, (long[]){B, C, OC}, 3);
    l->linear_forward(out, inp, W, bias, (int)B, (int)C, (int)OC);
    return 0;
}

static double cb_linear_backward(CallbackArgs *a, void *ctx) {
    const Layers *l = ctx;
    long B = cb_int(a, 6, 0, MAX_UNITS), C = cb_int(a, 7, 1, MAX_UNITS), OC = cb_int(a, 8, 1, MAX_UNITS);
    double *dinp = cb_out(a, 0, (size_t)(B * C), sizeof(double), 1);
    double *dW = cb_out(a, 1, (size_t)(OC * C), sizeof(double), 0);
    double *dbias = cb_out(a, 2, (size_t)OC, sizeof(double), 0);
    const double *dout = cb_in(a, 3, (size_t)(B * OC), sizeof(double), 0);
    const double *inp = cb_in(a, 4, (size_t)(B * C), sizeof(double), 0);
    const double *W = cb_in(a, 5, (size_t)(OC * C), sizeof(double), 0);
    note_call(a, "linear_backward", 6, (long[]){B, C, OC}, 3);
    l->linear_backward(dinp, dW, dbias, dout, inp, W, (int)B, (int)C, (int)OC);
    return 0;
}

static double cb_act_forward(CallbackArgs *a, void *ctx) {
    const Layers *l = ctx;
    long n = cb_int(a, 2, 0, MAX_UNITS * 64L);
    double *out = cb_out(a, 0, (size_t)n, sizeof(double), 0);
    const double *inp = cb_in(a, 1, (size_t)n, sizeof(double), 0);
    note_call(a, "act_forward", 2, &n, 1);
    l->act_forward(out, inp, (int)n);
    return 0;
}

static double cb_act_backward(CallbackArgs *a, void *ctx) {
    const Layers *l = ctx;
    long n = cb_int(a, 3, 0, MAX_UNITS * 64L);
    double *dinp = cb_out(a, 0, (size_t)n, sizeof(double), 0);
    const double *dout = cb_in(a, 1, (size_t)n, sizeof(double), 0);
    const double *out = cb_in(a, 2, (size_t)n, sizeof(double), 0);
    note_call(a, "act_backward", 3, &n, 1);
    l->act_backward(dinp, dout, out, (int)n);
    return 0;
}

static double cb_softmax(CallbackArgs *a, void *ctx) {
    const Layers *l = ctx;
    long n = cb_int(a, 2, 0, MAX_UNITS), K = cb_int(a, 3, 1, MAX_UNITS);
    double *y = cb_out(a, 0, (size_t)(n * K), sizeof(double), 0);
    const double *x = cb_in(a, 1, (size_t)(n * K), sizeof(double), 0);
    note_call(a, "softmax", 2, (long[]){n, K}, 2);
    l->softmax(y, x, (int)n, (int)K);
    return 0;
}

static double cb_output_delta(CallbackArgs *a, void *ctx) {
    const Layers *l = ctx;
    long B = cb_int(a, 3, 0, MAX_UNITS), K = cb_int(a, 4, 1, MAX_UNITS);
    double *delta = cb_out(a, 0, (size_t)(B * K), sizeof(double), 0);
    const double *y = cb_in(a, 1, (size_t)(B * K), sizeof(double), 0);
    const double *t = cb_in(a, 2, (size_t)(B * K), sizeof(double), 0);
    note_call(a, "output_delta", 3, (long[]){B, K}, 2);
    l->output_delta(delta, y, t, (int)B, (int)K);
    return 0;
}

static const Callback LAYER_CALLBACKS[] = {
    {"linear_forward", cb_linear_forward}, {"linear_backward", cb_linear_backward},
    {"act_forward", cb_act_forward},       {"act_backward", cb_act_backward},
    {"softmax", cb_softmax},               {"output_delta", cb_output_delta},
};

// The names of a network's arrays, as messages give them: "acts->h[0]".
static const char *array_name(const char *what, const char *field, int l) {
    static char pool[8 * NET_MAX_LAYERS + 8][24];
    static int next;
    char *s = pool[next++ % (int)(sizeof pool / sizeof pool[0])];
    if (l < 0) snprintf(s, sizeof pool[0], "%s->%s", what, field);
    else snprintf(s, sizeof pool[0], "%s->%s[%d]", what, field, l);
    return s;
}

// The shape first (both passes): L, the L + 1 sizes, B.
static int put_shape(Call *c, const Net *net, int B) {
    int L = net->n_layers;
    call_int(c, L);
    for (int l = 0; l <= L; l++) call_int(c, net->sizes[l]);
    call_int(c, B);
    return L;
}

// A network: all of its parameters, then each W[l] and b[l] within them.
static void put_array(Call *c, const char *name, double *p, size_t n, int writes) {
    if (writes) call_out(c, name, p, n, sizeof(double));
    else call_in(c, name, p, n, sizeof(double));
}

static void put_net(Call *c, const char *what, const Net *net, int writes) {
    put_array(c, array_name(what, "params", -1), net->params, (size_t)net->n_params, writes);
    for (int l = 0; l < net->n_layers; l++) {
        size_t OC = (size_t)net->sizes[l + 1], C = (size_t)net->sizes[l];
        put_array(c, array_name(what, "W", l), net->W[l], OC * C, writes);
        put_array(c, array_name(what, "b", l), net->b[l], OC, writes);
    }
}

// The activations of B examples: a, h, d, each written or only read.
static void put_acts(Call *c, const Acts *acts, const Net *net, int B, int writes_ah, int writes_d) {
    static const char *const field[3] = {"a", "h", "d"};
    int L = net->n_layers;
    for (int f = 0; f < 3; f++)
        for (int l = 0; l < L; l++) {
            double *p = f == 0 ? acts->a[l] : f == 1 ? acts->h[l] : acts->d[l];
            size_t n = CALL_COUNT(B) * (size_t)net->sizes[l + 1];
            put_array(c, array_name("acts", field[f], l), p, n, f < 2 ? writes_ah : writes_d);
        }
}

void net_forward(Acts *acts, const Net *net, const double *x, const Layers *layers, int B) {
    Call c;
    nchain = 0;
    call_begin(&c, "net_forward");
    put_shape(&c, net, B);
    put_acts(&c, acts, net, B, 1, 0);
    put_net(&c, "net", net, 0);
    CALL_IN(&c, x, (long)B * net->sizes[0]);
    call_callbacks(&c, CALLBACKS_LAYERS, LAYER_CALLBACKS, 6, (void *)layers);
    call_run(&c);
}

void net_backward(Net *grad, Acts *acts, const Net *net, const double *x, const double *t,
                  const Layers *layers, int B) {
    Call c;
    nchain = 0;
    call_begin(&c, "net_backward");
    put_shape(&c, net, B);
    put_acts(&c, acts, net, B, 0, 1);
    put_net(&c, "grad", grad, 1);
    put_net(&c, "net", net, 0);
    CALL_IN(&c, x, (long)B * net->sizes[0]);
    CALL_IN(&c, t, (long)B * net->sizes[net->n_layers]);
    call_callbacks(&c, CALLBACKS_LAYERS, LAYER_CALLBACKS, 6, (void *)layers);
    call_run(&c);
}
