#pragma once
// The Lie algebra su(3) in the project's one convention (SPEC §1): generators
// t^a = λ^a/2 (Gell-Mann), tr(t^a t^b) = δ^{ab}/2, algebra elements stored either as
// 8 real coefficients h^a or as the Hermitian traceless matrix H = Σ_a h^a t^a.
#include <array>
#include <cmath>

#include "fpgauge/core/Matrix3.h"

namespace fpgauge {

template <class T>
using Algebra = std::array<T, 8>;

inline constexpr int kAlgebraDim = 8;

// H = Σ_a h^a t^a (Hermitian, traceless).
template <class T>
constexpr Matrix3<T> algebra_to_matrix(const Algebra<T>& h) {
  const T inv_sqrt3 = T(0.57735026918962576450914878050195746);
  const T half(0.5);
  Matrix3<T> m;
  m.e[0][0] = {half * (h[2] + h[7] * inv_sqrt3), T(0)};
  m.e[1][1] = {half * (-h[2] + h[7] * inv_sqrt3), T(0)};
  m.e[2][2] = {-h[7] * inv_sqrt3, T(0)};
  m.e[0][1] = {half * h[0], -half * h[1]};
  m.e[0][2] = {half * h[3], -half * h[4]};
  m.e[1][2] = {half * h[5], -half * h[6]};
  m.e[1][0] = conj(m.e[0][1]);
  m.e[2][0] = conj(m.e[0][2]);
  m.e[2][1] = conj(m.e[1][2]);
  return m;
}

// h^a = 2 tr(t^a H) for a Hermitian traceless H (the inverse of algebra_to_matrix).
template <class T>
constexpr Algebra<T> matrix_to_algebra(const Matrix3<T>& m) {
  const T sqrt3 = T(1.73205080756887729352744634150587237);
  return {T(2) * m.e[0][1].re, T(-2) * m.e[0][1].im, m.e[0][0].re - m.e[1][1].re,
          T(2) * m.e[0][2].re, T(-2) * m.e[0][2].im, T(2) * m.e[1][2].re,
          T(-2) * m.e[1][2].im, sqrt3 * (m.e[0][0].re + m.e[1][1].re)};
}

// The generator t^a as a matrix, a = 0..7 (λ^{a+1}/2).
template <class T>
constexpr Matrix3<T> generator(int a) {
  Algebra<T> h{};
  h[a] = T(1);
  return algebra_to_matrix(h);
}

// The gradient matrix D = Σ_a t^a ∂^a f of a function whose Lie derivatives are
// ∂^a f = Re tr(i t^a M):  D = (i/4)[(M − M†) − ⅓ tr(M − M†)] (SPEC §1).
template <class T>
constexpr Matrix3<T> lie_gradient(const Matrix3<T>& m) {
  Matrix3<T> d;
  // A = M − M† is anti-Hermitian; D = (i/4)(A − tr(A)/3).
  const T im_tr_third = (m.e[0][0].im + m.e[1][1].im + m.e[2][2].im) * T(2.0 / 3.0);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      Complex<T> a = m.e[i][j] - conj(m.e[j][i]);
      if (i == j) a.im -= im_tr_third;
      d.e[i][j] = {-a.im * T(0.25), a.re * T(0.25)};  // (i/4)·a
    }
  }
  return d;
}

// The Hermitian traceless part of a matrix, ½(M + M†) − ⅙ tr(M + M†).
template <class T>
constexpr Matrix3<T> hermitian_traceless_part(const Matrix3<T>& m) {
  Matrix3<T> h;
  const T re_tr_third = re_trace(m) / T(3);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) h.e[i][j] = (m.e[i][j] + conj(m.e[j][i])) * T(0.5);
  for (int i = 0; i < 3; ++i) h.e[i][i].re -= re_tr_third;
  return h;
}

}  // namespace fpgauge
