// test_ch3.c: the graded tests of chapter 3 (backpropagation and the gradient check).
//
// Each test checks functions of ch3.h by properties a hard-coded answer cannot
// meet: small cases worked by hand, an independent reference computed here in
// long double, and above all the student's backward passes against central
// differences of the student's own forward passes, on random shapes and
// seeds. Outputs are filled with NaN beforehand, so that "forgot to write it"
// and "added to it instead of writing it" both fail. The softmax and the
// cross-entropy the network tests need are this file's own, not chapter 2's,
// so that chapter 3 is graded on its own.
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ch3.h"
#include "graded.h"
#include "judge/chain_log.h"
#include "net.h"
#include "rng.h"

// ---------------------------------------------------------------------------
// Helpers

static double *alloc(size_t n) {
    double *p = malloc(sizeof(double) * (n ? n : 1));
    ck_assert_msg(p != NULL, "the test could not allocate %zu doubles", n);
    return p;
}

static void fill(double *x, size_t n, double v) {
    for (size_t i = 0; i < n; i++) x[i] = v;
}

static double *random_array(Rng *r, size_t n, double scale) {
    double *x = alloc(n);
    for (size_t i = 0; i < n; i++) x[i] = scale * (2.0 * rng_uniform(r) - 1.0);
    return x;
}

