// ch3.c (subject): chapter 3's functions, called as the judge's proxies send
// them (tests/judge/ch3.c: the same arguments in the same order).
#include "ch3.h"
#include "subject/callbacks_ch3.h"
#include "subject/subject.h"

static void serve_linear_forward(Args *a) {
    linear_forward(arg_ptr(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), arg_ptr(a, 3), (int)arg_int(a, 4),
                   (int)arg_int(a, 5), (int)arg_int(a, 6));
}

static void serve_linear_backward(Args *a) {
    linear_backward(arg_ptr(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), arg_ptr(a, 3), arg_ptr(a, 4),
                    arg_ptr(a, 5), (int)arg_int(a, 6), (int)arg_int(a, 7), (int)arg_int(a, 8));
}

static void serve_tanh_forward(Args *a) { tanh_forward(arg_ptr(a, 0), arg_ptr(a, 1), (int)arg_int(a, 2)); }

static void serve_tanh_backward(Args *a) {
    tanh_backward(arg_ptr(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), (int)arg_int(a, 3));
}

static void serve_output_delta(Args *a) {
    output_delta(arg_ptr(a, 0), arg_ptr(a, 1), arg_ptr(a, 2), (int)arg_int(a, 3), (int)arg_int(a, 4));
}

// The loss lives in the judge: each call of it is a callback.
static double loss(void *ctx) {
    (void)ctx;
    return subject_callback("loss", NULL, 0);
}

static void serve_numerical_gradient(Args *a) {
    (void)arg_callbacks(a, 2);  // CALLBACKS_LOSS: the only set this call takes
    ret_double(a, numerical_gradient(arg_ptr(a, 0), arg_double(a, 1), loss, NULL));
}

// ---------------------------------------------------------------------------
// The chain: its Layers are the judge's, each call a callback

static void cb_linear_forward(double *out, const double *inp, const double *W, const double *bias,
                              int B, int C, int OC) {
    const CbArg args[] = {CB_ARRAY(out, (long)B * OC, 1), CB_ARRAY(inp, (long)B * C, 0),
                          CB_ARRAY(W, (long)OC * C, 0), CB_ARRAY(bias, OC, 0),
                          CB_INT(B), CB_INT(C), CB_INT(OC)};
    subject_callback("linear_forward", args, 7);
}

static void cb_linear_backward(double *dinp, double *dW, double *dbias, const double *dout,
                               const double *inp, const double *W, int B, int C, int OC) {
    const CbArg args[] = {CB_ARRAY(dinp, (long)B * C, 1), CB_ARRAY(dW, (long)OC * C, 1),
                          CB_ARRAY(dbias, OC, 1), CB_ARRAY(dout, (long)B * OC, 0),
                          CB_ARRAY(inp, (long)B * C, 0), CB_ARRAY(W, (long)OC * C, 0),
                          CB_INT(B), CB_INT(C), CB_INT(OC)};
    subject_callback("linear_backward", args, 9);
}

static void cb_act_forward(double *out, const double *inp, int n) {
    const CbArg args[] = {CB_ARRAY(out, n, 1), CB_ARRAY(inp, n, 0), CB_INT(n)};
    subject_callback("act_forward", args, 3);
}

static void cb_act_backward(double *dinp, const double *dout, const double *out, int n) {
    const CbArg args[] = {CB_ARRAY(dinp, n, 1), CB_ARRAY(dout, n, 0), CB_ARRAY(out, n, 0), CB_INT(n)};
    subject_callback("act_backward", args, 4);
}

static void cb_softmax(double *y, const double *a, int n, int classes) {
    const CbArg args[] = {CB_ARRAY(y, (long)n * classes, 1), CB_ARRAY(a, (long)n * classes, 0),
                          CB_INT(n), CB_INT(classes)};
    subject_callback("softmax", args, 4);
}

static void cb_output_delta(double *delta, const double *y, const double *t, int B, int K) {
    const CbArg args[] = {CB_ARRAY(delta, (long)B * K, 1), CB_ARRAY(y, (long)B * K, 0),
                          CB_ARRAY(t, (long)B * K, 0), CB_INT(B), CB_INT(K)};
    subject_callback("output_delta", args, 5);
}

static const Layers LAYERS = {cb_linear_forward, cb_linear_backward, cb_act_forward,
                              cb_act_backward, cb_softmax, cb_output_delta};

// The arguments as judge/ch3.c sends them: L, the sizes and B; then the
// arrays of the activations, of the networks, and x (and t).
typedef struct {
    int k;   // the next argument
} Cursor;

static int read_shape(Args *a, Cursor *c, Net *shape) {
    int L = (int)arg_int(a, c->k++);
    if (L < 1 || L > NET_MAX_LAYERS) L = 1;  // the judge never sends this
    shape->n_layers = L;
    for (int l = 0; l <= L; l++) shape->sizes[l] = (int)arg_int(a, c->k++);
    return (int)arg_int(a, c->k++);
}

static void read_acts(Args *a, Cursor *c, const Net *shape, Acts *acts, int B) {
    int L = shape->n_layers;
    acts->cap = B;
    for (int l = 0; l < L; l++) acts->a[l] = arg_ptr(a, c->k++);
    for (int l = 0; l < L; l++) acts->h[l] = arg_ptr(a, c->k++);
    for (int l = 0; l < L; l++) acts->d[l] = arg_ptr(a, c->k++);
}

static void read_net(Args *a, Cursor *c, const Net *shape, Net *net) {
    *net = *shape;
    net->n_params = 0;
    for (int l = 0; l < net->n_layers; l++)
        net->n_params += net->sizes[l + 1] * net->sizes[l] + net->sizes[l + 1];
    net->params = arg_ptr(a, c->k++);
    for (int l = 0; l < net->n_layers; l++) {
        net->W[l] = arg_ptr(a, c->k++);
        net->b[l] = arg_ptr(a, c->k++);
    }
}

static void serve_net_forward(Args *a) {
    Cursor c = {0};
    Net shape = {0}, net;
    Acts acts = {0};
    int B = read_shape(a, &c, &shape);
    read_acts(a, &c, &shape, &acts, B);
    read_net(a, &c, &shape, &net);
    const double *x = arg_ptr(a, c.k++);
    (void)arg_callbacks(a, c.k++);  // CALLBACKS_LAYERS
    net_forward(&acts, &net, x, &LAYERS, B);
}

static void serve_net_backward(Args *a) {
    Cursor c = {0};
    Net shape = {0}, grad, net;
    Acts acts = {0};
    int B = read_shape(a, &c, &shape);
    read_acts(a, &c, &shape, &acts, B);
    read_net(a, &c, &shape, &grad);
    read_net(a, &c, &shape, &net);
    const double *x = arg_ptr(a, c.k++);
    const double *t = arg_ptr(a, c.k++);
    (void)arg_callbacks(a, c.k++);  // CALLBACKS_LAYERS
    net_backward(&grad, &acts, &net, x, t, &LAYERS, B);
}

const Served served[] = {
    {"linear_forward", serve_linear_forward},
    {"linear_backward", serve_linear_backward},
    {"tanh_forward", serve_tanh_forward},
    {"tanh_backward", serve_tanh_backward},
    {"output_delta", serve_output_delta},
    {"numerical_gradient", serve_numerical_gradient},
    {"net_forward", serve_net_forward},
    {"net_backward", serve_net_backward},
};
const int served_count = sizeof served / sizeof served[0];
