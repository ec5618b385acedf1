#pragma once
// A dual number v + t·ε with ε² = 0: forward-mode differentiation along one tangent direction.
// Used as the scalar of Complex<Dual> and Matrix3<Dual>, so that code templated on the scalar,
// run on dual-valued inputs, returns each result together with its directional derivative
// (the L-CNN's Hessian-vector products: forward mode over its reverse pass, SPEC §5).
// Comparisons look at the value only, so branches follow the value.
#include <cmath>
#include <compare>

namespace fpgauge {

struct Dual {
  double value = 0.0;
  double tangent = 0.0;

  constexpr Dual() = default;
  constexpr Dual(double v) : value(v) {}  // NOLINT: implicit constant -> dual (tangent 0)
  constexpr Dual(double v, double t) : value(v), tangent(t) {}

  constexpr Dual& operator+=(const Dual& b) {
    value += b.value;
    tangent += b.tangent;
    return *this;
  }
  constexpr Dual& operator-=(const Dual& b) {
    value -= b.value;
    tangent -= b.tangent;
    return *this;
  }
  constexpr Dual& operator*=(const Dual& b) {
    tangent = tangent * b.value + value * b.tangent;
    value *= b.value;
    return *this;
  }
  constexpr Dual& operator*=(double s) { value *= s; tangent *= s; return *this; }
  constexpr Dual& operator/=(const Dual& b) { return *this = *this / b; }

  friend constexpr Dual operator+(Dual a, const Dual& b) { return a += b; }
  friend constexpr Dual operator-(Dual a, const Dual& b) { return a -= b; }
  friend constexpr Dual operator-(const Dual& a) { return {-a.value, -a.tangent}; }
  friend constexpr Dual operator*(Dual a, const Dual& b) { return a *= b; }
  friend constexpr Dual operator*(Dual a, double s) { return a *= s; }
  friend constexpr Dual operator*(double s, Dual a) { return a *= s; }
  friend constexpr Dual operator/(const Dual& a, const Dual& b) {
    const double inv = 1.0 / b.value;
    return {a.value * inv, (a.tangent - a.value * inv * b.tangent) * inv};
  }
  friend constexpr Dual operator/(const Dual& a, double s) { return {a.value / s, a.tangent / s}; }

  friend constexpr bool operator==(const Dual& a, const Dual& b) { return a.value == b.value; }
  friend constexpr auto operator<=>(const Dual& a, const Dual& b) { return a.value <=> b.value; }

  // Hidden friends, found by argument-dependent lookup only: exp(double) elsewhere in the
  // namespace still means std::exp.
  friend Dual exp(const Dual& x) {
    const double e = std::exp(x.value);
    return {e, e * x.tangent};
  }
  friend Dual tanh(const Dual& x) {
    const double t = std::tanh(x.value);
    return {t, (1.0 - t * t) * x.tangent};
  }
};

}  // namespace fpgauge