// A random whole number in [lo, hi].
static int between(Rng *r, int lo, int hi) {
    return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

// The test's own central difference of f with respect to *p: independent of
// the student's numerical_gradient.
typedef double (*Eval)(void *ctx);
static double central(double *p, double eps, Eval f, void *ctx) {
    double p0 = *p;
    *p = p0 + eps;
    double plus = f(ctx);
    *p = p0 - eps;
    double minus = f(ctx);
    *p = p0;
    return (plus - minus) / (2.0 * eps);
}

// |got - want| <= abs_tol + rel_tol * |want|, and both finite.
static int close_enough(double got, double want, double abs_tol, double rel_tol) {
    return isfinite(got) && fabs(got - want) <= abs_tol + rel_tol * fabs(want);
}

// The reference layer, summed in long double.
static void ref_linear_forward(double *out, const double *inp, const double *W,
                               const double *bias, int B, int C, int OC) {
    for (int b = 0; b < B; b++)
        for (int o = 0; o < OC; o++) {
            long double s = bias[o];
            for (int c = 0; c < C; c++) s += (long double)inp[b * C + c] * W[o * C + c];
            out[b * OC + o] = (double)s;
        }
}

// The reference softmax and the cross-entropy summed over the batch.
static void ref_softmax(double *y, const double *a, int B, int K) {
    for (int b = 0; b < B; b++) {
        double top = a[b * K];
        for (int k = 1; k < K; k++) top = fmax(top, a[b * K + k]);
        long double sum = 0;
        for (int k = 0; k < K; k++) sum += expl((long double)a[b * K + k] - top);
        for (int k = 0; k < K; k++)
            y[b * K + k] = (double)(expl((long double)a[b * K + k] - top) / sum);
    }
}

static double ref_cross_entropy(const double *y, const double *t, int B, int K) {
    long double e = 0;
    for (int i = 0; i < B * K; i++)
        if (t[i] != 0.0) e -= t[i] * logl(fmax(y[i], 1e-300));
    return (double)e;
}

// ---------------------------------------------------------------------------
// linear_forward

// A 2 x 3 input through a layer of 2 units:
//   inp = [1 2 3; -1 0 2],  W = [1 0 -1; 0.5 2 1],  bias = [0.5 -1]
//   out[0,0] = 0.5 + 1 - 3 = -1.5      out[0,1] = -1 + 0.5 + 4 + 3 = 6.5
//   out[1,0] = 0.5 - 1 - 2 = -2.5      out[1,1] = -1 - 0.5 + 2 = 0.5
static const double K_INP[6] = {1, 2, 3, -1, 0, 2};
static const double K_W[6] = {1, 0, -1, 0.5, 2, 1};
static const double K_BIAS[2] = {0.5, -1};

GRADED_TEST(linear_forward_known) {
    double out[4];
    fill(out, 4, NAN);
    linear_forward(out, K_INP, K_W, K_BIAS, 2, 3, 2);
    const double want[4] = {-1.5, 6.5, -2.5, 0.5};
    for (int i = 0; i < 4; i++)
        ck_assert_msg(close_enough(out[i], want[i], 1e-12, 0),
                      "linear_forward on the worked 2x3 case (see the test's comment): "
                      "out[%d, %d]: expected %g, got %.15g", i / 2, i % 2, want[i], out[i]);
}
END_GRADED_TEST

GRADED_TEST(linear_forward_random) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 20; trial++) {
        int B = between(&r, 1, 6), C = between(&r, 1, 40), OC = between(&r, 1, 12);
        double *inp = random_array(&r, (size_t)B * C, 2.0);
        double *W = random_array(&r, (size_t)OC * C, 1.0);
        double *bias = random_array(&r, OC, 1.0), *want = alloc((size_t)B * OC);
        // Four guard values after out: a layer that writes past its output changes them.
        double *out = alloc((size_t)B * OC + 4);
        fill(out, (size_t)B * OC, NAN);
        fill(out + B * OC, 4, 12345.0);
        linear_forward(out, inp, W, bias, B, C, OC);
        ref_linear_forward(want, inp, W, bias, B, C, OC);
        for (int i = 0; i < B * OC; i++)
            ck_assert_msg(close_enough(out[i], want[i], 1e-12, 1e-12),
                          "linear_forward with B=%d, C=%d, OC=%d: out[%d, %d]: expected %.15g, "
                          "got %.15g (seed %lu)", B, C, OC, i / OC, i % OC, want[i], out[i], seed);
        for (int i = 0; i < 4; i++)
            ck_assert_msg(out[B * OC + i] == 12345.0,
                          "linear_forward with B=%d, C=%d, OC=%d wrote past the end of out (seed "
                          "%lu)", B, C, OC, seed);
        free(inp), free(W), free(bias), free(want), free(out);
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// linear_backward

GRADED_TEST(linear_backward_known) {
    // The worked case of linear_forward_known, with dout = [1 0; 2 -1]:
    //   dinp  = dout W    = [1 0 -1; 1.5 -2 -3]
    //   dW    = dout^T inp = [-1 2 7; 1 0 -2]
    //   dbias = column sums of dout = [3 -1]
    const double dout[4] = {1, 0, 2, -1};
    const double want_dinp[6] = {1, 0, -1, 1.5, -2, -3}, want_dW[6] = {-1, 2, 7, 1, 0, -2};
    const double want_db[2] = {3, -1};
    double dinp[6], dW[6], db[2];
    for (int with_dinp = 1; with_dinp >= 0; with_dinp--) {
        fill(dinp, 6, NAN), fill(dW, 6, NAN), fill(db, 2, NAN);
        linear_backward(with_dinp ? dinp : NULL, dW, db, dout, K_INP, K_W, 2, 3, 2);
        const char *how = with_dinp ? "" : " (dinp NULL)";
        for (int i = 0; i < 6 && with_dinp; i++)
            ck_assert_msg(close_enough(dinp[i], want_dinp[i], 1e-12, 0),
                          "linear_backward, worked case: dinp[%d, %d]: expected %g, got %.15g",
                          i / 3, i % 3, want_dinp[i], dinp[i]);
        for (int i = 0; i < 6; i++)
            ck_assert_msg(close_enough(dW[i], want_dW[i], 1e-12, 0),
                          "linear_backward, worked case%s: dW[%d, %d]: expected %g, got %.15g", how,
                          i / 3, i % 3, want_dW[i], dW[i]);
        for (int i = 0; i < 2; i++)
            ck_assert_msg(close_enough(db[i], want_db[i], 1e-12, 0),
                          "linear_backward, worked case%s: dbias[%d]: expected %g (summed over the "
                          "batch), got %.15g", how, i, want_db[i], db[i]);
    }
}
END_GRADED_TEST

// L = sum over b, o of G[b, o] * out[b, o], out from the student's linear_forward.
typedef struct {
    double *out, *inp, *W, *bias, *G;
    int B, C, OC;
} LinearLoss;

static double linear_loss(void *ctx) {
    LinearLoss *L = ctx;
    linear_forward(L->out, L->inp, L->W, L->bias, L->B, L->C, L->OC);
    long double s = 0;
    for (int i = 0; i < L->B * L->OC; i++) s += (long double)L->G[i] * L->out[i];
    return (double)s;
}

GRADED_TEST(linear_backward_numerical) {
    // dL/dout = G, so linear_backward(dout = G) must give the slopes of L,
    // which central differences of linear_forward measure. L is linear in each
    // parameter, so the differences are exact but for rounding.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    const double eps = 1e-3;
    for (int trial = 0; trial < 12; trial++) {
        int B = between(&r, 1, 5), C = between(&r, 1, 12), OC = between(&r, 1, 8);
        LinearLoss L = {alloc((size_t)B * OC), random_array(&r, (size_t)B * C, 2.0),
                        random_array(&r, (size_t)OC * C, 1.0), random_array(&r, OC, 1.0),
                        random_array(&r, (size_t)B * OC, 1.0), B, C, OC};
        double *dinp = alloc((size_t)B * C), *dW = alloc((size_t)OC * C), *db = alloc(OC);
        fill(dinp, (size_t)B * C, NAN), fill(dW, (size_t)OC * C, NAN), fill(db, OC, NAN);
        int with_dinp = trial % 3 != 2;  // every third trial passes dinp = NULL
        linear_backward(with_dinp ? dinp : NULL, dW, db, L.G, L.inp, L.W, B, C, OC);
        for (int i = 0; i < OC * C; i++) {
            double want = central(&L.W[i], eps, linear_loss, &L);
            ck_assert_msg(close_enough(dW[i], want, 1e-9, 1e-7),
                          "linear_backward with B=%d, C=%d, OC=%d: dW[%d, %d]: central differences "
                          "of your linear_forward give %.12g, your backward %.12g (seed %lu)",
                          B, C, OC, i / C, i % C, want, dW[i], seed);
        }
        for (int o = 0; o < OC; o++) {
            double want = central(&L.bias[o], eps, linear_loss, &L);
            ck_assert_msg(close_enough(db[o], want, 1e-9, 1e-7),
                          "linear_backward with B=%d, C=%d, OC=%d: dbias[%d]: central differences "
                          "of your linear_forward give %.12g, your backward %.12g (seed %lu)",
                          B, C, OC, o, want, db[o], seed);
        }
        for (int i = 0; i < B * C && with_dinp; i++) {
            double want = central(&L.inp[i], eps, linear_loss, &L);
            ck_assert_msg(close_enough(dinp[i], want, 1e-9, 1e-7),
                          "linear_backward with B=%d, C=%d, OC=%d: dinp[%d, %d]: central "
                          "differences of your linear_forward give %.12g, your backward %.12g "
                          "(seed %lu)", B, C, OC, i / C, i % C, want, dinp[i], seed);
        }
        free(L.out), free(L.inp), free(L.W), free(L.bias), free(L.G);
        free(dinp), free(dW), free(db);
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// tanh_forward and tanh_backward

GRADED_TEST(tanh_forward_values) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    // Known values; huge inputs must give exactly +-1, not inf or NaN.
    const double x[7] = {0.0, 1.0, -1.0, 0.5, 40.0, -800.0, 1e300};
    const double want[7] = {0.0, 0.76159415595576489, -0.76159415595576489,
                            0.46211715726000974, 1.0, -1.0, 1.0};
    double out[7];
    fill(out, 7, NAN);
    tanh_forward(out, x, 7);
    for (int i = 0; i < 7; i++)
        ck_assert_msg(close_enough(out[i], want[i], 1e-15, 1e-14),
                      "tanh_forward(%g): expected %.17g, got %.17g", x[i], want[i], out[i]);
    // Random inputs, in place: odd symmetry and agreement with the C library.
    int n = between(&r, 1, 300);
    double *v = random_array(&r, n, 20.0), *copy = alloc(n), *neg = alloc(n), *tn = alloc(n);
    memcpy(copy, v, sizeof(double) * n);
    for (int i = 0; i < n; i++) neg[i] = -v[i];
    tanh_forward(v, v, n);
    tanh_forward(tn, neg, n);
    for (int i = 0; i < n; i++) {
        ck_assert_msg(close_enough(v[i], tanh(copy[i]), 1e-15, 1e-13),
                      "tanh_forward in place, index %d: tanh(%.17g) is %.17g, got %.17g (seed %lu)",
                      i, copy[i], tanh(copy[i]), v[i], seed);
        ck_assert_msg(fabs(v[i] + tn[i]) <= 1e-15,
                      "tanh is odd: tanh(%.17g) = %.17g but tanh(%.17g) = %.17g (seed %lu)",
                      copy[i], v[i], neg[i], tn[i], seed);
    }
    free(v), free(copy), free(neg), free(tn);
}
END_GRADED_TEST

GRADED_TEST(tanh_backward_numerical) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    // Known values: the slope is 1 at 0 and 0 where tanh is flat.
    const double out0[3] = {0.0, 1.0, -1.0}, dout0[3] = {2.5, 3.0, -4.0};
    double d0[3];
    fill(d0, 3, NAN);
    tanh_backward(d0, dout0, out0, 3);
    const double want0[3] = {2.5, 0.0, 0.0};
    for (int i = 0; i < 3; i++)
        ck_assert_msg(close_enough(d0[i], want0[i], 1e-15, 0),
                      "tanh_backward with out = %g, dout = %g: expected %g, got %.17g", out0[i],
                      dout0[i], want0[i], d0[i]);
    // tanh acts element by element, so shifting every input by +-eps at once
    // gives every slope: (tanh(x + eps) - tanh(x - eps)) / (2 eps), from the
    // student's own tanh_forward.
    const double eps = 1e-5;
    for (int trial = 0; trial < 10; trial++) {
        int n = between(&r, 1, 200);
        double *x = random_array(&r, n, 3.0), *dout = random_array(&r, n, 2.0);
        double *out = alloc(n), *plus = alloc(n), *minus = alloc(n);
        double *xs = alloc(n), *dinp = alloc(n);
        tanh_forward(out, x, n);
        for (int i = 0; i < n; i++) xs[i] = x[i] + eps;
        tanh_forward(plus, xs, n);
        for (int i = 0; i < n; i++) xs[i] = x[i] - eps;
        tanh_forward(minus, xs, n);
        fill(dinp, n, NAN);
        int in_place = trial % 2;
        if (in_place) memcpy(dinp, dout, sizeof(double) * n);
        tanh_backward(dinp, in_place ? dinp : dout, out, n);
        for (int i = 0; i < n; i++) {
            double want = dout[i] * (plus[i] - minus[i]) / (2.0 * eps);
            ck_assert_msg(close_enough(dinp[i], want, 1e-9, 1e-7),
                          "tanh_backward%s at x = %.6g, dout = %.6g (index %d): central "
                          "differences of your tanh_forward give %.12g, your backward %.12g (seed "
                          "%lu)", in_place ? " in place (dinp == dout)" : "", x[i], dout[i], i,
                          want, dinp[i], seed);
        }
        free(x), free(dout), free(out), free(plus), free(minus), free(xs), free(dinp);
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// output_delta

GRADED_TEST(output_delta_known) {
    const double y[6] = {0.2, 0.7, 0.1, 0.5, 0.25, 0.25}, t[6] = {0, 1, 0, 0, 0, 1};
    const double want[6] = {0.2, -0.3, 0.1, 0.5, 0.25, -0.75};
    double d[6];
    fill(d, 6, NAN);
    output_delta(d, y, t, 2, 3);
    for (int i = 0; i < 6; i++)
        ck_assert_msg(close_enough(d[i], want[i], 1e-15, 0),
                      "output_delta, row %d column %d: y = %g, t = %g, expected y - t = %g, "
                      "got %.17g", i / 3, i % 3, y[i], t[i], want[i], d[i]);
}
END_GRADED_TEST

// E(a) = cross-entropy of softmax(a) against t, for central differences in a.
typedef struct {
    double *a, *y, *t;
    int B, K;
} LogitLoss;

static double logit_loss(void *ctx) {
    LogitLoss *L = ctx;
    ref_softmax(L->y, L->a, L->B, L->K);
    return ref_cross_entropy(L->y, L->t, L->B, L->K);
}

GRADED_TEST(output_delta_is_the_gradient) {
    // y - t is the slope of the cross-entropy of softmax with respect to the
    // logits: central differences of the test's own softmax and cross-entropy
    // say what each entry must be. Rows of the delta sum to 0.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 10; trial++) {
        int B = between(&r, 1, 6), K = between(&r, 2, 10);
        LogitLoss L = {random_array(&r, (size_t)B * K, 4.0), alloc((size_t)B * K),
                       alloc((size_t)B * K), B, K};
        fill(L.t, (size_t)B * K, 0.0);
        for (int b = 0; b < B; b++) L.t[b * K + (int)rng_below(&r, (uint32_t)K)] = 1.0;
        double *y = alloc((size_t)B * K), *d = alloc((size_t)B * K);
        ref_softmax(y, L.a, B, K);
        int in_place = trial % 2;
        if (in_place) memcpy(d, y, sizeof(double) * B * K);
        else fill(d, (size_t)B * K, NAN);
        output_delta(d, in_place ? d : y, L.t, B, K);
        for (int i = 0; i < B * K; i++) {
            double want = central(&L.a[i], 1e-5, logit_loss, &L);
            ck_assert_msg(close_enough(d[i], want, 1e-8, 1e-6),
                          "output_delta%s, B=%d, K=%d, row %d column %d (t = %g): the slope of the "
                          "cross-entropy there is %.10g, got %.10g (seed %lu)",
                          in_place ? " in place (delta == y)" : "", B, K, i / K, i % K, L.t[i],
                          want, d[i], seed);
        }
        for (int b = 0; b < B; b++) {
            long double s = 0;
            for (int k = 0; k < K; k++) s += d[b * K + k];
            ck_assert_msg(fabsl(s) < 1e-12, "output_delta, row %d sums to %.3Lg, expected 0 (seed "
                          "%lu)", b, s, seed);
        }
        free(L.a), free(L.y), free(L.t), free(y), free(d);
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// The whole network: the student's forward and backward, put together

typedef struct {
    int B, C, H, K;
    double *x, *t;            // [B, C], [B, K]
    double *params;           // W1 [H, C], b1 [H], W2 [K, H], b2 [K], one after another
    double *W1, *b1, *W2, *b2;
    double *a1, *h, *a2, *y;  // the forward pass
    int count;
} Mlp;

static Mlp mlp_new(Rng *r) {
    Mlp m = {.B = between(r, 1, 4), .C = between(r, 1, 12), .H = between(r, 1, 8),
             .K = between(r, 2, 6)};
    m.count = m.H * m.C + m.H + m.K * m.H + m.K;
    m.params = random_array(r, m.count, 1.0);
    m.W1 = m.params, m.b1 = m.W1 + m.H * m.C, m.W2 = m.b1 + m.H, m.b2 = m.W2 + m.K * m.H;
    m.x = random_array(r, (size_t)m.B * m.C, 2.0);
    m.t = alloc((size_t)m.B * m.K);
    fill(m.t, (size_t)m.B * m.K, 0.0);
    for (int b = 0; b < m.B; b++) m.t[b * m.K + (int)rng_below(r, (uint32_t)m.K)] = 1.0;
    m.a1 = alloc((size_t)m.B * m.H), m.h = alloc((size_t)m.B * m.H);
    m.a2 = alloc((size_t)m.B * m.K), m.y = alloc((size_t)m.B * m.K);
    return m;
}

static void mlp_free(Mlp *m) {
    free(m->params), free(m->x), free(m->t), free(m->a1), free(m->h), free(m->a2), free(m->y);
}

static double mlp_loss(void *ctx) {
    Mlp *m = ctx;
    linear_forward(m->a1, m->x, m->W1, m->b1, m->B, m->C, m->H);
    tanh_forward(m->h, m->a1, m->B * m->H);
    linear_forward(m->a2, m->h, m->W2, m->b2, m->B, m->H, m->K);
    ref_softmax(m->y, m->a2, m->B, m->K);
    return ref_cross_entropy(m->y, m->t, m->B, m->K);
}

GRADED_TEST(network_backward_numerical) {
    // A C-H-K network, tanh then softmax, on a batch of B examples, with your
    // forward functions; its gradient from your backward functions must match
    // central differences of the loss for every weight and bias.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    const char *names[4] = {"W1", "b1", "W2", "b2"};
    for (int trial = 0; trial < 10; trial++) {
        Mlp m = mlp_new(&r);
        double *grad = alloc(m.count), *da2 = alloc((size_t)m.B * m.K);
        double *dh = alloc((size_t)m.B * m.H), *da1 = alloc((size_t)m.B * m.H);
        fill(grad, m.count, NAN), fill(da2, (size_t)m.B * m.K, NAN);
        fill(dh, (size_t)m.B * m.H, NAN), fill(da1, (size_t)m.B * m.H, NAN);
        mlp_loss(&m);
        output_delta(da2, m.y, m.t, m.B, m.K);
        double *gW1 = grad, *gb1 = gW1 + m.H * m.C, *gW2 = gb1 + m.H, *gb2 = gW2 + m.K * m.H;
        linear_backward(dh, gW2, gb2, da2, m.h, m.W2, m.B, m.H, m.K);
        tanh_backward(da1, dh, m.h, m.B * m.H);
        linear_backward(NULL, gW1, gb1, da1, m.x, m.W1, m.B, m.C, m.H);
        for (int i = 0; i < m.count; i++) {
            double want = central(&m.params[i], 1e-5, mlp_loss, &m);
            int g = i < gb1 - grad ? 0 : i < gW2 - grad ? 1 : i < gb2 - grad ? 2 : 3;
            ck_assert_msg(close_enough(grad[i], want, 1e-7, 1e-6),
                          "a %d-%d-%d network on %d examples: parameter %d (in %s): central "
                          "differences of your forward pass give %.10g, your backward pass %.10g "
                          "(seed %lu)", m.C, m.H, m.K, m.B, i, names[g], want, grad[i], seed);
        }
        free(grad), free(da2), free(dh), free(da1);
        mlp_free(&m);
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// numerical_gradient

// A polynomial in one weight, w[which], of an array of weights; every call
// checks that the other weights are as they were and records the weight it saw.
typedef struct {
    double *w, *orig;
    int n, which;
    double c3, c2, c1, c0;   // c3 w^3 + c2 w^2 + c1 w + c0
    int calls, others_moved;
    double seen[8];
} Poly;

static double poly_loss(void *ctx) {
    Poly *p = ctx;
    for (int i = 0; i < p->n; i++)
        if (i != p->which && memcmp(&p->w[i], &p->orig[i], sizeof(double)) != 0)
            p->others_moved = 1;
    double w = p->w[p->which];
    if (p->calls < 8) p->seen[p->calls] = w;
    p->calls++;
    return ((p->c3 * w + p->c2) * w + p->c1) * w + p->c0;
}

static Poly poly_new(Rng *r, int n) {
    Poly p = {.w = random_array(r, n, 3.0), .orig = alloc(n), .n = n,
              .which = (int)rng_below(r, (uint32_t)n)};
    memcpy(p.orig, p.w, sizeof(double) * n);
    return p;
}

GRADED_TEST(numerical_gradient_polynomials) {
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 20; trial++) {
        // A quadratic: central differences are exact, (f(w+e) - f(w-e)) / 2e = 2 c2 w + c1.
        Poly p = poly_new(&r, between(&r, 1, 20));
        p.c2 = 4.0 * rng_uniform(&r) - 2.0, p.c1 = 4.0 * rng_uniform(&r) - 2.0;
        p.c0 = 10.0 * rng_uniform(&r);
        double eps = pow(10.0, -between(&r, 1, 4)), w = p.w[p.which];
        double got = numerical_gradient(&p.w[p.which], eps, poly_loss, &p);
        double want = 2.0 * p.c2 * w + p.c1;
        ck_assert_msg(close_enough(got, want, 1e-12 / eps, 1e-9),
                      "numerical_gradient of %g w^2 + %g w + %g at w = %.10g, eps = %g: central "
                      "differences give exactly %.12g, got %.12g (seed %lu)", p.c2, p.c1, p.c0, w,
                      eps, want, got, seed);
        ck_assert_msg(!p.others_moved, "numerical_gradient changed a weight other than the one it "
                      "was given (seed %lu)", seed);
        free(p.w), free(p.orig);

        // A cubic, c3 w^3: central differences give c3 (3 w^2 + eps^2), exactly;
        // a one-sided difference would be off by 3 c3 w eps as well.
        p = poly_new(&r, between(&r, 1, 20));
        p.c3 = 1.0 + rng_uniform(&r);
        eps = 1e-2;
        w = p.w[p.which];
        got = numerical_gradient(&p.w[p.which], eps, poly_loss, &p);
        want = p.c3 * (3.0 * w * w + eps * eps);
        ck_assert_msg(close_enough(got, want, 1e-9, 1e-9),
                      "numerical_gradient of %g w^3 at w = %.10g, eps = %g: central differences "
                      "give %g (3 w^2 + eps^2) = %.12g, got %.12g (one-sided would be %.12g) "
                      "(seed %lu)", p.c3, w, eps, p.c3, want, got,
                      p.c3 * (3.0 * w * w + 3.0 * w * eps + eps * eps), seed);
        free(p.w), free(p.orig);
    }
}
END_GRADED_TEST

GRADED_TEST(numerical_gradient_restores) {
    // After the call the weight is exactly what it was, even where
    // (w + eps) - eps is not w in floating point; the loss saw w + eps and
    // w - eps, and no other weight ever moved.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    int tricky = 0;
    for (int trial = 0; trial < 200; trial++) {
        Poly p = poly_new(&r, between(&r, 2, 10));
        p.c2 = 1.0, p.c1 = -0.5;
        // Half the weights are far smaller than eps: w + eps then keeps only
        // some of w's bits, and subtracting eps cannot bring them back.
        if (trial % 4 < 2) {
            p.w[p.which] *= pow(10.0, -between(&r, 3, 9));
            p.orig[p.which] = p.w[p.which];
        }
        double eps = trial % 2 ? 1e-2 : 1e-5, w0 = p.w[p.which];
        volatile double up = w0 + eps, back = up - eps;  // volatile: no shortcut by the compiler
        tricky += back != w0;
        numerical_gradient(&p.w[p.which], eps, poly_loss, &p);
        ck_assert_msg(memcmp(&p.w[p.which], &w0, sizeof(double)) == 0,
                      "numerical_gradient did not put the weight back: it was %.17g, it is now "
                      "%.17g (eps %g; save it and restore the saved value) (seed %lu)", w0,
                      p.w[p.which], eps, seed);
        ck_assert_msg(!p.others_moved, "numerical_gradient changed a weight other than the one it "
                      "was given (seed %lu)", seed);
        int saw_plus = 0, saw_minus = 0;
        double tol = 1e-14 * fmax(1.0, fabs(w0));
        for (int i = 0; i < p.calls && i < 8; i++) {
            saw_plus |= fabs(p.seen[i] - (w0 + eps)) <= tol;
            saw_minus |= fabs(p.seen[i] - (w0 - eps)) <= tol;
        }
        ck_assert_msg(saw_plus && saw_minus,
                      "numerical_gradient with w = %.17g, eps = %g: the loss must be evaluated at "
                      "w + eps and at w - eps; it saw %d value(s), starting %.17g (seed %lu)", w0,
                      eps, p.calls, p.calls ? p.seen[0] : NAN, seed);
        free(p.w), free(p.orig);
    }
    ck_assert_msg(tricky > 0, "the test found no weight where (w + eps) - eps != w (seed %lu)",
                  seed);
}
END_GRADED_TEST

// ---------------------------------------------------------------------------
// The chain: net_forward and net_backward, on the test's own layers

// The test's layers: the long double layer, tanh, and their backward passes,
// softmax and the output delta. A second activation, softsign x / (1 + |x|),
// whose slope from its output is (1 - |out|)^2, shows whether the chain uses
// the activation it is given.
static void ref_linear_backward(double *dinp, double *dW, double *dbias, const double *dout,
                                const double *inp, const double *W, int B, int C, int OC) {
    for (int c = 0; c < C && dinp; c++)
        for (int b = 0; b < B; b++) {
            long double s = 0;
            for (int o = 0; o < OC; o++) s += (long double)dout[b * OC + o] * W[o * C + c];
            dinp[b * C + c] = (double)s;
        }
    for (int o = 0; o < OC; o++) {
        long double sb = 0;
        for (int b = 0; b < B; b++) sb += dout[b * OC + o];
        dbias[o] = (double)sb;
        for (int c = 0; c < C; c++) {
            long double s = 0;
            for (int b = 0; b < B; b++) s += (long double)dout[b * OC + o] * inp[b * C + c];
            dW[o * C + c] = (double)s;
        }
    }
}
static void ref_tanh_forward(double *out, const double *inp, int n) {
    for (int i = 0; i < n; i++) out[i] = tanh(inp[i]);
}
static void ref_tanh_backward(double *dinp, const double *dout, const double *out, int n) {
    for (int i = 0; i < n; i++) dinp[i] = dout[i] * (1.0 - out[i] * out[i]);
}
static void softsign_forward(double *out, const double *inp, int n) {
    for (int i = 0; i < n; i++) out[i] = inp[i] / (1.0 + fabs(inp[i]));
}
static void softsign_backward(double *dinp, const double *dout, const double *out, int n) {
    for (int i = 0; i < n; i++) dinp[i] = dout[i] * (1.0 - fabs(out[i])) * (1.0 - fabs(out[i]));
}
static void ref_output_delta(double *delta, const double *y, const double *t, int B, int K) {
    for (int i = 0; i < B * K; i++) delta[i] = y[i] - t[i];
}

static const Layers TANH_LAYERS = {ref_linear_forward, ref_linear_backward, ref_tanh_forward,
                                   ref_tanh_backward, ref_softmax, ref_output_delta};
static const Layers SOFTSIGN_LAYERS = {ref_linear_forward, ref_linear_backward, softsign_forward,
                                       softsign_backward, ref_softmax, ref_output_delta};

// A random network of L layers (C inputs, hidden layers of 1 to 6 units, K
// outputs) on B examples, its activations (full of NaN), and its gradient.
typedef struct {
    Net net, grad;
    Acts acts, want;   // the chain's, and the test's own
    double *x, *t;
    int B;
    const Layers *layers;
    char shape[64];    // "5-3-2, B = 2", for messages
} Chain;

static Chain chain_new(Rng *r, int L, const Layers *layers) {
    Chain c = {.B = between(r, 1, 4), .layers = layers};
    int sizes[NET_MAX_LAYERS + 1];
    sizes[0] = between(r, 1, 10);
    for (int l = 1; l < L; l++) sizes[l] = between(r, 1, 6);
    sizes[L] = between(r, 2, 6);
    Error err;
    ck_assert_msg(net_create(&c.net, L, sizes, &err) == 0 && net_create(&c.grad, L, sizes, &err) == 0 &&
                      acts_create(&c.acts, &c.net, c.B, &err) == 0 &&
                      acts_create(&c.want, &c.net, c.B, &err) == 0,
                  "the test could not make its network: %s", err.msg);
    for (int i = 0; i < c.net.n_params; i++) c.net.params[i] = 2.0 * rng_uniform(r) - 1.0;
    c.x = random_array(r, (size_t)c.B * sizes[0], 2.0);
    c.t = alloc((size_t)c.B * sizes[L]);
    fill(c.t, (size_t)c.B * sizes[L], 0.0);
    for (int b = 0; b < c.B; b++) c.t[b * sizes[L] + (int)rng_below(r, (uint32_t)sizes[L])] = 1.0;
    int n = 0;
    for (int l = 0; l <= L; l++)
        n += snprintf(c.shape + n, sizeof c.shape - (size_t)n, "%s%d", l ? "-" : "", sizes[l]);
    snprintf(c.shape + n, sizeof c.shape - (size_t)n, ", B = %d", c.B);
    for (int l = 0; l < L; l++) {
        size_t m = (size_t)c.B * sizes[l + 1];
        fill(c.acts.a[l], m, NAN), fill(c.acts.h[l], m, NAN), fill(c.acts.d[l], m, NAN);
    }
    fill(c.grad.params, c.grad.n_params, NAN);
    return c;
}

static void chain_free(Chain *c) {
    net_free(&c->net), net_free(&c->grad);
    acts_free(&c->acts), acts_free(&c->want);
    free(c->x), free(c->t);
}

// The test's own forward pass into c->want, and the summed loss.
static double chain_forward(Chain *c) {
    const Net *n = &c->net;
    int L = n->n_layers;
    const double *inp = c->x;
    for (int l = 0; l < L; l++) {
        int C = n->sizes[l], OC = n->sizes[l + 1];
        c->layers->linear_forward(c->want.a[l], inp, n->W[l], n->b[l], c->B, C, OC);
        if (l < L - 1) c->layers->act_forward(c->want.h[l], c->want.a[l], c->B * OC);
        else c->layers->softmax(c->want.h[l], c->want.a[l], c->B, OC);
        inp = c->want.h[l];
    }
    return ref_cross_entropy(c->want.h[L - 1], c->t, c->B, n->sizes[L]);
}

static double chain_loss(void *ctx) { return chain_forward(ctx); }

// What the chain's step k should be, as "op(arg, arg...)", and what it was.
typedef struct {
    char op[24];
    const char *arg[CHAIN_MAX_ARRAYS];
    int n;
} Step;

static int step_matches(const Step *want, const ChainCall *got) {
    if (strcmp(want->op, got->op) != 0 || want->n != got->n) return 0;
    for (int i = 0; i < want->n; i++)
        if (strcmp(want->arg[i], got->array[i].name) != 0 || got->array[i].offset != 0) return 0;
    return 1;
}

static void step_words(char *buf, size_t size, const char *op, const char *const *args, int n) {
    int k = snprintf(buf, size, "%s(", op);
    for (int i = 0; i < n && k < (int)size; i++)
        k += snprintf(buf + k, size - (size_t)k, "%s%s", i ? ", " : "", args[i][0] ? args[i] : "NULL");
    if (k < (int)size) snprintf(buf + k, size - (size_t)k, ")");
}

// Where the chain's calls first part from the expected steps, in words, with
// a hint for the usual mistakes; "" when they do not.
static void diagnose(char *buf, size_t size, const char *pass, const Step *want, int nwant) {
    const ChainCall *got;
    int ngot = chain_calls(&got);
    buf[0] = '\0';
    for (int k = 0; k < nwant || k < ngot; k++) {
        if (k < nwant && k < ngot && step_matches(&want[k], &got[k])) continue;
        char w[200] = "nothing more", g[200] = "nothing more";
        if (k < nwant) step_words(w, sizeof w, want[k].op, want[k].arg, want[k].n);
        if (k < ngot) {
            const char *args[CHAIN_MAX_ARRAYS];
            for (int i = 0; i < got[k].n; i++) args[i] = got[k].array[i].name;
            step_words(g, sizeof g, got[k].op, args, got[k].n);
        }
        const char *hint = "";
        if (k < nwant && k < ngot && strcmp(want[k].op, got[k].op) == 0) {
            if (!strcmp(got[k].op, "act_backward") && !strncmp(got[k].array[2].name, "acts->a", 7))
                hint = " The activation's slope comes from its OUTPUT, acts->h: tanh' = 1 - h^2.";
            else if (!strcmp(got[k].op, "output_delta") && !strcmp(got[k].array[1].name, "t"))
                hint = " The delta is y - t, y first: the study's t - y is the other sign.";
            else if (!strcmp(got[k].op, "linear_backward") && !want[k].arg[0][0] && got[k].array[0].name[0])
                hint = " The first layer's input is the pixels, which need no gradient: dinp is NULL.";
            else if (!strncmp(got[k].op, "linear_", 7) && !strncmp(got[k].array[strcmp(got[k].op, "linear_forward") ? 4 : 1].name, "acts->a", 7))
                hint = " A layer's input is the activation's output acts->h, not its net input acts->a.";
        } else if (k < nwant && k < ngot && !strcmp(want[k].op, "softmax") && !strcmp(got[k].op, "act_forward")) {
            hint = " The last layer takes softmax, not the hidden activation.";
        } else if (k < nwant && !strcmp(want[k].op, "act_backward")) {
            hint = " The gradient must go back through each hidden layer's activation.";
        }
        snprintf(buf, size, " (%s's call %d was %s, where the chain's step is %s.%s)", pass, k + 1, g,
                 w, hint);
        return;
    }
}

static const char *ACT_NAMES[3][NET_MAX_LAYERS] = {
    {"acts->a[0]", "acts->a[1]", "acts->a[2]", "acts->a[3]", "acts->a[4]", "acts->a[5]", "acts->a[6]"},
    {"acts->h[0]", "acts->h[1]", "acts->h[2]", "acts->h[3]", "acts->h[4]", "acts->h[5]", "acts->h[6]"},
    {"acts->d[0]", "acts->d[1]", "acts->d[2]", "acts->d[3]", "acts->d[4]", "acts->d[5]", "acts->d[6]"},
};
static const char *PARAM_NAMES[2][2][NET_MAX_LAYERS] = {
    {{"net->W[0]", "net->W[1]", "net->W[2]", "net->W[3]", "net->W[4]", "net->W[5]", "net->W[6]"},
     {"net->b[0]", "net->b[1]", "net->b[2]", "net->b[3]", "net->b[4]", "net->b[5]", "net->b[6]"}},
    {{"grad->W[0]", "grad->W[1]", "grad->W[2]", "grad->W[3]", "grad->W[4]", "grad->W[5]", "grad->W[6]"},
     {"grad->b[0]", "grad->b[1]", "grad->b[2]", "grad->b[3]", "grad->b[4]", "grad->b[5]", "grad->b[6]"}},
};

// The steps of the forward and the backward pass of an L-layer network.
static int forward_steps(Step *s, int L) {
    int n = 0;
    for (int l = 0; l < L; l++) {
        s[n++] = (Step){"linear_forward", {ACT_NAMES[0][l], l ? ACT_NAMES[1][l - 1] : "x",
                                           PARAM_NAMES[0][0][l], PARAM_NAMES[0][1][l]}, 4};
        s[n++] = l < L - 1 ? (Step){"act_forward", {ACT_NAMES[1][l], ACT_NAMES[0][l]}, 2}
                           : (Step){"softmax", {ACT_NAMES[1][l], ACT_NAMES[0][l]}, 2};
    }
    return n;
}

static int backward_steps(Step *s, int L) {
    int n = 0;
    s[n++] = (Step){"output_delta", {ACT_NAMES[2][L - 1], ACT_NAMES[1][L - 1], "t"}, 3};
    for (int l = L - 1; l >= 0; l--) {
        s[n++] = (Step){"linear_backward", {l ? ACT_NAMES[2][l - 1] : "", PARAM_NAMES[1][0][l],
                                            PARAM_NAMES[1][1][l], ACT_NAMES[2][l],
                                            l ? ACT_NAMES[1][l - 1] : "x", PARAM_NAMES[0][0][l]}, 6};
        if (l > 0)
            s[n++] = (Step){"act_backward", {ACT_NAMES[2][l - 1], ACT_NAMES[2][l - 1], ACT_NAMES[1][l - 1]}, 3};
    }
    return n;
}

GRADED_TEST(net_forward_layers) {
    // Networks of one to three layers, on small batches: every a[l] and h[l]
    // as the test's own forward pass computes them with the same layers.
    // Every fourth network uses softsign as its activation: the chain must
    // call the activation it is given.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 12; trial++) {
        int L = 1 + trial % 3;
        Chain c = chain_new(&r, L, trial % 4 == 3 ? &SOFTSIGN_LAYERS : &TANH_LAYERS);
        chain_forward(&c);
        net_forward(&c.acts, &c.net, c.x, c.layers, c.B);
        Step steps[2 * NET_MAX_LAYERS];
        char why[600];
        diagnose(why, sizeof why, "net_forward", steps, forward_steps(steps, L));
        for (int l = 0; l < L; l++)
            for (int f = 0; f < 2; f++) {
                const double *got = f ? c.acts.h[l] : c.acts.a[l], *want = f ? c.want.h[l] : c.want.a[l];
                int OC = c.net.sizes[l + 1];
                for (int i = 0; i < c.B * OC; i++)
                    ck_assert_msg(close_enough(got[i], want[i], 1e-12, 1e-12),
                                  "net_forward on a %s network%s: %s[%d, %d]: expected %.12g, got "
                                  "%.12g (seed %lu)%s", c.shape,
                                  c.layers == &SOFTSIGN_LAYERS ? " whose activation is softsign" : "",
                                  ACT_NAMES[f][l], i / OC, i % OC, want[i], got[i], seed, why);
            }
        chain_free(&c);
    }
}
END_GRADED_TEST

GRADED_TEST(net_backward_numerical) {
    // Networks of one to three layers: after the test's own forward pass (so
    // that only the backward pass is graded), every parameter's gradient
    // against central differences of the summed loss, and every d[l] against
    // the test's own backward chain of the same layers.
    unsigned long seed = graded_seed();
    Rng r;
    rng_seed(&r, seed);
    for (int trial = 0; trial < 12; trial++) {
        int L = 1 + trial % 3;
        Chain c = chain_new(&r, L, trial % 4 == 3 ? &SOFTSIGN_LAYERS : &TANH_LAYERS);
        chain_forward(&c);
        for (int l = 0; l < L; l++) {
            size_t m = (size_t)c.B * c.net.sizes[l + 1];
            memcpy(c.acts.a[l], c.want.a[l], sizeof(double) * m);
            memcpy(c.acts.h[l], c.want.h[l], sizeof(double) * m);
        }
        net_backward(&c.grad, &c.acts, &c.net, c.x, c.t, c.layers, c.B);
        Step steps[3 * NET_MAX_LAYERS];
        char why[600];
        diagnose(why, sizeof why, "net_backward", steps, backward_steps(steps, L));
        for (int l = L - 1; l >= 0; l--) {
            int C = c.net.sizes[l], OC = c.net.sizes[l + 1];
            for (int i = 0; i < OC * C + OC; i++) {
                int is_b = i >= OC * C;
                double *w = is_b ? &c.net.b[l][i - OC * C] : &c.net.W[l][i];
                double got = is_b ? c.grad.b[l][i - OC * C] : c.grad.W[l][i];
                double want = central(w, 1e-5, chain_loss, &c);
                ck_assert_msg(close_enough(got, want, 1e-7, 1e-6),
                              "net_backward on a %s network: %s[%d]: central differences of the "
                              "loss give %.10g, got %.10g (seed %lu)%s", c.shape,
                              PARAM_NAMES[1][is_b][l], is_b ? i - OC * C : i, want, got, seed, why);
            }
        }
        // d[L-1] is y - t; each d[l] below it the chain's own, from the same
        // layers, at the weights themselves (the differences moved them).
        chain_forward(&c);
        int K = c.net.sizes[L];
        double *want_d = alloc((size_t)c.B * 64), *dh = alloc((size_t)c.B * 64);
        c.layers->output_delta(want_d, c.want.h[L - 1], c.t, c.B, K);
        for (int l = L - 1; l >= 0; l--) {
            int OC = c.net.sizes[l + 1], C = c.net.sizes[l];
            for (int i = 0; i < c.B * OC; i++)
                ck_assert_msg(close_enough(c.acts.d[l][i], want_d[i], 1e-9, 1e-9),
                              "net_backward on a %s network: acts->d[%d][%d, %d], dE/da there: "
                              "expected %.12g, got %.12g (seed %lu)%s", c.shape, l, i / OC, i % OC,
                              want_d[i], c.acts.d[l][i], seed, why);
            if (l == 0) break;
            ref_linear_backward(dh, c.grad.W[l], c.grad.b[l], want_d, c.want.h[l - 1], c.net.W[l],
                                c.B, C, OC);
            c.layers->act_backward(want_d, dh, c.want.h[l - 1], c.B * C);
        }
        free(want_d), free(dh);
        chain_free(&c);
    }
}
END_GRADED_TEST

const GradedSuite graded_suite = {
    3, "backpropagation and the gradient check",
    (const GradedTest[]){
        {"linear_forward_known", linear_forward_known, 2,
         "linear_forward: a case worked by hand"},
        {"linear_forward_random", linear_forward_random, 2,
         "linear_forward: random shapes, against a reference"},
        {"linear_backward_known", linear_backward_known, 2,
         "linear_backward: a case worked by hand, dinp given and NULL"},
        {"linear_backward_numerical", linear_backward_numerical, 4,
         "linear_backward: against central differences of your linear_forward"},
        {"tanh_forward_values", tanh_forward_values, 1,
         "tanh_forward: known values, huge inputs, in place"},
        {"tanh_backward_numerical", tanh_backward_numerical, 2,
         "tanh_backward: against central differences of your tanh_forward"},
        {"output_delta_known", output_delta_known, 1, "output_delta: a small known case"},
        {"output_delta_is_the_gradient", output_delta_is_the_gradient, 2,
         "output_delta: the slope of cross-entropy of softmax"},
        {"network_backward_numerical", network_backward_numerical, 4,
         "the whole network: your backward against central differences of your forward"},
        {"numerical_gradient_polynomials", numerical_gradient_polynomials, 3,
         "numerical_gradient: exact on quadratics, eps^2 on cubics"},
        {"numerical_gradient_restores", numerical_gradient_restores, 2,
         "numerical_gradient: the weight restored bit for bit, others untouched"},
        {"net_forward_layers", net_forward_layers, 3,
         "net_forward: every layer's a and h, networks of 1 to 3 layers, the activation given"},
        {"net_backward_numerical", net_backward_numerical, 4,
         "net_backward: every gradient against central differences, every delta, 1 to 3 layers"},
    },
    13};
