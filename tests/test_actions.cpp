// Gauge actions: unit field, gauge invariance, forces against finite differences.
#include <gtest/gtest.h>

#include <cmath>

#include "TestSupport.h"
#include "fpgauge/actions/ActionFactory.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/core/Su3Algebra.h"

namespace fpgauge {
namespace {

class ActionFamily : public ::testing::TestWithParam<std::string> {};

TEST_P(ActionFamily, UnitFieldHasZeroActionAndForce) {
  const auto action = make_action(GetParam());
  const auto geometry = Geometry::make({4, 4, 4, 4});
  const GaugeField u = unit_gauge_field(geometry);
  EXPECT_EQ(action->value(u), 0.0);
  AlgebraField d;
  action->force(u, d);
  double worst = 0;
  for (SiteIndex l = 0; l < d.size(); ++l) worst = std::max(worst, norm2(d[l]));
  EXPECT_EQ(worst, 0.0);
}

TEST_P(ActionFamily, GaugeInvariant) {
  const auto action = make_action(GetParam());
  const auto geometry = Geometry::make({4, 4, 4, 6});
  const GaugeField u = random_gauge_field(geometry, 11);
  const GaugeField v = gauge_transformed(u, random_gauge_transformation(geometry, 12));
  const double a = action->value(u), b = action->value(v);
  EXPECT_NEAR(b, a, 1e-12 * std::abs(a));
  // The force is covariant: D(ΩU) = Ω(x) D(U) Ω(x)†; its norm per link is invariant.
  AlgebraField du, dv;
  action->force(u, du);
  action->force(v, dv);
  for (SiteIndex l = 0; l < du.size(); l += 37)
    EXPECT_NEAR(norm2(dv[l]), norm2(du[l]), 1e-12 * (1 + norm2(du[l])));
}

TEST_P(ActionFamily, ForceMatchesFiniteDifferences) {
  const auto action = make_action(GetParam());
  const auto geometry = Geometry::make({3, 4, 3, 4});
  for (const double amplitude : {0.3, 3.0}) {
    const GaugeField u = test::near_unit_gauge_field(geometry, 21, amplitude);
    AlgebraField d;
    action->force(u, d);
    auto f = [&](const GaugeField& v) { return action->value(v); };
    for (const SiteIndex link : {SiteIndex(0), SiteIndex(5), SiteIndex(77), u.size() - 1}) {
      const Algebra<double> analytic = matrix_to_algebra(d[link]);
      for (int a = 0; a < 8; ++a) {
        const double numeric = test::finite_difference_lie_derivative(f, u, link, a);
        EXPECT_NEAR(analytic[a], numeric, 1e-8 * (std::abs(numeric) + 1e-2))
            << "link " << link << " a " << a << " amplitude " << amplitude;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllGaugeLoopActions, ActionFamily,
                         ::testing::Values("wilson", "symanzik", "iwasaki", "dbw2",
                                           "plaqrect:0.25"));

TEST(GaugeLoopAction, CoefficientsOfTheNamedActions) {
  EXPECT_DOUBLE_EQ(GaugeLoopAction::symanzik().c0(), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(GaugeLoopAction::iwasaki().c0(), 1.0 + 8 * 0.331);
  EXPECT_DOUBLE_EQ(GaugeLoopAction::dbw2().c1(), -1.4088);
}

TEST(GaugeLoopAction, AbelianPlaneWave) {
  // A constant abelian field in one plane: U_x(x) = diag(e^{iφ y}, e^{-iφ y}, 1) gives every
  // (x,y) plaquette diag(e^{-iφ}, e^{iφ}, 1): A_W = V (1 − (1 + 2cos φ)/3) with the flux quantised
  // so the field is periodic (φ = 2π k / L_y).
  const auto geometry = Geometry::make({4, 8, 4, 4});
  GaugeField u = unit_gauge_field(geometry);
  const double phi = 2 * M_PI / 8;
  for (SiteIndex s = 0; s < geometry->volume(); ++s) {
    const int y = geometry->coordinates(s)[1];
    SU3 m = SU3::identity();
    m.e[0][0] = {std::cos(phi * y), std::sin(phi * y)};
    m.e[1][1] = {std::cos(phi * y), -std::sin(phi * y)};
    u(s, 0) = m;
  }
  const double volume = static_cast<double>(geometry->volume());
  const double expected = volume * (1.0 - (1.0 + 2.0 * std::cos(phi)) / 3.0);
  EXPECT_NEAR(make_action("wilson")->value(u), expected, 1e-11 * expected);
  // Both rectangles of the (x,y) plane enclose two plaquettes, flux 2φ; the other planes
  // carry no flux.
  const double rect = volume * 2.0 * (1.0 - (1.0 + 2.0 * std::cos(2 * phi)) / 3.0);
  const double c1 = -0.331;
  EXPECT_NEAR(make_action("iwasaki")->value(u), (1 - 8 * c1) * expected + c1 * rect,
              1e-11 * expected);
}

TEST(GaugeLoopAction, UnknownNamesAreRejected) {
  EXPECT_THROW(make_action("wilsn"), std::invalid_argument);
  EXPECT_THROW(make_action("plaqrect:abc"), std::invalid_argument);
  EXPECT_THROW(make_action("plaqrect:0.1x"), std::invalid_argument);
  EXPECT_NO_THROW(make_action("plaqrect:-0.1"));
}

}  // namespace
}  // namespace fpgauge
