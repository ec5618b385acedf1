// Clover field strength, topological charge, clover energy and open boundaries: zero on the unit
// field, gauge invariance at round-off, the sign structure of ε under a reflection, and the
// small-field relation E = 6 A_W/V.
#include <gtest/gtest.h>

#include <cmath>

#include "TestSupport.h"
#include "fpgauge/actions/ActionFactory.h"
#include "fpgauge/lattice/GaugeLoops.h"
#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/core/Su3Exp.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/lattice/SiteLoop.h"
#include "fpgauge/observables/Boundary.h"
#include "fpgauge/observables/Topology.h"

namespace fpgauge {
namespace {

TEST(Topology, UnitFieldHasNoChargeAndNoEnergy) {
  const GaugeField u = unit_gauge_field(Geometry::make({4, 4, 4, 6}));
  for (const Boundary b : {Boundary::periodic, Boundary::open}) {
    EXPECT_EQ(topological_charge(u, b), 0.0);
    EXPECT_EQ(clover_energy(u, b), 0.0);
  }
  for (const Matrix3d& f : clover_field_strength(u, 17)) EXPECT_EQ(norm2(f), 0.0);
}

TEST(Topology, CloverFieldStrengthIsAntiHermitianAndTraceless) {
  const GaugeField u = random_gauge_field(Geometry::make({4, 4, 4, 4}), 5);
  for (const SiteIndex s : {0, 77, 255}) {
    for (const Matrix3d& f : clover_field_strength(u, s)) {
      EXPECT_LT(std::sqrt(norm2(f + adj(f))), 1e-15);
      EXPECT_LT(std::abs(trace(f).re) + std::abs(trace(f).im), 1e-15);
      EXPECT_GT(norm2(f), 1e-3);  // a random field has a field strength of order 1
    }
  }
}

TEST(Topology, ChargeAndEnergyAreGaugeInvariant) {
  const auto g = Geometry::make({4, 4, 4, 6});
  const GaugeField u = random_gauge_field(g, 11);
  const GaugeField v = gauge_transformed(u, random_gauge_transformation(g, 12));
  const SiteField<double> qu = topological_charge_density(u), qv = topological_charge_density(v);
  const SiteField<double> eu = clover_energy_density(u), ev = clover_energy_density(v);
  for (SiteIndex s = 0; s < g->volume(); ++s) {
    EXPECT_NEAR(qv[s], qu[s], 1e-12) << s;
    EXPECT_NEAR(ev[s], eu[s], 1e-12) << s;
  }
  for (const Boundary b : {Boundary::periodic, Boundary::open}) {
    EXPECT_NEAR(topological_charge(v, b), topological_charge(u, b), 1e-12);
    EXPECT_NEAR(clover_energy(v, b), clover_energy(u, b), 1e-12);
  }
  // A fingerprint of the field: Q of a Haar-random field is some O(1) number, not zero.
  EXPECT_GT(std::abs(topological_charge(u)), 1e-3);
}

// The reflection t → −t maps the clover at x to the clover at the reflected site with
// F̂_it → −F̂_it and F̂_ij unchanged: every term of ε tr(F̂ F̂) pairs one plane containing t with
// one that does not, so q(x) → −q(Rx) and E(x) → E(Rx).
TEST(Topology, TimeReflectionFlipsTheCharge) {
  const auto g = Geometry::make({4, 4, 4, 6});
  const GaugeField u = random_gauge_field(g, 21);
  GaugeField r(g);
  const int t = 3;
  for (SiteIndex s = 0; s < g->volume(); ++s) {
    Coordinates x = g->coordinates(s);
    x[t] = -x[t];
    const SiteIndex image = g->site(x);
    for (int mu = 0; mu < t; ++mu) r(s, mu) = u(image, mu);
    r(s, t) = adj(u(g->backward(image, t), t));  // the link from −t to −t−1, reversed
  }
  const SiteField<double> qu = topological_charge_density(u), qr = topological_charge_density(r);
  for (SiteIndex s = 0; s < g->volume(); ++s) {
    Coordinates x = g->coordinates(s);
    x[t] = -x[t];
    EXPECT_NEAR(qr[s], -qu[g->site(x)], 1e-14) << s;
  }
  EXPECT_NEAR(topological_charge(r), -topological_charge(u), 1e-12);
  EXPECT_NEAR(clover_energy(r), clover_energy(u), 1e-12);
}

// For smooth fields 1 − ⅓ Re tr P_μν = ⅙ tr F_μν² + O(a³) and E = ½ Σ_{μ,ν} tr F² + O(a²), so
// ⟨E⟩ = 6 A_W / V up to O(a²). For a wave of lattice momentum p the clover averages four
// plaquettes and loses a factor ~cos²(p/2) per direction of the plane, so ⟨E⟩V/(6A_W) − 1 is
// O(p²): measured −0.055 at p = 2π/16 (along x and t, amplitude 0.02) and −0.205 at twice that.
double energy_over_wilson(int wave_number) {
  const auto g = Geometry::make({16, 4, 4, 16});
  GaugeField u(g);
  const double p = 2 * M_PI * wave_number / 16;
  parallel_for(u.size(), [&](SiteIndex l) {
    const Coordinates n = g->coordinates(l / kDimensions);
    const int mu = static_cast<int>(l % kDimensions);
    Algebra<double> h;
    for (int a = 0; a < kAlgebraDim; ++a)
      h[a] = 0.02 * (1 + 0.1 * a) * std::sin(p * (n[0] + n[3]) + 0.7 * a + 1.3 * mu);
    u[l] = exp_i(algebra_to_matrix(h));
  });
  const double wilson = make_action("wilson")->value(u);
  return clover_energy(u) * static_cast<double>(g->volume()) / (6.0 * wilson);
}

TEST(Topology, EnergyIsSixTimesWilsonActionDensityForSmoothFields) {
  const double long_wave = energy_over_wilson(1), short_wave = energy_over_wilson(2);
  EXPECT_NEAR(long_wave, 1.0, 0.07);
  // O(p²): doubling p multiplies the deviation by ~4.
  EXPECT_NEAR((short_wave - 1.0) / (long_wave - 1.0), 4.0, 0.5);
}

TEST(OpenBoundary, PlaquettesAndCloversInsideTheBox) {
  const auto g = Geometry::make({3, 4, 4, 5});
  int plaquettes = 0, clovers = 0;
  for (SiteIndex s = 0; s < g->volume(); ++s) {
    clovers += clover_inside(*g, s);
    for (int mu = 0; mu < kDimensions; ++mu)
      for (int nu = mu + 1; nu < kDimensions; ++nu) {
        const bool inside = plaquette_inside(*g, s, mu, nu);
        plaquettes += inside;
        const Step loop[] = {forward_step(mu), forward_step(nu), backward_step(mu),
                             backward_step(nu)};
        EXPECT_EQ(path_inside(*g, s, loop), inside);
      }
  }
  // Σ_{μ<ν} (L_μ − 1)(L_ν − 1) Π_{ρ≠μ,ν} L_ρ plaquettes, Π (L_μ − 2) clovers.
  EXPECT_EQ(plaquettes, 2 * 3 * 4 * 5 + 2 * 3 * 4 * 5 + 2 * 4 * 4 * 4 + 3 * 3 * 3 * 5 +
                            3 * 4 * 3 * 4 + 3 * 4 * 3 * 4);
  EXPECT_EQ(clovers, 1 * 2 * 2 * 3);
  // A rectangle reaching two steps back from x_μ = 1 leaves the box.
  const SiteIndex s = g->site({1, 1, 1, 1});
  const Step back_two[] = {backward_step(3), backward_step(3), forward_step(0)};
  EXPECT_FALSE(path_inside(*g, s, back_two));
  EXPECT_EQ(parse_boundary("open"), Boundary::open);
  EXPECT_THROW(parse_boundary("twisted"), std::invalid_argument);
}

// With open boundaries the links leaving the box are absent: changing them changes nothing.
TEST(OpenBoundary, ObservablesIgnoreTheLinksLeavingTheBox) {
  const auto g = Geometry::make({4, 5, 4, 4});
  const GaugeField u = test::near_unit_gauge_field(g, 31, 0.3);
  GaugeField v = u;
  const GaugeField noise = random_gauge_field(g, 32);
  for (SiteIndex s = 0; s < g->volume(); ++s)
    for (int mu = 0; mu < kDimensions; ++mu)
      if (g->coordinates(s)[mu] == g->extent(mu) - 1) v(s, mu) = noise(s, mu);
  EXPECT_EQ(wilson_action_open(v), wilson_action_open(u));
  EXPECT_EQ(topological_charge(v, Boundary::open), topological_charge(u, Boundary::open));
  EXPECT_EQ(clover_energy(v, Boundary::open), clover_energy(u, Boundary::open));
  EXPECT_NE(make_action("wilson")->value(v), make_action("wilson")->value(u));

  // The definition: the plaquettes inside the box, one by one.
  long double expected = 0.0;
  for (SiteIndex s = 0; s < g->volume(); ++s)
    for (int mu = 0; mu < kDimensions; ++mu)
      for (int nu = mu + 1; nu < kDimensions; ++nu)
        if (plaquette_inside(*g, s, mu, nu))
          expected += 1.0 - re_trace(plaquette(u, s, mu, nu)) / 3.0;
  EXPECT_NEAR(wilson_action_open(u), static_cast<double>(expected), 1e-12);
}

}  // namespace
}  // namespace fpgauge
