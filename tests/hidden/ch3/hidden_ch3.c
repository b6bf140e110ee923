// hidden_ch3.c: the hidden tests of chapter 3 (backpropagation and the
// gradient check), instructor only.
//
// Each test runs one function of ch3.h and the reference's on the same seeded
// random cases, edge cases first (see hidden.h), and compares what they write.
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ch3.h"
#include "hidden/hidden.h"

REFERENCE(linear_forward);
REFERENCE(linear_backward);
REFERENCE(tanh_forward);
REFERENCE(tanh_backward);
REFERENCE(output_delta);
REFERENCE(numerical_gradient);

enum { TRIALS = 3 };

typedef struct {
    const char *label;  // the kind of case, all a student is told about it
    Values values;
    int lo, hi;         // the batch, or the length
    const char *hint;
} Case;

static int pick(Rng *r, int lo, int hi) { return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1)); }

static double *random_copy(Rng *r, size_t n, Values kind, double **copy) {
    double *x = hidden_alloc(n, 0.0);
    hidden_fill(r, x, n, kind);
    *copy = hidden_alloc(n, 0.0);
    memcpy(*copy, x, sizeof(double) * n);
    return x;
}

// ---------------------------------------------------------------------------

static const Case FORWARD_CASES[] = {
    {"a batch of one", VALUES_NORMAL, 1, 1, "B can be 1"},
    {"one input", VALUES_NORMAL, 1, 40, "C can be 1"},
    {"one output", VALUES_NORMAL, 1, 40, "OC can be 1"},
    {"zero inputs", VALUES_ZEROS, 1, 40, "inp = 0 gives out = bias, row by row"},
    {"huge inputs (around 1e150)", VALUES_HUGE, 1, 20, "out is overwritten: it held garbage"},
    {"tiny inputs (around 1e-150)", VALUES_TINY, 1, 20, "every row gets the bias"},
    {"random shapes", VALUES_NORMAL, 1, 64,
     "W is [OC, C], one row per output: out[b,o] = bias[o] + sum_c inp[b,c] W[o,c]"},
};

