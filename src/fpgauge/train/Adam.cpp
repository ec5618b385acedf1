#include "fpgauge/train/Adam.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace fpgauge::train {

double clip_gradient_norm(std::span<double> gradient, double max_norm) {
  double norm2 = 0.0;
  for (const double g : gradient) norm2 += g * g;
  const double norm = std::sqrt(norm2);
  if (max_norm > 0.0 && norm > max_norm)
    for (double& g : gradient) g *= max_norm / norm;
  return norm;
}

Adam::Adam(std::size_t size, AdamParameters parameters)
    : parameters_(parameters), state_{std::vector<double>(size, 0.0), std::vector<double>(size, 0.0), 0} {
  const AdamParameters& p = parameters_;
  if (!(p.learning_rate > 0.0) || !(p.beta1 >= 0.0 && p.beta1 < 1.0) ||
      !(p.beta2 >= 0.0 && p.beta2 < 1.0) || !(p.epsilon > 0.0) || !(p.weight_decay >= 0.0) ||
      !std::isfinite(p.learning_rate) || !std::isfinite(p.weight_decay))
    throw std::invalid_argument(fmt::format(
        "Adam: expected learning rate > 0, 0 <= beta1, beta2 < 1, epsilon > 0, weight decay >= 0; "
        "got {}, {}, {}, {}, {}",
        p.learning_rate, p.beta1, p.beta2, p.epsilon, p.weight_decay));
}

void Adam::restore(AdamState state) {
  if (state.m.size() != state_.m.size() || state.v.size() != state_.v.size() || state.steps < 0)
    throw std::invalid_argument(fmt::format(
        "Adam: cannot restore a state with {} and {} moments at step {} into an optimiser of {} "
        "weights",
        state.m.size(), state.v.size(), state.steps, state_.m.size()));
  state_ = std::move(state);
}

void Adam::step(std::span<double> weights, std::span<const double> gradient,
                double learning_rate) {
  std::vector<double>& m = state_.m;
  std::vector<double>& v = state_.v;
  if (weights.size() != m.size() || gradient.size() != m.size())
    throw std::invalid_argument(fmt::format("Adam: {} moments, {} weights, {} gradient components",
                                            m.size(), weights.size(), gradient.size()));
  if (!(learning_rate >= 0.0) || !std::isfinite(learning_rate))
    throw std::invalid_argument(
        fmt::format("Adam step {}: learning rate {}", state_.steps + 1, learning_rate));
  for (std::size_t k = 0; k < gradient.size(); ++k)
    if (!std::isfinite(gradient[k]))
      throw std::invalid_argument(fmt::format("Adam step {}: gradient component {} is {}",
                                              state_.steps + 1, k, gradient[k]));
  const AdamParameters& p = parameters_;
  ++state_.steps;
  const double t = static_cast<double>(state_.steps);
  const double correction1 = 1.0 - std::pow(p.beta1, t);
  const double correction2 = 1.0 - std::pow(p.beta2, t);
  for (std::size_t k = 0; k < weights.size(); ++k) {
    m[k] = p.beta1 * m[k] + (1.0 - p.beta1) * gradient[k];
    v[k] = p.beta2 * v[k] + (1.0 - p.beta2) * gradient[k] * gradient[k];
    const double m_hat = m[k] / correction1, v_hat = v[k] / correction2;
    weights[k] -= learning_rate * (m_hat / (std::sqrt(v_hat) + p.epsilon) + p.weight_decay * weights[k]);
  }
}

}  // namespace fpgauge::train
