// Heatbath and overrelaxation for the plaquette+rectangle family (SPEC §8).
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstring>

#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/mc/Heatbath.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge {
namespace {

TEST(Overrelaxation, LeavesTheActionUnchanged) {
  for (const GaugeLoopAction& action : {GaugeLoopAction::wilson(), GaugeLoopAction::iwasaki()}) {
    GaugeField u = random_gauge_field(Geometry::make({4, 4, 4, 8}), 3);
    const double before = action.value(u);
    overrelaxation_sweep(u, action);
    EXPECT_NEAR(action.value(u), before, 1e-12 * before) << action.name();
    EXPECT_LT(max_unitarity_violation(u), 1e-13);
  }
}

TEST(Heatbath, Su2SamplerHasTheExactMean) {
  // <a0> = I_2(α)/I_1(α) for the density sqrt(1 − a0²) exp(α a0); Var(a0) ≤ 1/4, so with
  // n = 100000 draws the standard error is below 0.0016: tolerance 0.006.
  for (const double alpha : {0.1, 1.0, 3.0, 20.0}) {
    RngStream rng(9, RngPurpose::test, 0, static_cast<std::uint64_t>(alpha * 10));
    const int n = 100000;
    double sum = 0.0;
    for (int i = 0; i < n; ++i) sum += sample_su2_heatbath_a0(alpha, rng);
    const double exact = std::cyl_bessel_i(2.0, alpha) / std::cyl_bessel_i(1.0, alpha);
    EXPECT_NEAR(sum / n, exact, 0.006) << "alpha " << alpha;
  }
}

TEST(Heatbath, BitwiseIndependentOfThreads) {
  for (const GaugeLoopAction& action : {GaugeLoopAction::wilson(), GaugeLoopAction::iwasaki()}) {
    GaugeField runs[2];
    for (int threads = 1; threads <= 2; ++threads) {
      omp_set_num_threads(threads);
      GaugeField u = random_gauge_field(Geometry::make({4, 4, 4, 4}), 17);
      for (int sweep = 0; sweep < 3; ++sweep) {
        heatbath_sweep(u, action, 5.8, 17, sweep);
        overrelaxation_sweep(u, action);
      }
      runs[threads - 1] = u;
    }
    EXPECT_EQ(std::memcmp(runs[0].data(), runs[1].data(), runs[0].size() * sizeof(SU3)), 0)
        << action.name();
  }
}

TEST(Heatbath, WilsonPlaquetteAtBeta6On8To4) {
  // Large-volume ⟨P⟩ = 0.59368 at β = 6.0; 8^4 finite-size effects are below 1e-3. With 100
  // measured compound sweeps on 8^4 the statistical error is ~2e-4: tolerance 0.0015.
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  GaugeField u = unit_gauge_field(Geometry::make({8, 8, 8, 8}));
  double sum = 0.0;
  const int thermalisation = 40, measurements = 100;
  for (int sweep = 0; sweep < thermalisation + measurements; ++sweep) {
    heatbath_sweep(u, wilson, 6.0, 2024, sweep);
    for (int k = 0; k < 4; ++k) overrelaxation_sweep(u, wilson);
    if (sweep >= thermalisation) sum += average_plaquette(u);
  }
  EXPECT_NEAR(sum / measurements, 0.5937, 0.0015);
  EXPECT_LT(max_unitarity_violation(u), 1e-13);
}

TEST(Heatbath, WilsonStrongCoupling) {
  // Strong-coupling expansion for SU(3): ⟨P⟩ = β/18 + β²/216 + O(β³) (the β² term from the
  // SU(3) character expansion, u = β/18 + β²/216 + ...). At β = 1: 0.06019; the neglected
  // terms are ~1e-3. 200 sweeps on 4^4 give a statistical error ~5e-4.
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  GaugeField u = random_gauge_field(Geometry::make({4, 4, 4, 4}), 5);
  double sum = 0.0;
  for (int sweep = 0; sweep < 220; ++sweep) {
    heatbath_sweep(u, wilson, 1.0, 5, sweep);
    if (sweep >= 20) sum += average_plaquette(u);
  }
  EXPECT_NEAR(sum / 200, 1.0 / 18 + 1.0 / 216, 0.003);
}

TEST(Heatbath, GeometryChecks) {
  const GaugeLoopAction wilson = GaugeLoopAction::wilson(), iwasaki = GaugeLoopAction::iwasaki();
  EXPECT_THROW(check_heatbath_geometry(Geometry({5, 4, 4, 4}), wilson), std::invalid_argument);
  EXPECT_THROW(check_heatbath_geometry(Geometry({6, 6, 6, 6}), iwasaki), std::invalid_argument);
  EXPECT_NO_THROW(check_heatbath_geometry(Geometry({6, 6, 6, 6}), wilson));
  EXPECT_NO_THROW(check_heatbath_geometry(Geometry({4, 4, 4, 8}), iwasaki));
}

}  // namespace
}  // namespace fpgauge
