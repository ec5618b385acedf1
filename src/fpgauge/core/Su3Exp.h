#pragma once
// The one SU(3) exponential of the project: exp(iH) for Hermitian traceless H, exact to
// round-off, by Cayley–Hamilton: exp(iH) = f0 + f1 H + f2 H² (Morningstar & Peardon,
// hep-lat/0311018, eqs. 19–34). For small H the f_j are summed from the power series
// reduced with H³ = c1 H + c0 (c0 = det H, c1 = tr(H²)/2), which avoids the 0/0 of the
// closed form as H → 0.
#include <cmath>

#include "fpgauge/core/Matrix3.h"

namespace fpgauge {

template <class T>
struct ExpCoefficients {
  Complex<T> f0, f1, f2;
};

template <class T>
ExpCoefficients<T> exp_coefficients(T c0, T c1) {
  using std::abs;
  using std::acos;
  using std::cos;
  using std::sin;
  using std::sqrt;
  if (c1 < T(1)) {
    // Σ_n (iH)^n/n! with H^n = a_n + b_n H + c_n H²; the terms fall like |H|^n/n!.
    T a(1), b(0), c(0);
    Complex<T> f0(T(1)), f1(T(0)), f2(T(0));
    Complex<T> phase(T(1));  // i^n / n!
    for (int n = 1; n < 40; ++n) {
      const T a_next = c * c0, b_next = a + c * c1, c_next = b;
      a = a_next, b = b_next, c = c_next;
      phase = times_i(phase) / T(n);
      f0 += phase * a, f1 += phase * b, f2 += phase * c;
      // The term is (i^n/n!)(a_n + b_n H + c_n H²) and the f_j are O(1): stop below round-off.
      if ((abs(phase.re) + abs(phase.im)) * (abs(a) + abs(b) + abs(c)) < T(1e-20)) break;
    }
    return {f0, f1, f2};
  }
  const bool negative = c0 < T(0);
  const T c0_abs = negative ? -c0 : c0;
  const T c0_max = T(2) * c1 / T(3) * sqrt(c1 / T(3));
  T ratio = c0_abs / c0_max;
  if (ratio > T(1)) ratio = T(1);
  const T theta = acos(ratio);
  const T u = sqrt(c1 / T(3)) * cos(theta / T(3));
  const T w = sqrt(c1) * sin(theta / T(3));
  const T u2 = u * u, w2 = w * w;
  const T cos_w = cos(w);
  const T xi0 = abs(w) < T(0.05) ? T(1) - w2 / T(6) * (T(1) - w2 / T(20) * (T(1) - w2 / T(42)))
                                 : sin(w) / w;
  const Complex<T> e2iu(cos(T(2) * u), sin(T(2) * u));
  const Complex<T> emiu(cos(u), -sin(u));
  const Complex<T> h0 = (u2 - w2) * e2iu +
                        emiu * Complex<T>(T(8) * u2 * cos_w, T(2) * u * (T(3) * u2 + w2) * xi0);
  const Complex<T> h1 =
      T(2) * u * e2iu - emiu * Complex<T>(T(2) * u * cos_w, -(T(3) * u2 - w2) * xi0);
  const Complex<T> h2 = e2iu - emiu * Complex<T>(cos_w, T(3) * u * xi0);
  const T inv_den = T(1) / (T(9) * u2 - w2);
  ExpCoefficients<T> f{h0 * inv_den, h1 * inv_den, h2 * inv_den};
  if (negative) {  // f_j(−c0) = (−1)^j f_j(c0)*
    f.f0 = conj(f.f0);
    f.f1 = -conj(f.f1);
    f.f2 = conj(f.f2);
  }
  return f;
}

// exp(iH) for Hermitian traceless H.
template <class T>
Matrix3<T> exp_i(const Matrix3<T>& h) {
  const Matrix3<T> h2 = h * h;
  const T c1 = re_trace(h2) / T(2);
  const T c0 = det(h).re;
  const ExpCoefficients<T> f = exp_coefficients(c0, c1);
  Matrix3<T> r = f.f1 * h + f.f2 * h2;
  for (int i = 0; i < 3; ++i) r.e[i][i] += f.f0;
  return r;
}

}  // namespace fpgauge
