#pragma once
// 3x3 complex matrices over a real scalar T: the SU(3) links, the site-local features of the
// L-CNN, forces and momenta (Hermitian traceless). Products are written out so that the
// compiler sees straight-line code; T may be double, long double or a dual number.
#include "fpgauge/core/Complex.h"

namespace fpgauge {

template <class T>
struct Matrix3 {
  Complex<T> e[3][3];  // row-major: e[row][column]; in memory (re, im) pairs, NERSC/ILDG order

  static constexpr Matrix3 zero() { return Matrix3{}; }
  static constexpr Matrix3 identity() {
    Matrix3 m{};
    for (int i = 0; i < 3; ++i) m.e[i][i] = Complex<T>(T(1));
    return m;
  }

  constexpr Complex<T>& operator()(int i, int j) { return e[i][j]; }
  constexpr const Complex<T>& operator()(int i, int j) const { return e[i][j]; }

  constexpr Matrix3& operator+=(const Matrix3& b) {
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) e[i][j] += b.e[i][j];
    return *this;
  }
  constexpr Matrix3& operator-=(const Matrix3& b) {
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) e[i][j] -= b.e[i][j];
    return *this;
  }
  constexpr Matrix3& operator*=(const T& s) {
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) e[i][j] *= s;
    return *this;
  }
  constexpr Matrix3& operator*=(const Complex<T>& s) {
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) e[i][j] = s * e[i][j];
    return *this;
  }
  friend constexpr Matrix3 operator+(Matrix3 a, const Matrix3& b) { return a += b; }
  friend constexpr Matrix3 operator-(Matrix3 a, const Matrix3& b) { return a -= b; }
  friend constexpr Matrix3 operator-(Matrix3 a) { return a *= T(-1); }
  friend constexpr Matrix3 operator*(Matrix3 a, const T& s) { return a *= s; }
  friend constexpr Matrix3 operator*(const T& s, Matrix3 a) { return a *= s; }
  friend constexpr Matrix3 operator*(const Complex<T>& s, Matrix3 a) { return a *= s; }
};

// A*B
template <class T>
constexpr Matrix3<T> operator*(const Matrix3<T>& a, const Matrix3<T>& b) {
  Matrix3<T> c;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      c.e[i][j] = a.e[i][0] * b.e[0][j] + a.e[i][1] * b.e[1][j] + a.e[i][2] * b.e[2][j];
  return c;
}

// A*B†
template <class T>
constexpr Matrix3<T> mul_adj(const Matrix3<T>& a, const Matrix3<T>& b) {
  Matrix3<T> c;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      c.e[i][j] = a.e[i][0] * conj(b.e[j][0]) + a.e[i][1] * conj(b.e[j][1]) +
                  a.e[i][2] * conj(b.e[j][2]);
  return c;
}

// A†*B
template <class T>
constexpr Matrix3<T> adj_mul(const Matrix3<T>& a, const Matrix3<T>& b) {
  Matrix3<T> c;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      c.e[i][j] = conj_mul(a.e[0][i], b.e[0][j]) + conj_mul(a.e[1][i], b.e[1][j]) +
                  conj_mul(a.e[2][i], b.e[2][j]);
  return c;
}

// Products as chains of real multiply-adds, for throughput kernels (T = SimdDouble): every
// entry is accumulated term by term, c.re += a.re b.re, c.re −= a.im b.im, …, the shape a
// compiler contracts into FMAs (108 per product instead of operator*'s 144 instructions; the
// flops are the same 198, plus 18 for the accumulating forms). They differ from operator*,
// mul_adj and adj_mul only in rounding. c must not be a or b.
//   mul_into(c, a, b): c = A·B      mul_adj_into: c = A·B†      adj_mul_into: c = A†·B
//   mul_add(c, a, b):  c += A·B     mul_adj_add:  c += A·B†     adj_mul_add:  c += A†·B
namespace matrix3_detail {

template <bool kAdjA, bool kAdjB, bool kAccumulate, class T>
constexpr void product_chain(Matrix3<T>& c, const Matrix3<T>& a, const Matrix3<T>& b) {
  static_assert(!(kAdjA && kAdjB), "A†B† is (BA)†");
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      T re, im;
      if constexpr (kAccumulate) {
        re = c.e[i][j].re;
        im = c.e[i][j].im;
      }
      for (int k = 0; k < 3; ++k) {
        // x · y with x = A_ik or conj(A_ki), y = B_kj or conj(B_jk); x, y below are the
        // stored entries, the conjugations are the signs.
        const Complex<T>& x = kAdjA ? a.e[k][i] : a.e[i][k];
        const Complex<T>& y = kAdjB ? b.e[j][k] : b.e[k][j];
        const T& im_first = kAdjB ? x.im : x.re;  // the cross term with a + sign
        const T& im_other = kAdjB ? y.re : y.im;
        if (!kAccumulate && k == 0) {
          re = x.re * y.re;
          im = im_first * im_other;
        } else {
          re += x.re * y.re;
          im += im_first * im_other;
        }
        if constexpr (kAdjA || kAdjB) re += x.im * y.im;
        else re -= x.im * y.im;
        if constexpr (kAdjB) im -= x.re * y.im;
        else if constexpr (kAdjA) im -= x.im * y.re;
        else im += x.im * y.re;
      }
      c.e[i][j] = {re, im};
    }
}

}  // namespace matrix3_detail

