// RG blocking kernel and the FP equation (SPEC §3): the kernel's normalisation, gauge
// invariance and derivatives; the minimiser; the FP label's invariance and envelope derivative.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>

#include "TestSupport.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/rg/FpEquation.h"

namespace fpgauge {
namespace {

// The project's reference parameters for the tests (SPEC §3 quotes c = 0.05, κ = 8).
constexpr double kC = 0.05, kKappa = 8.0;

BlockingKernel kernel_named(const std::string& name) {
  return name == "degrand" ? BlockingKernel::degrand(kC, kKappa)
                           : BlockingKernel::smeared(kC, kKappa);
}

// Ω on the coarse lattice taken from a fine Ω at the block sites 2n, so that (U^Ω, V^Ω_c) is a
// gauge transformation of the pair.
GaugeTransformation coarse_restriction(const GaugeTransformation& omega,
                                       std::shared_ptr<const Geometry> coarse) {
  GaugeTransformation c(coarse);
  for (SiteIndex n = 0; n < coarse->volume(); ++n)
    c[n] = omega[BlockingKernel::block_site(omega.geometry(), *coarse, n)];
  return c;
}

double max_abs_component(const AlgebraField& d) {
  double m = 0.0;
  for (SiteIndex l = 0; l < d.size(); ++l)
    for (const double h : matrix_to_algebra(d[l])) m = std::max(m, std::abs(h));
  return m;
}

class Kernel : public ::testing::TestWithParam<std::string> {};

TEST_P(Kernel, UnitFieldsAreAFixedPoint) {
  const BlockingKernel kernel = kernel_named(GetParam());
  const GaugeField u = unit_gauge_field(Geometry::make({4, 4, 4, 6}));
  const GaugeField v = unit_gauge_field(BlockingKernel::coarse_geometry(u.geometry()));
  const AlgebraField q = kernel.blocked_links(u, v.geometry_ptr());
  for (SiteIndex l = 0; l < q.size(); ++l) EXPECT_LT(norm2(q[l] - SU3::identity()), 1e-28);
  AlgebraField d;
  EXPECT_NEAR(kernel.value_and_fine_force(u, v, d), 0.0, 1e-13);
  EXPECT_LT(max_abs_component(d), 1e-14);
}

TEST_P(Kernel, NonNegativeAndGaugeInvariant) {
  const BlockingKernel kernel = kernel_named(GetParam());
  const auto fine = Geometry::make({4, 4, 6, 4});
  const auto coarse = BlockingKernel::coarse_geometry(*fine);
  const GaugeField u = test::near_unit_gauge_field(fine, 1, 0.4);
  const GaugeField v = test::near_unit_gauge_field(coarse, 2, 0.4);
  const double t = kernel.value(u, v);
  EXPECT_GT(t, 0.0);
  const GaugeTransformation omega = random_gauge_transformation(fine, 3);
  const double t_transformed = kernel.value(gauge_transformed(u, omega),
                                            gauge_transformed(v, coarse_restriction(omega, coarse)));
  EXPECT_NEAR(t_transformed, t, 1e-12 * t);
  // A fine transformation that is trivial on the block sites changes U but not T.
  GaugeTransformation inner = omega;
  for (SiteIndex n = 0; n < coarse->volume(); ++n)
    inner[BlockingKernel::block_site(*fine, *coarse, n)] = SU3::identity();
  EXPECT_NEAR(kernel.value(gauge_transformed(u, inner), v), t, 1e-12 * t);
}

TEST_P(Kernel, FineAndCoarseForcesMatchFiniteDifferences) {
  const BlockingKernel kernel = kernel_named(GetParam());
  const auto fine = Geometry::make({4, 4, 4, 6});
  const auto coarse = BlockingKernel::coarse_geometry(*fine);
  const GaugeField u = test::near_unit_gauge_field(fine, 4, 0.5);
  const GaugeField v = test::near_unit_gauge_field(coarse, 5, 0.5);
  AlgebraField d_fine, d_coarse;
  kernel.value_and_fine_force(u, v, d_fine);
  kernel.coarse_force(u, v, d_coarse);
  const auto of_fine = [&](const GaugeField& w) { return kernel.value(w, v); };
  const auto of_coarse = [&](const GaugeField& w) { return kernel.value(u, w); };
  // Fine links on the straight double link, in staples, and elsewhere.
  for (const SiteIndex link : {SiteIndex(0), SiteIndex(1), SiteIndex(6), SiteIndex(4 * 21 + 2),
                               SiteIndex(4 * 85 + 3), u.size() - 1}) {
    const Algebra<double> analytic = matrix_to_algebra(d_fine[link]);
    for (int a = 0; a < 8; ++a) {
      const double numeric = test::finite_difference_lie_derivative(of_fine, u, link, a);
      EXPECT_NEAR(analytic[a], numeric, 1e-8 * (std::abs(numeric) + 1e-2))
          << "fine link " << link << " a " << a;
    }
  }
  for (const SiteIndex link : {SiteIndex(0), SiteIndex(7), v.size() - 1}) {
    const Algebra<double> analytic = matrix_to_algebra(d_coarse[link]);
    for (int a = 0; a < 8; ++a) {
      const double numeric = test::finite_difference_lie_derivative(of_coarse, v, link, a);
      EXPECT_NEAR(analytic[a], numeric, 1e-8 * (std::abs(numeric) + 1e-2))
          << "coarse link " << link << " a " << a;
    }
  }
}

TEST_P(Kernel, FineForceDoesNotDependOnTheThreadCount) {
  const BlockingKernel kernel = kernel_named(GetParam());
  const auto fine = Geometry::make({4, 8, 4, 4});
  const GaugeField u = random_gauge_field(fine, 6);
  const GaugeField v = random_gauge_field(BlockingKernel::coarse_geometry(*fine), 7);
  AlgebraField one, two;
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const double t1 = kernel.value_and_fine_force(u, v, one);
  omp_set_num_threads(2);
  const double t2 = kernel.value_and_fine_force(u, v, two);
  omp_set_num_threads(threads);
  EXPECT_EQ(t1, t2);
  for (SiteIndex l = 0; l < one.size(); ++l) ASSERT_EQ(norm2(one[l] - two[l]), 0.0) << l;
}

INSTANTIATE_TEST_SUITE_P(DegrandAndSmeared, Kernel, ::testing::Values("degrand", "smeared"));

TEST(BlockingKernelTable, RefusesMalformedTables) {
  const auto refused = [](std::vector<KernelPath> paths, const std::string& message) {
    try {
      BlockingKernel("test", std::move(paths), 1.0);
      ADD_FAILURE() << "accepted; expected " << message;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  };
  refused({{"mu mu", 0.5}, {"nu mu mu -nu", 0.5}}, "sum to 3.5");
  refused({{"mu nu", 1.0}}, "does not end");
  refused({{"mu tau mu", 1.0}}, "unknown token 'tau'");
  EXPECT_THROW(BlockingKernel::degrand(0.05, 0.0), std::invalid_argument);
}

TEST(Prolongation, SquareRootOfTheCoarseLinks) {
  const auto coarse = Geometry::make({2, 2, 2, 2});
  const GaugeField v = test::near_unit_gauge_field(coarse, 8, 0.8);
  const GaugeField u = prolongate(v);
  const Geometry& fine = u.geometry();
  for (SiteIndex n = 0; n < coarse->volume(); ++n) {
    const SiteIndex s = BlockingKernel::block_site(fine, *coarse, n);
    for (int mu = 0; mu < kDimensions; ++mu)
      EXPECT_LT(norm2(u(s, mu) * u(fine.forward(s, mu), mu) - v(n, mu)), 1e-26);
  }
}

// A_FP(V) on coarse 2^4 (fine 4^4) with the Wilson fine action.
class FpEquation : public ::testing::Test {
 protected:
  const std::shared_ptr<const Geometry> coarse_ = Geometry::make({2, 2, 2, 2});
  const BlockingKernel kernel_ = BlockingKernel::degrand(kC, kKappa);
  const GaugeLoopAction wilson_ = GaugeLoopAction::wilson();
  MinimiserOptions options_{.gradient_tolerance = 1e-10};
};

TEST_F(FpEquation, UnitFieldHasZeroActionAndDerivative) {
  const FpLabel label = solve_fp_equation(unit_gauge_field(coarse_), wilson_, kernel_, options_);
  EXPECT_TRUE(label.minimisation.converged);
  EXPECT_NEAR(label.action, 0.0, 1e-13);
  EXPECT_LT(max_abs_component(label.derivative), 1e-13);
}

TEST_F(FpEquation, CoarseGaugeInvariance) {
  const GaugeField v = test::near_unit_gauge_field(coarse_, 9, 0.3);
  const GaugeTransformation omega = random_gauge_transformation(coarse_, 10);
  const FpLabel label = solve_fp_equation(v, wilson_, kernel_, options_);
  const FpLabel transformed =
      solve_fp_equation(gauge_transformed(v, omega), wilson_, kernel_, options_);
  ASSERT_TRUE(label.minimisation.converged);
  ASSERT_TRUE(transformed.minimisation.converged);
  EXPECT_NEAR(transformed.action, label.action, 1e-12 * label.action);
  // D(V^Ω)_{n,μ} = Ω(n) D(V)_{n,μ} Ω(n)†, to the minimiser's tolerance (first order).
  for (SiteIndex n = 0; n < coarse_->volume(); ++n)
    for (int mu = 0; mu < kDimensions; ++mu) {
      const Matrix3d expected = omega[n] * label.derivative(n, mu) * adj(omega[n]);
      EXPECT_LT(std::sqrt(norm2(transformed.derivative(n, mu) - expected)), 1e-8);
    }
}

// The measure of label differences: ‖a − b‖/‖b‖, here for a = 3b (2) and for b = 0 (0).
TEST(RelativeForceDifference, IsTheRelativeNormOfTheDifference) {
  const auto geometry = Geometry::make({2, 2, 2, 2});
  AlgebraField b(geometry), a(geometry), zero(geometry);
  for (SiteIndex l = 0; l < b.size(); ++l) {
    Algebra<double> h{};
    for (int k = 0; k < kAlgebraDim; ++k) h[k] = std::sin(1.0 + 8.0 * l + k);
    b[l] = algebra_to_matrix(h);
    a[l] = b[l] * 3.0;
  }
  EXPECT_NEAR(relative_force_difference(a, b), 2.0, 1e-15);
  EXPECT_NEAR(relative_force_difference(b, a), 2.0 / 3.0, 1e-15);
  EXPECT_EQ(relative_force_difference(a, zero), 0.0);
}

TEST_F(FpEquation, SmoothFieldReachesOneMinimumFromEveryStart) {
  const GaugeField v = test::near_unit_gauge_field(coarse_, 12, 0.3);
  const FpLabel single = solve_fp_equation(v, wilson_, kernel_, options_);
  const FpLabel label =
      solve_fp_equation_from_starts(v, wilson_, kernel_, options_, {.count = 4, .spread = 0.5});
  EXPECT_EQ(label.minima, 1);
  EXPECT_LT(label.derivative_spread, 1e-6);
  EXPECT_GT(label.derivative_spread, 0.0);  // the starts did end elsewhere within the tolerance
  EXPECT_EQ(label.action, single.action);  // the prolongation's label, bit for bit
  for (SiteIndex l = 0; l < v.size(); ++l)
    ASSERT_EQ(norm2(label.derivative[l] - single.derivative[l]), 0.0) << "link " << l;
}

// A Haar-random coarse field, the roughest there is: F has several local minima, and the label
// is the lowest one the starts reach.
TEST_F(FpEquation, RoughFieldKeepsTheLowestOfSeveralMinima) {
  const GaugeField v = random_gauge_field(coarse_, 2);
  const FpLabel single = solve_fp_equation(v, wilson_, kernel_, options_);
  const FpLabel label =
      solve_fp_equation_from_starts(v, wilson_, kernel_, options_, {.count = 4, .spread = 0.5});
  EXPECT_GE(label.minima, 2);
  EXPECT_GT(label.derivative_spread, 0.01);
  EXPECT_LE(label.action, single.action);
  EXPECT_TRUE(label.minimisation.converged);
}

TEST_F(FpEquation, EnvelopeDerivativeMatchesFiniteDifferences) {
  const GaugeField v = test::near_unit_gauge_field(coarse_, 11, 0.3);
  GaugeField minimiser;
  const FpLabel label = solve_fp_equation(v, wilson_, kernel_, options_, &minimiser);
  ASSERT_TRUE(label.minimisation.converged);
  // Each value re-minimises from U*, which stays close for the small steps of the difference.
  const auto a_fp = [&](const GaugeField& w) {
    GaugeField start = minimiser;
    return solve_fp_equation(w, wilson_, kernel_, options_, &start).action;
  };
  for (const SiteIndex link : {SiteIndex(0), SiteIndex(29)}) {
    const Algebra<double> analytic = matrix_to_algebra(label.derivative[link]);
    for (const int a : {0, 2, 7}) {
      const double numeric = test::finite_difference_lie_derivative(a_fp, v, link, a);
      EXPECT_NEAR(analytic[a], numeric, 1e-7 * (std::abs(numeric) + 1e-2))
          << "link " << link << " a " << a;
    }
  }
}

}  // namespace
}  // namespace fpgauge
