// linalg.h: the one matrix product everything else is built on.
//
// Matrices are row-major arrays of doubles: element (i, j) of an [M, N]
// matrix is at a[i * N + j]. The product goes to CBLAS (OpenBLAS) unless the
// build says BLAS=none, in which case a plain triple loop does the same work;
// tests hold the two equal.
#ifndef WB_LINALG_H
#define WB_LINALG_H

#include <stdbool.h>

// C = alpha * op(A) op(B) + beta * C, where op(X) is X or its transpose.
//   C: [M, N];  op(A): [M, K];  op(B): [K, N]
//   A is stored [M, K] (or [K, M] when trans_a); B is [K, N] (or [N, K] when trans_b).
// beta == 0 overwrites C, whatever it held (even NaN).
void matmul(double *C, const double *A, const double *B, int M, int N, int K, bool trans_a,
            bool trans_b, double alpha, double beta);

// The portable product, always built, so tests can compare it with CBLAS.
void matmul_portable(double *C, const double *A, const double *B, int M, int N, int K,
                     bool trans_a, bool trans_b, double alpha, double beta);

// "OpenBLAS" or "portable loops": which matmul this build uses.
const char *matmul_backend(void);

#endif
