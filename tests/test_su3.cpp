// SU(3) core: algebra conventions, the exponential, the max-trace projection, Haar matrices.
#include <gtest/gtest.h>

#include <cmath>

#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/core/Su3Exp.h"
#include "fpgauge/core/Su3Projection.h"
#include "fpgauge/lattice/Rng.h"

namespace fpgauge {
namespace {

Matrix3d random_hermitian_traceless(RngStream& rng, double scale) {
  Algebra<double> h;
  for (double& x : h) x = scale * rng.normal();
  return algebra_to_matrix(h);
}

Matrix3d random_matrix(RngStream& rng) {
  Matrix3d m;
  for (auto& row : m.e)
    for (auto& z : row) z = {rng.normal(), rng.normal()};
  return m;
}

SU3 random_su3(RngStream& rng) { return haar_su3<double>([&] { return rng.normal(); }); }

double distance(const Matrix3d& a, const Matrix3d& b) { return std::sqrt(norm2(a - b)); }

// exp(X) by scaling and squaring of a long-double Taylor series: an independent reference.
Matrix3<long double> reference_exp(const Matrix3d& x_double) {
  Matrix3<long double> x;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) x.e[i][j] = {x_double.e[i][j].re, x_double.e[i][j].im};
  int squarings = 10;
  x *= 1.0L / 1024.0L;
  Matrix3<long double> sum = Matrix3<long double>::identity(), term = sum;
  for (int n = 1; n < 30; ++n) {
    term = term * x;
    term *= 1.0L / n;
    sum += term;
  }
  for (int k = 0; k < squarings; ++k) sum = sum * sum;
  return sum;
}

TEST(Su3Algebra, GeneratorsAreNormalisedAndOrthogonal) {
  for (int a = 0; a < 8; ++a) {
    const Matrix3d ta = generator<double>(a);
    EXPECT_NEAR(std::abs(trace(ta).re) + std::abs(trace(ta).im), 0.0, 1e-15);
    for (int b = 0; b < 8; ++b) {
      const Complex<double> t = trace(ta * generator<double>(b));
      EXPECT_NEAR(t.re, a == b ? 0.5 : 0.0, 1e-15);
      EXPECT_NEAR(t.im, 0.0, 1e-15);
    }
  }
}

TEST(Su3Algebra, GellMannMatricesAsDefined) {
  // t^2 = λ^2/2 has −i/2 at (0,1); t^8 = diag(1,1,−2)/(2√3).
  const Matrix3d t2 = generator<double>(1);
  EXPECT_DOUBLE_EQ(t2.e[0][1].im, -0.5);
  EXPECT_DOUBLE_EQ(t2.e[1][0].im, 0.5);
  const Matrix3d t8 = generator<double>(7);
  EXPECT_NEAR(t8.e[2][2].re, -1.0 / std::sqrt(3.0), 1e-15);
  EXPECT_NEAR(t8.e[0][0].re, 0.5 / std::sqrt(3.0), 1e-15);
}

TEST(Su3Algebra, RoundTripThroughMatrix) {
  RngStream rng(1, RngPurpose::test, 0, 0);
  Algebra<double> h;
  for (double& x : h) x = rng.normal();
  const Algebra<double> back = matrix_to_algebra(algebra_to_matrix(h));
  for (int a = 0; a < 8; ++a) EXPECT_NEAR(back[a], h[a], 1e-15);
}

TEST(Su3Algebra, LieGradientMatchesDefinition) {
  // For ∂^a f = Re tr(i t^a M): D = Σ t^a ∂^a f must equal lie_gradient(M).
  RngStream rng(2, RngPurpose::test, 0, 0);
  const Matrix3d m = random_matrix(rng);
  Matrix3d expected = Matrix3d::zero();
  for (int a = 0; a < 8; ++a) {
    const double da = re_trace(Complex<double>(0, 1) * (generator<double>(a) * m));
    expected += da * generator<double>(a);
  }
  EXPECT_LT(distance(lie_gradient(m), expected), 1e-14);
}

TEST(Su3Exp, MatchesReferenceOverManyScales) {
  RngStream rng(3, RngPurpose::test, 0, 0);
  for (const double scale : {1e-9, 1e-5, 1e-2, 0.3, 1.0, 2.5, 7.0}) {
    for (int k = 0; k < 50; ++k) {
      const Matrix3d h = random_hermitian_traceless(rng, scale);
      const SU3 e = exp_i(h);
      const Matrix3<long double> ref = reference_exp(Complex<double>(0, 1) * h);
      double err = 0;
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
          err = std::max(err, static_cast<double>(std::abs(e.e[i][j].re - ref.e[i][j].re) +
                                                  std::abs(e.e[i][j].im - ref.e[i][j].im)));
      EXPECT_LT(err, 2e-14 * (1 + scale)) << "scale " << scale;
      EXPECT_LT(distance(mul_adj(e, e), SU3::identity()), 1e-14);
      const Complex<double> d = det(e);
      EXPECT_NEAR(d.re, 1.0, 1e-14);
      EXPECT_NEAR(d.im, 0.0, 1e-14);
    }
  }
}

TEST(Su3Exp, DegenerateEigenvalues) {
  // c0 = ±c0_max (two equal eigenvalues) and the pure λ8 direction.
  for (const double s : {-3.0, -0.7, 0.7, 3.0}) {
    const Matrix3d h = s * generator<double>(7);
    const SU3 e = exp_i(h);
    const double l0 = s / (2 * std::sqrt(3.0)), l2 = -s / std::sqrt(3.0);
    EXPECT_NEAR(e.e[0][0].re, std::cos(l0), 1e-14);
    EXPECT_NEAR(e.e[0][0].im, std::sin(l0), 1e-14);
    EXPECT_NEAR(e.e[2][2].re, std::cos(l2), 1e-14);
    EXPECT_NEAR(e.e[2][2].im, std::sin(l2), 1e-14);
    EXPECT_NEAR(std::abs(e.e[0][1].re) + std::abs(e.e[0][2].im), 0.0, 1e-15);
  }
}

TEST(Su3Projection, ReunitariseGivesSu3AndFixesSu3) {
  RngStream rng(4, RngPurpose::test, 0, 0);
  const SU3 u = random_su3(rng);
  EXPECT_LT(distance(reunitarise(u), u), 1e-14);
  const SU3 r = reunitarise(random_matrix(rng));
  EXPECT_LT(distance(mul_adj(r, r), SU3::identity()), 1e-14);
  EXPECT_NEAR(det(r).re, 1.0, 1e-14);
}

TEST(Su3Projection, MaxTraceLeavesSu3Unchanged) {
  RngStream rng(5, RngPurpose::test, 0, 0);
  for (int k = 0; k < 20; ++k) {
    const SU3 u = random_su3(rng);
    EXPECT_LT(distance(project_max_trace(u), u), 1e-12);
    EXPECT_LT(distance(project_max_trace(2.5 * u), u), 1e-12);
  }
}

TEST(Su3Projection, MaxTraceBeatsEveryPerturbation) {
  RngStream rng(6, RngPurpose::test, 0, 0);
  for (int k = 0; k < 50; ++k) {
    // Sums of a few SU(3) matrices, like blocked links; and raw Gaussian matrices.
    Matrix3d q = k % 2 ? random_matrix(rng) : random_su3(rng) + 0.4 * random_su3(rng);
    const SU3 w = project_max_trace(q);
    EXPECT_LT(distance(mul_adj(w, w), SU3::identity()), 1e-13);
    EXPECT_NEAR(det(w).re, 1.0, 1e-13);
    const double best = re_trace(mul_adj(w, q));
    for (int p = 0; p < 200; ++p) {
      const double size = p < 100 ? 1e-3 : 0.5;
      const SU3 other = exp_i(random_hermitian_traceless(rng, size)) * w;
      EXPECT_LE(re_trace(mul_adj(other, q)), best + 1e-13);
    }
  }
}

TEST(Su3Projection, MaxTraceIsGaugeCovariant) {
  RngStream rng(7, RngPurpose::test, 0, 0);
  for (int k = 0; k < 50; ++k) {
    const Matrix3d q = random_matrix(rng);
    const SU3 a = random_su3(rng), b = random_su3(rng);
    const SU3 lhs = project_max_trace(mul_adj(a * q, b));
    const SU3 rhs = mul_adj(a * project_max_trace(q), b);
    EXPECT_LT(distance(lhs, rhs), 1e-11);
  }
}

TEST(Su3Random, HaarMomentsOfTheTrace) {
  // For Haar SU(3): <tr U> = 0 and <|tr U|^2> = 1.
  RngStream rng(8, RngPurpose::test, 0, 0);
  const int n = 40000;
  double m1 = 0, m2 = 0;
  for (int k = 0; k < n; ++k) {
    const Complex<double> t = trace(random_su3(rng));
    m1 += t.re;
    m2 += norm2(t);
  }
  m1 /= n;
  m2 /= n;
  // Var(Re tr U) = 1/2, so the standard error of m1 is 0.0035; of m2 it is ~0.005.
  EXPECT_NEAR(m1, 0.0, 0.015);
  EXPECT_NEAR(m2, 1.0, 0.025);
}

}  // namespace
}  // namespace fpgauge
