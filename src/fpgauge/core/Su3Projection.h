#pragma once
// Maps from arbitrary 3×3 matrices back to SU(3), and Haar-random SU(3).
#include <cmath>

#include "fpgauge/core/Matrix3.h"
#include "fpgauge/core/Su2Subgroup.h"

namespace fpgauge {

// Gram–Schmidt on rows 0 and 1, row 2 = conj(row0 × row1) (det = 1): removes round-off drift
// and rebuilds the third row of NERSC two-row files.
template <class T>
Matrix3<T> reunitarise(const Matrix3<T>& m) {
  using std::sqrt;
  Matrix3<T> r = m;
  T n0(0);
  for (int k = 0; k < 3; ++k) n0 += norm2(r.e[0][k]);
  const T inv0 = T(1) / sqrt(n0);
  for (int k = 0; k < 3; ++k) r.e[0][k] *= inv0;
  Complex<T> overlap(T(0));  // <row0, row1>
  for (int k = 0; k < 3; ++k) overlap += conj_mul(r.e[0][k], r.e[1][k]);
  for (int k = 0; k < 3; ++k) r.e[1][k] -= overlap * r.e[0][k];
  T n1(0);
  for (int k = 0; k < 3; ++k) n1 += norm2(r.e[1][k]);
  const T inv1 = T(1) / sqrt(n1);
  for (int k = 0; k < 3; ++k) r.e[1][k] *= inv1;
  r.e[2][0] = conj(r.e[0][1] * r.e[1][2] - r.e[0][2] * r.e[1][1]);
  r.e[2][1] = conj(r.e[0][2] * r.e[1][0] - r.e[0][0] * r.e[1][2]);
  r.e[2][2] = conj(r.e[0][0] * r.e[1][1] - r.e[0][1] * r.e[1][0]);
  return r;
}

// The W ∈ SU(3) that maximises Re tr(W Q†) (the RG kernel's max term, SPEC §3).
// Start: the unitary polar factor of Q (Newton iteration X ← ½(X + X^{-†})) times the cube root
// of its inverse determinant that scores best; then Cabibbo–Marinari SU(2) maximisation sweeps
// until no subgroup moves. The result is gauge covariant, W(Ω Q Ω'†) = Ω W(Q) Ω'†, to the
// convergence tolerance.
template <class T>
Matrix3<T> project_max_trace(const Matrix3<T>& q) {
  using std::abs;
  using std::atan2;
  using std::cos;
  using std::sin;
  using std::sqrt;
  Matrix3<T> w = q;
  const T scale = sqrt(norm2(q));
  if (!(scale > T(0))) return Matrix3<T>::identity();
  if (norm2(det(q)) > T(1e-24) * scale * scale * scale * scale * scale * scale) {
    w *= T(1) / scale;
    for (int it = 0; it < 100; ++it) {
      const Matrix3<T> next = T(0.5) * (w + adj(inverse(w)));
      const T change = norm2(next - w);
      w = next;
      if (change < T(1e-30)) break;
    }
    const Complex<T> d = det(w);
    const T phase = atan2(d.im, d.re);
    T best_score(0);
    Matrix3<T> best = w;
    for (int k = 0; k < 3; ++k) {
      const T angle = -(phase + T(2 * M_PI) * T(k)) / T(3);
      const Matrix3<T> candidate = Complex<T>(cos(angle), sin(angle)) * w;
      const T score = re_trace(mul_adj(candidate, q));
      if (k == 0 || score > best_score) best_score = score, best = candidate;
    }
    w = best;
  } else {
    w = Matrix3<T>::identity();
  }
  for (int sweep = 0; sweep < 1000; ++sweep) {
    T moved(0);
    for (const auto& [i, j] : kSu2Subgroups) {
      const Su2<T> b = su2_block(mul_adj(w, q), i, j);
      const T nb = su2_norm(b);
      if (!(nb > T(0))) continue;
      const Su2<T> g{b.a0 / nb, -b.a1 / nb, -b.a2 / nb, -b.a3 / nb};
      moved += abs(g.a1) + abs(g.a2) + abs(g.a3);
      su2_left_multiply(w, g, i, j);
    }
    if (moved < T(1e-14)) break;
  }
  return reunitarise(w);
}

// A Haar-distributed SU(3) matrix: rows 0 and 1 from complex Gaussians by Gram–Schmidt,
// row 2 fixed by det = 1. `normal` is any callable returning N(0,1) deviates.
template <class T, class Normal>
Matrix3<T> haar_su3(Normal&& normal) {
  Matrix3<T> m;
  for (int i = 0; i < 2; ++i)
    for (int k = 0; k < 3; ++k) {
      const T re = normal();
      const T im = normal();
      m.e[i][k] = {re, im};
    }
  return reunitarise(m);
}

}  // namespace fpgauge
