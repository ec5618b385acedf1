#include "fpgauge/train/Adam.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace fpgauge::train {

Adam::Adam(std::size_t size, AdamParameters parameters)
    : parameters_(parameters), m_(size, 0.0), v_(size, 0.0) {
  const AdamParameters& p = parameters_;
  if (!(p.learning_rate > 0.0) || !(p.beta1 >= 0.0 && p.beta1 < 1.0) ||
      !(p.beta2 >= 0.0 && p.beta2 < 1.0) || !(p.epsilon > 0.0))
    throw std::invalid_argument(fmt::format(
        "Adam: expected learning rate > 0, 0 <= beta1, beta2 < 1, epsilon > 0; got {}, {}, {}, {}",
        p.learning_rate, p.beta1, p.beta2, p.epsilon));
}

void Adam::step(std::span<double> weights, std::span<const double> gradient) {
  if (weights.size() != m_.size() || gradient.size() != m_.size())
    throw std::invalid_argument(fmt::format(
        "Adam: {} moments, {} weights, {} gradient components", m_.size(), weights.size(),
        gradient.size()));
  for (std::size_t k = 0; k < gradient.size(); ++k)
    if (!std::isfinite(gradient[k]))
      throw std::invalid_argument(
          fmt::format("Adam step {}: gradient component {} is {}", steps_ + 1, k, gradient[k]));
  const AdamParameters& p = parameters_;
  ++steps_;
  const double t = static_cast<double>(steps_);
  const double correction1 = 1.0 - std::pow(p.beta1, t);
  const double correction2 = 1.0 - std::pow(p.beta2, t);
  for (std::size_t k = 0; k < weights.size(); ++k) {
    m_[k] = p.beta1 * m_[k] + (1.0 - p.beta1) * gradient[k];
    v_[k] = p.beta2 * v_[k] + (1.0 - p.beta2) * gradient[k] * gradient[k];
    const double m_hat = m_[k] / correction1, v_hat = v_[k] / correction2;
    weights[k] -= p.learning_rate * m_hat / (std::sqrt(v_hat) + p.epsilon);
  }
}

}  // namespace fpgauge::train
