#pragma once
// SU(2) subgroups of SU(3) (Cabibbo–Marinari): an SU(2) element as a real quaternion
// g = a0 + i a·σ, i.e. [[a0 + i a3, a2 + i a1], [−a2 + i a1, a0 − i a3]], embedded in rows and
// columns (i, j) of a 3×3 matrix. Used by the heatbath, overrelaxation and the max-trace
// projection.
#include <array>
#include <cmath>

#include "fpgauge/core/Matrix3.h"

namespace fpgauge {

template <class T>
struct Su2 {
  T a0, a1, a2, a3;
};

// The three subgroups (0,1), (0,2), (1,2).
inline constexpr std::array<std::array<int, 2>, 3> kSu2Subgroups{{{0, 1}, {0, 2}, {1, 2}}};

// The quaternion part b of the (i,j) block of X: Re tr(g X) = 2(a0 b0 − a·b) + const for every
// g embedded in (i,j).
template <class T>
constexpr Su2<T> su2_block(const Matrix3<T>& x, int i, int j) {
  const Complex<T>& xii = x.e[i][i];
  const Complex<T>& xij = x.e[i][j];
  const Complex<T>& xji = x.e[j][i];
  const Complex<T>& xjj = x.e[j][j];
  return {T(0.5) * (xii.re + xjj.re), T(0.5) * (xij.im + xji.im), T(0.5) * (xij.re - xji.re),
          T(0.5) * (xii.im - xjj.im)};
}

template <class T>
constexpr Su2<T> su2_conj(const Su2<T>& g) {
  return {g.a0, -g.a1, -g.a2, -g.a3};
}

template <class T>
constexpr T su2_norm(const Su2<T>& g) {
  using std::sqrt;
  return sqrt(g.a0 * g.a0 + g.a1 * g.a1 + g.a2 * g.a2 + g.a3 * g.a3);
}

// Quaternion product g·h.
template <class T>
constexpr Su2<T> su2_mul(const Su2<T>& g, const Su2<T>& h) {
  // (g0 + i g·σ)(h0 + i h·σ) = g0h0 − g·h + i(g0 h + h0 g − g×h)·σ
  return {g.a0 * h.a0 - g.a1 * h.a1 - g.a2 * h.a2 - g.a3 * h.a3,
          g.a0 * h.a1 + h.a0 * g.a1 - (g.a2 * h.a3 - g.a3 * h.a2),
          g.a0 * h.a2 + h.a0 * g.a2 - (g.a3 * h.a1 - g.a1 * h.a3),
          g.a0 * h.a3 + h.a0 * g.a3 - (g.a1 * h.a2 - g.a2 * h.a1)};
}

// U ← g U with g embedded in rows (i, j).
template <class T>
constexpr void su2_left_multiply(Matrix3<T>& u, const Su2<T>& g, int i, int j) {
  const Complex<T> g00(g.a0, g.a3), g01(g.a2, g.a1), g10(-g.a2, g.a1), g11(g.a0, -g.a3);
  for (int k = 0; k < 3; ++k) {
    const Complex<T> ui = u.e[i][k], uj = u.e[j][k];
    u.e[i][k] = g00 * ui + g01 * uj;
    u.e[j][k] = g10 * ui + g11 * uj;
  }
}

}  // namespace fpgauge
