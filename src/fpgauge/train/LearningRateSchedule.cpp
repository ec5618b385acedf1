#include "fpgauge/train/LearningRateSchedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace fpgauge::train {

LearningRateSchedule::Kind schedule_kind(const std::string& name) {
  if (name == "constant") return LearningRateSchedule::Kind::constant;
  if (name == "cosine") return LearningRateSchedule::Kind::cosine;
  if (name == "step") return LearningRateSchedule::Kind::step;
  throw std::invalid_argument(
      fmt::format("learning-rate schedule '{}': expected constant, cosine or step", name));
}

void LearningRateSchedule::validate() const {
  const auto fail = [](const std::string& what) {
    throw std::invalid_argument("learning-rate schedule: " + what);
  };
  if (!(learning_rate > 0.0) || !std::isfinite(learning_rate))
    fail(fmt::format("learning rate {} (expected > 0)", learning_rate));
  if (warmup_steps < 0) fail(fmt::format("warm-up steps {} (expected >= 0)", warmup_steps));
  if (total_steps < 1) fail(fmt::format("total steps {} (expected >= 1)", total_steps));
  if (kind == Kind::cosine && warmup_steps >= total_steps)
    fail(fmt::format("warm-up of {} steps leaves no cosine decay in {} steps", warmup_steps,
                     total_steps));
  if (!(final_learning_rate >= 0.0 && final_learning_rate <= learning_rate))
    fail(fmt::format("final learning rate {} (expected 0 <= it <= {})", final_learning_rate,
                     learning_rate));
  if (step_size < 1) fail(fmt::format("step size {} (expected >= 1)", step_size));
  if (!(gamma > 0.0 && gamma <= 1.0)) fail(fmt::format("gamma {} (expected 0 < gamma <= 1)", gamma));
}

double LearningRateSchedule::at(std::int64_t step) const {
  if (step <= warmup_steps)
    return learning_rate * static_cast<double>(step) / static_cast<double>(warmup_steps);
  const std::int64_t after = step - warmup_steps;
  switch (kind) {
    case Kind::constant:
      return learning_rate;
    case Kind::cosine: {
      const double progress = std::min(
          1.0, static_cast<double>(after) / static_cast<double>(total_steps - warmup_steps));
      return final_learning_rate +
             0.5 * (learning_rate - final_learning_rate) * (1.0 + std::cos(M_PI * progress));
    }
    case Kind::step:
      return learning_rate * std::pow(gamma, static_cast<double>(after / step_size));
  }
  return learning_rate;
}

}  // namespace fpgauge::train
