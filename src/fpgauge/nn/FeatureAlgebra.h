#pragma once
// Small 3x3 operations of the L-CNN layers that Matrix3.h does not provide.
// The reverse passes use adjoints G_X = ∂A/∂Re X + i ∂A/∂Im X of complex matrices X, so that
// δA = Re tr(G_X† δX) (see LcnnEvaluation.h).
#include "fpgauge/core/Matrix3.h"

namespace fpgauge::nn {

// Re tr(A† B) = Σ_ij (Re a_ij Re b_ij + Im a_ij Im b_ij): the real scalar product of the 18
// components, which pairs an adjoint with the matrix it belongs to.
template <class T>
T re_trace_adj_mul(const Matrix3<T>& a, const Matrix3<T>& b) {
  T s(0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) s += a.e[i][j].re * b.e[i][j].re + a.e[i][j].im * b.e[i][j].im;
  return s;
}

template <class T>
void add_to_diagonal(Matrix3<T>& m, const Complex<T>& z) {
  for (int i = 0; i < 3; ++i) m.e[i][i] += z;
}

}  // namespace fpgauge::nn
