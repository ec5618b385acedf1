#include "fpgauge/mc/Hmc.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/lattice/Rng.h"
#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {

namespace {

// Omelyan, Mryglod, Folk, Comput. Phys. Commun. 151 (2003) 272: the 2MN coefficient that
// minimises the norm of the leading error; P updates outermost as in Takaishi & de Forcrand,
// hep-lat/0505020.
constexpr double kOmelyanLambda = 0.1931833275037836;

// H = Σ_links tr(P²) + Σ_l β_l A_l(U); tr(P²) = ½ Σ_a (p^a)² since tr(t^a t^b) = ½ δ^{ab}.
long double total_energy(const HmcParameters& parameters, const GaugeField& u,
                         const AlgebraField& p) {
  long double h = parallel_sum(p.size(), [&](SiteIndex l) { return re_trace_mul(p[l], p[l]); });
  for (const HmcLevel& level : parameters.levels)
    h += static_cast<long double>(level.beta) * level.action->value(u);
  return h;
}

// The molecular dynamics of SPEC §1 split by time scale: momentum updates of one level use
// only that level's action, the innermost level also moves the links.
class MolecularDynamics {
 public:
  MolecularDynamics(const HmcParameters& parameters, GaugeField& u, AlgebraField& p)
      : parameters_(parameters), u_(u), p_(p), force_(u.geometry_ptr()) {}

  // Level `level` over `time` in levels[level].steps steps of the chosen integrator. Adjacent
  // momentum updates of consecutive steps are merged (one force evaluation instead of two).
  void evolve(std::size_t level, double time) {
    const int steps = parameters_.levels[level].steps;
    const double eps = time / steps;
    if (parameters_.integrator == Integrator::leapfrog) {
      // P(ε/2) U(ε) P(ε/2)
      kick(level, 0.5 * eps);
      for (int i = 0; i < steps; ++i) {
        drift(level, eps);
        kick(level, i + 1 < steps ? eps : 0.5 * eps);
      }
    } else {
      // P(λε) U(ε/2) P((1−2λ)ε) U(ε/2) P(λε)
      kick(level, kOmelyanLambda * eps);
      for (int i = 0; i < steps; ++i) {
        drift(level, 0.5 * eps);
        kick(level, (1.0 - 2.0 * kOmelyanLambda) * eps);
        drift(level, 0.5 * eps);
        kick(level, (i + 1 < steps ? 2.0 : 1.0) * kOmelyanLambda * eps);
      }
    }
  }

 private:
  // Ṗ = −β_l D A_l over time `dt`.
  void kick(std::size_t level, double dt) {
    const HmcLevel& l = parameters_.levels[level];
    l.action->force(u_, force_);
    const double step = -dt * l.beta;
    parallel_for(p_.size(), [&](SiteIndex i) { p_[i] += step * force_[i]; });
  }

  // The gap between two momentum updates of `level`: the next level's full evolution, or on the
  // innermost level the exact solution of U̇ = iPU at fixed P.
  void drift(std::size_t level, double dt) {
    if (level + 1 < parameters_.levels.size()) {
      evolve(level + 1, dt);
      return;
    }
    left_multiply_exp_i(u_, dt, p_);
  }

  const HmcParameters& parameters_;
  GaugeField& u_;
  AlgebraField& p_;
  AlgebraField force_;
};

}  // namespace

Integrator parse_integrator(const std::string& name) {
  if (name == "leapfrog") return Integrator::leapfrog;
  if (name == "omelyan") return Integrator::omelyan;
  throw std::invalid_argument(
      fmt::format("unknown integrator '{}': known are leapfrog, omelyan", name));
}

std::string to_string(Integrator integrator) {
  return integrator == Integrator::leapfrog ? "leapfrog" : "omelyan";
}

Hmc::Hmc(HmcParameters parameters) : parameters_(std::move(parameters)) {
  const double tau = parameters_.trajectory_length;
  if (!(tau > 0.0) || !std::isfinite(tau))
    throw std::invalid_argument(
        fmt::format("HMC: trajectory length {} must be finite and positive", tau));
  if (parameters_.levels.empty())
    throw std::invalid_argument("HMC: no action levels given (need at least one)");
  for (std::size_t k = 0; k < parameters_.levels.size(); ++k) {
    const HmcLevel& level = parameters_.levels[k];
    if (level.action == nullptr)
      throw std::invalid_argument(fmt::format("HMC level {}: action is null", k));
    if (level.steps < 1)
      throw std::invalid_argument(
          fmt::format("HMC level {} ({}): steps = {} must be at least 1", k,
                      level.action->name(), level.steps));
    if (!std::isfinite(level.beta))
      throw std::invalid_argument(fmt::format("HMC level {} ({}): beta = {} is not finite", k,
                                              level.action->name(), level.beta));
  }
}

void Hmc::draw_momenta(AlgebraField& p, std::uint64_t trajectory_index) const {
  parallel_for(p.size(), [&](SiteIndex l) {
    RngStream rng(parameters_.seed, RngPurpose::hmc_momenta, trajectory_index,
                  static_cast<std::uint64_t>(l));
    Algebra<double> h;
    for (double& x : h) x = rng.normal();
    p[l] = algebra_to_matrix(h);
  });
}

double Hmc::hamiltonian(const GaugeField& u, const AlgebraField& p) const {
  return static_cast<double>(total_energy(parameters_, u, p));
}

void Hmc::integrate(GaugeField& u, AlgebraField& p) const {
  MolecularDynamics(parameters_, u, p).evolve(0, parameters_.trajectory_length);
}

TrajectoryResult Hmc::trajectory(GaugeField& u, std::uint64_t trajectory_index,
                                 bool metropolis) const {
  AlgebraField p(u.geometry_ptr());
  draw_momenta(p, trajectory_index);
  const GaugeField start = u;
  const long double h_start = total_energy(parameters_, u, p);
  integrate(u, p);
  // Both energies in long double, so ΔH keeps its digits when H itself is large.
  const double delta_h = static_cast<double>(total_energy(parameters_, u, p) - h_start);
  const double u_accept =
      RngStream(parameters_.seed, RngPurpose::hmc_accept, trajectory_index, 0).uniform();
  TrajectoryResult result{delta_h, 0.0, false};
  if (std::isnan(delta_h)) {
    spdlog::warn("HMC trajectory {}: ΔH is NaN; trajectory rejected", trajectory_index);
  } else {
    result.acceptance_probability = std::min(1.0, std::exp(-delta_h));
    result.accepted = !metropolis || u_accept < std::exp(-delta_h);
  }
  if (result.accepted) {
    // Removes the round-off drift of the products exp(iεP)U over many trajectories; done here,
    // not inside the molecular dynamics, because the projection is not time-reversible.
    reunitarise(u);
  } else {
    u = start;
  }
  return result;
}

}  // namespace fpgauge
