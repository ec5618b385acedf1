// Heatbath and HMC sample the same distribution: their average plaquettes agree within the
// combined statistical error (SPEC §8). Errors come from binned averages, so autocorrelations
// up to the bin length are covered.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/mc/Heatbath.h"
#include "fpgauge/mc/Hmc.h"
#include "fpgauge/observables/GaugeObservables.h"

namespace fpgauge {
namespace {

struct Estimate {
  double mean, error;
};

// Mean and its standard error from `bins` equal bins of the series.
Estimate binned(const std::vector<double>& series, int bins) {
  const std::size_t per_bin = series.size() / bins;
  std::vector<double> means(bins, 0.0);
  for (int b = 0; b < bins; ++b) {
    for (std::size_t i = 0; i < per_bin; ++i) means[b] += series[b * per_bin + i];
    means[b] /= static_cast<double>(per_bin);
  }
  double mean = 0.0, var = 0.0;
  for (double m : means) mean += m;
  mean /= bins;
  for (double m : means) var += (m - mean) * (m - mean);
  return {mean, std::sqrt(var / (bins * (bins - 1.0)))};
}

std::vector<double> heatbath_plaquettes(const GaugeLoopAction& action, double beta,
                                        const Coordinates& extents, int thermalisation,
                                        int measurements, std::uint64_t seed) {
  GaugeField u = random_gauge_field(Geometry::make(extents), seed);
  std::vector<double> series;
  for (int sweep = 0; sweep < thermalisation + measurements; ++sweep) {
    heatbath_sweep(u, action, beta, seed, sweep);
    for (int k = 0; k < 3; ++k) overrelaxation_sweep(u, action);
    if (sweep >= thermalisation) series.push_back(average_plaquette(u));
  }
  return series;
}

std::vector<double> hmc_plaquettes(const GaugeLoopAction& action, double beta,
                                   const Coordinates& extents, int steps, int thermalisation,
                                   int measurements, std::uint64_t seed) {
  // Start from a heatbath-thermalised field so that the HMC run only has to decorrelate.
  GaugeField u = random_gauge_field(Geometry::make(extents), seed);
  for (int sweep = 0; sweep < 20; ++sweep) heatbath_sweep(u, action, beta, seed + 1, sweep);
  const Hmc hmc({1.0, Integrator::omelyan, {{&action, beta, steps}}, seed});
  std::vector<double> series;
  int accepted = 0;
  for (int t = 0; t < thermalisation + measurements; ++t) {
    accepted += hmc.trajectory(u, t).accepted;
    if (t >= thermalisation) series.push_back(average_plaquette(u));
  }
  EXPECT_GT(accepted, 0.6 * (thermalisation + measurements));
  return series;
}

void expect_agreement(const Estimate& a, const Estimate& b) {
  const double sigma = std::hypot(a.error, b.error);
  EXPECT_LT(std::abs(a.mean - b.mean), 3.0 * sigma)
      << "heatbath " << a.mean << " ± " << a.error << ", HMC " << b.mean << " ± " << b.error;
  // The test has teeth: the errors are small compared with the β dependence of ⟨P⟩
  // (d⟨P⟩/dβ ≈ 0.1 near β = 5.7, so a 1% error in β would show as 3σ at σ = 3e-4).
  EXPECT_LT(sigma, 2e-3);
}

TEST(MonteCarloAgreement, WilsonHeatbathAndHmcAtBeta57On6To4) {
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  const Estimate hb = binned(heatbath_plaquettes(wilson, 5.7, {6, 6, 6, 6}, 50, 400, 101), 20);
  const Estimate md = binned(hmc_plaquettes(wilson, 5.7, {6, 6, 6, 6}, 8, 20, 200, 202), 10);
  expect_agreement(hb, md);
}

TEST(MonteCarloAgreement, IwasakiHeatbathAndHmcOn4To4) {
  const GaugeLoopAction iwasaki = GaugeLoopAction::iwasaki();
  const Estimate hb = binned(heatbath_plaquettes(iwasaki, 2.6, {4, 4, 4, 4}, 50, 800, 303), 20);
  const Estimate md = binned(hmc_plaquettes(iwasaki, 2.6, {4, 4, 4, 4}, 10, 20, 400, 404), 10);
  expect_agreement(hb, md);
}

}  // namespace
}  // namespace fpgauge
