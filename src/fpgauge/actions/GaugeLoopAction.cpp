#include "fpgauge/actions/GaugeLoopAction.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "fpgauge/actions/GaugeLoops.h"
#include "fpgauge/core/Su3Algebra.h"
#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {

GaugeLoopAction::GaugeLoopAction(std::string name, double c1)
    : name_(std::move(name)), c0_(1.0 - 8.0 * c1), c1_(c1) {
  if (!std::isfinite(c1))
    throw std::invalid_argument(fmt::format("action '{}': c1 = {} is not finite", name_, c1));
}

nlohmann::json GaugeLoopAction::description() const {
  return {{"name", name_}, {"family", "plaquette+rectangle"}, {"c0", c0_}, {"c1", c1_}};
}

double GaugeLoopAction::value(const GaugeField& u) const {
  const bool rectangles = has_rectangles();
  const long double sum = parallel_sum(u.geometry().volume(), [&](SiteIndex s) {
    double plaq = 0.0, rect = 0.0;
    for (int mu = 0; mu < kDimensions; ++mu) {
      for (int nu = mu + 1; nu < kDimensions; ++nu) {
        plaq += 1.0 - re_trace(plaquette(u, s, mu, nu)) / 3.0;
        if (rectangles)
          rect += 2.0 - (re_trace(rectangle(u, s, mu, nu)) + re_trace(rectangle(u, s, nu, mu))) /
                            3.0;
      }
    }
    return c0_ * plaq + c1_ * rect;
  });
  return static_cast<double>(sum);
}

SU3 GaugeLoopAction::staple(const GaugeField& u, SiteIndex s, int mu) const {
  SU3 sigma = plaquette_staple_sum(u, s, mu);
  if (!has_rectangles()) return sigma;
  sigma *= c0_;
  sigma += c1_ * rectangle_staple_sum(u, s, mu);
  return sigma;
}

void GaugeLoopAction::force(const GaugeField& u, AlgebraField& d) const {
  if (d.size() != u.size()) d = AlgebraField(u.geometry_ptr());
  // ∂^a A = −⅓ Re tr(i t^a U Σ) (SPEC §1), so D = −⅓ lie_gradient(U Σ).
  parallel_for(u.geometry().volume(), [&](SiteIndex s) {
    for (int mu = 0; mu < kDimensions; ++mu)
      d(s, mu) = (-1.0 / 3.0) * lie_gradient(u(s, mu) * staple(u, s, mu));
  });
}

std::unique_ptr<Action> make_action(const std::string& spec) {
  if (spec == "wilson") return std::make_unique<GaugeLoopAction>(GaugeLoopAction::wilson());
  if (spec == "symanzik") return std::make_unique<GaugeLoopAction>(GaugeLoopAction::symanzik());
  if (spec == "iwasaki") return std::make_unique<GaugeLoopAction>(GaugeLoopAction::iwasaki());
  if (spec == "dbw2") return std::make_unique<GaugeLoopAction>(GaugeLoopAction::dbw2());
  const std::string prefix = "plaqrect:";
  if (spec.rfind(prefix, 0) == 0) {
    const std::string number = spec.substr(prefix.size());
    std::size_t used = 0;
    double c1 = 0.0;
    try {
      c1 = std::stod(number, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != number.size() || !std::isfinite(c1))
      throw std::invalid_argument(
          fmt::format("action '{}': expected plaqrect:C1 with a number C1, got '{}'", spec, number));
    return std::make_unique<GaugeLoopAction>(spec, c1);
  }
  throw std::invalid_argument(fmt::format(
      "unknown action '{}': known are wilson, symanzik, iwasaki, dbw2, plaqrect:C1", spec));
}

}  // namespace fpgauge
