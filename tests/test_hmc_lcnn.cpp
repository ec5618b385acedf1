// HMC with an L-CNN action (SPEC §8): reversibility, ΔH ∝ ε², ⟨e^{−ΔH}⟩ = 1, and the nested
// split A = A_Sym + (A − A_Sym) through CombinedAction. The action is Wilson plus a random L-CNN
// (weights keyed by a fixed seed): the L-CNN term brings non-linear, extended forces through
// every layer's reverse pass, the Wilson term keeps the distribution that of a sensible gauge
// theory until a trained model ships (issue 7). A 2×2×2×4 lattice keeps the L-CNN cheap enough
// for hundreds of force evaluations. Also CombinedAction itself.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <memory>
#include <vector>

#include "HmcTestSupport.h"
#include "TestSupport.h"
#include "fpgauge/actions/ActionFactory.h"
#include "fpgauge/actions/CombinedAction.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/actions/LcnnAction.h"
#include "fpgauge/mc/Hmc.h"
#include "fpgauge/nn/LcnnModel.h"

namespace fpgauge {
namespace {

using test::kBeta;
using test::mean_abs_delta_h;
using test::single_level;

const Coordinates kSmall{2, 2, 2, 4};

std::shared_ptr<const Action> random_lcnn() {
  const auto model = std::make_shared<const nn::LcnnModel>(nn::LcnnModel::random(
      nn::Architecture::parse("input plaquettes; lcb 3; act tanh; lcb 2; trace; mlp 3"),
      2024));
  return std::make_shared<LcnnAction>(model, "random (test)");
}

// A = A_W + 0.2 A_θ.
std::shared_ptr<const CombinedAction> wilson_plus_lcnn() {
  return std::make_shared<CombinedAction>(std::vector<CombinedAction::Term>{
      {1.0, std::make_shared<GaugeLoopAction>(GaugeLoopAction::wilson())}, {0.2, random_lcnn()}});
}

TEST(CombinedAction, IsTheSumOfItsTermsWithAMatchingForce) {
  const auto lcnn = random_lcnn();
  const auto symanzik = std::make_shared<GaugeLoopAction>(GaugeLoopAction::symanzik());
  const CombinedAction difference({{1.0, lcnn}, {-0.5, symanzik}});
  const GaugeField u = test::near_unit_gauge_field(Geometry::make({3, 4, 3, 4}), 8, 0.4);
  EXPECT_NEAR(difference.value(u), lcnn->value(u) - 0.5 * symanzik->value(u), 1e-12);
  AlgebraField d;
  difference.force(u, d);
  for (const SiteIndex link : {SiteIndex{0}, SiteIndex{17}, SiteIndex{101}})
    for (int a = 0; a < 8; ++a) {
      const double fd = test::finite_difference_lie_derivative(
          [&](const GaugeField& v) { return difference.value(v); }, u, link, a);
      EXPECT_NEAR(2.0 * re_trace_mul(generator<double>(a), d[link]), fd, 1e-8)
          << "link " << link << " a " << a;
    }
  EXPECT_EQ(difference.description()["terms"].size(), 2u);
  EXPECT_THROW(CombinedAction({}), std::invalid_argument);
  EXPECT_THROW(CombinedAction({{std::nan(""), lcnn}}), std::invalid_argument);
  EXPECT_THROW(CombinedAction({{1.0, nullptr}}), std::invalid_argument);
}

// The nested split: the Symanzik force on the inner scale, A − A_Sym on the outer one. Same
// Hamiltonian as the single level; |ΔH| ∝ (outer step)² once the steps are small enough. On
// this field |ΔH| falls by 25–50 from 4 to 8 outer steps (not yet asymptotic), then 3–4 per
// halving.
TEST(HmcWithNestedLcnn, SplitHasTheSameHamiltonianAndScales) {
  const auto action = wilson_plus_lcnn();
  const auto symanzik = std::make_shared<GaugeLoopAction>(GaugeLoopAction::symanzik());
  const CombinedAction rest({{1.0, action}, {-1.0, symanzik}});
  auto nested = [&](int outer_steps) {
    HmcParameters parameters = single_level(rest, kBeta, outer_steps, Integrator::omelyan);
    parameters.levels.push_back({symanzik.get(), kBeta, 4});
    return Hmc(parameters);
  };
  const GaugeField u = test::thermalised_wilson(kSmall);
  AlgebraField p(u.geometry_ptr());
  const Hmc single(single_level(*action, kBeta, 8, Integrator::omelyan));
  single.draw_momenta(p, 3);
  EXPECT_NEAR(nested(4).hamiltonian(u, p), single.hamiltonian(u, p), 1e-9);
  const double ratio = mean_abs_delta_h(nested(16), u, 4) / mean_abs_delta_h(nested(32), u, 4);
  RecordProperty("ratio", fmt::format("{:.3f}", ratio));
  EXPECT_GT(ratio, 3.0);
  EXPECT_LT(ratio, 5.0);
  EXPECT_LT(mean_abs_delta_h(nested(16), u, 4), 0.05);
}

// The HMC checks for two L-CNN actions: Wilson + 0.2 × a random network, and the shipped model
// (models/default/) as the whole action at β = 6 on the FP scale.
struct LcnnHmcCase {
  const char* name;
  std::function<std::shared_ptr<const Action>()> action;
  double beta;
  int boltzmann_steps;  // Omelyan steps of the <e^{−ΔH}> test: ΔH large enough to test
  std::uint64_t seed;
};

std::shared_ptr<const Action> shipped_model() {
  return make_action(std::string("lcnn:") + FPGAUGE_SOURCE_DIR + "/models/default/model.fpglcnn");
}

class HmcWithLcnn : public ::testing::TestWithParam<LcnnHmcCase> {};

INSTANTIATE_TEST_SUITE_P(
    Actions, HmcWithLcnn,
    ::testing::Values(LcnnHmcCase{"WilsonPlusRandomNetwork", wilson_plus_lcnn, kBeta, 4, 11},
                      LcnnHmcCase{"ShippedModel", shipped_model, 6.0, 3, 12}),
    [](const ::testing::TestParamInfo<LcnnHmcCase>& info) { return info.param.name; });

TEST_P(HmcWithLcnn, ForwardFlipForwardFlipReturnsToStart) {
  const auto action = GetParam().action();
  const Hmc hmc(single_level(*action, GetParam().beta, 6, Integrator::omelyan));
  const test::RoundTrip trip =
      test::forward_flip_forward(hmc, test::near_unit_gauge_field(Geometry::make(kSmall), 5, 0.5));
  EXPECT_GT(trip.moved, 0.1);
  EXPECT_LT(trip.link_error, 1e-10);
  EXPECT_LT(trip.momentum_error, 1e-10);
}

// Omelyan is second order: |ΔH| falls by 4 per halving of ε in the asymptotic regime. Measured
// for Wilson + random network (3 draws): 0.258, 0.0108, 0.00449, 0.00116, 0.000291 for 4 … 64
// steps — ratios 3.9 and 4.0 from 16 steps on. The mean over 8 momentum draws: 16 → 32 steps
// gives 4.42 (Wilson + random network) and 3.71 (the shipped model); 3 draws are too few for
// this window (the shipped model of 2026-11-28: 3.21).
TEST_P(HmcWithLcnn, HalvingTheStepQuartersDeltaH) {
  const auto action = GetParam().action();
  const double beta = GetParam().beta;
  const GaugeField u = test::thermalised_wilson(kSmall);
  const double coarse =
      mean_abs_delta_h(Hmc(single_level(*action, beta, 16, Integrator::omelyan)), u, 8);
  const double fine =
      mean_abs_delta_h(Hmc(single_level(*action, beta, 32, Integrator::omelyan)), u, 8);
  RecordProperty("ratio", fmt::format("{:.3f}", coarse / fine));
  EXPECT_GT(coarse / fine, 3.3) << coarse << " → " << fine;
  EXPECT_LT(coarse / fine, 4.8) << coarse << " → " << fine;
}

// Shipped model: 1.009 ± 0.013, acceptance 0.90.
TEST_P(HmcWithLcnn, ExpMinusDeltaHAveragesToOne) {
  const auto action = GetParam().action();
  const Hmc hmc(single_level(*action, GetParam().beta, GetParam().boltzmann_steps,
                             Integrator::omelyan, GetParam().seed));
  GaugeField u = test::thermalised_wilson(kSmall);
  std::vector<double> boltzmann;
  int accepted = 0;
  for (int t = 0; t < 200; ++t) {
    const TrajectoryResult r = hmc.trajectory(u, t);
    boltzmann.push_back(std::exp(-r.delta_h));
    accepted += r.accepted;
  }
  const test::MeanAndError m = test::binned_mean(boltzmann, 20);
  RecordProperty("mean_exp_minus_dh", fmt::format("{:.4f} +- {:.4f}", m.mean, m.error));
  RecordProperty("acceptance", fmt::format("{:.3f}", accepted / 200.0));
  EXPECT_LT(std::abs(m.mean - 1.0), 3 * m.error) << m.mean << " ± " << m.error;
  EXPECT_GT(m.error, 0.0);
  EXPECT_LT(accepted, 200) << "ΔH too small for a real test";
}

}  // namespace
}  // namespace fpgauge
