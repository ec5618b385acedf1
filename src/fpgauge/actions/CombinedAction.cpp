#include "fpgauge/actions/CombinedAction.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {

CombinedAction::CombinedAction(std::vector<Term> terms) : terms_(std::move(terms)) {
  if (terms_.empty()) throw std::invalid_argument("combined action: no terms");
  for (const Term& term : terms_) {
    if (!term.action) throw std::invalid_argument("combined action: a term has no action");
    if (!std::isfinite(term.coefficient))
      throw std::invalid_argument(fmt::format("combined action: coefficient {} of {} is not finite",
                                              term.coefficient, term.action->name()));
  }
}

nlohmann::json CombinedAction::description() const {
  nlohmann::json terms = nlohmann::json::array();
  for (const Term& term : terms_)
    terms.push_back({{"coefficient", term.coefficient}, {"action", term.action->description()}});
  return {{"name", name()}, {"terms", terms}};
}

double CombinedAction::value(const GaugeField& u) const {
  double sum = 0.0;
  for (const Term& term : terms_) sum += term.coefficient * term.action->value(u);
  return sum;
}

void CombinedAction::force(const GaugeField& u, AlgebraField& d) const {
  terms_.front().action->force(u, d);
  const double first = terms_.front().coefficient;
  parallel_for(d.size(), [&](SiteIndex l) { d[l] = first * d[l]; });
  AlgebraField term_force;
  for (std::size_t k = 1; k < terms_.size(); ++k) {
    terms_[k].action->force(u, term_force);
    const double c = terms_[k].coefficient;
    parallel_for(d.size(), [&](SiteIndex l) { d[l] += c * term_force[l]; });
  }
}

}  // namespace fpgauge
