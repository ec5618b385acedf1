#pragma once
// A linear combination of actions, A = Σ_i c_i A_i, value and force term by term. What it is
// for: splitting an expensive action into a cheap part and the rest for nested HMC time scales
// (A_θ = A_Sym + (A_θ − A_Sym): the Symanzik force on the inner scale, the small difference on
// the outer one, SPEC §8), and perturbing a known action by a small learned part in tests.
#include <memory>
#include <vector>

#include "fpgauge/actions/Action.h"

namespace fpgauge {

class CombinedAction final : public Action {
 public:
  struct Term {
    double coefficient;
    std::shared_ptr<const Action> action;
  };

  // Throws std::invalid_argument for no terms, a null action or a non-finite coefficient.
  explicit CombinedAction(std::vector<Term> terms);

  std::string name() const override { return "combination"; }
  nlohmann::json description() const override;
  double value(const GaugeField& u) const override;
  void force(const GaugeField& u, AlgebraField& d) const override;

  const std::vector<Term>& terms() const { return terms_; }

 private:
  std::vector<Term> terms_;
};

}  // namespace fpgauge
