// linalg.c: matmul through CBLAS, and the portable loops beside it.
#include "linalg.h"

#include <stddef.h>

#ifndef WB_NO_BLAS
#include <cblas.h>
#include <stdlib.h>
#endif

//> matmul-portable
void matmul_portable(double *C, const double *A, const double *B, int M, int N, int K,
                     bool trans_a, bool trans_b, double alpha, double beta) {
    for (int i = 0; i < M; i++) {
        double *c = C + (size_t)i * N;
        for (int j = 0; j < N; j++) c[j] = beta == 0.0 ? 0.0 : beta * c[j];
        // i-k-j order: the inner loop walks a row of B and a row of C, both
        // contiguous, which is what the cache wants.
        for (int k = 0; k < K; k++) {
            double a = alpha * (trans_a ? A[(size_t)k * M + i] : A[(size_t)i * K + k]);
            if (a == 0.0) continue;
            if (trans_b)
                for (int j = 0; j < N; j++) c[j] += a * B[(size_t)j * K + k];
            else
                for (int j = 0; j < N; j++) c[j] += a * B[(size_t)k * N + j];
        }
    }
}
//< matmul-portable

void matmul(double *C, const double *A, const double *B, int M, int N, int K, bool trans_a,
            bool trans_b, double alpha, double beta) {
#ifdef WB_NO_BLAS
    matmul_portable(C, A, B, M, N, K, trans_a, trans_b, alpha, beta);
#else
    if (M == 0 || N == 0) return;
    if (K == 0) {  // CBLAS leaves C alone here; the contract says C = beta * C
        for (size_t i = 0; i < (size_t)M * N; i++) C[i] = beta == 0.0 ? 0.0 : beta * C[i];
        return;
    }
    // One thread, set once, unless OPENBLAS_NUM_THREADS asks for more: the
    // chapter programs train one network per core at once, and OpenBLAS's
    // threads would fight them. (A program that trains one network alone can
    // use more: on the project's 2-core machine, two threads make train()'s
    // training pass 1.4 times as fast when nothing else runs.)
    static int threads_set = 0;
    if (!threads_set) {
        const char *env = getenv("OPENBLAS_NUM_THREADS");
        if (!env || !*env) openblas_set_num_threads(1);
        threads_set = 1;
    }
    cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, trans_a ? M : K, B,
                trans_b ? K : N, beta, C, N);
#endif
}

const char *matmul_backend(void) {
#ifdef WB_NO_BLAS
    return "portable loops";
#else
    return "OpenBLAS";
#endif
}
