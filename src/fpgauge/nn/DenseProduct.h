#pragma once
// The dense real matrix product of the L-CNN's weight contractions (SPEC §5: ~95% of the
// FLOPs), through OpenBLAS's cblas_dgemm. Row-major, leading dimensions in doubles:
//   C[m×n] = op(A)[m×k] · op(B)[k×n] + beta·C,   op(X) = X or Xᵀ.
// The callers run it on blocks of sites inside their own OpenMP loops (SiteBlocks.h), so
// OpenBLAS is made single-threaded once, before the first product: its own threads would
// oversubscribe the cores, and a product's result must not depend on the thread count.
namespace fpgauge::nn {

enum class Transpose { no, yes };

void dense_product(Transpose op_a, Transpose op_b, int m, int n, int k, const double* a, int lda,
                   const double* b, int ldb, double beta, double* c, int ldc);

// Makes OpenBLAS single-threaded (idempotent); call outside parallel regions, before the first
// dense_product of a parallel loop.
void use_sequential_dense_products();

}  // namespace fpgauge::nn
