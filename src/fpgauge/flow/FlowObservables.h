#pragma once
// What a gradient-flow run measures at each flow time (SPEC §1), and the scales t0 and w0.
//
// Energy density definitions, chosen independently of the flow action:
//   "clover"      E = −½ Σ_{μ,ν} tr(F̂_μν F̂_μν), averaged over sites (observables/Topology.h);
//   "plaquette"   E = 6 A_W/V = 2 Σ_{μ<ν} Re tr(1 − P_μν) per site (the same as "wilson");
//   any other action name of make_action (actions/ActionFactory.h): E = 6 A/V.
//
// Scales: t0 solves t² ⟨E(t)⟩ = 0.3 (Lüscher, JHEP 08 (2010) 071); w0² solves
// W(t) = t d/dt [t² ⟨E(t)⟩] = 0.3 (BMW, JHEP 09 (2012) 010). ⟨E⟩ is the ensemble mean; errors
// are jackknife errors over the configurations (leave one out).
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "fpgauge/actions/Action.h"
#include "fpgauge/lattice/Fields.h"

namespace fpgauge {

class EnergyDensity {
 public:
  // Throws std::invalid_argument for a definition that is neither "clover", "plaquette" nor an
  // action make_action knows.
  explicit EnergyDensity(const std::string& definition);

  const std::string& definition() const { return definition_; }
  bool is_clover() const { return !action_; }
  // ⟨E⟩ per site for an action-based definition (E = 6 A/V).
  double action_based(const GaugeField& v) const;

 private:
  std::string definition_;
  std::unique_ptr<Action> action_;  // null for "clover"
};

// The first t_i-interval in which y crosses `target` from below, linearly interpolated. A flow
// run measures on a fine grid (Δt ≲ 0.02), where the interpolation error Δt² y''/8 is far below
// the statistical error. Returns NaN if y never reaches the target.
double crossing_time(std::span<const double> t, std::span<const double> y, double target);

// W_i = t_i d/dt [t² E](t_i) by second-order differences (central inside, one-sided at the ends;
// non-uniform grids allowed).
std::vector<double> flow_derivative(std::span<const double> t, std::span<const double> t2e);

struct Estimate {
  double value = 0.0;
  double error = 0.0;
};

// Jackknife over configurations: samples[c] is the history of configuration c; `estimator`
// maps a mean history to a number. With one sample the error is 0. Throws std::runtime_error
// if the estimator is not finite on the full mean or on a leave-one-out mean.
Estimate jackknife(const std::vector<std::vector<double>>& samples,
                   const std::function<double(const std::vector<double>&)>& estimator);

struct FlowScales {
  Estimate t0;               // t0/a²
  Estimate w0;               // w0/a
  Estimate sqrt_t0_over_w0;  // √t0/w0, jackknifed as a ratio (t0 and w0 are correlated)
};

// t0/a², w0/a and √t0/w0 with jackknife errors from the energy histories E_c(t_i) of the
// configurations on the common grid t. Throws std::runtime_error naming the reference value and the largest
// flow time if t²⟨E⟩ or W does not reach it (flow longer).
FlowScales flow_scales(std::span<const double> t, const std::vector<std::vector<double>>& energies,
                       double reference = 0.3);

}  // namespace fpgauge