template <class T>
constexpr void mul_into(Matrix3<T>& c, const Matrix3<T>& a, const Matrix3<T>& b) {
  matrix3_detail::product_chain<false, false, false>(c, a, b);
}
template <class T>
constexpr void mul_adj_into(Matrix3<T>& c, const Matrix3<T>& a, const Matrix3<T>& b) {
  matrix3_detail::product_chain<false, true, false>(c, a, b);
}
template <class T>
constexpr void adj_mul_into(Matrix3<T>& c, const Matrix3<T>& a, const Matrix3<T>& b) {
  matrix3_detail::product_chain<true, false, false>(c, a, b);
}
template <class T>
constexpr void mul_add(Matrix3<T>& c, const Matrix3<T>& a, const Matrix3<T>& b) {
  matrix3_detail::product_chain<false, false, true>(c, a, b);
}
template <class T>
constexpr void mul_adj_add(Matrix3<T>& c, const Matrix3<T>& a, const Matrix3<T>& b) {
  matrix3_detail::product_chain<false, true, true>(c, a, b);
}
template <class T>
constexpr void adj_mul_add(Matrix3<T>& c, const Matrix3<T>& a, const Matrix3<T>& b) {
  matrix3_detail::product_chain<true, false, true>(c, a, b);
}

template <class T>
constexpr Matrix3<T> adj(const Matrix3<T>& a) {
  Matrix3<T> c;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) c.e[i][j] = conj(a.e[j][i]);
  return c;
}

template <class T>
constexpr Complex<T> trace(const Matrix3<T>& a) {
  return a.e[0][0] + a.e[1][1] + a.e[2][2];
}

template <class T>
constexpr T re_trace(const Matrix3<T>& a) {
  return a.e[0][0].re + a.e[1][1].re + a.e[2][2].re;
}

// Re tr(A*B) without forming the product.
template <class T>
constexpr T re_trace_mul(const Matrix3<T>& a, const Matrix3<T>& b) {
  T s(0);
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 3; ++k) s += a.e[i][k].re * b.e[k][i].re - a.e[i][k].im * b.e[k][i].im;
  return s;
}

template <class T>
constexpr Complex<T> det(const Matrix3<T>& a) {
  return a.e[0][0] * (a.e[1][1] * a.e[2][2] - a.e[1][2] * a.e[2][1]) -
         a.e[0][1] * (a.e[1][0] * a.e[2][2] - a.e[1][2] * a.e[2][0]) +
         a.e[0][2] * (a.e[1][0] * a.e[2][1] - a.e[1][1] * a.e[2][0]);
}

// Frobenius norm squared, sum |a_ij|^2.
template <class T>
constexpr T norm2(const Matrix3<T>& a) {
  T s(0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) s += norm2(a.e[i][j]);
  return s;
}

// Inverse by the adjugate (used by the polar iteration; the input is never near singular there).
template <class T>
constexpr Matrix3<T> inverse(const Matrix3<T>& a) {
  Matrix3<T> c;
  c.e[0][0] = a.e[1][1] * a.e[2][2] - a.e[1][2] * a.e[2][1];
  c.e[0][1] = a.e[0][2] * a.e[2][1] - a.e[0][1] * a.e[2][2];
  c.e[0][2] = a.e[0][1] * a.e[1][2] - a.e[0][2] * a.e[1][1];
  c.e[1][0] = a.e[1][2] * a.e[2][0] - a.e[1][0] * a.e[2][2];
  c.e[1][1] = a.e[0][0] * a.e[2][2] - a.e[0][2] * a.e[2][0];
  c.e[1][2] = a.e[0][2] * a.e[1][0] - a.e[0][0] * a.e[1][2];
  c.e[2][0] = a.e[1][0] * a.e[2][1] - a.e[1][1] * a.e[2][0];
  c.e[2][1] = a.e[0][1] * a.e[2][0] - a.e[0][0] * a.e[2][1];
  c.e[2][2] = a.e[0][0] * a.e[1][1] - a.e[0][1] * a.e[1][0];
  const Complex<T> d = a.e[0][0] * c.e[0][0] + a.e[0][1] * c.e[1][0] + a.e[0][2] * c.e[2][0];
  const Complex<T> inv_d = Complex<T>(T(1)) / d;
  return inv_d * c;
}

using Matrix3d = Matrix3<double>;
using SU3 = Matrix3<double>;  // a link: an element of SU(3) by construction, not by type
static_assert(sizeof(Matrix3d) == 18 * sizeof(double));

}  // namespace fpgauge
