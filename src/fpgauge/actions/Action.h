#pragma once
// The one interface every action of the project implements, so that HMC, the gradient flow and
// the FP minimiser take any of them (Wilson, the plaquette+rectangle family, the fat-link
// ansatz, the L-CNN). Conventions (SPEC §1): S = β A with the reduced action A dimensionless
// and A(1) = 0; the force is the gradient matrix D_{x,μ} A = Σ_a t^a ∂^a_{x,μ} A with
// ∂^a_{x,μ} f = d/dε f(U_μ(x) → e^{iεt^a} U_μ(x))|_{ε=0}.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "fpgauge/lattice/Fields.h"

namespace fpgauge {

class Action {
 public:
  virtual ~Action() = default;
  // The name of the action (make_action() in ActionFactory.h builds every action by name).
  virtual std::string name() const = 0;
  // The parameters, written into every output that used the action.
  virtual nlohmann::json description() const = 0;
  // The reduced action A(U).
  virtual double value(const GaugeField& u) const = 0;
  // d_μ(x) = D_{x,μ} A(U) for every link (Hermitian, traceless); d is resized as needed.
  virtual void force(const GaugeField& u, AlgebraField& d) const = 0;
};

}  // namespace fpgauge
