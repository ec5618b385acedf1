// Physics checks of the FP labels (SPEC §3): A_FP/A_W → 1 for long-wavelength fields with the
// p² law of the lattice artefacts. The contraction of the self-consistent iteration (minutes)
// is in tests/long/test_fp_physics_long.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/evaluation/ClassicalLimit.h"
#include "fpgauge/rg/FpEquation.h"

namespace fpgauge {
namespace {

constexpr double kC = 0.05, kKappa = 8.0;

// SPEC §3: A_FP(V)/A_W(V) → 1 for long-wavelength fields. Both actions are quadratic in the small
// amplitude, and their quadratic forms agree at leading order in the momentum p = 2π/L of the
// wave, so the deviation A_FP/A_W − 1 falls like p² (lattice artefacts of O(a²p²) in units of
// the coarse spacing): halving p should divide it by ≈ 4, up to O(p⁴). Measured (ε = 0.05,
// c = 0.05, κ = 8, max |∂F| ≤ 1e-12): −0.2672, −0.1005, −0.0286 for L = 4, 8, 16 (ratios 2.66,
// 3.51, heading for 4); the amplitude dependence is below 2e-4 between ε = 0.02 and 0.1.
TEST(FpPhysics, LongWavelengthFieldsApproachTheWilsonAction) {
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  const BlockingKernel kernel = BlockingKernel::degrand(kC, kKappa);
  const MinimiserOptions options{.gradient_tolerance = 1e-12};
  std::vector<double> deviation;
  for (const int l : {4, 8, 16}) {
    const GaugeField v = evaluation::abelian_plane_wave(Geometry::make({2, l, 2, 2}), 0.05);
    const FpLabel label = solve_fp_equation(v, wilson, kernel, options);
    ASSERT_TRUE(label.minimisation.converged) << "L = " << l;
    deviation.push_back(label.action / wilson.value(v) - 1);
  }
  EXPECT_NEAR(deviation[0], -0.2672, 0.002);
  EXPECT_NEAR(deviation[1], -0.1005, 0.001);
  EXPECT_NEAR(deviation[2], -0.0286, 0.0005);
  // The p² law: the ratio of successive deviations grows towards 4.
  EXPECT_GT(deviation[0] / deviation[1], 2.3);
  EXPECT_GT(deviation[1] / deviation[2], deviation[0] / deviation[1]);
  EXPECT_LT(deviation[1] / deviation[2], 4.2);
}

}  // namespace
}  // namespace fpgauge
