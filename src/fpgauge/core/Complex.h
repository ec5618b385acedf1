#pragma once
// A minimal complex number over any real scalar type T (double, long double, dual numbers,
// SIMD lanes). std::complex<T> is only specified for float/double/long double, so the
// SU(3) kernels use this one type instead.
namespace fpgauge {

template <class T>
struct Complex {
  T re{};
  T im{};

  constexpr Complex() = default;
  constexpr Complex(T r) : re(r), im(T(0)) {}  // NOLINT: implicit real -> complex
  constexpr Complex(T r, T i) : re(r), im(i) {}

  constexpr Complex& operator+=(const Complex& b) { re += b.re; im += b.im; return *this; }
  constexpr Complex& operator-=(const Complex& b) { re -= b.re; im -= b.im; return *this; }
  constexpr Complex& operator*=(const Complex& b) { *this = *this * b; return *this; }
  constexpr Complex& operator*=(const T& s) { re *= s; im *= s; return *this; }

  friend constexpr Complex operator+(Complex a, const Complex& b) { return a += b; }
  friend constexpr Complex operator-(Complex a, const Complex& b) { return a -= b; }
  friend constexpr Complex operator-(const Complex& a) { return {-a.re, -a.im}; }
  friend constexpr Complex operator*(const Complex& a, const Complex& b) {
    return {a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re};
  }
  friend constexpr Complex operator*(const Complex& a, const T& s) { return {a.re * s, a.im * s}; }
  friend constexpr Complex operator*(const T& s, const Complex& a) { return {a.re * s, a.im * s}; }
  friend constexpr Complex operator/(const Complex& a, const Complex& b) {
    const T n = b.re * b.re + b.im * b.im;
    return {(a.re * b.re + a.im * b.im) / n, (a.im * b.re - a.re * b.im) / n};
  }
  friend constexpr Complex operator/(const Complex& a, const T& s) { return {a.re / s, a.im / s}; }
};

template <class T> constexpr Complex<T> conj(const Complex<T>& a) { return {a.re, -a.im}; }
template <class T> constexpr T norm2(const Complex<T>& a) { return a.re * a.re + a.im * a.im; }
// i*a, without a multiplication.
template <class T> constexpr Complex<T> times_i(const Complex<T>& a) { return {-a.im, a.re}; }
// conj(a)*b: the building block of A†B.
template <class T> constexpr Complex<T> conj_mul(const Complex<T>& a, const Complex<T>& b) {
  return {a.re * b.re + a.im * b.im, a.re * b.im - a.im * b.re};
}

}  // namespace fpgauge