GRADED_TEST(hidden_linear_forward) {
    Rng r;
    hidden_rng(&r, 31);
    for (size_t c = 0; c < sizeof FORWARD_CASES / sizeof FORWARD_CASES[0]; c++) {
        const Case *k = &FORWARD_CASES[c];
        for (int trial = 0; trial < TRIALS; trial++) {
            int B = hidden_size(&r, k->lo, k->hi);
            int C = c == 1 ? 1 : pick(&r, 1, 300), OC = c == 2 ? 1 : pick(&r, 1, 64);
            size_t ni = (size_t)B * C, nw = (size_t)OC * C, no = (size_t)B * OC;
            double *inp_c, *W_c, *bias_c;
            double *inp = random_copy(&r, ni, k->values, &inp_c);
            double *W = random_copy(&r, nw, VALUES_NORMAL, &W_c);
            double *bias = random_copy(&r, (size_t)OC, VALUES_NORMAL, &bias_c);
            double *want = hidden_alloc(no, NAN), *out = hidden_alloc(no, trial ? 1e300 : NAN);
            ref_linear_forward(want, inp, W, bias, B, C, OC);
            linear_forward(out, inp, W, bias, B, C, OC);
            hidden_check_unchanged("linear_forward", "inp", inp, inp_c, sizeof(double) * ni, k->label);
            hidden_check_unchanged("linear_forward", "W", W, W_c, sizeof(double) * nw, k->label);
            hidden_check_unchanged("linear_forward", "bias", bias, bias_c, sizeof(double) * OC, k->label);
            hidden_check_guards("linear_forward", "out", out, no, k->label);
            double scale = 1.0 + C * hidden_max_abs(inp, ni) * hidden_max_abs(W, nw);
            hidden_compare("linear_forward", out, want, no, 1e-9, 1e-12 * scale, k->label, k->hint);
            free(inp), free(inp_c), free(W), free(W_c), free(bias), free(bias_c), free(want), free(out);
        }
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------

static const Case BACKWARD_CASES[] = {
    {"no dinp (the first layer)", VALUES_NORMAL, 1, 40,
     "dinp may be NULL: then write dW and dbias only"},
    {"a batch of one", VALUES_NORMAL, 1, 1, "B can be 1: the sums have one term"},
    {"one input", VALUES_NORMAL, 1, 40, "C can be 1"},
    {"one output", VALUES_NORMAL, 1, 40, "OC can be 1"},
    {"zero deltas", VALUES_ZEROS, 1, 40, "dout = 0 gives zero gradients: overwrite, never add"},
    {"random shapes", VALUES_NORMAL, 1, 64,
     "dinp = dout W, dW = dout^T inp, dbias = the column sums of dout, summed over the batch"},
};

GRADED_TEST(hidden_linear_backward) {
    Rng r;
    hidden_rng(&r, 32);
    for (size_t c = 0; c < sizeof BACKWARD_CASES / sizeof BACKWARD_CASES[0]; c++) {
        const Case *k = &BACKWARD_CASES[c];
        for (int trial = 0; trial < TRIALS; trial++) {
            int B = hidden_size(&r, k->lo, k->hi);
            int C = c == 2 ? 1 : pick(&r, 1, 200), OC = c == 3 ? 1 : pick(&r, 1, 40);
            size_t ni = (size_t)B * C, nw = (size_t)OC * C, no = (size_t)B * OC;
            double *dout_c, *inp_c, *W_c;
            double *dout = random_copy(&r, no, k->values, &dout_c);
            double *inp = random_copy(&r, ni, VALUES_NORMAL, &inp_c);
            double *W = random_copy(&r, nw, VALUES_NORMAL, &W_c);
            double fill = trial ? 1e300 : NAN;  // garbage that must be overwritten, not added to
            double *wdinp = hidden_alloc(ni, NAN), *wdW = hidden_alloc(nw, NAN);
            double *wdbias = hidden_alloc((size_t)OC, NAN);
            double *dinp = hidden_alloc(ni, fill), *dW = hidden_alloc(nw, fill);
            double *dbias = hidden_alloc((size_t)OC, fill);
            int no_dinp = c == 0;
            ref_linear_backward(no_dinp ? NULL : wdinp, wdW, wdbias, dout, inp, W, B, C, OC);
            linear_backward(no_dinp ? NULL : dinp, dW, dbias, dout, inp, W, B, C, OC);
            hidden_check_unchanged("linear_backward", "dout", dout, dout_c, sizeof(double) * no, k->label);
            hidden_check_unchanged("linear_backward", "inp", inp, inp_c, sizeof(double) * ni, k->label);
            hidden_check_unchanged("linear_backward", "W", W, W_c, sizeof(double) * nw, k->label);
            hidden_check_guards("linear_backward", "dW", dW, nw, k->label);
            hidden_check_guards("linear_backward", "dbias", dbias, (size_t)OC, k->label);
            double s_in = 1.0 + OC * hidden_max_abs(dout, no) * hidden_max_abs(W, nw);
            double s_w = 1.0 + B * hidden_max_abs(dout, no) * hidden_max_abs(inp, ni);
            if (!no_dinp) {
                hidden_check_guards("linear_backward", "dinp", dinp, ni, k->label);
                hidden_compare("linear_backward: dinp", dinp, wdinp, ni, 1e-9, 1e-12 * s_in, k->label,
                               k->hint);
            }
            hidden_compare("linear_backward: dW", dW, wdW, nw, 1e-9, 1e-12 * s_w, k->label, k->hint);
            hidden_compare("linear_backward: dbias", dbias, wdbias, (size_t)OC, 1e-9, 1e-12 * B,
                           k->label, k->hint);
            free(dout), free(dout_c), free(inp), free(inp_c), free(W), free(W_c);
            free(wdinp), free(wdW), free(wdbias), free(dinp), free(dW), free(dbias);
        }
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------

static const Case TANH_CASES[] = {
    {"a single value", VALUES_NORMAL, 1, 1, "n can be 1"},
    {"huge inputs (around 1e150)", VALUES_HUGE, 1, 200,
     "tanh of a huge number is +-1, not NaN: exp() of it overflows"},
    {"tiny inputs (around 1e-150)", VALUES_TINY, 1, 200, "tanh(x) is about x for tiny x"},
    {"zeros", VALUES_ZEROS, 1, 200, "tanh(0) = 0; the derivative there is dout"},
    {"inputs from -20 to 20", VALUES_NORMAL, 1, 2000, "tanh saturates to +-1 past about 19"},
    {"in place", VALUES_NORMAL, 1, 500,
     "out may be inp, and dinp may be dout: read each element before writing it"},
};

GRADED_TEST(hidden_tanh) {
    Rng r;
    hidden_rng(&r, 33);
    for (size_t c = 0; c < sizeof TANH_CASES / sizeof TANH_CASES[0]; c++) {
        const Case *k = &TANH_CASES[c];
        int in_place = c == 5;
        for (int trial = 0; trial < TRIALS; trial++) {
            int n = hidden_size(&r, k->lo, k->hi);
            double *inp_c, *dout_c;
            double *inp = random_copy(&r, (size_t)n, k->values, &inp_c);
            if (c == 4 || c == 5)
                for (int i = 0; i < n; i++) inp[i] = inp_c[i] = 20.0 * inp[i];
            double *dout = random_copy(&r, (size_t)n, VALUES_NORMAL, &dout_c);
            double *want = hidden_alloc((size_t)n, NAN), *out = hidden_alloc((size_t)n, NAN);
            ref_tanh_forward(want, inp, n);
            if (in_place) {
                memcpy(out, inp, sizeof(double) * (size_t)n);
                tanh_forward(out, out, n);
            } else {
                tanh_forward(out, inp, n);
                hidden_check_unchanged("tanh_forward", "inp", inp, inp_c, sizeof(double) * (size_t)n,
                                       k->label);
            }
            hidden_check_guards("tanh_forward", "out", out, (size_t)n, k->label);
            hidden_compare("tanh_forward", out, want, (size_t)n, 1e-12, 1e-15, k->label, k->hint);

            // the backward pass, from the reference's forward output
            double *wdinp = hidden_alloc((size_t)n, NAN), *dinp = hidden_alloc((size_t)n, NAN);
            ref_tanh_backward(wdinp, dout, want, n);
            if (in_place) {
                memcpy(dinp, dout, sizeof(double) * (size_t)n);
                tanh_backward(dinp, dinp, want, n);
            } else {
                tanh_backward(dinp, dout, want, n);
                hidden_check_unchanged("tanh_backward", "dout", dout, dout_c,
                                       sizeof(double) * (size_t)n, k->label);
            }
            hidden_check_guards("tanh_backward", "dinp", dinp, (size_t)n, k->label);
            hidden_compare("tanh_backward", dinp, wdinp, (size_t)n, 1e-12, 1e-15, k->label,
                           "dinp = dout (1 - out^2), from the forward pass's output, not its input");
            free(inp), free(inp_c), free(dout), free(dout_c), free(want), free(out), free(wdinp),
                free(dinp);
        }
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------

static const Case DELTA_CASES[] = {
    {"a batch of one", VALUES_NORMAL, 1, 1, "B can be 1"},
    {"one class", VALUES_NORMAL, 1, 50, "K can be 1"},
    {"soft targets", VALUES_NORMAL, 1, 100, "delta = y - t, whatever t holds"},
    {"in place (delta and y the same array)", VALUES_NORMAL, 1, 100, "delta may be y"},
    {"random batches", VALUES_NORMAL, 1, 500, "delta = y - t: y minus t, not t minus y"},
};

GRADED_TEST(hidden_output_delta) {
    Rng r;
    hidden_rng(&r, 34);
    for (size_t c = 0; c < sizeof DELTA_CASES / sizeof DELTA_CASES[0]; c++) {
        const Case *k = &DELTA_CASES[c];
        for (int trial = 0; trial < TRIALS; trial++) {
            int B = hidden_size(&r, k->lo, k->hi), K = c == 1 ? 1 : pick(&r, 2, 12);
            size_t n = (size_t)B * K;
            double *y_c, *t_c;
            double *y = random_copy(&r, n, VALUES_NORMAL, &y_c);
            double *t = random_copy(&r, n, VALUES_NORMAL, &t_c);
            for (size_t i = 0; i < n; i++) {
                y[i] = y_c[i] = fabs(y[i]);
                t[i] = t_c[i] = c == 2 ? fabs(t[i]) : (rng_below(&r, (uint32_t)K) == 0);
            }
            double *want = hidden_alloc(n, NAN), *delta = hidden_alloc(n, NAN);
            ref_output_delta(want, y, t, B, K);
            if (c == 3) {
                memcpy(delta, y, sizeof(double) * n);
                output_delta(delta, delta, t, B, K);
            } else {
                output_delta(delta, y, t, B, K);
                hidden_check_unchanged("output_delta", "y", y, y_c, sizeof(double) * n, k->label);
            }
            hidden_check_unchanged("output_delta", "t", t, t_c, sizeof(double) * n, k->label);
            hidden_check_guards("output_delta", "delta", delta, n, k->label);
            hidden_compare("output_delta", delta, want, n, 1e-15, 1e-300, k->label, k->hint);
            free(y), free(y_c), free(t), free(t_c), free(want), free(delta);
        }
    }
}
END_GRADED_TEST

// ---------------------------------------------------------------------------

// A smooth loss of many weights: sum_i a_i sin(w_i) + b_i w_i^2. It notes
// whether a weight other than the one under test ever moved.
typedef struct {
    double *w, *orig, *a, *b;
    int n, which, others_moved;
} Net;

static double net_loss(void *ctx) {
    Net *m = ctx;
    double e = 0.0;
    for (int i = 0; i < m->n; i++) {
        if (i != m->which && memcmp(&m->w[i], &m->orig[i], sizeof(double)) != 0) m->others_moved = 1;
        e += m->a[i] * sin(m->w[i]) + m->b[i] * m->w[i] * m->w[i];
    }
    return e;
}

static const Case GRADIENT_CASES[] = {
    {"one weight", VALUES_NORMAL, 1, 1, "perturb *w alone, by +eps and -eps"},
    {"a weight of 0", VALUES_ZEROS, 1, 50, "w0 - eps is negative here: that is fine"},
    {"a large eps", VALUES_NORMAL, 1, 50, "(loss at w0 + eps - loss at w0 - eps) / (2 eps): central, "
     "not one-sided"},
    {"a small eps", VALUES_NORMAL, 1, 50, "divide by 2 eps, and put w0 back bit for bit"},
    {"many weights", VALUES_NORMAL, 50, 500, "only *w may change; every other weight stays"},
};

GRADED_TEST(hidden_numerical_gradient) {
    Rng r;
    hidden_rng(&r, 35);
    for (size_t c = 0; c < sizeof GRADIENT_CASES / sizeof GRADIENT_CASES[0]; c++) {
        const Case *k = &GRADIENT_CASES[c];
        for (int trial = 0; trial < TRIALS; trial++) {
            Net m = {.n = hidden_size(&r, k->lo, k->hi)};
            size_t n = (size_t)m.n;
            m.w = hidden_alloc(n, 0), m.orig = hidden_alloc(n, 0);
            m.a = hidden_alloc(n, 0), m.b = hidden_alloc(n, 0);
            hidden_fill(&r, m.w, n, VALUES_NORMAL);
            hidden_fill(&r, m.a, n, VALUES_NORMAL);
            hidden_fill(&r, m.b, n, VALUES_NORMAL);
            for (size_t i = 0; i < n; i++) m.w[i] *= 3.0;
            m.which = (int)rng_below(&r, (uint32_t)m.n);
            if (c == 1) m.w[m.which] = 0.0;
            memcpy(m.orig, m.w, sizeof(double) * n);
            double eps = c == 2 ? 0.1 : c == 3 ? 1e-7 : pow(10.0, -2.0 - 3.0 * rng_uniform(&r));
            double w0 = m.w[m.which];
            double want = ref_numerical_gradient(&m.w[m.which], eps, net_loss, &m);
            m.w[m.which] = w0;
            double got = numerical_gradient(&m.w[m.which], eps, net_loss, &m);
            ck_assert_msg(memcmp(&m.w[m.which], &w0, sizeof(double)) == 0,
                          "numerical_gradient did not put the weight back bit for bit (%s, hidden "
                          "test, seed %lu). Hint: save w0 and assign it back at the end",
                          k->label, graded_seed());
            ck_assert_msg(!m.others_moved,
                          "numerical_gradient changed a weight other than the one it was given "
                          "(%s, hidden test, seed %lu). Hint: %s", k->label, graded_seed(), k->hint);
            hidden_compare("numerical_gradient", &got, &want, 1, 1e-6, 1e-9, k->label, k->hint);
            free(m.w), free(m.orig), free(m.a), free(m.b);
        }
    }
}
END_GRADED_TEST

const GradedSuite graded_suite = {
    3, "backpropagation and the gradient check (hidden tests)",
    (const GradedTest[]){
        {"hidden_linear_forward", hidden_linear_forward, 2,
         "linear_forward against the reference: a batch of one, one input or output, garbage in out"},
        {"hidden_linear_backward", hidden_linear_backward, 2,
         "linear_backward against the reference: dinp NULL, a batch of one, zero deltas"},
        {"hidden_tanh", hidden_tanh, 2,
         "tanh_forward and tanh_backward against the reference: huge, tiny and zero inputs, in place"},
        {"hidden_output_delta", hidden_output_delta, 1,
         "output_delta against the reference: a batch of one, one class, soft targets, in place"},
        {"hidden_numerical_gradient", hidden_numerical_gradient, 1,
         "numerical_gradient against the reference: one weight, a weight of 0, large and small eps"},
    },
    5};
