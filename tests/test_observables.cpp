// Observables: unit field, gauge invariance, exact values on abelian fields.
#include <gtest/gtest.h>

#include <cmath>

#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge {
namespace {

TEST(GaugeObservables, UnitFieldGivesOne) {
  const GaugeField u = unit_gauge_field(Geometry::make({4, 4, 4, 6}));
  EXPECT_DOUBLE_EQ(average_plaquette(u), 1.0);
  EXPECT_DOUBLE_EQ(average_rectangle(u), 1.0);
  EXPECT_DOUBLE_EQ(average_link_trace(u), 1.0);
  EXPECT_DOUBLE_EQ(wilson_loop(u, 2, 3), 1.0);
  EXPECT_DOUBLE_EQ(polyakov_loop(u).real(), 1.0);
  EXPECT_DOUBLE_EQ(polyakov_loop(u).imag(), 0.0);
}

TEST(GaugeObservables, GaugeInvariant) {
  const auto g = Geometry::make({4, 4, 4, 6});
  const GaugeField u = random_gauge_field(g, 3);
  const GaugeField v = gauge_transformed(u, random_gauge_transformation(g, 4));
  EXPECT_NEAR(average_plaquette(v), average_plaquette(u), 1e-13);
  EXPECT_NEAR(average_rectangle(v), average_rectangle(u), 1e-13);
  EXPECT_NEAR(wilson_loop(v, 2, 2), wilson_loop(u, 2, 2), 1e-13);
  EXPECT_NEAR(polyakov_loop(v).real(), polyakov_loop(u).real(), 1e-13);
  EXPECT_NEAR(polyakov_loop(v).imag(), polyakov_loop(u).imag(), 1e-13);
}

// U_x = diag(e^{iφ t}, e^{−iφ t}, 1): flux φ through every (x,t) plaquette, nothing elsewhere.
GaugeField abelian_xt_field(std::shared_ptr<const Geometry> g, double phi) {
  GaugeField u = unit_gauge_field(g);
  for (SiteIndex s = 0; s < g->volume(); ++s) {
    const int t = g->coordinates(s)[3];
    u(s, 0).e[0][0] = {std::cos(phi * t), std::sin(phi * t)};
    u(s, 0).e[1][1] = {std::cos(phi * t), -std::sin(phi * t)};
  }
  return u;
}

TEST(GaugeObservables, AbelianFluxGivesExactLoops) {
  const auto g = Geometry::make({4, 4, 4, 8});
  const double phi = 2 * M_PI / 8;
  const GaugeField u = abelian_xt_field(g, phi);
  auto loop = [&](double flux) { return (1.0 + 2.0 * std::cos(flux)) / 3.0; };
  // one of six planes carries the flux
  EXPECT_NEAR(average_plaquette(u), (5.0 + loop(phi)) / 6.0, 1e-14);
  // of the twelve rectangle orientations, the two in the (x,t) plane carry 2φ
  EXPECT_NEAR(average_rectangle(u), (10.0 + 2.0 * loop(2 * phi)) / 12.0, 1e-14);
  // W(R,T): only the x-direction loops (one of three) carry flux R·T·φ
  EXPECT_NEAR(wilson_loop(u, 2, 3), (2.0 + loop(6 * phi)) / 3.0, 1e-14);
  // three directions are 1; U_x averages ⅓(1 + 2cos φt) over t, and Σ_t cos φt = 0
  EXPECT_NEAR(average_link_trace(u), (3.0 + 1.0 / 3.0) / 4.0, 1e-14);
}

TEST(GaugeObservables, PolyakovLoopOfAConstantTemporalLink) {
  // U_t = diag(e^{iθ}, e^{iθ}, e^{−2iθ}) everywhere: P = ⅓(2e^{iNθ} + e^{−2iNθ}).
  const auto g = Geometry::make({2, 2, 2, 5});
  GaugeField u = unit_gauge_field(g);
  const double theta = 0.3;
  for (SiteIndex s = 0; s < g->volume(); ++s) {
    u(s, 3).e[0][0] = {std::cos(theta), std::sin(theta)};
    u(s, 3).e[1][1] = {std::cos(theta), std::sin(theta)};
    u(s, 3).e[2][2] = {std::cos(2 * theta), -std::sin(2 * theta)};
  }
  const double n = 5 * theta;
  EXPECT_NEAR(polyakov_loop(u).real(), (2 * std::cos(n) + std::cos(2 * n)) / 3.0, 1e-14);
  EXPECT_NEAR(polyakov_loop(u).imag(), (2 * std::sin(n) - std::sin(2 * n)) / 3.0, 1e-14);
  EXPECT_DOUBLE_EQ(average_plaquette(u), 1.0);  // a pure-gauge-like constant field: no flux
}

}  // namespace
}  // namespace fpgauge
