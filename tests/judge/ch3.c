// ch3.c (judge): chapter 3's functions as the tests call them, each sending
// its call to the subject (see call.h). Same names and types as ch3.h.
#include "ch3.h"

#include "judge/call.h"
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
