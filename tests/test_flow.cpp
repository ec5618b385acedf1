// The gradient flow (flow/GradientFlow.h) and its observables (flow/FlowObservables.h): the
// flow equation's normalisation and sign, the third order of Lüscher's RK3 and the third order
// of the embedded error estimate, gauge covariance, the adaptive integrator, the unit field as a
// fixed point; the interpolation, derivative and jackknife that give t0 and w0, on functions
// with known answers.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "TestSupport.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/flow/FlowObservables.h"
#include "fpgauge/flow/GradientFlow.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/observables/Topology.h"

namespace fpgauge {
namespace {

using test::max_link_distance;

GaugeField rough_field() {
  return test::near_unit_gauge_field(Geometry::make({4, 4, 4, 4}), 77, 0.6);
}

GaugeField flowed(const Action& action, GaugeField v, double t, double step) {
  GradientFlow flow(action, {.step = step});
  flow.advance(v, 0.0, t);
  return v;
}

// dA/dt = Σ ∂^a A · (−6 ∂^a A) = −6 ‖∂A‖²: the flow decreases the action at the rate the
// −6 of SPEC §1 fixes (a wrong sign or factor fails at once).
TEST(GradientFlow, InitialSlopeIsMinusSixTimesTheForceNormSquared) {
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  const GaugeField u = rough_field();
  AlgebraField d;
  wilson.force(u, d);
  const double norm = force_norm(d);
  const double h = 1e-5;
  const double slope =
      (wilson.value(flowed(wilson, u, h, h)) - wilson.value(flowed(wilson, u, 0.0, h))) / h;
  EXPECT_NEAR(slope / (-6.0 * norm * norm), 1.0, 1e-3);
}

TEST(GradientFlow, WilsonActionDecreasesMonotonically) {
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  GaugeField v = rough_field();
  GradientFlow flow(wilson, {.step = 0.02});
  double previous = wilson.value(v);
  for (int k = 1; k <= 20; ++k) {
    flow.advance(v, 0.02 * (k - 1), 0.02 * k);
    const double a = wilson.value(v);
    EXPECT_LT(a, previous) << "t = " << 0.02 * k;
    previous = a;
  }
  EXPECT_LT(max_unitarity_violation(v), 1e-12);
}

// Global error of RK3 at fixed t: ∝ ε³, so halving ε divides it by 8 (a second-order scheme
// would give 4). Measured on this field: 14.6, 9.6 for ε = 0.1 → 0.05 → 0.025; 9.3, 8.6 below.
TEST(GradientFlow, RungeKuttaIsThirdOrder) {
  const GaugeLoopAction symanzik = GaugeLoopAction::symanzik();
  const GaugeField u = rough_field();
  const double t = 0.4;
  const GaugeField reference = flowed(symanzik, u, t, 0.0025);
  const double e1 = max_link_distance(flowed(symanzik, u, t, 0.04), reference);
  const double e2 = max_link_distance(flowed(symanzik, u, t, 0.02), reference);
  const double e3 = max_link_distance(flowed(symanzik, u, t, 0.01), reference);
  EXPECT_NEAR(e1 / e2, 8.0, 1.5) << e1 << " " << e2;
  EXPECT_NEAR(e2 / e3, 8.0, 1.0) << e2 << " " << e3;
}

// The embedded second-order result differs from RK3 by O(ε³) in one step.
TEST(GradientFlow, EmbeddedEstimateIsThirdOrderInTheStep) {
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  const GaugeField u = rough_field();
  GradientFlow flow(wilson, {.step = 0.1, .adaptive = true});
  double d[3];
  for (int k = 0; k < 3; ++k) {
    GaugeField v = u;
    flow.step(v, 0.08 / (1 << k), &d[k]);
  }
  EXPECT_NEAR(d[0] / d[1], 8.0, 1.0);
  EXPECT_NEAR(d[1] / d[2], 8.0, 0.5);
}

TEST(GradientFlow, CommutesWithGaugeTransformations) {
  const GaugeLoopAction iwasaki = GaugeLoopAction::iwasaki();
  const GaugeField u = rough_field();
  const GaugeTransformation omega = random_gauge_transformation(u.geometry_ptr(), 5);
  const GaugeField a = gauge_transformed(flowed(iwasaki, u, 0.3, 0.05), omega);
  const GaugeField b = flowed(iwasaki, gauge_transformed(u, omega), 0.3, 0.05);
  EXPECT_LT(max_link_distance(a, b), 1e-12);
}

TEST(GradientFlow, UnitFieldIsAFixedPoint) {
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  const GaugeField one = unit_gauge_field(Geometry::make({4, 4, 4, 4}));
  EXPECT_EQ(max_link_distance(flowed(wilson, one, 1.0, 0.1), one), 0.0);
}

// The adaptive integrator lands on the requested times, rejects steps when the tolerance is
// tight, and stays within a few tolerances per step of a fine fixed-step flow.
TEST(GradientFlow, AdaptiveStepsLandOnTheTargetAndMeetTheTolerance) {
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  const GaugeField u = rough_field();
  const GaugeField reference = flowed(wilson, u, 0.5, 0.005);
  GaugeField v = u;
  GradientFlow flow(wilson, {.step = 0.2, .adaptive = true, .tolerance = 1e-7, .max_step = 0.2});
  FlowStatistics total;
  for (double t : {0.0, 0.25}) {
    const FlowStatistics s = flow.advance(v, t, t + 0.25);
    total.steps += s.steps;
    total.rejected += s.rejected;
  }
  EXPECT_GT(total.rejected, 0);  // the first step of 0.2 is far too long for 1e-7
  EXPECT_LT(max_link_distance(v, reference), 10 * total.steps * 1e-7);
  EXPECT_THROW(flow.advance(v, 0.5, 0.4), std::invalid_argument);
  EXPECT_THROW(GradientFlow(wilson, {.step = 0.0}), std::invalid_argument);
}

// E_plaquette = 6 A_W/V by definition; clover and plaquette energies agree for a smooth field
// up to O(a²) effects, so after some flow they are close.
TEST(FlowObservables, EnergyDefinitions) {
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  const GaugeField v = flowed(wilson, rough_field(), 3.0, 0.05);
  const EnergyDensity plaquette("plaquette");
  EXPECT_FALSE(plaquette.is_clover());
  EXPECT_DOUBLE_EQ(plaquette.action_based(v), 6.0 * wilson.value(v) / v.geometry().volume());
  const double clover = clover_energy_and_charge(v).energy;
  EXPECT_DOUBLE_EQ(clover, clover_energy(v));
  EXPECT_NEAR(clover / plaquette.action_based(v), 1.0, 0.1);
  EXPECT_DOUBLE_EQ(clover_energy_and_charge(v).charge, topological_charge(v));
  EXPECT_TRUE(EnergyDensity("clover").is_clover());
  EXPECT_THROW(EnergyDensity("no-such-action"), std::invalid_argument);
}

TEST(FlowObservables, CrossingAndDerivativeOnKnownFunctions) {
  // Non-uniform grid; y = 0.1 + t² (a parabola: the derivative formula is exact).
  std::vector<double> t, y;
  for (int i = 0; i <= 40; ++i) {
    t.push_back(0.05 * i + 0.001 * (i % 3));
    y.push_back(0.1 + t.back() * t.back());
  }
  const std::vector<double> w = flow_derivative(t, y);
  for (std::size_t i = 0; i < t.size(); ++i) EXPECT_NEAR(w[i], 2.0 * t[i] * t[i], 1e-12);
  // Linear interpolation: exact for a straight line, O(Δt²) for the parabola.
  const std::vector<double> line = {0.0, 0.2, 0.4};
  EXPECT_DOUBLE_EQ(crossing_time(std::vector<double>{1.0, 2.0, 3.0}, line, 0.3), 2.5);
  EXPECT_NEAR(crossing_time(t, y, 0.3), std::sqrt(0.2), 1e-3);
  EXPECT_TRUE(std::isnan(crossing_time(t, y, 100.0)));
}

// For the estimator "mean of component 0" the jackknife error is the standard error of the
// mean, exactly.
TEST(FlowObservables, JackknifeOfTheMeanIsTheStandardError) {
  const std::vector<std::vector<double>> samples = {{1.0}, {2.0}, {4.0}, {7.0}};
  const Estimate e = jackknife(samples, [](const std::vector<double>& m) { return m[0]; });
  const double mean = 3.5;
  double variance = 0.0;
  for (const auto& s : samples) variance += (s[0] - mean) * (s[0] - mean);
  variance /= 3.0;
  EXPECT_DOUBLE_EQ(e.value, mean);
  EXPECT_NEAR(e.error, std::sqrt(variance / 4.0), 1e-14);
}

// E = c constant: t² E = c t² crosses 0.3 at t0 = √(0.3/c); W = 2 c t² crosses at
// w0² = √(0.15/c). Configurations with c ± δ give a jackknife error; the grid error is O(Δt²).
// √t0/w0 = 2^(1/4) for every c: jackknifed as a ratio its error vanishes, while t0 and w0
// spread.
TEST(FlowObservables, ScalesOfAConstantEnergy) {
  std::vector<double> t;
  for (int i = 0; i <= 300; ++i) t.push_back(0.01 * i);
  auto constant = [&](double c) { return std::vector<double>(t.size(), c); };
  const FlowScales s = flow_scales(t, {constant(0.1), constant(0.1)});
  EXPECT_NEAR(s.t0.value, std::sqrt(3.0), 1e-4);
  EXPECT_NEAR(s.w0.value, std::pow(1.5, 0.25), 1e-4);
  EXPECT_NEAR(s.sqrt_t0_over_w0.value, std::pow(2.0, 0.25), 1e-4);
  EXPECT_DOUBLE_EQ(s.t0.error, 0.0);
  const FlowScales spread = flow_scales(t, {constant(0.09), constant(0.1), constant(0.11)});
  EXPECT_GT(spread.t0.error, 0.05);
  EXPECT_GT(spread.w0.error, 0.01);
  EXPECT_NEAR(spread.sqrt_t0_over_w0.value, std::pow(2.0, 0.25), 1e-4);
  EXPECT_LT(spread.sqrt_t0_over_w0.error, 1e-3);
  EXPECT_THROW(flow_scales(t, {constant(1e-3)}), std::runtime_error);  // never reaches 0.3
}

}  // namespace
}  // namespace fpgauge
