#include "fpgauge/flow/GradientFlow.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "fpgauge/lattice/GaugeFieldOps.h"
#include "fpgauge/lattice/SiteLoop.h"

namespace fpgauge {

namespace {

void require_positive(double value, const char* what) {
  if (!(value > 0.0) || !std::isfinite(value))
    throw std::invalid_argument(fmt::format("gradient flow: {} = {} must be finite and > 0", what,
                                            value));
}

}  // namespace

GradientFlow::GradientFlow(const Action& action, FlowOptions options)
    : action_(action), options_(options), next_step_(options.step) {
  require_positive(options_.step, "step");
  require_positive(options_.tolerance, "tolerance");
  require_positive(options_.max_step, "max_step");
}

void GradientFlow::generator(const GaugeField& w, AlgebraField& z) const {
  action_.force(w, z);
  parallel_for(z.size(), [&](SiteIndex l) { z[l] = -6.0 * z[l]; });
}

void GradientFlow::step(GaugeField& v, double epsilon, double* embedded_distance) {
  AlgebraField& z = z_;
  AlgebraField& x = x_;
  AlgebraField& e = embedded_;  // the embedded second-order generator 2 Z1 − Z0
  const bool embedded = embedded_distance != nullptr;

  generator(v, z);  // Z0
  if (x.size() != z.size()) x = AlgebraField(v.geometry_ptr());
  if (embedded) {
    start_ = v;
    if (e.size() != z.size()) e = AlgebraField(v.geometry_ptr());
    parallel_for(z.size(), [&](SiteIndex l) { e[l] = -1.0 * z[l]; });
  }
  parallel_for(z.size(), [&](SiteIndex l) { x[l] = (-17.0 / 36.0) * z[l]; });
  left_multiply_exp_i(v, 0.25 * epsilon, z);  // W1

  generator(v, z);  // Z1
  parallel_for(z.size(), [&](SiteIndex l) { x[l] += (8.0 / 9.0) * z[l]; });
  if (embedded) parallel_for(z.size(), [&](SiteIndex l) { e[l] += 2.0 * z[l]; });
  left_multiply_exp_i(v, epsilon, x);  // W2

  generator(v, z);  // Z2
  parallel_for(z.size(), [&](SiteIndex l) { x[l] = 0.75 * z[l] - x[l]; });
  left_multiply_exp_i(v, epsilon, x);  // W3

  if (embedded) {
    left_multiply_exp_i(start_, epsilon, e);
    *embedded_distance = parallel_max(
        v.size(), [&](SiteIndex l) { return std::sqrt(norm2(v[l] - start_[l])) / 3.0; });
  }
}

FlowStatistics GradientFlow::advance(GaugeField& v, double t, double t_end) {
  if (!(t_end >= t))
    throw std::invalid_argument(fmt::format("gradient flow: cannot flow from t = {} back to {}", t,
                                            t_end));
  FlowStatistics statistics;
  // Steps shorter than this fraction of ε land on t_end by stretching the previous step
  // instead of taking a sliver of a step.
  constexpr double kSliver = 1e-9;
  while (t_end - t > kSliver * options_.step) {
    const double nominal = options_.adaptive ? next_step_ : options_.step;
    const double epsilon = std::min(nominal, t_end - t);
    if (!options_.adaptive) {
      step(v, epsilon);
      t += epsilon;
      ++statistics.steps;
      continue;
    }
    saved_ = v;
    double distance = 0.0;
    step(v, epsilon, &distance);
    if (!std::isfinite(distance))
      throw std::runtime_error(fmt::format(
          "gradient flow: the error estimate is not finite at t = {}, ε = {}", t, epsilon));
    const double factor =
        distance > 0.0 ? std::clamp(0.95 * std::cbrt(options_.tolerance / distance), 0.2, 2.0)
                       : 2.0;
    if (distance <= options_.tolerance) {
      t += epsilon;
      ++statistics.steps;
      // A step shortened to land on t_end says nothing about the step size to use next.
      if (epsilon == nominal) next_step_ = std::min(factor * epsilon, options_.max_step);
    } else {
      v = saved_;
      ++statistics.rejected;
      next_step_ = factor * epsilon;
    }
  }
  return statistics;
}

}  // namespace fpgauge
