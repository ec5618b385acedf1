// The project's L-BFGS (core/Lbfgs.h) on functions with known minima, in plain R^n: the
// Rosenbrock valley and an ill-conditioned quadratic; the curvature pairs keep only s·y > 0.
#include <gtest/gtest.h>

#include <cmath>

#include "fpgauge/core/Lbfgs.h"

namespace fpgauge {
namespace {

struct Point {
  LbfgsVector x;
  double value = 0.0;
  LbfgsVector gradient;
};

using Function = std::function<Point(LbfgsVector)>;

// Iterates from x0 until |g| ≤ 1e-12 |g(x0)| or 500 iterations; returns the final point.
Point minimise(const Function& f, LbfgsVector x0, int* iterations) {
  LbfgsHistory history(8, serial_lbfgs_vector_ops());
  LbfgsIteration<Point> lbfgs(history, [&](const Point& from, const LbfgsVector& d, double alpha) {
    LbfgsVector x = from.x;
    for (std::size_t i = 0; i < x.size(); ++i) x[i] += alpha * d[i];
    return f(std::move(x));
  });
  Point current = f(std::move(x0));
  const double tolerance = 1e-12 * std::sqrt(history.ops().dot(current.gradient, current.gradient));
  for (*iterations = 0; *iterations < 500; ++*iterations) {
    const double norm = std::sqrt(history.ops().dot(current.gradient, current.gradient));
    if (norm <= tolerance) break;
    const double before = current.value;
    if (!lbfgs.iterate(current, 0.1 / norm)) break;
    EXPECT_LE(current.value, before);  // every accepted step decreases F
  }
  return current;
}

TEST(Lbfgs, FindsTheMinimumOfTheRosenbrockValley) {
  const Function rosenbrock = [](LbfgsVector x) {
    const double a = 1.0 - x[0], b = x[1] - x[0] * x[0];
    Point p{x, a * a + 100.0 * b * b, {-2.0 * a - 400.0 * x[0] * b, 200.0 * b}};
    return p;
  };
  int iterations = 0;
  const Point end = minimise(rosenbrock, {-1.2, 1.0}, &iterations);
  EXPECT_NEAR(end.x[0], 1.0, 1e-8);
  EXPECT_NEAR(end.x[1], 1.0, 1e-8);
  EXPECT_LT(iterations, 100);  // measured 38; steepest descent needs thousands
}

TEST(Lbfgs, SolvesAnIllConditionedQuadratic) {
  // F = ½ Σ λ_i (x_i − i)², eigenvalues 1 ... 10^3 spread over 20 coordinates. Steepest descent
  // would need ~κ ln(10^12) ≈ 3·10^4 iterations; scipy's L-BFGS-B (m = 8) takes a few hundred.
  const int n = 20;
  const Function quadratic = [n](LbfgsVector x) {
    Point p{x, 0.0, LbfgsVector(n)};
    for (int i = 0; i < n; ++i) {
      const double lambda = std::pow(1e3, i / (n - 1.0)), r = x[i] - i;
      p.value += 0.5 * lambda * r * r;
      p.gradient[i] = lambda * r;
    }
    return p;
  };
  int iterations = 0;
  const Point end = minimise(quadratic, LbfgsVector(n, 0.0), &iterations);
  for (int i = 0; i < n; ++i) EXPECT_NEAR(end.x[i], i, 1e-9) << i;
  EXPECT_LT(iterations, 300);  // measured about 210
}

TEST(Lbfgs, KeepsOnlyPairsOfPositiveCurvature) {
  LbfgsHistory history(2, serial_lbfgs_vector_ops());
  EXPECT_FALSE(history.add({1.0, 0.0}, {-1.0, 0.0}));
  EXPECT_TRUE(history.add({1.0, 0.0}, {2.0, 0.0}));
  EXPECT_TRUE(history.add({0.0, 1.0}, {0.0, 4.0}));
  EXPECT_TRUE(history.add({1.0, 1.0}, {1.0, 1.0}));
  EXPECT_EQ(history.size(), 2u);  // capacity 2: the oldest is gone
  EXPECT_EQ(history.steps().front(), (LbfgsVector{0.0, 1.0}));
  // Without pairs the direction is steepest descent scaled by first_scale.
  history.clear();
  EXPECT_EQ(history.direction({2.0, -4.0}, 0.5), (LbfgsVector{-1.0, 2.0}));
  EXPECT_THROW(LbfgsHistory(0, serial_lbfgs_vector_ops()), std::invalid_argument);
}

}  // namespace
}  // namespace fpgauge
