#include "fpgauge/nn/DenseProduct.h"

#include <cblas.h>

namespace fpgauge::nn {

void use_sequential_dense_products() {
  static const bool done = [] {
    openblas_set_num_threads(1);
    return true;
  }();
  (void)done;
}

void dense_product(Transpose op_a, Transpose op_b, int m, int n, int k, const double* a, int lda,
                   const double* b, int ldb, double beta, double* c, int ldc) {
  if (m == 0 || n == 0) return;
  cblas_dgemm(CblasRowMajor, op_a == Transpose::yes ? CblasTrans : CblasNoTrans,
              op_b == Transpose::yes ? CblasTrans : CblasNoTrans, m, n, k, 1.0, a, lda, b, ldb,
              beta, c, ldc);
}

}  // namespace fpgauge::nn
