#pragma once
// What the HMC tests share: a single-level HMC, a thermalised 4^4 Wilson configuration, |ΔH| of
// the molecular dynamics over several momentum draws, momentum flips, binned means.
#include <cmath>
#include <cstdint>
#include <vector>

#include "TestSupport.h"
#include "fpgauge/actions/GaugeLoopAction.h"
#include "fpgauge/mc/Hmc.h"

namespace fpgauge::test {

inline constexpr double kBeta = 5.7;

inline void flip(AlgebraField& p) {
  for (SiteIndex l = 0; l < p.size(); ++l) p[l] = -p[l];
}

inline HmcParameters single_level(const Action& action, double beta, int steps,
                                  Integrator integrator, std::uint64_t seed = 1) {
  HmcParameters parameters;
  parameters.integrator = integrator;
  parameters.levels = {{&action, beta, steps}};
  parameters.seed = seed;
  return parameters;
}

// A Wilson β = 5.7 configuration: 20 Omelyan trajectories from a cold-ish start (on 4^4 the
// plaquette settles near 0.56 after ~10).
inline GaugeField thermalised_wilson(const Coordinates& extents = {4, 4, 4, 4}) {
  const GaugeLoopAction wilson = GaugeLoopAction::wilson();
  const Hmc hmc(single_level(wilson, kBeta, 10, Integrator::omelyan, 99));
  GaugeField u = near_unit_gauge_field(Geometry::make(extents), 3, 0.3);
  for (std::uint64_t t = 0; t < 20; ++t) hmc.trajectory(u, t);
  return u;
}

// |ΔH| of the molecular dynamics (no Metropolis) from u, averaged over `draws` momentum draws.
inline double mean_abs_delta_h(const Hmc& hmc, const GaugeField& u, int draws) {
  double sum = 0.0;
  for (int k = 0; k < draws; ++k) {
    GaugeField v = u;
    AlgebraField p(u.geometry_ptr());
    hmc.draw_momenta(p, k);
    const double h_start = hmc.hamiltonian(v, p);
    hmc.integrate(v, p);
    sum += std::abs(hmc.hamiltonian(v, p) - h_start);
  }
  return sum / draws;
}

// The molecular dynamics from `start` with fresh momenta, the momenta flipped, the dynamics
// again, the momenta flipped back: how far the field moved on the way out, and how far from the
// start field and momenta the round trip ends (round-off only, for a reversible integrator).
struct RoundTrip {
  double moved, link_error, momentum_error;
};
inline RoundTrip forward_flip_forward(const Hmc& hmc, const GaugeField& start) {
  AlgebraField p_start(start.geometry_ptr());
  hmc.draw_momenta(p_start, 0);
  GaugeField u = start;
  AlgebraField p = p_start;
  hmc.integrate(u, p);
  const double moved = max_link_distance(u, start);
  flip(p);
  hmc.integrate(u, p);
  flip(p);
  return {moved, max_link_distance(u, start), max_link_distance(p, p_start)};
}

struct MeanAndError {
  double mean, error;
};

// Mean and its standard error from `bins` consecutive bins (bins longer than the autocorrelation
// time make the error honest for a Markov chain).
inline MeanAndError binned_mean(const std::vector<double>& x, int bins) {
  const std::size_t per_bin = x.size() / bins;
  std::vector<double> means(bins, 0.0);
  for (int b = 0; b < bins; ++b) {
    for (std::size_t i = 0; i < per_bin; ++i) means[b] += x[b * per_bin + i];
    means[b] /= static_cast<double>(per_bin);
  }
  double mean = 0.0, var = 0.0;
  for (double m : means) mean += m;
  mean /= bins;
  for (double m : means) var += (m - mean) * (m - mean);
  return {mean, std::sqrt(var / (bins - 1) / bins)};
}

}  // namespace fpgauge::test
