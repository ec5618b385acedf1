#pragma once
// Hybrid Monte Carlo for any Action (SPEC §1, §8). Momenta P_μ(x) = Σ_a p^a t^a with
// p^a ~ N(0,1) keyed by (seed, RngPurpose::hmc_momenta, trajectory, link);
// H = ½ Σ (p^a)² + Σ_levels β_l A_l(U); U̇ = i P U, Ṗ = −Σ β_l D A_l; U ← exp(iεP) U.
// Nested time scales (Sexton–Weingarten): level 0 is the outermost with `steps` steps per
// trajectory; every step of level k runs `steps` steps of level k+1 for the momentum updates in
// between. The Metropolis test draws from (seed, RngPurpose::hmc_accept, trajectory, 0).
// Accepted links are reunitarised after the test, never inside the reversible MD.
#include <cstdint>
#include <string>
#include <vector>

#include "fpgauge/actions/Action.h"

namespace fpgauge {

enum class Integrator { leapfrog, omelyan };
// "leapfrog" or "omelyan" (2MN, λ = 0.1931833275037836, Omelyan et al. 2003).
Integrator parse_integrator(const std::string& name);
std::string to_string(Integrator integrator);

struct HmcLevel {
  const Action* action;  // not owned
  double beta;
  int steps;
};

struct HmcParameters {
  double trajectory_length = 1.0;
  Integrator integrator = Integrator::omelyan;
  std::vector<HmcLevel> levels;
  std::uint64_t seed = 0;
};

struct TrajectoryResult {
  double delta_h;                 // a NaN ΔH (non-finite energies) is logged and never accepted
  double acceptance_probability;  // min(1, e^{−ΔH}); 0 for NaN
  bool accepted;
};

class Hmc {
 public:
  // Throws std::invalid_argument for no levels, a null action, steps < 1, a non-finite β, or a
  // trajectory length that is not finite and positive.
  explicit Hmc(HmcParameters parameters);

  // One trajectory with the Metropolis test; u is left at the accepted configuration. Without
  // `metropolis` every trajectory with a finite ΔH is kept (thermalisation from a cold or hot
  // start only, where ΔH is large and the test would stall the run; not a valid Markov step
  // of the ensemble). acceptance_probability is min(1, e^{−ΔH}) either way.
  TrajectoryResult trajectory(GaugeField& u, std::uint64_t trajectory_index,
                              bool metropolis = true) const;

  // The pieces, public for the tests: fresh momenta, the Hamiltonian, and the molecular
  // dynamics evolution over the full trajectory length (reversible: integrating with −P
  // returns to the start).
  // p must already live on the lattice of the field.
  void draw_momenta(AlgebraField& p, std::uint64_t trajectory_index) const;
  double hamiltonian(const GaugeField& u, const AlgebraField& p) const;
  void integrate(GaugeField& u, AlgebraField& p) const;

  const HmcParameters& parameters() const { return parameters_; }

 private:
  HmcParameters parameters_;
};

}  // namespace fpgauge
