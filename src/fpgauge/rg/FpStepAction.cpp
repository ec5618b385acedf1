#include "fpgauge/rg/FpStepAction.h"

#include <fmt/format.h>

#include <cstring>
#include <stdexcept>

namespace fpgauge {

FpStepAction::FpStepAction(std::shared_ptr<const Action> finer, BlockingKernel kernel,
                           MinimiserOptions options)
    : finer_(std::move(finer)), kernel_(std::move(kernel)), options_(options) {}

std::string FpStepAction::name() const { return fmt::format("fp_step({})", finer_->name()); }

nlohmann::json FpStepAction::description() const {
  return {{"name", "fp_step"},
          {"finer_action", finer_->description()},
          {"kernel", kernel_.description()},
          {"minimiser",
           {{"method", "lbfgs"},
            {"gradient_tolerance", options_.gradient_tolerance},
            {"max_iterations", options_.max_iterations},
            {"history", options_.history}}}};
}

const FpLabel& FpStepAction::solve(const GaugeField& u) const {
  const bool same_field =
      last_u_.size() == u.size() && u.size() > 0 && last_u_.geometry() == u.geometry() &&
      std::memcmp(last_u_.data(), u.data(), sizeof(SU3) * static_cast<std::size_t>(u.size())) == 0;
  if (same_field) return last_label_;
  FpLabel label = solve_fp_equation(u, *finer_, kernel_, options_, &last_minimiser_);
  if (!label.minimisation.converged)
    throw std::runtime_error(fmt::format(
        "{}: the inner minimisation on {} stopped at residual {:.3g} > {:.3g} after {} iterations",
        name(), last_minimiser_.geometry().to_string(), label.minimisation.residual,
        options_.gradient_tolerance, label.minimisation.iterations));
  last_u_ = u;
  last_label_ = std::move(label);
  return last_label_;
}

double FpStepAction::value(const GaugeField& u) const {
  const std::lock_guard lock(mutex_);
  return solve(u).action;
}

void FpStepAction::force(const GaugeField& u, AlgebraField& d) const {
  const std::lock_guard lock(mutex_);
  d = solve(u).derivative;
}

std::shared_ptr<const Action> make_fp_step_action(std::shared_ptr<const Action> fine,
                                                  const BlockingKernel& kernel,
                                                  const MinimiserOptions& inner, int k) {
  if (k < 1) throw std::invalid_argument(fmt::format("FP steps k = {}: expected k >= 1", k));
  for (int step = 1; step < k; ++step)
    fine = std::make_shared<const FpStepAction>(std::move(fine), kernel, inner);
  return fine;
}

}  // namespace fpgauge
