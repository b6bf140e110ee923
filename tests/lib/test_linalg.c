// test_linalg.c: matmul against a known product, and CBLAS against the portable loops.
#include <math.h>
#include <stdlib.h>

#include "linalg.h"
#include "rng.h"
#include "suites.h"

START_TEST(known_product) {
    const double A[6] = {1, 2, 3, 4, 5, 6};     // [2, 3]
    const double B[6] = {7, 8, 9, 10, 11, 12};  // [3, 2]
    double C[4] = {NAN, NAN, NAN, NAN};         // beta 0 must overwrite even NaN
    matmul(C, A, B, 2, 2, 3, false, false, 1.0, 0.0);
    const double want[4] = {58, 64, 139, 154};
    for (int i = 0; i < 4; i++) ck_assert_double_eq_tol(C[i], want[i], 1e-12);
    // the same product from the transposes: A^T is [3, 2] stored, B^T is [2, 3] stored
    const double At[6] = {1, 4, 2, 5, 3, 6}, Bt[6] = {7, 9, 11, 8, 10, 12};
    double D[4] = {1, 1, 1, 1};
    matmul(D, At, Bt, 2, 2, 3, true, true, 2.0, 1.0);  // D = 2 A B + D
    for (int i = 0; i < 4; i++) ck_assert_double_eq_tol(D[i], 2 * want[i] + 1, 1e-12);
}
END_TEST

// Every combination of transposes, odd sizes, alpha and beta: the backend
// (CBLAS unless BLAS=none) and the portable loops agree to rounding.
START_TEST(backend_equals_portable) {
    Rng r;
    rng_seed(&r, 3);
    for (int trial = 0; trial < 64; trial++) {
        int M = 1 + (int)rng_below(&r, 70), N = 1 + (int)rng_below(&r, 70),
            K = 1 + (int)rng_below(&r, 140);
        bool ta = trial & 1, tb = trial & 2;
        double alpha = trial & 4 ? -0.5 : 1.0, beta = (trial & 8) ? 0.75 : 0.0;
        double *A = malloc(sizeof(double) * M * K), *B = malloc(sizeof(double) * K * N);
        double *C1 = malloc(sizeof(double) * M * N), *C2 = malloc(sizeof(double) * M * N);
        for (int i = 0; i < M * K; i++) A[i] = rng_normal(&r);
        for (int i = 0; i < K * N; i++) B[i] = rng_normal(&r);
        for (int i = 0; i < M * N; i++) C1[i] = C2[i] = rng_normal(&r);
        matmul(C1, A, B, M, N, K, ta, tb, alpha, beta);
        matmul_portable(C2, A, B, M, N, K, ta, tb, alpha, beta);
        for (int i = 0; i < M * N; i++)
            ck_assert_msg(fabs(C1[i] - C2[i]) <= 1e-12 * (1 + fabs(C2[i])),
                          "trial %d (M=%d N=%d K=%d ta=%d tb=%d): %s gives %.17g, portable "
                          "%.17g at %d", trial, M, N, K, ta, tb, matmul_backend(), C1[i], C2[i], i);
        free(A), free(B), free(C1), free(C2);
    }
}
END_TEST

Suite *linalg_suite(void) {
    Suite *s = suite_create("linalg");
    TCase *tc = lib_tcase("matmul");
    tcase_add_test(tc, known_product);
    tcase_add_test(tc, backend_equals_portable);
    suite_add_tcase(s, tc);
    return s;
}
